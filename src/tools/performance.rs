//! Tools: performance — Discover queries over errors, spans and logs (`search_events`), and one
//! trace as a short tree (`get_trace`).

use super::context::{Limit, ToolContext, list_limit};
use super::error::ToolError;
use super::ids::hex_id;
use super::output::{ToolOutput, more_line};
use super::tool::{Effects, Tool};
use crate::sentry::api::discover::{DiscoverQuery, TimeRange};
use crate::sentry::api::{self};
use crate::sentry::models::performance::{DiscoverTable, TraceMeta, TraceNode};
use crate::text::{non_empty, plain_number, truncate};
use crate::time::parse_user_time;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// How far back `get_trace` looks for a trace.
const TRACE_PERIOD: &str = "14d";
/// Spans `get_trace` shows in all.
const MAX_SPANS: usize = 40;
/// Children shown under one span (the slowest, when there are more).
const MAX_CHILDREN: usize = 10;
/// Depth of the tree shown.
const MAX_DEPTH: usize = 8;

/// The tools of this module.
pub fn tools() -> Vec<Tool> {
    vec![
        Tool::new::<SearchEventsParams, _, _>(
            "search_events",
            "Search events",
            "Query errors, spans or logs with Sentry search syntax (AND/OR allowed) and fields or aggregates like count(), p95(span.duration), failure_rate(), count_unique(user); group by the plain fields. One row per line.",
            Effects::READ,
            search_events,
        ),
        Tool::new::<TraceParams, _, _>(
            "get_trace",
            "Get a trace",
            "A trace as a short tree: spans with op, description, duration and errors, the slowest first where capped, with counts of what was left out.",
            Effects::READ,
            get_trace,
        ),
    ]
}

// The data `search_events` reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(inline)]
enum Dataset {
    #[default]
    Errors,
    Spans,
    Logs,
    Transactions,
}

impl Dataset {
    fn name(self) -> &'static str {
        match self {
            Self::Errors => "errors",
            Self::Spans => "spans",
            Self::Logs => "logs",
            Self::Transactions => "transactions",
        }
    }

    /// What to show when no fields are given.
    fn default_fields(self) -> &'static [&'static str] {
        match self {
            Self::Errors => &["issue", "title", "project", "count()", "last_seen()"],
            Self::Spans => &[
                "span.op",
                "span.description",
                "span.duration",
                "transaction",
                "trace",
                "timestamp",
            ],
            Self::Logs => &["timestamp", "severity", "message", "trace"],
            Self::Transactions => &[
                "transaction",
                "count()",
                "p95(transaction.duration)",
                "failure_rate()",
            ],
        }
    }
}

/// Arguments of `search_events`.
#[derive(Debug, Deserialize, JsonSchema)]
struct SearchEventsParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    /// Default errors; transactions only where the server still has it.
    dataset: Option<Dataset>,
    /// e.g. `level:error release:1.2.3`, `span.op:db span.duration:>500ms`.
    query: Option<String>,
    /// Default per dataset; aggregates group by the plain fields.
    fields: Option<Vec<String>>,
    /// A field, `-` for descending, e.g. `-count()`; default the first aggregate or newest first.
    sort: Option<String>,
    limit: Option<Limit>,
    project_slug: Option<String>,
    environment: Option<String>,
    /// e.g. 1h, 24h, 14d (default 14d); or give start and end.
    stats_period: Option<String>,
    /// ISO 8601.
    start: Option<String>,
    /// ISO 8601.
    end: Option<String>,
    cursor: Option<String>,
}

