//! The signed-in person's own account: name and password.

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
    }
}
