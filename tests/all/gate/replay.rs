//! `release gate --at TIME`: the watch replayed as of a past instant, with the same looks,
//! windows and rules as the live watch, and nothing Sentry recorded after the instant read.

use super::*;
use sentry_companion::gate::timeline::replay;

/// Replays the candidate's watch as of `at`.
async fn replay_at(
    fake: &FakeSentry,
    policy: &Policy,
    at: DateTime<Utc>,
) -> Result<Report, GateError> {
    let session = session(fake);
    let data = SentryData::new(&session, ORG.into(), policy).replaying();
    replay(&data, policy, &Acks::default(), at, &mut |_| {}).await
}

#[tokio::test]
async fn a_replay_at_the_timeout_is_the_live_watch() {
    let fake = FakeSentry::start(world(deploy_time()));
    let live = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    let replayed = replay_at(&fake, &policy(&[]), deploy_time() + minutes(15))
        .await
        .unwrap();
    assert_eq!(replayed.verdict, live.verdict, "{}", replayed.text());
    assert_eq!(replayed.checked_at, live.checked_at);
    assert_eq!(replayed.looks, live.looks);
    assert_eq!(
        replayed.rules, live.rules,
        "the same windows, counts and numbers"
    );
    assert_eq!(replayed.replayed_at, Some(deploy_time() + minutes(15)));
    assert!(
        replayed.text().contains(
            "Replayed as of 2026-03-02T12:15:00Z: nothing Sentry recorded after it was read."
        ),
        "{}",
        replayed.text()
    );
}

#[tokio::test]
async fn nothing_after_the_instant_counts() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        w.issues.push(FakeIssue::new(
            7,
            "WEB-7",
            "KeyError: 'total'",
            CANDIDATE,
            deploy_time() + minutes(5),
        ))
    });
    let before = replay_at(&fake, &policy(&[]), deploy_time() + minutes(4))
        .await
        .unwrap();
    assert_eq!(before.verdict, Verdict::Inconclusive, "{}", before.text());
    assert_eq!(
        before.reason,
        "no verdict yet at 2026-03-02T12:04:00Z: the watch would have gone on until 2026-03-02T12:15:00Z"
    );
    assert_eq!(rule(&before, Rule::NewIssues).status, Status::Pass);
    assert_eq!(before.looks, 5, "a look a minute from the deploy");
    assert_eq!(
        fake.latest_end(),
        Some(deploy_time() + minutes(4)),
        "no query asked past the instant"
    );

    let after = replay_at(&fake, &policy(&[]), deploy_time() + minutes(15))
        .await
        .unwrap();
    assert_eq!(after.verdict, Verdict::Fail, "{}", after.text());
    assert_eq!(
        after.checked_at,
        deploy_time() + minutes(5),
        "the first look that saw the issue"
    );
}

#[tokio::test]
async fn sessions_count_only_whole_hours_before_each_look() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        w.projects[0].has_sessions = true;
        for version in [BASELINE, CANDIDATE] {
            w.release(version).traffic.sessions_per_minute = 100.0;
            w.release(version).traffic.crash_free = 0.999;
        }
    });
    let report = replay_at(&fake, &policy(&[]), deploy_time() + minutes(15))
        .await
        .unwrap();
    let sessions = fake.requests_to("/sessions/");
    assert!(!sessions.is_empty());
    for request in &sessions {
        let end = request
            .split('&')
            .find_map(|pair| pair.strip_prefix("end="))
            .unwrap();
        assert!(
            end.ends_with(":00:00Z") && end <= "2026-03-02T12:00:00Z",
            "{request}"
        );
    }
    assert!(
        report.text().contains("Replayed as of"),
        "{}",
        report.text()
    );
}

#[tokio::test]
async fn a_replay_needs_a_deploy_finished_by_the_instant() {
    let fake = FakeSentry::start(world(deploy_time()));
    let error = replay_at(&fake, &policy(&[]), deploy_time() - minutes(1))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(
            "release 2.0.0 has no deploy to production that finished before 2026-03-02T11:59:00Z"
        ),
        "{error}"
    );
}

/// `release gate` with the default watch, replayed as of `at`.
fn replay_command(fake: &FakeSentry, at: &str) -> assert_cmd::Command {
    let mut cmd = binary(&fake.url);
    cmd.args([
        "--org",
        ORG,
        "--project",
        "web",
        "release",
        "gate",
        CANDIDATE,
    ])
    .args(["--env", "production", "--at", at])
    .current_dir(std::env::temp_dir());
    cmd
}

#[test]
fn binary_replays_a_past_deploy_with_at() {
    let fake = FakeSentry::start(world(Utc::now() - TimeDelta::days(2)));
    let at = (Utc::now() - TimeDelta::days(2) + minutes(15)).timestamp();
    let output = replay_command(&fake, &at.to_string())
        .args(["--output", "json"])
        .output()
        .unwrap();
    assert_no_token(&output);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["verdict"], "pass");
    assert_eq!(report["looks"], 11);
    assert!(report["replayed_at"].is_string(), "{report}");

    let future = (Utc::now() + TimeDelta::hours(1)).to_rfc3339();
    let output = replay_command(&fake, &future).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("is in the future"),
        "{}",
        stderr(&output)
    );

    let output = replay_command(&fake, "yesterday").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--at"), "{}", stderr(&output));
}
