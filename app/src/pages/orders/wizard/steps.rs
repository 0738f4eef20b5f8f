//! The wizard's steps, one component each, all reading and changing the same `Wizard`.

use super::*;

#[component]
pub(super) fn ProductStep(w: Wizard) -> impl IntoView {
    let max_days = w.max_days;
    view! {
        <h2>"Product and validity"</h2>
        <div class="form-grid">
            <FieldFrame id="f-product" label="Product">
                <select id="f-product" on:change=move |ev| {
                    w.product_id.set(event_target_value(&ev));
                    if let Some(p) = w.product() { w.validity.set(w.allowed(&p).last().copied().unwrap_or(90)); }
                    w.report.set(None);
                }>
                    {w.products.get_value().into_iter().map(|p| {
                        let id = p.id.clone();
                        view! { <option value=p.id.clone() selected=move || w.product_id.get() == id>{format!("{} — {}", p.name, p.profile.label())}</option> }
                    }).collect_view()}
                </select>
            </FieldFrame>
            <FieldFrame id="f-validity" label="Validity"
                hint=format!("TLS server certificates issued today: at most {max_days} days (CA/Browser Forum).")>
                <select id="f-validity" aria-describedby="f-validity-hint"
                    on:change=move |ev| w.validity.set(event_target_value(&ev).parse().unwrap_or(90))>
                    {move || w.product().map(|p| w.allowed(&p).into_iter().map(|d| {
                        view! { <option value=d.to_string() selected=move || w.validity.get() == d>{format!("{d} days")}</option> }
                    }).collect_view())}
                </select>
            </FieldFrame>
            <FieldFrame id="f-client" label="Organisation">
                <select id="f-client" on:change=move |ev| {
                    w.client_id.set(event_target_value(&ev));
                    let c = w.contact_of(&w.client_id.get_untracked());
                    w.corporate.set(c.clone());
                    w.technical.set(c);
                }>
                    {w.clients.get_value().into_iter().map(|c| {
                        let id = c.id.clone();
                        view! { <option value=c.id.clone() selected=move || w.client_id.get() == id>{c.organisation.name.clone()}</option> }
                    }).collect_view()}
                </select>
            </FieldFrame>
        </div>
        {move || w.product().map(|p| view! {
            <p class="muted">{format!("Keys: {}. Up to {} name(s){}.",
                p.key_types.iter().map(|k| k.label()).collect::<Vec<_>>().join(", "),
                p.max_names,
                if p.wildcard { ", wildcards allowed" } else { "" })}</p>
        })}
    }
}

#[component]
pub(super) fn ContactsStep(w: Wizard) -> impl IntoView {
    view! {
        <h2>"Organisation and contacts"</h2>
        {move || w.client().map(|c| view! {
            <dl class="facts">
                <dt>"Organisation"</dt><dd>{c.organisation.name.clone()}</dd>
                <dt>"Address"</dt><dd>{format!("{}, {} {}, {}", c.organisation.address, c.organisation.postal_code, c.organisation.city, c.organisation.country)}</dd>
                <dt>"Registration number"</dt><dd>{c.organisation.registration_number.clone()}</dd>
            </dl>
        })}
        <ContactFields label="Corporate contact" key="corporate" contact=w.corporate/>
        <ContactFields label="Technical contact (receives the certificate)" key="technical" contact=w.technical/>
        <FieldFrame id="f-notify" label="Also remind about expiry (optional, one address per line)"
            hint="The contacts above get the expiry reminders anyway.">
            <textarea id="f-notify" rows="2" aria-describedby="f-notify-hint" prop:value=move || w.notify.get()
                on:input=move |ev| w.notify.set(event_target_value(&ev))></textarea>
        </FieldFrame>
    }
}

#[component]
fn ContactFields(label: &'static str, key: &'static str, contact: RwSignal<Contact>) -> impl IntoView {
    let (name_id, email_id, phone_id) = (format!("f-{key}-name"), format!("f-{key}-email"), format!("f-{key}-phone"));
    view! {
        <fieldset>
            <legend>{label}</legend>
            <div class="form-grid">
                <FieldFrame id=name_id.clone() label="Name">
                    <input id=name_id prop:value=move || contact.get().name on:input=move |ev| contact.update(|c| c.name = event_target_value(&ev))/>
                </FieldFrame>
                <FieldFrame id=email_id.clone() label="E-mail">
                    <input id=email_id type="email" prop:value=move || contact.get().email on:input=move |ev| contact.update(|c| c.email = event_target_value(&ev))/>
                </FieldFrame>
                <FieldFrame id=phone_id.clone() label="Phone">
                    <input id=phone_id prop:value=move || contact.get().phone on:input=move |ev| contact.update(|c| c.phone = event_target_value(&ev))/>
                </FieldFrame>
            </div>
        </fieldset>
    }
}

