//! The REST API at `/api/v1`: the same order services as the pages, authorised by a bearer API key.
//! The OpenAPI document at `/api/v1/openapi.json` is generated from these handlers and the model types.

use crate::rest_lifecycle as lifecycle;
use app::error::AppError;
use app::model::{AcmeBindingCreated, AcmeBindingInfo, AcmeBindingInput};
use app::model::{CertificateFilter, CertificateSummary, RevokeInput};
use app::model::{Contact, DcvChoice, DcvMethod, OrderInput, OrderStatus, OrderSummary, OrderView, Page, Product};
use app::services::{acme, ca, certificates, orders, AppState};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    info(title = "Signet REST API", description = "Certificate orders, domain validation and downloads. \
        Authenticate with an API key from your profile: `Authorization: Bearer sgk_…`."),
    servers((url = "/api/v1")),
    paths(list_products, list_orders, create_order, get_order, submit_csr, set_dcv, check_dcv, cancel_order,
          approve_order, reject_order, download_certificate, list_certificates, revoke_certificate,
          lifecycle::renew_certificate, lifecycle::reissue_certificate, lifecycle::cancel_scheduled_revocation,
          lifecycle::set_auto_renew,
          lifecycle::check_installation, create_eab,
          list_eab, revoke_eab),
    security(("api_key" = [])),
    modifiers(&BearerAuth),
    tags((name = "orders"), (name = "certificates"), (name = "products"), (name = "acme"))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "api_key",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/products", get(list_products))
        .route("/orders", get(list_orders).post(create_order))
        .route("/orders/{id}", get(get_order))
        .route("/orders/{id}/csr", post(submit_csr))
        .route("/orders/{id}/dcv", post(set_dcv))
        .route("/orders/{id}/dcv/check", post(check_dcv))
        .route("/orders/{id}/cancel", post(cancel_order))
        .route("/orders/{id}/approve", post(approve_order))
        .route("/orders/{id}/reject", post(reject_order))
        .route("/certificates", get(list_certificates))
        .route("/certificates/{id}", get(download_certificate))
        .route("/certificates/{id}/revoke", post(revoke_certificate))
        .route("/certificates/{id}/renew", post(lifecycle::renew_certificate))
        .route("/certificates/{id}/reissue", post(lifecycle::reissue_certificate))
        .route("/certificates/{id}/scheduled-revocation", delete(lifecycle::cancel_scheduled_revocation))
        .route("/certificates/{id}/auto-renew", put(lifecycle::set_auto_renew))
        .route("/certificates/{id}/check", get(lifecycle::check_installation))
        .route("/acme/eab", get(list_eab).post(create_eab))
        .route("/acme/eab/{kid}/revoke", post(revoke_eab))
        .fallback(|| async { problem(StatusCode::NOT_FOUND, "No such endpoint; see /api/v1/openapi.json.", vec![]) })
        .with_state(state)
}

async fn openapi() -> Response {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    Json(doc).into_response()
}

/// Every error: `{"error": "…", "fields": [{"field": "…", "message": "…"}]}`.
#[derive(Serialize, ToSchema)]
pub(crate) struct Problem {
    error: String,
    fields: Vec<app::error::FieldError>,
}

fn problem(status: StatusCode, message: &str, fields: Vec<app::error::FieldError>) -> Response {
    let mut response = (status, Json(Problem { error: message.to_string(), fields })).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub(crate) struct ApiError(pub(crate) AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let message = self.0.to_string();
        match self.0 {
            AppError::Unauthenticated => {
                let mut r =
                    problem(StatusCode::UNAUTHORIZED, "A valid API key is needed: Authorization: Bearer sgk_…", vec![]);
                r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                r
            }
            AppError::NotFound => problem(StatusCode::NOT_FOUND, &message, vec![]),
            AppError::Forbidden => problem(StatusCode::FORBIDDEN, &message, vec![]),
            AppError::Invalid(fields) => problem(StatusCode::UNPROCESSABLE_ENTITY, &message, fields),
            AppError::Conflict(_) => problem(StatusCode::CONFLICT, &message, vec![]),
            AppError::Refused(_) => problem(StatusCode::FORBIDDEN, &message, vec![]),
            AppError::Internal | AppError::InternalLogged(_) | AppError::Transport(_) => {
                problem(StatusCode::INTERNAL_SERVER_ERROR, &message, vec![])
            }
        }
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

/// The caller of a REST endpoint: the order scope of the key's holder.
pub(crate) struct Caller(pub(crate) orders::Scope);

impl axum::extract::FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &AppState) -> ApiResult<Self> {
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
        Ok(Caller(app::api::guard::api_key_scope(state, &parts.headers, peer).await?))
    }
}

