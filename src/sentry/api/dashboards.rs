//! `organizations/{org}/dashboards/...`: dashboards and their widgets.

use super::Page;
use crate::api_path;
use crate::sentry::models::monitoring::Dashboard;
use crate::sentry::{ApiError, Listing, PageSize, SentryClient};

/// Lists an organization's dashboards.
pub async fn list(
    client: &SentryClient,
    org: &str,
    page: Page,
) -> Result<Listing<Dashboard>, ApiError> {
    client
        .get(api_path!["organizations", org, "dashboards"]?)
        .list(page.limit, PageSize::PerPage, page.cursor)
        .await
}

/// Reads one dashboard with its widgets.
pub async fn get(client: &SentryClient, org: &str, id: &str) -> Result<Dashboard, ApiError> {
    client
        .get(api_path!["organizations", org, "dashboards", id]?)
        .json()
        .await
}
