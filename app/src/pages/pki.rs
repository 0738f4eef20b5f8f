//! The operator's certificate authority and products.

use crate::api::{ca::*, products::*};
use crate::components::{described_by, field_error, last_error, succeeded, when, Field, FieldFrame, FormError, Saved};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CaPage() -> impl IntoView {
    let root = ServerAction::<CreateRootCa>::new();
    let inter = ServerAction::<CreateIssuingCa>::new();
    let import = ServerAction::<ImportCa>::new();
    let arl = ServerAction::<SignRootCrl>::new();
    let revoke = ServerAction::<RevokeIssuingCa>::new();
    let data = Resource::new(
        move || {
            (
                root.version().get(),
                inter.version().get(),
                import.version().get(),
                arl.version().get(),
                revoke.version().get(),
            )
        },
        |_| get_ca_overview(),
    );
    view! {
        <Title text="Certificate authority"/>
        <h1>"Certificate authority"</h1>
        <FormError error=last_error(inter.value())/>
        <FormError error=last_error(revoke.value())/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                    Ok(o) => {
                        let has_root = o.cas.iter().any(|c| c.kind == "root");
                        view! {
                            <CaHierarchy cas=o.cas revoke=revoke/>
                            {has_root.then(|| view! { <RootCrl validity=o.arl action=arl/> })}
                            {(has_root && !o.issuers_without_ca.is_empty()).then(|| view! {
                                <IssuersWithoutCa issuers=o.issuers_without_ca action=inter/>
                            })}
                            {(!has_root).then(|| view! { <CreateRoot action=root/> })}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
        <ImportCaPanel action=import data=data/>
    }
}

#[component]
fn CaHierarchy(cas: Vec<CaInfo>, revoke: ServerAction<RevokeIssuingCa>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Hierarchy"</h2>
            {if cas.is_empty() {
                view! { <p class="empty">"No CA yet: create the root below, or import an existing one."</p> }.into_any()
            } else {
                view! { <div class="table-wrap"><table>
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Kind"</th><th scope="col">"Key"</th><th scope="col">"Valid"</th><th scope="col">"Files"</th></tr></thead>
                    <tbody>{cas.into_iter().map(|c| view! {
                        <tr>
                            <td><strong>{c.name.clone()}</strong><br/><span class="small">{c.subject.clone()}</span>
                                <br/><span class="small mono">{format!("SHA-256 {}", c.fingerprint)}</span></td>
                            <td>{match c.kind.as_str() {
                                "root" => "Root".to_string(),
                                "smime" => format!("S/MIME issuing CA of {}", c.issuer_name.clone().unwrap_or_default()),
                                _ => format!("TLS issuing CA of {}", c.issuer_name.clone().unwrap_or_default()),
                            }}
                                {c.imported.then_some(" (imported)")}</td>
                            <td>{c.key_alg.clone()}</td>
                            <td class="small">{format!("{} to {}", when(&c.not_before), when(&c.not_after))}</td>
                            <td><a href=format!("/pki/{}.crt", c.slug)>{format!("{}.crt", c.slug)}</a><br/><a href=format!("/pki/{}.crl", c.slug)>{format!("{}.crl", c.slug)}</a>
                                {(c.kind != "root").then(|| view! { <RevokeCa ca=c.clone() action=revoke/> })}</td>
                        </tr>
                    }).collect_view()}</tbody>
                </table></div> }.into_any()
            }}
        </section>
    }
}

#[component]
fn IssuersWithoutCa(issuers: Vec<(String, String)>, action: ServerAction<CreateIssuingCa>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Issuers without their issuing CAs"</h2>
            <ul>{issuers.into_iter().map(|(id, name)| view! {
                <li>{name.clone()}" "<button type="button" on:click=move |_| { action.dispatch(CreateIssuingCa { issuer_id: id.clone() }); }>{format!("Create issuing CA for {name}")}</button></li>
            }).collect_view()}</ul>
            <p class="muted">"ECDSA P-256, 5 years, signed by the root, path length 0: one CA for TLS server and client certificates, one for S/MIME (the Baseline Requirements keep the two apart). The button creates whichever the issuer lacks."</p>
        </section>
    }
}

