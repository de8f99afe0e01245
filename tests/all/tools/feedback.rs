//! Tests: list_user_feedback.

use super::*;

#[tokio::test]
async fn feedback_lines_name_the_reporter_the_words_and_the_issue() {
    let mut server = mockito::Server::new_async().await;
    let mock = get(
        &mut server,
        "/api/0/projects/acme/web/user-feedback/",
        Matcher::UrlEncoded("per_page".into(), "25".into()),
        &json!([
            {"id": "1", "eventID": "957c1ee8f31e4e68a57b637dad557b32", "name": "Ann", "email": "ann@example.com",
             "comments": "The cart\nis empty", "dateCreated": "2026-06-22T02:37:27.878947Z",
             "issue": {"id": "123", "shortId": "WEB-1A3", "title": "TypeError"}},
            {"id": "2", "eventID": null, "name": "", "email": "", "comments": "slow", "dateCreated": null}
        ]),
    )
    .await;
    let ctx = context(&server, Some("acme"), &["web"]);

    let out = ok(&ctx, "list_user_feedback", json!({})).await;

    mock.assert_async().await;
    assert_eq!(
        out.text.lines().collect::<Vec<_>>(),
        [
            "User feedback in acme/web, newest first:",
            "- 2026-06-22T02:37:27Z Ann <ann@example.com>: \"The cart is empty\" (event 957c1ee8f31e4e68a57b637dad557b32, issue WEB-1A3 \"TypeError\")",
            "- anonymous: \"slow\"",
        ]
    );
    assert_eq!(out.structured["feedback"][0]["issue"], json!("WEB-1A3"));
}

#[tokio::test]
async fn feedback_errors_and_bad_input() {
    assert_api_errors(
        "list_user_feedback",
        json!({"project_slug": "web"}),
        "GET",
        "/api/0/projects/acme/web/user-feedback/",
        "project:read",
    )
    .await;
    assert_bad_input("list_user_feedback", json!({}), "project_slug is required").await;
}
