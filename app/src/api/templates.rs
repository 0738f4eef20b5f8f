//! Templates: the operator edits them (the default, or one issuer's own); issuer staff read the ones they use.

use crate::error::AppError;
use crate::model::{Rendered, TemplateKind, TemplateSource, TemplateView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard::{require, Need};
#[cfg(feature = "ssr")]
use crate::services::templates;
#[cfg(feature = "ssr")]
use crate::store::IssuerId;

/// The operator's choice of owner: an issuer's id, or empty for the default of every issuer.
#[cfg(feature = "ssr")]
fn owner(issuer_id: &str) -> Option<IssuerId> {
    (!issuer_id.trim().is_empty()).then(|| IssuerId::new(issuer_id.trim()))
}

#[server(prefix = "/_sf", endpoint = "templates/operator")]
pub async fn operator_template(kind: TemplateKind, issuer_id: String) -> Result<TemplateView, AppError> {
    let ctx = require(Need::Operator).await?;
    let issuer = owner(&issuer_id);
    if let Some(issuer) = &issuer {
        crate::services::issuers::get(&ctx.state, issuer).await?;
    }
    templates::view(&ctx.state, issuer.as_ref(), kind).await
}

#[server(prefix = "/_sf", endpoint = "templates/preview")]
pub async fn preview_template(kind: TemplateKind, source: TemplateSource) -> Result<Rendered, AppError> {
    require(Need::Operator).await?;
    templates::preview(kind, &source)
}

#[server(prefix = "/_sf", endpoint = "templates/save")]
pub async fn save_template(
    kind: TemplateKind,
    issuer_id: String,
    source: TemplateSource,
) -> Result<TemplateView, AppError> {
    let ctx = require(Need::Operator).await?;
    let issuer = owner(&issuer_id);
    if let Some(issuer) = &issuer {
        crate::services::issuers::get(&ctx.state, issuer).await?;
    }
    templates::save(&ctx.state, &ctx.actor, issuer.as_ref(), kind, source).await
}

#[server(prefix = "/_sf", endpoint = "templates/version")]
pub async fn load_template_version(
    kind: TemplateKind,
    issuer_id: String,
    version: i64,
) -> Result<TemplateSource, AppError> {
    let ctx = require(Need::Operator).await?;
    templates::version(&ctx.state, owner(&issuer_id).as_ref(), kind, version).await
}

/// Read-only, for the issuer's staff: the version their issuer uses, with its preview on sample data.
#[server(prefix = "/_sf", endpoint = "templates/issuer")]
pub async fn issuer_template(kind: TemplateKind) -> Result<TemplateView, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    let mut view = templates::view(&ctx.state, Some(&ctx.issuer_id()?), kind).await?;
    // The versions are the operator's bookkeeping.
    view.versions.clear();
    Ok(view)
}