async fn search_events(
    ctx: Arc<ToolContext>,
    params: SearchEventsParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let dataset = params.dataset.unwrap_or_default();
    let range = time_range(params.stats_period, params.start, params.end)?;
    let fields = chosen_fields(params.fields, dataset)?;
    let sort = match non_empty(params.sort.as_deref()) {
        Some(sort) => Some(sort.to_owned()),
        None => default_sort(&fields),
    };
    let query = params.query.unwrap_or_default();
    let project = non_empty(params.project_slug.as_deref())
        .or(ctx.default_project())
        .map(str::to_owned);
    let projects = match &project {
        Some(slug) => vec![ctx.session().project_id(&org, slug).await?],
        None => Vec::new(),
    };
    let environment = non_empty(params.environment.as_deref());
    let request = DiscoverQuery {
        dataset: dataset.name(),
        fields: &fields,
        query: query.trim(),
        sort: sort.as_deref(),
        projects: &projects,
        environment,
        range: &range,
        limit: list_limit(params.limit)?,
        cursor: non_empty(params.cursor.as_deref()),
    };
    let (table, next_cursor) = api::discover::table(ctx.client(), &org, &request).await?;
    let scope = match &project {
        Some(project) => format!("{org}/{project}"),
        None => org.clone(),
    };
    let heading = table_heading(&request, &scope, table.data.len());
    let mut lines = vec![heading];
    if !table.data.is_empty() {
        lines.push(fields.join(" | "));
        lines.extend(table.data.iter().map(|row| row_line(row, &fields, &table)));
    }
    lines.extend(more_line(table.data.len(), None, next_cursor.as_deref()));
    let structured = json!({
        "organization": org,
        "dataset": dataset.name(),
        "query": request.query,
        "fields": fields,
        "sort": sort,
        "rows": table.data,
        "next_cursor": next_cursor,
    });
    Ok(ToolOutput::new(structured, lines.join("\n")))
}

/// `statsPeriod`, or `start` and `end` together; 14 days when none is given.
fn time_range(
    period: Option<String>,
    start: Option<String>,
    end: Option<String>,
) -> Result<TimeRange, ToolError> {
    let period = period.filter(|p| !p.trim().is_empty());
    let start = start.filter(|s| !s.trim().is_empty());
    let end = end.filter(|s| !s.trim().is_empty());
    match (period, start, end) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(ToolError::InvalidInput(
            "give stats_period, or start and end, not both".into(),
        )),
        (Some(period), None, None) => {
            let period = period.trim();
            let (number, unit) = period.split_at(period.len().saturating_sub(1));
            let valid = !number.is_empty()
                && number.bytes().all(|b| b.is_ascii_digit())
                && matches!(unit, "s" | "m" | "h" | "d" | "w");
            if valid {
                Ok(TimeRange::Period(period.to_owned()))
            } else {
                Err(ToolError::InvalidInput(format!(
                    "stats_period {period:?} is not a period: use a number and a unit, e.g. 30m, 24h, 14d"
                )))
            }
        }
        (None, Some(start), Some(end)) => Ok(TimeRange::Between(
            parse_user_time(&start, "start")?,
            parse_user_time(&end, "end")?,
        )),
        (None, Some(_), None) | (None, None, Some(_)) => Err(ToolError::InvalidInput(
            "start and end go together: give both, or a stats_period such as 24h".into(),
        )),
        (None, None, None) => Ok(TimeRange::Period("14d".to_owned())),
    }
}

/// The given fields (trimmed, at most 20 as Sentry allows), else the dataset's defaults.
fn chosen_fields(given: Option<Vec<String>>, dataset: Dataset) -> Result<Vec<String>, ToolError> {
    let fields: Vec<String> = given
        .unwrap_or_default()
        .iter()
        .map(|f| f.trim().to_owned())
        .filter(|f| !f.is_empty())
        .collect();
    if fields.len() > 20 {
        return Err(ToolError::InvalidInput(format!(
            "{} fields asked: Sentry takes at most 20",
            fields.len()
        )));
    }
    if fields.is_empty() {
        return Ok(dataset
            .default_fields()
            .iter()
            .map(|f| (*f).to_owned())
            .collect());
    }
    Ok(fields)
}

/// Descending by the first aggregate, else newest first when there is a timestamp.
fn default_sort(fields: &[String]) -> Option<String> {
    fields
        .iter()
        .find(|f| f.contains('('))
        .or_else(|| fields.iter().find(|f| *f == "timestamp"))
        .map(|f| format!("-{f}"))
}

