//! The outgoing mail queue.

use super::{rid, ClientId, DbResult, IssuerId, MailId, NewsletterId, SealId, Store};
use crate::model::{MailMessage, MailStatus, SentMail};
use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct MailRow {
    pub id: MailId,
    pub to: String,
    pub subject: String,
    pub body: String,
    #[surreal(wrap)]
    pub status: MailStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl MailRow {
    pub fn key(&self) -> String {
        self.id.key().to_string()
    }
    pub fn into_model(self) -> MailMessage {
        MailMessage {
            id: self.id.key().to_string(),
            to: self.to,
            subject: self.subject,
            body: self.body,
            status: self.status,
            attempts: self.attempts,
            last_error: self.last_error,
            created_at: self.created_at,
            sent_at: self.sent_at,
        }
    }
}

/// A message to queue; also written inside larger transactions (an order issued at once).
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct NewMail {
    pub to: String,
    pub subject: String,
    /// The plain-text body (the alternative to `html` when there is one).
    pub body: String,
    pub html: Option<String>,
    pub attachments: Vec<MailAttachment>,
    pub issuer: Option<IssuerId>,
    /// What it is (a template kind such as `certificate_email`), for the history of a client or a seal.
    pub kind: Option<String>,
    pub client: Option<ClientId>,
    pub seal: Option<SealId>,
    /// The template version it was written from, in words.
    pub template: Option<String>,
    /// The newsletter it is a copy of.
    pub newsletter: Option<NewsletterId>,
    /// The recipient's one-click unsubscribe address, sent as `List-Unsubscribe` (newsletters).
    pub unsubscribe_url: Option<String>,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// A file sent with a message, kept with it so that "Send again" sends the same bytes.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct MailAttachment {
    pub filename: String,
    pub content_type: String,
    pub data: bytes::Bytes,
}

/// What the worker needs beyond the row's text to build the message.
#[derive(Debug, Clone, Default, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct MailContent {
    pub html: Option<String>,
    pub attachments: Vec<MailAttachment>,
    pub unsubscribe_url: Option<String>,
}

/// One line of a client's or a seal's e-mail history.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct SentMailRow {
    pub id: MailId,
    pub to: String,
    pub subject: String,
    pub kind: Option<String>,
    pub template: Option<String>,
    pub attachments: Vec<String>,
    #[surreal(wrap)]
    pub status: MailStatus,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<SentMailRow> for SentMail {
    fn from(r: SentMailRow) -> Self {
        SentMail {
            id: r.id.key().to_string(),
            to: r.to,
            subject: r.subject,
            kind: r.kind.unwrap_or_default(),
            template: r.template.unwrap_or_default(),
            attachments: r.attachments,
            status: r.status,
            last_error: r.last_error,
            created_at: r.created_at,
            sent_at: r.sent_at,
        }
    }
}

const MAIL_FIELDS: &str = "id, to, subject, body, status, attempts, last_error, created_at, sent_at";

impl Store {
    pub async fn enqueue_mail(&self, mail: NewMail) -> DbResult<()> {
        self.db.query("CREATE mail CONTENT $m").bind(("m", mail)).await?.check()?;
        Ok(())
    }

    /// The HTML part and the attachments of a message (left out of every list: they can be large).
    pub async fn mail_content(&self, id: &MailId) -> DbResult<MailContent> {
        let content: Option<MailContent> = self
            .db
            .query("SELECT html, attachments ?? [] AS attachments, unsubscribe_url FROM ONLY $id")
            .bind(("id", id.clone()))
            .await?
            .take(0)?;
        Ok(content.unwrap_or_default())
    }

    /// The e-mails of an issuer about one client, or one seal of it, newest first.
    pub async fn mail_about(
        &self,
        issuer: &IssuerId,
        client: &ClientId,
        seal: Option<&SealId>,
        limit: i64,
    ) -> DbResult<Vec<SentMailRow>> {
        let filter = if seal.is_some() { "seal = $seal" } else { "client = $client" };
        self.db
            .query(format!(
                "SELECT id, to, subject, kind, template, attachments.filename ?? [] AS attachments,
                    status, last_error, created_at, sent_at
                 FROM mail WHERE {filter} AND issuer = $issuer ORDER BY created_at DESC LIMIT $limit"
            ))
            .bind(("issuer", issuer.clone()))
            .bind(("client", client.clone()))
            .bind(("seal", seal.cloned()))
            .bind(("limit", limit))
            .await?
            .take(0)
    }

