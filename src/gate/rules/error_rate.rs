//! Rule `error-rate`: error events per session or transaction against the baseline's over matched
//! windows, and against `--max-error-rate` when one is set.

use super::format::{amount, exposure_shortfall, rate_text, ratio_text};
use super::outcome::{ERROR_RATE_SHARE, Rule, RuleInputs, RuleOutcome, Status, skipped};
use crate::gate::observations::{
    ErrorRateData, ErrorRates, ExposureKind, Observed, Side, Unavailable,
};
use crate::gate::policy::{ALPHA, Policy, percent, probability};
use crate::gate::stats::compare_rates;
use serde_json::{Value, json};

/// Judges the candidate's error rate against the baseline's and the ceiling.
pub(super) fn error_rate(data: &Observed<ErrorRates>, inputs: &RuleInputs<'_>) -> RuleOutcome {
    let policy = inputs.policy;
    let threshold = threshold(policy);
    let rates = match data {
        Ok(rates) => rates,
        Err(why) => return skipped(Rule::ErrorRate, threshold, why),
    };
    let nothing_to_judge = inputs.no_baseline.is_some() && policy.max_error_rate.is_none();
    match rates {
        ErrorRates::NoExposure {
            candidate_errors,
            reason,
        } if nothing_to_judge => no_baseline(
            inputs,
            threshold,
            format!("{candidate_errors} errors"),
            json!({"errors": candidate_errors, "exposure": Value::Null, "why_no_exposure": reason}),
        ),
        ErrorRates::NoExposure {
            candidate_errors,
            reason,
        } => RuleOutcome {
            rule: Rule::ErrorRate,
            status: Status::Inconclusive,
            value: format!("{candidate_errors} errors"),
            baseline: None,
            threshold,
            detail: format!("no rate to judge: {reason}"),
            numbers: json!({"errors": candidate_errors, "exposure": Value::Null, "why_no_exposure": reason}),
            issues: Vec::new(),
            missing_scope: None,
            hint: Some(reason.clone()),
        },
        ErrorRates::Measured(data) if data.baselines.is_empty() && nothing_to_judge => no_baseline(
            inputs,
            threshold,
            rate_text(data.kind, data.candidate.errors, data.candidate.exposure),
            json!({"errors": data.candidate.errors, "exposure": data.kind.unit(), "amount": data.candidate.exposure}),
        ),
        ErrorRates::Measured(data) => measured(data, inputs, threshold),
    }
}

fn threshold(policy: &Policy) -> String {
    let increase = format!("≤ +{}", percent(policy.max_increase));
    match policy.max_error_rate {
        Some(ceiling) => format!("{increase}, ≤ {ceiling}/exposure"),
        None => increase,
    }
}

/// The first release: nothing to compare with and no ceiling asked for.
fn no_baseline(
    inputs: &RuleInputs<'_>,
    threshold: String,
    value: String,
    numbers: Value,
) -> RuleOutcome {
    let reason = inputs.no_baseline.unwrap_or("there is no baseline");
    RuleOutcome {
        value,
        numbers,
        ..skipped(
            Rule::ErrorRate,
            threshold,
            &Unavailable {
                reason: reason.to_owned(),
                missing_scope: None,
            },
        )
    }
}

/// A part of the rule (the comparison, the ceiling) with its verdict and reasoning.
struct Part {
    status: Status,
    detail: String,
    /// Merged into the rule's numbers.
    numbers: Value,
    /// What would decide it, when undecided.
    hint: Option<String>,
}

fn measured(data: &ErrorRateData, inputs: &RuleInputs<'_>, threshold: String) -> RuleOutcome {
    let pooled = data.pooled_baseline();
    let mut parts = Vec::new();
    parts.extend(pooled.map(|base| comparison(data, base, inputs)));
    let mut detail: Vec<String> = parts.iter().map(|part| part.detail.clone()).collect();
    if pooled.is_none() {
        detail.push(format!(
            "per {}; no comparison: {}",
            per(data.kind),
            inputs.no_baseline.unwrap_or("there is no baseline")
        ));
    }
    detail.extend(data.note.clone());
    let mut numbers = json!({
        "exposure": data.kind.unit(),
        "candidate": side_json(&data.candidate),
        "baseline": pooled.map(|(errors, exposure)| json!({"errors": errors, "exposure": exposure})),
        "baselines": data.baselines.iter().map(side_json).collect::<Vec<_>>(),
        "alpha_spent": inputs.budget.spent,
    });
    for part in &parts {
        if let (Some(all), Some(more)) = (numbers.as_object_mut(), part.numbers.as_object()) {
            all.extend(more.clone());
        }
    }
    let hint = parts
        .iter()
        .filter_map(|part| part.hint.clone())
        .collect::<Vec<_>>();
    RuleOutcome {
        hint: (!hint.is_empty()).then(|| hint.join("; ")),
        rule: Rule::ErrorRate,
        status: combined(parts.iter().map(|part| part.status)),
        value: rate_text(data.kind, data.candidate.errors, data.candidate.exposure),
        baseline: pooled.map(|(errors, exposure)| rate_text(data.kind, errors, exposure)),
        threshold,
        detail: detail.join("; "),
        numbers,
        issues: Vec::new(),
        missing_scope: None,
    }
}

