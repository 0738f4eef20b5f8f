//! What relying parties fetch to check a certificate, from anywhere and without an account: the CA
//! certificates and CRLs under `/pki/`, and the OCSP responder at `/ocsp` (POST, and GET as the Baseline
//! Requirements ask). Also the inventory's CSV export, which is the staff's view of the same certificates.

use crate::http::{csv_response, error_response, Web};
use app::api::guard::{client_ip, require_from_headers, scope_of, Need};
use app::error::AppError;
use app::model::CertificateFilter;
use app::services::ca::{self, ocsp::OcspReply};
use app::services::certificates;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::Utc;
use std::net::SocketAddr;

const OCSP_RESPONSE: &str = "application/ocsp-response";

/// `/pki/{ca}.crt` (DER certificate) and `/pki/{ca}.crl` (DER CRL), named in every issued certificate.
pub async fn pki_file(State(web): State<Web>, Path(file): Path<String>) -> Response {
    let result = if let Some(slug) = file.strip_suffix(".crt") {
        ca::ca_certificate(&web.app, slug).await.map(|der| (der, "application/pkix-cert", "public, max-age=86400"))
    } else if let Some(slug) = file.strip_suffix(".crl") {
        // A CRL is signed again within seconds of a revocation: caches keep it a minute.
        ca::crl::crl(&web.app, slug).await.map(|der| (der.to_vec(), "application/pkix-crl", "public, max-age=60"))
    } else {
        Err(AppError::NotFound)
    };
    match result {
        Ok((der, content_type, cache)) => {
            ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, cache)], der).into_response()
        }
        Err(AppError::NotFound) => (StatusCode::NOT_FOUND, "No such CA, or no CRL signed for it yet.").into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `POST /ocsp` with an `application/ocsp-request` body. The body limit keeps oversized requests out; they
/// and anything unreadable get OCSP's `malformedRequest`, never an HTTP error.
pub async fn ocsp_post(State(web): State<Web>, headers: HeaderMap, body: Bytes) -> Response {
    let reply = ca::ocsp::respond(&web.app, &body).await;
    ocsp_response(&headers, &reply)
}

/// `GET /ocsp/{base64 of the DER request}`, URL-encoded (RFC 6960 A.1); cacheable by CDNs.
pub async fn ocsp_get(State(web): State<Web>, headers: HeaderMap, Path(encoded): Path<String>) -> Response {
    let text = encoded.trim_start_matches('/');
    let der = base64::engine::general_purpose::STANDARD
        .decode(text)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(text))
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text))
        .unwrap_or_default();
    let reply = ca::ocsp::respond(&web.app, &der).await;
    ocsp_response(&headers, &reply)
}

/// The response with the headers RFC 5019 6.2 describes, and 304 for a cache that has it already. The OCSP
/// routes stay outside the router's layers (they are the hot path of every relying party), so the security
/// headers every response carries are set here.
fn ocsp_response(headers: &HeaderMap, reply: &OcspReply) -> Response {
    let mut response = match reply.validity {
        None => {
            let mut r = Response::new(Body::from(reply.der.clone()));
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Some((_, next_update)) => {
            let fresh = headers.get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == reply.etag.as_bytes());
            let mut r = if fresh {
                StatusCode::NOT_MODIFIED.into_response()
            } else {
                Response::new(Body::from(reply.der.clone()))
            };
            let max_age = (next_update - Utc::now()).num_seconds().clamp(0, 86_400);
            let set = r.headers_mut();
            let mut put = |name: header::HeaderName, value: &str| {
                if let Ok(value) = HeaderValue::from_str(value) {
                    set.insert(name, value);
                }
            };
            put(header::CACHE_CONTROL, &format!("max-age={max_age}, public, no-transform, must-revalidate"));
            put(header::ETAG, &reply.etag);
            put(header::LAST_MODIFIED, &reply.last_modified);
            put(header::EXPIRES, &reply.expires);
            r
        }
    };
    if response.status() == StatusCode::OK {
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(OCSP_RESPONSE));
    }
    crate::http::security_headers(response.headers_mut());
    response
}

/// `/_app/certificates.csv`: the inventory exactly as filtered (staff: the issuer's; customers: their client's).
pub async fn certificates_csv(
    State(web): State<Web>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(filter): Query<CertificateFilter>,
) -> Response {
    let ip = client_ip(&headers, Some(peer.ip()), web.app.settings().trusted_proxies);
    let export = async {
        let ctx = require_from_headers(web.app.clone(), &headers, ip, Need::OrderDesk).await?;
        certificates::export(&web.app, &scope_of(&ctx)?, filter)
    }
    .await;
    match export {
        Err(e) => error_response(e),
        Ok(export) => csv_response(&web.app, Ok(export), "signet-certificates.csv").await,
    }
}
