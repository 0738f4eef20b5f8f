//! Tracking links: `/track/{token}` shows an order read-only to whoever has the link. The token is the order's
//! id and an HMAC of it under the instance's link key, so that nothing a link can be made from is stored:
//! reading the database gives no tracking page. Links made before (random tokens) keep working through the
//! SHA-256 the database keeps of them.

use super::{seal_pages, secrets, AppState};
use crate::error::AppResult;
use crate::store::{OrderDetails, OrderId};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::Mac;

/// Separates these tags from every other use of the link key.
const PURPOSE: &[u8] = b"signet order tracking v1\0";
/// 128 bits of tag: as much as any other token of Signet.
const TAG_BYTES: usize = 16;

/// The tracking token of order `order_key`.
pub fn token(state: &AppState, order_key: &str) -> String {
    let tag = seal_pages::link_hmac(state, &[PURPOSE, order_key.as_bytes()].concat()).finalize().into_bytes();
    format!("{order_key}.{}", URL_SAFE_NO_PAD.encode(&tag[..TAG_BYTES]))
}

/// The order behind a tracking token, if the token is one Signet made.
pub async fn order_of(state: &AppState, token: &str) -> AppResult<Option<OrderDetails>> {
    let Some((order_key, tag)) = token.split_once('.') else {
        return Ok(state.store().order_details_by_tracking_hash(&secrets::token_hash(token)).await?);
    };
    let Ok(tag) = URL_SAFE_NO_PAD.decode(tag) else {
        return Ok(None);
    };
    let expected = seal_pages::link_hmac(state, &[PURPOSE, order_key.as_bytes()].concat());
    if tag.len() != TAG_BYTES || expected.verify_truncated_left(&tag).is_err() {
        return Ok(None);
    }
    Ok(state.store().order_details_unscoped(&OrderId::new(order_key)).await?)
}
