//! Signing in and out, first-run setup, password reset and invitations: the calls made before signing in.

use crate::error::AppError;
use crate::model::{InvitationInfo, Viewer};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard::{public, require, session_cookie, set_header, Need};
#[cfg(feature = "ssr")]
use crate::services::accounts;

/// The signed-in person, or `None`. The app shell calls this on every page.
#[server(prefix = "/_sf", endpoint = "auth/viewer")]
pub async fn current_viewer() -> Result<Option<Viewer>, AppError> {
    let p = public().await?;
    match super::guard::session_from_headers(&p.state, &p.headers).await? {
        Some(session) => Ok(Some(accounts::viewer(&p.state, &session).await?)),
        None => Ok(None),
    }
}

/// Whether a first-run setup link is (still) valid.
#[server(prefix = "/_sf", endpoint = "auth/setup-status")]
pub async fn setup_status(token: String) -> Result<bool, AppError> {
    let p = public().await?;
    accounts::setup_link_valid(&p.state, &token).await
}

#[server(prefix = "/_sf", endpoint = "auth/setup")]
pub async fn setup(
    token: String,
    email: String,
    name: String,
    password: String,
    confirm: String,
) -> Result<(), AppError> {
    let p = public().await?;
    accounts::setup_operator(&p.state, &token, &email, &name, &password, &confirm).await?;
    leptos_axum::redirect("/login?setup=done");
    Ok(())
}

#[server(prefix = "/_sf", endpoint = "auth/login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    let p = public().await?;
    // A new session id at every sign-in: whatever session the browser had is ended first.
    if let Some(old) = super::guard::session_from_headers(&p.state, &p.headers).await? {
        accounts::end_session(&p.state, &old).await?;
    }
    let token = accounts::login(&p.state, &email, &password, &p.ip, &p.user_agent).await?;
    set_header(http::header::SET_COOKIE, &session_cookie(&p.state, Some(&token)));
    leptos_axum::redirect("/");
    Ok(())
}

#[server(prefix = "/_sf", endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    let ctx = require(Need::Signed).await;
    if let Ok(ctx) = &ctx {
        accounts::logout(&ctx.state, &ctx.session, &ctx.actor.ip).await?;
    }
    if let Some(state) = use_context::<crate::services::AppState>() {
        set_header(http::header::SET_COOKIE, &session_cookie(&state, None));
    }
    leptos_axum::redirect("/login");
    Ok(())
}

#[server(prefix = "/_sf", endpoint = "auth/request-reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    let p = public().await?;
    accounts::request_password_reset(&p.state, &email, &p.ip).await
}

#[server(prefix = "/_sf", endpoint = "auth/reset")]
pub async fn reset_password(token: String, password: String, confirm: String) -> Result<(), AppError> {
    let p = public().await?;
    accounts::reset_password(&p.state, &token, &password, &confirm, &p.ip).await?;
    leptos_axum::redirect("/login?reset=done");
    Ok(())
}

#[server(prefix = "/_sf", endpoint = "auth/invitation")]
pub async fn invitation(token: String) -> Result<InvitationInfo, AppError> {
    let p = public().await?;
    accounts::invitation_info(&p.state, &token).await
}

#[server(prefix = "/_sf", endpoint = "auth/accept-invitation")]
pub async fn accept_invitation(token: String, name: String, password: String, confirm: String) -> Result<(), AppError> {
    let p = public().await?;
    accounts::accept_invitation(&p.state, &token, &name, &password, &confirm, &p.ip).await?;
    leptos_axum::redirect("/login?invited=done");
    Ok(())
}
