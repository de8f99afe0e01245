//! Rule `latency`: the release's transaction duration at a percentile (`--latency-percentile`,
//! p95 by default) and its transaction failure rate, against the baseline's over the same windows
//! as the error rate.
//!
//! # Comparing a percentile with counts
//!
//! Sentry gives each release's p95 but not how uncertain it is, so the rule does not test the
//! two p95s against each other. It tests the same claim with counts, through the kernel's exact
//! test for two rates. Let `t` be the baseline's p95 (weighted by transactions when several
//! releases are pooled). The release's p95 is more than `1 + m` times the baseline's exactly when
//! more than 5% of its transactions are slower than `(1 + m)·t`, and about 5% of the baseline's
//! are slower than `t`. So the rule counts both:
//!
//! - `k_c` of the release's `n_c` transactions slower than `(1 + m)·t`,
//! - `k_b` of the baseline's `n_b` transactions slower than `t`,
//!
//! and asks the kernel's ratio test, with no margin, whether the release's share `k_c / n_c` is
//! credibly above the baseline's share `k_b / n_b` (fail: the p95 rose by more than `m`) or
//! credibly below it (pass: a rise of `m` or more is ruled out). Both shares are counted, not
//! assumed, so Sentry's approximate percentile only moves the point where the durations are
//! compared, not the test's validity; and the noise of `t` itself (about `p(1 − p)/n_b` on the
//! baseline's share) is covered by the binomial noise the test already grants the baseline's count
//! (`(1 − p)/n_b`), when the release's durations are the baseline's stretched by a factor (the
//! usual shape of a slowdown). A release that is unchanged has about 2–3% of its transactions
//! beyond `1.2·t` against the baseline's 5%, a ratio near 0.5, and passes with enough
//! transactions; one exactly 20% slower sits at a ratio of 1 and stays undecided; one 50% slower
//! has 9–15% beyond and fails.
//!
//! The failure rate (statuses other than ok, cancelled and unknown, as Sentry's `failure_rate()`)
//! is the kernel's ratio test with margin `m`. Failures are rare like crashes, so ruling out a rise
//! would take far more of them than a soak sees: the failure rate can only fail the rule, and the
//! duration carries a pass. A pass also needs `--min-transactions` in each window.

use super::format::{amount, exposure_shortfall, ratio_text};
use super::outcome::{Rule, RuleInputs, RuleOutcome, Status, guarded, skipped};
use crate::gate::observations::{LatencyData, LatencySide, Observed, Unavailable};
use crate::gate::policy::{Policy, percent, probability};
use crate::gate::rate_decision::{Counts, Decision, RatioJudgement};
use crate::gate::wording::Setting;
use serde_json::{Value, json};

/// Judges the release's transaction durations and failures against the baseline's.
pub(super) fn latency(data: &Observed<LatencyData>, inputs: &RuleInputs<'_>) -> RuleOutcome {
    let policy = inputs.policy;
    let threshold = threshold(policy);
    let data = match data {
        Ok(data) => data,
        Err(why) => return skipped(Rule::Latency, threshold, why),
    };
    let unavailable = |reason: &str| Unavailable {
        reason: reason.to_owned(),
        missing_scope: None,
    };
    if !data.any_transactions() {
        let why = unavailable(
            "the projects send no transactions (tracing is off), so there is no latency to compare",
        );
        return skipped(Rule::Latency, threshold, &why);
    }
    let value = duration_text(policy, data.candidate.percentile_ms);
    if data.baselines.is_empty() {
        let why = unavailable(inputs.no_baseline.unwrap_or("there is no baseline"));
        return RuleOutcome {
            value,
            numbers: json!({"candidate": side_json(&data.candidate)}),
            ..skipped(Rule::Latency, threshold, &why)
        };
    }
    let base = data.pooled_baseline();
    let candidate = &data.candidate;
    let counts = |side: &LatencySide, events: u64| Counts::new(events, side.transactions as f64);
    let tests = inputs.tests;
    let budget = &inputs.budget;
    let durations = tests.latency.judge(
        counts(candidate, candidate.slower),
        counts(&base, base.slower),
        budget.latency,
    );
    let failures = tests.failures.judge(
        counts(candidate, candidate.failed),
        counts(&base, base.failed),
        budget.failures,
    );
    let (durations_status, hint) = guarded(
        durations.decision,
        shortfall(candidate, &base, policy),
        "transactions",
    );
    let status = if failures.decision == Decision::Fail {
        Status::Fail
    } else {
        durations_status
    };
    let mut detail = vec![
        durations_detail(data, &base, &durations, policy),
        failures_detail(candidate, &base, &failures),
    ];
    detail.extend(hint.as_ref().map(|hint| format!("undecided: {hint}")));
    RuleOutcome {
        rule: Rule::Latency,
        status,
        value,
        baseline: Some(duration_text(policy, base.percentile_ms)),
        threshold,
        detail: detail.join("; "),
        numbers: numbers(data, &base, &durations, &failures, policy, inputs),
        issues: Vec::new(),
        missing_scope: None,
        hint,
    }
}

