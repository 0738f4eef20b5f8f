//! The self-signed certificate tool (ispmanager's form: CN, country, region, city, organisation, unit,
//! e-mail, key, start and expiry dates), made entirely in the browser, and the certificates kept for their
//! expiry.

use crate::api::tools::*;
use crate::components::{last_error, when, FormError, SlowKeyWarning, SubjectFields};
use crate::keygen::{KeyAlgorithm, Subject};
use leptos::prelude::*;
use leptos_meta::Title;

/// The longest a self-signed certificate made here may last (ten years).
const MAX_DAYS: i64 = 3650;

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Copy, PartialEq)]
enum Phase {
    Form,
    Working(&'static str),
    Done,
}

/// A `YYYY-MM-DD` date (what `<input type="date">` gives) as midnight UTC.
fn parse_day(text: &str, what: &str) -> Result<time::OffsetDateTime, String> {
    let mut parts = text.trim().splitn(3, '-').map(|p| p.parse::<i32>().ok());
    let (Some(Some(y)), Some(Some(m)), Some(Some(d))) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("Give the {what} date."));
    };
    let month = time::Month::try_from(m as u8).map_err(|_| format!("The {what} date is not a date."))?;
    let date =
        time::Date::from_calendar_date(y, month, d as u8).map_err(|_| format!("The {what} date is not a date."))?;
    Ok(date.midnight().assume_utc())
}

