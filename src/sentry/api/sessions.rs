//! `organizations/{org}/sessions/`: release-health session counts.

use crate::api_path;
use crate::sentry::{ApiError, SentryClient};
use crate::time::{parse_sentry_time, timestamp};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// Which sessions to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionQuery<'a> {
    /// Sentry search syntax, e.g. `release:1.2.0`.
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

/// Sessions and crashed sessions over the range Sentry counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCounts {
    /// Sessions started.
    pub sessions: u64,
    /// Sessions that crashed (from the crash-free fraction).
    pub crashed: u64,
    /// The start Sentry counted from (the API rounds to whole hours), when it says.
    pub start: Option<DateTime<Utc>>,
    /// The end Sentry counted to, when it says.
    pub end: Option<DateTime<Utc>>,
}

/// Counts sessions and crashes (hourly buckets, totals only).
pub async fn counts(
    client: &SentryClient,
    org: &str,
    query: SessionQuery<'_>,
) -> Result<SessionCounts, ApiError> {
    let answer: Value = client
        .get(api_path!["organizations", org, "sessions"]?)
        .query_each("field", ["sum(session)", "crash_free_rate(session)"])
        .query("query", query.query)
        .query("environment", query.environment)
        .query_each("project", query.projects)
        .query("start", timestamp(query.start))
        .query("end", timestamp(query.end))
        .query("interval", "1h")
        .query("includeSeries", 0)
        .json()
        .await?;
    Ok(read_counts(&answer))
}

/// Reads the totals of every group; crashed sessions come from the crash-free fraction.
fn read_counts(answer: &Value) -> SessionCounts {
    let mut sessions = 0u64;
    let mut crashed = 0u64;
    for group in answer
        .get("groups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let totals = &group["totals"];
        let count = totals["sum(session)"].as_f64().unwrap_or(0.0).max(0.0);
        let crash_free = totals["crash_free_rate(session)"].as_f64().unwrap_or(1.0);
        sessions += count.round() as u64;
        crashed += (count * (1.0 - crash_free.clamp(0.0, 1.0))).round() as u64;
    }
    let bound = |key: &str| {
        answer
            .get(key)
            .and_then(Value::as_str)
            .and_then(parse_sentry_time)
    };
    SessionCounts {
        sessions,
        crashed,
        start: bound("start"),
        end: bound("end"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn counts_read_the_crash_free_fraction_and_the_counted_range() {
        let answer = json!({
            "start": "2026-03-01T12:00:00Z", "end": "2026-03-01T13:00:00Z",
            "groups": [{"by": {}, "totals": {"sum(session)": 2000, "crash_free_rate(session)": 0.995}}]
        });
        let counts = read_counts(&answer);
        assert_eq!((counts.sessions, counts.crashed), (2000, 10));
        assert_eq!(counts.end, parse_sentry_time("2026-03-01T13:00:00Z"));
        let empty = read_counts(&json!({"groups": []}));
        assert_eq!((empty.sessions, empty.crashed, empty.start), (0, 0, None));
    }
}
