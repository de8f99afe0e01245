//! The deploy gate against a fake Sentry: in-process with a test clock (no real minutes pass), and
//! end to end through the binary with a zero soak. `measured` reproduces each case the validation
//! of issue 9 measured on the earlier gate, with the verdict it gets now.

mod backtest;
mod chart;
mod deadline;
mod latency;
mod measured;
mod replay;

use crate::support::fake_sentry::{
    FakeDeploy, FakeIssue, FakeProject, FakeRelease, FakeSentry, ORG, Traffic, World,
};
use crate::support::schema::assert_conforms;
use crate::support::sentry::{TOKEN, assert_no_token, binary};
use chrono::{DateTime, TimeDelta, Utc};
use clap::Parser;
use sentry_companion::cli::{Cli, Command, ReleaseCommand};
use sentry_companion::gate::acks::Acks;
use sentry_companion::gate::clock::Clock;
use sentry_companion::gate::error::GateError;
use sentry_companion::gate::policy::{Policy, Verdict};
use sentry_companion::gate::report::Report;
use sentry_companion::gate::rules::{Rule, RuleOutcome, Status};
use sentry_companion::gate::sentry_data::SentryData;
use sentry_companion::gate::timeline::watch;
use sentry_companion::output::OutputFormat;
use sentry_companion::sentry::{AuthToken, ClientConfig, RetryPolicy, SentryClient, Session};
use sentry_companion::tools::{Registry, ToolContext};
use serde_json::{Value, json};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const CANDIDATE: &str = "2.0.0";
const BASELINE: &str = "1.0.0";

/// A clock the test owns: sleeping moves its time forward at once.
struct TestClock(Mutex<DateTime<Utc>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        *self.0.lock().unwrap() += TimeDelta::from_std(duration).unwrap();
        std::future::ready(())
    }
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

/// The in-process tests' deploy of the candidate.
fn deploy_time() -> DateTime<Utc> {
    at("2026-03-02T12:00:00Z")
}

fn minutes(n: i64) -> TimeDelta {
    TimeDelta::minutes(n)
}

/// Enough traffic for the error rate to show, within the default soak, that it did not rise by
/// 25% (a pass needs that evidence).
const STEADY: Traffic = Traffic {
    errors_per_minute: 20.0,
    transactions_per_minute: 10_000.0,
    sessions_per_minute: 0.0,
    crash_free: 1.0,
    mean_duration_ms: 100.0,
    failure_rate: 0.01,
};

/// Project `web`; release 1.0.0 deployed a day before 2.0.0; both with the same steady traffic.
fn world(deployed: DateTime<Utc>) -> World {
    let production = |finished, started| FakeDeploy {
        environment: "production".into(),
        started,
        finished,
    };
    World {
        projects: vec![FakeProject {
            id: 42,
            slug: "web".into(),
            has_sessions: false,
        }],
        releases: vec![
            FakeRelease {
                deploys: vec![production(deployed - TimeDelta::hours(24), None)],
                traffic: STEADY,
                ..FakeRelease::new(BASELINE, deployed - TimeDelta::hours(26))
            },
            FakeRelease {
                deploys: vec![production(deployed, Some(deployed - minutes(2)))],
                traffic: STEADY,
                changed_files: vec![(
                    "src/checkout/cart.py".into(),
                    "Rework the cart totals\n\nDetails".into(),
                    "Jane Doe".into(),
                )],
                ..FakeRelease::new(CANDIDATE, deployed - minutes(10))
            },
        ],
        ..World::default()
    }
}

fn gate_args(extra: &[&str]) -> sentry_companion::cli::GateArgs {
    let mut argv = vec![
        "sentry-companion",
        "release",
        "gate",
        CANDIDATE,
        "--env",
        "production",
    ];
    argv.extend_from_slice(extra);
    match Cli::parse_from(argv).command {
        Command::Release(ReleaseCommand::Gate(args)) => args,
        _ => unreachable!("a gate command line"),
    }
}

