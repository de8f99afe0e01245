//! Discover tables (errors, spans, logs) and traces.

use super::{lenient_list, opt_string};
use serde::Deserialize;
use serde_json::{Map, Value};

/// The answer of `organizations/{org}/events/`: rows of the asked fields, and their types.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DiscoverTable {
    /// One object per row, keyed by field (`count()`, `span.duration`, ...).
    #[serde(default, deserialize_with = "lenient_list")]
    pub data: Vec<Map<String, Value>>,
    /// Types and units of the fields.
    #[serde(default)]
    pub meta: DiscoverMeta,
}

/// What Sentry says about a table's fields.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DiscoverMeta {
    /// Field -> type (`integer`, `duration`, `date`, ...).
    #[serde(default)]
    pub fields: Map<String, Value>,
    /// Field -> unit (`millisecond`, ...), `null` when none.
    #[serde(default)]
    pub units: Map<String, Value>,
}

/// One node of a trace: a span with its children, or an error not attached to a span.
#[derive(Debug, Clone, Deserialize)]
pub struct TraceNode {
    /// The span id (absent on a standalone error).
    #[serde(default, deserialize_with = "opt_string")]
    pub span_id: Option<String>,
    /// The transaction event that holds it.
    #[serde(default, deserialize_with = "opt_string")]
    pub event_id: Option<String>,
    /// Operation, e.g. `http.server`, `db`.
    #[serde(default)]
    pub op: Option<String>,
    /// What it did, e.g. `GET /api/users`.
    #[serde(default)]
    pub description: Option<String>,
    /// Duration in milliseconds.
    #[serde(default)]
    pub duration: Option<f64>,
    /// The project's slug.
    #[serde(default)]
    pub project_slug: Option<String>,
    /// `ok`, `internal_error`, ...
    #[serde(default)]
    pub status: Option<String>,
    /// Errors recorded in this span.
    #[serde(default, deserialize_with = "lenient_list")]
    pub errors: Vec<TraceError>,
    /// Child spans.
    #[serde(default, deserialize_with = "lenient_list")]
    pub children: Vec<TraceNode>,
    /// A standalone error's title (no span).
    #[serde(default)]
    pub title: Option<String>,
    /// A standalone error's issue.
    #[serde(default, deserialize_with = "opt_string")]
    pub issue_id: Option<String>,
    /// A standalone error's culprit.
    #[serde(default)]
    pub culprit: Option<String>,
}

/// An error inside a span.
#[derive(Debug, Clone, Deserialize)]
pub struct TraceError {
    /// The error's title.
    #[serde(default)]
    pub title: Option<String>,
    /// Its issue.
    #[serde(default, deserialize_with = "opt_string")]
    pub issue_id: Option<String>,
    /// Its event.
    #[serde(default, deserialize_with = "opt_string")]
    pub event_id: Option<String>,
}

/// Counts over a whole trace (`trace-meta/`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TraceMeta {
    /// Spans in the trace.
    #[serde(default)]
    pub span_count: Option<f64>,
    /// Errors in the trace.
    #[serde(default)]
    pub errors: Option<u64>,
    /// Performance issues in the trace.
    #[serde(default)]
    pub performance_issues: Option<u64>,
    /// Log lines in the trace.
    #[serde(default)]
    pub logs: Option<u64>,
    /// Span count per operation.
    #[serde(default)]
    pub span_count_map: Map<String, Value>,
}
