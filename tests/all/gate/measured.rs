//! The cases issue 9 measured on the earlier gate (all but the purely statistical ones), each run
//! through the real watch (test clock, fake Sentry) or the real binary, with the verdict it gets now.

use super::*;
use crate::support::fake_sentry::FakeDeploy;
use sentry_companion::gate::policy::Minimums;

fn production(finished: DateTime<Utc>, started: Option<DateTime<Utc>>) -> FakeDeploy {
    FakeDeploy {
        environment: "production".into(),
        started,
        finished,
    }
}

/// The candidate takes over the whole environment when its rollout starts: the baseline serves
/// everything before, nothing after.
fn full_rollout(w: &mut World, start: DateTime<Utc>) {
    w.release(BASELINE).serving = vec![(start - TimeDelta::days(30), 1.0), (start, 0.0)];
    w.release(CANDIDATE).serving = vec![(start, 1.0)];
}

/// The candidate serves a tenth of the environment from its rollout on, the baseline the rest.
fn canary(w: &mut World, start: DateTime<Utc>) {
    w.release(BASELINE).serving = vec![(start - TimeDelta::days(30), 1.0), (start, 0.9)];
    w.release(CANDIDATE).serving = vec![(start, 0.1)];
}

fn rollout_start() -> DateTime<Utc> {
    deploy_time() - minutes(2)
}

// "A silent baseline fails: a baseline with no events gives FAIL x-infinity from ~8 candidate
// errors."
#[tokio::test]
async fn a_baseline_without_data_is_inconclusive_never_a_failure() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        w.release(BASELINE).traffic = Traffic::default();
        w.release(CANDIDATE).traffic.errors_per_minute = 1.0;
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Inconclusive, "{}", report.text());
    let error_rate = rule(&report, Rule::ErrorRate);
    assert_eq!(error_rate.status, Status::Inconclusive);
    assert!(
        error_rate.detail.contains(
            "2.0.0 0 sessions and 170000 transactions, 1.0.0 0 sessions and 0 transactions"
        ),
        "{}",
        error_rate.detail
    );
    assert!(!error_rate.detail.contains('∞'), "{}", error_rate.detail);
    assert!(
        report
            .reason
            .contains("error-rate: no exposure every release has"),
        "{}",
        report.reason
    );
}

// The same with a baseline that has traffic but no errors: eight errors of the release against none
// are not enough to fail within the watch's budget (and under the ten a fail needs), so the earlier
// "FAIL ×∞" is now undecided.
#[tokio::test]
async fn a_baseline_with_traffic_and_no_errors_is_ordinary_data() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        w.release(BASELINE).traffic.errors_per_minute = 0.0;
        // Eight errors over the 17 minutes from the rollout's start to the timeout.
        w.release(CANDIDATE).traffic.errors_per_minute = 8.0 / 17.0;
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Inconclusive, "{}", report.text());
    let error_rate = rule(&report, Rule::ErrorRate);
    assert!(
        error_rate.detail.starts_with("no ratio yet (95% CI "),
        "{}",
        error_rate.detail
    );
    assert!(
        error_rate
            .detail
            .contains("8 vs 0 errors over 170000 vs 170000 transactions"),
        "{}",
        error_rate.detail
    );
}

// "A pass without evidence: ... the binary passed a release whose own report showed the ratio
// x1.88 with a 95% interval of 1.41-2.53."
#[tokio::test]
async fn a_release_whose_interval_does_not_rule_out_the_margin_never_passes() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        for version in [BASELINE, CANDIDATE] {
            w.release(version).traffic.errors_per_minute = 2.0;
            w.release(version).traffic.transactions_per_minute = 1000.0;
        }
        w.release(CANDIDATE).traffic.errors_per_minute = 3.76;
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_ne!(report.verdict, Verdict::Pass, "{}", report.text());
    let error_rate = rule(&report, Rule::ErrorRate);
    assert!(
        error_rate.detail.starts_with("×1.88"),
        "{}",
        error_rate.detail
    );
    let upper = error_rate.numbers["ratio_interval_95"][1].as_f64().unwrap();
    assert!(upper > 1.25, "the interval does not rule out +25%: {upper}");
}