/// A JSON body; a missing or malformed one is a 422 with the reason, never a 5xx.
pub(crate) struct Body<T>(pub(crate) T);

impl<T: serde::de::DeserializeOwned> axum::extract::FromRequest<AppState> for Body<T> {
    type Rejection = ApiError;
    async fn from_request(request: axum::extract::Request, state: &AppState) -> ApiResult<Self> {
        Json::<T>::from_request(request, state)
            .await
            .map(|Json(v)| Body(v))
            .map_err(|e| ApiError(AppError::field("body", e.body_text())))
    }
}

#[utoipa::path(get, path = "/products", tag = "products", responses((status = 200, body = Vec<Product>)))]
async fn list_products(State(state): State<AppState>, _caller: Caller) -> ApiResult<Json<Vec<Product>>> {
    Ok(Json(orders::products(&state).await?.into_iter().filter(|p| p.active).collect()))
}

#[derive(Deserialize, IntoParams)]
struct ListQuery {
    /// Only orders in this status.
    status: Option<OrderStatus>,
    /// 1-based; 50 orders a page.
    page: Option<usize>,
}

#[utoipa::path(get, path = "/orders", tag = "orders", params(ListQuery),
    responses((status = 200, body = Page<OrderSummary>), (status = 401, body = Problem)))]
async fn list_orders(
    State(state): State<AppState>,
    Caller(scope): Caller,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Page<OrderSummary>>> {
    let Query(q) = query.map_err(|e| ApiError(AppError::field("query", e.body_text())))?;
    Ok(Json(orders::list(&state, &scope, q.status, q.page.unwrap_or(1).min(100_000)).await?))
}

/// A new order. Without `csr` the order is a draft until `POST /orders/{id}/csr`.
#[derive(Deserialize, ToSchema)]
struct NewOrder {
    client_id: String,
    product_id: String,
    validity_days: u32,
    /// Host names (or e-mail addresses for client and S/MIME products).
    names: Vec<String>,
    /// PEM.
    #[serde(default)]
    csr: Option<String>,
    /// For every name without an entry in `dcv`; default `dns`.
    #[serde(default)]
    dcv_method: Option<DcvMethod>,
    #[serde(default)]
    dcv: Vec<DcvChoice>,
    /// Defaults to the client's contact.
    #[serde(default)]
    corporate: Option<Contact>,
    /// Defaults to the client's contact; gets the e-mail on issuance.
    #[serde(default)]
    technical: Option<Contact>,
    /// More addresses for the expiry reminders (the contacts get them anyway).
    #[serde(default)]
    notify: Vec<String>,
}

#[utoipa::path(post, path = "/orders", tag = "orders", request_body = NewOrder,
    responses((status = 201, body = OrderView), (status = 422, body = Problem), (status = 401, body = Problem)))]
