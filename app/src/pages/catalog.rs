//! "Certificate types" and "Groups": set up by the operator, read-only for issuers (as in the SafeSigned guide,
//! where types "are installed by SafeSigned representatives").

use crate::api::catalog::*;
use crate::components::{described_by, field_error, last_error, succeeded, Field, FieldFrame, FormError, Saved};
use crate::model::{validate, CertGroup, CertType, CertTypeInput, Viewer};
use leptos::prelude::*;
use leptos_meta::Title;

/// A preview of a type's seal, drawn like the real frame.
#[component]
fn SealPreview(title: String, subtitle: String, color: String, text: String) -> impl IntoView {
    view! {
        <span class="seal-preview" style=format!("background:{color};color:{text}")>
            <strong>{title}</strong>
            {(!subtitle.is_empty()).then(|| view! { <span>{subtitle}</span> })}
        </span>
    }
}

#[component]
pub fn CertTypesPage() -> impl IntoView {
    let operator = use_context::<Viewer>().is_some_and(|v| v.operator);
    let save = ServerAction::<SaveCertType>::new();
    let catalog = Resource::new(move || save.version().get(), |_| load_catalog());
    view! {
        <Title text="Certificate types"/>
        <h1>"Certificate types"</h1>
        {(!operator).then(|| view! { <p class="muted">"Certificate types are set up by the operator of this Signet instance; you can use them but not change them."</p> })}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match catalog.await {
                    Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                    Ok(crate::model::Catalog { groups, types, .. }) => view! {
                        <section class="panel">
                            {if types.is_empty() {
                                view! { <p class="empty">"No certificate types yet."</p> }.into_any()
                            } else {
                                view! { <TypeTable types=types.clone() groups=groups.clone() operator save/> }.into_any()
                            }}
                        </section>
                        {operator.then(|| view! {
                            <section class="panel">
                                <h2>"New certificate type"</h2>
                                <TypeForm id=String::new() input=CertTypeInput {
                                    seal_title: "Verified business".into(),
                                    seal_color: "#1f6f43".into(),
                                    seal_text_color: "#ffffff".into(),
                                    ..Default::default()
                                } groups=groups.clone() action=save/>
                            </section>
                        })}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TypeTable(
    types: Vec<CertType>,
    groups: Vec<CertGroup>,
    operator: bool,
    save: ServerAction<SaveCertType>,
) -> impl IntoView {
    view! {
        <div class="table-wrap"><table>
            <thead><tr>
                <th scope="col">"Name"</th><th scope="col">"Group"</th><th scope="col">"Levels"</th>
                <th scope="col">"Seal"</th><th scope="col">"Description"</th>
            </tr></thead>
            <tbody>
                {types.into_iter().map(|t| {
                    let input = CertTypeInput {
                        name: t.name.clone(),
                        description: t.description.clone(),
                        group_id: t.group_id.clone().unwrap_or_default(),
                        levels: t.levels.join("\n"),
                        seal_title: t.seal_title.clone(),
                        seal_subtitle: t.seal_subtitle.clone(),
                        seal_color: t.seal_color.clone(),
                        seal_text_color: t.seal_text_color.clone(),
                    };
                    let groups = groups.clone();
                    let id = t.id.clone();
                    view! {
                        <tr>
                            <td><strong>{t.name.clone()}</strong></td>
                            <td>{t.group_name.clone().unwrap_or_default()}</td>
                            <td>{t.levels.join(", ")}</td>
                            <td><SealPreview title=t.seal_title.clone() subtitle=t.seal_subtitle.clone() color=t.seal_color.clone() text=t.seal_text_color.clone()/></td>
                            <td class="small">{t.description.clone()}
                                {operator.then(|| view! {
                                    <details>
                                        <summary>{format!("Edit {}", t.name)}</summary>
                                        <TypeForm id=id.clone() input=input.clone() groups=groups.clone() action=save/>
                                    </details>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

#[component]
fn TypeForm(
    id: String,
    input: CertTypeInput,
    groups: Vec<CertGroup>,
    action: ServerAction<SaveCertType>,
) -> impl IntoView {
    let error = last_error(action.value());
    let e = move |f| field_error(error, f);
    let group = input.group_id.clone();
    let levels_id = format!("f-levels-{id}");
    let group_id = format!("f-group-{id}");
    let desc_id = format!("f-desc-{id}");
    view! {
        <Saved done=succeeded(action.value()) text="The certificate type was saved."/>
        <FormError error/>
        <ActionForm action>
            <input type="hidden" name="id" value=id.clone()/>
            <div class="form-grid">
                <Field label="Name" name="cert_type[name]" value=input.name required=true scope=id.clone()
                    rule=|v| validate::required(v, "type name", 100) error=e("name")/>
                <FieldFrame id=group_id.clone() label="Group" error=e("group_id")>
                    <select id=group_id.clone() name="cert_type[group_id]" aria-describedby=described_by(&group_id, false)>
                        <option value="">"(no group)"</option>
                        {groups.into_iter().map(|g| {
                            let sel = g.id == group;
                            view! { <option value=g.id.clone() selected=sel>{g.name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </FieldFrame>
                <Field label="Seal title" name="cert_type[seal_title]" value=input.seal_title required=true scope=id.clone()
                    hint="The seal's headline, such as “Verified business”." error=e("seal_title")/>
                <Field label="Seal subtitle" name="cert_type[seal_subtitle]" value=input.seal_subtitle scope=id.clone()
                    hint="An optional second line, such as “Trusted shop”." error=e("seal_subtitle")/>
                <Field label="Seal colour" name="cert_type[seal_color]" kind="color" value=input.seal_color scope=id.clone()
                    rule=validate::hex_color error=e("seal_color")/>
                <Field label="Seal text colour" name="cert_type[seal_text_color]" kind="color" value=input.seal_text_color scope=id.clone()
                    rule=validate::hex_color error=e("seal_text_color")/>
            </div>
            <FieldFrame id=levels_id.clone() label="Levels (one per line, optional)" error=e("levels")>
                <textarea id=levels_id.clone() name="cert_type[levels]" rows="3"
                    aria-describedby=described_by(&levels_id, false)>{input.levels}</textarea>
            </FieldFrame>
            <FieldFrame id=desc_id.clone() label="Description" error=e("description")>
                <textarea id=desc_id.clone() name="cert_type[description]" rows="2"
                    aria-describedby=described_by(&desc_id, false)>{input.description}</textarea>
            </FieldFrame>
            <div class="actions"><button type="submit">"Save type"</button></div>
        </ActionForm>
    }
}

#[component]
pub fn GroupsPage() -> impl IntoView {
    let operator = use_context::<Viewer>().is_some_and(|v| v.operator);
    let save = ServerAction::<SaveCertGroup>::new();
    let catalog = Resource::new(move || save.version().get(), |_| load_catalog());
    let error = last_error(save.value());
    let e = move |f| field_error(error, f);
    view! {
        <Title text="Groups"/>
        <h1>"Certificate groups"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match catalog.await {
                    Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                    Ok(c) if c.groups.is_empty() => view! { <section class="panel"><p class="empty">"No groups yet."</p></section> }.into_any(),
                    Ok(crate::model::Catalog { groups, .. }) => view! {
                        <section class="panel"><div class="table-wrap"><table>
                            <thead><tr><th scope="col">"Name"</th><th scope="col">"Description"</th><th scope="col">"Types"</th></tr></thead>
                            <tbody>
                                {groups.into_iter().map(|g| view! {
                                    <tr>
                                        <td><strong>{g.name.clone()}</strong></td>
                                        <td>{g.description.clone()}
                                            {operator.then(|| view! {
                                                <details>
                                                    <summary>{format!("Edit {}", g.name)}</summary>
                                                    <ActionForm action=save>
                                                        <input type="hidden" name="id" value=g.id.clone()/>
                                                        <div class="form-grid">
                                                            <Field label="Group name" name="name" value=g.name.clone() required=true scope=g.id.clone()/>
                                                            <Field label="Description" name="description" value=g.description.clone() scope=g.id.clone()/>
                                                        </div>
                                                        <div class="actions"><button type="submit">"Save group"</button></div>
                                                    </ActionForm>
                                                </details>
                                            })}
                                        </td>
                                        <td>{g.types}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table></div></section>
                    }.into_any(),
                }
            })}
        </Suspense>
        {operator.then(|| view! {
            <section class="panel">
                <h2>"New group"</h2>
                <Saved done=succeeded(save.value()) text="The group was saved."/>
                <FormError error/>
                <ActionForm action=save>
                    <input type="hidden" name="id" value=""/>
                    <div class="form-grid">
                        <Field label="Group name" name="name" required=true error=e("name")/>
                        <Field label="Description" name="description" error=e("description")/>
                    </div>
                    <div class="actions"><button type="submit">"Save group"</button></div>
                </ActionForm>
            </section>
        })}
    }
}
