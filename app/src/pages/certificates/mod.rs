//! The TLS certificates inventory (search, filters, chosen columns, sort, CSV export) and each certificate's
//! details page with its revocation.

use crate::api::certificates::*;
use crate::api::tools::TrackCertificate;
use crate::components::{field_error, last_error, when, FieldFrame, Pager};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

mod check;
mod detail;
mod reissue;
mod renewal;
pub use detail::CertificatePage;

fn state_badge(state: CertState) -> impl IntoView {
    let class = match state {
        CertState::Valid => "badge good",
        CertState::Expiring => "badge warn",
        CertState::Expired | CertState::Revoked => "badge bad",
    };
    view! { <span class=class>{state.label()}</span> }
}

/// The filter as the address bar holds it, so that a filtered list can be bookmarked and exported.
fn filter_from_query() -> Memo<CertificateFilter> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| {
            let get = |k: &str| q.get(k).unwrap_or_default();
            CertificateFilter {
                q: get("q"),
                state: get("state"),
                product: get("product"),
                ca: get("ca"),
                source: get("source"),
                issued_from: get("issued_from"),
                issued_to: get("issued_to"),
                sort: get("sort"),
                desc: get("desc") == "1",
                page: get("page").parse().unwrap_or(1),
            }
        })
    })
}

