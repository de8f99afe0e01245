//! The decision kernel of the rate rules: at each look of a watch, does the candidate's event rate
//! credibly exceed the baseline's by more than the margin (`Fail`), do the data rule that out
//! (`Pass`), or neither yet (`Undecided`, with the reason)? The same for a ceiling on the
//! candidate's own rate. Pure functions over counts: no Sentry, no clock, no policy type.
//!
//! # Wiring
//!
//! Once per watch and rate rule, build a plan and a test; at each look, take the look's allowance
//! and judge the cumulative counts since the deploy. The baseline's counts cover a window as long
//! as the candidate's, after its own deploy; a baseline pooled over several releases is the sum
//! of their counts ([`Counts::pooled`]), and the kernel sees no difference.
//!
//! ```
//! use sentry_companion::gate::rate_decision::{
//!     Counts, Decision, EventFloors, RatioTest, SpendingPlan, Spent,
//! };
//! use std::time::Duration;
//!
//! let minutes = |m: u64| Duration::from_secs(60 * m);
//! // The rule's share of the gate's false-alarm budget, and the whole false-pass budget.
//! let plan = SpendingPlan::new(minutes(10), minutes(15), 0.05 * 0.5, 0.05).unwrap();
//! let test = RatioTest::new(0.25, EventFloors::default()).unwrap();
//! let mut spent = Spent::default();
//! let mut decisions = Vec::new();
//! for (minute, candidate, baseline) in [(1, 40, 38), (10, 410, 400)] {
//!     let allowance = plan.allowance(spent, minutes(minute));
//!     spent = allowance.spent;
//!     let sessions = 1_000.0 * minute as f64;
//!     let judgement = test.judge(
//!         Counts::new(candidate, sessions),
//!         Counts::new(baseline, sessions),
//!         allowance,
//!     );
//!     decisions.push(judgement.decision);
//! }
//! // Nothing is decided in the first minute; ten minutes at the same rate rule out +25 %.
//! assert!(matches!(decisions[0], Decision::Undecided(_)));
//! assert_eq!(decisions[1], Decision::Pass);
//! ```
//!
//! - `Decision::Fail` and `Decision::Pass` map to the rule's statuses; `Decision::Undecided(why)`
//!   to inconclusive, with `why.explain("sessions")` as the reason. At the timeout the watch turns
//!   an undecided rule into an inconclusive verdict, as it does today.
//! - The report's numbers are the judgement's: `ratio()`, `interval(0.95)`, `fail_p_value`
//!   against `allowance.false_alarm`, `allowance.spent` of `plan.false_alarm()`, and
//!   `detectable_ratio()` (the smallest increase this look could catch).
//! - `timeline` keeps `spent` between looks in place of its O'Brien–Fleming call, and passes the
//!   time since the deploy; the plan itself allows no pass before the soak.
//! - A pass is evidence in itself, so the minimum-traffic constants no longer guard it; the
//!   [`EventFloors`] are the knobs that remain (`--min-errors`).
//! - One kind of exposure per comparison (sessions, else transactions): the caller never mixes.
//! - The ceiling (`--max-error-rate`) is another test, [`CeilingTest`], judged on the release's
//!   counts alone with a plan of its own share of `α` and the same `β`. A rule that has both
//!   fails when either fails and passes when both pass. The crash rate against the baseline is
//!   the same [`RatioTest`] over crashed sessions, and the crash-free floor a [`CeilingTest`] on
//!   the crash rate.
//!
//! # The test at one look
//!
//! The candidate has `k_c` events over exposure `n_c`, the baseline `k_b` over `n_b`, both
//! Poisson, with true rate ratio `r = λ_c / λ_b` and limit `ρ = 1 + margin`. Given the total
//! `K = k_c + k_b`, the candidate's share is binomial, `k_c | K ~ Binomial(K, π(r))` with
//! `π(r) = r·n_c / (r·n_c + n_b)`, whatever the baseline's rate. This conditional binomial test
//! (Przyborowski and Wilenski, 1940; the uniformly most powerful unbiased test for two Poisson
//! rates) is exact at any count, zero included.
//!
//! - **Fail** when `p_fail = P[Binomial(K, π(ρ)) ≥ k_c] ≤ α_j`: an increase beyond the margin is
//!   credible. Equivalently, the exact lower confidence bound of the ratio at level `1 − α_j` is
//!   above `ρ`.
//! - **Pass** when `p_pass = P[Binomial(K, π(ρ)) ≤ k_c] ≤ β_j`: the data rule out an increase of
//!   the margin or more. Equivalently, the exact (Clopper–Pearson) upper confidence bound of the
//!   ratio at level `1 − β_j` is at most `ρ`. This is the one-sided test of a non-inferiority
//!   trial ("proving the null hypothesis", Blackwelder 1982): a pass is evidence, not an absence
//!   of alarm. Passes are allowed from the end of the soak on.
//! - Both cannot hold at once: `p_fail + p_pass = 1 + P[k_c] > 1 > α_j + β_j`.
//! - **Floors.** A fail needs [`EVENTS_TO_FAIL`] events from the release, a pass
//!   [`EVENTS_TO_PASS`] in the two windows together (the proposed defaults). Real errors come in
//!   bursts (one client looping), which the Poisson model does not know; and a handful of events
//!   can rule out +25 % only by luck of the split: without the pass floor, a doubled error rate at
//!   20 errors/h passes about 2 watches in 1,000 (`scripts/gate-stats.sh`).
//!
//! A baseline with no events over real exposure is an ordinary input: the ratio has no point
//! estimate but a finite lower bound, and the test decides as for any split. Twelve events
//! against none over equal exposure fail at the soak (`p = 0.0009`); eight are credible
//! (`p = 0.009`) but under the floor; against a baseline with a tenth of the exposure they are
//! not credible at all (`p = 0.54`). No exposure on a side, or no events at all, is `Undecided`
//! with that reason, never a verdict.
//!
//! The ceiling is the same construction for one Poisson count `k` over `n`: `p_fail =
//! P[Poisson(c·n) ≥ k]` and `p_pass = P[Poisson(c·n) ≤ k]` for the ceiling `c` (Garwood's exact
//! interval). Zero events over enough exposure pass it, so it has no floor to pass.
//!
//! # Spending the error budgets over the looks
//!
//! The gate looks every interval at growing data, so each look gets a slice of the budgets:
//! `α_j = A(t_j) − A(t_{j−1})` and `β_j = B(t_j) − B(t_{j−1})` for cumulative spending functions
//! `A` and `B` of the time since the deploy (the α-spending approach of Lan and DeMets, 1983). By
//! Bonferroni's inequality the chance of any false alarm over the watch is at most
//! `Σ α_j ≤ A(timeout) = α`, and of any false pass at most `β`, however the looks are
//! correlated, skipped or late, and including every look after the soak up to the timeout. A
//! gate with several rules splits `α` between them (one false alarm anywhere fails it) but not
//! `β`: the gate passes only when every rule passes, so a false pass on one metric needs that
//! rule's own false pass.
//!
//! The plan puts the budget on the looks that decide. A clean release passes at the end of the
//! soak, and a bad one that is not overwhelming fails there too, so:
//!
//! - before the soak, `A` follows the O'Brien–Fleming-type function of Lan and DeMets for a tenth
//!   of `α`, `A(t) = 2 − 2Φ(z_{1 − α/20} / √(t / soak))`: early looks cost almost nothing and
//!   still stop the watch on an overwhelming increase;
//! - at the end of the soak `A` jumps to `0.8·α` and `B` to `0.8·β`: that one look tests at
//!   about `0.74·α` and `0.8·β`;
//! - the last fifth of each budget is spent from the soak to the timeout along the same
//!   O'Brien–Fleming shape, so most of it goes to the timeout's look, which has the most data,
//!   while an overwhelming change still ends the watch early. With the timeout equal to the soak
//!   everything is spent by the soak; with no soak (a single check), at the first look.
//!
//! For the default watch (10m soak, 15m timeout) and the error rate's half of `α = 0.05`, the
//! soak look tests at `0.019` (`z ≈ 2.08`). Today's O'Brien–Fleming spending up to the timeout
//! tests it at `0.0025` (`z ≈ 2.81`) and has spent only 0.016 of the 0.05 when a clean release
//! passes. An always-valid test (a mixture sequential probability ratio test, Robbins 1970, or a
//! confidence sequence) needs no plan but pays for validity at every moment: with a normal
//! mixture the decisive look needs `z ≈ √(2 ln(1/α) + ln(1 + nτ²)) ≈ 3.1`. The looks that decide
//! a gate are known in advance, so spending on them wins.
//!
//! # The smallest detectable increase
//!
//! `detectable_ratio()` is the smallest true ratio that this look's fail test catches with
//! probability [`DETECTION_POWER`], given the `K` events seen: with `c*` the smallest count that
//! fails, it solves `P[Binomial(K, π) ≥ c*] = 0.8` for `π`. A real increase brings more events,
//! so the figure errs on the large side. `None` means no increase could fail this look.
//!
//! # Assumptions worth stating in the report
//!
//! Events are Poisson in the exposure, at a rate that stays put over the window (or changes with
//! the age of a release the same way for both). Bursts break the first; counting errored sessions
//! instead of error events removes them. Sampled error events bias the ceiling, and the ratio
//! only when the sample rate changed between the releases.

