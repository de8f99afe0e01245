//! Tests: Sentry's text (issue titles, server messages) cannot command the terminal or the CI
//! runner: no line it reaches starts a workflow command, and no control character but newline and
//! tab is printed.

use crate::support::fake_sentry::{
    FakeDeploy, FakeIssue, FakeProject, FakeRelease, FakeSentry, World,
};
use crate::support::sentry::{binary, json_mock};
use chrono::{TimeDelta, Utc};
use serde_json::json;

/// A title an attacker could give an event: a workflow command on its own line, ANSI and OSC
/// escapes, a bidi override, and Markdown that would add a link and HTML to the job summary.
const HOSTILE_TITLE: &str = "TypeError\n::error title=INJECTED::pwned\r\n::add-mask::x \x1b[2J\x1b]8;;https://evil\x07click\u{9b}31m\u{202e} [link](https://evil) <img src=x>";

/// Every line is plain: no workflow command the test did not expect, no control character.
fn assert_inert(text: &str, own_commands: &[&str]) {
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(command) = trimmed.strip_prefix("::") {
            assert!(
                own_commands.iter().any(|own| trimmed.starts_with(own)),
                "a line from Sentry's data starts a workflow command: {line:?}"
            );
            let properties = command.split("::").next().unwrap_or_default();
            assert!(!properties.contains("INJECTED"), "{line:?}");
        }
        assert!(!trimmed.starts_with("##["), "{line:?}");
    }
    assert!(
        text.chars()
            .all(|c| !c.is_control() || c == '\n' || c == '\t'),
        "a control character was printed: {text:?}"
    );
    assert!(!text.contains('\u{202e}'), "a bidi override was printed");
}

fn hostile_world() -> World {
    let now = Utc::now();
    World {
        projects: vec![FakeProject {
            id: 42,
            slug: "web".into(),
            has_sessions: false,
        }],
        releases: vec![FakeRelease {
            deploys: vec![FakeDeploy {
                environment: "production".into(),
                started: None,
                finished: now - TimeDelta::minutes(30),
            }],
            ..FakeRelease::new("2.0.0", now - TimeDelta::minutes(40))
        }],
        issues: vec![FakeIssue::new(
            5,
            "WEB-5",
            HOSTILE_TITLE,
            "2.0.0",
            now - TimeDelta::minutes(20),
        )],
        ..World::default()
    }
}

#[test]
fn a_hostile_issue_title_injects_nothing_into_the_gate_on_github() {
    let fake = FakeSentry::start(hostile_world());
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary");
    let output = binary(&fake.url)
        .args([
            "--org",
            "acme",
            "--project",
            "web",
            "release",
            "gate",
            "2.0.0",
        ])
        .args(["--env", "production", "--soak", "0s", "--interval", "1s"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", dir.path().join("output"))
        .env("GITHUB_STEP_SUMMARY", &summary)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_inert(&stdout, &["::error title=Deploy gate"]);
    assert_inert(&stderr, &[]);
    assert!(
        stdout.contains(": :error title=INJECTED::pwned"),
        "{stdout}"
    );
    let annotation = stdout
        .lines()
        .find(|l| l.starts_with("::error title=Deploy gate%3A new-issues WEB-5::"))
        .expect("the gate's own annotation");
    assert!(
        annotation.contains("TypeError%0A: :error title=INJECTED::pwned%0A"),
        "{annotation}"
    );
    let markdown = std::fs::read_to_string(&summary).unwrap();
    assert_inert(&markdown, &[]);
    assert!(
        !markdown.replace("\\<img", "").contains("<img"),
        "raw HTML: {markdown}"
    );
    assert!(!markdown.contains("[link](https://evil)"), "{markdown}");
    assert!(
        markdown.contains("\\[link\\](https://evil) \\<img src=x\\>"),
        "{markdown}"
    );
}

#[test]
fn a_hostile_issue_title_injects_nothing_into_the_json_report() {
    let fake = FakeSentry::start(hostile_world());
    let output = binary(&fake.url)
        .args(["--org", "acme", "--project", "web", "--output", "json"])
        .args([
            "release",
            "gate",
            "2.0.0",
            "--env",
            "production",
            "--soak",
            "0s",
        ])
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_inert(&stdout, &[]);
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON document");
    assert!(
        report.to_string().contains("INJECTED"),
        "the data itself is kept"
    );
}

#[tokio::test]
async fn a_tool_answer_and_an_error_message_print_no_escapes() {
    let mut server = mockito::Server::new_async().await;
    let _issue = json_mock(
        &mut server,
        "GET",
        "/api/0/organizations/acme/issues/5/",
        200,
        json!({"id": "5", "shortId": "WEB-5", "title": HOSTILE_TITLE, "culprit": "\x1b]0;owned\x07x",
               "status": "unresolved", "permalink": "https://acme.sentry.io/issues/5/"}),
    )
    .await;
    let _hostile_error = json_mock(
        &mut server,
        "GET",
        "/api/0/organizations/acme/issues/6/",
        400,
        json!({"detail": "bad\n::error::from the server\x1b[31m"}),
    )
    .await;
    let url = server.url();
    let tool = |id: &'static str| {
        let url = url.clone();
        std::thread::spawn(move || {
            binary(&url)
                .args(["--org", "acme", "tool", "get_issue", "--arg"])
                .arg(format!("issue_id={id}"))
                .output()
                .unwrap()
        })
        .join()
        .unwrap()
    };
    let answer = tool("5");
    assert!(
        answer.status.success(),
        "{}",
        String::from_utf8_lossy(&answer.stderr)
    );
    assert_inert(&String::from_utf8_lossy(&answer.stdout), &[]);
    let failed = tool("6");
    assert_eq!(failed.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert_inert(&stderr, &[]);
    assert!(stderr.contains("from the server"), "{stderr}");
}
