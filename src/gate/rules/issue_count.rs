//! Rules `new-issues` and `regressed-issues`: issues found by a search, less acknowledged ones
//! (and, for new issues, those below the per-issue minimums), against the number allowed.

use super::outcome::{FlaggedIssue, Rule, RuleInputs, RuleOutcome, Status, skipped};
use crate::gate::acks::AckState;
use crate::gate::observations::{IssueSearch, Observed};
use crate::gate::policy::IssueFilter;
use crate::sentry::models::Issue;
use serde_json::json;

/// Counts a search's issues against `allowed`; with `minimums`, an issue counts only once it
/// reaches one of them.
pub(super) fn issue_rule(
    rule: Rule,
    search: &Observed<IssueSearch>,
    allowed: u64,
    minimums: Option<IssueFilter>,
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
        .map(|issue| flag(issue, minimums, inputs))
        .collect();
    let acknowledged = issues.iter().filter(|i| i.acknowledged.is_some()).count() as u64;
    let minor = issues
        .iter()
        .filter(|i| i.acknowledged.is_none() && i.below_minimums.is_some())
        .count() as u64;
    let unlisted = search.total.saturating_sub(issues.len() as u64);
    // Unlisted issues (past the first page, sorted by events) have fewer events than any listed:
    // without minimums they count, with minimums they are too small to.
    let counted = issues.iter().filter(|i| i.counts()).count() as u64
        + if minimums.is_some() { 0 } else { unlisted };
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
            "{counted} {noun} counted, {acknowledged} acknowledged{}; search: {}",
            minimums
                .map(|m| format!(
                    ", {minor} below the minimums (an issue counts at {} events or {} users since the deploy)",
                    m.min_events, m.min_users
                ))
                .unwrap_or_default(),
            search.query
        ),
        numbers: json!({
            "count": counted, "acknowledged": acknowledged, "below_minimums": minor,
            "allowed": allowed, "query": search.query,
            "min_events": minimums.map(|m| m.min_events), "min_users": minimums.map(|m| m.min_users),
        }),
        issues,
        missing_scope: None,
        hint: None,
    }
}

fn flag(issue: &Issue, minimums: Option<IssueFilter>, inputs: &RuleInputs<'_>) -> FlaggedIssue {
    let state = inputs.acks.state_of(issue, inputs.today);
    let below_minimums = minimums
        .filter(|m| !m.reached(issue.count, issue.user_count))
        .map(|m| {
            format!(
                "below the minimums: {} event(s) and {} user(s) since the deploy; counts at {} events or {} users",
                issue.count, issue.user_count, m.min_events, m.min_users
            )
        });
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
        below_minimums,
        suspect_commits: Vec::new(),
    }
}