#[component]
fn CreateRoot(action: ServerAction<CreateRootCa>) -> impl IntoView {
    let error = last_error(action.value());
    view! {
        <section class="panel">
            <h2>"Create the root CA"</h2>
            <p class="muted">"ECDSA P-384, 20 years, path length 1. Its key is encrypted with the master key and never leaves the server."</p>
            <Saved done=succeeded(action.value()) text="The root CA was created."/>
            <FormError error=error/>
            <ActionForm action=action>
                <div class="form-grid">
                    <Field label="Common name" name="common_name" required=true value="Signet Root CA" error=field_error(error, "common_name")/>
                    <Field label="Organisation" name="organisation"/>
                </div>
                <div class="actions"><button type="submit">"Create root CA"</button></div>
            </ActionForm>
        </section>
    }
}

/// Importing a root or an issuing CA; `data` gives the issuers that still lack one.
#[component]
fn ImportCaPanel(
    action: ServerAction<ImportCa>,
    data: Resource<Result<CaOverview, crate::error::AppError>>,
) -> impl IntoView {
    let error = last_error(action.value());
    view! {
        <section class="panel">
            <h2>"Import an existing CA"</h2>
            <p class="muted">"A root (self-signed) or an issuer's issuing CA signed by Signet's root. The key in PEM: PKCS#8, plain or encrypted."</p>
            <Saved done=succeeded(action.value()) text="The CA was imported."/>
            <FormError error=error/>
            <ActionForm action=action>
                <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        // An issuing CA is imported for an issuer that still lacks one.
                        let issuers = data.await.map(|o| o.issuers_without_ca).unwrap_or_default();
                        view! {
                            <FieldFrame id="f-imp-issuer" label="Which CA this is">
                                <select id="f-imp-issuer" name="ca_import[issuer_id]">
                                    <option value="">"The root CA (self-signed)"</option>
                                    {issuers.into_iter().map(|(id, name)| view! {
                                        <option value=id>{format!("An issuing CA of {name}")}</option>
                                    }).collect_view()}
                                </select>
                            </FieldFrame>
                        }
                    })}
                </Suspense>
                <FieldFrame id="f-imp-cert" label="CA certificate (PEM)" error=field_error(error, "cert_pem")>
                    <textarea id="f-imp-cert" class="mono" name="ca_import[cert_pem]" rows="6"
                        aria-describedby=described_by("f-imp-cert", false)></textarea>
                </FieldFrame>
                <FieldFrame id="f-imp-key" label="Private key (PEM)" error=field_error(error, "key_pem")>
                    <textarea id="f-imp-key" class="mono" name="ca_import[key_pem]" rows="6" autocomplete="off"
                        aria-describedby=described_by("f-imp-key", false)></textarea>
                </FieldFrame>
                <Field label="Key password (if encrypted)" name="ca_import[key_password]" kind="password" autocomplete="off" error=field_error(error, "key_password")/>
                <div class="actions"><button type="submit">"Import CA"</button></div>
            </ActionForm>
        </section>
    }
}

/// The root's ARL: signed only here, by the operator, with the root's key; valid for a year.
#[component]
fn RootCrl(
    validity: Option<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>, i64)>,
    action: ServerAction<SignRootCrl>,
) -> impl IntoView {
    // The days left come from the server's clock: the browser's may be wrong (and Wasm has none here).
    let state = match validity {
        None => view! { <p class="notice bad">"The root's CRL was never signed: relying parties cannot check the issuing CAs."</p> }.into_any(),
        Some((signed, until, days_left)) if days_left < 30 => view! {
            <p class="notice warn">{format!("Signed {}; valid until {}. Sign the next one now: after that date the root's CRL is stale.", when(&signed), when(&until))}</p>
        }.into_any(),
        Some((signed, until, _)) => view! { <p>{format!("Signed {}; valid until {}.", when(&signed), when(&until))}</p> }.into_any(),
    };
    view! {
        <section class="panel">
            <h2>"The root's CRL"</h2>
            {state}
            <p class="muted">"It lists revoked issuing CAs. The root's key signs it only when you press the button (and when you create or revoke an issuing CA); Signet reminds operators by e-mail 30 days before it runs out."</p>
            <FormError error=last_error(action.value())/>
            <button type="button" on:click=move |_| { action.dispatch(SignRootCrl {}); }>"Sign the root's CRL"</button>
        </section>
    }
}

