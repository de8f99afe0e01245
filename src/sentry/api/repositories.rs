//! `organizations/{org}/repos/`: the repositories connected to an organization.

use crate::api_path;
use crate::sentry::models::Repository;
use crate::sentry::{ApiError, PageSize, SentryClient};

/// More repositories than any organization connects; the list is paginated up to this.
const MAX_REPOSITORIES: usize = 10_000;

/// Lists the repositories connected to the organization (all pages).
pub async fn list(client: &SentryClient, org: &str) -> Result<Vec<Repository>, ApiError> {
    Ok(client
        .get(api_path!["organizations", org, "repos"]?)
        .list(MAX_REPOSITORIES, PageSize::PerPage, None)
        .await?
        .items)
}