async fn create_order(
    State(state): State<AppState>,
    Caller(scope): Caller,
    Body(payload): Body<NewOrder>,
) -> ApiResult<Response> {
    let o = payload;
    let input = OrderInput {
        client_id: o.client_id,
        product_id: o.product_id,
        validity_days: o.validity_days,
        names: o.names.join("\n"),
        corporate: o.corporate.unwrap_or_default(),
        technical: o.technical.unwrap_or_default(),
        csr: o.csr.unwrap_or_default(),
        dcv: o.dcv,
        default_dcv: o.dcv_method.unwrap_or(DcvMethod::Dns),
        notify: o.notify.join("\n"),
    };
    let view = orders::create(&state, &scope, input).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[utoipa::path(get, path = "/orders/{id}", tag = "orders", params(("id" = String, Path)),
    responses((status = 200, body = OrderView), (status = 404, body = Problem)))]
async fn get_order(
    State(state): State<AppState>,
    Caller(scope): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<OrderView>> {
    Ok(Json(orders::view(&state, &scope, &id).await?))
}

#[derive(Deserialize, ToSchema)]
struct CsrBody {
    /// PEM.
    csr: String,
}

#[utoipa::path(post, path = "/orders/{id}/csr", tag = "orders", params(("id" = String, Path)), request_body = CsrBody,
    responses((status = 200, body = OrderView), (status = 422, body = Problem), (status = 409, body = Problem)))]
async fn submit_csr(
    State(state): State<AppState>,
    Caller(scope): Caller,
    Path(id): Path<String>,
    Body(payload): Body<CsrBody>,
) -> ApiResult<Json<OrderView>> {
    let b = payload;
    Ok(Json(orders::submit_csr(&state, &scope, &id, &b.csr).await?))
}

#[utoipa::path(post, path = "/orders/{id}/dcv", tag = "orders", params(("id" = String, Path)), request_body = DcvChoice,
    responses((status = 200, body = OrderView), (status = 422, body = Problem), (status = 409, body = Problem)))]
async fn set_dcv(
    State(state): State<AppState>,
    Caller(scope): Caller,
    Path(id): Path<String>,
    Body(payload): Body<DcvChoice>,
) -> ApiResult<Json<OrderView>> {
    let choice = payload;
    Ok(Json(orders::set_dcv(&state, &scope, &id, choice).await?))
}

/// Runs the HTTP and DNS checks now; the order is issued when every name is validated.
#[utoipa::path(post, path = "/orders/{id}/dcv/check", tag = "orders", params(("id" = String, Path)),
    responses((status = 200, body = OrderView), (status = 404, body = Problem)))]
