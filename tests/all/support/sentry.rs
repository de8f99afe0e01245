//! Helpers for tests that talk to a mock Sentry (mockito) or run the binary against it.

use assert_cmd::Command;
use mockito::{Matcher, Mock, ServerGuard};
use sentry_companion::sentry::{AuthToken, ClientConfig, SentryClient, Session};
use sentry_companion::tools::ToolContext;
use serde_json::Value;
use std::sync::Arc;

/// A token-shaped secret the tests check never leaks into output.
pub const TOKEN: &str = "sntryu_FAKE-test-token-0123456789-never-real";

/// The binary with a clean environment pointed at `url` (a mock server) with [`TOKEN`].
pub fn binary(url: &str) -> Command {
    let mut cmd = Command::cargo_bin("sentry-companion").expect("binary is built");
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("SENTRY_URL", url)
        .env("SENTRY_AUTH_TOKEN", TOKEN);
    cmd
}

/// Asserts the token appears in neither stdout nor stderr.
pub fn assert_no_token(output: &std::process::Output) {
    for stream in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(!text.contains(TOKEN), "token leaked into output: {text}");
    }
}

/// A session against `url` with [`TOKEN`] and the given defaults.
pub fn session(url: &str, org: Option<&str>, projects: &[&str]) -> Session {
    let config = ClientConfig::new(
        url.parse().expect("a server URL"),
        Some(AuthToken::new(TOKEN)),
    );
    Session::new(
        SentryClient::new(config).expect("client"),
        org.map(str::to_owned),
        projects.iter().map(|p| (*p).to_owned()).collect(),
    )
}

/// A tool context against `url` with [`TOKEN`] and the given defaults.
pub fn tool_context(url: &str, org: Option<&str>, projects: &[&str]) -> Arc<ToolContext> {
    Arc::new(ToolContext::new(session(url, org, projects)))
}

/// A mock answering `method path` (any query) with `status` and a JSON body.
pub async fn json_mock(
    server: &mut ServerGuard,
    method: &str,
    path: &str,
    status: usize,
    body: Value,
) -> Mock {
    server
        .mock(method, path)
        .match_query(Matcher::Any)
        .with_status(status)
        .with_header("content-type", "application/json")
        .with_body(body.to_string())
        .create_async()
        .await
}
