//! The `tool` command line end to end: the real binary against a mock Sentry.

use crate::support::sentry::{TOKEN, assert_no_token, binary};
use mockito::{Matcher, Server};
use serde_json::Value;

#[test]
fn tool_list_names_every_tool_with_a_description() {
    let output = binary("http://127.0.0.1:9")
        .args(["tool", "list"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    for name in [
        "list_issues",
        "get_event",
        "create_release",
        "check_release_health",
    ] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} missing"));
        assert!(line.len() > name.len() + 10, "{line}");
    }
    for (name, toolset) in [
        ("get_issue", "issues"),
        ("search_events", "performance"),
        ("list_monitors", "monitoring"),
        ("create_team", "admin"),
        ("analyze_issue_with_seer", "seer"),
    ] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} missing"));
        let columns: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(columns[1], toolset, "{line}");
    }
    assert_no_token(&output);
}

#[test]
fn tool_reaches_tools_outside_the_default_toolsets() {
    let mut server = Server::new();
    let monitors = server
        .mock("GET", "/api/0/organizations/acme/monitors/")
        .match_query(Matcher::Any)
        .with_body(r#"[{"id": "9", "slug": "nightly", "name": "Nightly", "environments": []}]"#)
        .create();
    let output = binary(&server.url())
        .args(["--org", "acme", "tool", "list_monitors"])
        .env("SENTRY_COMPANION_TOOLSETS", "issues")
        .output()
        .unwrap();
    monitors.assert();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("- nightly \"Nightly\""));
}

#[test]
fn tool_list_as_json_is_one_document() {
    let output = binary("http://127.0.0.1:9")
        .args(["tool", "list", "--output", "json"])
        .output()
        .unwrap();
    let document: Value =
        serde_json::from_slice(&output.stdout).expect("stdout is exactly one JSON document");
    let tools = document["tools"].as_array().unwrap();
    assert!(tools.len() >= 40);
    assert!(tools.iter().all(|t| t["toolset"].is_string()), "{document}");
}

