//! REST API keys: created and revoked by their holder; the secret is stored only as a hash.

use super::{ApiKeyId, DbResult, IssuerId, Store, UserId};
use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct ApiKeyRow {
    pub id: ApiKeyId,
    pub user: UserId,
    pub issuer: IssuerId,
    pub issuer_name: String,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

const API_KEY_FIELDS: &str =
    "id, user, issuer, issuer.name AS issuer_name, name, prefix, created_at, last_used_at, revoked_at";

impl Store {
    pub async fn create_api_key(
        &self,
        user: &UserId,
        issuer: &IssuerId,
        name: &str,
        prefix: &str,
        secret_hash: &str,
        now: DateTime<Utc>,
    ) -> DbResult<()> {
        self.db
            .query(
                "CREATE api_key CONTENT { user: $user, issuer: $issuer, name: $name, prefix: $prefix,
                    secret_hash: $hash, created_at: $now }",
            )
            .bind(("user", user.record()))
            .bind(("issuer", issuer.record()))
            .bind(("name", name.to_string()))
            .bind(("prefix", prefix.to_string()))
            .bind(("hash", secret_hash.to_string()))
            .bind(("now", now))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn api_keys_of_user(&self, user: &UserId) -> DbResult<Vec<ApiKeyRow>> {
        self.db
            .query(format!("SELECT {API_KEY_FIELDS} FROM api_key WHERE user = $user ORDER BY created_at DESC"))
            .bind(("user", user.record()))
            .await?
            .take(0)
    }

    pub async fn revoke_api_key(&self, user: &UserId, id: &ApiKeyId, now: DateTime<Utc>) -> DbResult<bool> {
        let changed: Vec<RecordId> = self
            .db
            .query("UPDATE $id SET revoked_at = $now WHERE user = $user AND revoked_at = NONE RETURN VALUE id")
            .bind(("id", id.record()))
            .bind(("user", user.record()))
            .bind(("now", now))
            .await?
            .check()?
            .take(0)?;
        self.forget_key_holders();
        Ok(!changed.is_empty())
    }

    pub async fn touch_api_key(&self, id: &ApiKeyId, now: DateTime<Utc>) -> DbResult<()> {
        self.db
            .query("UPDATE $id SET last_used_at = $now")
            .bind(("id", id.clone()))
            .bind(("now", now))
            .await?
            .check()?;
        self.note_key_used(id, now);
        Ok(())
    }
}
