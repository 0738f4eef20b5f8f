//! The operator's pages (issuers, the mail outbox) and the audit log.

use crate::api::admin::*;
use crate::components::AuditTable;
use crate::components::{described_by, field_error, last_error, succeeded, when, Field, FieldFrame, FormError, Saved};
use crate::model::{validate, AuditFilter, MailMessage, MailStatus, Viewer};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn IssuersPage() -> impl IntoView {
    let create = ServerAction::<CreateIssuer>::new();
    let issuers = Resource::new(move || create.version().get(), |_| list_issuers());
    let error = last_error(create.value());
    // The slug follows the name until the operator edits it: works once the page is hydrated.
    let slug = RwSignal::new(String::new());
    let slug_touched = RwSignal::new(false);
    let slug_error = RwSignal::new(None::<String>);
    let server_slug_error = field_error(error, "slug");
    let name_error = field_error(error, "name");
    // The slug rule's message while the operator types, else the server's.
    let slug_message = Signal::derive(move || slug_error.get().or_else(|| server_slug_error.get()));
    view! {
        <Title text="Issuers"/>
        <div class="page-head"><h1>"Issuers"</h1></div>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match issuers.await {
                    Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty">"No issuers yet. Create the first one below."</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <section class="panel table-wrap">
                            <table>
                                <thead><tr>
                                    <th scope="col">"Issuer"</th><th scope="col">"Short name"</th>
                                    <th scope="col">"Admins"</th><th scope="col">"People"</th><th scope="col">"Created"</th>
                                </tr></thead>
                                <tbody>
                                {list.into_iter().map(|i| view! {
                                    <tr>
                                        <td><a href=format!("/admin/issuers/{}", i.id)>{i.name}</a></td>
                                        <td class="mono">{i.slug}</td>
                                        <td>{i.admins.join(", ")}</td>
                                        <td>{i.members}</td>
                                        <td class="small">{when(&i.created_at)}</td>
                                    </tr>
                                }).collect_view()}
                                </tbody>
                            </table>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
        <section class="panel">
            <h2>"Add issuer"</h2>
            <p class="muted">"The first admin receives an invitation e-mail to choose a password."</p>
            {move || create.value().get().and_then(|r| r.ok()).map(|i| view! {
                <div class="notice ok" role="status">{format!("Issuer \"{}\" was created and its admin invited.", i.name)}</div>
            })}
            <FormError error/>
            <ActionForm action=create>
                <div class="form-grid">
                    <FieldFrame id="f-name" label="Issuer name" required=true error=name_error>
                        <input id="f-name" name="name" type="text" required
                            aria-describedby=described_by("f-name", false)
                            aria-invalid=move || name_error.get().is_some().to_string()
                            on:input=move |ev| {
                                if !slug_touched.get_untracked() {
                                    slug.set(validate::suggest_slug(&event_target_value(&ev)));
                                }
                            }/>
                    </FieldFrame>
                    <FieldFrame id="f-slug" label="Short name (slug)" required=true error=slug_message
                        hint="Used in public addresses: /v/slug/client.">
                        <input id="f-slug" name="slug" type="text" required prop:value=move || slug.get()
                            aria-describedby=described_by("f-slug", true)
                            aria-invalid=move || (slug_error.get().is_some() || server_slug_error.get().is_some()).to_string()
                            on:input=move |ev| { slug_touched.set(true); slug.set(event_target_value(&ev)); }
                            on:change=move |ev| slug_error.set(validate::slug(&event_target_value(&ev)))/>
                    </FieldFrame>
                    <Field label="Admin's name" name="admin_name" required=true
                        rule=|v| validate::required(v, "admin's name", 200) error=field_error(error, "admin_name")/>
                    <Field label="Admin's e-mail" name="admin_email" kind="email" required=true rule=validate::email
                        error=field_error(error, "admin_email")/>
                </div>
                <div class="actions" style="margin-top:1rem"><button type="submit">"Create issuer"</button></div>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn IssueDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let invite = ServerAction::<OperatorInviteAdmin>::new();
    let unlock = ServerAction::<OperatorUnlock>::new();
    let data =
        Resource::new(move || (id(), invite.version().get(), unlock.version().get()), |(id, _, _)| operator_issuer(id));
    let error = last_error(invite.value());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                    Ok((issuer, members)) => view! {
                        <Title text=issuer.name.clone()/>
                        <div class="page-head"><h1>{issuer.name.clone()}</h1><span class="badge">{issuer.slug.clone()}</span></div>
                        <section class="panel table-wrap">
                            <h2>"People"</h2>
                            <table>
                                <thead><tr><th scope="col">"Name"</th><th scope="col">"E-mail"</th><th scope="col">"Role"</th><th scope="col">"Status"</th><th scope="col"></th></tr></thead>
                                <tbody>
                                {members.into_iter().map(|m| { let issuer_id = issuer.id.clone(); view! {
                                    <tr>
                                        <td>{m.name.clone()}</td>
                                        <td>{m.email.clone()}</td>
                                        <td>{m.role.label()}</td>
                                        <td>{if m.locked { "Locked" } else if m.pending { "Invited" } else { "Active" }}</td>
                                        <td>{m.locked.then(move || view! {
                                            <ActionForm action=unlock>
                                                <input type="hidden" name="issuer_id" value=issuer_id/>
                                                <input type="hidden" name="user_id" value=m.user_id.clone()/>
                                                <button type="submit" class="secondary small">"Unlock"</button>
                                            </ActionForm>
                                        })}</td>
                                    </tr>
                                }}).collect_view()}
                                </tbody>
                            </table>
                        </section>
                        <section class="panel">
                            <h2>"Invite another admin"</h2>
                            <Saved done=succeeded(invite.value()) text="The invitation was sent."/>
                            <FormError error/>
                            <ActionForm action=invite>
                                <input type="hidden" name="issuer_id" value=issuer.id.clone()/>
                                <div class="form-grid">
                                    <Field label="Name" name="name" required=true error=field_error(error, "name")/>
                                    <Field label="E-mail" name="email" kind="email" required=true rule=validate::email
                                        error=field_error(error, "email")/>
                                </div>
                                <div class="actions" style="margin-top:1rem"><button type="submit">"Send invitation"</button></div>
                            </ActionForm>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn MailPage() -> impl IntoView {
    let query = use_query_map();
    let status = move || query.read().get("status").unwrap_or_default();
    let resend = ServerAction::<ResendMail>::new();
    let mail = Resource::new(move || (status(), resend.version().get()), |(s, _)| list_mail(s));
    view! {
        <Title text="Mail outbox"/>
        <div class="page-head"><h1>"Mail outbox"</h1></div>
        <form method="get" class="filters">
            <FieldFrame id="mail-status" label="Status">
                <select id="mail-status" name="status">
                    <option value="">"All"</option>
                    {[MailStatus::Outbox, MailStatus::Queued, MailStatus::Sent, MailStatus::Failed].into_iter().map(|s| {
                        let selected = status() == s.as_str();
                        view! { <option value=s.as_str() selected=selected>{s.as_str()}</option> }
                    }).collect_view()}
                </select>
            </FieldFrame>
            <button type="submit" class="secondary">"Show"</button>
        </form>
        {move || last_error(resend.value()).get().map(|e| view! { <div class="notice bad" role="alert">{e.to_string()}</div> })}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match mail.await {
                    Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                    Ok((smtp, list)) => view! {
                        {(!smtp).then(|| view! {
                            <div class="notice info">"No SMTP server is configured: messages are kept here. Pass links on to their recipients yourself, or set SIGNET_SMTP_URL."</div>
                        })}
                        {list.is_empty().then(|| view! { <p class="empty">"No messages."</p> })}
                        {list.into_iter().map(|m| view! { <MailItem mail=m smtp resend/> }).collect_view()}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MailItem(mail: MailMessage, smtp: bool, resend: ServerAction<ResendMail>) -> impl IntoView {
    let badge = match mail.status {
        MailStatus::Sent => "badge ok",
        MailStatus::Failed => "badge bad",
        MailStatus::Queued | MailStatus::Sending => "badge warn",
        MailStatus::Outbox => "badge",
    };
    let can_resend = smtp && matches!(mail.status, MailStatus::Failed | MailStatus::Outbox);
    view! {
        <article class="panel mail">
            <div class="page-head">
                <div>
                    <strong>{mail.subject.clone()}</strong>
                    <div class="small muted">"To " {mail.to.clone()} " · " {when(&mail.created_at)}
                        {mail.sent_at.map(|t| format!(" · sent {}", when(&t)))}
                        {(mail.attempts > 0).then(|| format!(" · {} attempt(s)", mail.attempts))}
                    </div>
                </div>
                <span class=badge>{mail.status.as_str()}</span>
            </div>
            {mail.last_error.clone().map(|e| view! { <div class="notice bad small">"Last error: " {e}</div> })}
            <pre class="mail-body">{mail.body.clone()}</pre>
            {can_resend.then(|| view! {
                <ActionForm action=resend>
                    <input type="hidden" name="mail_id" value=mail.id.clone()/>
                    <button type="submit" class="secondary">"Send again"</button>
                </ActionForm>
            })}
        </article>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let operator = use_context::<Viewer>().is_some_and(|v| v.operator);
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        AuditFilter {
            actor: get("actor"),
            action: get("action"),
            issuer: get("issuer"),
            from: get("from"),
            to: get("to"),
        }
    };
    let entries = Resource::new(filter, |f| list_audit(f));
    view! {
        <Title text="Audit log"/>
        <div class="page-head">
            <h1>"Audit log"</h1>
            <a class="button secondary" href=move || format!("/_app/audit.csv?{}", filter().to_query()) download="signet-audit.csv">
                "Export CSV"
            </a>
        </div>
        <form method="get" class="filters panel">
            <FieldFrame id="a-actor" label="User">
                <input id="a-actor" name="actor" type="text" value=move || filter().actor/>
            </FieldFrame>
            <FieldFrame id="a-action" label="Action">
                <input id="a-action" name="action" type="text" placeholder="e.g. member" value=move || filter().action/>
            </FieldFrame>
            {operator.then(|| view! {
                <FieldFrame id="a-issuer" label="Issuer (short name)">
                    <input id="a-issuer" name="issuer" type="text" value=move || filter().issuer/>
                </FieldFrame>
            })}
            <FieldFrame id="a-from" label="From">
                <input id="a-from" name="from" type="date" value=move || filter().from/>
            </FieldFrame>
            <FieldFrame id="a-to" label="To">
                <input id="a-to" name="to" type="date" value=move || filter().to/>
            </FieldFrame>
            <button type="submit">"Filter"</button>
        </form>
        <section class="panel">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                        Ok(list) => view! { <AuditTable entries=list show_issuer=operator/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
