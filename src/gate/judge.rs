//! One look judged, without Sentry: every rule under what the earlier looks left of the error
//! budgets, and the verdict rule. The watch (`timeline`) feeds it what Sentry answered; the
//! statistics benchmark (`benches/gate_stats.rs`) feeds it simulated counts.

use super::acks::Acks;
use super::budget::{Budgets, Tests};
use super::error::GateError;
use super::observations::Observations;
use super::policy::{Policy, Verdict, human_duration};
use super::rules::{RuleInputs, RuleOutcome, Status, evaluate};
use crate::sentry::models::Issue;
use chrono::{DateTime, TimeDelta, Utc};

/// The web link of an issue, for the report.
pub type IssueLink<'a> = &'a (dyn Fn(&Issue) -> String + Sync);

/// The judging half of a watch: the policy's tests, their budgets, and the watch's instants.
pub struct Judge<'a> {
    policy: &'a Policy,
    acks: &'a Acks,
    tests: Tests,
    budgets: Budgets,
    no_baseline: Option<&'a str>,
    link: IssueLink<'a>,
    anchor: DateTime<Utc>,
    soak_end: DateTime<Utc>,
    deadline: DateTime<Utc>,
    looks: u32,
    spent: f64,
}

/// One look judged.
#[derive(Debug, Clone)]
pub struct Look {
    /// Every rule's outcome.
    pub outcomes: Vec<RuleOutcome>,
    /// The verdict, once there is one, and why.
    pub verdict: Option<(Verdict, String)>,
}

impl<'a> Judge<'a> {
    /// A judge for a watch of a deploy that finished at `anchor`, started at `started` (a watch
    /// started after the timeout decides on its first look). `no_baseline` says why there is
    /// nothing to compare with, when there is not.
    pub fn new(
        policy: &'a Policy,
        acks: &'a Acks,
        (anchor, started): (DateTime<Utc>, DateTime<Utc>),
        no_baseline: Option<&'a str>,
        link: IssueLink<'a>,
    ) -> Result<Self, GateError> {
        Ok(Self {
            policy,
            acks,
            tests: Tests::of(policy)?,
            budgets: Budgets::new(policy)?,
            no_baseline,
            link,
            anchor,
            soak_end: anchor + delta(policy.soak),
            deadline: (anchor + delta(policy.timeout)).max(started),
            looks: 0,
            spent: 0.0,
        })
    }

    /// Judges one look's observations with what the earlier looks left of the budgets; the look
    /// at the deadline is the last.
    pub fn look(&mut self, observations: &Observations) -> Look {
        let last = observations.at >= self.deadline;
        self.judge(observations, last)
    }

    /// Judges the last look of a watch that must end by its deadline and so looks a little before
    /// it: it spends what is left of the budgets, may pass (its answers come in at the deadline),
    /// and turns undecided rules into an inconclusive verdict.
    pub fn last_look(&mut self, observations: &Observations) -> Look {
        self.judge(observations, true)
    }

    fn judge(&mut self, observations: &Observations, last: bool) -> Look {
        let at = observations.at;
        self.looks += 1;
        let elapsed = if last { self.deadline.max(at) } else { at } - self.anchor;
        let budget = self.budgets.look(elapsed.to_std().unwrap_or_default());
        self.spent = budget.false_alarm_spent();
        let inputs = RuleInputs {
            policy: self.policy,
            acks: self.acks,
            today: at.date_naive(),
            tests: &self.tests,
            budget,
            no_baseline: self.no_baseline,
            link: self.link,
        };
        let outcomes = evaluate(observations, &inputs);
        let verdict = decide(&outcomes, last || at >= self.soak_end, last, self.policy);
        Look { outcomes, verdict }
    }

    /// Looks judged so far.
    pub fn looks(&self) -> u32 {
        self.looks
    }

    /// The false-alarm budget spent so far by every test.
    pub fn spent(&self) -> f64 {
        self.spent
    }

