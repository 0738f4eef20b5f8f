//! Pages outside the app shell: sign-in, first-run setup, password reset and invitations.

use crate::api::auth::*;
use crate::components::{field_error, last_error, Field, FieldFrame, FormError, Mark};
use crate::model::validate;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
fn AuthCard(children: Children) -> impl IntoView {
    view! {
        <main class="auth-page">
            <div class="auth-card">
                <a class="brand" href="/"><Mark/>"Signet"</a>
                {children()}
            </div>
        </main>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    let error = last_error(action.value());
    let query = use_query_map();
    let notice = move || {
        let q = query.read();
        if q.get("setup").is_some() {
            Some("The operator account is ready. Sign in to create your first issuer.")
        } else if q.get("reset").is_some() {
            Some("Your password was changed. Sign in with the new one.")
        } else if q.get("invited").is_some() {
            Some("Your account is ready. Sign in with your new password.")
        } else {
            None
        }
    };
    // Only works once the page is hydrated: the proof, in the end-to-end tests, that the Wasm runs.
    let show_password = RwSignal::new(false);
    view! {
        <Title text="Sign in"/>
        <AuthCard>
            <h1>"Sign in"</h1>
            {move || notice().map(|n| view! { <div class="notice ok" role="status">{n}</div> })}
            <FormError error/>
            <ActionForm action attr:class="stack">
                <Field label="E-mail" name="email" kind="email" required=true autocomplete="username"/>
                <FieldFrame id="f-password" label="Password" required=true>
                    <input
                        id="f-password"
                        name="password"
                        type=move || if show_password.get() { "text" } else { "password" }
                        required
                        autocomplete="current-password"
                    />
                    <button
                        type="button"
                        class="link small"
                        aria-pressed=move || show_password.get().to_string()
                        on:click=move |_| show_password.update(|s| *s = !*s)
                    >
                        {move || if show_password.get() { "Hide password" } else { "Show password" }}
                    </button>
                </FieldFrame>
                <div class="actions">
                    <button type="submit" disabled=move || action.pending().get()>"Sign in"</button>
                    <a href="/forgot-password">"Forgot your password?"</a>
                </div>
            </ActionForm>
        </AuthCard>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = last_error(action.value());
    view! {
        <Title text="Reset password"/>
        <AuthCard>
            <h1>"Reset your password"</h1>
            <Show
                when=move || matches!(action.value().get(), Some(Ok(())))
                fallback=move || view! {
                    <p class="muted">"Enter the e-mail of your account and we will send you a link to choose a new password."</p>
                    <FormError error/>
                    <ActionForm action attr:class="stack">
                        <Field label="E-mail" name="email" kind="email" required=true autocomplete="username"
                            rule=validate::email error=field_error(error, "email")/>
                        <div class="actions">
                            <button type="submit">"Send reset link"</button>
                            <a href="/login">"Back to sign in"</a>
                        </div>
                    </ActionForm>
                }
            >
                <div class="notice ok" role="status">
                    "If an account exists for that e-mail, a reset link is on its way. It works once, for one hour."
                </div>
                <a href="/login">"Back to sign in"</a>
            </Show>
        </AuthCard>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let action = ServerAction::<ResetPassword>::new();
    let error = last_error(action.value());
    view! {
        <Title text="Choose a new password"/>
        <AuthCard>
            <h1>"Choose a new password"</h1>
            <FormError error/>
            <ActionForm action attr:class="stack">
                <input type="hidden" name="token" value=token/>
                <PasswordPair error/>
                <div class="actions">
                    <button type="submit">"Save password"</button>
                    <a href="/forgot-password">"Ask for a new link"</a>
                </div>
            </ActionForm>
        </AuthCard>
    }
}

/// New password and its confirmation, with the same rules in the browser and on the server.
#[component]
fn PasswordPair(error: Signal<Option<crate::error::AppError>>) -> impl IntoView {
    view! {
        <Field label="New password" name="password" kind="password" required=true autocomplete="new-password"
            hint="At least 12 characters. A passphrase of a few words is easy to remember."
            rule=validate::password error=field_error(error, "password")/>
        <Field label="Repeat the new password" name="confirm" kind="password" required=true
            autocomplete="new-password" error=field_error(error, "confirm")/>
    }
}

#[component]
pub fn InvitationPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let info = Resource::new(token, invitation);
    let action = ServerAction::<AcceptInvitation>::new();
    let error = last_error(action.value());
    view! {
        <Title text="Accept invitation"/>
        <AuthCard>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match info.await {
                        Err(e) => view! {
                            <h1>"Invitation"</h1>
                            <div class="notice bad" role="alert">{e.to_string()}</div>
                            <a href="/login">"Go to sign in"</a>
                        }.into_any(),
                        Ok(info) => view! {
                            <h1>"Welcome to Signet"</h1>
                            <p>
                                {match info.issuer_name {
                                    Some(issuer) => format!("You are invited to work for {issuer}. "),
                                    None => String::new(),
                                }}
                                "Your sign-in e-mail is " <strong>{info.email.clone()}</strong> "."
                            </p>
                            <FormError error/>
                            <ActionForm action attr:class="stack">
                                <input type="hidden" name="token" value=token/>
                                <Field label="Your name" name="name" value=info.name.clone() required=true
                                    autocomplete="name" rule=|v| validate::required(v, "name", 200)
                                    error=field_error(error, "name")/>
                                <PasswordPair error/>
                                <button type="submit">"Create my account"</button>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </AuthCard>
    }
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let valid = Resource::new(token, setup_status);
    let action = ServerAction::<Setup>::new();
    let error = last_error(action.value());
    view! {
        <Title text="First-run setup"/>
        <AuthCard>
            <h1>"Set up Signet"</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match valid.await {
                        Ok(true) => view! {
                            <p class="muted">"Create the operator account. The operator manages issuers, certificate types, templates and the certificate authorities."</p>
                            <FormError error/>
                            <ActionForm action attr:class="stack">
                                <input type="hidden" name="token" value=token/>
                                <Field label="Your name" name="name" required=true autocomplete="name"
                                    rule=|v| validate::required(v, "name", 200) error=field_error(error, "name")/>
                                <Field label="E-mail" name="email" kind="email" required=true autocomplete="username"
                                    rule=validate::email error=field_error(error, "email")/>
                                <PasswordPair error/>
                                <button type="submit">"Create operator account"</button>
                            </ActionForm>
                        }.into_any(),
                        _ => view! {
                            <div class="notice bad" role="alert">
                                "This setup link is not valid. An operator exists already, or Signet was restarted and printed a new link."
                            </div>
                            <a href="/login">"Go to sign in"</a>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </AuthCard>
    }
}
