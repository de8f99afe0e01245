//! Tests: the Sentry read and triage tools, driven in-process against a mock Sentry.
//!
//! Each test pins the exact request a tool sends and what it makes of a realistic answer.

use mockito::{Matcher, Mock, ServerGuard};
use sentry_companion::sentry::{ApiError, AuthToken, ClientConfig, SentryClient};
use sentry_companion::tools::{Registry, ToolContext, ToolError, ToolOutput};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// A tool context against the mock server, with optional default org and projects.
fn context(server: &ServerGuard, org: Option<&str>, projects: &[&str]) -> Arc<ToolContext> {
    let config = ClientConfig::new(
        server.url().parse().expect("mock URL"),
        Some(AuthToken::new("t")),
    );
    Arc::new(ToolContext::new(
        SentryClient::new(config).expect("client"),
        org.map(str::to_owned),
        projects.iter().map(|p| (*p).to_owned()).collect(),
    ))
}

/// Calls a tool the way the MCP server and the CLI do.
async fn call(ctx: &Arc<ToolContext>, name: &str, args: Value) -> Result<ToolOutput, ToolError> {
    Registry::new()
        .call(Arc::clone(ctx), name, args, false)
        .await
}

/// Calls a tool that must succeed.
async fn ok(ctx: &Arc<ToolContext>, name: &str, args: Value) -> ToolOutput {
    call(ctx, name, args)
        .await
        .unwrap_or_else(|e| panic!("{name} failed: {e}"))
}

/// A `Link` header as Sentry sends it: `next` with a cursor, and whether that page has results.
fn link(next_cursor: &str, more: bool) -> String {
    format!(
        r#"<http://x/?cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", <http://x/?cursor={next_cursor}>; rel="next"; results="{more}"; cursor="{next_cursor}""#
    )
}

/// A GET mock answering `body` as JSON.
async fn get(server: &mut ServerGuard, path: &str, query: Matcher, body: &Value) -> Mock {
    server
        .mock("GET", path)
        .match_query(query)
        .with_header("content-type", "application/json")
        .with_body(body.to_string())
        .create_async()
        .await
}

