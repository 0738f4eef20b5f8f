//! ACME Renewal Information (RFC 9773): when a certificate should be renewed, and `replaces` in newOrder,
//! which ties a renewal to the certificate it replaces in both orders' histories.

use super::problem::{AcmeResult, Problem, ProblemType};
use crate::services::AppState;
use crate::store::{AcmeAccount, SerialCertificate};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use x509_parser::prelude::*;

/// How long a client should wait before asking again (RFC 9773 4.3: `Retry-After`).
pub const RETRY_AFTER_SECONDS: u64 = 6 * 3600;

/// The certificate a certID (`base64url(AKI keyIdentifier) "." base64url(serial)`) names, if Signet issued it.
async fn certificate_of(state: &AppState, cert_id: &str) -> AcmeResult<SerialCertificate> {
    let malformed = || Problem::malformed("A certificate ID is base64url(authority key identifier).base64url(serial).");
    let (aki, serial) = cert_id.split_once('.').ok_or_else(malformed)?;
    let aki = URL_SAFE_NO_PAD.decode(aki).map_err(|_| malformed())?;
    let serial = URL_SAFE_NO_PAD.decode(serial).map_err(|_| malformed())?;
    let found = state.store().certificate_by_serial(&hex::encode_upper(&serial)).await?;
    let found = found.filter(|c| authority_key_id(&c.der).as_deref() == Some(aki.as_slice()));
    found.ok_or_else(|| Problem::not_found("certificate issued by this CA"))
}

/// The certID of a stored certificate (base64 DER), as `replaces` and renewalInfo name it.
pub(super) fn cert_id_of(der_b64: &str) -> Option<String> {
    let der = STANDARD.decode(der_b64).ok()?;
    let (_, cert) = X509Certificate::from_der(&der).ok()?;
    Some(format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(authority_key_id(der_b64)?),
        URL_SAFE_NO_PAD.encode(cert.raw_serial())
    ))
}

fn authority_key_id(der_b64: &str) -> Option<Vec<u8>> {
    let der = STANDARD.decode(der_b64).ok()?;
    let (_, cert) = X509Certificate::from_der(&der).ok()?;
    cert.extensions().iter().find_map(|e| match e.parsed_extension() {
        ParsedExtension::AuthorityKeyIdentifier(aki) => aki.key_identifier.as_ref().map(|k| k.0.to_vec()),
        _ => None,
    })
}

/// The suggested window: from two thirds of the lifetime, for a ninth of it (as Let's Encrypt suggests); at once
/// (a window already begun) for a certificate that is revoked or whose issuing CA was revoked.
pub(super) fn window(c: &SerialCertificate, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    if c.revoked || c.ca_revoked {
        return (now - Duration::hours(1), now);
    }
    let lifetime = c.not_after - c.not_before;
    let start = c.not_before + lifetime * 2 / 3;
    (start, (start + lifetime / 9).min(c.not_after))
}

/// GET renewalInfo/{certID}: needs no account, as the RFC says.
pub async fn renewal_info(state: &AppState, cert_id: &str) -> AcmeResult<Value> {
    let c = certificate_of(state, cert_id).await?;
    let (start, end) = window(&c, state.now());
    let rfc3339 = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut info = json!({"suggestedWindow": {"start": rfc3339(start), "end": rfc3339(end)}});
    if c.revoked || c.ca_revoked {
        info["explanationURL"] = json!(format!("{}/certificates/{}", state.settings().public_url, c.id));
    }
    Ok(info)
}

/// The certificate a newOrder's `replaces` names: the account's client's, sharing a name with the order.
pub(super) async fn replaced(
    state: &AppState,
    account: &AcmeAccount,
    cert_id: &str,
    names: &[String],
) -> AcmeResult<SerialCertificate> {
    let c = certificate_of(state, cert_id).await?;
    if c.issuer != account.issuer || c.client != account.client {
        return Err(Problem::not_found("certificate of this account's client"));
    }
    let der = STANDARD.decode(&c.der).unwrap_or_default();
    let shares_a_name = X509Certificate::from_der(&der)
        .ok()
        .and_then(|(_, cert)| {
            cert.subject_alternative_name().ok().flatten().map(|san| {
                san.value
                    .general_names
                    .iter()
                    .any(|g| matches!(g, GeneralName::DNSName(d) if names.iter().any(|n| n == d)))
            })
        })
        .unwrap_or(false);
    if !shares_a_name {
        return Err(Problem::malformed("The certificate in \"replaces\" has none of this order's names."));
    }
    if let Some((_, number)) = state.store().renewal_of(&c.id).await? {
        return Err(Problem::new(
            ProblemType::AlreadyReplaced,
            format!("Order {number} already renews this certificate; finish or cancel it first."),
        ));
    }
    Ok(c)
}