// "When only the candidate sends sessions, the gate silently switches to errors per minute."
#[tokio::test]
async fn sessions_of_the_candidate_alone_are_never_mixed_with_another_exposure() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        w.projects[0].has_sessions = true;
        w.release(CANDIDATE).traffic.sessions_per_minute = 100.0;
        w.release(CANDIDATE).traffic.crash_free = 1.0;
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Pass, "{}", report.text());
    let error_rate = rule(&report, Rule::ErrorRate);
    assert_eq!(error_rate.numbers["exposure"], "transactions");
    assert!(
        error_rate
            .detail
            .contains("not per sessions: the baseline 1.0.0 has none in its window"),
        "{}",
        error_rate.detail
    );

    fake.with(|w| {
        w.release(CANDIDATE).traffic.transactions_per_minute = 0.0;
        w.release(BASELINE).traffic.transactions_per_minute = 0.0;
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Inconclusive, "{}", report.text());
    let error_rate = rule(&report, Rule::ErrorRate);
    assert_eq!(error_rate.status, Status::Inconclusive);
    assert!(
        error_rate
            .detail
            .contains("1.0.0 0 sessions and 0 transactions"),
        "{}",
        error_rate.detail
    );
    assert!(
        error_rate.numbers["exposure"].is_null(),
        "no errors-per-minute fallback"
    );
}

// "Without sessions or transactions, a canary 3x worse per request at 10% of traffic passed
// (x0.30)."
#[tokio::test]
async fn a_canary_three_times_worse_per_request_never_passes() {
    let fake = FakeSentry::start(world(deploy_time()));
    // Traffic of the whole environment: the candidate's share is a tenth of it.
    let busy = |errors_per_minute| Traffic {
        errors_per_minute,
        transactions_per_minute: 10_000.0,
        ..Traffic::default()
    };
    fake.with(|w| {
        canary(w, rollout_start());
        w.release(BASELINE).traffic = busy(20.0);
        w.release(CANDIDATE).traffic = busy(60.0);
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Fail, "{}", report.text());
    let error_rate = rule(&report, Rule::ErrorRate);
    assert!(
        error_rate.detail.starts_with("×3.00 (95% CI"),
        "{}",
        error_rate.detail
    );
    assert!(
        error_rate
            .detail
            .contains("against 1.0.0 (concurrent: the same window, while it still served)"),
        "{}",
        error_rate.detail
    );

    fake.with(|w| {
        w.release(CANDIDATE).traffic.transactions_per_minute = 0.0;
        w.release(BASELINE).traffic.transactions_per_minute = 0.0;
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Inconclusive, "{}", report.text());
    let error_rate = rule(&report, Rule::ErrorRate);
    assert!(
        error_rate
            .detail
            .contains("error counts alone cannot tell a worse release from more traffic"),
        "{}",
        error_rate.detail
    );
    assert!(
        error_rate
            .detail
            .contains("send sessions (release health) or transactions (tracing)")
    );
}

// "... and a traffic peak with an unchanged per-request rate failed (x3.00, p=1.6e-19)."
#[tokio::test]
async fn a_traffic_peak_with_the_same_rate_per_request_never_fails() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        full_rollout(w, rollout_start());
        let peak = &mut w.release(CANDIDATE).traffic;
        peak.errors_per_minute = 3.0 * STEADY.errors_per_minute;
        peak.transactions_per_minute = 3.0 * STEADY.transactions_per_minute;
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Pass, "{}", report.text());
    let error_rate = rule(&report, Rule::ErrorRate);
    assert!(
        error_rate.detail.starts_with("×1.00 (95% CI"),
        "{}",
        error_rate.detail
    );
    assert!(
        error_rate
            .detail
            .contains("against 1.0.0 (its last stretch before it was replaced)"),
        "{}",
        error_rate.detail
    );

    fake.with(|w| {
        w.release(CANDIDATE).traffic.transactions_per_minute = 0.0;
        w.release(BASELINE).traffic.transactions_per_minute = 0.0;
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Inconclusive, "{}", report.text());
    assert_ne!(rule(&report, Rule::ErrorRate).status, Status::Fail);
}

// "Time of day: the baseline is the previous release's first N minutes after its own deploy, so a
// rate that rises with time of day fails the gate even with sessions (x2.00)."
#[tokio::test]
async fn a_rate_that_follows_the_time_of_day_is_compared_over_the_same_hours() {
    let evening = at("2026-03-02T20:00:00Z");
    let fake = FakeSentry::start(world(evening));
    fake.with(|w| {
        // Twice the errors per session from 18:00 on; the baseline went out at 08:00 the day before.
        w.error_rate_by_hour = Some(|hour| if hour >= 18 { 2.0 } else { 1.0 });
        w.projects[0].has_sessions = true;
        w.release(BASELINE).deploys = vec![production(at("2026-03-01T08:00:00Z"), None)];
        w.release(CANDIDATE).deploys = vec![production(evening, None)];
        full_rollout(w, evening);
        for version in [BASELINE, CANDIDATE] {
            let traffic = &mut w.release(version).traffic;
            traffic.sessions_per_minute = 100.0;
            traffic.crash_free = 1.0;
        }
    });
    let report = run_gate_from(&fake, &policy(&[]), &Acks::default(), evening)
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Pass, "{}", report.text());
    let error_rate = rule(&report, Rule::ErrorRate);
    assert_eq!(error_rate.numbers["exposure"], "sessions");
    assert!(
        error_rate.detail.starts_with("×1.00 (95% CI"),
        "{}",
        error_rate.detail
    );
    assert!(
        error_rate
            .detail
            .contains("against 1.0.0 (the same hours one day earlier)"),
        "{}",
        error_rate.detail
    );
    assert_eq!(
        error_rate.numbers["baselines"][0]["start"],
        "2026-03-01T20:00:00Z"
    );
}

