//! One error type for the whole app. Every variant's text is something a person can act on; details that
//! only an operator needs go to the server log, never to the page.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A problem with one form field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// The same answer whether the thing does not exist or belongs to somebody else, so that nothing leaks.
    #[error("Not found, or you are not allowed to see it.")]
    NotFound,
    /// Signed in, but the role does not allow this (the thing itself may exist: no secret is kept by hiding it).
    #[error("Your role does not allow this. Ask an admin of your issuer, or the operator, if you need it.")]
    Forbidden,
    #[error("{}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" "))]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Refused(String),
    #[error("Something went wrong on our side. Please try again; if it keeps happening, tell the operator.")]
    Internal,
    /// `Internal` as a page receives it: with the id under which the server logged the cause.
    #[error(
        "Something went wrong on our side (request {0}). Please try again; if it keeps happening, tell the operator \
         this request number."
    )]
    InternalLogged(String),
    #[error("The server could not be reached or answered oddly ({0}). Check your connection and try again.")]
    Transport(String),
}

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError { field: field.into(), message: message.into() }])
    }

    /// The HTTP status this error is answered with: 401 not signed in, 403 no right, 404 not found (or not
    /// yours), 409 conflict, 422 refused input, 500 a bug.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::Invalid(_) | AppError::Refused(_) => 422,
            AppError::Internal | AppError::InternalLogged(_) | AppError::Transport(_) => 500,
        }
    }

    /// The message for one field, if this error is about that field.
    pub fn for_field(&self, field: &str) -> Option<String> {
        match self {
            AppError::Invalid(errors) => errors.iter().find(|e| e.field == field).map(|e| e.message.clone()),
            _ => None,
        }
    }
}

/// Collects field problems; `finish` turns them into `AppError::Invalid` when there are any.
#[derive(Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn check(&mut self, field: &str, problem: Option<String>) -> &mut Self {
        if let Some(message) = problem {
            self.0.push(FieldError { field: field.into(), message });
        }
        self
    }
    pub fn finish(&mut self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(std::mem::take(&mut self.0)))
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => {
                AppError::Refused(format!("The form was incomplete or malformed: {m}"))
            }
            ServerFnErrorErr::MiddlewareError(m) => AppError::Refused(m),
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<surrealdb::Error> for AppError {
    fn from(e: surrealdb::Error) -> Self {
        // The store retries write conflicts; one that still conflicts is a busy record, not a bug.
        if crate::store::is_conflict(&e) {
            tracing::warn!(error = %e, "write conflict left after retries");
            return AppError::Conflict(
                "Somebody changed the same thing at the same moment, so this change was not saved. Please try again."
                    .into(),
            );
        }
        tracing::error!(error = %e, "database error");
        AppError::Internal
    }
}

pub type AppResult<T> = Result<T, AppError>;
