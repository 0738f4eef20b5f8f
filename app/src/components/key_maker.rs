//! "Generate in my browser": the form that makes a key pair and a CSR on the customer's computer, used by
//! the order wizard, the order page (CSR submitted later), and the invitation page.
//!
//! The private key exists only in this page's memory until the user saves it as a password-protected file;
//! only the CSR is handed on (to `on_csr`), and only after the user confirms the key file is saved.

use crate::components::FieldFrame;
use crate::keygen::{KeyAlgorithm, Subject};
use crate::model::KeyType;
use leptos::prelude::*;

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
/// Where the generation is: the three steps, then the key file waiting to be saved, then handed on.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Form,
    Step(usize),
    Ready,
    Handed,
}

const STEPS: [&str; 3] =
    ["Generating the key pair", "Building and signing the CSR", "Encrypting the key file with your password"];

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
/// What generation produced, kept in the page only.
#[derive(Clone, Default)]
struct Made {
    key_file: String,
    csr: String,
    file_name: String,
}

/// Shown beside the key type when this browser has no WebCrypto key generator (a page served over plain HTTP
/// from another host than localhost): the Rust fallback makes RSA keys in seconds to half a minute, with the
/// page paused meanwhile (see the benchmark in the README), so the person is told before clicking.
#[component]
pub fn SlowKeyWarning(algorithm: RwSignal<KeyAlgorithm>) -> impl IntoView {
    let fallback = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        fallback.set(crate::keygen::browser::Engine::for_this_page() == crate::keygen::browser::Engine::Wasm)
    });
    move || {
        (fallback.get() && algorithm.get().rsa_bits().is_some()).then(|| {
            view! {
                <div class="notice warn slow-key" role="status">
                    "This page is not served over HTTPS, so your browser's own key generator is not available and a \
                     slower one is used: an RSA key takes from a few seconds (2048 bits) to half a minute (4096 bits), \
                     and the page does not respond meanwhile. Choose ECDSA P-256 for an instant key, or open Signet \
                     over HTTPS."
                </div>
            }
        })
    }
}

/// The password a key file is encrypted with, typed twice (two cells of a `form-grid`).
#[component]
pub fn KeyFilePassword(prefix: &'static str, password: RwSignal<String>, confirm: RwSignal<String>) -> impl IntoView {
    let (first, again) = (format!("{prefix}-password"), format!("{prefix}-password2"));
    let first_hint = format!("{first}-hint");
    view! {
        <FieldFrame id=first.clone() label="Password for the key file"
            hint="At least 8 characters. Nobody can recover it for you.">
            <input id=first type="password" autocomplete="new-password" aria-describedby=first_hint
                prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
        </FieldFrame>
        <FieldFrame id=again.clone() label="Password again">
            <input id=again type="password" autocomplete="new-password" prop:value=move || confirm.get() on:input=move |ev| confirm.set(event_target_value(&ev))/>
        </FieldFrame>
    }
}

/// The subject fields of a CSR or certificate, pre-filled and editable.
#[component]
pub fn SubjectFields(subject: RwSignal<Subject>, prefix: &'static str) -> impl IntoView {
    type Get = fn(&Subject) -> String;
    type Set = fn(&mut Subject, String);
    let fields: [(&str, &'static str, Get, Set, &'static str); 7] = [
        ("cn", "Common name (CN)", |s| s.common_name.clone(), |s, v| s.common_name = v, "shop.example.com"),
        ("o", "Organisation (O)", |s| s.organisation.clone(), |s, v| s.organisation = v, ""),
        ("ou", "Unit (OU)", |s| s.unit.clone(), |s, v| s.unit = v, "optional"),
        ("l", "City (L)", |s| s.locality.clone(), |s, v| s.locality = v, ""),
        ("st", "State or region (ST)", |s| s.state.clone(), |s, v| s.state = v, "optional"),
        ("c", "Country (C)", |s| s.country.clone(), |s, v| s.country = v, "two letters, e.g. FR"),
        ("email", "E-mail", |s| s.email.clone(), |s, v| s.email = v, "optional"),
    ];
    view! {
        <div class="form-grid">
            {fields.into_iter().map(|(key, label, get, set, hint)| {
                let id = format!("{prefix}-{key}");
                view! {
                    <FieldFrame id=id.clone() label=label>
                        <input id=id placeholder=hint prop:value=move || subject.with(get)
                            on:input=move |ev| { let v = event_target_value(&ev); subject.update(|s| set(s, v)); }/>
                    </FieldFrame>
                }
            }).collect_view()}
        </div>
    }
}

