//! Alert rules, cron monitors and their check-ins, dashboards, session replays.

use super::{id_string, lenient_list, opt_string};
use serde::Deserialize;
use serde_json::Value;

/// An alert rule as `combined-rules/` lists it: a metric alert (`type` `alert_rule`) or an issue
/// alert (`type` `rule`); the detail endpoints answer the same fields.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertRule {
    /// `alert_rule` (metric), `rule` (issue), or another family a newer server adds.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Its id.
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// `active`, `disabled`, ... (a number on older servers).
    #[serde(default, deserialize_with = "opt_string")]
    pub status: Option<String>,
    /// Project slugs it watches.
    #[serde(default, deserialize_with = "lenient_list")]
    pub projects: Vec<String>,
    /// The environment it is limited to.
    #[serde(default)]
    pub environment: Option<String>,
    /// `user:ID` or `team:ID`.
    #[serde(default)]
    pub owner: Option<String>,
    /// When it last fired.
    #[serde(default)]
    pub last_triggered: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub date_created: Option<String>,
    /// Metric alerts: the search filter.
    #[serde(default)]
    pub query: Option<String>,
    /// Metric alerts: the function, e.g. `count()`, `p95(transaction.duration)`.
    #[serde(default)]
    pub aggregate: Option<String>,
    /// Metric alerts: `events`, `transactions`, `sessions`, ...
    #[serde(default)]
    pub dataset: Option<String>,
    /// Metric alerts: the window in minutes.
    #[serde(default)]
    pub time_window: Option<f64>,
    /// Metric alerts: the thresholds (`critical`, `warning`).
    #[serde(default, deserialize_with = "lenient_list")]
    pub triggers: Vec<AlertTrigger>,
    /// Metric alerts: 0 fires above the threshold, 1 below.
    #[serde(default)]
    pub threshold_type: Option<u8>,
    /// Issue alerts: when it fires.
    #[serde(default, deserialize_with = "lenient_list")]
    pub conditions: Vec<RuleComponent>,
    /// Issue alerts: which events count.
    #[serde(default, deserialize_with = "lenient_list")]
    pub filters: Vec<RuleComponent>,
    /// What it does when it fires.
    #[serde(default, deserialize_with = "lenient_list")]
    pub actions: Vec<RuleComponent>,
    /// Issue alerts: `all`, `any` or `none` of the conditions.
    #[serde(default)]
    pub action_match: Option<String>,
    /// Issue alerts: minutes between two notifications for one issue.
    #[serde(default)]
    pub frequency: Option<u64>,
}

/// A metric alert's threshold.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertTrigger {
    /// `critical` or `warning`.
    #[serde(default)]
    pub label: String,
    /// The value that fires it.
    #[serde(default)]
    pub alert_threshold: Option<f64>,
}

/// A condition, filter or action of an issue alert, with Sentry's own wording.
#[derive(Debug, Clone, Deserialize)]
pub struct RuleComponent {
    /// The rendered sentence, e.g. "A new issue is created".
    #[serde(default)]
    pub name: Option<String>,
    /// The component's class id.
    #[serde(default)]
    pub id: Option<String>,
}

/// A cron monitor.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Monitor {
    /// Its id.
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    /// URL slug.
    #[serde(default)]
    pub slug: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// `active`, `disabled`, or a health state on older servers.
    #[serde(default)]
    pub status: Option<String>,
    /// Whether its alerts are muted.
    #[serde(default)]
    pub is_muted: Option<bool>,
    /// Its project.
    #[serde(default)]
    pub project: Option<super::ProjectRef>,
    /// Its owner.
    #[serde(default)]
    pub owner: Option<MonitorOwner>,
    /// Schedule and tolerances.
    #[serde(default)]
    pub config: Option<MonitorConfig>,
    /// Health per environment.
    #[serde(default, deserialize_with = "lenient_list")]
    pub environments: Vec<MonitorEnvironment>,
}

/// Who owns a monitor.
#[derive(Debug, Clone, Deserialize)]
pub struct MonitorOwner {
    /// `user` or `team`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
}

/// A monitor's schedule.
#[derive(Debug, Clone, Deserialize)]
pub struct MonitorConfig {
    /// `crontab` or `interval`.
    #[serde(default)]
    pub schedule_type: Option<String>,
    /// A crontab string, or `[n, unit]` for intervals (older answers: `["crontab", "0 2 * * *"]`).
    #[serde(default)]
    pub schedule: Value,
    /// The schedule's time zone.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Minutes a check-in may be late.
    #[serde(default)]
    pub checkin_margin: Option<u64>,
    /// Minutes a run may take.
    #[serde(default)]
    pub max_runtime: Option<u64>,
}