use super::stats::{
    AlphaSpending, binomial_lower_tail, binomial_upper_tail, bisect, clopper_pearson,
    poisson_interval, poisson_lower_tail, poisson_upper_tail,
};
use std::time::Duration;

/// The share of the false-alarm budget spent before the end of the soak.
const EARLY_SHARE: f64 = 0.1;
/// The share of each budget spent after the end of the soak, up to the timeout.
const LATE_SHARE: f64 = 0.2;
/// The power at which the smallest detectable increase is stated.
pub const DETECTION_POWER: f64 = 0.8;
/// Proposed floor: the release's events before the ratio test may fail (a burst of a few errors
/// from one client is not a trend).
pub const EVENTS_TO_FAIL: u64 = 10;
/// Proposed floor: the baseline's events before the ratio test may pass (ruling out an increase
/// needs a baseline rate that rests on more than a handful of events).
pub const EVENTS_TO_PASS: u64 = 25;

/// Events and the exposure they happened over (sessions or transactions; one kind per comparison).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counts {
    /// Events counted.
    pub events: u64,
    /// Sessions, transactions or another count of opportunities, never mixed between sides.
    pub exposure: f64,
}

impl Counts {
    /// Counts of `events` over `exposure`.
    pub fn new(events: u64, exposure: f64) -> Self {
        Self { events, exposure }
    }

    /// Several windows as one: events and exposures summed (a baseline pooled over releases).
    pub fn pooled(windows: impl IntoIterator<Item = Counts>) -> Self {
        windows
            .into_iter()
            .fold(Self::new(0, 0.0), |total, window| Self {
                events: total.events + window.events,
                exposure: total.exposure + window.exposure,
            })
    }

    fn has_exposure(&self) -> bool {
        self.exposure.is_finite() && self.exposure > 0.0
    }
}

/// The cumulative budgets spent so far in a watch.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Spent {
    /// False-alarm budget spent.
    pub false_alarm: f64,
    /// False-pass budget spent.
    pub false_pass: f64,
}

/// What one look may spend, and where it is in the watch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Allowance {
    /// The level of this look's fail test (`α_j`).
    pub false_alarm: f64,
    /// The level of this look's pass test (`β_j`); zero before the end of the soak.
    pub false_pass: f64,
    /// The budgets spent including this look; keep it for the next look's allowance.
    pub spent: Spent,
    /// Whether the soak is over, so a pass is allowed.
    pub soak_over: bool,
}

/// How the false-alarm and false-pass budgets are spent over a watch (see the module notes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpendingPlan {
    soak: Duration,
    timeout: Duration,
    false_alarm: f64,
    false_pass: f64,
    /// The false-alarm budget of the looks before the end of the soak.
    early_alarm: AlphaSpending,
    /// The false-alarm budget of the looks after the end of the soak.
    late_alarm: AlphaSpending,
    /// The false-pass budget of the looks after the end of the soak.
    late_pass: AlphaSpending,
}

impl SpendingPlan {
    /// A plan for a watch that may pass from `soak` and gives up at `timeout` (both counted from
    /// the deploy), with total budgets `false_alarm` (α) and `false_pass` (β).
    pub fn new(
        soak: Duration,
        timeout: Duration,
        false_alarm: f64,
        false_pass: f64,
    ) -> Result<Self, String> {
        for (name, value) in [("false-alarm", false_alarm), ("false-pass", false_pass)] {
            if !(value > 0.0 && value < 1.0) {
                return Err(format!(
                    "the {name} budget must be a probability between 0 and 1 (exclusive), e.g. 0.05; got {value}"
                ));
            }
        }
        if timeout < soak {
            return Err(
                "the timeout is shorter than the soak: the watch could never pass; make the timeout at least the soak".into(),
            );
        }
        Ok(Self {
            soak,
            timeout,
            false_alarm,
            false_pass,
            early_alarm: AlphaSpending::obrien_fleming(EARLY_SHARE * false_alarm),
            late_alarm: AlphaSpending::obrien_fleming(LATE_SHARE * false_alarm),
            late_pass: AlphaSpending::obrien_fleming(LATE_SHARE * false_pass),
        })
    }

