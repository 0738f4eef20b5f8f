//! The read model of orders: the status page (with its progress tracker, what the viewer may do and the
//! invitation links sent), the read-only tracking page, the order list and certificate downloads. Reads only.

use super::super::{ca, dcv, AppState};
use super::Scope;
use crate::error::{AppError, AppResult};
use crate::model::*;
use crate::pki::csr::to_pem;
use crate::store::{
    CertificateId, CertificateRow, CsrInvitationRow, DcvRow, EventRow, OrderDetails, OrderId, OrderRow,
};
use base64::Engine;

const PAGE_SIZE: usize = 50;

/// The status page.
pub async fn view(state: &AppState, scope: &Scope, id: &str) -> AppResult<OrderView> {
    let details =
        state.store().order_details(&scope.store_scope(), &OrderId::new(id)).await?.ok_or(AppError::NotFound)?;
    build_view(state, details, Some(scope))
}

/// The read-only tracking page: anyone with the link, no actions, no tracking link.
pub async fn track(state: &AppState, token: &str) -> AppResult<OrderView> {
    if token.len() < 20 {
        return Err(AppError::NotFound);
    }
    let details = super::super::tracking::order_of(state, token).await?.ok_or(AppError::NotFound)?;
    build_view(state, details, None)
}

/// The page of an order for `scope`, or for the tracking link when there is none.
pub(super) fn build_view(state: &AppState, details: OrderDetails, scope: Option<&Scope>) -> AppResult<OrderView> {
    let OrderDetails { order, product, dcvs, events, certificate, ca_slug, invitations } = details;
    let status = order.status;
    let product = product.map(super::product_of).ok_or(AppError::Internal)?;
    let csr_report: Option<CsrReport> = order.csr_report.as_deref().and_then(|r| serde_json::from_str(r).ok());
    let dcv: Vec<DcvView> = dcvs.iter().map(|d| dcv_view(d, product.profile)).collect();
    let acme = order.acme_account.is_some();
    let actions = scope.map(|s| actions(status, s, acme)).unwrap_or_default();
    let invitations = match scope {
        Some(_) => invitation_infos(state, &order, invitations),
        None => Vec::new(),
    };
    let progress = progress(&order, status, csr_report.as_ref(), &dcv, certificate.as_ref());
    Ok(OrderView {
        id: order.id.key().to_string(),
        number: order.number.clone(),
        status,
        client_id: order.client.key().to_string(),
        client_name: order.client_name.clone(),
        product_name: order.product_name.clone(),
        profile: product.profile,
        key_types: product.key_types.clone(),
        validity_days: order.validity_days.max(0) as u32,
        names: order.names.clone(),
        parties: order.parties.clone(),
        csr_pem: order.csr_pem.clone(),
        csr_report,
        dcv,
        progress,
        events: events.into_iter().map(event_of).collect(),
        reason: order.reason.clone(),
        failure: order.failure.clone(),
        certificate: certificate.map(|c| issued_cert(c, ca_slug)),
        acme,
        notify: order.notify.clone().unwrap_or_default(),
        tracking_path: scope.map(|_| format!("/track/{}", super::super::tracking::token(state, order.id.key()))),
        created_by: order.created_by_email.clone(),
        created_at: order.created_at,
        actions,
        invitations,
    })
}

/// What a signed-in viewer may do with an order in `status`. An ACME order's CSR and validations are its ACME
/// client's business.
fn actions(status: OrderStatus, scope: &Scope, acme: bool) -> OrderActions {
    let open = status.open();
    OrderActions {
        submit_csr: status == OrderStatus::Draft && !acme,
        change_dcv: open && !acme,
        approve: status == OrderStatus::PendingApproval && scope.can_approve,
        cancel: open,
        invite: status == OrderStatus::Draft && !acme,
    }
}

/// The progress tracker: CSR check, one step per validation, approval, issuance.
fn progress(
    order: &OrderRow,
    status: OrderStatus,
    csr_report: Option<&CsrReport>,
    dcv: &[DcvView],
    certificate: Option<&CertificateRow>,
) -> Vec<ProgressStep> {
    let open = status.open();
    let mut progress = vec![ProgressStep {
        label: "CSR check".into(),
        state: match (csr_report, status) {
            (Some(_), _) => StepState::Done,
            (None, OrderStatus::Draft) => StepState::Current,
            _ => StepState::Skipped,
        },
        detail: csr_report.map(|r| r.key.clone()).unwrap_or_else(|| "CSR not submitted yet".into()),
    }];
    for d in dcv {
        progress.push(ProgressStep {
            label: format!("Validation of {}", d.name),
            state: match d.status {
                DcvStatus::Valid => StepState::Done,
                _ if !open => StepState::Skipped,
                _ => StepState::Current,
            },
            detail: match d.status {
                DcvStatus::Valid if d.reused => "validated earlier (reused)".into(),
                DcvStatus::Valid => format!("validated by {}", d.method.label()),
                _ => d.last_error.clone().unwrap_or_else(|| format!("waiting: {}", d.method.label())),
            },
        });
    }
    progress.push(approval_step(order, status));
    progress.push(ProgressStep {
        label: "Issuance".into(),
        state: match status {
            OrderStatus::Issued => StepState::Done,
            _ if order.failure.is_some() => StepState::Failed,
            OrderStatus::Rejected | OrderStatus::Cancelled => StepState::Skipped,
            _ => StepState::Waiting,
        },
        detail: certificate
            .map(|c| format!("serial {}", c.serial))
            .or_else(|| order.failure.clone())
            .unwrap_or_default(),
    });
    progress
}

