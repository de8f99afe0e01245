//! Tools: monitoring — alert rules, cron monitors, dashboards and session replays.

use super::context::{Limit, ToolContext, list_limit};
use super::error::ToolError;
use super::ids::hex_id;
use super::output::{ListAnswer, ToolOutput};
use super::tool::{Effects, Tool};
use crate::sentry::api::{self, Page};
use crate::sentry::models::monitoring::{
    AlertRule, CheckIn, Dashboard, Monitor, MonitorEnvironment, Replay, RuleComponent,
};
use crate::text::{non_empty, plain_number, truncate};
use crate::time::short_time;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// Check-ins `get_monitor` shows.
const CHECK_INS: usize = 10;

/// The tools of this module.
pub fn tools() -> Vec<Tool> {
    vec![
        Tool::new::<ListParams, _, _>(
            "list_alert_rules",
            "List alert rules",
            "List metric and issue alert rules: what fires them, thresholds, projects, last fired.",
            Effects::READ,
            list_alert_rules,
        ),
        Tool::new::<AlertRuleParams, _, _>(
            "get_alert_rule",
            "Get an alert rule",
            "Show one alert rule: its query or conditions, thresholds, filters and actions.",
            Effects::READ,
            get_alert_rule,
        ),
        Tool::new::<ListParams, _, _>(
            "list_monitors",
            "List cron monitors",
            "List cron monitors: schedule and health per environment, last and next check-in.",
            Effects::READ,
            list_monitors,
        ),
        Tool::new::<MonitorParams, _, _>(
            "get_monitor",
            "Get a cron monitor",
            "Show a cron monitor with its schedule, health per environment and latest check-ins.",
            Effects::READ,
            get_monitor,
        ),
        Tool::new::<DashboardsParams, _, _>(
            "list_dashboards",
            "List dashboards",
            "List an organization's dashboards: id, title, widget count, author.",
            Effects::READ,
            list_dashboards,
        ),
        Tool::new::<DashboardParams, _, _>(
            "get_dashboard",
            "Get a dashboard",
            "Show a dashboard's widgets and the query behind each (rerun them with search_events).",
            Effects::READ,
            get_dashboard,
        ),
        Tool::new::<ReplayParams, _, _>(
            "get_replay",
            "Get a session replay",
            "Show a session replay: user, duration, pages visited, errors, rage and dead clicks, traces.",
            Effects::READ,
            get_replay,
        ),
    ]
}

/// Arguments of the organization-wide lists that can be narrowed to a project.
#[derive(Debug, Deserialize, JsonSchema)]
struct ListParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    /// Only this project's (slug or id).
    project_slug: Option<String>,
    limit: Option<Limit>,
    cursor: Option<String>,
}

// The two families of alert rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(inline)]
enum RuleKind {
    #[default]
    Metric,
    Issue,
}

/// Arguments of `get_alert_rule`.
#[derive(Debug, Deserialize, JsonSchema)]
struct AlertRuleParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    /// The id list_alert_rules shows.
    rule_id: String,
    /// Default metric; issue rules also need project_slug.
    kind: Option<RuleKind>,
    project_slug: Option<String>,
}

/// Arguments of `get_monitor`.
#[derive(Debug, Deserialize, JsonSchema)]
struct MonitorParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    /// Slug or id.
    monitor_slug: String,
}

/// Arguments of `list_dashboards`.
#[derive(Debug, Deserialize, JsonSchema)]
struct DashboardsParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    limit: Option<Limit>,
    cursor: Option<String>,
}

/// Arguments of `get_dashboard`.
#[derive(Debug, Deserialize, JsonSchema)]
struct DashboardParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    dashboard_id: String,
}

/// Arguments of `get_replay`.
#[derive(Debug, Deserialize, JsonSchema)]
struct ReplayParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    /// 32 hex characters.
    replay_id: String,
}

/// The project filter of a list: numeric ids, from the given slug or the configured project.
async fn project_filter(
    ctx: &ToolContext,
    org: &str,
    given: Option<String>,
) -> Result<(Vec<String>, Option<String>), ToolError> {
    let slug = non_empty(given.as_deref())
        .or(ctx.default_project())
        .map(str::to_owned);
    match slug {
        Some(slug) => Ok((
            vec![ctx.session().project_id(org, &slug).await?],
            Some(slug),
        )),
        None => Ok((Vec::new(), None)),
    }
}

