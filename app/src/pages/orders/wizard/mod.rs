//! The order wizard, in CERTInext's steps: product, organisation and contacts, domains, CSR, domain
//! validation, summary.

use super::*;

const STEPS: [&str; 6] = ["Product", "Organisation and contacts", "Domains", "CSR", "Domain validation", "Summary"];

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