/// The policy a `release gate` command line gives, as the binary builds it.
fn policy(extra: &[&str]) -> Policy {
    let request = gate_args(extra).into_request(vec!["web".into()], OutputFormat::Text);
    Policy::from_spec(request.spec).unwrap()
}

/// A session whose client retries quickly, so injected failures cost milliseconds.
fn session(fake: &FakeSentry) -> Session {
    let mut config = ClientConfig::new(fake.url.parse().unwrap(), Some(AuthToken::new(TOKEN)));
    config.retry = RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
        max_total: Duration::from_millis(100),
    };
    Session::new(SentryClient::new(config).unwrap(), Some(ORG.into()), vec![])
}

/// Watches with the test clock starting at the deploy.
async fn run_gate(fake: &FakeSentry, policy: &Policy, acks: &Acks) -> Result<Report, GateError> {
    run_gate_from(fake, policy, acks, deploy_time()).await
}

/// Watches with the test clock starting at `start`.
async fn run_gate_from(
    fake: &FakeSentry,
    policy: &Policy,
    acks: &Acks,
    start: DateTime<Utc>,
) -> Result<Report, GateError> {
    let session = session(fake);
    let data = SentryData::new(&session, ORG.into(), policy);
    let clock = TestClock(Mutex::new(start));
    watch(&data, policy, acks, &clock, &mut |_| {}).await
}

fn rule(report: &Report, rule: Rule) -> &RuleOutcome {
    report.rules.iter().find(|r| r.rule == rule).unwrap()
}

#[tokio::test]
async fn a_clean_release_passes_only_after_the_soak() {
    let fake = FakeSentry::start(world(deploy_time()));
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Pass, "{}", report.text());
    assert_eq!(report.checked_at, deploy_time() + minutes(10));
    assert_eq!(
        report.looks, 11,
        "one look a minute from the deploy to the end of the soak"
    );
    assert_eq!(report.exit_code, 0);
    assert_eq!(report.baseline.as_ref().unwrap().version, BASELINE);
    assert!(report.rules.iter().all(|r| r.status != Status::Fail));
    assert_eq!(rule(&report, Rule::ErrorRate).status, Status::Pass);
    assert_eq!(rule(&report, Rule::CrashFree).status, Status::Skipped);
    assert!(report.text().contains("Policy: watch 10m after the deploy"));
}

#[tokio::test]
async fn one_new_error_issue_fails_at_once_and_is_named_with_its_suspect_commit() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        let mut issue = FakeIssue::new(
            7,
            "WEB-7",
            "KeyError: 'total'",
            CANDIDATE,
            deploy_time() + minutes(3),
        );
        issue.frames = vec!["checkout/cart.py".into(), "lib/util.py".into()];
        w.issues.push(issue);
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Fail);
    assert_eq!(report.exit_code, 1);
    assert_eq!(
        report.checked_at,
        deploy_time() + minutes(3),
        "a clear failure ends early"
    );
    let new_issues = rule(&report, Rule::NewIssues);
    assert_eq!(new_issues.value, "1");
    let issue = &new_issues.issues[0];
    assert_eq!(
        (issue.short_id.as_str(), issue.count, issue.users),
        ("WEB-7", 12, 3)
    );
    assert_eq!(issue.link, "https://acme.sentry.example/issues/7/");
    assert_eq!(issue.suspect_commits[0].file, "src/checkout/cart.py");
    assert_eq!(issue.suspect_commits[0].commit, "Rework the cart totals");
    let text = report.text();
    assert!(
        text.contains("WEB-7  KeyError: 'total'  (12 events, 3 users)"),
        "{text}"
    );
    assert!(text.contains(
        "suspect commit: \"Rework the cart totals\" by Jane Doe changed src/checkout/cart.py"
    ));
    let search = &fake.requests_to("/issues/")[0];
    assert!(
        search.contains(
            "query=firstRelease:2.0.0 firstSeen:>=2026-03-02T11:58:00Z level:[error,fatal]"
        ),
        "{search}"
    );
    assert!(
        search.contains("environment=production") && search.contains("project=42"),
        "{search}"
    );
}

