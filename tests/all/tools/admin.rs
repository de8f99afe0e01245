//! Tests: DSNs, projects and teams (the admin toolset).

use super::*;

fn key(id: &str, name: &str) -> Value {
    json!({"id": id, "name": name, "isActive": true, "dateCreated": "2025-04-01T00:00:00Z",
           "dsn": {"public": format!("https://{id}abc@o1.ingest.sentry.io/42"),
                   "secret": "https://not-shown", "csp": "https://o1.ingest.sentry.io/api/42/security/"}})
}

#[tokio::test]
async fn dsns_are_listed_with_the_dsn_an_sdk_takes() {
    let mut server = mockito::Server::new_async().await;
    let mock = get(
        &mut server,
        "/api/0/projects/acme/web/keys/",
        Matcher::Any,
        &json!([key("k1", "Default"), {"id": "k2", "name": "Old", "isActive": false}]),
    )
    .await;
    let ctx = context(&server, Some("acme"), &["web"]);

    let out = ok(&ctx, "list_dsns", json!({})).await;

    mock.assert_async().await;
    assert_eq!(
        out.text.lines().collect::<Vec<_>>(),
        [
            "Client keys (DSNs) of acme/web:",
            "- k1 \"Default\" active: https://k1abc@o1.ingest.sentry.io/42 (created 2025-04-01T00:00:00Z)",
            "- k2 \"Old\" inactive: (no DSN given)",
        ]
    );
    assert!(
        !out.structured.to_string().contains("not-shown"),
        "no secret DSN"
    );
}

#[tokio::test]
async fn a_dsn_is_created_with_its_name() {
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("POST", "/api/0/projects/acme/web/keys/")
        .match_body(Matcher::Json(json!({"name": "ios"})))
        .with_status(201)
        .with_body(key("k3", "ios").to_string())
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(
        &ctx,
        "create_dsn",
        json!({"project_slug": "web", "name": " ios "}),
    )
    .await;

    mock.assert_async().await;
    assert_eq!(
        out.text,
        "Client key created for acme/web: k3 \"ios\" active: https://k3abc@o1.ingest.sentry.io/42 (created 2025-04-01T00:00:00Z)"
    );
}

#[tokio::test]
async fn a_project_is_created_for_a_team_and_answers_its_dsn() {
    let mut server = mockito::Server::new_async().await;
    let create = server
        .mock("POST", "/api/0/teams/acme/backend/projects/")
        .match_body(Matcher::Json(
            json!({"name": "Billing API", "platform": "python"}),
        ))
        .with_status(201)
        .with_body(
            json!({"id": "55", "slug": "billing-api", "name": "Billing API", "platform": "python",
                   "teams": [{"slug": "backend"}]})
            .to_string(),
        )
        .create_async()
        .await;
    let keys = get(
        &mut server,
        "/api/0/projects/acme/billing-api/keys/",
        Matcher::Any,
        &json!([key("k9", "Default")]),
    )
    .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(
        &ctx,
        "create_project",
        json!({"team_slug": "backend", "name": "Billing API", "platform": "python", "slug": " "}),
    )
    .await;

    create.assert_async().await;
    keys.assert_async().await;
    assert_eq!(
        out.text.lines().collect::<Vec<_>>(),
        [
            "Project billing-api (id 55) created in acme for team backend (platform python)."
                .to_owned(),
            format!(
                "Link: {}/organizations/acme/projects/billing-api/",
                server.url()
            ),
            "DSN: https://k9abc@o1.ingest.sentry.io/42".to_owned(),
        ]
    );
}

#[tokio::test]
async fn a_project_update_sends_only_the_changes() {
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("PUT", "/api/0/projects/acme/web/")
        .match_body(Matcher::Json(json!({"name": "Storefront", "slug": "storefront"})))
        .with_body(
            json!({"id": "42", "slug": "storefront", "name": "Storefront", "platform": "javascript"})
                .to_string(),
        )
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &["web"]);

    let out = ok(
        &ctx,
        "update_project",
        json!({"name": "Storefront", "slug": "storefront"}),
    )
    .await;

    mock.assert_async().await;
    assert!(
        out.text.starts_with(
            "Project web in acme updated: name \"Storefront\", slug storefront. Now: storefront \"Storefront\" (id 42) (platform javascript)."
        ),
        "{}",
        out.text
    );
}

