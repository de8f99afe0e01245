//! Rule `error-rate`: error events per exposure against the baseline's, over matched windows.

use super::format::{amount, rate_text, ratio_text, unit};
use super::outcome::{ERROR_RATE_SHARE, Rule, RuleInputs, RuleOutcome, Status, skipped};
use crate::gate::observations::{ErrorRateData, ExposureKind, Observed, Unavailable};
use crate::gate::policy::{
    ALPHA, MIN_EVENTS_WITHOUT_EXPOSURE, MIN_SESSIONS, MIN_TRANSACTIONS, percent, probability,
};
use crate::gate::stats::compare_rates;
use serde_json::json;

/// Compares the candidate's error rate with the baseline's.
pub(super) fn error_rate(data: &Observed<ErrorRateData>, inputs: &RuleInputs<'_>) -> RuleOutcome {
    let policy = inputs.policy;
    let threshold = format!("≤ +{}", percent(policy.max_increase));
    let data = match data {
        Ok(data) => data,
        Err(why) => return skipped(Rule::ErrorRate, threshold, why),
    };
    let value = rate_text(data.kind, &data.candidate);
    let Some(base) = &data.baseline else {
        let reason = inputs.no_baseline.unwrap_or("there is no baseline");
        return RuleOutcome {
            value,
            numbers: json!({"errors": data.candidate.errors}),
            ..skipped(
                Rule::ErrorRate,
                threshold,
                &Unavailable {
                    reason: reason.to_owned(),
                    missing_scope: None,
                },
            )
        };
    };
    let candidate = &data.candidate;
    let alpha = inputs.budget.alpha * ERROR_RATE_SHARE;
    let unit = unit(data.kind);
    let comparison = compare_rates(
        candidate.errors,
        candidate.exposure.max(f64::MIN_POSITIVE),
        base.errors,
        base.exposure.max(f64::MIN_POSITIVE),
        policy.max_increase,
    );
    let enough = match data.kind {
        ExposureKind::Sessions => {
            candidate.exposure >= MIN_SESSIONS as f64 && base.exposure >= MIN_SESSIONS as f64
        }
        ExposureKind::Transactions => {
            candidate.exposure >= MIN_TRANSACTIONS as f64
                && base.exposure >= MIN_TRANSACTIONS as f64
        }
        ExposureKind::Minutes => candidate.errors + base.errors >= MIN_EVENTS_WITHOUT_EXPOSURE,
    };
    let no_traffic = candidate.exposure <= 0.0 || base.exposure <= 0.0;
    let status = if no_traffic {
        Status::Inconclusive
    } else if comparison.p_value <= alpha {
        Status::Fail
    } else if enough {
        Status::Pass
    } else {
        Status::Inconclusive
    };
    let mut detail = format!(
        "{}; {} vs {} errors over {} vs {} {unit}; p = {} vs this look's α {} (spent {} of {})",
        ratio_text(&comparison),
        candidate.errors,
        base.errors,
        amount(candidate.exposure),
        amount(base.exposure),
        probability(comparison.p_value),
        probability(alpha),
        probability(inputs.budget.spent),
        ALPHA,
    );
    if status == Status::Inconclusive {
        detail.push_str(&format!(
            "; too little traffic to decide: {}",
            match data.kind {
                ExposureKind::Sessions => format!("needs {MIN_SESSIONS} sessions in each window"),
                ExposureKind::Transactions =>
                    format!("needs {MIN_TRANSACTIONS} transactions in each window"),
                ExposureKind::Minutes => format!(
                    "without session or transaction counts, needs {MIN_EVENTS_WITHOUT_EXPOSURE} error events in the two windows together"
                ),
            }
        ));
    }
    if let Some(note) = &data.note {
        detail.push_str(&format!("; no transaction counts: {note}"));
    }
    RuleOutcome {
        rule: Rule::ErrorRate,
        status,
        value,
        baseline: Some(rate_text(data.kind, base)),
        threshold,
        detail,
        numbers: json!({
            "exposure": unit,
            "candidate": {"version": candidate.version, "errors": candidate.errors, "exposure": candidate.exposure,
                          "start": candidate.window.start, "end": candidate.window.end},
            "baseline": {"version": base.version, "errors": base.errors, "exposure": base.exposure,
                         "start": base.window.start, "end": base.window.end},
            "ratio": comparison.ratio.filter(|r| r.is_finite()),
            "ratio_interval_95": [comparison.interval.0, comparison.interval.1],
            "p_value": comparison.p_value,
            "look_alpha": alpha,
            "alpha_spent": inputs.budget.spent,
        }),
        issues: Vec::new(),
        missing_scope: None,
    }
}
