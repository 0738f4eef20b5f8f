//! TLS and S/MIME certificates: the CA hierarchy, products, orders and their status page, CSR checks. Domain
//! control validation is in `dcv`, invitation links in `invitations`, the rules for typed names in `names`.

use super::{CsrInvitationInfo, DcvChoice, DcvMethod, DcvView};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What a certificate is for; decides key usage, extended key usage and what kind of names it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Profile {
    /// TLS server, domain validated (CA/B Forum 2.23.140.1.2.1).
    ServerDv,
    /// TLS server, organisation validated (2.23.140.1.2.2): the subject names the organisation.
    ServerOv,
    /// TLS client authentication; the names are e-mail addresses.
    Client,
    /// S/MIME (e-mail protection); the names are e-mail addresses.
    Smime,
}

impl Profile {
    pub const ALL: [Profile; 4] = [Profile::ServerDv, Profile::ServerOv, Profile::Client, Profile::Smime];
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::ServerDv => "server_dv",
            Profile::ServerOv => "server_ov",
            Profile::Client => "client",
            Profile::Smime => "smime",
        }
    }
    pub fn parse(s: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Profile::ServerDv => "TLS server, domain validated (DV)",
            Profile::ServerOv => "TLS server, organisation validated (OV)",
            Profile::Client => "TLS client",
            Profile::Smime => "S/MIME (e-mail)",
        }
    }
    /// Server certificates name hosts; the others name mailboxes.
    pub fn is_server(self) -> bool {
        matches!(self, Profile::ServerDv | Profile::ServerOv)
    }
}

/// Key types a product accepts. `Rsa` means RSA with a modulus of at least 2048 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum KeyType {
    Rsa,
    P256,
    P384,
}

impl KeyType {
    pub const ALL: [KeyType; 3] = [KeyType::Rsa, KeyType::P256, KeyType::P384];
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::Rsa => "rsa",
            KeyType::P256 => "p256",
            KeyType::P384 => "p384",
        }
    }
    pub fn parse(s: &str) -> Option<KeyType> {
        KeyType::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            KeyType::Rsa => "RSA (2048 bits or more)",
            KeyType::P256 => "ECDSA P-256",
            KeyType::P384 => "ECDSA P-384",
        }
    }
}

/// Which step of ballot SC-081's schedule `day` falls in: 0 before 2026-03-15, then 1, 2, and 3 from
/// 2029-03-15. The certificate validity and the validation reuse limits change on the same days.
pub fn sc081_step(day: NaiveDate) -> usize {
    let at = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN);
    [at(2026, 3, 15), at(2027, 3, 15), at(2029, 3, 15)].iter().filter(|step| day >= **step).count()
}

/// The longest validity the CA/Browser Forum allows for a TLS server certificate issued on `day`
/// (Baseline Requirements 6.3.2, ballot SC-081).
pub fn max_server_validity_days(day: NaiveDate) -> u32 {
    [398, 200, 100, 47][sc081_step(day)]
}

/// A product: what an issuer's customers can order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Product {
    pub id: String,
    pub name: String,
    pub profile: Profile,
    pub wildcard: bool,
    pub max_names: u32,
    pub validity_days: Vec<u32>,
    pub key_types: Vec<KeyType>,
    pub auto_approve: bool,
    pub active: bool,
    /// The renewal window: from this many days before a certificate's expiry …
    pub renew_before_days: u32,
    /// … to this many days after it.
    pub renew_after_days: u32,
    /// New certificates of this product renew themselves unless someone turns it off.
    pub auto_renew_default: bool,
}

/// The renewal window products have unless the operator sets another (30 days either side of expiry).
pub const DEFAULT_RENEW_DAYS: u32 = 30;

fn default_renew_days() -> u32 {
    DEFAULT_RENEW_DAYS
}

/// The operator's product form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductInput {
    pub name: String,
    pub profile: Profile,
    pub wildcard: bool,
    pub max_names: u32,
    /// Comma-separated day counts, e.g. "90, 200".
    pub validity_days: String,
    pub key_types: Vec<KeyType>,
    pub auto_approve: bool,
    pub active: bool,
    #[serde(default = "default_renew_days")]
    pub renew_before_days: u32,
    #[serde(default = "default_renew_days")]
    pub renew_after_days: u32,
    #[serde(default)]
    pub auto_renew_default: bool,
}

