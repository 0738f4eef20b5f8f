//! Small building blocks of the UI: the frame of every form field (`field`), text fields with inline
//! validation, messages, the signet mark.

use crate::error::AppError;
use leptos::prelude::*;

mod audit;
mod field;
mod key_maker;
mod pkcs12_export;
mod seals;
pub use audit::AuditTable;
pub use field::{described_by, FieldFrame};
pub use key_maker::{KeyFilePassword, KeyMaker, SlowKeyWarning, SubjectFields};
pub use pkcs12_export::Pkcs12Export;
pub use seals::{CopyAttemptTable, SealForm, SealTable, StateBadge};

/// A rule run in the browser as the person leaves a field; the server runs the same rule again.
pub type Rule = fn(&str) -> Option<String>;

/// The last error of a server action, if its last run failed.
pub fn last_error<T, S>(value: S) -> Signal<Option<AppError>>
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || value.get().and_then(|r| r.err()))
}

/// Whether the last run of a server action succeeded.
pub fn succeeded<T, S>(value: S) -> Signal<bool>
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || matches!(value.get(), Some(Ok(_))))
}

/// The server's message for one field.
pub fn field_error(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.for_field(field)))
}

/// A labelled text input (or e-mail, password, date …) with its hint and error message, announced to screen
/// readers; framed by [`FieldFrame`] like every other control, and checked by `rule` as the person leaves it.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] rule: Option<Rule>,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
    #[prop(optional, into)] placeholder: Option<&'static str>,
    /// Keeps ids unique when the same form appears several times on a page (one per table row).
    #[prop(optional, into)]
    scope: Option<String>,
) -> impl IntoView {
    let id = match scope {
        Some(scope) => format!("f-{scope}-{}", name.replace(['[', ']'], "-")),
        None => format!("f-{}", name.replace(['[', ']'], "-")),
    };
    let local = RwSignal::new(None::<String>);
    let server = error.unwrap_or_else(|| Signal::derive(|| None));
    // The local message wins while the person is typing; a new server answer replaces it.
    Effect::new(move |_| {
        if server.get().is_some() {
            local.set(None);
        }
    });
    let message = Signal::derive(move || local.get().or_else(|| server.get()));
    let check = move |ev: leptos::ev::Event| {
        if let Some(rule) = rule {
            let v = event_target_value(&ev);
            local.set(if v.is_empty() && !required { None } else { rule(&v) });
        }
    };
    let described = described_by(&id, hint.is_some());
    // An absent hint is passed as "", which the frame does not show.
    view! {
        <FieldFrame id=id.clone() label=label required=required hint=hint.unwrap_or_default() error=message>
            <input
                id=id
                name=name
                type=kind
                value=value
                required=required
                autocomplete=autocomplete
                placeholder=placeholder
                aria-describedby=described
                aria-invalid=move || if message.get().is_some() { "true" } else { "false" }
                on:change=check
            />
        </FieldFrame>
    }
}

/// The form-wide message of a failed action (field problems are shown at their fields).
#[component]
pub fn FormError(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            let text = match &e {
                AppError::Invalid(_) => "Please correct the marked fields.".to_string(),
                other => other.to_string(),
            };
            view! { <div class="notice bad" role="alert">{text}</div> }
        })
    }
}

/// Renders `children` in the browser only, once the page has hydrated: for panels that load their data in the
/// browser (`LocalResource`), so that the server's HTML and the page being hydrated never differ.
#[component]
pub fn AfterHydration(children: ChildrenFn) -> impl IntoView {
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    move || mounted.get().then(|| children())
}

/// A success message once an action has succeeded.
#[component]
pub fn Saved(done: Signal<bool>, text: &'static str) -> impl IntoView {
    move || done.get().then(|| view! { <div class="notice ok" role="status">{text}</div> })
}