fn approval_step(order: &OrderRow, status: OrderStatus) -> ProgressStep {
    ProgressStep {
        label: "Approval".into(),
        state: match status {
            OrderStatus::PendingApproval => StepState::Current,
            OrderStatus::Rejected => StepState::Failed,
            OrderStatus::Cancelled if !order.approved => StepState::Skipped,
            _ if order.approved => StepState::Done,
            _ => StepState::Waiting,
        },
        detail: match (&order.approved_by, order.approved) {
            (Some(by), _) => format!("approved by {by}"),
            (None, true) => "not required".into(),
            _ if status == OrderStatus::Rejected => order.reason.clone().unwrap_or_default(),
            _ => "waiting for an approver".into(),
        },
    }
}

fn issued_cert(c: CertificateRow, ca_slug: Option<String>) -> IssuedCert {
    let der = base64::engine::general_purpose::STANDARD.decode(&c.der).unwrap_or_default();
    IssuedCert {
        id: c.id.key().to_string(),
        serial: c.serial,
        subject: c.subject,
        names: c.names,
        not_before: c.not_before,
        not_after: c.not_after,
        pem: to_pem("CERTIFICATE", &der),
        ca: ca_slug.unwrap_or_default(),
        revoked: c.revoked_at.map(|at| {
            let reason = c.revocation_reason.as_deref().and_then(RevocationReason::parse);
            (at, reason.unwrap_or(RevocationReason::Unspecified))
        }),
    }
}

pub(crate) fn event_of(e: EventRow) -> OrderEvent {
    OrderEvent { at: e.at, actor: e.actor, kind: e.kind, detail: e.detail }
}

fn dcv_view(d: &DcvRow, profile: Profile) -> DcvView {
    let method = d.method;
    DcvView {
        name: d.name.clone(),
        method,
        status: d.status,
        http_url: dcv::http_url(&d.name, &d.file),
        token: d.token.clone(),
        dns_name: dcv::dns_name(&d.name),
        email_to: d.email_to.clone(),
        email_choices: email_choices(profile, &d.name),
        checks: d.checks,
        last_checked_at: d.last_checked_at,
        last_error: d.last_error.clone(),
        validated_at: d.validated_at,
        reused: d.reused,
        acme_challenge: d.acme_challenge.clone(),
    }
}

/// The invitation links of an order (newest first) as its page lists them. Here, in the read model, so that
/// orders need nothing of `invitations` (which places its CSR through orders).
fn invitation_infos(state: &AppState, order: &OrderRow, rows: Vec<CsrInvitationRow>) -> Vec<CsrInvitationInfo> {
    let now = state.now();
    rows.into_iter()
        .map(|row| CsrInvitationInfo {
            state: InvitationState::of(row.used_at, row.expires_at, order.status, now),
            email: row.email,
            name: row.name,
            invited_by: row.created_by_name,
            created_at: row.created_at,
            expires_at: row.expires_at,
            used_at: row.used_at,
        })
        .collect()
}

pub async fn list(
    state: &AppState,
    scope: &Scope,
    status: Option<OrderStatus>,
    page: usize,
) -> AppResult<Page<OrderSummary>> {
    let page = page.clamp(1, 100_000);
    let (rows, total) = state
        .store()
        .orders(&scope.store_scope(), status.map(|s| s.as_str()), (page - 1) * PAGE_SIZE, PAGE_SIZE)
        .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| OrderSummary {
                id: r.id.key().to_string(),
                number: r.number,
                status: r.status,
                client_name: r.client_name,
                product_name: r.product_name,
                names: r.names,
                created_at: r.created_at,
                created_by: r.created_by_email,
            })
            .collect(),
        total,
        page,
        per_page: PAGE_SIZE,
    })
}

/// A certificate download for someone who may see the order.
pub async fn download(
    state: &AppState,
    scope: &Scope,
    certificate: &str,
    format: ca::Format,
) -> AppResult<(Vec<u8>, String)> {
    let cert =
        state.store().certificate(&scope.issuer, &CertificateId::new(certificate)).await?.ok_or(AppError::NotFound)?;
    if scope.client.as_ref().is_some_and(|c| !cert.client.is(c.key())) {
        return Err(AppError::NotFound);
    }
    let der = base64::engine::general_purpose::STANDARD.decode(&cert.der).map_err(|_| AppError::Internal)?;
    let bytes = ca::render(state, &cert.ca, &der, format).await?;
    let base = cert.names.first().map(|n| n.replace('*', "wildcard")).unwrap_or_else(|| "certificate".into());
    Ok((bytes, format.file_name(&base)))
}
