//! Plain data shared by the server and the browser. Ids are the key part of a database record id, as text.

pub mod acme;
pub mod certificates;
pub mod dcv;
pub mod install_check;
pub mod invitations;
pub mod names;
pub mod newsletters;
pub mod orders;
pub mod renewal;
pub mod seals;
pub mod templates;
pub mod tools;
pub mod validate;

pub use acme::*;
pub use certificates::*;
pub use dcv::*;
pub use install_check::*;
pub use invitations::*;
pub use names::*;
pub use newsletters::*;
pub use orders::*;
pub use renewal::*;
pub use seals::*;
pub use templates::*;
pub use tools::*;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use surrealdb::types::SurrealValue;

/// A person's role inside one issuer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    User,
    /// A person of one client business: orders and downloads that client's certificates, nothing else.
    Customer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::User => "user",
            Role::Customer => "customer",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Issuer admin",
            Role::User => "Issuer user",
            Role::Customer => "Customer",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "user" => Some(Role::User),
            "customer" => Some(Role::Customer),
            _ => None,
        }
    }
}

/// An issuer as seen in the header's issuer selector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuerChoice {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub role: Role,
}

/// Who is signed in, and in which issuer they are working. Everything the app shell needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub operator: bool,
    pub issuers: Vec<IssuerChoice>,
    pub current: Option<IssuerChoice>,
}

impl Viewer {
    pub fn is_issuer_admin(&self) -> bool {
        matches!(&self.current, Some(c) if c.role == Role::Admin)
    }
    /// Issuer staff (admin or user), as opposed to a customer.
    pub fn is_issuer_staff(&self) -> bool {
        matches!(&self.current, Some(c) if c.role != Role::Customer)
    }
    pub fn is_customer(&self) -> bool {
        matches!(&self.current, Some(c) if c.role == Role::Customer)
    }
}

/// A browser or device where the person is signed in, as "Your account" lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActiveSession {
    pub id: String,
    /// The browser and system, as far as the user agent tells ("Chrome on Linux").
    pub device: String,
    pub user_agent: String,
    pub ip: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The session of the browser asking.
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(SurrealValue), surreal(crate = "surrealdb::types"))]
pub struct Issuer {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub address: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub website: String,
    pub verified_host: Option<String>,
    pub has_logo: bool,
    /// Orders from people without the approval right wait for an issuer admin.
    pub approval_mode: bool,
    /// The days before a certificate's expiry its contacts are reminded, largest first.
    #[serde(default)]
    pub expiry_notice_days: Vec<i64>,
    pub created_at: DateTime<Utc>,
}

/// The editable part of an issuer's profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IssuerProfile {
    pub name: String,
    pub slug: String,
    pub address: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub website: String,
    pub verified_host: String,
}

/// One line of the operator's issuer list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuerSummary {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub members: usize,
    pub admins: Vec<String>,
    pub created_at: DateTime<Utc>,
}

/// A person inside an issuer, as the issuer admin sees them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Invited but has not chosen a password yet.
    pub pending: bool,
    /// Locked after too many failed sign-ins.
    pub locked: bool,
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailStatus {
    /// Waiting to be sent over SMTP (possibly after a failed attempt).
    Queued,
    /// Handed to the SMTP server right now.
    Sending,
    Sent,
    /// Given up after the last retry; can be resent by hand.
    Failed,
    /// No SMTP server is configured: the message is kept here for the operator to read.
    Outbox,
}

impl MailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Queued => "queued",
            MailStatus::Sending => "sending",
            MailStatus::Sent => "sent",
            MailStatus::Failed => "failed",
            MailStatus::Outbox => "outbox",
        }
    }
    pub fn parse(s: &str) -> Option<MailStatus> {
        Some(match s {
            "queued" => MailStatus::Queued,
            "sending" => MailStatus::Sending,
            "sent" => MailStatus::Sent,
            "failed" => MailStatus::Failed,
            "outbox" => MailStatus::Outbox,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailMessage {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub status: MailStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(SurrealValue), surreal(crate = "surrealdb::types"))]
pub struct AuditEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor_email: String,
    pub issuer: Option<String>,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub ip: String,
}

/// Filters of the audit log. Empty strings mean "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditFilter {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    /// Issuer slug; only the operator may choose it, everybody else sees their current issuer.
    #[serde(default)]
    pub issuer: String,
    /// `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    pub from: String,
    /// `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    pub to: String,
}

impl AuditFilter {
    /// The filter as a query string, for the CSV export link.
    pub fn to_query(&self) -> String {
        let pairs = [
            ("actor", &self.actor),
            ("action", &self.action),
            ("issuer", &self.issuer),
            ("from", &self.from),
            ("to", &self.to),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", validate::url_encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// What a single-use e-mailed link is for, as shown before the person acts on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitationInfo {
    pub email: String,
    pub name: String,
    pub issuer_name: Option<String>,
    /// The person already has a password (invited to a further issuer): they only need to sign in.
    pub has_password: bool,
}

/// Facts for the dashboard of the current issuer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuerOverview {
    pub issuer: Issuer,
    pub members: usize,
    pub pending_invitations: usize,
    pub profile_missing: Vec<String>,
    pub recent: Vec<AuditEntry>,
}

/// Facts for the operator's home page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatorOverview {
    pub issuers: usize,
    pub users: usize,
    pub mail_waiting: usize,
    pub mail_failed: usize,
    pub smtp_configured: bool,
    pub recent: Vec<AuditEntry>,
}
