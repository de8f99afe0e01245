//! Tests: alert rules, cron monitors, dashboards, replays.

use super::*;

const REPLAY: &str = "7ca573c0f4814912aaa9bdc77d1a7d51";

fn metric_rule() -> Value {
    json!({"type": "alert_rule", "id": "12", "name": "Checkout errors", "aggregate": "count()",
           "query": "transaction:/checkout", "dataset": "events", "timeWindow": 5.0,
           "thresholdType": 0, "triggers": [{"label": "critical", "alertThreshold": 50.0, "actions": []}],
           "projects": ["web"], "environment": "production", "owner": "team:7",
           "lastTriggered": "2025-04-10T08:00:00Z", "status": "active",
           "actions": [{"name": "Send a Slack notification to #alerts"}]})
}

fn issue_rule() -> Value {
    json!({"type": "rule", "id": "34", "name": "New issues", "actionMatch": "any", "frequency": 30,
           "conditions": [{"id": "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition",
                           "name": "A new issue is created"}],
           "filters": [{"name": "The issue's level is error or above"}],
           "actions": [{"name": "Send a notification to IssueOwners"}],
           "projects": ["web"], "lastTriggered": null})
}

#[tokio::test]
async fn alert_rules_of_both_kinds_read_in_one_line_each() {
    let mut server = mockito::Server::new_async().await;
    let project = get(
        &mut server,
        "/api/0/projects/acme/web/",
        Matcher::Any,
        &json!({"id": "42", "slug": "web"}),
    )
    .await;
    let list = get(
        &mut server,
        "/api/0/organizations/acme/combined-rules/",
        Matcher::UrlEncoded("project".into(), "42".into()),
        &json!([metric_rule(), issue_rule()]),
    )
    .await;
    let ctx = context(&server, Some("acme"), &["web"]);

    let out = ok(&ctx, "list_alert_rules", json!({})).await;

    project.assert_async().await;
    list.assert_async().await;
    assert_eq!(
        out.text.lines().collect::<Vec<_>>(),
        [
            "Alert rules in acme/web:",
            "- [metric] 12 \"Checkout errors\": count() above 50 (critical) over 5 min on events where `transaction:/checkout`; projects web; env production; last fired 2025-04-10T08:00:00Z",
            "- [issue] 34 \"New issues\": when any of: A new issue is created; projects web; never fired",
        ]
    );
    let url = server.url();
    assert_eq!(
        out.structured["alert_rules"][1]["link"],
        json!(format!(
            "{url}/organizations/acme/alerts/rules/web/34/details/"
        ))
    );
}

#[tokio::test]
async fn an_issue_rule_is_read_from_its_project_with_filters_and_actions() {
    let mut server = mockito::Server::new_async().await;
    let mock = get(
        &mut server,
        "/api/0/projects/acme/web/rules/34/",
        Matcher::Any,
        &issue_rule(),
    )
    .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(
        &ctx,
        "get_alert_rule",
        json!({"rule_id": "34", "kind": "issue", "project_slug": "web"}),
    )
    .await;

    mock.assert_async().await;
    let url = server.url();
    assert_eq!(
        out.text.lines().collect::<Vec<_>>(),
        [
            "Alert rule 34 \"New issues\" (issue alert) in acme".to_owned(),
            "Fires: when any of: A new issue is created".to_owned(),
            "Only events that: The issue's level is error or above".to_owned(),
            "Actions: Send a notification to IssueOwners".to_owned(),
            "projects web · at most every 30 min per issue".to_owned(),
            format!("Link: {url}/organizations/acme/alerts/rules/web/34/details/"),
        ]
    );
}

#[tokio::test]
async fn a_metric_rule_is_read_by_id() {
    let mut server = mockito::Server::new_async().await;
    let mock = get(
        &mut server,
        "/api/0/organizations/acme/alert-rules/12/",
        Matcher::Any,
        &metric_rule(),
    )
    .await;
    let ctx = context(&server, Some("acme"), &[]);
    let out = ok(&ctx, "get_alert_rule", json!({"rule_id": "12"})).await;
    mock.assert_async().await;
    assert!(
        out.text
            .contains("Actions: Send a Slack notification to #alerts"),
        "{}",
        out.text
    );
}

