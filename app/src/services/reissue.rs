//! Reissue: a new certificate for the same order's client and product, with a new CSR and, if wanted, changed
//! names (within the product's limits; new names are validated, the others reused), keeping the original's
//! expiry. The original is kept, revoked at once, or revoked on a chosen day up to 30 days later (a scheduled
//! revocation, shown in the inventory and carried out by the renewal job). Linked to the original like a
//! renewal, so both appear in the certificate's versions.

use super::orders::{self, Placement, Scope};
use super::renewal::Renewable;
use super::{audit, certificates, Actor, AppState};
use crate::error::{AppError, AppResult, Checks};
use crate::model::*;
use crate::store::{CertificateId, OrderId};
use chrono::{Duration, NaiveDate, TimeZone, Utc};

/// Who the order history names for a scheduled revocation.
const SCHEDULED_ACTOR: &str = "Signet (scheduled revocation)";

/// **Reissue**: places the reissue order, links it to the certificate and deals with the original as asked.
pub async fn reissue(state: &AppState, scope: &Scope, cert_id: &str, input: ReissueInput) -> AppResult<OrderView> {
    let r = Renewable::load(state, scope, cert_id).await?.ok_or(AppError::NotFound)?;
    let now = state.now();
    if r.cert.revoked_at.is_some() {
        return Err(AppError::Conflict("A revoked certificate is not reissued: place a new order.".into()));
    }
    if r.cert.not_after <= now {
        return Err(AppError::Conflict(
            "An expired certificate is not reissued: renew it or place a new order.".into(),
        ));
    }
    if r.order.acme_account.is_some() {
        return Err(AppError::Conflict("Its ACME client replaces this certificate: order a new one over ACME.".into()));
    }
    let revoke_on = check_input(&input, now.date_naive())?;
    // One replacement is placed at a time: two reissues, or a reissue and a renewal, clicked at the same moment
    // place one order, and the other is told why.
    if !state.store().claim_replacement(&CertificateId::new(cert_id), now).await? {
        return Err(AppError::Conflict(
            "A renewal or reissue of this certificate is being placed right now: reload the page in a moment.".into(),
        ));
    }
    let placed = place_reissue(state, scope, &r, input, revoke_on).await;
    state.store().release_replacement(&CertificateId::new(cert_id)).await?;
    placed
}

/// The reissue itself, with the certificate claimed.
async fn place_reissue(
    state: &AppState,
    scope: &Scope,
    r: &Renewable,
    input: ReissueInput,
    revoke_on: Option<NaiveDate>,
) -> AppResult<OrderView> {
    let (cert_id, now) = (r.cert_id.as_str(), state.now());
    let names = match input.names.trim() {
        "" => r.order.names.join("\n"),
        typed => typed.to_string(),
    };
    let parties = r.order.parties.clone();
    // The names kept are validated as before (usually reused); new names the way the first one was.
    let dcv = super::renewal::earlier_choices(state, &r.order).await?;
    let default_dcv = dcv.first().map(|c| c.method).unwrap_or(DcvMethod::Dns);
    let order = OrderInput {
        client_id: r.order.client.key().to_string(),
        product_id: r.order.product.key().to_string(),
        validity_days: super::renewal::renewal_validity(state, &r.product, r.order.validity_days),
        names,
        corporate: parties.corporate,
        technical: parties.technical,
        csr: input.csr.clone(),
        dcv,
        default_dcv,
        notify: r.order.notify.clone().unwrap_or_default().join("\n"),
    };
    // The original's expiry, unless today's CA/Browser Forum limit is shorter than what is left of it.
    let cap = now + Duration::days(i64::from(max_server_validity_days(now.date_naive()))) - Duration::seconds(1);
    let not_after = if r.product.profile.is_server() { r.cert.not_after.min(cap) } else { r.cert.not_after };
    let placement = Placement { not_after: Some(not_after), ..Default::default() };
    let placed = orders::create_as(state, scope, order, placement).await?;
    let why = match input.reason {
        ReissueReason::Other => format!("{}: {}", input.reason.label(), input.reason_text.trim()),
        reason => reason.label().to_string(),
    };
    let by = &scope.actor.email;
    state
        .store()
        .link_reissue(
            &OrderId::new(&placed.id),
            &CertificateId::new(cert_id),
            &r.order.id,
            &r.cert.serial,
            &why,
            by,
            now,
        )
        .await?;
    audit::record(state, &scope.actor, Some(&scope.issuer), "certificate.reissue", &r.cert.serial, why).await?;
    let reason = match input.reason {
        ReissueReason::KeyLost => RevocationReason::KeyCompromise,
        _ => RevocationReason::Superseded,
    };
    match (input.old, revoke_on) {
        (OldCertificate::RevokeNow, _) => {
            let comment = format!("Reissued as order {}.", placed.number);
            certificates::revoke(state, scope, cert_id, RevokeInput { reason, comment }).await?;
        }
        (OldCertificate::RevokeOn, Some(day)) => {
            let at = Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default());
            state.store().schedule_revocation(&CertificateId::new(cert_id), at, reason.as_str()).await?;
            let detail = format!("revocation scheduled for {day} ({})", reason.label());
            audit::record(
                state,
                &scope.actor,
                Some(&scope.issuer),
                "certificate.schedule_revoke",
                &r.cert.serial,
                detail,
            )
            .await?;
        }
        _ => {}
    }
    orders::view(state, scope, &placed.id).await
}

