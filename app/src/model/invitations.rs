//! Invitation links for an order's CSR, as the order page lists them and as their recipient sees them.

use super::{KeyType, OrderStatus, Organisation, Profile};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where an invitation link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum InvitationState {
    /// Waiting for the recipient's CSR.
    Open,
    /// The recipient handed in the CSR (a link works once).
    Used,
    /// Not used within its lifetime.
    Expired,
    /// The order no longer waits for a CSR (given another way, cancelled, …).
    Closed,
}

impl InvitationState {
    /// Where a link stands at `now`. Used wins over everything; a link of an order that no longer waits for its
    /// CSR is closed even if it has also expired (a new link would not help).
    pub fn of(
        used_at: Option<DateTime<Utc>>,
        expires_at: DateTime<Utc>,
        order_status: OrderStatus,
        now: DateTime<Utc>,
    ) -> InvitationState {
        if used_at.is_some() {
            InvitationState::Used
        } else if order_status != OrderStatus::Draft {
            InvitationState::Closed
        } else if expires_at <= now {
            InvitationState::Expired
        } else {
            InvitationState::Open
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationState::Open => "open",
            InvitationState::Used => "used",
            InvitationState::Expired => "expired",
            InvitationState::Closed => "closed",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            InvitationState::Open => "Open",
            InvitationState::Used => "Used",
            InvitationState::Expired => "Expired",
            InvitationState::Closed => "Closed",
        }
    }
}

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 7;

/// The path of an invitation link; the token follows (`/csr-invite/{token}`).
pub const INVITATION_PATH: &str = "/csr-invite/";

/// An invitation link as listed on the order page (the link itself is only in the e-mail).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CsrInvitationInfo {
    pub email: String,
    pub name: String,
    /// Who sent it: their name, or their e-mail address.
    pub invited_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub state: InvitationState,
}

/// What the recipient of an invitation link sees (no account): what is being ordered and for whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InvitationView {
    pub state: InvitationState,
    pub order_number: String,
    pub organisation: Organisation,
    pub product_name: String,
    /// Server certificates name hosts (the CSR's CN and SANs); the others name mailboxes.
    pub profile: Profile,
    pub names: Vec<String>,
    /// The key types the product accepts.
    pub key_types: Vec<KeyType>,
    pub invited_name: String,
    pub invited_email: String,
    /// Who sent the link: their name, or their e-mail address.
    pub invited_by: String,
    pub invited_by_email: String,
    pub expires_at: DateTime<Utc>,
}