/// The query pairs of a mocked request.
fn query_of(request: &mockito::Request) -> HashMap<String, String> {
    let query = request
        .path_and_query()
        .split_once('?')
        .map_or("", |(_, q)| q);
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// Every value of a repeated query key, in order.
fn values_of(request: &mockito::Request, key: &str) -> Vec<String> {
    let query = request
        .path_and_query()
        .split_once('?')
        .map_or("", |(_, q)| q);
    url::form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .collect()
}

/// An issue as the issue list and detail endpoints return it (trimmed to what matters).
fn issue(id: u64, short_id: &str) -> Value {
    json!({
        "id": id.to_string(),
        "shareId": null,
        "shortId": short_id,
        "title": format!("TypeError: x is undefined ({short_id})"),
        "culprit": "app/components/cart.js in render",
        "permalink": format!("https://acme.sentry.io/issues/{id}/"),
        "level": "error",
        "status": "unresolved",
        "statusDetails": {},
        "substatus": "ongoing",
        "priority": "high",
        "project": {"id": "42", "name": "web", "slug": "web", "platform": "javascript"},
        "metadata": {"type": "TypeError", "value": "x is undefined"},
        "assignedTo": null,
        "count": "1234",
        "userCount": 34,
        "firstSeen": "2025-04-03T22:51:19.403000Z",
        "lastSeen": "2025-04-12T11:34:11Z",
        "stats": {"24h": [[1744480800, 0], [1744484400, 3]]}
    })
}

fn issues(first: u64, count: u64) -> Value {
    (first..first + count)
        .map(|n| issue(n, &format!("WEB-{n}")))
        .collect()
}

/// A frame of a JavaScript stack trace.
fn frame(file: &str, line: u64, function: &str, in_app: bool) -> Value {
    json!({
        "filename": file, "absPath": format!("/{file}"), "module": null, "function": function,
        "lineNo": line, "colNo": 7, "inApp": in_app, "context": [], "vars": null
    })
}

/// A full event: a chained exception, 12 breadcrumbs, tags.
fn event(event_id: &str) -> Value {
    let breadcrumbs: Vec<Value> = (0..12)
        .map(|n| {
            json!({
                "timestamp": format!("2025-04-08T21:14:{n:02}.000Z"),
                "type": "http", "category": "fetch", "level": "info",
                "message": format!("GET /api/step-{n} [200]"), "data": null
            })
        })
        .collect();
    json!({
        "id": event_id,
        "eventID": event_id,
        "groupID": "123",
        "projectID": "42",
        "title": "TypeError: x is undefined",
        "message": "",
        "culprit": "app/components/cart.js in render",
        "platform": "javascript",
        "type": "error",
        "dateCreated": "2025-04-08T21:15:04Z",
        "release": {"version": "web@1.2.3"},
        "user": {"id": null, "email": "jane@example.com", "username": null, "ip_address": "10.0.0.1"},
        "entries": [
            {"type": "exception", "data": {"values": [
                {"type": "ValueError", "value": "cause", "mechanism": null,
                 "stacktrace": {"frames": [frame("lib/cause.js", 5, "origin", true)]}},
                {"type": "TypeError", "value": "x is undefined",
                 "mechanism": {"type": "onerror", "handled": false},
                 "stacktrace": {"frames": [
                     frame("node_modules/react-dom.js", 900, "renderRoot", false),
                     frame("app/pages/checkout.js", 10, "Checkout", true),
                     frame("node_modules/react.js", 300, "createElement", false),
                     frame("app/components/cart.js", 20, "render", true)
                 ]}, "rawStacktrace": null}
            ], "hasSystemFrames": true, "excOmitted": null}},
            {"type": "request", "data": {"method": "GET", "url": "https://shop.example.com/cart"}},
            {"type": "breadcrumbs", "data": {"values": breadcrumbs}}
        ],
        "tags": [
            {"key": "environment", "value": "production"},
            {"key": "browser", "value": "Chrome 120"},
            {"key": "release", "value": "web@1.2.3"}
        ],
        "contexts": {}, "sdk": {"name": "sentry.javascript.browser"}, "errors": [], "_meta": {}
    })
}

fn invalid_input(result: Result<ToolOutput, ToolError>) -> String {
    match result {
        Err(ToolError::InvalidInput(message)) => message,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

// ---- organizations, projects, teams ----

#[tokio::test]
async fn list_organizations_follows_pages_and_shows_slugs_and_urls() {
    let mut server = mockito::Server::new_async().await;
    let page_one = server
        .mock("GET", "/api/0/organizations/")
        .match_query(Matcher::UrlEncoded("per_page".into(), "100".into()))
        .match_request(|r| !query_of(r).contains_key("cursor"))
        .with_header("link", &link("0:1:0", true))
        .with_body(
            json!([{"id": "1", "slug": "acme", "name": "Acme Corp", "status": {"id": "active"},
                "links": {"organizationUrl": "https://acme.sentry.io", "regionUrl": "https://us.sentry.io"}}])
            .to_string(),
        )
        .create_async()
        .await;
    let page_two = get(
        &mut server,
        "/api/0/organizations/",
        Matcher::AllOf(vec![
            Matcher::UrlEncoded("per_page".into(), "99".into()),
            Matcher::UrlEncoded("cursor".into(), "0:1:0".into()),
        ]),
        &json!([{"id": "2", "slug": "beta", "name": "Beta", "links": null}]),
    )
    .await;
    let ctx = context(&server, None, &[]);

    let out = ok(&ctx, "list_organizations", json!({})).await;

    page_one.assert_async().await;
    page_two.assert_async().await;
    assert_eq!(
        out.structured["organizations"],
        json!([
            {"slug": "acme", "name": "Acme Corp", "id": "1",
             "web_url": "https://acme.sentry.io", "region_url": "https://us.sentry.io"},
            {"slug": "beta", "name": "Beta", "id": "2"}
        ])
    );
    assert!(out.structured.get("next_cursor").is_none());
    assert_eq!(
        out.text,
        "Organizations (2):\nacme  Acme Corp  https://acme.sentry.io\nbeta  Beta"
    );
}

#[tokio::test]
async fn list_projects_lists_slug_id_and_platform_with_a_cursor_for_more() {
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("GET", "/api/0/organizations/acme/projects/")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("per_page".into(), "100".into()),
            Matcher::UrlEncoded("cursor".into(), "0:100:0".into()),
        ]))
        .with_header("link", &link("0:200:0", false))
        .with_body(
            json!([
                {"id": "42", "slug": "web", "name": "Web Shop", "platform": "javascript", "teams": []},
                {"id": 43, "slug": "api", "name": "api", "platform": null}
            ])
            .to_string(),
        )
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(&ctx, "list_projects", json!({"cursor": "0:100:0"})).await;

    mock.assert_async().await;
    assert_eq!(out.structured["projects"][1]["id"], json!("43"));
    assert_eq!(
        out.structured["projects"][0]["platform"],
        json!("javascript")
    );
    assert_eq!(
        out.text,
        "Projects in acme (2):\nweb  (id 42)  javascript  \"Web Shop\"\napi  (id 43)"
    );
}

#[tokio::test]
async fn get_project_uses_the_configured_project_and_summarises_it() {
    let mut server = mockito::Server::new_async().await;
    let mock = get(
        &mut server,
        "/api/0/projects/acme/web/",
        Matcher::Any,
        &json!({
            "id": "42", "slug": "web", "name": "Web Shop", "platform": "javascript",
            "status": "active", "dateCreated": "2024-01-02T03:04:05.678Z",
            "firstEvent": "2024-01-03T00:00:00Z", "hasSessions": true,
            "team": {"id": "7", "slug": "frontend"},
            "teams": [{"id": "7", "slug": "frontend", "name": "Frontend"}],
            "environments": ["production", "staging"],
            "latestRelease": {"version": "web@1.2.3"},
            "options": {"sentry:resolve_age": 0}, "features": ["a", "b"]
        }),
    )
    .await;
    let ctx = context(&server, Some("acme"), &["web"]);

    let out = ok(&ctx, "get_project", json!({})).await;

    mock.assert_async().await;
    assert_eq!(out.structured["teams"], json!(["frontend"]));
    assert_eq!(out.structured["latest_release"], json!("web@1.2.3"));
    assert!(out.structured.get("options").is_none(), "no raw API fields");
    for line in [
        "Project web (\"Web Shop\") in acme",
        "id 42 · platform javascript · status active",
        "Teams: frontend",
        "Environments: production, staging",
        "Latest release: web@1.2.3",
        "First event: 2024-01-03T00:00:00Z",
        "Sends sessions (release health): yes",
    ] {
        assert!(
            out.text.lines().any(|l| l == line),
            "{line:?} in\n{}",
            out.text
        );
    }
}

