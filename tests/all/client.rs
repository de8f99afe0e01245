//! The Sentry client against a mock server: auth, pagination, retries and error messages.

use mockito::{Matcher, Server};
use sentry_companion::api_path;
use sentry_companion::sentry::{
    ApiError, AuthToken, ClientConfig, PageSize, RetryPolicy, SentryClient,
};
use serde_json::{Value, json};
use std::time::Duration;

fn client(server: &Server) -> SentryClient {
    let mut config = ClientConfig::new(
        server.url().parse().unwrap(),
        Some(AuthToken::new("secret-token")),
    );
    config.retry = RetryPolicy {
        base_delay: Duration::from_millis(10),
        ..RetryPolicy::default()
    };
    SentryClient::new(config).unwrap()
}

fn link(cursor: &str, more: bool) -> String {
    format!(
        r#"<http://x/?cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", <http://x/?cursor={cursor}>; rel="next"; results="{more}"; cursor="{cursor}""#
    )
}

#[tokio::test]
async fn sends_bearer_token_and_user_agent() {
    let mut server = Server::new_async().await;
    let mock = server
        .mock("GET", "/api/0/organizations/")
        .match_header("authorization", "Bearer secret-token")
        .match_header(
            "user-agent",
            Matcher::Regex(r"^sentry-companion/\d+\.\d+\.\d+".into()),
        )
        .with_body("[]")
        .create_async()
        .await;
    let body: Value = client(&server)
        .get(api_path!["organizations"].unwrap())
        .json()
        .await
        .unwrap();
    assert_eq!(body, json!([]));
    mock.assert_async().await;
}

#[tokio::test]
async fn encodes_path_segments() {
    let mut server = Server::new_async().await;
    let mock = server
        .mock(
            "GET",
            "/api/0/organizations/acme/releases/web%401.0%2Bbuild%207/",
        )
        .with_body("{}")
        .create_async()
        .await;
    let path = api_path!["organizations", "acme", "releases", "web@1.0+build 7"].unwrap();
    client(&server).get(path).send().await.unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn follows_cursors_until_the_limit_is_met() {
    let mut server = Server::new_async().await;
    let page = |from: usize, to: usize| {
        Value::Array((from..to).map(|i| json!({"id": i.to_string()})).collect()).to_string()
    };
    let first = server
        .mock("GET", "/api/0/organizations/acme/issues/")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("query".into(), "".into()),
            Matcher::UrlEncoded("limit".into(), "100".into()),
        ]))
        .with_header("link", &link("c1", true))
        .with_body(page(0, 100))
        .create_async()
        .await;
    let second = server
        .mock("GET", "/api/0/organizations/acme/issues/")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("query".into(), "".into()),
            Matcher::UrlEncoded("limit".into(), "50".into()),
            Matcher::UrlEncoded("cursor".into(), "c1".into()),
        ]))
        .with_header("link", &link("c2", true))
        .with_header("x-hits", "400")
        .with_body(page(100, 150))
        .create_async()
        .await;
    let listing = client(&server)
        .get(api_path!["organizations", "acme", "issues"].unwrap())
        .query("query", "")
        .list::<Value>(150, PageSize::Limit, None)
        .await
        .unwrap();
    assert_eq!(listing.items.len(), 150);
    assert_eq!(listing.items[149]["id"], "149");
    assert_eq!(listing.next_cursor.as_deref(), Some("c2"));
    first.assert_async().await;
    second.assert_async().await;
}

