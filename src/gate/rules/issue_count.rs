//! Rules `new-issues` and `regressed-issues`: issues found by a search, less acknowledged ones,
//! against the number allowed.

use super::outcome::{FlaggedIssue, Rule, RuleInputs, RuleOutcome, Status, skipped};
use crate::gate::acks::AckState;
use crate::gate::observations::{IssueSearch, Observed};
use crate::sentry::models::Issue;
use serde_json::json;

/// Counts a search's issues against `allowed`.
pub(super) fn issue_rule(
    rule: Rule,
    search: &Observed<IssueSearch>,
    allowed: u64,
    inputs: &RuleInputs<'_>,
) -> RuleOutcome {
    let threshold = format!("≤ {allowed}");
    let search = match search {
        Ok(search) => search,
        Err(why) => return skipped(rule, threshold, why),
    };
    let issues: Vec<FlaggedIssue> = search
        .issues
        .iter()
        .map(|issue| flag(issue, inputs))
        .collect();
    let acknowledged = issues.iter().filter(|i| !i.counts()).count() as u64;
    let counted = search.total.saturating_sub(acknowledged);
    let status = if counted > allowed {
        Status::Fail
    } else {
        Status::Pass
    };
    let noun = match rule {
        Rule::RegressedIssues => "regressed issue(s)",
        _ => "new issue(s)",
    };
    RuleOutcome {
        rule,
        status,
        value: counted.to_string(),
        baseline: None,
        threshold,
        detail: format!(
            "{counted} {noun} counted, {acknowledged} acknowledged; search: {}",
            search.query
        ),
        numbers: json!({"count": counted, "acknowledged": acknowledged, "allowed": allowed, "query": search.query}),
        issues,
        missing_scope: None,
    }
}

fn flag(issue: &Issue, inputs: &RuleInputs<'_>) -> FlaggedIssue {
    let state = inputs.acks.state_of(issue, inputs.today);
    FlaggedIssue {
        id: issue.id.clone(),
        short_id: issue.short_id.clone(),
        title: issue.title.clone(),
        level: issue.level.clone(),
        count: issue.count,
        users: issue.user_count,
        link: (inputs.link)(issue),
        acknowledged: match state {
            Some(AckState::Active(ack)) => Some(ack.describe()),
            _ => None,
        },
        acknowledgement_expired: match state {
            Some(AckState::Expired(ack)) => Some(ack.describe()),
            _ => None,
        },
        suspect_commits: Vec::new(),
    }
}
