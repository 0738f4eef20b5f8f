//! Making a self-signed certificate in the browser: the form, the work in steps, and saving the two files.

use super::*;

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

/// What the form holds (all signals, so `Copy`).
#[derive(Clone, Copy)]
struct Form {
    subject: RwSignal<Subject>,
    extra_names: RwSignal<String>,
    algorithm: RwSignal<KeyAlgorithm>,
    start: RwSignal<String>,
    end: RwSignal<String>,
    password: RwSignal<String>,
    confirm: RwSignal<String>,
    /// Keep the certificate (never the key) in Signet to watch its expiry.
    keep: RwSignal<bool>,
}

impl Form {
    fn new() -> Form {
        Form {
            subject: RwSignal::new(Subject::default()),
            extra_names: RwSignal::new(String::new()),
            algorithm: RwSignal::new(KeyAlgorithm::Rsa2048),
            start: RwSignal::new(String::new()),
            end: RwSignal::new(String::new()),
            password: RwSignal::new(String::new()),
            confirm: RwSignal::new(String::new()),
            keep: RwSignal::new(true),
        }
    }

    /// The validity, or what the person must correct first.
    fn checked(&self) -> Result<(time::OffsetDateTime, time::OffsetDateTime), String> {
        let from = parse_day(&self.start.get(), "start")?;
        let to = parse_day(&self.end.get(), "expiry")?;
        if to <= from {
            return Err("The expiry date must come after the start date.".to_string());
        }
        if (to - from).whole_days() > MAX_DAYS {
            return Err("A self-signed certificate made here lasts at most ten years.".to_string());
        }
        if self.password.get() != self.confirm.get() {
            return Err("The two passwords differ.".to_string());
        }
        crate::keygen::check_password(&self.password.get()).map_err(|e| e.to_string())?;
        if self.subject.get().common_name.trim().is_empty() {
            return Err("Give the common name (the domain the certificate is for).".to_string());
        }
        Ok((from, to))
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn other_names(&self) -> Vec<String> {
        self.extra_names
            .get_untracked()
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// The certificate made, its key file and the common name the files are named after.
type Made = StoredValue<(String, String, String)>;

#[component]
pub(super) fn SelfSignedMaker(track: ServerAction<TrackCertificate>) -> impl IntoView {
    let form = Form::new();
    let phase = RwSignal::new(Phase::Form);
    let error = RwSignal::new(None::<String>);
    let made: Made = StoredValue::new((String::new(), String::new(), String::new()));

    // Today and a year from today, from the browser's clock (the form is only used in the browser).
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let today: String = String::from(js_sys::Date::new_0().to_iso_string()).chars().take(10).collect();
            if let Ok(t) = parse_day(&today, "start") {
                form.start.set(today);
                form.end.set((t.date() + time::Duration::days(365)).to_string());
            }
        }
    });

    let create = move |_| {
        error.set(None);
        match form.checked() {
            Err(e) => error.set(Some(e)),
            Ok((from, to)) => make(form, from, to, phase, error, made, track),
        }
    };

