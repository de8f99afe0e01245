//! The rules over hand-made observations: every rule's pass, fail, inconclusive and skip.

use super::*;
use crate::gate::acks::Acks;
use crate::gate::budget::{Budgets, LookBudget, Tests};
use crate::gate::observations::{
    ErrorRateData, ErrorRates, ExposureKind, IssueSearch, LatencyData, LatencySide, Observed,
    SessionData, SessionTotals, Side, Unavailable, Window, WindowChoice,
};
use crate::gate::policy::{BETA, Policy};
use crate::gate::rate_decision::{Allowance, Spent};
use crate::sentry::models::Issue;
use crate::time::parse_sentry_time as parse_time;
use chrono::NaiveDate;
use serde_json::json;
use std::time::Duration;

fn policy() -> Policy {
    Policy::single_check("2.0", "production", vec![]).unwrap()
}

fn window() -> Window {
    Window {
        start: parse_time("2026-03-01T12:00:00Z").unwrap(),
        end: parse_time("2026-03-01T12:10:00Z").unwrap(),
    }
}

fn side(version: &str, errors: u64, exposure: f64) -> Side {
    Side {
        version: version.into(),
        window: window(),
        errors,
        exposure,
        choice: (version != "2.0").then_some(WindowChoice::Concurrent),
    }
}

fn issue(short_id: &str) -> Issue {
    serde_json::from_value(json!({"id": "7", "shortId": short_id, "title": "TypeError: boom", "count": "12", "userCount": 3}))
        .unwrap()
}

fn search(issues: Vec<Issue>) -> Observed<IssueSearch> {
    Ok(IssueSearch {
        query: "firstRelease:2.0".into(),
        total: issues.len() as u64,
        issues,
    })
}

fn observations(
    new: Vec<Issue>,
    errors: Observed<ErrorRates>,
    sessions: Observed<Option<SessionData>>,
) -> Observations {
    Observations {
        at: window().end,
        new_issues: search(new),
        regressed: search(vec![]),
        sessions,
        errors,
        latency: Err(Unavailable {
            reason: "no transactions in these observations".into(),
            missing_scope: None,
        }),
    }
}

/// The whole budget of one evaluation (the MCP tool's policy has no soak and no timeout).
fn whole_budget(policy: &Policy) -> LookBudget {
    Budgets::new(policy).unwrap().look(Duration::ZERO)
}

fn run_with(
    observations: &Observations,
    policy: &Policy,
    budget: LookBudget,
    no_baseline: Option<&str>,
) -> Vec<RuleOutcome> {
    let link = |i: &Issue| format!("https://sentry.example/issues/{}/", i.id);
    let tests = Tests::of(policy).unwrap();
    let acks = Acks::default();
    let inputs = RuleInputs {
        policy,
        acks: &acks,
        today: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        tests: &tests,
        budget,
        no_baseline,
        link: &link,
    };
    evaluate(observations, &inputs)
}

fn run(observations: &Observations, policy: &Policy, acks: &Acks) -> Vec<RuleOutcome> {
    let link = |i: &Issue| format!("https://sentry.example/issues/{}/", i.id);
    let tests = Tests::of(policy).unwrap();
    let inputs = RuleInputs {
        policy,
        acks,
        today: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        tests: &tests,
        budget: whole_budget(policy),
        no_baseline: Some("no earlier release"),
        link: &link,
    };
    evaluate(observations, &inputs)
}

fn rates(kind: ExposureKind, c: (u64, f64), b: (u64, f64)) -> Observed<ErrorRates> {
    Ok(ErrorRates::Measured(ErrorRateData {
        kind,
        candidate: side("2.0", c.0, c.1),
        baselines: vec![side("1.0", b.0, b.1)],
        note: None,
    }))
}

fn no_sessions() -> Observed<Option<SessionData>> {
    Ok(None)
}

