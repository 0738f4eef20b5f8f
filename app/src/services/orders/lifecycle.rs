//! The one decision whether an order is issued now. Every path that may change the answer asks it: an order
//! placed (`place`), a CSR handed in, an approval given, a validation passed (`commands`); ACME finalize will
//! too. The decision is a pure function of the order's status and its validations; how the outcome is written
//! is the caller's (placing writes a new order together with its certificate, a CSR handed in is written
//! together with its certificate (`issuance_with_csr`), `advance` issues a stored order).

use super::super::{ca, AppState};
use super::load;
use crate::error::AppResult;
use crate::model::{dcv_reuse_days, DcvStatus, OrderStatus, Product};
use crate::pki::csr::ParsedCsr;
use crate::store::{DcvRow, Issuance, NewDcv, OrderRow, OrderScope};
use chrono::{DateTime, Duration, Utc};

/// One name's validation, as the decision sees it.
pub(super) struct Validation {
    pub status: DcvStatus,
    pub validated_at: Option<DateTime<Utc>>,
}

impl From<&DcvRow> for Validation {
    fn from(d: &DcvRow) -> Self {
        Validation { status: d.status, validated_at: d.validated_at }
    }
}

impl From<&NewDcv> for Validation {
    fn from(d: &NewDcv) -> Self {
        Validation { status: d.status, validated_at: d.validated_at }
    }
}

impl Validation {
    fn valid(&self) -> bool {
        self.status == DcvStatus::Valid
    }
    /// Valid, and recent enough to count.
    fn counts(&self, oldest_allowed: DateTime<Utc>) -> bool {
        self.valid() && self.validated_at.is_some_and(|t| t > oldest_allowed)
    }
}

/// The oldest validation that still counts at `now`: an order can wait long for approval, and one reused from
/// an earlier order is only as good as the reuse period (BR 4.2.1).
pub(super) fn oldest_allowed(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::days(dcv_reuse_days(now.date_naive()))
}

/// Whether an order in this status is past its CSR and its approval, so that only validation stands between
/// it and issuance.
fn awaits_validation(status: Option<OrderStatus>) -> bool {
    status == Some(OrderStatus::AwaitingValidation)
}

/// The decision: issue when the order awaits validation and every name's validation counts.
pub(super) fn ready_to_issue(status: Option<OrderStatus>, validations: &[Validation], now: DateTime<Utc>) -> bool {
    let oldest = oldest_allowed(now);
    awaits_validation(status) && validations.iter().all(|v| v.counts(oldest))
}

/// Asks the decision for a stored order and, if it says so, issues: the order is claimed (so that concurrent
/// checks sign once), signed and stored. A validation too old to count goes back to pending on the way, so
/// that the page says what to do.
pub(super) async fn advance(state: &AppState, scope: &OrderScope, id: &str) -> AppResult<()> {
    let order = load(state, scope, id).await?;
    let status = Some(order.status);
    // Before the validations are read: an order that does not await validation cannot be ready, whatever
    // they say.
    if !awaits_validation(status) {
        return Ok(());
    }
    let dcvs = state.store().dcvs_of_order(&order.id).await?;
    let now = state.now();
    let validations: Vec<Validation> = dcvs.iter().map(Validation::from).collect();
    let oldest = oldest_allowed(now);
    for (stale, _) in dcvs.iter().zip(&validations).filter(|(_, v)| v.valid() && !v.counts(oldest)) {
        state.store().expire_dcv(&stale.id).await?;
    }
    if ready_to_issue(status, &validations, now) && state.store().claim_for_issuance(&order.id, now).await? {
        let outcome = ca::issue(state, &order).await;
        if !matches!(outcome, Ok(true)) {
            state.store().release_issuance_claim(&order.id).await?;
        }
        outcome?;
    }
    Ok(())
}

/// A CSR handed in to draft order `order` (with validations `dcvs`), which then moves to `next`: asks the
/// decision as if the CSR were attached and, if it says issue, signs now, so that the CSR and the certificate are written in one
/// transaction (an ACME finalize on names validated before is one request, as a REST order is). None when
/// the order is not ready or signing refused: the CSR is then attached alone and `advance` says why.
pub(super) async fn issuance_with_csr(
    state: &AppState,
    order: &OrderRow,
    next: OrderStatus,
    product: &Product,
    csr: &ParsedCsr,
    dcvs: &[DcvRow],
) -> AppResult<Option<Issuance>> {
    if !awaits_validation(Some(next)) {
        return Ok(None);
    }
    let validations: Vec<Validation> = dcvs.iter().map(Validation::from).collect();
    if !ready_to_issue(Some(next), &validations, state.now()) {
        return Ok(None);
    }
    let facts = ca::ToSign::of_order(order, product, csr);
    Ok(ca::sign_order(state, &facts).await?.ok().map(|signed| signed.issuance))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(days_ago: i64) -> Option<DateTime<Utc>> {
        Some(now() - Duration::days(days_ago))
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap()
    }

    #[test]
    fn an_order_is_ready_only_when_it_awaits_validation_and_every_validation_counts() {
        let valid = |t| Validation { status: DcvStatus::Valid, validated_at: t };
        let fresh = [valid(at(1)), valid(at(30))];
        assert!(ready_to_issue(Some(OrderStatus::AwaitingValidation), &fresh, now()));
        for status in [OrderStatus::Draft, OrderStatus::PendingApproval, OrderStatus::Issued, OrderStatus::Cancelled] {
            assert!(!ready_to_issue(Some(status), &fresh, now()), "{status:?}");
        }
        assert!(!ready_to_issue(None, &fresh, now()));
        let pending = [valid(at(1)), Validation { status: DcvStatus::Pending, validated_at: None }];
        assert!(!ready_to_issue(Some(OrderStatus::AwaitingValidation), &pending, now()));
        // 200 days is the reuse period on 2026-11-22 (BR 4.2.1): a validation that old no longer counts.
        let stale = [valid(at(1)), valid(at(200))];
        assert!(!ready_to_issue(Some(OrderStatus::AwaitingValidation), &stale, now()));
    }
}
