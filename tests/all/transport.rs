//! The client's transport against local servers: where the token goes, redirects, deadlines, writes whose
//! outcome is unknown, answer caps, proxies, TLS, and the sentry-cli settings seen from the binary.

use crate::support::http::{Behaviour, ForwardProxy, RawServer, TlsServer, answer};
use crate::support::sentry::{TOKEN, assert_no_token, binary};
use mockito::{Matcher, Server};
use sentry_companion::api_path;
use sentry_companion::sentry::{
    ApiError, AuthToken, ClientConfig, PageSize, RetryPolicy, SentryClient,
};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn config(url: &str) -> ClientConfig {
    let mut config = ClientConfig::new(url.parse().unwrap(), Some(AuthToken::new(TOKEN)));
    config.retry = RetryPolicy {
        base_delay: Duration::from_millis(10),
        ..RetryPolicy::default()
    };
    config
}

fn client(url: &str) -> SentryClient {
    SentryClient::new(config(url)).unwrap()
}

fn deploys() -> sentry_companion::sentry::ApiPath {
    api_path!["organizations", "acme", "releases", "1.0", "deploys"].unwrap()
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_refused_and_the_other_host_gets_nothing() {
    let elsewhere = RawServer::start(answer("200 OK", &[], "[]"));
    let location = format!("Location: {}/api/0/organizations/?steal=1", elsewhere.url);
    let sentry = RawServer::start(answer("302 Found", &[&location], ""));
    let err = client(&sentry.url)
        .get(api_path!["organizations"].unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Redirected { status: 302, .. }),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message.contains(&elsewhere.url),
        "the target is named: {message}"
    );
    assert!(
        !message.contains("steal"),
        "the target's query is not: {message}"
    );
    assert!(
        elsewhere.requests().is_empty(),
        "{:?}",
        elsewhere.requests()
    );
    assert_eq!(
        sentry.requests().len(),
        1,
        "a refused redirect is not retried"
    );
}

#[tokio::test]
async fn a_read_follows_a_redirect_within_the_same_origin() {
    let mut server = Server::new_async().await;
    let moved = server
        .mock("GET", "/api/0/organizations/old/")
        .with_status(301)
        .with_header("location", "/api/0/organizations/new/")
        .create_async()
        .await;
    let target = server
        .mock("GET", "/api/0/organizations/new/")
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .with_body(r#"{"slug":"new"}"#)
        .create_async()
        .await;
    let body: Value = client(&server.url())
        .get(api_path!["organizations", "old"].unwrap())
        .json()
        .await
        .unwrap();
    assert_eq!(body["slug"], "new");
    moved.assert_async().await;
    target.assert_async().await;
}

#[tokio::test]
async fn a_write_is_never_redirected() {
    let mut server = Server::new_async().await;
    let post = server
        .mock("POST", "/api/0/organizations/acme/releases/1.0/deploys/")
        .with_status(302)
        .with_header("location", "/elsewhere/")
        .expect(1)
        .create_async()
        .await;
    let replayed = server
        .mock("GET", "/elsewhere/")
        .with_body("{}")
        .expect(0)
        .create_async()
        .await;
    let err = client(&server.url())
        .post(deploys(), json!({"environment": "prod"}))
        .send()
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("a write is never redirected"), "{message}");
    assert!(message.contains("/elsewhere/"), "{message}");
    post.assert_async().await;
    replayed.assert_async().await;
}

#[test]
fn release_deploy_does_not_report_a_redirected_deploy_as_recorded() {
    let sentry = RawServer::start(answer("302 Found", &["Location: /somewhere/"], ""));
    let output = binary(&sentry.url)
        .args(["--org", "acme", "release", "deploy", "1.0", "--env", "prod"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("never redirected"), "{stderr}");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("recorded"));
    assert_eq!(sentry.requests().len(), 1);
    assert!(sentry.requests()[0].starts_with("POST "));
    assert_no_token(&output);
}