/// What the person fills in before the key is made (all signals, so `Copy`).
#[derive(Clone, Copy)]
struct KeyForm {
    subject: RwSignal<Subject>,
    algorithm: RwSignal<KeyAlgorithm>,
    password: RwSignal<String>,
    confirm: RwSignal<String>,
    /// Other names, typed by the person when no order gives them (the stand-alone CSR tool).
    names: RwSignal<String>,
    free_names: bool,
}

impl KeyForm {
    /// The subjectAltNames: the order's names, or those typed with the common name first.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn sans(&self) -> Vec<String> {
        let mut sans: Vec<String> = self.names.with_untracked(|n| {
            n.split(|c: char| c == ',' || c.is_whitespace()).filter(|s| !s.is_empty()).map(str::to_string).collect()
        });
        let cn = self.subject.with_untracked(|s| s.common_name.trim().to_lowercase());
        if self.free_names && !cn.is_empty() && !sans.contains(&cn) {
            sans.insert(0, cn);
        }
        sans
    }

    fn problem(&self) -> Option<String> {
        if self.password.get() != self.confirm.get() {
            return Some("The two passwords differ.".into());
        }
        crate::keygen::check_password(&self.password.get()).err().map(|e| e.to_string())
    }
}

/// Where the work stands and what it made: shared by the steps of the component.
#[derive(Clone, Copy)]
struct Work {
    phase: RwSignal<Phase>,
    error: RwSignal<Option<String>>,
    made: StoredValue<Made>,
    /// The page's own figures: CSR and key-file encryption, in milliseconds (read by the benchmark).
    timing: RwSignal<Option<(f64, f64)>>,
}

#[component]
pub fn KeyMaker(
    /// Pre-filled from the organisation and the order.
    subject: Subject,
    /// The order's names, which become the CSR's subjectAltName.
    names: Vec<String>,
    /// The product's key policy (empty: every type).
    key_types: Vec<KeyType>,
    /// Receives the CSR once the key file is saved.
    on_csr: Callback<String>,
    /// Label of the final button.
    #[prop(default = "Use this CSR")]
    hand_label: &'static str,
) -> impl IntoView {
    let choices = KeyAlgorithm::allowed_by(&key_types);
    let form = KeyForm {
        subject: RwSignal::new(subject),
        algorithm: RwSignal::new(choices.first().copied().unwrap_or(KeyAlgorithm::P256)),
        password: RwSignal::new(String::new()),
        confirm: RwSignal::new(String::new()),
        free_names: names.is_empty(),
        names: RwSignal::new(names.join("\n")),
    };
    let work = Work {
        phase: RwSignal::new(Phase::Form),
        error: RwSignal::new(None),
        made: StoredValue::new(Made::default()),
        timing: RwSignal::new(None),
    };
    let generate = move |_| {
        work.error.set(None);
        match form.problem() {
            Some(p) => work.error.set(Some(p)),
            None => make_key(form, work),
        }
    };
    let choices = StoredValue::new(choices);
    view! {
        <div class="key-maker">
            {move || work.error.get().map(|e| view! { <div class="notice bad" role="alert">{e}</div> })}
            {move || match work.phase.get() {
                Phase::Form => view! {
                    <KeyFormFields form=form choices=choices.get_value()/>
                    <p class="actions"><button type="button" on:click=generate>"Generate key and CSR"</button></p>
                }.into_any(),
                Phase::Step(current) => view! {
                    <ol class="progress keygen-progress" aria-live="polite">
                        {STEPS.iter().enumerate().map(|(i, label)| {
                            let class = if i < current { "done" } else if i == current { "current" } else { "waiting" };
                            view! { <li class=class><strong>{*label}</strong>{(i == current).then(|| view! { <span class="spinner" aria-hidden="true"></span> })}</li> }
                        }).collect_view()}
                    </ol>
                }.into_any(),
                Phase::Ready => view! { <SaveAndHand work=work on_csr=on_csr hand_label=hand_label/> }.into_any(),
                Phase::Handed => view! {
                    <p class="notice ok">"The CSR was made in your browser and handed on; your private key stays in the file you saved."</p>
                    <details><summary>"The CSR"</summary><pre class="mono">{work.made.with_value(|m| m.csr.clone())}</pre></details>
                }.into_any(),
            }}
        </div>
    }
}

