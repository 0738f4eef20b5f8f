//! The CA keys at rest and in memory: sealing under the master key, bound to their CA, and the caches of
//! what the CAs sign (unsealed signers, each issuer's issuing CA, CRLs, OCSP responses).

use super::crl::CrlCache;
use super::ocsp::OcspCache;
use super::Signer;
use crate::error::{AppError, AppResult};
use crate::services::AppState;
use crate::store::CaId;
use base64::Engine;
use ring::aead;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Keys sealed before they were bound to their CA (`v1.`); only `reseal_unbound_keys` still opens them.
const UNBOUND_AAD: &[u8] = b"signet ca key v1";
/// The associated data of a `v2.` sealed key: this prefix and the CA's id, so that a sealed key copied into
/// another CA's row does not open there.
const BOUND_AAD: &[u8] = b"signet ca key v2\0";

/// The master key and the unsealed signers, kept in `AppState`.
pub struct CaRuntime {
    master: aead::LessSafeKey,
    signers: Mutex<HashMap<String, Arc<Signer>>>,
    /// Each issuer's current issuing CA, so that issuing a certificate does not look it up every time. A CA
    /// made in this process replaces it at once; one made by another process sharing the database is picked
    /// up within `ISSUING_CA_REFRESH` (until then the previous CA, still valid, signs).
    issuing: Mutex<HashMap<String, (Instant, Arc<Signer>)>>,
    pub(super) crls: CrlCache,
    pub(super) ocsp: OcspCache,
    /// How often this process unsealed the root's key: only operator actions may (the tests count).
    pub(super) root_unseals: AtomicUsize,
}

pub(super) const ISSUING_CA_REFRESH: std::time::Duration = std::time::Duration::from_secs(60);

impl CaRuntime {
    pub fn new(master_key: [u8; 32]) -> CaRuntime {
        let unbound = aead::UnboundKey::new(&aead::AES_256_GCM, &master_key).unwrap_or_else(|_| unreachable!());
        CaRuntime {
            master: aead::LessSafeKey::new(unbound),
            signers: Mutex::default(),
            issuing: Mutex::default(),
            crls: CrlCache::default(),
            ocsp: OcspCache::default(),
            root_unseals: AtomicUsize::new(0),
        }
    }

    /// AES-256-GCM with a random nonce, bound to the CA `ca_id`: `v2.` + base64(nonce ‖ ciphertext ‖ tag).
    pub fn seal(&self, ca_id: &str, plain: &[u8]) -> String {
        format!("v2.{}", self.seal_raw(plain, &bound_aad(ca_id)))
    }

    fn seal_raw(&self, plain: &[u8], aad: &[u8]) -> String {
        let mut nonce = [0u8; 12];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut nonce);
        let mut data = plain.to_vec();
        // Sealing only fails for inputs of more than 64 GiB.
        let _ = self.master.seal_in_place_append_tag(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(aad),
            &mut data,
        );
        base64::engine::general_purpose::STANDARD.encode([nonce.as_slice(), &data].concat())
    }

    /// The key of CA `ca_id`; fails for a key sealed for another CA, or under another master key.
    pub fn open(&self, ca_id: &str, sealed: &str) -> AppResult<Vec<u8>> {
        let raw = sealed.strip_prefix("v2.").ok_or_else(unseal_failed)?;
        self.open_raw(raw, &bound_aad(ca_id))
    }

    /// How often this process unsealed the root's key.
    pub fn root_unseal_count(&self) -> usize {
        self.root_unseals.load(Ordering::Relaxed)
    }

    /// A key sealed the way keys were before they were bound to their CA, for the re-sealing test.
    #[cfg(test)]
    pub fn seal_unbound_for_tests(&self, plain: &[u8]) -> String {
        format!("v1.{}", self.seal_raw(plain, UNBOUND_AAD))
    }

    /// A key sealed before keys were bound to their CA.
    pub(super) fn open_unbound(&self, sealed: &str) -> AppResult<Vec<u8>> {
        self.open_raw(sealed.strip_prefix("v1.").ok_or_else(unseal_failed)?, UNBOUND_AAD)
    }

    fn open_raw(&self, base64_text: &str, aad: &[u8]) -> AppResult<Vec<u8>> {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(base64_text)
            .ok()
            .filter(|r| r.len() > 12 + 16)
            .ok_or_else(unseal_failed)?;
        let (nonce, rest) = raw.split_at(12);
        let mut data = rest.to_vec();
        let nonce = aead::Nonce::try_assume_unique_for_key(nonce).map_err(|_| unseal_failed())?;
        let plain = self.master.open_in_place(nonce, aead::Aad::from(aad), &mut data).map_err(|_| unseal_failed())?;
        Ok(plain.to_vec())
    }

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Signer>>> {
        self.signers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Drops every unsealed key, as a restart would.
    #[cfg(test)]
    pub(crate) fn forget_signers_for_tests(&self) {
        self.lock().clear();
        self.lock_issuing().clear();
    }

    pub(super) fn lock_issuing(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Arc<Signer>)>> {
        self.issuing.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn bound_aad(ca_id: &str) -> Vec<u8> {
    [BOUND_AAD, ca_id.as_bytes()].concat()
}

fn unseal_failed() -> AppError {
    tracing::error!(
        "a CA key cannot be unsealed: is SIGNET_MASTER_KEY (or master.key) the one it was sealed with, and is the \
         sealed key in its own CA's row?"
    );
    AppError::Internal
}

/// Seals again, bound to their CA, the keys sealed before binding existed (`v1.`). Run at start-up; a key
/// that another instance re-sealed meanwhile is left as that instance wrote it. Returns how many were sealed.
pub async fn reseal_unbound_keys(state: &AppState) -> AppResult<usize> {
    let runtime = state.ca_runtime();
    let mut resealed = 0;
    for row in state.store().cas().await? {
        if !row.key_sealed.starts_with("v1.") {
            continue;
        }
        let id = row.id.key().to_string();
        let bound = runtime.seal(&id, &runtime.open_unbound(&row.key_sealed)?);
        if state.store().replace_ca_key_sealed(&CaId::new(&id), &row.key_sealed, &bound).await? {
            resealed += 1;
        }
    }
    Ok(resealed)
}
