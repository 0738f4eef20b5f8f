//! The home page: what needs attention in the current issuer and, for the operator, in the instance.

use crate::api::issuer::load_dashboard;
use crate::components::{AuditTable, StateBadge};
use crate::model::{ExpiryEntry, IssuerOverview, OperatorOverview, SealOverview};
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
                        {use_context::<crate::model::Viewer>().is_some_and(|v| v.is_customer()).then(|| view! {
                            <h1>"Your certificates"</h1>
                            <section class="panel">
                                <p>"Order TLS certificates for your organisation, follow their validation and download them."</p>
                                <p class="actions"><a class="button" href="/orders/new">"+ New order"</a> " " <a href="/orders">"Your orders"</a></p>
                            </section>
                        })}
                        {d.issuer.map(|o| view! { <IssuerDashboard overview=o seals=d.seals.clone()/> })}
                        {d.operator.map(|o| view! { <OperatorDashboard overview=o/> })}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn IssuerDashboard(overview: IssuerOverview, seals: Option<SealOverview>) -> impl IntoView {
    let IssuerOverview { issuer, members, pending_invitations, profile_missing, recent } = overview;
    view! {
        <div class="page-head">
            <h1>{issuer.name.clone()}</h1>
            <span class="badge">{issuer.slug.clone()}</span>
            <span class="spacer"></span>
            <a class="button" href="/clients/new">"+ Add client"</a>
        </div>
        {seals.map(|o| view! { <SealDashboard overview=o/> })}
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
    .into_any()
}

/// Issuance over time (left) and the clients whose certificates expire soon or have just expired (right), as
/// on the SafeSigned dashboard.
#[component]
fn SealDashboard(overview: SealOverview) -> impl IntoView {
    let SealOverview { issued_per_month, expiring_soon, expiring_count, recently_expired, clients, valid_seals } =
        overview;
    view! {
        <div class="stats">
            <div class="stat"><div class="value">{clients}</div><div class="label">"Clients"</div></div>
            <div class="stat"><div class="value">{valid_seals}</div><div class="label">"Valid certificates"</div></div>
            <div class="stat"><div class="value">{expiring_count}</div><div class="label">"Expiring in 30 days"</div></div>
        </div>
        <div class="two-col">
            <section class="panel">
                <h2>"Certificates issued per month"</h2>
                <IssuedChart months=issued_per_month/>
            </section>
            <div>
                <section class="panel">
                    <h2>"Expiring in the next 30 days"</h2>
                    <ExpiryList entries=expiring_soon empty="No certificate expires in the next 30 days."/>
                </section>
                <section class="panel">
                    <h2>"Expired in the last 30 days"</h2>
                    <ExpiryList entries=recently_expired empty="No certificate expired in the last 30 days."/>
                </section>
            </div>
        </div>
    }
    .into_any()
}

/// A bar chart drawn as SVG: twelve bars need no chart library, and it renders on the server.
#[component]
fn IssuedChart(months: Vec<(String, usize)>) -> impl IntoView {
    let max = months.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let (w, h, bar) = (360.0_f64, 160.0_f64, 30.0_f64);
    let total: usize = months.iter().map(|(_, n)| n).sum();
    let summary = months.iter().map(|(m, n)| format!("{m}: {n}")).collect::<Vec<_>>().join(", ");
    view! {
        <svg class="chart" viewBox=format!("0 0 {w} {}", h + 34.0) role="img"
            aria-label=format!("Certificates issued per month, {total} in the last 12 months. {summary}")>
            {months.into_iter().enumerate().map(|(i, (month, n))| {
                let height = (n as f64 / max as f64) * h;
                let x = i as f64 * bar;
                let label = month.get(5..7).unwrap_or("").to_string();
                view! {
                    <g>
                        <title>{format!("{month}: {n}")}</title>
                        <rect x=x + 4.0 y=h - height width=bar - 8.0 height=height.max(1.0) rx="2" class="bar"/>
                        {(n > 0).then(|| view! { <text x=x + bar / 2.0 y=(h - height - 4.0).max(10.0) text-anchor="middle" class="count">{n}</text> })}
                        <text x=x + bar / 2.0 y=h + 16.0 text-anchor="middle" class="axis">{label}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}

#[component]
fn ExpiryList(entries: Vec<ExpiryEntry>, empty: &'static str) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="empty">{empty}</p> }.into_any();
    }
    view! {
        <ul class="plain expiry">
            {entries.into_iter().map(|e| view! {
                <li>
                    <a href=format!("/clients/{}", e.client_id)>{e.client_name}</a>
                    " " <span class="muted small">{e.type_name}</span>
                    " " <a class="small" href=format!("/seals/{}", e.seal_id)>{e.valid_to.format("%d.%m.%Y").to_string()}</a>
                    " " <StateBadge state=e.state/>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
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
