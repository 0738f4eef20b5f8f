//! The signed-in person's own account: name, password, where they are signed in, API keys.

use crate::api::account::{ChangePassword, UpdateAccountName};
use crate::components::{field_error, last_error, succeeded, Field, FormError, Saved};
use crate::model::{validate, Viewer};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let viewer = use_context::<Viewer>();
    let name = viewer.as_ref().map(|v| v.name.clone()).unwrap_or_default();
    let email = viewer.as_ref().map(|v| v.email.clone()).unwrap_or_default();
    let rename = ServerAction::<UpdateAccountName>::new();
    let rename_error = last_error(rename.value());
    let password = ServerAction::<ChangePassword>::new();
    let password_error = last_error(password.value());
    view! {
        <Title text="Your account"/>
        <h1>"Your account"</h1>
        <div class="grid-2">
            <section class="panel">
                <h2>"Profile"</h2>
                <p class="muted">"You sign in as " <strong>{email}</strong> "."</p>
                <Saved done=succeeded(rename.value()) text="Your name was saved."/>
                <FormError error=rename_error/>
                <ActionForm action=rename attr:class="stack">
                    <Field label="Name" name="name" value=name required=true autocomplete="name"
                        rule=|v| validate::required(v, "name", 200) error=field_error(rename_error, "name")/>
                    <div class="actions"><button type="submit">"Save"</button></div>
                </ActionForm>
            </section>
            <section class="panel">
                <h2>"Change password"</h2>
                <Saved done=succeeded(password.value()) text="Your password was changed. Other devices were signed out."/>
                <FormError error=password_error/>
                <ActionForm action=password attr:class="stack">
                    <Field label="Current password" name="current" kind="password" required=true
                        autocomplete="current-password" error=field_error(password_error, "current")/>
                    <Field label="New password" name="password" kind="password" required=true autocomplete="new-password"
                        hint="At least 12 characters." rule=validate::password error=field_error(password_error, "password")/>
                    <Field label="Repeat the new password" name="confirm" kind="password" required=true
                        autocomplete="new-password" error=field_error(password_error, "confirm")/>
                    <div class="actions"><button type="submit">"Change password"</button></div>
                </ActionForm>
            </section>
        </div>
        <Sessions/>
        {viewer.as_ref().is_some_and(|v| v.current.is_some()).then(|| view! { <ApiKeys/> })}
    }
}

/// Where the person is signed in, with a way to end any other session.
#[component]
fn Sessions() -> impl IntoView {
    use crate::api::account::{list_sessions, EndSessionElsewhere, SignOutEverywhereElse};
    use crate::components::when;
    let end = ServerAction::<EndSessionElsewhere>::new();
    let end_others = ServerAction::<SignOutEverywhereElse>::new();
    let sessions = Resource::new(move || (end.version().get(), end_others.version().get()), |_| list_sessions());
    view! {
        <section class="panel" aria-labelledby="sessions-title">
            <h2 id="sessions-title">"Where you are signed in"</h2>
            <p class="muted">"Every browser and device signed in to your account. End any you do not recognise, then change your password; a password change signs out all but this browser."</p>
            <FormError error=last_error(end.value())/>
            <FormError error=last_error(end_others.value())/>
            <Saved done=succeeded(end_others.value()) text="You were signed out everywhere else."/>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                        Ok(list) => {
                            let others = list.iter().filter(|x| !x.current).count();
                            view! {
                                <div class="table-wrap"><table>
                                    <thead><tr><th scope="col">"Device"</th><th scope="col">"Address"</th><th scope="col">"Signed in"</th><th scope="col">"Last used"</th><th scope="col"></th></tr></thead>
                                    <tbody>{list.into_iter().map(|x| {
                                        let id = x.id.clone();
                                        let label = format!("End session on {} from {}", x.device, x.ip);
                                        view! { <tr>
                                            <td title=x.user_agent.clone()>{x.device.clone()}</td>
                                            <td class="mono">{x.ip.clone()}</td>
                                            <td class="small">{when(&x.created_at)}</td>
                                            <td class="small">{when(&x.last_seen_at)}</td>
                                            <td>{if x.current {
                                                view! { <span class="badge good">"This browser"</span> }.into_any()
                                            } else {
                                                view! { <button type="button" class="danger" aria-label=label on:click=move |_| { end.dispatch(EndSessionElsewhere { id: id.clone() }); }>"End session"</button> }.into_any()
                                            }}</td>
                                        </tr> }
                                    }).collect_view()}</tbody>
                                </table></div>
                                {(others > 0).then(|| view! {
                                    <div class="actions"><button type="button" on:click=move |_| { end_others.dispatch(SignOutEverywhereElse {}); }>"Sign out everywhere else"</button></div>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

/// REST API keys: the secret is shown once; the list shows the prefix only.
#[component]
fn ApiKeys() -> impl IntoView {
    use crate::api::api_keys::{list_api_keys, CreateApiKey, RevokeApiKey};
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(move || (create.version().get(), revoke.version().get()), |_| list_api_keys());
    let error = last_error(create.value());
    view! {
        <section class="panel">
            <h2>"API keys"</h2>
            <p class="muted">"Keys for the REST API at /api/v1 (see /api/v1/openapi.json). A key acts as you, in your current issuer, with your role there."</p>
            {move || create.value().get().and_then(|r| r.ok()).map(|secret| view! {
                <div class="notice good" role="status">
                    <p>"Your new key. Copy it now: it is not shown again."</p>
                    <pre class="mono" data-testid="new-api-key">{secret}</pre>
                </div>
            })}
            <FormError error/>
            <ActionForm action=create attr:class="inline-form">
                <Field label="Key name" name="name" required=true hint="What the key is for, e.g. “deploy script”." error=field_error(error, "name")/>
                <div class="actions"><button type="submit">"Create API key"</button></div>
            </ActionForm>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="empty">"No API keys."</p> }.into_any(),
                        Ok(list) => view! {
                            <div class="table-wrap"><table>
                                <thead><tr><th scope="col">"Name"</th><th scope="col">"Key"</th><th scope="col">"Issuer"</th><th scope="col">"Created"</th><th scope="col">"Last used"</th><th scope="col"></th></tr></thead>
                                <tbody>{list.into_iter().map(|k| {
                                    let id = k.id.clone();
                                    view! { <tr>
                                        <td>{k.name.clone()}</td><td class="mono">{format!("{}…", k.prefix)}</td><td>{k.issuer_name.clone()}</td>
                                        <td class="small">{crate::components::when(&k.created_at)}</td>
                                        <td class="small">{k.last_used_at.as_ref().map(crate::components::when).unwrap_or_else(|| "never".into())}</td>
                                        <td>{match k.revoked_at {
                                            Some(_) => view! { <span class="badge bad">"Revoked"</span> }.into_any(),
                                            None => view! { <button type="button" class="danger" on:click=move |_| { revoke.dispatch(RevokeApiKey { id: id.clone() }); }>{format!("Revoke {}", k.name)}</button> }.into_any(),
                                        }}</td>
                                    </tr> }
                                }).collect_view()}</tbody>
                            </table></div>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