// "One event fails: one new handled issue with 1 event and 1 user fails the gate (exit 1); the
// issue window (from the deploy's start, 55 min in a 40-min rollout) is wider than the error-rate
// window (15 min)."
#[tokio::test]
async fn one_handled_event_does_not_fail_and_every_window_starts_with_the_rollout() {
    let started = deploy_time() - minutes(40);
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        w.release(CANDIDATE).deploys = vec![production(deploy_time(), Some(started))];
        let mut stray = FakeIssue::new(
            11,
            "WEB-B",
            "KeyError: 'x'",
            CANDIDATE,
            started + minutes(5),
        );
        (stray.count, stray.users) = (1, 1);
        w.issues.push(stray);
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Pass, "{}", report.text());
    assert_eq!(report.exit_code, 0);
    let new_issues = rule(&report, Rule::NewIssues);
    assert_eq!(new_issues.value, "0");
    assert!(
        new_issues.issues[0]
            .below_minimums
            .as_deref()
            .unwrap()
            .contains("counts at 10 events or 3 users"),
    );
    assert!(
        report
            .text()
            .contains("WEB-B  KeyError: 'x'  (1 events, 1 users)")
    );
    assert_eq!(report.issues_since, Some(started));
    let error_rate = rule(&report, Rule::ErrorRate);
    assert_eq!(
        error_rate.numbers["candidate"]["start"], "2026-03-02T11:20:00Z",
        "the error rate counts from the deploy's start too"
    );
    assert!(
        fake.requests_to("/issues/")[0].contains("firstSeen:>=2026-03-02T11:20:00Z"),
        "the issue search counts from the same instant"
    );

    // The same issue at ten events counts.
    fake.with(|w| w.issues[0].count = 10);
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Fail, "{}", report.text());
}

#[tokio::test]
async fn unhandled_only_counts_crashes_alone() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        let mut handled = FakeIssue::new(21, "WEB-H", "Handled", CANDIDATE, deploy_time());
        handled.count = 50;
        let mut crash = FakeIssue::new(22, "WEB-C", "Crash", CANDIDATE, deploy_time());
        crash.unhandled = true;
        w.issues.extend([handled, crash]);
    });
    let report = run_gate(&fake, &policy(&["--unhandled-only"]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Fail);
    let new_issues = rule(&report, Rule::NewIssues);
    assert_eq!(new_issues.value, "1");
    assert_eq!(new_issues.issues.len(), 1);
    assert_eq!(new_issues.issues[0].short_id, "WEB-C");
    assert!(
        fake.requests_to("/issues/")
            .iter()
            .filter(|request| request.contains("query="))
            .all(|search| search.contains("error.unhandled:true")),
    );
}