/// `acme` or `acme/web`.
fn scope(org: &str, project: Option<&str>) -> String {
    match project {
        Some(project) => format!("{org}/{project}"),
        None => org.to_owned(),
    }
}

async fn list_alert_rules(
    ctx: Arc<ToolContext>,
    params: ListParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let page = Page::from(list_limit(params.limit)?, params.cursor);
    let (ids, project) = project_filter(&ctx, &org, params.project_slug).await?;
    let listing = api::alerts::list(ctx.client(), &org, &ids, page).await?;
    let scope = scope(&org, project.as_deref());
    let heading = match listing.items.len() {
        0 => format!("No alert rules in {scope}."),
        _ => format!("Alert rules in {scope}:"),
    };
    let answer = ListAnswer {
        heading,
        key: "alert_rules",
        fields: json!({ "organization": org, "project": project }),
    };
    Ok(answer.render(
        &listing,
        |rule| format!("- {}", rule_line(rule)),
        |rule| rule_json(rule, &rule_link(&ctx, &org, rule)),
    ))
}

/// `[metric] 12 "High errors": count() above 100 (critical) over 60 min; projects web; …`.
fn rule_line(rule: &AlertRule) -> String {
    let mut parts = vec![format!(
        "[{}] {} \"{}\": {}",
        kind_label(rule),
        rule.id,
        rule.name,
        rule_summary(rule)
    )];
    if !rule.projects.is_empty() {
        parts.push(format!("projects {}", rule.projects.join(", ")));
    }
    parts.extend(rule.environment.as_ref().map(|e| format!("env {e}")));
    parts.extend(
        rule.status
            .as_deref()
            .filter(|s| *s != "active" && *s != "0")
            .map(|s| format!("status {s}")),
    );
    parts.push(match rule.last_triggered.as_deref() {
        Some(last) => format!("last fired {}", short_time(last)),
        None => "never fired".to_owned(),
    });
    parts.join("; ")
}

fn kind_label(rule: &AlertRule) -> &str {
    match rule.kind.as_deref() {
        Some("alert_rule") => "metric",
        Some("rule") => "issue",
        Some(other) => other,
        None if rule.aggregate.is_some() => "metric",
        None => "issue",
    }
}

/// What fires a rule: a metric's threshold, or an issue rule's conditions.
fn rule_summary(rule: &AlertRule) -> String {
    if let Some(aggregate) = &rule.aggregate {
        let direction = if rule.threshold_type == Some(1) {
            "below"
        } else {
            "above"
        };
        let thresholds: Vec<String> = rule
            .triggers
            .iter()
            .filter_map(|t| {
                t.alert_threshold
                    .map(|v| format!("{} ({})", plain_number(v), t.label))
            })
            .collect();
        let window = rule
            .time_window
            .map(|w| format!(" over {} min", plain_number(w)))
            .unwrap_or_default();
        let query = non_empty(rule.query.as_deref())
            .map(|q| format!(" where `{q}`"))
            .unwrap_or_default();
        let dataset = rule
            .dataset
            .as_deref()
            .map(|d| format!(" on {d}"))
            .unwrap_or_default();
        return format!(
            "{aggregate} {direction} {}{window}{dataset}{query}",
            thresholds.join(" / ")
        );
    }
    let conditions = names(&rule.conditions);
    let how = rule.action_match.as_deref().unwrap_or("all");
    if conditions.is_empty() {
        "no conditions".to_owned()
    } else {
        format!("when {how} of: {}", conditions.join("; "))
    }
}

fn names(components: &[RuleComponent]) -> Vec<String> {
    components
        .iter()
        .map(|c| {
            non_empty(c.name.as_deref())
                .or(c.id.as_deref())
                .unwrap_or("?")
                .to_owned()
        })
        .collect()
}

fn rule_json(rule: &AlertRule, link: &str) -> Value {
    json!({
        "id": rule.id,
        "kind": kind_label(rule),
        "name": rule.name,
        "summary": rule_summary(rule),
        "projects": rule.projects,
        "environment": rule.environment,
        "last_triggered": rule.last_triggered,
        "owner": rule.owner,
        "link": link,
    })
}

