//! Tests: analyze_issue_with_seer starts a run only when none exists, waits a bounded time, and
//! says how to check back.

use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};

const STATE: &str = "/api/0/organizations/acme/issues/WEB-1/autofix/";

fn run(status: &str) -> Value {
    json!({"autofix": {"run_id": 21831, "status": status, "updated_at": "2025-04-09T22:39:50.778146",
    "blocks": [{"artifacts": [
        {"key": "root_cause", "data": {"one_line_description": "The lookup uses the wrong id."}},
        {"key": "solution", "data": {"one_line_summary": "Pass the canonical id.",
                                     "steps": [{"title": "Share the id", "description": "Use one id for both calls."}]}}
    ]}]}})
}

#[tokio::test]
async fn a_new_run_is_started_and_polled_until_it_completes() {
    let mut server = mockito::Server::new_async().await;
    let looks = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&looks);
    let state = server
        .mock("GET", STATE)
        .match_query(Matcher::UrlEncoded("llmFormat".into(), "markdown".into()))
        .with_body_from_request(move |_| {
            let body = match seen.fetch_add(1, Ordering::SeqCst) {
                0 => json!({"autofix": null}),
                1 => run("PROCESSING"),
                _ => run("COMPLETED"),
            };
            body.to_string().into_bytes()
        })
        .expect(3)
        .create_async()
        .await;
    let start = server
        .mock("POST", STATE)
        .match_body(Matcher::Json(
            json!({"stopping_point": "solution", "user_context": "it started after the 1.2 deploy"}),
        ))
        .with_status(202)
        .with_body(r#"{"run_id": 21831}"#)
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(
        &ctx,
        "analyze_issue_with_seer",
        json!({"issue_id": "WEB-1", "instruction": "it started after the 1.2 deploy", "wait_seconds": 10}),
    )
    .await;

    state.assert_async().await;
    start.assert_async().await;
    assert_eq!(
        out.text.lines().collect::<Vec<_>>(),
        [
            "Seer analysis of issue WEB-1 in acme, started now: completed (run 21831, updated 2025-04-09T22:39:50.778146).",
            "Root cause: The lookup uses the wrong id.",
            "Solution: Pass the canonical id.",
            "- Share the id: Use one id for both calls.",
        ]
    );
    assert_eq!(
        out.structured,
        json!({"organization": "acme", "issue_id": "WEB-1", "status": "completed",
               "run_id": "21831", "finished": true, "started": true})
    );
}

#[tokio::test]
async fn an_existing_run_is_read_not_restarted_and_the_answer_says_how_to_check_back() {
    let mut server = mockito::Server::new_async().await;
    let mut processing = run("processing");
    processing["formatted"] =
        json!({"format": "markdown", "content": "# Investigating\nLooking at the cart."});
    let state = get(&mut server, STATE, Matcher::Any, &processing).await;
    let start = server.mock("POST", STATE).expect(0).create_async().await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(
        &ctx,
        "analyze_issue_with_seer",
        json!({"issue_id": "WEB-1", "wait_seconds": 0}),
    )
    .await;

    state.assert_async().await;
    start.assert_async().await;
    assert_eq!(
        out.text.lines().collect::<Vec<_>>(),
        [
            "Seer analysis of issue WEB-1 in acme, the run already there: processing (run 21831, updated 2025-04-09T22:39:50.778146).",
            "# Investigating",
            "Looking at the cart.",
            "Still running after 0s. Call analyze_issue_with_seer again with issue_id WEB-1 to check back; it will not start a second run.",
        ]
    );
    assert_eq!(out.structured["finished"], json!(false));
}

#[tokio::test]
async fn seer_errors_bad_input_and_read_only() {
    assert_api_errors(
        "analyze_issue_with_seer",
        json!({"issue_id": "WEB-1", "wait_seconds": 0}),
        "GET",
        STATE,
        "event:read",
    )
    .await;
    // Reading works but starting is refused: the scope named is the write one.
    let mut server = mockito::Server::new_async().await;
    get(&mut server, STATE, Matcher::Any, &json!({"autofix": null})).await;
    json_mock(&mut server, "POST", STATE, 403, json!({"detail": "no"})).await;
    let ctx = context(&server, Some("acme"), &[]);
    let err = call(
        &ctx,
        "analyze_issue_with_seer",
        json!({"issue_id": "WEB-1", "wait_seconds": 0}),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("`event:write`"), "{err}");

    assert_bad_input(
        "analyze_issue_with_seer",
        json!({"issue_id": "WEB-1", "wait_seconds": 600}),
        "use 0 to 50",
    )
    .await;
    assert_refused_when_read_only("analyze_issue_with_seer", json!({"issue_id": "WEB-1"})).await;
}