fn threshold(policy: &Policy) -> String {
    let increase = percent(policy.latency.max_increase);
    format!(
        "p{} ≤ +{increase}, failures ≤ +{increase}",
        policy.latency.percentile
    )
}

/// `p95 352 ms`, or `p95 -` without transactions.
fn duration_text(policy: &Policy, milliseconds: Option<f64>) -> String {
    let duration = milliseconds.map_or("-".to_owned(), |ms| format!("{} ms", amount(ms.round())));
    format!("p{} {duration}", policy.latency.percentile)
}

/// A share of transactions, as `310 of 10000 (3.10%)`.
fn share_text(events: u64, transactions: u64) -> String {
    let share = if transactions > 0 {
        events as f64 / transactions as f64
    } else {
        0.0
    };
    format!("{events} of {transactions} ({:.2}%)", share * 100.0)
}

fn durations_detail(
    data: &LatencyData,
    base: &LatencySide,
    judgement: &RatioJudgement,
    policy: &Policy,
) -> String {
    let candidate = &data.candidate;
    let how = base
        .choice
        .map(|choice| format!(", {}", choice.describe()))
        .unwrap_or_default();
    let slower = match data.threshold_ms {
        Some(threshold) => format!(
            "{} slower than {} ms (+{} on the baseline's p{}) against {} of the baseline's slower than its p{}",
            share_text(candidate.slower, candidate.transactions),
            amount((threshold * (1.0 + policy.latency.max_increase)).round()),
            percent(policy.latency.max_increase),
            policy.latency.percentile,
            share_text(base.slower, base.transactions),
            policy.latency.percentile,
        ),
        None => "the baseline has no transactions, so nothing to count against".into(),
    };
    format!(
        "{} against {} ({}{how}): {slower}: {} of the shares, fail p = {} vs this look's α {}, pass p = {} vs β {}",
        duration_text(policy, candidate.percentile_ms),
        duration_text(policy, base.percentile_ms),
        base.version,
        ratio_text(judgement.ratio(), judgement.interval(0.95)),
        probability(judgement.fail_p_value),
        probability(judgement.allowance.false_alarm),
        probability(judgement.pass_p_value),
        probability(judgement.allowance.false_pass),
    )
}

fn failures_detail(
    candidate: &LatencySide,
    base: &LatencySide,
    judgement: &RatioJudgement,
) -> String {
    format!(
        "failed transactions {} against {}: {}, fail p = {} vs this look's α {} (failures can only fail the rule)",
        share_text(candidate.failed, candidate.transactions),
        share_text(base.failed, base.transactions),
        ratio_text(judgement.ratio(), judgement.interval(0.95)),
        probability(judgement.fail_p_value),
        probability(judgement.allowance.false_alarm),
    )
}

/// The windows' transactions below `--min-transactions`, in words.
fn shortfall(candidate: &LatencySide, base: &LatencySide, policy: &Policy) -> Vec<String> {
    let needed = policy.minimums.transactions;
    let unit = (
        "transactions",
        policy.wording.name(Setting::MinTransactions),
    );
    let mut short = Vec::new();
    if candidate.transactions < needed {
        short.push(exposure_shortfall(
            &candidate.version,
            candidate.transactions as f64,
            needed,
            unit,
            Some(&candidate.window),
        ));
    }
    if base.transactions < needed {
        short.push(exposure_shortfall(
            "the baseline",
            base.transactions as f64,
            needed,
            unit,
            None,
        ));
    }
    short
}

fn numbers(
    data: &LatencyData,
    base: &LatencySide,
    durations: &RatioJudgement,
    failures: &RatioJudgement,
    policy: &Policy,
    inputs: &RuleInputs<'_>,
) -> Value {
    let (low, high) = durations.interval(0.95);
    let (failures_low, failures_high) = failures.interval(0.95);
    json!({
        "percentile": policy.latency.percentile,
        "threshold_ms": data.threshold_ms,
        "slower_than_ms": data.threshold_ms.map(|t| t * (1.0 + policy.latency.max_increase)),
        "candidate": side_json(&data.candidate),
        "baseline": side_json(base),
        "baselines": data.baselines.iter().map(side_json).collect::<Vec<_>>(),
        "share_ratio": durations.ratio(),
        "share_ratio_interval_95": [low, high],
        "p_value": durations.fail_p_value,
        "pass_p_value": durations.pass_p_value,
        "look_alpha": durations.allowance.false_alarm,
        "look_beta": durations.allowance.false_pass,
        "failure_ratio": failures.ratio(),
        "failure_ratio_interval_95": [failures_low, failures_high],
        "failure_p_value": failures.fail_p_value,
        "failure_look_alpha": failures.allowance.false_alarm,
        "alpha_spent": inputs.budget.false_alarm_spent(),
    })
}

fn side_json(side: &LatencySide) -> Value {
    json!({
        "version": side.version,
        "transactions": side.transactions,
        "percentile_ms": side.percentile_ms,
        "slower": side.slower,
        "failed": side.failed,
        "start": side.window.start,
        "end": side.window.end,
        "window": side.choice,
    })
}
