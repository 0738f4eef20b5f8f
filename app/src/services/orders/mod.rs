//! The registration authority: certificate orders from placement to issuance.
//!
//! Draft (CSR missing) → Pending approval (approval mode, placed by someone without the approval right)
//! → Awaiting validation → Issued; or Rejected / Cancelled. Issuance happens as soon as an order awaits
//! validation and every name is validated; `lifecycle` decides that, for every path.
//!
//! - `place`: placing an order (the wizard and REST), its checks, and issuing it in the same write;
//! - `commands`: what changes a stored order: its CSR, approval, rejection, cancellation, validation;
//! - `lifecycle`: the one "issue if ready" decision;
//! - `names`: reading the names typed into an order;
//! - `view`: the read model (status and tracking pages, lists, downloads).
//!
//! Proving control of the names is the validation authority's (`dcv`), signing the CA's (`ca`); neither calls
//! back into orders.

mod commands;
mod lifecycle;
mod names;
mod place;
mod view;

pub use commands::{approve, cancel, check_dcv, confirm_email_dcv, recheck_pending, reject, set_dcv, submit_csr};
pub(super) use commands::{attach_csr, CsrOutcome, CsrSubmitter};
pub use names::parse_names;
pub use place::{create, inspect_csr, preview_csr};
pub(super) use place::{create_as, place, Placement};
pub(crate) use view::event_of;
pub use view::{download, list, track, view};

/// The page behind an e-mailed validation link reads nothing of the order's lifecycle; it is `dcv`'s.
pub use super::dcv::email_dcv_info;
/// Kept here, where callers have always found it.
pub use super::products::product_of;

use super::{Actor, AppState};
use crate::error::{AppError, AppResult};
use crate::model::*;
use crate::store::{ClientId, IssuerId, OrderId, OrderRow, OrderScope, UserId};
use chrono::{DateTime, Utc};

/// Who is acting on orders, and what they may see and do.
#[derive(Debug, Clone)]
pub struct Scope {
    pub issuer: IssuerId,
    /// A customer sees only this client's orders.
    pub client: Option<ClientId>,
    /// Issuer admins approve; users and customers do not.
    pub can_approve: bool,
    pub user_id: Option<UserId>,
    pub actor: Actor,
}

impl Scope {
    pub(crate) fn store_scope(&self) -> OrderScope {
        OrderScope { issuer: self.issuer.clone(), client: self.client.clone() }
    }
}

/// Products on offer, the clients the person may order for, and today's CA/B limit.
pub async fn setup(state: &AppState, scope: &Scope) -> AppResult<OrderSetup> {
    let products = products(state).await?.into_iter().filter(|p| p.active).collect();
    let clients = match &scope.client {
        Some(c) => vec![state.store().client(&scope.issuer, c).await?.ok_or(AppError::NotFound)?],
        None => state.store().clients_for_order(&scope.issuer).await?,
    };
    Ok(OrderSetup {
        products,
        clients: clients.into_iter().map(place::order_client_of).collect(),
        max_server_days: max_server_validity_days(state.now().date_naive()),
        ca_ready: state.store().issuing_ca(&scope.issuer).await?.is_some(),
    })
}

pub async fn products(state: &AppState) -> AppResult<Vec<Product>> {
    Ok(state.store().products().await?.into_iter().map(product_of).collect())
}

pub(super) async fn load(state: &AppState, scope: &OrderScope, id: &str) -> AppResult<OrderRow> {
    state.store().order(scope, &OrderId::new(id)).await?.ok_or(AppError::NotFound)
}

/// Refuses a person's step on an order its ACME client runs (`what` the client does instead).
pub(super) fn refuse_if_acme(order: &OrderRow, what: &str) -> AppResult<()> {
    match order.acme_account {
        Some(_) => Err(AppError::Conflict(format!("This order was placed over ACME: its ACME client {what}."))),
        None => Ok(()),
    }
}

pub fn now_str(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}