// "Blind to a bad baseline: a candidate at 2.4x the healthy rate passed against a 3x baseline."
#[tokio::test]
async fn a_pooled_baseline_sees_past_a_bad_previous_release() {
    let fake = FakeSentry::start(world(deploy_time()));
    let busy = |errors_per_minute| Traffic {
        errors_per_minute,
        transactions_per_minute: 20_000.0,
        ..Traffic::default()
    };
    fake.with(|w| {
        for (version, days, errors) in [("0.8.0", 3, 40.0), ("0.9.0", 2, 40.0)] {
            w.releases.push(FakeRelease {
                deploys: vec![production(deploy_time() - TimeDelta::days(days), None)],
                traffic: busy(errors),
                ..FakeRelease::new(version, deploy_time() - TimeDelta::days(days) - minutes(5))
            });
        }
        w.release(BASELINE).traffic = busy(120.0);
        w.release(CANDIDATE).traffic = busy(96.0);
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(
        report.verdict,
        Verdict::Pass,
        "against the bad release alone the candidate looks better: {}",
        report.text()
    );

    let report = run_gate(&fake, &policy(&["--baseline", "last:3"]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Fail, "{}", report.text());
    let pooled: Vec<&str> = report
        .baselines
        .iter()
        .map(|b| b.version.as_str())
        .collect();
    assert_eq!(pooled, [BASELINE, "0.9.0", "0.8.0"]);
    let error_rate = rule(&report, Rule::ErrorRate);
    assert!(
        error_rate.detail.starts_with("×1.44"),
        "{}",
        error_rate.detail
    );
    assert!(report.text().contains("baseline pooled over 1.0.0"));

    // A ceiling at 1.5 times the healthy rate (2 errors in 1,000 transactions) fails it whatever
    // the baseline.
    let ceiling = policy(&["--max-error-rate", "0.003"]);
    let report = run_gate(&fake, &ceiling, &Acks::default()).await.unwrap();
    assert_eq!(report.verdict, Verdict::Fail, "{}", report.text());
    let error_rate = rule(&report, Rule::ErrorRate);
    assert!(
        error_rate.detail.contains("against the ceiling 0.003"),
        "{}",
        error_rate.detail
    );
    assert_eq!(error_rate.numbers["ceiling"]["rate"], 0.0048);
}

// "Power thrown away: alpha is spent on the way to `--timeout`, but a clean release passes at
// `--soak`, so a passing run spends 0.016 of its 0.05."
#[tokio::test]
async fn a_clean_release_passes_at_the_soak_with_most_of_its_budget_spent() {
    let fake = FakeSentry::start(world(deploy_time()));
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Pass, "{}", report.text());
    assert_eq!(report.checked_at, deploy_time() + minutes(10));
    assert!(
        (report.alpha_spent - 0.04).abs() < 1e-9,
        "four fifths of every test's share are spent by the end of the soak: {}",
        report.alpha_spent
    );
    assert!(
        report
            .text()
            .contains("false-alarm budget spent: 0.040 of 0.05")
    );
}

// "Constants: minimum traffic (500 sessions, 1,000 transactions, 10 events) cannot be changed."
#[tokio::test]
async fn the_minimum_traffic_is_a_knob() {
    let fake = FakeSentry::start(world(deploy_time()));
    let quiet = Traffic {
        errors_per_minute: 0.2,
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
    assert_eq!(report.verdict, Verdict::Inconclusive);
    assert!(
        report.reason.contains(
            "2.0.0 has 340 of the 1000 transactions needed (--min-transactions) (at its pace so far, about 20 a minute, a window of 50m)"
        ),
        "{}",
        report.reason
    );

    // The steady world passes with the defaults; asking for more traffic holds the pass back.
    let steady = FakeSentry::start(world(deploy_time()));
    let report = run_gate(&steady, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Pass, "{}", report.text());
    for (flag, value, reason) in [
        (
            "--min-transactions",
            "500000",
            "2.0.0 has 170000 of the 500000 transactions needed (--min-transactions)",
        ),
        (
            "--min-errors",
            "1000",
            "the baseline has 340 events and a pass needs 1000",
        ),
    ] {
        let report = run_gate(&steady, &policy(&[flag, value]), &Acks::default())
            .await
            .unwrap();
        assert_eq!(report.verdict, Verdict::Inconclusive, "{flag}");
        assert!(report.reason.contains(reason), "{flag}: {}", report.reason);
    }
    assert_eq!(
        policy(&[
            "--min-sessions",
            "50",
            "--min-transactions",
            "300",
            "--min-errors",
            "5"
        ])
        .minimums,
        Minimums {
            sessions: 50,
            transactions: 300,
            errors: 5
        }
    );
}

// "Crashes: `--soak 18446744073709551615` aborts (exit 134, overflow in `policy.rs`); `--timeout
// 100000000d` aborts after the first look; `--soak 300000000000000000d` wraps silently."
#[test]
fn binary_refuses_impossible_durations_with_exit_2() {
    let fake = live_fake();
    for (flag, value, message) in [
        (
            "--soak",
            "18446744073709551615",
            "--soak 5124095576030431h15s is longer than a gate can watch",
        ),
        (
            "--timeout",
            "100000000d",
            "--timeout 2400000000h is longer than a gate can watch",
        ),
        (
            "--soak",
            "300000000000000000d",
            "\"300000000000000000d\" is too long a duration",
        ),
    ] {
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
        .args(["--env", "production", flag, value])
        .current_dir(std::env::temp_dir());
        let output = cmd.output().unwrap();
        let errors = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{flag} {value}: {errors}");
        assert!(errors.contains(message), "{flag} {value}: {errors}");
        assert!(!errors.contains("panicked"), "{errors}");
    }
    assert!(
        fake.requests_to("/issues/").is_empty(),
        "refused before asking Sentry anything"
    );
}

// "Surprising defaults: the README quick start exits 3 on a low-traffic app."
#[test]
fn binary_quick_start_on_a_quiet_app_says_what_would_decide() {
    let fake = live_fake();
    let quiet = Traffic {
        errors_per_minute: 0.1,
        transactions_per_minute: 20.0,
        ..Traffic::default()
    };
    fake.with(|w| {
        w.release(CANDIDATE).traffic = quiet;
        w.release(BASELINE).traffic = quiet;
    });
    let mut cmd = binary(&fake.url);
    cmd.env("SENTRY_ORG", ORG)
        .env("SENTRY_PROJECT", "web")
        .args([
            "release",
            "gate",
            CANDIDATE,
            "--env",
            "production",
            "--soak",
            "10m",
        ])
        .current_dir(std::env::temp_dir());
    let output = cmd.output().unwrap();
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(3), "{text}{}", stderr(&output));
    assert!(text.contains("Verdict: INCONCLUSIVE"), "{text}");
    assert!(
        text.contains("2.0.0 has 640 of the 1000 transactions needed (--min-transactions)"),
        "{text}"
    );
    assert!(
        text.contains("To decide: give the gate more data"),
        "{text}"
    );
}

// "With no project configured the gate (and `check_release_health`) compared against another
// project's release."
#[tokio::test]
async fn no_project_given_never_compares_with_another_projects_release() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        w.projects.push(FakeProject {
            id: 43,
            slug: "api".into(),
            has_sessions: false,
        });
        for version in [BASELINE, CANDIDATE] {
            w.release(version).projects = vec!["web".into()];
        }
        w.releases.push(FakeRelease {
            deploys: vec![production(deploy_time() - TimeDelta::hours(1), None)],
            traffic: STEADY,
            projects: vec!["api".into()],
            ..FakeRelease::new("9.0.0", deploy_time() - TimeDelta::hours(2))
        });
    });
    let spec = gate_args(&[]).into_request(vec![], OutputFormat::Text).spec;
    let report = run_gate(&fake, &Policy::from_spec(spec).unwrap(), &Acks::default())
        .await
        .unwrap();
    assert_eq!(report.baseline.as_ref().unwrap().version, BASELINE);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("no project given: the gate looks at the release's projects (web)")),
        "{:?}",
        report.notes
    );
    assert!(
        fake.requests_to("/releases/")
            .iter()
            .any(|r| r.contains("project=42"))
    );

    let output = Registry::new()
        .call(
            Arc::new(ToolContext::new(session(&fake))),
            "check_release_health",
            json!({"organization_slug": ORG, "version": CANDIDATE, "environment": "production"}),
            true,
        )
        .await
        .unwrap();
    assert_eq!(output.structured["baseline"], BASELINE, "{}", output.text);
    assert!(
        output.text.contains("compared with 1.0.0"),
        "{}",
        output.text
    );
}

