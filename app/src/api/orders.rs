//! Certificate orders (staff and customers), approval, and the public pages behind tracking and validation
//! links.

use crate::error::AppError;
use crate::model::{
    CsrReport, DcvMethod, EmailDcvInfo, InvitationView, OrderInput, OrderSetup, OrderStatus, OrderSummary, OrderView,
    Page,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard::{public, require, scope_of, Need};
#[cfg(feature = "ssr")]
use crate::model::DcvChoice;
#[cfg(feature = "ssr")]
use crate::services::{invitations, orders};

// --- Orders ---------------------------------------------------------------------------------------------------

#[server(prefix = "/_sf", endpoint = "orders/setup")]
pub async fn get_order_setup() -> Result<OrderSetup, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    orders::setup(&ctx.state, &scope_of(&ctx)?).await
}

/// The wizard's CSR step: the checks, without placing the order.
#[server(prefix = "/_sf", endpoint = "orders/check-csr")]
pub async fn check_csr(
    client_id: String,
    product_id: String,
    names: String,
    csr: String,
) -> Result<CsrReport, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    orders::preview_csr(&ctx.state, &scope_of(&ctx)?, &client_id, &product_id, &names, &csr).await
}

#[server(prefix = "/_sf", endpoint = "orders/create")]
pub async fn place_order(order: OrderInput) -> Result<OrderView, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    orders::create(&ctx.state, &scope_of(&ctx)?, order).await
}

#[server(prefix = "/_sf", endpoint = "orders/list")]
pub async fn list_orders(status: Option<OrderStatus>, page: usize) -> Result<Page<OrderSummary>, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    orders::list(&ctx.state, &scope_of(&ctx)?, status, page).await
}

#[server(prefix = "/_sf", endpoint = "orders/get")]
pub async fn get_order(id: String) -> Result<OrderView, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    orders::view(&ctx.state, &scope_of(&ctx)?, &id).await
}

#[server(prefix = "/_sf", endpoint = "orders/submit-csr")]
pub async fn submit_order_csr(id: String, csr: String) -> Result<OrderView, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    orders::submit_csr(&ctx.state, &scope_of(&ctx)?, &id, &csr).await
}

/// E-mails a single-use link with which someone else, without an account, generates the key and hands in the CSR.
#[server(prefix = "/_sf", endpoint = "orders/invite-csr")]
pub async fn invite_csr(id: String, email: String, name: String) -> Result<OrderView, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    invitations::invite(&ctx.state, &scope_of(&ctx)?, &id, &email, &name).await
}

#[server(prefix = "/_sf", endpoint = "orders/set-dcv")]
pub async fn set_order_dcv(
    id: String,
    name: String,
    method: DcvMethod,
    mailbox: String,
) -> Result<OrderView, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    orders::set_dcv(&ctx.state, &scope_of(&ctx)?, &id, DcvChoice { name, method, mailbox }).await
}

#[server(prefix = "/_sf", endpoint = "orders/check-dcv")]
pub async fn check_order_dcv(id: String) -> Result<OrderView, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    orders::check_dcv(&ctx.state, &scope_of(&ctx)?, &id).await
}

#[server(prefix = "/_sf", endpoint = "orders/approve")]
pub async fn approve_order(id: String) -> Result<OrderView, AppError> {
    let ctx = require(Need::IssuerAdmin).await?;
    orders::approve(&ctx.state, &scope_of(&ctx)?, &id).await
}

#[server(prefix = "/_sf", endpoint = "orders/reject")]
pub async fn reject_order(id: String, reason: String) -> Result<OrderView, AppError> {
    let ctx = require(Need::IssuerAdmin).await?;
    orders::reject(&ctx.state, &scope_of(&ctx)?, &id, &reason).await
}

#[server(prefix = "/_sf", endpoint = "orders/cancel")]
pub async fn cancel_order(id: String, reason: String) -> Result<OrderView, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    orders::cancel(&ctx.state, &scope_of(&ctx)?, &id, &reason).await
}

/// Approval mode of the current issuer (issuer admins).
#[server(prefix = "/_sf", endpoint = "orders/approval-mode")]
pub async fn set_approval_mode(on: bool) -> Result<(), AppError> {
    let ctx = require(Need::IssuerAdmin).await?;
    crate::services::issuers::set_approval_mode(&ctx.state, &ctx.actor, &ctx.issuer_id()?, on).await
}

/// The days before expiry that certificate contacts are reminded (issuer admins).
#[server(prefix = "/_sf", endpoint = "orders/expiry-notices")]
pub async fn set_expiry_notices(days: String) -> Result<Vec<i64>, AppError> {
    let ctx = require(Need::IssuerAdmin).await?;
    crate::services::issuers::set_expiry_notice_days(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &days).await
}

// --- Links that work without an account -------------------------------------------------------------------

/// The read-only tracking page of an order.
#[server(prefix = "/_sf", endpoint = "orders/track")]
pub async fn track_order(token: String) -> Result<OrderView, AppError> {
    let p = public().await?;
    orders::track(&p.state, &token).await
}

#[server(prefix = "/_sf", endpoint = "dcv/info")]
pub async fn get_email_dcv_info(token: String) -> Result<EmailDcvInfo, AppError> {
    let p = public().await?;
    orders::email_dcv_info(&p.state, &token).await
}

/// The recipient of a validation e-mail confirms (a POST: mail scanners that fetch links confirm nothing).
#[server(prefix = "/_sf", endpoint = "dcv/confirm")]
pub async fn confirm_email_dcv(token: String) -> Result<EmailDcvInfo, AppError> {
    let p = public().await?;
    orders::confirm_email_dcv(&p.state, &token).await
}

/// What the recipient of a CSR invitation link is asked to do.
#[server(prefix = "/_sf", endpoint = "invitation/get")]
pub async fn get_invitation(token: String) -> Result<InvitationView, AppError> {
    let p = public().await?;
    invitations::invitation(&p.state, &token).await
}

/// The recipient of a CSR invitation link hands in the CSR made in their browser (never the key). A CSR that
/// fails a check comes back in the report with `accepted: false`, and the link stays usable.
#[server(prefix = "/_sf", endpoint = "invitation/submit-csr")]
pub async fn submit_invitation_csr(token: String, csr: String) -> Result<CsrReport, AppError> {
    let p = public().await?;
    invitations::submit_invited_csr(&p.state, &token, &csr).await
}
