//! Tools: Seer — start Sentry's root-cause analysis of an issue, wait a bounded time for it, and
//! report its state and findings (the calling assistant reasons over them; nothing here calls an LLM).

use super::context::ToolContext;
use super::error::ToolError;
use super::ids::IssueArg;
use super::output::ToolOutput;
use super::tool::{Effects, Tool};
use crate::sentry::api;
use crate::sentry::api::seer::NewRun;
use crate::sentry::models::seer::{AutofixAnswer, AutofixState};
use crate::text::{non_empty, truncate};
use crate::time::short_time;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a call waits for Seer by default, and at most.
const DEFAULT_WAIT: u32 = 30;
const MAX_WAIT: u32 = 50;
/// Between two looks at a running analysis.
const POLL: Duration = Duration::from_secs(2);
/// The longest findings text shown.
const MAX_FINDINGS: usize = 6_000;

/// The tools of this module.
pub fn tools() -> Vec<Tool> {
    vec![Tool::new::<SeerParams, _, _>(
        "analyze_issue_with_seer",
        "Analyze an issue with Seer",
        "Start Seer's root-cause analysis of an issue (or read the one already run), wait up to wait_seconds, and answer its state, root cause and proposed solution. Call again to check back; it never starts a second run.",
        Effects::ADDITIVE_WRITE,
        analyze_issue_with_seer,
    )
    .with_output::<SeerState>()]
}

/// The structured answer: where the run stands (its findings are in the text).
#[derive(Debug, Serialize, JsonSchema)]
struct SeerState {
    organization: String,
    issue_id: String,
    status: String,
    run_id: Option<String>,
    /// Completed, failed, or waiting for input: calling again shows the same.
    finished: bool,
    /// Whether this call started the run.
    started: bool,
}

/// Arguments of `analyze_issue_with_seer`.
#[derive(Debug, Deserialize, JsonSchema)]
struct SeerParams {
    issue_id: IssueArg,
    organization_slug: Option<String>,
    /// Extra context for Seer when a run starts.
    instruction: Option<String>,
    /// 0 to 50, default 30.
    wait_seconds: Option<u32>,
}

async fn analyze_issue_with_seer(
    ctx: Arc<ToolContext>,
    params: SeerParams,
) -> Result<ToolOutput, ToolError> {
    let wait = params.wait_seconds.unwrap_or(DEFAULT_WAIT);
    if wait > MAX_WAIT {
        return Err(ToolError::InvalidInput(format!(
            "wait_seconds {wait} is too long: use 0 to {MAX_WAIT}, and call again to check back"
        )));
    }
    let (org, locator) = ctx.issue(params.organization_slug, &params.issue_id)?;
    let issue = locator.issue_id;
    let client = ctx.client();
    let mut answer = api::seer::state(client, &org, &issue).await?;
    let started = answer.autofix.is_none();
    if started {
        let run = NewRun {
            stopping_point: "solution",
            user_context: non_empty(params.instruction.as_deref()),
        };
        api::seer::start(client, &org, &issue, &run).await?;
    }
    let deadline = Instant::now() + Duration::from_secs(u64::from(wait));
    while !is_finished(&answer) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        tokio::time::sleep(POLL.min(left)).await;
        answer = api::seer::state(client, &org, &issue).await?;
    }
    Ok(render(&org, &issue, &answer, started, wait))
}

/// Whether the run has ended, one way or another (statuses come in either case).
fn is_finished(answer: &AutofixAnswer) -> bool {
    let status = answer
        .autofix
        .as_ref()
        .and_then(|a| a.status.as_deref())
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(
        status.as_str(),
        "completed" | "error" | "cancelled" | "need_more_information" | "waiting_for_user_response"
    )
}

