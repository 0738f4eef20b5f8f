//! Renewal: the product's window around a certificate's expiry, the choice of CSR for the new order, and the
//! versions a certificate has (each renewal is a new certificate linked to the one it replaces).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a certificate stands for renewal, as its page says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenewalState {
    /// Inside the product's window: **Renew** places the new order.
    Open,
    /// Before the window: it opens on `opens_at`.
    NotYet,
    /// After the window: a new order is needed.
    Closed,
    /// A renewal order was placed (see `renewed_by`).
    Renewed,
    /// Revoked certificates are not renewed; a new order (or a reissue) replaces them.
    Revoked,
    /// Placed over ACME: its ACME client renews it, told when by renewal information.
    ByAcme,
    /// Marked **Do not renew**: no renewal and no reminders until that is undone.
    DoNotRenew,
}

/// The renewal panel of a certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenewalInfo {
    pub state: RenewalState,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// The order that renews this certificate, once placed (its id and number).
    pub renewed_by: Option<(String, String)>,
    /// The original order kept its CSR, so the renewal can reuse it.
    pub same_csr: bool,
    /// Signet places the renewal itself when the window opens (the certificate's own choice, else that of the
    /// certificate it renews, else the product's default).
    pub auto_renew: bool,
}

impl RenewalInfo {
    /// The sentence beside (or instead of) the **Renew** button.
    pub fn explanation(&self) -> String {
        let day = |t: DateTime<Utc>| t.format("%Y-%m-%d").to_string();
        match self.state {
            RenewalState::Open => format!("Renewal is open until {}.", day(self.closes_at)),
            RenewalState::NotYet => format!("Renewal opens on {}.", day(self.opens_at)),
            RenewalState::Closed => {
                format!("The renewal period ended on {}: place a new order.", day(self.closes_at))
            }
            RenewalState::Renewed => match &self.renewed_by {
                Some((_, number)) => format!("Renewed by order {number}."),
                None => "Renewed.".into(),
            },
            RenewalState::Revoked => "A revoked certificate is not renewed: place a new order.".into(),
            RenewalState::ByAcme => "Its ACME client renews it; Signet's renewal information tells it when.".into(),
            RenewalState::DoNotRenew => "Marked \"do not renew\": no renewal and no reminders.".into(),
        }
    }
}

/// Which CSR the renewal order gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenewCsr {
    /// The CSR of the certificate being renewed (same key), as control panels renew.
    #[default]
    Same,
    /// A new CSR, pasted or from a file (`csr`).
    New,
    /// None yet: the new order waits for its CSR (made in the browser, or by an invitation link).
    Later,
}

/// The **Renew** form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RenewInput {
    #[serde(default)]
    pub csr_choice: RenewCsr,
    /// PEM or base64 DER, for `RenewCsr::New`.
    #[serde(default)]
    pub csr: String,
}

/// One certificate in the line of renewals, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateVersion {
    pub id: String,
    pub serial: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub order_id: String,
    pub order_number: String,
    /// The certificate whose page this is.
    pub current: bool,
}

/// A certificate's renewal choices, as the page and `PUT /certificates/{id}/auto-renew` set them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalChoices {
    #[serde(default)]
    pub auto_renew: bool,
    #[serde(default)]
    pub do_not_renew: bool,
}

/// An expiry notice sent for a certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpiryNotice {
    /// The threshold it was sent for: days before expiry, 0 for the one at expiry.
    pub days: i64,
    pub sent_to: Vec<String>,
    pub sent_at: DateTime<Utc>,
}

/// Reminder days as an issuer admin types them ("30, 14, 7, 1"): each from 1 to 365, each once, largest first.
pub fn parse_notice_days(text: &str) -> Result<Vec<i64>, String> {
    let mut days = Vec::new();
    for part in text.split(|c: char| c == ',' || c.is_whitespace()).filter(|p| !p.is_empty()) {
        match part.parse::<i64>() {
            Ok(d) if (1..=365).contains(&d) => {
                if !days.contains(&d) {
                    days.push(d);
                }
            }
            _ => return Err(format!("\"{part}\" is not a number of days from 1 to 365.")),
        }
    }
    if days.len() > 10 {
        return Err("At most 10 reminders.".into());
    }
    days.sort_unstable_by(|a, b| b.cmp(a));
    Ok(days)
}

/// Why a certificate is reissued (CERTInext's and TBS's reasons).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ReissueReason {
    /// The private key was lost or compromised.
    #[default]
    KeyLost,
    NamesChanged,
    KeyTypeChanged,
    Other,
}

impl ReissueReason {
    pub const ALL: [ReissueReason; 4] =
        [ReissueReason::KeyLost, ReissueReason::NamesChanged, ReissueReason::KeyTypeChanged, ReissueReason::Other];
    pub fn as_str(self) -> &'static str {
        match self {
            ReissueReason::KeyLost => "key_lost",
            ReissueReason::NamesChanged => "names_changed",
            ReissueReason::KeyTypeChanged => "key_type_changed",
            ReissueReason::Other => "other",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ReissueReason::KeyLost => "Lost or compromised key",
            ReissueReason::NamesChanged => "Change of names",
            ReissueReason::KeyTypeChanged => "Change of key type",
            ReissueReason::Other => "Other",
        }
    }
}

/// What happens to the certificate being reissued.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OldCertificate {
    /// It stays valid until it expires.
    #[default]
    Keep,
    /// Revoked as the reissue is placed.
    RevokeNow,
    /// Revoked at the start (UTC) of `revoke_on`, at most 30 days ahead.
    RevokeOn,
}

/// The **Reissue** form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReissueInput {
    #[serde(default)]
    pub reason: ReissueReason,
    /// Required for `Other`.
    #[serde(default)]
    pub reason_text: String,
    /// One per line; empty keeps the certificate's names.
    #[serde(default)]
    pub names: String,
    /// PEM or base64 DER; empty to hand it in later (made in the browser, or by an invitation link).
    #[serde(default)]
    pub csr: String,
    #[serde(default)]
    pub old: OldCertificate,
    /// `YYYY-MM-DD`, for `OldCertificate::RevokeOn`.
    #[serde(default)]
    pub revoke_on: String,
}

/// A reissue may put the original's revocation at most this many days ahead.
pub const REVOKE_LATER_MAX_DAYS: i64 = 30;
