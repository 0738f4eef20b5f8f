//! revokeCert (RFC 8555 7.6): signed by an account of the certificate's client, or by the certificate's own key.
//! It goes through the same revocation as the portal's: final, audited, the contacts told, CRL and OCSP at once.

use super::jws::AccountKey;
use super::problem::{AcmeResult, Problem, ProblemType};
use super::{scope_of, AppState, Reply, ReplyBody, Verified};
use crate::error::AppError;
use crate::model::{RevocationReason, RevokeInput};
use crate::services::{certificates, orders::Scope, Actor};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use x509_parser::prelude::*;

#[derive(Deserialize)]
struct RevokeCert {
    certificate: String,
    #[serde(default)]
    reason: Option<u8>,
}

/// The reason codes ACME clients may give (RFC 5280 5.3.1) that the Baseline Requirements allow a subscriber.
fn reason_of(code: Option<u8>) -> AcmeResult<RevocationReason> {
    Ok(match code {
        None | Some(0) => RevocationReason::Unspecified,
        Some(1) => RevocationReason::KeyCompromise,
        Some(3) => RevocationReason::AffiliationChanged,
        Some(4) => RevocationReason::Superseded,
        Some(5) => RevocationReason::CessationOfOperation,
        Some(other) => {
            return Err(Problem::new(
                ProblemType::BadRevocationReason,
                format!("Reason code {other} is not accepted; use 0, 1, 3, 4 or 5 (RFC 5280)."),
            ))
        }
    })
}

/// Whether `key` is the certificate's subject public key.
fn is_certificate_key(cert: &X509Certificate, key: &AccountKey) -> bool {
    let spki = &cert.tbs_certificate.subject_pki;
    match (key, spki.parsed()) {
        (AccountKey::Ec { point, .. }, Ok(x509_parser::public_key::PublicKey::EC(ec))) => ec.data() == point.as_slice(),
        (AccountKey::Rsa { n_bytes, e_bytes, .. }, Ok(x509_parser::public_key::PublicKey::RSA(rsa))) => {
            let trim = |b: &[u8]| b.iter().skip_while(|x| **x == 0).copied().collect::<Vec<u8>>();
            trim(rsa.modulus) == trim(n_bytes) && trim(rsa.exponent) == trim(e_bytes)
        }
        (AccountKey::Ed25519 { raw, .. }, _) => spki.subject_public_key.data.as_ref() == raw.as_slice(),
        _ => false,
    }
}

pub(super) async fn revoke_cert(state: &AppState, request: &Verified) -> AcmeResult<Reply> {
    let input: RevokeCert = request.jws.json()?;
    let reason = reason_of(input.reason)?;
    let der = URL_SAFE_NO_PAD
        .decode(input.certificate.trim_end_matches('='))
        .map_err(|_| Problem::malformed("\"certificate\" must be the certificate's DER in base64url."))?;
    let (_, cert) = X509Certificate::from_der(&der)
        .map_err(|_| Problem::malformed("\"certificate\" is not an X.509 certificate."))?;
    let serial = crate::services::ca::serial_hex(&der);
    let stored = state.store().certificate_by_serial(&serial).await?;
    let der_b64 = base64::engine::general_purpose::STANDARD.encode(&der);
    let Some(found) = stored.filter(|c| c.der == der_b64) else {
        return Err(Problem::not_found("certificate issued by this CA"));
    };
    let (id, issuer, client) = (found.id, found.issuer, found.client);
    let scope = match (&request.account, &request.key) {
        (Some(account), _) if account.issuer == issuer && account.client == client => scope_of(account, &request.ip),
        (Some(_), _) => {
            return Err(Problem::new(
                ProblemType::Unauthorized,
                "This account's client does not hold this certificate; sign with the certificate's key instead.",
            ))
        }
        (None, Some(key)) if is_certificate_key(&cert, key) => Scope {
            issuer: issuer,
            client: Some(client),
            can_approve: false,
            user_id: None,
            actor: Actor { user_id: None, email: "ACME (the certificate's own key)".into(), ip: request.ip.clone() },
        },
        (None, _) => {
            return Err(Problem::new(ProblemType::Unauthorized, "The request is not signed by the certificate's key."))
        }
    };
    let input = RevokeInput { reason, comment: "Revoked over ACME.".into() };
    match certificates::revoke(state, &scope, id.key(), input).await {
        Ok(_) => {
            Ok(Reply { status: 200, body: ReplyBody::Empty, location: None, links: Vec::new(), retry_after: None })
        }
        Err(AppError::Conflict(m)) => Err(Problem::new(ProblemType::AlreadyRevoked, m)),
        Err(e) => Err(e.into()),
    }
}