#[tokio::test]
async fn list_teams_shows_members_and_projects() {
    let mut server = mockito::Server::new_async().await;
    let mock = get(
        &mut server,
        "/api/0/organizations/acme/teams/",
        Matcher::UrlEncoded("per_page".into(), "100".into()),
        &json!([{
            "id": "7", "slug": "frontend", "name": "Frontend", "dateCreated": "2024-01-01T00:00:00Z",
            "isMember": false, "memberCount": 4, "access": ["team:read"],
            "projects": [{"id": "42", "slug": "web", "name": "Web"}]
        }]),
    )
    .await;
    let ctx = context(&server, None, &[]);

    let out = ok(&ctx, "list_teams", json!({"organization_slug": "acme"})).await;

    mock.assert_async().await;
    assert_eq!(
        out.structured["teams"],
        json!([{"slug": "frontend", "id": "7", "name": "Frontend", "member_count": 4,
                "is_member": false, "projects": ["web"]}])
    );
    assert_eq!(
        out.text,
        "Teams in acme (1):\nfrontend  (id 7)  \"Frontend\"  (4 members; projects: web)"
    );
}

#[tokio::test]
async fn a_missing_organization_is_an_input_error_that_says_how_to_give_one() {
    let server = mockito::Server::new_async().await;
    let ctx = context(&server, None, &[]);
    let message = invalid_input(call(&ctx, "list_teams", json!({})).await);
    assert!(
        message.contains("organization_slug is required"),
        "{message}"
    );
}

// ---- issue lists ----

#[tokio::test]
async fn list_issues_puts_status_in_the_query_and_resolves_the_project_slug() {
    let mut server = mockito::Server::new_async().await;
    let project = get(
        &mut server,
        "/api/0/projects/acme/web/",
        Matcher::Any,
        &json!({"id": "42", "slug": "web"}),
    )
    .await;
    let list = server
        .mock("GET", "/api/0/organizations/acme/issues/")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("query".into(), "is:unresolved level:error".into()),
            Matcher::UrlEncoded("project".into(), "42".into()),
            Matcher::UrlEncoded("limit".into(), "2".into()),
        ]))
        .match_request(|r| !query_of(r).contains_key("sort"))
        .with_header("x-hits", "312")
        .with_header("link", &link("1744480800000:2:0", true))
        .with_body(issues(1, 2).to_string())
        .create_async()
        .await;
    let ctx = context(&server, None, &[]);

    let out = ok(
        &ctx,
        "list_issues",
        json!({"organization_slug": "acme", "project_slug": "web", "status": "unresolved",
               "query": " level:error ", "limit": 2}),
    )
    .await;

    project.assert_async().await;
    list.assert_async().await;
    let first = &out.structured["issues"][0];
    assert_eq!(first["short_id"], json!("WEB-1"));
    assert_eq!(first["count"], json!(1234));
    assert_eq!(first["project"], json!("web"));
    assert_eq!(
        first["permalink"],
        json!("https://acme.sentry.io/issues/1/")
    );
    assert!(first.get("assigned_to").is_none(), "no null noise");
    assert!(first.get("stats").is_none(), "no raw API fields");
    assert_eq!(out.structured["total"], json!(312));
    assert_eq!(out.structured["next_cursor"], json!("1744480800000:2:0"));
    let lines: Vec<&str> = out.text.lines().collect();
    assert_eq!(
        lines,
        [
            "Issues in acme (web) matching `is:unresolved level:error` (2 of 312):",
            "WEB-1  [error] TypeError: x is undefined (WEB-1)  (1.2k events, 34 users, last seen 2025-04-12T11:34:11Z)",
            "WEB-2  [error] TypeError: x is undefined (WEB-2)  (1.2k events, 34 users, last seen 2025-04-12T11:34:11Z)",
            "310 more not shown; call again with cursor=\"1744480800000:2:0\" for the next page.",
        ]
    );
}

#[tokio::test]
async fn list_issues_always_sends_a_query_and_takes_numeric_projects_as_they_are() {
    let mut server = mockito::Server::new_async().await;
    let lookup = server
        .mock("GET", Matcher::Regex("^/api/0/projects/".into()))
        .expect(0)
        .create_async()
        .await;
    let list = get(
        &mut server,
        "/api/0/organizations/acme/issues/",
        Matcher::AllOf(vec![
            Matcher::UrlEncoded("query".into(), String::new()),
            Matcher::UrlEncoded("project".into(), "42".into()),
            Matcher::UrlEncoded("limit".into(), "25".into()),
        ]),
        &json!([]),
    )
    .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(&ctx, "list_issues", json!({"project_slug": "42"})).await;

    lookup.assert_async().await;
    list.assert_async().await;
    assert_eq!(out.text, "No issues in acme (42).");
    assert_eq!(out.structured["issues"], json!([]));
}