    /// Queued messages whose time has come, oldest first.
    pub async fn due_mail(&self, now: DateTime<Utc>, limit: i64) -> DbResult<Vec<MailRow>> {
        self.db
            .query(format!(
                "SELECT {MAIL_FIELDS}, next_attempt_at FROM mail WHERE status = 'queued' AND next_attempt_at <= $now
                 ORDER BY next_attempt_at LIMIT $limit"
            ))
            .bind(("now", now))
            .bind(("limit", limit))
            .await?
            .take(0)
    }

    /// When the next queued message is due.
    pub async fn next_mail_due(&self) -> DbResult<Option<DateTime<Utc>>> {
        self.db
            .query("RETURN (SELECT VALUE next_attempt_at FROM mail WHERE status = 'queued' ORDER BY next_attempt_at LIMIT 1)[0]")
            .await?
            .take(0)
    }

    /// Takes a queued message for sending; false if somebody else took it first.
    pub async fn claim_mail(&self, id: &MailId) -> DbResult<bool> {
        let taken: Vec<RecordId> = self
            .db
            .query("UPDATE $id SET status = 'sending' WHERE status = 'queued' RETURN VALUE id")
            .bind(("id", id.clone()))
            .await?
            .take(0)?;
        Ok(!taken.is_empty())
    }

    pub async fn mark_mail_sent(&self, id: &MailId, attempts: i64, now: DateTime<Utc>) -> DbResult<()> {
        self.db
            .query("UPDATE $id SET status = 'sent', attempts = $attempts, sent_at = $now, last_error = NONE")
            .bind(("id", id.clone()))
            .bind(("attempts", attempts))
            .bind(("now", now))
            .await?
            .check()?;
        Ok(())
    }

    /// Records a failed attempt: back to the queue until `next`, or `failed` for good when `next` is None.
    pub async fn mark_mail_attempt_failed(
        &self,
        id: &MailId,
        attempts: i64,
        error: &str,
        next: Option<DateTime<Utc>>,
    ) -> DbResult<()> {
        let query = if next.is_some() {
            "UPDATE $id SET status = 'queued', attempts = $attempts, last_error = $error, next_attempt_at = $next"
        } else {
            "UPDATE $id SET status = 'failed', attempts = $attempts, last_error = $error"
        };
        self.db
            .query(query)
            .bind(("id", id.clone()))
            .bind(("attempts", attempts))
            .bind(("error", error.to_string()))
            .bind(("next", next))
            .await?
            .check()?;
        Ok(())
    }

    /// After a crash, a message that was being handed over is sent again rather than lost.
    pub async fn requeue_interrupted_mail(&self) -> DbResult<()> {
        self.db.query("UPDATE mail SET status = 'queued' WHERE status = 'sending'").await?.check()?;
        Ok(())
    }

    /// Puts a failed (or outbox) message back in the queue, to be sent now.
    pub async fn requeue_mail(&self, mail: &MailId, now: DateTime<Utc>) -> DbResult<bool> {
        let done: Vec<RecordId> = self
            .db
            .query(
                "UPDATE $id SET status = 'queued', attempts = 0, next_attempt_at = $now
                 WHERE status IN ['failed', 'outbox'] RETURN VALUE id",
            )
            .bind(("id", mail.record()))
            .bind(("now", now))
            .await?
            .take(0)?;
        Ok(!done.is_empty())
    }

    pub async fn mail_by_id(&self, mail: &MailId) -> DbResult<Option<MailRow>> {
        self.db.query(format!("SELECT {MAIL_FIELDS} FROM ONLY $id")).bind(("id", mail.record())).await?.take(0)
    }

    pub async fn list_mail(&self, status: Option<MailStatus>, limit: i64) -> DbResult<Vec<MailRow>> {
        self.db
            .query(format!(
                "SELECT {MAIL_FIELDS} FROM mail WHERE $status = NONE OR status = $status ORDER BY created_at DESC LIMIT $limit"
            ))
            .bind(("status", status.map(|s| s.as_str())))
            .bind(("limit", limit))
            .await?
            .take(0)
    }

    pub async fn count_mail(&self, status: MailStatus) -> DbResult<usize> {
        let n: Option<i64> = self
            .db
            .query("RETURN count(SELECT id FROM mail WHERE status = $status)")
            .bind(("status", status.as_str()))
            .await?
            .take(0)?;
        Ok(n.unwrap_or(0) as usize)
    }

    /// Claims the once-only piece of work `key` (a reminder of the day); true for the one caller that got it.
    pub async fn claim_once(&self, key: &str) -> DbResult<bool> {
        let result = self
            .db
            .query("CREATE $id SET at = time::now() RETURN NONE")
            .bind(("id", rid("job_claim", key)))
            .await?
            .check();
        match result {
            Ok(_) => Ok(true),
            // The record exists: another caller claimed it.
            Err(e) if e.to_string().contains("already exists") => Ok(false),
            Err(e) => Err(e),
        }
    }
}