#[component]
pub(super) fn NamesStep(w: Wizard) -> impl IntoView {
    let label = move || if w.is_server() { "Domain names (one per line)" } else { "E-mail addresses (one per line)" };
    let hint = move || {
        w.product()
            .map(|p| {
                if p.wildcard {
                    "e.g. shop.example.com and www.shop.example.com; a wildcard is written *.example.com"
                } else {
                    "e.g. shop.example.com and www.shop.example.com"
                }
            })
            .unwrap_or_default()
    };
    view! {
        <h2>"Domains"</h2>
        <FieldFrame id="f-names" label=label hint=hint>
            <textarea id="f-names" rows="4" prop:value=move || w.names.get() on:input=move |ev| { w.names.set(event_target_value(&ev)); w.report.set(None); }></textarea>
        </FieldFrame>
    }
}

#[component]
pub(super) fn CsrStep(w: Wizard) -> impl IntoView {
    let mode = w.csr_mode;
    let choose = move |m: CsrMode| {
        move |_| {
            if m == CsrMode::Browser {
                w.csr.set(String::new());
                w.report.set(None);
            }
            mode.set(m);
        }
    };
    view! {
        <h2>"Certificate signing request (CSR)"</h2>
        <fieldset class="choices">
            <legend>"How do you provide the CSR?"</legend>
            <label><input type="radio" name="csr-mode" checked=move || mode.get() == CsrMode::Browser on:change=choose(CsrMode::Browser)/>" Generate the key and CSR in my browser"</label>
            <label><input type="radio" name="csr-mode" checked=move || mode.get() == CsrMode::Paste on:change=choose(CsrMode::Paste)/>" Paste it"</label>
            <label><input type="radio" name="csr-mode" checked=move || mode.get() == CsrMode::Upload on:change=choose(CsrMode::Upload)/>" Upload a file (.csr, .pem, .der)"</label>
            <label><input type="radio" name="csr-mode" checked=move || mode.get() == CsrMode::Later on:change=choose(CsrMode::Later)/>" Skip: submit the CSR later from the order's page"</label>
        </fieldset>
        {move || (mode.get() == CsrMode::Upload).then(|| view! {
            <FieldFrame id="f-csr-file" label="CSR file">
                <input id="f-csr-file" type="file" accept=".csr,.pem,.der,.req,.txt" on:change=move |ev| read_csr_file(w, ev)/>
            </FieldFrame>
        })}
        {move || (mode.get() == CsrMode::Browser).then(|| view! { <BrowserCsr w=w/> })}
        {move || matches!(mode.get(), CsrMode::Paste | CsrMode::Upload).then(|| view! {
            <FieldFrame id="f-csr" label="CSR">
                <textarea id="f-csr" class="mono" rows="10" placeholder="-----BEGIN CERTIFICATE REQUEST-----"
                    prop:value=move || w.csr.get() on:input=move |ev| { w.csr.set(event_target_value(&ev)); w.report.set(None); }></textarea>
            </FieldFrame>
            <p class="actions"><button type="button" on:click=move |_| {
                w.check.dispatch(CheckCsr { client_id: w.client_id.get(), product_id: w.product_id.get(), names: w.name_list().join("\n"), csr: w.csr.get() });
            }>"Check CSR"</button></p>
            <FormError error=last_error(w.check.value())/>
            {move || w.report.get().map(|r| view! { <CsrReportView report=r/> })}
        })}
    }
}

