//! Rule `crash-free`: crash-free sessions against a floor and the baseline's crash rate.

use super::format::{exposure_shortfall, ratio_text};
use super::outcome::{Rule, RuleInputs, RuleOutcome, Status, skipped, status_of};
use crate::gate::observations::{Observed, SessionData, Unavailable};
use crate::gate::policy::{percent, probability};
use crate::gate::rate_decision::{Counts, Decision};
use crate::gate::wording::Setting;
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
    let tests = inputs.tests;
    let budget = &inputs.budget;
    let floor = tests.crash_floor.judge(
        Counts::new(candidate.crashed, candidate.sessions as f64),
        budget.crash_floor,
    );
    let comparison = data
        .baseline
        .filter(|b| b.sessions >= min_sessions)
        .map(|base| {
            tests.crash_ratio.judge(
                Counts::new(candidate.crashed, candidate.sessions as f64),
                Counts::new(base.crashed, base.sessions as f64),
                budget.crash_ratio,
            )
        });
    let comparison_fails = comparison.is_some_and(|c| c.decision == Decision::Fail);
    // Crashes are rare, so ruling out +25% against the baseline would take many of them: the
    // floor carries a pass, the comparison can only fail it.
    let status = match status_of(floor.decision) {
        Status::Fail => Status::Fail,
        _ if comparison_fails => Status::Fail,
        Status::Pass if candidate.sessions >= min_sessions => Status::Pass,
        _ => Status::Inconclusive,
    };
    let mut detail = format!(
        "{} of {} sessions crashed; below the floor: fail p = {} vs this look's α {}, above it: pass p = {} vs β {}",
        candidate.crashed,
        candidate.sessions,
        probability(floor.fail_p_value),
        probability(budget.crash_floor.false_alarm),
        probability(floor.pass_p_value),
        probability(budget.crash_floor.false_pass),
    );
    match (&comparison, data.baseline) {
        (Some(c), Some(base)) => detail.push_str(&format!(
            "; crash rate against the baseline ({} of {} crashed): {}, fail p = {} vs α {}",
            base.crashed,
            base.sessions,
            ratio_text(c.ratio(), c.interval(0.95)),
            probability(c.fail_p_value),
            probability(budget.crash_ratio.false_alarm)
        )),
        _ => detail.push_str(&format!(
            "; no baseline with {min_sessions} sessions to compare with"
        )),
    }
    let hint = (status == Status::Inconclusive).then(|| {
        let mut reasons = Vec::new();
        if let Decision::Undecided(why) = floor.decision {
            reasons.push(why.explain("sessions"));
        }
        if candidate.sessions < min_sessions {
            reasons.push(exposure_shortfall(
                &policy.version,
                candidate.sessions as f64,
                min_sessions,
                ("sessions", policy.wording.name(Setting::MinSessions)),
                None,
            ));
        }
        reasons.join(", ")
    });
    if let Some(hint) = &hint {
        detail.push_str(&format!("; undecided: {hint}"));
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
            "floor_p_value": floor.fail_p_value,
            "floor_pass_p_value": floor.pass_p_value,
            "baseline": data.baseline.map(|b| json!({"sessions": b.sessions, "crashed": b.crashed})),
            "baseline_p_value": comparison.map(|c| c.fail_p_value),
            "alpha_spent": budget.false_alarm_spent(),
        }),
        issues: Vec::new(),
        missing_scope: None,
        hint,
    }
}
