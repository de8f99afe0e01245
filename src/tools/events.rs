//! Tools: events — an issue's events, and one event in detail (exceptions, frames, breadcrumbs, tags).

use super::context::{Limit, ToolContext, list_limit};
use super::error::ToolError;
use super::ids::{IssueArg, hex_id};
use super::output::{ListAnswer, ToolOutput};
use super::tool::{Effects, Tool};
use crate::sentry::api::{self, Page};
use crate::sentry::models::{
    Breadcrumb, BreadcrumbsEntry, Event, ExceptionEntry, ExceptionValue, Frame,
};
use crate::text::{non_empty, truncate};
use crate::time::short_time;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// The tools of this module.
pub fn tools() -> Vec<Tool> {
    vec![
        Tool::new::<ListEventsParams, _, _>(
            "list_events",
            "List an issue's events",
            "An issue's events, newest first.",
            Effects::READ,
            list_events,
        ),
        Tool::new::<GetEventParams, _, _>(
            "get_event",
            "Get an event",
            "An event: exception, stack trace, breadcrumbs, tags.",
            Effects::READ,
            get_event,
        ),
    ]
}

/// Arguments of `list_events`.
#[derive(Debug, Deserialize, JsonSchema)]
struct ListEventsParams {
    issue_id: IssueArg,
    organization_slug: Option<String>,
    /// e.g. `environment:prod release:1.2`.
    query: Option<String>,
    limit: Option<Limit>,
    cursor: Option<String>,
}

/// Arguments of `get_event`.
#[derive(Debug, Deserialize, JsonSchema)]
struct GetEventParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    #[schemars(required)]
    project_slug: Option<String>,
    event_id: String,
}

async fn list_events(
    ctx: Arc<ToolContext>,
    params: ListEventsParams,
) -> Result<ToolOutput, ToolError> {
    let limit = list_limit(params.limit)?;
    let (org, locator) = ctx.issue(params.organization_slug, &params.issue_id)?;
    let issue = locator.issue_id;
    let query = non_empty(params.query.as_deref());
    let page = Page::from(limit, params.cursor);
    let listing = api::issues::list_events(ctx.client(), &org, &issue, query, page).await?;
    let matching = query
        .map(|q| format!(" matching `{q}`"))
        .unwrap_or_default();
    let heading = if listing.items.is_empty() {
        format!("Issue {issue} in {org} has no events{matching}.")
    } else {
        format!("Events of issue {issue} in {org}{matching}, newest first:")
    };
    let answer = ListAnswer {
        heading,
        key: "events",
        fields: json!({ "organization": org, "issue_id": issue, "query": query }),
    };
    Ok(answer.render(&listing, event_line, event_summary_json))
}

async fn get_event(ctx: Arc<ToolContext>, params: GetEventParams) -> Result<ToolOutput, ToolError> {
    let event_id = hex_id(&params.event_id, "event_id")?;
    let org = ctx.org(params.organization_slug)?;
    let project = ctx.project(params.project_slug)?;
    event_answer(&ctx, &org, &project, &event_id).await
}

/// One event of a project in full; shared with `get_resource`.
pub(super) async fn event_answer(
    ctx: &ToolContext,
    org: &str,
    project: &str,
    event_id: &str,
) -> Result<ToolOutput, ToolError> {
    let event = api::events::get(ctx.client(), org, project, event_id).await?;
    let (mut structured, body) = describe_event(&event, EventView::FULL);
    structured["organization"] = json!(org);
    structured["project"] = json!(project);
    let text = format!("Event {event_id} in {org}/{project}\n{body}");
    Ok(ToolOutput::new(structured, text))
}

/// How much of an event to show.
#[derive(Debug, Clone, Copy)]
pub(super) struct EventView {
    /// Frames shown per exception.
    frames: usize,
    /// Breadcrumbs shown (the newest); 0 leaves them out.
    breadcrumbs: usize,
    /// Whether to list the tags.
    tags: bool,
}

impl EventView {
    /// Everything worth reading: `get_event`.
    pub(super) const FULL: Self = Self {
        frames: 15,
        breadcrumbs: 10,
        tags: true,
    };
    /// The exception, the top frames and the last breadcrumbs: `get_issue` (which shows the
    /// issue's tag distribution instead of one event's tags).
    pub(super) const SUMMARY: Self = Self {
        frames: 5,
        breadcrumbs: 5,
        tags: false,
    };
}

