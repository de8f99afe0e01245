//! `organizations/{org}/monitors/...`: cron monitors and their check-ins.

use super::Page;
use crate::api_path;
use crate::sentry::models::monitoring::{CheckIn, Monitor};
use crate::sentry::{ApiError, Listing, PageSize, SentryClient};

/// Lists an organization's cron monitors, optionally of some projects only.
pub async fn list(
    client: &SentryClient,
    org: &str,
    projects: &[String],
    page: Page,
) -> Result<Listing<Monitor>, ApiError> {
    client
        .get(api_path!["organizations", org, "monitors"]?)
        .query_each("project", projects)
        .list(page.limit, PageSize::PerPage, page.cursor)
        .await
}

/// Reads one monitor by slug or id.
pub async fn get(client: &SentryClient, org: &str, monitor: &str) -> Result<Monitor, ApiError> {
    client
        .get(api_path!["organizations", org, "monitors", monitor]?)
        .json()
        .await
}

/// A monitor's latest check-ins, newest first.
pub async fn check_ins(
    client: &SentryClient,
    org: &str,
    monitor: &str,
    limit: usize,
) -> Result<Listing<CheckIn>, ApiError> {
    client
        .get(api_path![
            "organizations",
            org,
            "monitors",
            monitor,
            "checkins"
        ]?)
        .list(limit, PageSize::PerPage, None)
        .await
}
