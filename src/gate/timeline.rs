//! The watch: look every interval from the deploy until a verdict (`judge` judges each look),
//! surviving transient errors. Live, on the clock's time, with `--timeout` a deadline that every
//! request is cut at; or replayed as of a past instant (`--at`, `release backtest`), on a clock of
//! its own that starts at the deploy.
//!
//! # The deadline
//!
//! A live watch ends by its deadline: `--timeout` after the deploy, or after the start of the run
//! when that is later (a gate started late still gets its one look). No look starts after it, the
//! last look starts early enough to end by it (as early as the slowest look so far took, and half
//! again), and every request, retries included, is cut at it. When Sentry has not answered by then,
//! the verdict is inconclusive with that reason: the last answered look is reported, or no rule at
//! all when none was. A `--timeout` of zero is one look now, bounded by the caller (the MCP tool's
//! call timeout).

use super::acks::Acks;
use super::attribution::attribute;
use super::chart::RatePoint;
use super::clock::{Clock, ReplayClock};
use super::error::{GateError, LookError};
use super::judge::{Judge, delta};
use super::observations::Setup;
use super::policy::{MAX_WATCH, Policy, Verdict, human_duration};
use super::report::{Ending, Report};
use super::rules::{RuleOutcome, not_evaluated};
use super::sentry_data::SentryData;
use crate::sentry::ApiError;
use crate::sentry::models::Issue;
use crate::time::timestamp;
use chrono::{DateTime, TimeDelta, Utc};
use std::future::Future;
use std::time::{Duration, Instant};

/// Looks in a row that may fail with transient errors before the run ends with exit 2.
pub const MAX_FAILED_LOOKS: u32 = 4;

/// Where progress lines go (stderr for the command, nowhere for the MCP tool).
pub type Progress<'a> = &'a mut (dyn FnMut(String) + Send);

/// How a watch meets time.
#[derive(Debug, Clone, Copy)]
enum Course {
    /// On the clock's time; with a deadline unless the timeout is zero.
    Live {
        /// When the run must end (and every request with it).
        deadline: Option<DateTime<Utc>>,
    },
    /// A past watch, looked at up to this instant.
    Replay {
        /// The replayed instant: no look after it.
        until: DateTime<Utc>,
    },
}

impl Course {
    /// Whether the look at `at` is the last one the deadline leaves room for. A replay's instant
    /// less than a second before the deadline is the deadline: queries ask to the second.
    fn is_last(self, at: DateTime<Utc>, judge_deadline: DateTime<Utc>, reserve: TimeDelta) -> bool {
        match self {
            Self::Live { deadline: Some(_) } => at + reserve >= judge_deadline,
            Self::Live { deadline: None } => false,
            Self::Replay { until } => at >= until && judge_deadline - until < TimeDelta::seconds(1),
        }
    }

    /// The latest time the next look may start at.
    fn latest_look(self, judge_deadline: DateTime<Utc>, reserve: TimeDelta) -> DateTime<Utc> {
        match self {
            Self::Live { deadline: Some(_) } => judge_deadline - reserve,
            Self::Live { deadline: None } => judge_deadline,
            Self::Replay { until } => judge_deadline.min(until),
        }
    }

    /// When waiting after a failed look would be pointless.
    fn stop(self) -> Option<DateTime<Utc>> {
        match self {
            Self::Live { deadline } => deadline,
            Self::Replay { .. } => None,
        }
    }
}

/// Watches the release live until a verdict or the deadline, and returns the report.
pub async fn watch<C: Clock>(
    data: &SentryData<'_>,
    policy: &Policy,
    acks: &Acks,
    clock: &C,
    progress: Progress<'_>,
) -> Result<Report, GateError> {
    let started = clock.now();
    let timeout = (!policy.timeout.is_zero()).then(|| delta(policy.timeout));
    // The deploy came before the run, so its deadline is at most the timeout from now.
    let setup_deadline = timeout.map(|timeout| started + timeout);
    let setup = match setup_deadline {
        Some(deadline) => {
            let bounded = data.within(instant_at(clock, deadline));
            persist(clock, policy.interval, setup_deadline, progress, || {
                bounded.setup(clock.now())
            })
            .await
        }
        None => {
            persist(clock, policy.interval, None, progress, || {
                data.setup(clock.now())
            })
            .await
        }
    };
    let setup = match setup {
        Ok(setup) => setup,
        Err(Halt::OutOfTime(error)) => {
            let why = out_of_time(policy, &error);
            return Ok(Report::unanswered(policy, started, clock.now(), why));
        }
        Err(Halt::Failed(error)) => return Err(error),
    };
    let deadline = timeout.map(|timeout| setup.anchor.deployed.max(started) + timeout);
    let course = Course::Live { deadline };
    match deadline {
        Some(deadline) => {
            let bounded = data.within(instant_at(clock, deadline));
            run_looks(
                &bounded, policy, acks, clock, setup, started, course, progress,
            )
            .await
        }
        None => run_looks(data, policy, acks, clock, setup, started, course, progress).await,
    }
}

