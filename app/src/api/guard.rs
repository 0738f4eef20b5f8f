//! The authorisation helpers every server function, REST endpoint and authenticated HTTP handler starts with,
//! and the one place that turns a session or an API key into an order `Scope`.

use crate::error::{AppError, AppResult};
use crate::model::Role;
use crate::services::accounts::{self, Session};
use crate::services::orders::Scope;
use crate::services::{api_keys, Actor, AppState};
use crate::store::{ClientId, IssuerId};
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
    pub issuer: Option<(IssuerId, Role)>,
    /// For a customer: the only client they may see. None for staff.
    pub client_scope: Option<ClientId>,
}

impl Ctx {
    /// The issuer of the session. Present whenever the call required an issuer role.
    pub fn issuer_id(&self) -> AppResult<IssuerId> {
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
    let ip = client_ip(&parts.headers, peer, state.settings().trusted_proxies);
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
    let actor = Actor { user_id: Some(session.user.id.clone()), email: session.user.email.clone(), ip };
    let issuer = match need {
        Need::Signed => None,
        Need::Operator => {
            if !session.user.operator {
                return Err(AppError::Forbidden);
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
                return Err(AppError::Forbidden);
            }
            Some((IssuerId::new(current.id), current.role))
        }
    };
    let client_scope = match &issuer {
        Some((issuer_id, Role::Customer)) => {
            // A customer without a client (removed since) sees nothing.
            Some(accounts::customer_client(&state, &session, issuer_id).await?.ok_or(AppError::NotFound)?)
        }
        _ => None,
    };
    Ok(Ctx { state, session, actor, issuer, client_scope })
}

/// The order scope of a signed-in caller: issuer from the session, client for customers, approval for admins.
pub fn scope_of(ctx: &Ctx) -> AppResult<Scope> {
    let (issuer, role) = ctx.issuer.clone().ok_or(AppError::NotFound)?;
    Ok(Scope {
        issuer,
        client: ctx.client_scope.clone(),
        can_approve: role == Role::Admin,
        user_id: Some(ctx.session.user.id.clone()),
        actor: ctx.actor.clone(),
    })
}

/// The order scope of a REST caller, from the bearer API key: the key holder's issuer and role as they are
/// now, not as when the key was made.
pub async fn api_key_scope(state: &AppState, headers: &HeaderMap, peer: Option<IpAddr>) -> AppResult<Scope> {
    let secret = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or(AppError::Unauthenticated)?;
    let holder = api_keys::authenticate(state, secret).await?;
    let ip = client_ip(headers, peer, state.settings().trusted_proxies);
    Ok(Scope {
        issuer: holder.issuer,
        client: holder.client,
        can_approve: holder.role == Role::Admin,
        user_id: Some(holder.user_id.clone()),
        actor: Actor { user_id: Some(holder.user_id), email: format!("{} (API)", holder.email), ip },
    })
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

/// The caller's address. Behind `trusted_proxies` reverse proxies (0: none), it is the address the first of
/// them saw: each proxy appends the address it was reached from to `X-Forwarded-For`, so the client's own is
/// the `trusted_proxies`-th from the right. Anything left of it was written by the client and proves nothing.
/// Without a usable header the peer's address is used.
pub fn client_ip(headers: &HeaderMap, peer: Option<IpAddr>, trusted_proxies: usize) -> String {
    if trusted_proxies > 0 {
        // Several proxies may each add their own header line instead of appending to one: read them in order.
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|hop| !hop.is_empty())
            .collect();
        // Fewer hops than proxies: the request skipped a proxy, and the left-most hop is the nearest to the client
        // that a trusted proxy wrote.
        let client = hops.len().checked_sub(trusted_proxies).and_then(|i| hops.get(i)).or(hops.first());
        if let Some(ip) = client.and_then(|hop| hop.parse::<IpAddr>().ok()) {
            return ip.to_string();
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

#[cfg(test)]
mod tests {
    use super::client_ip;
    use http::HeaderMap;
    use std::net::IpAddr;

    fn headers(lines: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for line in lines {
            h.append("x-forwarded-for", line.parse().unwrap());
        }
        h
    }

    const PEER: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1)));

    #[test]
    fn a_forged_left_most_address_is_not_taken_for_the_client() {
        // The client sent "X-Forwarded-For: 6.6.6.6"; the one proxy appended the address it saw.
        assert_eq!(client_ip(&headers(&["6.6.6.6, 203.0.113.7"]), PEER, 1), "203.0.113.7");
        // The same with the proxy adding a header line of its own.
        assert_eq!(client_ip(&headers(&["6.6.6.6", "203.0.113.7"]), PEER, 1), "203.0.113.7");
    }

    #[test]
    fn behind_two_proxies_the_client_is_second_from_the_right() {
        let h = headers(&["6.6.6.6, 203.0.113.7, 10.0.0.2"]);
        assert_eq!(client_ip(&h, PEER, 2), "203.0.113.7");
    }

    #[test]
    fn without_trusted_proxies_or_a_usable_header_the_peer_is_the_client() {
        assert_eq!(client_ip(&headers(&["203.0.113.7"]), PEER, 0), "10.0.0.1");
        assert_eq!(client_ip(&headers(&["not an address"]), PEER, 1), "10.0.0.1");
        assert_eq!(client_ip(&HeaderMap::new(), PEER, 1), "10.0.0.1");
        assert_eq!(client_ip(&HeaderMap::new(), None, 1), "unknown");
    }
}