#[tokio::test]
async fn list_issues_filters_by_every_configured_project() {
    let mut server = mockito::Server::new_async().await;
    let web = get(
        &mut server,
        "/api/0/projects/acme/web/",
        Matcher::Any,
        &json!({"id": "42", "slug": "web"}),
    )
    .await;
    let api = get(
        &mut server,
        "/api/0/projects/acme/api/",
        Matcher::Any,
        &json!({"id": 43, "slug": "api"}),
    )
    .await;
    // mockito's UrlEncoded matcher sees one value per key, so repeated keys are checked by hand.
    let list = server
        .mock("GET", "/api/0/organizations/acme/issues/")
        .match_query(Matcher::Any)
        .match_request(|r| values_of(r, "project") == ["42", "43"])
        .with_body(issues(1, 1).to_string())
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &["web", "api"]);

    let out = ok(&ctx, "list_issues", json!({})).await;

    web.assert_async().await;
    api.assert_async().await;
    list.assert_async().await;
    assert_eq!(out.structured["projects"], json!(["web", "api"]));
}

#[tokio::test]
async fn list_issues_gathers_a_limit_of_100_over_several_pages() {
    let mut server = mockito::Server::new_async().await;
    let mut pages = Vec::new();
    for (limit, cursor, first, count, next, more) in [
        ("100", None, 1, 40, "c:40:0", true),
        ("60", Some("c:40:0"), 41, 40, "c:80:0", true),
        ("20", Some("c:80:0"), 81, 20, "c:100:0", false),
    ] {
        let mut matchers = vec![
            Matcher::UrlEncoded("query".into(), String::new()),
            Matcher::UrlEncoded("limit".into(), limit.into()),
        ];
        matchers.extend(cursor.map(|c: &str| Matcher::UrlEncoded("cursor".into(), c.into())));
        pages.push(
            server
                .mock("GET", "/api/0/organizations/acme/issues/")
                .match_query(Matcher::AllOf(matchers))
                .with_header("x-hits", "100")
                .with_header("link", &link(next, more))
                .with_body(issues(first, count).to_string())
                .expect(1)
                .create_async()
                .await,
        );
    }
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(&ctx, "list_issues", json!({"limit": 100})).await;

    for page in &pages {
        page.assert_async().await;
    }
    let shown = out.structured["issues"].as_array().unwrap();
    assert_eq!(shown.len(), 100);
    assert_eq!(shown[99]["short_id"], json!("WEB-100"));
    assert!(out.structured.get("next_cursor").is_none());
    assert!(out.text.starts_with("Issues in acme (100):\nWEB-1  "));
    assert!(!out.text.contains("more not shown"), "{}", out.text);
}

#[tokio::test]
async fn a_limit_above_100_is_refused_before_any_request() {
    let mut server = mockito::Server::new_async().await;
    let any = server
        .mock("GET", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &[]);

    for tool in ["list_issues", "list_events"] {
        let args = json!({"limit": 101, "query": "", "issue_id": "1"});
        let message = invalid_input(call(&ctx, tool, args).await);
        assert!(message.contains("1 to 100"), "{tool}: {message}");
    }
    let args = json!({"limit": 101, "query": "is:unresolved"});
    invalid_input(call(&ctx, "search_issues", args).await);
    any.assert_async().await;
}

#[tokio::test]
async fn search_issues_sends_the_query_verbatim_and_maps_priority_to_trends() {
    let mut server = mockito::Server::new_async().await;
    let query = r#"is:unresolved level:error firstSeen:-24h !message:"*Timeout""#;
    let list = get(
        &mut server,
        "/api/0/organizations/acme/issues/",
        Matcher::AllOf(vec![
            Matcher::UrlEncoded("query".into(), query.into()),
            Matcher::UrlEncoded("sort".into(), "trends".into()),
            Matcher::UrlEncoded("limit".into(), "25".into()),
            Matcher::UrlEncoded("cursor".into(), "c:25:0".into()),
        ]),
        &issues(7, 1),
    )
    .await;
    let ctx = context(&server, None, &[]);

    let out = ok(
        &ctx,
        "search_issues",
        json!({"organization_slug": "acme", "query": query, "sort": "priority", "cursor": "c:25:0"}),
    )
    .await;

    list.assert_async().await;
    assert_eq!(out.structured["sort"], json!("trends"));
    assert_eq!(out.structured["query"], json!(query));
    assert!(
        out.text.starts_with(&format!(
            "Issues in acme matching `{query}` (1):\nWEB-7  [error]"
        )),
        "{}",
        out.text
    );
}

#[tokio::test]
async fn search_issues_requires_a_query_and_a_known_sort() {
    let server = mockito::Server::new_async().await;
    let ctx = context(&server, Some("acme"), &[]);
    let missing = invalid_input(call(&ctx, "search_issues", json!({})).await);
    assert!(missing.contains("query"), "{missing}");
    let bad_sort = invalid_input(
        call(
            &ctx,
            "search_issues",
            json!({"query": "", "sort": "relevance"}),
        )
        .await,
    );
    assert!(bad_sort.contains("relevance"), "{bad_sort}");
}

// ---- one issue ----