/// Revoking an issuing CA, with a reason; final.
#[component]
fn RevokeCa(ca: CaInfo, action: ServerAction<RevokeIssuingCa>) -> impl IntoView {
    if let Some((at, reason)) = ca.revoked.clone() {
        return view! { <br/><span class="badge bad">{format!("Revoked {} ({reason})", when(&at))}</span> }.into_any();
    }
    let reason = RwSignal::new(RevocationReason::Superseded);
    let id = ca.id.clone();
    let select_id = format!("f-revoke-{}", ca.slug);
    view! {
        <details><summary>{format!("Revoke {}", ca.slug)}</summary>
            <label for=select_id.clone()>"Reason"</label>
            <select id=select_id on:change=move |ev| {
                if let Some(r) = RevocationReason::parse(&event_target_value(&ev)) { reason.set(r); }
            }>
                {RevocationReason::ALL.into_iter().filter(|r| *r != RevocationReason::Unspecified).map(|r| view! {
                    <option value=r.as_str() selected=r == RevocationReason::Superseded>{r.label()}</option>
                }).collect_view()}
            </select>
            <button type="button" class="danger" on:click=move |_| {
                action.dispatch(RevokeIssuingCa { ca_id: id.clone(), reason: reason.get_untracked() });
            }>{format!("Revoke {} for good", ca.name)}</button>
        </details>
    }
    .into_any()
}

#[component]
pub fn ProductsPage() -> impl IntoView {
    let save = ServerAction::<SaveProduct>::new();
    let data = Resource::new(move || save.version().get(), |_| list_products());
    view! {
        <Title text="Products"/>
        <h1>"Products"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <section class="panel"><p class="empty">"No products yet."</p></section> }.into_any(),
                    Ok(list) => view! {
                        <section class="panel"><div class="table-wrap"><table>
                            <thead><tr><th scope="col">"Name"</th><th scope="col">"Profile"</th><th scope="col">"Names"</th><th scope="col">"Validity"</th><th scope="col">"Keys"</th><th scope="col">"Approval"</th></tr></thead>
                            <tbody>{list.into_iter().map(|p| view! {
                                <tr>
                                    <td><strong>{p.name.clone()}</strong>{(!p.active).then_some(" (not offered)")}
                                        <details><summary>{format!("Edit {}", p.name)}</summary><ProductForm product=Some(p.clone()) action=save/></details></td>
                                    <td>{p.profile.label()}</td>
                                    <td>{format!("up to {}{}", p.max_names, if p.wildcard { ", wildcards" } else { "" })}</td>
                                    <td>{p.validity_days.iter().map(|d| format!("{d} days")).collect::<Vec<_>>().join(", ")}</td>
                                    <td>{p.key_types.iter().map(|k| k.label()).collect::<Vec<_>>().join(", ")}</td>
                                    <td>{if p.auto_approve { "automatic" } else { "per issuer's approval mode" }}</td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table></div></section>
                    }.into_any(),
                }
            })}
        </Suspense>
        <section class="panel">
            <h2>"New product"</h2>
            <ProductForm product=None action=save/>
        </section>
    }
}

