//! The statistical tests a policy asks for, and their error budgets split between them and spent
//! over the watch (`rate_decision` holds the maths).
//!
//! The gate may wrongly fail a healthy release at most [`ALPHA`] of the time: one false alarm in
//! any test fails the gate, so α is split between the tests (Bonferroni). The error rate gets half
//! (a quarter each to the comparison and the ceiling when `--max-error-rate` is set), the crash-free
//! rule a quarter (0.15 to the floor, 0.10 to the crash rate against the baseline) and the latency
//! rule a quarter (0.15 to the duration, 0.10 to the failure rate). β, the chance that a rule
//! passes a release that is worse than allowed, is not split: the gate passes only when every rule
//! passes, so a false pass of the gate needs a false pass of the rule that should have caught it.

use super::policy::{ALPHA, BETA, InvalidPolicy, Policy};
use super::rate_decision::{
    Allowance, CeilingTest, EVENTS_TO_FAIL, EventFloors, RatioTest, SpendingPlan, Spent,
};
use std::time::Duration;

/// The error rate's share of α.
pub const ERROR_RATE_SHARE: f64 = 0.5;
/// The crash-free floor's share of α.
const CRASH_FLOOR_SHARE: f64 = 0.15;
/// The crash rate's (against the baseline) share of α.
const CRASH_BASELINE_SHARE: f64 = 0.10;
/// The transaction duration's share of α.
const LATENCY_SHARE: f64 = 0.15;
/// The transaction failure rate's share of α.
const FAILURES_SHARE: f64 = 0.10;

/// The tests of one policy, made once per watch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tests {
    /// The error rate against the baseline's.
    pub error_ratio: RatioTest,
    /// The error rate against `--max-error-rate`, when set.
    pub error_ceiling: Option<CeilingTest>,
    /// The crash rate against `1 − --min-crash-free`.
    pub crash_floor: CeilingTest,
    /// The crash rate against the baseline's.
    pub crash_ratio: RatioTest,
    /// The share of transactions slower than `1 + margin` times the baseline's percentile against
    /// the baseline's share slower than the percentile itself (see `rules::latency`).
    pub latency: RatioTest,
    /// The transaction failure rate against the baseline's.
    pub failures: RatioTest,
}

impl Tests {
    /// The tests `policy` asks for.
    pub fn of(policy: &Policy) -> Result<Self, InvalidPolicy> {
        let invalid = |message: String| InvalidPolicy(message);
        let errors = EventFloors {
            to_fail: EVENTS_TO_FAIL,
            to_pass: policy.minimums.errors,
        };
        // Crashes are rare: the floor, not a count of baseline crashes, carries a pass.
        let crashes = EventFloors {
            to_fail: EVENTS_TO_FAIL,
            to_pass: 0,
        };
        Ok(Self {
            error_ratio: RatioTest::new(policy.max_increase, errors).map_err(invalid)?,
            error_ceiling: policy
                .max_error_rate
                .map(|rate| CeilingTest::new(rate, EVENTS_TO_FAIL))
                .transpose()
                .map_err(invalid)?,
            crash_floor: CeilingTest::new(1.0 - policy.min_crash_free, EVENTS_TO_FAIL)
                .map_err(invalid)?,
            crash_ratio: RatioTest::new(policy.max_increase, crashes).map_err(invalid)?,
            // The margin is in the threshold the candidate's transactions are counted against.
            latency: RatioTest::new(0.0, EventFloors::default()).map_err(invalid)?,
            // Failures are rare like crashes: the comparison can only fail the rule.
            failures: RatioTest::new(policy.latency.max_increase, crashes).map_err(invalid)?,
        })
    }
}

/// What each test may spend at one look.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LookBudget {
    /// The error rate against the baseline.
    pub error_ratio: Allowance,
    /// The error rate against the ceiling, when there is one.
    pub error_ceiling: Option<Allowance>,
    /// The crash-free floor.
    pub crash_floor: Allowance,
    /// The crash rate against the baseline.
    pub crash_ratio: Allowance,
    /// The transaction duration against the baseline.
    pub latency: Allowance,
    /// The transaction failure rate against the baseline.
    pub failures: Allowance,
}

impl LookBudget {
    /// The false-alarm budget spent by every test, this look included.
    pub fn false_alarm_spent(&self) -> f64 {
        [
            Some(self.error_ratio),
            self.error_ceiling,
            Some(self.crash_floor),
            Some(self.crash_ratio),
            Some(self.latency),
            Some(self.failures),
        ]
        .iter()
        .flatten()
        .map(|a| a.spent.false_alarm)
        .sum()
    }
}

/// A test's spending plan and what it has spent so far.
#[derive(Debug, Clone, Copy)]
struct Tracked {
    plan: SpendingPlan,
    spent: Spent,
}

impl Tracked {
    fn new(policy: &Policy, share: f64) -> Result<Self, InvalidPolicy> {
        Ok(Self {
            plan: SpendingPlan::new(policy.soak, policy.timeout, share * ALPHA, BETA)
                .map_err(InvalidPolicy)?,
            spent: Spent::default(),
        })
    }

