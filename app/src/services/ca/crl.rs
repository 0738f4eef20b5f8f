//! Certificate revocation lists at `/pki/{ca}.crl`.
//!
//! An issuing CA's CRL is signed when one is revoked, and otherwise daily by the background job; every
//! instance serves the newest one stored in the database (re-read every `SERVE_FOR`), so a revocation on any
//! instance shows everywhere within seconds. CRL numbers come from the database and only increase.
//!
//! The root's CRL (its ARL, listing revoked issuing CAs) is signed only when the operator acts: it is valid
//! for up to a year, and the CA page and an e-mail remind the operator to sign it again before it runs out.

use super::{root_signer, signer_for_row, unb64, Signer};
use crate::error::{AppError, AppResult};
use crate::model::RevocationReason;
use crate::services::{audit, mail, Actor, AppState};
use crate::store::{CaId, CaRow};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// An issuing CA's CRL is valid this long (the Baseline Requirements allow at most 10 days)…
pub const CRL_VALIDITY: Duration = Duration::days(7);
/// …and signed again once it is this old (they ask for at least once every 7 days).
pub const CRL_RESIGN_AFTER: Duration = Duration::hours(24);
/// The root's ARL is valid for a year (the most the Baseline Requirements allow for a CA's CRL)…
pub const ARL_VALIDITY: Duration = Duration::days(365);
/// …and the operator is reminded this long before it runs out.
pub const ARL_REMIND_BEFORE: Duration = Duration::days(30);
/// How long an instance serves its copy of a CRL before looking for a newer one in the database.
const SERVE_FOR: std::time::Duration = std::time::Duration::from_secs(3);

/// The CRLs this instance serves, by CA slug, with when each was read from the database.
#[derive(Default)]
pub struct CrlCache {
    served: Mutex<HashMap<String, (Instant, Arc<Vec<u8>>)>>,
}

impl CrlCache {
    fn get(&self, slug: &str) -> Option<Arc<Vec<u8>>> {
        let served = self.served.lock().unwrap_or_else(|p| p.into_inner());
        served.get(slug).filter(|(at, _)| at.elapsed() < SERVE_FOR).map(|(_, der)| der.clone())
    }

    fn put(&self, slug: &str, der: Arc<Vec<u8>>) {
        self.served.lock().unwrap_or_else(|p| p.into_inner()).insert(slug.to_string(), (Instant::now(), der));
    }

    fn forget(&self, slug: &str) {
        self.served.lock().unwrap_or_else(|p| p.into_inner()).remove(slug);
    }
}

/// The CRL of CA `slug` (DER). An issuing CA's is signed here when none is stored or the stored one is due;
/// the root's is only ever read.
pub async fn crl(state: &AppState, slug: &str) -> AppResult<Arc<Vec<u8>>> {
    let runtime = state.ca_runtime();
    if let Some(der) = runtime.crls.get(slug) {
        return Ok(der);
    }
    let row = state.store().ca_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let stored = state.store().crl(&row.id).await?;
    let now = state.now();
    let current = stored.as_ref().and_then(|c| Some((c.der.as_ref()?, c.this_update?, c.next_update?)));
    let der = match current {
        Some((der, this_update, next_update))
            if row.kind == "root" || (now - this_update < CRL_RESIGN_AFTER && next_update > now) =>
        {
            unb64(der)?
        }
        _ if row.kind == "root" => {
            // Until the operator signs the first ARL on the CA page (it says so there).
            return Err(AppError::NotFound);
        }
        _ => sign_issuing_crl(state, &row).await?,
    };
    let der = Arc::new(der);
    runtime.crls.put(slug, der.clone());
    Ok(der)
}

/// Signs a new CRL for an issuing CA, stores it, and returns the newest stored one (another instance may
/// have stored a newer one meanwhile).
pub async fn sign_issuing_crl(state: &AppState, row: &CaRow) -> AppResult<Vec<u8>> {
    let signer = signer_for_row(state, row).await?;
    let now = state.now();
    let revoked = state.store().revoked_unexpired(&row.id, now).await?;
    let entries = revoked
        .iter()
        .map(|r| {
            let reason = r.revocation_reason.as_deref().and_then(RevocationReason::parse);
            Ok(entry(&r.serial, r.revoked_at, reason)?)
        })
        .collect::<AppResult<Vec<_>>>()?;
    let der = sign_and_store(state, &signer, &row.id, entries, now, now + CRL_VALIDITY).await?;
    state.ca_runtime().crls.forget(&row.slug);
    Ok(der)
}

