//! Tests: the Sentry read and triage tools, driven in-process against a mock Sentry.
//!
//! Each test pins the exact request a tool sends and what it makes of a realistic answer.

use crate::support::sentry::{json_mock, tool_context};
use mockito::{Matcher, Mock, ServerGuard};
use sentry_companion::sentry::ApiError;
use sentry_companion::tools::{Registry, ToolContext, ToolError, ToolOutput};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

mod admin;
mod events;
mod feedback;
mod issue;
mod issue_context;
mod issue_lists;
mod monitoring;
mod performance;
mod projects;
mod releases;
mod resources;
mod schemas;
mod seer;
mod stats;
mod triage;

/// A tool context against the mock server, with optional default org and projects.
fn context(server: &ServerGuard, org: Option<&str>, projects: &[&str]) -> Arc<ToolContext> {
    tool_context(&server.url(), org, projects)
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
        "lineNo": line, "colNo": 7, "inApp": in_app, "vars": null,
        "context": [[line - 1, "  const items = props.items;"], [line, format!("  {function}(items);")], [line + 1, "}"]]
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

/// An issue's tag distribution as `issues/{id}/tags/` returns it.
fn issue_tags() -> Value {
    json!([
        {"key": "browser", "name": "Browser", "totalValues": 1234, "topValues": [
            {"value": "Chrome 120", "count": 800}, {"value": "Firefox 121", "count": 400},
            {"value": "Safari 17", "count": 34}]},
        {"key": "environment", "name": "Environment", "totalValues": 1234, "topValues": [
            {"value": "production", "count": 1234}]},
        {"key": "empty", "name": "Empty", "totalValues": 0, "topValues": []}
    ])
}

/// Checks a tool's answers to Sentry's 404 and 403 on `method path`: the resource is named, and
/// so is the scope the token probably lacks.
async fn assert_api_errors(name: &str, args: Value, method: &str, path: &str, scope: &str) {
    for (status, needle) in [(404, "was not found (404"), (403, scope)] {
        let mut server = mockito::Server::new_async().await;
        let mock = json_mock(&mut server, method, path, status, json!({"detail": "nope"})).await;
        let ctx = context(&server, Some("acme"), &[]);
        let err = match call(&ctx, name, args.clone()).await {
            Err(ToolError::Api(error)) => error.to_string(),
            Err(ToolError::Failed(message)) => message,
            other => panic!("{name} on {status}: expected an API error, got {other:?}"),
        };
        mock.assert_async().await;
        assert!(err.contains(needle), "{name} on {status}: {err}");
        if status == 403 {
            assert!(err.contains("permission denied"), "{name}: {err}");
        }
    }
}

/// Checks that bad arguments are refused before any request, with a message containing `needle`.
async fn assert_bad_input(name: &str, args: Value, needle: &str) {
    let mut server = mockito::Server::new_async().await;
    let nothing = no_requests(&mut server).await;
    let ctx = context(&server, Some("acme"), &[]);
    let message = invalid_input(call(&ctx, name, args.clone()).await);
    assert!(message.contains(needle), "{name} {args}: {message}");
    for mock in nothing {
        mock.assert_async().await;
    }
}

/// Mocks that fail the test if any request reaches the server.
async fn no_requests(server: &mut ServerGuard) -> Vec<Mock> {
    let mut mocks = Vec::new();
    for method in ["GET", "POST", "PUT", "DELETE"] {
        let mock = server.mock(method, Matcher::Any).expect(0);
        mocks.push(mock.create_async().await);
    }
    mocks
}

/// Checks that a write tool is refused on a read-only server without reaching Sentry.
async fn assert_refused_when_read_only(name: &str, args: Value) {
    let mut server = mockito::Server::new_async().await;
    let nothing = no_requests(&mut server).await;
    let ctx = context(&server, Some("acme"), &["web"]);
    let result = Registry::new().call(ctx, name, args, true).await;
    assert!(
        matches!(&result, Err(ToolError::ReadOnly(tool)) if tool == name),
        "{name}: {result:?}"
    );
    for mock in nothing {
        mock.assert_async().await;
    }
}

fn invalid_input(result: Result<ToolOutput, ToolError>) -> String {
    match result {
        Err(ToolError::InvalidInput(message)) => message,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}