#[tokio::test]
async fn warning_level_new_issues_alone_pass() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        let mut issue = FakeIssue::new(
            8,
            "WEB-8",
            "Slow cart",
            CANDIDATE,
            deploy_time() + minutes(1),
        );
        issue.level = "warning".into();
        w.issues.push(issue);
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Pass, "{}", report.text());
    assert_eq!(rule(&report, Rule::NewIssues).value, "0");
}

#[tokio::test]
async fn an_acknowledged_issue_passes_until_its_expiry() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        w.issues.push(FakeIssue::new(
            9,
            "WEB-9",
            "ConnectionResetError during rollout",
            CANDIDATE,
            deploy_time() + minutes(1),
        ))
    });
    let acks = |until: &str| {
        Acks::parse(&format!(
            "[[ack]]\ntitle = \"ConnectionResetError*\"\nreason = \"rollout noise\"\nuntil = {until}\n"
        ))
        .unwrap()
    };
    let report = run_gate(&fake, &policy(&[]), &acks("2026-03-02"))
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Pass, "{}", report.text());
    let issue = &rule(&report, Rule::NewIssues).issues[0];
    assert!(
        issue
            .acknowledged
            .as_deref()
            .unwrap()
            .contains("rollout noise")
    );

    let report = run_gate(&fake, &policy(&[]), &acks("2026-03-01"))
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Fail);
    let issue = &rule(&report, Rule::NewIssues).issues[0];
    assert!(issue.acknowledgement_expired.is_some());
    assert!(
        report
            .text()
            .contains("acknowledgement expired: rollout noise (until 2026-03-01)")
    );
}

#[tokio::test]
async fn a_regressed_issue_fails() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        let mut issue = FakeIssue::new(
            3,
            "WEB-3",
            "ValueError: bad price",
            BASELINE,
            deploy_time() - TimeDelta::days(20),
        );
        issue.regressed = true;
        issue.releases.push(CANDIDATE.into());
        issue.last_seen = deploy_time() + minutes(4);
        w.issues.push(issue);
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Fail);
    let regressed = rule(&report, Rule::RegressedIssues);
    assert_eq!(regressed.status, Status::Fail);
    assert_eq!(regressed.issues[0].short_id, "WEB-3");
    assert_eq!(rule(&report, Rule::NewIssues).status, Status::Pass);
}

#[tokio::test]
async fn a_clear_error_rate_increase_fails_with_the_ratio_shown() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| w.release(CANDIDATE).traffic.errors_per_minute = 100.0);
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Fail, "{}", report.text());
    let error_rate = rule(&report, Rule::ErrorRate);
    assert!(
        error_rate.detail.starts_with("×5.00 (95% CI"),
        "{}",
        error_rate.detail
    );
    assert_eq!(
        error_rate.baseline.as_deref(),
        Some("2.00 errors/1k transactions")
    );
    assert!(
        report.checked_at < deploy_time() + minutes(10),
        "an overwhelming increase may end the watch before the soak"
    );
    assert!(report.text().contains("error-rate: ×5.00"));
}

#[tokio::test]
async fn a_small_increase_within_the_margin_passes() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        // Ruling out +25% when the rate is up 10% takes more errors than the steady world has.
        for version in [BASELINE, CANDIDATE] {
            w.release(version).traffic.errors_per_minute = 200.0;
            w.release(version).traffic.transactions_per_minute = 100_000.0;
        }
        w.release(CANDIDATE).traffic.errors_per_minute = 220.0;
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Pass, "{}", report.text());
    let detail = &rule(&report, Rule::ErrorRate).detail;
    assert!(detail.starts_with("×1.10 (95% CI"), "{detail}");
}

