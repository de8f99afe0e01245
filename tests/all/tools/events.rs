//! Tests: an issue's events and one event in detail.

use super::*;

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
