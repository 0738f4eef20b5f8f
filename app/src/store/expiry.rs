//! What the renewal job reads and writes: certificates coming up to expiry with what decides their automatic
//! renewal and reminders, the claim that makes one instance renew a certificate, the per-certificate choices,
//! the issuers' notice days, and the notices sent (each once, written with its mails).

use super::{key_of, rid, CertificateId, DbResult, IssuerId, NewMail, Store, TrackedId};
use crate::model::OrderParties;
use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

/// An issued or watched certificate that may be due for renewal or a reminder.
#[derive(Debug, Clone)]
pub struct ExpiringCertificate {
    pub id: String,
    /// Watched (handed in) rather than issued by Signet.
    pub watched: bool,
    pub issuer: IssuerId,
    pub names: Vec<String>,
    pub serial: String,
    pub not_after: DateTime<Utc>,
    /// The issuer's reminder days before expiry.
    pub notice_days: Vec<i64>,
    /// The notices already sent (their thresholds).
    pub sent: Vec<i64>,
    /// Issued: the order's parties (with the contacts) and its extra addresses; watched: the person who
    /// handed it in, as the one address.
    pub parties: Option<OrderParties>,
    pub notify: Vec<String>,
    /// Issued only: the choices and facts automatic renewal needs.
    pub renewal: Option<RenewalFacts>,
}

#[derive(Debug, Clone)]
pub struct RenewalFacts {
    pub order_number: String,
    /// The certificate's own choice, else that of the certificate it renews, else the product's default.
    pub auto_renew: bool,
    pub renew_before_days: i64,
    pub claimed: bool,
    pub acme: bool,
}

/// Issued and watched certificates read in one shape: the watched have no order, so its fields are `NONE`, and
/// the person who handed one in is its one address.
#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ExpiringRecord {
    id: RecordId,
    watched: bool,
    issuer: IssuerId,
    names: Vec<String>,
    serial: String,
    not_after: DateTime<Utc>,
    notice_days: Option<Vec<i64>>,
    sent: Vec<i64>,
    #[surreal(wrap)]
    parties: Option<OrderParties>,
    notify: Option<Vec<String>>,
    order_number: Option<String>,
    auto_renew: Option<bool>,
    inherited: Option<bool>,
    product_default: Option<bool>,
    renew_before_days: Option<i64>,
    auto_renewal_at: Option<DateTime<Utc>>,
    acme_account: Option<RecordId>,
    /// Live orders renewing it: a renewed certificate is neither renewed again nor reminded.
    renewals: Vec<RecordId>,
}

/// A notice as the certificate page lists it.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct NoticeRow {
    pub days: i64,
    pub sent_to: Vec<String>,
    pub sent_at: DateTime<Utc>,
}

/// What a notice is about: an issued certificate, or a watched one.
fn notice_subject(id: &str, watched: bool) -> RecordId {
    rid(if watched { "tracked_cert" } else { "certificate" }, id)
}

/// The issuer's reminder days when it has none stored (an issuer made before they existed).
const DEFAULT_NOTICE_DAYS: [i64; 4] = [30, 14, 7, 1];

