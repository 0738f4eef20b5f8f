//! Certificate orders and their history. Every read of an order names the issuer (and, for customers, the
//! client), so a guessed id from elsewhere finds nothing. Their validations are in `validations`, the writes
//! placing and issuing share in `issued`.

use super::{
    AcmeAccountId, CertificateId, ClientId, DbResult, Issuance, IssuerId, NewAudit, NewDcv, OrderId, ProductId, Store,
    UserId,
};
use crate::model::{OrderParties, OrderStatus};
use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct OrderRow {
    pub id: OrderId,
    pub issuer: IssuerId,
    pub client: ClientId,
    pub client_name: String,
    pub product: ProductId,
    pub product_name: String,
    pub number: String,
    pub validity_days: i64,
    pub names: Vec<String>,
    /// Stored as its name; a name this build does not know fails the read.
    #[surreal(wrap)]
    pub status: OrderStatus,
    /// Stored as an object (migration 0016 converted the JSON strings of older rows).
    #[surreal(wrap)]
    pub parties: OrderParties,
    pub csr_pem: Option<String>,
    pub csr_report: Option<String>,
    pub key_fingerprint: Option<String>,
    pub approved: bool,
    pub approved_by: Option<String>,
    pub reason: Option<String>,
    pub failure: Option<String>,
    pub certificate: Option<CertificateId>,
    pub created_by_email: String,
    pub created_at: DateTime<Utc>,
    /// The ACME account that placed it, for orders placed over ACME.
    pub acme_account: Option<AcmeAccountId>,
    /// More addresses for the expiry reminders.
    pub notify: Option<Vec<String>>,
    /// A reissue's fixed expiry (the original's).
    pub not_after: Option<DateTime<Utc>>,
}

