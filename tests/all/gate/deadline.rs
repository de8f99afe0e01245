//! `--timeout` is a deadline (issue 10): a slow, failing or hung Sentry ends the run by the timeout
//! as inconclusive (exit 3, with the reason), never later and never as an error. Elapsed time is
//! only bounded from above, with generous slack for a busy machine.

use super::*;
use crate::support::http::{Behaviour, RawServer, answer};
use std::time::Instant;

/// Slack on top of the timeout for starting the binary on a loaded machine.
const SLACK: Duration = Duration::from_secs(5);

/// `release gate` with a short watch and the given deadline, against `url`.
fn short_gate(url: &str, timeout: &str) -> assert_cmd::Command {
    let mut cmd = binary(url);
    cmd.args([
        "--org",
        ORG,
        "--project",
        "web",
        "release",
        "gate",
        CANDIDATE,
    ])
    .args(["--env", "production", "--soak", "2s", "--interval", "1s"])
    .args(["--timeout", timeout])
    .current_dir(std::env::temp_dir());
    cmd
}

/// Runs the command and returns its output and how long it took.
fn timed(cmd: &mut assert_cmd::Command) -> (std::process::Output, Duration) {
    let started = Instant::now();
    let output = cmd.output().unwrap();
    (output, started.elapsed())
}

#[test]
fn a_hung_sentry_ends_at_the_timeout_as_inconclusive() {
    let server = RawServer::start(Behaviour::Hang);
    let (output, elapsed) = timed(&mut short_gate(&server.url, "3s"));
    assert_no_token(&output);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(3), "{text}{}", stderr(&output));
    assert!(elapsed < Duration::from_secs(3) + SLACK, "{elapsed:?}");
    assert!(
        text.contains("Verdict: INCONCLUSIVE — time ran out: Sentry had not answered when the 3s deadline came"),
        "{text}"
    );
    assert!(text.contains("No look got an answer from Sentry"), "{text}");
}

#[test]
fn a_persistent_failure_ends_at_the_timeout_not_after_every_retry() {
    let server = RawServer::start(answer("502 Bad Gateway", &[], "{}"));
    let (output, elapsed) = timed(&mut short_gate(&server.url, "2s"));
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(3), "{text}{}", stderr(&output));
    assert!(elapsed < Duration::from_secs(2) + SLACK, "{elapsed:?}");
    assert!(text.contains("time ran out"), "{text}");
}

#[test]
fn a_slow_sentry_ends_by_the_timeout_with_what_it_answered() {
    let fake = FakeSentry::start(world(Utc::now()));
    fake.with(|w| w.latency = Duration::from_millis(400));
    let (output, elapsed) = timed(&mut short_gate(&fake.url, "6s"));
    let text = stdout(&output);
    assert!(elapsed < Duration::from_secs(6) + SLACK, "{elapsed:?}");
    // How far the watch got depends on the machine; it never errs or overruns.
    match output.status.code() {
        Some(0) => assert!(text.contains("Verdict: PASS"), "{text}"),
        Some(3) => assert!(
            text.contains("time ran out") || text.contains("timed out"),
            "{text}"
        ),
        other => panic!("exit {other:?}: {text}{}", stderr(&output)),
    }
}

#[test]
fn the_json_report_of_a_hung_sentry_is_still_one_document() {
    let server = RawServer::start(Behaviour::Hang);
    let output = short_gate(&server.url, "2s")
        .args(["--output", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let report: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(report["verdict"], "inconclusive");
    assert_eq!(report["looks"], 0);
    assert!(
        report["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "skipped"),
        "{report}"
    );
}
