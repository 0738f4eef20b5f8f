//! The certificate tools: certificates kept for their expiry (the self-signed tool saves there).

use crate::error::AppError;
use crate::model::TrackedCert;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard::{require, scope_of, Need};
#[cfg(feature = "ssr")]
use crate::services::watched;

#[server(prefix = "/_sf", endpoint = "tools/tracked")]
pub async fn list_tracked_certificates() -> Result<Vec<TrackedCert>, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    watched::list(&ctx.state, &scope_of(&ctx)?).await
}

/// Keeps a certificate (PEM) to watch its expiry. Only the certificate: a private key is refused.
#[server(prefix = "/_sf", endpoint = "tools/track")]
pub async fn track_certificate(certificate: String) -> Result<TrackedCert, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    watched::track(&ctx.state, &scope_of(&ctx)?, &certificate).await
}

#[server(prefix = "/_sf", endpoint = "tools/untrack")]
pub async fn untrack_certificate(id: String) -> Result<(), AppError> {
    let ctx = require(Need::OrderDesk).await?;
    watched::remove(&ctx.state, &scope_of(&ctx)?, &id).await
}
