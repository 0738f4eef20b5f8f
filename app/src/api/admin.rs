//! The operator's work (issuers, the outbox) and the audit log, which issuer admins see for their issuer.

use crate::error::AppError;
use crate::model::{AuditEntry, AuditFilter, Issuer, IssuerSummary, MailMessage, Member};
#[cfg(feature = "ssr")]
use crate::store::IssuerId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard::{require, Need};
#[cfg(feature = "ssr")]
use crate::model::{MailStatus, Role};
#[cfg(feature = "ssr")]
use crate::services::{audit, issuers, mail};

#[server(prefix = "/_sf", endpoint = "admin/issuers")]
pub async fn list_issuers() -> Result<Vec<IssuerSummary>, AppError> {
    let ctx = require(Need::Operator).await?;
    issuers::list(&ctx.state).await
}

#[server(prefix = "/_sf", endpoint = "admin/create-issuer")]
pub async fn create_issuer(
    name: String,
    slug: String,
    admin_email: String,
    admin_name: String,
) -> Result<Issuer, AppError> {
    let ctx = require(Need::Operator).await?;
    issuers::create(&ctx.state, &ctx.actor, &name, &slug, &admin_email, &admin_name).await
}

#[server(prefix = "/_sf", endpoint = "admin/issuer")]
pub async fn operator_issuer(issuer_id: String) -> Result<(Issuer, Vec<Member>), AppError> {
    let ctx = require(Need::Operator).await?;
    Ok((
        issuers::get(&ctx.state, &IssuerId::new(&issuer_id)).await?,
        issuers::members(&ctx.state, &IssuerId::new(&issuer_id)).await?,
    ))
}

#[server(prefix = "/_sf", endpoint = "admin/invite-admin")]
pub async fn operator_invite_admin(issuer_id: String, email: String, name: String) -> Result<(), AppError> {
    let ctx = require(Need::Operator).await?;
    issuers::get(&ctx.state, &IssuerId::new(&issuer_id)).await?;
    crate::services::accounts::invite(&ctx.state, &ctx.actor, &IssuerId::new(&issuer_id), &email, &name, Role::Admin)
        .await
}

#[server(prefix = "/_sf", endpoint = "admin/unlock")]
pub async fn operator_unlock(issuer_id: String, user_id: String) -> Result<(), AppError> {
    let ctx = require(Need::Operator).await?;
    issuers::unlock_member(&ctx.state, &ctx.actor, &IssuerId::new(&issuer_id), &user_id).await
}

#[server(prefix = "/_sf", endpoint = "admin/mail")]
pub async fn list_mail(status: String) -> Result<(bool, Vec<MailMessage>), AppError> {
    let ctx = require(Need::Operator).await?;
    mail::outbox(&ctx.state, MailStatus::parse(&status)).await
}

#[server(prefix = "/_sf", endpoint = "admin/resend-mail")]
pub async fn resend_mail(mail_id: String) -> Result<(), AppError> {
    let ctx = require(Need::Operator).await?;
    mail::resend(&ctx.state, &mail_id).await?;
    audit::record(&ctx.state, &ctx.actor, None, "mail.resend", &mail_id, "queued again").await
}

/// The operator sees every issuer (and may filter by one); an issuer admin sees their own issuer only.
#[server(prefix = "/_sf", endpoint = "admin/audit")]
pub async fn list_audit(filter: AuditFilter) -> Result<Vec<AuditEntry>, AppError> {
    let ctx = require(Need::Signed).await?;
    let scope = audit_scope(&ctx).await?;
    audit::list(&ctx.state, scope, &filter, 500).await
}

/// `None` for the operator (all issuers), `Some(issuer)` for an issuer admin; anybody else is refused.
#[cfg(feature = "ssr")]
pub async fn audit_scope(ctx: &super::guard::Ctx) -> Result<Option<crate::store::IssuerId>, AppError> {
    if ctx.session.user.operator {
        return Ok(None);
    }
    let viewer = crate::services::accounts::viewer(&ctx.state, &ctx.session).await?;
    match viewer.current {
        Some(c) if c.role == Role::Admin => Ok(Some(crate::store::IssuerId::new(c.id))),
        Some(_) => Err(AppError::Forbidden),
        None => Err(AppError::NotFound),
    }
}