/// `12 errors rows in acme/web matching `…` (last 14d), sorted by -count():`.
fn table_heading(request: &DiscoverQuery<'_>, scope: &str, rows: usize) -> String {
    let matching = if request.query.is_empty() {
        String::new()
    } else {
        format!(" matching `{}`", request.query)
    };
    let environment = request
        .environment
        .map(|e| format!(" in environment {e}"))
        .unwrap_or_default();
    let when = match request.range {
        TimeRange::Period(period) => format!("last {period}"),
        TimeRange::Between(start, end) => format!("{start} to {end}"),
    };
    if rows == 0 {
        return format!(
            "No {} rows in {scope}{environment}{matching} ({when}).",
            request.dataset
        );
    }
    let sort = request
        .sort
        .map(|s| format!(", sorted by {s}"))
        .unwrap_or_default();
    format!(
        "{rows} {} rows in {scope}{environment}{matching} ({when}){sort}:",
        request.dataset
    )
}

/// One row as `a | b | c`, durations with their unit.
fn row_line(row: &Map<String, Value>, fields: &[String], table: &DiscoverTable) -> String {
    fields
        .iter()
        .map(|field| {
            let value = row.get(field).unwrap_or(&Value::Null);
            let unit = table.meta.units.get(field).and_then(Value::as_str);
            cell(value, unit)
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

fn cell(value: &Value, unit: Option<&str>) -> String {
    let text = match value {
        Value::Null => "-".to_owned(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), plain_number),
        Value::Array(items) => items
            .iter()
            .map(|v| cell(v, None))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    };
    let suffix = match unit {
        Some("millisecond") => "ms",
        Some("second") => "s",
        Some("byte") => " B",
        _ => "",
    };
    if value.is_number() {
        format!("{text}{suffix}")
    } else {
        truncate(&text.replace('\n', " "), 200)
    }
}

/// Arguments of `get_trace`.
#[derive(Debug, Deserialize, JsonSchema)]
struct TraceParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    /// 32 hex characters.
    trace_id: String,
}

async fn get_trace(ctx: Arc<ToolContext>, params: TraceParams) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let trace_id = hex_id(&params.trace_id, "trace_id")?;
    trace_answer(&ctx, &org, &trace_id, None).await
}

/// A trace (optionally centred on one span) as text and JSON; shared with `get_resource`.
pub(super) async fn trace_answer(
    ctx: &ToolContext,
    org: &str,
    trace_id: &str,
    span_id: Option<&str>,
) -> Result<ToolOutput, ToolError> {
    let client = ctx.client();
    let (meta, roots) = tokio::join!(
        api::traces::meta(client, org, trace_id, TRACE_PERIOD),
        api::traces::get(client, org, trace_id, TRACE_PERIOD),
    );
    let roots = roots?;
    // The counts are a summary: without them the tree still answers.
    let meta = meta.ok();
    let link = ctx.web_url(org, &["explore", "traces", "trace", trace_id]);
    if roots.is_empty() {
        return Err(ToolError::Failed(format!(
            "trace {trace_id} has no spans or errors in {org} over the last 14 days: check the id, or the trace is older"
        )));
    }
    let focus =
        match span_id {
            Some(span) => Some(find_span(&roots, span).ok_or_else(|| {
                ToolError::Failed(format!("span {span} is not in trace {trace_id}"))
            })?),
            None => None,
        };
    let mut lines = vec![summary_line(trace_id, meta.as_ref())];
    lines.extend(meta.as_ref().and_then(ops_line));
    let (shown_roots, heading) = match focus {
        Some(span) => {
            lines.extend(span_details(span));
            (std::slice::from_ref(span), "Its children:")
        }
        None => (roots.as_slice(), "Spans (children indented):"),
    };
    let mut tree = TreeText::default();
    for root in shown_roots.iter().filter(|n| n.span_id.is_some()) {
        tree.walk(root, 0, focus.is_some());
    }
    if !tree.lines.is_empty() {
        lines.push(heading.to_owned());
        lines.extend(tree.lines.iter().cloned());
    }
    let returned = roots.iter().map(count_spans).sum::<usize>();
    if tree.left_out > 0 {
        lines.push(format!(
            "{} of the {returned} spans returned are shown; {} left out (deeper than {MAX_DEPTH} levels, past {MAX_SPANS} spans, or faster siblings).",
            tree.shown, tree.left_out
        ));
    }
    let orphans: Vec<&TraceNode> = roots.iter().filter(|n| n.span_id.is_none()).collect();
    if !orphans.is_empty() {
        lines.push("Errors outside any span:".to_owned());
        lines.extend(orphans.iter().map(|e| format!("- {}", orphan_line(e))));
    }
    lines.push(format!("Link: {link}"));
    let structured = json!({
        "organization": org,
        "trace_id": trace_id,
        "span_id": span_id,
        "span_count": meta.as_ref().and_then(|m| m.span_count).map(|n| n.round() as u64),
        "errors": meta.as_ref().and_then(|m| m.errors),
        "spans_returned": returned,
        "spans_shown": tree.shown,
        "spans_left_out": tree.left_out,
        "link": link,
    });
    Ok(ToolOutput::new(structured, lines.join("\n")))
}

