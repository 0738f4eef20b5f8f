//! "Certificates": the list with filters and CSV export, a certificate's page (extend, invalidate, edit,
//! seal code, history), the certificate form, and the issuer-wide copy-attempt log ("Activity").

use crate::api::seals::*;
use crate::components::{field_error, last_error, succeeded, when, FormError, Pager, Saved};
use crate::model::{Catalog, CopyAttempt, Domain, Seal, SealDetail, SealFilter, SealState};
use chrono::Months;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// A state as a coloured badge.
#[component]
pub fn StateBadge(state: SealState) -> impl IntoView {
    view! { <span class=format!("badge state-{}", state.as_str())>{state.label()}</span> }
}

#[component]
pub fn SealTable(seals: Vec<Seal>, show_client: bool) -> impl IntoView {
    if seals.is_empty() {
        return view! { <p class="empty">"No certificates."</p> }.into_any();
    }
    view! {
        <div class="table-wrap"><table>
            <thead><tr>
                {show_client.then(|| view! { <th scope="col">"Client"</th> })}
                <th scope="col">"Type"</th><th scope="col">"Level"</th><th scope="col">"Valid from"</th>
                <th scope="col">"Valid to"</th><th scope="col">"State"</th><th scope="col">"Domains"</th>
                <th scope="col"><span class="sr-only">"Open"</span></th>
            </tr></thead>
            <tbody>
                {seals.into_iter().map(|s| view! {
                    <tr>
                        {show_client.then(|| view! { <td><a href=format!("/clients/{}", s.client_id)>{s.client_name.clone()}</a></td> })}
                        <td>{s.type_name.clone()}</td>
                        <td>{s.level.clone()}</td>
                        <td class="nowrap">{s.valid_from.to_string()}</td>
                        <td class="nowrap">{s.valid_to.to_string()}</td>
                        <td><StateBadge state=s.state/></td>
                        <td class="small">{s.domains.iter().map(|d| d.display.clone()).collect::<Vec<_>>().join(", ")}</td>
                        <td><a href=format!("/certificates/{}", s.id)>"View & edit"</a></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}

#[component]
pub fn CopyAttemptTable(attempts: Vec<CopyAttempt>, show_client: bool) -> impl IntoView {
    if attempts.is_empty() {
        return view! { <p class="empty">"No copy attempts recorded."</p> }.into_any();
    }
    view! {
        <div class="table-wrap"><table>
            <thead><tr>
                <th scope="col">"When"</th>
                {show_client.then(|| view! { <th scope="col">"Client"</th> })}
                <th scope="col">"Host"</th><th scope="col">"Page"</th><th scope="col">"Browser"</th>
            </tr></thead>
            <tbody>
                {attempts.into_iter().map(|a| view! {
                    <tr>
                        <td class="small nowrap">{when(&a.at)}</td>
                        {show_client.then(|| view! { <td><a href=format!("/clients/{}", a.client_id)>{a.client_name.clone()}</a></td> })}
                        <td><strong>{a.host}</strong></td>
                        // Shown as text, never as a link: it is an address someone else chose.
                        <td class="small mono break">{a.page_url}</td>
                        <td class="small">{a.user_agent}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}

/// The certificate form: type and level, validity (today to +1 year by default) and the domains it may show on.
/// Creates a certificate for `client_id`, or edits `existing`.
#[component]
pub fn SealForm(
    client_id: String,
    domains: Vec<Domain>,
    catalog: Catalog,
    #[prop(optional)] existing: Option<Seal>,
    /// Counted up after each successful edit, so the page around the form can reload what it shows.
    #[prop(optional)]
    edits: Option<RwSignal<u32>>,
    done_href: String,
) -> impl IntoView {
    let create = ServerAction::<CreateSeal>::new();
    let edit = ServerAction::<EditSeal>::new();
    let editing = existing.is_some();
    let error =
        Signal::derive(move || if editing { last_error(edit.value()).get() } else { last_error(create.value()).get() });
    let e = move |f| field_error(error, f);
    let navigate = use_navigate();
    let href = done_href.clone();
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_))) {
            navigate(&href, Default::default());
        }
    });
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(edits)) = (edit.value().get(), edits) {
            edits.update(|n| *n += 1);
        }
    });
    let dates = existing.as_ref().map(|s| (s.valid_from, s.valid_to));
    let (type_id, level, chosen) = match &existing {
        Some(s) => (s.type_id.clone(), s.level.clone(), s.domains.iter().map(|d| d.id.clone()).collect::<Vec<_>>()),
        None => (String::new(), String::new(), domains.iter().map(|d| d.id.clone()).collect()),
    };
    let seal_id = existing.as_ref().map(|s| s.id.clone()).unwrap_or_default();
    let selected_type = RwSignal::new(type_id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(form) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok()) else {
                return;
            };
            let Ok(data) = web_sys::FormData::new_with_form(&form) else {
                return;
            };
            let get = |k: &str| data.get(k).as_string().unwrap_or_default();
            let domains = data.get_all("domains").iter().filter_map(|v| v.as_string()).collect();
            let input = crate::model::SealInput {
                type_id: get("type_id"),
                level: get("level"),
                valid_from: get("valid_from"),
                valid_to: get("valid_to"),
                domains,
            };
            if editing {
                edit.dispatch(EditSeal { id: get("id"), seal: input });
            } else {
                create.dispatch(CreateSeal { client_id: get("client_id"), seal: input });
            }
        }
    };
    let pending = Signal::derive(move || create.pending().get() || edit.pending().get());
    view! {
        <FormError error/>
        {editing.then(|| view! { <Saved done=succeeded(edit.value()) text="The certificate was saved."/> })}
        {
            let Catalog { types, today, .. } = catalog;
            // A new certificate is valid from today (the server's) to one year later, as in the guide.
            let (from, to) = dates.unwrap_or((today, today.checked_add_months(Months::new(12)).unwrap_or(today)));
            if types.is_empty() {
                return view! {
                    <div class="notice warn">"There are no certificate types yet. The operator of this Signet instance sets them up under “Certificate types”."</div>
                }.into_any();
            }
            if selected_type.get_untracked().is_empty() {
                selected_type.set(types[0].id.clone());
            }
            let types_for_levels = types.clone();
            let levels = Memo::new(move |_| {
                let t = selected_type.get();
                types_for_levels.iter().find(|x| x.id == t).map(|x| x.levels.clone()).unwrap_or_default()
            });
                let level_now = level.clone();
                view! {
                    <form class="seal-form" method="post" on:submit=submit>
                        <input type="hidden" name="client_id" value=client_id/>
                        <input type="hidden" name="id" value=seal_id/>
                        <div class="form-grid">
                            <div class="field">
                                <label for="f-type">"Certificate type *"</label>
                                <select id="f-type" name="type_id" on:change=move |ev| selected_type.set(event_target_value(&ev))>
                                    {types.into_iter().map(|t| {
                                        let sel = t.id == selected_type.get_untracked();
                                        view! { <option value=t.id.clone() selected=sel>{t.name.clone()}</option> }
                                    }).collect_view()}
                                </select>
                                <span class="error" role="alert">{move || e("type_id").get()}</span>
                            </div>
                            <div class="field">
                                <label for="f-level">"Level"</label>
                                <select id="f-level" name="level" disabled=move || levels.get().is_empty()>
                                    {move || {
                                        let list = levels.get();
                                        if list.is_empty() {
                                            view! { <option value="">"(this type has no levels)"</option> }.into_any()
                                        } else {
                                            list.into_iter().map(|l| {
                                                let sel = l == level_now;
                                                view! { <option value=l.clone() selected=sel>{l.clone()}</option> }
                                            }).collect_view().into_any()
                                        }
                                    }}
                                </select>
                                <span class="error" role="alert">{move || e("level").get()}</span>
                            </div>
                            <div class="field">
                                <label for="f-from">"Valid from *"</label>
                                <input id="f-from" name="valid_from" type="date" required value=from.to_string()/>
                                <span class="error" role="alert">{move || e("valid_from").get()}</span>
                            </div>
                            <div class="field">
                                <label for="f-to">"Valid to *"</label>
                                <input id="f-to" name="valid_to" type="date" required value=to.to_string()/>
                                <span class="error" role="alert">{move || e("valid_to").get()}</span>
                            </div>
                        </div>
                        <fieldset class="field">
                            <legend>"Domains where the seal may be shown"</legend>
                            {if domains.is_empty() {
                                view! { <p class="muted">"This client has no domains yet; the seal will show nowhere until you add one."</p> }.into_any()
                            } else {
                                domains.into_iter().map(|d| {
                                    let checked = chosen.contains(&d.id);
                                    view! {
                                        <label class="check">
                                            <input type="checkbox" name="domains" value=d.id.clone() checked=checked/>
                                            " " {d.display.clone()}
                                        </label>
                                    }
                                }).collect_view().into_any()
                            }}
                            <span class="error" role="alert">{move || e("domains").get()}</span>
                        </fieldset>
                        <div class="actions">
                            <button type="submit" disabled=move || pending.get()>"Save certificate"</button>
                        </div>
                    </form>
                }.into_any()
        }
    }
    .into_any()
}

