//! Tracking links: `/track/{token}` shows an order read-only to whoever has the link. The token is the order's
//! id and an HMAC of it under the instance's link key, so that nothing a link can be made from is stored:
//! reading the database gives no tracking page. Links made before (random tokens) keep working through the
//! SHA-256 the database keeps of them.

use super::{secrets, signed_ids, AppState};
use crate::error::AppResult;
use crate::store::{OrderDetails, OrderId};

/// Separates these tags from every other use of the link key.
const PURPOSE: &[u8] = b"signet order tracking v1\0";

/// The tracking token of order `order_key`.
pub fn token(state: &AppState, order_key: &str) -> String {
    signed_ids::sign(state, PURPOSE, order_key)
}

/// The order behind a tracking token, if the token is one Signet made.
pub async fn order_of(state: &AppState, token: &str) -> AppResult<Option<OrderDetails>> {
    if !token.contains('.') {
        return Ok(state.store().order_details_by_tracking_hash(&secrets::token_hash(token)).await?);
    }
    let Some(order_key) = signed_ids::verify(state, PURPOSE, token) else {
        return Ok(None);
    };
    Ok(state.store().order_details_unscoped(&OrderId::new(order_key)).await?)
}
