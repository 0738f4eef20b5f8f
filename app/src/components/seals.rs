//! Tables and forms of trust seals that more than one page shows: the seal list, the copy attempts, the seal
//! form and the state badge.

use crate::api::seals::{CreateSeal, EditSeal};
use crate::components::{described_by, field_error, last_error, succeeded, when, FieldFrame, FormError, Saved};
use crate::error::AppError;
use crate::model::{Catalog, CertType, CopyAttempt, Domain, Seal, SealState};
use chrono::Months;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

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
                        <td><a href=format!("/seals/{}", s.id)>"View & edit"</a></td>
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
    let navigate = use_navigate();
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_))) {
            navigate(&done_href, Default::default());
        }
    });
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(edits)) = (edit.value().get(), edits) {
            edits.update(|n| *n += 1);
        }
    });
    let Catalog { types, today, .. } = catalog;
    // A new certificate is valid from today (the server's) to one year later, as in the guide.
    let (from, to) = existing
        .as_ref()
        .map(|s| (s.valid_from, s.valid_to))
        .unwrap_or((today, today.checked_add_months(Months::new(12)).unwrap_or(today)));
    let (type_id, level, chosen) = match &existing {
        Some(s) => (s.type_id.clone(), s.level.clone(), s.domains.iter().map(|d| d.id.clone()).collect::<Vec<_>>()),
        None => (String::new(), String::new(), domains.iter().map(|d| d.id.clone()).collect()),
    };
    let seal_id = existing.as_ref().map(|s| s.id.clone()).unwrap_or_default();
    let submit = move |ev: leptos::ev::SubmitEvent| submit_seal(ev, editing, create, edit);
    let pending = Signal::derive(move || create.pending().get() || edit.pending().get());
    let e = move |f| field_error(error, f);
    let form = (!types.is_empty()).then(|| {
        view! {
            <form class="seal-form" method="post" on:submit=submit>
                <input type="hidden" name="client_id" value=client_id/>
                <input type="hidden" name="id" value=seal_id/>
                <div class="form-grid">
                    <TypeAndLevel types=types type_id=type_id level=level error=error/>
                    <FieldFrame id="f-from" label="Valid from" required=true error=e("valid_from")>
                        <input id="f-from" name="valid_from" type="date" required value=from.to_string()
                            aria-describedby=described_by("f-from", false)/>
                    </FieldFrame>
                    <FieldFrame id="f-to" label="Valid to" required=true error=e("valid_to")>
                        <input id="f-to" name="valid_to" type="date" required value=to.to_string()
                            aria-describedby=described_by("f-to", false)/>
                    </FieldFrame>
                </div>
                <DomainChoice domains=domains chosen=chosen error=error/>
                <div class="actions">
                    <button type="submit" disabled=move || pending.get()>"Save certificate"</button>
                </div>
            </form>
        }
    });
    view! {
        <FormError error/>
        {editing.then(|| view! { <Saved done=succeeded(edit.value()) text="The certificate was saved."/> })}
        {match form {
            Some(form) => form.into_any(),
            None => view! {
                <div class="notice warn">"There are no certificate types yet. The operator of this Signet instance sets them up under “Certificate types”."</div>
            }.into_any(),
        }}
    }
    .into_any()
}

/// The certificate type and, for types that have them, its levels (which follow the chosen type).
#[component]
fn TypeAndLevel(
    types: Vec<CertType>,
    type_id: String,
    level: String,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let e = move |f| field_error(error, f);
    let first = if type_id.is_empty() { types[0].id.clone() } else { type_id };
    let selected_type = RwSignal::new(first);
    let types_for_levels = types.clone();
    let levels = Memo::new(move |_| {
        let t = selected_type.get();
        types_for_levels.iter().find(|x| x.id == t).map(|x| x.levels.clone()).unwrap_or_default()
    });
    view! {
        <FieldFrame id="f-type" label="Certificate type" required=true error=e("type_id")>
            <select id="f-type" name="type_id" aria-describedby=described_by("f-type", false)
                on:change=move |ev| selected_type.set(event_target_value(&ev))>
                {types.into_iter().map(|t| {
                    let sel = t.id == selected_type.get_untracked();
                    view! { <option value=t.id.clone() selected=sel>{t.name.clone()}</option> }
                }).collect_view()}
            </select>
        </FieldFrame>
        <FieldFrame id="f-level" label="Level" error=e("level")>
            <select id="f-level" name="level" aria-describedby=described_by("f-level", false)
                disabled=move || levels.get().is_empty()>
                {move || {
                    let list = levels.get();
                    if list.is_empty() {
                        view! { <option value="">"(this type has no levels)"</option> }.into_any()
                    } else {
                        list.into_iter().map(|l| {
                            let sel = l == level;
                            view! { <option value=l.clone() selected=sel>{l.clone()}</option> }
                        }).collect_view().into_any()
                    }
                }}
            </select>
        </FieldFrame>
    }
}

/// The client's domains, ticked where the seal may be shown.
#[component]
fn DomainChoice(domains: Vec<Domain>, chosen: Vec<String>, error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
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
            <span class="error" role="alert">{move || field_error(error, "domains").get()}</span>
        </fieldset>
    }
}

/// Sends the form as it stands (read from the form element, so what the browser shows is what is saved).
fn submit_seal(
    ev: leptos::ev::SubmitEvent,
    editing: bool,
    create: ServerAction<CreateSeal>,
    edit: ServerAction<EditSeal>,
) {
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
    #[cfg(not(feature = "hydrate"))]
    let _ = (editing, create, edit);
}
