//! Newsletters: the issuer's industries, the audience of a newsletter, the newsletters sent with each copy's
//! fate, and the clients' unsubscribing. Every query names the issuer, except the unsubscribe link's (which
//! carries a signed client id instead).

use super::clients::CLIENT_FIELDS;
use super::{ClientId, DbResult, IssuerId, NewMail, NewsletterId, Store};
use crate::model::{Client, MailStatus};
use chrono::{DateTime, Utc};
// `Value` is named by the derive's code for a flattened field.
use surrealdb::types::{SurrealValue, Value};

/// A client of the audience that unsubscribed, kept with the newsletter that skipped it.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct SkippedClient {
    pub client: ClientId,
    pub name: String,
    pub email: String,
}

/// Who a newsletter goes to: the clients with an address who did not unsubscribe, and those who did.
pub struct AudienceRows {
    pub recipients: Vec<Client>,
    pub unsubscribed: Vec<SkippedClient>,
    pub without_email: usize,
}

/// What is stored of a newsletter when it is sent.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct NewsletterRecord {
    pub issuer: IssuerId,
    pub subject: String,
    pub body: String,
    pub industry: String,
    pub author: String,
    pub template: String,
    pub recipients: i64,
    pub skipped: Vec<SkippedClient>,
    pub created_at: DateTime<Utc>,
    pub queued_until: DateTime<Utc>,
}

/// A newsletter read back: its id and its record.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct NewsletterRow {
    pub id: NewsletterId,
    #[surreal(flatten)]
    pub record: NewsletterRecord,
}

/// How many copies of a newsletter are in one state.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct StatusCount {
    pub newsletter: NewsletterId,
    #[surreal(wrap)]
    pub status: MailStatus,
    pub n: i64,
}

/// One copy of a newsletter.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct NewsletterCopyRow {
    pub client: ClientId,
    pub client_name: String,
    pub to: String,
    #[surreal(wrap)]
    pub status: MailStatus,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// What the unsubscribe page names.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct UnsubscribeRow {
    pub client: String,
    pub issuer: String,
    pub unsubscribed: bool,
}

/// Copies written per statement: a newsletter to ten thousand clients is twenty statements, not ten thousand.
const COPIES_PER_INSERT: usize = 500;

const NEWSLETTER_FIELDS: &str = "id, issuer, subject, body, industry, author, template, recipients, \
    skipped ?? [] AS skipped, created_at, queued_until";

impl Store {
    pub async fn industries(&self, issuer: &IssuerId) -> DbResult<Vec<String>> {
        // An array is taken as rows: a `Vec`, not an `Option` of one.
        self.db
            .query("RETURN (SELECT VALUE industries ?? [] FROM ONLY $issuer)")
            .bind(("issuer", issuer.clone()))
            .await?
            .take(0)
    }

    pub async fn set_industries(&self, issuer: &IssuerId, industries: Vec<String>) -> DbResult<()> {
        self.db
            .query("UPDATE $issuer SET industries = $industries")
            .bind(("issuer", issuer.clone()))
            .bind(("industries", industries))
            .await?
            .check()?;
        Ok(())
    }

    /// The industries the issuer's clients are filed under, whether or not the issuer's list has them.
    pub async fn client_industries(&self, issuer: &IssuerId) -> DbResult<Vec<String>> {
        self.db
            .query(
                "RETURN array::distinct((SELECT VALUE industry FROM client WHERE issuer = $issuer AND industry != ''))",
            )
            .bind(("issuer", issuer.clone()))
            .await?
            .take(0)
    }

    /// The clients a newsletter to `industry` (all, when empty) reaches, skips, or cannot reach.
    pub async fn newsletter_audience(&self, issuer: &IssuerId, industry: &str) -> DbResult<AudienceRows> {
        let mut response = self
            .db
            .query(format!(
                "LET $all = SELECT {CLIENT_FIELDS}, id AS record, unsubscribed_at FROM client
                     WHERE issuer = $issuer AND ($industry = '' OR industry = $industry) ORDER BY name;
                 SELECT * OMIT record, unsubscribed_at FROM $all WHERE email != '' AND unsubscribed_at = NONE;
                 SELECT record AS client, name, email FROM $all WHERE email != '' AND unsubscribed_at != NONE;
                 RETURN count($all[WHERE email = '']);"
            ))
            .bind(("issuer", issuer.clone()))
            .bind(("industry", industry.to_string()))
            .await?
            .check()?;
        let without_email: Option<i64> = response.take(3)?;
        Ok(AudienceRows {
            recipients: response.take(1)?,
            unsubscribed: response.take(2)?,
            without_email: without_email.unwrap_or(0) as usize,
        })
    }

    /// The first client (by name) a newsletter to `industry` would reach, for its preview.
    pub async fn newsletter_first_recipient(&self, issuer: &IssuerId, industry: &str) -> DbResult<Option<Client>> {
        let rows: Vec<Client> = self
            .db
            .query(format!(
                "SELECT {CLIENT_FIELDS} FROM client WHERE issuer = $issuer AND ($industry = '' OR industry = $industry)
                     AND email != '' AND unsubscribed_at = NONE ORDER BY name LIMIT 1"
            ))
            .bind(("issuer", issuer.clone()))
            .bind(("industry", industry.to_string()))
            .await?
            .take(0)?;
        Ok(rows.into_iter().next())
    }