/// A monitor in one environment.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MonitorEnvironment {
    /// The environment.
    #[serde(default)]
    pub name: String,
    /// `ok`, `error`, `missed_checkin`, `timeout`, `active`...
    #[serde(default)]
    pub status: Option<String>,
    /// Whether muted here.
    #[serde(default)]
    pub is_muted: Option<bool>,
    /// Latest check-in.
    #[serde(default)]
    pub last_check_in: Option<String>,
    /// When the next is due.
    #[serde(default)]
    pub next_check_in: Option<String>,
}

/// One check-in of a monitor.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckIn {
    /// Its id.
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    /// The environment.
    #[serde(default)]
    pub environment: Option<String>,
    /// `ok`, `error`, `missed`, `timeout`, `in_progress`.
    #[serde(default)]
    pub status: Option<String>,
    /// Run time in milliseconds.
    #[serde(default)]
    pub duration: Option<f64>,
    /// When it was received.
    #[serde(default)]
    pub date_created: Option<String>,
}

/// A dashboard (list answers omit the widgets).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    /// Its id.
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    /// Its title.
    #[serde(default)]
    pub title: String,
    /// When it was created.
    #[serde(default)]
    pub date_created: Option<String>,
    /// Its author.
    #[serde(default)]
    pub created_by: Option<super::issue_context::User>,
    /// Environments it filters on.
    #[serde(default, deserialize_with = "lenient_list")]
    pub environment: Vec<String>,
    /// Numeric ids of the projects it filters on.
    #[serde(default, deserialize_with = "lenient_list")]
    pub projects: Vec<Value>,
    /// Its time range, e.g. `24h`.
    #[serde(default)]
    pub period: Option<String>,
    /// List answers: the display type of each widget.
    #[serde(default, deserialize_with = "lenient_list")]
    pub widget_display: Vec<String>,
    /// Detail answers: the widgets.
    #[serde(default, deserialize_with = "lenient_list")]
    pub widgets: Vec<Widget>,
}

/// A dashboard widget.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Widget {
    /// Its id.
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    /// Its title.
    #[serde(default)]
    pub title: String,
    /// `line`, `table`, `big_number`, ...
    #[serde(default)]
    pub display_type: Option<String>,
    /// `error-events`, `spans`, `issue`, ...
    #[serde(default)]
    pub widget_type: Option<String>,
    /// Its queries.
    #[serde(default, deserialize_with = "lenient_list")]
    pub queries: Vec<WidgetQuery>,
}

/// One query of a widget, in Discover terms.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WidgetQuery {
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// The fields and functions.
    #[serde(default, deserialize_with = "lenient_list")]
    pub fields: Vec<String>,
    /// The search filter.
    #[serde(default)]
    pub conditions: Option<String>,
    /// The order, e.g. `-count()`.
    #[serde(default)]
    pub orderby: Option<String>,
}

/// The answer of `replays/{id}/`.
#[derive(Debug, Clone, Deserialize)]
pub struct ReplayEnvelope {
    /// The replay.
    pub data: Replay,
}

/// A session replay.
#[derive(Debug, Clone, Deserialize)]
pub struct Replay {
    /// Its id.
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    /// Its project's numeric id.
    #[serde(default, deserialize_with = "opt_string")]
    pub project_id: Option<String>,
    /// Start.
    #[serde(default)]
    pub started_at: Option<String>,
    /// End.
    #[serde(default)]
    pub finished_at: Option<String>,
    /// Seconds.
    #[serde(default)]
    pub duration: Option<f64>,
    /// Errors during it.
    #[serde(default)]
    pub count_errors: Option<u64>,
    /// Dead clicks.
    #[serde(default)]
    pub count_dead_clicks: Option<u64>,
    /// Rage clicks.
    #[serde(default)]
    pub count_rage_clicks: Option<u64>,
    /// Pages visited, in order.
    #[serde(default, deserialize_with = "lenient_list")]
    pub urls: Vec<String>,
    /// The user.
    #[serde(default)]
    pub user: Option<ReplayUser>,
    /// Browser name and version.
    #[serde(default)]
    pub browser: Option<NameVersion>,
    /// Operating system name and version.
    #[serde(default)]
    pub os: Option<NameVersion>,
    /// Environment.
    #[serde(default)]
    pub environment: Option<String>,
    /// Releases.
    #[serde(default, deserialize_with = "lenient_list")]
    pub releases: Vec<String>,
    /// Traces recorded during it.
    #[serde(default, deserialize_with = "lenient_list")]
    pub trace_ids: Vec<String>,
    /// Error events recorded during it.
    #[serde(default, deserialize_with = "lenient_list")]
    pub error_ids: Vec<String>,
}

/// The user of a replay.
#[derive(Debug, Clone, Deserialize)]
pub struct ReplayUser {
    /// The best name Sentry has.
    #[serde(default)]
    pub display_name: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
}

/// A browser or OS.
#[derive(Debug, Clone, Deserialize)]
pub struct NameVersion {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Version.
    #[serde(default)]
    pub version: Option<String>,
}
