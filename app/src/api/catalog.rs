//! The seal catalogue: certificate groups and types (the operator writes them, issuers read them).

use crate::error::AppError;
use crate::model::{Catalog, CertTypeInput};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard::{require, Need};
#[cfg(feature = "ssr")]
use crate::services::catalog;

/// Groups and types; everybody signed in may read them (issuers see them read-only).
#[server(prefix = "/_sf", endpoint = "catalog/list")]
pub async fn load_catalog() -> Result<Catalog, AppError> {
    let ctx = require(Need::Signed).await?;
    Ok(Catalog {
        groups: catalog::groups(&ctx.state).await?,
        types: catalog::types(&ctx.state).await?,
        today: ctx.state.now().date_naive(),
    })
}

/// Creates a group (`id` empty) or changes one.
#[server(prefix = "/_sf", endpoint = "catalog/save-group")]
pub async fn save_cert_group(id: String, name: String, description: String) -> Result<(), AppError> {
    let ctx = require(Need::Operator).await?;
    catalog::save_group(&ctx.state, &ctx.actor, id.trim(), &name, &description).await
}

/// Creates a certificate type (`id` empty) or changes one.
#[server(prefix = "/_sf", endpoint = "catalog/save-type")]
pub async fn save_cert_type(id: String, cert_type: CertTypeInput) -> Result<(), AppError> {
    let ctx = require(Need::Operator).await?;
    catalog::save_type(&ctx.state, &ctx.actor, id.trim(), cert_type).await
}
