//! "Sending e-mails" on a seal certificate's page: the parts to send on the left, the e-mail as the client will
//! get it on the right, and every e-mail sent about the certificate below.

use crate::api::clients::client_files;
use crate::api::seals::{preview_seal_mail, seal_mail_history, SendSealMail};
use crate::components::{field_error, file_size, last_error, succeeded, when, FieldFrame, FormError, Saved};
use crate::model::{SealMailInput, SealMailParts, SentMail, TemplateKind};
use leptos::prelude::*;

/// A tick box of one part of the e-mail.
#[component]
fn Part(label: &'static str, ticked: RwSignal<bool>) -> impl IntoView {
    view! {
        <label class="check">
            <input type="checkbox" prop:checked=move || ticked.get() on:change=move |ev| ticked.set(event_target_checked(&ev))/>
            " " {label}
        </label>
    }
}

#[component]
pub fn SealMailPanel(
    seal_id: String,
    /// The seal's client, whose own files can go with the e-mail.
    client_id: String,
    /// Why the follow-up e-mail is offered (the certificate was extended or edited, such as an irregular
    /// renewal, on this page), or None.
    followup: Signal<Option<&'static str>>,
) -> impl IntoView {
    let kind = RwSignal::new(TemplateKind::CertificateEmail);
    Effect::new(move |_| {
        if followup.get().is_some() {
            kind.set(TemplateKind::FollowupEmail);
        }
    });
    let recipients = RwSignal::new(String::new());
    let message = RwSignal::new(String::new());
    let defaults = SealMailParts::default();
    let include_message = RwSignal::new(defaults.include_message);
    let instructions = RwSignal::new(defaults.instructions);
    let seal_code = RwSignal::new(defaults.seal_code);
    let qr_code = RwSignal::new(defaults.qr_code);
    let pdf = RwSignal::new(defaults.pdf);
    let files = RwSignal::new(Vec::<String>::new());
    // Loaded in the browser only (LocalResource): the panel is interactive, and the preview (a PDF is made
    // for it) is not worth making for every server-rendered page.
    let client_id = StoredValue::new(client_id);
    let own_files = LocalResource::new(move || client_files(client_id.get_value()));
    let input = move || SealMailInput {
        kind: kind.get(),
        recipients: recipients.get(),
        parts: SealMailParts {
            message: message.get(),
            include_message: include_message.get(),
            instructions: instructions.get(),
            seal_code: seal_code.get(),
            qr_code: qr_code.get(),
            pdf: pdf.get(),
            files: files.get(),
        },
    };
    let id = StoredValue::new(seal_id.clone());
    let preview = LocalResource::new(move || preview_seal_mail(id.get_value(), input()));
    let send = ServerAction::<SendSealMail>::new();
    let history = LocalResource::new(move || {
        send.version().track();
        seal_mail_history(id.get_value())
    });
    let error = last_error(send.value());
    let sent = succeeded(send.value());
    let pdf_href = format!("/_app/seals/{seal_id}/certificate.pdf");
    view! {
        <section class="panel" aria-labelledby="mail-h">
            <h2 id="mail-h">"Send e-mail to the client"</h2>
            {move || followup.get().map(|why| view! {
                <div class="notice ok" role="status">{format!("{why}: send the client the follow-up e-mail with the updated printable certificate and QR code.")}</div>
            })}
            <FormError error/>
            <Saved done=sent text="The e-mail was queued: its delivery shows in the list below."/>
            <div class="two-col">
                <div>
                    <FieldFrame id="mail-kind" label="E-mail">
                        <select id="mail-kind" prop:value=move || kind.get().as_str() on:change=move |ev| {
                            if let Some(k) = TemplateKind::parse(&event_target_value(&ev)) { kind.set(k) }
                        }>
                            {[TemplateKind::CertificateEmail, TemplateKind::FollowupEmail].into_iter().map(|k| view! {
                                <option value=k.as_str() selected=move || kind.get() == k>{k.label()}</option>
                            }).collect_view()}
                        </select>
                    </FieldFrame>
                    <FieldFrame id="mail-to" label="Recipients" hint="Separated by commas; empty sends to the client's contact address." error=field_error(error, "recipients")>
                        <input id="mail-to" type="text" prop:value=move || recipients.get()
                            on:change=move |ev| recipients.set(event_target_value(&ev))/>
                    </FieldFrame>
                    <FieldFrame id="mail-message" label="Personal message">
                        <textarea id="mail-message" rows="3" prop:value=move || message.get()
                            on:change=move |ev| message.set(event_target_value(&ev))></textarea>
                    </FieldFrame>
                    <fieldset class="parts">
                        <legend>"Parts"</legend>
                        <Part label="The personal message" ticked=include_message/>
                        <Part label="Installation instructions" ticked=instructions/>
                        <Part label="Seal code" ticked=seal_code/>
                        <Part label="QR code (PNG)" ticked=qr_code/>
                        <Part label="Printable certificate (PDF)" ticked=pdf/>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                own_files.await.map(|list| list.into_iter().map(|f| {
                                    let (on, off) = (f.id.clone(), f.id.clone());
                                    view! {
                                        <label class="check">
                                            <input type="checkbox" prop:checked=move || files.with(|t| t.contains(&on)) on:change=move |ev| {
                                                let ticked = event_target_checked(&ev);
                                                files.update(|t| { t.retain(|x| *x != off); if ticked { t.push(off.clone()) } });
                                            }/>
                                            " " {format!("File: {}", f.filename)}
                                        </label>
                                    }
                                }).collect_view()).ok()
                            })}
                        </Suspense>
                    </fieldset>
                    <div class="actions">
                        <button type="button" disabled=move || send.pending().get()
                            on:click=move |_| { send.dispatch(SendSealMail { id: id.get_value(), mail: input() }); }>
                            "Send"
                        </button>
                        <a class="button secondary" href=pdf_href target="_blank" rel="noopener">"Open the printable certificate"</a>
                    </div>
                </div>
                <div>
                    <Suspense fallback=|| view! { <p>"Writing the preview…"</p> }>
                        {move || Suspend::new(async move {
                            match preview.await {
                                Err(e) => view! { <div class="notice bad">{e.for_field("recipients").unwrap_or_else(|| e.to_string())}</div> }.into_any(),
                                Ok(p) => view! {
                                    <p class="small muted">{format!("To {} · {}", p.recipients.join(", "), p.template)}</p>
                                    <p><strong>{p.rendered.subject.clone()}</strong></p>
                                    <iframe class="mail-preview" sandbox="" title="The e-mail as the client will see it" srcdoc=p.rendered.html.clone()></iframe>
                                    <ul class="small">
                                        {p.attachments.into_iter().map(|a| view! { <li>{format!("{} ({})", a.filename, file_size(a.size))}</li> }).collect_view()}
                                    </ul>
                                    <details><summary>"Plain-text version"</summary><pre class="mail-text">{p.rendered.text}</pre></details>
                                }.into_any(),
                            }
                        })}
                    </Suspense>
                </div>
            </div>
            <h3>"Sent e-mails"</h3>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move { history.await.map(|list| view! { <SentMailTable list/> }).ok() })}
            </Suspense>
        </section>
    }
}

