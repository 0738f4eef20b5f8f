//! Certificates: the CA hierarchy and products (operator), orders (staff and customers), approval,
//! customers of a client, API keys, and the public pages behind tracking and validation links.

use crate::error::AppError;
use crate::model::{
    ApiKeyInfo, CaImport, CaOverview, CsrReport, Customer, DcvMethod, EmailDcvInfo, InvitationView, OrderInput,
    OrderSetup, OrderStatus, OrderSummary, OrderView, Page, Product, ProductInput,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard::{public, require, Ctx, Need};
#[cfg(feature = "ssr")]
use crate::model::{DcvChoice, Role};
#[cfg(feature = "ssr")]
use crate::services::{accounts, api_keys, ca, invitations, orders, products};

/// The order scope of a checked caller: issuer from the session, client for customers, approval for admins.
#[cfg(feature = "ssr")]
pub fn scope_of(ctx: &Ctx) -> Result<orders::Scope, AppError> {
    let (issuer, role) = ctx.issuer.clone().ok_or(AppError::NotFound)?;
    Ok(orders::Scope {
        issuer,
        client: ctx.client_scope.clone(),
        can_approve: role == Role::Admin,
        user_id: Some(ctx.session.user.key()),
        actor: ctx.actor.clone(),
    })
}

// --- CA hierarchy and products (operator) -------------------------------------------------------------------

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
    ca::create_intermediate(&ctx.state, &ctx.actor, &issuer_id).await.map(|_| ())
}

#[server(prefix = "/_sf", endpoint = "ca/import")]
pub async fn import_ca(ca_import: CaImport) -> Result<(), AppError> {
    let ctx = require(Need::Operator).await?;
    ca::import(&ctx.state, &ctx.actor, ca_import).await.map(|_| ())
}

/// Products: everybody signed in may read them (the order wizard offers the active ones).
#[server(prefix = "/_sf", endpoint = "products/list")]
pub async fn list_products() -> Result<Vec<Product>, AppError> {
    let ctx = require(Need::Signed).await?;
    orders::products(&ctx.state).await
}

/// Creates a product (`id` empty) or changes one.
#[server(prefix = "/_sf", endpoint = "products/save")]
pub async fn save_product(id: String, product: ProductInput) -> Result<(), AppError> {
    let ctx = require(Need::Operator).await?;
    if id.trim().is_empty() {
        products::create(&ctx.state, &ctx.actor, product).await.map(|_| ())
    } else {
        products::update(&ctx.state, &ctx.actor, id.trim(), product).await.map(|_| ())
    }
}

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
    let issuer = ctx.issuer_id()?;
    ctx.state.store().set_approval_mode(&issuer, on).await?;
    crate::services::audit::record(&ctx.state, &ctx.actor, Some(&issuer), "issuer.approval_mode", "", on.to_string())
        .await
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

// --- Customers and API keys -----------------------------------------------------------------------------------

#[server(prefix = "/_sf", endpoint = "customers/list")]
pub async fn list_customers(client_id: String) -> Result<Vec<Customer>, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    let issuer = ctx.issuer_id()?;
    ctx.state.store().client(&issuer, &client_id).await?.ok_or(AppError::NotFound)?;
    Ok(ctx
        .state
        .store()
        .customers_of_client(&issuer, &client_id)
        .await?
        .into_iter()
        .map(|m| Customer {
            user_id: crate::store::key_of(&m.user),
            email: m.email,
            name: m.name,
            pending: !m.has_password,
        })
        .collect())
}

#[server(prefix = "/_sf", endpoint = "customers/invite")]
pub async fn invite_customer(client_id: String, email: String, name: String) -> Result<(), AppError> {
    let ctx = require(Need::IssuerMember).await?;
    accounts::invite_customer(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &client_id, &email, &name).await
}

/// Removes a customer from the client: their sign-in no longer reaches the issuer, and their API keys stop working.
#[server(prefix = "/_sf", endpoint = "customers/remove")]
pub async fn remove_customer(client_id: String, user_id: String) -> Result<(), AppError> {
    let ctx = require(Need::IssuerMember).await?;
    accounts::remove_customer(&ctx.state, &ctx.actor, &ctx.issuer_id()?, &client_id, &user_id).await
}

#[server(prefix = "/_sf", endpoint = "api-keys/list")]
pub async fn list_api_keys() -> Result<Vec<ApiKeyInfo>, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    api_keys::list(&ctx.state, &ctx.session.user.key()).await
}

/// Creates a key in the current issuer; the answer is the secret, shown once.
#[server(prefix = "/_sf", endpoint = "api-keys/create")]
pub async fn create_api_key(name: String) -> Result<String, AppError> {
    let ctx = require(Need::OrderDesk).await?;
    api_keys::create(&ctx.state, &ctx.actor, &ctx.session.user.key(), &ctx.issuer_id()?, &name).await
}

#[server(prefix = "/_sf", endpoint = "api-keys/revoke")]
pub async fn revoke_api_key(id: String) -> Result<(), AppError> {
    let ctx = require(Need::OrderDesk).await?;
    api_keys::revoke(&ctx.state, &ctx.actor, &ctx.session.user.key(), &id).await
}