pub(super) const ORDER_FIELDS: &str =
    "id, issuer, client, client.name AS client_name, product, product.name AS product_name, \
     number, validity_days, names, status, parties, csr_pem, csr_report, key_fingerprint, approved, approved_by, \
     reason, failure, certificate, created_by_email, created_at, acme_account, notify, not_after";

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct NewOrder {
    pub issuer: IssuerId,
    pub client: ClientId,
    pub product: ProductId,
    pub number: String,
    pub validity_days: i64,
    pub names: Vec<String>,
    /// Stored as its name; a name this build does not know fails the read.
    #[surreal(wrap)]
    pub status: OrderStatus,
    /// Stored as an object (migration 0016 converted the JSON strings of older rows).
    #[surreal(wrap)]
    pub parties: OrderParties,
    pub csr_pem: Option<String>,
    pub csr_report: Option<String>,
    pub key_fingerprint: Option<String>,
    pub approved: bool,
    pub approved_by: Option<String>,
    pub created_by: Option<UserId>,
    pub created_by_email: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The ACME account that placed the order, if it came over ACME.
    pub acme_account: Option<AcmeAccountId>,
    pub notify: Vec<String>,
    pub not_after: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct EventRow {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    pub detail: String,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct OrderListRow {
    pub id: OrderId,
    pub number: String,
    #[surreal(wrap)]
    pub status: OrderStatus,
    pub client_name: String,
    pub product_name: String,
    pub names: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub created_by_email: String,
}

/// Which orders a caller may see: the issuer's, or one client's for a customer.
#[derive(Debug, Clone)]
pub struct OrderScope {
    pub issuer: IssuerId,
    pub client: Option<ClientId>,
}

impl Store {
    /// An order placed without being issued: the order, its validations, its first history line and the audit
    /// entry, in one transaction.
    pub async fn create_order(
        &self,
        id: &OrderId,
        order: NewOrder,
        dcv: Vec<NewDcv>,
        event: (&str, &str),
        audit: NewAudit,
    ) -> DbResult<()> {
        self.db
            .query(
                "BEGIN;
                 CREATE $id CONTENT $order;
                 FOR $d IN $dcv { CREATE dcv CONTENT $d; };
                 CREATE order_event CONTENT { cert_order: $id, at: $order.created_at, actor: $actor, kind: $kind,
                     detail: $detail };
                 CREATE audit CONTENT $audit;
                 COMMIT;",
            )
            .bind(("id", id.clone()))
            .bind(("audit", audit))
            .bind(("order", order))
            .bind(("dcv", dcv))
            .bind(("actor", event.0.to_string()))
            .bind(("kind", "created"))
            .bind(("detail", event.1.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn order(&self, scope: &OrderScope, id: &OrderId) -> DbResult<Option<OrderRow>> {
        let rows: Vec<OrderRow> = self
            .db
            .query(format!(
                "SELECT {ORDER_FIELDS} FROM $id WHERE issuer = $issuer AND ($client = NONE OR client = $client)"
            ))
            .bind(("id", id.record()))
            .bind(("issuer", scope.issuer.record()))
            .bind(("client", scope.client.as_ref().map(|c| c.record())))
            .await?
            .take(0)?;
        Ok(rows.into_iter().next())
    }

    /// An order by id whatever its issuer: only for flows that reached it through a secret token.
    pub async fn order_by_id_any(&self, id: &OrderId) -> DbResult<Option<OrderRow>> {
        let rows: Vec<OrderRow> =
            self.db.query(format!("SELECT {ORDER_FIELDS} FROM $id")).bind(("id", id.clone())).await?.take(0)?;
        Ok(rows.into_iter().next())
    }

    /// Stores the certificate and marks the order issued, in one transaction with the history line, the audit
    /// entry and the e-mail; false if the order no longer awaited validation (issued by a concurrent check).
    pub async fn issue_order(&self, order: &OrderId, issuance: Issuance) -> DbResult<bool> {
        let result = bind_issuance(self.db.query(format!("BEGIN; {ISSUE_STATEMENTS} COMMIT;")), issuance)
            .bind(("o", order.clone()))
            .await?
            .check();
        match result {
            Ok(_) => Ok(true),
            Err(e) if e.to_string().contains("signet:not-awaiting") => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub async fn orders(
        &self,
        scope: &OrderScope,
        status: Option<&str>,
        offset: usize,
        limit: usize,
    ) -> DbResult<(Vec<OrderListRow>, usize)> {
        let source = if scope.client.is_some() {
            "(SELECT * FROM cert_order WHERE client = $client) WHERE issuer = $issuer"
        } else {
            "cert_order WHERE issuer = $issuer"
        };
        let mut response = self
            .db
            .query(format!(
                "SELECT id, number, status, client.name AS client_name, product.name AS product_name, names,
                    created_at, created_by_email
                 FROM {source} AND ($status = NONE OR status = $status)
                 ORDER BY created_at DESC LIMIT $limit START $offset;
                 SELECT VALUE count() FROM {source} AND ($status = NONE OR status = $status) GROUP ALL;"
            ))
            .bind(("issuer", scope.issuer.record()))
            .bind(("client", scope.client.as_ref().map(|c| c.record())))
            .bind(("status", status.map(str::to_string)))
            .bind(("limit", limit as i64))
            .bind(("offset", offset as i64))
            .await?;
        let rows: Vec<OrderListRow> = response.take(0)?;
        let total: Option<i64> = response.take(1)?;
        Ok((rows, total.unwrap_or(0) as usize))
    }

    /// Claims an order for issuance; false if it is not awaiting validation or another check is issuing it.
    pub async fn claim_for_issuance(&self, order: &OrderId, now: DateTime<Utc>) -> DbResult<bool> {
        let claimed: Vec<RecordId> = self
            .db
            .query(
                "UPDATE $o SET issuing_since = $now
                 WHERE status = 'awaiting_validation' AND (issuing_since = NONE OR issuing_since < $stale)
                 RETURN VALUE id",
            )
            .bind(("o", order.clone()))
            .bind(("now", now))
            .bind(("stale", now - chrono::Duration::minutes(2)))
            .await?
            .check()?
            .take(0)?;
        Ok(!claimed.is_empty())
    }

    pub async fn release_issuance_claim(&self, order: &OrderId) -> DbResult<()> {
        self.db.query("UPDATE $o SET issuing_since = NONE").bind(("o", order.clone())).await?.check()?;
        Ok(())
    }

    pub async fn add_order_event(
        &self,
        order: &OrderId,
        at: DateTime<Utc>,
        actor: &str,
        kind: &str,
        detail: &str,
    ) -> DbResult<()> {
        self.db
            .query(
                "CREATE order_event CONTENT { cert_order: $o, at: $at, actor: $actor, kind: $kind, detail: $detail }",
            )
            .bind(("o", order.clone()))
            .bind(("at", at))
            .bind(("actor", actor.to_string()))
            .bind(("kind", kind.to_string()))
            .bind(("detail", detail.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    /// Moves an order from one status to another; false if it was no longer in `from` (a concurrent change).
    pub async fn set_order_status(
        &self,
        order: &OrderId,
        from: &[&str],
        to: &str,
        now: DateTime<Utc>,
    ) -> DbResult<bool> {
        let changed: Vec<RecordId> = self
            .db
            .query("UPDATE $o SET status = $to, updated_at = $now WHERE status IN $from RETURN VALUE id")
            .bind(("o", order.clone()))
            .bind(("to", to.to_string()))
            .bind(("from", from.iter().map(|s| s.to_string()).collect::<Vec<_>>()))
            .bind(("now", now))
            .await?
            .check()?
            .take(0)?;
        Ok(!changed.is_empty())
    }

    pub async fn set_order_fields(&self, order: &OrderId, fields: OrderUpdate) -> DbResult<()> {
        self.db
            .query(
                "UPDATE $o SET
                    csr_pem = IF $f.set_csr THEN $f.csr_pem ELSE csr_pem END,
                    csr_report = IF $f.set_csr THEN $f.csr_report ELSE csr_report END,
                    key_fingerprint = IF $f.set_csr THEN $f.key_fingerprint ELSE key_fingerprint END,
                    approved = $f.approved ?? approved,
                    approved_by = $f.approved_by ?? approved_by,
                    reason = $f.reason ?? reason,
                    failure = IF $f.set_failure THEN $f.failure ELSE failure END,
                    certificate = $f.certificate ?? certificate,
                    updated_at = $f.now ?? updated_at",
            )
            .bind(("o", order.clone()))
            .bind(("f", fields))
            .await?
            .check()?;
        Ok(())
    }
}

/// Changes to an order; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct OrderUpdate {
    pub set_csr: bool,
    pub csr_pem: Option<String>,
    pub csr_report: Option<String>,
    pub key_fingerprint: Option<String>,
    pub approved: Option<bool>,
    pub approved_by: Option<String>,
    pub reason: Option<String>,
    pub set_failure: bool,
    pub failure: Option<String>,
    pub certificate: Option<CertificateId>,
    pub now: Option<DateTime<Utc>>,
}

/// What issuing writes for order `$o` awaiting validation, inside a transaction: the order issued, the
/// certificate, the history line, the audit entry and the e-mail (bound by `bind_issuance`). Throws
/// `signet:not-awaiting` if the order no longer awaits validation.
pub(super) const ISSUE_STATEMENTS: &str = "
    LET $moved = UPDATE $o SET status = 'issued', updated_at = $cert.created_at, failure = NONE,
        issuing_since = NONE WHERE status = 'awaiting_validation' RETURN VALUE id;
    IF array::len($moved) = 0 { THROW 'signet:not-awaiting' };
    LET $c = CREATE ONLY certificate CONTENT $cert;
    UPDATE $o SET certificate = $c.id;
    CREATE order_event CONTENT { cert_order: $o, at: $cert.created_at, actor: 'Signet', kind: 'issued',
        detail: $detail };
    CREATE audit CONTENT $audit;
    FOR $m IN $mail { CREATE mail CONTENT $m; };";

/// Binds what `ISSUE_STATEMENTS` write.
pub(super) fn bind_issuance<'r>(
    query: surrealdb::method::Query<'r, surrealdb::engine::any::Any>,
    issuance: Issuance,
) -> surrealdb::method::Query<'r, surrealdb::engine::any::Any> {
    query
        .bind(("cert", issuance.certificate))
        .bind(("detail", issuance.detail))
        .bind(("audit", issuance.audit))
        .bind(("mail", issuance.mail.into_iter().collect::<Vec<_>>()))
}
