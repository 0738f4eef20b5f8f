//! "Clients": the list, the three-step wizard of the SafeSigned guide (client → domains → certificate), and
//! a client's page with its domains, certificates, copy attempts and activity.

use super::client_files::ClientFiles;
use super::seal_mail::SentMailTable;
use crate::api::{catalog::*, clients::*};
use crate::components::{
    described_by, field_error, last_error, succeeded, when, Field, FieldFrame, FormError, Pager, Saved,
};
use crate::components::{AfterHydration, AuditTable, CopyAttemptTable, SealForm, SealTable};
use crate::model::{validate, Client, ClientDetail, ClientInput, Domain};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

#[component]
pub fn ClientsPage() -> impl IntoView {
    let query = use_query_map();
    let search = move || query.read().get("q").unwrap_or_default();
    let page = move || query.read().get("page").and_then(|p| p.parse().ok()).unwrap_or(1usize);
    let list = Resource::new(move || (search(), page()), |(q, p)| list_clients(q, p));
    view! {
        <Title text="Clients"/>
        <div class="page-head">
            <h1>"Clients"</h1>
            <a class="button" href="/clients/new">"+ Add client"</a>
        </div>
        <form method="get" class="filters panel" role="search">
            <FieldFrame id="c-search" label="Search">
                <input id="c-search" name="q" type="search" value=search placeholder="Name, path, e-mail, registration number, city"/>
            </FieldFrame>
            <button type="submit">"Search"</button>
        </form>
        <section class="panel">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                        Ok(p) if p.items.is_empty() => view! {
                            <p class="empty">
                                {if search().is_empty() { "No clients yet. Add the first one with “+ Add client”." } else { "No client matches this search." }}
                            </p>
                        }.into_any(),
                        Ok(p) => {
                            let pages = p.pages();
                            let base = format!("/clients?q={}", validate::url_encode(&search()));
                            view! {
                                <p class="muted">{format!("{} clients", p.total)}</p>
                                <div class="table-wrap"><table>
                                    <thead><tr>
                                        <th scope="col">"Company"</th><th scope="col">"Verified page path"</th>
                                        <th scope="col">"City"</th><th scope="col">"E-mail"</th>
                                        <th scope="col">"Domains"</th><th scope="col">"Certificates"</th><th scope="col">"Added"</th>
                                    </tr></thead>
                                    <tbody>
                                        {p.items.into_iter().map(|c| view! {
                                            <tr>
                                                <td><a href=format!("/clients/{}", c.id)>{c.name}</a></td>
                                                <td class="mono">{c.path}</td>
                                                <td>{c.city}</td>
                                                <td>{c.email}</td>
                                                <td>{c.domains}</td>
                                                <td>{c.seals}</td>
                                                <td class="small">{c.created_at.format("%Y-%m-%d").to_string()}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table></div>
                                <Pager page=p.page pages base/>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The steps of the wizard, with the current one marked.
#[component]
fn WizardSteps(current: usize) -> impl IntoView {
    let steps = ["Create client", "Add domain", "Add certificate"];
    view! {
        <ol class="steps" aria-label="Steps">
            {steps.iter().enumerate().map(|(i, s)| {
                let n = i + 1;
                view! {
                    <li class:current=n == current class:done=n < current aria-current=(n == current).then_some("step")>
                        {format!("Step {n} :: {s}")}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

/// The client form, for the wizard's first step and for "Edit".
#[component]
fn ClientFields(client: ClientInput, error: Signal<Option<crate::error::AppError>>) -> impl IntoView {
    let e = move |f| field_error(error, f);
    // The path is suggested from the company name until the person edits it.
    let path = RwSignal::new(client.path.clone());
    let path_touched = RwSignal::new(!client.path.is_empty());
    let suggest = move |ev: leptos::ev::Event| {
        if !path_touched.get_untracked() {
            path.set(validate::suggest_slug(&event_target_value(&ev)));
        }
    };
    // The server's message, or the path rule's while the person types.
    let path_error = Signal::derive(move || {
        e("path").get().or_else(|| {
            let p = path.get();
            (!p.is_empty()).then(|| validate::client_path(&p)).flatten()
        })
    });
    view! {
        <div class="form-grid">
            <FieldFrame id="f-client-name" label="Company name" required=true error=e("name")>
                <input id="f-client-name" name="client[name]" type="text" required value=client.name
                    aria-describedby=described_by("f-client-name", false) on:input=suggest/>
            </FieldFrame>
            <FieldFrame id="f-client-path" label="Verified page path" required=true error=path_error
                hint="The short company name in ASCII: letters A–Z, digits 0–9 and '-'. For Client Ltd. enter client.">
                <input id="f-client-path" name="client[path]" type="text" required prop:value=move || path.get()
                    aria-describedby=described_by("f-client-path", true)
                    on:input=move |ev| { path_touched.set(true); path.set(event_target_value(&ev)); }/>
            </FieldFrame>
            <Field label="Registration / VAT number" name="client[registration_number]" value=client.registration_number error=e("registration_number")/>
            <Field label="Address" name="client[address]" value=client.address autocomplete="street-address" error=e("address")/>
            <Field label="City" name="client[city]" value=client.city error=e("city")/>
            <Field label="Postal code" name="client[postal_code]" value=client.postal_code error=e("postal_code")/>
            <Field label="Country" name="client[country]" value=client.country error=e("country")/>
            <FieldFrame id="f-client-industry" label="Industry" error=e("industry")
                hint="Newsletters can go to one industry; issuer admins keep the list on the issuer profile.">
                <input id="f-client-industry" name="client[industry]" type="text" value=client.industry list="client-industries"
                    aria-describedby=described_by("f-client-industry", true)/>
            </FieldFrame>
            <AfterHydration><super::newsletters::IndustryOptions/></AfterHydration>
            <Field label="Contact person" name="client[contact_person]" value=client.contact_person error=e("contact_person")/>
            <Field label="E-mail" name="client[email]" kind="email" value=client.email rule=validate::optional_email error=e("email")/>
            <Field label="Phone" name="client[phone]" kind="tel" value=client.phone rule=validate::phone error=e("phone")/>
        </div>
    }
}

/// Step 1.
#[component]
pub fn NewClientPage() -> impl IntoView {
    let action = ServerAction::<CreateClient>::new();
    let error = last_error(action.value());
    view! {
        <Title text="Add client"/>
        <h1>"Add client"</h1>
        <WizardSteps current=1/>
        <section class="panel">
            <FormError error/>
            <ActionForm action>
                <ClientFields client=ClientInput::default() error/>
                <div class="actions">
                    <button type="submit">"Save & add domain"</button>
                    <a class="button secondary" href="/clients">"Cancel"</a>
                </div>
            </ActionForm>
        </section>
    }
}

/// Step 2: one or more domains, or skip.
#[component]
pub fn NewClientDomainsPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let add = ServerAction::<AddDomain>::new();
    let client = Resource::new(id, get_client);
    let domains = Resource::new(move || (id(), add.version().get()), |(id, _)| client_domains(id));
    let go_on = RwSignal::new(false);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(_))) && go_on.get_untracked() {
            navigate(&format!("/clients/new/{}/seal", id()), Default::default());
        }
    });
    view! {
        <Title text="Add domain"/>
        <h1>"Add client"</h1>
        <WizardSteps current=2/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match client.await {
                    Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                    Ok(c) => view! {
                        <p>"Client " <strong>{c.name.clone()}</strong> " is saved. Add the domains on which its certificate will be shown."</p>
                        <DomainsSoFar domains/>
                        <section class="panel">
                            <DomainForm client_id=c.id.clone() action=add>
                                <button type="submit" on:click=move |_| go_on.set(false)>"Save & add additional domain"</button>
                                <button type="submit" class="secondary" on:click=move |_| go_on.set(true)>"Save & add certificate"</button>
                            </DomainForm>
                            <div class="actions">
                                <a class="button secondary" href=format!("/clients/new/{}/seal", c.id)>"Skip & add certificate"</a>
                                <a class="button secondary" href="/clients">"Cancel"</a>
                            </div>
                            <p class="muted small">"“Cancel” keeps the client; you can add domains and certificates on its page later."</p>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DomainsSoFar(domains: Resource<Result<Vec<Domain>, crate::error::AppError>>) -> impl IntoView {
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match domains.await {
                    Ok(list) if !list.is_empty() => view! {
                        <section class="panel">
                            <h2>"Domains added"</h2>
                            <ul class="plain">
                                {list.into_iter().map(|d| view! { <li><strong>{d.display}</strong>" "<span class="muted">{d.description}</span></li> }).collect_view()}
                            </ul>
                        </section>
                    }.into_any(),
                    _ => ().into_any(),
                }
            })}
        </Transition>
    }
}

/// Host name and description; the buttons come from the caller.
#[component]
fn DomainForm(client_id: String, action: ServerAction<AddDomain>, children: Children) -> impl IntoView {
    let error = last_error(action.value());
    let e = move |f| field_error(error, f);
    let form = NodeRef::<leptos::html::Form>::new();
    // A saved domain clears the form for the next one.
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            if let Some(f) = form.get() {
                f.reset();
            }
        }
    });
    view! {
        <Saved done=succeeded(action.value()) text="The domain was added."/>
        <FormError error/>
        <ActionForm action node_ref=form>
            <input type="hidden" name="client_id" value=client_id/>
            <div class="form-grid">
                <Field label="Domain" name="host" required=true placeholder="shop.example.com" rule=validate::domain
                    hint="The domain name only, without http:// — subdomains are fine (www.shop.example.com)."
                    error=e("host")/>
                <Field label="Description" name="description" error=e("description")
                    hint="Shown on the verified page under “Commercial websites”."/>
            </div>
            <div class="actions">{children()}</div>
        </ActionForm>
    }
}

/// Step 3.
#[component]
pub fn NewClientSealPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let client = Resource::new(id, get_client);
    let domains = Resource::new(id, client_domains);
    let catalog = Resource::new(|| (), |_| load_catalog());
    view! {
        <Title text="Add certificate"/>
        <h1>"Add client"</h1>
        <WizardSteps current=3/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (client.await, domains.await, catalog.await) {
                    (Ok(c), Ok(d), Ok(catalog)) => view! {
                        <p>"Certificate for " <strong>{c.name.clone()}</strong></p>
                        <section class="panel">
                            <SealForm client_id=c.id.clone() domains=d catalog done_href=format!("/clients/{}", c.id)/>
                        </section>
                    }.into_any(),
                    (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn ClientPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let update = ServerAction::<UpdateClient>::new();
    let add = ServerAction::<AddDomain>::new();
    let edit_domain = ServerAction::<UpdateDomain>::new();
    let remove = ServerAction::<DeleteDomain>::new();
    let detail = Resource::new(
        move || {
            (id(), update.version().get(), add.version().get(), edit_domain.version().get(), remove.version().get())
        },
        |(id, ..)| load_client(id),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(e) => view! { <Title text="Client"/><div class="notice bad">{e.to_string()}</div> }.into_any(),
                    Ok(d) => view! { <ClientView detail=d update add edit_domain remove/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ClientView(
    detail: ClientDetail,
    update: ServerAction<UpdateClient>,
    add: ServerAction<AddDomain>,
    edit_domain: ServerAction<UpdateDomain>,
    remove: ServerAction<DeleteDomain>,
) -> impl IntoView {
    let ClientDetail { client, domains, seals, copy_attempts, activity, verified_url } = detail;
    let editing = RwSignal::new(false);
    let error = last_error(update.value());
    let id = client.id.clone();
    let shown = client.clone();
    let (reports_key, files_key, customers_key) = (client.id.clone(), client.id.clone(), client.id.clone());
    let shown_url = verified_url.clone();
    view! {
        <Title text=client.name.clone()/>
        <div class="page-head">
            <h1>{client.name.clone()}</h1>
            <a class="button secondary" href=verified_url.clone() target="_blank" rel="noopener">"Verified page"</a>
        </div>
        <p class="actions"><a class="button" href=format!("/orders/new?client={}", client.id)>"+ Order a TLS certificate"</a></p>
        // Mounted in the browser, like the panels below: a direct load of this page failed to hydrate here.
        <AfterHydration><Customers client_id=customers_key.clone()/></AfterHydration>
        <section class="panel">
            <h2>"Client"</h2>
            <Saved done=succeeded(update.value()) text="The client was saved."/>
            {move || if editing.get() {
                let (id, shown) = (id.clone(), shown.clone());
                view! {
                    <FormError error/>
                    <ActionForm action=update>
                        <input type="hidden" name="id" value=id.clone()/>
                        <ClientFields client=ClientInput::from(&shown) error/>
                        <div class="actions">
                            <button type="submit">"Save"</button>
                            <button type="button" class="secondary" on:click=move |_| editing.set(false)>"Cancel"</button>
                        </div>
                    </ActionForm>
                }.into_any()
            } else {
                view! {
                    <ClientFacts client=shown.clone() verified_url=shown_url.clone()/>
                    <div class="actions"><button type="button" class="secondary" on:click=move |_| editing.set(true)>"Edit"</button></div>
                }.into_any()
            }}
        </section>
        <section class="panel">
            <h2>"Domains"</h2>
            <DomainTable domains=domains.clone() edit=edit_domain remove/>
            <details>
                <summary>"Add domain"</summary>
                <DomainForm client_id=client.id.clone() action=add>
                    <button type="submit">"Add"</button>
                </DomainForm>
            </details>
        </section>
        <section class="panel">
            <div class="page-head">
                <h2>"Certificates"</h2>
                <a class="button" href=format!("/clients/new/{}/seal", client.id)>"+ Add certificate"</a>
            </div>
            <SealTable seals show_client=false/>
        </section>
        <section class="panel">
            <h2>"Copy attempts"</h2>
            <p class="muted">"Web sites that are not this client's domains but ran its seal script. They were shown nothing."</p>
            <AfterHydration><super::activity_reports::ClientReports client_id=reports_key.clone()/></AfterHydration>
            <CopyAttemptTable attempts=copy_attempts show_client=false/>
        </section>
        <AfterHydration>
            <super::newsletters::ClientNewsletters client_id=files_key.clone()/>
            <ClientFiles client_id=files_key.clone()/>
            <ClientMail id=files_key.clone()/>
        </AfterHydration>
        <section class="panel">
            <h2>"Activity"</h2>
            <AuditTable entries=activity show_issuer=false/>
        </section>
    }
}

/// Every e-mail sent to the client (certificate e-mails and follow-ups of all its seals).
#[component]
fn ClientMail(id: String) -> impl IntoView {
    let id = StoredValue::new(id);
    let sent = LocalResource::new(move || client_mail_history(id.get_value()));
    view! {
        <section class="panel">
            <h2>"E-mails sent"</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move { sent.await.map(|list| view! { <SentMailTable list/> }).ok() })}
            </Suspense>
        </section>
    }
}

#[component]
fn ClientFacts(client: Client, verified_url: String) -> impl IntoView {
    let row = |label: &'static str, value: String| view! { <tr><th scope="row">{label}</th><td>{value}</td></tr> };
    view! {
        // The browser puts rows into a tbody of its own; writing it keeps hydration on the same nodes.
        <table class="facts"><tbody>
            {row("Company name", client.name)}
            <tr><th scope="row">"Verified page"</th><td><a href=verified_url.clone() target="_blank" rel="noopener">{verified_url.clone()}</a></td></tr>
            {row("Registration / VAT number", client.registration_number)}
            {row("Address", client.address)}
            {row("City", format!("{} {}", client.postal_code, client.city).trim().to_string())}
            {row("Country", client.country)}
            {row("Industry", client.industry)}
            {row("Contact person", client.contact_person)}
            {row("E-mail", client.email)}
            {row("Phone", client.phone)}
            {row("Added", when(&client.created_at))}
        </tbody></table>
    }
}

#[component]
fn DomainTable(
    domains: Vec<Domain>,
    edit: ServerAction<UpdateDomain>,
    remove: ServerAction<DeleteDomain>,
) -> impl IntoView {
    if domains.is_empty() {
        return view! { <p class="empty">"No domains yet. Without a domain the seal cannot be shown anywhere."</p> }
            .into_any();
    }
    let edit_error = last_error(edit.value());
    let remove_error = last_error(remove.value());
    view! {
        <FormError error=edit_error/>
        <FormError error=remove_error/>
        <div class="table-wrap"><table>
            <thead><tr><th scope="col">"Domain"</th><th scope="col">"Description"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
            <tbody>
                {domains.into_iter().map(|d| {
                    let editing = RwSignal::new(false);
                    let (id, id2) = (d.id.clone(), d.id.clone());
                    let label = format!("Delete {}", d.display);
                    view! {
                        <tr>
                            {move || if editing.get() {
                                let (d, id) = (d.clone(), id.clone());
                                view! {
                                    <td colspan="3">
                                        <ActionForm action=edit>
                                            <input type="hidden" name="domain_id" value=id.clone()/>
                                            <div class="form-grid">
                                                <Field label="Domain" name="host" value=d.display.clone() required=true rule=validate::domain
                                                    error=field_error(edit_error, "host") scope=id.clone()/>
                                                <Field label="Description" name="description" value=d.description.clone()
                                                    error=field_error(edit_error, "description") scope=id.clone()/>
                                            </div>
                                            <div class="actions">
                                                <button type="submit">"Save domain"</button>
                                                <button type="button" class="secondary" on:click=move |_| editing.set(false)>"Cancel"</button>
                                            </div>
                                        </ActionForm>
                                    </td>
                                }.into_any()
                            } else {
                                let (d, id2, label) = (d.clone(), id2.clone(), label.clone());
                                view! {
                                    <td><strong>{d.display.clone()}</strong>
                                        {(d.display != d.host).then(|| view! { <div class="small muted mono">{d.host.clone()}</div> })}
                                    </td>
                                    <td>{d.description.clone()}</td>
                                    <td class="row-actions">
                                        <button type="button" class="secondary small" on:click=move |_| editing.set(true)>"Edit"</button>
                                        <ActionForm action=remove attr:class="inline">
                                            <input type="hidden" name="domain_id" value=id2/>
                                            <button type="submit" class="danger small" aria-label=label>"Delete"</button>
                                        </ActionForm>
                                    </td>
                                }.into_any()
                            }}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}

/// People of the client business who order and download its certificates (customers).
#[component]
fn Customers(client_id: String) -> impl IntoView {
    use crate::api::customers::{list_customers, InviteCustomer, RemoveCustomer};
    let invite = ServerAction::<InviteCustomer>::new();
    let remove = ServerAction::<RemoveCustomer>::new();
    let id = StoredValue::new(client_id.clone());
    let list = LocalResource::new(move || {
        invite.version().track();
        remove.version().track();
        list_customers(id.get_value())
    });
    let for_remove = StoredValue::new(client_id.clone());
    let error = last_error(invite.value());
    view! {
        <section class="panel">
            <h2>"Customers"</h2>
            <p class="muted">"People of this business who may order certificates and download them. They see this client's orders only."</p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                        Ok(v) if v.is_empty() => view! { <p class="empty">"No customers yet."</p> }.into_any(),
                        Ok(v) => {
                            let client_id = for_remove.get_value();
                            view! { <ul>{v.into_iter().map(|c| {
                                let (client_id, user_id) = (client_id.clone(), c.user_id.clone());
                                view! {
                                    <li>{format!("{} <{}>", c.name, c.email)}{c.pending.then_some(" (invited)")}" "
                                        <button type="button" class="danger small" on:click=move |_| {
                                            remove.dispatch(RemoveCustomer { client_id: client_id.clone(), user_id: user_id.clone() });
                                        }>{format!("Remove {}", c.name)}</button></li>
                                }
                            }).collect_view()}</ul> }.into_any()
                        }
                    }
                })}
            </Suspense>
            <Saved done=succeeded(invite.value()) text="The invitation was sent."/>
            <FormError error/>
            <ActionForm action=invite attr:class="inline-form">
                <input type="hidden" name="client_id" value=client_id/>
                <Field label="Customer name" name="name" required=true error=field_error(error, "name")/>
                <Field label="Customer e-mail" name="email" kind="email" required=true error=field_error(error, "email")/>
                <div class="actions"><button type="submit">"Invite customer"</button></div>
            </ActionForm>
        </section>
    }
}
