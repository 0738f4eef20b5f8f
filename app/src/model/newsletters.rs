//! Newsletters: what issuer staff write to all their clients or to one industry, and what became of each copy.

use super::MailStatus;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A newsletter as its author writes it. The body is plain text: a blank line starts a new paragraph.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewsletterDraft {
    pub subject: String,
    pub body: String,
    /// One industry, or every client when empty.
    #[serde(default)]
    pub industry: String,
}

impl NewsletterDraft {
    /// The body's paragraphs: split at blank lines, each trimmed, empty ones left out.
    pub fn paragraphs(&self) -> Vec<String> {
        let mut paragraphs = Vec::new();
        let mut current: Vec<&str> = Vec::new();
        for line in self.body.lines().map(str::trim_end).chain(std::iter::once("")) {
            if line.trim().is_empty() {
                if !current.is_empty() {
                    paragraphs.push(current.join("\n").trim().to_string());
                    current.clear();
                }
            } else {
                current.push(line);
            }
        }
        paragraphs
    }
}

/// Who a newsletter would reach, for the count shown before sending.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewsletterAudience {
    /// Clients with an e-mail address who will receive it.
    pub recipients: usize,
    /// Clients of the audience who unsubscribed, skipped.
    pub unsubscribed: usize,
    /// Clients of the audience without an e-mail address.
    pub without_email: usize,
}

/// The choices of the newsletter form: the issuer's industries, and the sending rate the operator set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewsletterSetup {
    pub industries: Vec<String>,
    /// Newsletter e-mails handed to the SMTP server per minute, across all issuers.
    pub rate_per_minute: u32,
    pub smtp: bool,
}

/// One sent newsletter in the history list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewsletterSummary {
    pub id: String,
    pub subject: String,
    /// The industry it went to; empty for all clients.
    pub industry: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub recipients: usize,
    pub sent: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl NewsletterSummary {
    pub fn audience(&self) -> String {
        if self.industry.is_empty() {
            "All clients".to_string()
        } else {
            format!("Industry: {}", self.industry)
        }
    }
}

/// What became of one client's copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecipientStatus {
    Mail(MailStatus),
    /// The client had unsubscribed when the newsletter went out: nothing was sent.
    Unsubscribed,
}

impl RecipientStatus {
    pub fn label(self) -> &'static str {
        match self {
            RecipientStatus::Mail(MailStatus::Queued | MailStatus::Sending) => "Queued",
            RecipientStatus::Mail(MailStatus::Sent) => "Delivered to the SMTP server",
            RecipientStatus::Mail(MailStatus::Failed) => "Failed",
            RecipientStatus::Mail(MailStatus::Outbox) => "In the outbox (no SMTP server)",
            RecipientStatus::Unsubscribed => "Unsubscribed: skipped",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewsletterRecipient {
    pub client_id: String,
    pub client: String,
    pub email: String,
    pub status: RecipientStatus,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// A sent newsletter with its text and every recipient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewsletterDetail {
    pub summary: NewsletterSummary,
    pub body: String,
    pub template: String,
    pub recipients: Vec<NewsletterRecipient>,
}

/// What the unsubscribe page shows about the link it was opened with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnsubscribeTarget {
    pub client: String,
    pub issuer: String,
    pub unsubscribed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_line_starts_a_paragraph_and_a_single_break_stays_inside_one() {
        let draft = NewsletterDraft {
            body: "  First line\nstill first\n\n\n Second  \r\n\r\nThird\n   \n".into(),
            ..Default::default()
        };
        assert_eq!(draft.paragraphs(), vec!["First line\nstill first", "Second", "Third"]);
        assert!(NewsletterDraft::default().paragraphs().is_empty());
    }
}