#[tokio::test]
async fn too_little_traffic_is_inconclusive_and_exits_per_the_policy() {
    let fake = FakeSentry::start(world(deploy_time()));
    let quiet = Traffic {
        errors_per_minute: 0.1,
        transactions_per_minute: 20.0,
        ..Traffic::default()
    };
    fake.with(|w| {
        w.release(CANDIDATE).traffic = quiet;
        w.release(BASELINE).traffic = quiet;
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Inconclusive, "{}", report.text());
    assert_eq!(
        report.checked_at,
        deploy_time() + minutes(15),
        "kept looking until the timeout"
    );
    assert_eq!(report.exit_code, 3);
    assert!(
        rule(&report, Rule::ErrorRate)
            .detail
            .contains("of the 1000 transactions needed (--min-transactions)"),
        "{}",
        rule(&report, Rule::ErrorRate).detail
    );
    let failing = run_gate(
        &fake,
        &policy(&["--on-inconclusive", "fail"]),
        &Acks::default(),
    )
    .await
    .unwrap();
    assert_eq!(failing.exit_code, 1);
    let passing = run_gate(
        &fake,
        &policy(&["--on-inconclusive", "pass"]),
        &Acks::default(),
    )
    .await
    .unwrap();
    assert_eq!(passing.exit_code, 0);
}

#[tokio::test]
async fn rate_limits_and_gateway_errors_during_polling_still_reach_a_verdict() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        // Two in a row exhaust the client's retries, so a whole look fails and the gate carries on.
        for (path, status) in [
            ("/issues/", 429),
            ("/issues/", 502),
            ("/events/", 502),
            ("/issues/", 429),
        ] {
            w.failures.push_back((path.into(), status));
        }
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Pass, "{}", report.text());
    assert_eq!(report.checked_at, deploy_time() + minutes(10));
    assert!(fake.with(|w| w.failures.is_empty()));
}

#[tokio::test]
async fn a_persistent_error_ends_the_run_with_its_cause() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        w.failures
            .extend(std::iter::repeat_n(("/events/".to_owned(), 502), 50))
    });
    let error = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, GateError::Persistent { failures: 4, .. }),
        "{message}"
    );
    assert!(message.contains("HTTP 502"), "{message}");
}

#[tokio::test]
async fn a_token_without_event_read_is_an_error_naming_the_scope() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| w.forbidden.push("/issues/".into()));
    let error = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("lacks the `event:read` scope"),
        "{message}"
    );
    assert!(message.contains("--allow-partial"), "{message}");
}

#[tokio::test]
async fn allow_partial_skips_what_the_token_cannot_read_and_says_so_first() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| w.forbidden.push("/issues/".into()));
    let report = run_gate(&fake, &policy(&["--allow-partial"]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(rule(&report, Rule::NewIssues).status, Status::Skipped);
    assert_eq!(rule(&report, Rule::RegressedIssues).status, Status::Skipped);
    assert_eq!(rule(&report, Rule::ErrorRate).status, Status::Pass);
    assert_eq!(report.partial.len(), 2);
    let text = report.text();
    assert!(text.starts_with("PARTIAL REPORT:"), "{text}");
    assert!(
        text.contains("new-issues: the token lacks `event:read`"),
        "{text}"
    );
}

#[tokio::test]
async fn sessions_drive_the_crash_free_rule_and_the_error_rate() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        w.projects[0].has_sessions = true;
        w.release(BASELINE).traffic.sessions_per_minute = 100.0;
        w.release(BASELINE).traffic.crash_free = 0.999;
        w.release(CANDIDATE).traffic.sessions_per_minute = 100.0;
        w.release(CANDIDATE).traffic.crash_free = 0.95;
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Fail, "{}", report.text());
    let crash_free = rule(&report, Rule::CrashFree);
    assert_eq!(crash_free.status, Status::Fail);
    assert_eq!(
        (crash_free.value.as_str(), crash_free.baseline.as_deref()),
        ("95%", Some("99.9%"))
    );
    assert!(
        rule(&report, Rule::ErrorRate)
            .value
            .ends_with("errors/1k sessions")
    );
}