/// Curated JSON and text of one event, as detailed as `view` asks.
pub(super) fn describe_event(event: &Event, view: EventView) -> (Value, String) {
    let mut lines = Vec::new();
    lines.extend(event.title.as_deref().map(str::to_owned));
    let facts = event_facts(event);
    if !facts.is_empty() {
        lines.push(facts.join(" · "));
    }
    let exceptions = exceptions_of(event, view.frames);
    if exceptions.is_empty() {
        lines.extend(
            non_empty(event.message.as_deref()).map(|message| format!("Message: {message}")),
        );
    }
    if exceptions.iter().any(|e| !e.shown.is_empty()) {
        lines.push(
            "Frames: most recent call first; the first is where it was raised, with its source."
                .to_owned(),
        );
    }
    lines.extend(exceptions.iter().flat_map(ExceptionDigest::lines));
    let mut structured = json!({
        "event_id": event.id(),
        "issue_id": event.group_id,
        "title": event.title,
        "message": non_empty(event.message.as_deref()),
        "culprit": non_empty(event.culprit.as_deref()),
        "platform": event.platform,
        "date": event.date_created,
        "release": release_of(event),
        "environment": event.tag("environment"),
        "user": user_label(event),
        "exceptions": exceptions.iter().map(ExceptionDigest::json).collect::<Vec<_>>(),
    });
    if view.breadcrumbs > 0 {
        add_breadcrumbs(event, view.breadcrumbs, &mut structured, &mut lines);
    }
    if view.tags && !event.tags.is_empty() {
        add_tags(event, &mut structured, &mut lines);
    }
    (structured, lines.join("\n"))
}

/// The exceptions, the one finally raised first (Sentry lists the cause first).
fn exceptions_of(event: &Event, max_frames: usize) -> Vec<ExceptionDigest> {
    event
        .entry_data::<ExceptionEntry>("exception")
        .map(|entry| {
            entry
                .values
                .iter()
                .rev()
                .map(|e| ExceptionDigest::new(e, max_frames))
                .collect()
        })
        .unwrap_or_default()
}

/// The newest `max` breadcrumbs, oldest of them first, and how many earlier ones are left out.
fn add_breadcrumbs(event: &Event, max: usize, structured: &mut Value, lines: &mut Vec<String>) {
    let crumbs = event
        .entry_data::<BreadcrumbsEntry>("breadcrumbs")
        .map(|entry| entry.values)
        .unwrap_or_default();
    let hidden = crumbs.len().saturating_sub(max);
    let shown = &crumbs[hidden..];
    if !shown.is_empty() {
        lines.push(if hidden > 0 {
            format!(
                "Breadcrumbs (last {} of {}; {hidden} earlier not shown):",
                shown.len(),
                crumbs.len()
            )
        } else {
            "Breadcrumbs:".to_owned()
        });
        lines.extend(shown.iter().map(|b| format!("  {}", breadcrumb_line(b))));
    }
    structured["breadcrumbs"] = shown.iter().map(breadcrumb_json).collect();
    structured["breadcrumbs_not_shown"] = json!(hidden);
}

/// The tags as one `key=value, ...` line and as an object.
fn add_tags(event: &Event, structured: &mut Value, lines: &mut Vec<String>) {
    let tags: Map<String, Value> = event
        .tags
        .iter()
        .map(|t| (t.key.clone(), json!(t.value)))
        .collect();
    let pairs: Vec<String> = event
        .tags
        .iter()
        .map(|t| format!("{}={}", t.key, t.value.as_deref().unwrap_or("")))
        .collect();
    lines.push(format!("Tags: {}", pairs.join(", ")));
    structured["tags"] = Value::Object(tags);
}

/// One exception, ready to show: its frames newest first, the app's own before the libraries'.
struct ExceptionDigest {
    kind: Option<String>,
    value: Option<String>,
    handled: Option<bool>,
    /// True when no frame is marked in-app, so the top frames are shown whatever they are.
    no_app_frames: bool,
    shown: Vec<FrameDigest>,
    /// Frames of the shown kind left out by the cap.
    hidden: usize,
    /// Library frames (when in-app frames are shown).
    library: usize,
    /// The source around the first shown frame (where it was raised): `(line, code, is_its_line)`.
    source: Vec<(u64, String, bool)>,
}

