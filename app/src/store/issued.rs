//! The writes that orders placed at the same moment share: order numbers taken in batches (`OrderNumbers`) and
//! orders issued as they are placed written in one transaction (`IssuedWrites`); and what issuing writes.

use super::{
    rid, CertificateId, DbResult, DcvRow, EventRow, IssuerId, NewAudit, NewDcv, NewMail, NewOrder, OrderId, OrderRow,
    Store,
};
use surrealdb::types::{RecordId, SurrealValue, Value};

/// Everything the transaction of an order issued as it is placed writes.
pub struct IssuedOrder {
    pub id: OrderId,
    pub order: NewOrder,
    pub dcv: Vec<NewDcv>,
    /// Who placed it and the history line ("DV for shop.example, …").
    pub created: (String, String),
    pub audit: NewAudit,
    pub issuance: Issuance,
}

/// What the answer to an issued order shows besides what it wrote, known from the order's inputs.
pub struct Shown {
    pub product: super::ProductRow,
    pub client_name: String,
    pub ca_slug: String,
}

/// What issuing writes besides the order's new status.
#[derive(Debug, Clone)]
pub struct Issuance {
    pub certificate: super::NewCertificate,
    /// The history line ("serial …, valid until …").
    pub detail: String,
    pub audit: NewAudit,
    /// The certificate for the technical contact, when there is an address.
    pub mail: Option<NewMail>,
}

impl Store {
    /// An order that issues as it is placed (CSR given, every name validated before, no approval): the order, its
    /// validations, its history, the certificate, the audit entries and the e-mail in one transaction, shared
    /// with the orders of concurrent callers (see `batch`). Answers with the order's details as a read would
    /// return them, built from what was written: reading them back inside the transaction cost as much as the
    /// writes.
    pub async fn create_issued_order(&self, placed: IssuedOrder, shown: Shown) -> DbResult<super::OrderDetails> {
        let IssuedOrder { id, order, dcv, created, audit, issuance } = placed;
        // The history lists "issued" after "created" (events sort by time).
        let issued_at = issuance.certificate.created_at + chrono::Duration::milliseconds(1);
        let certificate_id = CertificateId::fresh();
        let events = vec![
            EventRow { at: order.created_at, actor: created.0, kind: "created".into(), detail: created.1 },
            EventRow { at: issued_at, actor: "Signet".into(), kind: "issued".into(), detail: issuance.detail },
        ];
        let mut rows = IssuedRows::default();
        rows[0].push(row_with(order.clone(), [("id", id.record()), ("certificate", certificate_id.record())]));
        rows[1].extend(dcv.iter().cloned().map(SurrealValue::into_value));
        rows[2].push(row_with(issuance.certificate.clone(), [("id", certificate_id.record())]));
        rows[3].extend(events.iter().map(|e| row_with(e.clone(), [("cert_order", id.record())])));
        rows[4].extend([audit.into_value(), issuance.audit.into_value()]);
        rows[5].extend(issuance.mail.map(SurrealValue::into_value));
        self.issued_writes
            .submit(self, rows, Store::write_issued)
            .await
            .unwrap_or_else(|| Err(surrealdb::Error::internal("the shared write of issued orders stopped".into())))?;
        let c = issuance.certificate;
        Ok(super::OrderDetails {
            order: OrderRow {
                id,
                issuer: order.issuer,
                client: order.client,
                client_name: shown.client_name,
                product: order.product,
                product_name: shown.product.name.clone(),
                number: order.number,
                validity_days: order.validity_days,
                names: order.names,
                status: order.status,
                parties: order.parties,
                csr_pem: order.csr_pem,
                csr_report: order.csr_report,
                key_fingerprint: order.key_fingerprint,
                approved: order.approved,
                approved_by: order.approved_by,
                reason: None,
                failure: None,
                certificate: Some(certificate_id.clone()),
                created_by_email: order.created_by_email,
                created_at: order.created_at,
                acme_account: order.acme_account,
                notify: Some(order.notify),
                not_after: order.not_after,
            },
            product: Some(shown.product),
            dcvs: dcv.into_iter().map(DcvRow::written).collect(),
            events,
            certificate: Some(super::CertificateRow {
                id: certificate_id,
                issuer: c.issuer,
                client: c.client,
                cert_order: c.cert_order,
                ca: c.ca,
                serial: c.serial,
                names: c.names,
                subject: c.subject,
                not_before: c.not_before,
                not_after: c.not_after,
                der: c.der,
                revoked_at: None,
                revocation_reason: None,
            }),
            ca_slug: Some(shown.ca_slug),
            invitations: Vec::new(),
        })
    }

    /// Issued orders of concurrent callers in one transaction; if that fails, each in its own, with its own error.
    async fn write_issued(self, group: Vec<IssuedRows>) -> Vec<DbResult<()>> {
        if group.len() > 1 {
            match self.insert_issued(&group).await {
                Ok(()) => return group.iter().map(|_| Ok(())).collect(),
                Err(e) => tracing::debug!(orders = group.len(), error = %e, "a shared write failed; each order alone"),
            }
        }
        let mut answers = Vec::with_capacity(group.len());
        for rows in &group {
            answers.push(self.insert_issued(std::slice::from_ref(rows)).await);
        }
        answers
    }