    /// The cumulative budgets by `elapsed` since the deploy.
    pub fn spent_by(&self, elapsed: Duration) -> Spent {
        if elapsed < self.soak {
            let fraction = elapsed.as_secs_f64() / self.soak.as_secs_f64();
            return Spent {
                false_alarm: self.early_alarm.spent(fraction),
                false_pass: 0.0,
            };
        }
        // Without looks after the soak, the late share is spent at the soak too.
        let after_soak = if self.timeout > self.soak {
            (elapsed - self.soak).as_secs_f64() / (self.timeout - self.soak).as_secs_f64()
        } else {
            1.0
        };
        let by_soak = 1.0 - LATE_SHARE;
        Spent {
            false_alarm: by_soak * self.false_alarm + self.late_alarm.spent(after_soak),
            false_pass: by_soak * self.false_pass + self.late_pass.spent(after_soak),
        }
    }

    /// The allowance of a look at `elapsed`, given what the earlier looks spent.
    pub fn allowance(&self, before: Spent, elapsed: Duration) -> Allowance {
        let now = self.spent_by(elapsed);
        let false_alarm = (now.false_alarm - before.false_alarm).max(0.0);
        let false_pass = (now.false_pass - before.false_pass).max(0.0);
        Allowance {
            false_alarm,
            false_pass,
            spent: Spent {
                false_alarm: before.false_alarm + false_alarm,
                false_pass: before.false_pass + false_pass,
            },
            soak_over: elapsed >= self.soak,
        }
    }

    /// The total false-alarm budget (α).
    pub fn false_alarm(&self) -> f64 {
        self.false_alarm
    }

    /// The total false-pass budget (β).
    pub fn false_pass(&self) -> f64 {
        self.false_pass
    }
}

/// Which side of a comparison lacks exposure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The release being watched.
    Candidate,
    /// The release it is compared with.
    Baseline,
    /// Both.
    Both,
}

/// Why a look decided nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undecided {
    /// A side has no exposure in its window: there is no rate to compare.
    NoExposure(Side),
    /// Neither side has events: a ratio needs events.
    NoEvents,
    /// No increase is shown, and a pass waits for the end of the soak.
    SoakNotOver,
    /// The data neither show an increase beyond the limit nor rule one out.
    NotEnoughEvidence,
    /// The fail test is met, but the release has fewer events than a fail needs.
    TooFewToFail {
        /// The release's events.
        events: u64,
        /// The floor.
        needed: u64,
    },
    /// The pass test is met, but the baseline has fewer events than a pass needs.
    TooFewToPass {
        /// The baseline's events.
        events: u64,
        /// The floor.
        needed: u64,
    },
}

impl Undecided {
    /// The reason in words, naming the exposure (`sessions`, `transactions`).
    pub fn explain(self, unit: &str) -> String {
        match self {
            Self::NoExposure(Side::Candidate) => {
                format!("the release has no {unit} in its window yet, so it has no rate")
            }
            Self::NoExposure(Side::Baseline) => format!(
                "the baseline has no {unit} in its window, so there is nothing to compare with"
            ),
            Self::NoExposure(Side::Both) => {
                format!("neither the release nor the baseline has {unit} in its window")
            }
            Self::NoEvents => {
                "no events in either window: a ratio needs events, so nothing is shown either way"
                    .into()
            }
            Self::SoakNotOver => {
                "no increase shown so far; a pass waits for the end of the soak".into()
            }
            Self::NotEnoughEvidence => {
                "the data neither show an increase beyond the limit nor rule one out".into()
            }
            Self::TooFewToFail { events, needed } => format!(
                "the increase is credible, but the release has {events} events and a fail needs {needed}"
            ),
            Self::TooFewToPass { events, needed } => format!(
                "no increase beyond the limit, but the baseline has {events} events and a pass needs {needed}"
            ),
        }
    }
}

/// What a look decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// A credible excess, within the false-alarm budget.
    Fail,
    /// The excess is ruled out, within the false-pass budget.
    Pass,
    /// Neither yet, and why.
    Undecided(Undecided),
}

/// The events a verdict rests on, and the fewest it needs.
#[derive(Clone, Copy)]
struct Floor {
    events: u64,
    needed: u64,
}

/// The fail test first, then a pass from the end of the soak on; a verdict under its floor is
/// held back with that reason.
fn decide(
    fail_p_value: f64,
    pass_p_value: f64,
    allowance: &Allowance,
    to_fail: Floor,
    to_pass: Floor,
) -> Decision {
    let within = |p: f64, budget: f64| budget > 0.0 && p <= budget;
    if within(fail_p_value, allowance.false_alarm) {
        if to_fail.events < to_fail.needed {
            let Floor { events, needed } = to_fail;
            return Decision::Undecided(Undecided::TooFewToFail { events, needed });
        }
        Decision::Fail
    } else if !allowance.soak_over {
        Decision::Undecided(Undecided::SoakNotOver)
    } else if within(pass_p_value, allowance.false_pass) {
        if to_pass.events < to_pass.needed {
            let Floor { events, needed } = to_pass;
            return Decision::Undecided(Undecided::TooFewToPass { events, needed });
        }
        Decision::Pass
    } else {
        Decision::Undecided(Undecided::NotEnoughEvidence)
    }
}

/// The smallest count in `0..=max` whose upper tail is within `alpha`, if any (the tail falls
/// as the count grows).
fn critical_count(alpha: f64, max: u64, upper_tail: impl Fn(u64) -> f64) -> Option<u64> {
    if alpha <= 0.0 || upper_tail(max) > alpha {
        return None;
    }
    let (mut low, mut high) = (0, max);
    while low < high {
        let mid = low + (high - low) / 2;
        if upper_tail(mid) <= alpha {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    Some(low)
}

/// The fewest events behind a verdict of the ratio test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventFloors {
    /// The release's own events before it may fail.
    pub to_fail: u64,
    /// The baseline's events before it may pass.
    pub to_pass: u64,
}

impl Default for EventFloors {
    fn default() -> Self {
        Self {
            to_fail: EVENTS_TO_FAIL,
            to_pass: EVENTS_TO_PASS,
        }
    }
}

/// "The candidate's rate is at most `1 + max_increase` times the baseline's", tested at each look.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatioTest {
    limit: f64,
    floors: EventFloors,
}

impl RatioTest {
    /// The test for a largest tolerated increase `max_increase` (0.25 = 25 %) with event floors.
    pub fn new(max_increase: f64, floors: EventFloors) -> Result<Self, String> {
        if !(max_increase.is_finite() && max_increase >= 0.0) {
            return Err(format!(
                "the largest tolerated increase must be 0 or more, e.g. 0.25 for 25%; got {max_increase}"
            ));
        }
        Ok(Self {
            limit: 1.0 + max_increase,
            floors,
        })
    }

