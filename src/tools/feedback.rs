//! Tools: user feedback — what users wrote about the errors they hit.

use super::context::{Limit, ToolContext, list_limit};
use super::error::ToolError;
use super::output::{ListAnswer, ToolOutput};
use super::tool::{Effects, Tool};
use crate::sentry::api::{self, Page};
use crate::sentry::models::issue_context::UserReport;
use crate::text::{non_empty, truncate};
use crate::time::short_time;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// The tools of this module.
pub fn tools() -> Vec<Tool> {
    vec![Tool::new::<FeedbackParams, _, _>(
        "list_user_feedback",
        "List user feedback",
        "What users wrote about errors in a project.",
        Effects::READ,
        list_user_feedback,
    )]
}

/// Arguments of `list_user_feedback`.
#[derive(Debug, Deserialize, JsonSchema)]
struct FeedbackParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    #[schemars(required)]
    project_slug: Option<String>,
    limit: Option<Limit>,
    cursor: Option<String>,
}

async fn list_user_feedback(
    ctx: Arc<ToolContext>,
    params: FeedbackParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let project = ctx.project(params.project_slug)?;
    let page = Page::from(list_limit(params.limit)?, params.cursor);
    let listing = api::feedback::list(ctx.client(), &org, &project, page).await?;
    let heading = if listing.items.is_empty() {
        format!("No user feedback in {org}/{project}.")
    } else {
        format!("User feedback in {org}/{project}, newest first:")
    };
    let answer = ListAnswer {
        heading,
        key: "feedback",
        fields: json!({ "organization": org, "project": project }),
    };
    Ok(answer.render(&listing, feedback_line, feedback_json))
}

/// `- 2026-06-22T02:37:27Z Jane <jane@x>: "it broke" (event …, issue WEB-12 "title")`.
fn feedback_line(report: &UserReport) -> String {
    let when = report
        .date_created
        .as_deref()
        .map(|t| format!("{} ", short_time(t)))
        .unwrap_or_default();
    let comments = report
        .comments
        .as_deref()
        .unwrap_or("")
        .trim()
        .replace('\n', " ");
    let comments = truncate(&comments, 500);
    let mut about: Vec<String> = report
        .event_id
        .iter()
        .map(|id| format!("event {id}"))
        .collect();
    if let Some(issue) = &report.issue {
        let id = issue.short_id.as_deref().unwrap_or(&issue.id);
        match non_empty(issue.title.as_deref()) {
            Some(title) => about.push(format!("issue {id} \"{title}\"")),
            None => about.push(format!("issue {id}")),
        }
    }
    let about = if about.is_empty() {
        String::new()
    } else {
        format!(" ({})", about.join(", "))
    };
    format!("- {when}{}: \"{comments}\"{about}", reporter(report))
}

fn feedback_json(report: &UserReport) -> Value {
    json!({
        "id": report.id,
        "date": report.date_created,
        "name": non_empty(report.name.as_deref()),
        "email": non_empty(report.email.as_deref()),
        "comments": report.comments,
        "event_id": report.event_id,
        "issue": report.issue.as_ref().map(|i| i.short_id.clone().unwrap_or_else(|| i.id.clone())),
    })
}

/// `Jane <jane@example.com>`, or whichever part is known, or `anonymous`.
fn reporter(report: &UserReport) -> String {
    match (
        non_empty(report.name.as_deref()),
        non_empty(report.email.as_deref()),
    ) {
        (Some(name), Some(email)) => format!("{name} <{email}>"),
        (Some(only), None) | (None, Some(only)) => only.to_owned(),
        (None, None) => "anonymous".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_feedback_still_reads_well() {
        let report: UserReport = serde_json::from_value(json!({
            "id": "9", "eventID": "abc", "name": "", "email": "", "comments": " it broke ",
            "dateCreated": "2026-06-22T03:10:11.123456Z"
        }))
        .unwrap();
        assert_eq!(
            feedback_line(&report),
            "- 2026-06-22T03:10:11Z anonymous: \"it broke\" (event abc)"
        );
    }
}
