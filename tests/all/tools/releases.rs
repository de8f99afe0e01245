//! Tests: the release tools (list, get, create, finalize, deploys), in process.

use super::*;

/// The context of the release tools' tests: `acme` and `web` are the defaults.
fn release_context(server: &ServerGuard) -> Arc<ToolContext> {
    context(server, Some("acme"), &["web"])
}

/// Calls a release tool that must succeed.
async fn call_release_tool(server: &ServerGuard, name: &str, args: Value) -> ToolOutput {
    ok(&release_context(server), name, args).await
}

#[tokio::test]
async fn list_releases_reads_the_project_list_with_limit_and_cursor() {
    let mut server = mockito::Server::new_async().await;
    let list = server
        .mock("GET", "/api/0/projects/acme/web/releases/")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("per_page".into(), "2".into()),
            Matcher::UrlEncoded("cursor".into(), "0:2:0".into()),
        ]))
        .with_header("link", r#"<x>; rel="next"; results="true"; cursor="0:4:0""#)
        .with_body(json!([
            {"version": "2.0", "dateCreated": "2024-05-02T00:00:00Z", "commitCount": 3, "deployCount": 1, "newGroups": 2},
            {"version": "1.0", "dateCreated": "2024-05-01T00:00:00Z", "dateReleased": "2024-05-01T01:00:00Z"},
        ]).to_string())
        .create_async()
        .await;
    let out = call_release_tool(
        &server,
        "list_releases",
        json!({"limit": 2, "cursor": "0:2:0"}),
    )
    .await;
    list.assert_async().await;
    assert_eq!(out.structured["releases"][0]["version"], "2.0");
    assert_eq!(out.structured["releases"][0]["commit_count"], 3);
    assert_eq!(out.structured["next_cursor"], "0:4:0");
    assert!(
        out.text.contains(
            "2.0, created 2024-05-02T00:00:00Z, not finalized, 3 commits, 1 deploys, 2 new issues"
        ),
        "{}",
        out.text
    );
    assert!(out.text.contains("cursor=\"0:4:0\""), "{}", out.text);
}

#[tokio::test]
async fn get_release_reads_one_release_with_its_link() {
    let mut server = mockito::Server::new_async().await;
    let get = json_mock(
        &mut server,
        "GET",
        "/api/0/organizations/acme/releases/web%401.0%2Bb/",
        200,
        json!({
            "version": "web@1.0+b", "lastCommit": {"id": "abc"}, "projects": [{"slug": "web"}],
            "lastDeploy": {"id": "9", "environment": "prod"}
        }),
    )
    .await;
    let out = call_release_tool(&server, "get_release", json!({"version": "web@1.0+b"})).await;
    get.assert_async().await;
    assert_eq!(out.structured["last_commit"], "abc");
    assert_eq!(out.structured["last_deploy"]["environment"], "prod");
    assert_eq!(out.structured["projects"], json!(["web"]));
    assert_eq!(
        out.structured["url"],
        format!(
            "{}/organizations/acme/releases/web%401.0%2Bb/",
            server.url()
        )
    );
}

#[tokio::test]
async fn get_release_lists_its_deploys_and_newest_commits_with_the_count() {
    let mut server = mockito::Server::new_async().await;
    get(
        &mut server,
        "/api/0/organizations/acme/releases/1.2.3/",
        Matcher::Any,
        &json!({"version": "1.2.3", "dateCreated": "2025-04-01T00:00:00Z", "commitCount": 12,
                "deployCount": 1, "newGroups": 0}),
    )
    .await;
    let deploys = get(
        &mut server,
        "/api/0/organizations/acme/releases/1.2.3/deploys/",
        Matcher::Any,
        &json!([{"id": "9", "environment": "production", "dateFinished": "2025-04-01T01:00:00Z"}]),
    )
    .await;
    let commits = get(
        &mut server,
        "/api/0/organizations/acme/releases/1.2.3/commits/",
        Matcher::UrlEncoded("per_page".into(), "5".into()),
        &json!([
            {"id": "0123456789abcdef0123", "message": "Fix the cart total\n\nLong body", "dateCreated": "2025-03-31T10:00:00Z",
             "author": {"name": "Jane Doe", "email": "jane@example.com"}},
            {"id": "fedcba9876543210", "message": null}
        ]),
    )
    .await;

    let out = call_release_tool(&server, "get_release", json!({"version": "1.2.3"})).await;

    deploys.assert_async().await;
    commits.assert_async().await;
    let lines: Vec<&str> = out.text.lines().collect();
    assert_eq!(
        lines[2..],
        [
            "Deploys (1):",
            "- production, finished 2025-04-01T01:00:00Z",
            "Commits (12; the newest 2):",
            "- 0123456789ab Fix the cart total (Jane Doe, 2025-03-31T10:00:00Z)",
            "- fedcba987654",
        ]
    );
    assert_eq!(out.structured["commits"][0]["author"], json!("Jane Doe"));
    assert_eq!(out.structured["deploys"][0]["id"], json!("9"));
}

