//! `projects/{org}/{project}/user-feedback/`: what users wrote about the errors they saw.

use super::Page;
use crate::api_path;
use crate::sentry::models::issue_context::UserReport;
use crate::sentry::{ApiError, Listing, PageSize, SentryClient};

/// Lists a project's user feedback, newest first.
pub async fn list(
    client: &SentryClient,
    org: &str,
    project: &str,
    page: Page,
) -> Result<Listing<UserReport>, ApiError> {
    client
        .get(api_path!["projects", org, project, "user-feedback"]?)
        .list(page.limit, PageSize::PerPage, page.cursor)
        .await
}
