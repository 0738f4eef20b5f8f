//! Commands on a stored order: handing in its CSR (`attach_csr`, also for invitation links), approval,
//! rejection, cancellation, and the validation steps a person or the background job starts. Each command that
//! may make an order issuable ends by asking the lifecycle.

use super::super::{audit, dcv, mail, AppState};
use super::lifecycle::{self, advance};
use super::place::csr_report;
use super::{load, product_of, refuse_if_acme, view, Scope};
use crate::error::{AppError, AppResult, Checks};
use crate::model::validate;
use crate::model::*;
use crate::pki::csr;
use crate::store::{Attached, CsrAttachment, CsrInvitationId, IssuerId, OrderId, OrderRow, OrderScope, OrderUpdate};

/// Submits the CSR of a draft ("skip and submit later").
pub async fn submit_csr(state: &AppState, scope: &Scope, id: &str, csr_text: &str) -> AppResult<OrderView> {
    let order = load(state, &scope.store_scope(), id).await?;
    refuse_if_acme(&order, "hands in the CSR when it finalizes the order")?;
    let by = CsrSubmitter { actor: &scope.actor.email, how: None, invitation: None };
    match attach_csr(state, &order, csr_text, by).await? {
        CsrOutcome::Attached(_) => view(state, scope, id).await,
        CsrOutcome::Rejected(report) => Err(AppError::field("csr", report.failures().join(" "))),
        CsrOutcome::NotDraft | CsrOutcome::InvitationGone => {
            Err(AppError::Conflict("This order has its CSR already.".into()))
        }
    }
}

/// Who hands in the CSR of a draft order.
pub(in crate::services) struct CsrSubmitter<'a> {
    /// The name in the order's history.
    pub actor: &'a str,
    /// Said after the key in the history line ("submitted through the invitation link by …").
    pub how: Option<String>,
    /// The invitation link this submission uses up.
    pub invitation: Option<&'a CsrInvitationId>,
}

pub(in crate::services) enum CsrOutcome {
    /// Attached; the order moved on (approval, validation, issuance).
    Attached(CsrReport),
    /// A check failed; nothing changed.
    Rejected(CsrReport),
    /// The order does not wait for its CSR (any more).
    NotDraft,
    /// The invitation link was used or expired meanwhile.
    InvitationGone,
}

/// The CSR step of a stored order, whoever hands the CSR in: the same checks as when ordering (the order's
/// names, the product's key policy, the organisation's data, key reuse), then the CSR is attached and the order
/// continues exactly as if it had been given at ordering.
pub(in crate::services) async fn attach_csr(
    state: &AppState,
    order: &OrderRow,
    csr_text: &str,
    by: CsrSubmitter<'_>,
) -> AppResult<CsrOutcome> {
    if order.status != OrderStatus::Draft {
        return Ok(CsrOutcome::NotDraft);
    }
    let id = order.id.key().to_string();
    let issuer = order.issuer.clone();
    // The product, a key seen before and the validations come in one read: the checks and the decision need
    // all three.
    let parsed = csr::parse(csr_text.as_bytes());
    let fingerprint = parsed.as_ref().ok().map(|p| p.key_fingerprint.as_str());
    let facts = state.store().csr_facts(order, fingerprint).await?;
    let product = facts.product.map(product_of).ok_or(AppError::Internal)?;
    let report = csr_report(&parsed, facts.key_seen_in, &product, &order.names, &order.parties.organisation);
    let parsed = match parsed {
        Ok(p) if report.accepted => p,
        _ => return Ok(CsrOutcome::Rejected(report)),
    };
    let next = if order.approved { OrderStatus::AwaitingValidation } else { OrderStatus::PendingApproval };
    let detail = match &by.how {
        Some(how) => format!("{}, {how}", report.key),
        None => report.key.clone(),
    };
    let attachment = CsrAttachment {
        csr_pem: parsed.pem(),
        csr_report: serde_json::to_string(&report).ok(),
        key_fingerprint: parsed.key_fingerprint.clone(),
        status: next.as_str().into(),
        actor: by.actor.to_string(),
        detail,
        now: state.now(),
    };
    let issuance = lifecycle::issuance_with_csr(state, order, next, &product, &parsed, &facts.dcvs).await?;
    let issued = issuance.as_ref().map(|i| i.mail.is_some());
    match state.store().attach_csr(&order.id, attachment, by.invitation, issuance).await? {
        Attached::Yes => {}
        Attached::NotDraft => return Ok(CsrOutcome::NotDraft),
        Attached::InvitationGone => return Ok(CsrOutcome::InvitationGone),
    }
    match issued {
        Some(has_mail) => {
            if has_mail {
                mail::wake(state);
            }
        }
        None => {
            if next == OrderStatus::PendingApproval {
                notify_approvers(state, &issuer, &id, &order.number).await?;
            }
            advance(state, &OrderScope { issuer, client: None }, &id).await?;
        }
    }
    Ok(CsrOutcome::Attached(report))
}