/// A look at a first release: `errors` over `transactions`, no baseline, no sessions.
fn first_release(errors: u64, transactions: f64) -> Observations {
    let rates = ErrorRates::Measured(ErrorRateData {
        kind: ExposureKind::Transactions,
        candidate: side("2.0", errors, transactions),
        baselines: vec![],
        note: None,
    });
    observations(vec![], Ok(rates), no_sessions())
}

#[test]
fn a_new_issue_fails_unless_acknowledged_or_allowed() {
    let obs = observations(
        vec![issue("WEB-1")],
        rates(ExposureKind::Transactions, (10, 5000.0), (10, 5000.0)),
        no_sessions(),
    );
    let outcomes = run(&obs, &policy(), &Acks::default());
    assert_eq!(outcomes[0].status, Status::Fail);
    assert_eq!(outcomes[0].issues[0].short_id, "WEB-1");
    assert_eq!(
        outcomes[0].issues[0].link,
        "https://sentry.example/issues/7/"
    );

    let acks = Acks::parse("[[ack]]\nissue = \"WEB-1\"\nreason = \"known\"\nuntil = 2026-03-01\n")
        .unwrap();
    let outcomes = run(&obs, &policy(), &acks);
    assert_eq!(outcomes[0].status, Status::Pass);
    assert!(outcomes[0].issues[0].acknowledged.is_some());

    let mut lenient = policy();
    lenient.max_new_issues = 1;
    assert_eq!(
        run(&obs, &lenient, &Acks::default())[0].status,
        Status::Pass
    );
}

#[test]
fn a_credible_error_rate_increase_fails_with_the_ratio() {
    let obs = observations(
        vec![],
        rates(ExposureKind::Transactions, (300, 10_000.0), (100, 10_000.0)),
        no_sessions(),
    );
    let outcome = &run(&obs, &policy(), &Acks::default())[2];
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome.detail.starts_with("×3.00 (95% CI"),
        "{}",
        outcome.detail
    );
    assert_eq!(outcome.value, "30.00 errors/1k transactions");
    assert_eq!(
        outcome.baseline.as_deref(),
        Some("10.00 errors/1k transactions")
    );
}

#[test]
fn an_increase_within_the_margin_passes() {
    let obs = observations(
        vec![],
        rates(
            ExposureKind::Transactions,
            (1100, 100_000.0),
            (1000, 100_000.0),
        ),
        no_sessions(),
    );
    assert_eq!(
        run(&obs, &policy(), &Acks::default())[2].status,
        Status::Pass
    );
}

#[test]
fn too_little_traffic_is_inconclusive_never_a_pass() {
    // As many errors per session as the baseline, and enough to rule out +25%, but fewer sessions
    // than the policy asks for.
    let obs = observations(
        vec![],
        rates(ExposureKind::Sessions, (80, 400.0), (1000, 5000.0)),
        no_sessions(),
    );
    let outcome = &run(&obs, &policy(), &Acks::default())[2];
    assert_eq!(outcome.status, Status::Inconclusive);
    assert_eq!(
        outcome.hint.as_deref(),
        Some("2.0 has 400 of the 500 sessions needed (--min-sessions)")
    );
    let mut lenient = policy();
    lenient.minimums.sessions = 400;
    assert_eq!(
        run(&obs, &lenient, &Acks::default())[2].status,
        Status::Pass,
        "the minimums are knobs"
    );
    let few = observations(
        vec![],
        rates(ExposureKind::Transactions, (2, 5000.0), (3, 5000.0)),
        no_sessions(),
    );
    let outcome = &run(&few, &policy(), &Acks::default())[2];
    assert_eq!(outcome.status, Status::Inconclusive);
    assert!(
        outcome.detail.contains(
            "undecided: the data neither show an increase beyond the limit nor rule one out"
        ),
        "{}",
        outcome.detail
    );
}