fn render(org: &str, issue: &str, answer: &AutofixAnswer, started: bool, wait: u32) -> ToolOutput {
    let state = answer.autofix.as_ref();
    let status = state
        .and_then(|s| s.status.as_deref())
        .unwrap_or("starting")
        .to_ascii_lowercase();
    let run = state.and_then(|s| s.run_id.as_ref()).map(|id| match id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let updated = state
        .and_then(|s| s.updated_at.as_deref())
        .map(|t| format!(", updated {}", short_time(t)))
        .unwrap_or_default();
    let how = if started {
        "started now"
    } else {
        "the run already there"
    };
    let run_text = run
        .as_deref()
        .map(|r| format!(" (run {r}{updated})"))
        .unwrap_or_default();
    let mut lines = vec![format!(
        "Seer analysis of issue {issue} in {org}, {how}: {status}{run_text}."
    )];
    let findings = findings(answer);
    let done = is_finished(answer);
    if !findings.is_empty() {
        lines.push(findings.clone());
    }
    if !done {
        lines.push(format!(
            "Still running after {wait}s. Call analyze_issue_with_seer again with issue_id {issue} to check back; it will not start a second run."
        ));
    } else if findings.is_empty() {
        lines.push("Seer gave no findings.".to_owned());
    }
    let state = SeerState {
        organization: org.to_owned(),
        issue_id: issue.to_owned(),
        status,
        run_id: run,
        finished: done,
        started,
    };
    ToolOutput::typed(&state, lines.join("\n"))
}

/// What Seer found: the server's rendering for models where given, else the root causes and
/// solutions read from the run's blocks (current servers) or steps (older ones).
fn findings(answer: &AutofixAnswer) -> String {
    if let Some(formatted) = &answer.formatted
        && !formatted.content.trim().is_empty()
    {
        return truncate(formatted.content.trim(), MAX_FINDINGS);
    }
    let Some(state) = &answer.autofix else {
        return String::new();
    };
    truncate(&read_run(state).join("\n"), MAX_FINDINGS)
}

fn read_run(state: &AutofixState) -> Vec<String> {
    let mut lines = Vec::new();
    for artifact in state
        .blocks
        .iter()
        .filter_map(|b| b.get("artifacts").and_then(Value::as_array))
        .flatten()
    {
        let data = &artifact["data"];
        match artifact["key"].as_str() {
            Some("root_cause") => {
                lines.extend(
                    text(&data["one_line_description"]).map(|t| format!("Root cause: {t}")),
                );
                lines.extend(items(&data["five_whys"]).map(|t| format!("- why: {t}")));
                lines.extend(
                    items(&data["reproduction_steps"]).map(|t| format!("- reproduce: {t}")),
                );
            }
            Some("solution") => {
                lines.extend(text(&data["one_line_summary"]).map(|t| format!("Solution: {t}")));
                lines.extend(
                    data["steps"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(step_text),
                );
            }
            _ => {}
        }
    }
    for step in &state.steps {
        for cause in step["causes"].as_array().into_iter().flatten() {
            lines.extend(text(&cause["description"]).map(|t| format!("Root cause: {t}")));
        }
        for part in step["solution"].as_array().into_iter().flatten() {
            lines.push(step_text(part));
        }
    }
    lines
}

fn step_text(step: &Value) -> String {
    match (text(&step["title"]), text(&step["description"])) {
        (Some(title), Some(description)) => format!("- {title}: {description}"),
        (Some(only), None) | (None, Some(only)) => format!("- {only}"),
        (None, None) => format!("- {}", truncate(&step.to_string(), 300)),
    }
}

fn text(value: &Value) -> Option<&str> {
    non_empty(value.as_str())
}

fn items(value: &Value) -> impl Iterator<Item = &str> {
    value.as_array().into_iter().flatten().filter_map(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn findings_come_from_blocks_or_steps_when_the_server_renders_none() {
        let current: AutofixAnswer = serde_json::from_value(json!({"autofix": {
            "run_id": 1, "status": "COMPLETED",
            "blocks": [{"artifacts": [
                {"key": "root_cause", "data": {"one_line_description": "Null user", "five_whys": ["no login"]}},
                {"key": "solution", "data": {"one_line_summary": "Guard it", "steps": [{"title": "Check", "description": "if user"}]}}
            ]}]
        }}))
        .unwrap();
        assert_eq!(
            findings(&current),
            "Root cause: Null user\n- why: no login\nSolution: Guard it\n- Check: if user"
        );
        assert!(is_finished(&current));
        let older: AutofixAnswer = serde_json::from_value(json!({"autofix": {
            "status": "PROCESSING", "blocks": null,
            "steps": [{"causes": [{"description": "Missing argument"}]}]
        }}))
        .unwrap();
        assert_eq!(findings(&older), "Root cause: Missing argument");
        assert!(!is_finished(&older));
    }
}
