//! ACME (RFC 8555): the front door machines use to order certificates. Every request is a JWS; this module
//! checks it (URL, nonce, signature, account) and hands the verified request to the part that serves it:
//!
//! - `accounts`: newAccount with its external account binding, account update, deactivation, key rollover;
//! - `orders`: newOrder, orders, authorizations and challenges, finalize, certificate download;
//! - `revoke`: revokeCert, signed by the account or by the certificate's own key;
//! - `renewal`: renewal information (RFC 9773) and `replaces`;
//! - `bindings`: the external account bindings issuer admins create (the portal and REST).
//!
//! An ACME order is an ordinary order of the binding's client (its names' validations, approval mode, the one
//! issuance decision, the inventory, revocation): ACME is another way in, not another CA.

mod accounts;
pub mod bindings;
mod nonce;
mod orders;
pub mod renewal;
mod revoke;

/// The JWS intake and the problem documents are pure protocol (`pki`), so the fuzz target links them alone.
pub use crate::pki::acme_problem as problem;
pub use crate::pki::jws;

impl From<surrealdb::Error> for problem::Problem {
    fn from(e: surrealdb::Error) -> problem::Problem {
        problem::Problem::from(crate::error::AppError::from(e))
    }
}

use super::{Actor, AppState};
use crate::store::{AcmeAccount, AcmeIntake};
use jws::{AccountKey, Jws};
use problem::{AcmeResult, Problem, ProblemType};
use serde_json::{json, Value};

/// The operator's ACME settings: the terms clients agree to, and the limits that keep one client's automation
/// from crowding out the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcmeSettings {
    /// `meta.termsOfService`, if the operator publishes terms.
    pub terms_url: Option<String>,
    /// Orders one account may place in an hour.
    pub orders_per_hour: u32,
    /// Authorizations waiting for a challenge that the accounts of one binding may hold together.
    pub pending_authorizations: u32,
}

impl Default for AcmeSettings {
    fn default() -> AcmeSettings {
        AcmeSettings { terms_url: None, orders_per_hour: 300, pending_authorizations: 1000 }
    }
}

/// The resources below `/acme`, as their URL paths name them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    NewAccount,
    Account(String),
    Orders(String),
    KeyChange,
    NewOrder,
    Order(String),
    Finalize(String),
    Authz(String),
    Challenge(String, String),
    Cert(String),
    RevokeCert,
}

impl Resource {
    /// The resource at `path` (below `/acme/`), if there is one.
    pub fn parse(path: &str) -> Option<Resource> {
        let parts: Vec<&str> = path.split('/').collect();
        let id = |s: &str| (!s.is_empty() && s.len() <= 64).then(|| s.to_string());
        Some(match parts.as_slice() {
            ["new-account"] => Resource::NewAccount,
            ["account", a] => Resource::Account(id(a)?),
            ["account", a, "orders"] => Resource::Orders(id(a)?),
            ["key-change"] => Resource::KeyChange,
            ["new-order"] => Resource::NewOrder,
            ["order", o] => Resource::Order(id(o)?),
            ["order", o, "finalize"] => Resource::Finalize(id(o)?),
            ["authz", a] => Resource::Authz(id(a)?),
            ["challenge", a, kind] => Resource::Challenge(id(a)?, id(kind)?),
            ["cert", c] => Resource::Cert(id(c)?),
            ["revoke-cert"] => Resource::RevokeCert,
            _ => return None,
        })
    }

    fn path(&self) -> String {
        match self {
            Resource::NewAccount => "new-account".into(),
            Resource::Account(a) => format!("account/{a}"),
            Resource::Orders(a) => format!("account/{a}/orders"),
            Resource::KeyChange => "key-change".into(),
            Resource::NewOrder => "new-order".into(),
            Resource::Order(o) => format!("order/{o}"),
            Resource::Finalize(o) => format!("order/{o}/finalize"),
            Resource::Authz(a) => format!("authz/{a}"),
            Resource::Challenge(a, kind) => format!("challenge/{a}/{kind}"),
            Resource::Cert(c) => format!("cert/{c}"),
            Resource::RevokeCert => "revoke-cert".into(),
        }
    }
}