#[tokio::test]
async fn a_deadline_bounds_a_request_to_a_hung_server() {
    let hung = RawServer::start(Behaviour::Hang);
    let started = Instant::now();
    let err = client(&hung.url)
        .with_time_limit(Duration::from_millis(800))
        .get(api_path!["organizations"].unwrap())
        .send()
        .await
        .unwrap_err();
    // The configured per-request timeout is 30 s; the deadline ends it long before.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, ApiError::TimeBudget { .. }), "{err}");
    assert!(err.to_string().contains("time limit"), "{err}");
}

#[tokio::test]
async fn no_retry_starts_once_the_deadline_would_pass() {
    let busy = RawServer::start(answer("503 Service Unavailable", &["Retry-After: 20"], ""));
    let started = Instant::now();
    let err = client(&busy.url)
        .with_time_limit(Duration::from_secs(2))
        .get(api_path!["organizations"].unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        busy.requests().len(),
        1,
        "the 20 s wait would pass the deadline"
    );
    let message = err.to_string();
    assert!(
        message.contains("time limit") && message.contains("503"),
        "{message}"
    );
}

#[tokio::test]
async fn the_earlier_deadline_wins() {
    let client = client("http://127.0.0.1:9");
    let soon = Instant::now() + Duration::from_secs(1);
    let later = soon + Duration::from_secs(60);
    assert_eq!(
        client.with_deadline(soon).with_deadline(later).deadline(),
        Some(soon)
    );
    assert_eq!(
        client.with_deadline(later).with_deadline(soon).deadline(),
        Some(soon)
    );
    assert_eq!(client.deadline(), None);
}

#[tokio::test]
async fn a_write_that_timed_out_may_have_been_applied_and_is_not_repeated() {
    let hung = RawServer::start(Behaviour::Hang);
    let mut config = config(&hung.url);
    config.timeout = Duration::from_millis(500);
    let err = SentryClient::new(config)
        .unwrap()
        .post(deploys(), json!({"environment": "prod"}))
        .send()
        .await
        .unwrap_err();
    assert!(err.may_have_been_applied(), "{err}");
    assert!(
        err.to_string()
            .contains("may have applied it; check before retrying"),
        "{err}"
    );
    assert_eq!(hung.requests().len(), 1);
}

#[tokio::test]
async fn a_write_cut_off_after_sending_is_not_repeated_but_a_read_is() {
    let closing = RawServer::start(Behaviour::Close);
    let err = client(&closing.url)
        .post(deploys(), json!({"environment": "prod"}))
        .send()
        .await
        .unwrap_err();
    assert!(err.may_have_been_applied(), "{err}");
    assert_eq!(closing.requests().len(), 1);

    let closing = RawServer::start(Behaviour::Close);
    let err = client(&closing.url)
        .get(api_path!["organizations"].unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(!err.may_have_been_applied(), "{err}");
    assert_eq!(
        closing.requests().len(),
        RetryPolicy::default().max_attempts as usize
    );
}

#[tokio::test]
async fn a_write_that_never_left_is_repeated() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let mut config = config(&url);
    config.retry.max_attempts = 2;
    let err = SentryClient::new(config)
        .unwrap()
        .post(deploys(), json!({}))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Network { .. }), "{err}");
    assert!(err.to_string().contains("connection failed"), "{err}");
}

