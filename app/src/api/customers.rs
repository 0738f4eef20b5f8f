//! Customers: the people of a client business, invited by issuer staff.

use crate::error::AppError;
use crate::model::Customer;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard::{require, Need};
#[cfg(feature = "ssr")]
use crate::services::accounts;

#[server(prefix = "/_sf", endpoint = "customers/list")]
pub async fn list_customers(client_id: String) -> Result<Vec<Customer>, AppError> {
    let ctx = require(Need::IssuerMember).await?;
    accounts::customers(&ctx.state, &ctx.issuer_id()?, &client_id).await
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
