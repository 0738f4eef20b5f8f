//! Certificates tracked for their expiry. Every query names the issuer, and the client for a customer.

use super::{rid, DbResult, Store};
use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct TrackedRow {
    pub id: RecordId,
    pub common_name: String,
    pub names: Vec<String>,
    pub issued_by: String,
    pub self_signed: bool,
    pub serial: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
}

/// A certificate to keep, as read from its PEM.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct NewTracked {
    pub issuer: RecordId,
    pub client: Option<RecordId>,
    pub common_name: String,
    pub names: Vec<String>,
    pub issued_by: String,
    pub self_signed: bool,
    pub serial: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub pem: String,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
}

const FIELDS: &str =
    "id, common_name, names, issued_by, self_signed, serial, not_before, not_after, added_by, added_at";
/// A customer sees their client's certificates; staff see the issuer's own (no client).
const SCOPE: &str = "issuer = $issuer AND client = $client";

impl Store {
    pub async fn add_tracked(&self, cert: NewTracked) -> DbResult<()> {
        self.db.query("CREATE tracked_cert CONTENT $c").bind(("c", cert)).await?.check()?;
        Ok(())
    }

    pub async fn tracked(&self, issuer: &str, client: Option<&str>) -> DbResult<Vec<TrackedRow>> {
        self.db
            .query(format!("SELECT {FIELDS} FROM tracked_cert WHERE {SCOPE} ORDER BY not_after ASC"))
            .bind(("issuer", rid("issuer", issuer)))
            .bind(("client", client.map(|c| rid("client", c))))
            .await?
            .take(0)
    }

    /// Deletes one tracked certificate; false when it is not in the caller's scope.
    pub async fn remove_tracked(&self, issuer: &str, client: Option<&str>, id: &str) -> DbResult<bool> {
        let gone: Vec<TrackedRow> = self
            .db
            .query(format!("SELECT {FIELDS} FROM (DELETE tracked_cert WHERE id = $id AND {SCOPE} RETURN BEFORE)"))
            .bind(("id", rid("tracked_cert", id)))
            .bind(("issuer", rid("issuer", issuer)))
            .bind(("client", client.map(|c| rid("client", c))))
            .await?
            .take(0)?;
        Ok(!gone.is_empty())
    }
}
