//! `release backtest`: the gate replayed over a recorded history of deploys, one row each, with a
//! release that regressed, clean ones, one without data, one whose data cannot be read and rate
//! limits along the way.

use super::*;
use sentry_companion::gate::backtest::{BacktestRequest, replay_all};
use sentry_companion::gate::backtest_report::{Backtest, Row};
use sentry_companion::gate::policy::PolicySpec;

/// The day (from 2026-03-01) each release was deployed at noon, oldest first.
const HISTORY: [&str; 7] = [
    "1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0", "1.5.0", "1.6.0",
];

fn noon(day: usize) -> DateTime<Utc> {
    at("2026-03-01T12:00:00Z") + TimeDelta::days(day as i64)
}

/// Seven releases deployed a day apart, each serving the whole environment from its rollout to
/// the next one's: 1.2.0 regressed (five times the errors), 1.3.0 sent nothing, 1.4.0 brought a
/// new issue, 1.5.0 cannot be read (its release answers 404), the others are clean.
fn history() -> World {
    let mut releases = Vec::new();
    for (day, version) in HISTORY.iter().enumerate() {
        let rollout = noon(day) - minutes(2);
        let mut serving = vec![(rollout, 1.0)];
        if day + 1 < HISTORY.len() {
            serving.push((noon(day + 1) - minutes(2), 0.0));
        }
        releases.push(FakeRelease {
            deploys: vec![FakeDeploy {
                environment: "production".into(),
                started: Some(rollout),
                finished: noon(day),
            }],
            traffic: STEADY,
            serving,
            ..FakeRelease::new(version, noon(day) - minutes(10))
        });
    }
    let mut world = World {
        projects: vec![FakeProject {
            id: 42,
            slug: "web".into(),
            has_sessions: false,
        }],
        releases,
        ..World::default()
    };
    world.release("1.2.0").traffic.errors_per_minute = 100.0;
    world.release("1.3.0").traffic = Traffic::default();
    world.issues.push(FakeIssue::new(
        14,
        "WEB-14",
        "TypeError: price is undefined",
        "1.4.0",
        noon(4) + minutes(3),
    ));
    world.missing.push("/releases/1.5.0/".into());
    world
}

fn request(last: usize) -> BacktestRequest {
    BacktestRequest {
        spec: PolicySpec {
            environment: "production".into(),
            projects: vec!["web".into()],
            ..PolicySpec::default()
        },
        // The default file, which may be absent.
        acks: ".sentry-gate.toml".into(),
        last,
        pace: Duration::ZERO,
        output: OutputFormat::Text,
    }
}

async fn backtest(fake: &FakeSentry, last: usize) -> Backtest {
    let mut progress = Vec::new();
    let backtest = replay_all(&session(fake), &request(last), &mut |line| {
        progress.push(line)
    })
    .await
    .unwrap();
    assert_eq!(progress.len(), backtest.rows.len() + 1, "{progress:?}");
    backtest
}

fn row<'a>(backtest: &'a Backtest, version: &str) -> &'a Row {
    backtest.rows.iter().find(|r| r.version == version).unwrap()
}

fn status(row: &Row, rule: Rule) -> Status {
    row.rules.iter().find(|r| r.rule == rule).unwrap().status
}

#[tokio::test]
async fn every_deploy_is_a_row_with_the_verdict_the_gate_would_have_given() {
    let fake = FakeSentry::start(history());
    fake.with(|w| {
        // Rate limits mid-way: the client's retries absorb one, a second fails the look once.
        w.failures.push_back(("/releases/1.2.0/".into(), 429));
        w.failures.push_back(("/releases/1.2.0/".into(), 429));
        w.failures.push_back(("/releases/1.2.0/".into(), 429));
    });
    let backtest = backtest(&fake, 6).await;
    let versions: Vec<&str> = backtest.rows.iter().map(|r| r.version.as_str()).collect();
    assert_eq!(
        versions,
        ["1.6.0", "1.5.0", "1.4.0", "1.3.0", "1.2.0", "1.1.0"],
        "newest deploy first, the oldest release only a baseline"
    );
    assert!(fake.with(|w| w.failures.is_empty()), "the 429s were met");

    let clean = row(&backtest, "1.1.0");
    assert_eq!(clean.verdict, Some(Verdict::Pass), "{}", clean.reason);
    assert_eq!(clean.deployed_at, noon(1));
    assert_eq!(clean.replayed_at, noon(1) + minutes(15));
    assert_eq!(clean.looks, 11, "passed at the end of the soak");
    assert_eq!(status(clean, Rule::ErrorRate), Status::Pass);

    let regressed = row(&backtest, "1.2.0");
    assert_eq!(
        regressed.verdict,
        Some(Verdict::Fail),
        "{}",
        regressed.reason
    );
    assert_eq!(regressed.decided_by, ["error-rate"]);
    let error_rate = regressed
        .rules
        .iter()
        .find(|r| r.rule == Rule::ErrorRate)
        .unwrap();
    assert_eq!(error_rate.value, "10.00 errors/1k transactions");
    assert_eq!(
        error_rate.baseline.as_deref(),
        Some("2.00 errors/1k transactions")
    );
    assert!(
        error_rate
            .detail
            .contains("against 1.1.0 (its last stretch before it was replaced)"),
        "{}",
        error_rate.detail
    );

    let silent = row(&backtest, "1.3.0");
    assert_eq!(
        silent.verdict,
        Some(Verdict::Inconclusive),
        "{}",
        silent.reason
    );
    assert_eq!(silent.decided_by, ["error-rate", "latency"]);
    assert!(
        silent.reason.contains("no exposure every release has"),
        "{}",
        silent.reason
    );

    let new_issue = row(&backtest, "1.4.0");
    assert_eq!(new_issue.verdict, Some(Verdict::Fail));
    assert_eq!(new_issue.decided_by, ["new-issues"]);
    assert_eq!(
        new_issue.rules[0].issues[0].short_id, "WEB-14",
        "the issue behind it"
    );

    let unreadable = row(&backtest, "1.5.0");
    assert_eq!(unreadable.verdict, None);
    assert!(
        unreadable
            .reason
            .starts_with("the data could not be read: release \"1.5.0\" was not found"),
        "{}",
        unreadable.reason
    );
    assert!(unreadable.rules.is_empty());

    let last = row(&backtest, "1.6.0");
    assert_eq!(last.verdict, Some(Verdict::Pass), "{}", last.reason);
    assert_eq!(last.deployed_at, noon(6));

    let summary = &backtest.summary;
    assert_eq!(
        (
            summary.releases,
            summary.pass,
            summary.fail,
            summary.inconclusive,
            summary.not_read
        ),
        (6, 2, 2, 1, 1)
    );
    let failed_by: Vec<(&str, usize)> = summary
        .failed_by
        .iter()
        .map(|c| (c.rule, c.releases))
        .collect();
    assert_eq!(failed_by, [("new-issues", 1), ("error-rate", 1)]);
    let undecided_on: Vec<(&str, usize)> = summary
        .undecided_on
        .iter()
        .map(|c| (c.rule, c.releases))
        .collect();
    assert_eq!(undecided_on, [("error-rate", 1), ("latency", 1)]);
}

