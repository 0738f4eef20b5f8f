//! REST API keys: made by a person in their profile, shown once, stored as a SHA-256, limited to the
//! person's issuer and (live) role, revocable.

use crate::store::{ApiKeyId, ClientId, IssuerId, UserId};

use super::{audit, secrets, Actor, AppState};
use crate::error::{AppError, AppResult, Checks};
use crate::model::{validate, ApiKeyInfo, Role};

pub const KEY_PREFIX: &str = "sgk_";

/// Who an API key acts for.
#[derive(Debug, Clone)]
pub struct KeyHolder {
    pub user_id: UserId,
    pub email: String,
    pub issuer: IssuerId,
    pub role: Role,
    pub client: Option<ClientId>,
}

/// Creates a key for the caller in their current issuer; returns the secret, which is never shown again.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    user: &UserId,
    issuer: &IssuerId,
    name: &str,
) -> AppResult<String> {
    Checks::new().check("name", validate::required(name, "name", 80)).finish()?;
    let secret = format!("{KEY_PREFIX}{}", secrets::random_token());
    let prefix: String = secret.chars().take(12).collect();
    state
        .store()
        .create_api_key(user, issuer, name.trim(), &prefix, &secrets::token_hash(&secret), state.now())
        .await?;
    audit::record(state, actor, Some(issuer), "api_key.create", name.trim(), &prefix).await?;
    Ok(secret)
}

pub async fn list(state: &AppState, user: &UserId) -> AppResult<Vec<ApiKeyInfo>> {
    Ok(state
        .store()
        .api_keys_of_user(user)
        .await?
        .into_iter()
        .map(|k| ApiKeyInfo {
            id: k.id.key().to_string(),
            name: k.name,
            prefix: k.prefix,
            issuer_name: k.issuer_name,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
        })
        .collect())
}

pub async fn revoke(state: &AppState, actor: &Actor, user: &UserId, id: &str) -> AppResult<()> {
    if !state.store().revoke_api_key(user, &ApiKeyId::new(id), state.now()).await? {
        return Err(AppError::NotFound);
    }
    audit::record(state, actor, None, "api_key.revoke", id, "").await
}

/// The holder of a bearer key, if the key is live and its person still belongs to the issuer.
pub async fn authenticate(state: &AppState, secret: &str) -> AppResult<KeyHolder> {
    if !secret.starts_with(KEY_PREFIX) || secret.len() > 100 {
        return Err(AppError::Unauthenticated);
    }
    let holder = state.store().api_key_holder(&secrets::token_hash(secret)).await?;
    let (Some(key), Some(member)) = (holder.key, holder.member) else {
        return Err(AppError::Unauthenticated);
    };
    if key.revoked_at.is_some() {
        return Err(AppError::Unauthenticated);
    }
    let role = Role::parse(&member.role).ok_or(AppError::Unauthenticated)?;
    let client = match (role, &member.client) {
        (Role::Customer, Some(c)) => Some(c.clone()),
        (Role::Customer, None) => return Err(AppError::Unauthenticated),
        _ => None,
    };
    let email = key.email.ok_or(AppError::Unauthenticated)?;
    let now = state.now();
    // Written at most once a minute, so that scripts in a loop do not turn every call into a write.
    if key.last_used_at.is_none_or(|t| now - t > chrono::Duration::minutes(1)) {
        state.store().touch_api_key(&key.id, now).await?;
    }
    Ok(KeyHolder { user_id: key.user, email, issuer: key.issuer, role, client })
}