    /// When a pass becomes possible.
    pub fn soak_end(&self) -> DateTime<Utc> {
        self.soak_end
    }

    /// When undecided rules make the verdict inconclusive.
    pub fn deadline(&self) -> DateTime<Utc> {
        self.deadline
    }
}

/// A duration on the calendar (the policy keeps durations far below the calendar's end).
pub fn delta(duration: std::time::Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
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
        // Only the undecided rules' hints say what would decide.
        let hinted = |rule, status, hint: &str| RuleOutcome {
            hint: Some(hint.into()),
            ..outcome(rule, status)
        };
        let mixed = [
            hinted(Rule::NewIssues, Status::Pass, "not this"),
            hinted(Rule::ErrorRate, Status::Inconclusive, "more sessions"),
        ];
        let (_, reason) = decide(&mixed, true, true, &policy()).unwrap();
        assert!(reason.contains("error-rate: more sessions"), "{reason}");
        assert!(!reason.contains("not this"), "{reason}");
    }

    /// A look at `at` where the issue searches found nothing and no rate can be measured.
    fn quiet_look(at: DateTime<Utc>) -> Observations {
        use crate::gate::observations::{IssueSearch, Unavailable};
        let nothing = || {
            Ok(IssueSearch {
                query: String::new(),
                total: 0,
                issues: Vec::new(),
            })
        };
        let unmeasured = || Unavailable {
            reason: "not measured here".into(),
            missing_scope: None,
        };
        Observations {
            at,
            new_issues: nothing(),
            regressed: nothing(),
            sessions: Err(unmeasured()),
            errors: Err(unmeasured()),
            latency: Err(unmeasured()),
        }
    }

    #[test]
    fn a_judge_counts_its_looks_spends_the_budget_and_passes_from_the_soak() {
        let mut policy = policy();
        policy.soak = std::time::Duration::from_secs(600);
        policy.timeout = std::time::Duration::from_secs(900);
        let acks = Acks::default();
        let link = |_: &Issue| String::new();
        let anchor = DateTime::<Utc>::UNIX_EPOCH;
        let minutes = TimeDelta::minutes;
        let mut judge = Judge::new(&policy, &acks, (anchor, anchor), None, &link).unwrap();
        assert_eq!(judge.soak_end(), anchor + minutes(10));
        assert_eq!(judge.deadline(), anchor + minutes(15));
        assert_eq!((judge.looks(), judge.spent()), (0, 0.0));

        let early = judge.look(&quiet_look(anchor + minutes(1)));
        assert_eq!(early.verdict, None, "no pass before the soak");
        assert_eq!(judge.looks(), 1);
        let spent_early = judge.spent();
        assert!(spent_early > 0.0 && spent_early < 0.01, "{spent_early}");
        let almost = judge.look(&quiet_look(anchor + minutes(10) - TimeDelta::seconds(1)));
        assert_eq!(almost.verdict, None);
        let at_soak = judge.look(&quiet_look(anchor + minutes(10)));
        assert_eq!(at_soak.verdict.map(|v| v.0), Some(Verdict::Pass));
        assert_eq!(judge.looks(), 3);
        assert!(
            judge.spent() > spent_early && judge.spent() <= 0.05,
            "{}",
            judge.spent()
        );

        // A watch started after its timeout still gets a look: the deadline is the start.
        let late = anchor + minutes(40);
        let judge = Judge::new(&policy, &acks, (anchor, late), None, &link).unwrap();
        assert_eq!(judge.deadline(), late);
        assert_eq!(
            delta(std::time::Duration::from_secs(90)),
            TimeDelta::seconds(90)
        );
    }

    #[test]
    fn nothing_evaluated_is_never_a_pass() {
        let skipped = [outcome(Rule::NewIssues, Status::Skipped)];
        assert_eq!(
            decide(&skipped, true, false, &policy()).unwrap().0,
            Verdict::Inconclusive
        );
    }
}