/// Fail if any part fails, pass if every part passes, else undecided.
fn combined(statuses: impl Iterator<Item = Status>) -> Status {
    let statuses: Vec<Status> = statuses.collect();
    if statuses.contains(&Status::Fail) {
        Status::Fail
    } else if !statuses.is_empty() && statuses.iter().all(|s| *s == Status::Pass) {
        Status::Pass
    } else {
        Status::Inconclusive
    }
}

/// The candidate's rate against the (pooled) baseline's.
fn comparison(
    data: &ErrorRateData,
    (base_errors, base_exposure): (u64, f64),
    inputs: &RuleInputs<'_>,
) -> Part {
    let policy = inputs.policy;
    let candidate = &data.candidate;
    let alpha = inputs.budget.alpha * ERROR_RATE_SHARE;
    let result = compare_rates(
        candidate.errors,
        candidate.exposure,
        base_errors,
        base_exposure,
        policy.max_increase,
    );
    let shortfall = shortfall(data, base_errors, base_exposure, policy);
    let status = if result.p_value <= alpha {
        Status::Fail
    } else if shortfall.is_empty() {
        Status::Pass
    } else {
        Status::Inconclusive
    };
    let baselines = data
        .baselines
        .iter()
        .map(|side| {
            let how = side.choice.map(|c| c.describe()).unwrap_or_default();
            format!("{} ({how})", side.version)
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut detail = format!(
        "{} per {} against {baselines}; {} vs {} errors over {} vs {} {}; p = {} vs this look's α {} (spent {} of {})",
        ratio_text(&result),
        per(data.kind),
        candidate.errors,
        base_errors,
        amount(candidate.exposure),
        amount(base_exposure),
        data.kind.unit(),
        probability(result.p_value),
        probability(alpha),
        probability(inputs.budget.spent),
        ALPHA,
    );
    let hint = (status == Status::Inconclusive).then(|| shortfall.join(", "));
    if let Some(hint) = &hint {
        detail.push_str(&format!("; too little traffic to pass: {hint}"));
    }
    Part {
        status,
        detail,
        hint,
        numbers: json!({
            "ratio": result.ratio.filter(|r| r.is_finite()),
            "ratio_interval_95": [result.interval.0, result.interval.1],
            "p_value": result.p_value,
            "look_alpha": alpha,
        }),
    }
}

/// What is missing before the comparison may pass: exposure in each window, errors in all.
fn shortfall(
    data: &ErrorRateData,
    base_errors: u64,
    base_exposure: f64,
    policy: &Policy,
) -> Vec<String> {
    let (needed, flag) = match data.kind {
        ExposureKind::Sessions => (policy.minimums.sessions, "--min-sessions"),
        ExposureKind::Transactions => (policy.minimums.transactions, "--min-transactions"),
    };
    let unit = (data.kind.unit(), flag);
    // Transactions are counted to the minute, so their pace says how long the minimum takes;
    // sessions are counted by the hour, which hides it.
    let paced = |window| (data.kind == ExposureKind::Transactions).then_some(window);
    let mut short = Vec::new();
    let candidate = &data.candidate;
    if candidate.exposure < needed as f64 {
        short.push(exposure_shortfall(
            &candidate.version,
            candidate.exposure,
            needed,
            unit,
            paced(&candidate.window),
        ));
    }
    if base_exposure < needed as f64 {
        short.push(exposure_shortfall(
            "the baseline",
            base_exposure,
            needed,
            unit,
            None,
        ));
    }
    let errors = data.candidate.errors + base_errors;
    if errors < policy.minimums.errors {
        short.push(format!(
            "the windows have {errors} of the {} errors needed (--min-errors)",
            policy.minimums.errors
        ));
    }
    short
}

/// The exposure's unit in the singular.
fn per(kind: ExposureKind) -> &'static str {
    match kind {
        ExposureKind::Sessions => "session",
        ExposureKind::Transactions => "transaction",
    }
}

fn side_json(side: &Side) -> Value {
    json!({
        "version": side.version,
        "errors": side.errors,
        "exposure": side.exposure,
        "start": side.window.start,
        "end": side.window.end,
        "window": side.choice,
    })
}
