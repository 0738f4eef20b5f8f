//! Trust seals: the catalogue, clients, domains, seal certificates and copy attempts.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use surrealdb::types::SurrealValue;

/// A certificate group (operator-managed; read-only for issuers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(SurrealValue), surreal(crate = "surrealdb::types"))]
pub struct CertGroup {
    pub id: String,
    pub name: String,
    pub description: String,
    pub types: usize,
}

/// A certificate type with its levels and the look of its seal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(SurrealValue), surreal(crate = "surrealdb::types"))]
pub struct CertType {
    pub id: String,
    pub name: String,
    pub description: String,
    pub group_id: Option<String>,
    pub group_name: Option<String>,
    pub levels: Vec<String>,
    /// The seal's headline, such as "Verified business".
    pub seal_title: String,
    /// A second line on the seal, such as "Trusted shop".
    pub seal_subtitle: String,
    /// `#rrggbb`
    pub seal_color: String,
    /// `#rrggbb`
    pub seal_text_color: String,
}

/// The catalogue as the pages load it, with the server's today (the day every validity is counted from).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub groups: Vec<CertGroup>,
    pub types: Vec<CertType>,
    pub today: NaiveDate,
}

/// The operator's form for a certificate type. `levels` is one level per line.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CertTypeInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub group_id: String,
    #[serde(default)]
    pub levels: String,
    pub seal_title: String,
    #[serde(default)]
    pub seal_subtitle: String,
    pub seal_color: String,
    pub seal_text_color: String,
}

impl CertTypeInput {
    pub fn level_list(&self) -> Vec<String> {
        self.levels.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
    }
}

/// A client business of an issuer: the owner of seal certificates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(SurrealValue), surreal(crate = "surrealdb::types"))]
pub struct Client {
    pub id: String,
    pub name: String,
    pub path: String,
    pub registration_number: String,
    pub address: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    pub industry: String,
    pub contact_person: String,
    pub email: String,
    pub phone: String,
    pub created_at: DateTime<Utc>,
}

/// The client form (step 1 of the wizard, and "Edit").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientInput {
    pub name: String,
    pub path: String,
    #[serde(default)]
    pub registration_number: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub industry: String,
    #[serde(default)]
    pub contact_person: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

impl From<&Client> for ClientInput {
    fn from(c: &Client) -> Self {
        ClientInput {
            name: c.name.clone(),
            path: c.path.clone(),
            registration_number: c.registration_number.clone(),
            address: c.address.clone(),
            city: c.city.clone(),
            postal_code: c.postal_code.clone(),
            country: c.country.clone(),
            industry: c.industry.clone(),
            contact_person: c.contact_person.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
        }
    }
}

/// One line of the client list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientSummary {
    pub id: String,
    pub name: String,
    pub path: String,
    pub city: String,
    pub email: String,
    pub domains: usize,
    pub seals: usize,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

impl<T> Page<T> {
    pub fn pages(&self) -> usize {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }
}

/// A web site of a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Domain {
    pub id: String,
    /// The ASCII form (punycode for international names): what browsers report and what is matched.
    pub host: String,
    /// The form people read: Unicode for international names.
    pub display: String,
    pub description: String,
}

/// Where a seal certificate stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SealState {
    /// Valid from a later day.
    Upcoming,
    Valid,
    /// Valid, with valid-to within 30 days.
    Expiring,
    Expired,
    /// Ended early by "Invalidate".
    Invalidated,
}

/// "Expiring" means valid-to within this many days.
pub const EXPIRING_DAYS: u64 = 30;

impl SealState {
    /// The state on `today` of a certificate valid from `from` to `to`, both days included.
    pub fn on(today: NaiveDate, from: NaiveDate, to: NaiveDate, invalidated: bool) -> SealState {
        if to < today {
            if invalidated {
                SealState::Invalidated
            } else {
                SealState::Expired
            }
        } else if from > today {
            SealState::Upcoming
        } else if to <= today.checked_add_days(Days::new(EXPIRING_DAYS)).unwrap_or(today) {
            SealState::Expiring
        } else {
            SealState::Valid
        }
    }
    /// Whether the seal may be shown on a web site.
    pub fn shows(self) -> bool {
        matches!(self, SealState::Valid | SealState::Expiring)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            SealState::Upcoming => "upcoming",
            SealState::Valid => "valid",
            SealState::Expiring => "expiring",
            SealState::Expired => "expired",
            SealState::Invalidated => "invalidated",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SealState::Upcoming => "Not yet valid",
            SealState::Valid => "Valid",
            SealState::Expiring => "Expiring",
            SealState::Expired => "Expired",
            SealState::Invalidated => "Invalidated",
        }
    }
    pub fn parse(s: &str) -> Option<SealState> {
        Some(match s {
            "upcoming" => SealState::Upcoming,
            "valid" => SealState::Valid,
            "expiring" => SealState::Expiring,
            "expired" => SealState::Expired,
            "invalidated" => SealState::Invalidated,
            _ => return None,
        })
    }
    pub const ALL: [SealState; 5] =
        [SealState::Valid, SealState::Expiring, SealState::Upcoming, SealState::Expired, SealState::Invalidated];
}

