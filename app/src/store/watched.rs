//! Certificates tracked for their expiry. Every query names the issuer, and the client for a customer.

use super::{ClientId, DbResult, IssuerId, Store, TrackedId};
use crate::model::TrackedCert;
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

/// A certificate to keep, as read from its PEM.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct NewTracked {
    pub issuer: IssuerId,
    pub client: Option<ClientId>,
    pub common_name: String,
    pub names: Vec<String>,
    pub issued_by: String,
    pub self_signed: bool,
    pub serial: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub pem: String,
    /// PEM of each CA certificate handed in with it, nearest first.
    pub chain: Vec<String>,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
}

const FIELDS: &str =
    "record::id(id) AS id, common_name, names, issued_by, self_signed, serial, not_before, not_after, added_by, added_at";
/// A customer sees their client's certificates; staff see the issuer's own (no client).
const SCOPE: &str = "issuer = $issuer AND client = $client";

/// A watched certificate as the inventory and the details page read it.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct WatchedListRow {
    pub id: TrackedId,
    pub common_name: String,
    pub names: Vec<String>,
    pub issued_by: String,
    pub serial: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub client: Option<ClientId>,
    pub client_name: Option<String>,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
    /// What "Common name" sorts by: the first name, as for issued certificates.
    pub sort_name: String,
}

const LIST_FIELDS: &str = "id, common_name, names, issued_by, serial, not_before, not_after, client, \
     client.name AS client_name, added_by, added_at, array::first(names) ?? common_name AS sort_name";
/// The inventory shows staff every watched certificate of the issuer, a customer their client's.
const INVENTORY_SCOPE: &str = "issuer = $issuer AND ($client = NONE OR client = $client)";

/// The orderings of watched certificates that match the inventory's (`CERT_ORDERINGS`).
pub const WATCHED_ORDERINGS: [(&str, &str, &str); 5] = [
    ("issued_at", "added_at ASC, id ASC", "added_at DESC, id DESC"),
    ("not_after", "not_after ASC, id ASC", "not_after DESC, id DESC"),
    ("common_name", "sort_name ASC, id ASC", "sort_name DESC, id DESC"),
    ("client", "client_name ASC, added_at DESC, id ASC", "client_name DESC, added_at DESC, id ASC"),
    ("serial", "serial ASC, id ASC", "serial DESC, id DESC"),
];

impl Store {
    /// Watched certificates for the inventory: the same search and validity filters as issued ones, the
    /// `order` one of `WATCHED_ORDERINGS`' texts; the first `limit` and how many match in all.
    pub async fn list_watched(
        &self,
        issuer: &IssuerId,
        client: Option<&ClientId>,
        q: &super::CertQuery,
        order: &'static str,
    ) -> DbResult<(Vec<WatchedListRow>, usize)> {
        use crate::model::CertState::*;
        let state = match q.state {
            None | Some(Revoked) => "",
            Some(Valid) => "AND not_after > $soon",
            Some(Expiring) => "AND not_after > $now AND not_after <= $soon",
            Some(Expired) => "AND not_after <= $now",
        };
        let filter = format!(
            "{INVENTORY_SCOPE} {state}
             AND ($text = NONE OR $serial = serial OR string::contains(string::lowercase(common_name), $text)
                  OR array::any(names, |$n| string::contains($n, $text))
                  OR string::contains(string::lowercase(client.name ?? ''), $text))
             AND ($from = NONE OR not_before >= $from)
             AND ($before = NONE OR not_before < $before)"
        );
        let mut response = self
            .db
            .query(format!(
                "SELECT {LIST_FIELDS} FROM tracked_cert WHERE {filter} ORDER BY {order} LIMIT $limit;
                 RETURN count(SELECT id FROM tracked_cert WHERE {filter});"
            ))
            .bind(("issuer", issuer.record()))
            .bind(("client", client.map(|c| c.record())))
            .bind(("text", q.text.clone()))
            .bind(("serial", q.serial.clone()))
            .bind(("from", q.issued_from))
            .bind(("before", q.issued_before))
            .bind(("now", q.now))
            .bind(("soon", q.now + chrono::Duration::days(crate::model::CERT_EXPIRING_DAYS)))
            .bind(("limit", (q.start + q.limit) as i64))
            .await?
            .check()?;
        let rows: Vec<WatchedListRow> = response.take(0)?;
        let total: Option<i64> = response.take(1)?;
        Ok((rows, total.unwrap_or(0).max(0) as usize))
    }

    /// One watched certificate in the caller's scope, with its PEM and chain.
    pub async fn watched_in_scope(
        &self,
        issuer: &IssuerId,
        client: Option<&ClientId>,
        id: &TrackedId,
    ) -> DbResult<Option<(WatchedListRow, String, Vec<String>)>> {
        #[derive(SurrealValue)]
        #[surreal(crate = "surrealdb::types")]
        struct Files {
            pem: String,
            chain: Vec<String>,
        }
        let mut response = self
            .db
            .query(format!(
                "SELECT {LIST_FIELDS} FROM $id WHERE {INVENTORY_SCOPE};
                 SELECT pem, chain FROM $id WHERE {INVENTORY_SCOPE};"
            ))
            .bind(("id", id.record()))
            .bind(("issuer", issuer.record()))
            .bind(("client", client.map(|c| c.record())))
            .await?
            .check()?;
        let rows: Vec<WatchedListRow> = response.take(0)?;
        let files: Vec<Files> = response.take(1)?;
        Ok(rows.into_iter().next().zip(files.into_iter().next()).map(|(r, f)| (r, f.pem, f.chain)))
    }

    pub async fn add_tracked(&self, cert: NewTracked) -> DbResult<()> {
        self.db.query("CREATE tracked_cert CONTENT $c").bind(("c", cert)).await?.check()?;
        Ok(())
    }

    pub async fn tracked(&self, issuer: &IssuerId, client: Option<&ClientId>) -> DbResult<Vec<TrackedCert>> {
        self.db
            .query(format!("SELECT {FIELDS} FROM tracked_cert WHERE {SCOPE} ORDER BY not_after ASC"))
            .bind(("issuer", issuer.record()))
            .bind(("client", client.map(|c| c.record())))
            .await?
            .take(0)
    }

    /// Deletes one tracked certificate; false when it is not in the caller's scope.
    pub async fn remove_tracked(&self, issuer: &IssuerId, client: Option<&ClientId>, id: &TrackedId) -> DbResult<bool> {
        let gone: Vec<TrackedCert> = self
            .db
            .query(format!("SELECT {FIELDS} FROM (DELETE tracked_cert WHERE id = $id AND {SCOPE} RETURN BEFORE)"))
            .bind(("id", id.record()))
            .bind(("issuer", issuer.record()))
            .bind(("client", client.map(|c| c.record())))
            .await?
            .take(0)?;
        Ok(!gone.is_empty())
    }
}