impl Store {
    /// Unrevoked certificates without "do not renew" and without a live renewal order that expire between
    /// `from` and `to`, issued and watched.
    pub async fn expiring_certificates(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> DbResult<Vec<ExpiringCertificate>> {
        let mut response = self
            .db
            .query(
                "SELECT id, false AS watched, issuer, names, serial, not_after, issuer.expiry_notice_days AS notice_days,
                    (SELECT VALUE days FROM expiry_notice WHERE subject = $parent.id) AS sent,
                    cert_order.parties AS parties, cert_order.notify AS notify, cert_order.number AS order_number,
                    auto_renew, cert_order.replaces.auto_renew AS inherited,
                    cert_order.product.auto_renew_default AS product_default,
                    cert_order.product.renew_before_days AS renew_before_days, auto_renewal_at,
                    cert_order.acme_account AS acme_account,
                    (SELECT VALUE id FROM cert_order WHERE replaces = $parent.id
                        AND status NOT IN ['cancelled', 'rejected']) AS renewals
                 FROM certificate
                 WHERE not_after >= $from AND not_after <= $to AND revoked_at = NONE AND do_not_renew != true;
                 SELECT id, true AS watched, issuer, names, serial, not_after, issuer.expiry_notice_days AS notice_days,
                    (SELECT VALUE days FROM expiry_notice WHERE subject = $parent.id) AS sent, [added_by] AS notify,
                    [] AS renewals
                 FROM tracked_cert
                 WHERE not_after >= $from AND not_after <= $to AND do_not_renew != true;",
            )
            .bind(("from", from))
            .bind(("to", to))
            .await?;
        let mut rows: Vec<ExpiringRecord> = response.take(0)?;
        rows.extend(response.take::<Vec<ExpiringRecord>>(1)?);
        Ok(rows.into_iter().filter(|c| c.renewals.is_empty()).map(ExpiringCertificate::from).collect())
    }

    /// Claims a certificate's automatic renewal: true for exactly one caller, whichever instance it runs on.
    pub async fn claim_auto_renewal(&self, certificate: &CertificateId, now: DateTime<Utc>) -> DbResult<bool> {
        let claimed: Vec<RecordId> = self
            .db
            .query("UPDATE $c SET auto_renewal_at = $now WHERE auto_renewal_at = NONE RETURN VALUE id")
            .bind(("c", certificate.record()))
            .bind(("now", now))
            .await?
            .take(0)?;
        Ok(!claimed.is_empty())
    }

    /// Records a notice and queues its mails together; false (and nothing queued) when another caller sent
    /// this notice already.
    pub async fn record_notice(
        &self,
        subject: &str,
        watched: bool,
        days: i64,
        mails: Vec<NewMail>,
        now: DateTime<Utc>,
    ) -> DbResult<bool> {
        let sent_to: Vec<String> = mails.iter().map(|m| m.to.clone()).collect();
        let result = self
            .db
            .query(
                "BEGIN;
                 CREATE expiry_notice CONTENT { subject: $subject, days: $days, sent_to: $sent_to, sent_at: $now };
                 FOR $m IN $mails { CREATE mail CONTENT $m; };
                 COMMIT;",
            )
            .bind(("subject", notice_subject(subject, watched)))
            .bind(("days", days))
            .bind(("sent_to", sent_to))
            .bind(("mails", mails))
            .bind(("now", now))
            .await?
            .check();
        match result {
            Ok(_) => Ok(true),
            Err(e) if e.to_string().contains("expiry_notice_once") => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The notices sent for a certificate, oldest first.
    pub async fn notices_of(&self, subject: &str, watched: bool) -> DbResult<Vec<NoticeRow>> {
        self.db
            .query("SELECT days, sent_to, sent_at FROM expiry_notice WHERE subject = $s ORDER BY sent_at")
            .bind(("s", notice_subject(subject, watched)))
            .await?
            .take(0)
    }

    /// An issued certificate's renewal choices: its own automatic-renewal setting, that of the certificate it
    /// renews, and "do not renew".
    pub async fn renewal_choices(&self, certificate: &CertificateId) -> DbResult<(Option<bool>, Option<bool>, bool)> {
        #[derive(SurrealValue)]
        #[surreal(crate = "surrealdb::types")]
        struct Choices {
            auto_renew: Option<bool>,
            inherited: Option<bool>,
            do_not_renew: Option<bool>,
        }
        let row: Option<Choices> = self
            .db
            .query("SELECT auto_renew, cert_order.replaces.auto_renew AS inherited, do_not_renew FROM ONLY $c")
            .bind(("c", certificate.record()))
            .await?
            .take(0)?;
        Ok(row.map(|c| (c.auto_renew, c.inherited, c.do_not_renew.unwrap_or(false))).unwrap_or((None, None, false)))
    }

    /// Whether the reminders of a watched certificate were stopped.
    pub async fn watched_do_not_renew(&self, certificate: &TrackedId) -> DbResult<bool> {
        let value: Option<bool> = self
            .db
            .query("RETURN (SELECT VALUE do_not_renew FROM ONLY $c)")
            .bind(("c", certificate.record()))
            .await?
            .take(0)?;
        Ok(value.unwrap_or(false))
    }

    pub async fn set_renewal_choices(
        &self,
        certificate: &CertificateId,
        auto_renew: bool,
        do_not_renew: bool,
    ) -> DbResult<()> {
        self.db
            .query("UPDATE $c SET auto_renew = $a, do_not_renew = $d")
            .bind(("c", certificate.record()))
            .bind(("a", auto_renew))
            .bind(("d", do_not_renew))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn set_watched_do_not_renew(&self, certificate: &TrackedId, do_not_renew: bool) -> DbResult<()> {
        self.db
            .query("UPDATE $c SET do_not_renew = $d")
            .bind(("c", certificate.record()))
            .bind(("d", do_not_renew))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn expiry_notice_days(&self, issuer: &IssuerId) -> DbResult<Vec<i64>> {
        let days: Option<Vec<i64>> = self
            .db
            .query("RETURN (SELECT VALUE expiry_notice_days FROM ONLY $i)")
            .bind(("i", issuer.record()))
            .await?
            .take(0)?;
        Ok(days.unwrap_or_else(|| DEFAULT_NOTICE_DAYS.to_vec()))
    }

    pub async fn set_expiry_notice_days(&self, issuer: &IssuerId, days: Vec<i64>) -> DbResult<()> {
        self.db
            .query("UPDATE $i SET expiry_notice_days = $days")
            .bind(("i", issuer.record()))
            .bind(("days", days))
            .await?
            .check()?;
        Ok(())
    }
}

impl From<ExpiringRecord> for ExpiringCertificate {
    fn from(r: ExpiringRecord) -> Self {
        let renewal = (!r.watched).then(|| RenewalFacts {
            order_number: r.order_number.unwrap_or_default(),
            auto_renew: r.auto_renew.or(r.inherited).or(r.product_default).unwrap_or(false),
            renew_before_days: r.renew_before_days.unwrap_or(30),
            claimed: r.auto_renewal_at.is_some(),
            acme: r.acme_account.is_some(),
        });
        ExpiringCertificate {
            id: key_of(&r.id),
            watched: r.watched,
            issuer: r.issuer,
            names: r.names,
            serial: r.serial,
            not_after: r.not_after,
            notice_days: r.notice_days.unwrap_or_else(|| DEFAULT_NOTICE_DAYS.to_vec()),
            sent: r.sent,
            parties: r.parties,
            notify: r.notify.unwrap_or_default(),
            renewal,
        }
    }
}
