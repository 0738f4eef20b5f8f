//! Domain control validation as both sides see it: the methods, the reuse period, one name's validation
//! and the page behind an e-mailed link.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// How long a completed domain validation may be reused for another order (BR 4.2.1, ballot SC-081).
pub fn dcv_reuse_days(day: NaiveDate) -> i64 {
    [398, 200, 100, 10][super::orders::sc081_step(day)]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum DcvMethod {
    /// A file at http://{domain}/.well-known/pki-validation/{file} (BR 3.2.2.4.18).
    Http,
    /// A TXT record at _pki-validation.{domain} (BR 3.2.2.4.7).
    Dns,
    /// An approval link e-mailed to a constructed address such as admin@{domain} (BR 3.2.2.4.4),
    /// or to the mailbox itself for client and S/MIME certificates.
    Email,
}

impl DcvMethod {
    pub const ALL: [DcvMethod; 3] = [DcvMethod::Http, DcvMethod::Dns, DcvMethod::Email];
    pub fn as_str(self) -> &'static str {
        match self {
            DcvMethod::Http => "http",
            DcvMethod::Dns => "dns",
            DcvMethod::Email => "email",
        }
    }
    pub fn parse(s: &str) -> Option<DcvMethod> {
        DcvMethod::ALL.into_iter().find(|m| m.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            DcvMethod::Http => "HTTP file",
            DcvMethod::Dns => "DNS TXT record",
            DcvMethod::Email => "E-mail",
        }
    }
}

/// The local parts BR 3.2.2.4.4 allows for a constructed e-mail address.
pub const DCV_MAILBOXES: [&str; 5] = ["admin", "administrator", "webmaster", "hostmaster", "postmaster"];

/// The domain whose control is proved for `name`: a wildcard is validated at its base domain.
pub fn authorization_domain(name: &str) -> &str {
    name.strip_prefix("*.").unwrap_or(name)
}

/// The DCV choice for one name: the method, and for e-mail the address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DcvChoice {
    pub name: String,
    pub method: DcvMethod,
    /// For e-mail: the local part (admin, administrator, …) for domains, ignored for mailboxes.
    #[serde(default)]
    pub mailbox: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum DcvStatus {
    Pending,
    Valid,
    Failed,
}

impl DcvStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DcvStatus::Pending => "pending",
            DcvStatus::Valid => "valid",
            DcvStatus::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<DcvStatus> {
        [DcvStatus::Pending, DcvStatus::Valid, DcvStatus::Failed].into_iter().find(|d| d.as_str() == s)
    }
}

/// One name's validation with the instructions for its method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DcvView {
    pub name: String,
    pub method: DcvMethod,
    pub status: DcvStatus,
    /// HTTP: the URL the file must be served at, and its content.
    pub http_url: String,
    /// The random value: the file's content (HTTP) or the TXT record's value (DNS).
    pub token: String,
    /// DNS: the record name.
    pub dns_name: String,
    /// E-mail: where the approval link went (or will go).
    pub email_to: Option<String>,
    /// E-mail: the addresses that may be chosen.
    pub email_choices: Vec<String>,
    pub checks: i64,
    pub last_checked_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub validated_at: Option<DateTime<Utc>>,
    /// Validated by an earlier order of the same client, within the reuse period.
    pub reused: bool,
    /// ACME: the challenge the client answered (`http-01`, `dns-01`, `tls-alpn-01`), once it has.
    #[serde(default)]
    pub acme_challenge: Option<String>,
}

impl DcvView {
    /// The method column: the ACME challenge when one was answered, else the method.
    pub fn method_label(&self, acme: bool) -> String {
        match (&self.acme_challenge, acme) {
            (Some(challenge), _) => format!("ACME {challenge}"),
            (None, true) => "ACME challenge".into(),
            (None, false) => self.method.label().into(),
        }
    }
}

/// The read-only page behind an e-mailed DCV link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailDcvInfo {
    pub domain: String,
    pub order_number: String,
    pub organisation: String,
    pub names: Vec<String>,
    pub sent_to: String,
    /// "pending", "valid" or "expired".
    pub state: String,
}