impl ExceptionDigest {
    fn new(exception: &ExceptionValue, max_frames: usize) -> Self {
        let frames: Vec<&Frame> = exception
            .stacktrace
            .iter()
            .flat_map(|s| s.frames.iter().rev())
            .collect();
        let (app, library): (Vec<&Frame>, Vec<&Frame>) =
            frames.iter().partition(|f| f.in_app == Some(true));
        let no_app_frames = app.is_empty();
        let (candidates, library) = if no_app_frames {
            (library, 0)
        } else {
            (app, library.len())
        };
        let source = candidates.first().map(|f| source_of(f)).unwrap_or_default();
        Self {
            kind: exception.kind.clone(),
            value: exception.value.clone(),
            handled: exception.mechanism.as_ref().and_then(|m| m.handled),
            source,
            no_app_frames,
            hidden: candidates.len().saturating_sub(max_frames),
            shown: candidates
                .into_iter()
                .take(max_frames)
                .map(FrameDigest::new)
                .collect(),
            library,
        }
    }

    fn headline(&self) -> String {
        let mut text = match (
            non_empty(self.kind.as_deref()),
            non_empty(self.value.as_deref()),
        ) {
            (Some(kind), Some(value)) => format!("{kind}: {value}"),
            (Some(only), None) | (None, Some(only)) => only.to_owned(),
            (None, None) => "(exception without type or message)".to_owned(),
        };
        if self.handled == Some(false) {
            text.push_str(" (unhandled)");
        }
        text
    }

    fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!("Exception: {}", self.headline())];
        if self.no_app_frames && !self.shown.is_empty() {
            lines.push("  (no frame is marked in-app; top frames:)".to_owned());
        }
        for (index, frame) in self.shown.iter().enumerate() {
            lines.push(format!("  at {}", frame.label()));
            if index == 0 {
                lines.extend(self.source.iter().map(|(number, code, own)| {
                    let marker = if *own { ">" } else { " " };
                    format!("    {marker} {number} | {code}")
                }));
            }
        }
        if self.hidden > 0 {
            let kind = if self.no_app_frames { "" } else { "in-app " };
            lines.push(format!("  + {} more {kind}frames", self.hidden));
        }
        if self.library > 0 {
            lines.push(format!("  + {} library frames", self.library));
        }
        lines
    }

    fn json(&self) -> Value {
        json!({
            "type": self.kind,
            "value": self.value,
            "handled": self.handled,
            "frames": self.shown.iter().map(FrameDigest::json).collect::<Vec<_>>(),
            "source": self.source.iter().find(|(_, _, own)| *own).map(|(_, code, _)| code),
            "frames_in_app": !self.no_app_frames,
            "frames_not_shown": self.hidden,
            "library_frames": self.library,
        })
    }
}

/// The frame's own source line with one line either side, where Sentry has them.
fn source_of(frame: &Frame) -> Vec<(u64, String, bool)> {
    let Some(line) = frame.line_no else {
        return Vec::new();
    };
    frame
        .context
        .iter()
        .filter(|(number, _)| number.abs_diff(line) <= 1)
        .map(|(number, code)| (*number, truncate(code.trim_end(), 160), *number == line))
        .collect()
}

/// A frame as `file:line in function`.
struct FrameDigest {
    file: String,
    line: Option<u64>,
    function: Option<String>,
}

impl FrameDigest {
    fn new(frame: &Frame) -> Self {
        let file = [&frame.filename, &frame.abs_path, &frame.module]
            .into_iter()
            .find_map(|f| non_empty(f.as_deref()))
            .unwrap_or("?")
            .to_owned();
        Self {
            file,
            line: frame.line_no,
            function: non_empty(frame.function.as_deref()).map(str::to_owned),
        }
    }

    fn label(&self) -> String {
        let mut text = self.file.clone();
        if let Some(line) = self.line {
            text.push_str(&format!(":{line}"));
        }
        if let Some(function) = &self.function {
            text.push_str(&format!(" in {function}"));
        }
        text
    }

    fn json(&self) -> Value {
        json!({"file": self.file, "line": self.line, "function": self.function})
    }
}

