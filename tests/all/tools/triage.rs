//! Tests: triage: update, resolve, ignore.

use super::*;

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
