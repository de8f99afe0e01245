//! `organizations/{org}/releases/{version}/deploys/`: a release's deploys.

use super::json_body;
use crate::api_path;
use crate::sentry::models::Deploy;
use crate::sentry::{ApiError, Listing, PageSize, SentryClient};
use serde::Serialize;

/// Deploys read at most (a release rarely has more).
pub const MAX_DEPLOYS: usize = 100;

/// The body that records a deploy.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewDeploy {
    /// The environment deployed to.
    pub environment: String,
    /// A name for the deploy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A link for the deploy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// When it started (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_started: Option<String>,
    /// When it finished (RFC 3339; Sentry's default is now).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_finished: Option<String>,
    /// Project slugs (Sentry's default: all of the release's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projects: Option<Vec<String>>,
}

/// Lists a release's deploys (up to [`MAX_DEPLOYS`]).
pub async fn list(
    client: &SentryClient,
    org: &str,
    version: &str,
) -> Result<Listing<Deploy>, ApiError> {
    client
        .get(api_path![
            "organizations",
            org,
            "releases",
            version,
            "deploys"
        ]?)
        .list(MAX_DEPLOYS, PageSize::PerPage, None)
        .await
}

/// Records a deploy of a release.
pub async fn create(
    client: &SentryClient,
    org: &str,
    version: &str,
    deploy: &NewDeploy,
) -> Result<Deploy, ApiError> {
    client
        .post(
            api_path!["organizations", org, "releases", version, "deploys"]?,
            json_body(deploy),
        )
        .json()
        .await
}
