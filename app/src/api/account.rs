//! The signed-in person's own account and issuer choice.

use crate::error::AppError;
use crate::model::ActiveSession;
#[cfg(feature = "ssr")]
use crate::store::IssuerId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard::{require, Need};
#[cfg(feature = "ssr")]
use crate::services::{account_sessions, accounts};

#[server(prefix = "/_sf", endpoint = "account/select-issuer")]
pub async fn select_issuer(issuer_id: String) -> Result<(), AppError> {
    let ctx = require(Need::Signed).await?;
    accounts::select_issuer(&ctx.state, &ctx.session, &IssuerId::new(&issuer_id)).await
}

#[server(prefix = "/_sf", endpoint = "account/password")]
pub async fn change_password(current: String, password: String, confirm: String) -> Result<(), AppError> {
    let ctx = require(Need::Signed).await?;
    accounts::change_password(&ctx.state, &ctx.session, &ctx.actor, &current, &password, &confirm).await
}

#[server(prefix = "/_sf", endpoint = "account/name")]
pub async fn update_account_name(name: String) -> Result<(), AppError> {
    let ctx = require(Need::Signed).await?;
    accounts::update_own_name(&ctx.state, &ctx.session, &ctx.actor, &name).await
}

/// Where the person is signed in.
#[server(prefix = "/_sf", endpoint = "account/sessions")]
pub async fn list_sessions() -> Result<Vec<ActiveSession>, AppError> {
    let ctx = require(Need::Signed).await?;
    account_sessions::list(&ctx.state, &ctx.session).await
}

/// Signs the person out on another of their devices.
#[server(prefix = "/_sf", endpoint = "account/end-session")]
pub async fn end_session_elsewhere(id: String) -> Result<(), AppError> {
    let ctx = require(Need::Signed).await?;
    account_sessions::end(&ctx.state, &ctx.session, &ctx.actor, &id).await
}

/// Signs the person out everywhere but in this browser.
#[server(prefix = "/_sf", endpoint = "account/end-other-sessions")]
pub async fn sign_out_everywhere_else() -> Result<(), AppError> {
    let ctx = require(Need::Signed).await?;
    account_sessions::end_others(&ctx.state, &ctx.session, &ctx.actor).await
}
