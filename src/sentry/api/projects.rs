//! `organizations/{org}/projects/` and `projects/{org}/{project}/...`: projects, their releases and stats.

use super::{Page, json_body};
use crate::api_path;
use crate::sentry::models::{Project, Release};
use crate::sentry::{ApiError, Listing, PageSize, SentryClient};
use serde::Serialize;
use serde_json::Value;

/// Lists an organization's projects.
pub async fn list(
    client: &SentryClient,
    org: &str,
    page: Page,
) -> Result<Listing<Project>, ApiError> {
    client
        .get(api_path!["organizations", org, "projects"]?)
        .list(page.limit, PageSize::PerPage, page.cursor)
        .await
}

/// Reads one project.
pub async fn get(client: &SentryClient, org: &str, project: &str) -> Result<Project, ApiError> {
    client
        .get(api_path!["projects", org, project]?)
        .json()
        .await
}

/// A project to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewProject {
    /// Its name.
    pub name: String,
    /// Its slug (Sentry derives one from the name when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// Its SDK platform, e.g. `python`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

/// Creates a project owned by a team.
pub async fn create(
    client: &SentryClient,
    org: &str,
    team: &str,
    project: &NewProject,
) -> Result<Project, ApiError> {
    client
        .post(
            api_path!["teams", org, team, "projects"]?,
            json_body(project),
        )
        .json()
        .await
}

/// The project fields an update changes; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProjectChanges {
    /// A new name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A new slug (links with the old one stop working).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// A new platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

/// Updates a project.
pub async fn update(
    client: &SentryClient,
    org: &str,
    project: &str,
    changes: &ProjectChanges,
) -> Result<Project, ApiError> {
    client
        .put(api_path!["projects", org, project]?, json_body(changes))
        .json()
        .await
}

/// Gives a team access to a project.
pub async fn add_team(
    client: &SentryClient,
    org: &str,
    project: &str,
    team: &str,
) -> Result<Project, ApiError> {
    client
        .post(
            api_path!["projects", org, project, "teams", team]?,
            serde_json::json!({}),
        )
        .idempotent()
        .json()
        .await
}

/// Lists a project's releases, newest first.
pub async fn list_releases(
    client: &SentryClient,
    org: &str,
    project: &str,
    page: Page,
) -> Result<Listing<Release>, ApiError> {
    client
        .get(api_path!["projects", org, project, "releases"]?)
        .list(page.limit, PageSize::PerPage, page.cursor)
        .await
}

/// What `stats` counts and at which resolution, between two unix times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsQuery<'a> {
    /// `received`, `rejected` or `blacklisted`.
    pub stat: &'a str,
    /// `10s`, `1h` or `1d` (the only ones the endpoint takes).
    pub resolution: &'a str,
    /// Start, unix seconds.
    pub since: i64,
    /// End, unix seconds.
    pub until: i64,
}

/// A project's event counts over time: `(start, count)` points, oldest first.
pub async fn stats(
    client: &SentryClient,
    org: &str,
    project: &str,
    query: StatsQuery<'_>,
) -> Result<Vec<(i64, u64)>, ApiError> {
    let body: Value = client
        .get(api_path!["projects", org, project, "stats"]?)
        .query("stat", query.stat)
        .query("resolution", query.resolution)
        .query("since", query.since)
        .query("until", query.until)
        .json()
        .await?;
    Ok(read_points(&body))
}

/// Reads `[[unix_seconds, count], ...]`, skipping points that are not two numbers.
fn read_points(body: &Value) -> Vec<(i64, u64)> {
    let Some(items) = body.as_array() else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|point| {
            let pair = point.as_array()?;
            let start = pair.first()?.as_f64()? as i64;
            let count = pair.get(1)?.as_f64()?.max(0.0) as u64;
            Some((start, count))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stats_points_skip_what_is_not_two_numbers() {
        let body = json!([[1, 5], [2, 3.6], ["x", 1], [3], [4, -2]]);
        assert_eq!(read_points(&body), [(1, 5), (2, 3), (4, 0)]);
        assert!(read_points(&json!({"detail": "x"})).is_empty());
    }
}
