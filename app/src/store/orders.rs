//! Certificate orders, their domain validations and events, and REST API keys. Every read of an order names
//! the issuer (and, for customers, the client), so a guessed id from elsewhere finds nothing.

use super::{rid, AuditRecord, DbResult, NewMail, Store};
use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue, Value};

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct OrderRow {
    pub id: RecordId,
    pub issuer: RecordId,
    pub client: RecordId,
    pub client_name: String,
    pub product: RecordId,
    pub product_name: String,
    pub number: String,
    pub validity_days: i64,
    pub names: Vec<String>,
    pub status: String,
    pub parties: String,
    pub csr_pem: Option<String>,
    pub csr_report: Option<String>,
    pub key_fingerprint: Option<String>,
    pub approved: bool,
    pub approved_by: Option<String>,
    pub reason: Option<String>,
    pub failure: Option<String>,
    pub certificate: Option<RecordId>,
    pub tracking_token: String,
    pub created_by_email: String,
    pub created_at: DateTime<Utc>,
}

pub(super) const ORDER_FIELDS: &str =
    "id, issuer, client, client.name AS client_name, product, product.name AS product_name, \
     number, validity_days, names, status, parties, csr_pem, csr_report, key_fingerprint, approved, approved_by, \
     reason, failure, certificate, tracking_token, created_by_email, created_at";

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct NewOrder {
    pub issuer: RecordId,
    pub client: RecordId,
    pub product: RecordId,
    pub number: String,
    pub validity_days: i64,
    pub names: Vec<String>,
    pub status: String,
    pub parties: String,
    pub csr_pem: Option<String>,
    pub csr_report: Option<String>,
    pub key_fingerprint: Option<String>,
    pub approved: bool,
    pub approved_by: Option<String>,
    pub tracking_token: String,
    pub created_by: Option<RecordId>,
    pub created_by_email: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Everything the transaction of an order issued as it is placed writes.
pub struct IssuedOrder {
    pub id: RecordId,
    pub order: NewOrder,
    pub dcv: Vec<NewDcv>,
    /// Who placed it and the history line ("DV for shop.example, …").
    pub created: (String, String),
    pub audit: AuditRecord,
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
    pub audit: AuditRecord,
    /// The certificate for the technical contact, when there is an address.
    pub mail: Option<NewMail>,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct DcvRow {
    pub id: RecordId,
    pub cert_order: RecordId,
    pub name: String,
    pub method: String,
    pub token: String,
    pub file: String,
    pub status: String,
    pub checks: i64,
    pub last_checked_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub validated_at: Option<DateTime<Utc>>,
    pub reused: bool,
    pub email_to: Option<String>,
    pub email_expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct NewDcv {
    /// Chosen before the write, so that an order issued as it is placed can answer without reading back.
    pub id: RecordId,
    pub cert_order: RecordId,
    pub issuer: RecordId,
    pub client: RecordId,
    pub name: String,
    pub method: String,
    pub token: String,
    pub file: String,
    pub status: String,
    pub validated_at: Option<DateTime<Utc>>,
    pub reused: bool,
    pub email_to: Option<String>,
}

impl DcvRow {
    /// The row as a read returns it right after `NewDcv` was written.
    fn written(d: NewDcv) -> DcvRow {
        DcvRow {
            id: d.id,
            cert_order: d.cert_order,
            name: d.name,
            method: d.method,
            token: d.token,
            file: d.file,
            status: d.status,
            checks: 0,
            last_checked_at: None,
            last_error: None,
            validated_at: d.validated_at,
            reused: d.reused,
            email_to: d.email_to,
            email_expires_at: None,
        }
    }
}

pub(super) const DCV_FIELDS: &str =
    "id, cert_order, name, method, token, file, status, checks, last_checked_at, last_error, \
     validated_at, reused, email_to, email_expires_at";

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
    pub id: RecordId,
    pub number: String,
    pub status: String,
    pub client_name: String,
    pub product_name: String,
    pub names: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub created_by_email: String,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct ApiKeyRow {
    pub id: RecordId,
    pub user: RecordId,
    pub issuer: RecordId,
    pub issuer_name: String,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

const API_KEY_FIELDS: &str =
    "id, user, issuer, issuer.name AS issuer_name, name, prefix, created_at, last_used_at, revoked_at";

/// Which orders a caller may see: the issuer's, or one client's for a customer.
#[derive(Debug, Clone)]
pub struct OrderScope {
    pub issuer: String,
    pub client: Option<String>,
}

impl Store {
    pub async fn create_order(
        &self,
        id: &RecordId,
        order: NewOrder,
        dcv: Vec<NewDcv>,
        event: (&str, &str),
    ) -> DbResult<()> {
        self.db
            .query(
                "BEGIN;
                 CREATE $id CONTENT $order;
                 FOR $d IN $dcv { CREATE dcv CONTENT $d; };
                 CREATE order_event CONTENT { cert_order: $id, at: $order.created_at, actor: $actor, kind: $kind,
                     detail: $detail };
                 COMMIT;",
            )
            .bind(("id", id.clone()))
            .bind(("order", order))
            .bind(("dcv", dcv))
            .bind(("actor", event.0.to_string()))
            .bind(("kind", "created"))
            .bind(("detail", event.1.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn order(&self, scope: &OrderScope, id: &str) -> DbResult<Option<OrderRow>> {
        let rows: Vec<OrderRow> = self
            .db
            .query(format!(
                "SELECT {ORDER_FIELDS} FROM $id WHERE issuer = $issuer AND ($client = NONE OR client = $client)"
            ))
            .bind(("id", rid("cert_order", id)))
            .bind(("issuer", rid("issuer", &scope.issuer)))
            .bind(("client", scope.client.as_deref().map(|c| rid("client", c))))
            .await?
            .take(0)?;
        Ok(rows.into_iter().next())
    }

    /// An order by id whatever its issuer: only for flows that reached it through a secret token.
    pub async fn order_by_id_any(&self, id: &RecordId) -> DbResult<Option<OrderRow>> {
        let rows: Vec<OrderRow> =
            self.db.query(format!("SELECT {ORDER_FIELDS} FROM $id")).bind(("id", id.clone())).await?.take(0)?;
        Ok(rows.into_iter().next())
    }

    /// Stores the certificate and marks the order issued, in one transaction with the history line, the audit
    /// entry and the e-mail; false if the order no longer awaited validation (issued by a concurrent check).
    pub async fn issue_order(&self, order: &RecordId, issuance: Issuance) -> DbResult<bool> {
        let result = self
            .db
            .query(
                "BEGIN;
                 LET $moved = UPDATE $o SET status = 'issued', updated_at = $cert.created_at, failure = NONE,
                    issuing_since = NONE WHERE status = 'awaiting_validation' RETURN VALUE id;
                 IF array::len($moved) = 0 { THROW 'signet:not-awaiting' };
                 LET $c = CREATE ONLY certificate CONTENT $cert;
                 UPDATE $o SET certificate = $c.id;
                 CREATE order_event CONTENT { cert_order: $o, at: $cert.created_at, actor: 'Signet', kind: 'issued',
                    detail: $detail };
                 CREATE audit CONTENT $audit;
                 FOR $m IN $mail { CREATE mail CONTENT $m; };
                 COMMIT;",
            )
            .bind(("o", order.clone()))
            .bind(("cert", issuance.certificate))
            .bind(("detail", issuance.detail))
            .bind(("audit", issuance.audit))
            .bind(("mail", issuance.mail.into_iter().collect::<Vec<_>>()))
            .await?
            .check();
        match result {
            Ok(_) => Ok(true),
            Err(e) if e.to_string().contains("signet:not-awaiting") => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// An order that issues as it is placed (CSR given, every name validated before, no approval): the order, its
    /// validations, its history, the certificate, the audit entries and the e-mail in one transaction, shared
    /// with the orders of concurrent callers (see `batch`). Answers with the order's details as a read would
    /// return them, built from what was written: reading them back inside the transaction cost as much as the
    /// writes.
    pub async fn create_issued_order(&self, placed: IssuedOrder, shown: Shown) -> DbResult<super::OrderDetails> {
        let IssuedOrder { id, order, dcv, created, audit, issuance } = placed;
        // The history lists "issued" after "created" (events sort by time).
        let issued_at = issuance.certificate.created_at + chrono::Duration::milliseconds(1);
        let certificate_id = RecordId::new("certificate", super::new_key());
        let events = vec![
            EventRow { at: order.created_at, actor: created.0, kind: "created".into(), detail: created.1 },
            EventRow { at: issued_at, actor: "Signet".into(), kind: "issued".into(), detail: issuance.detail },
        ];
        let mut rows = IssuedRows::default();
        rows[0].push(row_with(order.clone(), [("id", &id), ("certificate", &certificate_id)]));
        rows[1].extend(dcv.iter().cloned().map(SurrealValue::into_value));
        rows[2].push(row_with(issuance.certificate.clone(), [("id", &certificate_id)]));
        rows[3].extend(events.iter().map(|e| row_with(e.clone(), [("cert_order", &id)])));
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
                tracking_token: order.tracking_token,
                created_by_email: order.created_by_email,
                created_at: order.created_at,
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
            }),
            ca_slug: Some(shown.ca_slug),
            invitations: Vec::new(),
        })
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
            .bind(("issuer", rid("issuer", &scope.issuer)))
            .bind(("client", scope.client.as_deref().map(|c| rid("client", c))))
            .bind(("status", status.map(str::to_string)))
            .bind(("limit", limit as i64))
            .bind(("offset", offset as i64))
            .await?;
        let rows: Vec<OrderListRow> = response.take(0)?;
        let total: Option<i64> = response.take(1)?;
        Ok((rows, total.unwrap_or(0) as usize))
    }

    pub async fn dcvs_of_order(&self, order: &RecordId) -> DbResult<Vec<DcvRow>> {
        self.db
            .query(format!("SELECT {DCV_FIELDS} FROM dcv WHERE cert_order = $o ORDER BY name"))
            .bind(("o", order.clone()))
            .await?
            .take(0)
    }

    /// Claims an order for issuance; false if it is not awaiting validation or another check is issuing it.
    pub async fn claim_for_issuance(&self, order: &RecordId, now: DateTime<Utc>) -> DbResult<bool> {
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

    pub async fn release_issuance_claim(&self, order: &RecordId) -> DbResult<()> {
        self.db.query("UPDATE $o SET issuing_since = NONE").bind(("o", order.clone())).await?.check()?;
        Ok(())
    }

    pub async fn add_order_event(
        &self,
        order: &RecordId,
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
        order: &RecordId,
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

    pub async fn set_order_fields(&self, order: &RecordId, fields: OrderUpdate) -> DbResult<()> {
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

    pub async fn set_dcv_method(&self, dcv: &RecordId, method: &str, email_to: Option<String>) -> DbResult<()> {
        self.db
            .query(
                "UPDATE $d SET method = $method, email_to = $email_to, status = 'pending', last_error = NONE,
                    email_token_hash = NONE, email_expires_at = NONE WHERE status != 'valid'",
            )
            .bind(("d", dcv.clone()))
            .bind(("method", method.to_string()))
            .bind(("email_to", email_to))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn record_dcv_check(
        &self,
        dcv: &RecordId,
        now: DateTime<Utc>,
        outcome: Result<(), String>,
    ) -> DbResult<()> {
        let (status, error) = match outcome {
            Ok(()) => ("valid", None),
            Err(e) => ("pending", Some(e)),
        };
        self.db
            .query(
                "UPDATE $d SET checks += 1, last_checked_at = $now, last_error = $error, status = $status,
                    validated_at = IF $status = 'valid' THEN $now ELSE validated_at END
                 WHERE status != 'valid'",
            )
            .bind(("d", dcv.clone()))
            .bind(("now", now))
            .bind(("status", status))
            .bind(("error", error))
            .await?
            .check()?;
        Ok(())
    }

    #[cfg(test)]
    pub async fn mark_validations_http_for_tests(&self, client: &str) {
        self.db
            .query("UPDATE dcv SET method = 'http' WHERE client = $c")
            .bind(("c", rid("client", client)))
            .await
            .unwrap();
    }

    /// Sends a validation back to pending (it is older than the reuse period allows).
    pub async fn expire_dcv(&self, dcv: &RecordId) -> DbResult<()> {
        self.db
            .query("UPDATE $d SET status = 'pending', validated_at = NONE, reused = false, last_error = $why")
            .bind(("d", dcv.clone()))
            .bind(("why", "The earlier validation is too old to be used; validate again."))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn set_dcv_email_token(&self, dcv: &RecordId, hash: &str, expires: DateTime<Utc>) -> DbResult<()> {
        self.db
            .query("UPDATE $d SET email_token_hash = $hash, email_expires_at = $expires")
            .bind(("d", dcv.clone()))
            .bind(("hash", hash.to_string()))
            .bind(("expires", expires))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn dcv_by_email_token(&self, hash: &str) -> DbResult<Option<DcvRow>> {
        let rows: Vec<DcvRow> = self
            .db
            .query(format!("SELECT {DCV_FIELDS} FROM dcv WHERE email_token_hash = $hash LIMIT 1"))
            .bind(("hash", hash.to_string()))
            .await?
            .take(0)?;
        Ok(rows.into_iter().next())
    }

    /// Pending validations of open orders, oldest check first, for the background re-check.
    pub async fn pending_dcvs(&self, limit: usize) -> DbResult<Vec<(RecordId, RecordId, String)>> {
        #[derive(SurrealValue)]
        #[surreal(crate = "surrealdb::types")]
        struct Pending {
            cert_order: RecordId,
            issuer: RecordId,
            client: RecordId,
        }
        let rows: Vec<Pending> = self
            .db
            .query(
                "SELECT cert_order, issuer, client, last_checked_at FROM dcv
                 WHERE status = 'pending' AND method != 'email'
                    AND cert_order.status IN ['draft', 'pending_approval', 'awaiting_validation']
                 ORDER BY last_checked_at LIMIT $limit",
            )
            .bind(("limit", limit as i64))
            .await?
            .take(0)?;
        Ok(rows.into_iter().map(|p| (p.cert_order, p.issuer, super::key_of(&p.client))).collect())
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
    pub async fn next_order_number(&self, issuer: &str, year: i32) -> DbResult<i64> {
        match self.order_numbers.submit(self, (issuer.to_string(), year), Store::serve_numbers).await {
            Some(answer) => answer,
            None => self.take_numbers(issuer, year, 1).await,
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

    pub async fn create_api_key(
        &self,
        user: &str,
        issuer: &str,
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
            .bind(("user", rid("user", user)))
            .bind(("issuer", rid("issuer", issuer)))
            .bind(("name", name.to_string()))
            .bind(("prefix", prefix.to_string()))
            .bind(("hash", secret_hash.to_string()))
            .bind(("now", now))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn api_keys_of_user(&self, user: &str) -> DbResult<Vec<ApiKeyRow>> {
        self.db
            .query(format!("SELECT {API_KEY_FIELDS} FROM api_key WHERE user = $user ORDER BY created_at DESC"))
            .bind(("user", rid("user", user)))
            .await?
            .take(0)
    }

    pub async fn revoke_api_key(&self, user: &str, id: &str, now: DateTime<Utc>) -> DbResult<bool> {
        let changed: Vec<RecordId> = self
            .db
            .query("UPDATE $id SET revoked_at = $now WHERE user = $user AND revoked_at = NONE RETURN VALUE id")
            .bind(("id", rid("api_key", id)))
            .bind(("user", rid("user", user)))
            .bind(("now", now))
            .await?
            .check()?
            .take(0)?;
        self.forget_key_holders();
        Ok(!changed.is_empty())
    }

    pub async fn touch_api_key(&self, id: &RecordId, now: DateTime<Utc>) -> DbResult<()> {
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
    pub certificate: Option<RecordId>,
    pub now: Option<DateTime<Utc>>,
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
fn row_with<const N: usize>(row: impl SurrealValue, ids: [(&str, &RecordId); N]) -> Value {
    let mut value = row.into_value();
    if let Value::Object(object) = &mut value {
        for (field, id) in ids {
            object.insert(field, id.clone());
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewAudit;

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
        let mut value = entry.into_record().into_value();
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
