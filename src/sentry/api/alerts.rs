//! Alert rules: `organizations/{org}/combined-rules/` (metric and issue alerts in one list),
//! `organizations/{org}/alert-rules/{id}/` (metric) and `projects/{org}/{project}/rules/{id}/` (issue).

use super::Page;
use crate::api_path;
use crate::sentry::models::monitoring::AlertRule;
use crate::sentry::{ApiError, Listing, PageSize, SentryClient};

/// Lists an organization's alert rules of every kind, optionally of some projects only.
pub async fn list(
    client: &SentryClient,
    org: &str,
    projects: &[String],
    page: Page,
) -> Result<Listing<AlertRule>, ApiError> {
    client
        .get(api_path!["organizations", org, "combined-rules"]?)
        .query_each("project", projects)
        .list(page.limit, PageSize::PerPage, page.cursor)
        .await
}

/// Reads one metric alert rule.
pub async fn metric_rule(
    client: &SentryClient,
    org: &str,
    id: &str,
) -> Result<AlertRule, ApiError> {
    client
        .get(api_path!["organizations", org, "alert-rules", id]?)
        .json()
        .await
}

/// Reads one issue alert rule of a project.
pub async fn issue_rule(
    client: &SentryClient,
    org: &str,
    project: &str,
    id: &str,
) -> Result<AlertRule, ApiError> {
    client
        .get(api_path!["projects", org, project, "rules", id]?)
        .json()
        .await
}