#[component]
pub fn CertificatesPage() -> impl IntoView {
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
            <a class="button secondary" download="signet-certificates.csv"
                href=move || format!("/_app/certificates.csv?{}", SealFilter { page: 0, ..filter() }.to_query())>
                "Export CSV"
            </a>
        </div>
        <form method="get" class="filters panel">
            <div class="field">
                <label for="s-state">"State"</label>
                <select id="s-state" name="state">
                    <option value="">"Any"</option>
                    {SealState::ALL.iter().map(|s| {
                        let v = s.as_str();
                        view! { <option value=v selected=move || filter().state == v>{s.label()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="s-type">"Type"</label>
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
            </div>
            <div class="field"><label for="s-client">"Client"</label><input id="s-client" name="client" type="search" value=move || filter().client/></div>
            <div class="field"><label for="s-from">"Expires from"</label><input id="s-from" name="expires_from" type="date" value=move || filter().expires_from/></div>
            <div class="field"><label for="s-to">"Expires to"</label><input id="s-to" name="expires_to" type="date" value=move || filter().expires_to/></div>
            <div class="field">
                <label for="s-sort">"Sort by"</label>
                <select id="s-sort" name="sort">
                    {[("valid_to", "Valid to, soonest first"), ("-valid_to", "Valid to, latest first"), ("client", "Client"), ("type", "Type"), ("-created", "Newest first"), ("created", "Oldest first")]
                        .into_iter().map(|(v, l)| view! { <option value=v selected=move || filter().sort == v>{l}</option> }).collect_view()}
                </select>
            </div>
            <button type="submit">"Filter"</button>
        </form>
        <section class="panel">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                        Ok(p) => {
                            let pages = p.pages();
                            let base = format!("/certificates?{}", SealFilter { page: 0, ..filter() }.to_query());
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
pub fn CertificatePage() -> impl IntoView {
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
                    (Ok(d), Ok(catalog)) => view! { <CertificateView detail=d catalog extend invalidate edits/> }.into_any(),
                    (Err(e), _) | (_, Err(e)) => view! { <Title text="Certificate"/><div class="notice bad">{e.to_string()}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CertificateView(
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
                <table class="facts">
                    <tr><th scope="row">"Valid from"</th><td>{seal.valid_from.to_string()}</td></tr>
                    <tr><th scope="row">"Valid to"</th><td>{seal.valid_to.to_string()}</td></tr>
                    <tr><th scope="row">"State"</th><td><StateBadge state=seal.state/></td></tr>
                    <tr><th scope="row">"Domains"</th><td>{seal.domains.iter().map(|d| d.display.clone()).collect::<Vec<_>>().join(", ")}</td></tr>
                    <tr><th scope="row">"Seal id"</th><td class="mono">{seal.id.clone()}</td></tr>
                    <tr><th scope="row">"Date created"</th><td>{when(&seal.created_at)}</td></tr>
                </table>
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
                {snippets.into_iter().map(|(label, code)| view! {
                    <div class="field">
                        <label>{label}</label>
                        <textarea class="mono snippet" readonly rows="2">{code}</textarea>
                    </div>
                }).collect_view()}
            </section>
        </div>
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
