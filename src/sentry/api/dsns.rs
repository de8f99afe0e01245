//! `projects/{org}/{project}/keys/`: a project's client keys (DSNs).

use super::{Page, json_body};
use crate::api_path;
use crate::sentry::models::admin::ProjectKey;
use crate::sentry::{ApiError, Listing, PageSize, SentryClient};
use serde_json::json;

/// Lists a project's keys.
pub async fn list(
    client: &SentryClient,
    org: &str,
    project: &str,
    page: Page,
) -> Result<Listing<ProjectKey>, ApiError> {
    client
        .get(api_path!["projects", org, project, "keys"]?)
        .list(page.limit, PageSize::PerPage, page.cursor)
        .await
}

/// Creates a key named `name`.
pub async fn create(
    client: &SentryClient,
    org: &str,
    project: &str,
    name: &str,
) -> Result<ProjectKey, ApiError> {
    client
        .post(
            api_path!["projects", org, project, "keys"]?,
            json_body(&json!({ "name": name })),
        )
        .json()
        .await
}