    async fn insert_issued(&self, group: &[IssuedRows]) -> DbResult<()> {
        let mut tables = IssuedRows::default();
        for rows in group {
            for (all, these) in tables.iter_mut().zip(rows) {
                all.extend(these.iter().cloned());
            }
        }
        let mut sql = String::from("BEGIN;");
        for (i, (table, rows)) in ISSUED_TABLES.iter().zip(&tables).enumerate() {
            if !rows.is_empty() {
                sql.push_str(&format!(" INSERT INTO {table} $rows{i} RETURN NONE;"));
            }
        }
        sql.push_str(" COMMIT;");
        let mut query = self.db.query(sql);
        for (i, rows) in tables.into_iter().enumerate() {
            if !rows.is_empty() {
                query = query.bind((format!("rows{i}"), rows));
            }
        }
        query.await?.check()?;
        Ok(())
    }

    /// The next number of an issuer's order in a year. Concurrent callers in this process are served together:
    /// one counter write per issuer and year for everyone waiting, so that placing many orders at once costs few
    /// writes and no write conflicts; other processes (scale-out) retry.
    pub async fn next_order_number(&self, issuer: &IssuerId, year: i32) -> DbResult<i64> {
        match self.order_numbers.submit(self, (issuer.key().to_string(), year), Store::serve_numbers).await {
            Some(answer) => answer,
            None => self.take_numbers(issuer.key(), year, 1).await,
        }
    }

    /// Numbers for a group of callers, in the order they asked; if a counter write fails, each of its callers
    /// asks alone and gets its own error.
    async fn serve_numbers(self, group: Vec<(String, i32)>) -> Vec<DbResult<i64>> {
        let mut answers: Vec<Option<DbResult<i64>>> = group.iter().map(|_| None).collect();
        for i in 0..group.len() {
            if answers[i].is_some() {
                continue;
            }
            let (issuer, year) = &group[i];
            let callers: Vec<usize> = (i..group.len()).filter(|&j| group[j] == group[i]).collect();
            match self.take_numbers(issuer, *year, callers.len() as i64).await {
                Ok(last) => {
                    let first = last - callers.len() as i64 + 1;
                    for (k, &j) in callers.iter().enumerate() {
                        answers[j] = Some(Ok(first + k as i64));
                    }
                }
                Err(_) => {
                    for &j in &callers {
                        answers[j] = Some(self.take_numbers(issuer, *year, 1).await);
                    }
                }
            }
        }
        answers.into_iter().flatten().collect()
    }

    /// Raises the counter by `count` and returns its new value (the last number taken).
    async fn take_numbers(&self, issuer: &str, year: i32, count: i64) -> DbResult<i64> {
        let mut attempt = 0;
        loop {
            let result: DbResult<Option<i64>> = async {
                self.db
                    .query("UPSERT ONLY type::record('order_counter', [$issuer, $year]) SET n += $count RETURN VALUE n")
                    .bind(("issuer", rid("issuer", issuer)))
                    .bind(("year", i64::from(year)))
                    .bind(("count", count))
                    .await?
                    .check()?
                    .take(0)
            }
            .await;
            match result {
                Ok(n) => return Ok(n.unwrap_or(count)),
                Err(_) if attempt < 8 => {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(2 * attempt)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// Callers waiting for an order number (issuer, year).
pub(super) type OrderNumbers = super::batch::Batcher<(String, i32), DbResult<i64>>;

/// The tables an order issued as it is placed writes to, in the order they are written.
const ISSUED_TABLES: [&str; 6] = ["cert_order", "dcv", "certificate", "order_event", "audit", "mail"];

/// The rows of one issued order, by table as in `ISSUED_TABLES`.
type IssuedRows = [Vec<Value>; 6];

/// Issued orders waiting to be written.
pub(super) type IssuedWrites = super::batch::Batcher<IssuedRows, DbResult<()>>;

/// A row as the database stores it, with record ids chosen before the write (its own, links to rows written with
/// it in the same transaction).
fn row_with<const N: usize>(row: impl SurrealValue, ids: [(&str, RecordId); N]) -> Value {
    let mut value = row.into_value();
    if let Value::Object(object) = &mut value {
        for (field, id) in ids {
            object.insert(field, id);
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewAudit;
    use chrono::Utc;

    /// The rows of an "order" that only writes an audit entry; a broken one has a date the schema refuses.
    fn audit_only(action: &str, broken: bool) -> IssuedRows {
        let entry = NewAudit {
            at: Utc::now(),
            actor: None,
            actor_email: "ana@smib.test".into(),
            issuer: None,
            action: action.into(),
            target: String::new(),
            detail: String::new(),
            ip: "127.0.0.1".into(),
            subject: None,
        };
        let mut value = entry.into_value();
        if let (true, Value::Object(row)) = (broken, &mut value) {
            row.insert("at", "not a date".to_string());
        }
        let mut rows = IssuedRows::default();
        rows[4].push(value);
        rows
    }

    #[tokio::test]
    async fn when_a_shared_write_fails_the_others_are_written_and_only_the_bad_one_fails() {
        let store = Store::in_memory().await;
        let group = vec![audit_only("a", false), audit_only("b", true), audit_only("c", false)];
        let answers = store.clone().write_issued(group).await;
        assert!(answers[0].is_ok() && answers[1].is_err() && answers[2].is_ok(), "{answers:?}");
        let written: Vec<String> =
            store.db.query("SELECT VALUE action FROM audit ORDER BY action").await.unwrap().take(0).unwrap();
        assert_eq!(written, ["a", "c"]);
    }
}