#[tokio::test]
async fn create_release_takes_sentry_shapes_and_enforces_limits() {
    let mut server = mockito::Server::new_async().await;
    let sha = "a".repeat(40);
    let create = server
        .mock("POST", "/api/0/organizations/acme/releases/")
        .match_body(Matcher::Json(json!({
            "version": "1.0",
            "projects": ["web", "api"],
            "dateReleased": "2024-05-01T10:00:00Z",
            "refs": [{"repository": "acme/web", "commit": sha, "previousCommit": "b"}],
            "commits": [{"id": sha, "repository": "acme/web", "author_name": "A",
                         "patch_set": [{"path": "a.rs", "type": "M"}]}],
        })))
        .with_status(208)
        .with_body(json!({"version": "1.0"}).to_string())
        .expect(1)
        .create_async()
        .await;
    let out = call_release_tool(&server, "create_release", json!({
        "version": "1.0",
        "projects": ["web", "api"],
        "date_released": "2024-05-01T12:00:00+02:00",
        "refs": [{"repository": "acme/web", "commit": sha, "previousCommit": "b"}],
        "commits": [{"id": sha, "repository": "acme/web", "author_name": "A",
                     "author_email": format!("{}@example.com", "x".repeat(80)),
                     "patch_set": [{"path": "a.rs", "type": "M"}, {"path": "b.rs", "type": "R"}]}],
    }))
    .await;
    create.assert_async().await;
    assert!(
        out.text.starts_with("Release already existed"),
        "{}",
        out.text
    );
    assert_eq!(out.structured["warnings"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn finalize_release_defaults_to_now() {
    let mut server = mockito::Server::new_async().await;
    let finalize = server
        .mock("PUT", "/api/0/organizations/acme/releases/1.0/")
        .match_body(Matcher::Regex(
            r#"^\{"dateReleased":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\}$"#.into(),
        ))
        .with_body(json!({"version": "1.0"}).to_string())
        .expect(1)
        .create_async()
        .await;
    call_release_tool(&server, "finalize_release", json!({"version": "1.0"})).await;
    finalize.assert_async().await;
}

#[tokio::test]
async fn create_deploy_posts_once_and_is_never_repeated_on_a_gateway_error() {
    let mut server = mockito::Server::new_async().await;
    let deploy = server
        .mock("POST", "/api/0/organizations/acme/releases/1.0/deploys/")
        .match_body(Matcher::Json(
            json!({"environment": "staging", "projects": ["web"]}),
        ))
        .with_status(502)
        .expect(1)
        .create_async()
        .await;
    let result = Registry::new()
        .call(
            release_context(&server),
            "create_deploy",
            json!({"version": "1.0", "environment": "staging", "projects": ["web"]}),
            false,
        )
        .await;
    assert!(result.is_err());
    deploy.assert_async().await;
}

#[tokio::test]
async fn list_deploys_reads_the_release_deploys() {
    let mut server = mockito::Server::new_async().await;
    let list = json_mock(&mut server, "GET", "/api/0/organizations/acme/releases/1.0/deploys/", 200, json!([
        {"id": "1", "environment": "production", "name": "first", "dateFinished": "2024-05-01T10:00:00Z"}
    ]))
    .await;
    let out = call_release_tool(&server, "list_deploys", json!({"version": "1.0"})).await;
    list.assert_async().await;
    assert_eq!(out.structured["deploys"][0]["id"], "1");
    assert!(
        out.text
            .contains("production (first), finished 2024-05-01T10:00:00Z"),
        "{}",
        out.text
    );
}
