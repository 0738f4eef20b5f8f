//! Issued X.509 certificates after issuance: the inventory, the details page and revocation.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Why a certificate was revoked: the RFC 5280 reasons the Baseline Requirements (4.9.1.1, 7.2.2) allow for a
/// subscriber certificate. There is no certificateHold: revocation is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum RevocationReason {
    #[serde(rename = "unspecified")]
    Unspecified,
    #[serde(rename = "keyCompromise")]
    KeyCompromise,
    #[serde(rename = "affiliationChanged")]
    AffiliationChanged,
    #[serde(rename = "superseded")]
    Superseded,
    #[serde(rename = "cessationOfOperation")]
    CessationOfOperation,
    /// The CA withdraws the certificate (misuse, terms broken): issuer staff only.
    #[serde(rename = "privilegeWithdrawn")]
    PrivilegeWithdrawn,
}

impl RevocationReason {
    pub const ALL: [RevocationReason; 6] = [
        RevocationReason::Unspecified,
        RevocationReason::KeyCompromise,
        RevocationReason::AffiliationChanged,
        RevocationReason::Superseded,
        RevocationReason::CessationOfOperation,
        RevocationReason::PrivilegeWithdrawn,
    ];

    /// The name used in the REST API and stored: RFC 5280's, in camelCase.
    pub fn as_str(self) -> &'static str {
        match self {
            RevocationReason::Unspecified => "unspecified",
            RevocationReason::KeyCompromise => "keyCompromise",
            RevocationReason::AffiliationChanged => "affiliationChanged",
            RevocationReason::Superseded => "superseded",
            RevocationReason::CessationOfOperation => "cessationOfOperation",
            RevocationReason::PrivilegeWithdrawn => "privilegeWithdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<RevocationReason> {
        RevocationReason::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The CRLReason code of RFC 5280 5.3.1.
    pub fn code(self) -> u8 {
        match self {
            RevocationReason::Unspecified => 0,
            RevocationReason::KeyCompromise => 1,
            RevocationReason::AffiliationChanged => 3,
            RevocationReason::Superseded => 4,
            RevocationReason::CessationOfOperation => 5,
            RevocationReason::PrivilegeWithdrawn => 9,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RevocationReason::Unspecified => "Unspecified",
            RevocationReason::KeyCompromise => "Key compromise",
            RevocationReason::AffiliationChanged => "Affiliation changed",
            RevocationReason::Superseded => "Superseded",
            RevocationReason::CessationOfOperation => "Cessation of operation",
            RevocationReason::PrivilegeWithdrawn => "Privilege withdrawn",
        }
    }

    /// When a subscriber picks it (the Baseline Requirements' guidance, 4.9.1.1).
    pub fn hint(self) -> &'static str {
        match self {
            RevocationReason::Unspecified => "None of the other reasons applies.",
            RevocationReason::KeyCompromise => {
                "The private key was lost, stolen or may have been seen by someone else."
            }
            RevocationReason::AffiliationChanged => {
                "The organisation's name or other details in the certificate changed."
            }
            RevocationReason::Superseded => "The certificate was replaced by a new one.",
            RevocationReason::CessationOfOperation => "The domain or service is no longer used.",
            RevocationReason::PrivilegeWithdrawn => "The CA withdraws the certificate (terms broken, misuse).",
        }
    }

    /// Whether a customer may give this reason; privilegeWithdrawn is the CA's.
    pub fn for_customers(self) -> bool {
        self != RevocationReason::PrivilegeWithdrawn
    }
}

/// What a certificate is now, as a relying party would see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum CertState {
    Valid,
    /// Valid, and expires within 30 days.
    Expiring,
    Expired,
    Revoked,
}

impl CertState {
    pub const ALL: [CertState; 4] = [CertState::Valid, CertState::Expiring, CertState::Expired, CertState::Revoked];

    pub fn as_str(self) -> &'static str {
        match self {
            CertState::Valid => "valid",
            CertState::Expiring => "expiring",
            CertState::Expired => "expired",
            CertState::Revoked => "revoked",
        }
    }

    pub fn parse(s: &str) -> Option<CertState> {
        CertState::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            CertState::Valid => "Valid",
            CertState::Expiring => "Expiring in 30 days",
            CertState::Expired => "Expired",
            CertState::Revoked => "Revoked",
        }
    }

    pub fn of(now: DateTime<Utc>, not_after: DateTime<Utc>, revoked: bool) -> CertState {
        if revoked {
            CertState::Revoked
        } else if not_after <= now {
            CertState::Expired
        } else if not_after - now <= chrono::Duration::days(CERT_EXPIRING_DAYS) {
            CertState::Expiring
        } else {
            CertState::Valid
        }
    }
}

/// "Expiring" means within this many days.
pub const CERT_EXPIRING_DAYS: i64 = 30;

/// A revocation: when, why, by whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Revocation {
    pub revoked_at: DateTime<Utc>,
    pub reason: RevocationReason,
    pub comment: String,
    /// The e-mail address of the person (or the API key's owner) who revoked it.
    pub revoked_by: String,
}

