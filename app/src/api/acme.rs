//! ACME external account bindings of the issuer selected in the session: its admins' to create and revoke.

use crate::error::AppError;
use crate::model::{AcmeBindingCreated, AcmeBindingInput, AcmeOverview};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard::{require, Need};
#[cfg(feature = "ssr")]
use crate::services::acme::bindings;

#[server(prefix = "/_sf", endpoint = "acme/bindings")]
pub async fn load_acme_overview() -> Result<AcmeOverview, AppError> {
    let ctx = require(Need::IssuerAdmin).await?;
    let bindings = bindings::list(&ctx.state, &ctx.issuer_id()?).await?;
    Ok(AcmeOverview { directory_url: bindings::directory_url(&ctx.state), bindings })
}

/// Creates a binding; the answer holds the HMAC key, shown once.
#[server(prefix = "/_sf", endpoint = "acme/create-binding")]
pub async fn create_acme_binding(binding: AcmeBindingInput) -> Result<AcmeBindingCreated, AppError> {
    let ctx = require(Need::IssuerAdmin).await?;
    bindings::create(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &binding).await
}

#[server(prefix = "/_sf", endpoint = "acme/revoke-binding")]
pub async fn revoke_acme_binding(kid: String) -> Result<(), AppError> {
    let ctx = require(Need::IssuerAdmin).await?;
    bindings::revoke(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &kid).await
}