#[tokio::test]
async fn a_read_call_prints_the_answer() {
    let mut server = Server::new_async().await;
    let mock = server
        .mock("GET", "/api/0/organizations/acme/teams/")
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_query(Matcher::Any)
        .with_body(r#"[{"id":"1","slug":"backend","name":"Backend"}]"#)
        .create_async()
        .await;
    let url = server.url();
    let output = tokio::task::spawn_blocking(move || {
        binary(&url)
            .args(["tool", "list_teams", "--arg", "organization_slug=acme"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("backend"));
    assert_no_token(&output);
    mock.assert_async().await;
}

#[tokio::test]
async fn a_write_call_sends_the_change_and_json_output_is_one_document() {
    let mut server = Server::new_async().await;
    let mock = server
        .mock("PUT", "/api/0/organizations/acme/issues/WEB-1A3/")
        .match_body(Matcher::PartialJsonString(
            r#"{"status":"resolved"}"#.into(),
        ))
        .with_body(r#"{"id":"42","shortId":"WEB-1A3","status":"resolved"}"#)
        .create_async()
        .await;
    let url = server.url();
    let output = tokio::task::spawn_blocking(move || {
        binary(&url)
            .env("SENTRY_ORG", "acme")
            .args([
                "tool",
                "resolve_issue",
                "--json",
                r#"{"issue_id":"web-1a3"}"#,
                "--output",
                "json",
            ])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert!(document.to_string().contains("resolved"), "{document}");
    assert_no_token(&output);
    mock.assert_async().await;
}

#[tokio::test]
async fn an_api_error_exits_2_with_the_message_on_stderr() {
    let mut server = Server::new_async().await;
    server
        .mock("GET", "/api/0/organizations/acme/teams/")
        .match_query(Matcher::Any)
        .with_status(403)
        .with_body(r#"{"detail":"You do not have permission to perform this action."}"#)
        .create_async()
        .await;
    let url = server.url();
    let output = tokio::task::spawn_blocking(move || {
        binary(&url)
            .args(["--org", "acme", "tool", "list_teams"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("403") && stderr.contains("org:read"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
    assert_no_token(&output);
}

#[test]
fn bad_input_exits_2_and_says_what_is_wrong() {
    let cases: &[(&[&str], &str)] = &[
        (&["tool", "no_such_tool"], "unknown tool"),
        (&["tool", "list_teams", "--arg", "novalue"], "key=value"),
        (&["tool", "list_teams", "--json", "{"], "not valid JSON"),
        (&["tool", "list_teams"], "organization_slug is required"),
        (
            &[
                "tool",
                "get_issue",
                "--arg",
                "organization_slug=acme",
                "--arg",
                "issue_id=../x",
            ],
            "short id",
        ),
        (
            &[
                "tool",
                "list_issues",
                "--arg",
                "organization_slug=acme",
                "--arg",
                "limit=500",
            ],
            "1 to 100",
        ),
    ];
    for (args, expected) in cases {
        let output = binary("http://127.0.0.1:9").args(*args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert_no_token(&output);
    }
}

#[test]
fn a_missing_token_is_a_configuration_error() {
    let output = binary("http://127.0.0.1:9")
        .env_remove("SENTRY_AUTH_TOKEN")
        .args(["tool", "list_teams", "--arg", "organization_slug=acme"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("SENTRY_AUTH_TOKEN"));
}

#[test]
fn an_invalid_url_exits_2() {
    let output = binary("not a url")
        .args(["tool", "list_organizations"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("invalid Sentry URL"));
}

#[test]
fn the_token_given_as_a_flag_never_shows_even_in_errors() {
    let output = binary("http://127.0.0.1:9")
        .env_remove("SENTRY_AUTH_TOKEN")
        .args([
            "--auth-token",
            TOKEN,
            "--url",
            "http://127.0.0.1:9",
            "tool",
            "list_organizations",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_no_token(&output);
}

#[test]
fn tool_help_shows_every_argument_with_its_type_default_and_description() {
    let output = binary("http://127.0.0.1:9")
        .args(["tool", "update_issue", "--help"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with("update_issue: "), "{stdout}");
    assert!(
        stdout.contains("Usage: sentry-companion tool update_issue [--arg KEY=VALUE]"),
        "{stdout}"
    );
    let line = |name: &str| {
        stdout
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no line for {name}: {stdout}"))
            .to_owned()
    };
    assert!(line("issue_id").contains("(string, required)"));
    assert!(line("status").contains("one of resolved|unresolved|ignored|resolvedInNextRelease"));
    assert!(line("has_seen").contains("(boolean)"));
    assert!(line("organization_slug").contains("Organization slug"));

    let listed = binary("http://127.0.0.1:9")
        .args(["--org", "acme", "--output", "json", "tool", "list"])
        .output()
        .unwrap();
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let tools = listed["tools"].as_array().unwrap();
    let list_issues = tools.iter().find(|t| t["name"] == "list_issues").unwrap();
    let org = &list_issues["arguments"][0];
    assert_eq!(org["name"], "organization_slug");
    assert_eq!(org["required"], false, "--org makes it optional");
    assert!(org["description"].as_str().unwrap().contains("SENTRY_ORG"));
    assert!(tools.iter().all(|t| t["arguments"].is_array()));

    let usage = binary("http://127.0.0.1:9")
        .args(["tool", "--help"])
        .output()
        .unwrap();
    assert!(usage.status.success());
    assert!(String::from_utf8_lossy(&usage.stdout).contains("--arg"));
    let nameless = binary("http://127.0.0.1:9").arg("tool").output().unwrap();
    assert_eq!(nameless.status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn a_reader_that_goes_away_ends_the_command_quietly_not_with_a_panic() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};
    let binary = assert_cmd::cargo::cargo_bin("sentry-companion");
    // The reader closes before anything is written, as `tool list | head -0` does.
    let mut child = Command::new(binary)
        .args(["tool", "list", "--output", "json"])
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let quiet = output.status.success() || output.status.signal() == Some(libc::SIGPIPE);
    assert!(quiet, "{:?}: {stderr}", output.status);
}
