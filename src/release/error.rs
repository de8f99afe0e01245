//! Why a release command did not finish (exit 2): each message says what to fix.

use super::limits::InvalidVersion;
use crate::ci::github::OutputError;
use crate::git::GitError;
use crate::sentry::ApiError;
use crate::time::InvalidTime;

/// A release command that could not finish.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    /// Sentry refused or could not be reached.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The git history could not be read.
    #[error(transparent)]
    Git(#[from] GitError),
    /// The version is one Sentry refuses.
    #[error(transparent)]
    Version(#[from] InvalidVersion),
    /// A date flag does not parse.
    #[error(transparent)]
    Time(#[from] InvalidTime),
    /// A GitHub step output could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The request does not make sense as given; the message says how to fix it.
    #[error("{0}")]
    Usage(String),
}