#[test]
fn a_look_tests_only_at_its_share_of_the_budget() {
    let obs = observations(
        vec![],
        rates(ExposureKind::Transactions, (160, 10_000.0), (90, 10_000.0)),
        no_sessions(),
    );
    let policy = policy();
    let with_alpha = |false_alarm| LookBudget {
        error_ratio: Allowance {
            false_alarm,
            false_pass: BETA,
            spent: Spent::default(),
            soak_over: true,
        },
        ..whole_budget(&policy)
    };
    // p ≈ 0.004: a failure with the rule's whole share, not with a sliver of it.
    assert_eq!(
        run_with(&obs, &policy, with_alpha(0.025), None)[2].status,
        Status::Fail
    );
    assert_eq!(
        run_with(&obs, &policy, with_alpha(0.001), None)[2].status,
        Status::Inconclusive
    );
}

#[test]
fn a_release_bad_in_itself_fails_the_ceiling_whatever_the_baseline() {
    let mut ceiling = policy();
    ceiling.max_error_rate = Some(0.01);
    let against_a_bad_baseline = observations(
        vec![],
        rates(ExposureKind::Transactions, (240, 10_000.0), (300, 10_000.0)),
        no_sessions(),
    );
    let outcome = &run(&against_a_bad_baseline, &ceiling, &Acks::default())[2];
    assert_eq!(outcome.status, Status::Fail, "{}", outcome.detail);
    assert!(
        outcome
            .detail
            .contains("0.0240 errors per transaction (95% CI"),
        "{}",
        outcome.detail
    );
    assert!(outcome.detail.contains("against the ceiling 0.01"));
    assert_eq!(outcome.numbers["ceiling"]["max_rate"], 0.01);
    assert_eq!(
        run(&against_a_bad_baseline, &policy(), &Acks::default())[2].status,
        Status::Pass,
        "without the ceiling the bad baseline hides it"
    );

    // A first release has no baseline, but the ceiling still judges it.
    let first = first_release(20, 10_000.0);
    let outcome = &run(&first, &ceiling, &Acks::default())[2];
    assert_eq!(outcome.status, Status::Pass, "{}", outcome.detail);
}

#[test]
fn crash_free_checks_the_floor_and_the_baseline_or_says_why_not() {
    let totals = |sessions, crashed| SessionTotals {
        sessions,
        crashed,
        range: window(),
    };
    let errors = rates(ExposureKind::Sessions, (10, 5000.0), (10, 5000.0));
    let healthy = observations(
        vec![],
        errors.clone(),
        Ok(Some(SessionData {
            candidate: totals(5000, 5),
            baseline: Some(totals(5000, 5)),
        })),
    );
    let outcome = &run(&healthy, &policy(), &Acks::default())[3];
    assert_eq!(outcome.status, Status::Pass, "{}", outcome.detail);
    assert_eq!(outcome.value, "99.9%");

    let crashing = observations(
        vec![],
        errors.clone(),
        Ok(Some(SessionData {
            candidate: totals(5000, 150),
            baseline: Some(totals(5000, 5)),
        })),
    );
    assert_eq!(
        run(&crashing, &policy(), &Acks::default())[3].status,
        Status::Fail
    );
    let outcome = &run(
        &observations(vec![], errors, no_sessions()),
        &policy(),
        &Acks::default(),
    )[3];
    assert_eq!(outcome.status, Status::Skipped);
    assert!(
        outcome.detail.contains("send no sessions"),
        "{}",
        outcome.detail
    );
}

#[test]
fn unavailable_data_skips_with_the_scope() {
    let denied = Unavailable {
        reason: "the token lacks `event:read`".into(),
        missing_scope: Some("event:read"),
    };
    let mut obs = observations(vec![], Err(denied.clone()), Err(denied.clone()));
    obs.new_issues = Err(denied);
    let outcomes = run(&obs, &policy(), &Acks::default());
    assert_eq!(outcomes[0].status, Status::Skipped);
    assert_eq!(outcomes[0].missing_scope, Some("event:read"));
    assert!(outcomes[0].detail.contains("event:read"));
    assert_eq!(outcomes[2].status, Status::Skipped);
}

