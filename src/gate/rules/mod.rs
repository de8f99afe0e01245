//! The rules: pure functions from one look's observations to a status with the numbers behind it.
//!
//! One file per rule: `issue_count` (new and regressed issues), `error_rate`, `crash_free`,
//! `latency`; `outcome` holds what a rule returns and takes, `format` how their numbers read.

mod crash_free;
mod error_rate;
mod format;
mod issue_count;
mod latency;
mod outcome;
#[cfg(test)]
mod tests;

pub use outcome::{FlaggedIssue, Rule, RuleInputs, RuleOutcome, Status, SuspectCommit};

use crate::gate::observations::{Observations, Unavailable};

/// Every rule skipped for the same reason (nothing could be read).
pub fn not_evaluated(why: &str) -> Vec<RuleOutcome> {
    let why = Unavailable {
        reason: format!("not evaluated: {why}"),
        missing_scope: None,
    };
    Rule::ALL
        .iter()
        .map(|rule| outcome::skipped(*rule, "-".into(), &why))
        .collect()
}

/// Every rule's outcome for one look.
pub fn evaluate(observations: &Observations, inputs: &RuleInputs<'_>) -> Vec<RuleOutcome> {
    vec![
        issue_count::issue_rule(
            Rule::NewIssues,
            &observations.new_issues,
            inputs.policy.max_new_issues,
            Some(inputs.policy.issues),
            inputs,
        ),
        issue_count::issue_rule(
            Rule::RegressedIssues,
            &observations.regressed,
            0,
            None,
            inputs,
        ),
        error_rate::error_rate(&observations.errors, inputs),
        crash_free::crash_free(&observations.sessions, inputs),
        latency::latency(&observations.latency, inputs),
    ]
}
