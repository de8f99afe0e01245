//! The watch: look every interval from the deploy until a verdict (`judge` judges each look),
//! surviving transient errors.

use super::acks::Acks;
use super::attribution::attribute;
use super::clock::Clock;
use super::error::{GateError, LookError};
use super::judge::{Judge, delta};
use super::observations::Setup;
use super::policy::{Policy, human_duration};
use super::report::{Ending, Report};
use super::rules::RuleOutcome;
use super::sentry_data::SentryData;
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
    for note in &setup.notes {
        progress(format!("note: {note}"));
    }
    let anchor = setup.anchor.deployed;
    let no_baseline = setup.baselines.as_ref().err().map(String::as_str);
    let link = |issue: &Issue| data.issue_link(issue);
    let mut judge = Judge::new(policy, acks, (anchor, clock.now()), no_baseline, &link)?;
    loop {
        let observations = persist(clock, policy.interval, &mut *progress, || {
            data.observe(&setup, clock.now())
        })
        .await?;
        let at = observations.at;
        let look = judge.look(&observations);
        progress(look_line(judge.looks(), at - anchor, &look.outcomes));
        if let Some(verdict) = look.verdict {
            let ending = Ending {
                verdict,
                rules: look.outcomes,
                at,
                looks: judge.looks(),
                alpha_spent: judge.spent(),
            };
            return Ok(conclude(data, policy, &setup, ending).await);
        }
        let next = next_look(at, policy.interval, judge.soak_end(), judge.deadline());
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

    #[test]
    fn looks_stop_at_the_end_of_the_soak_and_at_the_deadline() {
        let at = |minute: i64| DateTime::<Utc>::UNIX_EPOCH + TimeDelta::minutes(minute);
        let minute = Duration::from_secs(60);
        assert_eq!(next_look(at(0), minute * 5, at(3), at(20)), at(3));
        assert_eq!(next_look(at(3), minute * 5, at(3), at(20)), at(8));
        assert_eq!(next_look(at(18), minute * 5, at(3), at(20)), at(20));
    }
}