    /// Judges the cumulative counts of one look within its allowance.
    pub fn judge(
        &self,
        candidate: Counts,
        baseline: Counts,
        allowance: Allowance,
    ) -> RatioJudgement {
        let judgement = |decision, fail_p_value, pass_p_value| RatioJudgement {
            decision,
            candidate,
            baseline,
            limit: self.limit,
            fail_p_value,
            pass_p_value,
            allowance,
        };
        let missing = match (candidate.has_exposure(), baseline.has_exposure()) {
            (true, true) => None,
            (false, true) => Some(Side::Candidate),
            (true, false) => Some(Side::Baseline),
            (false, false) => Some(Side::Both),
        };
        if let Some(side) = missing {
            return judgement(Decision::Undecided(Undecided::NoExposure(side)), 1.0, 1.0);
        }
        let total = candidate.events + baseline.events;
        if total == 0 {
            return judgement(Decision::Undecided(Undecided::NoEvents), 1.0, 1.0);
        }
        let null_share = share(self.limit, candidate.exposure, baseline.exposure);
        let fail_p_value = binomial_upper_tail(candidate.events, total, null_share);
        let pass_p_value = binomial_lower_tail(candidate.events, total, null_share);
        let decision = decide(
            fail_p_value,
            pass_p_value,
            &allowance,
            Floor {
                events: candidate.events,
                needed: self.floors.to_fail,
            },
            Floor {
                events: baseline.events,
                needed: self.floors.to_pass,
            },
        );
        judgement(decision, fail_p_value, pass_p_value)
    }
}

/// The candidate's expected share of all events when the true ratio is `ratio`.
fn share(ratio: f64, candidate_exposure: f64, baseline_exposure: f64) -> f64 {
    ratio * candidate_exposure / (ratio * candidate_exposure + baseline_exposure)
}

/// One look of the ratio test: the decision and the numbers behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatioJudgement {
    /// What the look decided.
    pub decision: Decision,
    /// The candidate's cumulative counts.
    pub candidate: Counts,
    /// The baseline's cumulative counts.
    pub baseline: Counts,
    /// The ratio tested against (`1 + max_increase`).
    pub limit: f64,
    /// One-sided p-value of "the ratio is at most the limit" (1 when there is nothing to test).
    pub fail_p_value: f64,
    /// One-sided p-value of "the ratio is at least the limit" (1 when there is nothing to test).
    pub pass_p_value: f64,
    /// The look's allowance, with the budgets spent so far.
    pub allowance: Allowance,
}

impl RatioJudgement {
    fn comparable(&self) -> bool {
        self.candidate.has_exposure() && self.baseline.has_exposure()
    }

    fn total(&self) -> u64 {
        self.candidate.events + self.baseline.events
    }

    /// The ratio of a candidate share of the events.
    fn ratio_of_share(&self, share: f64) -> f64 {
        if share >= 1.0 {
            return f64::INFINITY;
        }
        share / (1.0 - share) * self.baseline.exposure / self.candidate.exposure
    }

    /// The observed rate ratio; `None` without exposure or without baseline events (no estimate).
    pub fn ratio(&self) -> Option<f64> {
        (self.comparable() && self.baseline.events > 0).then(|| {
            (self.candidate.events as f64 / self.candidate.exposure)
                / (self.baseline.events as f64 / self.baseline.exposure)
        })
    }

    /// The exact two-sided interval of the ratio at `confidence` (0 to ∞ when nothing is known).
    pub fn interval(&self, confidence: f64) -> (f64, f64) {
        if !self.comparable() || self.total() == 0 {
            return (0.0, f64::INFINITY);
        }
        let (low, high) = clopper_pearson(self.candidate.events, self.total(), confidence);
        (self.ratio_of_share(low), self.ratio_of_share(high))
    }

    /// The smallest true ratio this look's fail test catches with [`DETECTION_POWER`], given the
    /// events seen; `None` when no increase could fail this look.
    pub fn detectable_ratio(&self) -> Option<f64> {
        if !self.comparable() {
            return None;
        }
        let total = self.total();
        let null_share = share(self.limit, self.candidate.exposure, self.baseline.exposure);
        let critical = critical_count(self.allowance.false_alarm, total, |k| {
            binomial_upper_tail(k, total, null_share)
        })?;
        let detected = bisect(null_share, 1.0, |share| {
            binomial_upper_tail(critical, total, share) < DETECTION_POWER
        });
        Some(self.ratio_of_share(detected))
    }
}

/// "The candidate's rate is at most `max_rate` events per unit of exposure", tested at each look.
///
/// Zero events over enough exposure pass it, so it has no floor to pass; the floor to fail is the
/// ratio test's, for the same reason (bursts).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CeilingTest {
    max_rate: f64,
    events_to_fail: u64,
}

impl CeilingTest {
    /// The test for a ceiling of `max_rate` events per session or transaction, failing only from
    /// `events_to_fail` events.
    pub fn new(max_rate: f64, events_to_fail: u64) -> Result<Self, String> {
        if !(max_rate.is_finite() && max_rate > 0.0) {
            return Err(format!(
                "the highest tolerated rate must be more than 0, e.g. 0.02 errors per session; got {max_rate}"
            ));
        }
        Ok(Self {
            max_rate,
            events_to_fail,
        })
    }

    /// Judges the candidate's cumulative counts of one look within its allowance.
    pub fn judge(&self, candidate: Counts, allowance: Allowance) -> CeilingJudgement {
        let judgement = |decision, fail_p_value, pass_p_value| CeilingJudgement {
            decision,
            candidate,
            max_rate: self.max_rate,
            fail_p_value,
            pass_p_value,
            allowance,
        };
        if !candidate.has_exposure() {
            let why = Undecided::NoExposure(Side::Candidate);
            return judgement(Decision::Undecided(why), 1.0, 1.0);
        }
        let null_mean = self.max_rate * candidate.exposure;
        let fail_p_value = poisson_upper_tail(candidate.events, null_mean);
        let pass_p_value = poisson_lower_tail(candidate.events, null_mean);
        let to_fail = Floor {
            events: candidate.events,
            needed: self.events_to_fail,
        };
        let no_floor = Floor {
            events: candidate.events,
            needed: 0,
        };
        let decision = decide(fail_p_value, pass_p_value, &allowance, to_fail, no_floor);
        judgement(decision, fail_p_value, pass_p_value)
    }
}

/// One look of the ceiling test: the decision and the numbers behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CeilingJudgement {
    /// What the look decided.
    pub decision: Decision,
    /// The candidate's cumulative counts.
    pub candidate: Counts,
    /// The ceiling, in events per unit of exposure.
    pub max_rate: f64,
    /// One-sided p-value of "the rate is at most the ceiling" (1 when there is nothing to test).
    pub fail_p_value: f64,
    /// One-sided p-value of "the rate is at least the ceiling" (1 when there is nothing to test).
    pub pass_p_value: f64,
    /// The look's allowance, with the budgets spent so far.
    pub allowance: Allowance,
}

impl CeilingJudgement {
    /// The observed rate; `None` without exposure.
    pub fn rate(&self) -> Option<f64> {
        self.candidate
            .has_exposure()
            .then(|| self.candidate.events as f64 / self.candidate.exposure)
    }

