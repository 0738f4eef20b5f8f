//! ACME accounts (RFC 8555 7.3): creation under an external account binding, lookup by key, contact update,
//! deactivation and key rollover.

use super::jws::{self, AccountKey};
use super::problem::{AcmeResult, Problem, ProblemType};
use super::{url, AppState, Reply, Resource, Verified};
use crate::services::audit;
use crate::store::{AccountCreated, AcmeAccount, AcmeAccountId, AcmeBindingId, NewAcmeAccount};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewAccount {
    #[serde(default)]
    contact: Option<Vec<String>>,
    #[serde(default)]
    only_return_existing: bool,
    #[serde(default)]
    external_account_binding: Option<Value>,
}

#[derive(Deserialize)]
struct AccountUpdate {
    #[serde(default)]
    contact: Option<Vec<String>>,
    #[serde(default)]
    status: Option<String>,
}

/// The account object (RFC 8555 7.1.2).
fn account_json(state: &AppState, a: &AcmeAccount) -> Value {
    json!({
        "status": a.status,
        "contact": a.contact,
        "orders": url(state, &Resource::Orders(a.id.key().to_string())),
        "externalAccountBinding": {"kid": a.binding},
        "createdAt": a.created_at,
    })
}

fn reply(state: &AppState, status: u16, a: &AcmeAccount) -> Reply {
    Reply::json(status, account_json(state, a)).at(url(state, &Resource::Account(a.id.key().to_string())))
}

/// Contacts are `mailto:` URLs with one plain address each (RFC 8555 7.3).
fn check_contacts(contact: &[String]) -> AcmeResult<Vec<String>> {
    if contact.len() > 5 {
        return Err(Problem::new(ProblemType::InvalidContact, "Give at most 5 contacts."));
    }
    contact
        .iter()
        .map(|c| {
            let address = c.strip_prefix("mailto:").ok_or_else(|| {
                Problem::new(ProblemType::InvalidContact, format!("{c} is not a mailto: URL, the only kind accepted."))
            })?;
            match crate::model::validate::email(address) {
                None if !address.contains([',', '?']) => Ok(format!("mailto:{}", address.trim().to_lowercase())),
                _ => Err(Problem::new(ProblemType::InvalidContact, format!("{address} is not an e-mail address."))),
            }
        })
        .collect()
}

/// newAccount: finds the account of this key, or creates one under the external account binding it carries.
pub(super) async fn new_account(state: &AppState, request: &Verified) -> AcmeResult<Reply> {
    let key = request.key.as_ref().ok_or_else(|| Problem::malformed("newAccount must carry \"jwk\"."))?;
    let input: NewAccount = request.jws.json()?;
    if let Some(existing) = state.store().acme_account_by_thumbprint(&key.thumbprint()).await? {
        return Ok(reply(state, 200, &existing));
    }
    if input.only_return_existing {
        return Err(Problem::new(ProblemType::AccountDoesNotExist, "There is no account with this key."));
    }
    let Some(eab) = input.external_account_binding else {
        return Err(Problem::new(
            ProblemType::ExternalAccountRequired,
            "This CA needs an external account binding: ask your certificate issuer for a key ID and HMAC key \
             (in Signet: ACME → New binding) and give them to your client (certbot: --eab-kid and --eab-hmac-key).",
        ));
    };
    let binding = jws::binding_of(&eab, &request.jws.protected.url, key)?;
    let stored = state.store().acme_binding(&AcmeBindingId::new(&binding.kid)).await?;
    let Some(stored) = stored.filter(|b| b.revoked_at.is_none()) else {
        return Err(Problem::new(
            ProblemType::Unauthorized,
            format!("There is no external account binding {} (or it was revoked).", binding.kid),
        ));
    };
    let hmac_key = state.ca_runtime().open(&bindings_aad(stored.kid.key()), &stored.hmac_sealed)?;
    binding.verify(&hmac_key)?;
    let contact = check_contacts(&input.contact.unwrap_or_default())?;
    let id = crate::store::new_key();
    let created = state
        .store()
        .create_acme_account(NewAcmeAccount {
            id: &AcmeAccountId::new(&id),
            binding: &stored,
            jwk: &key.canonical_jwk(),
            thumbprint: &key.thumbprint(),
            contact: &contact,
            now: state.now(),
        })
        .await?;
    match created {
        AccountCreated::Existing(a) => Ok(reply(state, 200, &a)),
        AccountCreated::New(a) => {
            let actor = super::scope_of(&a, &request.ip).actor;
            let detail = format!("binding {} ({}) for {}", stored.kid, stored.label, stored.client_name);
            audit::record_about(
                state,
                &actor,
                Some(&a.issuer),
                Some(a.client.key()),
                "acme.account",
                a.id.key(),
                &detail,
            )
            .await?;
            Ok(reply(state, 201, &a))
        }
    }
}

