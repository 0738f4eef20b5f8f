//! "Templates": the operator edits the documents and e-mails issuers send (the default for every issuer, or one
//! issuer's own), with the variables listed beside the editor and a preview on sample data; issuer staff read
//! the versions their issuer uses, as SafeSigned shows them.

use crate::api::admin::list_issuers;
use crate::api::templates::*;
use crate::components::{field_error, last_error, succeeded, when, FieldFrame, FormError, Saved};
use crate::model::{Rendered, TemplateKind, TemplateSource, TemplateVariable, TemplateView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn kind_of(query: &leptos_router::params::ParamsMap) -> TemplateKind {
    query.get("kind").and_then(|k| TemplateKind::parse(&k)).unwrap_or(TemplateKind::CertificateEmail)
}

/// One link per kind, keeping the rest of the query.
#[component]
fn KindTabs(current: TemplateKind, base: String) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label="Template">
            {TemplateKind::ALL.into_iter().map(|k| {
                let href = format!("{base}kind={}", k.as_str());
                view! { <a href=href aria-current=(k == current).then_some("page")>{k.label()}</a> }
            }).collect_view()}
        </nav>
    }
}

#[component]
fn Variables(list: Vec<TemplateVariable>) -> impl IntoView {
    view! {
        <h3>"Variables"</h3>
        <p class="small muted">"Write " <code>"{{ name }}"</code> "; lists go through " <code>"{% for %}"</code> " or " <code>"join"</code> ". In the HTML part every value is escaped."</p>
        <dl class="variables small">
            {list.into_iter().map(|v| view! { <dt class="mono">{v.name}</dt><dd>{v.description}</dd> }).collect_view()}
        </dl>
    }
}

/// A rendering: the subject, then the HTML (in a sandboxed frame) or, for the PDF, its lines.
#[component]
fn Preview(kind: TemplateKind, rendered: Rendered) -> impl IntoView {
    view! {
        <p><strong>{rendered.subject.clone()}</strong></p>
        {if kind.has_html() {
            view! {
                <iframe class="mail-preview" sandbox="" title="Preview on sample data" srcdoc=rendered.html.clone()></iframe>
                <details><summary>"Plain-text version"</summary><pre class="mail-text">{rendered.text.clone()}</pre></details>
            }.into_any()
        } else {
            view! { <pre class="mail-text">{rendered.text.clone()}</pre> }.into_any()
        }}
    }
}

fn describe(view: &TemplateView) -> String {
    match view.version {
        0 => "In use: the built-in version.".to_string(),
        v => format!("In use: version {v}, {}.", view.owner.label()),
    }
}

