//! Certificates kept for their expiry date: the self-signed tool's optional "track this certificate", or
//! any certificate a person pastes. Only certificates are accepted; a private key is refused outright.

use super::orders::Scope;
use super::{audit, AppState};
use crate::error::{AppError, AppResult};
use crate::model::TrackedCert;
use crate::store::{NewTracked, TrackedId};
use base64::Engine;
use chrono::{DateTime, TimeZone, Utc};
use x509_parser::prelude::*;

const FIELD: &str = "certificate";

pub async fn track(state: &AppState, scope: &Scope, pem_text: &str) -> AppResult<TrackedCert> {
    if pem_text.contains("PRIVATE KEY") {
        // Said before anything else is looked at; the text is not stored or logged.
        return Err(AppError::field(
            FIELD,
            "This is a private key. Signet keeps only certificates: keep the key to yourself.",
        ));
    }
    let input = pem_text.trim();
    if input.len() > 256 * 1024 {
        return Err(AppError::field(FIELD, "This is larger than any certificate chain."));
    }
    // A file chosen in the page arrives as a data: URL (DER, or PEM in base64); pasted text as itself.
    let bytes = match input.split_once(";base64,") {
        Some((head, data)) if head.starts_with("data:") => base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|_| AppError::field(FIELD, "The file could not be read."))?,
        _ => input.as_bytes().to_vec(),
    };
    if bytes.windows(11).any(|w| w == b"PRIVATE KEY") {
        return Err(AppError::field(
            FIELD,
            "This is a private key. Signet keeps only certificates: keep the key to yourself.",
        ));
    }
    let mut certificates = crate::pki::bundle::read(&bytes).map_err(|m| AppError::field(FIELD, m))?;
    let leaf = certificates.remove(0);
    let (_, cert) = X509Certificate::from_der(&leaf)
        .map_err(|_| AppError::field(FIELD, "This certificate cannot be read (its DER structure is damaged)."))?;
    let common_name = |name: &X509Name| {
        name.iter_common_name().next().and_then(|cn| cn.as_str().ok()).unwrap_or_default().to_string()
    };
    let time = |t: ASN1Time| Utc.timestamp_opt(t.timestamp(), 0).single().unwrap_or(DateTime::<Utc>::MIN_UTC);
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for n in &san.value.general_names {
            match n {
                GeneralName::DNSName(d) => names.push(d.to_string()),
                GeneralName::RFC822Name(e) => names.push(e.to_string()),
                GeneralName::IPAddress(ip) => names.push(format!("{ip:?}")),
                _ => {}
            }
        }
    }
    let subject_cn = common_name(cert.subject());
    let row = NewTracked {
        issuer: scope.issuer.clone(),
        client: scope.client.clone(),
        common_name: if subject_cn.is_empty() { names.first().cloned().unwrap_or_default() } else { subject_cn },
        names,
        issued_by: common_name(cert.issuer()),
        self_signed: cert.subject() == cert.issuer(),
        serial: hex::encode_upper(cert.raw_serial()),
        not_before: time(cert.validity().not_before),
        not_after: time(cert.validity().not_after),
        pem: ::pem::encode(&::pem::Pem::new("CERTIFICATE", leaf.clone())),
        chain: certificates.into_iter().map(|der| ::pem::encode(&::pem::Pem::new("CERTIFICATE", der))).collect(),
        added_by: scope.actor.email.clone(),
        added_at: state.now(),
    };
    let view = TrackedCert {
        id: String::new(),
        common_name: row.common_name.clone(),
        names: row.names.clone(),
        issued_by: row.issued_by.clone(),
        self_signed: row.self_signed,
        serial: row.serial.clone(),
        not_before: row.not_before,
        not_after: row.not_after,
        added_by: row.added_by.clone(),
        added_at: row.added_at,
        days_left: (row.not_after - row.added_at).num_days(),
    };
    state.store().add_tracked(row).await?;
    audit::record(state, &scope.actor, Some(&scope.issuer), "certificate.track", &view.common_name, &view.serial)
        .await?;
    Ok(view)
}

pub async fn list(state: &AppState, scope: &Scope) -> AppResult<Vec<TrackedCert>> {
    let rows = state.store().tracked(&scope.issuer, scope.client.as_ref()).await?;
    let now = state.now();
    Ok(rows.into_iter().map(|r| view_of(r, now)).collect())
}

pub async fn remove(state: &AppState, scope: &Scope, id: &str) -> AppResult<()> {
    if !state.store().remove_tracked(&scope.issuer, scope.client.as_ref(), &TrackedId::new(id)).await? {
        return Err(AppError::NotFound);
    }
    audit::record(state, &scope.actor, Some(&scope.issuer), "certificate.untrack", id, "").await
}

/// The days left, on the server's clock.
fn view_of(r: TrackedCert, now: DateTime<Utc>) -> TrackedCert {
    TrackedCert { days_left: (r.not_after - now).num_days(), ..r }
}
