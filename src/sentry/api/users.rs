//! `auth/`: the user the token belongs to.

use crate::api_path;
use crate::sentry::models::issue_context::User;
use crate::sentry::{ApiError, SentryClient};

/// The token's user (org auth tokens have none: Sentry refuses them here).
pub async fn whoami(client: &SentryClient) -> Result<User, ApiError> {
    client.get(api_path!["auth"]?).json().await
}
