//! ACME problem documents (RFC 8555 6.7, RFC 7807): every refusal names the RFC's error type and says in
//! `detail` what the client's operator can do about it.

use crate::error::AppError;
use serde::Serialize;

/// The error types of RFC 8555 6.7 Signet answers with, plus `invalidProfile` (draft-ietf-acme-profiles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemType {
    AccountDoesNotExist,
    AlreadyReplaced,
    AlreadyRevoked,
    BadCsr,
    BadNonce,
    BadPublicKey,
    BadRevocationReason,
    BadSignatureAlgorithm,
    Connection,
    Dns,
    ExternalAccountRequired,
    IncorrectResponse,
    InvalidContact,
    InvalidProfile,
    Malformed,
    OrderNotReady,
    RateLimited,
    RejectedIdentifier,
    ServerInternal,
    Unauthorized,
    UnsupportedIdentifier,
}

impl ProblemType {
    pub fn urn(self) -> &'static str {
        use ProblemType::*;
        match self {
            AccountDoesNotExist => "urn:ietf:params:acme:error:accountDoesNotExist",
            AlreadyReplaced => "urn:ietf:params:acme:error:alreadyReplaced",
            AlreadyRevoked => "urn:ietf:params:acme:error:alreadyRevoked",
            BadCsr => "urn:ietf:params:acme:error:badCSR",
            BadNonce => "urn:ietf:params:acme:error:badNonce",
            BadPublicKey => "urn:ietf:params:acme:error:badPublicKey",
            BadRevocationReason => "urn:ietf:params:acme:error:badRevocationReason",
            BadSignatureAlgorithm => "urn:ietf:params:acme:error:badSignatureAlgorithm",
            Connection => "urn:ietf:params:acme:error:connection",
            Dns => "urn:ietf:params:acme:error:dns",
            ExternalAccountRequired => "urn:ietf:params:acme:error:externalAccountRequired",
            IncorrectResponse => "urn:ietf:params:acme:error:incorrectResponse",
            InvalidContact => "urn:ietf:params:acme:error:invalidContact",
            InvalidProfile => "urn:ietf:params:acme:error:invalidProfile",
            Malformed => "urn:ietf:params:acme:error:malformed",
            OrderNotReady => "urn:ietf:params:acme:error:orderNotReady",
            RateLimited => "urn:ietf:params:acme:error:rateLimited",
            RejectedIdentifier => "urn:ietf:params:acme:error:rejectedIdentifier",
            ServerInternal => "urn:ietf:params:acme:error:serverInternal",
            Unauthorized => "urn:ietf:params:acme:error:unauthorized",
            UnsupportedIdentifier => "urn:ietf:params:acme:error:unsupportedIdentifier",
        }
    }

    /// The HTTP status the RFC's examples and the common servers use for this type.
    pub fn status(self) -> u16 {
        use ProblemType::*;
        match self {
            Unauthorized | OrderNotReady => 403,
            RateLimited => 429,
            AlreadyReplaced => 409,
            ServerInternal => 500,
            _ => 400,
        }
    }
}

/// A problem document. `status` is usually the type's; "no such resource" is a `malformed` with 404.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub detail: String,
    pub status: u16,
    /// Seconds, for `rateLimited` (sent as `Retry-After`, not in the document).
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(kind: ProblemType, detail: impl Into<String>) -> Problem {
        Problem { kind: kind.urn(), detail: detail.into(), status: kind.status(), retry_after: None }
    }

    pub fn malformed(detail: impl Into<String>) -> Problem {
        Problem::new(ProblemType::Malformed, detail)
    }

    pub fn not_found(what: &str) -> Problem {
        Problem { status: 404, ..Problem::malformed(format!("There is no such {what}, or it is not this account's.")) }
    }

    pub fn rate_limited(detail: impl Into<String>, retry_after: u64) -> Problem {
        Problem { retry_after: Some(retry_after), ..Problem::new(ProblemType::RateLimited, detail) }
    }

    pub fn is(&self, kind: ProblemType) -> bool {
        self.kind == kind.urn()
    }
}

pub type AcmeResult<T> = Result<T, Problem>;

/// The services' errors as ACME sees them. A refused input keeps its message, which was written for people.
impl From<AppError> for Problem {
    fn from(e: AppError) -> Problem {
        match e {
            AppError::NotFound => Problem::not_found("resource"),
            AppError::Unauthenticated | AppError::Forbidden => Problem::new(ProblemType::Unauthorized, e.to_string()),
            AppError::Invalid(_) | AppError::Refused(_) => Problem::malformed(e.to_string()),
            AppError::Conflict(m) => Problem { status: 409, ..Problem::malformed(m) },
            AppError::Internal | AppError::InternalLogged(_) | AppError::Transport(_) => Problem::new(
                ProblemType::ServerInternal,
                "Something went wrong on the server; try again, and tell the CA's operator if it keeps happening.",
            ),
        }
    }
}
