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
use crate::gate::wording::Wording;
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
            "Judge a deployed release now: new and regressed issues, error rate, crash-free sessions, latency.",
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
    environment: String,
    project_slug: Option<String>,
}

/// The structured answer: what a program branches on (the issues behind a rule are in the text).
#[derive(Debug, Serialize, JsonSchema)]
struct HealthAnswer {
    verdict: VerdictName,
    reason: String,
    version: String,
    environment: String,
    baseline: Option<String>,
    checked_at: String,
    rules: Vec<RuleAnswer>,
}

#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum VerdictName {
    Pass,
    Fail,
    Inconclusive,
    Skipped,
}

impl VerdictName {
    fn label(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::Inconclusive => "INCONCLUSIVE",
            Self::Skipped => "SKIPPED",
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
struct RuleAnswer {
    rule: String,
    status: VerdictName,
    value: String,
    threshold: String,
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
    for (name, value) in [
        ("version", &params.version),
        ("environment", &params.environment),
    ] {
        if value.trim().is_empty() {
            return Err(ToolError::InvalidInput(format!("{name} must not be empty")));
        }
    }
    let policy = Policy::single_check(
        &params.version,
        &params.environment,
        project.into_iter().collect(),
    )
    .map_err(|e| ToolError::InvalidInput(e.to_string()))?;
    // The caller passes parameters, not flags: the answer names settings, never `--flags`.
    let policy = Policy {
        wording: Wording::Api,
        ..policy
    };
    let data = SentryData::new(ctx.session(), org, &policy);
    let report = watch(&data, &policy, &Acks::default(), &SystemClock, &mut |_| {})
        .await
        .map_err(|error| match error {
            GateError::Api(api) => api.into(),
            other => ToolError::Failed(other.to_string()),
        })?;
    let answer = HealthAnswer {
        verdict: match report.verdict {
            Verdict::Pass => VerdictName::Pass,
            Verdict::Fail => VerdictName::Fail,
            Verdict::Inconclusive => VerdictName::Inconclusive,
        },
        reason: report.reason.clone(),
        version: report.version.clone(),
        environment: report.environment.clone(),
        baseline: report.baseline.as_ref().map(|b| b.version.clone()),
        checked_at: timestamp(report.checked_at),
        rules: report.rules.iter().map(rule_answer).collect(),
    };
    Ok(ToolOutput::typed(&answer, text_of(&answer, &report)))
}

fn rule_answer(outcome: &RuleOutcome) -> RuleAnswer {
    RuleAnswer {
        rule: outcome.rule.name().to_owned(),
        status: status_of(outcome.status),
        value: outcome.value.clone(),
        threshold: outcome.threshold.clone(),
    }
}

fn status_of(status: Status) -> VerdictName {
    match status {
        Status::Pass => VerdictName::Pass,
        Status::Fail => VerdictName::Fail,
        Status::Inconclusive => VerdictName::Inconclusive,
        Status::Skipped => VerdictName::Skipped,
    }
}

/// The verdict and why first, then the release, each rule with its numbers and issues.
fn text_of(answer: &HealthAnswer, report: &Report) -> String {
    let mut lines = vec![format!(
        "Verdict: {} — {}",
        answer.verdict.label(),
        answer.reason
    )];
    let projects = if report.projects.is_empty() {
        String::new()
    } else {
        format!(" (projects: {})", report.projects.join(", "))
    };
    let deployed = timestamp(report.deployed_at);
    let deploy = if report.deploy_recorded {
        format!("deployed {deployed}")
    } else {
        format!("no deploy recorded; judged from {deployed}")
    };
    let baseline = match &answer.baseline {
        Some(version) => format!("compared with {version}"),
        None => "no earlier release to compare with".to_owned(),
    };
    lines.push(format!(
        "Release {} in {}{projects}: {deploy}; {baseline}; checked {}.",
        answer.version, answer.environment, answer.checked_at
    ));
    for rule in &report.rules {
        let baseline = rule
            .baseline
            .as_deref()
            .map(|b| format!(", baseline {b}"))
            .unwrap_or_default();
        lines.push(format!(
            "- {} {}: {} (threshold {}{baseline}). {}",
            rule.rule.name(),
            status_of(rule.status).label(),
            rule.value,
            rule.threshold,
            rule.detail
        ));
        lines.extend(rule.issues.iter().map(issue_line));
    }
    if !report.partial.is_empty() {
        lines.push(format!(
            "Not evaluated (the token lacks a scope): {}",
            report.partial.join("; ")
        ));
    }
    lines.extend(report.notes.iter().map(|note| format!("Note: {note}")));
    lines.join("\n")
}

/// `    WEB-1 TypeError (12 events, 3 users) https://… — acknowledged: …`.
fn issue_line(issue: &FlaggedIssue) -> String {
    let why_not_counted = issue
        .acknowledged
        .as_deref()
        .map(|why| format!(" — acknowledged: {why}"))
        .or_else(|| {
            issue
                .below_minimums
                .as_deref()
                .map(|why| format!(" — {why}"))
        })
        .unwrap_or_default();
    format!(
        "    {} {} ({} events, {} users) {}{why_not_counted}",
        issue.short_id, issue.title, issue.count, issue.users, issue.link
    )
}
