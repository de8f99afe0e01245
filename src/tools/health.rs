//! Tools: check_release_health, one evaluation of the deploy gate's rules, answered in the words
//! of an API (the verdict first; no exit codes or command-line flags).

use super::context::ToolContext;
use super::error::ToolError;
use super::output::ToolOutput;
use super::tool::{Effects, Tool};
use crate::gate::acks::Acks;
use crate::gate::clock::SystemClock;
use crate::gate::error::GateError;
use crate::gate::policy::{Policy, Verdict};
use crate::gate::report::Report;
use crate::gate::rules::{FlaggedIssue, RuleOutcome, Status};
use crate::gate::sentry_data::SentryData;
use crate::gate::timeline::watch;
use crate::time::timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The tools of this module.
pub fn tools() -> Vec<Tool> {
    vec![
        Tool::new::<HealthParams, _, _>(
            "check_release_health",
            "Check release health",
            "Judge a deployed release now with the deploy gate's rules: new and regressed issues since \
             the deploy, error rate against the previously deployed release, crash-free sessions. \
             Answers pass/fail/inconclusive first, then the numbers and issues behind each rule.",
            Effects::READ,
            check_release_health,
        )
        .with_output::<HealthAnswer>(),
    ]
}

/// Parameters of `check_release_health`.
#[derive(Debug, Deserialize, JsonSchema)]
struct HealthParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    version: String,
    /// Environment deployed to, e.g. production.
    environment: String,
    /// Project slug (default: the configured project, else every project).
    project_slug: Option<String>,
}

/// The structured answer: what a program branches on.
#[derive(Debug, Serialize, JsonSchema)]
struct HealthAnswer {
    verdict: VerdictName,
    reason: String,
    version: String,
    environment: String,
    projects: Vec<String>,
    deployed_at: String,
    deploy_recorded: bool,
    baseline: Option<String>,
    checked_at: String,
    rules: Vec<RuleAnswer>,
    /// Rules the token could not evaluate, with why.
    skipped: Vec<String>,
    notes: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum VerdictName {
    Pass,
    Fail,
    Inconclusive,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum StatusName {
    Pass,
    Fail,
    Inconclusive,
    Skipped,
}

#[derive(Debug, Serialize, JsonSchema)]
struct RuleAnswer {
    rule: String,
    status: StatusName,
    value: String,
    baseline: Option<String>,
    threshold: String,
    detail: String,
    issues: Vec<IssueAnswer>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct IssueAnswer {
    short_id: String,
    title: String,
    count: u64,
    users: u64,
    link: String,
    /// Why it does not count, when acknowledged.
    acknowledged: Option<String>,
}

async fn check_release_health(
    ctx: Arc<ToolContext>,
    params: HealthParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let project = params
        .project_slug
        .filter(|p| !p.trim().is_empty())
        .or_else(|| ctx.default_project().map(str::to_owned));
    let policy = Policy::single_check(
        &params.version,
        &params.environment,
        project.into_iter().collect(),
    )
    .map_err(|e| ToolError::InvalidInput(e.to_string()))?;
    let data = SentryData::new(ctx.session(), org, &policy);
    let report = watch(&data, &policy, &Acks::default(), &SystemClock, &mut |_| {})
        .await
        .map_err(|error| match error {
            GateError::Api(api) => ToolError::Api(api),
            other => ToolError::Failed(other.to_string()),
        })?;
    let answer = answer_of(&report);
    Ok(ToolOutput::typed(&answer, text_of(&answer)))
}

fn answer_of(report: &Report) -> HealthAnswer {
    HealthAnswer {
        verdict: match report.verdict {
            Verdict::Pass => VerdictName::Pass,
            Verdict::Fail => VerdictName::Fail,
            Verdict::Inconclusive => VerdictName::Inconclusive,
        },
        reason: report.reason.clone(),
        version: report.version.clone(),
        environment: report.environment.clone(),
        projects: report.projects.clone(),
        deployed_at: timestamp(report.deployed_at),
        deploy_recorded: report.deploy_recorded,
        baseline: report.baseline.as_ref().map(|b| b.version.clone()),
        checked_at: timestamp(report.checked_at),
        rules: report.rules.iter().map(rule_answer).collect(),
        skipped: report.partial.clone(),
        notes: report.notes.clone(),
    }
}

fn rule_answer(outcome: &RuleOutcome) -> RuleAnswer {
    RuleAnswer {
        rule: outcome.rule.name().to_owned(),
        status: match outcome.status {
            Status::Pass => StatusName::Pass,
            Status::Fail => StatusName::Fail,
            Status::Inconclusive => StatusName::Inconclusive,
            Status::Skipped => StatusName::Skipped,
        },
        value: outcome.value.clone(),
        baseline: outcome.baseline.clone(),
        threshold: outcome.threshold.clone(),
        detail: outcome.detail.clone(),
        issues: outcome.issues.iter().map(issue_answer).collect(),
    }
}

fn issue_answer(issue: &FlaggedIssue) -> IssueAnswer {
    IssueAnswer {
        short_id: issue.short_id.clone(),
        title: issue.title.clone(),
        count: issue.count,
        users: issue.users,
        link: issue.link.clone(),
        acknowledged: issue.acknowledged.clone(),
    }
}

/// The verdict and why first, then the release, each rule with its numbers and issues.
fn text_of(answer: &HealthAnswer) -> String {
    let verdict = match answer.verdict {
        VerdictName::Pass => "PASS",
        VerdictName::Fail => "FAIL",
        VerdictName::Inconclusive => "INCONCLUSIVE",
    };
    let mut lines = vec![format!("Verdict: {verdict} — {}", answer.reason)];
    let projects = if answer.projects.is_empty() {
        String::new()
    } else {
        format!(" (projects: {})", answer.projects.join(", "))
    };
    let deploy = if answer.deploy_recorded {
        format!("deployed {}", answer.deployed_at)
    } else {
        format!("no deploy recorded; judged from {}", answer.deployed_at)
    };
    let baseline = match &answer.baseline {
        Some(version) => format!("compared with {version}"),
        None => "no earlier release to compare with".to_owned(),
    };
    lines.push(format!(
        "Release {} in {}{projects}: {deploy}; {baseline}; checked {}.",
        answer.version, answer.environment, answer.checked_at
    ));
    for rule in &answer.rules {
        let status = format!("{:?}", rule.status).to_ascii_uppercase();
        let baseline = rule
            .baseline
            .as_deref()
            .map(|b| format!(", baseline {b}"))
            .unwrap_or_default();
        lines.push(format!(
            "- {} {status}: {} (threshold {}{baseline}). {}",
            rule.rule, rule.value, rule.threshold, rule.detail
        ));
        lines.extend(rule.issues.iter().map(|issue| {
            let acknowledged = issue
                .acknowledged
                .as_deref()
                .map(|why| format!(" — acknowledged: {why}"))
                .unwrap_or_default();
            format!(
                "    {} {} ({} events, {} users) {}{acknowledged}",
                issue.short_id, issue.title, issue.count, issue.users, issue.link
            )
        }));
    }
    if !answer.skipped.is_empty() {
        lines.push(format!(
            "Not evaluated (the token lacks a scope): {}",
            answer.skipped.join("; ")
        ));
    }
    lines.extend(answer.notes.iter().map(|note| format!("Note: {note}")));
    lines.join("\n")
}