#[test]
fn without_a_baseline_the_error_rate_is_skipped_but_shown() {
    let obs = first_release(20, 10_000.0);
    let outcome = &run(&obs, &policy(), &Acks::default())[2];
    assert_eq!(outcome.status, Status::Skipped);
    assert_eq!(outcome.value, "2.00 errors/1k transactions");
    assert!(outcome.detail.contains("no earlier release"));
}

#[test]
fn without_an_exposure_both_sides_share_the_error_rate_never_decides() {
    let obs = observations(
        vec![],
        Ok(ErrorRates::NoExposure {
            candidate_errors: 40,
            reason: "no sessions or transactions in any window".into(),
        }),
        no_sessions(),
    );
    let outcome = &run_with(&obs, &policy(), whole_budget(&policy()), None)[2];
    assert_eq!(outcome.status, Status::Inconclusive);
    assert_eq!(outcome.value, "40 errors");
    assert!(
        outcome
            .detail
            .starts_with("no rate to judge: no sessions or transactions"),
        "{}",
        outcome.detail
    );
}

#[test]
fn a_pooled_baseline_is_the_sum_of_its_releases() {
    let obs = observations(
        vec![],
        Ok(ErrorRates::Measured(ErrorRateData {
            kind: ExposureKind::Sessions,
            candidate: side("2.0", 600, 60_000.0),
            baselines: vec![side("1.1", 200, 20_000.0), side("1.0", 1000, 100_000.0)],
            note: None,
        })),
        no_sessions(),
    );
    let outcome = &run(&obs, &policy(), &Acks::default())[2];
    assert_eq!(outcome.status, Status::Pass, "{}", outcome.detail);
    assert_eq!(
        outcome.baseline.as_deref(),
        Some("10.00 errors/1k sessions")
    );
    assert_eq!(outcome.numbers["baseline"]["errors"], 1200);
    assert!(
        outcome.detail.contains("against 1.1 (concurrent"),
        "{}",
        outcome.detail
    );
}

#[test]
fn a_new_issue_below_both_minimums_is_listed_but_does_not_count() {
    let quiet: Issue = serde_json::from_value(
        json!({"id": "8", "shortId": "WEB-8", "title": "KeyError", "count": "1", "userCount": 1}),
    )
    .unwrap();
    let obs = observations(
        vec![quiet],
        rates(ExposureKind::Transactions, (10, 5000.0), (10, 5000.0)),
        no_sessions(),
    );
    let outcome = &run(&obs, &policy(), &Acks::default())[0];
    assert_eq!(outcome.status, Status::Pass, "{}", outcome.detail);
    assert_eq!(outcome.value, "0");
    let listed = &outcome.issues[0];
    assert!(!listed.counts());
    assert!(
        listed
            .below_minimums
            .as_deref()
            .unwrap()
            .contains("1 event(s) and 1 user(s) since the deploy; counts at 10 events or 3 users")
    );
    let mut strict = policy();
    strict.issues.min_events = 1;
    assert_eq!(run(&obs, &strict, &Acks::default())[0].status, Status::Fail);
}

/// One release's transactions for the latency rule: (transactions, p95 in ms, slower, failed).
fn latency_side(
    version: &str,
    (transactions, p95, slower, failed): (u64, f64, u64, u64),
) -> LatencySide {
    LatencySide {
        version: version.into(),
        window: window(),
        choice: (version != "2.0").then_some(WindowChoice::Concurrent),
        transactions,
        percentile_ms: (transactions > 0).then_some(p95),
        slower,
        failed,
    }
}

/// The latency rule's outcome for a candidate and one baseline.
fn latency_of(candidate: (u64, f64, u64, u64), baseline: (u64, f64, u64, u64)) -> RuleOutcome {
    let mut obs = observations(
        vec![],
        rates(ExposureKind::Transactions, (0, 0.0), (0, 0.0)),
        no_sessions(),
    );
    let baseline = latency_side("1.0", baseline);
    obs.latency = Ok(LatencyData {
        threshold_ms: baseline.percentile_ms,
        candidate: latency_side("2.0", candidate),
        baselines: vec![baseline],
    });
    run(&obs, &policy(), &Acks::default()).remove(4)
}

