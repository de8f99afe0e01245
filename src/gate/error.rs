//! Why a gate run ends without a verdict (exit 2), and how a failed look is classified.

use super::acks::InvalidAcks;
use super::policy::InvalidPolicy;
use crate::ci::github::OutputError;
use crate::ci::gitlab::{DotenvError, ReportFileError};
use crate::sentry::ApiError;

/// The kind of token the gate needs, and where it goes.
const TOKEN_TO_CREATE: &str = "Create a token with `event:read`, `org:read` and `project:read` for the gate: \
     an internal integration's token (Settings > Custom Integrations, with Issue & Event, Organization \
     and Project set to Read) or a personal token (User Settings > Personal Tokens). Give it to the gate \
     step as SENTRY_AUTH_TOKEN (the GitHub Action's `gate_auth_token` input)";

/// Said once at the start when an org auth token runs with `--allow-partial`.
pub const ORG_TOKEN_NOTE: &str = "the auth token is an org auth token (sntrys_...), which Sentry limits to \
     `org:ci`: it cannot read issues, error counts, sessions or projects, so every rule is skipped. \
     Create a token with `event:read`, `org:read` and `project:read` for the gate (an internal \
     integration's, or a personal token)";

/// A gate run that cannot reach a verdict.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// The token is an org auth token, which cannot read what any rule needs.
    #[error(
        "the auth token is an org auth token (sntrys_...), which Sentry limits to the `org:ci` scope: \
         it can create releases and record deploys, but the gate reads issues (`event:read`), error \
         counts and sessions (`org:read`) and projects (`project:read`). {TOKEN_TO_CREATE}, or pass \
         --allow-partial to report what the token can see"
    )]
    OrgToken,
    /// The token lacks a scope a rule needs, and `--allow-partial` was not given.
    #[error(
        "the auth token cannot read {what} (Sentry answered 403): it lacks the `{scope}` scope. \
         {TOKEN_TO_CREATE}, or pass --allow-partial to skip the rules the token cannot evaluate"
    )]
    MissingScope {
        /// What could not be read.
        what: &'static str,
        /// The scope it needs.
        scope: &'static str,
    },
    /// Sentry refused a request for a reason waiting will not fix.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// Looks kept failing with transient errors.
    #[error(
        "Sentry kept failing: {failures} looks in a row did not get through. Last error: {last}"
    )]
    Persistent {
        /// How many looks failed in a row.
        failures: u32,
        /// The last error.
        last: ApiError,
    },
    /// The request does not make sense (unknown release, baseline without a deploy, ...).
    #[error("{0}")]
    Usage(String),
    /// A policy setting cannot be used.
    #[error(transparent)]
    Policy(#[from] InvalidPolicy),
    /// The acknowledgements file cannot be used.
    #[error(transparent)]
    Acks(#[from] InvalidAcks),
    /// A GitHub step output or summary could not be written.
    #[error(transparent)]
    GitHub(#[from] OutputError),
    /// The GitLab dotenv report could not be written.
    #[error(transparent)]
    Dotenv(#[from] DotenvError),
    /// The Markdown report could not be written.
    #[error(transparent)]
    ReportFile(#[from] ReportFileError),
    /// The report could not be printed.
    #[error("cannot print the report: {0}")]
    Print(#[from] std::io::Error),
}

/// Why one look at Sentry produced no observations.
#[derive(Debug)]
pub enum LookError {
    /// Worth another look later: rate limits, gateway errors, timeouts, a dropped connection.
    Transient(ApiError),
    /// The watch's deadline (`--timeout`) came before Sentry answered: the verdict is inconclusive.
    OutOfTime(ApiError),
    /// Ends the run.
    Fatal(GateError),
}

impl From<GateError> for LookError {
    fn from(error: GateError) -> Self {
        Self::Fatal(error)
    }
}

impl From<ApiError> for LookError {
    fn from(error: ApiError) -> Self {
        if matches!(error, ApiError::TimeBudget { .. }) {
            Self::OutOfTime(error)
        } else if is_transient(&error) {
            Self::Transient(error)
        } else {
            Self::Fatal(GateError::Api(error))
        }
    }
}

impl From<crate::sentry::path::InvalidSegment> for LookError {
    fn from(error: crate::sentry::path::InvalidSegment) -> Self {
        Self::Fatal(GateError::Usage(error.to_string()))
    }
}

/// Whether waiting and asking again may help (after the client's own retries were used up).
pub fn is_transient(error: &ApiError) -> bool {
    match error {
        ApiError::RateLimited { .. } | ApiError::Network { .. } => true,
        ApiError::Server { status, .. } => *status >= 500,
        ApiError::Invalid { detail, .. } => detail.starts_with("Query timeout"),
        _ => false,
    }
}
