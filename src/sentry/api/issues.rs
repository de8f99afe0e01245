//! `organizations/{org}/issues/...`: issue search, one issue, its update, its events, tags,
//! activity and notes.

use super::{Page, json_body};
use crate::api_path;
use crate::sentry::models::issue_context::{Activity, ActivityFeed, TagDistribution};
use crate::sentry::models::{Event, Issue, IssueChanges};
use crate::sentry::{ApiError, Listing, PageSize, SentryClient};
use crate::time::timestamp;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

/// An issue search.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IssueQuery<'a> {
    /// Sentry search syntax; sent even when empty (without it Sentry hides low-priority issues).
    pub query: &'a str,
    /// Numeric project ids (or slugs where ids could not be read); empty: every project.
    pub projects: &'a [String],
    /// Only events of this environment.
    pub environment: Option<&'a str>,
    /// Sentry's order: `date`, `new`, `freq`, `trends`, `user`.
    pub sort: Option<&'a str>,
    /// Only events in this range (also makes the listed counts those of the range).
    pub range: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

/// Searches an organization's issues.
pub async fn search(
    client: &SentryClient,
    org: &str,
    search: IssueQuery<'_>,
    page: Page,
) -> Result<Listing<Issue>, ApiError> {
    let mut request = client
        .get(api_path!["organizations", org, "issues"]?)
        .query("query", search.query)
        .query_opt("environment", search.environment)
        .query_each("project", search.projects)
        .query_opt("sort", search.sort);
    if let Some((start, end)) = search.range {
        request = request
            .query("start", timestamp(start))
            .query("end", timestamp(end));
    }
    request.list(page.limit, PageSize::Limit, page.cursor).await
}

/// Reads one issue by numeric id or short id.
pub async fn get(client: &SentryClient, org: &str, issue: &str) -> Result<Issue, ApiError> {
    client
        .get(api_path!["organizations", org, "issues", issue]?)
        .json()
        .await
}

/// The fields an issue update changes; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueUpdate {
    /// `resolved`, `unresolved` or `ignored`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// With `ignored`, e.g. `archived_until_escalating`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substatus: Option<String>,
    /// How long it stays resolved or ignored, e.g. `{"inNextRelease": true}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_details: Option<Value>,
    /// `user:ID`, `team:ID`, a username or e-mail; `""` unassigns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    /// Seen or unseen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_seen: Option<bool>,
    /// Bookmarked or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_bookmarked: Option<bool>,
}

/// Updates an issue. Older servers answer only the changed fields: an answer that does not read
/// as the issue is reported as no changes known, not as a failure.
pub async fn update(
    client: &SentryClient,
    org: &str,
    issue: &str,
    changes: &IssueUpdate,
) -> Result<IssueChanges, ApiError> {
    let response = client
        .put(
            api_path!["organizations", org, "issues", issue]?,
            json_body(changes),
        )
        .send()
        .await?;
    Ok(serde_json::from_value(response.body).unwrap_or_default())
}

/// One event of an issue: `latest`, `oldest`, `recommended` or an event id; optionally only
/// events of an environment.
pub async fn event(
    client: &SentryClient,
    org: &str,
    issue: &str,
    event: &str,
    environment: Option<&str>,
) -> Result<Event, ApiError> {
    client
        .get(api_path![
            "organizations",
            org,
            "issues",
            issue,
            "events",
            event
        ]?)
        .query_opt("environment", environment)
        .json()
        .await
}

/// Lists an issue's events, newest first, optionally only those matching `query`.
pub async fn list_events(
    client: &SentryClient,
    org: &str,
    issue: &str,
    query: Option<&str>,
    page: Page,
) -> Result<Listing<Event>, ApiError> {
    client
        .get(api_path!["organizations", org, "issues", issue, "events"]?)
        .query_opt("query", query)
        .list(page.limit, PageSize::PerPage, page.cursor)
        .await
}

/// The values of one tag across an issue's events, most common first.
pub async fn tag_distribution(
    client: &SentryClient,
    org: &str,
    issue: &str,
    key: &str,
) -> Result<TagDistribution, ApiError> {
    client
        .get(api_path![
            "organizations",
            org,
            "issues",
            issue,
            "tags",
            key
        ]?)
        .json()
        .await
}

/// Every tag of an issue with its `values_per_key` most common values.
pub async fn tags(
    client: &SentryClient,
    org: &str,
    issue: &str,
    values_per_key: usize,
) -> Result<Vec<TagDistribution>, ApiError> {
    client
        .get(api_path!["organizations", org, "issues", issue, "tags"]?)
        .query("limit", values_per_key)
        .json()
        .await
}

/// An issue's activity (status changes, assignments, notes, regressions), newest first.
pub async fn activity(
    client: &SentryClient,
    org: &str,
    issue: &str,
) -> Result<Vec<Activity>, ApiError> {
    let feed: ActivityFeed = client
        .get(api_path![
            "organizations",
            org,
            "issues",
            issue,
            "activities"
        ]?)
        .json()
        .await?;
    Ok(feed.activity)
}

/// Adds a note (comment) to an issue.
pub async fn add_note(
    client: &SentryClient,
    org: &str,
    issue: &str,
    text: &str,
) -> Result<Activity, ApiError> {
    client
        .post(
            api_path!["organizations", org, "issues", issue, "notes"]?,
            json_body(&serde_json::json!({ "text": text })),
        )
        .json()
        .await
}