#[test]
fn latency_passes_when_fewer_transactions_are_slow_than_the_margin_allows() {
    // Unchanged durations: 2.75% beyond 1.2 × the baseline's p95 against 5% beyond it.
    let outcome = latency_of((10_000, 300.0, 275, 100), (10_000, 300.0, 500, 100));
    assert_eq!(outcome.rule, Rule::Latency);
    assert_eq!(outcome.status, Status::Pass, "{}", outcome.detail);
    assert_eq!(outcome.value, "p95 300 ms");
    assert_eq!(outcome.baseline.as_deref(), Some("p95 300 ms"));
    assert_eq!(outcome.threshold, "p95 ≤ +20%, failures ≤ +20%");
    assert!(
        outcome.detail.contains(
            "275 of 10000 (2.75%) slower than 360 ms (+20% on the baseline's p95) against 500 of 10000 (5.00%) of the baseline's slower than its p95"
        ),
        "{}",
        outcome.detail
    );
    assert_eq!(outcome.numbers["slower_than_ms"], 360.0);
}

#[test]
fn latency_fails_on_slow_transactions_or_on_failures() {
    // A p95 50% higher: 10% of the transactions beyond 1.2 × the baseline's p95.
    let slow = latency_of((10_000, 450.0, 1000, 100), (10_000, 300.0, 500, 100));
    assert_eq!(slow.status, Status::Fail, "{}", slow.detail);
    assert!(
        slow.detail
            .starts_with("p95 450 ms against p95 300 ms (1.0"),
        "{}",
        slow.detail
    );
    let failing = latency_of((10_000, 300.0, 275, 300), (10_000, 300.0, 500, 100));
    assert_eq!(failing.status, Status::Fail, "{}", failing.detail);
    assert!(
        failing.detail.contains(
            "failed transactions 300 of 10000 (3.00%) against 100 of 10000 (1.00%): ×3.00"
        ),
        "{}",
        failing.detail
    );
}

#[test]
fn latency_at_the_margin_or_below_the_minimum_is_inconclusive() {
    let at_margin = latency_of((10_000, 360.0, 500, 100), (10_000, 300.0, 500, 100));
    assert_eq!(
        at_margin.status,
        Status::Inconclusive,
        "{}",
        at_margin.detail
    );
    let quiet = latency_of((400, 300.0, 4, 4), (400, 300.0, 40, 4));
    assert_eq!(quiet.status, Status::Inconclusive, "{}", quiet.detail);
    assert!(
        quiet
            .hint
            .as_deref()
            .unwrap()
            .contains("2.0 has 400 of the 1000 transactions needed (--min-transactions)"),
        "{:?}",
        quiet.hint
    );
}

#[test]
fn latency_is_skipped_without_transactions_or_a_baseline() {
    let none = latency_of((0, 0.0, 0, 0), (0, 0.0, 0, 0));
    assert_eq!(none.status, Status::Skipped);
    assert!(
        none.detail.contains("the projects send no transactions"),
        "{}",
        none.detail
    );
    let mut obs = observations(
        vec![],
        rates(ExposureKind::Transactions, (0, 0.0), (0, 0.0)),
        no_sessions(),
    );
    obs.latency = Ok(LatencyData {
        threshold_ms: None,
        candidate: latency_side("2.0", (5000, 250.0, 0, 0)),
        baselines: Vec::new(),
    });
    let first = run(&obs, &policy(), &Acks::default()).remove(4);
    assert_eq!(first.status, Status::Skipped);
    assert_eq!(first.value, "p95 250 ms");
    assert_eq!(first.detail, "skipped: no earlier release");
    assert_eq!(first.numbers["candidate"]["transactions"], 5000);
}