#[component]
fn KeyFormFields(form: KeyForm, choices: Vec<KeyAlgorithm>) -> impl IntoView {
    let KeyForm { subject, algorithm, password, confirm, names, free_names } = form;
    view! {
        <p class="muted">"The key pair is made on this computer, by this page. The private key never leaves it: you save it as a password-protected file, and only the CSR goes to Signet."</p>
        <SubjectFields subject=subject prefix="kg"/>
        {free_names.then(|| view! {
            <FieldFrame id="kg-names" label="Other names in the certificate (optional, one per line)"
                hint="The common name is included as well.">
                <textarea id="kg-names" rows="3" aria-describedby="kg-names-hint" prop:value=move || names.get()
                    on:input=move |ev| names.set(event_target_value(&ev))></textarea>
            </FieldFrame>
        })}
        <div class="form-grid">
            <FieldFrame id="kg-type" label="Key type">
                <select id="kg-type" on:change=move |ev| if let Some(k) = KeyAlgorithm::parse(&event_target_value(&ev)) { algorithm.set(k) }>
                    {choices.into_iter().map(|k| {
                        view! { <option value=k.as_str() selected=move || algorithm.get() == k>{k.label()}</option> }
                    }).collect_view()}
                </select>
            </FieldFrame>
            <SlowKeyWarning algorithm=algorithm/>
            <KeyFilePassword prefix="kg" password=password confirm=confirm/>
        </div>
    }
}

/// Makes the key pair, the CSR and the encrypted key file in this browser, in the steps the page shows.
fn make_key(form: KeyForm, work: Work) {
    #[cfg(not(feature = "hydrate"))]
    let _ = (form, work);
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        use crate::keygen::browser;
        let run = async {
            work.phase.set(Phase::Step(0));
            browser::next_frame().await;
            let s = form.subject.get_untracked();
            let sans = form.sans();
            let file_name = crate::keygen::file_name(&s.common_name, "key");
            // The key code is loaded on first use (see `browser`); the steps report as they start.
            let step = Callback::new(move |i: usize| work.phase.set(Phase::Step(i)));
            let algorithm = form.algorithm.get_untracked();
            let engine = browser::Engine::for_this_page();
            let made_key =
                browser::make_key_and_csr(algorithm, engine, s, sans, form.password.get_untracked(), step).await?;
            work.timing.set(Some((made_key.csr_ms, made_key.encrypt_ms)));
            work.made.set_value(Made { key_file: made_key.key_file, csr: made_key.csr, file_name });
            Ok::<(), crate::keygen::KeygenError>(())
        };
        match run.await {
            Ok(()) => {
                form.password.set(String::new());
                form.confirm.set(String::new());
                work.phase.set(Phase::Ready);
            }
            Err(e) => {
                work.error.set(Some(e.to_string()));
                work.phase.set(Phase::Form);
            }
        }
    });
}

/// The key file waiting to be saved; the CSR is handed on only once the person says the file is saved.
#[component]
fn SaveAndHand(work: Work, on_csr: Callback<String>, hand_label: &'static str) -> impl IntoView {
    let saved = RwSignal::new(false);
    let confirmed = RwSignal::new(false);
    let made = work.made;
    let save = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let m = made.get_value();
            match crate::keygen::browser::save_file(&m.file_name, m.key_file.as_bytes(), "application/x-pem-file") {
                Ok(()) => saved.set(true),
                Err(e) => work.error.set(Some(e.to_string())),
            }
        }
    };
    let hand = move |_| {
        let csr = made.with_value(|m| m.csr.clone());
        work.phase.set(Phase::Handed);
        on_csr.run(csr);
    };
    view! {
        <div class="notice warn" role="status">
            <p><strong>"Save your private key now."</strong>" Signet never sees this file and cannot recover it. Without the file and its password, the certificate cannot be installed."</p>
        </div>
        {move || work.timing.get().map(|(csr_ms, enc_ms)| view! {
            <p class="small muted keygen-timing" data-keygen-ms=format!("{csr_ms:.1}") data-encrypt-ms=format!("{enc_ms:.1}")>
                {format!("Key and CSR made in {csr_ms:.0} ms; key file encrypted in {enc_ms:.0} ms.")}</p>
        })}
        <p class="actions"><button type="button" class="secondary" on:click=save>{move || format!("Save the private key ({})", made.with_value(|m| m.file_name.clone()))}</button></p>
        <label class="check"><input type="checkbox" prop:checked=move || confirmed.get() disabled=move || !saved.get()
            on:change=move |ev| confirmed.set(event_target_checked(&ev))/>" I have saved the private key file and I know its password."</label>
        <p class="actions"><button type="button" on:click=hand disabled=move || !confirmed.get()>{hand_label}</button></p>
        <details><summary>"The CSR"</summary><pre class="mono">{made.with_value(|m| m.csr.clone())}</pre></details>
    }
}
