//! The renewal job, run every few minutes by each instance (safely together: a certificate's automatic renewal
//! is claimed once, each notice is written once, a revocation happens once): the revocations reissues
//! scheduled, automatic renewals at the start of each certificate's window, then the expiry reminders on the issuer's days before expiry and one at expiry, to the order's
//! contacts and extra addresses (or the person who handed a watched certificate in). None for a certificate
//! that was renewed, revoked or marked "do not renew".

use super::mail::{self, texts};
use super::orders::Scope;
use super::renewal::{self, RenewAttempt};
use super::{Actor, AppState};
use crate::error::AppResult;
use crate::model::*;
use crate::store::{CertificateId, ExpiringCertificate};
use chrono::{DateTime, Duration, Utc};

/// Who the order history names for what the job does.
pub const AUTO_RENEWAL_ACTOR: &str = "Signet (automatic renewal)";

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct JobReport {
    pub renewals: usize,
    pub notices: usize,
    /// Revocations scheduled by reissues, carried out.
    pub revocations: usize,
}

/// One run of the job at the clock's present.
pub async fn run_due(state: &AppState) -> AppResult<JobReport> {
    let now = state.now();
    // Windows open at most a year before expiry; renewals may be placed up to 90 days after it.
    let due = state.store().expiring_certificates(now - Duration::days(90), now + Duration::days(366)).await?;
    let mut report = JobReport { revocations: super::reissue::revoke_scheduled(state).await?, ..Default::default() };
    for c in due {
        if auto_renewal_due(&c, now) && state.store().claim_auto_renewal(&CertificateId::new(&c.id), now).await? {
            match auto_renew(state, &c).await? {
                AutoRenewal::Placed => {
                    report.renewals += 1;
                    continue;
                }
                AutoRenewal::Failed => report.renewals += 1,
                AutoRenewal::Elsewhere => continue,
            }
        }
        if let Some(days) = notice_due(&c, now) {
            if send_notice(state, &c, days, now).await? {
                report.notices += 1;
            }
        }
    }
    Ok(report)
}

fn auto_renewal_due(c: &ExpiringCertificate, now: DateTime<Utc>) -> bool {
    c.renewal.as_ref().is_some_and(|r| {
        r.auto_renew && !r.claimed && !r.acme && now >= c.not_after - Duration::days(r.renew_before_days)
    })
}

/// What the automatic renewal of a certificate came to.
enum AutoRenewal {
    /// Issued, or waiting for validation or approval (which the contacts are told).
    Placed,
    /// It could not be placed (the contacts are told): the reminders go on.
    Failed,
    /// A person renewed it at the same moment: theirs stands, and nobody needs to hear from the job.
    Elsewhere,
}

/// Places the renewal with the same CSR.
async fn auto_renew(state: &AppState, c: &ExpiringCertificate) -> AppResult<AutoRenewal> {
    let actor = Actor { user_id: None, email: AUTO_RENEWAL_ACTOR.into(), ip: String::new() };
    let scope = Scope { issuer: c.issuer.clone(), client: None, can_approve: false, user_id: None, actor };
    let link = format!("{}/certificates/{}", state.settings().public_url, c.id);
    let (placed, outcome) = match renewal::attempt(state, &scope, &c.id, RenewInput::default()).await {
        // The new certificate goes to the technical contact like any issued one.
        Ok(RenewAttempt::Placed(order)) if order.status == OrderStatus::Issued => return Ok(AutoRenewal::Placed),
        Ok(RenewAttempt::Elsewhere(why)) => {
            tracing::info!(certificate = %c.id, why = %why, "automatic renewal not needed");
            return Ok(AutoRenewal::Elsewhere);
        }
        Ok(RenewAttempt::Placed(order)) => {
            let order_link = format!("{}/orders/{}", state.settings().public_url, order.id);
            let needs = match order.status {
                OrderStatus::PendingApproval => "It waits for the issuer's approval.",
                OrderStatus::AwaitingValidation => "Some names must be validated again: the order says how.",
                _ => "It waits for you on the order's page.",
            };
            (
                AutoRenewal::Placed,
                format!("Renewal order {} was placed. {needs}\n\nOpen it: {order_link}", order.number),
            )
        }
        Err(e) => {
            tracing::warn!(certificate = %c.id, error = %e, "automatic renewal could not be placed");
            (AutoRenewal::Failed, format!("It could not be placed: {e}\n\nRenew it by hand:"))
        }
    };
    let text = texts::auto_renewal_needs_you(&c.names, &c.serial, &outcome, &link);
    for to in recipients(c) {
        mail::send(state, &to, &text.subject, &text.body, Some(&c.issuer)).await?;
    }
    Ok(placed)
}

/// The notice due now, if it was not sent yet: the most urgent threshold reached (so a job that was down for a
/// while sends one notice, not a backlog), or 0 within a day after expiry.
fn notice_due(c: &ExpiringCertificate, now: DateTime<Utc>) -> Option<i64> {
    let due = if now >= c.not_after {
        (now - c.not_after < Duration::days(1)).then_some(0)
    } else {
        c.notice_days.iter().copied().filter(|d| now >= c.not_after - Duration::days(*d)).min()
    };
    due.filter(|d| !c.sent.contains(d))
}

async fn send_notice(state: &AppState, c: &ExpiringCertificate, days: i64, now: DateTime<Utc>) -> AppResult<bool> {
    let link = format!("{}/certificates/{}", state.settings().public_url, c.id);
    let until = c.not_after.format("%Y-%m-%d %H:%M UTC").to_string();
    let hours_left = (c.not_after - now).num_hours().max(0);
    let text = texts::expiry_notice(&texts::Expiry {
        names: &c.names,
        serial: &c.serial,
        days_left: (hours_left + 23) / 24,
        until: &until,
        link: &link,
        auto_renew: c.renewal.as_ref().is_some_and(|r| r.auto_renew && !r.claimed),
        watched: c.watched,
    });
    let mails: Vec<_> =
        recipients(c).iter().map(|to| mail::prepare(state, to, &text.subject, &text.body, Some(&c.issuer))).collect();
    if mails.is_empty() {
        return Ok(false);
    }
    let sent = state.store().record_notice(&c.id, c.watched, days, mails, now).await?;
    if sent {
        mail::wake(state);
    }
    Ok(sent)
}

/// The order's corporate and technical contacts and its extra addresses (each once), or the one address of a
/// watched certificate.
fn recipients(c: &ExpiringCertificate) -> Vec<String> {
    contacts(c.parties.as_ref(), &c.notify)
}

/// Who hears about a certificate: its order's corporate and technical contacts and the order's extra
/// addresses, each once.
pub(super) fn contacts(parties: Option<&OrderParties>, extra: &[String]) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    if let Some(parties) = parties {
        all.extend([parties.corporate.email.clone(), parties.technical.email.clone()]);
    }
    all.extend(extra.iter().cloned());
    let mut unique: Vec<String> = Vec::new();
    for address in all {
        if !address.trim().is_empty() && !unique.contains(&address) {
            unique.push(address);
        }
    }
    unique
}
