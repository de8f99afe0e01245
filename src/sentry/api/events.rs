//! `projects/{org}/{project}/events/{id}/` and `organizations/{org}/events/`: one event, and counts.

use crate::api_path;
use crate::sentry::models::Event;
use crate::sentry::{ApiError, SentryClient};
use crate::time::timestamp;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// Reads one event of a project.
pub async fn get(
    client: &SentryClient,
    org: &str,
    project: &str,
    event_id: &str,
) -> Result<Event, ApiError> {
    client
        .get(api_path!["projects", org, project, "events", event_id]?)
        .json()
        .await
}

/// A count over a dataset (Sentry's Discover): the events matching `query` in a time range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountQuery<'a> {
    /// `errors`, `spans`, `transactions`, ...
    pub dataset: &'a str,
    /// Sentry search syntax.
    pub query: &'a str,
    /// The environment.
    pub environment: &'a str,
    /// Numeric project ids (or slugs); empty: every project.
    pub projects: &'a [String],
    /// Inclusive start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
}

/// How many events match (Sentry's `count()`).
pub async fn count(
    client: &SentryClient,
    org: &str,
    query: CountQuery<'_>,
) -> Result<u64, ApiError> {
    let answer: Value = client
        .get(api_path!["organizations", org, "events"]?)
        .query("dataset", query.dataset)
        .query("field", "count()")
        .query("query", query.query)
        .query("environment", query.environment)
        .query_each("project", query.projects)
        .query("start", timestamp(query.start))
        .query("end", timestamp(query.end))
        .query("per_page", 1)
        .json()
        .await?;
    Ok(answer
        .pointer("/data/0/count()")
        .and_then(Value::as_f64)
        .map_or(0, |n| n.round().max(0.0) as u64))
}