/// Keeps a certificate whose reissue scheduled its revocation: the revocation is cancelled (and audited). A
/// certificate with no revocation scheduled, or revoked already, is a conflict that says so.
pub async fn cancel_scheduled_revocation(state: &AppState, scope: &Scope, cert_id: &str) -> AppResult<()> {
    let r = Renewable::load(state, scope, cert_id).await?.ok_or(AppError::NotFound)?;
    if r.cert.revoked_at.is_some() {
        return Err(AppError::Conflict("This certificate is revoked already: revocation is final.".into()));
    }
    if !state.store().cancel_scheduled_revocation(&CertificateId::new(cert_id)).await? {
        return Err(AppError::Conflict("No revocation is scheduled for this certificate.".into()));
    }
    let detail = "scheduled revocation cancelled: the certificate is kept until it expires".to_string();
    audit::record(state, &scope.actor, Some(&scope.issuer), "certificate.cancel_revoke", &r.cert.serial, detail).await
}

/// The form's own rules; the day of a scheduled revocation.
fn check_input(input: &ReissueInput, today: NaiveDate) -> AppResult<Option<NaiveDate>> {
    let mut checks = Checks::new();
    if input.reason == ReissueReason::Other && input.reason_text.trim().is_empty() {
        checks.check("reason_text", Some("Say why the certificate is reissued.".into()));
    }
    if input.reason_text.chars().count() > 300 {
        checks.check("reason_text", Some("At most 300 characters.".into()));
    }
    let mut day = None;
    if input.old == OldCertificate::RevokeOn {
        match NaiveDate::parse_from_str(input.revoke_on.trim(), "%Y-%m-%d") {
            Ok(d) if d > today && d <= today + Duration::days(REVOKE_LATER_MAX_DAYS) => day = Some(d),
            Ok(_) => {
                let why = format!("A day after today and at most {REVOKE_LATER_MAX_DAYS} days ahead.");
                checks.check("revoke_on", Some(why));
            }
            Err(_) => {
                checks.check("revoke_on", Some("A date such as 2027-01-31.".into()));
            }
        }
    }
    checks.finish()?;
    Ok(day)
}

/// Carries out the revocations that reissues scheduled and that are due; the number revoked.
pub async fn revoke_scheduled(state: &AppState) -> AppResult<usize> {
    let due = state.store().revocations_due(state.now()).await?;
    let mut revoked = 0;
    for s in due {
        let actor = Actor { user_id: None, email: SCHEDULED_ACTOR.into(), ip: String::new() };
        let scope = Scope { issuer: s.issuer.clone(), client: None, can_approve: true, user_id: None, actor };
        // The reason was one of ours when it was scheduled: a value this build does not know is a bug.
        let reason = RevocationReason::parse(&s.reason).ok_or(AppError::Internal)?;
        let input = RevokeInput { reason, comment: "Scheduled when the certificate was reissued.".into() };
        match certificates::revoke(state, &scope, s.certificate.key(), input).await {
            Ok(_) => revoked += 1,
            // Another instance was first.
            Err(AppError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(revoked)
}
