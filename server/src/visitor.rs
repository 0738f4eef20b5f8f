//! The public trust-seal endpoints of the URL contract: the seal script and its frame, copy reports, secure
//! coded links (`/c/{token}`) and verified pages (`/v/{issuer}/{path}`, or `/{path}` on an issuer's own
//! verified-pages host). No sign-in; each is a thin front door to `app::services::seal_pages`.

use crate::http::Web;
use app::error::{AppError, AppResult};
use app::model::UnsubscribeTarget;
use app::services::newsletters;
use app::services::seal_pages::{self, IssuerBy};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The policy of the visitor pages: their own inline styles and the issuer's logo, nothing else.
const PAGE_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The unsubscribe page posts its form to itself, and nothing else.
const FORM_PAGE_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

fn html(status: StatusCode, body: String, csp: &str, cache: &'static str) -> Response {
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    response
}

fn user_agent(headers: &HeaderMap) -> String {
    headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

/// `GET /seal/{id}.js`
pub async fn seal_script(State(web): State<Web>, Path(file): Path<String>) -> Response {
    let Some(id) = file.strip_suffix(".js") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let seal = match seal_pages::public_seal(&web.app, id).await {
        Ok(seal) => seal,
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    let status = if seal.is_some() { StatusCode::OK } else { StatusCode::NOT_FOUND };
    let body = seal_pages::seal_script(&web.app, seal.as_deref());
    (
        status,
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            // Short enough that an invalidated seal disappears within minutes.
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::HeaderName::from_static("cross-origin-resource-policy"), "cross-origin"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct FrameQuery {
    #[serde(default)]
    style: String,
    #[serde(default)]
    origin: String,
}

/// `GET /seal/{id}/frame?style=…&origin=…`: the seal itself, embeddable only by the certificate's domains.
pub async fn seal_frame(
    State(web): State<Web>,
    Path(id): Path<String>,
    Query(q): Query<FrameQuery>,
    headers: HeaderMap,
) -> Response {
    let state = &web.app;
    let seal = match seal_pages::public_seal(state, &id).await {
        Ok(Some(seal)) => seal,
        Ok(None) => return html(StatusCode::NOT_FOUND, app::seal_html::empty_frame(), "frame-ancestors *", "no-store"),
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    let csp = format!(
        "frame-ancestors {}; default-src 'none'; style-src 'unsafe-inline'",
        seal_pages::frame_ancestors(&seal)
    );
    if !seal.state(state.now().date_naive()).shows() {
        return html(StatusCode::NOT_FOUND, app::seal_html::empty_frame(), &csp, "no-store");
    }
    let allowed = seal_pages::origin_host(&q.origin).is_some_and(|h| seal.allows_host(&h));
    if !allowed {
        // Someone framed the seal directly, or altered the script: the browser refuses the frame anyway (CSP),
        // and the issuer hears of it.
        let page = headers.get(header::REFERER).and_then(|v| v.to_str().ok()).unwrap_or(&q.origin).to_string();
        seal_pages::report_copy(state, &seal.id, &page, &user_agent(&headers));
        return html(StatusCode::OK, app::seal_html::empty_frame(), &csp, "no-store");
    }
    let token = seal_pages::mint_link(state, &seal.id, &q.origin);
    let link = format!("{}/c/{token}", state.settings().public_url);
    let style = seal_pages::style_or_default(&q.style);
    // Reload a minute before the link expires, so a click always carries a live token.
    let refresh = seal_pages::LINK_LIFETIME_SECS - 60;
    html(StatusCode::OK, app::seal_html::seal_frame(&seal, style, &link, refresh), &csp, "no-store")
}

#[derive(Deserialize)]
pub struct SeenQuery {
    #[serde(default)]
    u: String,
}

/// `GET /seal/{id}/seen?u=…`: the script ran on a page that is not one of the certificate's domains.
pub async fn seal_seen(
    State(web): State<Web>,
    Path(id): Path<String>,
    Query(q): Query<SeenQuery>,
    headers: HeaderMap,
) -> Response {
    let page = if q.u.is_empty() {
        headers.get(header::REFERER).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
    } else {
        q.u
    };
    seal_pages::report_copy(&web.app, &id, &page, &user_agent(&headers));
    (StatusCode::NO_CONTENT, [(header::CACHE_CONTROL, "no-store")]).into_response()
}

/// `GET /c/{token}`
pub async fn verification(State(web): State<Web>, Path(token): Path<String>) -> Response {
    match seal_pages::verify_link(&web.app, &token).await {
        Ok(v) => html(StatusCode::OK, app::seal_html::verification_page(&v), PAGE_CSP, "no-store"),
        Err(app::error::AppError::NotFound) => {
            html(StatusCode::NOT_FOUND, app::seal_html::invalid_link_page(), PAGE_CSP, "no-store")
        }
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// `GET /v/{issuer_slug}/{client_path}`
pub async fn verified(State(web): State<Web>, Path((slug, path)): Path<(String, String)>) -> Response {
    verified_page(&web, IssuerBy::Slug(&slug), &path).await
}

pub async fn verified_page(web: &Web, issuer: IssuerBy<'_>, path: &str) -> Response {
    // Rendered pages are kept briefly (cleared on every change), so a popular page costs no database work.
    let key = match issuer {
        IssuerBy::Slug(slug) => format!("slug:{slug}/{}", path.to_ascii_lowercase()),
        IssuerBy::Host(host) => format!("host:{host}/{}", path.to_ascii_lowercase()),
    };
    let runtime = web.app.seal_runtime();
    let body = match runtime.cached_page(&key) {
        Some(body) => body,
        None => match seal_pages::verified_page(&web.app, issuer, path).await {
            Ok(p) => {
                let body = axum::body::Bytes::from(app::seal_html::verified_page(&p));
                runtime.keep_page(key, body.clone());
                body
            }
            Err(app::error::AppError::NotFound) => {
                return html(StatusCode::NOT_FOUND, app::seal_html::not_found_page(), PAGE_CSP, "no-store")
            }
            Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        },
    };
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    response
}

/// The host a request was sent to, without the port, when it is not Signet's own host: a candidate for an
/// issuer's verified-pages host.
pub fn foreign_host(web: &Web, headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok())?;
    let host = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host).trim_end_matches('.').to_ascii_lowercase();
    (!web.app.settings().public_host().eq_ignore_ascii_case(&host) && host.contains('.')).then_some(host)
}

/// `GET /unsubscribe/{token}`: the newsletter link's page; it changes nothing (link checkers open links).
pub async fn unsubscribe_page(State(web): State<Web>, Path(token): Path<String>) -> Response {
    subscription_page(newsletters::unsubscribe_target(&web.app, &token).await, false)
}

/// `POST /unsubscribe/{token}`: RFC 8058 one-click (`List-Unsubscribe=One-Click`, from the mail program or the
/// page's button) unsubscribes; `subscribe=yes` (the page's other button) subscribes again. The signed token is
/// the whole authority, as the RFC wants: no cookie, no session.
pub async fn unsubscribe(State(web): State<Web>, Path(token): Path<String>, body: axum::body::Bytes) -> Response {
    let subscribe = String::from_utf8_lossy(&body).contains("subscribe=yes");
    subscription_page(newsletters::set_subscription(&web.app, &token, subscribe).await, true)
}

fn subscription_page(target: AppResult<UnsubscribeTarget>, changed: bool) -> Response {
    match target {
        Ok(t) => html(StatusCode::OK, app::seal_html::unsubscribe_page(&t, changed), FORM_PAGE_CSP, "no-store"),
        Err(AppError::NotFound) => {
            html(StatusCode::NOT_FOUND, app::seal_html::invalid_unsubscribe_page(), FORM_PAGE_CSP, "no-store")
        }
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}