/// The rule's page: metric rules by id, issue rules under their project.
fn rule_link(ctx: &ToolContext, org: &str, rule: &AlertRule) -> String {
    match (kind_label(rule), rule.projects.first()) {
        ("issue", Some(project)) => {
            ctx.web_url(org, &["alerts", "rules", project, &rule.id, "details"])
        }
        _ => ctx.web_url(org, &["alerts", "rules", "details", &rule.id]),
    }
}

async fn get_alert_rule(
    ctx: Arc<ToolContext>,
    params: AlertRuleParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let id = params.rule_id.trim();
    let rule = match params.kind.unwrap_or_default() {
        RuleKind::Metric => api::alerts::metric_rule(ctx.client(), &org, id).await?,
        RuleKind::Issue => {
            let project = ctx.project(params.project_slug).map_err(|_| {
                ToolError::InvalidInput(
                    "an issue alert rule belongs to a project: give project_slug".into(),
                )
            })?;
            let mut rule = api::alerts::issue_rule(ctx.client(), &org, &project, id).await?;
            rule.kind = Some("rule".to_owned());
            if rule.projects.is_empty() {
                rule.projects.push(project);
            }
            rule
        }
    };
    let link = rule_link(&ctx, &org, &rule);
    let mut lines = vec![
        format!(
            "Alert rule {} \"{}\" ({} alert) in {org}",
            rule.id,
            rule.name,
            kind_label(&rule)
        ),
        format!("Fires: {}", rule_summary(&rule)),
    ];
    let filters = names(&rule.filters);
    if !filters.is_empty() {
        lines.push(format!("Only events that: {}", filters.join("; ")));
    }
    let actions = names(&rule.actions);
    lines.push(match actions.is_empty() {
        true => "Actions: none".to_owned(),
        false => format!("Actions: {}", actions.join("; ")),
    });
    let facts: Vec<String> = [
        (!rule.projects.is_empty()).then(|| format!("projects {}", rule.projects.join(", "))),
        rule.environment.as_ref().map(|e| format!("env {e}")),
        rule.owner.as_ref().map(|o| format!("owner {o}")),
        rule.frequency
            .map(|f| format!("at most every {f} min per issue")),
        rule.last_triggered
            .as_deref()
            .map(|t| format!("last fired {}", short_time(t))),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !facts.is_empty() {
        lines.push(facts.join(" · "));
    }
    lines.push(format!("Link: {link}"));
    let mut structured = rule_json(&rule, &link);
    structured["organization"] = json!(org);
    structured["filters"] = json!(filters);
    structured["actions"] = json!(actions);
    Ok(ToolOutput::new(structured, lines.join("\n")))
}

async fn list_monitors(ctx: Arc<ToolContext>, params: ListParams) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let page = Page::from(list_limit(params.limit)?, params.cursor);
    let (ids, project) = project_filter(&ctx, &org, params.project_slug).await?;
    let listing = api::monitors::list(ctx.client(), &org, &ids, page).await?;
    let scope = scope(&org, project.as_deref());
    let heading = match listing.items.len() {
        0 => format!("No cron monitors in {scope}."),
        _ => format!("Cron monitors in {scope}:"),
    };
    let answer = ListAnswer {
        heading,
        key: "monitors",
        fields: json!({ "organization": org, "project": project }),
    };
    Ok(answer.render(
        &listing,
        |m| format!("- {}", monitor_line(m)),
        |m| monitor_json(m, &monitor_link(&ctx, &org, m)),
    ))
}

/// `nightly-import "Nightly Import" [web] crontab 0 2 * * * UTC: production ok (…), staging missed_checkin`.
fn monitor_line(monitor: &Monitor) -> String {
    let project = monitor
        .project
        .as_ref()
        .map(|p| format!(" [{}]", p.slug))
        .unwrap_or_default();
    let muted = if monitor.is_muted == Some(true) {
        " (muted)"
    } else {
        ""
    };
    let environments: Vec<String> = monitor.environments.iter().map(environment_text).collect();
    let health = if environments.is_empty() {
        "no check-in yet".to_owned()
    } else {
        environments.join("; ")
    };
    format!(
        "{} \"{}\"{project}{muted} {}: {health}",
        monitor.slug,
        monitor.name,
        schedule(monitor)
    )
}

