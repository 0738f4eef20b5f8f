//! Activity reports: the issuers' schedules, the clients' opt-out, and the copy attempts not reported yet.

use super::{retry_conflicts, ClientId, CopyAttemptId, DbResult, IssuerId, Store};
use crate::model::ActivityReports;
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

/// A copy attempt a client has not heard of yet.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct UnreportedCopy {
    pub id: CopyAttemptId,
    pub client: ClientId,
    pub at: DateTime<Utc>,
    pub host: String,
    pub page_url: String,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct ReportingIssuer {
    pub id: IssuerId,
    #[surreal(wrap)]
    pub activity_reports: ActivityReports,
}

impl Store {
    /// The issuers that send activity reports, with their schedule.
    pub async fn reporting_issuers(&self) -> DbResult<Vec<ReportingIssuer>> {
        self.db
            .query("SELECT id, activity_reports ?? 'daily' AS activity_reports FROM issuer WHERE (activity_reports ?? 'daily') != 'off'")
            .await?
            .take(0)
    }

    pub async fn activity_reports_of(&self, issuer: &IssuerId) -> DbResult<ActivityReports> {
        let value: Option<String> = self
            .db
            .query("RETURN (SELECT VALUE activity_reports ?? 'daily' FROM ONLY $issuer)")
            .bind(("issuer", issuer.clone()))
            .await?
            .take(0)?;
        value
            .as_deref()
            .map(|v| {
                ActivityReports::parse(v).ok_or_else(|| surrealdb::Error::internal(format!("unknown schedule {v:?}")))
            })
            .transpose()
            .map(|s| s.unwrap_or(ActivityReports::Daily))
    }

    pub async fn set_activity_reports(&self, issuer: &IssuerId, schedule: ActivityReports) -> DbResult<()> {
        self.db
            .query("UPDATE $issuer SET activity_reports = $schedule")
            .bind(("issuer", issuer.clone()))
            .bind(("schedule", schedule.as_str()))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn client_gets_reports(&self, issuer: &IssuerId, client: &ClientId) -> DbResult<bool> {
        let value: Option<bool> = self
            .db
            .query(
                "RETURN (SELECT VALUE activity_reports ?? true FROM client WHERE id = $client AND issuer = $issuer)[0]",
            )
            .bind(("issuer", issuer.clone()))
            .bind(("client", client.clone()))
            .await?
            .take(0)?;
        Ok(value.unwrap_or(true))
    }

    pub async fn set_client_gets_reports(&self, issuer: &IssuerId, client: &ClientId, on: bool) -> DbResult<()> {
        self.db
            .query("UPDATE client SET activity_reports = $on WHERE id = $client AND issuer = $issuer")
            .bind(("issuer", issuer.clone()))
            .bind(("client", client.clone()))
            .bind(("on", on))
            .await?
            .check()?;
        Ok(())
    }

    /// Takes the issuer's copy attempts not reported yet, of clients that get reports: each is marked reported in
    /// the same statement, so that two instances never report the same one.
    pub async fn claim_unreported_copies(&self, issuer: &IssuerId) -> DbResult<Vec<UnreportedCopy>> {
        retry_conflicts(|| async {
            self.db
                .query(
                    "UPDATE copy_attempt SET reported = true
                     WHERE issuer = $issuer AND reported = false AND (client.activity_reports ?? true) = true
                     RETURN id, client, at, host, page_url",
                )
                .bind(("issuer", issuer.clone()))
                .await?
                .take(0)
        })
        .await
    }
}