    /// The exact two-sided interval of the rate at `confidence` (0 to ∞ without exposure).
    pub fn interval(&self, confidence: f64) -> (f64, f64) {
        if !self.candidate.has_exposure() {
            return (0.0, f64::INFINITY);
        }
        let (low, high) = poisson_interval(self.candidate.events, confidence);
        (
            low / self.candidate.exposure,
            high / self.candidate.exposure,
        )
    }

    /// The smallest true rate this look's fail test catches with [`DETECTION_POWER`]; `None`
    /// without exposure or without budget at this look.
    pub fn detectable_rate(&self) -> Option<f64> {
        if !self.candidate.has_exposure() {
            return None;
        }
        let null_mean = self.max_rate * self.candidate.exposure;
        // A count this far above the ceiling's mean is in a tail below any budget a look gets.
        let max = (null_mean + 40.0 * null_mean.sqrt() + 100.0).ceil() as u64;
        let critical = critical_count(self.allowance.false_alarm, max, |k| {
            poisson_upper_tail(k, null_mean)
        })?;
        let ceiling = critical as f64 + 10.0 * (critical as f64).sqrt() + 10.0;
        let detected = bisect(null_mean, ceiling, |mean| {
            poisson_upper_tail(critical, mean) < DETECTION_POWER
        });
        Some(detected / self.candidate.exposure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ALPHA: f64 = 0.025;
    const BETA: f64 = 0.05;

    fn minutes(m: u64) -> Duration {
        Duration::from_secs(60 * m)
    }

    fn close(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            (actual - expected).abs() <= tolerance,
            "{actual} is not within {tolerance} of {expected}"
        );
    }

    /// Today's default watch: 10m soak, 15m timeout, the error rate's half of α = 0.05.
    fn plan() -> SpendingPlan {
        SpendingPlan::new(minutes(10), minutes(15), ALPHA, BETA).unwrap()
    }

    fn test() -> RatioTest {
        RatioTest::new(0.25, EventFloors::default()).unwrap()
    }

    /// The allowance of the look at the end of the soak, after a look every minute before it.
    fn soak_look() -> Allowance {
        let plan = plan();
        plan.allowance(plan.spent_by(minutes(9)), minutes(10))
    }

    /// An allowance with the given levels after the soak.
    fn allowance(false_alarm: f64, false_pass: f64) -> Allowance {
        Allowance {
            false_alarm,
            false_pass,
            spent: Spent::default(),
            soak_over: true,
        }
    }

    fn judge(candidate: (u64, f64), baseline: (u64, f64), allowance: Allowance) -> RatioJudgement {
        test().judge(
            Counts::new(candidate.0, candidate.1),
            Counts::new(baseline.0, baseline.1),
            allowance,
        )
    }

    /// Pass < undecided < fail: how bad a decision says the release is.
    fn severity(decision: Decision) -> u8 {
        match decision {
            Decision::Pass => 0,
            Decision::Undecided(_) => 1,
            Decision::Fail => 2,
        }
    }

    #[test]
    fn the_plan_spends_little_before_the_soak_most_at_it_and_the_rest_by_the_timeout() {
        let plan = plan();
        assert_eq!(plan.spent_by(Duration::ZERO), Spent::default());
        let before = plan.spent_by(minutes(10) - Duration::from_millis(1));
        assert!(before.false_alarm < EARLY_SHARE * ALPHA, "{before:?}");
        assert_eq!(before.false_pass, 0.0);
        let at_soak = plan.spent_by(minutes(10));
        close(at_soak.false_alarm, 0.8 * ALPHA, 1e-15);
        close(at_soak.false_pass, 0.8 * BETA, 1e-15);
        for after in [minutes(15), minutes(16), minutes(600)] {
            let spent = plan.spent_by(after);
            close(spent.false_alarm, ALPHA, 1e-15);
            close(spent.false_pass, BETA, 1e-15);
        }
        // The soak look tests at about three quarters of α (today's plan: 0.0025 of 0.025).
        let soak = soak_look();
        close(soak.false_alarm, 0.018_56, 1e-5);
        close(soak.false_pass, 0.8 * BETA, 1e-15);
        assert!(soak.soak_over);
    }

    #[test]
    fn allowances_over_the_default_looks_add_up_to_the_budgets() {
        let plan = plan();
        let mut spent = Spent::default();
        let (mut alarms, mut passes) = (0.0, 0.0);
        for minute in 0..=15 {
            let allowance = plan.allowance(spent, minutes(minute));
            assert_eq!(allowance.soak_over, minute >= 10);
            if minute < 10 {
                assert_eq!(allowance.false_pass, 0.0, "no pass before the soak");
            }
            alarms += allowance.false_alarm;
            passes += allowance.false_pass;
            spent = allowance.spent;
        }
        close(alarms, ALPHA, 1e-15);
        close(passes, BETA, 1e-15);
        close(spent.false_alarm, ALPHA, 1e-15);
        // A look after the timeout has nothing left to spend.
        assert_eq!(plan.allowance(spent, minutes(20)).false_alarm, 0.0);
    }

    #[test]
    fn between_the_soak_and_the_timeout_the_late_share_is_spent_by_elapsed_fraction() {
        let plan = plan();
        assert_eq!((plan.false_alarm(), plan.false_pass()), (ALPHA, BETA));
        // Halfway from the 10m soak to the 15m timeout.
        let halfway = plan.spent_by(minutes(12) + Duration::from_secs(30));
        let late = |budget: f64| AlphaSpending::obrien_fleming(LATE_SHARE * budget).spent(0.5);
        close(halfway.false_alarm, 0.8 * ALPHA + late(ALPHA), 1e-15);
        close(halfway.false_pass, 0.8 * BETA + late(BETA), 1e-15);
        assert!(halfway.false_alarm < ALPHA, "{halfway:?}");
    }

    #[test]
    fn a_watch_without_looks_after_the_soak_spends_everything_by_it() {
        let plan = SpendingPlan::new(minutes(10), minutes(10), ALPHA, BETA).unwrap();
        close(plan.spent_by(minutes(10)).false_alarm, ALPHA, 1e-15);
        // A single check (no soak, no timeout) spends both budgets on its one look.
        let single = SpendingPlan::new(Duration::ZERO, Duration::ZERO, ALPHA, BETA).unwrap();
        let look = single.allowance(Spent::default(), Duration::ZERO);
        close(look.false_alarm, ALPHA, 1e-15);
        close(look.false_pass, BETA, 1e-15);
        assert!(look.soak_over);
        // A watch started after the soak gets all that was planned by then on its first look.
        let late = plan.allowance(Spent::default(), minutes(12));
        close(late.false_alarm, ALPHA, 1e-15);
    }

    #[test]
    fn impossible_plans_and_tests_are_explained() {
        let cases = [
            SpendingPlan::new(minutes(10), minutes(5), ALPHA, BETA).err(),
            SpendingPlan::new(minutes(10), minutes(15), 0.0, BETA).err(),
            SpendingPlan::new(minutes(10), minutes(15), ALPHA, 1.0).err(),
            SpendingPlan::new(minutes(10), minutes(15), f64::NAN, BETA).err(),
            RatioTest::new(-0.1, EventFloors::default()).err(),
            RatioTest::new(f64::INFINITY, EventFloors::default()).err(),
            CeilingTest::new(0.0, EVENTS_TO_FAIL).err(),
        ];
        let expected = [
            "timeout is shorter than the soak",
            "false-alarm budget",
            "false-pass budget",
            "false-alarm budget",
            "0 or more",
            "0 or more",
            "more than 0",
        ];
        for (error, words) in cases.into_iter().zip(expected) {
            let error = error.expect("refused");
            assert!(error.contains(words), "{error}");
        }
    }

    #[test]
    fn a_fail_comes_at_the_look_level_and_not_just_above_it() {
        // 60 against 30 over equal exposure: p_fail = P[Bin(90, 5/9) ≥ 60].
        let p = binomial_upper_tail(60, 90, 1.25 / 2.25);
        let at = judge((60, 1e4), (30, 1e4), allowance(p, 0.0));
        assert_eq!(at.fail_p_value, p);
        assert_eq!(at.decision, Decision::Fail);
        let below = judge((60, 1e4), (30, 1e4), allowance(p.next_down(), 0.0));
        assert_eq!(
            below.decision,
            Decision::Undecided(Undecided::NotEnoughEvidence)
        );
        // Nothing fails a look with no budget, however extreme.
        let extreme = judge((10_000, 1e4), (0, 1e4), allowance(0.0, 0.0));
        assert_eq!(extreme.fail_p_value, (1.25f64 / 2.25).powi(10_000));
        assert_ne!(extreme.decision, Decision::Fail);
    }

    #[test]
    fn a_pass_comes_at_the_look_level_and_not_just_above_it() {
        let p = binomial_lower_tail(80, 180, 1.25 / 2.25);
        let at = judge((80, 1e4), (100, 1e4), allowance(1e-6, p));
        assert_eq!(at.pass_p_value, p);
        assert_eq!(at.decision, Decision::Pass);
        let below = judge((80, 1e4), (100, 1e4), allowance(1e-6, p.next_down()));
        assert_eq!(
            below.decision,
            Decision::Undecided(Undecided::NotEnoughEvidence)
        );
        // The same data before the soak: no pass yet, whatever the evidence.
        let early = Allowance {
            soak_over: false,
            ..allowance(1e-6, 0.5)
        };
        let early = judge((80, 1e4), (100, 1e4), early);
        assert_eq!(early.decision, Decision::Undecided(Undecided::SoakNotOver));
    }

    #[test]
    fn a_pass_means_the_upper_bound_is_within_the_limit() {
        let soak = soak_look();
        // A clean release with plenty of events: the 96 % upper bound is below ×1.25.
        let clean = judge((410, 1e4), (400, 1e4), soak);
        assert_eq!(clean.decision, Decision::Pass);
        let (_, upper) = clean.interval(1.0 - 2.0 * soak.false_pass);
        assert!(upper <= 1.25, "{upper}");
        // Issue 9's real-time run passed ×1.88 (95 % interval 1.41–2.53): now no look passes it.
        let plan = plan();
        let mut spent = Spent::default();
        for minute in 0..=15 {
            let look = plan.allowance(spent, minutes(minute));
            spent = look.spent;
            let judgement = judge((94, 1e4), (50, 1e4), look);
            assert_ne!(judgement.decision, Decision::Pass, "minute {minute}");
        }
        // Same rates with little data: not a pass, however flat they look.
        let thin = judge((20, 1e3), (20, 1e3), soak);
        assert_eq!(
            thin.decision,
            Decision::Undecided(Undecided::NotEnoughEvidence)
        );
    }

    #[test]
    fn floors_hold_back_verdicts_on_a_handful_of_events() {
        let soak = soak_look();
        // 8 against 0 over equal exposure is credible (p = 0.009) but under the fail floor.
        let eight = judge((8, 1e3), (0, 1e3), soak);
        close(eight.fail_p_value, (1.25f64 / 2.25).powi(8), 1e-15);
        assert_eq!(
            eight.decision,
            Decision::Undecided(Undecided::TooFewToFail {
                events: 8,
                needed: 10
            })
        );
        // 0 against 12 rules out +25 % (p = 0.0006) but the baseline has 12 of the 25 events a
        // pass needs.
        let lucky = judge((0, 1e3), (12, 1e3), soak);
        assert!(lucky.pass_p_value < 1e-3, "{}", lucky.pass_p_value);
        assert_eq!(
            lucky.decision,
            Decision::Undecided(Undecided::TooFewToPass {
                events: 12,
                needed: 25
            })
        );
        let explained = lucky.decision;
        let Decision::Undecided(why) = explained else {
            unreachable!("undecided above")
        };
        assert!(why.explain("sessions").contains("12 events"));
        // Without floors both are verdicts.
        let bare = RatioTest::new(
            0.25,
            EventFloors {
                to_fail: 0,
                to_pass: 0,
            },
        )
        .unwrap();
        let judge_bare = |c, b| {
            bare.judge(Counts::new(c, 1e3), Counts::new(b, 1e3), soak)
                .decision
        };
        assert_eq!(judge_bare(8, 0), Decision::Fail);
        // Exactly at the floor is enough.
        assert_eq!(judge((10, 1e3), (0, 1e3), soak).decision, Decision::Fail);
        assert_eq!(judge_bare(0, 12), Decision::Pass);
    }

    #[test]
    fn the_pass_floor_counts_baseline_events_so_more_release_events_never_help() {
        let soak = soak_look();
        // 4 against 20 rules out +25 %, but the baseline has 20 of the 25 events a pass needs.
        let four = judge((4, 1e3), (20, 1e3), soak);
        assert!(four.pass_p_value < soak.false_pass);
        let floor = Undecided::TooFewToPass {
            events: 20,
            needed: 25,
        };
        assert_eq!(four.decision, Decision::Undecided(floor));
        // One more error from the release makes 25 events in all, and still no pass.
        let five = judge((5, 1e3), (20, 1e3), soak);
        assert_eq!(five.decision, Decision::Undecided(floor));
    }

    #[test]
    fn a_baseline_without_events_is_an_ordinary_input() {
        let soak = soak_look();
        // Twelve events against none over equal exposure: credible, and above the floor.
        let twelve = judge((12, 1e3), (0, 1e3), soak);
        assert_eq!(twelve.decision, Decision::Fail);
        assert_eq!(twelve.ratio(), None, "no point estimate, not ×∞");
        let (low, high) = twelve.interval(0.95);
        assert!(low > 1.25 && low.is_finite(), "{low}");
        assert_eq!(high, f64::INFINITY);
        // Against a baseline with a tenth of the exposure, the same twelve show nothing.
        let short = judge((12, 1e3), (0, 100.0), soak);
        assert!(short.fail_p_value > 0.3, "{}", short.fail_p_value);
        assert_eq!(
            short.decision,
            Decision::Undecided(Undecided::NotEnoughEvidence)
        );
    }

    #[test]
    fn no_exposure_or_no_events_is_undecided_with_the_reason() {
        let soak = soak_look();
        let cases = [
            ((5, 0.0), (5, 1e3), Undecided::NoExposure(Side::Candidate)),
            ((5, 1e3), (0, 0.0), Undecided::NoExposure(Side::Baseline)),
            ((5, f64::NAN), (5, -1.0), Undecided::NoExposure(Side::Both)),
            ((0, 1e3), (0, 1e3), Undecided::NoEvents),
        ];
        for (candidate, baseline, why) in cases {
            let judgement = judge(candidate, baseline, soak);
            assert_eq!(judgement.decision, Decision::Undecided(why));
            assert_eq!((judgement.fail_p_value, judgement.pass_p_value), (1.0, 1.0));
            assert_eq!(judgement.ratio(), None);
            assert_eq!(judgement.interval(0.95), (0.0, f64::INFINITY));
        }
        let reason = Undecided::NoExposure(Side::Baseline).explain("sessions");
        assert!(reason.contains("baseline has no sessions"), "{reason}");
        assert_eq!(
            judge((5, 0.0), (5, 1e3), soak).detectable_ratio(),
            None,
            "nothing is detectable without a rate"
        );
    }

    #[test]
    fn a_pooled_baseline_is_just_the_summed_counts() {
        let releases = [
            Counts::new(40, 1_000.0),
            Counts::new(55, 1_500.0),
            Counts::new(0, 0.0),
        ];
        let pooled = Counts::pooled(releases);
        assert_eq!(pooled, Counts::new(95, 2_500.0));
        let soak = soak_look();
        let candidate = Counts::new(90, 1_000.0);
        let from_pool = test().judge(candidate, pooled, soak);
        let from_one_window = test().judge(candidate, Counts::new(95, 2_500.0), soak);
        assert_eq!(from_pool, from_one_window);
        close(from_pool.ratio().unwrap(), 90.0 / (95.0 / 2.5), 1e-12);
        assert_eq!(from_pool.decision, Decision::Fail);
    }

    #[test]
    fn the_detectable_increase_shrinks_as_events_grow() {
        let soak = soak_look();
        // Five events cannot fail at the soak's level whatever their split.
        assert_eq!(judge((3, 1e3), (2, 1e3), soak).detectable_ratio(), None);
        let small = judge((40, 1e4), (40, 1e4), soak)
            .detectable_ratio()
            .unwrap();
        let large = judge((4_000, 1e6), (4_000, 1e6), soak)
            .detectable_ratio()
            .unwrap();
        assert!(small > large && large > 1.25, "{small} {large}");
        assert!(large < 1.5, "8,000 events detect a +50 % increase: {large}");
        // At the detectable ratio the fail test fires with the stated power.
        let judgement = judge((40, 1e4), (40, 1e4), soak);
        let ratio = judgement.detectable_ratio().unwrap();
        let null = share(1.25, 1e4, 1e4);
        let critical = (0..=80)
            .find(|&k| binomial_upper_tail(k, 80, null) <= soak.false_alarm)
            .unwrap();
        close(
            binomial_upper_tail(critical, 80, share(ratio, 1e4, 1e4)),
            DETECTION_POWER,
            1e-9,
        );
    }

    #[test]
    fn the_ceiling_fails_a_rate_above_it_and_passes_one_shown_below_it() {
        let soak = soak_look();
        let ceiling = CeilingTest::new(0.02, EVENTS_TO_FAIL).unwrap();
        // 40 errors over 1,000 sessions against at most 2 %: P[Poisson(20) ≥ 40].
        let high = ceiling.judge(Counts::new(40, 1_000.0), soak);
        close(high.fail_p_value, poisson_upper_tail(40, 20.0), 1e-15);
        assert_eq!(high.decision, Decision::Fail);
        close(high.rate().unwrap(), 0.04, 1e-15);
        // No errors over 1,000 sessions: e^(−20) rules the ceiling out; zero is evidence here.
        let none = ceiling.judge(Counts::new(0, 1_000.0), soak);
        close(none.pass_p_value, (-20.0f64).exp(), 1e-20);
        assert_eq!(none.decision, Decision::Pass);
        // Near the ceiling: neither.
        let near = ceiling.judge(Counts::new(21, 1_000.0), soak);
        assert_eq!(
            near.decision,
            Decision::Undecided(Undecided::NotEnoughEvidence)
        );
        // Few sessions: 5 errors over 20 is far above 2 %, but under the floor to fail.
        let few = ceiling.judge(Counts::new(5, 20.0), soak);
        assert!(few.fail_p_value < soak.false_alarm);
        assert_eq!(
            few.decision,
            Decision::Undecided(Undecided::TooFewToFail {
                events: 5,
                needed: 10
            })
        );
        let silent = ceiling.judge(Counts::new(3, 0.0), soak);
        assert_eq!(
            silent.decision,
            Decision::Undecided(Undecided::NoExposure(Side::Candidate))
        );
        assert_eq!(silent.detectable_rate(), None);
    }

    #[test]
    fn the_ceiling_reports_its_interval_and_detectable_rate() {
        let ceiling = CeilingTest::new(0.02, EVENTS_TO_FAIL).unwrap();
        let judgement = ceiling.judge(Counts::new(10, 1_000.0), soak_look());
        let (low, high) = judgement.interval(0.95);
        let (mean_low, mean_high) = poisson_interval(10, 0.95);
        close(low, mean_low / 1_000.0, 1e-15);
        close(high, mean_high / 1_000.0, 1e-15);
        let detectable = judgement.detectable_rate().unwrap();
        assert!(detectable > 0.02 && detectable < 0.05, "{detectable}");
    }

    #[test]
    fn the_critical_count_is_the_first_whose_tail_is_within_alpha_even_at_the_end() {
        let tails = [1.0, 0.5, 0.25, 0.1];
        let critical = |alpha: f64| critical_count(alpha, 3, |k| tails[k as usize]);
        assert_eq!(critical(0.5), Some(1), "a tail equal to alpha is within it");
        assert_eq!(critical(0.3), Some(2));
        assert_eq!(critical(0.1), Some(3), "the last count, exactly at alpha");
        assert_eq!(critical(0.09), None, "no count rare enough");
        assert_eq!(critical(0.0), None, "no budget");
    }

    #[test]
    fn the_detectable_rate_is_what_a_plain_search_finds() {
        let allowance = soak_look();
        // From a ceiling mean so small that one event is rare enough, to a million.
        for (exposure, events) in [
            (0.05, 0),
            (1.0, 0),
            (20.0, 0),
            (500.0, 3),
            (5_000.0, 90),
            (200_000.0, 4_100),
            (5e7, 1_000_000),
        ] {
            let ceiling = CeilingTest::new(0.02, EVENTS_TO_FAIL).unwrap();
            let judgement = ceiling.judge(Counts::new(events, exposure), allowance);
            let null_mean = 0.02 * exposure;
            // The first count rare enough under the ceiling, found one by one from the mean (the
            // tail is over a half below it).
            let critical = (null_mean as u64..)
                .find(|k| poisson_upper_tail(*k, null_mean) <= allowance.false_alarm)
                .unwrap();
            // The mean at which that count is reached with the detection power, bracketed wide.
            let detected = bisect(null_mean, 1e7, |mean| {
                poisson_upper_tail(critical, mean) < DETECTION_POWER
            });
            let expected = detected / exposure;
            let actual = judgement.detectable_rate().unwrap();
            close(actual, expected, expected * 1e-9);
        }
    }

    /// A candidate and a baseline on comparable exposure, mostly near the floors and the limit:
    /// the candidate's count follows the baseline's at a ratio around ×1.25, with some noise.
    fn pairs() -> impl Strategy<Value = ((u64, f64), (u64, f64))> {
        let baseline = prop_oneof![3 => 0u64..80, 1 => 0u64..3_000];
        (baseline, 10.0f64..1e5, 0.3f64..3.0, 0.5f64..2.5, -6i64..6).prop_map(
            |(baseline, exposure, relative, ratio, noise)| {
                let expected = ratio * baseline as f64 / relative;
                let candidate = (expected.round() as i64 + noise).max(0) as u64;
                ((candidate, exposure), (baseline, exposure * relative))
            },
        )
    }

    fn allowances() -> impl Strategy<Value = Allowance> {
        (0.0f64..0.1, 0.0f64..0.1, any::<bool>()).prop_map(
            |(false_alarm, false_pass, soak_over)| Allowance {
                soak_over,
                ..allowance(false_alarm, false_pass)
            },
        )
    }

    proptest! {
        #[test]
        fn more_release_events_never_make_the_decision_kinder(
            (candidate, baseline) in pairs(), extra in 1u64..50, look in allowances(),
        ) {
            let before = judge(candidate, baseline, look).decision;
            let after = judge((candidate.0 + extra, candidate.1), baseline, look).decision;
            prop_assert!(severity(after) >= severity(before), "{before:?} then {after:?}");
        }

        #[test]
        fn more_baseline_events_never_make_the_decision_harsher(
            (candidate, baseline) in pairs(), extra in 1u64..50, look in allowances(),
        ) {
            let before = judge(candidate, baseline, look).decision;
            let after = judge(candidate, (baseline.0 + extra, baseline.1), look).decision;
            prop_assert!(severity(after) <= severity(before), "{before:?} then {after:?}");
        }

        #[test]
        fn more_release_exposure_or_a_wider_margin_never_make_it_harsher(
            (candidate, baseline) in pairs(), factor in 1.0f64..3.0,
            margin in 0.0f64..1.0, wider in 0.0f64..1.0, look in allowances(),
        ) {
            let test = |margin| RatioTest::new(margin, EventFloors::default()).unwrap();
            let judge = |test: RatioTest, candidate: (u64, f64)| {
                test.judge(Counts::new(candidate.0, candidate.1), Counts::new(baseline.0, baseline.1), look).decision
            };
            let before = judge(test(margin), candidate);
            let exposed = judge(test(margin), (candidate.0, candidate.1 * factor));
            let widened = judge(test(margin + wider), candidate);
            prop_assert!(severity(exposed) <= severity(before));
            prop_assert!(severity(widened) <= severity(before));
        }

        #[test]
        fn the_unit_of_exposure_does_not_matter(
            (candidate, baseline) in pairs(), scale in 0.001f64..1000.0, look in allowances(),
        ) {
            let plain = judge(candidate, baseline, look);
            let scaled = judge((candidate.0, candidate.1 * scale), (baseline.0, baseline.1 * scale), look);
            prop_assert_eq!(plain.decision, scaled.decision);
            prop_assert!((plain.fail_p_value - scaled.fail_p_value).abs() < 1e-9);
        }

        #[test]
        fn verdicts_agree_with_the_confidence_bounds(
            (candidate, baseline) in pairs(), look in allowances(),
        ) {
            let judgement = judge(candidate, baseline, look);
            match judgement.decision {
                Decision::Fail => {
                    let (low, _) = judgement.interval(1.0 - 2.0 * look.false_alarm);
                    prop_assert!(low >= 1.25 * (1.0 - 1e-9), "lower bound {low}");
                }
                Decision::Pass => {
                    let (_, high) = judgement.interval(1.0 - 2.0 * look.false_pass);
                    prop_assert!(high <= 1.25 * (1.0 + 1e-9), "upper bound {high}");
                }
                Decision::Undecided(_) => {}
            }
        }

        #[test]
        fn no_sequence_of_looks_spends_more_than_the_budgets(
            mut looks in proptest::collection::vec(0u64..3_600, 1..40),
            soak in 0u64..1_800, after in 0u64..1_800,
        ) {
            let plan = SpendingPlan::new(
                Duration::from_secs(soak), Duration::from_secs(soak + after), ALPHA, BETA,
            ).unwrap();
            looks.sort_unstable();
            let mut spent = Spent::default();
            let (mut alarms, mut passes) = (0.0, 0.0);
            for at in looks {
                let look = plan.allowance(spent, Duration::from_secs(at));
                prop_assert!(look.false_alarm >= 0.0 && look.false_pass >= 0.0);
                alarms += look.false_alarm;
                passes += look.false_pass;
                spent = look.spent;
            }
            prop_assert!(alarms <= ALPHA * (1.0 + 1e-12), "{alarms}");
            prop_assert!(passes <= BETA * (1.0 + 1e-12), "{passes}");
        }

        #[test]
        fn the_ceiling_is_monotone_in_events_and_exposure(
            events in 0u64..500, exposure in 1.0f64..1e5, extra in 1u64..100,
            factor in 1.0f64..10.0, look in allowances(),
        ) {
            let ceiling = CeilingTest::new(0.01, EVENTS_TO_FAIL).unwrap();
            let before = ceiling.judge(Counts::new(events, exposure), look).decision;
            let more = ceiling.judge(Counts::new(events + extra, exposure), look).decision;
            let longer = ceiling.judge(Counts::new(events, exposure * factor), look).decision;
            prop_assert!(severity(more) >= severity(before));
            prop_assert!(severity(longer) <= severity(before));
        }
    }
}
