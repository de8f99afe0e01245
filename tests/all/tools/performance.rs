//! Tests: search_events (Discover) and get_trace.

use super::*;

const TRACE: &str = "a4d1aae7216b47ff8117cf4e09ce9d0a";

#[tokio::test]
async fn search_events_sends_fields_sort_range_and_project_and_prints_one_row_per_line() {
    let mut server = mockito::Server::new_async().await;
    let project = get(
        &mut server,
        "/api/0/projects/acme/web/",
        Matcher::Any,
        &json!({"id": "42", "slug": "web"}),
    )
    .await;
    let table = server
        .mock("GET", "/api/0/organizations/acme/events/")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("dataset".into(), "spans".into()),
            Matcher::UrlEncoded("query".into(), "span.op:db".into()),
            Matcher::UrlEncoded("sort".into(), "-p95(span.duration)".into()),
            Matcher::UrlEncoded("project".into(), "42".into()),
            Matcher::UrlEncoded("environment".into(), "production".into()),
            Matcher::UrlEncoded("statsPeriod".into(), "24h".into()),
            Matcher::UrlEncoded("per_page".into(), "10".into()),
        ]))
        .match_request(|r| values_of(r, "field") == ["span.description", "count()", "p95(span.duration)"])
        .with_header(
            "link",
            &link("0:10:0", true),
        )
        .with_body(
            json!({"data": [
                {"span.description": "SELECT * FROM orders", "count()": 120, "p95(span.duration)": 512.5},
                {"span.description": "SELECT 1", "count()": 3, "p95(span.duration)": 1.0}
            ], "meta": {"fields": {"count()": "integer", "p95(span.duration)": "duration"},
                        "units": {"count()": null, "p95(span.duration)": "millisecond"}}})
            .to_string(),
        )
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(
        &ctx,
        "search_events",
        json!({"dataset": "spans", "query": "span.op:db", "project_slug": "web",
               "fields": ["span.description", "count()", "p95(span.duration)"],
               "sort": "-p95(span.duration)", "environment": "production",
               "stats_period": "24h", "limit": 10}),
    )
    .await;

    project.assert_async().await;
    table.assert_async().await;
    assert_eq!(
        out.text.lines().collect::<Vec<_>>(),
        [
            "2 spans rows in acme/web in environment production matching `span.op:db` (last 24h), sorted by -p95(span.duration):",
            "span.description | count() | p95(span.duration)",
            "SELECT * FROM orders | 120 | 512.5ms",
            "SELECT 1 | 3 | 1ms",
            "More results exist; call again with cursor=\"0:10:0\" for the next page.",
        ]
    );
    assert_eq!(out.structured["rows"][0]["count()"], json!(120));
}

#[tokio::test]
async fn search_events_defaults_to_errors_over_14_days_with_a_start_and_end_when_given() {
    let mut server = mockito::Server::new_async().await;
    let defaults = server
        .mock("GET", "/api/0/organizations/acme/events/")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("dataset".into(), "errors".into()),
            Matcher::UrlEncoded("statsPeriod".into(), "14d".into()),
            Matcher::UrlEncoded("sort".into(), "-count()".into()),
        ]))
        .match_request(|r| {
            values_of(r, "field") == ["issue", "title", "project", "count()", "last_seen()"]
        })
        .with_body(json!({"data": [], "meta": {}}).to_string())
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &[]);
    let out = ok(&ctx, "search_events", json!({})).await;
    defaults.assert_async().await;
    assert_eq!(out.text, "No errors rows in acme (last 14d).");

    let range = server
        .mock("GET", "/api/0/organizations/acme/events/")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("dataset".into(), "logs".into()),
            Matcher::UrlEncoded("start".into(), "2025-04-01T00:00:00Z".into()),
            Matcher::UrlEncoded("end".into(), "2025-04-02T00:00:00Z".into()),
        ]))
        .match_request(|r| !query_of(r).contains_key("statsPeriod"))
        .with_body(
            json!({"data": [{"timestamp": "2025-04-01T10:00:00Z", "severity": "error",
                                     "message": "db down", "trace": TRACE}]})
            .to_string(),
        )
        .create_async()
        .await;
    let out = ok(
        &ctx,
        "search_events",
        json!({"dataset": "logs", "start": "2025-04-01T00:00:00Z", "end": "2025-04-02T00:00:00Z"}),
    )
    .await;
    range.assert_async().await;
    assert!(
        out.text
            .ends_with(&format!("2025-04-01T10:00:00Z | error | db down | {TRACE}")),
        "{}",
        out.text
    );
}

#[tokio::test]
async fn search_events_errors_and_bad_input() {
    assert_api_errors(
        "search_events",
        json!({}),
        "GET",
        "/api/0/organizations/acme/events/",
        "org:read",
    )
    .await;
    for (args, needle) in [
        (json!({"stats_period": "two days"}), "not a period"),
        (json!({"start": "2025-04-01T00:00:00Z"}), "go together"),
        (
            json!({"stats_period": "1d", "end": "2025-04-01T00:00:00Z"}),
            "not both",
        ),
        (json!({"start": "yesterday", "end": "today"}), "start"),
        (json!({"dataset": "metrics"}), "unknown variant"),
        (json!({"fields": vec!["f"; 21]}), "at most 20"),
    ] {
        assert_bad_input("search_events", args, needle).await;
    }
}

