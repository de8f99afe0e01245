//! Rule `crash-free`: crash-free sessions against a floor and the baseline's crash rate.

use super::format::{exposure_shortfall, ratio_text};
use super::outcome::{
    CRASH_BASELINE_SHARE, CRASH_FLOOR_SHARE, Rule, RuleInputs, RuleOutcome, Status, skipped,
};
use crate::gate::observations::{Observed, SessionData, Unavailable};
use crate::gate::policy::{percent, probability};
use crate::gate::stats::{binomial_upper_tail, compare_rates};
use serde_json::json;

/// Checks the crash-free rate against the floor and the crash rate against the baseline's.
pub(super) fn crash_free(
    sessions: &Observed<Option<SessionData>>,
    inputs: &RuleInputs<'_>,
) -> RuleOutcome {
    let policy = inputs.policy;
    let threshold = format!(
        "≥ {}, crash rate ≤ +{}",
        percent(policy.min_crash_free),
        percent(policy.max_increase)
    );
    let data = match sessions {
        Ok(Some(data)) => data,
        Ok(None) => {
            let why = Unavailable {
                reason: "the projects send no sessions (release health is off), so there is no crash-free rate".into(),
                missing_scope: None,
            };
            return skipped(Rule::CrashFree, threshold, &why);
        }
        Err(why) => return skipped(Rule::CrashFree, threshold, why),
    };
    let rate_of = |sessions: u64, crashed: u64| {
        if sessions == 0 {
            "-".to_owned()
        } else {
            percent(1.0 - crashed as f64 / sessions as f64)
        }
    };
    let candidate = data.candidate;
    let min_sessions = policy.minimums.sessions;
    let floor_alpha = inputs.budget.alpha * CRASH_FLOOR_SHARE;
    let floor_p = binomial_upper_tail(
        candidate.crashed,
        candidate.sessions,
        1.0 - policy.min_crash_free,
    );
    let comparison = data
        .baseline
        .filter(|b| b.sessions >= min_sessions)
        .map(|base| {
            compare_rates(
                candidate.crashed,
                candidate.sessions.max(1) as f64,
                base.crashed,
                base.sessions as f64,
                policy.max_increase,
            )
        });
    let baseline_alpha = inputs.budget.alpha * CRASH_BASELINE_SHARE;
    let below_floor = candidate.sessions > 0 && floor_p <= floor_alpha;
    let above_baseline = comparison.is_some_and(|c| c.p_value <= baseline_alpha);
    let status = if below_floor || above_baseline {
        Status::Fail
    } else if candidate.sessions >= min_sessions {
        Status::Pass
    } else {
        Status::Inconclusive
    };
    let mut detail = format!(
        "{} of {} sessions crashed; below the floor: p = {} vs α {}",
        candidate.crashed,
        candidate.sessions,
        probability(floor_p),
        probability(floor_alpha)
    );
    match (&comparison, data.baseline) {
        (Some(c), Some(base)) => detail.push_str(&format!(
            "; crash rate against the baseline ({} of {} crashed): {}, p = {} vs α {}",
            base.crashed,
            base.sessions,
            ratio_text(c),
            probability(c.p_value),
            probability(baseline_alpha)
        )),
        _ => detail.push_str(&format!(
            "; no baseline with {min_sessions} sessions to compare with"
        )),
    }
    let hint = (status == Status::Inconclusive).then(|| {
        exposure_shortfall(
            &policy.version,
            candidate.sessions as f64,
            min_sessions,
            ("sessions", "--min-sessions"),
            None,
        )
    });
    if let Some(hint) = &hint {
        detail.push_str(&format!("; too few sessions to pass: {hint}"));
    }
    detail.push_str(" (the sessions API counts whole hours)");
    RuleOutcome {
        rule: Rule::CrashFree,
        status,
        value: rate_of(candidate.sessions, candidate.crashed),
        baseline: data.baseline.map(|b| rate_of(b.sessions, b.crashed)),
        threshold,
        detail,
        numbers: json!({
            "sessions": candidate.sessions,
            "crashed": candidate.crashed,
            "floor_p_value": floor_p,
            "baseline": data.baseline.map(|b| json!({"sessions": b.sessions, "crashed": b.crashed})),
            "baseline_p_value": comparison.map(|c| c.p_value),
            "alpha_spent": inputs.budget.spent,
        }),
        issues: Vec::new(),
        missing_scope: None,
        hint,
    }
}