#[component]
pub fn SelfSignedPage() -> impl IntoView {
    let subject = RwSignal::new(Subject::default());
    let extra_names = RwSignal::new(String::new());
    let algorithm = RwSignal::new(KeyAlgorithm::Rsa2048);
    let start = RwSignal::new(String::new());
    let end = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let keep = RwSignal::new(true);
    let phase = RwSignal::new(Phase::Form);
    let error = RwSignal::new(None::<String>);
    let files = StoredValue::new((String::new(), String::new(), String::new()));
    let key_saved = RwSignal::new(false);

    let track = ServerAction::<TrackCertificate>::new();
    let untrack = ServerAction::<UntrackCertificate>::new();
    let list = Resource::new(move || (track.version().get(), untrack.version().get()), |_| list_tracked_certificates());
    let paste = RwSignal::new(String::new());

    // Today and a year from today, from the browser's clock (the form is only used in the browser).
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let today: String = String::from(js_sys::Date::new_0().to_iso_string()).chars().take(10).collect();
            if let Ok(t) = parse_day(&today, "start") {
                start.set(today);
                end.set((t.date() + time::Duration::days(365)).to_string());
            }
        }
    });

    let create = move |_| {
        error.set(None);
        let checked = (|| {
            let from = parse_day(&start.get(), "start")?;
            let to = parse_day(&end.get(), "expiry")?;
            if to <= from {
                return Err("The expiry date must come after the start date.".to_string());
            }
            if (to - from).whole_days() > MAX_DAYS {
                return Err("A self-signed certificate made here lasts at most ten years.".to_string());
            }
            if password.get() != confirm.get() {
                return Err("The two passwords differ.".to_string());
            }
            crate::keygen::check_password(&password.get()).map_err(|e| e.to_string())?;
            if subject.get().common_name.trim().is_empty() {
                return Err("Give the common name (the domain the certificate is for).".to_string());
            }
            Ok((from, to))
        })();
        let (from, to) = match checked {
            Ok(v) => v,
            Err(e) => {
                error.set(Some(e));
                return;
            }
        };
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use crate::keygen::browser;
            const STEPS: [&str; 3] =
                ["Generating the key pair", "Signing the certificate", "Encrypting the key file with your password"];
            let run = async {
                phase.set(Phase::Working(STEPS[0]));
                browser::next_frame().await;
                let names: Vec<String> = extra_names
                    .get_untracked()
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                let s = subject.get_untracked();
                let step = Callback::new(move |i: usize| phase.set(Phase::Working(STEPS[i.min(2)])));
                let (cert, key_file) = browser::make_self_signed_pair(
                    algorithm.get_untracked(),
                    browser::Engine::for_this_page(),
                    s.clone(),
                    names,
                    from,
                    to,
                    password.get_untracked(),
                    step,
                )
                .await?;
                files.set_value((cert, key_file, s.common_name.clone()));
                Ok::<(), crate::keygen::KeygenError>(())
            };
            match run.await {
                Ok(()) => {
                    password.set(String::new());
                    confirm.set(String::new());
                    phase.set(Phase::Done);
                    if keep.get_untracked() {
                        // The certificate only: the key file never leaves the page.
                        track.dispatch(TrackCertificate { certificate: files.with_value(|f| f.0.clone()) });
                    }
                }
                Err(e) => {
                    error.set(Some(e.to_string()));
                    phase.set(Phase::Form);
                }
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (from, to, files);
    };
    let save = move |which: usize| {
        #[cfg(feature = "hydrate")]
        {
            let (cert, key, name) = files.get_value();
            let file = |ext| crate::keygen::file_name(&name, ext);
            let result = if which == 0 {
                crate::keygen::browser::save_file(&file("crt"), cert.as_bytes(), "application/x-pem-file")
            } else {
                crate::keygen::browser::save_file(&file("key"), key.as_bytes(), "application/x-pem-file")
                    .map(|_| key_saved.set(true))
            };
            if let Err(e) = result {
                error.set(Some(e.to_string()));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (which, key_saved);
    };

    view! {
        <Title text="Self-signed certificates"/>
        <h1>"Self-signed certificates"</h1>
        <section class="panel">
            <h2>"Create a self-signed certificate"</h2>
            <p class="muted">"For test servers and internal tools that browsers do not need to trust. The key and the certificate are made in your browser; Signet never sees the key."</p>
            {move || error.get().map(|e| view! { <div class="notice bad" role="alert">{e}</div> })}
            {move || match phase.get() {
                Phase::Form => view! {
                    <SubjectFields subject=subject prefix="ss"/>
                    <div class="form-grid">
                        <div class="field"><label for="ss-names">"Other names (optional)"</label>
                            <input id="ss-names" placeholder="www.example.com, mail.example.com" prop:value=move || extra_names.get() on:input=move |ev| extra_names.set(event_target_value(&ev))/></div>
                        <div class="field"><label for="ss-type">"Key type"</label>
                            <select id="ss-type" on:change=move |ev| if let Some(k) = KeyAlgorithm::parse(&event_target_value(&ev)) { algorithm.set(k) }>
                                {KeyAlgorithm::ALL.into_iter().map(|k| view! { <option value=k.as_str() selected=move || algorithm.get() == k>{k.label()}</option> }).collect_view()}
                            </select></div>
                        <SlowKeyWarning algorithm=algorithm/>
                        <div class="field"><label for="ss-start">"Start date"</label>
                            <input id="ss-start" type="date" prop:value=move || start.get() on:input=move |ev| start.set(event_target_value(&ev))/></div>
                        <div class="field"><label for="ss-end">"Expiry date"</label>
                            <input id="ss-end" type="date" prop:value=move || end.get() on:input=move |ev| end.set(event_target_value(&ev))/></div>
                        <div class="field"><label for="ss-password">"Password for the key file"</label>
                            <input id="ss-password" type="password" autocomplete="new-password" prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                            <span class="hint">"At least 8 characters. Nobody can recover it for you."</span></div>
                        <div class="field"><label for="ss-password2">"Password again"</label>
                            <input id="ss-password2" type="password" autocomplete="new-password" prop:value=move || confirm.get() on:input=move |ev| confirm.set(event_target_value(&ev))/></div>
                    </div>
                    <label class="check"><input type="checkbox" prop:checked=move || keep.get() on:change=move |ev| keep.set(event_target_checked(&ev))/>
                        " Keep the certificate (never the key) in Signet to watch its expiry"</label>
                    <p class="actions"><button type="button" on:click=create>"Create certificate"</button></p>
                }.into_any(),
                Phase::Working(step) => view! {
                    <ol class="keygen-progress" aria-live="polite"><li class="current"><strong>{step}</strong><span class="spinner" aria-hidden="true"></span></li></ol>
                }.into_any(),
                Phase::Done => view! {
                    <div class="notice warn" role="status"><p><strong>"Save the key file now."</strong>" Signet never sees it and cannot recover it."</p></div>
                    <p class="actions">
                        <button type="button" on:click=move |_| save(0)>"Save the certificate (.crt)"</button>
                        <button type="button" class="secondary" on:click=move |_| save(1)>"Save the private key (.key)"</button>
                    </p>
                    {move || key_saved.get().then(|| view! { <p class="small muted">"Key file saved."</p> })}
                    {move || match track.value().get() {
                        Some(Ok(c)) => Some(view! { <p class="notice ok">{format!("Signet now watches {} (expires {}).", c.common_name, when(&c.not_after))}</p> }.into_any()),
                        _ => None,
                    }}
                    <details><summary>"The certificate"</summary><pre class="mono">{files.with_value(|f| f.0.clone())}</pre></details>
                    <p class="actions"><button type="button" class="secondary" on:click=move |_| { key_saved.set(false); phase.set(Phase::Form); }>"Create another"</button></p>
                }.into_any(),
            }}
        </section>
        <section class="panel">
            <h2>"Certificates watched for expiry"</h2>
            <FormError error=last_error(track.value())/>
            <FormError error=last_error(untrack.value())/>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        // The operator, say, works in no issuer: nothing is wrong, there is just nothing here.
                        Err(crate::error::AppError::NotFound) => view! {
                            <p class="empty">"Certificates are watched for an issuer, and this account works in none: there is nothing to watch here."</p>
                        }.into_any(),
                        Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                        Ok(certs) if certs.is_empty() => view! { <p class="empty">"No certificate is watched yet."</p> }.into_any(),
                        Ok(certs) => view! {
                            <div class="table-wrap"><table>
                                <thead><tr><th scope="col">"Common name"</th><th scope="col">"Issued by"</th><th scope="col">"Valid"</th><th scope="col">"Expires in"</th><th scope="col"></th></tr></thead>
                                <tbody>
                                    {certs.into_iter().map(|c| {
                                        let days = c.days_left;
                                        let class = if days < 0 { "expired" } else if days <= 30 { "expiring" } else { "" };
                                        let id = c.id.clone();
                                        view! {
                                            <tr>
                                                <td>{c.common_name.clone()}<br/><span class="small muted">{c.names.join(", ")}</span></td>
                                                <td>{if c.self_signed { "self-signed".to_string() } else { c.issued_by.clone() }}</td>
                                                <td>{format!("{} to {}", when(&c.not_before), when(&c.not_after))}</td>
                                                <td class=class>{if days < 0 { "expired".to_string() } else { format!("{days} days") }}</td>
                                                <td><button type="button" class="secondary" aria-label=format!("Stop watching {}", c.common_name)
                                                    on:click=move |_| { untrack.dispatch(UntrackCertificate { id: id.clone() }); }>"Stop watching"</button></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                        }.into_any(),
                    }
                })}
            </Suspense>
            <details>
                <summary>"Watch another certificate"</summary>
                <div class="field"><label for="ss-paste">"Certificate (PEM)"</label>
                    <textarea id="ss-paste" class="mono" rows="6" placeholder="-----BEGIN CERTIFICATE-----" prop:value=move || paste.get() on:input=move |ev| paste.set(event_target_value(&ev))></textarea></div>
                <p class="actions"><button type="button" on:click=move |_| { track.dispatch(TrackCertificate { certificate: paste.get() }); }>"Watch it"</button></p>
            </details>
        </section>
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