#[tokio::test]
async fn a_team_is_created_with_a_slug_from_its_name() {
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("POST", "/api/0/organizations/acme/teams/")
        .match_body(Matcher::Json(
            json!({"name": "Mobile Team", "slug": "mobile-team"}),
        ))
        .with_status(201)
        .with_body(json!({"id": "7", "slug": "mobile-team", "name": "Mobile Team"}).to_string())
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(&ctx, "create_team", json!({"name": "Mobile Team"})).await;

    mock.assert_async().await;
    assert!(
        out.text
            .starts_with("Team mobile-team (id 7) created in acme."),
        "{}",
        out.text
    );
}

#[tokio::test]
async fn a_team_gets_a_project() {
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("POST", "/api/0/projects/acme/web/teams/mobile-team/")
        .with_status(201)
        .with_body(
            json!({"id": "42", "slug": "web", "name": "web", "teams": [{"slug": "backend"}, {"slug": "mobile-team"}]})
                .to_string(),
        )
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(
        &ctx,
        "add_team_to_project",
        json!({"project_slug": "web", "team_slug": "mobile-team"}),
    )
    .await;

    mock.assert_async().await;
    assert_eq!(
        out.text,
        "Team mobile-team has access to acme/web. Its teams now: backend, mobile-team."
    );
}

#[tokio::test]
async fn admin_errors_name_the_write_scopes() {
    let cases = [
        (
            "list_dsns",
            json!({"project_slug": "web"}),
            "GET",
            "/api/0/projects/acme/web/keys/",
            "project:read",
        ),
        (
            "create_dsn",
            json!({"project_slug": "web", "name": "x"}),
            "POST",
            "/api/0/projects/acme/web/keys/",
            "project:write",
        ),
        (
            "create_project",
            json!({"team_slug": "backend", "name": "x"}),
            "POST",
            "/api/0/teams/acme/backend/projects/",
            "project:write",
        ),
        (
            "update_project",
            json!({"project_slug": "web", "name": "x"}),
            "PUT",
            "/api/0/projects/acme/web/",
            "project:write",
        ),
        (
            "create_team",
            json!({"name": "x"}),
            "POST",
            "/api/0/organizations/acme/teams/",
            "team:write",
        ),
        (
            "add_team_to_project",
            json!({"project_slug": "web", "team_slug": "t"}),
            "POST",
            "/api/0/projects/acme/web/teams/t/",
            "project:write",
        ),
    ];
    for (name, args, method, path, scope) in cases {
        assert_api_errors(name, args, method, path, scope).await;
    }
}

#[tokio::test]
async fn admin_bad_input_is_refused_before_any_request() {
    let cases = [
        ("list_dsns", json!({}), "project_slug is required"),
        (
            "create_dsn",
            json!({"project_slug": "web", "name": " "}),
            "name must not be empty",
        ),
        (
            "create_project",
            json!({"team_slug": "", "name": "x"}),
            "team_slug must not be empty",
        ),
        (
            "create_project",
            json!({"team_slug": "..", "name": "x"}),
            "path segment",
        ),
        (
            "update_project",
            json!({"project_slug": "web"}),
            "nothing to change",
        ),
        ("create_team", json!({"name": ""}), "name must not be empty"),
        (
            "add_team_to_project",
            json!({"project_slug": "web", "team_slug": " "}),
            "team_slug must not be empty",
        ),
    ];
    for (name, args, needle) in cases {
        assert_bad_input(name, args, needle).await;
    }
}

#[tokio::test]
async fn admin_writes_are_refused_when_read_only() {
    for (name, args) in [
        ("create_dsn", json!({"project_slug": "web", "name": "x"})),
        (
            "create_project",
            json!({"team_slug": "backend", "name": "x"}),
        ),
        (
            "update_project",
            json!({"project_slug": "web", "name": "x"}),
        ),
        ("create_team", json!({"name": "x"})),
        (
            "add_team_to_project",
            json!({"project_slug": "web", "team_slug": "t"}),
        ),
    ] {
        assert_refused_when_read_only(name, args).await;
    }
}
