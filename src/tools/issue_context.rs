//! Tools: the context around an issue — its tag values, its activity and notes.

use super::context::{Limit, ToolContext, list_limit};
use super::error::ToolError;
use super::ids::IssueArg;
use super::issues::{share, tag_value};
use super::output::{ListAnswer, ToolOutput};
use super::tool::{Effects, Tool};
use crate::sentry::Listing;
use crate::sentry::api;
use crate::sentry::models::issue_context::{Activity, TagValue};
use crate::text::{non_empty, truncate};
use crate::time::short_time;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// The tools of this module.
pub fn tools() -> Vec<Tool> {
    vec![
        Tool::new::<TagValuesParams, _, _>(
            "list_issue_tag_values",
            "List an issue's tag values",
            "An issue's most common values of one tag.",
            Effects::READ,
            list_issue_tag_values,
        ),
        Tool::new::<ActivityParams, _, _>(
            "list_issue_activity",
            "List an issue's activity",
            "An issue's notes and status history.",
            Effects::READ,
            list_issue_activity,
        ),
        Tool::new::<NoteParams, _, _>(
            "add_issue_note",
            "Add a note to an issue",
            "Comment on an issue.",
            Effects::ADDITIVE_WRITE,
            add_issue_note,
        ),
    ]
}

/// Arguments of `list_issue_tag_values`.
#[derive(Debug, Deserialize, JsonSchema)]
struct TagValuesParams {
    issue_id: IssueArg,
    /// e.g. browser, release, url, user.
    key: String,
    organization_slug: Option<String>,
}

/// Arguments of `list_issue_activity`.
#[derive(Debug, Deserialize, JsonSchema)]
struct ActivityParams {
    issue_id: IssueArg,
    organization_slug: Option<String>,
    limit: Option<Limit>,
}

/// Arguments of `add_issue_note`.
#[derive(Debug, Deserialize, JsonSchema)]
struct NoteParams {
    issue_id: IssueArg,
    text: String,
    organization_slug: Option<String>,
}

async fn list_issue_tag_values(
    ctx: Arc<ToolContext>,
    params: TagValuesParams,
) -> Result<ToolOutput, ToolError> {
    let key = params.key.trim();
    if key.is_empty() {
        return Err(ToolError::InvalidInput(
            "key must name a tag, e.g. browser, release, url or user".into(),
        ));
    }
    let (org, locator) = ctx.issue(params.organization_slug, &params.issue_id)?;
    let issue = locator.issue_id;
    let tag = api::issues::tag_distribution(ctx.client(), &org, &issue, key).await?;
    let distinct = tag
        .unique_values
        .map(|n| format!(", {n} distinct values"))
        .unwrap_or_default();
    let mut lines = vec![format!(
        "Tag {key} of issue {issue} in {org}: {} events carry it{distinct}.",
        tag.total_values
    )];
    if tag.top_values.is_empty() {
        lines.push("No event of this issue has the tag.".to_owned());
    } else {
        lines.push("Most common values:".to_owned());
        lines.extend(
            tag.top_values
                .iter()
                .map(|v| value_line(v, tag.total_values)),
        );
    }
    let structured = json!({
        "organization": org,
        "issue_id": issue,
        "key": key,
        "total": tag.total_values,
        "distinct": tag.unique_values,
        "values": tag.top_values.iter().map(|v| json!({
            "value": v.value, "count": v.count, "first_seen": v.first_seen, "last_seen": v.last_seen,
        })).collect::<Vec<_>>(),
    });
    Ok(ToolOutput::new(structured, lines.join("\n")))
}

/// `- Chrome 120: 800 (65%), first seen …, last seen …`.
fn value_line(value: &TagValue, total: u64) -> String {
    let seen: Vec<String> = [
        value
            .first_seen
            .as_deref()
            .map(|t| format!("first seen {}", short_time(t))),
        value
            .last_seen
            .as_deref()
            .map(|t| format!("last seen {}", short_time(t))),
    ]
    .into_iter()
    .flatten()
    .map(|s| format!(", {s}"))
    .collect();
    format!(
        "- {}: {} ({}){}",
        tag_value(value),
        value.count,
        share(value.count, total),
        seen.concat()
    )
}

async fn list_issue_activity(
    ctx: Arc<ToolContext>,
    params: ActivityParams,
) -> Result<ToolOutput, ToolError> {
    let limit = list_limit(params.limit)?;
    let (org, locator) = ctx.issue(params.organization_slug, &params.issue_id)?;
    let issue = locator.issue_id;
    let activity = api::issues::activity(ctx.client(), &org, &issue).await?;
    let total = activity.len() as u64;
    let listing = Listing {
        items: activity.into_iter().take(limit).collect(),
        next_cursor: None,
        hits: Some(total),
    };
    let heading = if listing.items.is_empty() {
        format!("Issue {issue} in {org} has no activity.")
    } else {
        format!("Activity of issue {issue} in {org}, newest first:")
    };
    let answer = ListAnswer {
        heading,
        key: "activity",
        fields: json!({ "organization": org, "issue_id": issue }),
    };
    Ok(answer.render(&listing, activity_line, activity_json))
}

