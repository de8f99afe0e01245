//! The watch: look every interval from the deploy until a verdict, spending the false-alarm budget
//! over the looks and surviving transient errors.

use super::acks::Acks;
use super::attribution::attribute;
use super::clock::Clock;
use super::error::{GateError, LookError};
use super::observations::Setup;
use super::policy::{ALPHA, Policy, Verdict, human_duration};
use super::report::{Ending, Report};
use super::rules::{LookBudget, RuleInputs, RuleOutcome, Status, evaluate};
use super::sentry_data::SentryData;
use super::stats::AlphaSpending;
use crate::sentry::models::Issue;
use chrono::{DateTime, TimeDelta, Utc};
use std::future::Future;
use std::time::Duration;

/// Looks in a row that may fail with transient errors before the run ends with exit 2.
pub const MAX_FAILED_LOOKS: u32 = 4;

/// Where progress lines go (stderr for the command, nowhere for the MCP tool).
pub type Progress<'a> = &'a mut (dyn FnMut(String) + Send);

/// Watches the release until a verdict and returns the report.
pub async fn watch<C: Clock>(
    data: &SentryData<'_>,
    policy: &Policy,
    acks: &Acks,
    clock: &C,
    progress: Progress<'_>,
) -> Result<Report, GateError> {
    let setup = persist(clock, policy.interval, &mut *progress, || {
        data.setup(clock.now())
    })
    .await?;
    let anchor = setup.anchor.deployed;
    let deadline = (anchor + delta(policy.timeout)).max(clock.now());
    let soak_end = anchor + delta(policy.soak);
    let spending = AlphaSpending::obrien_fleming(ALPHA);
    for note in &setup.notes {
        progress(format!("note: {note}"));
    }
    let no_baseline = setup.baselines.as_ref().err().map(String::as_str);
    let link = |issue: &Issue| data.issue_link(issue);
    let mut spent = 0.0;
    let mut looks = 0;
    loop {
        let observations = persist(clock, policy.interval, &mut *progress, || {
            data.observe(&setup, clock.now())
        })
        .await?;
        looks += 1;
        let at = observations.at;
        let cumulative = spending.spent(information_fraction(at - anchor, policy.timeout));
        let inputs = RuleInputs {
            policy,
            acks,
            today: at.date_naive(),
            budget: LookBudget {
                alpha: (cumulative - spent).max(0.0),
                spent: cumulative,
            },
            no_baseline,
            link: &link,
        };
        spent = cumulative;
        let outcomes = evaluate(&observations, &inputs);
        progress(look_line(looks, at - anchor, &outcomes));
        if let Some(verdict) = decide(&outcomes, at >= soak_end, at >= deadline, policy) {
            let ending = Ending {
                verdict,
                rules: outcomes,
                at,
                looks,
                alpha_spent: spent,
            };
            return Ok(conclude(data, policy, &setup, ending).await);
        }
        let next = next_look(at, policy.interval, soak_end, deadline);
        clock.sleep((next - at).to_std().unwrap_or_default()).await;
    }
}

/// The report of a finished watch, with suspect commits for the issues that count.
async fn conclude(
    data: &SentryData<'_>,
    policy: &Policy,
    setup: &Setup,
    mut ending: Ending,
) -> Report {
    let mut notes = setup.notes.clone();
    attribute(data, &mut ending.rules, &mut notes).await;
    Report::new(policy, setup, ending, notes)
}

/// Runs `attempt` until it gets through, waiting `interval` after each transient failure, and
/// gives up after [`MAX_FAILED_LOOKS`] failures in a row.
async fn persist<T, C, F, Fut>(
    clock: &C,
    interval: Duration,
    progress: Progress<'_>,
    mut attempt: F,
) -> Result<T, GateError>
where
    C: Clock,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, LookError>>,
{
    let mut failures = 0;
    loop {
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(LookError::Fatal(error)) => return Err(error),
            Err(LookError::Transient(error)) => {
                failures += 1;
                if failures >= MAX_FAILED_LOOKS {
                    return Err(GateError::Persistent {
                        failures,
                        last: error,
                    });
                }
                progress(format!(
                    "look failed ({failures} of {MAX_FAILED_LOOKS} allowed in a row): {error}; trying again in {}",
                    human_duration(interval)
                ));
                clock.sleep(interval).await;
            }
        }
    }
}

