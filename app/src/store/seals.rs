//! Seal certificates, their history and copy attempts.

use super::{
    retry_conflicts, transaction, CertTypeId, ClientId, DbResult, DomainId, DomainRow, IssuerId, SealId, Store,
};
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct SealRow {
    pub id: SealId,
    pub issuer: IssuerId,
    pub client: ClientId,
    pub client_name: String,
    pub cert_type: CertTypeId,
    pub type_name: String,
    pub level: String,
    pub valid_from: String,
    pub valid_to: String,
    pub invalidated: bool,
    pub created_at: DateTime<Utc>,
    pub domain_rows: Vec<DomainRow>,
}

const SEAL_FIELDS: &str = "id, issuer, client, client.name AS client_name, cert_type, cert_type.name AS type_name, \
     level, valid_from, valid_to, invalidated, created_at, \
     (SELECT id, client, host, description FROM $parent.domains ORDER BY host) AS domain_rows";

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct CopyAttemptRow {
    pub at: DateTime<Utc>,
    pub client: ClientId,
    pub client_name: String,
    pub seal: SealId,
    pub host: String,
    pub page_url: String,
    pub user_agent: String,
}

/// The fields of a new or edited seal certificate.
#[derive(Debug, Clone)]
pub struct SealWrite {
    pub cert_type: CertTypeId,
    pub level: String,
    pub valid_from: String,
    pub valid_to: String,
    pub domains: Vec<DomainId>,
    pub invalidated: bool,
}

/// One entry of a seal certificate's history.
#[derive(Debug, Clone)]
pub struct HistoryWrite {
    pub at: DateTime<Utc>,
    pub actor_email: String,
    pub action: String,
    pub detail: String,
}

/// The certificate list's query. Dates are `YYYY-MM-DD`; `today` and `soon` (today + 30 days) decide states.
#[derive(Debug, Clone, Default)]
pub struct SealQuery {
    pub state: Option<crate::model::SealState>,
    pub cert_type: Option<CertTypeId>,
    pub client_name: Option<String>,
    pub client: Option<ClientId>,
    pub expires_from: Option<String>,
    pub expires_to: Option<String>,
    pub today: String,
    pub soon: String,
    /// One of the fixed orderings of `ORDERINGS`.
    pub order: &'static str,
    pub start: usize,
    pub limit: usize,
}

/// The orderings the list offers; only these fixed strings ever reach the query text. Each ends with the id, so
/// that pages (and export chunks) of equal rows neither repeat nor skip one.
pub const ORDERINGS: [(&str, &str); 6] = [
    ("valid_to", "valid_to ASC, client_name ASC, id ASC"),
    ("-valid_to", "valid_to DESC, client_name ASC, id ASC"),
    ("client", "client_name ASC, valid_to ASC, id ASC"),
    ("type", "type_name ASC, valid_to ASC, id ASC"),
    ("created", "created_at ASC, id ASC"),
    ("-created", "created_at DESC, id ASC"),
];

impl SealQuery {
    /// The WHERE clause: fixed text, with every value bound.
    fn condition(&self) -> &'static str {
        use crate::model::SealState::*;
        match self.state {
            None => "",
            Some(Valid) => "AND valid_from <= $today AND valid_to > $soon",
            Some(Expiring) => "AND valid_from <= $today AND valid_to >= $today AND valid_to <= $soon",
            Some(Upcoming) => "AND valid_from > $today AND valid_to >= $today",
            Some(Expired) => "AND valid_to < $today AND invalidated = false",
            Some(Invalidated) => "AND valid_to < $today AND invalidated = true",
        }
    }
}

