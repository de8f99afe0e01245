//! The release endpoints, shared by `release ...` and the release tools.

use super::payload::{NewRelease, ReleaseChanges};
use crate::api_path;
use crate::sentry::models::{Release, Repository};
use crate::sentry::{ApiError, PageSize, SentryClient};
use serde_json::Value;

/// Releases read when looking for the previous one (one page).
const PREVIOUS_RELEASE_WINDOW: usize = 100;
/// More repositories than any organization connects; the list is paginated up to this.
const MAX_REPOSITORIES: usize = 10_000;

/// A release's last commit, where a new release's range starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousRelease {
    /// Its version.
    pub version: String,
    /// Its newest commit's sha.
    pub commit: String,
}

/// Reads one release.
pub async fn get_release(
    client: &SentryClient,
    org: &str,
    version: &str,
) -> Result<Release, ApiError> {
    client
        .get(api_path!["organizations", org, "releases", version]?)
        .json()
        .await
}

/// Reads one release, `None` when it does not exist.
pub async fn find_release(
    client: &SentryClient,
    org: &str,
    version: &str,
) -> Result<Option<Release>, ApiError> {
    match get_release(client, org, version).await {
        Ok(release) => Ok(Some(release)),
        Err(ApiError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Creates a release (or, when it exists, adds the projects and replaces its commits); the flag
/// says whether it existed already (208). Sentry de-duplicates by version, so the POST may repeat;
/// 409 means "commits being processed" and is retried.
pub async fn post_release(
    client: &SentryClient,
    org: &str,
    body: &NewRelease,
) -> Result<(Release, bool), ApiError> {
    let path = api_path!["organizations", org, "releases"]?;
    let resource = path.describe();
    let response = client
        .post(path, to_json(body))
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
pub async fn put_release(
    client: &SentryClient,
    org: &str,
    version: &str,
    changes: &ReleaseChanges,
) -> Result<Release, ApiError> {
    client
        .put(
            api_path!["organizations", org, "releases", version]?,
            to_json(changes),
        )
        .retry_on_conflict()
        .json()
        .await
}

/// Where the previous release of `project` ended: Sentry's `previous-with-commits` when the
/// release exists (skipping itself: a re-run would otherwise find its own commits), else the
/// project's release list, newest first, skipping this version and anything newer than it.
pub async fn previous_release(
    client: &SentryClient,
    org: &str,
    project: &str,
    version: &str,
    release_exists: bool,
) -> Result<Option<PreviousRelease>, ApiError> {
    if release_exists {
        let path = api_path![
            "organizations",
            org,
            "releases",
            version,
            "previous-with-commits"
        ]?;
        match client.get(path).send().await {
            // `{}`: Sentry knows no earlier release with commits.
            Ok(response) if response.body.get("version").is_none() => return Ok(None),
            Ok(response) => {
                if let Some(previous) = last_commit_of(response.body, version) {
                    return Ok(Some(previous));
                }
            }
            // Older self-hosted servers do not have the endpoint.
            Err(ApiError::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    let releases = client
        .get(api_path!["projects", org, project, "releases"]?)
        .list::<Release>(PREVIOUS_RELEASE_WINDOW, PageSize::PerPage, None)
        .await?
        .items;
    let older = match releases.iter().position(|r| r.version == version) {
        Some(this) => &releases[this + 1..],
        None => &releases[..],
    };
    Ok(older.iter().find_map(|r| {
        r.last_commit.as_ref().map(|commit| PreviousRelease {
            version: r.version.clone(),
            commit: commit.id.clone(),
        })
    }))
}

fn last_commit_of(body: Value, this_version: &str) -> Option<PreviousRelease> {
    let release: Release = serde_json::from_value(body).ok()?;
    if release.version == this_version {
        return None;
    }
    Some(PreviousRelease {
        commit: release.last_commit?.id,
        version: release.version,
    })
}

/// The repositories connected to the organization.
pub async fn list_repositories(
    client: &SentryClient,
    org: &str,
) -> Result<Vec<Repository>, ApiError> {
    Ok(client
        .get(api_path!["organizations", org, "repos"]?)
        .list(MAX_REPOSITORIES, PageSize::PerPage, None)
        .await?
        .items)
}

fn to_json<T: serde::Serialize>(body: &T) -> Value {
    serde_json::to_value(body).expect("release bodies are plain data")
}
