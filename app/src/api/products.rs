//! Products: what can be ordered (the operator writes them, everybody signed in reads them).

use crate::error::AppError;
use crate::model::{Product, ProductInput};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard::{require, Need};
#[cfg(feature = "ssr")]
use crate::services::{orders, products};

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
