//! The installation check's records on each certificate: where it is installed, whether Signet watches it, and
//! the last outcome (JSON, written and read by the service as it is).

use super::{CertificateId, DbResult, IssuerId, Store};
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

/// A certificate's check settings and last outcome.
#[derive(Debug, Clone, Default, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct CheckRecord {
    pub check_host: Option<String>,
    pub check_port: Option<i64>,
    pub check_monitor: Option<bool>,
    pub check_last: Option<String>,
}

/// A watched installation due for its next check.
#[derive(Debug, Clone)]
pub struct MonitoredCheck {
    pub id: CertificateId,
    pub issuer: IssuerId,
}

impl Store {
    pub async fn check_record(&self, certificate: &CertificateId) -> DbResult<CheckRecord> {
        let row: Option<CheckRecord> = self
            .db
            .query("SELECT check_host, check_port, check_monitor, check_last FROM ONLY $c")
            .bind(("c", certificate.record()))
            .await?
            .take(0)?;
        Ok(row.unwrap_or_default())
    }

    pub async fn save_check(
        &self,
        certificate: &CertificateId,
        host: &str,
        port: u16,
        monitor: bool,
        last: &str,
        now: DateTime<Utc>,
    ) -> DbResult<()> {
        self.db
            .query(
                "UPDATE $c SET check_host = $host, check_port = $port, check_monitor = $monitor, check_last = $last,
                    check_last_at = $now",
            )
            .bind(("c", certificate.record()))
            .bind(("host", host.to_string()))
            .bind(("port", i64::from(port)))
            .bind(("monitor", monitor))
            .bind(("last", last.to_string()))
            .bind(("now", now))
            .await?
            .check()?;
        Ok(())
    }

    /// Watched installations last checked before `before`, of certificates neither revoked nor expired.
    pub async fn monitored_checks_due(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> DbResult<Vec<MonitoredCheck>> {
        #[derive(SurrealValue)]
        #[surreal(crate = "surrealdb::types")]
        struct Row {
            id: CertificateId,
            issuer: IssuerId,
        }
        let rows: Vec<Row> = self
            .db
            .query(
                "SELECT id, issuer FROM certificate
                 WHERE check_monitor = true AND (check_last_at = NONE OR check_last_at < $before)
                    AND revoked_at = NONE AND not_after > $now
                 LIMIT 500",
            )
            .bind(("before", before))
            .bind(("now", now))
            .await?
            .take(0)?;
        Ok(rows.into_iter().map(|r| MonitoredCheck { id: r.id, issuer: r.issuer }).collect())
    }
}
