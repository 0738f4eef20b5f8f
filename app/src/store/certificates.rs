//! Issued certificates after issuance: the inventory query, revocation, what CRLs and OCSP read, and the
//! newest CRL of each CA.

use super::{rid, CaId, CertificateId, ClientId, DbResult, OrderId, OrderScope, ProductId, Store, UserId};
use crate::model::OrderParties;
use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

/// A certificate as the inventory and the details page read it.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct CertListRow {
    pub id: CertificateId,
    pub serial: String,
    pub names: Vec<String>,
    pub subject: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub client: ClientId,
    pub client_name: Option<String>,
    pub cert_order: OrderId,
    pub order_number: Option<String>,
    pub product_name: Option<String>,
    pub ca: CaId,
    pub ca_slug: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revocation_reason: Option<String>,
    pub revocation_comment: Option<String>,
    pub revoked_by: Option<String>,
    /// What "Common name" sorts by: the first name (DV certificates have an empty subject).
    pub sort_name: String,
    /// A revocation scheduled by a reissue.
    pub revoke_at: Option<DateTime<Utc>>,
}

const LIST_FIELDS: &str = "id, serial, names, subject, array::first(names) ?? subject AS sort_name, not_before, \
     not_after, created_at, client, \
     client.name AS client_name, cert_order, cert_order.number AS order_number, \
     cert_order.product.name AS product_name, ca, ca.slug AS ca_slug, revoked_at, revocation_reason, \
     revocation_comment, revoked_by, revoke_at";

/// The inventory's query; every value is bound, only the fixed texts below reach the query.
#[derive(Debug, Clone, Default)]
pub struct CertQuery {
    /// Lower case; matched against names, the client's name, and exactly against the order number.
    pub text: Option<String>,
    /// Upper-case hex without colons, when the text reads as a serial.
    pub serial: Option<String>,
    pub state: Option<crate::model::CertState>,
    pub product: Option<ProductId>,
    pub ca_slug: Option<String>,
    pub issued_from: Option<DateTime<Utc>>,
    pub issued_before: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
    /// One of `CERT_ORDERINGS`' texts.
    pub order: &'static str,
    pub start: usize,
    pub limit: usize,
}

/// The orderings the inventory offers; each ends with the id so that pages never repeat or skip a row.
pub const CERT_ORDERINGS: [(&str, &str, &str); 5] = [
    ("issued_at", "created_at ASC, id ASC", "created_at DESC, id DESC"),
    ("not_after", "not_after ASC, id ASC", "not_after DESC, id DESC"),
    ("common_name", "sort_name ASC, id ASC", "sort_name DESC, id DESC"),
    ("client", "client_name ASC, created_at DESC, id ASC", "client_name DESC, created_at DESC, id ASC"),
    ("serial", "serial ASC, id ASC", "serial DESC, id DESC"),
];

impl CertQuery {
    fn condition(&self) -> &'static str {
        use crate::model::CertState::*;
        match self.state {
            None => "",
            Some(Valid) => "AND revoked_at = NONE AND not_after > $soon",
            Some(Expiring) => "AND revoked_at = NONE AND not_after > $now AND not_after <= $soon",
            Some(Expired) => "AND revoked_at = NONE AND not_after <= $now",
            Some(Revoked) => "AND revoked_at != NONE",
        }
    }
}

/// What a CRL lists and OCSP answers about one certificate.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct RevokedRow {
    pub serial: String,
    pub revoked_at: DateTime<Utc>,
    pub revocation_reason: Option<String>,
}

/// The status OCSP gives a serial of a CA.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct SerialStatusRow {
    pub not_after: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revocation_reason: Option<String>,
}

/// The newest CRL signed for a CA.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct CrlRow {
    pub number: i64,
    pub der: Option<String>,
    pub der_number: i64,
    pub this_update: Option<DateTime<Utc>>,
    pub next_update: Option<DateTime<Utc>>,
    pub entries: i64,
}

/// What revoking found.
#[derive(Debug)]
pub enum RevokeOutcome {
    Revoked(CertListRow),
    /// Revoked before (the row shows when and why).
    AlreadyRevoked(CertListRow),
    NotFound,
}

