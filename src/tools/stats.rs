//! Tools: project event counts over time.

use super::context::ToolContext;
use super::error::ToolError;
use super::output::ToolOutput;
use super::tool::{Effects, Tool};
use crate::sentry::api::projects::{self, StatsQuery};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

const HOUR: i64 = 3_600;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;

/// The tools of this module.
pub fn tools() -> Vec<Tool> {
    vec![Tool::new::<ProjectStatsParams, _, _>(
        "get_project_stats",
        "Get project event counts",
        "A project's event counts per hour, day or week.",
        Effects::READ,
        get_project_stats,
    )]
}

// Which events to count.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(inline)]
enum Stat {
    #[default]
    Received,
    Rejected,
    Blacklisted,
}

impl Stat {
    fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Rejected => "rejected",
            Self::Blacklisted => "blacklisted",
        }
    }
}

// The size of one point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[schemars(inline)]
enum Resolution {
    #[serde(rename = "1h")]
    Hour,
    #[default]
    #[serde(rename = "1d")]
    Day,
    #[serde(rename = "1w")]
    Week,
}

impl Resolution {
    fn as_str(self) -> &'static str {
        match self {
            Self::Hour => "1h",
            Self::Day => "1d",
            Self::Week => "1w",
        }
    }

    /// What to ask Sentry for: it has no weekly rollup, so weeks are summed from days.
    fn api_value(self) -> &'static str {
        match self {
            Self::Hour => "1h",
            Self::Day | Self::Week => "1d",
        }
    }

    /// The window `[since, until]` in unix seconds that ends at `now`.
    fn window(self, now: i64) -> (i64, i64) {
        let since = match self {
            Self::Hour => now - DAY,
            Self::Day => now - 30 * DAY,
            Self::Week => week_start(now) - 11 * WEEK,
        };
        (since, now)
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Hour => "hourly over the last 24 hours",
            Self::Day => "daily over the last 30 days",
            Self::Week => "weekly (from Monday) over the last 12 weeks",
        }
    }

    fn label(self, start: i64) -> String {
        let format = match self {
            Self::Hour => "%Y-%m-%d %H:00",
            Self::Day => "%Y-%m-%d",
            Self::Week => "week of %Y-%m-%d",
        };
        time_of(start).format(format).to_string()
    }
}

/// Arguments of `get_project_stats`.
#[derive(Debug, Deserialize, JsonSchema)]
struct ProjectStatsParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    #[schemars(required)]
    project_slug: Option<String>,
    stat: Option<Stat>,
    resolution: Option<Resolution>,
}

async fn get_project_stats(
    ctx: Arc<ToolContext>,
    params: ProjectStatsParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let project = ctx.project(params.project_slug)?;
    let stat = params.stat.unwrap_or_default();
    let resolution = params.resolution.unwrap_or_default();
    let (since, until) = resolution.window(Utc::now().timestamp());
    let query = StatsQuery {
        stat: stat.as_str(),
        resolution: resolution.api_value(),
        since,
        until,
    };
    let mut points = projects::stats(ctx.client(), &org, &project, query).await?;
    if resolution == Resolution::Week {
        points = weekly(&points);
    }
    let total: u64 = points.iter().map(|(_, count)| count).sum();
    // The summary comes first: an assistant often needs no more than this line.
    let peak = points
        .iter()
        .max_by_key(|(start, count)| (*count, -start))
        .filter(|(_, count)| *count > 0)
        .map(|(start, count)| format!(", peak {count} ({})", resolution.label(*start)))
        .unwrap_or_default();
    let latest = points
        .last()
        .map(|(_, count)| format!(", latest {count}"))
        .unwrap_or_default();
    let mut lines = vec![format!(
        "{} events of {org}/{project}, {}: {total} in total{peak}{latest}.",
        capitalised(stat.as_str()),
        resolution.describe()
    )];
    lines.extend(
        points
            .iter()
            .map(|(start, count)| format!("{}  {count}", resolution.label(*start))),
    );
    let structured = json!({
        "organization": org,
        "project": project,
        "stat": stat.as_str(),
        "resolution": resolution.as_str(),
        "since": time_of(since).to_rfc3339(),
        "until": time_of(until).to_rfc3339(),
        "total": total,
        "points": points
            .iter()
            .map(|(start, count)| json!({"start": time_of(*start).to_rfc3339(), "count": count}))
            .collect::<Vec<_>>(),
    });
    Ok(ToolOutput::new(structured, lines.join("\n")))
}

/// Sums points into weeks that start on Monday 00:00 UTC.
fn weekly(points: &[(i64, u64)]) -> Vec<(i64, u64)> {
    let mut weeks: BTreeMap<i64, u64> = BTreeMap::new();
    for (start, count) in points {
        *weeks.entry(week_start(*start)).or_default() += count;
    }
    weeks.into_iter().collect()
}

/// The Monday 00:00 UTC at or before `t` (the Unix epoch was a Thursday).
fn week_start(t: i64) -> i64 {
    const MONDAY_OFFSET: i64 = 4 * DAY;
    (t - MONDAY_OFFSET).div_euclid(WEEK) * WEEK + MONDAY_OFFSET
}

fn time_of(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2025-03-03, a Monday.
    const MONDAY: i64 = 1_740_960_000;

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(time_of(MONDAY).format("%A").to_string(), "Monday");
        assert_eq!(week_start(MONDAY), MONDAY);
        assert_eq!(week_start(MONDAY + 6 * DAY + 23 * HOUR), MONDAY);
        assert_eq!(week_start(MONDAY - 1), MONDAY - WEEK);
    }

    #[test]
    fn days_are_summed_into_weeks() {
        let days: Vec<(i64, u64)> = (0..10).map(|d| (MONDAY + d * DAY, 1 + d as u64)).collect();
        assert_eq!(
            weekly(&days),
            vec![
                (MONDAY, 1 + 2 + 3 + 4 + 5 + 6 + 7),
                (MONDAY + WEEK, 8 + 9 + 10)
            ]
        );
    }

    #[test]
    fn the_weekly_window_covers_twelve_whole_weeks_to_now() {
        let now = MONDAY + 2 * DAY;
        let (since, until) = Resolution::Week.window(now);
        assert_eq!((since, until), (MONDAY - 11 * WEEK, now));
        assert_eq!(Resolution::Hour.window(now), (now - DAY, now));
    }
}