fn summary_line(trace_id: &str, meta: Option<&TraceMeta>) -> String {
    let Some(meta) = meta else {
        return format!("Trace {trace_id} (its counts could not be read):");
    };
    let counts: Vec<String> = [
        meta.span_count
            .map(|n| format!("{} spans", n.round() as u64)),
        meta.errors.map(|n| format!("{n} errors")),
        meta.performance_issues
            .map(|n| format!("{n} performance issues")),
        meta.logs.map(|n| format!("{n} logs")),
    ]
    .into_iter()
    .flatten()
    .collect();
    format!("Trace {trace_id}: {}.", counts.join(", "))
}

/// The most frequent span operations.
fn ops_line(meta: &TraceMeta) -> Option<String> {
    let mut ops: Vec<(&String, f64)> = meta
        .span_count_map
        .iter()
        .filter_map(|(op, n)| Some((op, n.as_f64()?)))
        .collect();
    if ops.is_empty() {
        return None;
    }
    ops.sort_by(|a, b| b.1.total_cmp(&a.1));
    let top: Vec<String> = ops
        .iter()
        .take(8)
        .map(|(op, n)| format!("{op} {}", n.round() as u64))
        .collect();
    Some(format!("Spans by operation: {}.", top.join(", ")))
}

/// Renders a tree within the caps, counting what it leaves out.
#[derive(Default)]
struct TreeText {
    lines: Vec<String>,
    shown: usize,
    left_out: usize,
}

impl TreeText {
    fn walk(&mut self, node: &TraceNode, depth: usize, skip_self: bool) {
        if !skip_self {
            if self.shown >= MAX_SPANS || depth >= MAX_DEPTH {
                self.left_out += count_spans(node);
                return;
            }
            self.lines
                .push(format!("{}- {}", "  ".repeat(depth), span_line(node)));
            self.shown += 1;
        }
        let child_depth = if skip_self { depth } else { depth + 1 };
        let kept = slowest(&node.children, MAX_CHILDREN);
        for (index, child) in node.children.iter().enumerate() {
            if kept.contains(&index) {
                self.walk(child, child_depth, false);
            } else {
                self.left_out += count_spans(child);
            }
        }
    }
}

/// The indexes of the `max` slowest nodes, in their original order.
fn slowest(nodes: &[TraceNode], max: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    if nodes.len() > max {
        order.sort_by(|a, b| {
            let duration = |i: &usize| nodes[*i].duration.unwrap_or(0.0);
            duration(b).total_cmp(&duration(a))
        });
        order.truncate(max);
        order.sort_unstable();
    }
    order
}

fn count_spans(node: &TraceNode) -> usize {
    usize::from(node.span_id.is_some()) + node.children.iter().map(count_spans).sum::<usize>()
}

fn find_span<'a>(nodes: &'a [TraceNode], span_id: &str) -> Option<&'a TraceNode> {
    nodes.iter().find_map(|node| {
        if node.span_id.as_deref() == Some(span_id) {
            Some(node)
        } else {
            find_span(&node.children, span_id)
        }
    })
}

