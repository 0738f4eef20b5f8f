//! Signing glue between an order and the CA: what signing needs to know of an order, the certificate and
//! everything issuing stores with it (history line, audit entry, the e-mail to the technical contact), and the
//! note on the order when it may not be signed. Whether to issue is decided by the orders' `lifecycle`.

use super::super::mail::{self, texts};
use super::super::products::product_of;
use super::super::{audit, Actor, AppState};
use crate::error::{AppError, AppResult};
use crate::model::{max_server_validity_days, OrderParties, Product};
use crate::pki::csr::{self, to_pem};
use crate::pki::profile::LeafSpec;
use crate::store::{ClientId, Issuance, IssuerId, NewCertificate, OrderId, OrderRow, OrderUpdate};
use chrono::{DateTime, Utc};

/// Signs and stores the certificate; Ok(true) when it was issued.
pub(in crate::services) async fn issue(state: &AppState, order: &OrderRow) -> AppResult<bool> {
    let product = state.store().product(&order.product).await?.map(product_of).ok_or(AppError::Internal)?;
    let Some(parsed) = order.csr_pem.as_deref().and_then(|p| csr::parse(p.as_bytes()).ok()) else {
        return fail_issuance(state, order, "the CSR is missing or unreadable").await.map(|_| false);
    };
    let facts = ToSign::of_order(order, &product, &parsed);
    let issuance = match sign_order(state, &facts).await? {
        Ok(signed) => signed.issuance,
        Err(why) => return fail_issuance(state, order, &why).await.map(|_| false),
    };
    let has_mail = issuance.mail.is_some();
    if !state.store().issue_order(&order.id, issuance).await? {
        return Ok(false);
    }
    if has_mail {
        mail::wake(state);
    }
    Ok(true)
}

/// What signing needs to know about an order (stored already, or about to be stored with its certificate).
pub(in crate::services) struct ToSign<'a> {
    pub id: &'a OrderId,
    pub issuer: &'a IssuerId,
    pub client: &'a ClientId,
    pub number: &'a str,
    pub names: &'a [String],
    pub validity_days: i64,
    /// A reissue's fixed expiry (the original's).
    pub not_after: Option<DateTime<Utc>>,
    pub parties: &'a OrderParties,
    pub product: &'a Product,
    pub csr: &'a csr::ParsedCsr,
}

impl<'a> ToSign<'a> {
    /// What a stored order asks to be signed, with its product and parsed CSR.
    pub(in crate::services) fn of_order(order: &'a OrderRow, product: &'a Product, csr: &'a csr::ParsedCsr) -> Self {
        ToSign {
            id: &order.id,
            issuer: &order.issuer,
            client: &order.client,
            number: &order.number,
            names: &order.names,
            validity_days: order.validity_days,
            not_after: order.not_after,
            parties: &order.parties,
            product,
            csr,
        }
    }
}

/// A signed certificate with everything issuing stores, and the slug of the CA that signed it.
pub(in crate::services) struct Signed {
    pub issuance: Issuance,
    pub ca_slug: String,
}

/// Lints and signs the certificate and prepares everything issuing stores: the certificate row, the history
/// line, the audit entry and the e-mail to the technical contact. `Ok(Err(why))` when it may not be issued.
pub(in crate::services) async fn sign_order(state: &AppState, order: &ToSign<'_>) -> AppResult<Result<Signed, String>> {
    let issuer = order.issuer.clone();
    let now = state.now();
    let purpose = crate::pki::profile::CaPurpose::for_profile(order.product.profile);
    let signer = match super::issuing_signer_for(state, &issuer, purpose).await {
        Ok(s) => s,
        Err(AppError::Conflict(m)) => return Ok(Err(m)),
        Err(e) => return Err(e),
    };
    let Some(key_type) = order.csr.key_type else {
        return Ok(Err("the CSR's key type is not accepted".into()));
    };
    let urls = super::urls(state, &signer);
    let spec = LeafSpec {
        profile: order.product.profile,
        names: order.names,
        organisation: &order.parties.organisation,
        not_before: now,
        validity_days: order.validity_days.max(1) as u32,
        fixed_not_after: order.not_after,
        max_days: max_server_validity_days(now.date_naive()),
        serial: super::new_serial(),
        key_type,
        urls: &urls,
    };
    let der = match super::sign_leaf(&signer, &spec, &order.csr.spki) {
        Ok(der) => der,
        Err(findings) => return Ok(Err(findings)),
    };
    let serial = super::serial_hex(&der);
    let not_after = spec.not_after();
    let until = not_after.format("%Y-%m-%d %H:%M UTC");
    let certificate = NewCertificate {
        issuer: order.issuer.clone(),
        client: order.client.clone(),
        cert_order: order.id.clone(),
        ca: signer.ca_id.clone(),
        serial: serial.clone(),
        names: order.names.to_vec(),
        subject: x509_subject(&der),
        not_before: now,
        not_after,
        der: base64_der(&der),
        key_fingerprint: order.csr.key_fingerprint.clone(),
        created_at: now,
    };
    let signet = Actor { user_id: None, email: "Signet".into(), ip: String::new() };
    let audit =
        audit::entry(state, &signet, Some(&issuer), None, "order.issue", order.number, format!("serial {serial}"));
    let technical = &order.parties.technical;
    let mail = (!technical.email.is_empty()).then(|| {
        let text = texts::certificate_issued(&texts::Issued {
            name: &technical.name,
            number: order.number,
            names: order.names,
            order_id: order.id.key(),
            tracking_token: &super::super::tracking::token(state, order.id.key()),
            serial: &serial,
            until: &until.to_string(),
            pem: &to_pem("CERTIFICATE", &der),
            public_url: &state.settings().public_url,
        });
        mail::prepare(state, &technical.email, &text.subject, &text.body, Some(&issuer))
    });
    Ok(Ok(Signed {
        issuance: Issuance { certificate, detail: format!("serial {serial}, valid until {until}"), audit, mail },
        ca_slug: signer.slug.clone(),
    }))
}

fn base64_der(der: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(der)
}

fn x509_subject(der: &[u8]) -> String {
    use x509_parser::prelude::*;
    X509Certificate::from_der(der).map(|(_, c)| c.subject().to_string()).unwrap_or_default()
}

async fn fail_issuance(state: &AppState, order: &OrderRow, why: &str) -> AppResult<()> {
    let message = format!("Not issued: {why}.");
    if order.failure.as_deref() != Some(message.as_str()) {
        state
            .store()
            .set_order_fields(
                &order.id,
                OrderUpdate {
                    set_failure: true,
                    failure: Some(message.clone()),
                    now: Some(state.now()),
                    ..Default::default()
                },
            )
            .await?;
        state.store().add_order_event(&order.id, state.now(), "Signet", "issue.failed", &message).await?;
    }
    Ok(())
}
