//! The REST API's certificate lifecycle after issuance: renewal, reissue (and cancelling the revocation it
//! scheduled), automatic renewal and the installation check (`/api/v1/certificates/{id}/…`), on the same
//! services as the certificate page.

use crate::rest::{ApiError, ApiResult, Body, Caller, Problem};
use app::error::AppError;
use app::model::{InstallCheck, OldCertificate, OrderView, ReissueInput, ReissueReason};
use app::model::{RenewCsr, RenewInput, RenewalChoices};
use app::services::{install_check, reissue, renewal, AppState};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// How a renewal gets its CSR: no body (or `{}`) reuses the certificate's CSR.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub(crate) struct RenewRequest {
    /// A new CSR (PEM or base64 DER) instead of the certificate's.
    #[serde(default)]
    csr: Option<String>,
    /// Place the renewal without a CSR; hand it in later (`POST /orders/{id}/csr`).
    #[serde(default)]
    csr_later: bool,
}

/// Renews a certificate inside its product's renewal window: a new order with the same client, product, names,
/// contacts and validity, linked to this certificate, usually issued at once (validations are reused). Outside
/// the window, or renewed or revoked already, a 409 says why and when the window opens.
#[utoipa::path(post, path = "/certificates/{id}/renew", tag = "certificates", params(("id" = String, Path)),
    request_body(content = Option<RenewRequest>, description = "Optional; without it the certificate's CSR is used."),
    responses((status = 201, body = OrderView), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub(crate) async fn renew_certificate(
    State(state): State<AppState>,
    Caller(scope): Caller,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let request: RenewRequest = match body.iter().all(u8::is_ascii_whitespace) {
        true => RenewRequest::default(),
        false => serde_json::from_slice(&body).map_err(|e| ApiError(AppError::field("body", e.to_string())))?,
    };
    let input = match (request.csr, request.csr_later) {
        (Some(csr), _) => RenewInput { csr_choice: RenewCsr::New, csr },
        (None, true) => RenewInput { csr_choice: RenewCsr::Later, csr: String::new() },
        (None, false) => RenewInput::default(),
    };
    let placed = renewal::renew(&state, &scope, &id, input).await?;
    Ok((StatusCode::CREATED, Json(placed)).into_response())
}

/// A reissue: why, the new CSR, the names (default: the certificate's) and what becomes of the original.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ReissueRequest {
    reason: ReissueReason,
    /// Required for `other`.
    #[serde(default)]
    reason_text: String,
    /// PEM or base64 DER; without it the order waits for its CSR (`POST /orders/{id}/csr`).
    #[serde(default)]
    csr: Option<String>,
    /// The new names, within the product's limits; new ones are validated.
    #[serde(default)]
    names: Option<Vec<String>>,
    /// `keep` (default), `now`, or a day (`YYYY-MM-DD`, at most 30 days ahead) to revoke the original on.
    #[serde(default)]
    revoke_old: Option<String>,
}

/// Reissues a certificate with a new CSR and, if given, new names, keeping its expiry; the original is kept,
/// revoked now, or revoked on a chosen day.
#[utoipa::path(post, path = "/certificates/{id}/reissue", tag = "certificates", params(("id" = String, Path)),
    request_body = ReissueRequest,
    responses((status = 201, body = OrderView), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub(crate) async fn reissue_certificate(
    State(state): State<AppState>,
    Caller(scope): Caller,
    Path(id): Path<String>,
    Body(r): Body<ReissueRequest>,
) -> ApiResult<Response> {
    let (old, revoke_on) = match r.revoke_old.as_deref().map(str::trim) {
        None | Some("") | Some("keep") => (OldCertificate::Keep, String::new()),
        Some("now") => (OldCertificate::RevokeNow, String::new()),
        Some(day) => (OldCertificate::RevokeOn, day.to_string()),
    };
    let input = ReissueInput {
        reason: r.reason,
        reason_text: r.reason_text,
        names: r.names.unwrap_or_default().join("\n"),
        csr: r.csr.unwrap_or_default(),
        old,
        revoke_on,
    };
    let placed = reissue::reissue(&state, &scope, &id, input).await?;
    Ok((StatusCode::CREATED, Json(placed)).into_response())
}

/// Keeps a certificate whose reissue scheduled its revocation: the revocation is cancelled. 409 when none is
/// scheduled or the certificate is revoked already.
#[utoipa::path(delete, path = "/certificates/{id}/scheduled-revocation", tag = "certificates",
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(crate) async fn cancel_scheduled_revocation(
    State(state): State<AppState>,
    Caller(scope): Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    reissue::cancel_scheduled_revocation(&state, &scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A certificate's renewal choices.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct AutoRenew {
    /// Signet places the renewal (same CSR) when the renewal window opens.
    auto_renew: bool,
    /// No renewal and no expiry reminders.
    #[serde(default)]
    do_not_renew: bool,
}

/// Turns automatic renewal on or off (and "do not renew"). For a watched certificate only `do_not_renew`
/// applies: it stops the reminders.
#[utoipa::path(put, path = "/certificates/{id}/auto-renew", tag = "certificates", params(("id" = String, Path)),
    request_body = AutoRenew,
    responses((status = 200, body = AutoRenew), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn set_auto_renew(
    State(state): State<AppState>,
    Caller(scope): Caller,
    Path(id): Path<String>,
    Body(body): Body<AutoRenew>,
) -> ApiResult<Json<AutoRenew>> {
    let choices = RenewalChoices { auto_renew: body.auto_renew, do_not_renew: body.do_not_renew };
    renewal::set_choices(&state, &scope, &id, choices).await?;
    Ok(Json(body))
}

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct CheckQuery {
    /// A name the certificate covers; default: the host checked last, else its first name.
    host: Option<String>,
    /// Default: the port checked last, else 443.
    port: Option<u16>,
}

/// The installation check: connects to the host, reads the chain it serves and answers green, orange or red
/// with the reasons (the newest version with its complete chain and not expiring is green).
#[utoipa::path(get, path = "/certificates/{id}/check", tag = "certificates", params(("id" = String, Path), CheckQuery),
    responses((status = 200, body = InstallCheck), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn check_installation(
    State(state): State<AppState>,
    Caller(scope): Caller,
    Path(id): Path<String>,
    query: Result<Query<CheckQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<InstallCheck>> {
    let Query(q) = query.map_err(|e| ApiError(AppError::field("query", e.body_text())))?;
    Ok(Json(install_check::check_keeping_monitor(&state, &scope, &id, q.host, q.port).await?))
}