/// `production ok, last 2025-04-14T02:00:13Z, next 2025-04-15T02:00:00Z`.
fn environment_text(environment: &MonitorEnvironment) -> String {
    let mut text = format!(
        "{} {}",
        environment.name,
        environment.status.as_deref().unwrap_or("unknown")
    );
    if environment.is_muted == Some(true) {
        text.push_str(" (muted)");
    }
    if let Some(last) = &environment.last_check_in {
        text.push_str(&format!(", last {}", short_time(last)));
    }
    if let Some(next) = &environment.next_check_in {
        text.push_str(&format!(", next {}", short_time(next)));
    }
    text
}

/// `crontab 0 2 * * * UTC` or `every 10 minute`.
fn schedule(monitor: &Monitor) -> String {
    let Some(config) = &monitor.config else {
        return "no schedule".to_owned();
    };
    let kind = config.schedule_type.as_deref().unwrap_or("crontab");
    let spec = match &config.schedule {
        Value::String(cron) => cron.clone(),
        // Older answers: ["crontab", "0 2 * * *"]; intervals: [10, "minute"].
        Value::Array(items) => match items.as_slice() {
            [Value::String(k), Value::String(cron)] if k == kind => cron.clone(),
            [n, Value::String(unit)] => format!("every {n} {unit}"),
            _ => Value::Array(items.clone()).to_string(),
        },
        other => other.to_string(),
    };
    let timezone = config
        .timezone
        .as_deref()
        .map(|t| format!(" {t}"))
        .unwrap_or_default();
    if spec.starts_with("every") {
        format!("{spec}{timezone}")
    } else {
        format!("{kind} {spec}{timezone}")
    }
}

fn monitor_json(monitor: &Monitor, link: &str) -> Value {
    json!({
        "slug": monitor.slug,
        "id": monitor.id,
        "name": monitor.name,
        "project": monitor.project.as_ref().map(|p| &p.slug),
        "schedule": schedule(monitor),
        "muted": monitor.is_muted,
        "environments": monitor.environments.iter().map(|e| json!({
            "name": e.name, "status": e.status, "last_check_in": e.last_check_in,
            "next_check_in": e.next_check_in,
        })).collect::<Vec<_>>(),
        "link": link,
    })
}

fn monitor_link(ctx: &ToolContext, org: &str, monitor: &Monitor) -> String {
    match &monitor.project {
        Some(project) => ctx.web_url(org, &["crons", &project.slug, &monitor.slug]),
        None => ctx.web_url(org, &["crons", &monitor.slug]),
    }
}

async fn get_monitor(
    ctx: Arc<ToolContext>,
    params: MonitorParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    monitor_answer(&ctx, &org, params.monitor_slug.trim()).await
}

/// A monitor with its latest check-ins; shared with `get_resource`.
pub(super) async fn monitor_answer(
    ctx: &ToolContext,
    org: &str,
    slug: &str,
) -> Result<ToolOutput, ToolError> {
    let client = ctx.client();
    let (monitor, check_ins) = tokio::join!(
        api::monitors::get(client, org, slug),
        api::monitors::check_ins(client, org, slug, CHECK_INS),
    );
    let monitor = monitor?;
    let link = monitor_link(ctx, org, &monitor);
    let mut lines = vec![format!("Cron monitor in {org}: {}", monitor_line(&monitor))];
    let mut structured = monitor_json(&monitor, &link);
    match check_ins {
        Ok(listing) if listing.items.is_empty() => lines.push("No check-ins yet.".to_owned()),
        Ok(listing) => {
            lines.push("Latest check-ins:".to_owned());
            lines.extend(listing.items.iter().map(check_in_line));
            structured["check_ins"] = listing
                .items
                .iter()
                .map(|c| {
                    json!({"id": c.id, "environment": c.environment, "status": c.status,
                           "duration_ms": c.duration, "date": c.date_created})
                })
                .collect();
        }
        Err(error) => lines.push(format!("Check-ins could not be read: {error}")),
    }
    lines.push(format!("Link: {link}"));
    structured["organization"] = json!(org);
    Ok(ToolOutput::new(structured, lines.join("\n")))
}

/// `- 2025-04-14T02:00:13Z production ok 13s`.
fn check_in_line(check_in: &CheckIn) -> String {
    let duration = check_in
        .duration
        .map(|ms| format!(" {:.1}s", ms / 1000.0))
        .unwrap_or_default();
    format!(
        "- {} {} {}{duration}",
        check_in
            .date_created
            .as_deref()
            .map(short_time)
            .unwrap_or_default(),
        check_in.environment.as_deref().unwrap_or("-"),
        check_in.status.as_deref().unwrap_or("?"),
    )
}