#[tokio::test]
async fn alert_rule_errors_and_bad_input() {
    assert_api_errors(
        "list_alert_rules",
        json!({}),
        "GET",
        "/api/0/organizations/acme/combined-rules/",
        "alerts:read",
    )
    .await;
    assert_api_errors(
        "get_alert_rule",
        json!({"rule_id": "12"}),
        "GET",
        "/api/0/organizations/acme/alert-rules/12/",
        "alerts:read",
    )
    .await;
    assert_bad_input(
        "get_alert_rule",
        json!({"rule_id": "34", "kind": "issue"}),
        "give project_slug",
    )
    .await;
    assert_bad_input("get_alert_rule", json!({"rule_id": ".."}), "path segment").await;
    assert_bad_input("list_alert_rules", json!({"limit": 101}), "out of range").await;
}

fn monitor() -> Value {
    json!({"id": "9", "slug": "nightly-import", "name": "Nightly Import", "status": "active",
    "isMuted": false, "project": {"id": "42", "slug": "web"},
    "config": {"schedule_type": "crontab", "schedule": "0 2 * * *", "timezone": "UTC"},
    "environments": [
        {"name": "production", "status": "ok", "lastCheckIn": "2025-04-14T02:00:13Z", "nextCheckIn": "2025-04-15T02:00:00Z"},
        {"name": "staging", "status": "missed_checkin", "isMuted": true}
    ]})
}

#[tokio::test]
async fn monitors_show_schedule_and_health_per_environment() {
    let mut server = mockito::Server::new_async().await;
    let list = get(
        &mut server,
        "/api/0/organizations/acme/monitors/",
        Matcher::Any,
        &json!([monitor()]),
    )
    .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(&ctx, "list_monitors", json!({})).await;

    list.assert_async().await;
    assert_eq!(
        out.text.lines().collect::<Vec<_>>(),
        [
            "Cron monitors in acme:",
            "- nightly-import \"Nightly Import\" [web] crontab 0 2 * * * UTC: production ok, last 2025-04-14T02:00:13Z, next 2025-04-15T02:00:00Z; staging missed_checkin (muted)",
        ]
    );
}

#[tokio::test]
async fn a_monitor_comes_with_its_latest_check_ins() {
    let mut server = mockito::Server::new_async().await;
    let detail = get(
        &mut server,
        "/api/0/organizations/acme/monitors/nightly-import/",
        Matcher::Any,
        &monitor(),
    )
    .await;
    let check_ins = get(
        &mut server,
        "/api/0/organizations/acme/monitors/nightly-import/checkins/",
        Matcher::UrlEncoded("per_page".into(), "10".into()),
        &json!([
            {"id": "c2", "environment": "staging", "status": "missed", "duration": null, "dateCreated": "2025-04-14T02:05:00Z"},
            {"id": "c1", "environment": "production", "status": "ok", "duration": 13200.0, "dateCreated": "2025-04-14T02:00:13Z"}
        ]),
    )
    .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(
        &ctx,
        "get_monitor",
        json!({"monitor_slug": "nightly-import"}),
    )
    .await;

    detail.assert_async().await;
    check_ins.assert_async().await;
    let lines: Vec<&str> = out.text.lines().collect();
    assert_eq!(
        lines[1..4],
        [
            "Latest check-ins:",
            "- 2025-04-14T02:05:00Z staging missed",
            "- 2025-04-14T02:00:13Z production ok 13.2s",
        ]
    );
    assert_eq!(
        lines[4],
        format!(
            "Link: {}/organizations/acme/crons/web/nightly-import/",
            server.url()
        )
    );
}

#[tokio::test]
async fn monitor_errors_and_bad_input() {
    assert_api_errors(
        "list_monitors",
        json!({}),
        "GET",
        "/api/0/organizations/acme/monitors/",
        "alerts:read",
    )
    .await;
    assert_api_errors(
        "get_monitor",
        json!({"monitor_slug": "nightly"}),
        "GET",
        "/api/0/organizations/acme/monitors/nightly/",
        "alerts:read",
    )
    .await;
    assert_bad_input("get_monitor", json!({"monitor_slug": "."}), "path segment").await;
    assert_bad_input("list_monitors", json!({"limit": 0}), "out of range").await;
}

