//! `organizations/{org}/teams/`.

use super::Page;
use crate::api_path;
use crate::sentry::models::Team;
use crate::sentry::{ApiError, Listing, PageSize, SentryClient};

/// Lists an organization's teams.
pub async fn list(client: &SentryClient, org: &str, page: Page) -> Result<Listing<Team>, ApiError> {
    client
        .get(api_path!["organizations", org, "teams"]?)
        .list(page.limit, PageSize::PerPage, page.cursor)
        .await
}