#[component]
fn ProductForm(product: Option<Product>, action: ServerAction<SaveProduct>) -> impl IntoView {
    let error = last_error(action.value());
    let scope = product.as_ref().map(|p| p.id.clone()).unwrap_or_else(|| "new".into());
    let p = product.unwrap_or(Product {
        id: String::new(),
        name: String::new(),
        profile: Profile::ServerDv,
        wildcard: false,
        max_names: 10,
        validity_days: vec![90, 199],
        key_types: KeyType::ALL.to_vec(),
        auto_approve: false,
        active: true,
        renew_before_days: DEFAULT_RENEW_DAYS,
        renew_after_days: DEFAULT_RENEW_DAYS,
        auto_renew_default: false,
    });
    let id = p.id.clone();
    let name = RwSignal::new(p.name.clone());
    let profile = RwSignal::new(p.profile);
    let max_names = RwSignal::new(p.max_names.to_string());
    let days = RwSignal::new(p.validity_days.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "));
    let keys = RwSignal::new(p.key_types.clone());
    let wildcard = RwSignal::new(p.wildcard);
    let auto = RwSignal::new(p.auto_approve);
    let active = RwSignal::new(p.active);
    let before = RwSignal::new(p.renew_before_days.to_string());
    let after = RwSignal::new(p.renew_after_days.to_string());
    let auto_renew = RwSignal::new(p.auto_renew_default);
    let sid = move |f: &str| format!("f-{scope}-{f}");
    // Each id is made once and shared by the frame's label and the control.
    let [name_id, profile_id, max_id, days_id, before_id, after_id] =
        ["name", "profile", "max", "days", "before", "after"].map(sid);
    let e = move |f: &'static str| field_error(error, f);
    let save = move |_| {
        action.dispatch(SaveProduct {
            id: id.clone(),
            product: ProductInput {
                name: name.get(),
                profile: profile.get(),
                wildcard: wildcard.get(),
                max_names: max_names.get().trim().parse().unwrap_or(0),
                validity_days: days.get(),
                key_types: keys.get(),
                auto_approve: auto.get(),
                active: active.get(),
                renew_before_days: before.get().trim().parse().unwrap_or(0),
                renew_after_days: after.get().trim().parse().unwrap_or(u32::MAX),
                auto_renew_default: auto_renew.get(),
            },
        });
    };
    let check = move |label: &'static str, sig: RwSignal<bool>| {
        view! {
            <label><input type="checkbox" prop:checked=move || sig.get() on:change=move |ev| sig.set(event_target_checked(&ev))/>" "{label}</label>
        }
    };
    view! {
        <Saved done=succeeded(action.value()) text="The product was saved."/>
        <FormError error/>
        <div class="form-grid">
            <FieldFrame id=name_id.clone() label="Product name" error=e("name")>
                <input id=name_id.clone() aria-describedby=described_by(&name_id, false)
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            </FieldFrame>
            <FieldFrame id=profile_id.clone() label="Profile">
                <select id=profile_id on:change=move |ev| profile.set(Profile::parse(&event_target_value(&ev)).unwrap_or(Profile::ServerDv))>
                    {Profile::ALL.into_iter().map(|pr| view! { <option value=pr.as_str() selected=pr == p.profile>{pr.label()}</option> }).collect_view()}
                </select>
            </FieldFrame>
            <FieldFrame id=max_id.clone() label="Maximum number of names" error=e("max_names")>
                <input id=max_id.clone() type="number" min="1" max="100" aria-describedby=described_by(&max_id, false)
                    prop:value=move || max_names.get() on:input=move |ev| max_names.set(event_target_value(&ev))/>
            </FieldFrame>
            <FieldFrame id=days_id.clone() label="Validity choices (days, comma-separated)" error=e("validity_days")>
                <input id=days_id.clone() aria-describedby=described_by(&days_id, false)
                    prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev))/>
            </FieldFrame>
            <FieldFrame id=before_id.clone() label="Renewal opens (days before expiry)" error=e("renew_before_days")>
                <input id=before_id.clone() type="number" min="1" max="365" aria-describedby=described_by(&before_id, false)
                    prop:value=move || before.get() on:input=move |ev| before.set(event_target_value(&ev))/>
            </FieldFrame>
            <FieldFrame id=after_id.clone() label="Renewal closes (days after expiry)" error=e("renew_after_days")>
                <input id=after_id.clone() type="number" min="0" max="90" aria-describedby=described_by(&after_id, false)
                    prop:value=move || after.get() on:input=move |ev| after.set(event_target_value(&ev))/>
            </FieldFrame>
        </div>
        <fieldset><legend>"Accepted keys"</legend>
            {KeyType::ALL.into_iter().map(|k| view! {
                <label><input type="checkbox" prop:checked=move || keys.get().contains(&k) on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    keys.update(|ks| { ks.retain(|x| *x != k); if on { ks.push(k); } });
                }/>" "{k.label()}</label>" "
            }).collect_view()}
            <span class="error" role="alert">{move || e("key_types").get()}</span>
        </fieldset>
        <p>{check("Wildcard names allowed", wildcard)}<span class="error" role="alert">{move || e("wildcard").get()}</span></p>
        <p>{check("Approve automatically (skips the issuer's approval mode)", auto)}</p>
        <p>{check("Offered to customers", active)}</p>
        <p>{check("Renew certificates automatically by default (each certificate can turn it off)", auto_renew)}</p>
        <div class="actions"><button type="button" on:click=save>"Save product"</button></div>
    }
}