impl Store {
    /// Creates a seal certificate under the given key (its public seal id) with its first history entry.
    pub async fn create_seal(
        &self,
        issuer: &IssuerId,
        client: &ClientId,
        key: &SealId,
        s: &SealWrite,
        history: HistoryWrite,
    ) -> DbResult<()> {
        self.db
            .query(
                "BEGIN;
                 CREATE $id SET issuer = $issuer, client = $client, cert_type = $cert_type,
                    level = $level, valid_from = $valid_from, valid_to = $valid_to, domains = $domains,
                    invalidated = false, created_at = $at;
                 CREATE seal_history CONTENT { seal: $id, at: $at, actor_email: $actor, action: $action,
                    valid_from: $valid_from, valid_to: $valid_to, detail: $detail };
                 COMMIT;",
            )
            .bind(("id", key.record()))
            .bind(("issuer", issuer.record()))
            .bind(("client", client.record()))
            .bind(("cert_type", s.cert_type.record()))
            .bind(("level", s.level.clone()))
            .bind(("valid_from", s.valid_from.clone()))
            .bind(("valid_to", s.valid_to.clone()))
            .bind(("domains", s.domains.clone()))
            .bind(("at", history.at))
            .bind(("actor", history.actor_email.clone()))
            .bind(("action", history.action.clone()))
            .bind(("detail", history.detail.clone()))
            .await?
            .check()?;
        Ok(())
    }

    /// One transaction, retried on a write conflict (parallel changes of one seal each land, with their history).
    pub async fn update_seal(
        &self,
        issuer: &IssuerId,
        seal: &SealId,
        s: &SealWrite,
        history: HistoryWrite,
    ) -> DbResult<()> {
        retry_conflicts(|| self.write_seal(issuer, seal, s, &history)).await
    }

    async fn write_seal(
        &self,
        issuer: &IssuerId,
        seal: &SealId,
        s: &SealWrite,
        history: &HistoryWrite,
    ) -> DbResult<()> {
        self.db
            .query(
                "BEGIN;
                 UPDATE $id SET cert_type = $cert_type, level = $level, valid_from = $valid_from,
                    valid_to = $valid_to, domains = $domains, invalidated = $invalidated WHERE issuer = $issuer;
                 CREATE seal_history CONTENT { seal: $id, at: $at, actor_email: $actor, action: $action,
                    valid_from: $valid_from, valid_to: $valid_to, detail: $detail };
                 COMMIT;",
            )
            .bind(("id", seal.record()))
            .bind(("issuer", issuer.record()))
            .bind(("cert_type", s.cert_type.record()))
            .bind(("level", s.level.clone()))
            .bind(("valid_from", s.valid_from.clone()))
            .bind(("valid_to", s.valid_to.clone()))
            .bind(("domains", s.domains.clone()))
            .bind(("invalidated", s.invalidated))
            .bind(("at", history.at))
            .bind(("actor", history.actor_email.clone()))
            .bind(("action", history.action.clone()))
            .bind(("detail", history.detail.clone()))
            .await
            .and_then(transaction)?;
        Ok(())
    }

    pub async fn seal(&self, issuer: &IssuerId, seal: &SealId) -> DbResult<Option<SealRow>> {
        self.db
            .query(format!("SELECT {SEAL_FIELDS} FROM seal WHERE id = $id AND issuer = $issuer LIMIT 1"))
            .bind(("id", seal.record()))
            .bind(("issuer", issuer.record()))
            .await?
            .take(0)
    }

    /// A seal by its public id, whichever issuer it belongs to: for the public seal endpoints only.
    pub async fn seal_by_public_id(&self, seal: &SealId) -> DbResult<Option<SealRow>> {
        self.db.query(format!("SELECT {SEAL_FIELDS} FROM ONLY $id")).bind(("id", seal.record())).await?.take(0)
    }

    pub async fn seals_of_client(&self, issuer: &IssuerId, client: &ClientId) -> DbResult<Vec<SealRow>> {
        self.db
            // By the client index first (see `domains_of_client`), then the issuer check.
            .query(format!(
                "SELECT {SEAL_FIELDS} FROM (SELECT * FROM seal WHERE client = $client) WHERE issuer = $issuer
                 ORDER BY created_at DESC"
            ))
            .bind(("client", client.record()))
            .bind(("issuer", issuer.record()))
            .await?
            .take(0)
    }

