//! The tools: the self-signed certificate tool (ispmanager's form: CN, country, region, city, organisation,
//! unit, e-mail, key, start and expiry dates), made entirely in the browser, with the certificates kept for
//! their expiry (`self_signed`, `watched`); and the CSR generator open to anyone.

use crate::api::tools::*;
use crate::components::{last_error, when, FieldFrame, FormError, KeyFilePassword, SlowKeyWarning, SubjectFields};
use crate::keygen::{KeyAlgorithm, Subject};
use leptos::prelude::*;
use leptos_meta::Title;

mod self_signed;
mod watched;
use self_signed::SelfSignedMaker;
use watched::WatchedCertificates;

/// The self-signed tool and, below it, the certificates watched for expiry (where a new one is kept).
#[component]
pub fn SelfSignedPage() -> impl IntoView {
    let track = ServerAction::<TrackCertificate>::new();
    let untrack = ServerAction::<UntrackCertificate>::new();
    view! {
        <Title text="Self-signed certificates"/>
        <h1>"Self-signed certificates"</h1>
        <SelfSignedMaker track=track/>
        <WatchedCertificates track=track untrack=untrack/>
    }
}

/// A stand-alone CSR generator, open to anyone: nothing is sent to Signet, so it needs no account.
#[component]
pub fn CsrToolPage() -> impl IntoView {
    let csr = RwSignal::new(None::<String>);
    let on_csr = Callback::new(move |pem: String| csr.set(Some(pem)));
    view! {
        <Title text="Make a key and CSR"/>
        <crate::components::VisitorPage>
            <h1>"Make a key and CSR"</h1>
            <p>"For a certificate ordered anywhere: the key pair is made by this page, in your browser, and never sent anywhere."</p>
            <section class="panel">
                <crate::components::KeyMaker subject=Subject::default() names=Vec::new() key_types=Vec::new() on_csr=on_csr hand_label="Show the CSR"/>
            </section>
            {move || csr.get().map(|pem| view! {
                <section class="panel"><h2>"Your CSR"</h2><p class="muted">"Copy it into the order form of your certificate authority."</p>
                    <textarea class="mono" rows="14" readonly aria-label="Your CSR" prop:value=pem></textarea></section>
            })}
        </crate::components::VisitorPage>
    }
}
