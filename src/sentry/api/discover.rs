//! `organizations/{org}/events/` as a table: fields and aggregates over errors, spans or logs.

use crate::api_path;
use crate::sentry::models::performance::DiscoverTable;
use crate::sentry::{ApiError, SentryClient};

/// When a query looks: a relative period (`24h`), or a start and an end (ISO 8601).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeRange {
    /// `statsPeriod`, e.g. `14d`.
    Period(String),
    /// `start` and `end`.
    Between(String, String),
}

/// One Discover query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoverQuery<'a> {
    /// `errors`, `spans`, `logs`, `transactions`, ...
    pub dataset: &'a str,
    /// Fields and functions (`title`, `count()`, `p95(span.duration)`).
    pub fields: &'a [String],
    /// Sentry search syntax (boolean logic allowed here).
    pub query: &'a str,
    /// A field to sort by, `-` for descending.
    pub sort: Option<&'a str>,
    /// Project ids or slugs; empty: every project.
    pub projects: &'a [String],
    /// Only this environment.
    pub environment: Option<&'a str>,
    /// The time range.
    pub range: &'a TimeRange,
    /// Rows to return (at most 100).
    pub limit: usize,
    /// A cursor from an earlier answer.
    pub cursor: Option<&'a str>,
}

/// Runs a query: its rows, and the cursor of the next page when there is one.
pub async fn table(
    client: &SentryClient,
    org: &str,
    query: &DiscoverQuery<'_>,
) -> Result<(DiscoverTable, Option<String>), ApiError> {
    let mut request = client
        .get(api_path!["organizations", org, "events"]?)
        .query("dataset", query.dataset)
        .query_each("field", query.fields)
        .query("query", query.query)
        .query_opt("sort", query.sort)
        .query_each("project", query.projects)
        .query_opt("environment", query.environment)
        .query("per_page", query.limit)
        .query_opt("cursor", query.cursor);
    request = match query.range {
        TimeRange::Period(period) => request.query("statsPeriod", period),
        TimeRange::Between(start, end) => request.query("start", start).query("end", end),
    };
    let response = request.send().await?;
    let table = serde_json::from_value(response.body).map_err(|e| ApiError::Decode {
        resource: format!("the {} query", query.dataset),
        reason: e.to_string(),
    })?;
    Ok((table, response.next_cursor))
}
