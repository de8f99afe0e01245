//! Tests: one issue, by any of its names.

use super::*;

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
    let tags_mock = get(
        &mut server,
        "/api/0/organizations/acme/issues/123/tags/",
        Matcher::UrlEncoded("limit".into(), "3".into()),
        &issue_tags(),
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
    tags_mock.assert_async().await;
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
    assert_eq!(s["event"]["breadcrumbs"].as_array().unwrap().len(), 5);
    assert_eq!(s["event"]["breadcrumbs_not_shown"], json!(7));
    assert!(
        s["event"].get("tags").is_none(),
        "the issue's tags stand for the event's"
    );
    assert_eq!(
        s["top_tags"][0]["values"][0],
        json!({"value": "Chrome 120", "count": 800})
    );
    assert_eq!(
        s["top_tags"].as_array().unwrap().len(),
        2,
        "keys without values are left out"
    );
    assert_eq!(
        s["event"]["exceptions"][0]["source"],
        json!("  render(items);")
    );
    assert!(s.get("activity").is_none(), "no raw API fields");
    let expected = [
        "WEB-1A3: TypeError: x is undefined (WEB-1A3)",
        "Culprit: app/components/cart.js in render",
        "status unresolved (ongoing) · level error · priority high · project web",
        "1.2k events, 34 users",
        "First seen 2025-04-03T22:51:19Z, in release web@1.2.0, last seen 2025-04-12T11:34:11Z",
        "Assigned to: Jane Developer (user:12345)",
        "Link: https://acme.sentry.io/issues/123/",
        "Top tags (share of events):",
        "  browser: Chrome 120 65%, Firefox 121 32%, Safari 17 3%",
        "  environment: production 100%",
        "",
        "Latest event 7ca573c0f4814912aaa9bdc77d1a7d51:",
        "TypeError: x is undefined",
        "2025-04-08T21:15:04Z · env production · release web@1.2.3 · user jane@example.com",
        "Frames: most recent call first; the first is where it was raised, with its source.",
        "Exception: TypeError: x is undefined (unhandled)",
        "  at app/components/cart.js:20 in render",
        "      19 |   const items = props.items;",
        "    > 20 |   render(items);",
        "      21 | }",
        "  at app/pages/checkout.js:10 in Checkout",
        "  + 2 library frames",
        "Exception: ValueError: cause",
        "  at lib/cause.js:5 in origin",
        "      4 |   const items = props.items;",
        "    > 5 |   origin(items);",
        "      6 | }",
        "Breadcrumbs (last 5 of 12; 7 earlier not shown):",
        "  2025-04-08T21:14:07Z [info] fetch: GET /api/step-7 [200]",
        "  2025-04-08T21:14:08Z [info] fetch: GET /api/step-8 [200]",
        "  2025-04-08T21:14:09Z [info] fetch: GET /api/step-9 [200]",
        "  2025-04-08T21:14:10Z [info] fetch: GET /api/step-10 [200]",
        "  2025-04-08T21:14:11Z [info] fetch: GET /api/step-11 [200]",
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