async fn check_dcv(
    State(state): State<AppState>,
    Caller(scope): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<OrderView>> {
    Ok(Json(orders::check_dcv(&state, &scope, &id).await?))
}

#[derive(Deserialize, ToSchema)]
struct ReasonBody {
    reason: String,
}

#[utoipa::path(post, path = "/orders/{id}/cancel", tag = "orders", params(("id" = String, Path)), request_body = ReasonBody,
    responses((status = 200, body = OrderView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn cancel_order(
    State(state): State<AppState>,
    Caller(scope): Caller,
    Path(id): Path<String>,
    Body(payload): Body<ReasonBody>,
) -> ApiResult<Json<OrderView>> {
    let b = payload;
    Ok(Json(orders::cancel(&state, &scope, &id, &b.reason).await?))
}

#[utoipa::path(post, path = "/orders/{id}/approve", tag = "orders", params(("id" = String, Path)),
    responses((status = 200, body = OrderView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn approve_order(
    State(state): State<AppState>,
    Caller(scope): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<OrderView>> {
    Ok(Json(orders::approve(&state, &scope, &id).await?))
}

#[utoipa::path(post, path = "/orders/{id}/reject", tag = "orders", params(("id" = String, Path)), request_body = ReasonBody,
    responses((status = 200, body = OrderView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn reject_order(
    State(state): State<AppState>,
    Caller(scope): Caller,
    Path(id): Path<String>,
    Body(payload): Body<ReasonBody>,
) -> ApiResult<Json<OrderView>> {
    let b = payload;
    Ok(Json(orders::reject(&state, &scope, &id, &b.reason).await?))
}

#[derive(Deserialize, IntoParams)]
struct FormatQuery {
    /// `pem` (default), `cer` (DER), `chain` (full chain PEM), `p7b` (PKCS#7 with the chain) or `root`.
    format: Option<String>,
}

#[utoipa::path(get, path = "/certificates/{id}", tag = "certificates", params(("id" = String, Path), FormatQuery),
    responses((status = 200, description = "The certificate in the asked format", content_type = "application/octet-stream"),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn download_certificate(
    State(state): State<AppState>,
    Caller(scope): Caller,
    Path(id): Path<String>,
    query: Result<Query<FormatQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = query.map_err(|e| ApiError(AppError::field("query", e.body_text())))?;
    let format = ca::Format::parse(q.format.as_deref().unwrap_or("pem"))
        .ok_or_else(|| AppError::field("format", "Use pem, cer, chain, p7b or root."))?;
    let (bytes, file) = orders::download(&state, &scope, &id, format).await?;
    Ok(file_response(bytes, &file, format))
}

/// The TLS certificates inventory: the same search and filters as the portal's list.
#[utoipa::path(get, path = "/certificates", tag = "certificates", params(CertificateFilter),
    responses((status = 200, body = Page<CertificateSummary>), (status = 422, body = Problem), (status = 401, body = Problem)))]
async fn list_certificates(
    State(state): State<AppState>,
    Caller(scope): Caller,
    query: Result<Query<CertificateFilter>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Page<CertificateSummary>>> {
    let Query(filter) = query.map_err(|e| ApiError(AppError::field("query", e.body_text())))?;
    Ok(Json(certificates::list(&state, &scope, &filter).await?))
}

/// Revokes a certificate: final. The CA's CRL and OCSP say so within seconds; revoking twice is a 409.
#[utoipa::path(post, path = "/certificates/{id}/revoke", tag = "certificates", params(("id" = String, Path)),
    request_body = RevokeInput,
    responses((status = 200, body = CertificateSummary), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
async fn revoke_certificate(
    State(state): State<AppState>,
    Caller(scope): Caller,
    Path(id): Path<String>,
    Body(input): Body<RevokeInput>,
) -> ApiResult<Json<CertificateSummary>> {
    Ok(Json(certificates::revoke(&state, &scope, &id, input).await?))
}

/// External account bindings are an issuer admin's to hand out.
fn issuer_admin(scope: &orders::Scope) -> ApiResult<()> {
    if scope.can_approve && scope.client.is_none() {
        Ok(())
    } else {
        Err(ApiError(AppError::Forbidden))
    }
}

/// A new ACME external account binding for a client and its products. `hmac_key` is shown only in this answer.
#[utoipa::path(post, path = "/acme/eab", tag = "acme", request_body = AcmeBindingInput,
    responses((status = 201, body = AcmeBindingCreated), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_eab(
    State(state): State<AppState>,
    Caller(scope): Caller,
    Body(input): Body<AcmeBindingInput>,
) -> ApiResult<Response> {
    issuer_admin(&scope)?;
    let created = acme::bindings::create(&state, &scope.actor, &scope.issuer, &input).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// The issuer's bindings, each with its ACME accounts and their last use.
#[utoipa::path(get, path = "/acme/eab", tag = "acme",
    responses((status = 200, body = Vec<AcmeBindingInfo>), (status = 403, body = Problem)))]
async fn list_eab(State(state): State<AppState>, Caller(scope): Caller) -> ApiResult<Json<Vec<AcmeBindingInfo>>> {
    issuer_admin(&scope)?;
    Ok(Json(acme::bindings::list(&state, &scope.issuer).await?))
}

/// Revokes a binding: its accounts can place no more orders; issued certificates stay valid.
#[utoipa::path(post, path = "/acme/eab/{kid}/revoke", tag = "acme", params(("kid" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn revoke_eab(
    State(state): State<AppState>,
    Caller(scope): Caller,
    Path(kid): Path<String>,
) -> ApiResult<StatusCode> {
    issuer_admin(&scope)?;
    acme::bindings::revoke(&state, &scope.actor, &scope.issuer, &kid).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn file_response(bytes: Vec<u8>, file: &str, format: ca::Format) -> Response {
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    let disposition = format!("attachment; filename=\"{}\"", file.replace(['"', '\\', '\r', '\n'], "_"));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}