#[test]
fn nothing_read_skips_every_rule_with_the_reason() {
    let outcomes = not_evaluated("Sentry did not answer");
    let rules: Vec<Rule> = outcomes.iter().map(|o| o.rule).collect();
    assert_eq!(rules, Rule::ALL);
    for outcome in &outcomes {
        assert_eq!(outcome.status, Status::Skipped, "{:?}", outcome.rule);
        assert!(
            outcome
                .detail
                .contains("not evaluated: Sentry did not answer"),
            "{}",
            outcome.detail
        );
    }
}

/// The crash-free rule's outcome for candidate and baseline `(sessions, crashed)` under `policy`.
fn crash_outcome(
    policy: &Policy,
    candidate: (u64, u64),
    baseline: Option<(u64, u64)>,
) -> RuleOutcome {
    let totals = |(sessions, crashed)| SessionTotals {
        sessions,
        crashed,
        range: window(),
    };
    let sessions = Ok(Some(SessionData {
        candidate: totals(candidate),
        baseline: baseline.map(totals),
    }));
    let errors = rates(ExposureKind::Sessions, (10, 5000.0), (10, 5000.0));
    let observed = observations(vec![], errors, sessions);
    run(&observed, policy, &Acks::default())[3].clone()
}

#[test]
fn crash_free_fails_on_the_floor_alone_or_on_a_baseline_with_enough_sessions() {
    let policy = policy();
    // 3% crash for both: no increase over the baseline, but far below the 99% floor.
    let both_bad = crash_outcome(&policy, (5000, 150), Some((5000, 150)));
    assert_eq!(both_bad.status, Status::Fail, "{}", both_bad.detail);

    // 0.6% crash passes the floor; against a baseline at 0.1% it is a regression, once that
    // baseline has the sessions it needs (exactly the minimum is enough).
    let mut strict = policy.clone();
    strict.minimums.sessions = 5000;
    let compared = crash_outcome(&strict, (50_000, 300), Some((5000, 5)));
    assert_eq!(compared.status, Status::Fail, "{}", compared.detail);
    assert!(
        compared
            .detail
            .contains("crash rate against the baseline (5 of 5000 crashed)"),
        "{}",
        compared.detail
    );
    let too_small = crash_outcome(&strict, (50_000, 300), Some((4999, 5)));
    assert_eq!(too_small.status, Status::Pass, "{}", too_small.detail);
    assert!(
        too_small
            .detail
            .contains("no baseline with 5000 sessions to compare with"),
        "{}",
        too_small.detail
    );
    assert_eq!(too_small.hint, None, "a pass has nothing to decide");
}

#[test]
fn crash_free_passes_only_with_the_minimum_of_sessions_and_says_what_is_short() {
    let policy = policy();
    let few = crash_outcome(&policy, (450, 0), None);
    assert_eq!(few.status, Status::Inconclusive, "{}", few.detail);
    let hint = few.hint.unwrap();
    assert!(
        hint.contains("2.0 has 450 of the 500 sessions needed (--min-sessions)"),
        "{hint}"
    );
    let enough = crash_outcome(&policy, (500, 0), None);
    assert_eq!(enough.status, Status::Pass, "{}", enough.detail);
    // At the minimum, an undecided floor is the only thing to say.
    let at_floor = crash_outcome(&policy, (500, 5), None);
    assert_eq!(at_floor.status, Status::Inconclusive, "{}", at_floor.detail);
    assert!(!at_floor.hint.unwrap().contains("sessions needed"));
}

#[test]
fn a_first_release_without_a_ceiling_is_skipped_with_its_numbers_and_thresholds() {
    let first = first_release(20, 10_000.0);
    let outcome = &run(&first, &policy(), &Acks::default())[2];
    assert_eq!(outcome.status, Status::Skipped);
    assert_eq!(outcome.threshold, "≤ +25%");
    assert!(
        outcome.detail.contains("no earlier release"),
        "{}",
        outcome.detail
    );
    assert_eq!(outcome.numbers["errors"], 20);
    assert_eq!(outcome.numbers["amount"], 10_000.0);
    let mut ceiling = policy();
    ceiling.max_error_rate = Some(0.01);
    let outcome = &run(&first, &ceiling, &Acks::default())[2];
    assert_eq!(outcome.threshold, "≤ +25%, ≤ 0.01/exposure");
}

