//! Tests: issue lists and search.

use super::*;

#[tokio::test]
async fn list_issues_puts_status_in_the_query_and_resolves_the_project_slug() {
    let mut server = mockito::Server::new_async().await;
    let project = get(
        &mut server,
        "/api/0/projects/acme/web/",
        Matcher::Any,
        &json!({"id": "42", "slug": "web"}),
    )
    .await;
    let list = server
        .mock("GET", "/api/0/organizations/acme/issues/")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("query".into(), "is:unresolved level:error".into()),
            Matcher::UrlEncoded("project".into(), "42".into()),
            Matcher::UrlEncoded("limit".into(), "2".into()),
        ]))
        .match_request(|r| !query_of(r).contains_key("sort"))
        .with_header("x-hits", "312")
        .with_header("link", &link("1744480800000:2:0", true))
        .with_body(issues(1, 2).to_string())
        .create_async()
        .await;
    let ctx = context(&server, None, &[]);

    let out = ok(
        &ctx,
        "list_issues",
        json!({"organization_slug": "acme", "project_slug": "web", "status": "unresolved",
               "query": " level:error ", "limit": 2}),
    )
    .await;

    project.assert_async().await;
    list.assert_async().await;
    let first = &out.structured["issues"][0];
    assert_eq!(first["short_id"], json!("WEB-1"));
    assert_eq!(first["count"], json!(1234));
    assert_eq!(first["project"], json!("web"));
    assert_eq!(
        first["permalink"],
        json!("https://acme.sentry.io/issues/1/")
    );
    assert!(first.get("assigned_to").is_none(), "no null noise");
    assert!(first.get("stats").is_none(), "no raw API fields");
    assert_eq!(out.structured["total"], json!(312));
    assert_eq!(out.structured["next_cursor"], json!("1744480800000:2:0"));
    let lines: Vec<&str> = out.text.lines().collect();
    assert_eq!(
        lines,
        [
            "Issues in acme (web) matching `is:unresolved level:error` (2 of 312):",
            "WEB-1  [error] TypeError: x is undefined (WEB-1) — app/components/cart.js in render · 1.2k events, 34 users · first seen 2025-04-03T22:51:19Z, last seen 2025-04-12T11:34:11Z · unassigned · https://acme.sentry.io/issues/1/",
            "WEB-2  [error] TypeError: x is undefined (WEB-2) — app/components/cart.js in render · 1.2k events, 34 users · first seen 2025-04-03T22:51:19Z, last seen 2025-04-12T11:34:11Z · unassigned · https://acme.sentry.io/issues/2/",
            "310 more not shown; call again with cursor=\"1744480800000:2:0\" for the next page.",
        ]
    );
}

#[tokio::test]
async fn list_issues_always_sends_a_query_and_takes_numeric_projects_as_they_are() {
    let mut server = mockito::Server::new_async().await;
    let lookup = server
        .mock("GET", Matcher::Regex("^/api/0/projects/".into()))
        .expect(0)
        .create_async()
        .await;
    let list = get(
        &mut server,
        "/api/0/organizations/acme/issues/",
        Matcher::AllOf(vec![
            Matcher::UrlEncoded("query".into(), String::new()),
            Matcher::UrlEncoded("project".into(), "42".into()),
            Matcher::UrlEncoded("limit".into(), "25".into()),
        ]),
        &json!([]),
    )
    .await;
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(&ctx, "list_issues", json!({"project_slug": "42"})).await;

    lookup.assert_async().await;
    list.assert_async().await;
    assert_eq!(out.text, "No issues in acme (42).");
    assert_eq!(out.structured["issues"], json!([]));
}

#[tokio::test]
async fn list_issues_filters_by_every_configured_project() {
    let mut server = mockito::Server::new_async().await;
    let web = get(
        &mut server,
        "/api/0/projects/acme/web/",
        Matcher::Any,
        &json!({"id": "42", "slug": "web"}),
    )
    .await;
    let api = get(
        &mut server,
        "/api/0/projects/acme/api/",
        Matcher::Any,
        &json!({"id": 43, "slug": "api"}),
    )
    .await;
    // mockito's UrlEncoded matcher sees one value per key, so repeated keys are checked by hand.
    let list = server
        .mock("GET", "/api/0/organizations/acme/issues/")
        .match_query(Matcher::Any)
        .match_request(|r| values_of(r, "project") == ["42", "43"])
        .with_body(issues(1, 1).to_string())
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &["web", "api"]);

    let out = ok(&ctx, "list_issues", json!({})).await;

    web.assert_async().await;
    api.assert_async().await;
    list.assert_async().await;
    assert_eq!(out.structured["projects"], json!(["web", "api"]));
}