/// The formats an issued certificate downloads in (the order page and the certificate's page).
#[component]
pub fn CertificateDownloads(id: String) -> impl IntoView {
    let link = move |format: &str| format!("/_app/downloads/{id}/{format}");
    view! {
        <p class="downloads">"Download: "
            <a href=link("pem") download>"Certificate (PEM)"</a>" · "
            <a href=link("chain") download>"Full chain (PEM)"</a>" · "
            <a href=link("cer") download>"DER (.cer)"</a>" · "
            <a href=link("p7b") download>"PKCS#7 (.p7b)"</a>" · "
            <a href=link("root") download>"Root CA"</a>
        </p>
    }
}

/// The frame of the pages people use without an account (tracking, validation and invitation links, the CSR
/// tool): Signet's header above a centred column, as the signed-in pages have their shell.
#[component]
pub fn VisitorPage(children: Children) -> impl IntoView {
    view! {
        <header class="visitor-head"><a class="brand" href="/"><Mark/>"Signet"</a></header>
        <main class="public-page">{children()}</main>
    }
}

/// Signet's mark: a shield with a tick.
#[component]
pub fn Mark() -> impl IntoView {
    view! {
        <svg viewBox="0 0 32 32" aria-hidden="true">
            <path fill="#4fa3d9" d="M16 2 4 7v8c0 7.4 5.1 13.8 12 15 6.9-1.2 12-7.6 12-15V7z"/>
            <path fill="#fff" d="m13.6 21.4-5-5 2.1-2.1 2.9 2.9 7.7-7.7 2.1 2.1z"/>
        </svg>
    }
}

/// "Page 2 of 5" with previous and next links. `base` is the list's address with its filters (a query
/// string may already be present).
#[component]
pub fn Pager(page: usize, pages: usize, base: String) -> impl IntoView {
    if pages <= 1 {
        return ().into_any();
    }
    let sep = if base.contains('?') { "&" } else { "?" };
    let link = move |p: usize| format!("{base}{sep}page={p}");
    view! {
        <nav class="pager" aria-label="Pages">
            {(page > 1).then(|| view! { <a href=link(page - 1) rel="prev">"← Previous"</a> })}
            <span>{format!("Page {page} of {pages}")}</span>
            {(page < pages).then(|| view! { <a href=link(page + 1) rel="next">"Next →"</a> })}
        </nav>
    }
    .into_any()
}

/// Reads a file chosen in the browser and hands its content over as a `data:` URL.
#[cfg(feature = "hydrate")]
pub fn read_data_url(file: &web_sys::File, mut on_load: impl FnMut(String) + 'static) {
    use wasm_bindgen::JsCast;
    let Ok(reader) = web_sys::FileReader::new() else { return };
    let r = reader.clone();
    let onload = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
        if let Some(url) = r.result().ok().and_then(|v| v.as_string()) {
            on_load(url);
        }
    });
    reader.set_onload(Some(onload.as_ref().unchecked_ref()));
    onload.forget();
    let _ = reader.read_as_data_url(file);
}

/// The file chosen in a file input, read as a `data:` URL and handed over with its name; a file larger than
/// `max_bytes` is not read, and `too_big` becomes the field's message instead.
#[cfg(feature = "hydrate")]
pub fn read_chosen_file(
    ev: &leptos::ev::Event,
    max_bytes: f64,
    error: RwSignal<Option<String>>,
    too_big: &'static str,
    mut on_load: impl FnMut(String, String) + 'static,
) {
    let input: web_sys::HtmlInputElement = event_target(ev);
    let Some(file) = input.files().and_then(|f| f.get(0)) else {
        return;
    };
    if file.size() > max_bytes {
        error.set(Some(too_big.into()));
        return;
    }
    error.set(None);
    let name = file.name();
    read_data_url(&file, move |url| on_load(name.clone(), url));
}

/// A file's size for people: `12 KB`, `1.4 MB`.
pub fn file_size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// A date and time for tables: `2026-11-22 08:30 UTC`.
pub fn when(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}
