//! The signed-in person's own account and issuer choice.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::store::IssuerId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard::{require, Need};
#[cfg(feature = "ssr")]
use crate::services::accounts;

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