#[tokio::test]
async fn a_request_that_cannot_be_built_is_a_local_error() {
    let mut config = config("http://127.0.0.1:9");
    config.headers = vec![("X-Bad".into(), "line\nbreak".into())];
    let err = SentryClient::new(config).err().unwrap();
    assert!(matches!(err, ApiError::Local { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("could not prepare") && !message.contains("could not reach"),
        "{message}"
    );
}

#[tokio::test]
async fn an_oversized_answer_is_refused_without_being_read() {
    let mut server = Server::new_async().await;
    let big = "x".repeat(64 * 1024);
    server
        .mock("GET", "/api/0/organizations/")
        .with_body(format!("[\"{big}\"]"))
        .create_async()
        .await;
    let mut config = config(&server.url());
    config.max_body_bytes = 16 * 1024;
    let err = SentryClient::new(config)
        .unwrap()
        .get(api_path!["organizations"].unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("ask for less"), "{err}");
}

#[tokio::test]
async fn a_streamed_answer_is_cut_at_the_cap() {
    let mut server = Server::new_async().await;
    let chunk = vec![b' '; 8 * 1024];
    server
        .mock("GET", "/api/0/organizations/")
        .with_chunked_body(move |out| {
            for _ in 0..8 {
                out.write_all(&chunk)?;
            }
            out.write_all(b"[]")
        })
        .create_async()
        .await;
    let mut config = config(&server.url());
    config.max_body_bytes = 16 * 1024;
    let err = SentryClient::new(config)
        .unwrap()
        .get(api_path!["organizations"].unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::TooLarge { .. }), "{err}");
}

#[tokio::test]
async fn pagination_stops_on_a_repeated_cursor() {
    let mut server = Server::new_async().await;
    let link = r#"<http://x/>; rel="next"; results="true"; cursor="same:0:0""#;
    server
        .mock("GET", "/api/0/organizations/acme/projects/")
        .match_query(Matcher::Any)
        .with_header("link", link)
        .with_body(r#"[{"id":"1"}]"#)
        .expect(2)
        .create_async()
        .await;
    let err = client(&server.url())
        .get(api_path!["organizations", "acme", "projects"].unwrap())
        .list::<Value>(50, PageSize::PerPage, None)
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::RepeatedCursor { .. }), "{err}");
}

