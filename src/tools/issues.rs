//! Tools: issues — list, search, read and triage.

use super::context::{Limit, ToolContext, list_limit};
use super::error::ToolError;
use super::events::{EventView, describe_event};
use super::ids::{IssueArg, IssueLocator};
use super::output::{ListAnswer, ToolOutput};
use super::tool::{Effects, Tool};
use crate::sentry::ApiError;
use crate::sentry::api::issues::{IssueQuery, IssueUpdate as UpdateBody};
use crate::sentry::api::{self, Page};
use crate::sentry::models::issue_context::{TagDistribution, TagValue};
use crate::sentry::models::{Assignee, Event, Issue, IssueChanges};
use crate::text::non_empty;
use crate::time::short_time;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// The tools of this module.
pub fn tools() -> Vec<Tool> {
    vec![
        Tool::new::<ListIssuesParams, _, _>(
            "list_issues",
            "List issues",
            "Issues by status and search terms, last seen first.",
            Effects::READ,
            list_issues,
        ),
        Tool::new::<SearchIssuesParams, _, _>(
            "search_issues",
            "Search issues",
            "Find issues by Sentry search, e.g. `is:unresolved level:error assigned:me`; no OR (use key:[a,b]).",
            Effects::READ,
            search_issues,
        ),
        Tool::new::<IssueParams, _, _>(
            "get_issue",
            "Get an issue",
            "An issue (issue_id: id, short id like WEB-1A3, or URL), its top tags, and its latest event's stack trace and breadcrumbs.",
            Effects::READ,
            get_issue,
        ),
        Tool::new::<UpdateIssueParams, _, _>(
            "update_issue",
            "Update an issue",
            "Change an issue's status, assignee or flags; only given fields change.",
            Effects::IDEMPOTENT_WRITE,
            update_issue,
        ),
        Tool::new::<IssueParams, _, _>(
            "resolve_issue",
            "Resolve an issue",
            "Mark an issue resolved.",
            Effects::IDEMPOTENT_WRITE,
            resolve_issue,
        ),
        Tool::new::<IssueParams, _, _>(
            "ignore_issue",
            "Ignore an issue",
            "Ignore (archive) an issue until it escalates.",
            Effects::IDEMPOTENT_WRITE,
            ignore_issue,
        ),
    ]
}

// The status filter of `list_issues`.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(inline)]
enum StatusFilter {
    Unresolved,
    Resolved,
    Ignored,
    Reprocessing,
}

impl StatusFilter {
    fn as_str(self) -> &'static str {
        match self {
            Self::Unresolved => "unresolved",
            Self::Resolved => "resolved",
            Self::Ignored => "ignored",
            Self::Reprocessing => "reprocessing",
        }
    }
}

// The order of `search_issues`.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(inline)]
enum SortOrder {
    Date,
    New,
    Freq,
    Priority,
    User,
}

impl SortOrder {
    /// The value Sentry reads; `priority` was replaced by `trends` on current servers.
    fn api_value(self) -> &'static str {
        match self {
            Self::Date => "date",
            Self::New => "new",
            Self::Freq => "freq",
            Self::Priority => "trends",
            Self::User => "user",
        }
    }
}

/// Arguments of `list_issues`.
#[derive(Debug, Deserialize, JsonSchema)]
struct ListIssuesParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    project_slug: Option<String>,
    query: Option<String>,
    status: Option<StatusFilter>,
    limit: Option<Limit>,
    cursor: Option<String>,
}

/// Arguments of `search_issues`.
#[derive(Debug, Deserialize, JsonSchema)]
struct SearchIssuesParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    /// "" matches all.
    query: String,
    limit: Option<Limit>,
    /// Default date (last seen).
    sort: Option<SortOrder>,
    project_slug: Option<String>,
    cursor: Option<String>,
}

/// Arguments of the tools that name one issue.
#[derive(Debug, Deserialize, JsonSchema)]
struct IssueParams {
    issue_id: IssueArg,
    organization_slug: Option<String>,
}