fn entry(serial_hex: &str, at: DateTime<Utc>, reason: Option<RevocationReason>) -> AppResult<rcgen::RevokedCertParams> {
    let serial = hex::decode(serial_hex).map_err(|_| AppError::Internal)?;
    Ok(rcgen::RevokedCertParams {
        serial_number: rcgen::SerialNumber::from_slice(&serial),
        revocation_time: offset(at)?,
        // The Baseline Requirements (7.2.2) leave the reason code out for "unspecified".
        reason_code: reason.and_then(|r| rcgen_reason(r)),
        invalidity_date: None,
    })
}

fn rcgen_reason(reason: RevocationReason) -> Option<rcgen::RevocationReason> {
    use rcgen::RevocationReason as R;
    Some(match reason {
        RevocationReason::Unspecified => return None,
        RevocationReason::KeyCompromise => R::KeyCompromise,
        RevocationReason::AffiliationChanged => R::AffiliationChanged,
        RevocationReason::Superseded => R::Superseded,
        RevocationReason::CessationOfOperation => R::CessationOfOperation,
        RevocationReason::PrivilegeWithdrawn => R::PrivilegeWithdrawn,
    })
}

fn offset(t: DateTime<Utc>) -> AppResult<::time::OffsetDateTime> {
    ::time::OffsetDateTime::from_unix_timestamp(t.timestamp()).map_err(|_| AppError::Internal)
}

async fn sign_and_store(
    state: &AppState,
    signer: &Signer,
    ca_id: &CaId,
    revoked_certs: Vec<rcgen::RevokedCertParams>,
    this_update: DateTime<Utc>,
    next_update: DateTime<Utc>,
) -> AppResult<Vec<u8>> {
    let number = state.store().next_crl_number(ca_id).await?;
    let entries = revoked_certs.len();
    let params = rcgen::CertificateRevocationListParams {
        this_update: offset(this_update)?,
        next_update: offset(next_update)?,
        crl_number: rcgen::SerialNumber::from(number as u64),
        issuing_distribution_point: None,
        revoked_certs,
        key_identifier_method: authority_key_id(signer)?,
    };
    let der = params.signed_by(&signer.issuer).map_err(|e| {
        tracing::error!(error = %e, ca = %signer.slug, "cannot sign a CRL");
        AppError::Internal
    })?;
    let text = base64::engine::general_purpose::STANDARD.encode(der.der());
    if state.store().store_crl(ca_id, number, &text, this_update, next_update, entries).await? {
        return Ok(der.der().to_vec());
    }
    let newer = state.store().crl(ca_id).await?.and_then(|c| c.der).ok_or(AppError::Internal)?;
    unb64(&newer)
}

/// The CRL's authority key identifier: the CA certificate's own subject key identifier, so that relying
/// parties match the CRL to the CA however its identifier was made.
fn authority_key_id(signer: &Signer) -> AppResult<rcgen::KeyIdMethod> {
    use x509_parser::prelude::*;
    let (_, cert) = X509Certificate::from_der(&signer.chain[0]).map_err(|_| AppError::Internal)?;
    let ski = cert.extensions().iter().find_map(|e| match e.parsed_extension() {
        ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
        _ => None,
    });
    Ok(match ski {
        Some(ski) => rcgen::KeyIdMethod::PreSpecified(ski),
        None => rcgen::KeyIdMethod::Sha256,
    })
}

/// Signs the root's ARL (the operator's action): every revoked, unexpired issuing CA, valid for a year.
pub async fn sign_root_crl(state: &AppState, actor: &Actor) -> AppResult<(DateTime<Utc>, DateTime<Utc>)> {
    let root = state.store().root_ca().await?.ok_or(AppError::NotFound)?;
    let (this_update, next_update) = sign_arl(state, &root).await?;
    audit::record(state, actor, None, "ca.root.crl", &root.slug, &format!("valid until {next_update}")).await?;
    Ok((this_update, next_update))
}

