//! The router: Leptos pages and server functions, the public endpoints of the URL contract, embedded assets,
//! and the request checks that apply to all of them.

use crate::{acme, assets, revocation, visitor};
use app::api::guard::{client_ip, require_from_headers, Need};
use app::error::AppError;
use app::model::{AuditFilter, SealFilter};
use app::services::csv_export::CsvExport;
use app::services::{audit, issuers, seals, AppState};
use app::store::IssuerId;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::StreamExt;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// Router state: what leptos_axum needs, plus ours.
#[derive(Clone)]
pub struct Web {
    pub leptos: LeptosOptions,
    pub app: AppState,
}

impl axum::extract::FromRef<Web> for LeptosOptions {
    fn from_ref(web: &Web) -> Self {
        web.leptos.clone()
    }
}

pub fn leptos_options() -> LeptosOptions {
    LeptosOptions::builder().output_name("signet").site_pkg_dir("pkg").build()
}

/// OCSP requests are a few hundred bytes: a body beyond this is refused unread (413); one beyond
/// `MAX_REQUEST_BYTES` gets malformedRequest.
const OCSP_BODY_LIMIT: usize = 64 * 1024;

/// A one-click unsubscribe POST is one form field.
const UNSUBSCRIBE_BODY_LIMIT: usize = 4 * 1024;

pub fn router(state: AppState) -> Router {
    let leptos = leptos_options();
    let routes = generate_route_list(app::App);
    let web = Web { leptos: leptos.clone(), app: state.clone() };
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let shell_options = leptos.clone();
    let layered = Router::new()
        .route("/healthz", get(healthz))
        .route("/_app/logo/{issuer}", get(logo))
        .route("/_app/audit.csv", get(audit_csv))
        .route("/_app/seals.csv", get(seals_csv))
        .route("/_app/seals/{id}/certificate.pdf", get(seal_certificate_pdf))
        .route("/_app/downloads/{id}/{format}", get(certificate_download))
        .route("/_app/certificates.csv", get(revocation::certificates_csv))
        .route("/pki/{file}", get(revocation::pki_file))
        .route("/seal/{id}/frame", get(visitor::seal_frame))
        .route("/seal/{id}/seen", get(visitor::seal_seen))
        .route("/c/{token}", get(visitor::verification))
        .route("/v/{issuer}/{path}", get(visitor::verified))
        .route("/seal/{file}", get(visitor::seal_script))
        .route(
            "/unsubscribe/{token}",
            get(visitor::unsubscribe_page)
                .post(visitor::unsubscribe)
                .layer(DefaultBodyLimit::max(UNSUBSCRIBE_BODY_LIMIT)),
        )
        .merge(acme::router())
        .leptos_routes_with_context(&web, routes, context, move || app::shell(shell_options.clone()))
        .fallback(fallback)
        .layer(middleware::from_fn(server_fn_status))
        .with_state(web.clone())
        .nest("/api/v1", crate::rest::router(state))
        // Every route above gets every layer: the API and the seal script too (they once skipped them, and so
        // went without the security headers, and the API answered on issuers' verified-pages hosts). Only OCSP,
        // merged below, skips them.
        .layer(middleware::from_fn(check_origin))
        .layer(middleware::from_fn_with_state(web.clone(), verified_host_only));
    let layered = SECURITY_HEADERS.into_iter().fold(layered, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)))
    });
    layered
        .layer(CompressionLayer::new())
        // OCSP is the hot path of every relying party, and nothing a browser renders: it skips the layers above
        // (its handlers set the security headers themselves). It also answers on issuers' verified-pages hosts,
        // which is harmless: it shows nothing of Signet's app.
        .merge(
            Router::new()
                .route("/ocsp", post(revocation::ocsp_post).layer(DefaultBodyLimit::max(OCSP_BODY_LIMIT)))
                .route("/ocsp/{*request}", get(revocation::ocsp_get))
                .with_state(web),
        )
}

/// The headers every response carries (unless its handler set its own).
const SECURITY_HEADERS: [(header::HeaderName, &str); 3] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    // Links with tokens (reset, invitation) must not leak to other sites through the Referer header.
    (header::REFERRER_POLICY, "same-origin"),
    (header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"),
];