fn breadcrumb_line(crumb: &Breadcrumb) -> String {
    let time = crumb.timestamp.as_deref().map(short_time);
    let level = crumb.level.as_deref().map(|l| format!("[{l}]"));
    let category = crumb.category.as_deref().map(|c| format!("{c}:"));
    [time, level, category, Some(breadcrumb_text(crumb))]
        .into_iter()
        .flatten()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The message, else the data as `key=value` pairs (navigation and HTTP breadcrumbs often have no message).
fn breadcrumb_text(crumb: &Breadcrumb) -> String {
    if let Some(message) = non_empty(crumb.message.as_deref()) {
        return truncate(message, 200);
    }
    let pairs: Vec<String> = match &crumb.data {
        Some(Value::Object(data)) => data
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect(),
        _ => Vec::new(),
    };
    truncate(&pairs.join(" "), 200)
}

fn breadcrumb_json(crumb: &Breadcrumb) -> Value {
    json!({
        "timestamp": crumb.timestamp,
        "category": crumb.category,
        "level": crumb.level,
        "message": breadcrumb_text(crumb),
    })
}

/// `id`, time, environment, release and user of an event, for one list line.
fn event_line(event: &Event) -> String {
    let mut line = format!(
        "{}  {}",
        event.id().unwrap_or("?"),
        event.title.as_deref().unwrap_or("(no title)")
    );
    let facts = event_facts(event);
    if !facts.is_empty() {
        line.push_str(&format!("  ({})", facts.join(", ")));
    }
    line
}

/// The short facts about an event: when, where, which release, whom.
fn event_facts(event: &Event) -> Vec<String> {
    [
        event.date_created.as_deref().map(short_time),
        event.tag("environment").map(|e| format!("env {e}")),
        release_of(event).map(|r| format!("release {r}")),
        user_label(event).map(|u| format!("user {u}")),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn event_summary_json(event: &Event) -> Value {
    json!({
        "event_id": event.id(),
        "date": event.date_created,
        "title": event.title,
        "message": non_empty(event.message.as_deref()),
        "environment": event.tag("environment"),
        "release": release_of(event),
        "user": user_label(event),
    })
}

fn release_of(event: &Event) -> Option<&str> {
    event
        .release
        .as_ref()
        .map(|r| r.version.as_str())
        .or_else(|| event.tag("release"))
}

/// The most telling name of the event's user: e-mail, username, id, else IP address.
fn user_label(event: &Event) -> Option<&str> {
    let user = event.user.as_ref()?;
    [&user.email, &user.username, &user.id, &user.ip_address]
        .into_iter()
        .find_map(|v| non_empty(v.as_deref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_are_normalised_or_refused() {
        assert_eq!(
            hex_id(" 7CA573C0-F481-4912-AAA9-BDC77D1A7D51 ", "event_id").unwrap(),
            "7ca573c0f4814912aaa9bdc77d1a7d51"
        );
        for bad in ["", "latest", "7ca573c0", "7ca573c0f4814912aaa9bdc77d1a7d5z"] {
            let err = hex_id(bad, "event_id").unwrap_err().to_string();
            assert!(err.contains("32 hex"), "{bad}: {err}");
        }
    }

    #[test]
    fn frames_without_a_file_or_line_still_read_well() {
        let frame: Frame =
            serde_json::from_value(json!({"module": "app.views", "function": "index"})).unwrap();
        assert_eq!(FrameDigest::new(&frame).label(), "app.views in index");
        let bare: Frame = serde_json::from_value(json!({"lineNo": 3})).unwrap();
        assert_eq!(FrameDigest::new(&bare).label(), "?:3");
    }

    #[test]
    fn breadcrumbs_without_message_show_their_data() {
        let crumb: Breadcrumb = serde_json::from_value(json!({
            "timestamp": "2025-04-08T21:14:55.000Z", "category": "navigation", "level": "info",
            "message": null, "data": {"from": "/dashboard", "to": "/settings"}
        }))
        .unwrap();
        assert_eq!(
            breadcrumb_line(&crumb),
            "2025-04-08T21:14:55Z [info] navigation: from=/dashboard to=/settings"
        );
    }

    #[test]
    fn events_without_frames_marked_in_app_show_their_top_frames() {
        let event: Event = serde_json::from_value(json!({
            "eventID": "a".repeat(32),
            "entries": [{"type": "exception", "data": {"values": [{
                "type": "ValueError", "value": "bad",
                "stacktrace": {"frames": [
                    {"filename": "a.py", "lineNo": 1},
                    {"filename": "b.py", "lineNo": 2}
                ]}
            }]}}]
        }))
        .unwrap();
        let (structured, text) = describe_event(&event, EventView::SUMMARY);
        assert!(text.contains("no frame is marked in-app"), "{text}");
        assert!(text.find("b.py:2").unwrap() < text.find("a.py:1").unwrap());
        assert_eq!(structured["exceptions"][0]["frames_in_app"], json!(false));
    }
}
