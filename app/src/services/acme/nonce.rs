//! Replay nonces (RFC 8555 6.5) that cost nothing to give out. A nonce is the moment it was made, random bytes
//! and an HMAC of both under the link key (the same on every instance of one database, see `with_link_key`),
//! so any instance tells a nonce Signet made from a forged one and knows its age without a read. Using one
//! writes it to the database, in the same round trip as the signing account's read (`Store::acme_intake`); a
//! second use, on any instance, finds it there and is `badNonce`.
//!
//! Why not a stored random token: every ACME answer carries a fresh nonce, so storing them cost a write per
//! request, and most of them are never used (a client uses the one of its last answer).

use super::super::{seal_pages, AppState};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use hmac::Mac;
use rand::RngCore;

/// Separates these tags from every other use of the link key.
const PURPOSE: &[u8] = b"signet acme nonce v1\0";
/// The time it was made (milliseconds since 1970, big-endian), then randomness.
const TIME_BYTES: usize = 8;
const RANDOM_BYTES: usize = 12;
/// 128 bits of tag, as for every other token of Signet.
const TAG_BYTES: usize = 16;
const NONCE_BYTES: usize = TIME_BYTES + RANDOM_BYTES + TAG_BYTES;

/// How long a nonce may wait to be used.
pub(super) const NONCE_MINUTES: i64 = 30;
/// How far ahead of this instance's clock another instance's may be.
const CLOCK_SKEW_SECONDS: i64 = 60;

fn tag(state: &AppState, body: &[u8]) -> seal_pages::HmacSha256 {
    seal_pages::link_hmac(state, &[PURPOSE, body].concat())
}

/// Used nonces made before this moment can be forgotten: no instance accepts them any more, even one whose clock
/// is behind the clock of the instance that made them.
pub(super) fn forgettable_before(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::minutes(NONCE_MINUTES) - Duration::seconds(CLOCK_SKEW_SECONDS)
}

/// A fresh nonce.
pub fn make(state: &AppState) -> String {
    let mut bytes = [0u8; NONCE_BYTES];
    let millis = state.now().timestamp_millis().max(0) as u64;
    bytes[..TIME_BYTES].copy_from_slice(&millis.to_be_bytes());
    rand::rngs::OsRng.fill_bytes(&mut bytes[TIME_BYTES..TIME_BYTES + RANDOM_BYTES]);
    let body_len = TIME_BYTES + RANDOM_BYTES;
    let mac = tag(state, &bytes[..body_len]).finalize().into_bytes();
    bytes[body_len..].copy_from_slice(&mac[..TAG_BYTES]);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// When `nonce` was made, if Signet made it and it may still be used (it may have been used already: only the
/// database knows that).
pub(super) fn made_at(state: &AppState, nonce: &str) -> Option<DateTime<Utc>> {
    let bytes = URL_SAFE_NO_PAD.decode(nonce).ok().filter(|b| b.len() == NONCE_BYTES)?;
    let body_len = TIME_BYTES + RANDOM_BYTES;
    tag(state, &bytes[..body_len]).verify_truncated_left(&bytes[body_len..]).ok()?;
    let millis = u64::from_be_bytes(bytes[..TIME_BYTES].try_into().ok()?);
    let at = DateTime::from_timestamp_millis(i64::try_from(millis).ok()?)?;
    let now = state.now();
    let fresh = at > now - Duration::minutes(NONCE_MINUTES) && at < now + Duration::seconds(CLOCK_SKEW_SECONDS);
    fresh.then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::test_state as state;

    #[tokio::test]
    async fn a_nonce_is_accepted_until_it_is_too_old_and_never_when_changed() {
        let s = state().await;
        let nonce = make(&s);
        assert!(made_at(&s, &nonce).is_some());
        let mut bytes = URL_SAFE_NO_PAD.decode(&nonce).unwrap();
        bytes[TIME_BYTES] ^= 1;
        assert_eq!(made_at(&s, &URL_SAFE_NO_PAD.encode(&bytes)), None, "a changed nonce is not Signet's");
        assert_eq!(made_at(&s, "made-up"), None);
        s.clock().advance(Duration::minutes(NONCE_MINUTES + 1));
        assert_eq!(made_at(&s, &nonce), None, "a nonce older than {NONCE_MINUTES} minutes");
    }
}