async fn list_dashboards(
    ctx: Arc<ToolContext>,
    params: DashboardsParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let page = Page::from(list_limit(params.limit)?, params.cursor);
    let listing = api::dashboards::list(ctx.client(), &org, page).await?;
    let heading = match listing.items.len() {
        0 => format!("No dashboards in {org}."),
        _ => format!("Dashboards in {org}:"),
    };
    let answer = ListAnswer {
        heading,
        key: "dashboards",
        fields: json!({ "organization": org }),
    };
    Ok(answer.render(
        &listing,
        |d| format!("- {}", dashboard_line(d)),
        |d| {
            json!({
                "id": d.id, "title": d.title, "widgets": d.widget_display.len(),
                "created_by": author(d), "link": ctx.web_url(&org, &["dashboard", &d.id]),
            })
        },
    ))
}

/// `101 "Errors Overview": 2 widgets (line, table), by Jane, env production`.
fn dashboard_line(dashboard: &Dashboard) -> String {
    let widgets = if dashboard.widget_display.is_empty() {
        format!("{} widgets", dashboard.widgets.len())
    } else {
        format!(
            "{} widgets ({})",
            dashboard.widget_display.len(),
            dashboard.widget_display.join(", ")
        )
    };
    let mut parts = vec![widgets];
    parts.extend(author(dashboard).map(|a| format!("by {a}")));
    if !dashboard.environment.is_empty() {
        parts.push(format!("env {}", dashboard.environment.join(", ")));
    }
    format!(
        "{} \"{}\": {}",
        dashboard.id,
        dashboard.title,
        parts.join(", ")
    )
}

fn author(dashboard: &Dashboard) -> Option<String> {
    let user = dashboard.created_by.as_ref()?;
    non_empty(user.name.as_deref())
        .or(non_empty(user.email.as_deref()))
        .map(str::to_owned)
}