/// A seal certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Seal {
    /// Also the public seal id in `/seal/{id}.js`.
    pub id: String,
    pub client_id: String,
    pub client_name: String,
    pub type_id: String,
    pub type_name: String,
    pub level: String,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub state: SealState,
    pub domains: Vec<Domain>,
    pub created_at: DateTime<Utc>,
}

/// The seal certificate form. Dates are `YYYY-MM-DD` as a date input sends them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SealInput {
    pub type_id: String,
    #[serde(default)]
    pub level: String,
    pub valid_from: String,
    pub valid_to: String,
    /// Domain ids.
    #[serde(default)]
    pub domains: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(SurrealValue), surreal(crate = "surrealdb::types"))]
pub struct SealHistoryEntry {
    pub at: DateTime<Utc>,
    pub actor_email: String,
    pub action: String,
    pub valid_from: String,
    pub valid_to: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CopyAttempt {
    pub at: DateTime<Utc>,
    pub client_id: String,
    pub client_name: String,
    pub seal_id: String,
    pub host: String,
    pub page_url: String,
    pub user_agent: String,
}

/// Everything on a client's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientDetail {
    pub client: Client,
    pub domains: Vec<Domain>,
    pub seals: Vec<Seal>,
    pub copy_attempts: Vec<CopyAttempt>,
    pub activity: Vec<super::AuditEntry>,
    /// `/v/{issuer}/{path}` (or the issuer's own host), for the "Verified page" link.
    pub verified_url: String,
}

/// A seal certificate with its history, for its own page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SealDetail {
    pub seal: Seal,
    pub client_domains: Vec<Domain>,
    pub history: Vec<SealHistoryEntry>,
    /// The script snippets to copy, one per style.
    pub snippets: Vec<(String, String)>,
}

/// Filters of the certificate list; empty strings mean "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SealFilter {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub type_id: String,
    /// Client name (part of it).
    #[serde(default)]
    pub client: String,
    /// Valid-to from this day (`YYYY-MM-DD`), inclusive.
    #[serde(default)]
    pub expires_from: String,
    /// Valid-to up to this day, inclusive.
    #[serde(default)]
    pub expires_to: String,
    /// `valid_to` (default), `-valid_to`, `client`, `type`, `created`, `-created`.
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub page: usize,
}

impl SealFilter {
    /// The filter as a query string, for the CSV link and the pager.
    pub fn to_query(&self) -> String {
        let page = if self.page > 1 { self.page.to_string() } else { String::new() };
        let pairs = [
            ("state", &self.state),
            ("type_id", &self.type_id),
            ("client", &self.client),
            ("expires_from", &self.expires_from),
            ("expires_to", &self.expires_to),
            ("sort", &self.sort),
            ("page", &page),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", super::validate::url_encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// A client on the dashboard's expiry lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpiryEntry {
    pub client_id: String,
    pub client_name: String,
    pub seal_id: String,
    pub type_name: String,
    pub valid_to: NaiveDate,
    pub state: SealState,
}

/// The trust-seal part of the issuer dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SealOverview {
    /// (`YYYY-MM`, certificates created that month), oldest first, 12 entries.
    pub issued_per_month: Vec<(String, usize)>,
    /// The first page of them, soonest first.
    pub expiring_soon: Vec<ExpiryEntry>,
    /// All of them, however many pages.
    pub expiring_count: usize,
    pub recently_expired: Vec<ExpiryEntry>,
    pub clients: usize,
    pub valid_seals: usize,
}

/// The seal styles of the embeddable snippet.
pub const SEAL_STYLES: [(&str, &str); 3] = [
    ("rectangle", "Rectangle: fixed at the bottom right of the window"),
    ("classic", "Classic: inline where the script stands"),
    ("notary", "Notary: classic plus the company name and validity"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn states_follow_the_dates() {
        let today = d("2026-11-22");
        assert_eq!(SealState::on(today, d("2026-01-01"), d("2027-06-01"), false), SealState::Valid);
        assert_eq!(SealState::on(today, d("2026-01-01"), d("2026-12-22"), false), SealState::Expiring);
        assert_eq!(SealState::on(today, d("2026-01-01"), d("2026-12-23"), false), SealState::Valid);
        assert_eq!(SealState::on(today, d("2026-01-01"), d("2026-11-22"), false), SealState::Expiring);
        assert_eq!(SealState::on(today, d("2026-01-01"), d("2026-11-21"), false), SealState::Expired);
        assert_eq!(SealState::on(today, d("2026-01-01"), d("2026-11-21"), true), SealState::Invalidated);
        assert_eq!(SealState::on(today, d("2026-11-23"), d("2027-11-23"), false), SealState::Upcoming);
        assert!(SealState::Expiring.shows() && !SealState::Upcoming.shows() && !SealState::Invalidated.shows());
    }
}
