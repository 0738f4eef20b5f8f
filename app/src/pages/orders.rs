//! TLS orders: the list and approval queue, the order wizard (CERTInext's steps), the status page with its
//! progress tracker, the read-only tracking page and the page behind an e-mailed validation link.

use crate::api::orders::*;
use crate::components::{last_error, when, FormError, KeyMaker, Pager, Pkcs12Export};
use crate::error::AppError;
use crate::keygen::Subject;
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

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

// --- The order wizard -------------------------------------------------------------------------------------------

const STEPS: [&str; 6] = ["Product", "Organisation and contacts", "Domains", "CSR", "Domain validation", "Summary"];

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
pub fn NewOrderPage() -> impl IntoView {
    let setup = Resource::new(|| (), |_| get_order_setup());
    view! {
        <Title text="New order"/>
        <h1>"New certificate order"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match setup.await {
                    Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                    Ok(s) if s.products.is_empty() => view! { <div class="notice">"No products are offered yet: the operator sets them up."</div> }.into_any(),
                    Ok(s) if s.clients.is_empty() => view! { <div class="notice">"Add a client first: orders are placed for a client's organisation."</div> }.into_any(),
                    Ok(s) => view! { <OrderWizard setup=s/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OrderWizard(setup: OrderSetup) -> impl IntoView {
    let query = use_query_map();
    let products = StoredValue::new(setup.products.clone());
    let clients = StoredValue::new(setup.clients.clone());
    let first_client = query
        .with_untracked(|q| q.get("client"))
        .filter(|c| setup.clients.iter().any(|x| x.id == *c))
        .unwrap_or_else(|| setup.clients[0].id.clone());
    let step = RwSignal::new(0usize);
    let product_id = RwSignal::new(setup.products[0].id.clone());
    let max_days = setup.max_server_days;
    // The validities a product may be ordered with today (server certificates are capped by the CA/B Forum).
    let allowed = move |p: &Product| -> Vec<u32> {
        p.validity_days.iter().copied().filter(|d| !p.profile.is_server() || *d <= max_days).collect()
    };
    let validity = RwSignal::new(allowed(&setup.products[0]).last().copied().unwrap_or(90));
    let client_id = RwSignal::new(first_client);
    let contact_of = move |id: &str| {
        clients.with_value(|c| c.iter().find(|x| x.id == id).map(|x| x.contact.clone()).unwrap_or_default())
    };
    let start_contact = contact_of(&client_id.get_untracked());
    let corporate = RwSignal::new(start_contact.clone());
    let technical = RwSignal::new(start_contact);
    let names = RwSignal::new(String::new());
    let csr_mode = RwSignal::new(CsrMode::Paste);
    let csr = RwSignal::new(String::new());
    let report = RwSignal::new(None::<CsrReport>);
    let dcv = RwSignal::new(Vec::<(String, DcvMethod, String)>::new());
    let local_error = RwSignal::new(None::<String>);

    let product = move || products.with_value(|p| p.iter().find(|x| x.id == product_id.get()).cloned());
    let client = move || clients.with_value(|c| c.iter().find(|x| x.id == client_id.get()).cloned());
    let name_list = move || -> Vec<String> {
        // The server's tokenizer; lower case as the server's host names are (it reports what does not parse).
        name_tokens(&names.get()).map(|s| s.to_lowercase()).collect()
    };
    let name_list_untracked = move || untrack(name_list);
    let targets = move || validation_targets(&name_list());

    let check = ServerAction::<CheckCsr>::new();
    let place = ServerAction::<PlaceOrder>::new();
    let place_error = last_error(place.value());
    Effect::new(move |_| {
        if let Some(Ok(r)) = check.value().get() {
            report.set(Some(r));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(view)) = place.value().get() {
            let navigate = leptos_router::hooks::use_navigate();
            navigate(&format!("/orders/{}", view.id), Default::default());
        }
    });

    let next = move |_| {
        local_error.set(None);
        let s = step.get();
        let problem = match s {
            2 => {
                let n = name_list();
                let p = product();
                if n.is_empty() {
                    Some("Give at least one name.".to_string())
                } else if p.as_ref().is_some_and(|p| n.len() > p.max_names as usize) {
                    Some(format!("This product covers at most {} names.", p.map(|p| p.max_names).unwrap_or(1)))
                } else if p.as_ref().is_some_and(|p| !p.wildcard) && n.iter().any(|x| x.starts_with("*.")) {
                    Some("This product does not allow wildcard names.".to_string())
                } else {
                    None
                }
            }
            3 if csr_mode.get() != CsrMode::Later && !report.get().is_some_and(|r| r.accepted) => Some(
                if csr_mode.get() == CsrMode::Browser {
                    "Generate the key and CSR, save the key file, and use the CSR (it must pass every check)."
                } else {
                    "Check the CSR first (it must pass every check), or choose to submit it later."
                }
                .to_string(),
            ),
            1 if corporate.get().email.trim().is_empty() || technical.get().email.trim().is_empty() => {
                Some("Both contacts need a name and an e-mail address.".to_string())
            }
            _ => None,
        };
        if let Some(p) = problem {
            local_error.set(Some(p));
            return;
        }
        if s == 2 {
            // Keep earlier choices for names that stay; new names start with DNS (or e-mail for mailboxes).
            let server = product().is_some_and(|p| p.profile.is_server());
            let old = dcv.get();
            dcv.set(
                targets()
                    .into_iter()
                    .map(|t| {
                        old.iter().find(|(n, _, _)| *n == t).cloned().unwrap_or_else(|| {
                            (t, if server { DcvMethod::Dns } else { DcvMethod::Email }, "admin".to_string())
                        })
                    })
                    .collect(),
            );
        }
        step.set((s + 1).min(STEPS.len() - 1));
    };
    let back = move |_| {
        local_error.set(None);
        step.update(|s| *s = s.saturating_sub(1));
    };
    let submit = move |_| {
        let order = OrderInput {
            client_id: client_id.get(),
            product_id: product_id.get(),
            validity_days: validity.get(),
            names: name_list().join("\n"),
            corporate: corporate.get(),
            technical: technical.get(),
            csr: if csr_mode.get() == CsrMode::Later { String::new() } else { csr.get() },
            dcv: dcv.get().into_iter().map(|(name, method, mailbox)| DcvChoice { name, method, mailbox }).collect(),
            default_dcv: DcvMethod::Dns,
        };
        place.dispatch(PlaceOrder { order });
    };

    let contact_fields = move |label: &'static str, key: &'static str, sig: RwSignal<Contact>| {
        view! {
            <fieldset>
                <legend>{label}</legend>
                <div class="form-grid">
                    <div class="field"><label for=format!("f-{key}-name")>"Name"</label>
                        <input id=format!("f-{key}-name") prop:value=move || sig.get().name on:input=move |ev| sig.update(|c| c.name = event_target_value(&ev))/></div>
                    <div class="field"><label for=format!("f-{key}-email")>"E-mail"</label>
                        <input id=format!("f-{key}-email") type="email" prop:value=move || sig.get().email on:input=move |ev| sig.update(|c| c.email = event_target_value(&ev))/></div>
                    <div class="field"><label for=format!("f-{key}-phone")>"Phone"</label>
                        <input id=format!("f-{key}-phone") prop:value=move || sig.get().phone on:input=move |ev| sig.update(|c| c.phone = event_target_value(&ev))/></div>
                </div>
            </fieldset>
        }
    };

    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let input: web_sys::HtmlInputElement = event_target(&ev);
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            if file.size() > 64.0 * 1024.0 {
                local_error.set(Some("This file is larger than any CSR.".into()));
                return;
            }
            crate::components::read_data_url(&file, move |url| {
                let payload = url.split_once("base64,").map(|(_, b)| b.to_string()).unwrap_or_default();
                // PEM files are shown as text; DER files stay base64, which the server reads as well.
                let text = web_sys::window()
                    .and_then(|w| w.atob(&payload).ok())
                    .filter(|t| t.contains("-----BEGIN"))
                    .unwrap_or(payload);
                csr.set(text);
                report.set(None);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };

    view! {
        <ol class="steps" aria-label="Order steps">
            {STEPS.iter().enumerate().map(|(i, label)| view! {
                <li class:current={move || step.get() == i} class:done={move || step.get() > i}>{format!("Step {} :: {label}", i + 1)}</li>
            }).collect_view()}
        </ol>
        {(!setup.ca_ready).then(|| view! { <div class="notice">"This issuer has no issuing CA yet. You can place orders; they are issued once the operator has created it."</div> })}
        <section class="panel wizard">
            {move || local_error.get().map(|e| view! { <div class="notice bad" role="alert">{e}</div> })}
            <FormError error=place_error/>
            {move || match step.get() {
                0 => view! {
                    <h2>"Product and validity"</h2>
                    <div class="form-grid">
                        <div class="field"><label for="f-product">"Product"</label>
                            <select id="f-product" on:change=move |ev| {
                                product_id.set(event_target_value(&ev));
                                if let Some(p) = product() { validity.set(allowed(&p).last().copied().unwrap_or(90)); }
                                report.set(None);
                            }>
                                {products.get_value().into_iter().map(|p| {
                                    let id = p.id.clone();
                                    view! { <option value=p.id.clone() selected=move || product_id.get() == id>{format!("{} — {}", p.name, p.profile.label())}</option> }
                                }).collect_view()}
                            </select></div>
                        <div class="field"><label for="f-validity">"Validity"</label>
                            <select id="f-validity" on:change=move |ev| validity.set(event_target_value(&ev).parse().unwrap_or(90))>
                                {move || product().map(|p| allowed(&p).into_iter().map(|d| {
                                    view! { <option value=d.to_string() selected=move || validity.get() == d>{format!("{d} days")}</option> }
                                }).collect_view())}
                            </select>
                            <span class="hint">{format!("TLS server certificates issued today: at most {max_days} days (CA/Browser Forum).")}</span></div>
                        <div class="field"><label for="f-client">"Organisation"</label>
                            <select id="f-client" on:change=move |ev| {
                                client_id.set(event_target_value(&ev));
                                let c = contact_of(&client_id.get_untracked());
                                corporate.set(c.clone());
                                technical.set(c);
                            }>
                                {clients.get_value().into_iter().map(|c| {
                                    let id = c.id.clone();
                                    view! { <option value=c.id.clone() selected=move || client_id.get() == id>{c.organisation.name.clone()}</option> }
                                }).collect_view()}
                            </select></div>
                    </div>
                    {move || product().map(|p| view! {
                        <p class="muted">{format!("Keys: {}. Up to {} name(s){}.",
                            p.key_types.iter().map(|k| k.label()).collect::<Vec<_>>().join(", "),
                            p.max_names,
                            if p.wildcard { ", wildcards allowed" } else { "" })}</p>
                    })}
                }.into_any(),
                1 => view! {
                    <h2>"Organisation and contacts"</h2>
                    {move || client().map(|c| view! {
                        <dl class="facts">
                            <dt>"Organisation"</dt><dd>{c.organisation.name.clone()}</dd>
                            <dt>"Address"</dt><dd>{format!("{}, {} {}, {}", c.organisation.address, c.organisation.postal_code, c.organisation.city, c.organisation.country)}</dd>
                            <dt>"Registration number"</dt><dd>{c.organisation.registration_number.clone()}</dd>
                        </dl>
                    })}
                    {contact_fields("Corporate contact", "corporate", corporate)}
                    {contact_fields("Technical contact (receives the certificate)", "technical", technical)}
                }.into_any(),
                2 => view! {
                    <h2>"Domains"</h2>
                    <div class="field"><label for="f-names">{move || if product().is_some_and(|p| p.profile.is_server()) { "Domain names (one per line)" } else { "E-mail addresses (one per line)" }}</label>
                        <textarea id="f-names" rows="4" prop:value=move || names.get() on:input=move |ev| { names.set(event_target_value(&ev)); report.set(None); }></textarea>
                        <span class="hint">{move || product().map(|p| if p.wildcard { "e.g. shop.example.com and www.shop.example.com; a wildcard is written *.example.com" } else { "e.g. shop.example.com and www.shop.example.com" })}</span></div>
                }.into_any(),
                3 => view! {
                    <h2>"Certificate signing request (CSR)"</h2>
                    <fieldset class="choices">
                        <legend>"How do you provide the CSR?"</legend>
                        <label><input type="radio" name="csr-mode" checked=move || csr_mode.get() == CsrMode::Browser on:change=move |_| { csr_mode.set(CsrMode::Browser); csr.set(String::new()); report.set(None); }/>" Generate the key and CSR in my browser"</label>
                        <label><input type="radio" name="csr-mode" checked=move || csr_mode.get() == CsrMode::Paste on:change=move |_| csr_mode.set(CsrMode::Paste)/>" Paste it"</label>
                        <label><input type="radio" name="csr-mode" checked=move || csr_mode.get() == CsrMode::Upload on:change=move |_| csr_mode.set(CsrMode::Upload)/>" Upload a file (.csr, .pem, .der)"</label>
                        <label><input type="radio" name="csr-mode" checked=move || csr_mode.get() == CsrMode::Later on:change=move |_| csr_mode.set(CsrMode::Later)/>" Skip: submit the CSR later from the order's page"</label>
                    </fieldset>
                    {move || (csr_mode.get() == CsrMode::Upload).then(|| view! {
                        <div class="field"><label for="f-csr-file">"CSR file"</label>
                            <input id="f-csr-file" type="file" accept=".csr,.pem,.der,.req,.txt" on:change=on_file/></div>
                    })}
                    {move || (csr_mode.get() == CsrMode::Browser).then(|| {
                        // Read without tracking: handing the CSR on sets `csr` and `report`, which must not
                        // re-create the generator (and lose the key file the user has not saved yet).
                        let order_names = name_list_untracked();
                        let org = clients.with_value(|c| c.iter().find(|x| x.id == client_id.get_untracked()).map(|x| x.organisation.clone())).unwrap_or_default();
                        let key_types = products.with_value(|p| p.iter().find(|x| x.id == product_id.get_untracked()).map(|x| x.key_types.clone())).unwrap_or_default();
                        let on_csr = Callback::new(move |pem: String| {
                            csr.set(pem.clone());
                            report.set(None);
                            check.dispatch(CheckCsr { client_id: client_id.get_untracked(), product_id: product_id.get_untracked(), names: name_list_untracked().join("\n"), csr: pem });
                        });
                        view! {
                            <KeyMaker subject=subject_for(&org, &order_names) names=order_names key_types=key_types on_csr=on_csr/>
                            <FormError error=last_error(check.value())/>
                            {move || report.get().map(|r| view! { <CsrReportView report=r/> })}
                        }
                    })}
                    {move || matches!(csr_mode.get(), CsrMode::Paste | CsrMode::Upload).then(|| view! {
                        <div class="field"><label for="f-csr">"CSR"</label>
                            <textarea id="f-csr" class="mono" rows="10" placeholder="-----BEGIN CERTIFICATE REQUEST-----"
                                prop:value=move || csr.get() on:input=move |ev| { csr.set(event_target_value(&ev)); report.set(None); }></textarea></div>
                        <p class="actions"><button type="button" on:click=move |_| {
                            check.dispatch(CheckCsr { client_id: client_id.get(), product_id: product_id.get(), names: name_list().join("\n"), csr: csr.get() });
                        }>"Check CSR"</button></p>
                        <FormError error=last_error(check.value())/>
                        {move || report.get().map(|r| view! { <CsrReportView report=r/> })}
                    })}
                }.into_any(),
                4 => view! {
                    <h2>"Domain control validation"</h2>
                    <p class="muted">"Choose how each domain proves it is yours. You can change the method on the order's page until the certificate is issued."</p>
                    <div class="table-wrap"><table>
                        <thead><tr><th scope="col">"Domain"</th><th scope="col">"Method"</th><th scope="col">"E-mail to"</th></tr></thead>
                        <tbody>
                            {move || dcv.get().into_iter().enumerate().map(|(i, (name, method, mailbox))| {
                                let server = product().is_some_and(|p| p.profile.is_server());
                                let wildcard = wildcard_at(&name_list(), &name);
                                let label = format!("Method for {name}");
                                let mlabel = format!("Address for {name}");
                                view! {
                                    <tr>
                                        <td>{name.clone()}</td>
                                        <td><select aria-label=label on:change=move |ev| {
                                            let m = DcvMethod::parse(&event_target_value(&ev)).unwrap_or(DcvMethod::Dns);
                                            dcv.update(|d| d[i].1 = m);
                                        }>
                                            {DcvMethod::ALL.into_iter().filter(|m| if server { !(wildcard && *m == DcvMethod::Http) } else { *m == DcvMethod::Email }).map(|m| {
                                                view! { <option value=m.as_str() selected=m == method>{m.label()}</option> }
                                            }).collect_view()}
                                        </select></td>
                                        <td>{(method == DcvMethod::Email && server).then(|| view! {
                                            <select aria-label=mlabel on:change=move |ev| { let v = event_target_value(&ev); dcv.update(|d| d[i].2 = v); }>
                                                {DCV_MAILBOXES.iter().map(|m| view! { <option value=*m selected=*m == mailbox>{format!("{m}@{name}")}</option> }).collect_view()}
                                            </select>
                                        })}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any(),
                _ => view! {
                    <h2>"Summary"</h2>
                    <dl class="facts">
                        <dt>"Product"</dt><dd>{move || product().map(|p| p.name)}</dd>
                        <dt>"Validity"</dt><dd>{move || format!("{} days", validity.get())}</dd>
                        <dt>"Organisation"</dt><dd>{move || client().map(|c| c.organisation.name)}</dd>
                        <dt>"Names"</dt><dd>{move || name_list().join(", ")}</dd>
                        <dt>"CSR"</dt><dd>{move || match csr_mode.get() {
                            CsrMode::Later => "to be submitted later".to_string(),
                            _ => report.get().map(|r| r.key).unwrap_or_default(),
                        }}</dd>
                        <dt>"Validation"</dt><dd>{move || dcv.get().iter().map(|(n, m, _)| format!("{n}: {}", m.label())).collect::<Vec<_>>().join("; ")}</dd>
                        <dt>"Technical contact"</dt><dd>{move || { let t = technical.get(); format!("{} <{}>", t.name, t.email) }}</dd>
                    </dl>
                }.into_any(),
            }}
            <div class="actions wizard-nav">
                {move || (step.get() > 0).then(|| view! { <button type="button" class="secondary" on:click=back>"Back"</button> })}
                {move || if step.get() + 1 < STEPS.len() {
                    view! { <button type="button" on:click=next>"Next"</button> }.into_any()
                } else {
                    view! { <button type="button" on:click=submit disabled=move || place.pending().get()>"Submit order"</button> }.into_any()
                }}
            </div>
        </section>
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

// --- The status page ---------------------------------------------------------------------------------------------

#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let refresh = RwSignal::new(0u32);
    let order = Resource::new(move || (id(), refresh.get()), |(id, _)| get_order(id));
    view! {
        <Title text="Order"/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match order.await {
                    Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                    Ok(o) => view! { <OrderStatusView order=o refresh=Some(refresh)/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The read-only page behind a tracking link.
#[component]
pub fn TrackPage() -> impl IntoView {
    let params = use_params_map();
    let order = Resource::new(move || params.with(|p| p.get("token").unwrap_or_default()), track_order);
    view! {
        <Title text="Order status"/>
        <main class="public-page">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match order.await {
                        Err(_) => view! { <h1>"This tracking link is not valid"</h1><p>"Ask the person who sent it for a new one."</p> }.into_any(),
                        Ok(o) => view! { <OrderStatusView order=o refresh=None/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn OrderStatusView(order: OrderView, refresh: Option<RwSignal<u32>>) -> impl IntoView {
    let actions = order.actions.clone();
    let id = order.id.clone();
    let bump = move || {
        if let Some(r) = refresh {
            r.update(|n| *n += 1);
        }
    };
    let check = ServerAction::<CheckOrderDcv>::new();
    let set_dcv = ServerAction::<SetOrderDcv>::new();
    let approve = ServerAction::<ApproveOrder>::new();
    let reject = ServerAction::<RejectOrder>::new();
    let cancel = ServerAction::<CancelOrder>::new();
    let submit = ServerAction::<SubmitOrderCsr>::new();
    let invite = ServerAction::<InviteCsr>::new();
    let errors = Signal::derive(move || {
        last_error(check.value())
            .get()
            .or_else(|| last_error(set_dcv.value()).get())
            .or_else(|| last_error(approve.value()).get())
            .or_else(|| last_error(reject.value()).get())
            .or_else(|| last_error(cancel.value()).get())
            .or_else(|| last_error(submit.value()).get())
            .or_else(|| last_error(invite.value()).get())
    });
    Effect::new(move |_| {
        let done = [
            check.version().get(),
            set_dcv.version().get(),
            approve.version().get(),
            reject.version().get(),
            cancel.version().get(),
            submit.version().get(),
            invite.version().get(),
        ];
        if done.iter().any(|v| *v > 0) && errors.get_untracked().is_none() {
            bump();
        }
    });
    let csr_text = RwSignal::new(String::new());
    let cert = order.certificate.clone();
    let server = order.profile.is_server();
    let names = order.names.clone();
    view! {
        <h1>{format!("Order {}", order.number)}" "{status_badge(order.status)}</h1>
        <FormError error=errors/>
        {order.failure.clone().map(|f| view! { <div class="notice bad" role="alert">{f}</div> })}
        {order.reason.clone().map(|r| view! { <div class="notice">{format!("Reason: {r}")}</div> })}
        <section class="panel">
            <h2>"Progress"</h2>
            <ol class="progress">
                {order.progress.iter().map(|s| {
                    let class = match s.state { StepState::Done => "done", StepState::Current => "current", StepState::Failed => "failed", StepState::Skipped => "skipped", StepState::Waiting => "waiting" };
                    view! { <li class=class><strong>{s.label.clone()}</strong><span class="small">{s.detail.clone()}</span></li> }
                }).collect_view()}
            </ol>
        </section>
        {cert.clone().map(|c| view! {
            <section class="panel">
                <h2>"Certificate"</h2>
                <dl class="facts">
                    <dt>"Serial number"</dt><dd class="mono">{c.serial.clone()}</dd>
                    <dt>"Names"</dt><dd>{c.names.join(", ")}</dd>
                    <dt>"Valid"</dt><dd>{format!("{} to {}", when(&c.not_before), when(&c.not_after))}</dd>
                </dl>
                {refresh.is_some().then(|| view! {
                    <p class="downloads">"Download: "
                        <a href=format!("/_app/downloads/{}/pem", c.id) download>"Certificate (PEM)"</a>" · "
                        <a href=format!("/_app/downloads/{}/chain", c.id) download>"Full chain (PEM)"</a>" · "
                        <a href=format!("/_app/downloads/{}/cer", c.id) download>"DER (.cer)"</a>" · "
                        <a href=format!("/_app/downloads/{}/p7b", c.id) download>"PKCS#7 (.p7b)"</a>" · "
                        <a href=format!("/_app/downloads/{}/root", c.id) download>"Root CA"</a>
                    </p>
                })}
                <details><summary>"Certificate in PEM"</summary><pre class="mono">{c.pem.clone()}</pre></details>
                {refresh.is_some().then(|| view! {
                    <details class="p12"><summary>"Make a .p12 / .pfx file with your private key"</summary>
                        <Pkcs12Export chain_url=format!("/_app/downloads/{}/chain", c.id) name=c.names.first().cloned().unwrap_or_default()/>
                    </details>
                })}
            </section>
        })}
        <section class="panel">
            <h2>"Order"</h2>
            <dl class="facts">
                <dt>"Organisation"</dt><dd>{order.client_name.clone()}</dd>
                <dt>"Product"</dt><dd>{format!("{} ({})", order.product_name, order.profile.label())}</dd>
                <dt>"Validity"</dt><dd>{format!("{} days", order.validity_days)}</dd>
                <dt>"Names"</dt><dd>{order.names.join(", ")}</dd>
                <dt>"Corporate contact"</dt><dd>{format!("{} <{}>", order.parties.corporate.name, order.parties.corporate.email)}</dd>
                <dt>"Technical contact"</dt><dd>{format!("{} <{}>", order.parties.technical.name, order.parties.technical.email)}</dd>
                <dt>"Placed"</dt><dd>{format!("{} by {}", when(&order.created_at), order.created_by)}</dd>
                {order.tracking_path.clone().map(|p| view! {
                    <dt>"Tracking link"</dt><dd><a href=p.clone()>{p.clone()}</a><span class="hint">" Read-only; anyone with the link can follow the order."</span></dd>
                })}
            </dl>
        </section>
        {actions.submit_csr.then(|| {
            let id = id.clone();
            let id2 = id.clone();
            let late_mode = RwSignal::new(CsrMode::Paste);
            let subject = subject_for(&order.parties.organisation, &order.names);
            let (names, key_types) = (order.names.clone(), order.key_types.clone());
            let on_csr = Callback::new(move |pem: String| { submit.dispatch(SubmitOrderCsr { id: id2.clone(), csr: pem }); });
            view! {
                <section class="panel">
                    <h2>"Submit the CSR"</h2>
                    <fieldset class="choices">
                        <legend>"How do you provide the CSR?"</legend>
                        <label><input type="radio" name="late-csr-mode" checked=move || late_mode.get() == CsrMode::Paste on:change=move |_| late_mode.set(CsrMode::Paste)/>" Paste it"</label>
                        <label><input type="radio" name="late-csr-mode" checked=move || late_mode.get() == CsrMode::Browser on:change=move |_| late_mode.set(CsrMode::Browser)/>" Generate the key and CSR in my browser"</label>
                    </fieldset>
                    {move || match late_mode.get() {
                        CsrMode::Browser => view! {
                            <KeyMaker subject=subject.clone() names=names.clone() key_types=key_types.clone() on_csr=on_csr hand_label="Submit this CSR"/>
                        }.into_any(),
                        _ => {
                            let id = id.clone();
                            view! {
                                <div class="field"><label for="f-late-csr">"CSR"</label>
                                    <textarea id="f-late-csr" class="mono" rows="10" placeholder="-----BEGIN CERTIFICATE REQUEST-----"
                                        prop:value=move || csr_text.get() on:input=move |ev| csr_text.set(event_target_value(&ev))></textarea></div>
                                <p class="actions"><button type="button" on:click=move |_| { submit.dispatch(SubmitOrderCsr { id: id.clone(), csr: csr_text.get() }); }>"Submit CSR"</button></p>
                            }.into_any()
                        }
                    }}
                </section>
            }
        })}
        {actions.invite.then(|| {
            let id = id.clone();
            let email = RwSignal::new(String::new());
            let name = RwSignal::new(String::new());
            view! {
                <section class="panel">
                    <h2>"Ask someone else for the CSR"</h2>
                    <p class="muted">"Send a link to the person who runs the server. Without an account, they see what is ordered, make their own key and CSR in their browser, and the order continues. The link works once and expires after 7 days."</p>
                    <div class="form-grid">
                        <div class="field"><label for="f-invite-name">"Their name"</label>
                            <input id="f-invite-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></div>
                        <div class="field"><label for="f-invite-email">"Their e-mail"</label>
                            <input id="f-invite-email" type="email" prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/></div>
                    </div>
                    <p class="actions"><button type="button" disabled=move || invite.pending().get()
                        on:click=move |_| { invite.dispatch(InviteCsr { id: id.clone(), email: email.get(), name: name.get() }); }>"Send the invitation link"</button></p>
                </section>
            }
        })}
        {(!order.invitations.is_empty()).then(|| view! {
            <section class="panel">
                <h2>"Invitation links"</h2>
                <div class="table-wrap"><table>
                    <thead><tr><th scope="col">"Sent to"</th><th scope="col">"By"</th><th scope="col">"Sent"</th><th scope="col">"State"</th></tr></thead>
                    <tbody>
                        {order.invitations.iter().map(|i| view! {
                            <tr>
                                <td>{format!("{} <{}>", i.name, i.email)}</td>
                                <td>{i.invited_by.clone()}</td>
                                <td>{when(&i.created_at)}</td>
                                <td>{match i.state {
                                    InvitationState::Open => format!("waiting (until {})", when(&i.expires_at)),
                                    InvitationState::Used => format!("used {}", i.used_at.as_ref().map(when).unwrap_or_default()),
                                    InvitationState::Expired => "expired".to_string(),
                                    InvitationState::Closed => "no longer needed".to_string(),
                                }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
            </section>
        })}
        {order.csr_report.clone().map(|r| view! { <section class="panel"><h2>"CSR checks"</h2><CsrReportView report=r/></section> })}
        <section class="panel">
            <h2>"Domain validation"</h2>
            <div class="table-wrap"><table>
                <thead><tr><th scope="col">"Domain"</th><th scope="col">"Method"</th><th scope="col">"Status"</th><th scope="col">"What to do"</th></tr></thead>
                <tbody>
                    {order.dcv.iter().cloned().map(|d| {
                        let id = id.clone();
                        let status = match d.status { DcvStatus::Valid => "Validated", DcvStatus::Pending => "Waiting", DcvStatus::Failed => "Failed" };
                        let pending = d.status != DcvStatus::Valid;
                        let change = actions.change_dcv && pending;
                        let name = d.name.clone();
                        // BR 3.2.2.4.18: a wildcard's base domain cannot be validated by an HTTP file.
                        let wildcard = wildcard_at(&names, &d.name);
                        let instructions = match d.method {
                            DcvMethod::Http => view! {
                                <p>"Publish a file at "<code>{d.http_url.clone()}</code>" containing exactly:"</p>
                                <pre class="mono">{d.token.clone()}</pre>
                            }.into_any(),
                            DcvMethod::Dns => view! {
                                <p>"Create a TXT record "<code>{d.dns_name.clone()}</code>" with the value:"</p>
                                <pre class="mono">{d.token.clone()}</pre>
                            }.into_any(),
                            DcvMethod::Email => view! {
                                <p>{match &d.email_to { Some(to) => format!("An approval link was e-mailed to {to}; it works for 24 hours."), None => String::new() }}</p>
                            }.into_any(),
                        };
                        view! {
                            <tr>
                                <td>{d.name.clone()}</td>
                                <td>{d.method.label()}</td>
                                <td>{status}{d.reused.then_some(" (reused)")}
                                    {d.last_error.clone().filter(|_| pending).map(|e| view! { <br/><span class="small error-text">{e}</span> })}</td>
                                <td>{pending.then_some(instructions)}
                                    {change.then(|| {
                                        let label = format!("New method for {name}");
                                        let name2 = name.clone();
                                        let id2 = id.clone();
                                        let choice = RwSignal::new(d.method);
                                        let mailbox = RwSignal::new("admin".to_string());
                                        view! {
                                            <details><summary>"Change method"</summary>
                                                <select aria-label=label on:change=move |ev| choice.set(DcvMethod::parse(&event_target_value(&ev)).unwrap_or(DcvMethod::Dns))>
                                                    {DcvMethod::ALL.into_iter().filter(|m| if server { !(wildcard && *m == DcvMethod::Http) } else { *m == DcvMethod::Email }).map(|m| view! { <option value=m.as_str() selected=m == d.method>{m.label()}</option> }).collect_view()}
                                                </select>
                                                {server.then(|| view! {
                                                    <select aria-label=format!("Address for {}", name2.clone()) on:change=move |ev| mailbox.set(event_target_value(&ev))>
                                                        {d.email_choices.iter().zip(DCV_MAILBOXES).map(|(full, local)| view! { <option value=local>{full.clone()}</option> }).collect_view()}
                                                    </select>
                                                })}
                                                <button type="button" on:click=move |_| { set_dcv.dispatch(SetOrderDcv { id: id2.clone(), name: name.clone(), method: choice.get(), mailbox: mailbox.get() }); }>"Use this method"</button>
                                            </details>
                                        }
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></div>
            {actions.change_dcv.then(|| {
                let id = id.clone();
                view! { <p class="actions"><button type="button" on:click=move |_| { check.dispatch(CheckOrderDcv { id: id.clone() }); } disabled=move || check.pending().get()>"Check now"</button>
                    <span class="hint">" Signet also re-checks every minute."</span></p> }
            })}
        </section>
        {(actions.approve || actions.cancel).then(|| {
            let reason = RwSignal::new(String::new());
            let (id1, id2, id3) = (id.clone(), id.clone(), id.clone());
            view! {
                <section class="panel">
                    <h2>"Decision"</h2>
                    <div class="field"><label for="f-reason">"Reason (for rejecting or cancelling)"</label>
                        <input id="f-reason" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/></div>
                    <p class="actions">
                        {actions.approve.then(|| view! {
                            <button type="button" on:click=move |_| { approve.dispatch(ApproveOrder { id: id1.clone() }); }>"Approve"</button>
                            <button type="button" class="danger" on:click=move |_| { reject.dispatch(RejectOrder { id: id2.clone(), reason: reason.get() }); }>"Reject"</button>
                        })}
                        {actions.cancel.then(|| view! {
                            <button type="button" class="secondary" on:click=move |_| { cancel.dispatch(CancelOrder { id: id3.clone(), reason: reason.get() }); }>"Cancel order"</button>
                        })}
                    </p>
                </section>
            }
        })}
        <section class="panel">
            <h2>"History"</h2>
            <ul class="events">
                {order.events.iter().map(|e| view! { <li><span class="small">{when(&e.at)}</span>" "<strong>{e.kind.clone()}</strong>" "{e.detail.clone()}<span class="small">{format!(" — {}", e.actor)}</span></li> }).collect_view()}
            </ul>
        </section>
    }
}

// --- E-mail validation link ----------------------------------------------------------------------------------------

#[component]
pub fn EmailDcvPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let confirm = ServerAction::<ConfirmEmailDcv>::new();
    let info = Resource::new(move || (token(), confirm.version().get()), |(t, _)| get_email_dcv_info(t));
    view! {
        <Title text="Confirm domain control"/>
        <main class="public-page">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match info.await {
                        Err(_) => view! { <h1>"This link is not valid"</h1><p>"It may have been mistyped. Ask for a new validation e-mail from the order's page."</p> }.into_any(),
                        Ok(i) if i.state == "valid" => view! { <h1>"Thank you"</h1><p>{format!("Control of {} is confirmed for order {}.", i.domain, i.order_number)}</p> }.into_any(),
                        Ok(i) if i.state == "expired" => view! { <h1>"This link has expired"</h1><p>{format!("Links work for 24 hours. Ask {} for a new one from the order's page.", i.organisation)}</p> }.into_any(),
                        Ok(i) => view! {
                            <h1>{format!("Confirm the certificate for {}", i.domain)}</h1>
                            <p>{format!("{} ordered a certificate (order {}) for: {}.", i.organisation, i.order_number, i.names.join(", "))}</p>
                            <p>{format!("This message went to {}. Confirm only if you are responsible for {} and expect this certificate.", i.sent_to, i.domain)}</p>
                            <p class="actions"><button type="button" on:click=move |_| { confirm.dispatch(ConfirmEmailDcv { token: token() }); }>"I confirm"</button></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

// --- CSR invitation link ----------------------------------------------------------------------------------------

/// The page behind an invitation link: someone without an account makes the key and CSR for an order.
#[component]
pub fn CsrInvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let info = Resource::new(token, get_invitation);
    let submit = ServerAction::<SubmitInvitationCsr>::new();
    view! {
        <Title text="Make your key and CSR"/>
        <main class="public-page">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match info.await {
                        Err(_) => view! { <h1>"This link is not valid"</h1><p>"It may have been mistyped. Ask the person who sent it for a new one."</p> }.into_any(),
                        Ok(i) => match i.state {
                            InvitationState::Used => view! { <h1>"This invitation link has already been used"</h1>
                                <p>{format!("A CSR was handed in with it for order {}. Links work once; if you need to make a new key, ask {} ({}) for a new link.", i.order_number, i.invited_by, i.invited_by_email)}</p> }.into_any(),
                            InvitationState::Expired => view! { <h1>"This invitation link has expired"</h1>
                                <p>{format!("Links work for 7 days. Ask {} ({}) for a new one.", i.invited_by, i.invited_by_email)}</p> }.into_any(),
                            InvitationState::Closed => view! { <h1>"This order no longer needs a CSR"</h1>
                                <p>{format!("Order {} has its CSR already, or was cancelled. Nothing is left to do here.", i.order_number)}</p> }.into_any(),
                            InvitationState::Open => {
                                let subject = subject_for(&i.organisation, &i.names);
                                let on_csr = Callback::new(move |csr: String| { submit.dispatch(SubmitInvitationCsr { token: token(), csr }); });
                                view! {
                                    <h1>{format!("Make the key and CSR for order {}", i.order_number)}</h1>
                                    <p>{format!("{} asks you, {}, for the certificate signing request (CSR) of this order.", i.invited_by, i.invited_name)}</p>
                                    <dl class="facts">
                                        <dt>"Organisation"</dt><dd>{i.organisation.name.clone()}</dd>
                                        <dt>"Product"</dt><dd>{i.product_name.clone()}</dd>
                                        <dt>"Names"</dt><dd>{i.names.join(", ")}</dd>
                                        <dt>"Link valid until"</dt><dd>{when(&i.expires_at)}</dd>
                                    </dl>
                                    {move || match submit.value().get() {
                                        Some(Ok(r)) if r.accepted => view! {
                                            <div class="notice ok" role="status"><p><strong>"Thank you: the CSR is with the order."</strong>" Keep your key file and its password; you will need them to install the certificate."</p></div>
                                        }.into_any(),
                                        Some(Ok(r)) => view! { <CsrReportView report=r/> }.into_any(),
                                        Some(Err(e)) => view! { <div class="notice bad" role="alert">{e.to_string()}</div> }.into_any(),
                                        None => ().into_any(),
                                    }}
                                    <section class="panel">
                                        <KeyMaker subject=subject names=i.names.clone() key_types=i.key_types.clone() on_csr=on_csr hand_label="Send the CSR"/>
                                    </section>
                                }.into_any()
                            }
                        },
                    }
                })}
            </Suspense>
        </main>
    }
}
