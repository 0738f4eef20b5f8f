//! Links that name a record and prove Signet made them: `{id}.{tag}`, where the tag is an HMAC of the id under
//! the instance's link key with a purpose of its own (order tracking, newsletter unsubscribing). Nothing a link
//! can be made from is stored, so a copy of the database hands out no live links.

use super::{seal_pages, AppState};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::Mac;

/// 128 bits of tag, as for every other token of Signet.
const TAG_BYTES: usize = 16;

fn mac(state: &AppState, purpose: &[u8], id: &str) -> seal_pages::HmacSha256 {
    // The purpose ends in a NUL, so no purpose and id run into another purpose's.
    seal_pages::link_hmac(state, &[purpose, id.as_bytes()].concat())
}

/// The signed link token of record `id` for `purpose` (a constant such as `b"signet order tracking v1\0"`).
pub fn sign(state: &AppState, purpose: &[u8], id: &str) -> String {
    let tag = mac(state, purpose, id).finalize().into_bytes();
    format!("{id}.{}", URL_SAFE_NO_PAD.encode(&tag[..TAG_BYTES]))
}

/// The record a token names, if Signet signed it for `purpose`; the comparison takes constant time.
pub fn verify<'t>(state: &AppState, purpose: &[u8], token: &'t str) -> Option<&'t str> {
    let (id, tag) = token.split_once('.')?;
    let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
    (tag.len() == TAG_BYTES && mac(state, purpose, id).verify_truncated_left(&tag).is_ok()).then_some(id)
}