#[test]
fn the_ceiling_passes_only_over_the_minimum_of_exposure() {
    let mut ceiling = policy();
    ceiling.max_error_rate = Some(0.01);
    let first = |transactions: f64| first_release(0, transactions);
    let short = &run(&first(600.0), &ceiling, &Acks::default())[2];
    assert_eq!(short.status, Status::Inconclusive, "{}", short.detail);
    let hint = short.hint.as_deref().unwrap();
    assert!(
        hint.contains("2.0 has 600 of the 1000 transactions needed (--min-transactions)"),
        "{hint}"
    );
    let enough = &run(&first(1000.0), &ceiling, &Acks::default())[2];
    assert_eq!(enough.status, Status::Pass, "{}", enough.detail);
}

#[test]
fn issue_counts_name_their_kind_and_count_what_the_first_page_left_out() {
    let mut obs = observations(
        vec![],
        rates(ExposureKind::Transactions, (10, 5000.0), (10, 5000.0)),
        no_sessions(),
    );
    // One listed regressed issue of five: the four unlisted count too (no minimums here).
    obs.regressed = Ok(IssueSearch {
        query: "is:regressed".into(),
        total: 5,
        issues: vec![issue("WEB-9")],
    });
    let regressed = &run(&obs, &policy(), &Acks::default())[1];
    assert_eq!(regressed.status, Status::Fail);
    assert_eq!(regressed.value, "5");
    assert!(
        regressed
            .detail
            .starts_with("5 regressed issue(s) counted, 0 acknowledged; search: is:regressed"),
        "{}",
        regressed.detail
    );
}

#[test]
fn an_acknowledged_issue_is_not_below_the_minimums_and_an_expired_one_counts_again() {
    let obs = observations(
        vec![issue("WEB-1")],
        rates(ExposureKind::Transactions, (10, 5000.0), (10, 5000.0)),
        no_sessions(),
    );
    let mut strict = policy();
    strict.issues.min_events = 100;
    strict.issues.min_users = 100;
    let acked = Acks::parse("[[ack]]\nissue = \"WEB-1\"\nreason = \"known\"\nuntil = 2026-03-01\n")
        .unwrap();
    let outcome = &run(&obs, &strict, &acked)[0];
    assert_eq!(outcome.numbers["acknowledged"], 1);
    assert_eq!(outcome.numbers["below_minimums"], 0, "acknowledged first");

    let expired =
        Acks::parse("[[ack]]\nissue = \"WEB-1\"\nreason = \"known\"\nuntil = 2026-02-01\n")
            .unwrap();
    let outcome = &run(&obs, &policy(), &expired)[0];
    assert_eq!(outcome.status, Status::Fail);
    let flagged = &outcome.issues[0];
    assert!(flagged.acknowledged.is_none());
    assert!(
        flagged
            .acknowledgement_expired
            .as_deref()
            .unwrap()
            .contains("known")
    );
}

#[test]
fn rates_and_shares_of_nothing_read_zero() {
    assert_eq!(
        format::rate_text(ExposureKind::Sessions, 5, 0.0),
        "0.00 errors/1k sessions"
    );
    assert_eq!(
        format::rate_text(ExposureKind::Transactions, 5, 2000.0),
        "2.50 errors/1k transactions"
    );
}

