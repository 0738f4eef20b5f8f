//! API keys for the REST API: each person's own, in the issuer selected in the session.

use crate::error::AppError;
use crate::model::ApiKeyInfo;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard::{require, Need};
#[cfg(feature = "ssr")]
use crate::services::api_keys;

#[server(prefix = "/_sf", endpoint = "api-keys/list")]
pub async fn list_api_keys() -> Result<Vec<ApiKeyInfo>, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    api_keys::list(&ctx.state, &ctx.session.user.id).await
}

/// Creates a key in the current issuer; the answer is the secret, shown once.
#[server(prefix = "/_sf", endpoint = "api-keys/create")]
pub async fn create_api_key(name: String) -> Result<String, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    api_keys::create(&ctx.state, &ctx.actor, &ctx.session.user.id, &ctx.issuer_id()?, &name).await
}

#[server(prefix = "/_sf", endpoint = "api-keys/revoke")]
pub async fn revoke_api_key(id: String) -> Result<(), AppError> {
    let ctx = require(Need::OrderDesk).await?;
    api_keys::revoke(&ctx.state, &ctx.actor, &ctx.session.user.id, &id).await
}