/// `db — SELECT … 20ms [web] span 1a2b…; 1 error: "…" (issue 42)`.
fn span_line(node: &TraceNode) -> String {
    let op = node.op.as_deref().unwrap_or("span");
    let description = non_empty(node.description.as_deref())
        .map(|d| format!(" — {}", truncate(d, 120)))
        .unwrap_or_default();
    let duration = node
        .duration
        .map(|d| format!(" {}ms", d.round() as u64))
        .unwrap_or_default();
    let project = node
        .project_slug
        .as_deref()
        .map(|p| format!(" [{p}]"))
        .unwrap_or_default();
    let status = node
        .status
        .as_deref()
        .filter(|s| *s != "ok")
        .map(|s| format!(" status {s}"))
        .unwrap_or_default();
    let span = node.span_id.as_deref().unwrap_or("?");
    let errors: Vec<String> = node
        .errors
        .iter()
        .map(|e| {
            let issue = e
                .issue_id
                .as_deref()
                .map(|i| format!(" (issue {i})"))
                .unwrap_or_default();
            format!("\"{}\"{issue}", e.title.as_deref().unwrap_or("error"))
        })
        .collect();
    let errors = if errors.is_empty() {
        String::new()
    } else {
        format!("; errors: {}", errors.join(", "))
    };
    format!("{op}{description}{duration}{project}{status} span {span}{errors}")
}

/// The lines of a span in focus (`get_resource` with a span URL).
fn span_details(node: &TraceNode) -> Vec<String> {
    vec![
        format!("Span: {}", span_line(node)),
        format!(
            "In transaction event {}; {} child spans.",
            node.event_id.as_deref().unwrap_or("?"),
            node.children.iter().map(count_spans).sum::<usize>()
        ),
    ]
}

fn orphan_line(node: &TraceNode) -> String {
    let title = node.title.as_deref().unwrap_or("error");
    let culprit = non_empty(node.culprit.as_deref())
        .map(|c| format!(" at {c}"))
        .unwrap_or_default();
    let issue = node
        .issue_id
        .as_deref()
        .map(|i| format!(" (issue {i})"))
        .unwrap_or_default();
    format!("{title}{culprit}{issue}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_ranges_are_a_period_or_both_ends() {
        assert_eq!(
            time_range(None, None, None).unwrap(),
            TimeRange::Period("14d".into())
        );
        assert_eq!(
            time_range(Some("24h".into()), None, None).unwrap(),
            TimeRange::Period("24h".into())
        );
        assert!(matches!(
            time_range(
                None,
                Some("2025-01-01T00:00:00Z".into()),
                Some("2025-01-02T00:00:00Z".into())
            ),
            Ok(TimeRange::Between(..))
        ));
        for (period, start, end, needle) in [
            (Some("2 days"), None, None, "not a period"),
            (Some("24h"), Some("2025-01-01"), None, "not both"),
            (None, Some("2025-01-01T00:00:00Z"), None, "go together"),
        ] {
            let err = time_range(
                period.map(str::to_owned),
                start.map(str::to_owned),
                end.map(str::to_owned),
            )
            .unwrap_err()
            .to_string();
            assert!(err.contains(needle), "{err}");
        }
    }

    #[test]
    fn the_default_sort_is_the_first_aggregate_or_the_newest() {
        let fields = |list: &[&str]| list.iter().map(|f| (*f).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            default_sort(&fields(&["title", "count()", "p95(span.duration)"])).as_deref(),
            Some("-count()")
        );
        assert_eq!(
            default_sort(&fields(&["span.op", "timestamp"])).as_deref(),
            Some("-timestamp")
        );
        assert_eq!(default_sort(&fields(&["span.op"])), None);
    }

    #[test]
    fn cells_carry_units_and_stay_on_one_line() {
        assert_eq!(cell(&json!(12.0), Some("millisecond")), "12ms");
        assert_eq!(cell(&json!(0.1234), None), "0.12");
        assert_eq!(cell(&json!(0.5), None), "0.5");
        assert_eq!(cell(&json!("a\nb"), None), "a b");
        assert_eq!(cell(&Value::Null, None), "-");
    }

    #[test]
    fn capped_children_keep_the_slowest_in_order() {
        let nodes: Vec<TraceNode> = [5.0, 50.0, 1.0, 30.0]
            .iter()
            .map(|d| serde_json::from_value(json!({"span_id": "a", "duration": d})).unwrap())
            .collect();
        assert_eq!(slowest(&nodes, 2), vec![1, 3]);
        assert_eq!(slowest(&nodes, 10), vec![0, 1, 2, 3]);
    }
}
