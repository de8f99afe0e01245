//! Rule `error-rate`: error events per session or transaction against the baseline's over matched
//! windows, and against `--max-error-rate` when one is set.

use super::format::{amount, exposure_shortfall, rate_text, ratio_text};
use super::outcome::{Rule, RuleInputs, RuleOutcome, Status, guarded, skipped};
use crate::gate::observations::{
    ErrorRateData, ErrorRates, ExposureKind, Observed, Side, Unavailable, Window,
};
use crate::gate::policy::{BETA, Policy, percent, probability};
use crate::gate::rate_decision::{
    Allowance, CeilingTest, Counts, Decision, RatioTest, Spent, Undecided,
};
use crate::gate::wording::Setting;
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
    if let (Some(test), Some(allowance)) = (inputs.tests.error_ceiling, inputs.budget.error_ceiling)
    {
        parts.push(ceiling(data, test, allowance, inputs));
    }
    let mut detail: Vec<String> = parts.iter().map(|part| part.detail.clone()).collect();
    if pooled.is_none() {
        detail.push(format!(
            "no comparison: {}",
            inputs.no_baseline.unwrap_or("there is no baseline")
        ));
    }
    detail.extend(data.note.clone());
    let mut numbers = json!({
        "exposure": data.kind.unit(),
        "candidate": side_json(&data.candidate),
        "baseline": pooled.map(|(errors, exposure)| json!({"errors": errors, "exposure": exposure})),
        "baselines": data.baselines.iter().map(side_json).collect::<Vec<_>>(),
        "alpha_spent": inputs.budget.false_alarm_spent(),
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
        rule: Rule::ErrorRate,
        status: combined(parts.iter().map(|part| part.status)),
        value: rate_text(data.kind, data.candidate.errors, data.candidate.exposure),
        baseline: pooled.map(|(errors, exposure)| rate_text(data.kind, errors, exposure)),
        threshold,
        detail: detail.join("; "),
        numbers,
        issues: Vec::new(),
        missing_scope: None,
        hint: (!hint.is_empty()).then(|| hint.join("; ")),
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
    let candidate = &data.candidate;
    let unit = data.kind.unit();
    let allowance = inputs.budget.error_ratio;
    let judgement = inputs.tests.error_ratio.judge(
        Counts::new(candidate.errors, candidate.exposure),
        Counts::new(base_errors, base_exposure),
        allowance,
    );
    let mut short = shortfall(data, base_exposure, inputs.policy);
    if judgement.decision == Decision::Undecided(Undecided::NotEnoughEvidence) {
        short.extend(more_data_to_pass(
            &inputs.tests.error_ratio,
            judgement.candidate,
            judgement.baseline,
            inputs.policy,
        ));
    }
    let (status, hint) = guarded(judgement.decision, short, unit);
    let baselines = data
        .baselines
        .iter()
        .map(|side| {
            let how = side.choice.map(|c| c.describe()).unwrap_or_default();
            format!("{} ({how})", side.version)
        })
        .collect::<Vec<_>>()
        .join(", ");
    let interval = judgement.interval(0.95);
    let detectable = judgement.detectable_ratio();
    let mut detail = format!(
        "{} per {} against {baselines}; {} vs {} errors over {} vs {} {unit}; \
         fail p = {} vs this look's α {}, pass p = {} vs β {}; \
         smallest increase this look could catch: {}; α spent so far {}",
        ratio_text(judgement.ratio(), interval),
        per(data.kind),
        candidate.errors,
        base_errors,
        amount(candidate.exposure),
        amount(base_exposure),
        probability(judgement.fail_p_value),
        probability(allowance.false_alarm),
        probability(judgement.pass_p_value),
        probability(allowance.false_pass),
        detectable.map_or("none".into(), |r| format!("×{r:.2}")),
        probability(allowance.spent.false_alarm),
    );
    if let Some(hint) = &hint {
        detail.push_str(&format!("; undecided: {hint}"));
    }
    Part {
        status,
        detail,
        hint,
        numbers: json!({
            "ratio": judgement.ratio(),
            "ratio_interval_95": [interval.0, interval.1],
            "p_value": judgement.fail_p_value,
            "pass_p_value": judgement.pass_p_value,
            "look_alpha": allowance.false_alarm,
            "look_beta": allowance.false_pass,
            "detectable_ratio": detectable,
        }),
    }
}

/// The candidate's own rate against `--max-error-rate`.
fn ceiling(
    data: &ErrorRateData,
    test: CeilingTest,
    allowance: Allowance,
    inputs: &RuleInputs<'_>,
) -> Part {
    let candidate = &data.candidate;
    let judgement = test.judge(Counts::new(candidate.errors, candidate.exposure), allowance);
    let mut short = Vec::new();
    let (needed, setting) = inputs.policy.minimums.exposure(data.kind);
    if candidate.exposure < needed as f64 {
        short.push(exposure_shortfall(
            &candidate.version,
            candidate.exposure,
            needed,
            (data.kind.unit(), inputs.policy.wording.name(setting)),
            paced(data.kind, &candidate.window),
        ));
    }
    let (status, hint) = guarded(judgement.decision, short, data.kind.unit());
    let (low, high) = judgement.interval(0.95);
    let high_text = if high.is_finite() {
        format!("{high:.4}")
    } else {
        "∞".into()
    };
    let mut detail = format!(
        "{} errors per {} (95% CI {low:.4}–{high_text}) against the ceiling {}: fail p = {} vs this look's α {}, pass p = {} vs β {}",
        judgement.rate().map_or("no".into(), |r| format!("{r:.4}")),
        per(data.kind),
        judgement.max_rate,
        probability(judgement.fail_p_value),
        probability(allowance.false_alarm),
        probability(judgement.pass_p_value),
        probability(allowance.false_pass),
    );
    if let Some(hint) = &hint {
        detail.push_str(&format!("; undecided: {hint}"));
    }
    Part {
        status,
        detail,
        hint: hint.map(|h| format!("ceiling: {h}")),
        numbers: json!({"ceiling": {
            "max_rate": judgement.max_rate,
            "rate": judgement.rate(),
            "rate_interval_95": [low, high],
            "p_value": judgement.fail_p_value,
            "pass_p_value": judgement.pass_p_value,
            "look_alpha": allowance.false_alarm,
            "look_beta": allowance.false_pass,
            "detectable_rate": judgement.detectable_rate(),
        }}),
    }
}

/// How much more data, at the rates seen, would let the pass test rule out the margin: the
/// multiple of the data so far that a look with the soak look's share of β passes on, in words.
/// Nothing when the rates seen could not pass at any size (an increase at or beyond the margin).
fn more_data_to_pass(
    test: &RatioTest,
    candidate: Counts,
    baseline: Counts,
    policy: &Policy,
) -> Option<String> {
    const LARGEST: f64 = 1024.0;
    let soak_look = Allowance {
        false_alarm: 0.0,
        false_pass: 0.8 * BETA,
        spent: Spent::default(),
        soak_over: true,
    };
    let scaled = |counts: Counts, factor: f64| {
        Counts::new(
            (counts.events as f64 * factor).round() as u64,
            counts.exposure * factor,
        )
    };
    let passes = |factor: f64| {
        test.judge(
            scaled(candidate, factor),
            scaled(baseline, factor),
            soak_look,
        )
        .decision
            == Decision::Pass
    };
    let mut high = 1.0;
    while !passes(high) {
        high *= 2.0;
        if high > LARGEST {
            return None;
        }
    }
    let mut low = high / 2.0;
    for _ in 0..16 {
        let middle = (low + high) / 2.0;
        if passes(middle) {
            high = middle;
        } else {
            low = middle;
        }
    }
    let margin = percent(policy.max_increase);
    Some(if high <= 1.05 {
        format!("at the rates seen a slightly longer watch would likely rule out +{margin}")
    } else {
        format!(
            "at the rates seen, ruling out +{margin} takes about {high:.1} times the data so far ({})",
            policy.wording.name(Setting::LongerWatch)
        )
    })
}

/// Transactions are counted to the minute, so their pace says how long a minimum takes;
/// sessions are counted by the hour, which hides it.
fn paced(kind: ExposureKind, window: &Window) -> Option<&Window> {
    (kind == ExposureKind::Transactions).then_some(window)
}

/// The windows' exposure below the policy's minimum, in words.
fn shortfall(data: &ErrorRateData, base_exposure: f64, policy: &Policy) -> Vec<String> {
    let (needed, setting) = policy.minimums.exposure(data.kind);
    let unit = (data.kind.unit(), policy.wording.name(setting));
    let candidate = &data.candidate;
    let mut short = Vec::new();
    if candidate.exposure < needed as f64 {
        short.push(exposure_shortfall(
            &candidate.version,
            candidate.exposure,
            needed,
            unit,
            paced(data.kind, &candidate.window),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::rate_decision::EventFloors;

    fn test() -> RatioTest {
        let floors = EventFloors {
            to_fail: 10,
            to_pass: 25,
        };
        RatioTest::new(0.25, floors).unwrap()
    }

    /// Events over 10,000 units of exposure.
    fn even(events: u64) -> (u64, f64) {
        (events, 1e4)
    }

    /// Whether `factor` times the counts pass with the soak look's β, scaled on their own.
    fn passes_at(candidate: (u64, f64), baseline: (u64, f64), factor: f64) -> bool {
        let counts = |(events, exposure): (u64, f64)| {
            Counts::new((events as f64 * factor).round() as u64, exposure * factor)
        };
        let allowance = Allowance {
            false_alarm: 0.0,
            false_pass: 0.8 * BETA,
            spent: Spent::default(),
            soak_over: true,
        };
        test()
            .judge(counts(candidate), counts(baseline), allowance)
            .decision
            == Decision::Pass
    }

    fn hint(candidate: (u64, f64), baseline: (u64, f64)) -> Option<String> {
        let policy = Policy::single_check("2.0", "production", vec![]).unwrap();
        let counts = |(events, exposure)| Counts::new(events, exposure);
        more_data_to_pass(&test(), counts(candidate), counts(baseline), &policy)
    }

    #[test]
    fn the_hint_names_the_smallest_multiple_of_the_data_that_passes() {
        // From just over 1 (where doubling overshoots most) to near the largest multiple tried.
        let cases = [
            (even(100), even(100)),
            (even(5), even(10)),
            (even(30), even(30)),
            (even(110), even(100)),
            (even(124), even(100)),
        ];
        for (candidate, baseline) in cases {
            let text = hint(candidate, baseline).unwrap();
            let factor: f64 = text
                .split("takes about ")
                .nth(1)
                .and_then(|rest| rest.split(' ').next())
                .and_then(|number| number.parse().ok())
                .unwrap_or_else(|| panic!("no multiple in {text:?}"));
            // The text rounds to a tenth.
            let (above, below) = (factor * 1.01 + 0.05, factor * 0.99 - 0.05);
            assert!(
                passes_at(candidate, baseline, above),
                "{candidate:?}/{baseline:?}: {text}"
            );
            assert!(
                !passes_at(candidate, baseline, below),
                "{candidate:?}/{baseline:?}: {text}"
            );
            assert!(
                text.ends_with("times the data so far (a longer --soak and --timeout)"),
                "{text}"
            );
        }
        assert!(
            hint(even(124), even(100))
                .unwrap()
                .contains("about 860.6 times"),
            "beyond 512, under 1024"
        );
    }

    #[test]
    fn a_hint_for_a_little_more_data_or_none_at_the_margin() {
        assert_eq!(
            hint(even(15), even(30)).as_deref(),
            Some("at the rates seen a slightly longer watch would likely rule out +25%")
        );
        assert!(passes_at(even(15), even(30), 1.0));
        assert_eq!(
            hint(even(37), even(30)),
            None,
            "×1.23: ruling out +25% takes more than 1024 times the data"
        );
        assert_eq!(hint(even(40), even(30)), None, "×1.33 is beyond the margin");
    }
}