#[tokio::test]
async fn an_old_server_without_sessions_or_event_counts_skips_those_rules() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        w.projects[0].has_sessions = true;
        w.missing.push("/sessions/".into());
        w.missing.push("/events/".into());
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Pass, "{}", report.text());
    for skipped in [Rule::ErrorRate, Rule::CrashFree] {
        let outcome = rule(&report, skipped);
        assert_eq!(outcome.status, Status::Skipped);
        assert!(
            outcome.detail.contains("does not answer"),
            "{}",
            outcome.detail
        );
    }
}

#[tokio::test]
async fn the_first_deploy_has_no_baseline_to_compare_with() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| w.releases.retain(|r| r.version == CANDIDATE));
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Pass);
    assert!(report.baseline.is_none());
    let error_rate = rule(&report, Rule::ErrorRate);
    assert_eq!(error_rate.status, Status::Skipped);
    assert!(
        error_rate
            .detail
            .contains("no earlier release was deployed to production")
    );
}

#[tokio::test]
async fn the_baseline_is_the_release_deployed_to_the_environment_just_before() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        // A newer release that only went to staging, and an older one in production.
        let mut staging_only = w.release(BASELINE).clone();
        staging_only.version = "1.5.0".into();
        staging_only.created = deploy_time() - TimeDelta::hours(2);
        staging_only.deploys[0].environment = "staging".into();
        let mut older = w.release(BASELINE).clone();
        older.version = "0.9.0".into();
        older.created = deploy_time() - TimeDelta::days(9);
        older.deploys[0].finished = deploy_time() - TimeDelta::days(8);
        w.releases.extend([staging_only, older]);
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.baseline.unwrap().version, BASELINE);
    let pinned = run_gate(&fake, &policy(&["--baseline", "0.9.0"]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(pinned.baseline.unwrap().version, "0.9.0");
}

#[tokio::test]
async fn extra_query_terms_reach_both_issue_searches() {
    let fake = FakeSentry::start(world(deploy_time()));
    run_gate(
        &fake,
        &policy(&["--query", "!transaction:/health"]),
        &Acks::default(),
    )
    .await
    .unwrap();
    let searches = fake.requests_to("/issues/");
    assert!(
        searches
            .iter()
            .any(|s| s.contains("is:regressed release:2.0.0"))
    );
    assert!(
        searches.iter().all(|s| s.contains("!transaction:/health")),
        "{searches:?}"
    );
}

#[tokio::test]
async fn the_mcp_tool_evaluates_the_same_rules_once() {
    let fake = FakeSentry::start(world(Utc::now() - minutes(30)));
    let registry = Registry::new();
    let tool = registry.get("check_release_health").unwrap();
    assert!(tool.effects.read_only);
    let args = json!({"organization_slug": ORG, "version": CANDIDATE, "environment": "production", "project_slug": "web"});
    let output = registry
        .call(
            Arc::new(ToolContext::new(session(&fake))),
            "check_release_health",
            args,
            true,
        )
        .await
        .unwrap();
    assert_eq!(output.structured["verdict"], "pass", "{}", output.text);
    let rules: Vec<&str> = output.structured["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "new-issues",
            "regressed-issues",
            "error-rate",
            "crash-free",
            "latency"
        ]
    );
    let schema = serde_json::Value::Object(tool.output_schema().unwrap().clone());
    assert_conforms("check_release_health", &schema, &output.structured);
    // An API answer: the verdict first, and no command-line wording.
    assert!(
        output.text.starts_with("Verdict: PASS — "),
        "{}",
        output.text
    );
    for cli_words in ["exit 3", "--allow-partial", "--on-inconclusive", "Policy:"] {
        assert!(
            !output.text.contains(cli_words),
            "{cli_words}: {}",
            output.text
        );
    }
    assert!(
        output.text.contains(&format!(
            "Release {CANDIDATE} in production (projects: web)"
        )),
        "{}",
        output.text
    );
}