/// Replays the watch of the release's deploy as the gate would have run it, up to `until`: the
/// deploy it watches finished before `until`, the looks start at the deploy, and no look (so no
/// query) reaches past `until`. Waits only to pace requests and after failures.
pub async fn replay(
    data: &SentryData<'_>,
    policy: &Policy,
    acks: &Acks,
    until: DateTime<Utc>,
    progress: Progress<'_>,
) -> Result<Report, GateError> {
    let setup_clock = ReplayClock::new(until);
    let setup = persist(&setup_clock, policy.interval, None, progress, || {
        data.setup(until)
    })
    .await
    .map_err(Halt::into_error)?;
    let deployed = setup.anchor.deployed;
    let clock = ReplayClock::new(deployed);
    let course = Course::Replay { until };
    let report = run_looks(
        data, policy, acks, &clock, setup, deployed, course, progress,
    )
    .await?;
    Ok(report.replayed_at(until))
}

/// The looks of a watch whose setup is settled, until a verdict, the deadline or the replayed
/// instant.
#[allow(clippy::too_many_arguments)]
async fn run_looks<C: Clock>(
    data: &SentryData<'_>,
    policy: &Policy,
    acks: &Acks,
    clock: &C,
    setup: Setup,
    started: DateTime<Utc>,
    course: Course,
    progress: Progress<'_>,
) -> Result<Report, GateError> {
    for note in &setup.notes {
        progress(format!("note: {note}"));
    }
    let anchor = setup.anchor.deployed;
    let no_baseline = setup.baselines.as_ref().err().map(String::as_str);
    let link = |issue: &Issue| data.issue_link(issue);
    let mut judge = Judge::new(policy, acks, (anchor, started), no_baseline, &link)?;
    // How long before the deadline the last look starts: the slowest look so far, and half again.
    let mut reserve = TimeDelta::zero();
    let mut answered: Option<Ending> = None;
    let mut trend = Vec::new();
    loop {
        let observed = persist(clock, policy.interval, course.stop(), progress, || {
            data.observe(&setup, clock.now())
        })
        .await;
        let observations = match observed {
            Ok(observations) => observations,
            Err(Halt::OutOfTime(error)) => {
                let why = out_of_time(policy, &error);
                let ending = unanswered_look(answered, why, clock.now(), &judge);
                return Ok(conclude(data, policy, &setup, ending).await);
            }
            Err(Halt::Failed(error)) => return Err(error),
        };
        let at = observations.at;
        trend.extend(RatePoint::of(&observations, anchor, policy.max_increase));
        let look = if course.is_last(at, judge.deadline(), reserve) {
            judge.last_look(&observations)
        } else {
            judge.look(&observations)
        };
        reserve = reserve_after(reserve, clock.now() - at);
        progress(look_line(judge.looks(), at - anchor, &look.outcomes));
        let verdict = look.verdict.or_else(|| match course {
            Course::Replay { until } if at >= until => Some(not_yet(until, judge.deadline())),
            _ => None,
        });
        let ending = Ending {
            verdict: verdict
                .clone()
                .unwrap_or((Verdict::Inconclusive, String::new())),
            rules: look.outcomes,
            at,
            looks: judge.looks(),
            alpha_spent: judge.spent(),
            trend: trend.clone(),
        };
        if verdict.is_some() {
            return Ok(conclude(data, policy, &setup, ending).await);
        }
        answered = Some(ending);
        let latest = course.latest_look(judge.deadline(), reserve);
        let next = next_look(at, policy.interval, judge.soak_end(), latest);
        clock
            .sleep((next - clock.now()).to_std().unwrap_or_default())
            .await;
    }
}