/// The security headers, for the handlers outside the router's layers.
pub fn security_headers(headers: &mut HeaderMap) {
    for (name, value) in SECURITY_HEADERS {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
}

/// Certificate downloads from the order page, with the page's authorisation (staff or the client's customers).
async fn certificate_download(
    State(web): State<Web>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((id, format)): Path<(String, String)>,
) -> Response {
    let ip = client_ip(&headers, Some(peer.ip()), web.app.settings().trusted_proxies);
    let Some(format) = app::services::ca::Format::parse(&format) else {
        return (StatusCode::NOT_FOUND, "Unknown format.").into_response();
    };
    let result = async {
        let ctx = require_from_headers(web.app.clone(), &headers, ip, Need::OrderDesk).await?;
        let scope = app::api::guard::scope_of(&ctx)?;
        app::services::orders::download(&web.app, &scope, &id, format).await
    }
    .await;
    match result {
        Ok((bytes, file)) => crate::rest::file_response(bytes, &file, format),
        Err(e) => error_response(e),
    }
}

/// A plain-text error for the handlers outside the server functions, with the error's honest status.
pub fn error_response(e: AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match e {
        AppError::Unauthenticated => (status, "Please sign in.".to_string()).into_response(),
        e => (status, e.to_string()).into_response(),
    }
}

/// An issuer's own verified-pages host serves its clients' verified pages (`/{client_path}`) and its logo,
/// and nothing else: not Signet's sign-in page or app, which must not appear under a host the issuer controls.
async fn verified_host_only(State(web): State<Web>, request: Request, next: Next) -> Response {
    let Some(host) = visitor::foreign_host(&web, request.headers()) else {
        return next.run(request).await;
    };
    match app::services::seal_pages::is_verified_host(&web.app, &host).await {
        Ok(true) => {}
        // Another name for Signet itself (an address of this machine, say): served as usual.
        Ok(false) => return next.run(request).await,
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
    let path = request.uri().path();
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    if path.starts_with("/_app/logo/") {
        return next.run(request).await;
    }
    let client_path = path.trim_start_matches('/').to_string();
    visitor::verified_page(&web, app::services::seal_pages::IssuerBy::Host(&host), &client_path).await
}

/// Server functions answer every error with 500 and the error as JSON; this gives each its honest status (422
/// refused input, 403 no right, 404 not found, 409 conflict, 401 not signed in), the body unchanged, so pages
/// show the same message. A real 500 is a bug: it is logged with a request id, which the page shows, and every
/// log line of that request carries the same id.
async fn server_fn_status(request: Request, next: Next) -> Response {
    use tracing::Instrument;
    if !request.uri().path().starts_with(app::api::PREFIX) {
        return next.run(request).await;
    }
    let request_id = app::services::secrets::random_token().chars().take(12).collect::<String>();
    let path = request.uri().path().to_string();
    let response = next.run(request).instrument(tracing::info_span!("request", id = %request_id)).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Error bodies are a few hundred bytes; anything larger is not one of ours and stays a 500.
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let error: Option<AppError> = serde_json::from_slice(&bytes).ok();
    let body = match error {
        Some(AppError::Internal) | None => {
            tracing::error!(request = %request_id, path, "server function failed (the cause is logged above)");
            serde_json::to_vec(&AppError::InternalLogged(request_id)).unwrap_or_default().into()
        }
        Some(e) => {
            parts.status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            bytes
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

/// CSRF defence: a state-changing request must come from our own pages. Browsers say where a request
/// comes from in `Sec-Fetch-Site` and `Origin`; a request without either is not from a browser page
/// (curl, a script with an API key) and cannot carry a victim's cookie by accident.
/// The REST API is exempt: it authenticates with bearer keys, never cookies, so a cross-site request cannot
/// carry a victim's authority there.
async fn check_origin(request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || request.uri().path().starts_with("/api/v1/")
        // ACME requests are signed JWS, sent by machines; no cookie makes them count.
        || request.uri().path().starts_with("/acme/")
    {
        return next.run(request).await;
    }
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if site != "same-origin" && site != "none" {
            return refuse_cross_site();
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
        let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
        if origin == "null" || origin_host != host {
            return refuse_cross_site();
        }
    }
    next.run(request).await
}

fn refuse_cross_site() -> Response {
    (StatusCode::FORBIDDEN, "This request came from another site and was refused.").into_response()
}

async fn healthz(State(web): State<Web>) -> Response {
    let db_ok = web.app.database_answers().await;
    let body = serde_json::json!({
        "status": if db_ok { "ok" } else { "degraded" },
        "version": env!("CARGO_PKG_VERSION"),
        "db": if db_ok { "ok" } else { "unavailable" },
    });
    let status = if db_ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

/// Issuer logos are public: they appear on clients' verified pages.
async fn logo(State(web): State<Web>, Path(issuer): Path<String>) -> Response {
    match issuers::logo(&web.app, &IssuerId::new(&issuer)).await {
        Ok((content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=300".to_string()),
                (header::CONTENT_SECURITY_POLICY, "default-src 'none'".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The audit log as CSV, with the filters of the audit page. Same authorisation as the page.
async fn audit_csv(
    State(web): State<Web>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(filter): Query<AuditFilter>,
) -> Response {
    let ip = client_ip(&headers, Some(peer.ip()), web.app.settings().trusted_proxies);
    let export = async {
        let ctx = require_from_headers(web.app.clone(), &headers, ip, Need::Signed).await?;
        let scope = app::api::admin::audit_scope(&ctx).await?;
        audit::export(&web.app, scope, &filter).await
    }
    .await;
    csv_response(&web.app, export, "signet-audit.csv").await
}

/// The certificate list as CSV, with the filters of the list page. Same authorisation as the page.
async fn seals_csv(
    State(web): State<Web>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(filter): Query<SealFilter>,
) -> Response {
    let ip = client_ip(&headers, Some(peer.ip()), web.app.settings().trusted_proxies);
    let export = async {
        let ctx = require_from_headers(web.app.clone(), &headers, ip, Need::IssuerMember).await?;
        seals::export(&web.app, &ctx.issuer_id()?, &filter)
    }
    .await;
    csv_response(&web.app, export, "signet-seals.csv").await
}

/// A seal's printable certificate (PDF), as the e-mail attaches it. Same authorisation as the seal's page.
async fn seal_certificate_pdf(
    State(web): State<Web>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let ip = client_ip(&headers, Some(peer.ip()), web.app.settings().trusted_proxies);
    let pdf = async {
        let ctx = require_from_headers(web.app.clone(), &headers, ip, Need::IssuerMember).await?;
        app::services::seal_mail::certificate_pdf(&web.app, &ctx.issuer_id()?, &id).await
    }
    .await;
    match pdf {
        Ok((file_name, bytes)) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_string()),
                (header::CONTENT_DISPOSITION, format!("inline; filename=\"{file_name}\"")),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => error_response(e),
    }
}

/// Streams an export chunk by chunk. The first chunk is read before answering, so that a failure there still
/// gets an honest status; a failure later cuts the download short (and is logged), since the status is sent.
pub async fn csv_response(state: &AppState, export: Result<impl CsvExport, AppError>, file_name: &str) -> Response {
    let first = match export {
        Ok(export) => export.chunk(state, 0).await.map(|first| (export, first.unwrap_or_default())),
        Err(e) => Err(e),
    };
    let (export, first) = match first {
        Ok(ok) => ok,
        Err(e) => return error_response(e),
    };
    let state = state.clone();
    let rest = futures_util::stream::unfold(Some(1usize), move |next| {
        let (state, export) = (state.clone(), export.clone());
        async move {
            let n = next?;
            match export.chunk(&state, n).await {
                Ok(Some(chunk)) => Some((Ok(chunk), Some(n + 1))),
                Ok(None) => None,
                Err(e) => {
                    tracing::error!(error = %e, chunk = n, "CSV export cut short");
                    Some((Err(std::io::Error::other("export failed")), None))
                }
            }
        }
    });
    let body = futures_util::stream::once(async move { Ok::<_, std::io::Error>(first) }).chain(rest);
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// Embedded files first; anything else is rendered by the app, whose fallback route answers 404.
async fn fallback(State(web): State<Web>, request: Request<Body>) -> Response {
    let path = request.uri().path().to_string();
    if let Some(mut file) = assets::file(&path) {
        let etag = file.headers().get(header::ETAG).cloned();
        if etag.is_some() && request.headers().get(header::IF_NONE_MATCH) == etag.as_ref() {
            let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
            if let Some(etag) = etag {
                not_modified.headers_mut().insert(header::ETAG, etag);
            }
            return not_modified;
        }
        *file.status_mut() = StatusCode::OK;
        return file;
    }
    let state = web.app.clone();
    let options = web.leptos.clone();
    let handler = leptos_axum::render_app_to_stream_with_context(
        move || provide_context(state.clone()),
        move || app::shell(options.clone()),
    );
    let mut response = handler(request).await.into_response();
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}
