//! `organizations/`: the organizations the token can access.

use super::Page;
use crate::api_path;
use crate::sentry::models::Organization;
use crate::sentry::{ApiError, Listing, PageSize, SentryClient};

/// Lists the organizations the token can access.
pub async fn list(client: &SentryClient, page: Page) -> Result<Listing<Organization>, ApiError> {
    client
        .get(api_path!["organizations"]?)
        .list(page.limit, PageSize::PerPage, page.cursor)
        .await
}
