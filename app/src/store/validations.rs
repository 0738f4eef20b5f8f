//! Domain control validations of orders (the `dcv` rows): their methods, checks and e-mailed links.

use super::{ClientId, DbResult, DcvId, IssuerId, OrderId, Store};
use crate::model::{DcvMethod, DcvStatus};
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct DcvRow {
    pub id: DcvId,
    pub cert_order: OrderId,
    pub name: String,
    #[surreal(wrap)]
    pub method: DcvMethod,
    pub token: String,
    pub file: String,
    #[surreal(wrap)]
    pub status: DcvStatus,
    pub checks: i64,
    pub last_checked_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub validated_at: Option<DateTime<Utc>>,
    pub reused: bool,
    pub email_to: Option<String>,
    pub email_expires_at: Option<DateTime<Utc>>,
    /// The ACME challenge that proved it ("http-01", "dns-01"), for an ACME order's validation.
    pub acme_challenge: Option<String>,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct NewDcv {
    /// Chosen before the write, so that an order issued as it is placed can answer without reading back.
    pub id: DcvId,
    pub cert_order: OrderId,
    pub issuer: IssuerId,
    pub client: ClientId,
    pub name: String,
    #[surreal(wrap)]
    pub method: DcvMethod,
    pub token: String,
    pub file: String,
    #[surreal(wrap)]
    pub status: DcvStatus,
    pub validated_at: Option<DateTime<Utc>>,
    pub reused: bool,
    pub email_to: Option<String>,
}

impl DcvRow {
    /// The row as a read returns it right after `NewDcv` was written.
    pub(super) fn written(d: NewDcv) -> DcvRow {
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
            acme_challenge: None,
        }
    }
}

pub(super) const DCV_FIELDS: &str =
    "id, cert_order, name, method, token, file, status, checks, last_checked_at, last_error, \
     validated_at, reused, email_to, email_expires_at, acme_challenge";

impl Store {
    /// One validation, with the key of its order.
    pub async fn dcv(&self, id: &DcvId) -> DbResult<Option<DcvRow>> {
        self.db.query(format!("SELECT {DCV_FIELDS} FROM ONLY $d")).bind(("d", id.record())).await?.take(0)
    }

    pub async fn dcvs_of_order(&self, order: &OrderId) -> DbResult<Vec<DcvRow>> {
        self.db
            .query(format!("SELECT {DCV_FIELDS} FROM dcv WHERE cert_order = $o ORDER BY name"))
            .bind(("o", order.clone()))
            .await?
            .take(0)
    }

    pub async fn set_dcv_method(&self, dcv: &DcvId, method: &str, email_to: Option<String>) -> DbResult<()> {
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

    pub async fn record_dcv_check(&self, dcv: &DcvId, now: DateTime<Utc>, outcome: Result<(), String>) -> DbResult<()> {
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
    pub async fn mark_validations_http_for_tests(&self, client: &ClientId) {
        self.db.query("UPDATE dcv SET method = 'http' WHERE client = $c").bind(("c", client.record())).await.unwrap();
    }

    /// Sends a validation back to pending (it is older than the reuse period allows).
    pub async fn expire_dcv(&self, dcv: &DcvId) -> DbResult<()> {
        self.db
            .query("UPDATE $d SET status = 'pending', validated_at = NONE, reused = false, last_error = $why")
            .bind(("d", dcv.clone()))
            .bind(("why", "The earlier validation is too old to be used; validate again."))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn set_dcv_email_token(&self, dcv: &DcvId, hash: &str, expires: DateTime<Utc>) -> DbResult<()> {
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

    /// Pending validations of open orders, oldest check first, for the background re-check. An ACME order's
    /// validations wait for the client to answer a challenge, so they are not re-checked here.
    pub async fn pending_dcvs(&self, limit: usize) -> DbResult<Vec<(OrderId, IssuerId, String)>> {
        #[derive(SurrealValue)]
        #[surreal(crate = "surrealdb::types")]
        struct Pending {
            cert_order: OrderId,
            issuer: IssuerId,
            client: ClientId,
        }
        let rows: Vec<Pending> = self
            .db
            .query(
                "SELECT cert_order, issuer, client, last_checked_at FROM dcv
                 WHERE status = 'pending' AND method != 'email' AND cert_order.acme_account = NONE
                    AND cert_order.status IN ['draft', 'pending_approval', 'awaiting_validation']
                 ORDER BY last_checked_at LIMIT $limit",
            )
            .bind(("limit", limit as i64))
            .await?
            .take(0)?;
        Ok(rows.into_iter().map(|p| (p.cert_order, p.issuer, p.client.key().to_string())).collect())
    }
}