/// Signs the ARL with the root's key; callers are operator actions.
pub(super) async fn sign_arl(state: &AppState, root: &CaRow) -> AppResult<(DateTime<Utc>, DateTime<Utc>)> {
    let signer = root_signer(state, root).await?;
    let now = state.now();
    let mut entries = Vec::new();
    for (cert_der, at, reason) in state.store().revoked_cas(&root.id).await? {
        let serial = super::serial_hex(&unb64(&cert_der)?);
        entries.push(entry(&serial, at, reason.as_deref().and_then(RevocationReason::parse))?);
    }
    sign_and_store(state, &signer, &root.id, entries, now, now + ARL_VALIDITY).await?;
    state.ca_runtime().crls.forget(&root.slug);
    Ok((now, now + ARL_VALIDITY))
}

/// When the root's ARL was signed and until when it is valid.
pub async fn arl_validity(state: &AppState, root_id: &CaId) -> AppResult<Option<(DateTime<Utc>, DateTime<Utc>)>> {
    Ok(state.store().crl(root_id).await?.and_then(|c| Some((c.this_update?, c.next_update?))))
}

/// A certificate of CA `ca` was revoked: its CRL is signed again now, and OCSP answers from the new state.
/// The revocation stands even if signing fails (it is stored and final): the failure is logged, the CA's CRL
/// number is raised so that every instance's OCSP cache lets go of its old answers, and `refresh_due` signs
/// the CRL on its next run, because a number was taken that no stored CRL carries.
pub async fn after_revocation(state: &AppState, ca_id: &CaId) {
    state.ca_runtime().ocsp.forget_ca(ca_id.key());
    let signed = async {
        let row = state.store().ca_by_id(ca_id).await?.ok_or(AppError::Internal)?;
        sign_issuing_crl(state, &row).await
    }
    .await;
    if let Err(e) = signed {
        tracing::error!(ca = ca_id.key(), error = %e, "the CRL was not signed after a revocation; the CRL job signs it");
        if let Err(e) = state.store().next_crl_number(ca_id).await {
            tracing::error!(ca = ca_id.key(), error = %e, "the CRL number could not be raised either");
        }
    }
}

/// The background job: signs every issuing CA's CRL that is due, and reminds the operators once a day when
/// the root's ARL runs out within `ARL_REMIND_BEFORE`. Several instances may run it: a CRL signed twice only
/// takes a number more.
pub async fn refresh_due(state: &AppState) -> AppResult<()> {
    let now = state.now();
    for row in state.store().cas().await? {
        let stored = state.store().crl(&row.id).await?;
        let signed = stored.as_ref().and_then(|c| c.this_update.zip(c.next_update));
        if row.kind == "root" {
            if let Some((_, next_update)) = signed {
                remind_arl(state, &row, next_update).await?;
            }
            continue;
        }
        if row.not_after <= now {
            continue;
        }
        // A number taken that no stored CRL carries: a signing failed (or is under way, and one more is harmless).
        let behind = stored.as_ref().is_some_and(|c| c.der_number < c.number);
        let due =
            signed.is_none_or(|(this_update, next_update)| now - this_update >= CRL_RESIGN_AFTER || next_update <= now);
        if due || behind {
            // One CA that cannot sign (a key that will not unseal) must not keep the others' CRLs from renewal.
            if let Err(e) = sign_issuing_crl(state, &row).await {
                tracing::error!(ca = %row.slug, error = %e, "the CRL was not signed; the next run tries again");
            }
        }
    }
    Ok(())
}

async fn remind_arl(state: &AppState, root: &CaRow, next_update: DateTime<Utc>) -> AppResult<()> {
    let now = state.now();
    if next_update - now > ARL_REMIND_BEFORE {
        return Ok(());
    }
    // One reminder a day: the day is part of the claim, so several instances send one between them.
    let day = now.format("%Y-%m-%d").to_string();
    if !state.store().claim_once(&format!("arl-reminder-{}-{day}", root.id)).await? {
        return Ok(());
    }
    let text = mail::texts::arl_due(&root.name, next_update, &state.settings().public_url);
    for operator in state.store().operator_emails().await? {
        mail::send(state, &operator, &text.subject, &text.body, None).await?;
    }
    Ok(())
}