    /// When the copies already queued at the sending rate are all due; a new newsletter queues after that.
    pub async fn newsletter_queue_end(&self) -> DbResult<Option<DateTime<Utc>>> {
        self.db
            .query("RETURN (SELECT VALUE queued_until FROM newsletter ORDER BY queued_until DESC LIMIT 1)[0]")
            .await?
            .take(0)
    }

    pub async fn create_newsletter(&self, id: &NewsletterId, newsletter: NewsletterRecord) -> DbResult<()> {
        self.db
            .query("CREATE $id CONTENT $newsletter RETURN NONE")
            .bind(("id", id.clone()))
            .bind(("newsletter", newsletter))
            .await?
            .check()?;
        Ok(())
    }

    /// Queues the copies of a newsletter, a few hundred per statement.
    pub async fn queue_newsletter_copies(&self, copies: Vec<NewMail>) -> DbResult<()> {
        let mut copies = copies.into_iter().peekable();
        while copies.peek().is_some() {
            let chunk: Vec<NewMail> = copies.by_ref().take(COPIES_PER_INSERT).collect();
            self.db.query("INSERT INTO mail $copies RETURN NONE").bind(("copies", chunk)).await?.check()?;
        }
        Ok(())
    }

    /// The issuer's newsletters, newest first.
    pub async fn newsletters(&self, issuer: &IssuerId, limit: i64) -> DbResult<Vec<NewsletterRow>> {
        self.db
            .query(format!(
                "SELECT {NEWSLETTER_FIELDS} FROM newsletter WHERE issuer = $issuer ORDER BY created_at DESC LIMIT $limit"
            ))
            .bind(("issuer", issuer.clone()))
            .bind(("limit", limit))
            .await?
            .take(0)
    }

    pub async fn newsletter(&self, issuer: &IssuerId, id: &NewsletterId) -> DbResult<Option<NewsletterRow>> {
        let rows: Vec<NewsletterRow> = self
            .db
            .query(format!("SELECT {NEWSLETTER_FIELDS} FROM $id WHERE issuer = $issuer"))
            .bind(("id", id.clone()))
            .bind(("issuer", issuer.clone()))
            .await?
            .take(0)?;
        Ok(rows.into_iter().next())
    }

    /// How many copies of each of these newsletters are queued, sent, failed …, in one query.
    pub async fn newsletter_counts(&self, ids: &[NewsletterId]) -> DbResult<Vec<StatusCount>> {
        self.db
            .query(
                "SELECT newsletter, status, count() AS n FROM mail WHERE newsletter IN $ids
                 GROUP BY newsletter, status",
            )
            .bind(("ids", ids.to_vec()))
            .await?
            .take(0)
    }

    /// The copies of a newsletter, by client name.
    pub async fn newsletter_copies(
        &self,
        issuer: &IssuerId,
        id: &NewsletterId,
        limit: i64,
    ) -> DbResult<Vec<NewsletterCopyRow>> {
        self.db
            .query(
                "SELECT client, client.name ?? '' AS client_name, to, status, sent_at, last_error FROM mail
                 WHERE newsletter = $id AND issuer = $issuer ORDER BY client_name LIMIT $limit",
            )
            .bind(("id", id.clone()))
            .bind(("issuer", issuer.clone()))
            .bind(("limit", limit))
            .await?
            .take(0)
    }

    /// The client and issuer an unsubscribe link names, and whether the client is unsubscribed now.
    pub async fn unsubscribe_target(&self, client: &ClientId) -> DbResult<Option<UnsubscribeRow>> {
        let rows: Vec<UnsubscribeRow> = self
            .db
            .query("SELECT name AS client, issuer.name AS issuer, unsubscribed_at != NONE AS unsubscribed FROM $client")
            .bind(("client", client.clone()))
            .await?
            .take(0)?;
        Ok(rows.into_iter().next())
    }

    /// Unsubscribes a client (keeping the first time it did), or subscribes it again with `at` None.
    pub async fn set_unsubscribed(&self, client: &ClientId, at: Option<DateTime<Utc>>) -> DbResult<()> {
        let query = if at.is_some() {
            "UPDATE $client SET unsubscribed_at = unsubscribed_at ?? $at"
        } else {
            "UPDATE $client SET unsubscribed_at = NONE"
        };
        self.db.query(query).bind(("client", client.clone())).bind(("at", at)).await?.check()?;
        Ok(())
    }

    /// When a client unsubscribed, for its page.
    pub async fn unsubscribed_at(&self, issuer: &IssuerId, client: &ClientId) -> DbResult<Option<DateTime<Utc>>> {
        let at: Option<DateTime<Utc>> = self
            .db
            .query("RETURN (SELECT VALUE unsubscribed_at FROM $client WHERE issuer = $issuer)[0]")
            .bind(("client", client.clone()))
            .bind(("issuer", issuer.clone()))
            .await?
            .take(0)?;
        Ok(at)
    }
}
