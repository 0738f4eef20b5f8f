//! Newsletter (issuer staff): every newsletter sent, with who received it; writing one to all clients or one
//! industry, with the recipient count, a preview and a test to oneself before it goes out.

use crate::api::newsletters::*;
use crate::components::{field_error, last_error, when, AfterHydration, FieldFrame, FormError};
use crate::model::{NewsletterDraft, NewsletterSummary, RecipientStatus};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

#[component]
pub fn NewslettersPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| list_newsletters());
    view! {
        <Title text="Newsletter"/>
        <div class="page-head">
            <h1>"Newsletter"</h1>
            <a class="button" href="/newsletters/new">"Write a newsletter"</a>
        </div>
        <p class="muted">"Newsletters go to all your clients or to one industry, in the newsletter layout (see Templates). Clients that unsubscribed are skipped."</p>
        <section class="panel" aria-labelledby="sent-h">
            <h2 id="sent-h">"Sent newsletters"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No newsletter has been sent yet."</p> }.into_any(),
                        Ok(list) => view! { <NewsletterTable list/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn NewsletterTable(list: Vec<NewsletterSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap"><table>
            <thead><tr>
                <th scope="col">"Sent"</th><th scope="col">"Subject"</th><th scope="col">"Audience"</th><th scope="col">"Author"</th>
                <th scope="col">"Recipients"</th><th scope="col">"Delivered"</th><th scope="col">"Failed"</th><th scope="col">"Unsubscribed, skipped"</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|n| view! {
                    <tr>
                        <td class="small nowrap">{when(&n.created_at)}</td>
                        <td><a href=format!("/newsletters/{}", n.id)>{n.subject.clone()}</a></td>
                        <td>{n.audience()}</td>
                        <td class="small">{n.author.clone()}</td>
                        <td>{n.recipients}</td>
                        <td>{n.sent}</td>
                        <td>{n.failed}</td>
                        <td>{n.skipped}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

#[component]
pub fn NewsletterPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = Resource::new(id, get_newsletter);
    view! {
        <Title text="Newsletter"/>
        <p><a href="/newsletters">"← Newsletters"</a></p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                    Ok(d) => {
                        let s = d.summary.clone();
                        let listed = d.recipients.len();
                        view! {
                            <h1>{s.subject.clone()}</h1>
                            <section class="panel">
                                <table class="facts"><tbody>
                                    <tr><th scope="row">"Audience"</th><td>{s.audience()}</td></tr>
                                    <tr><th scope="row">"Sent by"</th><td>{s.author.clone()}</td></tr>
                                    <tr><th scope="row">"Queued"</th><td>{when(&s.created_at)}</td></tr>
                                    <tr><th scope="row">"Layout"</th><td>{d.template.clone()}</td></tr>
                                    <tr><th scope="row">"Recipients"</th><td>{format!("{} · {} delivered to the SMTP server · {} failed · {} unsubscribed, skipped", s.recipients, s.sent, s.failed, s.skipped)}</td></tr>
                                </tbody></table>
                                <h2>"Text"</h2>
                                <pre class="mail-text">{d.body.clone()}</pre>
                            </section>
                            <section class="panel" aria-labelledby="rcpt-h">
                                <h2 id="rcpt-h">"Recipients"</h2>
                                {(listed < s.recipients + s.skipped).then(|| view! {
                                    <p class="muted small">{format!("The first {listed} by name.")}</p>
                                })}
                                <div class="table-wrap"><table>
                                    <thead><tr><th scope="col">"Client"</th><th scope="col">"E-mail"</th><th scope="col">"Status"</th><th scope="col">"Delivered"</th></tr></thead>
                                    <tbody>
                                        {d.recipients.into_iter().map(|r| {
                                            let bad = matches!(r.status, RecipientStatus::Mail(crate::model::MailStatus::Failed));
                                            let status = match (&r.last_error, bad) {
                                                (Some(e), true) => format!("{}: {e}", r.status.label()),
                                                _ => r.status.label().to_string(),
                                            };
                                            view! {
                                                <tr>
                                                    <td><a href=format!("/clients/{}", r.client_id)>{r.client}</a></td>
                                                    <td>{r.email}</td>
                                                    <td class="small" class:bad=bad>{status}</td>
                                                    <td class="small nowrap">{r.sent_at.as_ref().map(when).unwrap_or_default()}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table></div>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn NewNewsletterPage() -> impl IntoView {
    view! {
        <Title text="Write a newsletter"/>
        <p><a href="/newsletters">"← Newsletters"</a></p>
        <h1>"Write a newsletter"</h1>
        <AfterHydration>
            <NewsletterForm/>
        </AfterHydration>
    }
}

/// The form, the count and the preview; mounted in the browser (everything on it is interactive).
#[component]
fn NewsletterForm() -> impl IntoView {
    let subject = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let industry = RwSignal::new(String::new());
    let draft = move || NewsletterDraft { subject: subject.get(), body: body.get(), industry: industry.get() };
    let choices = LocalResource::new(newsletter_choices);
    let audience = LocalResource::new(move || count_newsletter_audience(industry.get()));
    // The preview follows what was written when the person asks for it, not every key stroke.
    let shown = RwSignal::new(None::<NewsletterDraft>);
    let preview = LocalResource::new(move || {
        let wanted = shown.get();
        async move {
            match wanted {
                Some(d) => preview_newsletter(d).await.map(Some),
                None => Ok(None),
            }
        }
    });
    let test = ServerAction::<SendTestNewsletter>::new();
    let send = ServerAction::<SendNewsletter>::new();
    let confirming = RwSignal::new(false);
    let (send_error, test_error) = (last_error(send.value()), last_error(test.value()));
    let error = Signal::derive(move || send_error.get().or_else(|| test_error.get()));
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = send.value().get() {
            navigate(&format!("/newsletters/{id}"), Default::default());
        }
    });
    let count_text = move || match audience.get() {
        Some(Ok(a)) => {
            let mut text = format!("{} recipients", a.recipients);
            if a.unsubscribed > 0 {
                text.push_str(&format!(" · {} unsubscribed (skipped)", a.unsubscribed));
            }
            if a.without_email > 0 {
                text.push_str(&format!(" · {} without an e-mail address", a.without_email));
            }
            text
        }
        Some(Err(e)) => e.to_string(),
        None => "Counting…".to_string(),
    };
    let recipients = move || audience.get().and_then(Result::ok).map_or(0, |a| a.recipients);
    view! {
        <section class="panel">
            <FormError error/>
            {move || test.value().get().and_then(Result::ok).map(|to| view! {
                <div class="notice ok" role="status">{format!("A test was queued to {to}.")}</div>
            })}
            <div class="two-col">
                <div>
                    <FieldFrame id="nl-subject" label="Subject" required=true error=field_error(error, "subject")>
                        <input id="nl-subject" type="text" required prop:value=move || subject.get()
                            on:input=move |ev| subject.set(event_target_value(&ev))/>
                    </FieldFrame>
                    <FieldFrame id="nl-industry" label="Audience" error=field_error(error, "industry")>
                        <select id="nl-industry" on:change=move |ev| { industry.set(event_target_value(&ev)); confirming.set(false); }>
                            <option value="" selected=move || industry.get().is_empty()>"All clients"</option>
                            {move || choices.get().and_then(Result::ok).map(|c| c.industries.iter().map(|i| {
                                let (value, label) = (i.clone(), format!("Industry: {i}"));
                                let mine = i.clone();
                                view! { <option value=value selected=move || industry.get() == mine>{label}</option> }
                            }).collect_view())}
                        </select>
                    </FieldFrame>
                    <p class="small" id="nl-count" role="status">{count_text}</p>
                    <FieldFrame id="nl-body" label="Text" required=true error=field_error(error, "body")
                        hint="Plain text; a blank line starts a new paragraph. The layout adds the greeting, your signature and the unsubscribe link.">
                        <textarea id="nl-body" rows="12" prop:value=move || body.get()
                            on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                    </FieldFrame>
                    <div class="actions">
                        <button type="button" class="secondary" on:click=move |_| shown.set(Some(draft()))>"Preview"</button>
                        <button type="button" class="secondary" disabled=move || test.pending().get()
                            on:click=move |_| { test.dispatch(SendTestNewsletter { draft: draft() }); }>"Send a test to me"</button>
                        {move || (!confirming.get()).then(|| view! {
                            <button type="button" on:click=move |_| { send.clear(); confirming.set(true); }>"Send…"</button>
                        })}
                    </div>
                    {move || confirming.get().then(|| view! {
                        <div class="notice" role="alertdialog" aria-labelledby="nl-confirm">
                            <p id="nl-confirm">{format!("Send “{}” to {} recipients now? This cannot be undone.", subject.get(), recipients())}</p>
                            <div class="actions">
                                <button type="button" disabled=move || send.pending().get()
                                    on:click=move |_| { send.dispatch(SendNewsletter { draft: draft() }); confirming.set(false); }>
                                    {format!("Send to {} recipients", recipients())}
                                </button>
                                <button type="button" class="secondary" on:click=move |_| confirming.set(false)>"Cancel"</button>
                            </div>
                        </div>
                    })}
                    {move || choices.get().and_then(Result::ok).map(|c| {
                        let how = if c.smtp { format!("Copies go out at {} a minute (the operator's setting).", c.rate_per_minute) }
                            else { "No SMTP server is configured: copies stay in the operator's outbox.".to_string() };
                        view! { <p class="muted small">{how}</p> }
                    })}
                </div>
                <div>
                    <Suspense fallback=|| view! { <p>"Writing the preview…"</p> }>
                        {move || Suspend::new(async move {
                            match preview.await {
                                Ok(None) => view! { <p class="muted">"Press Preview to see the newsletter as the first recipient will get it."</p> }.into_any(),
                                Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                                Ok(Some(p)) => view! {
                                    <p><strong>{p.subject.clone()}</strong></p>
                                    <iframe class="mail-preview" sandbox="" title="The newsletter as a client will see it" srcdoc=p.html.clone()></iframe>
                                    <details><summary>"Plain-text version"</summary><pre class="mail-text">{p.text}</pre></details>
                                }.into_any(),
                            }
                        })}
                    </Suspense>
                </div>
            </div>
        </section>
    }
}

/// On the issuer profile (admins): the industries clients are filed under, one per line.
#[component]
pub fn IndustriesEditor() -> impl IntoView {
    let set = ServerAction::<SetIssuerIndustries>::new();
    let current = LocalResource::new(issuer_industries);
    let text = RwSignal::new(String::new());
    let error = last_error(set.value());
    view! {
        <section class="panel" aria-labelledby="industries-h">
            <h2 id="industries-h">"Industries"</h2>
            <p class="muted">"A newsletter can go to all clients or to one industry. With a list here, a client's industry is one of these; leave it empty to let people type any."</p>
            <FormError error/>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    current.await.map(|list| {
                        text.set(list.join("\n"));
                        view! {
                            <FieldFrame id="industries" label="Industries, one per line" error=field_error(error, "industries")>
                                <textarea id="industries" rows="6" prop:value=move || text.get()
                                    on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                            </FieldFrame>
                            <div class="actions">
                                <button type="button" disabled=move || set.pending().get()
                                    on:click=move |_| { set.dispatch(SetIssuerIndustries { industries: text.get() }); }>"Save industries"</button>
                            </div>
                        }
                    }).ok()
                })}
            </Suspense>
            <crate::components::Saved done=crate::components::succeeded(set.value()) text="Industries saved."/>
        </section>
    }
}

/// The choices for a client's industry field (`list="client-industries"`), loaded in the browser.
#[component]
pub fn IndustryOptions() -> impl IntoView {
    let list = LocalResource::new(issuer_industries);
    view! {
        <datalist id="client-industries">
            {move || list.get().and_then(Result::ok).map(|l| l.iter().map(|i| view! {
                <option value=i.clone()></option>
            }).collect_view())}
        </datalist>
    }
}

/// On a client's page: whether it receives newsletters.
#[component]
pub fn ClientNewsletters(client_id: String) -> impl IntoView {
    let id = StoredValue::new(client_id);
    let since = LocalResource::new(move || client_unsubscribed(id.get_value()));
    view! {
        {move || since.get().and_then(Result::ok).map(|s| match s {
            Some(at) => view! { <p class="notice" id="client-newsletters">{format!("Unsubscribed from newsletters on {} (by the link in a newsletter). Newsletters skip this client.", when(&at))}</p> }.into_any(),
            None => view! { <p class="muted small" id="client-newsletters">"Receives newsletters."</p> }.into_any(),
        })}
    }
}