#[tokio::test]
async fn list_issues_gathers_a_limit_of_100_over_several_pages() {
    let mut server = mockito::Server::new_async().await;
    let mut pages = Vec::new();
    for (limit, cursor, first, count, next, more) in [
        ("100", None, 1, 40, "c:40:0", true),
        ("60", Some("c:40:0"), 41, 40, "c:80:0", true),
        ("20", Some("c:80:0"), 81, 20, "c:100:0", false),
    ] {
        let mut matchers = vec![
            Matcher::UrlEncoded("query".into(), String::new()),
            Matcher::UrlEncoded("limit".into(), limit.into()),
        ];
        matchers.extend(cursor.map(|c: &str| Matcher::UrlEncoded("cursor".into(), c.into())));
        pages.push(
            server
                .mock("GET", "/api/0/organizations/acme/issues/")
                .match_query(Matcher::AllOf(matchers))
                .with_header("x-hits", "100")
                .with_header("link", &link(next, more))
                .with_body(issues(first, count).to_string())
                .expect(1)
                .create_async()
                .await,
        );
    }
    let ctx = context(&server, Some("acme"), &[]);

    let out = ok(&ctx, "list_issues", json!({"limit": 100})).await;

    for page in &pages {
        page.assert_async().await;
    }
    let shown = out.structured["issues"].as_array().unwrap();
    assert_eq!(shown.len(), 100);
    assert_eq!(shown[99]["short_id"], json!("WEB-100"));
    assert!(out.structured.get("next_cursor").is_none());
    assert!(out.text.starts_with("Issues in acme (100):\nWEB-1  "));
    assert!(!out.text.contains("more not shown"), "{}", out.text);
}

#[tokio::test]
async fn a_limit_above_100_is_refused_before_any_request() {
    let mut server = mockito::Server::new_async().await;
    let any = server
        .mock("GET", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &[]);

    for tool in ["list_issues", "list_events"] {
        let args = json!({"limit": 101, "query": "", "issue_id": "1"});
        let message = invalid_input(call(&ctx, tool, args).await);
        assert!(message.contains("1 to 100"), "{tool}: {message}");
    }
    let args = json!({"limit": 101, "query": "is:unresolved"});
    invalid_input(call(&ctx, "search_issues", args).await);
    any.assert_async().await;
}

#[tokio::test]
async fn search_issues_sends_the_query_verbatim_and_maps_priority_to_trends() {
    let mut server = mockito::Server::new_async().await;
    let query = r#"is:unresolved level:error firstSeen:-24h !message:"*Timeout""#;
    let list = get(
        &mut server,
        "/api/0/organizations/acme/issues/",
        Matcher::AllOf(vec![
            Matcher::UrlEncoded("query".into(), query.into()),
            Matcher::UrlEncoded("sort".into(), "trends".into()),
            Matcher::UrlEncoded("limit".into(), "25".into()),
            Matcher::UrlEncoded("cursor".into(), "c:25:0".into()),
        ]),
        &issues(7, 1),
    )
    .await;
    let ctx = context(&server, None, &[]);

    let out = ok(
        &ctx,
        "search_issues",
        json!({"organization_slug": "acme", "query": query, "sort": "priority", "cursor": "c:25:0"}),
    )
    .await;

    list.assert_async().await;
    assert_eq!(out.structured["sort"], json!("trends"));
    assert_eq!(out.structured["query"], json!(query));
    assert!(
        out.text.starts_with(&format!(
            "Issues in acme matching `{query}` (1):\nWEB-7  [error]"
        )),
        "{}",
        out.text
    );
}

#[tokio::test]
async fn search_issues_requires_a_query_and_a_known_sort() {
    let server = mockito::Server::new_async().await;
    let ctx = context(&server, Some("acme"), &[]);
    let missing = invalid_input(call(&ctx, "search_issues", json!({})).await);
    assert!(missing.contains("query"), "{missing}");
    let bad_sort = invalid_input(
        call(
            &ctx,
            "search_issues",
            json!({"query": "", "sort": "relevance"}),
        )
        .await,
    );
    assert!(bad_sort.contains("relevance"), "{bad_sort}");
}

#[tokio::test]
async fn a_project_slug_is_looked_up_once_per_session() {
    let mut server = mockito::Server::new_async().await;
    let lookup = server
        .mock("GET", "/api/0/projects/acme/web/")
        .with_body(json!({"id": "42", "slug": "web"}).to_string())
        .expect(1)
        .create_async()
        .await;
    let issues = server
        .mock("GET", "/api/0/organizations/acme/issues/")
        .match_query(Matcher::UrlEncoded("project".into(), "42".into()))
        .with_body("[]")
        .expect(2)
        .create_async()
        .await;
    let events = server
        .mock("GET", "/api/0/organizations/acme/events/")
        .match_query(Matcher::UrlEncoded("project".into(), "42".into()))
        .with_body(json!({"data": []}).to_string())
        .expect(2)
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &[]);

    for _ in 0..2 {
        ok(&ctx, "list_issues", json!({"project_slug": "web"})).await;
        ok(&ctx, "search_events", json!({"project_slug": "web"})).await;
    }

    lookup.assert_async().await;
    issues.assert_async().await;
    events.assert_async().await;
}