    fn look(&mut self, elapsed: Duration) -> Allowance {
        let allowance = self.plan.allowance(self.spent, elapsed);
        self.spent = allowance.spent;
        allowance
    }
}

/// One spending plan per test, and what each has spent so far.
#[derive(Debug, Clone)]
pub struct Budgets {
    error_ratio: Tracked,
    error_ceiling: Option<Tracked>,
    crash_floor: Tracked,
    crash_ratio: Tracked,
    latency: Tracked,
    failures: Tracked,
}

impl Budgets {
    /// The plans of a watch under `policy`: a pass from the soak on, everything spent by the
    /// timeout.
    pub fn new(policy: &Policy) -> Result<Self, InvalidPolicy> {
        let with_ceiling = policy.max_error_rate.is_some();
        let ratio_share = if with_ceiling {
            ERROR_RATE_SHARE / 2.0
        } else {
            ERROR_RATE_SHARE
        };
        Ok(Self {
            error_ratio: Tracked::new(policy, ratio_share)?,
            error_ceiling: with_ceiling
                .then(|| Tracked::new(policy, ERROR_RATE_SHARE - ratio_share))
                .transpose()?,
            crash_floor: Tracked::new(policy, CRASH_FLOOR_SHARE)?,
            crash_ratio: Tracked::new(policy, CRASH_BASELINE_SHARE)?,
            latency: Tracked::new(policy, LATENCY_SHARE)?,
            failures: Tracked::new(policy, FAILURES_SHARE)?,
        })
    }

    /// The allowances of a look `elapsed` after the deploy; what it spends is kept for the next.
    pub fn look(&mut self, elapsed: Duration) -> LookBudget {
        LookBudget {
            error_ratio: self.error_ratio.look(elapsed),
            error_ceiling: self.error_ceiling.as_mut().map(|c| c.look(elapsed)),
            crash_floor: self.crash_floor.look(elapsed),
            crash_ratio: self.crash_ratio.look(elapsed),
            latency: self.latency.look(elapsed),
            failures: self.failures.look(elapsed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(max_error_rate: Option<f64>) -> Policy {
        let mut policy = Policy::single_check("2.0", "production", vec![]).unwrap();
        policy.soak = Duration::from_secs(600);
        policy.timeout = Duration::from_secs(900);
        policy.max_error_rate = max_error_rate;
        policy
    }

    #[test]
    fn the_tests_share_alpha_and_never_spend_more() {
        for ceiling in [None, Some(0.02)] {
            let mut budgets = Budgets::new(&policy(ceiling)).unwrap();
            let mut last = None;
            for minute in 0..=20 {
                last = Some(budgets.look(Duration::from_secs(60 * minute)));
            }
            let spent = last.unwrap().false_alarm_spent();
            assert!((spent - ALPHA).abs() < 1e-12, "{spent}");
        }
    }

    #[test]
    fn a_ceiling_takes_half_the_error_rates_share() {
        let mut with = Budgets::new(&policy(Some(0.02))).unwrap();
        let mut without = Budgets::new(&policy(None)).unwrap();
        let end = Duration::from_secs(900);
        let (with, without) = (with.look(end), without.look(end));
        assert!((without.error_ratio.spent.false_alarm - 0.025).abs() < 1e-12);
        assert!((with.error_ratio.spent.false_alarm - 0.0125).abs() < 1e-12);
        assert!((with.error_ceiling.unwrap().spent.false_alarm - 0.0125).abs() < 1e-12);
        assert!(without.error_ceiling.is_none());
        assert!((with.crash_floor.spent.false_pass - BETA).abs() < 1e-12);
    }

    #[test]
    fn the_tests_follow_the_policy() {
        let mut strict = policy(Some(0.02));
        strict.minimums.errors = 40;
        let tests = Tests::of(&strict).unwrap();
        assert!(tests.error_ceiling.is_some());
        assert_eq!(
            tests.error_ratio,
            RatioTest::new(
                0.25,
                EventFloors {
                    to_fail: EVENTS_TO_FAIL,
                    to_pass: 40
                }
            )
            .unwrap()
        );
        assert!(Tests::of(&policy(None)).unwrap().error_ceiling.is_none());
    }

    #[test]
    fn the_crash_and_latency_tests_take_their_thresholds_from_the_policy() {
        let mut policy = policy(None);
        // A crash-free floor whose complement is exact in binary.
        policy.min_crash_free = 0.75;
        policy.latency.max_increase = 0.3;
        let tests = Tests::of(&policy).unwrap();
        let floor = CeilingTest::new(0.25, EVENTS_TO_FAIL).unwrap();
        assert_eq!(tests.crash_floor, floor, "at most 25% of sessions crash");
        let crashes = EventFloors {
            to_fail: EVENTS_TO_FAIL,
            to_pass: 0,
        };
        assert_eq!(tests.crash_ratio, RatioTest::new(0.25, crashes).unwrap());
        assert_eq!(tests.failures, RatioTest::new(0.3, crashes).unwrap());
        let no_margin = RatioTest::new(0.0, EventFloors::default()).unwrap();
        assert_eq!(tests.latency, no_margin);
    }
}
