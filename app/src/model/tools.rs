//! The certificate tools: certificates made elsewhere (such as the self-signed tool's) kept for their expiry.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use surrealdb::types::SurrealValue;

/// A certificate kept only to watch its expiry. Signet holds the certificate, never its key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(SurrealValue), surreal(crate = "surrealdb::types"))]
pub struct TrackedCert {
    pub id: String,
    pub common_name: String,
    pub names: Vec<String>,
    /// The issuer's common name (the certificate's own for a self-signed one).
    pub issued_by: String,
    pub self_signed: bool,
    pub serial: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
    /// Whole days left when the list was read (negative once expired); the server's clock, not the browser's.
    /// Not stored: the service fills it in.
    #[cfg_attr(feature = "ssr", surreal(default))]
    pub days_left: i64,
}
