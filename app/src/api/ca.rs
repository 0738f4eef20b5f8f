//! The CA hierarchy (operator): the root, the issuers' issuing CAs, imports.

use crate::error::AppError;
use crate::model::{CaImport, CaOverview};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard::{require, Need};
#[cfg(feature = "ssr")]
use crate::services::ca;

#[server(prefix = "/_sf", endpoint = "ca/overview")]
pub async fn get_ca_overview() -> Result<CaOverview, AppError> {
    let ctx = require(Need::Operator).await?;
    ca::overview(&ctx.state).await
}

#[server(prefix = "/_sf", endpoint = "ca/create-root")]
pub async fn create_root_ca(common_name: String, organisation: String) -> Result<(), AppError> {
    let ctx = require(Need::Operator).await?;
    ca::create_root(&ctx.state, &ctx.actor, &common_name, &organisation).await.map(|_| ())
}

#[server(prefix = "/_sf", endpoint = "ca/create-intermediate")]
pub async fn create_issuing_ca(issuer_id: String) -> Result<(), AppError> {
    let ctx = require(Need::Operator).await?;
    ca::create_intermediate(&ctx.state, &ctx.actor, &crate::store::IssuerId::new(&issuer_id)).await.map(|_| ())
}

#[server(prefix = "/_sf", endpoint = "ca/import")]
pub async fn import_ca(ca_import: CaImport) -> Result<(), AppError> {
    let ctx = require(Need::Operator).await?;
    ca::import(&ctx.state, &ctx.actor, ca_import).await.map(|_| ())
}

/// Signs the root's CRL (its ARL) with the root's key: an operator action, valid for a year.
#[server(prefix = "/_sf", endpoint = "ca/sign-root-crl")]
pub async fn sign_root_crl() -> Result<(), AppError> {
    let ctx = require(Need::Operator).await?;
    ca::crl::sign_root_crl(&ctx.state, &ctx.actor).await.map(|_| ())
}

/// Revokes an issuing CA; the root's ARL lists it at once.
#[server(prefix = "/_sf", endpoint = "ca/revoke")]
pub async fn revoke_issuing_ca(ca_id: String, reason: crate::model::RevocationReason) -> Result<(), AppError> {
    let ctx = require(Need::Operator).await?;
    ca::revoke_issuing_ca(&ctx.state, &ctx.actor, &ca_id, reason).await.map(|_| ())
}
