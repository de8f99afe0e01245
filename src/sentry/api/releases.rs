//! `organizations/{org}/releases/...`: releases, their bodies, files and the previous release.

use super::{Page, json_body};
use crate::api_path;
use crate::sentry::models::{Commit, CommitFile, Release};
use crate::sentry::{ApiError, Listing, PageSize, SentryClient};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A repository's head commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RefPayload {
    /// Sentry's repository name.
    pub repository: String,
    /// Head sha.
    pub commit: String,
    /// Previous release's last sha.
    #[serde(
        rename = "previousCommit",
        alias = "previous_commit",
        skip_serializing_if = "Option::is_none"
    )]
    pub previous_commit: Option<String>,
}

/// A commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CommitPayload {
    /// Full sha.
    pub id: String,
    /// Sentry's repository name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Author name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    /// Author e-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_email: Option<String>,
    /// RFC 3339 date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Changed files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch_set: Option<Vec<PatchPayload>>,
}

/// A changed file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PatchPayload {
    /// Repository path.
    pub path: String,
    /// A, M or D.
    #[serde(rename = "type")]
    pub kind: String,
}

/// What a release request sets besides the version and projects (the update body on its own).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReleaseChanges {
    /// An external URL for the release.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Set to finalize the release.
    #[serde(rename = "dateReleased", skip_serializing_if = "Option::is_none")]
    pub date_released: Option<String>,
    /// Head commits per repository.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refs: Vec<RefPayload>,
    /// The commits (they replace the release's list).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub commits: Vec<CommitPayload>,
}

/// The body that creates a release.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewRelease {
    /// The version.
    pub version: String,
    /// Project slugs.
    pub projects: Vec<String>,
    /// Everything else.
    #[serde(flatten)]
    pub changes: ReleaseChanges,
}

/// Reads one release.
pub async fn get(client: &SentryClient, org: &str, version: &str) -> Result<Release, ApiError> {
    client
        .get(api_path!["organizations", org, "releases", version]?)
        .json()
        .await
}

/// Reads one release, `None` when it does not exist.
pub async fn find(
    client: &SentryClient,
    org: &str,
    version: &str,
) -> Result<Option<Release>, ApiError> {
    match get(client, org, version).await {
        Ok(release) => Ok(Some(release)),
        Err(ApiError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Creates a release (or, when it exists, adds the projects and replaces its commits); the flag
/// says whether it existed already (208). Sentry de-duplicates by version, so the POST may repeat;
/// 409 means "commits being processed" and is retried.
pub async fn create(
    client: &SentryClient,
    org: &str,
    body: &NewRelease,
) -> Result<(Release, bool), ApiError> {
    let path = api_path!["organizations", org, "releases"]?;
    let resource = path.describe();
    let response = client
        .post(path, json_body(body))
        .idempotent()
        .retry_on_conflict()
        .send()
        .await?;
    let release = serde_json::from_value(response.body).map_err(|e| ApiError::Decode {
        resource,
        reason: e.to_string(),
    })?;
    Ok((release, response.status == 208))
}

/// Updates an existing release: URL, release date, refs, and commits (which replace the list).
pub async fn update(
    client: &SentryClient,
    org: &str,
    version: &str,
    changes: &ReleaseChanges,
) -> Result<Release, ApiError> {
    client
        .put(
            api_path!["organizations", org, "releases", version]?,
            json_body(changes),
        )
        .retry_on_conflict()
        .json()
        .await
}

/// The newest earlier release with commits, as Sentry orders them; `None` when Sentry knows none
/// (it answers `{}`). Older self-hosted servers answer 404: the endpoint does not exist there.
pub async fn previous_with_commits(
    client: &SentryClient,
    org: &str,
    version: &str,
) -> Result<Option<Release>, ApiError> {
    let path = api_path![
        "organizations",
        org,
        "releases",
        version,
        "previous-with-commits"
    ]?;
    let resource = path.describe();
    let body = client.get(path).send().await?.body;
    if body.get("version").is_none() {
        return Ok(None);
    }
    serde_json::from_value(body)
        .map(Some)
        .map_err(|e| ApiError::Decode {
            resource,
            reason: e.to_string(),
        })
}

/// Which of an organization's releases to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReleaseFilter<'a> {
    /// Only releases deployed to (or seen in) this environment.
    pub environment: &'a str,
    /// Project ids or slugs; empty: every project.
    pub projects: &'a [String],
    /// Sentry's order, e.g. `date` (newest first).
    pub sort: &'a str,
}

/// Lists an organization's releases.
pub async fn list(
    client: &SentryClient,
    org: &str,
    filter: ReleaseFilter<'_>,
    page: Page,
) -> Result<Listing<Release>, ApiError> {
    client
        .get(api_path!["organizations", org, "releases"]?)
        .query("environment", filter.environment)
        .query_each("project", filter.projects)
        .query("sort", filter.sort)
        .list(page.limit, PageSize::PerPage, page.cursor)
        .await
}

/// A release's commits, newest first.
pub async fn commits(
    client: &SentryClient,
    org: &str,
    version: &str,
    page: Page,
) -> Result<Listing<Commit>, ApiError> {
    client
        .get(api_path![
            "organizations",
            org,
            "releases",
            version,
            "commits"
        ]?)
        .list(page.limit, PageSize::PerPage, page.cursor)
        .await
}

/// The files a release's commits changed (up to `limit`).
pub async fn commit_files(
    client: &SentryClient,
    org: &str,
    version: &str,
    limit: usize,
) -> Result<Vec<CommitFile>, ApiError> {
    Ok(client
        .get(api_path![
            "organizations",
            org,
            "releases",
            version,
            "commitfiles"
        ]?)
        .list(limit, PageSize::PerPage, None)
        .await?
        .items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_create_body_has_sentry_field_names() {
        let body = NewRelease {
            version: "1.0".into(),
            projects: vec!["web".into()],
            changes: ReleaseChanges {
                date_released: Some("2024-01-01T00:00:00Z".into()),
                refs: vec![RefPayload {
                    repository: "acme/web".into(),
                    commit: "b".into(),
                    previous_commit: Some("a".into()),
                }],
                ..ReleaseChanges::default()
            },
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"version": "1.0", "projects": ["web"], "dateReleased": "2024-01-01T00:00:00Z",
                   "refs": [{"repository": "acme/web", "commit": "b", "previousCommit": "a"}]})
        );
    }
}