/// Issuer staff: the templates their issuer uses, read-only, with the preview.
#[component]
pub fn TemplatesPage() -> impl IntoView {
    let query = use_query_map();
    let kind = move || kind_of(&query.read());
    let template = Resource::new(kind, issuer_template);
    view! {
        <Title text="Templates"/>
        <h1>"Templates"</h1>
        <p class="muted">"What your clients receive from you. The operator edits these; ask them for changes."</p>
        {move || view! { <KindTabs current=kind() base="/templates?".to_string()/> }}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match template.await {
                    Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                    Ok(t) => view! {
                        <div class="two-col">
                            <section class="panel">
                                <h2>{t.kind.label()}</h2>
                                <p class="muted">{t.kind.description()}</p>
                                <p class="small">{describe(&t)}</p>
                                <Preview kind=t.kind rendered=t.preview.clone()/>
                            </section>
                            <section class="panel">
                                <Variables list=t.variables.clone()/>
                                <details><summary>"Template text"</summary><pre class="mail-text">{t.source.text.clone()}</pre></details>
                            </section>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The operator: pick an owner (the default, or an issuer) and a kind, edit, preview, save.
#[component]
pub fn TemplateEditorPage() -> impl IntoView {
    let query = use_query_map();
    let kind = move || kind_of(&query.read());
    let issuer = move || query.read().get("issuer").unwrap_or_default();
    let issuers = Resource::new(|| (), |_| list_issuers());
    let save = ServerAction::<SaveTemplate>::new();
    let template = Resource::new(move || (kind(), issuer(), save.version().get()), |(k, i, _)| operator_template(k, i));
    view! {
        <Title text="Templates"/>
        <h1>"Templates"</h1>
        <form method="get" class="filters panel">
            <input type="hidden" name="kind" value=move || kind().as_str()/>
            <FieldFrame id="t-issuer" label="Whose templates">
                <select id="t-issuer" name="issuer">
                    <option value="">"Default for all issuers"</option>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            issuers.await.map(|list| list.into_iter().map(|i| {
                                let id = i.id.clone();
                                view! { <option value=i.id.clone() selected=move || issuer() == id>{i.name}</option> }
                            }).collect_view()).ok()
                        })}
                    </Suspense>
                </select>
            </FieldFrame>
            <button type="submit">"Show"</button>
        </form>
        {move || view! { <KindTabs current=kind() base=format!("/admin/templates?issuer={}&", issuer())/> }}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match template.await {
                    Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                    Ok(t) => view! { <Editor template=t issuer=issuer() save/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Editor(template: TemplateView, issuer: String, save: ServerAction<SaveTemplate>) -> impl IntoView {
    let view = template;
    let kind = view.kind;
    let subject_label = if kind.has_html() { "Subject" } else { "Title" };
    let text_label = if kind.has_html() { "Plain text" } else { "Text" };
    let subject = RwSignal::new(view.source.subject.clone());
    let html = RwSignal::new(view.source.html.clone());
    let text = RwSignal::new(view.source.text.clone());
    let source = move || TemplateSource { subject: subject.get(), html: html.get(), text: text.get() };
    let preview = ServerAction::<PreviewTemplate>::new();
    let load = ServerAction::<LoadTemplateVersion>::new();
    Effect::new(move |_| {
        if let Some(Ok(old)) = load.value().get() {
            subject.set(old.subject);
            html.set(old.html);
            text.set(old.text);
        }
    });
    let error = Signal::derive(move || last_error(save.value()).get().or_else(|| last_error(preview.value()).get()));
    let saved_preview = view.preview.clone();
    let shown = Signal::derive(move || match preview.value().get() {
        Some(Ok(rendered)) => rendered,
        _ => saved_preview.clone(),
    });
    let issuer = StoredValue::new(issuer);
    view! {
        <div class="two-col">
            <section class="panel">
                <h2>{kind.label()}</h2>
                <p class="muted">{kind.description()}</p>
                <p class="small">{describe(&view)}</p>
                <FormError error/>
                <Saved done=succeeded(save.value()) text="Saved as a new version."/>
                <FieldFrame id="t-subject" label=subject_label error=field_error(error, "subject")>
                    <input id="t-subject" type="text" prop:value=move || subject.get() on:change=move |ev| subject.set(event_target_value(&ev))/>
                </FieldFrame>
                {kind.has_html().then(|| view! {
                    <FieldFrame id="t-html" label="HTML" error=field_error(error, "html")>
                        <textarea id="t-html" class="mono" rows="16" prop:value=move || html.get() on:change=move |ev| html.set(event_target_value(&ev))></textarea>
                    </FieldFrame>
                })}
                <FieldFrame id="t-text" label=text_label error=field_error(error, "text")>
                    <textarea id="t-text" class="mono" rows="12" prop:value=move || text.get() on:change=move |ev| text.set(event_target_value(&ev))></textarea>
                </FieldFrame>
                <div class="actions">
                    <button type="button" class="secondary" on:click=move |_| { preview.dispatch(PreviewTemplate { kind, source: source() }); }>"Preview"</button>
                    <button type="button" disabled=move || save.pending().get()
                        on:click=move |_| { save.dispatch(SaveTemplate { kind, issuer_id: issuer.get_value(), source: source() }); }>"Save"</button>
                </div>
                <h3>"Preview on sample data"</h3>
                {move || view! { <Preview kind rendered=shown.get()/> }}
            </section>
            <section class="panel">
                <Variables list=view.variables.clone()/>
                <h3>"Versions"</h3>
                {if view.versions.is_empty() {
                    view! { <p class="muted small">"None saved yet: the built-in or default version is in use."</p> }.into_any()
                } else {
                    view! {
                        <ul class="small">
                            {view.versions.clone().into_iter().map(|v| {
                                let number = v.version;
                                view! { <li>{format!("Version {number} · {} · {} ", when(&v.created_at), v.author_email)}
                                    <button type="button" class="link" on:click=move |_| {
                                        load.dispatch(LoadTemplateVersion { kind, issuer_id: issuer.get_value(), version: number });
                                    }>"Load into the editor"</button></li> }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        </div>
    }
}
