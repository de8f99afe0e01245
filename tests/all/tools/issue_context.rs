//! Tests: an issue's tag values, activity and notes; update_issue's ignore modes; list_events' query.

use super::*;

#[tokio::test]
async fn tag_values_show_counts_shares_and_when_each_was_seen() {
    let mut server = mockito::Server::new_async().await;
    let mock = get(
        &mut server,
        "/api/0/organizations/acme/issues/WEB-1A3/tags/browser/",
        Matcher::Any,
        &json!({"key": "browser", "name": "Browser", "totalValues": 1000, "uniqueValues": 3,
                "topValues": [
                    {"value": "Chrome 120", "count": 700, "firstSeen": "2025-04-01T00:00:00Z", "lastSeen": "2025-04-12T11:34:11.5Z"},
                    {"value": null, "count": 5}
                ]}),
    )
    .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(
        &ctx,
        "list_issue_tag_values",
        json!({"issue_id": "web-1a3", "key": " browser "}),
    )
    .await;

    mock.assert_async().await;
    assert_eq!(
        out.text.lines().collect::<Vec<_>>(),
        [
            "Tag browser of issue WEB-1A3 in acme: 1000 events carry it, 3 distinct values.",
            "Most common values:",
            "- Chrome 120: 700 (70%), first seen 2025-04-01T00:00:00Z, last seen 2025-04-12T11:34:11Z",
            "- (empty): 5 (<1%)",
        ]
    );
    assert_eq!(out.structured["values"][0]["count"], json!(700));
}

#[tokio::test]
async fn tag_values_errors_and_bad_input() {
    assert_api_errors(
        "list_issue_tag_values",
        json!({"issue_id": "WEB-1", "key": "browser"}),
        "GET",
        "/api/0/organizations/acme/issues/WEB-1/tags/browser/",
        "event:read",
    )
    .await;
    assert_bad_input(
        "list_issue_tag_values",
        json!({"issue_id": "WEB-1", "key": "  "}),
        "key must name a tag",
    )
    .await;
    assert_bad_input(
        "list_issue_tag_values",
        json!({"issue_id": "WEB-1", "key": ".."}),
        "not a valid path segment",
    )
    .await;
}

#[tokio::test]
async fn activity_reads_as_sentences_newest_first_and_is_capped() {
    let mut server = mockito::Server::new_async().await;
    let mock = get(
        &mut server,
        "/api/0/organizations/acme/issues/123/activities/",
        Matcher::Any,
        &json!({"activity": [
            {"id": "3", "type": "note", "data": {"text": "Looking into it"},
             "user": {"name": "Jane Developer", "email": "jane@example.com"}, "dateCreated": "2025-04-14T12:00:00Z"},
            {"id": "2", "type": "set_resolved_in_release", "data": {"version": "web@1.2.4"},
             "user": {"email": "sam@example.com"}, "dateCreated": "2025-04-13T12:00:00Z"},
            {"id": "1", "type": "first_seen", "data": {}, "user": null, "dateCreated": "2025-04-03T22:51:19Z"}
        ]}),
    )
    .await;
    let ctx = context(&server, None, &[]);

    let out = ok(
        &ctx,
        "list_issue_activity",
        json!({"issue_id": "https://acme.sentry.io/issues/123/", "limit": 2}),
    )
    .await;

    mock.assert_async().await;
    assert_eq!(
        out.text.lines().collect::<Vec<_>>(),
        [
            "Activity of issue 123 in acme, newest first:",
            "- 2025-04-14T12:00:00Z Jane Developer: note: Looking into it",
            "- 2025-04-13T12:00:00Z sam@example.com: resolved in release web@1.2.4",
            "1 more not shown; narrow the query to see them.",
        ]
    );
}

#[tokio::test]
async fn activity_errors_and_bad_input() {
    assert_api_errors(
        "list_issue_activity",
        json!({"issue_id": "WEB-1"}),
        "GET",
        "/api/0/organizations/acme/issues/WEB-1/activities/",
        "event:read",
    )
    .await;
    assert_bad_input(
        "list_issue_activity",
        json!({"issue_id": "../../x"}),
        "is not an issue",
    )
    .await;
    assert_bad_input(
        "list_issue_activity",
        json!({"issue_id": "WEB-1", "limit": 0}),
        "out of range",
    )
    .await;
}