impl Store {
    fn scoped_source(scope: &OrderScope) -> &'static str {
        // A customer's certificates are read by the client index, staff's by the issuer index.
        if scope.client.is_some() {
            "(SELECT * FROM certificate WHERE client = $client) WHERE issuer = $issuer"
        } else {
            "certificate WHERE issuer = $issuer"
        }
    }

    /// A page of the inventory, and how many certificates match in all.
    pub async fn list_certificates(&self, scope: &OrderScope, q: &CertQuery) -> DbResult<(Vec<CertListRow>, usize)> {
        let source = Self::scoped_source(scope);
        let filter = format!(
            "{}
             AND ($text = NONE OR $serial = serial OR cert_order.number = $number
                  OR array::any(names, |$n| string::contains($n, $text))
                  OR string::contains(string::lowercase(client.name ?? ''), $text))
             AND ($product = NONE OR cert_order.product = $product)
             AND ($ca = NONE OR ca.slug = $ca)
             AND ($from = NONE OR created_at >= $from)
             AND ($before = NONE OR created_at < $before)",
            q.condition()
        );
        let mut response = self
            .db
            .query(format!(
                "SELECT {LIST_FIELDS} FROM {source} {filter} ORDER BY {} LIMIT $limit START $start;
                 RETURN count(SELECT id FROM {source} {filter});",
                q.order
            ))
            .bind(("issuer", scope.issuer.record()))
            .bind(("client", scope.client.as_ref().map(|c| c.record())))
            .bind(("text", q.text.clone()))
            .bind(("serial", q.serial.clone()))
            .bind(("number", q.text.as_ref().map(|t| t.to_uppercase())))
            .bind(("product", q.product.clone()))
            .bind(("ca", q.ca_slug.clone()))
            .bind(("from", q.issued_from))
            .bind(("before", q.issued_before))
            .bind(("now", q.now))
            .bind(("soon", q.now + chrono::Duration::days(crate::model::CERT_EXPIRING_DAYS)))
            .bind(("start", q.start as i64))
            .bind(("limit", q.limit as i64))
            .await?
            .check()?;
        let rows: Vec<CertListRow> = response.take(0)?;
        let total: Option<i64> = response.take(1)?;
        Ok((rows, total.unwrap_or(0).max(0) as usize))
    }

    /// One certificate the scope may see, with what the inventory shows of it and its DER.
    pub async fn certificate_in_scope(
        &self,
        scope: &OrderScope,
        id: &CertificateId,
    ) -> DbResult<Option<(CertListRow, String)>> {
        let mut response = self
            .db
            .query(format!(
                "LET $c = (SELECT * FROM ONLY $id WHERE issuer = $issuer AND ($client = NONE OR client = $client));
                 SELECT {LIST_FIELDS} FROM ONLY $c.id;
                 RETURN $c.der;"
            ))
            .bind(("id", id.record()))
            .bind(("issuer", scope.issuer.record()))
            .bind(("client", scope.client.as_ref().map(|c| c.record())))
            .await?
            .check()?;
        let row: Option<CertListRow> = response.take(1)?;
        let der: Option<String> = response.take(2)?;
        Ok(row.zip(der))
    }

    /// Revokes a certificate the scope may see, once: a second revocation changes nothing.
    pub async fn revoke_certificate(
        &self,
        scope: &OrderScope,
        id: &CertificateId,
        reason: &str,
        comment: &str,
        by: &str,
        at: DateTime<Utc>,
    ) -> DbResult<RevokeOutcome> {
        let mut response = self
            .db
            .query(format!(
                "LET $c = (SELECT id, revoked_at FROM ONLY $id WHERE issuer = $issuer AND ($client = NONE OR client = $client));
                 LET $changed = IF $c = NONE OR $c.revoked_at != NONE {{ [] }} ELSE {{
                     UPDATE $c.id SET revoked_at = $at, revocation_reason = $reason, revocation_comment = $comment,
                         revoked_by = $by, revoke_at = NONE, revoke_at_reason = NONE
                         WHERE revoked_at = NONE RETURN VALUE id
                 }};
                 RETURN array::len($changed) > 0;
                 SELECT {LIST_FIELDS} FROM ONLY $c.id;"
            ))
            .bind(("id", id.record()))
            .bind(("issuer", scope.issuer.record()))
            .bind(("client", scope.client.as_ref().map(|c| c.record())))
            .bind(("reason", reason.to_string()))
            .bind(("comment", comment.to_string()))
            .bind(("by", by.to_string()))
            .bind(("at", at))
            .await?
            .check()?;
        let changed: Option<bool> = response.take(2)?;
        let row: Option<CertListRow> = response.take(3)?;
        Ok(match (row, changed.unwrap_or(false)) {
            (None, _) => RevokeOutcome::NotFound,
            (Some(row), true) => RevokeOutcome::Revoked(row),
            (Some(row), false) => RevokeOutcome::AlreadyRevoked(row),
        })
    }

    /// The revoked certificates of a CA that have not expired at `now`: what its CRL lists.
    pub async fn revoked_unexpired(&self, ca: &CaId, now: DateTime<Utc>) -> DbResult<Vec<RevokedRow>> {
        self.db
            .query(
                "SELECT serial, revoked_at, revocation_reason FROM certificate
                 WHERE ca = $ca AND revoked_at != NONE AND not_after > $now",
            )
            .bind(("ca", ca.record()))
            .bind(("now", now))
            .await?
            .take(0)
    }

    /// What OCSP says of `serial` (upper-case hex) under CA `ca`; None for a serial the CA never issued.
    pub async fn serial_status(&self, ca: &CaId, serial: &str) -> DbResult<Option<SerialStatusRow>> {
        let rows: Vec<SerialStatusRow> = self
            .db
            .query(
                "SELECT not_after, revoked_at, revocation_reason FROM certificate
                 WHERE ca = $ca AND serial = $serial LIMIT 1",
            )
            .bind(("ca", ca.record()))
            .bind(("serial", serial.to_string()))
            .await?
            .take(0)?;
        Ok(rows.into_iter().next())
    }

    /// The newest CRL of a CA, if one was ever signed.
    pub async fn crl(&self, ca: &CaId) -> DbResult<Option<CrlRow>> {
        self.db
            .query("SELECT number, der, der_number, this_update, next_update, entries FROM ONLY $id")
            .bind(("id", rid("crl", ca.key())))
            .await?
            .take(0)
    }

    /// The CA's next CRL number, taken in one statement so that no two signers share one.
    pub async fn next_crl_number(&self, ca: &CaId) -> DbResult<i64> {
        let numbers: Vec<i64> = self
            .db
            .query(
                "UPSERT $id SET ca = $ca, number = (number ?? 0) + 1, der_number = der_number ?? 0, entries = entries ?? 0
                 RETURN VALUE number",
            )
            .bind(("id", rid("crl", ca.key())))
            .bind(("ca", ca.record()))
            .await?
            .check()?
            .take(0)?;
        numbers.into_iter().next().ok_or_else(|| surrealdb::Error::internal("UPSERT returned nothing".into()))
    }

    /// Stores a signed CRL unless one with a higher number was stored meanwhile; whether it was stored.
    pub async fn store_crl(
        &self,
        ca: &CaId,
        number: i64,
        der: &str,
        this_update: DateTime<Utc>,
        next_update: DateTime<Utc>,
        entries: usize,
    ) -> DbResult<bool> {
        let stored: Vec<RecordId> = self
            .db
            .query(
                "UPDATE $id SET der = $der, der_number = $number, this_update = $signed_at, next_update = $valid_until,
                     entries = $entries
                 WHERE der_number < $number RETURN VALUE id",
            )
            .bind(("id", rid("crl", ca.key())))
            .bind(("der", der.to_string()))
            .bind(("number", number))
            .bind(("signed_at", this_update))
            .bind(("valid_until", next_update))
            .bind(("entries", entries as i64))
            .await?
            .check()?
            .take(0)?;
        Ok(!stored.is_empty())
    }

    /// Marks an issuing CA revoked (once); whether it changed.
    pub async fn revoke_ca(&self, ca: &CaId, reason: &str, at: DateTime<Utc>) -> DbResult<bool> {
        let changed: Vec<RecordId> = self
            .db
            .query(
                "UPDATE $id SET revoked_at = $at, revocation_reason = $reason
                 WHERE revoked_at = NONE AND kind != 'root' RETURN VALUE id",
            )
            .bind(("id", ca.record()))
            .bind(("reason", reason.to_string()))
            .bind(("at", at))
            .await?
            .check()?
            .take(0)?;
        Ok(!changed.is_empty())
    }

    /// The revoked issuing CAs under a root: what the root's ARL lists.
    pub async fn revoked_cas(&self, root: &CaId) -> DbResult<Vec<(String, DateTime<Utc>, Option<String>)>> {
        #[derive(SurrealValue)]
        #[surreal(crate = "surrealdb::types")]
        struct Row {
            cert_der: String,
            revoked_at: DateTime<Utc>,
            revocation_reason: Option<String>,
        }
        let rows: Vec<Row> = self
            .db
            .query(
                "SELECT cert_der, revoked_at, revocation_reason FROM ca
                 WHERE parent = $root AND revoked_at != NONE AND not_after > time::now()",
            )
            .bind(("root", root.record()))
            .await?
            .take(0)?;
        Ok(rows.into_iter().map(|r| (r.cert_der, r.revoked_at, r.revocation_reason)).collect())
    }

    /// The columns a person chose for the certificate inventory.
    pub async fn certificate_columns(&self, user: &UserId) -> DbResult<Option<Vec<String>>> {
        let columns: Option<Option<Vec<String>>> =
            self.db.query("RETURN $id.certificate_columns").bind(("id", user.record())).await?.take(0)?;
        Ok(columns.flatten())
    }

    pub async fn set_certificate_columns(&self, user: &UserId, columns: Vec<String>) -> DbResult<()> {
        self.db
            .query("UPDATE $id SET certificate_columns = $columns")
            .bind(("id", user.record()))
            .bind(("columns", columns))
            .await?
            .check()?;
        Ok(())
    }
}