async fn get_dashboard(
    ctx: Arc<ToolContext>,
    params: DashboardParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let id = params.dashboard_id.trim();
    let dashboard = api::dashboards::get(ctx.client(), &org, id).await?;
    let link = ctx.web_url(&org, &["dashboard", &dashboard.id]);
    let period = dashboard
        .period
        .as_deref()
        .map(|p| format!(", last {p}"))
        .unwrap_or_default();
    let mut lines = vec![format!(
        "Dashboard {} \"{}\" in {org}{period}: {} widgets",
        dashboard.id,
        dashboard.title,
        dashboard.widgets.len()
    )];
    for widget in &dashboard.widgets {
        let kind = [
            widget.display_type.as_deref(),
            widget.widget_type.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
        lines.push(format!("- {} \"{}\" ({kind})", widget.id, widget.title));
        lines.extend(widget.queries.iter().map(|q| {
            let condition = non_empty(q.conditions.as_deref())
                .map(|c| format!(" where `{c}`"))
                .unwrap_or_default();
            let order = non_empty(q.orderby.as_deref())
                .map(|o| format!(" sorted {o}"))
                .unwrap_or_default();
            format!("    {}{condition}{order}", q.fields.join(", "))
        }));
    }
    lines.push(format!("Link: {link}"));
    let structured = json!({
        "organization": org,
        "id": dashboard.id,
        "title": dashboard.title,
        "period": dashboard.period,
        "widgets": dashboard.widgets.iter().map(|w| json!({
            "id": w.id, "title": w.title, "display": w.display_type, "dataset": w.widget_type,
            "queries": w.queries.iter().map(|q| json!({
                "fields": q.fields, "conditions": q.conditions, "orderby": q.orderby,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "link": link,
    });
    Ok(ToolOutput::new(structured, lines.join("\n")))
}

async fn get_replay(ctx: Arc<ToolContext>, params: ReplayParams) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let replay_id = hex_id(&params.replay_id, "replay_id")?;
    replay_answer(&ctx, &org, &replay_id).await
}

/// One replay as text and JSON; shared with `get_resource`.
pub(super) async fn replay_answer(
    ctx: &ToolContext,
    org: &str,
    replay_id: &str,
) -> Result<ToolOutput, ToolError> {
    let replay = api::replays::get(ctx.client(), org, replay_id).await?;
    let link = ctx.web_url(org, &["replays", &replay.id]);
    let lines = replay_lines(&replay, org, &link);
    let structured = json!({
        "organization": org,
        "id": replay.id,
        "started_at": replay.started_at,
        "duration_seconds": replay.duration,
        "user": replay.user.as_ref().and_then(|u| u.display_name.clone().or(u.email.clone())),
        "errors": replay.count_errors,
        "rage_clicks": replay.count_rage_clicks,
        "dead_clicks": replay.count_dead_clicks,
        "urls": replay.urls,
        "error_ids": replay.error_ids,
        "trace_ids": replay.trace_ids,
        "link": link,
    });
    Ok(ToolOutput::new(structured, lines.join("\n")))
}

fn replay_lines(replay: &Replay, org: &str, link: &str) -> Vec<String> {
    let who = replay
        .user
        .as_ref()
        .and_then(|u| non_empty(u.display_name.as_deref()).or(non_empty(u.email.as_deref())))
        .unwrap_or("an anonymous user");
    let when = replay
        .started_at
        .as_deref()
        .map(|t| format!(" on {}", short_time(t)))
        .unwrap_or_default();
    let duration = replay
        .duration
        .map(|s| format!(", {}s", s.round() as u64))
        .unwrap_or_default();
    let mut lines = vec![format!(
        "Replay {} in {org}: {who}{when}{duration}",
        replay.id
    )];
    let platform: Vec<String> = [&replay.browser, &replay.os]
        .into_iter()
        .flatten()
        .map(|nv| {
            [nv.name.as_deref(), nv.version.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|s| !s.is_empty())
        .collect();
    let mut facts: Vec<String> = vec![
        format!("{} errors", replay.count_errors.unwrap_or(0)),
        format!("{} rage clicks", replay.count_rage_clicks.unwrap_or(0)),
        format!("{} dead clicks", replay.count_dead_clicks.unwrap_or(0)),
    ];
    facts.extend(replay.environment.as_ref().map(|e| format!("env {e}")));
    if !replay.releases.is_empty() {
        facts.push(format!("release {}", replay.releases.join(", ")));
    }
    if !platform.is_empty() {
        facts.push(platform.join(" on "));
    }
    lines.push(facts.join(" · "));
    if !replay.urls.is_empty() {
        lines.push(format!("Pages ({}):", replay.urls.len()));
        lines.extend(
            replay
                .urls
                .iter()
                .take(15)
                .map(|u| format!("- {}", truncate(u, 200))),
        );
        if replay.urls.len() > 15 {
            lines.push(format!("- + {} more", replay.urls.len() - 15));
        }
    }
    if !replay.error_ids.is_empty() {
        lines.push(format!("Error events: {}", replay.error_ids.join(", ")));
    }
    if !replay.trace_ids.is_empty() {
        lines.push(format!(
            "Traces (get_trace): {}",
            replay.trace_ids.join(", ")
        ));
    }
    lines.push(format!("Link: {link}"));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_read_in_every_shape() {
        let monitor = |config: Value| -> Monitor {
            serde_json::from_value(json!({"id": "1", "slug": "m", "name": "M", "config": config}))
                .unwrap()
        };
        let cron = monitor(
            json!({"schedule_type": "crontab", "schedule": "0 2 * * *", "timezone": "UTC"}),
        );
        assert_eq!(schedule(&cron), "crontab 0 2 * * * UTC");
        let older =
            monitor(json!({"schedule_type": "crontab", "schedule": ["crontab", "0 2 * * *"]}));
        assert_eq!(schedule(&older), "crontab 0 2 * * *");
        let interval = monitor(json!({"schedule_type": "interval", "schedule": [10, "minute"]}));
        assert_eq!(schedule(&interval), "every 10 minute");
    }

    #[test]
    fn metric_rules_say_what_fires_them() {
        let rule: AlertRule = serde_json::from_value(json!({
            "type": "alert_rule", "id": "7", "name": "Errors", "aggregate": "count()",
            "query": "level:error", "dataset": "events", "timeWindow": 60.0, "thresholdType": 0,
            "triggers": [{"label": "critical", "alertThreshold": 100.0}, {"label": "warning", "alertThreshold": 50.5}],
            "projects": ["web"], "lastTriggered": null
        }))
        .unwrap();
        assert_eq!(
            rule_line(&rule),
            "[metric] 7 \"Errors\": count() above 100 (critical) / 50.5 (warning) over 60 min on events where `level:error`; projects web; never fired"
        );
    }
}