#[tokio::test]
async fn an_error_answer_that_echoes_the_token_is_printed_without_it() {
    let echo = format!(r#"{{"detail":"bad request, headers: Authorization: Bearer {TOKEN}"}}"#);
    let server = RawServer::start(answer("400 Bad Request", &[], &echo));
    let err = client(&server.url)
        .get(api_path!["organizations"].unwrap())
        .send()
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(!message.contains(TOKEN), "{message}");
    assert!(message.contains("Bearer ***"), "{message}");
}

#[test]
fn the_binary_prints_no_url_password_and_no_echoed_token() {
    let echo = format!(r#"{{"detail":"echo Bearer {TOKEN}"}}"#);
    let server = RawServer::start(answer("500 Internal Server Error", &[], &echo));
    let with_password = server.url.replace("http://", "http://ann:url-password-1@");
    let output = binary(&with_password)
        .args(["tool", "list_organizations"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_no_token(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("url-password-1"), "{stderr}");
    assert!(stderr.contains("are not used"), "{stderr}");
    let request = &server.requests()[0];
    assert!(!request.to_ascii_lowercase().contains("basic"), "{request}");
}

#[test]
fn debug_logging_shows_each_request_and_where_settings_came_from() {
    let server = RawServer::start(answer(
        "200 OK",
        &[],
        r#"[{"id":"1","slug":"acme","name":"Acme"}]"#,
    ));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".sentryclirc"), "[defaults]\norg=acme\n").unwrap();
    let output = binary(&server.url)
        .current_dir(dir.path())
        .args(["--log-level", "debug", "tool", "list_organizations"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_no_token(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let request = format!("debug: GET {}/api/0/organizations/", server.url);
    assert!(stderr.contains(&request), "{stderr}");
    assert!(stderr.contains("-> 200 ("), "{stderr}");
    assert!(
        stderr.contains("url = ") && stderr.contains("(from SENTRY_URL)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("org = acme (from [defaults] org in "),
        "{stderr}"
    );

    let quiet = binary(&server.url)
        .env("SENTRY_LOG_LEVEL", "error")
        .args(["tool", "list_organizations"])
        .output()
        .unwrap();
    assert!(
        quiet.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );
}

#[test]
fn custom_headers_and_the_pipeline_reach_sentry() {
    let server = RawServer::start(answer("200 OK", &[], "[]"));
    let output = binary(&server.url)
        .env("SENTRY_PIPELINE", "github-actions/1.2")
        .args(["--header", "X-Tenant: blue", "tool", "list_organizations"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let request = server.requests()[0].to_ascii_lowercase();
    assert!(request.contains("x-tenant: blue"), "{request}");
    assert!(
        request.contains("user-agent: sentry-companion/")
            && request.contains(" github-actions/1.2"),
        "{request}"
    );
}

#[test]
fn max_retries_bounds_the_attempts() {
    let server = RawServer::start(answer("503 Service Unavailable", &[], ""));
    let output = binary(&server.url)
        .env("SENTRY_HTTP_MAX_RETRIES", "0")
        .args(["tool", "list_organizations"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(server.requests().len(), 1);
}

#[cfg(unix)]
#[test]
fn a_fifo_or_device_named_sentryclirc_does_not_hang_the_run() {
    for make in ["fifo", "device"] {
        let dir = tempfile::tempdir().unwrap();
        let rc = dir.path().join(".sentryclirc");
        if make == "fifo" {
            let made = std::process::Command::new("mkfifo")
                .arg(&rc)
                .status()
                .unwrap();
            assert!(made.success());
        } else {
            std::os::unix::fs::symlink("/dev/zero", &rc).unwrap();
        }
        let output = binary("http://127.0.0.1:9")
            .current_dir(dir.path())
            .args(["tool", "list"])
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{make}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("not a regular file"), "{make}: {stderr}");
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_named_dotenv_is_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(dir.path().join(".env"))
        .status()
        .unwrap();
    assert!(made.success());
    let output = binary("http://127.0.0.1:9")
        .current_dir(dir.path())
        .args(["tool", "list"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("is not loaded") && stderr.contains("not a regular file"),
        "{stderr}"
    );
}

#[test]
fn a_discovered_file_sending_the_token_over_plain_http_gets_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".sentryclirc"),
        "[defaults]\nurl=http://sentry.example.com\n",
    )
    .unwrap();
    let output = binary("")
        .env_remove("SENTRY_URL")
        .current_dir(dir.path())
        .args(["tool", "list"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning:") && stderr.contains("unencrypted"),
        "{stderr}"
    );
}

#[test]
fn a_dotenv_file_configures_the_run_as_in_sentry_cli() {
    let server = RawServer::start(answer("200 OK", &[], "[]"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        format!("SENTRY_URL={}\nSENTRY_PIPELINE=from-dotenv\n", server.url),
    )
    .unwrap();
    let output = binary("")
        .env_remove("SENTRY_URL")
        .current_dir(dir.path())
        .args(["tool", "list_organizations"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(server.requests()[0].contains(" from-dotenv"));

    let output = binary("http://127.0.0.1:9")
        .env("SENTRY_DOTENV_PATH", "missing.env")
        .current_dir(dir.path())
        .args(["tool", "list"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn requests_go_through_the_proxy_from_the_environment_unless_no_proxy_says_otherwise() {
    let sentry = RawServer::start(answer("200 OK", &[], "[]"));
    let proxy = ForwardProxy::start(sentry.address);
    let output = binary("http://sentry.invalid")
        .env("HTTP_PROXY", &proxy.url)
        .args(["tool", "list_organizations"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let through = proxy.requests();
    assert_eq!(through.len(), 1);
    assert!(
        through[0].starts_with("GET http://sentry.invalid/api/0/organizations/"),
        "{through:?}"
    );
    assert_eq!(sentry.requests().len(), 1);

    let output = binary(&sentry.url)
        .env("HTTP_PROXY", &proxy.url)
        .env("NO_PROXY", "127.0.0.1")
        .args(["tool", "list_organizations"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(proxy.requests().len(), 1, "NO_PROXY bypasses the proxy");
    assert_eq!(sentry.requests().len(), 2);
}

#[test]
fn the_proxy_from_sentryclirc_gets_its_credentials() {
    let sentry = RawServer::start(answer("200 OK", &[], "[]"));
    let proxy = ForwardProxy::start(sentry.address);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".sentryclirc"),
        format!(
            "[http]\nproxy_url={}\nproxy_username=ann\nproxy_password=proxy-pass-1\n",
            proxy.url.trim_start_matches("http://")
        ),
    )
    .unwrap();
    let output = binary("http://sentry.invalid")
        .current_dir(dir.path())
        .args(["--log-level", "debug", "tool", "list_organizations"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let through = proxy.requests();
    assert_eq!(through.len(), 1);
    // "ann:proxy-pass-1" in base64.
    assert!(
        through[0].contains("YW5uOnByb3h5LXBhc3MtMQ=="),
        "{through:?}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("proxy-pass-1"), "{stderr}");
    assert!(stderr.contains("proxy = http://127.0.0.1:"), "{stderr}");
}

#[tokio::test]
async fn a_certificate_failure_names_the_problem_and_is_not_retried() {
    let tls = TlsServer::start();
    let err = client(&tls.url)
        .get(api_path!["organizations"].unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Certificate { .. }), "{err}");
    let message = err.to_string();
    assert!(message.contains("self-signed"), "{message}");
    assert!(!message.contains("connection failed"), "{message}");
    assert_eq!(tls.connections(), 1);
}

#[tokio::test]
async fn verify_ssl_false_gets_through_a_self_signed_certificate() {
    let tls = TlsServer::start();
    let mut config = config(&tls.url);
    config.verify_tls = false;
    let body: Value = SentryClient::new(config)
        .unwrap()
        .get(api_path!["organizations"].unwrap())
        .json()
        .await
        .unwrap();
    assert_eq!(body, json!([]));
}

#[test]
fn the_binary_reads_verify_ssl_from_sentryclirc() {
    let tls = TlsServer::start();
    let dir = tempfile::tempdir().unwrap();
    let refused = binary(&tls.url)
        .current_dir(dir.path())
        .args(["tool", "list_organizations"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("TLS certificate"), "{stderr}");

    std::fs::write(
        dir.path().join(".sentryclirc"),
        "[http]\nverify_ssl=false\n",
    )
    .unwrap();
    let output = binary(&tls.url)
        .current_dir(dir.path())
        .args(["tool", "list_organizations"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not checked"), "{stderr}");
}

#[test]
fn ssl_cert_file_trusts_a_private_certificate() {
    let tls = TlsServer::start();
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("private-ca.pem");
    std::fs::write(&bundle, &tls.certificate_pem).unwrap();
    let output = binary(&tls.url)
        .current_dir(dir.path())
        .env("SSL_CERT_FILE", &bundle)
        .args(["tool", "list_organizations"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(tls.connections(), 1);
}

#[test]
fn an_https_sentry_is_reached_through_an_https_proxy_tunnel() {
    let tls = TlsServer::start();
    let proxy = ForwardProxy::start(tls.address);
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("private-ca.pem");
    std::fs::write(&bundle, &tls.certificate_pem).unwrap();
    // The certificate names localhost; the proxy relays to the TLS server whatever the port asked for.
    let output = binary("https://localhost:1")
        .current_dir(dir.path())
        .env("SSL_CERT_FILE", &bundle)
        .env("HTTPS_PROXY", &proxy.url)
        .args(["tool", "list_organizations"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let through = proxy.requests();
    assert_eq!(through.len(), 1);
    assert!(
        through[0].starts_with("CONNECT localhost:1 "),
        "{through:?}"
    );
    assert!(
        !through[0].contains(TOKEN),
        "the token travels inside the tunnel only"
    );
}

#[tokio::test]
async fn a_session_with_a_deadline_shares_the_project_cache() {
    let mut server = Server::new_async().await;
    let project = server
        .mock("GET", "/api/0/projects/acme/web/")
        .with_body(r#"{"id":"42","slug":"web","name":"Web"}"#)
        .expect(1)
        .create_async()
        .await;
    let session = sentry_companion::sentry::Session::new(client(&server.url()), None, vec![]);
    assert_eq!(session.project_id("acme", "web").await.unwrap(), "42");
    let call = session.with_deadline(Instant::now() + Duration::from_secs(30));
    assert!(call.client().deadline().is_some());
    assert_eq!(call.project_id("acme", "web").await.unwrap(), "42");
    project.assert_async().await;
}
