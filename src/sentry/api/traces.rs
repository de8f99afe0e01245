//! `organizations/{org}/trace/{id}/` and `trace-meta/{id}/`: one trace's spans, and its counts.

use crate::api_path;
use crate::sentry::models::performance::{TraceMeta, TraceNode};
use crate::sentry::{ApiError, SentryClient};

/// A trace's root spans (and errors attached to none), each with its children, found in the last
/// `period` (e.g. `14d`).
pub async fn get(
    client: &SentryClient,
    org: &str,
    trace_id: &str,
    period: &str,
) -> Result<Vec<TraceNode>, ApiError> {
    client
        .get(api_path!["organizations", org, "trace", trace_id]?)
        .query("statsPeriod", period)
        .json()
        .await
}

/// How many spans, errors and logs a trace has.
pub async fn meta(
    client: &SentryClient,
    org: &str,
    trace_id: &str,
    period: &str,
) -> Result<TraceMeta, ApiError> {
    client
        .get(api_path!["organizations", org, "trace-meta", trace_id]?)
        .query("statsPeriod", period)
        .json()
        .await
}