/// The key and CSR made in the browser for the order's names and organisation.
#[component]
fn BrowserCsr(w: Wizard) -> impl IntoView {
    // Read without tracking: handing the CSR on sets `csr` and `report`, which must not re-create the
    // generator (and lose the key file the user has not saved yet).
    let order_names = untrack(|| w.name_list());
    let org = untrack(|| w.client()).map(|c| c.organisation).unwrap_or_default();
    let key_types = untrack(|| w.product()).map(|p| p.key_types).unwrap_or_default();
    let on_csr = Callback::new(move |pem: String| {
        w.csr.set(pem.clone());
        w.report.set(None);
        let names = untrack(|| w.name_list()).join("\n");
        w.check.dispatch(CheckCsr {
            client_id: w.client_id.get_untracked(),
            product_id: w.product_id.get_untracked(),
            names,
            csr: pem,
        });
    });
    view! {
        <KeyMaker subject=subject_for(&org, &order_names) names=order_names key_types=key_types on_csr=on_csr/>
        <FormError error=last_error(w.check.value())/>
        {move || w.report.get().map(|r| view! { <CsrReportView report=r/> })}
    }
}

/// A CSR file chosen in the upload field: PEM is shown as text, DER stays base64 (the server reads both).
fn read_csr_file(w: Wizard, ev: leptos::ev::Event) {
    #[cfg(feature = "hydrate")]
    {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        if file.size() > 64.0 * 1024.0 {
            w.local_error.set(Some("This file is larger than any CSR.".into()));
            return;
        }
        crate::components::read_data_url(&file, move |url| {
            let payload = url.split_once("base64,").map(|(_, b)| b.to_string()).unwrap_or_default();
            let text = web_sys::window()
                .and_then(|w| w.atob(&payload).ok())
                .filter(|t| t.contains("-----BEGIN"))
                .unwrap_or(payload);
            w.csr.set(text);
            w.report.set(None);
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (w, ev);
}

#[component]
pub(super) fn DcvStep(w: Wizard) -> impl IntoView {
    view! {
        <h2>"Domain control validation"</h2>
        <p class="muted">"Choose how each domain proves it is yours. You can change the method on the order's page until the certificate is issued."</p>
        <div class="table-wrap"><table>
            <thead><tr><th scope="col">"Domain"</th><th scope="col">"Method"</th><th scope="col">"E-mail to"</th></tr></thead>
            <tbody>
                {move || w.dcv.get().into_iter().enumerate().map(|(i, (name, method, mailbox))| {
                    let server = w.is_server();
                    let wildcard = wildcard_at(&w.name_list(), &name);
                    let label = format!("Method for {name}");
                    let mlabel = format!("Address for {name}");
                    view! {
                        <tr>
                            <td>{name.clone()}</td>
                            <td><select aria-label=label on:change=move |ev| {
                                let m = DcvMethod::parse(&event_target_value(&ev)).unwrap_or(DcvMethod::Dns);
                                w.dcv.update(|d| d[i].1 = m);
                            }>
                                {DcvMethod::ALL.into_iter().filter(|m| if server { !(wildcard && *m == DcvMethod::Http) } else { *m == DcvMethod::Email }).map(|m| {
                                    view! { <option value=m.as_str() selected=m == method>{m.label()}</option> }
                                }).collect_view()}
                            </select></td>
                            <td>{(method == DcvMethod::Email && server).then(|| view! {
                                <select aria-label=mlabel on:change=move |ev| { let v = event_target_value(&ev); w.dcv.update(|d| d[i].2 = v); }>
                                    {DCV_MAILBOXES.iter().map(|m| view! { <option value=*m selected=*m == mailbox>{format!("{m}@{name}")}</option> }).collect_view()}
                                </select>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

#[component]
pub(super) fn SummaryStep(w: Wizard) -> impl IntoView {
    view! {
        <h2>"Summary"</h2>
        <dl class="facts">
            <dt>"Product"</dt><dd>{move || w.product().map(|p| p.name)}</dd>
            <dt>"Validity"</dt><dd>{move || format!("{} days", w.validity.get())}</dd>
            <dt>"Organisation"</dt><dd>{move || w.client().map(|c| c.organisation.name)}</dd>
            <dt>"Names"</dt><dd>{move || w.name_list().join(", ")}</dd>
            <dt>"CSR"</dt><dd>{move || match w.csr_mode.get() {
                CsrMode::Later => "to be submitted later".to_string(),
                _ => w.report.get().map(|r| r.key).unwrap_or_default(),
            }}</dd>
            <dt>"Validation"</dt><dd>{move || w.dcv.get().iter().map(|(n, m, _)| format!("{n}: {}", m.label())).collect::<Vec<_>>().join("; ")}</dd>
            <dt>"Technical contact"</dt><dd>{move || { let t = w.technical.get(); format!("{} <{}>", t.name, t.email) }}</dd>
        </dl>
    }
}