/// The verdict of a replay that reached its instant before the watch decided.
fn not_yet(until: DateTime<Utc>, deadline: DateTime<Utc>) -> (Verdict, String) {
    (
        Verdict::Inconclusive,
        format!(
            "no verdict yet at {}: the watch would have gone on until {}",
            timestamp(until),
            timestamp(deadline)
        ),
    )
}

/// Why the deadline ended the watch.
fn out_of_time(policy: &Policy, error: &ApiError) -> String {
    format!(
        "time ran out: Sentry had not answered when the {} deadline came ({error})",
        human_duration(policy.timeout)
    )
}

/// The ending of a watch whose look the deadline cut: the last answered look, or no rule
/// evaluated when none was.
fn unanswered_look(
    answered: Option<Ending>,
    why: String,
    at: DateTime<Utc>,
    judge: &Judge<'_>,
) -> Ending {
    match answered {
        Some(last) => Ending {
            verdict: (
                Verdict::Inconclusive,
                format!("{why}; the last answered look is shown"),
            ),
            ..last
        },
        None => Ending {
            rules: not_evaluated(&why),
            verdict: (Verdict::Inconclusive, why),
            at,
            looks: judge.looks(),
            alpha_spent: judge.spent(),
            trend: Vec::new(),
        },
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

/// Why [`persist`] gave up.
enum Halt {
    /// The deadline came first, with the last error.
    OutOfTime(ApiError),
    /// The run ends with this error (exit 2).
    Failed(GateError),
}

impl Halt {
    /// The error of a watch without a deadline of its own (a deadline of the caller's ran out).
    fn into_error(self) -> GateError {
        match self {
            Self::OutOfTime(error) => GateError::Api(error),
            Self::Failed(error) => error,
        }
    }
}

/// Runs `attempt` until it gets through, pausing after each transient failure, and gives up after
/// [`MAX_FAILED_LOOKS`] failures in a row, or when the pause would reach `stop`.
async fn persist<T, C, F, Fut>(
    clock: &C,
    interval: Duration,
    stop: Option<DateTime<Utc>>,
    progress: Progress<'_>,
    mut attempt: F,
) -> Result<T, Halt>
where
    C: Clock,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, LookError>>,
{
    let mut failures = 0;
    loop {
        let error = match attempt().await {
            Ok(value) => return Ok(value),
            Err(LookError::Fatal(error)) => return Err(Halt::Failed(error)),
            Err(LookError::OutOfTime(error)) => return Err(Halt::OutOfTime(error)),
            Err(LookError::Transient(error)) => error,
        };
        failures += 1;
        if failures >= MAX_FAILED_LOOKS {
            return Err(Halt::Failed(GateError::Persistent {
                failures,
                last: error,
            }));
        }
        if stop.is_some_and(|stop| clock.now() + delta(interval) >= stop) {
            return Err(Halt::OutOfTime(error));
        }
        progress(format!(
            "look failed ({failures} of {MAX_FAILED_LOOKS} allowed in a row): {error}; trying again in {}",
            human_duration(interval)
        ));
        clock.retry_pause(interval).await;
    }
}

/// The real instant at which `clock` shows `when`.
fn instant_at<C: Clock>(clock: &C, when: DateTime<Utc>) -> Instant {
    let now = Instant::now();
    let left = (when - clock.now()).to_std().unwrap_or_default();
    now.checked_add(left.min(MAX_WATCH * 2)).unwrap_or(now)
}

/// The next look: one interval on, but never past the end of the soak (a pass should not wait a
/// whole interval for it) or the latest look the watch allows.
fn next_look(
    at: DateTime<Utc>,
    interval: Duration,
    soak_end: DateTime<Utc>,
    latest: DateTime<Utc>,
) -> DateTime<Utc> {
    let mut next = (at + delta(interval)).min(latest);
    if at < soak_end && soak_end < next {
        next = soak_end;
    }
    next.max(at)
}

/// How long before the deadline the last look starts, after a look that took `took`: the slowest
/// look so far, and half again.
fn reserve_after(reserve: TimeDelta, took: TimeDelta) -> TimeDelta {
    reserve.max(took * 3 / 2)
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

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + TimeDelta::minutes(minute)
    }

    #[test]
    fn looks_stop_at_the_end_of_the_soak_and_at_the_deadline() {
        let minute = Duration::from_secs(60);
        assert_eq!(next_look(at(0), minute * 5, at(3), at(20)), at(3));
        assert_eq!(next_look(at(3), minute * 5, at(3), at(20)), at(8));
        assert_eq!(next_look(at(18), minute * 5, at(3), at(20)), at(20));
    }

    #[test]
    fn a_live_deadline_moves_the_last_look_earlier_by_the_reserve() {
        let live = Course::Live {
            deadline: Some(at(15)),
        };
        let reserve = TimeDelta::seconds(30);
        assert_eq!(live.latest_look(at(15), reserve), at(15) - reserve);
        assert!(live.is_last(at(15) - reserve, at(15), reserve));
        assert!(!live.is_last(at(14), at(15), reserve));
        let replay = Course::Replay { until: at(12) };
        assert_eq!(replay.latest_look(at(15), reserve), at(12));
        assert!(!replay.is_last(at(12), at(15), reserve));
        let to_the_second = at(15) + TimeDelta::milliseconds(400);
        assert!(replay.is_last(at(12), at(12) + TimeDelta::milliseconds(400), reserve));
        assert!(!replay.is_last(at(12), to_the_second, reserve));
        let a_second_later = at(12) + TimeDelta::seconds(1);
        assert!(
            !replay.is_last(at(12), a_second_later, reserve),
            "a whole second is not the instant"
        );
        assert_eq!(replay.stop(), None);
        assert_eq!(live.stop(), Some(at(15)));
        let endless = Course::Live { deadline: None };
        assert!(!endless.is_last(at(1_000), at(15), reserve));
        assert_eq!(endless.latest_look(at(15), reserve), at(15));
        assert_eq!(endless.stop(), None);
    }

    #[test]
    fn the_last_look_keeps_the_slowest_look_and_half_again_before_the_deadline() {
        let seconds = TimeDelta::seconds;
        assert_eq!(reserve_after(TimeDelta::zero(), seconds(10)), seconds(15));
        assert_eq!(reserve_after(seconds(20), seconds(10)), seconds(20));
        assert_eq!(reserve_after(seconds(20), seconds(16)), seconds(24));
    }

    #[test]
    fn the_next_look_is_never_before_this_one() {
        let minute = Duration::from_secs(60);
        assert_eq!(
            next_look(at(10), minute, at(10), at(20)),
            at(11),
            "at the soak's end"
        );
        assert_eq!(
            next_look(at(10), minute, at(3), at(5)),
            at(10),
            "latest already past"
        );
    }

    /// A clock that moves only when the watch waits.
    struct TestClock(std::sync::Mutex<DateTime<Utc>>);

    impl Clock for TestClock {
        fn now(&self) -> DateTime<Utc> {
            *self.0.lock().unwrap()
        }

        fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
            *self.0.lock().unwrap() += delta(duration);
            std::future::ready(())
        }
    }

    fn rate_limited() -> ApiError {
        ApiError::RateLimited {
            detail: "slow down".into(),
        }
    }

    /// Runs `persist` over `answers` (one per attempt) from minute 0, looking every
    /// minute; returns how it ended, the progress lines and the clock's minute at the end.
    async fn persist_over(
        answers: Vec<Result<u32, LookError>>,
        stop: Option<DateTime<Utc>>,
    ) -> (Result<u32, Halt>, Vec<String>, i64) {
        let clock = TestClock(std::sync::Mutex::new(at(0)));
        let answers = std::sync::Mutex::new(answers.into_iter());
        let mut lines = Vec::new();
        let mut progress = |line: String| lines.push(line);
        let ended = persist(&clock, Duration::from_secs(60), stop, &mut progress, || {
            let next = answers.lock().unwrap().next().expect("an answer");
            std::future::ready(next)
        })
        .await;
        let minute = (clock.now() - at(0)).num_minutes();
        (ended, lines, minute)
    }

    fn transient() -> Result<u32, LookError> {
        Err(LookError::Transient(rate_limited()))
    }

    #[tokio::test]
    async fn transient_failures_are_asked_again_an_interval_later() {
        let (ended, lines, minute) =
            persist_over(vec![transient(), transient(), Ok(7)], None).await;
        assert!(matches!(ended, Ok(7)));
        assert_eq!(minute, 2);
        assert_eq!(lines.len(), 2);
        assert!(
            lines[1].starts_with("look failed (2 of 4 allowed in a row): "),
            "{}",
            lines[1]
        );
        assert!(lines[1].ends_with("; trying again in 1m"), "{}", lines[1]);
    }

    #[tokio::test]
    async fn four_failures_in_a_row_end_the_run() {
        let answers = vec![transient(), transient(), transient(), transient(), Ok(1)];
        let (ended, lines, _) = persist_over(answers, None).await;
        let Err(Halt::Failed(GateError::Persistent { failures, .. })) = ended else {
            panic!("not a persistent failure");
        };
        assert_eq!(failures, MAX_FAILED_LOOKS);
        assert_eq!(lines.len(), 3);
    }

    #[tokio::test]
    async fn fatal_and_late_answers_end_at_once() {
        let fatal = Err(LookError::Fatal(GateError::Api(rate_limited())));
        let (ended, _, minute) = persist_over(vec![fatal], None).await;
        assert!(matches!(ended, Err(Halt::Failed(GateError::Api(_)))));
        assert_eq!(minute, 0);
        let late = Err(LookError::OutOfTime(rate_limited()));
        let (ended, _, _) = persist_over(vec![late], None).await;
        assert!(matches!(ended, Err(Halt::OutOfTime(_))));
    }

    #[tokio::test]
    async fn no_pause_reaches_the_stop() {
        // At minute 1 a pause of one minute would end exactly at the stop: out of time.
        let (ended, lines, minute) =
            persist_over(vec![transient(), transient()], Some(at(2))).await;
        assert!(matches!(ended, Err(Halt::OutOfTime(_))));
        assert_eq!((lines.len(), minute), (1, 1));
        let (ended, _, _) = persist_over(vec![transient(), Ok(3)], Some(at(2))).await;
        assert!(matches!(ended, Ok(3)));
    }

    #[test]
    fn a_deadline_maps_to_a_real_instant_never_in_the_past_nor_unbounded() {
        let clock = TestClock(std::sync::Mutex::new(at(0)));
        let before = Instant::now();
        let soon = instant_at(&clock, at(0) + TimeDelta::seconds(10));
        let after = Instant::now();
        assert!(
            soon >= before + Duration::from_secs(10) && soon <= after + Duration::from_secs(10)
        );
        assert!(instant_at(&clock, at(-5)) <= Instant::now());
        let far = instant_at(&clock, at(10_000_000));
        assert!(far <= Instant::now() + MAX_WATCH * 2);
        assert!(far >= before + MAX_WATCH * 2);
    }

    #[test]
    fn a_look_cut_by_the_deadline_shows_the_last_answered_one_or_nothing_evaluated() {
        let policy = Policy::single_check("1.0", "production", vec![]).unwrap();
        let acks = Acks::default();
        let link = |_: &Issue| String::new();
        let judge = Judge::new(&policy, &acks, (at(0), at(0)), None, &link).unwrap();
        let answered = Ending {
            verdict: (Verdict::Inconclusive, String::new()),
            rules: not_evaluated("earlier")[..1].to_vec(),
            at: at(3),
            looks: 4,
            alpha_spent: 0.01,
            trend: Vec::new(),
        };
        let cut = unanswered_look(Some(answered), "time ran out".into(), at(5), &judge);
        assert_eq!(
            cut.verdict,
            (
                Verdict::Inconclusive,
                "time ran out; the last answered look is shown".into()
            )
        );
        assert_eq!((cut.at, cut.looks, cut.rules.len()), (at(3), 4, 1));
        let none = unanswered_look(None, "time ran out".into(), at(5), &judge);
        assert_eq!(none.verdict, (Verdict::Inconclusive, "time ran out".into()));
        assert_eq!((none.at, none.looks), (at(5), 0));
        assert_eq!(none.rules.len(), not_evaluated("x").len());
    }

    #[test]
    fn messages_name_the_look_the_deadline_and_the_replayed_instant() {
        let outcomes = not_evaluated("why");
        let line = look_line(3, TimeDelta::seconds(90), &outcomes[..2]);
        assert_eq!(
            line,
            "look 3 at +1m30s: new-issues SKIPPED, regressed-issues SKIPPED"
        );
        let (verdict, why) = not_yet(at(12), at(15));
        assert_eq!(verdict, Verdict::Inconclusive);
        assert_eq!(
            why,
            "no verdict yet at 1970-01-01T00:12:00Z: the watch would have gone on until 1970-01-01T00:15:00Z"
        );
        let mut policy = Policy::single_check("1.0", "production", vec![]).unwrap();
        policy.timeout = Duration::from_secs(900);
        let why = out_of_time(&policy, &rate_limited());
        assert!(
            why.starts_with("time ran out: Sentry had not answered when the 15m deadline came ("),
            "{why}"
        );
    }
}