pub(super) async fn notify_approvers(state: &AppState, issuer: &IssuerId, id: &str, number: &str) -> AppResult<()> {
    for m in state.store().members_of_issuer(issuer).await? {
        if m.role == Role::Admin && m.has_password {
            let text = mail::texts::approval_waiting(&m.name, number, id, &state.settings().public_url);
            mail::send(state, &m.email, &text.subject, &text.body, Some(issuer)).await?;
        }
    }
    Ok(())
}

pub async fn approve(state: &AppState, scope: &Scope, id: &str) -> AppResult<OrderView> {
    if !scope.can_approve {
        return Err(AppError::NotFound);
    }
    let order = load(state, &scope.store_scope(), id).await?;
    if !state.store().set_order_status(&order.id, &["pending_approval"], "awaiting_validation", state.now()).await? {
        return Err(AppError::Conflict("This order is not waiting for approval.".into()));
    }
    state
        .store()
        .set_order_fields(
            &order.id,
            OrderUpdate {
                approved: Some(true),
                approved_by: Some(scope.actor.email.clone()),
                now: Some(state.now()),
                ..Default::default()
            },
        )
        .await?;
    state.store().add_order_event(&order.id, state.now(), &scope.actor.email, "approved", "").await?;
    audit::record(state, &scope.actor, Some(&scope.issuer), "order.approve", &order.number, "").await?;
    advance(state, &scope.store_scope(), id).await?;
    view(state, scope, id).await
}

pub async fn reject(state: &AppState, scope: &Scope, id: &str, reason: &str) -> AppResult<OrderView> {
    if !scope.can_approve {
        return Err(AppError::NotFound);
    }
    close(state, scope, id, reason, &["pending_approval"], OrderStatus::Rejected).await
}

pub async fn cancel(state: &AppState, scope: &Scope, id: &str, reason: &str) -> AppResult<OrderView> {
    close(state, scope, id, reason, &["draft", "pending_approval", "awaiting_validation"], OrderStatus::Cancelled).await
}

async fn close(
    state: &AppState,
    scope: &Scope,
    id: &str,
    reason: &str,
    from: &[&str],
    to: OrderStatus,
) -> AppResult<OrderView> {
    Checks::new().check("reason", validate::required(reason, "reason", 500)).finish()?;
    let order = load(state, &scope.store_scope(), id).await?;
    if !state.store().set_order_status(&order.id, from, to.as_str(), state.now()).await? {
        return Err(AppError::Conflict(format!("This order can no longer be {}.", to.label().to_lowercase())));
    }
    state
        .store()
        .set_order_fields(
            &order.id,
            OrderUpdate { reason: Some(reason.trim().into()), now: Some(state.now()), ..Default::default() },
        )
        .await?;
    state.store().add_order_event(&order.id, state.now(), &scope.actor.email, to.as_str(), reason.trim()).await?;
    audit::record(
        state,
        &scope.actor,
        Some(&scope.issuer),
        &format!("order.{}", to.as_str()),
        &order.number,
        reason.trim(),
    )
    .await?;
    view(state, scope, id).await
}

/// Changes how one name is validated (until issuance).
pub async fn set_dcv(state: &AppState, scope: &Scope, id: &str, choice: DcvChoice) -> AppResult<OrderView> {
    let order = load(state, &scope.store_scope(), id).await?;
    refuse_if_acme(&order, "chooses the challenge it answers")?;
    if !order.status.open() {
        return Err(AppError::Conflict(
            "The validation method can change only until the certificate is issued.".into(),
        ));
    }
    dcv::change_method(state, &order, &scope.actor.email, &choice).await?;
    view(state, scope, id).await
}

/// "Check now": runs the HTTP and DNS checks of the order's pending names, then issues if all are done.
pub async fn check_dcv(state: &AppState, scope: &Scope, id: &str) -> AppResult<OrderView> {
    let order = load(state, &scope.store_scope(), id).await?;
    refuse_if_acme(&order, "asks Signet to check a challenge when it has answered it")?;
    if !order.status.open() {
        return view(state, scope, id).await;
    }
    dcv::run_checks(state, &order).await?;
    advance(state, &scope.store_scope(), id).await?;
    view(state, scope, id).await
}

/// The background re-check of pending HTTP and DNS validations; each order checked is then decided on.
pub async fn recheck_pending(state: &AppState) -> AppResult<usize> {
    let orders = dcv::orders_to_recheck(state).await?;
    for (scope, id) in &orders {
        if let Some(row) = state.store().order(scope, &OrderId::new(id)).await? {
            dcv::run_checks(state, &row).await?;
            advance(state, scope, id).await?;
        }
    }
    Ok(orders.len())
}

/// The recipient of an e-mailed link confirms: the name is validated, and the order issues if it was the last.
pub async fn confirm_email_dcv(state: &AppState, token: &str) -> AppResult<EmailDcvInfo> {
    match dcv::confirm_email(state, token).await? {
        dcv::Confirmation::Unchanged(info) => Ok(info),
        dcv::Confirmation::Validated(order) => {
            let scope = OrderScope { issuer: order.issuer.clone(), client: None };
            advance(state, &scope, order.id.key()).await?;
            dcv::email_dcv_info(state, token).await
        }
    }
}
