//! The authorisation helpers every server function (and every authenticated HTTP handler) starts with.

use crate::error::{AppError, AppResult};
use crate::model::Role;
use crate::services::accounts::{self, Session};
use crate::services::{Actor, AppState};
use http::HeaderMap;
use leptos::prelude::*;
use std::net::{IpAddr, SocketAddr};

/// What a call needs from the person making it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Any signed-in person.
    Signed,
    /// The operator of this Signet instance.
    Operator,
    /// Staff (admin or user) of the issuer selected in the session. Customers are not staff.
    IssuerMember,
    /// Staff, or a customer of the issuer selected in the session (who is then limited to their client).
    OrderDesk,
    /// An admin of the issuer selected in the session.
    IssuerAdmin,
}

/// The caller's identity, checked. `issuer` is set for `IssuerMember` and `IssuerAdmin`.
pub struct Ctx {
    pub state: AppState,
    pub session: Session,
    pub actor: Actor,
    pub issuer: Option<(String, Role)>,
    /// For a customer: the only client they may see. None for staff.
    pub client_scope: Option<String>,
}

impl Ctx {
    /// The issuer of the session. Present whenever the call required an issuer role.
    pub fn issuer_id(&self) -> AppResult<String> {
        self.issuer.as_ref().map(|(id, _)| id.clone()).ok_or(AppError::NotFound)
    }
}

/// A caller who need not be signed in.
pub struct Public {
    pub state: AppState,
    pub ip: String,
    pub user_agent: String,
    pub headers: HeaderMap,
}

pub const SESSION_COOKIE: &str = "signet_session";
/// With https the cookie gets the `__Host-` prefix: Secure, whole-site, and not settable by a subdomain.
pub const SECURE_SESSION_COOKIE: &str = "__Host-signet_session";

pub fn cookie_name(state: &AppState) -> &'static str {
    if state.settings().secure_cookies() {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// For server functions: the request as leptos_axum hands it over.
pub async fn public() -> AppResult<Public> {
    let state = use_context::<AppState>().ok_or(AppError::Internal)?;
    let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
    let peer = parts.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let ip = client_ip(&parts.headers, peer, state.settings().trust_proxy);
    let user_agent =
        parts.headers.get(http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    Ok(Public { state, ip, user_agent, headers: parts.headers })
}

/// For server functions: the signed-in caller, with the role `need` asks for.
pub async fn require(need: Need) -> AppResult<Ctx> {
    let p = public().await?;
    require_from_headers(p.state, &p.headers, p.ip, need).await
}

/// The session of a request, if any. Used by `require` and by plain HTTP handlers such as the CSV export.
pub async fn session_from_headers(state: &AppState, headers: &HeaderMap) -> AppResult<Option<Session>> {
    match session_token(state, headers) {
        Some(token) => accounts::resolve_session(state, &token).await,
        None => Ok(None),
    }
}

pub async fn require_from_headers(state: AppState, headers: &HeaderMap, ip: String, need: Need) -> AppResult<Ctx> {
    let session = session_from_headers(&state, headers).await?.ok_or(AppError::Unauthenticated)?;
    let actor = Actor { user_id: Some(session.user.key()), email: session.user.email.clone(), ip };
    let issuer = match need {
        Need::Signed => None,
        Need::Operator => {
            if !session.user.operator {
                return Err(AppError::NotFound);
            }
            None
        }
        Need::IssuerMember | Need::IssuerAdmin | Need::OrderDesk => {
            let viewer = accounts::viewer(&state, &session).await?;
            let current = viewer.current.ok_or(AppError::NotFound)?;
            let allowed = match need {
                Need::IssuerAdmin => current.role == Role::Admin,
                Need::IssuerMember => current.role != Role::Customer,
                _ => true,
            };
            if !allowed {
                return Err(AppError::NotFound);
            }
            Some((current.id, current.role))
        }
    };
    let client_scope = match &issuer {
        Some((issuer_id, Role::Customer)) => {
            // A customer without a client (removed since) sees nothing.
            Some(state.store().customer_client(&session.user.key(), issuer_id).await?.ok_or(AppError::NotFound)?)
        }
        _ => None,
    };
    Ok(Ctx { state, session, actor, issuer, client_scope })
}

fn session_token(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let name = cookie_name(state);
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// `Set-Cookie` for a new session, or for clearing it (`token: None`).
pub fn session_cookie(state: &AppState, token: Option<&str>) -> String {
    let secure = if state.settings().secure_cookies() { "; Secure" } else { "" };
    let name = cookie_name(state);
    match token {
        Some(t) => format!(
            "{name}={t}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            state.settings().session_max.num_seconds()
        ),
        None => format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}

/// The caller's address: the peer, or the proxy's `X-Forwarded-For` when the proxy is trusted.
pub fn client_ip(headers: &HeaderMap, peer: Option<IpAddr>, trust_proxy: bool) -> String {
    if trust_proxy {
        if let Some(forwarded) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
        {
            return forwarded.to_string();
        }
    }
    peer.map(|p| p.to_string()).unwrap_or_else(|| "unknown".into())
}

/// Sets a response header of the current server function.
pub fn set_header(name: http::HeaderName, value: &str) {
    if let (Some(resp), Ok(value)) = (use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(value))
    {
        resp.append_header(name, value);
    }
}
