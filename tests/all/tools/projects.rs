//! Tests: organizations, projects and teams.

use super::*;

#[tokio::test]
async fn list_organizations_follows_pages_and_shows_slugs_and_urls() {
    let mut server = mockito::Server::new_async().await;
    let page_one = server
        .mock("GET", "/api/0/organizations/")
        .match_query(Matcher::UrlEncoded("per_page".into(), "100".into()))
        .match_request(|r| !query_of(r).contains_key("cursor"))
        .with_header("link", &link("0:1:0", true))
        .with_body(
            json!([{"id": "1", "slug": "acme", "name": "Acme Corp", "status": {"id": "active"},
                "links": {"organizationUrl": "https://acme.sentry.io", "regionUrl": "https://us.sentry.io"}}])
            .to_string(),
        )
        .create_async()
        .await;
    let page_two = get(
        &mut server,
        "/api/0/organizations/",
        Matcher::AllOf(vec![
            Matcher::UrlEncoded("per_page".into(), "99".into()),
            Matcher::UrlEncoded("cursor".into(), "0:1:0".into()),
        ]),
        &json!([{"id": "2", "slug": "beta", "name": "Beta", "links": null}]),
    )
    .await;
    let ctx = context(&server, None, &[]);

    let out = ok(&ctx, "list_organizations", json!({})).await;

    page_one.assert_async().await;
    page_two.assert_async().await;
    assert_eq!(
        out.structured["organizations"],
        json!([
            {"slug": "acme", "name": "Acme Corp", "id": "1",
             "web_url": "https://acme.sentry.io", "region_url": "https://us.sentry.io"},
            {"slug": "beta", "name": "Beta", "id": "2"}
        ])
    );
    assert!(out.structured.get("next_cursor").is_none());
    assert_eq!(
        out.text,
        "Organizations (2):\nacme  Acme Corp  https://acme.sentry.io\nbeta  Beta"
    );
}

#[tokio::test]
async fn list_projects_lists_slug_id_and_platform_with_a_cursor_for_more() {
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("GET", "/api/0/organizations/acme/projects/")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("per_page".into(), "100".into()),
            Matcher::UrlEncoded("cursor".into(), "0:100:0".into()),
        ]))
        .with_header("link", &link("0:200:0", false))
        .with_body(
            json!([
                {"id": "42", "slug": "web", "name": "Web Shop", "platform": "javascript", "teams": []},
                {"id": 43, "slug": "api", "name": "api", "platform": null}
            ])
            .to_string(),
        )
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(&ctx, "list_projects", json!({"cursor": "0:100:0"})).await;

    mock.assert_async().await;
    assert_eq!(out.structured["projects"][1]["id"], json!("43"));
    assert_eq!(
        out.structured["projects"][0]["platform"],
        json!("javascript")
    );
    assert_eq!(
        out.text,
        "Projects in acme (2):\nweb  (id 42)  javascript  \"Web Shop\"\napi  (id 43)"
    );
}

#[tokio::test]
async fn get_project_uses_the_configured_project_and_summarises_it() {
    let mut server = mockito::Server::new_async().await;
    let mock = get(
        &mut server,
        "/api/0/projects/acme/web/",
        Matcher::Any,
        &json!({
            "id": "42", "slug": "web", "name": "Web Shop", "platform": "javascript",
            "status": "active", "dateCreated": "2024-01-02T03:04:05.678Z",
            "firstEvent": "2024-01-03T00:00:00Z", "hasSessions": true,
            "team": {"id": "7", "slug": "frontend"},
            "teams": [{"id": "7", "slug": "frontend", "name": "Frontend"}],
            "environments": ["production", "staging"],
            "latestRelease": {"version": "web@1.2.3"},
            "options": {"sentry:resolve_age": 0}, "features": ["a", "b"]
        }),
    )
    .await;
    let ctx = context(&server, Some("acme"), &["web"]);

    let out = ok(&ctx, "get_project", json!({})).await;

    mock.assert_async().await;
    assert_eq!(out.structured["teams"], json!(["frontend"]));
    assert_eq!(out.structured["latest_release"], json!("web@1.2.3"));
    assert!(out.structured.get("options").is_none(), "no raw API fields");
    for line in [
        "Project web (\"Web Shop\") in acme",
        "id 42 · platform javascript · status active",
        "Teams: frontend",
        "Environments: production, staging",
        "Latest release: web@1.2.3",
        "First event: 2024-01-03T00:00:00Z",
        "Sends sessions (release health): yes",
    ] {
        assert!(
            out.text.lines().any(|l| l == line),
            "{line:?} in\n{}",
            out.text
        );
    }
}

