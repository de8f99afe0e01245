//! The organization a release command writes to.

use super::error::ReleaseError;
use crate::sentry::Session;

/// The configured organization, or an error naming the command that needs it.
pub fn organization<'s>(session: &'s Session, command: &str) -> Result<&'s str, ReleaseError> {
    session.default_org().ok_or_else(|| {
        ReleaseError::Usage(format!(
            "{command} needs an organization: pass --org or set SENTRY_ORG"
        ))
    })
}