#[tokio::test]
async fn each_replay_reads_nothing_after_its_deploy_plus_the_timeout() {
    let fake = FakeSentry::start(history());
    let backtest = backtest(&fake, 2).await;
    assert_eq!(backtest.rows.len(), 2);
    // The newest replay ends at its deploy plus the timeout: no query reaches further.
    assert_eq!(fake.latest_end(), Some(noon(6) + minutes(10)));
    assert_eq!(backtest.rows[0].looks, 11);
}

/// `release backtest` against `fake`.
fn backtest_command(fake: &FakeSentry, extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = binary(&fake.url);
    cmd.args(["--org", ORG, "--project", "web", "release", "backtest"])
        .args(["--env", "production", "--last", "6", "--pace", "0s"])
        .args(extra)
        .current_dir(std::env::temp_dir());
    cmd
}

#[test]
fn binary_prints_a_row_per_deploy_and_the_summary() {
    let fake = FakeSentry::start(history());
    let output = backtest_command(&fake, &[]).output().unwrap();
    assert_no_token(&output);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));
    assert!(
        text.starts_with("Backtest of the deploy gate in production (projects: web): the last 6 deployed release(s), each replayed as of 15m after its deploy."),
        "{text}"
    );
    assert!(
        text.contains("VERSION  DEPLOYED              VERDICT       NEW-ISSUES  REGRESSED-ISSUES  ERROR-RATE    CRASH-FREE  LATENCY"),
        "{text}"
    );
    assert!(
        text.contains("1.2.0    2026-03-03T12:00:00Z  FAIL          PASS        PASS              FAIL          SKIPPED     INCONCLUSIVE"),
        "{text}"
    );
    assert!(
        text.contains("1.5.0    2026-03-06T12:00:00Z  NOT READ"),
        "{text}"
    );
    assert!(
        text.contains("  error-rate FAIL: 10.00 errors/1k transactions against 2.00 errors/1k transactions (threshold ≤ +25%)"),
        "{text}"
    );
    assert!(
        text.trim_end().ends_with("Summary: 6 release(s) replayed: 2 would have passed, 2 failed (new-issues 1, error-rate 1), 1 been inconclusive (error-rate 1, latency 1), 1 could not be read."),
        "{text}"
    );
    assert!(
        stderr(&output).contains("[6/6] 1.1.0 deployed 2026-03-02T12:00:00Z: PASS"),
        "{}",
        stderr(&output)
    );

    let output = backtest_command(&fake, &["--output", "json"])
        .output()
        .unwrap();
    let document: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(document["rows"].as_array().unwrap().len(), 6);
    assert_eq!(document["rows"][4]["version"], "1.2.0");
    assert_eq!(document["rows"][4]["verdict"], "fail");
    assert!(document["rows"][4]["rules"][2]["numbers"]["candidate"]["errors"].as_u64() > Some(0));
    assert_eq!(document["rows"][1]["verdict"], Value::Null);
    assert_eq!(document["summary"]["fail"], 2);
}

#[test]
fn binary_refuses_bad_flags_before_any_request() {
    let fake = FakeSentry::start(history());
    for (extra, message) in [
        (&["--last", "0"][..], "--last"),
        (
            &["--soak", "10m", "--timeout", "5m"][..],
            "shorter than --soak",
        ),
    ] {
        let mut cmd = binary(&fake.url);
        cmd.args(["--org", ORG, "release", "backtest", "--env", "production"])
            .args(extra)
            .current_dir(std::env::temp_dir());
        let output = cmd.output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{extra:?}");
        assert!(stderr(&output).contains(message), "{}", stderr(&output));
    }
    assert!(fake.with(|w| w.requests.is_empty()));
    fake.with(|w| w.environments.push("staging".into()));
    let mut cmd = binary(&fake.url);
    cmd.args(["--org", ORG, "release", "backtest", "--env", "staging"])
        .current_dir(std::env::temp_dir());
    let output = cmd.output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no release was deployed to \"staging\""),
        "{}",
        stderr(&output)
    );
}