#[tokio::test]
async fn list_teams_shows_members_and_projects() {
    let mut server = mockito::Server::new_async().await;
    let mock = get(
        &mut server,
        "/api/0/organizations/acme/teams/",
        Matcher::UrlEncoded("per_page".into(), "100".into()),
        &json!([{
            "id": "7", "slug": "frontend", "name": "Frontend", "dateCreated": "2024-01-01T00:00:00Z",
            "isMember": false, "memberCount": 4, "access": ["team:read"],
            "projects": [{"id": "42", "slug": "web", "name": "Web"}]
        }]),
    )
    .await;
    let ctx = context(&server, None, &[]);

    let out = ok(&ctx, "list_teams", json!({"organization_slug": "acme"})).await;

    mock.assert_async().await;
    assert_eq!(
        out.structured["teams"],
        json!([{"slug": "frontend", "id": "7", "name": "Frontend", "member_count": 4,
                "is_member": false, "projects": ["web"]}])
    );
    assert_eq!(
        out.text,
        "Teams in acme (1):\nfrontend  (id 7)  \"Frontend\"  (4 members; projects: web)"
    );
}

#[tokio::test]
async fn a_missing_organization_is_an_input_error_that_says_how_to_give_one() {
    let server = mockito::Server::new_async().await;
    let ctx = context(&server, None, &[]);
    let message = invalid_input(call(&ctx, "list_teams", json!({})).await);
    assert!(
        message.contains("organization_slug is required"),
        "{message}"
    );
}

#[tokio::test]
async fn whoami_names_the_user_the_server_and_the_defaults() {
    let mut server = mockito::Server::new_async().await;
    let mock = get(
        &mut server,
        "/api/0/auth/",
        Matcher::Any,
        &json!({"id": "123456", "name": "Test User", "email": "test@example.com", "username": "testuser",
                "isSuperuser": false}),
    )
    .await;
    let ctx = context(&server, Some("acme"), &["web", "api"]);

    let out = ok(&ctx, "whoami", json!({})).await;

    mock.assert_async().await;
    assert_eq!(
        out.text.lines().collect::<Vec<_>>(),
        [
            format!(
                "Signed in as Test User <test@example.com> (user id 123456, username testuser) on {}.",
                server.url()
            ),
            "Default organization: acme.".to_owned(),
            "Default projects: web, api.".to_owned(),
        ]
    );
}

#[tokio::test]
async fn whoami_explains_that_an_org_token_has_no_user() {
    let mut server = mockito::Server::new_async().await;
    let mock = json_mock(
        &mut server,
        "GET",
        "/api/0/auth/",
        403,
        json!({"detail": "no user"}),
    )
    .await;
    let ctx = context(&server, None, &[]);
    let err = call(&ctx, "whoami", json!({}))
        .await
        .unwrap_err()
        .to_string();
    mock.assert_async().await;
    assert!(
        err.contains("`org:read`") && err.contains("personal token"),
        "{err}"
    );
    let out_without_default = {
        let mut server = mockito::Server::new_async().await;
        get(
            &mut server,
            "/api/0/auth/",
            Matcher::Any,
            &json!({"id": "1"}),
        )
        .await;
        ok(&context(&server, None, &[]), "whoami", json!({})).await
    };
    assert!(
        out_without_default.text.contains("No default organization"),
        "{}",
        out_without_default.text
    );
}
