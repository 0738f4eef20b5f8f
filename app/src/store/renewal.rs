//! Renewal links: the certificate an order replaces (a portal renewal or ACME's `replaces`), the order that
//! renews a certificate, and the line of versions a certificate is in. Ids leave this module as plain keys.

use super::{retry_conflicts, CertificateId, DbResult, IssuerId, OrderId, Store};
use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

/// A certificate of a line of renewals, with the certificate its order replaced.
#[derive(Debug, Clone)]
pub struct VersionRow {
    pub id: CertificateId,
    pub serial: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub order: OrderId,
    pub order_number: String,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct VersionRecord {
    id: CertificateId,
    serial: String,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
    cert_order: OrderId,
    order_number: String,
    replaces: Option<RecordId>,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct RenewalRecord {
    id: OrderId,
    number: String,
    certificate: Option<RecordId>,
}

/// How a new version names its link in the two histories.
struct Link {
    kind: &'static str,
    new_says: &'static str,
    old_says: &'static str,
    why: String,
}

/// A revocation a reissue scheduled, now due.
#[derive(Debug, Clone)]
pub struct ScheduledRevocation {
    pub certificate: CertificateId,
    pub issuer: IssuerId,
    pub reason: String,
}

/// Orders that no longer renew anything: a cancelled or rejected renewal leaves the certificate to renew again.
const LIVE_ORDER: &str = "status NOT IN ['cancelled', 'rejected']";

/// A line of renewals is at most this long in either direction (yearly renewals for a century).
const MAX_VERSIONS: usize = 100;

impl Store {
    /// The live order that renews `certificate` (its id and number), if one was placed.
    pub async fn renewal_of(&self, certificate: &CertificateId) -> DbResult<Option<(OrderId, String)>> {
        let row: Option<RenewalRecord> = self
            .db
            .query(format!(
                "SELECT id, number, certificate FROM cert_order WHERE replaces = $cert AND {LIVE_ORDER} LIMIT 1"
            ))
            .bind(("cert", certificate.record()))
            .await?
            .take(0)?;
        Ok(row.map(|r| (r.id, r.number)))
    }

    /// Claims `certificate` while its renewal is placed: true for one caller at a time, on whichever instance. A
    /// claim older than a minute is stale (its instance stopped while placing) and is taken over.
    pub async fn claim_replacement(&self, certificate: &CertificateId, now: DateTime<Utc>) -> DbResult<bool> {
        // A claimer that collided with another runs again and then finds the claim taken.
        let claimed: Vec<RecordId> = retry_conflicts(|| async {
            self.db
                .query(
                    "UPDATE $c SET replacing_since = $now
                     WHERE replacing_since = NONE OR replacing_since < $now - 1m RETURN VALUE id",
                )
                .bind(("c", certificate.record()))
                .bind(("now", now))
                .await?
                .take(0)
        })
        .await?;
        Ok(!claimed.is_empty())
    }

    pub async fn release_replacement(&self, certificate: &CertificateId) -> DbResult<()> {
        self.db.query("UPDATE $c SET replacing_since = NONE").bind(("c", certificate.record())).await?.check()?;
        Ok(())
    }

    /// Links a renewal order to the certificate it replaces (`serial`, of order `old_order`), with a line in
    /// both orders' histories.
    pub async fn link_renewal(
        &self,
        order: &OrderId,
        certificate: &CertificateId,
        old_order: &OrderId,
        serial: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> DbResult<()> {
        let link = Link { kind: "renewal", new_says: "renews", old_says: "renewed by", why: String::new() };
        self.link_version(order, certificate, old_order, serial, actor, now, link).await
    }

    /// Links a reissue order to the certificate it replaces, with the reason in both histories.
    #[allow(clippy::too_many_arguments)]
    pub async fn link_reissue(
        &self,
        order: &OrderId,
        certificate: &CertificateId,
        old_order: &OrderId,
        serial: &str,
        reason: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> DbResult<()> {
        let link = Link { kind: "reissue", new_says: "reissues", old_says: "reissued by", why: format!(" ({reason})") };
        self.link_version(order, certificate, old_order, serial, actor, now, link).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn link_version(
        &self,
        order: &OrderId,
        certificate: &CertificateId,
        old_order: &OrderId,
        serial: &str,
        actor: &str,
        now: DateTime<Utc>,
        link: Link,
    ) -> DbResult<()> {
        self.db
            .query(
                "UPDATE $order SET replaces = $cert;
                 CREATE order_event CONTENT { cert_order: $order, at: $now, actor: $actor, kind: $kind,
                    detail: $new_says + ' certificate ' + $serial + ' of order ' + $old.number + $why };
                 CREATE order_event CONTENT { cert_order: $old, at: $now, actor: $actor, kind: $kind,
                    detail: $old_says + ' order ' + $order.number + $why };",
            )
            .bind(("kind", link.kind))
            .bind(("new_says", link.new_says))
            .bind(("old_says", link.old_says))
            .bind(("why", link.why))
            .bind(("order", order.record()))
            .bind(("cert", certificate.record()))
            .bind(("old", old_order.record()))
            .bind(("serial", serial.to_string()))
            .bind(("actor", actor.to_string()))
            .bind(("now", now))
            .await?
            .check()?;
        Ok(())
    }

    /// Schedules the revocation of a certificate at `at` with `reason` (RFC 5280 name).
    pub async fn schedule_revocation(
        &self,
        certificate: &CertificateId,
        at: DateTime<Utc>,
        reason: &str,
    ) -> DbResult<()> {
        self.db
            .query("UPDATE $c SET revoke_at = $at, revoke_at_reason = $reason WHERE revoked_at = NONE")
            .bind(("c", certificate.record()))
            .bind(("at", at))
            .bind(("reason", reason.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    /// Cancels a scheduled revocation that has not happened; false when there was none to cancel.
    pub async fn cancel_scheduled_revocation(&self, certificate: &CertificateId) -> DbResult<bool> {
        let changed: Vec<RecordId> = self
            .db
            .query(
                "UPDATE $c SET revoke_at = NONE, revoke_at_reason = NONE
                 WHERE revoke_at != NONE AND revoked_at = NONE RETURN VALUE id",
            )
            .bind(("c", certificate.record()))
            .await?
            .take(0)?;
        Ok(!changed.is_empty())
    }

    /// Scheduled revocations due at `now`.
    pub async fn revocations_due(&self, now: DateTime<Utc>) -> DbResult<Vec<ScheduledRevocation>> {
        #[derive(SurrealValue)]
        #[surreal(crate = "surrealdb::types")]
        struct Row {
            id: CertificateId,
            issuer: IssuerId,
            revoke_at_reason: Option<String>,
        }
        let rows: Vec<Row> = self
            .db
            .query("SELECT id, issuer, revoke_at_reason FROM certificate WHERE revoke_at != NONE AND revoke_at <= $now AND revoked_at = NONE")
            .bind(("now", now))
            .await?
            .take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| ScheduledRevocation {
                certificate: r.id,
                issuer: r.issuer,
                reason: r.revoke_at_reason.unwrap_or_else(|| "superseded".into()),
            })
            .collect())
    }

    /// The versions of `certificate`, oldest first: the certificates its order (and theirs) replaced, itself,
    /// and the certificates issued by the orders that renewed it (and them).
    pub async fn certificate_versions(&self, certificate: &CertificateId) -> DbResult<Vec<VersionRow>> {
        let mut line = Vec::new();
        let mut at = Some(certificate.record());
        while let Some(cert) = at.take() {
            let Some(v) = self.version(&cert).await? else { break };
            at = v.replaces.clone().filter(|_| line.len() < MAX_VERSIONS);
            line.push(v);
        }
        line.reverse();
        let mut at = certificate.record();
        while line.len() < 2 * MAX_VERSIONS {
            let next: Option<RenewalRecord> = self
                .db
                .query(format!(
                    "SELECT id, number, certificate FROM cert_order
                     WHERE replaces = $cert AND certificate != NONE AND {LIVE_ORDER} LIMIT 1"
                ))
                .bind(("cert", at.clone()))
                .await?
                .take(0)?;
            let Some(cert) = next.and_then(|n| n.certificate) else { break };
            let Some(v) = self.version(&cert).await? else { break };
            line.push(v);
            at = cert;
        }
        Ok(line.into_iter().map(version_row).collect())
    }

    async fn version(&self, cert: &RecordId) -> DbResult<Option<VersionRecord>> {
        self.db
            .query(
                "SELECT id, serial, not_before, not_after, cert_order, cert_order.number AS order_number,
                    cert_order.replaces AS replaces FROM ONLY $cert",
            )
            .bind(("cert", cert.clone()))
            .await?
            .take(0)
    }
}

fn version_row(v: VersionRecord) -> VersionRow {
    VersionRow {
        id: v.id,
        serial: v.serial,
        not_before: v.not_before,
        not_after: v.not_after,
        order: v.cert_order,
        order_number: v.order_number,
    }
}
