//! ACME external account bindings and accounts, as issuer admins see them in the portal and over REST.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A new binding: which client may order which products over ACME.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AcmeBindingInput {
    pub client_id: String,
    /// The product ordered when the ACME client names no profile.
    pub product_id: String,
    /// Further products the client may choose as ACME profiles.
    #[serde(default)]
    pub more_product_ids: Vec<String>,
    /// What the binding is for ("web servers of the shop"); shown in the list.
    #[serde(default)]
    pub label: String,
}

/// What creating a binding hands out, once: the HMAC key is not shown again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AcmeBindingCreated {
    pub kid: String,
    /// base64url, as certbot's --eab-hmac-key and lego's --hmac take it.
    pub hmac_key: String,
    pub directory_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AcmeAccountInfo {
    pub id: String,
    /// "valid", "deactivated" or "revoked".
    pub status: String,
    pub contact: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AcmeBindingInfo {
    pub kid: String,
    pub client_id: String,
    pub client_name: String,
    /// Product names; the first is the default.
    pub products: Vec<String>,
    pub label: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub accounts: Vec<AcmeAccountInfo>,
}

/// The ACME page: where clients point, and the issuer's bindings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcmeOverview {
    pub directory_url: String,
    pub bindings: Vec<AcmeBindingInfo>,
}