#[tokio::test]
async fn get_issue_from_a_url_uses_the_url_org_and_summarises_the_latest_event() {
    let mut server = mockito::Server::new_async().await;
    let mut detail = issue(123, "WEB-1A3");
    detail["assignedTo"] = json!({"type": "user", "id": "12345", "name": "Jane Developer", "email": "jane@example.com"});
    detail["firstRelease"] = json!({"version": "web@1.2.0", "shortVersion": "1.2.0"});
    detail["lastRelease"] = json!({"version": "web@1.2.3"});
    detail["activity"] = json!([{"id": "1", "type": "first_seen"}]);
    let issue_mock = get(
        &mut server,
        "/api/0/organizations/acme/issues/123/",
        Matcher::Any,
        &detail,
    )
    .await;
    let event_mock = get(
        &mut server,
        "/api/0/organizations/acme/issues/123/events/latest/",
        Matcher::Any,
        &event("7ca573c0f4814912aaa9bdc77d1a7d51"),
    )
    .await;
    let ctx = context(&server, Some("default-org"), &[]);

    let out = ok(
        &ctx,
        "get_issue",
        json!({"issue_id": "https://acme.sentry.io/issues/123/?project=42"}),
    )
    .await;

    issue_mock.assert_async().await;
    event_mock.assert_async().await;
    let s = &out.structured;
    assert_eq!(s["organization"], json!("acme"));
    assert_eq!(s["short_id"], json!("WEB-1A3"));
    assert_eq!(s["first_release"], json!("web@1.2.0"));
    assert_eq!(s["assigned_to"]["id"], json!("12345"));
    assert_eq!(
        s["event"]["event_id"],
        json!("7ca573c0f4814912aaa9bdc77d1a7d51")
    );
    assert_eq!(s["event"]["exceptions"][0]["type"], json!("TypeError"));
    assert!(s["event"].get("breadcrumbs").is_none(), "summary only");
    assert!(s.get("activity").is_none(), "no raw API fields");
    let expected = [
        "WEB-1A3: TypeError: x is undefined (WEB-1A3)",
        "Culprit: app/components/cart.js in render",
        "status unresolved (ongoing) · level error · priority high · project web",
        "1.2k events, 34 users",
        "First seen 2025-04-03T22:51:19Z, in release web@1.2.0, last seen 2025-04-12T11:34:11Z",
        "Assigned to: Jane Developer (user:12345)",
        "Link: https://acme.sentry.io/issues/123/",
        "",
        "Latest event 7ca573c0f4814912aaa9bdc77d1a7d51:",
        "TypeError: x is undefined",
        "2025-04-08T21:15:04Z · env production · release web@1.2.3 · user jane@example.com",
        "Exception: TypeError: x is undefined (unhandled)",
        "  at app/components/cart.js:20 in render",
        "  at app/pages/checkout.js:10 in Checkout",
        "  + 2 library frames",
        "Exception: ValueError: cause",
        "  at lib/cause.js:5 in origin",
    ];
    assert_eq!(out.text.lines().collect::<Vec<_>>(), expected);
}

#[tokio::test]
async fn get_issue_accepts_a_short_id_in_any_case() {
    let mut server = mockito::Server::new_async().await;
    let issue_mock = get(
        &mut server,
        "/api/0/organizations/acme/issues/WEB-1A3/",
        Matcher::Any,
        &issue(123, "WEB-1A3"),
    )
    .await;
    let event_mock = get(
        &mut server,
        "/api/0/organizations/acme/issues/WEB-1A3/events/latest/",
        Matcher::Any,
        &event("7ca573c0f4814912aaa9bdc77d1a7d51"),
    )
    .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(&ctx, "get_issue", json!({"issue_id": "web-1a3"})).await;

    issue_mock.assert_async().await;
    event_mock.assert_async().await;
    assert_eq!(out.structured["id"], json!("123"));
}