/// The query string of a filter (without the page).
fn query_of(f: &CertificateFilter) -> String {
    let pairs = [
        ("q", f.q.as_str()),
        ("state", f.state.as_str()),
        ("product", f.product.as_str()),
        ("ca", f.ca.as_str()),
        ("source", f.source.as_str()),
        ("issued_from", f.issued_from.as_str()),
        ("issued_to", f.issued_to.as_str()),
        ("sort", f.sort.as_str()),
        ("desc", if f.desc { "1" } else { "" }),
    ];
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", urlencoding_lite(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes what a query value may not hold as is.
fn urlencoding_lite(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
pub fn CertificatesPage() -> impl IntoView {
    let filter = filter_from_query();
    let data = Resource::new(move || filter.get(), list_certificates);
    let columns = Resource::new(|| (), |_| certificate_columns());
    view! {
        <Title text="TLS certificates"/>
        <h1>"TLS certificates"</h1>
        <FilterForm filter/>
        <WatchPanel/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let chosen = columns.await.unwrap_or_else(|_| DEFAULT_CERTIFICATE_COLUMNS.iter().map(|c| c.to_string()).collect());
                match data.await {
                    Err(e) => view! { <div class="notice bad" role="alert">{e.to_string()}</div> }.into_any(),
                    Ok(page) => view! { <Inventory page filter=filter.get_untracked() chosen/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn FilterForm(filter: Memo<CertificateFilter>) -> impl IntoView {
    let f = move || filter.get();
    view! {
        <form method="get" class="filters" role="search">
            <label for="f-q">"Search"</label>
            <input id="f-q" name="q" type="search" prop:value=move || f().q placeholder="Name, serial, order number or client"/>
            <label for="f-state">"State"</label>
            <select id="f-state" name="state">
                <option value="">"Any"</option>
                {CertState::ALL.into_iter().map(|s| view! {
                    <option value=s.as_str() selected=move || f().state == s.as_str()>{s.label()}</option>
                }).collect_view()}
            </select>
            <label for="f-source">"Source"</label>
            <select id="f-source" name="source">
                <option value="">"All"</option>
                <option value="issued" selected=move || f().source == "issued">"Issued by Signet"</option>
                <option value="watched" selected=move || f().source == "watched">"Watched"</option>
            </select>
            <label for="f-ca">"CA"</label>
            <input id="f-ca" name="ca" prop:value=move || f().ca placeholder="slug"/>
            <label for="f-from">"Issued from"</label>
            <input id="f-from" name="issued_from" type="date" prop:value=move || f().issued_from/>
            <label for="f-to">"to"</label>
            <input id="f-to" name="issued_to" type="date" prop:value=move || f().issued_to/>
            <input type="hidden" name="sort" prop:value=move || f().sort/>
            <input type="hidden" name="desc" prop:value=move || if f().desc { "1" } else { "" }/>
            <button type="submit">"Filter"</button>
        </form>
    }
}

/// The list with the person's columns, sortable headers, the pager and the export of what is filtered.
#[component]
fn Inventory(page: Page<CertificateSummary>, filter: CertificateFilter, chosen: Vec<String>) -> impl IntoView {
    let shown: Vec<(&'static str, &'static str)> =
        CERTIFICATE_COLUMNS.iter().copied().filter(|(key, _)| chosen.iter().any(|c| c == key)).collect();
    let query = query_of(&filter);
    let export =
        if query.is_empty() { "/_app/certificates.csv".to_string() } else { format!("/_app/certificates.csv?{query}") };
    let base = if query.is_empty() { "/certificates".to_string() } else { format!("/certificates?{query}") };
    let pages = page.pages();
    let summary = format!("{} certificate{}", page.total, if page.total == 1 { "" } else { "s" });
    view! {
        <section class="panel">
            <p class="actions"><span>{summary}</span>" "<a class="button secondary" href=export download>"Export CSV"</a></p>
            <ColumnChooser chosen=chosen.clone()/>
            {if page.items.is_empty() {
                view! { <p class="empty">"No certificates match."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table>
                        <thead><tr>{shown.iter().map(|(key, label)| view! { <th scope="col">{sort_link(&filter, key, label)}</th> }).collect_view()}</tr></thead>
                        <tbody>{page.items.into_iter().map(|c| view! {
                            <tr>{shown.iter().map(|(key, _)| cell(key, &c)).collect_view()}</tr>
                        }).collect_view()}</tbody>
                    </table></div>
                }.into_any()
            }}
            <Pager page=page.page pages base/>
        </section>
    }
}

/// A header that sorts by its column where the inventory can (again to reverse).
fn sort_link(filter: &CertificateFilter, key: &str, label: &'static str) -> AnyView {
    let sort_key = match key {
        "common_name" | "client" | "serial" | "not_after" => key,
        _ => return label.into_any(),
    };
    let mut next = filter.clone();
    next.desc = filter.sort == sort_key && !filter.desc;
    next.sort = sort_key.to_string();
    let marker = if filter.sort == sort_key {
        if filter.desc {
            " ↓"
        } else {
            " ↑"
        }
    } else {
        ""
    };
    view! { <a href=format!("/certificates?{}", query_of(&next))>{label}{marker}</a> }.into_any()
}

fn cell(key: &str, c: &CertificateSummary) -> AnyView {
    match key {
        "common_name" => {
            view! { <td><a href=format!("/certificates/{}", c.id)>{c.common_name.clone()}</a></td> }.into_any()
        }
        "names" => view! { <td>{c.names.join(", ")}</td> }.into_any(),
        "serial" => view! { <td class="mono small">{c.serial.clone()}</td> }.into_any(),
        "client" => view! { <td>{c.client_name.clone()}</td> }.into_any(),
        "order" if c.source == CertSource::Watched => view! { <td class="small">"Watched"</td> }.into_any(),
        "order" => view! { <td><a href=format!("/orders/{}", c.order_id)>{c.order_number.clone()}</a></td> }.into_any(),
        "product" => view! { <td>{c.product_name.clone()}</td> }.into_any(),
        "ca" => view! { <td class="mono small">{c.ca.clone()}</td> }.into_any(),
        "not_after" => view! { <td class="small">{when(&c.not_after)}</td> }.into_any(),
        _ => view! { <td>{state_badge(c.state)}{c.revocation_scheduled.map(|at| view! {
            <br/><span class="small">{format!("to be revoked on {}", at.format("%Y-%m-%d"))}</span>
        })}</td> }
        .into_any(),
    }
}

/// Which columns to show, saved for this person.
#[component]
fn ColumnChooser(chosen: Vec<String>) -> impl IntoView {
    let save = ServerAction::<SaveCertificateColumns>::new();
    let picked = RwSignal::new(chosen);
    let saved = Signal::derive(move || matches!(save.value().get(), Some(Ok(_))));
    let error = Signal::derive(move || save.value().get().and_then(|r| r.err()).map(|e| e.to_string()));
    Effect::new(move || {
        if saved.get() {
            // The list shows the new columns when it is next loaded; reload it now.
            #[cfg(feature = "hydrate")]
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        }
    });
    view! {
        <details class="columns"><summary>"Columns"</summary>
            <fieldset><legend class="sr-only">"Columns to show"</legend>
                {CERTIFICATE_COLUMNS.iter().map(|(key, label)| {
                    let key = key.to_string();
                    let k2 = key.clone();
                    view! {
                        <label class="check"><input type="checkbox" prop:checked=move || picked.with(|p| p.contains(&key))
                            on:change=move |_| picked.update(|p| if let Some(i) = p.iter().position(|c| *c == k2) { p.remove(i); } else { p.push(k2.clone()); })/>
                            {*label}</label>
                    }
                }).collect_view()}
            </fieldset>
            {move || error.get().map(|e| view! { <div class="notice bad" role="alert">{e}</div> })}
            <button type="button" on:click=move |_| { save.dispatch(SaveCertificateColumns { columns: picked.get_untracked() }); }>"Save columns"</button>
        </details>
    }
}

/// Hands in a certificate made elsewhere, with its chain, to be watched here beside the issued ones: pasted
/// (PEM, one or several blocks, or a PKCS#7 bundle) or as a file (.pem, .crt, .cer, .der, .p7b).
#[component]
fn WatchPanel() -> impl IntoView {
    let track = ServerAction::<TrackCertificate>::new();
    let pasted = RwSignal::new(String::new());
    let file = RwSignal::new(None::<String>);
    let error = last_error(track.value());
    Effect::new(move || {
        if let Some(Ok(_)) = track.value().get() {
            #[cfg(feature = "hydrate")]
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        }
    });
    view! {
        <details class="panel watch"><summary>"+ Watch a certificate"</summary>
            <p class="muted">"A certificate made elsewhere, with its chain: Signet keeps the certificates (never a key) and lists them here with the ones it issued, so that none expires unnoticed."</p>
            <FieldFrame id="f-watch-pem" label="Certificate and chain (PEM or PKCS#7)">
                <textarea id="f-watch-pem" class="mono" rows="6" prop:value=move || pasted.get()
                    on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
            </FieldFrame>
            <FieldFrame id="f-watch-file" label="Or a file (.pem, .crt, .cer, .der, .p7b)">
                <input id="f-watch-file" type="file" accept=".pem,.crt,.cer,.der,.p7b,.p7c"
                    on:change=move |_ev| {
                        #[cfg(feature = "hydrate")]
                        {
                            use wasm_bindgen::JsCast;
                            let input = _ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
                            if let Some(f) = input.and_then(|i| i.files()).and_then(|l| l.get(0)) {
                                crate::components::read_data_url(&f, move |url| file.set(Some(url)));
                            }
                        }
                    }/>
            </FieldFrame>
            <span class="error" role="alert">{move || field_error(error, "certificate").get()}</span>
            <p class="actions"><button type="button" on:click=move |_| {
                let certificate = file.get_untracked().unwrap_or_else(|| pasted.get_untracked());
                track.dispatch(TrackCertificate { certificate });
            }>"Watch it"</button></p>
        </details>
    }
}