#[tokio::test]
async fn the_mcp_tool_names_settings_never_flags() {
    let fake = FakeSentry::start(world(Utc::now() - minutes(30)));
    let quiet = Traffic {
        errors_per_minute: 0.1,
        transactions_per_minute: 20.0,
        ..Traffic::default()
    };
    fake.with(|w| {
        w.release(CANDIDATE).traffic = quiet;
        w.release(BASELINE).traffic = quiet;
    });
    let registry = Registry::new();
    let call = |environment: &str| {
        let args = json!({"organization_slug": ORG, "version": CANDIDATE, "environment": environment, "project_slug": "web"});
        registry.call(
            Arc::new(ToolContext::new(session(&fake))),
            "check_release_health",
            args,
            true,
        )
    };
    let output = call("production").await.unwrap();
    assert_eq!(
        output.structured["verdict"], "inconclusive",
        "{}",
        output.text
    );
    assert!(
        output
            .text
            .contains("of the 1000 transactions needed (the gate's min_transactions setting)"),
        "{}",
        output.text
    );
    assert!(!output.text.contains("--"), "{}", output.text);

    let error = call("Production").await.unwrap_err().to_string();
    assert!(
        error.contains("its deploys went to production: check environment (names are case-sensitive), or record this deploy with create_deploy"),
        "{error}"
    );
    assert!(!error.contains("--"), "{error}");
}

/// A fake whose candidate was deployed half an hour ago, for runs of the real binary.
fn live_fake() -> FakeSentry {
    FakeSentry::start(world(Utc::now() - minutes(30)))
}

fn gate_command(fake: &FakeSentry, extra: &[&str]) -> assert_cmd::Command {
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
    .args(["--env", "production", "--soak", "0s", "--interval", "1s"])
    .args(extra)
    .current_dir(std::env::temp_dir());
    cmd
}

fn add_new_issue(fake: &FakeSentry) {
    fake.with(|w| {
        w.issues.push(FakeIssue::new(
            5,
            "WEB-5",
            "TypeError: cart is undefined",
            CANDIDATE,
            Utc::now() - minutes(20),
        ))
    });
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn binary_passes_a_clean_release_with_exit_0_and_prints_the_table() {
    let fake = live_fake();
    let output = gate_command(&fake, &[]).output().unwrap();
    assert_no_token(&output);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));
    assert!(
        text.starts_with("Policy: watch 0s after the deploy"),
        "{text}"
    );
    assert!(text.contains("RULE              VALUE"), "{text}");
    assert!(text.contains("Verdict: PASS"), "{text}");
}