#[tokio::test]
async fn get_issue_accepts_a_json_number_and_survives_a_missing_event() {
    let mut server = mockito::Server::new_async().await;
    let mut sparse = issue(123, "WEB-1A3");
    for field in ["culprit", "permalink", "priority", "lastSeen", "project"] {
        sparse.as_object_mut().unwrap().remove(field);
    }
    let issue_mock = get(
        &mut server,
        "/api/0/organizations/acme/issues/123/",
        Matcher::Any,
        &sparse,
    )
    .await;
    let event_mock = server
        .mock("GET", "/api/0/organizations/acme/issues/123/events/latest/")
        .with_status(404)
        .with_body(r#"{"detail":"The requested resource does not exist"}"#)
        .create_async()
        .await;
    let ctx = context(&server, None, &[]);

    let out = ok(
        &ctx,
        "get_issue",
        json!({"issue_id": 123, "organization_slug": "acme"}),
    )
    .await;

    issue_mock.assert_async().await;
    event_mock.assert_async().await;
    assert_eq!(
        out.structured["permalink"],
        json!(format!("{}/organizations/acme/issues/123/", server.url()))
    );
    assert!(
        out.text.contains("Latest event could not be read: "),
        "{}",
        out.text
    );
    assert!(
        out.structured["event_error"]
            .as_str()
            .unwrap()
            .contains("404")
    );
}

#[tokio::test]
async fn get_issue_shows_the_event_named_in_the_url() {
    let mut server = mockito::Server::new_async().await;
    let event_id = "abcdef0123456789abcdef0123456789";
    let issue_mock = get(
        &mut server,
        "/api/0/organizations/acme/issues/123/",
        Matcher::Any,
        &issue(123, "WEB-1A3"),
    )
    .await;
    let named = get(
        &mut server,
        &format!("/api/0/organizations/acme/issues/123/events/{event_id}/"),
        Matcher::Any,
        &event(event_id),
    )
    .await;
    let latest = server
        .mock("GET", "/api/0/organizations/acme/issues/123/events/latest/")
        .expect(0)
        .create_async()
        .await;
    let ctx = context(&server, None, &[]);
    let url = format!("https://sentry.io/organizations/acme/issues/123/events/{event_id}/");

    let out = ok(&ctx, "get_issue", json!({"issue_id": url})).await;

    issue_mock.assert_async().await;
    named.assert_async().await;
    latest.assert_async().await;
    assert!(
        out.text.contains(&format!("\nEvent {event_id}:\n")),
        "{}",
        out.text
    );
}

#[tokio::test]
async fn a_missing_issue_is_reported_with_its_id_and_organization() {
    let mut server = mockito::Server::new_async().await;
    let not_found = server
        .mock(
            "GET",
            Matcher::Regex("^/api/0/organizations/acme/issues/WEB-404/".into()),
        )
        .with_status(404)
        .with_body(r#"{"detail":"The requested resource does not exist"}"#)
        .expect_at_least(1)
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &[]);

    let error = call(&ctx, "get_issue", json!({"issue_id": "WEB-404"}))
        .await
        .unwrap_err();

    not_found.assert_async().await;
    assert!(
        matches!(error, ToolError::Api(ApiError::NotFound { .. })),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("issue 'WEB-404' in organization 'acme' was not found (404"),
        "{error}"
    );
}

// ---- triage ----

#[tokio::test]
async fn update_issue_puts_only_the_given_fields_and_reports_them() {
    let mut server = mockito::Server::new_async().await;
    let mut answer = issue(123, "WEB-1A3");
    answer["status"] = json!("resolved");
    answer["substatus"] = Value::Null;
    answer["statusDetails"] = json!({"inNextRelease": true});
    answer["assignedTo"] = json!({"type": "user", "id": "12", "name": "Jane Developer"});
    answer["isBookmarked"] = json!(true);
    let put = server
        .mock("PUT", "/api/0/organizations/acme/issues/WEB-1A3/")
        .match_body(Matcher::Json(json!({
            "status": "resolved",
            "statusDetails": {"inNextRelease": true},
            "assignedTo": "user:12",
            "isBookmarked": true
        })))
        .with_body(answer.to_string())
        .expect(1)
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(
        &ctx,
        "update_issue",
        json!({"issue_id": "WEB-1A3", "status": "resolvedInNextRelease",
               "assigned_to": "user:12", "is_bookmarked": true}),
    )
    .await;

    put.assert_async().await;
    assert_eq!(
        out.structured["set"],
        json!({"status": "resolvedInNextRelease", "assigned_to": "user:12", "is_bookmarked": true})
    );
    assert_eq!(out.structured["status"], json!("resolved"));
    assert_eq!(
        out.structured["assigned_to"]["name"],
        json!("Jane Developer")
    );
    assert_eq!(
        out.text,
        "Issue WEB-1A3 in acme: resolved in the next release, assigned to Jane Developer (user:12), bookmarked.\n\
         Status now: resolved\n\
         Link: https://acme.sentry.io/issues/123/"
    );
}

#[tokio::test]
async fn update_issue_reads_an_answer_with_only_the_changed_fields() {
    let mut server = mockito::Server::new_async().await;
    let put = server
        .mock("PUT", "/api/0/organizations/acme/issues/123/")
        .match_body(Matcher::Json(json!({
            "status": "ignored",
            "substatus": "archived_until_escalating",
            "assignedTo": "",
            "hasSeen": false
        })))
        .with_body(
            json!({"status": "ignored", "substatus": "archived_until_escalating",
                   "statusDetails": {}, "assignedTo": null, "hasSeen": false})
            .to_string(),
        )
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(
        &ctx,
        "update_issue",
        json!({"issue_id": "123", "status": "ignored", "assigned_to": "none", "has_seen": false}),
    )
    .await;

    put.assert_async().await;
    assert_eq!(
        out.text,
        format!(
            "Issue 123 in acme: archived until it escalates, unassigned, marked unseen.\n\
             Status now: ignored (archived_until_escalating)\n\
             Link: {}/organizations/acme/issues/123/",
            server.url()
        )
    );
    assert_eq!(
        out.structured["substatus"],
        json!("archived_until_escalating")
    );
    assert!(out.structured.get("short_id").is_none());
}

#[tokio::test]
async fn update_issue_with_nothing_to_change_is_refused_without_a_request() {
    let mut server = mockito::Server::new_async().await;
    let any = server
        .mock("PUT", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &[]);

    let message = invalid_input(call(&ctx, "update_issue", json!({"issue_id": "WEB-1"})).await);

    any.assert_async().await;
    assert!(message.contains("nothing to change"), "{message}");
    assert!(message.contains("assigned_to"), "{message}");
    let bad_status = invalid_input(
        call(
            &ctx,
            "update_issue",
            json!({"issue_id": "WEB-1", "status": "muted"}),
        )
        .await,
    );
    assert!(bad_status.contains("muted"), "{bad_status}");
}

#[tokio::test]
async fn resolve_issue_sets_resolved() {
    let mut server = mockito::Server::new_async().await;
    let put = server
        .mock("PUT", "/api/0/organizations/acme/issues/WEB-1A3/")
        .match_body(Matcher::Json(json!({"status": "resolved"})))
        .with_body(json!({"status": "resolved", "statusDetails": {}}).to_string())
        .expect(1)
        .create_async()
        .await;
    let ctx = context(&server, None, &[]);

    let out = ok(
        &ctx,
        "resolve_issue",
        json!({"issue_id": "https://acme.sentry.io/issues/WEB-1A3/"}),
    )
    .await;

    put.assert_async().await;
    assert!(
        out.text
            .starts_with("Issue WEB-1A3 in acme: resolved.\nStatus now: resolved"),
        "{}",
        out.text
    );
    assert_eq!(out.structured["set"], json!({"status": "resolved"}));
}

#[tokio::test]
async fn ignore_issue_archives_until_escalating() {
    let mut server = mockito::Server::new_async().await;
    let put = server
        .mock("PUT", "/api/0/organizations/acme/issues/77/")
        .match_body(Matcher::Json(
            json!({"status": "ignored", "substatus": "archived_until_escalating"}),
        ))
        .with_body(issue(77, "WEB-77").to_string())
        .expect(1)
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(&ctx, "ignore_issue", json!({"issue_id": 77})).await;

    put.assert_async().await;
    assert!(
        out.text
            .starts_with("Issue WEB-77 in acme: archived until it escalates."),
        "{}",
        out.text
    );
}

// ---- events ----

#[tokio::test]
async fn list_events_asks_for_the_page_size_and_offers_the_cursor() {
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("GET", "/api/0/organizations/acme/issues/WEB-1A3/events/")
        .match_query(Matcher::UrlEncoded("per_page".into(), "3".into()))
        .with_header("link", &link("0:3:0", true))
        .with_body(Value::Array(event_summaries(3)).to_string())
        .expect(1)
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(
        &ctx,
        "list_events",
        json!({"issue_id": "WEB-1A3", "limit": 3}),
    )
    .await;

    mock.assert_async().await;
    let events = out.structured["events"].as_array().unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(
        events[0],
        json!({"event_id": "00000000000000000000000000000000", "date": "2025-04-08T21:10:04Z",
               "title": "TypeError: x is undefined", "environment": "production",
               "release": "web@1.2.3", "user": "u1"})
    );
    assert_eq!(out.structured["next_cursor"], json!("0:3:0"));
    let lines: Vec<&str> = out.text.lines().collect();
    assert_eq!(lines[0], "Events of issue WEB-1A3 in acme, newest first:");
    assert_eq!(
        lines[1],
        "00000000000000000000000000000000  TypeError: x is undefined  (2025-04-08T21:10:04Z, env production, release web@1.2.3, user u1)"
    );
    assert!(lines[4].contains("cursor=\"0:3:0\""), "{}", out.text);
}

#[tokio::test]
async fn list_events_never_offers_a_cursor_that_would_skip_events() {
    let mut server = mockito::Server::new_async().await;
    // A server that ignores per_page and sends a bigger page.
    server
        .mock("GET", "/api/0/organizations/acme/issues/WEB-1A3/events/")
        .match_query(Matcher::Any)
        .with_header("link", &link("0:5:0", true))
        .with_body(Value::Array(event_summaries(5)).to_string())
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(
        &ctx,
        "list_events",
        json!({"issue_id": "WEB-1A3", "limit": 3}),
    )
    .await;

    assert_eq!(out.structured["events"].as_array().unwrap().len(), 3);
    assert!(
        out.structured.get("next_cursor").is_none(),
        "{}",
        out.structured
    );
}

fn event_summaries(count: usize) -> Vec<Value> {
    (0..count)
        .map(|n| {
            json!({
                "id": format!("{n:032x}"), "eventID": format!("{n:032x}"), "groupID": "123",
                "title": "TypeError: x is undefined", "message": "",
                "dateCreated": format!("2025-04-08T21:1{n}:04Z"), "event.type": "error",
                "user": {"id": "u1", "email": null, "username": null, "ip_address": null},
                "tags": [{"key": "environment", "value": "production"}, {"key": "release", "value": "web@1.2.3"}],
                "platform": "javascript", "crashFile": null
            })
        })
        .collect()
}

#[tokio::test]
async fn get_event_shows_in_app_frames_first_and_the_last_breadcrumbs() {
    let mut server = mockito::Server::new_async().await;
    let id = "7ca573c0f4814912aaa9bdc77d1a7d51";
    let mock = get(
        &mut server,
        &format!("/api/0/projects/acme/web/events/{id}/"),
        Matcher::Any,
        &event(id),
    )
    .await;
    let ctx = context(&server, None, &[]);

    let out = ok(
        &ctx,
        "get_event",
        json!({"organization_slug": "acme", "project_slug": "web",
               "event_id": "7CA573C0-F481-4912-AAA9-BDC77D1A7D51"}),
    )
    .await;

    mock.assert_async().await;
    let text = &out.text;
    let position = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} missing in\n{text}"))
    };
    assert!(text.starts_with(&format!(
        "Event {id} in acme/web\nTypeError: x is undefined\n"
    )));
    assert!(
        position("Exception: TypeError: x is undefined (unhandled)")
            < position("Exception: ValueError: cause")
    );
    assert!(
        position("  at app/components/cart.js:20 in render")
            < position("  at app/pages/checkout.js:10 in Checkout")
    );
    assert!(
        position("  at app/pages/checkout.js:10 in Checkout") < position("  + 2 library frames")
    );
    assert!(
        !text.contains("react-dom.js"),
        "library frames are counted, not listed"
    );
    assert!(text.contains("Breadcrumbs (last 10 of 12; 2 earlier not shown):\n"));
    assert!(
        !text.contains("step-1 ") && !text.contains("step-0 "),
        "{text}"
    );
    assert!(text.contains("  2025-04-08T21:14:11Z [info] fetch: GET /api/step-11 [200]"));
    assert!(text.ends_with("Tags: environment=production, browser=Chrome 120, release=web@1.2.3"));

    let s = &out.structured;
    assert_eq!(s["event_id"], json!(id));
    assert_eq!(s["issue_id"], json!("123"));
    assert_eq!(s["breadcrumbs"].as_array().unwrap().len(), 10);
    assert_eq!(s["breadcrumbs_not_shown"], json!(2));
    assert_eq!(
        s["breadcrumbs"][0]["message"],
        json!("GET /api/step-2 [200]")
    );
    assert_eq!(
        s["exceptions"][0]["frames"],
        json!([
            {"file": "app/components/cart.js", "line": 20, "function": "render"},
            {"file": "app/pages/checkout.js", "line": 10, "function": "Checkout"}
        ])
    );
    assert_eq!(s["exceptions"][0]["library_frames"], json!(2));
    assert_eq!(s["exceptions"][0]["handled"], json!(false));
    assert_eq!(s["tags"]["browser"], json!("Chrome 120"));
    assert!(
        s.get("entries").is_none() && s.get("_meta").is_none(),
        "no raw API fields"
    );
}

