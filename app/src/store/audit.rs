//! The audit log.

use super::{DbResult, IssuerId, Store, UserId};
use crate::model::AuditEntry;
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

/// What is recorded for one change; also written inside larger transactions (an order issued at once).
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct NewAudit {
    pub at: DateTime<Utc>,
    pub actor: Option<UserId>,
    pub actor_email: String,
    pub issuer: Option<IssuerId>,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub ip: String,
    /// What the entry is about (a client's key), for per-client activity.
    pub subject: Option<String>,
}

/// Which entries to list. `issuer: Some(..)` limits to one issuer.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub issuer: Option<IssuerId>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: i64,
    /// Matching entries skipped before the first returned.
    pub start: i64,
}

impl Store {
    pub async fn record_audit(&self, e: NewAudit) -> DbResult<()> {
        self.db.query("CREATE audit CONTENT $a").bind(("a", e)).await?.check()?;
        Ok(())
    }

    pub async fn list_audit(&self, q: AuditQuery) -> DbResult<Vec<AuditEntry>> {
        self.db
            .query(
                "SELECT record::id(id) AS id, at, actor_email, issuer.slug AS issuer, action, target, detail, ip FROM audit
                 WHERE ($issuer = NONE OR issuer = $issuer)
                   AND ($actor = NONE OR string::contains(actor_email, $actor))
                   AND ($action = NONE OR string::contains(action, $action))
                   AND ($from = NONE OR at >= $from)
                   AND ($to = NONE OR at < $to)
                 ORDER BY at DESC, id DESC LIMIT $limit START $start",
            )
            .bind(("issuer", q.issuer))
            .bind(("actor", q.actor.map(|s| s.to_lowercase())))
            .bind(("action", q.action.map(|s| s.to_lowercase())))
            .bind(("from", q.from))
            .bind(("to", q.to))
            .bind(("limit", q.limit))
            .bind(("start", q.start))
            .await?
            .take(0)
    }

    /// The entries about one subject (a client) of an issuer, newest first.
    pub async fn audit_about(&self, issuer: &IssuerId, subject: &str, limit: i64) -> DbResult<Vec<AuditEntry>> {
        self.db
            .query(
                "SELECT record::id(id) AS id, at, actor_email, issuer.slug AS issuer, action, target, detail, ip FROM audit
                 WHERE subject = $subject AND issuer = $issuer ORDER BY at DESC LIMIT $limit",
            )
            .bind(("issuer", issuer.record()))
            .bind(("subject", subject.to_string()))
            .bind(("limit", limit))
            .await?
            .take(0)
    }
}
