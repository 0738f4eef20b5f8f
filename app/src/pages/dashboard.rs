//! The home page: what needs attention in the current issuer and, for the operator, in the instance.

use crate::api::issuer::load_dashboard;
use crate::components::when;
use crate::model::{AuditEntry, IssuerOverview, OperatorOverview};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_dashboard());
    view! {
        <Title text="Dashboard"/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                    Ok(d) => view! {
                        {d.issuer.map(|o| view! { <IssuerDashboard overview=o/> })}
                        {d.operator.map(|o| view! { <OperatorDashboard overview=o/> })}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn IssuerDashboard(overview: IssuerOverview) -> impl IntoView {
    let IssuerOverview { issuer, members, pending_invitations, profile_missing, recent } = overview;
    view! {
        <div class="page-head">
            <h1>{issuer.name.clone()}</h1>
            <span class="badge">{issuer.slug.clone()}</span>
        </div>
        <div class="stats">
            <div class="stat"><div class="value">{members}</div><div class="label">"People in this issuer"</div></div>
            <div class="stat"><div class="value">{pending_invitations}</div><div class="label">"Invitations not yet accepted"</div></div>
        </div>
        {(!profile_missing.is_empty()).then(|| view! {
            <div class="notice warn">
                "The issuer profile is missing: " {profile_missing.join(", ")} ". "
                <a href="/issuer">"Complete the issuer profile"</a>
                " so that clients and visitors see who vouches for them."
            </div>
        })}
        <section class="panel">
            <h2>"Recent activity"</h2>
            <AuditTable entries=recent show_issuer=false/>
        </section>
    }
}

#[component]
fn OperatorDashboard(overview: OperatorOverview) -> impl IntoView {
    view! {
        <div class="page-head">
            <h1>"Instance overview"</h1>
            <a class="button" href="/admin/issuers">"+ Add issuer"</a>
        </div>
        {(!overview.smtp_configured).then(|| view! {
            <div class="notice info">
                "No SMTP server is configured (SIGNET_SMTP_URL), so e-mail is kept in the "
                <a href="/admin/mail">"mail outbox"</a> " for you to read and pass on."
            </div>
        })}
        <div class="stats">
            <div class="stat"><div class="value">{overview.issuers}</div><div class="label">"Issuers"</div></div>
            <div class="stat"><div class="value">{overview.users}</div><div class="label">"Accounts"</div></div>
            <div class="stat"><div class="value">{overview.mail_waiting}</div><div class="label">"E-mails waiting"</div></div>
            <div class="stat"><div class="value">{overview.mail_failed}</div><div class="label">"E-mails failed"</div></div>
        </div>
        <section class="panel">
            <h2>"Recent activity"</h2>
            <AuditTable entries=overview.recent show_issuer=true/>
        </section>
    }
}

#[component]
pub fn AuditTable(entries: Vec<AuditEntry>, show_issuer: bool) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="empty">"Nothing recorded yet."</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Who"</th>
                        {show_issuer.then(|| view! { <th scope="col">"Issuer"</th> })}
                        <th scope="col">"What"</th>
                        <th scope="col">"Target"</th>
                        <th scope="col">"Detail"</th>
                        <th scope="col">"From"</th>
                    </tr>
                </thead>
                <tbody>
                    {entries.into_iter().map(|e| view! {
                        <tr>
                            <td class="small">{when(&e.at)}</td>
                            <td>{e.actor_email}</td>
                            {show_issuer.then(|| view! { <td>{e.issuer.clone().unwrap_or_default()}</td> })}
                            <td><span class="badge">{e.action}</span></td>
                            <td>{e.target}</td>
                            <td class="small">{e.detail}</td>
                            <td class="small mono">{e.ip}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