/// An answer to a POST, for the HTTP layer to send (with a fresh nonce and the directory link).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: ReplyBody,
    pub location: Option<String>,
    /// `Link` headers besides the directory's: (URL, relation).
    pub links: Vec<(String, &'static str)>,
    /// Seconds, where the RFC suggests the client wait before polling again.
    pub retry_after: Option<u64>,
}

#[derive(Debug)]
pub enum ReplyBody {
    Json(Value),
    /// A certificate chain, `application/pem-certificate-chain`.
    Pem(String),
    Empty,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply { status, body: ReplyBody::Json(body), location: None, links: Vec::new(), retry_after: None }
    }
    fn at(mut self, location: String) -> Reply {
        self.location = Some(location);
        self
    }
    fn link(mut self, url: String, rel: &'static str) -> Reply {
        self.links.push((url, rel));
        self
    }
}

/// The base of every ACME URL.
pub fn base_url(state: &AppState) -> String {
    format!("{}/acme", state.settings().public_url)
}

fn url(state: &AppState, r: &Resource) -> String {
    format!("{}/{}", base_url(state), r.path())
}

/// The directory (RFC 8555 7.1.1), with the renewal and profile extensions Signet serves.
pub async fn directory(state: &AppState) -> AcmeResult<Value> {
    let base = base_url(state);
    let profiles = orders::profiles(state).await?;
    let mut meta = json!({
        "externalAccountRequired": true,
        "website": state.settings().public_url,
        "profiles": profiles,
    });
    if let Some(terms) = &state.settings().acme.terms_url {
        meta["termsOfService"] = json!(terms);
    }
    Ok(json!({
        "newNonce": format!("{base}/new-nonce"),
        "newAccount": format!("{base}/new-account"),
        "newOrder": format!("{base}/new-order"),
        "revokeCert": format!("{base}/revoke-cert"),
        "keyChange": format!("{base}/key-change"),
        "renewalInfo": format!("{base}/renewal-info"),
        "meta": meta,
    }))
}

/// A fresh nonce, which any instance on the same database accepts once (see `nonce`).
pub fn new_nonce(state: &AppState) -> String {
    nonce::make(state)
}

/// Forgets nonces nobody can use any more; run by the background jobs.
pub async fn prune_nonces(state: &AppState) -> AcmeResult<()> {
    Ok(state.store().prune_acme_nonces(nonce::forgettable_before(state.now())).await?)
}

/// A request whose URL, nonce and signature were checked.
struct Verified {
    jws: Jws,
    /// The signing account, for requests signed by one (`kid`).
    account: Option<AcmeAccount>,
    /// The key that signed, for requests that carried it (`jwk`).
    key: Option<AccountKey>,
    /// The requester's address, for the audit log.
    ip: String,
}

impl Verified {
    fn account(&self) -> AcmeResult<&AcmeAccount> {
        self.account.as_ref().ok_or_else(|| Problem::malformed("This request must be signed by an account (\"kid\")."))
    }
}

/// Serves a POST to `resource` with the JWS `body`, from the address `ip`.
pub async fn post(state: &AppState, resource: Resource, body: &[u8], ip: &str) -> AcmeResult<Reply> {
    let request = verify(state, &resource, body, ip).await?;
    match resource {
        Resource::NewAccount => accounts::new_account(state, &request).await,
        Resource::Account(id) => accounts::update(state, &request, &id).await,
        Resource::Orders(id) => orders::list(state, &request, &id).await,
        Resource::KeyChange => accounts::key_change(state, &request).await,
        Resource::NewOrder => orders::new_order(state, &request).await,
        Resource::Order(id) => orders::order(state, &request, &id).await,
        Resource::Finalize(id) => orders::finalize(state, &request, &id).await,
        Resource::Authz(id) => orders::authorization(state, &request, &id).await,
        Resource::Challenge(id, kind) => orders::challenge(state, &request, &id, &kind).await,
        Resource::Cert(id) => orders::certificate(state, &request, &id).await,
        Resource::RevokeCert => revoke::revoke_cert(state, &request).await,
    }
}