#[tokio::test]
async fn a_note_is_posted_as_given_and_reported_with_its_link() {
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("POST", "/api/0/organizations/acme/issues/WEB-1/notes/")
        .match_body(Matcher::Json(
            json!({"text": "Fixed in #42, @jane please verify"}),
        ))
        .with_status(201)
        .with_body(
            json!({"id": "77", "type": "note", "data": {"text": "Fixed"},
                   "user": {"name": "Bot"}, "dateCreated": "2025-04-15T08:00:00Z"})
            .to_string(),
        )
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(
        &ctx,
        "add_issue_note",
        json!({"issue_id": "WEB-1", "text": " Fixed in #42, @jane please verify "}),
    )
    .await;

    mock.assert_async().await;
    assert_eq!(
        out.text,
        format!(
            "Note 77 added to issue WEB-1 in acme by Bot.\n{}/organizations/acme/issues/WEB-1/activity/",
            server.url()
        )
    );
}

#[tokio::test]
async fn note_errors_bad_input_and_read_only() {
    assert_api_errors(
        "add_issue_note",
        json!({"issue_id": "WEB-1", "text": "x"}),
        "POST",
        "/api/0/organizations/acme/issues/WEB-1/notes/",
        "event:write",
    )
    .await;
    assert_bad_input(
        "add_issue_note",
        json!({"issue_id": "WEB-1", "text": " "}),
        "text must not be empty",
    )
    .await;
    assert_refused_when_read_only("add_issue_note", json!({"issue_id": "WEB-1", "text": "x"}))
        .await;
}

#[tokio::test]
async fn update_issue_ignores_for_a_time_or_until_a_count() {
    let cases = [
        (
            json!({"ignore_duration": 60}),
            json!({"status": "ignored", "substatus": "archived_until_condition_met", "statusDetails": {"ignoreDuration": 60}}),
            "ignored for 60 minutes",
        ),
        (
            json!({"status": "ignored", "ignore_count": 100}),
            json!({"status": "ignored", "substatus": "archived_until_condition_met", "statusDetails": {"ignoreCount": 100}}),
            "ignored until 100 more events",
        ),
        (
            json!({"ignore_user_count": 10, "assigned_to": "none"}),
            json!({"status": "ignored", "substatus": "archived_until_condition_met", "statusDetails": {"ignoreUserCount": 10}, "assignedTo": ""}),
            "ignored until 10 more users are affected, unassigned",
        ),
        (
            json!({"status": "ignored"}),
            json!({"status": "ignored", "substatus": "archived_until_escalating"}),
            "archived until it escalates",
        ),
    ];
    for (args, body, words) in cases {
        let mut server = mockito::Server::new_async().await;
        let mock = server
            .mock("PUT", "/api/0/organizations/acme/issues/WEB-1/")
            .match_body(Matcher::Json(body.clone()))
            .with_body(r#"{"status": "ignored", "substatus": "archived_until_condition_met"}"#)
            .create_async()
            .await;
        let ctx = context(&server, Some("acme"), &[]);
        let mut args = args;
        args["issue_id"] = json!("WEB-1");

        let out = ok(&ctx, "update_issue", args).await;

        mock.assert_async().await;
        assert!(
            out.text
                .starts_with(&format!("Issue WEB-1 in acme: {words}.")),
            "{body}: {}",
            out.text
        );
    }
}

#[tokio::test]
async fn update_issue_refuses_contradictory_ignore_modes() {
    for (args, needle) in [
        (json!({"ignore_count": 0}), "at least 1"),
        (
            json!({"ignore_count": 5, "ignore_duration": 60}),
            "only one of",
        ),
        (
            json!({"status": "resolved", "ignore_count": 5}),
            "go with status=ignored",
        ),
    ] {
        let mut args = args;
        args["issue_id"] = json!("WEB-1");
        assert_bad_input("update_issue", args, needle).await;
    }
}

#[tokio::test]
async fn list_events_passes_its_query_and_says_it() {
    let mut server = mockito::Server::new_async().await;
    let mock = get(
        &mut server,
        "/api/0/organizations/acme/issues/WEB-1/events/",
        Matcher::UrlEncoded("query".into(), "environment:production".into()),
        &json!([]),
    )
    .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(
        &ctx,
        "list_events",
        json!({"issue_id": "WEB-1", "query": "environment:production"}),
    )
    .await;

    mock.assert_async().await;
    assert_eq!(
        out.text,
        "Issue WEB-1 in acme has no events matching `environment:production`."
    );
}