// "A typo in `--env` is reported as \"organization 'acme' was not found\"."
#[test]
fn binary_names_an_unknown_environment_with_those_deployed_to() {
    let fake = live_fake();
    fake.with(|w| {
        w.release(CANDIDATE)
            .deploys
            .push(production(Utc::now() - minutes(90), None));
        w.release(CANDIDATE).deploys[1].environment = "staging".into();
    });
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
    .args(["--env", "prodution"])
    .current_dir(std::env::temp_dir());
    let output = cmd.output().unwrap();
    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{errors}");
    assert!(
        errors.contains(
            "release 2.0.0 has no deploy to environment \"prodution\"; its deploys went to production, staging: check --env"
        ),
        "{errors}"
    );
    assert!(
        !errors.contains("organization 'acme' was not found"),
        "{errors}"
    );

    // A release with no deploy at all: the organization's environments are listed.
    fake.with(|w| w.release(CANDIDATE).deploys.clear());
    let output = cmd.output().unwrap();
    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{errors}");
    assert!(
        errors.contains("environment \"prodution\" is not known in organization \"acme\"")
            && errors.contains("the organization's environments are production"),
        "{errors}"
    );
}

/// An org auth token as Sentry makes them: `sntrys_`, a base64 JSON payload, a secret.
fn org_token() -> String {
    use base64::Engine;
    let claims = base64::engine::general_purpose::STANDARD
        .encode(r#"{"iat":1700000000,"url":"https://sentry.io","org":"acme"}"#);
    format!("sntrys_{claims}_FAKEsecretFAKEsecretFAKEsecret")
}

// "An org auth token (what Sentry recommends for CI) cannot evaluate any rule and nothing tells the
// user which token to use instead."
#[test]
fn binary_tells_an_org_token_at_once_which_token_to_create() {
    let fake = live_fake();
    let token = org_token();
    let output = gate_command(&fake, &[])
        .env("SENTRY_AUTH_TOKEN", &token)
        .output()
        .unwrap();
    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{errors}");
    for expected in [
        "org auth token (sntrys_...)",
        "`org:ci`",
        "`event:read`",
        "Settings > Custom Integrations",
        "`gate_auth_token`",
    ] {
        assert!(errors.contains(expected), "{expected}: {errors}");
    }
    assert!(!errors.contains(&token) && !stdout(&output).contains(&token));
    assert!(
        fake.requests_to("/issues/").is_empty() && fake.requests_to("/events/").is_empty(),
        "refused before any look"
    );

    // With --allow-partial the run goes on, says so once at the start, and cannot pass.
    fake.with(|w| {
        w.forbidden
            .extend(["/issues/", "/events/", "/sessions/", "/projects/"].map(String::from))
    });
    let output = gate_command(&fake, &["--allow-partial"])
        .env("SENTRY_AUTH_TOKEN", &token)
        .output()
        .unwrap();
    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{}{errors}", stdout(&output));
    assert_eq!(
        errors
            .matches("note: the auth token is an org auth token")
            .count(),
        1,
        "{errors}"
    );
    assert!(stdout(&output).contains("no rule could be evaluated"));
}