/// A CA certificate of the hierarchy, as the operator sees it. Never carries key material.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaInfo {
    pub id: String,
    pub slug: String,
    pub name: String,
    /// "root" or "intermediate".
    pub kind: String,
    pub issuer_name: Option<String>,
    pub subject: String,
    pub key_alg: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub imported: bool,
    /// SHA-256 of the certificate, hex with colons.
    pub fingerprint: String,
    /// Set once the operator revoked this issuing CA.
    #[serde(default)]
    pub revoked: Option<(DateTime<Utc>, String)>,
}

/// The operator's CA page: the hierarchy and which issuers still lack an intermediate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaOverview {
    pub cas: Vec<CaInfo>,
    /// (issuer id, issuer name) of issuers without an issuing intermediate.
    pub issuers_without_ca: Vec<(String, String)>,
    /// The root's ARL: when it was signed, until when it is valid, and the whole days left then (the
    /// server's clock); None until the operator signs one.
    #[serde(default)]
    pub arl: Option<(DateTime<Utc>, DateTime<Utc>, i64)>,
}

/// Importing an existing CA: certificate and key in PEM; the key may be an encrypted PKCS#8 file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CaImport {
    /// Empty for a root; otherwise the issuer whose issuing CA this is.
    pub issuer_id: String,
    pub cert_pem: String,
    pub key_pem: String,
    #[serde(default)]
    pub key_password: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum OrderStatus {
    /// The CSR is missing.
    Draft,
    PendingApproval,
    AwaitingValidation,
    Issued,
    Rejected,
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 6] = [
        OrderStatus::Draft,
        OrderStatus::PendingApproval,
        OrderStatus::AwaitingValidation,
        OrderStatus::Issued,
        OrderStatus::Rejected,
        OrderStatus::Cancelled,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Draft => "draft",
            OrderStatus::PendingApproval => "pending_approval",
            OrderStatus::AwaitingValidation => "awaiting_validation",
            OrderStatus::Issued => "issued",
            OrderStatus::Rejected => "rejected",
            OrderStatus::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|o| o.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::Draft => "Draft (CSR missing)",
            OrderStatus::PendingApproval => "Pending approval",
            OrderStatus::AwaitingValidation => "Awaiting validation",
            OrderStatus::Issued => "Issued",
            OrderStatus::Rejected => "Rejected",
            OrderStatus::Cancelled => "Cancelled",
        }
    }
    /// Whether the order can still change (CSR, DCV method, cancel).
    pub fn open(self) -> bool {
        matches!(self, OrderStatus::Draft | OrderStatus::PendingApproval | OrderStatus::AwaitingValidation)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Contact {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

/// The ordering organisation as the client record has it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Organisation {
    pub name: String,
    pub registration_number: String,
    pub address: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
}

/// Organisation and contacts of an order, snapshotted when the order is placed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderParties {
    pub organisation: Organisation,
    pub corporate: Contact,
    pub technical: Contact,
}

/// A new order, from the wizard or the REST API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderInput {
    pub client_id: String,
    pub product_id: String,
    pub validity_days: u32,
    /// One name per line (or comma-separated); checked against the product.
    pub names: String,
    pub corporate: Contact,
    pub technical: Contact,
    /// PEM or base64 DER; empty to submit the CSR later.
    #[serde(default)]
    pub csr: String,
    /// Per name; names without a choice get `default_dcv`.
    #[serde(default)]
    pub dcv: Vec<DcvChoice>,
    #[serde(default = "default_dcv")]
    pub default_dcv: DcvMethod,
    /// More addresses for the expiry reminders, one per line (or comma-separated).
    #[serde(default)]
    pub notify: String,
}

/// The extra reminder addresses of an order as typed: each a valid address, each once, at most ten.
pub fn parse_notify(text: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for part in text.split(|c: char| c == ',' || c == ';' || c.is_whitespace()).filter(|p| !p.is_empty()) {
        let address = super::validate::normalize_email(part);
        if let Some(problem) = super::validate::email(&address) {
            return Err(format!("{part}: {problem}"));
        }
        if !out.contains(&address) {
            out.push(address);
        }
    }
    if out.len() > 10 {
        return Err("At most ten more addresses.".into());
    }
    Ok(out)
}