#[tokio::test]
async fn dashboards_list_and_show_their_widget_queries() {
    let mut server = mockito::Server::new_async().await;
    let list = get(
        &mut server,
        "/api/0/organizations/acme/dashboards/",
        Matcher::Any,
        &json!([{"id": "101", "title": "Errors Overview", "createdBy": {"id": "1", "name": "Jane"},
                 "environment": ["production"], "widgetDisplay": ["line", "table"]}]),
    )
    .await;
    let detail = get(
        &mut server,
        "/api/0/organizations/acme/dashboards/101/",
        Matcher::Any,
        &json!({"id": "101", "title": "Errors Overview", "period": "24h", "widgets": [
            {"id": "201", "title": "Handled", "displayType": "line", "widgetType": "error-events",
             "queries": [{"name": "", "fields": ["count()"], "conditions": "error.handled:true", "orderby": "-count()"}]}
        ]}),
    )
    .await;
    let ctx = context(&server, Some("acme"), &[]);

    let listed = ok(&ctx, "list_dashboards", json!({})).await;
    let shown = ok(&ctx, "get_dashboard", json!({"dashboard_id": "101"})).await;

    list.assert_async().await;
    detail.assert_async().await;
    assert_eq!(
        listed.text,
        "Dashboards in acme:\n- 101 \"Errors Overview\": 2 widgets (line, table), by Jane, env production"
    );
    assert_eq!(
        shown.text.lines().collect::<Vec<_>>(),
        [
            "Dashboard 101 \"Errors Overview\" in acme, last 24h: 1 widgets".to_owned(),
            "- 201 \"Handled\" (line, error-events)".to_owned(),
            "    count() where `error.handled:true` sorted -count()".to_owned(),
            format!("Link: {}/organizations/acme/dashboard/101/", server.url()),
        ]
    );
}

#[tokio::test]
async fn dashboard_errors_and_bad_input() {
    assert_api_errors(
        "list_dashboards",
        json!({}),
        "GET",
        "/api/0/organizations/acme/dashboards/",
        "org:read",
    )
    .await;
    assert_api_errors(
        "get_dashboard",
        json!({"dashboard_id": "101"}),
        "GET",
        "/api/0/organizations/acme/dashboards/101/",
        "org:read",
    )
    .await;
    assert_bad_input(
        "get_dashboard",
        json!({"dashboard_id": ".."}),
        "path segment",
    )
    .await;
}

#[tokio::test]
async fn a_replay_shows_its_user_pages_errors_and_traces() {
    let mut server = mockito::Server::new_async().await;
    let mock = get(
        &mut server,
        &format!("/api/0/organizations/acme/replays/{REPLAY}/"),
        Matcher::UrlEncoded("statsPeriod".into(), "90d".into()),
        &json!({"data": {"id": REPLAY, "project_id": "42", "started_at": "2025-04-14T10:00:00Z",
                         "duration": 95.4, "count_errors": 1, "count_rage_clicks": 2, "count_dead_clicks": 0,
                         "urls": ["https://shop.example.com/", "https://shop.example.com/cart"],
                         "user": {"display_name": "ann@example.com"}, "browser": {"name": "Chrome", "version": "120"},
                         "os": {"name": "macOS", "version": null}, "environment": "production",
                         "releases": ["web@1.2.3"], "trace_ids": ["a4d1aae7216b47ff8117cf4e09ce9d0a"],
                         "error_ids": ["e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0"]}}),
    )
    .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(&ctx, "get_replay", json!({"replay_id": REPLAY})).await;

    mock.assert_async().await;
    assert_eq!(
        out.text.lines().collect::<Vec<_>>(),
        [
            format!("Replay {REPLAY} in acme: ann@example.com on 2025-04-14T10:00:00Z, 95s"),
            "1 errors · 2 rage clicks · 0 dead clicks · env production · release web@1.2.3 · Chrome 120 on macOS".to_owned(),
            "Pages (2):".to_owned(),
            "- https://shop.example.com/".to_owned(),
            "- https://shop.example.com/cart".to_owned(),
            "Error events: e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0".to_owned(),
            "Traces (get_trace): a4d1aae7216b47ff8117cf4e09ce9d0a".to_owned(),
            format!("Link: {}/organizations/acme/replays/{REPLAY}/", server.url()),
        ]
    );
}

#[tokio::test]
async fn replay_errors_and_bad_input() {
    assert_api_errors(
        "get_replay",
        json!({"replay_id": REPLAY}),
        "GET",
        &format!("/api/0/organizations/acme/replays/{REPLAY}/"),
        "org:read",
    )
    .await;
    assert_bad_input("get_replay", json!({"replay_id": "123"}), "32 hex").await;
}