    view! {
        <section class="panel">
            <h2>"Create a self-signed certificate"</h2>
            <p class="muted">"For test servers and internal tools that browsers do not need to trust. The key and the certificate are made in your browser; Signet never sees the key."</p>
            {move || error.get().map(|e| view! { <div class="notice bad" role="alert">{e}</div> })}
            {move || match phase.get() {
                Phase::Form => view! {
                    <FormFields form=form/>
                    <p class="actions"><button type="button" on:click=create>"Create certificate"</button></p>
                }.into_any(),
                Phase::Working(step) => view! {
                    <ol class="keygen-progress" aria-live="polite"><li class="current"><strong>{step}</strong><span class="spinner" aria-hidden="true"></span></li></ol>
                }.into_any(),
                Phase::Done => view! { <SaveFiles made=made error=error track=track phase=phase/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn FormFields(form: Form) -> impl IntoView {
    let Form { subject, extra_names, algorithm, start, end, password, confirm, keep } = form;
    view! {
        <SubjectFields subject=subject prefix="ss"/>
        <div class="form-grid">
            <FieldFrame id="ss-names" label="Other names (optional)">
                <input id="ss-names" placeholder="www.example.com, mail.example.com" prop:value=move || extra_names.get() on:input=move |ev| extra_names.set(event_target_value(&ev))/>
            </FieldFrame>
            <FieldFrame id="ss-type" label="Key type">
                <select id="ss-type" on:change=move |ev| if let Some(k) = KeyAlgorithm::parse(&event_target_value(&ev)) { algorithm.set(k) }>
                    {KeyAlgorithm::ALL.into_iter().map(|k| view! { <option value=k.as_str() selected=move || algorithm.get() == k>{k.label()}</option> }).collect_view()}
                </select>
            </FieldFrame>
            <SlowKeyWarning algorithm=algorithm/>
            <FieldFrame id="ss-start" label="Start date">
                <input id="ss-start" type="date" prop:value=move || start.get() on:input=move |ev| start.set(event_target_value(&ev))/>
            </FieldFrame>
            <FieldFrame id="ss-end" label="Expiry date">
                <input id="ss-end" type="date" prop:value=move || end.get() on:input=move |ev| end.set(event_target_value(&ev))/>
            </FieldFrame>
            <KeyFilePassword prefix="ss" password=password confirm=confirm/>
        </div>
        <label class="check"><input type="checkbox" prop:checked=move || keep.get() on:change=move |ev| keep.set(event_target_checked(&ev))/>
            " Keep the certificate (never the key) in Signet to watch its expiry"</label>
    }
}

/// Makes the key pair and the certificate in this browser, in steps the page shows; then keeps the
/// certificate (only the certificate: the key file never leaves the page) if the person asked.
fn make(
    form: Form,
    from: time::OffsetDateTime,
    to: time::OffsetDateTime,
    phase: RwSignal<Phase>,
    error: RwSignal<Option<String>>,
    made: Made,
    track: ServerAction<TrackCertificate>,
) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        use crate::keygen::browser;
        const STEPS: [&str; 3] =
            ["Generating the key pair", "Signing the certificate", "Encrypting the key file with your password"];
        let run = async {
            phase.set(Phase::Working(STEPS[0]));
            browser::next_frame().await;
            let s = form.subject.get_untracked();
            let step = Callback::new(move |i: usize| phase.set(Phase::Working(STEPS[i.min(2)])));
            let engine = browser::Engine::for_this_page();
            let password = form.password.get_untracked();
            let algorithm = form.algorithm.get_untracked();
            let (cert, key_file) = browser::make_self_signed_pair(
                algorithm,
                engine,
                s.clone(),
                form.other_names(),
                from,
                to,
                password,
                step,
            )
            .await?;
            made.set_value((cert, key_file, s.common_name.clone()));
            Ok::<(), crate::keygen::KeygenError>(())
        };
        match run.await {
            Ok(()) => {
                form.password.set(String::new());
                form.confirm.set(String::new());
                phase.set(Phase::Done);
                if form.keep.get_untracked() {
                    track.dispatch(TrackCertificate { certificate: made.with_value(|f| f.0.clone()) });
                }
            }
            Err(e) => {
                error.set(Some(e.to_string()));
                phase.set(Phase::Form);
            }
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (form, from, to, phase, error, made, track);
}

#[component]
fn SaveFiles(
    made: Made,
    error: RwSignal<Option<String>>,
    track: ServerAction<TrackCertificate>,
    phase: RwSignal<Phase>,
) -> impl IntoView {
    let key_saved = RwSignal::new(false);
    let save = move |which: usize| {
        #[cfg(feature = "hydrate")]
        {
            let (cert, key, name) = made.get_value();
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
        let _ = (which, error);
    };
    view! {
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
        <details><summary>"The certificate"</summary><pre class="mono">{made.with_value(|f| f.0.clone())}</pre></details>
        <p class="actions"><button type="button" class="secondary" on:click=move |_| phase.set(Phase::Form)>"Create another"</button></p>
    }
}