/// `- 2025-04-14T12:00:00Z Jane Developer: note: Investigating…`.
fn activity_line(activity: &Activity) -> String {
    let when = activity
        .date_created
        .as_deref()
        .map(short_time)
        .unwrap_or_default();
    format!(
        "- {when} {}: {}",
        actor(activity),
        describe_activity(activity)
    )
}

fn activity_json(activity: &Activity) -> Value {
    json!({
        "id": activity.id,
        "type": activity.kind,
        "date": activity.date_created,
        "by": actor(activity),
        "what": describe_activity(activity),
    })
}

/// Who did it: the user's name or e-mail, else Sentry itself.
fn actor(activity: &Activity) -> String {
    activity
        .user
        .as_ref()
        .and_then(|u| non_empty(u.name.as_deref()).or(non_empty(u.email.as_deref())))
        .unwrap_or("Sentry")
        .to_owned()
}

/// An activity in words; kinds without a phrase show their type and data.
fn describe_activity(activity: &Activity) -> String {
    let data = &activity.data;
    let text = |key: &str| data.get(key).and_then(Value::as_str).map(str::to_owned);
    let phrase = match activity.kind.as_str() {
        "note" => text("text").map(|t| format!("note: {}", truncate(&t, 500))),
        "set_resolved" => Some("resolved".to_owned()),
        "set_resolved_in_release" => Some(match text("version") {
            Some(version) if !version.is_empty() => format!("resolved in release {version}"),
            _ => "resolved in the next release".to_owned(),
        }),
        "set_resolved_by_age" => Some("resolved for inactivity".to_owned()),
        "set_resolved_in_commit" => Some("resolved by a commit".to_owned()),
        "set_resolved_in_pull_request" => Some("resolved by a pull request".to_owned()),
        "set_unresolved" => Some("unresolved".to_owned()),
        "set_ignored" => Some("ignored".to_owned()),
        "set_regression" => Some(match text("version") {
            Some(version) if !version.is_empty() => format!("regressed in release {version}"),
            _ => "regressed".to_owned(),
        }),
        "assigned" => Some(format!(
            "assigned to {}",
            text("assigneeName")
                .or_else(|| text("assigneeEmail"))
                .or_else(|| text("assignee"))
                .unwrap_or_else(|| "someone".to_owned())
        )),
        "unassigned" => Some("unassigned".to_owned()),
        "first_seen" => Some("first seen".to_owned()),
        "set_escalating" => Some("escalating".to_owned()),
        _ => None,
    };
    phrase.unwrap_or_else(|| {
        let details = match data {
            Value::Object(map) if !map.is_empty() => format!(" ({})", truncate(&flat(map), 200)),
            _ => String::new(),
        };
        format!("{}{details}", activity.kind)
    })
}

/// `key=value, ...` for an activity's data.
fn flat(map: &serde_json::Map<String, Value>) -> String {
    map.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

async fn add_issue_note(
    ctx: Arc<ToolContext>,
    params: NoteParams,
) -> Result<ToolOutput, ToolError> {
    let text = params.text.trim();
    if text.is_empty() {
        return Err(ToolError::InvalidInput(
            "text must not be empty: it is the note to add".into(),
        ));
    }
    let (org, locator) = ctx.issue(params.organization_slug, &params.issue_id)?;
    let issue = locator.issue_id;
    let note = api::issues::add_note(ctx.client(), &org, &issue, text).await?;
    let link = ctx.web_url(&org, &["issues", &issue, "activity"]);
    let structured = json!({
        "organization": org,
        "issue_id": issue,
        "note_id": note.id,
        "date": note.date_created,
        "by": actor(&note),
        "link": link,
    });
    let text = format!(
        "Note {} added to issue {issue} in {org} by {}.\n{link}",
        note.id,
        actor(&note)
    );
    Ok(ToolOutput::new(structured, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity(value: Value) -> Activity {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn activities_read_as_sentences() {
        let regression = activity(json!({"id": "1", "type": "set_regression",
            "data": {"version": "web@1.2.3"}, "dateCreated": "2025-04-10T22:55:22.411Z"}));
        assert_eq!(
            activity_line(&regression),
            "- 2025-04-10T22:55:22Z Sentry: regressed in release web@1.2.3"
        );
        let unknown = activity(json!({"id": "2", "type": "auto_set_ongoing",
            "data": {"after_days": 7}, "user": {"name": "Jane"}}));
        assert_eq!(
            describe_activity(&unknown),
            "auto_set_ongoing (after_days=7)"
        );
        assert_eq!(actor(&unknown), "Jane");
    }
}