    /// A page of the certificate list, and how many match in all.
    pub async fn list_seals(&self, issuer: &IssuerId, q: &SealQuery) -> DbResult<(Vec<SealRow>, usize)> {
        let filter = format!(
            "issuer = $issuer {}
             AND ($cert_type = NONE OR cert_type = $cert_type)
             AND ($client = NONE OR client = $client)
             AND ($client_name = NONE OR string::contains(string::lowercase(client.name), $client_name))
             AND ($expires_from = NONE OR valid_to >= $expires_from)
             AND ($expires_to = NONE OR valid_to <= $expires_to)",
            q.condition()
        );
        let mut response = self
            .db
            .query(format!(
                "SELECT {SEAL_FIELDS} FROM seal WHERE {filter} ORDER BY {} LIMIT $limit START $start;
                 RETURN count(SELECT id FROM seal WHERE {filter});",
                q.order
            ))
            .bind(("issuer", issuer.record()))
            .bind(("cert_type", q.cert_type.clone()))
            .bind(("client", q.client.clone()))
            .bind(("client_name", q.client_name.clone()))
            .bind(("expires_from", q.expires_from.clone()))
            .bind(("expires_to", q.expires_to.clone()))
            .bind(("today", q.today.clone()))
            .bind(("soon", q.soon.clone()))
            .bind(("start", q.start as i64))
            .bind(("limit", q.limit as i64))
            .await?
            .check()?;
        let rows: Vec<SealRow> = response.take(0)?;
        let total: Option<i64> = response.take(1)?;
        Ok((rows, total.unwrap_or(0).max(0) as usize))
    }

    /// When each certificate of the issuer created since `since` was created: the dashboard's chart.
    pub async fn seal_creation_times(&self, issuer: &IssuerId, since: DateTime<Utc>) -> DbResult<Vec<DateTime<Utc>>> {
        self.db
            .query("SELECT VALUE created_at FROM seal WHERE issuer = $issuer AND created_at >= $since")
            .bind(("issuer", issuer.record()))
            .bind(("since", since))
            .await?
            .take(0)
    }

    pub async fn seal_history(&self, seal: &SealId) -> DbResult<Vec<crate::model::SealHistoryEntry>> {
        self.db
            .query(
                "SELECT at, actor_email, action, valid_from, valid_to, detail FROM seal_history
                 WHERE seal = $seal ORDER BY at DESC",
            )
            .bind(("seal", seal.record()))
            .await?
            .take(0)
    }

    /// Records a copy attempt; false when this seal, host and day were recorded already.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_copy_attempt(
        &self,
        issuer: &IssuerId,
        client: &ClientId,
        seal: &SealId,
        host: &str,
        page_url: &str,
        user_agent: &str,
        day: &str,
        at: DateTime<Utc>,
    ) -> DbResult<bool> {
        let result = self
            .db
            .query(
                "CREATE copy_attempt CONTENT { issuer: $issuer, client: $client, seal: $seal, host: $host,
                 page_url: $page_url, user_agent: $user_agent, day: $day, at: $at }",
            )
            .bind(("issuer", issuer.clone()))
            .bind(("client", client.clone()))
            .bind(("seal", seal.clone()))
            .bind(("host", host.to_string()))
            .bind(("page_url", page_url.to_string()))
            .bind(("user_agent", user_agent.to_string()))
            .bind(("day", day.to_string()))
            .bind(("at", at))
            .await?
            .check();
        match result {
            Ok(_) => Ok(true),
            Err(e) if super::is_duplicate(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Copy attempts of an issuer, or of one client of it, newest first.
    pub async fn copy_attempts(
        &self,
        issuer: &IssuerId,
        client: Option<&ClientId>,
        limit: usize,
    ) -> DbResult<Vec<CopyAttemptRow>> {
        self.db
            .query(
                "SELECT at, client, client.name AS client_name, seal, host, page_url, user_agent FROM copy_attempt
                 WHERE issuer = $issuer AND ($client = NONE OR client = $client) ORDER BY at DESC LIMIT $limit",
            )
            .bind(("issuer", issuer.record()))
            .bind(("client", client.map(|c| c.record())))
            .bind(("limit", limit as i64))
            .await?
            .take(0)
    }
}