#[tokio::test]
async fn stops_when_the_next_page_has_no_results() {
    let mut server = Server::new_async().await;
    let only = server
        .mock("GET", "/api/0/organizations/acme/projects/")
        .match_query(Matcher::UrlEncoded("per_page".into(), "100".into()))
        .with_header("link", &link("c1", false))
        .with_body(r#"[{"id":"1"},{"id":"2"}]"#)
        .expect(1)
        .create_async()
        .await;
    let listing = client(&server)
        .get(api_path!["organizations", "acme", "projects"].unwrap())
        .list::<Value>(500, PageSize::PerPage, None)
        .await
        .unwrap();
    assert_eq!(listing.items.len(), 2);
    assert_eq!(listing.next_cursor, None);
    only.assert_async().await;
}

#[tokio::test]
async fn waits_for_the_rate_limit_reset_then_succeeds() {
    let mut server = Server::new_async().await;
    let reset = chrono::Utc::now().timestamp().to_string();
    let limited = server
        .mock("GET", "/api/0/organizations/")
        .with_status(429)
        .with_header("x-sentry-rate-limit-reset", &reset)
        .with_body(r#""You are attempting to use this endpoint too frequently. Limit is 40 requests in 1 seconds""#)
        .expect(1)
        .create_async()
        .await;
    let ok = server
        .mock("GET", "/api/0/organizations/")
        .with_body(r#"[{"slug":"acme"}]"#)
        .create_async()
        .await;
    let body: Value = client(&server)
        .get(api_path!["organizations"].unwrap())
        .json()
        .await
        .unwrap();
    assert_eq!(body[0]["slug"], "acme");
    limited.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn retries_a_proxy_error_page_then_succeeds() {
    let mut server = Server::new_async().await;
    let bad_gateway = server
        .mock("GET", "/api/0/organizations/acme/")
        .with_status(502)
        .with_header("content-type", "text/html")
        .with_body("<html><body><h1>502 Bad Gateway</h1></body></html>")
        .expect(1)
        .create_async()
        .await;
    let ok = server
        .mock("GET", "/api/0/organizations/acme/")
        .with_body(r#"{"slug":"acme"}"#)
        .create_async()
        .await;
    let body: Value = client(&server)
        .get(api_path!["organizations", "acme"].unwrap())
        .json()
        .await
        .unwrap();
    assert_eq!(body["slug"], "acme");
    bad_gateway.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn retries_the_search_backend_timeout() {
    let mut server = Server::new_async().await;
    let timeout = server
        .mock("GET", "/api/0/organizations/acme/issues/")
        .with_status(400)
        .with_body(r#"{"detail":"Query timeout. Please try again. If the problem persists try a smaller date range or fewer projects."}"#)
        .expect(1)
        .create_async()
        .await;
    let ok = server
        .mock("GET", "/api/0/organizations/acme/issues/")
        .with_body("[]")
        .create_async()
        .await;
    client(&server)
        .get(api_path!["organizations", "acme", "issues"].unwrap())
        .send()
        .await
        .unwrap();
    timeout.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn gives_up_after_the_bounded_attempts_with_the_cause() {
    let mut server = Server::new_async().await;
    let always = server
        .mock("GET", "/api/0/organizations/acme/")
        .with_status(503)
        .with_body("<!DOCTYPE html><html>down</html>")
        .expect(5)
        .create_async()
        .await;
    let err = client(&server)
        .get(api_path!["organizations", "acme"].unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(err.to_string().contains("HTML page"), "{err}");
    always.assert_async().await;
}

#[tokio::test]
async fn does_not_repeat_a_post_after_a_gateway_error() {
    let mut server = Server::new_async().await;
    let once = server
        .mock("POST", "/api/0/organizations/acme/releases/1.0/deploys/")
        .with_status(502)
        .expect(1)
        .create_async()
        .await;
    let path = api_path!["organizations", "acme", "releases", "1.0", "deploys"].unwrap();
    let err = client(&server)
        .post(path, json!({"environment": "prod"}))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(502));
    once.assert_async().await;
}

#[tokio::test]
async fn retries_conflicts_only_when_asked() {
    let mut server = Server::new_async().await;
    let busy = server
        .mock("PUT", "/api/0/organizations/acme/releases/1.0/")
        .with_status(409)
        .with_body(r#"{"detail":"Release commits are being processed"}"#)
        .expect(1)
        .create_async()
        .await;
    let ok = server
        .mock("PUT", "/api/0/organizations/acme/releases/1.0/")
        .with_body(r#"{"version":"1.0"}"#)
        .create_async()
        .await;
    let path = api_path!["organizations", "acme", "releases", "1.0"].unwrap();
    client(&server)
        .put(path, json!({}))
        .retry_on_conflict()
        .send()
        .await
        .unwrap();
    busy.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn maps_auth_permission_and_missing_resources_to_actionable_messages() {
    let mut server = Server::new_async().await;
    server
        .mock("GET", "/api/0/organizations/acme/issues/WEB-1/")
        .with_status(404)
        .with_body(r#"{"detail":"The requested resource does not exist"}"#)
        .create_async()
        .await;
    server
        .mock("GET", "/api/0/organizations/acme/issues/")
        .with_status(403)
        .with_body(r#"{"detail":"You do not have permission to perform this action."}"#)
        .create_async()
        .await;
    server
        .mock("GET", "/api/0/organizations/")
        .with_status(401)
        .with_body(r#"{"detail":"Invalid token"}"#)
        .create_async()
        .await;
    let client = client(&server);

    let not_found = client
        .get(api_path!["organizations", "acme", "issues", "WEB-1"].unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(not_found, ApiError::NotFound { .. }));
    assert!(
        not_found
            .to_string()
            .contains("issue 'WEB-1' in organization 'acme'"),
        "{not_found}"
    );

    let forbidden = client
        .get(api_path!["organizations", "acme", "issues"].unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(
        forbidden.to_string().contains("`event:read`"),
        "{forbidden}"
    );

    let unauthorized = client
        .get(api_path!["organizations"].unwrap())
        .send()
        .await
        .unwrap_err();
    let message = unauthorized.to_string();
    assert!(
        message.contains("401") && message.contains("expired"),
        "{message}"
    );
    assert!(!message.contains("secret-token"));
}

#[tokio::test]
async fn refuses_to_send_without_a_token() {
    let server = Server::new_async().await;
    let client = SentryClient::new(ClientConfig::new(server.url().parse().unwrap(), None)).unwrap();
    let err = client
        .get(api_path!["organizations"].unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::MissingToken));
    assert!(err.to_string().contains("SENTRY_AUTH_TOKEN"));
}

#[tokio::test]
async fn reports_an_unreachable_server_without_the_token() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let mut config = ClientConfig::new(url.parse().unwrap(), Some(AuthToken::new("secret-token")));
    config.retry = RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(1),
        ..RetryPolicy::default()
    };
    let err = SentryClient::new(config)
        .unwrap()
        .get(api_path!["organizations"].unwrap())
        .send()
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("could not reach Sentry"), "{message}");
    assert!(!message.contains("secret-token"));
}