fn default_dcv() -> DcvMethod {
    DcvMethod::Dns
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum CheckLevel {
    Pass,
    Warning,
    Fail,
}

/// One line of the CSR check list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CsrCheck {
    pub label: String,
    pub level: CheckLevel,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Likeness {
    Same,
    Similar,
    Different,
}

impl Likeness {
    pub fn label(self) -> &'static str {
        match self {
            Likeness::Same => "same",
            Likeness::Similar => "similar",
            Likeness::Different => "different",
        }
    }
}

/// A subject field of the CSR beside the organisation's data. Never blocks the order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SubjectComparison {
    pub field: String,
    pub in_csr: String,
    pub in_organisation: String,
    pub likeness: Likeness,
}

/// What the CSR checks found. `accepted` is false when any check failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CsrReport {
    pub accepted: bool,
    pub checks: Vec<CsrCheck>,
    pub subject: Vec<SubjectComparison>,
    /// e.g. "ECDSA P-256" or "RSA 3072".
    pub key: String,
    pub names: Vec<String>,
}

impl CsrReport {
    pub fn failures(&self) -> Vec<String> {
        self.checks.iter().filter(|c| c.level == CheckLevel::Fail).map(|c| c.message.clone()).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderEvent {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    pub detail: String,
}

/// An issued certificate as shown on an order and in lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IssuedCert {
    pub id: String,
    /// Hex, upper case, colon-free.
    pub serial: String,
    pub subject: String,
    pub names: Vec<String>,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub pem: String,
    /// The issuing CA's slug (for the /pki/ URLs).
    pub ca: String,
    /// When and why it was revoked.
    #[serde(default)]
    pub revoked: Option<(DateTime<Utc>, super::RevocationReason)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum StepState {
    Done,
    Current,
    Waiting,
    Failed,
    Skipped,
}

/// One step of the progress tracker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProgressStep {
    pub label: String,
    pub state: StepState,
    pub detail: String,
}

/// Everything the status page shows. `actions` says what the viewer may do now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderView {
    pub id: String,
    pub number: String,
    pub status: OrderStatus,
    pub client_id: String,
    pub client_name: String,
    pub product_name: String,
    pub profile: Profile,
    /// The key types the product accepts, so that the browser offers only those when it generates a key.
    pub key_types: Vec<KeyType>,
    pub validity_days: u32,
    pub names: Vec<String>,
    pub parties: OrderParties,
    pub csr_pem: Option<String>,
    pub csr_report: Option<CsrReport>,
    pub dcv: Vec<DcvView>,
    pub progress: Vec<ProgressStep>,
    pub events: Vec<OrderEvent>,
    pub reason: Option<String>,
    pub failure: Option<String>,
    pub certificate: Option<IssuedCert>,
    /// Placed over ACME: its client hands in the CSR and answers the challenges, so the page offers neither.
    #[serde(default)]
    pub acme: bool,
    /// More addresses that get the expiry reminders.
    #[serde(default)]
    pub notify: Vec<String>,
    /// Path of the read-only tracking page (`/track/{token}`); absent on the tracking page itself.
    pub tracking_path: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub actions: OrderActions,
    /// Invitation links sent for this order's CSR, newest first; empty on the tracking page.
    #[serde(default)]
    pub invitations: Vec<CsrInvitationInfo>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderActions {
    pub submit_csr: bool,
    pub change_dcv: bool,
    pub approve: bool,
    pub cancel: bool,
    /// Send an invitation link so that someone else generates the key and CSR (the order waits for its CSR).
    #[serde(default)]
    pub invite: bool,
}

/// One line of an order list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderSummary {
    pub id: String,
    pub number: String,
    pub status: OrderStatus,
    pub client_name: String,
    pub product_name: String,
    pub names: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

/// What the order wizard needs: products, the clients the viewer may order for, and the CA/B limit today.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderSetup {
    pub products: Vec<Product>,
    /// (id, name, organisation) of the clients the viewer may order for.
    pub clients: Vec<OrderClient>,
    pub max_server_days: u32,
    /// Whether an issuing CA exists for this issuer (otherwise nothing can be issued yet).
    pub ca_ready: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderClient {
    pub id: String,
    pub organisation: Organisation,
    pub contact: Contact,
}

/// An API key as listed in the profile; the secret itself is shown once, at creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyInfo {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub issuer_name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A customer of a client (a person who orders for that client).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub pending: bool,
}