/// What the HMAC key of binding `kid` is sealed to: never a CA's id, so neither can stand in for the other.
pub(super) fn bindings_aad(kid: &str) -> String {
    format!("acme_binding:{kid}")
}

/// POST to the account URL: read it (empty payload), change its contacts, or deactivate it.
pub(super) async fn update(state: &AppState, request: &Verified, id: &str) -> AcmeResult<Reply> {
    let account = request.account()?;
    if !account.id.is(id) {
        return Err(Problem::new(ProblemType::Unauthorized, "A request about an account must be signed by it."));
    }
    if request.jws.is_post_as_get() {
        return Ok(reply(state, 200, account));
    }
    let input: AccountUpdate = request.jws.json()?;
    let mut account = account.clone();
    if let Some(contact) = input.contact {
        account.contact = check_contacts(&contact)?;
        state.store().set_acme_account_contact(&AcmeAccountId::new(id), &account.contact).await?;
    }
    match input.status.as_deref() {
        None | Some("valid") => {}
        Some("deactivated") => {
            state.store().deactivate_acme_account(&AcmeAccountId::new(id)).await?;
            account.status = "deactivated".into();
            let actor = super::scope_of(&account, &request.ip).actor;
            audit::record_about(
                state,
                &actor,
                Some(&account.issuer),
                Some(account.client.key()),
                "acme.deactivate",
                id,
                "",
            )
            .await?;
        }
        Some(other) => {
            return Err(Problem::malformed(format!(
                "An account's status can change only to \"deactivated\", not \"{other}\"."
            )))
        }
    }
    Ok(reply(state, 200, &account))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyChange {
    account: String,
    old_key: Value,
}

/// keyChange (RFC 8555 7.3.5): the payload is a JWS by the new key, naming the account and its old key.
pub(super) async fn key_change(state: &AppState, request: &Verified) -> AcmeResult<Reply> {
    let account = request.account()?;
    let inner = jws::parse(&request.jws.payload)
        .map_err(|p| Problem::malformed(format!("The keyChange payload must be a JWS by the new key: {}", p.detail)))?;
    let new_jwk = inner
        .protected
        .jwk
        .as_ref()
        .ok_or_else(|| Problem::malformed("The inner JWS must carry the new key as \"jwk\"."))?;
    if inner.protected.url != request.jws.protected.url {
        return Err(Problem::malformed("The inner JWS must have the same \"url\" as the outer one."));
    }
    if inner.protected.nonce.is_some() {
        return Err(Problem::malformed("The inner JWS of keyChange must not carry a nonce."));
    }
    let new_key = AccountKey::from_jwk(new_jwk)?;
    inner.verify(&new_key)?;
    let change: KeyChange = inner.json()?;
    let account_url = url(state, &Resource::Account(account.id.key().to_string()));
    let old_stored: Value =
        serde_json::from_str(&account.jwk).map_err(|_| Problem::from(crate::error::AppError::Internal))?;
    if change.account != account_url
        || AccountKey::from_jwk(&change.old_key).ok() != AccountKey::from_jwk(&old_stored).ok()
    {
        return Err(Problem::malformed("The inner payload must name this account's URL and its current key."));
    }
    if !state.store().rollover_acme_account_key(&account.id, &new_key.canonical_jwk(), &new_key.thumbprint()).await? {
        return Err(Problem { status: 409, ..Problem::malformed("Another account has this key already.") });
    }
    let actor = super::scope_of(account, &request.ip).actor;
    audit::record_about(
        state,
        &actor,
        Some(&account.issuer),
        Some(account.client.key()),
        "acme.key_change",
        account.id.key(),
        "",
    )
    .await?;
    let updated = state.store().acme_account(&account.id).await?.ok_or_else(|| Problem::not_found("account"))?;
    Ok(reply(state, 200, &updated))
}