impl Store {
    /// An order's history, oldest first (the certificate details page shows it).
    pub async fn order_events(&self, order: &OrderId) -> DbResult<Vec<super::EventRow>> {
        self.db
            .query("SELECT at, actor, kind, detail FROM order_event WHERE cert_order = $o ORDER BY at, id")
            .bind(("o", order.clone()))
            .await?
            .take(0)
    }

    /// The order's organisation and contacts, for the revocation e-mail.
    pub async fn order_parties(&self, order: &OrderId) -> DbResult<Option<OrderParties>> {
        #[derive(SurrealValue)]
        #[surreal(crate = "surrealdb::types")]
        struct Row {
            #[surreal(wrap)]
            parties: OrderParties,
        }
        let row: Option<Row> =
            self.db.query("SELECT parties FROM ONLY $o").bind(("o", order.clone())).await?.take(0)?;
        Ok(row.map(|r| r.parties))
    }
}

#[cfg(test)]
impl Store {
    /// `n` revoked certificates of CA `ca` with made-up serials, for the CRL size and time figure.
    pub async fn insert_revoked_for_benchmark(&self, ca: &CaId, n: usize, now: DateTime<Utc>) -> DbResult<()> {
        let template: Vec<super::CertificateRow> = self
            .db
            .query(format!("SELECT {} FROM certificate WHERE ca = $ca LIMIT 1", super::pki::CERT_FIELDS))
            .bind(("ca", ca.record()))
            .await?
            .take(0)?;
        let t = template.into_iter().next().ok_or_else(|| surrealdb::Error::internal("no certificate".into()))?;
        for chunk in (0..n).collect::<Vec<_>>().chunks(5_000) {
            let serials: Vec<String> = chunk.iter().map(|i| format!("7F{i:030X}")).collect();
            self.db
                .query(
                    "FOR $s IN $serials {
                         CREATE certificate CONTENT { serial: $s, issuer: $t.issuer, client: $t.client,
                             cert_order: $t.cert_order, ca: $t.ca, names: $t.names, subject: $t.subject,
                             not_before: $t.not_before, not_after: $t.not_after, der: '', key_fingerprint: '',
                             created_at: $now, revoked_at: $now, revocation_reason: 'keyCompromise' }
                     }",
                )
                .bind(("serials", serials))
                .bind(("t", t.clone()))
                .bind(("now", now))
                .await?
                .check()?;
        }
        Ok(())
    }
}