#[tokio::test]
async fn get_event_refuses_an_invalid_event_id_without_a_request() {
    let mut server = mockito::Server::new_async().await;
    let any = server
        .mock("GET", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &["web"]);

    for bad in [
        "latest",
        "7ca573c0",
        "../../organizations/acme",
        "zz573c0f4814912aaa9bdc77d1a7d51",
    ] {
        let message = invalid_input(call(&ctx, "get_event", json!({"event_id": bad})).await);
        assert!(message.contains("32 hex"), "{bad}: {message}");
    }
    any.assert_async().await;
}

// ---- stats ----

/// 2025-03-03 00:00 UTC, a Monday.
const MONDAY: i64 = 1_740_960_000;
const DAY: i64 = 86_400;

#[tokio::test]
async fn weekly_stats_ask_for_days_and_sum_them_into_weeks() {
    let mut server = mockito::Server::new_async().await;
    let days: Vec<Value> = (0..10).map(|d| json!([MONDAY + d * DAY, d + 1])).collect();
    let mock = server
        .mock("GET", "/api/0/projects/acme/web/stats/")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("stat".into(), "received".into()),
            Matcher::UrlEncoded("resolution".into(), "1d".into()),
        ]))
        .match_request(|r| {
            let query = query_of(r);
            let since: i64 = query["since"].parse().unwrap();
            let until: i64 = query["until"].parse().unwrap();
            let weeks = (until - since) as f64 / (7 * DAY) as f64;
            (since - MONDAY) % (7 * DAY) == 0 && (11.0..=12.0).contains(&weeks)
        })
        .with_body(Value::Array(days).to_string())
        .expect(1)
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &["web"]);

    let out = ok(&ctx, "get_project_stats", json!({"resolution": "1w"})).await;

    mock.assert_async().await;
    assert_eq!(out.structured["total"], json!(55));
    assert_eq!(out.structured["resolution"], json!("1w"));
    assert_eq!(
        out.structured["points"],
        json!([
            {"start": "2025-03-03T00:00:00+00:00", "count": 28},
            {"start": "2025-03-10T00:00:00+00:00", "count": 27}
        ])
    );
    assert_eq!(
        out.text,
        "Received events of acme/web, weekly (from Monday) over the last 12 weeks: 55 in total.\n\
         week of 2025-03-03  28\n\
         week of 2025-03-10  27"
    );
}

#[tokio::test]
async fn hourly_stats_cover_the_last_24_hours() {
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("GET", "/api/0/projects/acme/api/stats/")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("stat".into(), "rejected".into()),
            Matcher::UrlEncoded("resolution".into(), "1h".into()),
        ]))
        .match_request(|r| {
            let query = query_of(r);
            let span =
                query["until"].parse::<i64>().unwrap() - query["since"].parse::<i64>().unwrap();
            span == DAY
        })
        .with_body(json!([[MONDAY, 0], [MONDAY + 3_600, 7]]).to_string())
        .expect(1)
        .create_async()
        .await;
    let ctx = context(&server, None, &[]);

    let out = ok(
        &ctx,
        "get_project_stats",
        json!({"organization_slug": "acme", "project_slug": "api", "stat": "rejected", "resolution": "1h"}),
    )
    .await;

    mock.assert_async().await;
    assert_eq!(out.structured["total"], json!(7));
    assert_eq!(
        out.text.lines().collect::<Vec<_>>(),
        [
            "Rejected events of acme/api, hourly over the last 24 hours: 7 in total.",
            "2025-03-03 00:00  0",
            "2025-03-03 01:00  7",
        ]
    );
}