/// What `POST /api/v1/certificates/{id}/revoke` and the page's confirmation send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RevokeInput {
    pub reason: RevocationReason,
    #[serde(default)]
    pub comment: String,
}

/// Where an inventory line comes from: issued by Signet, or handed in to be watched for its expiry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum CertSource {
    #[default]
    Issued,
    Watched,
}

impl CertSource {
    pub fn parse(s: &str) -> Option<CertSource> {
        match s {
            "issued" => Some(CertSource::Issued),
            "watched" => Some(CertSource::Watched),
            _ => None,
        }
    }
}

/// One line of the TLS certificates inventory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CertificateSummary {
    pub id: String,
    /// Hex, upper case, without colons.
    pub serial: String,
    pub common_name: String,
    pub names: Vec<String>,
    pub state: CertState,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub client_id: String,
    pub client_name: String,
    pub order_id: String,
    pub order_number: String,
    pub product_name: String,
    /// The issuing CA's slug.
    pub ca: String,
    /// For a watched certificate: when it was handed in.
    pub issued_at: DateTime<Utc>,
    pub revocation: Option<Revocation>,
    #[serde(default)]
    pub source: CertSource,
    /// A revocation scheduled by a reissue: when it happens.
    #[serde(default)]
    pub revocation_scheduled: Option<DateTime<Utc>>,
}

/// How the inventory is searched. Dates are `YYYY-MM-DD` (UTC), both ends included.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams, utoipa::ToSchema))]
pub struct CertificateFilter {
    /// A name (part of it), a serial (hex, with or without colons), an order number or a client's name.
    #[serde(default)]
    pub q: String,
    /// valid, expiring, expired or revoked.
    #[serde(default)]
    pub state: String,
    /// A product id.
    #[serde(default)]
    pub product: String,
    /// An issuing CA's slug.
    #[serde(default)]
    pub ca: String,
    /// `issued` (by Signet) or `watched` (handed in to be watched); both when empty.
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub issued_from: String,
    #[serde(default)]
    pub issued_to: String,
    /// One of `CertificateSort`'s names; newest issued first when empty.
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub desc: bool,
    /// 1-based (0 reads as 1); 50 certificates a page.
    #[serde(default)]
    pub page: usize,
}

/// The columns of the inventory a person may show or hide, in the order they appear.
pub const CERTIFICATE_COLUMNS: [(&str, &str); 9] = [
    ("common_name", "Common name"),
    ("names", "Names"),
    ("serial", "Serial"),
    ("client", "Client"),
    ("order", "Order"),
    ("product", "Product"),
    ("ca", "CA"),
    ("not_after", "Expires"),
    ("state", "State"),
];

/// Shown until a person chooses.
pub const DEFAULT_CERTIFICATE_COLUMNS: [&str; 6] = ["common_name", "names", "client", "order", "not_after", "state"];

/// The sort keys of the inventory.
pub const CERTIFICATE_SORTS: [&str; 5] = ["issued_at", "not_after", "common_name", "client", "serial"];

/// A certificate in the chain above a certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainEntry {
    pub subject: String,
    pub slug: String,
    pub not_after: DateTime<Utc>,
}

/// What a certificate says, read from its DER (for the details page).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateFacts {
    pub subject: String,
    pub issuer: String,
    /// For example "ECDSA P-256" or "RSA 2048".
    pub key_type: String,
    /// Upper-case hex with colons.
    pub sha256: String,
    pub sha1: String,
    pub key_usage: Vec<String>,
    pub extended_key_usage: Vec<String>,
    pub ocsp_urls: Vec<String>,
    pub ca_issuers_urls: Vec<String>,
    pub crl_urls: Vec<String>,
}

/// Everything the certificate details page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateDetail {
    pub summary: CertificateSummary,
    pub facts: CertificateFacts,
    pub days_left: i64,
    /// From the issuing CA up to the root.
    pub chain: Vec<ChainEntry>,
    pub pem: String,
    /// The order's history, oldest first.
    pub history: Vec<super::OrderEvent>,
    /// Whether the viewer may revoke it now, and the reasons they may give.
    pub can_revoke: bool,
    pub reasons: Vec<RevocationReason>,
    /// Issued certificates only; `None` for watched ones, which were issued elsewhere.
    #[serde(default)]
    pub renewal: Option<super::RenewalInfo>,
    /// The line of renewals this certificate is in, oldest first (just itself when never renewed).
    #[serde(default)]
    pub versions: Vec<super::CertificateVersion>,
    /// Reminders stopped (issued and watched certificates alike).
    #[serde(default)]
    pub do_not_renew: bool,
    /// The expiry notices sent, oldest first.
    #[serde(default)]
    pub notices: Vec<super::ExpiryNotice>,
    /// Issued certificates only: the installation check's settings and last outcome.
    #[serde(default)]
    pub check: Option<super::CheckPanel>,
}