fn delta(duration: Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

/// How far through the planned watch a look is: time since the deploy over the timeout.
fn information_fraction(elapsed: TimeDelta, horizon: Duration) -> f64 {
    if horizon.is_zero() {
        return 1.0;
    }
    elapsed.num_milliseconds().max(0) as f64 / horizon.as_millis() as f64
}

/// The next look: one interval on, but never past the end of the soak (a pass should not wait a
/// whole interval for it) or the deadline.
fn next_look(
    at: DateTime<Utc>,
    interval: Duration,
    soak_end: DateTime<Utc>,
    deadline: DateTime<Utc>,
) -> DateTime<Utc> {
    let mut next = (at + delta(interval)).min(deadline);
    if at < soak_end && soak_end < next {
        next = soak_end;
    }
    next.max(at)
}

/// The verdict after a look, if there is one yet.
///
/// Any failure ends the watch at once (the statistical rules only fail within their share of the
/// budget, so early failures are safe). A pass needs the soak done and every evaluated rule
/// passing. At the deadline whatever is still inconclusive makes the verdict inconclusive.
pub fn decide(
    outcomes: &[RuleOutcome],
    soak_done: bool,
    deadline_reached: bool,
    policy: &Policy,
) -> Option<(Verdict, String)> {
    let named = |status: Status| {
        outcomes
            .iter()
            .filter(|o| o.status == status)
            .map(|o| o.rule.name())
            .collect::<Vec<_>>()
    };
    let failed = named(Status::Fail);
    if !failed.is_empty() {
        return Some((Verdict::Fail, format!("failed: {}", failed.join(", "))));
    }
    if outcomes.iter().all(|o| o.status == Status::Skipped) {
        return Some((
            Verdict::Inconclusive,
            "no rule could be evaluated, so nothing shows the release is healthy".into(),
        ));
    }
    let pending = named(Status::Inconclusive);
    if pending.is_empty() && soak_done {
        return Some((
            Verdict::Pass,
            format!(
                "every evaluated rule passes after the {} soak",
                human_duration(policy.soak)
            ),
        ));
    }
    let hints: Vec<String> = outcomes
        .iter()
        .filter(|o| o.status == Status::Inconclusive)
        .filter_map(|o| {
            o.hint
                .as_ref()
                .map(|hint| format!("{}: {hint}", o.rule.name()))
        })
        .collect();
    let hints = if hints.is_empty() {
        String::new()
    } else {
        format!(" ({})", hints.join("; "))
    };
    deadline_reached.then(|| {
        (
            Verdict::Inconclusive,
            format!(
                "timed out {} after the deploy with {} still inconclusive{hints}",
                human_duration(policy.timeout),
                pending.join(", ")
            ),
        )
    })
}

fn look_line(number: u32, elapsed: TimeDelta, outcomes: &[RuleOutcome]) -> String {
    let rules = outcomes
        .iter()
        .map(|o| format!("{} {}", o.rule.name(), o.status.label()))
        .collect::<Vec<_>>()
        .join(", ");
    let elapsed = human_duration(elapsed.to_std().unwrap_or_default());
    format!("look {number} at +{elapsed}: {rules}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::rules::Rule;
    use serde_json::Value;

    fn outcome(rule: Rule, status: Status) -> RuleOutcome {
        RuleOutcome {
            rule,
            status,
            value: String::new(),
            baseline: None,
            threshold: String::new(),
            detail: String::new(),
            numbers: Value::Null,
            issues: Vec::new(),
            missing_scope: None,
            hint: None,
        }
    }

    fn policy() -> Policy {
        Policy::single_check("1", "prod", vec![]).unwrap()
    }

    #[test]
    fn failures_end_the_watch_at_once_and_passes_wait_for_the_soak() {
        let fail = [
            outcome(Rule::NewIssues, Status::Fail),
            outcome(Rule::ErrorRate, Status::Inconclusive),
        ];
        assert_eq!(
            decide(&fail, false, false, &policy()).unwrap().0,
            Verdict::Fail
        );
        let pass = [
            outcome(Rule::NewIssues, Status::Pass),
            outcome(Rule::CrashFree, Status::Skipped),
        ];
        assert_eq!(decide(&pass, false, false, &policy()), None);
        assert_eq!(
            decide(&pass, true, false, &policy()).unwrap().0,
            Verdict::Pass
        );
    }

    #[test]
    fn the_deadline_turns_pending_rules_inconclusive() {
        let pending = [
            outcome(Rule::NewIssues, Status::Pass),
            outcome(Rule::ErrorRate, Status::Inconclusive),
        ];
        assert_eq!(decide(&pending, true, false, &policy()), None);
        let (verdict, reason) = decide(&pending, true, true, &policy()).unwrap();
        assert_eq!(verdict, Verdict::Inconclusive);
        assert!(reason.contains("error-rate"), "{reason}");
    }

    #[test]
    fn nothing_evaluated_is_never_a_pass() {
        let skipped = [outcome(Rule::NewIssues, Status::Skipped)];
        assert_eq!(
            decide(&skipped, true, false, &policy()).unwrap().0,
            Verdict::Inconclusive
        );
    }

    #[test]
    fn looks_stop_at_the_end_of_the_soak_and_at_the_deadline() {
        let at = |minute: i64| DateTime::<Utc>::UNIX_EPOCH + TimeDelta::minutes(minute);
        let minute = Duration::from_secs(60);
        assert_eq!(next_look(at(0), minute * 5, at(3), at(20)), at(3));
        assert_eq!(next_look(at(3), minute * 5, at(3), at(20)), at(8));
        assert_eq!(next_look(at(18), minute * 5, at(3), at(20)), at(20));
    }

    #[test]
    fn the_information_fraction_is_time_over_the_horizon() {
        let horizon = Duration::from_secs(600);
        assert_eq!(information_fraction(TimeDelta::seconds(300), horizon), 0.5);
        assert_eq!(information_fraction(TimeDelta::seconds(-5), horizon), 0.0);
        assert_eq!(
            information_fraction(TimeDelta::seconds(5), Duration::ZERO),
            1.0
        );
    }
}