#[test]
fn binary_fails_on_a_new_issue_and_writes_the_github_files() {
    let fake = live_fake();
    add_new_issue(&fake);
    let dir = tempfile::tempdir().unwrap();
    let (outputs, summary) = (dir.path().join("output"), dir.path().join("summary"));
    let output = gate_command(&fake, &[])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("::error title=Deploy gate%3A new-issues WEB-5::TypeError: cart is undefined (12 events, 3 users) https://acme.sentry.example/issues/5/"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(&outputs).unwrap(),
        "gate_result=fail\nnew_issues=1\nnew_issue_ids=WEB-5\nfailed_rules=new-issues\n"
    );
    let markdown = std::fs::read_to_string(&summary).unwrap();
    assert!(
        markdown
            .starts_with("## ❌ Deploy gate: release 2.0.0 in production (projects: web): fail"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| `new-issues` | 1 | - | ≤ 0 | **FAIL** |"),
        "{markdown}"
    );
    assert!(markdown.contains("| [WEB-5](https://acme.sentry.example/issues/5/) | TypeError: cart is undefined | 12 | 3 |"), "{markdown}");
}

#[test]
fn binary_json_output_is_one_document_and_the_dotenv_report_is_written() {
    let fake = live_fake();
    add_new_issue(&fake);
    let dir = tempfile::tempdir().unwrap();
    let dotenv = dir.path().join("gate.env");
    let output = gate_command(&fake, &["--dotenv", dotenv.to_str().unwrap()])
        .args(["--output", "json"])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value =
        serde_json::from_slice(&output.stdout).expect("stdout is one JSON document");
    assert_eq!(report["verdict"], "fail");
    assert_eq!(report["rules"][0]["issues"][0]["short_id"], "WEB-5");
    assert_eq!(report["policy"]["max_new_issues"], 0);
    assert!(stderr(&output).contains("::error title=Deploy gate%3A new-issues WEB-5::"));
    assert_eq!(
        std::fs::read_to_string(&dotenv).unwrap(),
        "SENTRY_GATE_RESULT=fail\nSENTRY_GATE_NEW_ISSUES=1\nSENTRY_GATE_NEW_ISSUE_IDS=WEB-5\nSENTRY_GATE_FAILED_RULES=new-issues\n"
    );
}

#[test]
fn binary_report_only_exits_0_but_reports_the_real_verdict() {
    let fake = live_fake();
    add_new_issue(&fake);
    let output = gate_command(&fake, &["--report-only"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(
        text.contains("Verdict: FAIL — failed: new-issues (exit 0 (--report-only))"),
        "{text}"
    );
    assert!(text.contains("report only: always exits 0"), "{text}");
}

#[test]
fn binary_inconclusive_exits_3_unless_the_policy_maps_it() {
    let fake = live_fake();
    let quiet = Traffic {
        errors_per_minute: 0.1,
        ..Traffic::default()
    };
    fake.with(|w| {
        w.release(CANDIDATE).traffic = quiet;
        w.release(BASELINE).traffic = quiet;
    });
    for (policy, code) in [("neutral", 3), ("pass", 0), ("fail", 1)] {
        let output = gate_command(&fake, &["--on-inconclusive", policy])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(code),
            "{policy}: {}",
            stdout(&output)
        );
        assert!(stdout(&output).contains("Verdict: INCONCLUSIVE"));
    }
}

#[test]
fn binary_survives_a_rate_limit_and_a_gateway_error() {
    let fake = live_fake();
    fake.with(|w| {
        w.failures.push_back(("/issues/".into(), 429));
        w.failures.push_back(("/events/".into(), 502));
    });
    let output = gate_command(&fake, &[]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(fake.with(|w| w.failures.is_empty()));
}

#[test]
fn binary_exits_2_naming_the_missing_scope_unless_partial_is_allowed() {
    let fake = live_fake();
    fake.with(|w| w.forbidden.push("/issues/".into()));
    let output = gate_command(&fake, &[]).output().unwrap();
    assert_no_token(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`event:read`"),
        "{}",
        stderr(&output)
    );

    let output = gate_command(&fake, &["--allow-partial"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let text = stdout(&output);
    let report = text.split_once("\n\n").unwrap().1;
    assert!(report.starts_with("PARTIAL REPORT:"), "{text}");
    assert!(text.contains("new-issues        -"), "{text}");
}

#[test]
fn binary_refuses_an_unknown_release_with_exit_2() {
    let fake = live_fake();
    let mut cmd = binary(&fake.url);
    cmd.args([
        "--org",
        ORG,
        "release",
        "gate",
        "9.9.9",
        "--env",
        "production",
    ])
    .current_dir(std::env::temp_dir());
    let output = cmd.output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("release \"9.9.9\" was not found"),
        "{}",
        stderr(&output)
    );
}