/// What was sent, when, to whom, and whether the SMTP server took it.
#[component]
pub fn SentMailTable(list: Vec<SentMail>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">"No e-mail has been sent about this yet."</p> }.into_any();
    }
    view! {
        <div class="table-wrap"><table>
            <thead><tr><th scope="col">"Queued"</th><th scope="col">"To"</th><th scope="col">"E-mail"</th><th scope="col">"Attachments"</th><th scope="col">"Delivered to the SMTP server"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|m| {
                    let kind = TemplateKind::parse(&m.kind).map(|k| k.label()).unwrap_or("E-mail");
                    let status = match (&m.sent_at, m.status.as_str()) {
                        (Some(at), _) => when(at),
                        (None, "failed") => format!("Failed: {}", m.last_error.clone().unwrap_or_default()),
                        (None, "outbox") => "Kept in the outbox (no SMTP server)".to_string(),
                        (None, _) => "Waiting".to_string(),
                    };
                    view! {
                        <tr>
                            <td class="small nowrap">{when(&m.created_at)}</td>
                            <td>{m.to}</td>
                            <td>{kind}<br/><span class="small muted">{m.subject}</span><br/><span class="small muted">{m.template}</span></td>
                            <td class="small">{m.attachments.join(", ")}</td>
                            <td class="small">{status}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }.into_any()
}
