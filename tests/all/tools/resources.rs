//! Tests: get_resource opens a Sentry link with the tool that shows what it names.

use super::*;

const TRACE: &str = "a4d1aae7216b47ff8117cf4e09ce9d0a";

#[tokio::test]
async fn an_issue_link_shows_the_issue_and_the_event_it_names() {
    let mut server = mockito::Server::new_async().await;
    let event_id = "7ca573c0f4814912aaa9bdc77d1a7d51";
    let issue_mock = get(
        &mut server,
        "/api/0/organizations/acme/issues/123/",
        Matcher::Any,
        &issue(123, "WEB-1A3"),
    )
    .await;
    let event_mock = get(
        &mut server,
        &format!("/api/0/organizations/acme/issues/123/events/{event_id}/"),
        Matcher::Any,
        &event(event_id),
    )
    .await;
    get(
        &mut server,
        "/api/0/organizations/acme/issues/123/tags/",
        Matcher::Any,
        &issue_tags(),
    )
    .await;
    let ctx = context(&server, Some("other-org"), &[]);

    let out = ok(
        &ctx,
        "get_resource",
        json!({"url": format!("{}/organizations/acme/issues/123/events/{event_id}/?project=42", server.url())}),
    )
    .await;

    issue_mock.assert_async().await;
    event_mock.assert_async().await;
    assert!(out.text.starts_with("WEB-1A3: TypeError"), "{}", out.text);
    assert!(
        out.text.contains(&format!("Event {event_id}:")),
        "{}",
        out.text
    );
}

#[tokio::test]
async fn a_span_link_shows_the_span_and_its_children() {
    let mut server = mockito::Server::new_async().await;
    let body = json!([{"span_id": "root", "op": "http.server", "description": "GET /", "duration": 100.0,
    "event_id": "e1", "children": [
        {"span_id": "b4abfe5ed7984c2b", "op": "db", "description": "SELECT", "duration": 40.0, "event_id": "e1",
         "children": [{"span_id": "c1", "op": "db.redis", "duration": 2.0, "children": []}]}
    ]}]);
    let tree = get(
        &mut server,
        &format!("/api/0/organizations/acme/trace/{TRACE}/"),
        Matcher::Any,
        &body,
    )
    .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(
        &ctx,
        "get_resource",
        json!({"url": format!("{}/organizations/acme/explore/traces/trace/{TRACE}/?node=span-b4abfe5ed7984c2b", server.url())}),
    )
    .await;

    tree.assert_async().await;
    let lines: Vec<&str> = out.text.lines().collect();
    assert_eq!(
        lines[1..5],
        [
            "Span: db — SELECT 40ms span b4abfe5ed7984c2b",
            "In transaction event e1; 1 child spans.",
            "Its children:",
            "- db.redis 2ms span c1",
        ]
    );
}

#[tokio::test]
async fn a_cron_link_shows_the_monitor() {
    let mut server = mockito::Server::new_async().await;
    let monitor = get(
        &mut server,
        "/api/0/organizations/acme/monitors/nightly-import/",
        Matcher::Any,
        &json!({"id": "9", "slug": "nightly-import", "name": "Nightly Import", "environments": []}),
    )
    .await;
    get(
        &mut server,
        "/api/0/organizations/acme/monitors/nightly-import/checkins/",
        Matcher::Any,
        &json!([]),
    )
    .await;
    let ctx = context(&server, None, &[]);

    let out = ok(
        &ctx,
        "get_resource",
        json!({"url": format!("{}/organizations/acme/crons/web/nightly-import/", server.url())}),
    )
    .await;

    monitor.assert_async().await;
    assert!(
        out.text
            .starts_with("Cron monitor in acme: nightly-import \"Nightly Import\""),
        "{}",
        out.text
    );
}

#[tokio::test]
async fn links_elsewhere_are_refused_before_any_request() {
    let mut server = mockito::Server::new_async().await;
    let nothing = no_requests(&mut server).await;
    let ctx = context(&server, Some("acme"), &[]);
    let url = server.url();
    for (link, needle) in [
        (
            "https://attacker.example.net/organizations/acme/issues/1/".to_owned(),
            "not a link of the configured Sentry server",
        ),
        (format!("{url}/organizations/acme/issues/%2E%2E/x/"), "'..'"),
        (format!("{url}/settings/acme/projects/"), "names no issue"),
    ] {
        let message = invalid_input(call(&ctx, "get_resource", json!({"url": link})).await);
        assert!(message.contains(needle), "{link}: {message}");
    }
    for mock in nothing {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn get_resource_passes_sentry_errors_on() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    for (status, needle) in [(404, "replay"), (403, "`org:read`")] {
        let path = format!("/api/0/organizations/acme/replays/{TRACE}/");
        let mock = json_mock(&mut server, "GET", &path, status, json!({"detail": "x"})).await;
        let ctx = context(&server, Some("acme"), &[]);
        let err = call(
            &ctx,
            "get_resource",
            json!({"url": format!("{url}/organizations/acme/replays/{TRACE}/")}),
        )
        .await
        .unwrap_err()
        .to_string();
        mock.assert_async().await;
        mock.remove_async().await;
        assert!(err.contains(needle), "{status}: {err}");
    }
}
