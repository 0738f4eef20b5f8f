//! ACME: the external account bindings an issuer's admins hand to their clients' servers (as CERTInext's ACME
//! accounts with EAB: a key ID and an HMAC key per binding), and the ACME accounts registered with each.

use crate::api::acme::{load_acme_overview, CreateAcmeBinding, RevokeAcmeBinding};
use crate::api::orders::get_order_setup;
use crate::components::{described_by, field_error, last_error, when, Field, FieldFrame, FormError};
use crate::model::{AcmeBindingCreated, AcmeBindingInfo};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AcmePage() -> impl IntoView {
    let create = ServerAction::<CreateAcmeBinding>::new();
    let revoke = ServerAction::<RevokeAcmeBinding>::new();
    let overview = Resource::new(move || (create.version().get(), revoke.version().get()), |_| load_acme_overview());
    view! {
        <Title text="ACME"/>
        <h1>"ACME"</h1>
        <p class="muted">"Servers of your clients order and renew their own TLS certificates over ACME (certbot, lego, acme.sh …). Each server registers with a binding: a key ID and an HMAC key, made here for one client and its products. Their orders, certificates and revocations appear under the client like any other."</p>
        {move || create.value().get().and_then(|r| r.ok()).map(|created| view! { <NewBinding created/> })}
        <CreateBinding action=create/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                    Ok(o) => view! {
                        <section class="panel">
                            <h2>"Bindings"</h2>
                            <p>"Directory URL: " <code data-testid="acme-directory">{o.directory_url.clone()}</code></p>
                            <BindingList bindings=o.bindings revoke/>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The key ID and HMAC key of a new binding, once, with the command that uses them.
#[component]
fn NewBinding(created: AcmeBindingCreated) -> impl IntoView {
    let certbot = format!(
        "certbot certonly --server {} --eab-kid {} --eab-hmac-key {} -d www.example.com --standalone",
        created.directory_url, created.kid, created.hmac_key
    );
    view! {
        <div class="notice good" role="status">
            <p>"The binding was created. Copy the HMAC key now: it is not shown again."</p>
            <dl class="facts">
                <dt>"Key ID"</dt><dd class="mono" data-testid="acme-kid">{created.kid.clone()}</dd>
                <dt>"HMAC key"</dt><dd class="mono" data-testid="acme-hmac">{created.hmac_key.clone()}</dd>
                <dt>"Directory URL"</dt><dd class="mono">{created.directory_url.clone()}</dd>
            </dl>
            <p>"With certbot (use the client's own names with -d):"</p>
            <pre class="mono">{certbot}</pre>
        </div>
    }
}

#[component]
fn CreateBinding(action: ServerAction<CreateAcmeBinding>) -> impl IntoView {
    let setup = Resource::new(|| (), |_| get_order_setup());
    let error = last_error(action.value());
    view! {
        <section class="panel">
            <h2>"New binding"</h2>
            <FormError error/>
            <ActionForm action attr:class="stack">
                <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        let setup = setup.await.ok();
                        let clients = setup.as_ref().map(|s| s.clients.clone()).unwrap_or_default();
                        let products: Vec<_> = setup
                            .map(|s| s.products.into_iter().filter(|p| p.profile.is_server()).collect())
                            .unwrap_or_default();
                        view! {
                            <FieldFrame id="f-acme-client" label="Client" error=field_error(error, "client_id")
                                hint="Its servers may order names of the client's domains (Clients → the client → Domains) and below them.">
                                <select id="f-acme-client" name="binding[client_id]" required
                                    aria-describedby=described_by("f-acme-client", true)>
                                    <option value="">"Choose the client"</option>
                                    {clients.into_iter().map(|c| view! { <option value=c.id>{c.organisation.name}</option> }).collect_view()}
                                </select>
                            </FieldFrame>
                            <FieldFrame id="f-acme-product" label="Product" error=field_error(error, "product_id")
                                hint="What the binding's orders are issued as: validity, key types, wildcards.">
                                <select id="f-acme-product" name="binding[product_id]" required
                                    aria-describedby=described_by("f-acme-product", true)>
                                    {products.into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                                </select>
                            </FieldFrame>
                        }
                    })}
                </Suspense>
                <Field label="Label" name="binding[label]" hint="What it is for, e.g. “web servers in Split”." error=field_error(error, "label")/>
                <div class="actions"><button type="submit">"Create binding"</button></div>
            </ActionForm>
        </section>
    }
}

#[component]
fn BindingList(bindings: Vec<AcmeBindingInfo>, revoke: ServerAction<RevokeAcmeBinding>) -> impl IntoView {
    if bindings.is_empty() {
        return view! { <p class="empty">"No bindings yet."</p> }.into_any();
    }
    view! {
        <div class="table-wrap"><table>
            <thead><tr>
                <th scope="col">"Key ID"</th><th scope="col">"Client"</th><th scope="col">"Product"</th>
                <th scope="col">"Label"</th><th scope="col">"Accounts"</th><th scope="col">"Last used"</th><th scope="col"></th>
            </tr></thead>
            <tbody>{bindings.into_iter().map(|b| {
                let kid = b.kid.clone();
                let accounts = b.accounts.iter().map(|a| format!("{} ({})", a.contact.join(", ").replace("mailto:", ""), a.status)).collect::<Vec<_>>();
                view! { <tr>
                    <td class="mono">{b.kid.clone()}</td>
                    <td>{b.client_name.clone()}</td>
                    <td>{b.products.join(", ")}</td>
                    <td>{b.label.clone()}</td>
                    <td class="small">{if accounts.is_empty() { "none yet".to_string() } else { accounts.join("; ") }}</td>
                    <td class="small">{b.last_used_at.as_ref().map(when).unwrap_or_else(|| "never".into())}</td>
                    <td>{match b.revoked_at {
                        Some(at) => view! { <span class="badge bad">{format!("Revoked {}", when(&at))}</span> }.into_any(),
                        None => view! { <button type="button" class="danger" on:click=move |_| { revoke.dispatch(RevokeAcmeBinding { kid: kid.clone() }); }>{format!("Revoke {}", b.kid)}</button> }.into_any(),
                    }}</td>
                </tr> }
            }).collect_view()}</tbody>
        </table></div>
    }
    .into_any()
}