#[test]
fn a_shortfall_of_transactions_says_how_long_a_window_their_pace_needs() {
    let ten_minutes = window();
    let setting = ("transactions", "--min-transactions");
    assert_eq!(
        format::exposure_shortfall("2.0", 300.0, 1000, setting, Some(&ten_minutes)),
        "2.0 has 300 of the 1000 transactions needed (--min-transactions) (at its pace so far, about 30 a minute, a window of 34m)"
    );
    assert_eq!(
        format::exposure_shortfall("2.0", 0.0, 1000, setting, Some(&ten_minutes)),
        "2.0 has 0 of the 1000 transactions needed (--min-transactions)",
        "no pace without traffic"
    );
    let empty = Window {
        start: ten_minutes.start,
        end: ten_minutes.start,
    };
    assert_eq!(
        format::exposure_shortfall("2.0", 300.0, 1000, setting, Some(&empty)),
        "2.0 has 300 of the 1000 transactions needed (--min-transactions)",
        "no pace over no time"
    );
}

#[test]
fn an_error_rate_short_of_transactions_names_each_side_and_the_pace() {
    let short = |candidate: f64, baseline: f64| {
        let obs = observations(
            vec![],
            rates(ExposureKind::Transactions, (5, candidate), (5, baseline)),
            no_sessions(),
        );
        run(&obs, &policy(), &Acks::default())[2].clone()
    };
    let outcome = short(999.0, 1000.0);
    let hint = outcome.hint.unwrap_or_default();
    assert!(
        hint.contains(
            "2.0 has 999 of the 1000 transactions needed (--min-transactions) (at its pace so far"
        ),
        "{hint}"
    );
    assert!(!hint.contains("the baseline has"), "{hint}");
    let outcome = short(1000.0, 999.0);
    let hint = outcome.hint.unwrap_or_default();
    assert!(
        !hint.contains("2.0 has"),
        "exactly the minimum is enough: {hint}"
    );
    assert!(
        hint.contains("the baseline has 999 of the 1000 transactions needed"),
        "{hint}"
    );
    assert_eq!(outcome.numbers["candidate"]["version"], "2.0");
    assert_eq!(outcome.numbers["candidate"]["exposure"], 1000.0);
}

#[test]
fn latency_needs_the_minimum_of_transactions_on_each_side_and_reads_empty_sides_as_zero() {
    let at_minimum = latency_of((1000, 300.0, 10, 10), (1000, 300.0, 50, 10));
    let hint = at_minimum.hint.unwrap_or_default();
    assert!(
        !hint.contains("transactions needed"),
        "exactly the minimum is enough: {hint}"
    );
    let short = latency_of((999, 300.0, 10, 10), (999, 300.0, 50, 10));
    let hint = short.hint.unwrap_or_default();
    assert!(
        hint.contains("2.0 has 999 of the 1000 transactions needed"),
        "{hint}"
    );
    assert!(
        hint.contains("the baseline has 999 of the 1000 transactions needed"),
        "{hint}"
    );
    let silent = latency_of((0, 0.0, 0, 0), (10_000, 300.0, 500, 100));
    assert!(
        silent.detail.contains("0 of 0 (0.00%)"),
        "{}",
        silent.detail
    );
}

#[test]
fn statuses_have_table_labels() {
    let labels = [
        Status::Pass,
        Status::Fail,
        Status::Inconclusive,
        Status::Skipped,
    ]
    .map(Status::label);
    assert_eq!(labels, ["PASS", "FAIL", "INCONCLUSIVE", "SKIPPED"]);
}

#[test]
fn a_first_release_without_an_exposure_is_skipped_not_inconclusive() {
    let no_exposure = || {
        Ok(ErrorRates::NoExposure {
            candidate_errors: 3,
            reason: "no sessions or transactions".into(),
        })
    };
    let obs = observations(vec![], no_exposure(), no_sessions());
    let first = &run(&obs, &policy(), &Acks::default())[2];
    assert_eq!(first.status, Status::Skipped, "{}", first.detail);
    assert_eq!(first.value, "3 errors");
    let with_baseline = &run_with(&obs, &policy(), whole_budget(&policy()), None)[2];
    assert_eq!(with_baseline.status, Status::Inconclusive);
    assert_eq!(
        with_baseline.hint.as_deref(),
        Some("no sessions or transactions")
    );
}
