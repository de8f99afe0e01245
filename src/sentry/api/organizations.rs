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

/// An environment as the environments list gives it.
#[derive(Debug, serde::Deserialize)]
struct Environment {
    name: String,
}

/// The names of an organization's (visible) environments.
pub async fn environments(client: &SentryClient, org: &str) -> Result<Vec<String>, ApiError> {
    let answer: Vec<Environment> = client
        .get(api_path!["organizations", org, "environments"]?)
        .json()
        .await?;
    Ok(answer.into_iter().map(|e| e.name).collect())
}
