//! TLS orders: the list and approval queue, the order wizard (CERTInext's steps), the status page with its
//! progress tracker, the read-only tracking page and the page behind an e-mailed validation link.

use crate::api::orders::*;
use crate::components::{last_error, when, CertificateDownloads, FieldFrame, FormError, KeyMaker, Pager, Pkcs12Export};
use crate::error::AppError;
use crate::keygen::Subject;
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

mod links;
mod status;
mod wizard;
pub use links::{CsrInvitePage, EmailDcvPage};
pub use status::{OrderPage, TrackPage};
pub use wizard::NewOrderPage;

fn status_badge(status: OrderStatus) -> impl IntoView {
    let class = match status {
        OrderStatus::Issued => "badge good",
        OrderStatus::Rejected | OrderStatus::Cancelled => "badge bad",
        OrderStatus::PendingApproval => "badge warn",
        _ => "badge",
    };
    view! { <span class=class>{status.label()}</span> }
}

#[component]
pub fn OrdersPage() -> impl IntoView {
    let query = use_query_map();
    let status = move || query.with(|q| q.get("status").and_then(|s| OrderStatus::parse(&s)));
    let page = move || query.with(|q| q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1usize));
    let data = Resource::new(move || (status(), page()), |(s, p)| list_orders(s, p));
    view! {
        <Title text="Orders"/>
        <h1>"TLS and S/MIME orders"</h1>
        <p class="actions"><a class="button" href="/orders/new">"+ New order"</a></p>
        <form method="get" class="filters">
            <label for="f-status">"Status"</label>
            <select id="f-status" name="status">
                <option value="">"Any"</option>
                {OrderStatus::ALL.into_iter().map(|s| {
                    view! { <option value=s.as_str() selected=move || status() == Some(s)>{s.label()}</option> }
                }).collect_view()}
            </select>
            <button type="submit">"Filter"</button>
        </form>
        <OrderList data base=Signal::derive(move || match status() {
            Some(s) => format!("/orders?status={}", s.as_str()),
            None => "/orders".to_string(),
        })/>
    }
}

/// The approvers' queue: orders waiting in "Pending approval".
#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let query = use_query_map();
    let page = move || query.with(|q| q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1usize));
    let data = Resource::new(page, |p| list_orders(Some(OrderStatus::PendingApproval), p));
    view! {
        <Title text="Approvals"/>
        <h1>"Orders waiting for approval"</h1>
        <OrderList data base=Signal::derive(|| "/orders/approvals".to_string())/>
    }
}

#[component]
fn OrderList(data: Resource<Result<Page<OrderSummary>, AppError>>, base: Signal<String>) -> impl IntoView {
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! { <section class="panel"><p class="empty">"No orders here."</p></section> }.into_any(),
                    Ok(p) => {
                        let pages = p.pages();
                        view! {
                            <section class="panel"><div class="table-wrap"><table>
                                <thead><tr>
                                    <th scope="col">"Order"</th><th scope="col">"Status"</th><th scope="col">"Organisation"</th>
                                    <th scope="col">"Product"</th><th scope="col">"Names"</th><th scope="col">"Placed"</th>
                                </tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|o| view! {
                                        <tr>
                                            <td><a href=format!("/orders/{}", o.id)>{o.number.clone()}</a></td>
                                            <td>{status_badge(o.status)}</td>
                                            <td>{o.client_name.clone()}</td>
                                            <td>{o.product_name.clone()}</td>
                                            <td>{o.names.join(", ")}</td>
                                            <td class="small">{when(&o.created_at)}<br/>{o.created_by.clone()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                            <Pager page=p.page pages base=base.get_untracked()/></section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

// --- Pieces the wizard and the status pages share ------------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum CsrMode {
    /// Key pair and CSR made in this browser (the `keygen` module).
    Browser,
    Paste,
    Upload,
    Later,
}

/// The subject a CSR made in the browser starts from: the organisation of the order and its first name.
pub(crate) fn subject_for(org: &Organisation, names: &[String]) -> Subject {
    let first = names.first().cloned().unwrap_or_default();
    let country = org.country.trim();
    Subject {
        common_name: first.clone(),
        organisation: org.name.clone(),
        locality: org.city.clone(),
        country: if country.len() == 2 { country.to_ascii_uppercase() } else { String::new() },
        email: if first.contains('@') { first } else { String::new() },
        ..Default::default()
    }
}

#[component]
fn CsrReportView(report: CsrReport) -> impl IntoView {
    view! {
        <div class="csr-report" class:good=report.accepted>
            <p><strong>{if report.accepted { "The CSR passes the checks." } else { "The CSR cannot be used:" }}</strong>
                {(!report.key.is_empty()).then(|| format!(" Key: {}.", report.key))}</p>
            <ul class="checks">
                {report.checks.into_iter().map(|c| {
                    let class = match c.level { CheckLevel::Pass => "check pass", CheckLevel::Warning => "check warn", CheckLevel::Fail => "check fail" };
                    view! { <li class=class><span class="check-label">{c.label}</span>": "{c.message}</li> }
                }).collect_view()}
            </ul>
            {(!report.subject.is_empty()).then(|| view! {
                <table class="compare">
                    <thead><tr><th scope="col">"Field"</th><th scope="col">"In the CSR"</th><th scope="col">"Organisation data"</th><th scope="col">"Match"</th></tr></thead>
                    <tbody>
                        {report.subject.into_iter().map(|s| {
                            let class = match s.likeness { Likeness::Same => "same", Likeness::Similar => "similar", Likeness::Different => "different" };
                            view! { <tr class=class><td>{s.field}</td><td>{s.in_csr}</td><td>{s.in_organisation}</td><td>{s.likeness.label()}</td></tr> }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </div>
    }
}