/// A trace: a root span with three children (one with an error, one with a child) and an error
/// outside any span.
fn trace_body() -> Value {
    let span = |id: &str, op: &str, description: &str, duration: f64, children: Vec<Value>| {
        json!({"span_id": id, "event_id": "e1", "op": op, "description": description,
               "duration": duration, "project_slug": "web", "status": "ok", "errors": [],
               "children": children})
    };
    let mut failing = span(
        "c3",
        "http.client",
        "GET https://api.example.com",
        900.0,
        vec![],
    );
    failing["errors"] = json!([{"title": "TimeoutError", "issue_id": 77, "event_id": "e9"}]);
    failing["status"] = json!("deadline_exceeded");
    json!([
        span("root", "http.server", "GET /checkout", 1500.0, vec![
            span("c1", "db", "SELECT cart", 20.0, vec![span("c1a", "db.redis", "GET k", 1.0, vec![])]),
            span("c2", "cache.get", "cart:1", 2.0, vec![]),
            failing
        ]),
        {"id": 6507376925u64, "issue_id": 6507376925u64, "title": "Error: standalone", "culprit": "job.js:42", "type": "error"}
    ])
}

#[tokio::test]
async fn get_trace_draws_the_tree_with_counts_and_errors() {
    let mut server = mockito::Server::new_async().await;
    let meta = get(
        &mut server,
        &format!("/api/0/organizations/acme/trace-meta/{TRACE}/"),
        Matcher::UrlEncoded("statsPeriod".into(), "14d".into()),
        &json!({"span_count": 5.0, "errors": 2, "performance_issues": 0, "logs": 3,
                "span_count_map": {"db": 2.0, "http.server": 1.0}}),
    )
    .await;
    let tree = get(
        &mut server,
        &format!("/api/0/organizations/acme/trace/{TRACE}/"),
        Matcher::UrlEncoded("statsPeriod".into(), "14d".into()),
        &trace_body(),
    )
    .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(
        &ctx,
        "get_trace",
        json!({"trace_id": TRACE.to_ascii_uppercase()}),
    )
    .await;

    meta.assert_async().await;
    tree.assert_async().await;
    assert_eq!(
        out.text.lines().collect::<Vec<_>>(),
        [
            format!("Trace {TRACE}: 5 spans, 2 errors, 0 performance issues, 3 logs."),
            "Spans by operation: db 2, http.server 1.".to_owned(),
            "Spans (children indented):".to_owned(),
            "- http.server — GET /checkout 1500ms [web] span root".to_owned(),
            "  - db — SELECT cart 20ms [web] span c1".to_owned(),
            "    - db.redis — GET k 1ms [web] span c1a".to_owned(),
            "  - cache.get — cart:1 2ms [web] span c2".to_owned(),
            "  - http.client — GET https://api.example.com 900ms [web] status deadline_exceeded span c3; errors: \"TimeoutError\" (issue 77)".to_owned(),
            "Errors outside any span:".to_owned(),
            "- Error: standalone at job.js:42 (issue 6507376925)".to_owned(),
            format!("Link: {}/organizations/acme/explore/traces/trace/{TRACE}/", server.url()),
        ]
    );
    assert_eq!(out.structured["spans_left_out"], json!(0));
}

#[tokio::test]
async fn a_big_trace_is_capped_and_says_how_much_was_left_out() {
    let mut server = mockito::Server::new_async().await;
    let children: Vec<Value> = (0..60)
        .map(|n| json!({"span_id": format!("s{n}"), "op": "db", "duration": n as f64, "children": []}))
        .collect();
    let body =
        json!([{"span_id": "root", "op": "http.server", "duration": 99.0, "children": children}]);
    get(
        &mut server,
        &format!("/api/0/organizations/acme/trace/{TRACE}/"),
        Matcher::Any,
        &body,
    )
    .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(&ctx, "get_trace", json!({"trace_id": TRACE})).await;

    // The root and its ten slowest children; the meta endpoint failing costs only the counts.
    assert_eq!(out.structured["spans_shown"], json!(11));
    assert_eq!(out.structured["spans_left_out"], json!(50));
    assert!(
        out.text
            .starts_with(&format!("Trace {TRACE} (its counts could not be read):"))
    );
    assert!(out.text.contains("  - db 59ms span s59"), "{}", out.text);
    assert!(!out.text.contains("span s49\n"), "{}", out.text);
    assert!(
        out.text
            .contains("11 of the 61 spans returned are shown; 50 left out"),
        "{}",
        out.text
    );
}

#[tokio::test]
async fn get_trace_errors_and_bad_input() {
    assert_api_errors(
        "get_trace",
        json!({"trace_id": TRACE}),
        "GET",
        &format!("/api/0/organizations/acme/trace/{TRACE}/"),
        "org:read",
    )
    .await;
    assert_bad_input("get_trace", json!({"trace_id": "abc"}), "32 hex").await;
    let mut server = mockito::Server::new_async().await;
    get(
        &mut server,
        &format!("/api/0/organizations/acme/trace/{TRACE}/"),
        Matcher::Any,
        &json!([]),
    )
    .await;
    let ctx = context(&server, Some("acme"), &[]);
    let empty = call(&ctx, "get_trace", json!({"trace_id": TRACE})).await;
    assert!(
        matches!(&empty, Err(ToolError::Failed(m)) if m.contains("no spans or errors")),
        "{empty:?}"
    );
}