// The statuses `update_issue` can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
enum NewStatus {
    Resolved,
    Unresolved,
    Ignored,
    ResolvedInNextRelease,
}

impl NewStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Resolved => "resolved",
            Self::Unresolved => "unresolved",
            Self::Ignored => "ignored",
            Self::ResolvedInNextRelease => "resolvedInNextRelease",
        }
    }

    /// The body fields that set this status the way Sentry's UI does.
    fn body(self) -> UpdateBody {
        let status = |status: &str| Some(status.to_owned());
        match self {
            Self::Resolved => UpdateBody {
                status: status("resolved"),
                ..UpdateBody::default()
            },
            Self::Unresolved => UpdateBody {
                status: status("unresolved"),
                ..UpdateBody::default()
            },
            // Sentry's current default for "ignore": archived until it escalates.
            Self::Ignored => UpdateBody {
                status: status("ignored"),
                substatus: status("archived_until_escalating"),
                ..UpdateBody::default()
            },
            Self::ResolvedInNextRelease => UpdateBody {
                status: status("resolved"),
                status_details: Some(json!({"inNextRelease": true})),
                ..UpdateBody::default()
            },
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Resolved => "resolved",
            Self::Unresolved => "unresolved",
            Self::Ignored => "archived until it escalates",
            Self::ResolvedInNextRelease => "resolved in the next release",
        }
    }
}

/// Arguments of `update_issue`.
#[derive(Debug, Deserialize, JsonSchema)]
struct UpdateIssueParams {
    issue_id: IssueArg,
    organization_slug: Option<String>,
    /// ignored: until it escalates.
    status: Option<NewStatus>,
    /// Minutes.
    ignore_duration: Option<u32>,
    /// Until N more events.
    ignore_count: Option<u32>,
    /// Until N more users.
    ignore_user_count: Option<u32>,
    /// user:ID, team:ID, username or e-mail; "" unassigns.
    assigned_to: Option<String>,
    has_seen: Option<bool>,
    is_bookmarked: Option<bool>,
}

/// How long an ignored issue stays ignored, beyond Sentry's default (until it escalates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IgnoreUntil {
    /// This many minutes have passed.
    Minutes(u32),
    /// This many more events arrived.
    Events(u32),
    /// This many more users were affected.
    Users(u32),
}

impl IgnoreUntil {
    /// At most one of the three arguments; a zero is refused rather than read as "forever".
    fn from_args(
        duration: Option<u32>,
        count: Option<u32>,
        users: Option<u32>,
    ) -> Result<Option<Self>, ToolError> {
        let given: Vec<(&str, u32, Self)> = [
            duration.map(|n| ("ignore_duration", n, Self::Minutes(n))),
            count.map(|n| ("ignore_count", n, Self::Events(n))),
            users.map(|n| ("ignore_user_count", n, Self::Users(n))),
        ]
        .into_iter()
        .flatten()
        .collect();
        match given.as_slice() {
            [] => Ok(None),
            [(name, 0, _)] => Err(ToolError::InvalidInput(format!(
                "{name} must be at least 1; to ignore until the issue escalates, give status=ignored alone"
            ))),
            [(_, _, until)] => Ok(Some(*until)),
            _ => Err(ToolError::InvalidInput(
                "give only one of ignore_duration, ignore_count, ignore_user_count".into(),
            )),
        }
    }

    /// The body: status ignored, the condition as Sentry's `statusDetails`.
    fn body(self) -> UpdateBody {
        let details = match self {
            Self::Minutes(n) => json!({ "ignoreDuration": n }),
            Self::Events(n) => json!({ "ignoreCount": n }),
            Self::Users(n) => json!({ "ignoreUserCount": n }),
        };
        UpdateBody {
            status: Some("ignored".to_owned()),
            substatus: Some("archived_until_condition_met".to_owned()),
            status_details: Some(details),
            ..UpdateBody::default()
        }
    }

