//! "Certificates": the list with filters and CSV export, a certificate's page (extend, invalidate, edit,
//! seal code, history), the certificate form, and the issuer-wide copy-attempt log ("Activity").

use super::seal_mail::SealMailPanel;
use crate::api::{catalog::*, seals::*};
use crate::components::{last_error, succeeded, when, FieldFrame, FormError, Pager, Saved};
use crate::components::{AfterHydration, CopyAttemptTable, SealForm, SealTable, StateBadge};
use crate::model::{Catalog, SealDetail, SealFilter, SealState};
use chrono::Months;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn SealsPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        SealFilter {
            state: get("state"),
            type_id: get("type_id"),
            client: get("client"),
            expires_from: get("expires_from"),
            expires_to: get("expires_to"),
            sort: get("sort"),
            page: get("page").parse().unwrap_or(1),
        }
    };
    let list = Resource::new(filter, list_seals);
    let catalog = Resource::new(|| (), |_| load_catalog());
    view! {
        <Title text="Certificates"/>
        <div class="page-head">
            <h1>"Certificates"</h1>
            <a class="button secondary" download="signet-seals.csv"
                href=move || format!("/_app/seals.csv?{}", SealFilter { page: 0, ..filter() }.to_query())>
                "Export CSV"
            </a>
        </div>
        <form method="get" class="filters panel">
            <FieldFrame id="s-state" label="State">
                <select id="s-state" name="state">
                    <option value="">"Any"</option>
                    {SealState::ALL.iter().map(|s| {
                        let v = s.as_str();
                        view! { <option value=v selected=move || filter().state == v>{s.label()}</option> }
                    }).collect_view()}
                </select>
            </FieldFrame>
            <FieldFrame id="s-type" label="Type">
                <select id="s-type" name="type_id">
                    <option value="">"Any"</option>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            catalog.await.map(|c| c.types.into_iter().map(|t| {
                                let id = t.id.clone();
                                view! { <option value=t.id.clone() selected=move || filter().type_id == id>{t.name}</option> }
                            }).collect_view()).ok()
                        })}
                    </Suspense>
                </select>
            </FieldFrame>
            <FieldFrame id="s-client" label="Client">
                <input id="s-client" name="client" type="search" value=move || filter().client/>
            </FieldFrame>
            <FieldFrame id="s-from" label="Expires from">
                <input id="s-from" name="expires_from" type="date" value=move || filter().expires_from/>
            </FieldFrame>
            <FieldFrame id="s-to" label="Expires to">
                <input id="s-to" name="expires_to" type="date" value=move || filter().expires_to/>
            </FieldFrame>
            <FieldFrame id="s-sort" label="Sort by">
                <select id="s-sort" name="sort">
                    {[("valid_to", "Valid to, soonest first"), ("-valid_to", "Valid to, latest first"), ("client", "Client"), ("type", "Type"), ("-created", "Newest first"), ("created", "Oldest first")]
                        .into_iter().map(|(v, l)| view! { <option value=v selected=move || filter().sort == v>{l}</option> }).collect_view()}
                </select>
            </FieldFrame>
            <button type="submit">"Filter"</button>
        </form>
        <section class="panel">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                        Ok(p) => {
                            let pages = p.pages();
                            let base = format!("/seals?{}", SealFilter { page: 0, ..filter() }.to_query());
                            view! {
                                <p class="muted">{format!("{} certificates", p.total)}</p>
                                <SealTable seals=p.items show_client=true/>
                                <Pager page=p.page pages base/>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn SealPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let extend = ServerAction::<ExtendSeal>::new();
    let invalidate = ServerAction::<InvalidateSeal>::new();
    let edits = RwSignal::new(0u32);
    let detail = Resource::new(
        move || (id(), extend.version().get(), invalidate.version().get(), edits.get()),
        |(id, ..)| load_seal(id),
    );
    let catalog = Resource::new(|| (), |_| load_catalog());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (detail.await, catalog.await) {
                    (Ok(d), Ok(catalog)) => view! { <SealView detail=d catalog extend invalidate edits/> }.into_any(),
                    (Err(e), _) | (_, Err(e)) => view! { <Title text="Certificate"/><div class="notice bad">{e.to_string()}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SealView(
    detail: SealDetail,
    catalog: Catalog,
    extend: ServerAction<ExtendSeal>,
    invalidate: ServerAction<InvalidateSeal>,
    edits: RwSignal<u32>,
) -> impl IntoView {
    let SealDetail { seal, client_domains, history, snippets } = detail;
    let err = Signal::derive(move || last_error(extend.value()).get().or_else(|| last_error(invalidate.value()).get()));
    let title = format!("{} – {}", seal.client_name, seal.type_name);
    let next_to = seal.valid_to.checked_add_months(Months::new(12)).unwrap_or(seal.valid_to);
    let seal_id = seal.id.clone();
    let seal_id2 = seal.id.clone();
    let (mail_seal, mail_client) = (seal.id.clone(), seal.client_id.clone());
    // The follow-up e-mail is offered after "+ Extend", and after an edit here (an irregular renewal sets a new
    // "Valid from"; changed dates or sites are on the printable certificate too).
    let extended = succeeded(extend.value());
    let followup = Signal::derive(move || {
        if extended.get() {
            Some("The certificate was extended")
        } else if edits.get() > 0 {
            Some("The certificate was changed")
        } else {
            None
        }
    });
    view! {
        <Title text=title.clone()/>
        <div class="page-head">
            <h1>{seal.type_name.clone()} " " {seal.level.clone()}</h1>
            <StateBadge state=seal.state/>
        </div>
        <p>"Client: " <a href=format!("/clients/{}", seal.client_id)>{seal.client_name.clone()}</a></p>
        <FormError error=err/>
        <Saved done=succeeded(extend.value()) text="The certificate was extended by one year."/>
        {(edits.get_untracked() > 0).then(|| view! { <div class="notice ok" role="status">"The certificate was saved."</div> })}
        <Saved done=succeeded(invalidate.value()) text="The certificate was invalidated: valid to is now yesterday."/>
        <div class="two-col">
            <section class="panel">
                <h2>"Certificate details"</h2>
                <table class="facts"><tbody>
                    <tr><th scope="row">"Valid from"</th><td>{seal.valid_from.to_string()}</td></tr>
                    <tr><th scope="row">"Valid to"</th><td>{seal.valid_to.to_string()}</td></tr>
                    <tr><th scope="row">"State"</th><td><StateBadge state=seal.state/></td></tr>
                    <tr><th scope="row">"Domains"</th><td>{seal.domains.iter().map(|d| d.display.clone()).collect::<Vec<_>>().join(", ")}</td></tr>
                    <tr><th scope="row">"Seal id"</th><td class="mono">{seal.id.clone()}</td></tr>
                    <tr><th scope="row">"Date created"</th><td>{when(&seal.created_at)}</td></tr>
                </tbody></table>
                <div class="actions">
                    <ActionForm action=extend attr:class="inline">
                        <input type="hidden" name="id" value=seal_id/>
                        <button type="submit" title=format!("Valid to becomes {next_to}")>"+ Extend"</button>
                    </ActionForm>
                    {(seal.state != SealState::Invalidated).then(|| view! {
                        <ActionForm action=invalidate attr:class="inline">
                            <input type="hidden" name="id" value=seal_id2/>
                            <button type="submit" class="danger" title="Valid to becomes yesterday">"- Invalidate"</button>
                        </ActionForm>
                    })}
                </div>
            </section>
            <section class="panel">
                <h2>"Seal code"</h2>
                <p class="muted">"Copy one of these into the client's web site. The seal shows only on the domains above, and only while the certificate is valid."</p>
                {snippets.into_iter().enumerate().map(|(i, (label, code))| {
                    // The label now points at its textarea; the aria-label still names it "Seal code: …".
                    let id = format!("seal-code-{i}");
                    view! {
                        <FieldFrame id=id.clone() label=label.clone()>
                            <textarea id=id class="mono snippet" readonly rows="2" aria-label=format!("Seal code: {label}")>{code}</textarea>
                        </FieldFrame>
                    }
                }).collect_view()}
            </section>
        </div>
        <AfterHydration>
            <SealMailPanel seal_id=mail_seal.clone() client_id=mail_client.clone() followup/>
        </AfterHydration>
        <section class="panel">
            <h2>"Edit certificate"</h2>
            <p class="muted">"For an irregular renewal (a skipped year, or criteria met again later), set “Valid from” to the day it was ordered again."</p>
            <SealForm client_id=seal.client_id.clone() domains=client_domains catalog existing=seal.clone() edits done_href=String::new()/>
        </section>
        <section class="panel">
            <h2>"History"</h2>
            <div class="table-wrap"><table>
                <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"What"</th><th scope="col">"Valid from"</th><th scope="col">"Valid to"</th><th scope="col">"Detail"</th></tr></thead>
                <tbody>
                    {history.into_iter().map(|h| view! {
                        <tr>
                            <td class="small nowrap">{when(&h.at)}</td><td>{h.actor_email}</td>
                            <td><span class="badge">{h.action}</span></td>
                            <td class="nowrap">{h.valid_from}</td><td class="nowrap">{h.valid_to}</td>
                            <td class="small">{h.detail}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table></div>
        </section>
    }
}

#[component]
pub fn ActivityPage() -> impl IntoView {
    let attempts = Resource::new(|| (), |_| copy_attempts());
    view! {
        <Title text="Copy attempts"/>
        <h1>"Copy attempts"</h1>
        <p class="muted">"Web sites that ran one of your clients' seal scripts without being one of the certificate's domains. The seal showed nothing there. Each site is recorded at most once a day per certificate."</p>
        <section class="panel">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match attempts.await {
                        Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                        Ok(list) => view! { <CopyAttemptTable attempts=list show_client=true/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
