//! What a rule says about one look: its status and the numbers behind it, and what every rule
//! takes besides the observations.

use crate::gate::acks::Acks;
use crate::gate::budget::{LookBudget, Tests};
use crate::gate::observations::Unavailable;
use crate::gate::policy::Policy;
use crate::gate::rate_decision::Decision;
use crate::sentry::models::Issue;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

/// How a rule ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Nothing wrong, with enough data.
    Pass,
    /// A regression.
    Fail,
    /// Not enough data (yet).
    Inconclusive,
    /// Cannot be evaluated here; the reason is given.
    Skipped,
}

impl Status {
    /// The upper-case label of tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::Inconclusive => "INCONCLUSIVE",
            Self::Skipped => "SKIPPED",
        }
    }
}

/// The rules, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Issues first seen in the release after the deploy.
    NewIssues,
    /// Issues that regressed in the release after the deploy.
    RegressedIssues,
    /// Error events per exposure against the baseline.
    ErrorRate,
    /// Crash-free sessions against a floor and the baseline.
    CrashFree,
    /// Transaction duration at a percentile, and transaction failures, against the baseline.
    Latency,
}

impl Rule {
    /// Every rule, in report order.
    pub const ALL: [Rule; 5] = [
        Self::NewIssues,
        Self::RegressedIssues,
        Self::ErrorRate,
        Self::CrashFree,
        Self::Latency,
    ];

    /// The rule's name in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Self::NewIssues => "new-issues",
            Self::RegressedIssues => "regressed-issues",
            Self::ErrorRate => "error-rate",
            Self::CrashFree => "crash-free",
            Self::Latency => "latency",
        }
    }
}

/// A commit of the release that touched a file in the issue's in-app stack frames.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuspectCommit {
    /// The changed file.
    pub file: String,
    /// The first line of the commit message.
    pub commit: String,
    /// The author's name, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
}

/// An issue a rule found, with what the report shows of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlaggedIssue {
    /// Numeric id.
    pub id: String,
    /// Short id, e.g. `WEB-1A3`.
    pub short_id: String,
    /// Title.
    pub title: String,
    /// Level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Events since the deploy.
    pub count: u64,
    /// Users affected.
    pub users: u64,
    /// Web link.
    pub link: String,
    /// Why it does not count, when an acknowledgement covers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<String>,
    /// An acknowledgement that covered it and expired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledgement_expired: Option<String>,
    /// Why it does not count yet, when it has fewer events and users than the minimums.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub below_minimums: Option<String>,
    /// Commits of the release that touched its in-app frames.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suspect_commits: Vec<SuspectCommit>,
}

impl FlaggedIssue {
    /// Whether it counts against the rule.
    pub fn counts(&self) -> bool {
        self.acknowledged.is_none() && self.below_minimums.is_none()
    }
}

/// One rule's result with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleOutcome {
    /// Which rule.
    pub rule: Rule,
    /// How it ended.
    pub status: Status,
    /// The measured value.
    pub value: String,
    /// The baseline's value, where there is one.
    pub baseline: Option<String>,
    /// What passes.
    pub threshold: String,
    /// The numbers and the reasoning, in one sentence.
    pub detail: String,
    /// The raw numbers, for programs.
    pub numbers: Value,
    /// The issues it found.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub issues: Vec<FlaggedIssue>,
    /// The scope whose absence skipped it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_scope: Option<&'static str>,
    /// When inconclusive: what is missing and what would decide it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// What the rules need besides the observations.
pub struct RuleInputs<'a> {
    /// The policy.
    pub policy: &'a Policy,
    /// Acknowledged issues.
    pub acks: &'a Acks,
    /// Today, for acknowledgement expiry.
    pub today: NaiveDate,
    /// The statistical tests of the policy.
    pub tests: &'a Tests,
    /// What each test may spend at this look.
    pub budget: LookBudget,
    /// Why there is no baseline, when there is none.
    pub no_baseline: Option<&'a str>,
    /// The web link of an issue.
    pub link: &'a (dyn Fn(&Issue) -> String + Sync),
}

/// A decision of the statistical kernel as a rule's status.
pub(super) fn status_of(decision: Decision) -> Status {
    match decision {
        Decision::Fail => Status::Fail,
        Decision::Pass => Status::Pass,
        Decision::Undecided(_) => Status::Inconclusive,
    }
}

/// A pass the statistics allow, held back while a window has less exposure than the policy's
/// minimum; the reason when undecided.
pub(super) fn guarded(
    decision: Decision,
    shortfall: Vec<String>,
    unit: &str,
) -> (Status, Option<String>) {
    match (status_of(decision), decision) {
        (Status::Pass, _) if !shortfall.is_empty() => {
            (Status::Inconclusive, Some(shortfall.join(", ")))
        }
        (Status::Inconclusive, Decision::Undecided(why)) => {
            let mut reasons = vec![why.explain(unit)];
            reasons.extend(shortfall);
            (Status::Inconclusive, Some(reasons.join(", ")))
        }
        (status, _) => (status, None),
    }
}

/// The outcome of a rule that could not be evaluated, with the reason.
pub(super) fn skipped(rule: Rule, threshold: String, why: &Unavailable) -> RuleOutcome {
    RuleOutcome {
        rule,
        status: Status::Skipped,
        value: "-".into(),
        baseline: None,
        threshold,
        detail: format!("skipped: {}", why.reason),
        numbers: Value::Null,
        issues: Vec::new(),
        missing_scope: why.missing_scope,
        hint: None,
    }
}
