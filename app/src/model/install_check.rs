//! The installation check of a live host, as TBS shows it: green, orange or red, with the reasons in words.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum CheckColour {
    /// The newest certificate for the name, its complete chain, not expiring soon.
    Green,
    /// Works today but needs attention: expiring within 30 days, an older version, the chain incomplete or out
    /// of order.
    Orange,
    /// Broken: expired, revoked, another certificate, a name mismatch, or unreachable.
    Red,
}

impl CheckColour {
    pub fn label(self) -> &'static str {
        match self {
            CheckColour::Green => "Green",
            CheckColour::Orange => "Orange",
            CheckColour::Red => "Red",
        }
    }
}

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InstallCheck {
    pub colour: CheckColour,
    pub host: String,
    pub port: u16,
    /// Why this colour, one sentence each (for green, what was found).
    pub reasons: Vec<String>,
    pub checked_at: DateTime<Utc>,
    /// The serial of the certificate the host served, if it served one.
    pub served_serial: Option<String>,
}

/// The check form: where to look, and whether Signet should keep looking.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckInput {
    /// A host name the certificate covers (empty: its first name).
    #[serde(default)]
    pub host: String,
    /// Empty for 443.
    #[serde(default)]
    pub port: String,
    /// Check again every few hours and tell the contacts when the colour changes.
    #[serde(default)]
    pub monitor: bool,
}

/// The check panel: the last outcome and the settings it ran with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckPanel {
    pub host: String,
    pub port: u16,
    pub monitor: bool,
    pub last: Option<InstallCheck>,
}