/// The checks every POST passes before anything else (RFC 8555 6.2–6.5): the JWS is well formed and for this
/// URL, the nonce is fresh and unused, and the signature verifies with the named account's key or, where the
/// RFC allows it, the key in the request.
async fn verify(state: &AppState, resource: &Resource, body: &[u8], ip: &str) -> AcmeResult<Verified> {
    let jws = jws::parse(body)?;
    let expected = url(state, resource);
    if jws.protected.url != expected {
        return Err(Problem::new(
            ProblemType::Unauthorized,
            format!("The JWS \"url\" header is {}, but this request went to {expected}.", jws.protected.url),
        ));
    }
    let bad_nonce = || {
        Problem::new(
            ProblemType::BadNonce,
            "The nonce is missing, used already or too old; retry with the one in this answer's Replay-Nonce.",
        )
    };
    let nonce = jws.protected.nonce.as_deref().unwrap_or_default();
    let made_at = nonce::made_at(state, nonce).ok_or_else(bad_nonce)?;
    // The account is read with the nonce's use, in one round trip; only a request signed with `kid` names one.
    let prefix = format!("{}/account/", base_url(state));
    let kid = jws.protected.kid.clone().unwrap_or_default();
    let account_id = kid.strip_prefix(&prefix).filter(|id| !id.is_empty() && !id.contains('/'));
    let account_id = account_id.filter(|_| jws.protected.jwk.is_none());
    let account = match state.store().acme_intake(nonce, made_at, account_id).await? {
        AcmeIntake::NonceUsed => return Err(bad_nonce()),
        AcmeIntake::Fresh(account) => account,
    };
    let ip = ip.to_string();
    if let Some(jwk) = &jws.protected.jwk {
        if !matches!(resource, Resource::NewAccount | Resource::RevokeCert) {
            return Err(Problem::malformed("Only newAccount and revokeCert take a \"jwk\"; sign with \"kid\"."));
        }
        let key = AccountKey::from_jwk(jwk)?;
        jws.verify(&key)?;
        return Ok(Verified { jws, account: None, key: Some(key), ip });
    }
    if *resource == Resource::NewAccount {
        return Err(Problem::malformed("newAccount must carry the account key as \"jwk\"."));
    }
    let Some(account) = account else {
        return Err(Problem::new(ProblemType::AccountDoesNotExist, format!("There is no account {kid}.")));
    };
    let key = serde_json::from_str(&account.jwk).map_err(|_| Problem::from(crate::error::AppError::Internal))?;
    jws.verify(&AccountKey::from_jwk(&key)?)?;
    if account.status != "valid" {
        return Err(Problem::new(ProblemType::Unauthorized, format!("This account is {}.", account.status)));
    }
    if account.binding_revoked {
        return Err(Problem::new(
            ProblemType::Unauthorized,
            "The external account binding of this account was revoked; ask the CA for a new one.",
        ));
    }
    state.store().touch_acme_account(&account, state.now()).await?;
    Ok(Verified { jws, account: Some(account), key: None, ip })
}

/// What a request of this account may do with orders: a customer's rights for the binding's client.
fn scope_of(account: &AcmeAccount, ip: &str) -> super::orders::Scope {
    super::orders::Scope {
        issuer: account.issuer.clone(),
        client: Some(account.client.clone()),
        can_approve: false,
        user_id: None,
        actor: Actor { user_id: None, email: format!("ACME account {}", account.id), ip: ip.to_string() },
    }
}

#[cfg(test)]
mod tests {
    use super::Resource;

    #[test]
    fn every_resource_path_reads_back_as_the_same_resource() {
        let all = [
            Resource::NewAccount,
            Resource::Account("a1".into()),
            Resource::Orders("a1".into()),
            Resource::KeyChange,
            Resource::NewOrder,
            Resource::Order("o1".into()),
            Resource::Finalize("o1".into()),
            Resource::Authz("z1".into()),
            Resource::Challenge("z1".into(), "http-01".into()),
            Resource::Cert("c1".into()),
            Resource::RevokeCert,
        ];
        for r in all {
            assert_eq!(Resource::parse(&r.path()), Some(r.clone()), "{}", r.path());
        }
        for path in ["", "account", "account/", "order/o1/finalize/x", "nonsense", &"x/".repeat(40)] {
            assert_eq!(Resource::parse(path), None, "{path}");
        }
    }
}