    fn describe(self) -> String {
        match self {
            Self::Minutes(n) => format!("ignored for {n} minutes"),
            Self::Events(n) => format!("ignored until {n} more events"),
            Self::Users(n) => format!("ignored until {n} more users are affected"),
        }
    }

    fn json(self) -> Value {
        match self {
            Self::Minutes(n) => json!({ "ignore_duration": n }),
            Self::Events(n) => json!({ "ignore_count": n }),
            Self::Users(n) => json!({ "ignore_user_count": n }),
        }
    }
}

/// The changes of one issue update.
#[derive(Debug, Clone, Default)]
struct IssueUpdate {
    status: Option<NewStatus>,
    /// Set with (or instead of) status `ignored`.
    ignore: Option<IgnoreUntil>,
    /// `Some("")` unassigns.
    assigned_to: Option<String>,
    has_seen: Option<bool>,
    is_bookmarked: Option<bool>,
}

impl IssueUpdate {
    fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.ignore.is_none()
            && self.assigned_to.is_none()
            && self.has_seen.is_none()
            && self.is_bookmarked.is_none()
    }

    /// The PUT body: only the fields to change, in Sentry's camelCase.
    fn body(&self) -> UpdateBody {
        UpdateBody {
            assigned_to: self.assigned_to.clone(),
            has_seen: self.has_seen,
            is_bookmarked: self.is_bookmarked,
            ..match (self.ignore, self.status) {
                (Some(until), _) => until.body(),
                (None, Some(status)) => status.body(),
                (None, None) => UpdateBody::default(),
            }
        }
    }

    /// What was set, with the tool's parameter names.
    fn json(&self) -> Value {
        json!({
            "status": self.status.map(NewStatus::as_str),
            "ignore": self.ignore.map(IgnoreUntil::json),
            "assigned_to": self.assigned_to,
            "has_seen": self.has_seen,
            "is_bookmarked": self.is_bookmarked,
        })
    }

    /// The changes in words, naming the assignee as Sentry reported it.
    fn describe(&self, answer: &IssueChanges) -> Vec<String> {
        let assignee = self.assigned_to.as_deref().map(|given| {
            if given.is_empty() {
                "unassigned".to_owned()
            } else {
                let name = answer.assigned_to.as_ref().map(assignee_label);
                format!("assigned to {}", name.as_deref().unwrap_or(given))
            }
        });
        let status = match (self.ignore, self.status) {
            (Some(until), _) => Some(until.describe()),
            (None, status) => status.map(|s| s.describe().to_owned()),
        };
        [
            status,
            assignee,
            self.has_seen
                .map(|seen| if seen { "marked seen" } else { "marked unseen" }.to_owned()),
            self.is_bookmarked
                .map(|b| if b { "bookmarked" } else { "bookmark removed" }.to_owned()),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// Reads `assigned_to`: blank or `none` means unassign (Sentry wants `""`).
fn assignee_value(given: String) -> String {
    let trimmed = given.trim();
    if trimmed.eq_ignore_ascii_case("none") {
        String::new()
    } else {
        trimmed.to_owned()
    }
}

async fn list_issues(
    ctx: Arc<ToolContext>,
    params: ListIssuesParams,
) -> Result<ToolOutput, ToolError> {
    let terms = params.query.unwrap_or_default();
    let query = match params.status {
        Some(status) => format!("is:{} {}", status.as_str(), terms.trim()),
        None => terms,
    };
    let search = IssueSearch {
        org: ctx.org(params.organization_slug)?,
        projects: projects_to_filter(&ctx, params.project_slug),
        query: query.trim().to_owned(),
        sort: None,
        limit: list_limit(params.limit)?,
        cursor: params.cursor,
    };
    find_issues(&ctx, search).await
}

async fn search_issues(
    ctx: Arc<ToolContext>,
    params: SearchIssuesParams,
) -> Result<ToolOutput, ToolError> {
    let search = IssueSearch {
        org: ctx.org(params.organization_slug)?,
        projects: projects_to_filter(&ctx, params.project_slug),
        query: params.query.trim().to_owned(),
        sort: params.sort,
        limit: list_limit(params.limit)?,
        cursor: params.cursor,
    };
    find_issues(&ctx, search).await
}

/// The given project, else the configured ones (none: all projects).
fn projects_to_filter(ctx: &ToolContext, given: Option<String>) -> Vec<String> {
    match given.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(project) => vec![project.to_owned()],
        None => ctx.default_projects().to_vec(),
    }
}

/// One issue-list request.
struct IssueSearch {
    org: String,
    projects: Vec<String>,
    query: String,
    sort: Option<SortOrder>,
    limit: usize,
    cursor: Option<String>,
}

async fn find_issues(ctx: &ToolContext, search: IssueSearch) -> Result<ToolOutput, ToolError> {
    let IssueSearch {
        org,
        projects,
        query,
        sort,
        limit,
        cursor,
    } = search;
    let project_ids = project_ids(ctx, &org, &projects).await?;
    let search = IssueQuery {
        query: &query,
        projects: &project_ids,
        sort: sort.map(SortOrder::api_value),
        ..IssueQuery::default()
    };
    let mut listing =
        api::issues::search(ctx.client(), &org, search, Page::from(limit, cursor)).await?;
    for issue in &mut listing.items {
        if issue.permalink.is_none() {
            issue.permalink = Some(ctx.web_url(&org, &["issues", &issue.id]));
        }
    }
    let answer = ListAnswer {
        heading: list_heading(&org, &projects, &query, listing.items.len(), listing.hits),
        key: "issues",
        fields: json!({
            "organization": org,
            "projects": projects,
            "query": query,
            "sort": sort.map(SortOrder::api_value),
            "total": listing.hits,
        }),
    };
    Ok(answer.render(&listing, issue_line, issue_json))
}

/// The numeric ids of the projects to filter by.
async fn project_ids(
    ctx: &ToolContext,
    org: &str,
    projects: &[String],
) -> Result<Vec<String>, ToolError> {
    let mut ids = Vec::with_capacity(projects.len());
    for project in projects {
        ids.push(ctx.session().project_id(org, project).await?);
    }
    Ok(ids)
}

/// `Issues in acme (web) matching `level:error` (25 of 312):`.
fn list_heading(
    org: &str,
    projects: &[String],
    query: &str,
    shown: usize,
    hits: Option<u64>,
) -> String {
    let scope = if projects.is_empty() {
        org.to_owned()
    } else {
        format!("{org} ({})", projects.join(", "))
    };
    let matching = if query.is_empty() {
        String::new()
    } else {
        format!(" matching `{query}`")
    };
    match (shown, hits) {
        (0, _) => format!("No issues in {scope}{matching}."),
        (n, Some(total)) if total > n as u64 => {
            format!("Issues in {scope}{matching} ({n} of {total}):")
        }
        (n, _) => format!("Issues in {scope}{matching} ({n}):"),
    }
}

async fn get_issue(ctx: Arc<ToolContext>, params: IssueParams) -> Result<ToolOutput, ToolError> {
    let (org, locator) = ctx.issue(params.organization_slug, &params.issue_id)?;
    issue_answer(&ctx, org, locator).await
}

/// One issue with its tags and an event (the one the locator names, else the latest); shared
/// with `get_resource`.
pub(super) async fn issue_answer(
    ctx: &ToolContext,
    org: String,
    locator: IssueLocator,
) -> Result<ToolOutput, ToolError> {
    let id = &locator.issue_id;
    // The issue URL may name an event; show that one instead of the latest.
    let event_ref = locator.event_id.as_deref().unwrap_or("latest");
    let client = ctx.client();
    let (issue, event, tags) = tokio::join!(
        api::issues::get(client, &org, id),
        api::issues::event(client, &org, id, event_ref, None),
        api::issues::tags(client, &org, id, TOP_VALUES),
    );
    let issue = issue?;
    let permalink = issue
        .permalink
        .clone()
        .unwrap_or_else(|| ctx.web_url(&org, &["issues", &issue.id]));
    let mut structured = issue_json(&issue);
    structured["organization"] = json!(org);
    structured["permalink"] = json!(permalink);
    structured["platform"] = json!(issue.platform);
    structured["category"] = json!(issue.issue_category);
    structured["first_release"] = json!(issue.first_release.as_ref().map(|r| &r.version));
    structured["last_release"] = json!(issue.last_release.as_ref().map(|r| &r.version));
    let mut lines = issue_detail_lines(&issue);
    lines.push(format!("Link: {permalink}"));
    add_top_tags(tags, &mut structured, &mut lines);
    let which = if locator.event_id.is_some() {
        "Event"
    } else {
        "Latest event"
    };
    add_event_summary(which, event, &mut structured, &mut lines);
    Ok(ToolOutput::new(structured, lines.join("\n")))
}

/// Values shown per tag key in `get_issue`.
const TOP_VALUES: usize = 3;
/// Tag keys shown in `get_issue`.
const TOP_KEYS: usize = 8;

/// Appends the issue's most common tag values (share of its events), or why they could not be read.
fn add_top_tags(
    tags: Result<Vec<TagDistribution>, ApiError>,
    structured: &mut Value,
    lines: &mut Vec<String>,
) {
    let tags = match tags {
        Ok(tags) => tags,
        Err(error) => {
            lines.push(format!("Top tags could not be read: {error}"));
            return;
        }
    };
    let with_values: Vec<&TagDistribution> =
        tags.iter().filter(|t| !t.top_values.is_empty()).collect();
    if with_values.is_empty() {
        return;
    }
    lines.push("Top tags (share of events):".to_owned());
    for tag in with_values.iter().take(TOP_KEYS) {
        let values: Vec<String> = tag
            .top_values
            .iter()
            .take(TOP_VALUES)
            .map(|v| format!("{} {}", tag_value(v), share(v.count, tag.total_values)))
            .collect();
        lines.push(format!("  {}: {}", tag.key, values.join(", ")));
    }
    if with_values.len() > TOP_KEYS {
        lines.push(format!(
            "  + {} more keys (list_issue_tag_values shows any key)",
            with_values.len() - TOP_KEYS
        ));
    }
    structured["top_tags"] = with_values
        .iter()
        .take(TOP_KEYS)
        .map(|tag| {
            json!({
                "key": tag.key,
                "total": tag.total_values,
                "values": tag.top_values.iter().take(TOP_VALUES)
                    .map(|v| json!({"value": v.value, "count": v.count}))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
}

/// A tag value as shown: `(empty)` for the events without one.
pub(super) fn tag_value(value: &TagValue) -> &str {
    non_empty(value.value.as_deref()).unwrap_or("(empty)")
}

/// `62%` of `total`; `<1%` for a few among many.
pub(super) fn share(count: u64, total: u64) -> String {
    if total == 0 {
        return "?%".to_owned();
    }
    let percent = count as f64 * 100.0 / total as f64;
    if percent > 0.0 && percent < 1.0 {
        "<1%".to_owned()
    } else {
        format!("{percent:.0}%")
    }
}

/// Appends the event's summary, or why it could not be read: the issue is worth showing either way.
fn add_event_summary(
    which: &str,
    event: Result<Event, ApiError>,
    structured: &mut Value,
    lines: &mut Vec<String>,
) {
    match event {
        Ok(event) => {
            let (event_json, event_text) = describe_event(&event, EventView::SUMMARY);
            lines.push(String::new());
            lines.push(format!("{which} {}:", event.id().unwrap_or("?")));
            lines.push(event_text);
            structured["event"] = event_json;
        }
        Err(error) => {
            lines.push(format!("{which} could not be read: {error}"));
            structured["event_error"] = json!(error.to_string());
        }
    }
}

async fn update_issue(
    ctx: Arc<ToolContext>,
    params: UpdateIssueParams,
) -> Result<ToolOutput, ToolError> {
    let ignore = IgnoreUntil::from_args(
        params.ignore_duration,
        params.ignore_count,
        params.ignore_user_count,
    )?;
    if ignore.is_some() && params.status.is_some_and(|s| s != NewStatus::Ignored) {
        return Err(ToolError::InvalidInput(
            "ignore_duration, ignore_count and ignore_user_count go with status=ignored (or no status), not with another status".into(),
        ));
    }
    let update = IssueUpdate {
        status: params.status,
        ignore,
        assigned_to: params.assigned_to.map(assignee_value),
        has_seen: params.has_seen,
        is_bookmarked: params.is_bookmarked,
    };
    apply_update(&ctx, params.organization_slug, &params.issue_id, update).await
}

async fn resolve_issue(
    ctx: Arc<ToolContext>,
    params: IssueParams,
) -> Result<ToolOutput, ToolError> {
    let update = IssueUpdate {
        status: Some(NewStatus::Resolved),
        ..IssueUpdate::default()
    };
    apply_update(&ctx, params.organization_slug, &params.issue_id, update).await
}

async fn ignore_issue(ctx: Arc<ToolContext>, params: IssueParams) -> Result<ToolOutput, ToolError> {
    let update = IssueUpdate {
        status: Some(NewStatus::Ignored),
        ..IssueUpdate::default()
    };
    apply_update(&ctx, params.organization_slug, &params.issue_id, update).await
}

/// Sends one issue update and reports what was set.
async fn apply_update(
    ctx: &ToolContext,
    org: Option<String>,
    issue: &IssueArg,
    update: IssueUpdate,
) -> Result<ToolOutput, ToolError> {
    if update.is_empty() {
        return Err(ToolError::InvalidInput(
            "nothing to change: give at least one of status, ignore_duration, ignore_count, ignore_user_count, assigned_to, has_seen, is_bookmarked"
                .into(),
        ));
    }
    let (org, IssueLocator { issue_id, .. }) = ctx.issue(org, issue)?;
    let answer = api::issues::update(ctx.client(), &org, &issue_id, &update.body()).await?;
    let permalink = answer
        .permalink
        .clone()
        .unwrap_or_else(|| ctx.web_url(&org, &["issues", &issue_id]));
    Ok(update_report(&org, &issue_id, &update, &answer, &permalink))
}

/// What an update set, and the state Sentry reported back.
fn update_report(
    org: &str,
    issue_id: &str,
    update: &IssueUpdate,
    answer: &IssueChanges,
    permalink: &str,
) -> ToolOutput {
    let label = answer.short_id.as_deref().unwrap_or(issue_id);
    let mut lines = vec![format!(
        "Issue {label} in {org}: {}.",
        update.describe(answer).join(", ")
    )];
    if let Some(status) = &answer.status {
        let substatus = answer.substatus.as_deref().map(|s| format!(" ({s})"));
        lines.push(format!(
            "Status now: {status}{}",
            substatus.unwrap_or_default()
        ));
    }
    lines.push(format!("Link: {permalink}"));
    let structured = json!({
        "organization": org,
        "issue_id": issue_id,
        "short_id": answer.short_id,
        "set": update.json(),
        "status": answer.status,
        "substatus": answer.substatus,
        "assigned_to": answer.assigned_to.as_ref().map(assignee_json),
        "permalink": permalink,
    });
    ToolOutput::new(structured, lines.join("\n"))
}

/// One issue in one line: everything the next step needs, down to the link.
/// `WEB-1A3  [error] TypeError: x — app/cart.js in render · 1.2k events, 34 users · first seen …,
/// last seen … · unassigned · https://…`.
fn issue_line(issue: &Issue) -> String {
    let id = non_empty(Some(&issue.short_id)).unwrap_or(&issue.id);
    let mut tags: Vec<&str> = issue.level.as_deref().into_iter().collect();
    if let Some(status) = issue.status.as_deref().filter(|s| *s != "unresolved") {
        tags.push(status);
    }
    let tags = if tags.is_empty() {
        String::new()
    } else {
        format!("[{}] ", tags.join(", "))
    };
    let culprit = non_empty(issue.culprit.as_deref())
        .map(|c| format!(" — {c}"))
        .unwrap_or_default();
    let seen: Vec<String> = [
        issue
            .first_seen
            .as_deref()
            .map(|t| format!("first seen {}", short_time(t))),
        issue
            .last_seen
            .as_deref()
            .map(|t| format!("last seen {}", short_time(t))),
    ]
    .into_iter()
    .flatten()
    .collect();
    let parts: Vec<String> = [
        Some(format!(
            "{} events, {} users",
            human_count(issue.count),
            human_count(issue.user_count)
        )),
        (!seen.is_empty()).then(|| seen.join(", ")),
        Some(match &issue.assigned_to {
            Some(assignee) => format!("assigned to {}", assignee_label(assignee)),
            None => "unassigned".to_owned(),
        }),
        issue.permalink.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    format!(
        "{id}  {tags}{}{culprit} · {}",
        issue.title,
        parts.join(" · ")
    )
}

/// The lines of `get_issue` about the issue itself.
fn issue_detail_lines(issue: &Issue) -> Vec<String> {
    let id = non_empty(Some(&issue.short_id)).unwrap_or(&issue.id);
    let mut lines = vec![format!("{id}: {}", issue.title)];
    lines.extend(non_empty(issue.culprit.as_deref()).map(|c| format!("Culprit: {c}")));
    let status = match (&issue.status, &issue.substatus) {
        (Some(status), Some(sub)) => Some(format!("status {status} ({sub})")),
        (Some(status), None) => Some(format!("status {status}")),
        _ => None,
    };
    let facts: Vec<String> = [
        status,
        issue.level.as_ref().map(|l| format!("level {l}")),
        issue.priority.as_ref().map(|p| format!("priority {p}")),
        issue
            .project
            .as_ref()
            .map(|p| format!("project {}", p.slug)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !facts.is_empty() {
        lines.push(facts.join(" · "));
    }
    lines.push(format!(
        "{} events, {} users",
        human_count(issue.count),
        human_count(issue.user_count)
    ));
    let seen: Vec<String> = [
        issue
            .first_seen
            .as_deref()
            .map(|t| format!("First seen {}", short_time(t))),
        issue
            .first_release
            .as_ref()
            .map(|r| format!("in release {}", r.version)),
        issue
            .last_seen
            .as_deref()
            .map(|t| format!("last seen {}", short_time(t))),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !seen.is_empty() {
        lines.push(seen.join(", "));
    }
    lines.push(format!(
        "Assigned to: {}",
        issue
            .assigned_to
            .as_ref()
            .map(assignee_label)
            .unwrap_or_else(|| "nobody".to_owned())
    ));
    lines
}

/// The curated fields of an issue, shared by lists and details.
fn issue_json(issue: &Issue) -> Value {
    json!({
        "id": issue.id,
        "short_id": non_empty(Some(&issue.short_id)),
        "title": issue.title,
        "culprit": non_empty(issue.culprit.as_deref()),
        "level": issue.level,
        "status": issue.status,
        "substatus": issue.substatus,
        "priority": issue.priority,
        "count": issue.count,
        "user_count": issue.user_count,
        "first_seen": issue.first_seen,
        "last_seen": issue.last_seen,
        "project": issue.project.as_ref().map(|p| &p.slug),
        "assigned_to": issue.assigned_to.as_ref().map(assignee_json),
        "permalink": issue.permalink,
    })
}

/// `Jane Developer (user:12345)`: the name and the value `assigned_to` accepts.
fn assignee_label(assignee: &Assignee) -> String {
    let name = assignee
        .name
        .as_deref()
        .or(assignee.email.as_deref())
        .unwrap_or("?");
    match assignee.kind.as_deref() {
        Some(kind) if !assignee.id.is_empty() => format!("{name} ({kind}:{})", assignee.id),
        _ => name.to_owned(),
    }
}

fn assignee_json(assignee: &Assignee) -> Value {
    json!({
        "type": assignee.kind,
        "id": assignee.id,
        "name": assignee.name,
        "email": assignee.email,
    })
}

/// 999 → `999`, 1234 → `1.2k`, 12_960 → `13k`, 1_500_000 → `1.5M`.
fn human_count(n: u64) -> String {
    match n {
        0..=999 => n.to_string(),
        // From 999_500 on, thousands would round to "1000k".
        1_000..=999_499 => scaled(n, 1_000, "k"),
        _ => scaled(n, 1_000_000, "M"),
    }
}

/// One decimal below ten units, whole units from ten on.
fn scaled(n: u64, unit: u64, suffix: &str) -> String {
    if n >= 10 * unit {
        return format!("{}{suffix}", (n + unit / 2) / unit);
    }
    let tenths = (n * 10 + unit / 2) / unit;
    if tenths.is_multiple_of(10) {
        format!("{}{suffix}", tenths / 10)
    } else {
        format!("{}.{}{suffix}", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_at_a_glance() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1_000, "1k"),
            (1_234, "1.2k"),
            (12_960, "13k"),
            (9_960, "10k"),
            (12_940, "13k"),
            (999_499, "999k"),
            (999_500, "1M"),
            (1_500_000, "1.5M"),
        ];
        for (n, text) in cases {
            assert_eq!(human_count(n), text, "{n}");
        }
    }

    #[test]
    fn an_issue_line_has_short_id_level_title_counts_and_assignee() {
        let issue: Issue = serde_json::from_value(json!({
            "id": "1", "shortId": "WEB-1A3", "title": "TypeError: x is undefined",
            "level": "error", "status": "unresolved", "count": "1234", "userCount": 34,
            "lastSeen": "2025-04-12T11:34:11.123Z"
        }))
        .unwrap();
        assert_eq!(
            issue_line(&issue),
            "WEB-1A3  [error] TypeError: x is undefined · 1.2k events, 34 users · last seen 2025-04-12T11:34:11Z · unassigned"
        );
    }

    #[test]
    fn each_status_sets_the_fields_sentry_expects() {
        let next = IssueUpdate {
            status: Some(NewStatus::ResolvedInNextRelease),
            has_seen: Some(true),
            ..IssueUpdate::default()
        };
        assert_eq!(
            serde_json::to_value(next.body()).unwrap(),
            json!({"status": "resolved", "statusDetails": {"inNextRelease": true}, "hasSeen": true})
        );
        let unassign = IssueUpdate {
            assigned_to: Some(assignee_value(" None ".into())),
            ..IssueUpdate::default()
        };
        assert_eq!(
            serde_json::to_value(unassign.body()).unwrap(),
            json!({"assignedTo": ""})
        );
        assert_eq!(
            unassign.describe(&IssueChanges::default()),
            vec!["unassigned"]
        );
    }

    #[test]
    fn the_schema_lists_only_real_choices() {
        let tool = tools()
            .into_iter()
            .find(|t| t.name == "update_issue")
            .unwrap();
        let ctx = ToolContext::new(crate::sentry::Session::new(
            crate::sentry::SentryClient::new(crate::sentry::ClientConfig::new(
                "http://127.0.0.1:9".parse().unwrap(),
                None,
            ))
            .unwrap(),
            None,
            vec![],
        ));
        let schema = tool.input_schema(&ctx);
        assert_eq!(
            schema["properties"]["status"]["enum"],
            json!(["resolved", "unresolved", "ignored", "resolvedInNextRelease"])
        );
        assert_eq!(schema["required"], json!(["issue_id"]));
    }
}
