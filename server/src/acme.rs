//! The ACME server's HTTP side (RFC 8555) at `/acme`: the directory, nonces, and every POST handed to the ACME
//! service, answered with a fresh nonce, the directory link and problem documents.

use crate::http::Web;
use app::api::guard::client_ip;
use app::services::acme::{self, problem::Problem, Reply, ReplyBody, Resource};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;

/// A JWS with a CSR of 100 names and an RSA-8192 key stays well below this.
const BODY_LIMIT: usize = 64 * 1024;

pub fn router() -> Router<Web> {
    Router::new()
        .route("/acme/directory", get(directory))
        .route("/acme/new-nonce", get(new_nonce).head(new_nonce))
        .route("/acme/renewal-info/{id}", get(renewal_info))
        .route("/acme/{*path}", get(not_get).post(post).layer(DefaultBodyLimit::max(BODY_LIMIT)))
}

async fn directory(State(web): State<Web>) -> Response {
    match acme::directory(&web.app).await {
        Ok(body) => {
            let mut r = (StatusCode::OK, axum::Json(body)).into_response();
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
            r
        }
        Err(p) => problem_response(&web, p),
    }
}

/// Renewal information (RFC 9773): a plain GET, no account.
async fn renewal_info(State(web): State<Web>, Path(id): Path<String>) -> Response {
    match acme::renewal::renewal_info(&web.app, &id).await {
        Ok(body) => {
            let mut r = (StatusCode::OK, axum::Json(body)).into_response();
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(acme::renewal::RETRY_AFTER_SECONDS));
            r
        }
        Err(p) => problem_response(&web, p),
    }
}

/// HEAD answers 200 and GET 204 (RFC 8555 7.2), both with a nonce.
async fn new_nonce(State(web): State<Web>, method: axum::http::Method) -> Response {
    let status = if method == axum::http::Method::HEAD { StatusCode::OK } else { StatusCode::NO_CONTENT };
    let mut r = status.into_response();
    finish(&web, r.headers_mut());
    r
}

async fn not_get(State(web): State<Web>) -> Response {
    let p = Problem {
        status: 405,
        ..Problem::malformed("ACME resources are read with POST-as-GET (RFC 8555 6.3), not GET.")
    };
    problem_response(&web, p)
}

async fn post(
    State(web): State<Web>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(path): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(resource) = Resource::parse(&path) else {
        return problem_response(&web, Problem::not_found("ACME resource"));
    };
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.trim().eq_ignore_ascii_case("application/jose+json") {
        let p = Problem {
            status: 415,
            ..Problem::malformed("ACME requests are sent as Content-Type: application/jose+json (RFC 8555 6.2).")
        };
        return problem_response(&web, p);
    }
    let ip = client_ip(&headers, Some(peer.ip()), web.app.settings().trusted_proxies);
    match acme::post(&web.app, resource, &body, &ip).await {
        Ok(reply) => reply_response(&web, reply),
        Err(p) => problem_response(&web, p),
    }
}

/// Every ACME answer carries a fresh nonce, the directory link and `Cache-Control: no-store`.
fn finish(web: &Web, headers: &mut HeaderMap) {
    if let Ok(v) = HeaderValue::from_str(&acme::new_nonce(&web.app)) {
        headers.insert("replay-nonce", v);
    }
    let index = format!("<{}/directory>;rel=\"index\"", acme::base_url(&web.app));
    if let Ok(v) = HeaderValue::from_str(&index) {
        headers.append(header::LINK, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

fn reply_response(web: &Web, reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let (content_type, body) = match reply.body {
        ReplyBody::Json(v) => ("application/json", Body::from(v.to_string())),
        ReplyBody::Pem(pem) => ("application/pem-certificate-chain", Body::from(pem)),
        ReplyBody::Empty => ("", Body::empty()),
    };
    let mut r = (status, body).into_response();
    let headers = r.headers_mut();
    if !content_type.is_empty() {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    if let Some(v) = reply.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, v);
    }
    for (url, rel) in reply.links {
        if let Ok(v) = HeaderValue::from_str(&format!("<{url}>;rel=\"{rel}\"")) {
            headers.append(header::LINK, v);
        }
    }
    if let Some(seconds) = reply.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    finish(web, headers);
    r
}

fn problem_response(web: &Web, p: Problem) -> Response {
    if p.status >= 500 {
        tracing::error!(detail = %p.detail, "ACME request failed on the server's side");
    }
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST);
    let body = serde_json::to_string(&p).unwrap_or_default();
    let mut r = (status, body).into_response();
    let headers = r.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    if let Some(seconds) = p.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    finish(web, headers);
    r
}
