//! The parts of Sentry's answers we read. Lenient: unknown fields are ignored, most fields optional.
//! The areas beyond issues, events, projects and releases have a file each under `models/`.

pub mod admin;
pub mod issue_context;
pub mod monitoring;
pub mod performance;
pub mod seer;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Reads ids that Sentry sends as strings (or, on some endpoints, as numbers) into a string.
pub fn id_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    })
}

/// Reads counts that Sentry sends as strings (issue `count`) or numbers.
pub fn count<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::String(s) => s.parse().unwrap_or(0),
        Value::Number(n) => n.as_u64().unwrap_or(0),
        _ => 0,
    })
}

/// An organization.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// Numeric id as a string.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// URL slug.
    pub slug: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Web and region URLs.
    #[serde(default)]
    pub links: Option<OrganizationLinks>,
}

/// Where an organization lives.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationLinks {
    /// The web URL, e.g. `https://acme.sentry.io`.
    #[serde(default)]
    pub organization_url: Option<String>,
    /// The API host of its region, e.g. `https://us.sentry.io`.
    #[serde(default)]
    pub region_url: Option<String>,
}

/// A project (list and detail answers share these fields).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    /// Numeric id as a string.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// URL slug.
    pub slug: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// SDK platform, e.g. `python`.
    #[serde(default)]
    pub platform: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub date_created: Option<String>,
    /// When it first received an event.
    #[serde(default)]
    pub first_event: Option<String>,
    /// Whether it sends sessions (release health).
    #[serde(default)]
    pub has_sessions: Option<bool>,
    /// Teams with access.
    #[serde(default)]
    pub teams: Vec<TeamRef>,
    /// Environments seen.
    #[serde(default)]
    pub environments: Vec<String>,
    /// The newest release.
    #[serde(default)]
    pub latest_release: Option<ReleaseRef>,
    /// Lifecycle status, e.g. `active`.
    #[serde(default)]
    pub status: Option<String>,
}

/// A team as embedded in other objects.
#[derive(Debug, Clone, Deserialize)]
pub struct TeamRef {
    /// URL slug.
    pub slug: String,
}

/// A release as embedded in other objects.
#[derive(Debug, Clone, Deserialize)]
pub struct ReleaseRef {
    /// The version string.
    pub version: String,
}

/// A team.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Team {
    /// Numeric id as a string.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// URL slug.
    pub slug: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Number of members.
    #[serde(default)]
    pub member_count: Option<u64>,
    /// Whether the token's user belongs to it.
    #[serde(default)]
    pub is_member: Option<bool>,
    /// Its projects, when the list includes them.
    #[serde(default)]
    pub projects: Vec<TeamRef>,
}

/// An issue (group).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Issue {
    /// Numeric id as a string.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// Short id, e.g. `WEB-1A3`.
    #[serde(default)]
    pub short_id: String,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Where it happens (transaction or function).
    #[serde(default)]
    pub culprit: Option<String>,
    /// Web link.
    #[serde(default)]
    pub permalink: Option<String>,
    /// Level: fatal, error, warning, info, debug.
    #[serde(default)]
    pub level: Option<String>,
    /// Status: unresolved, resolved, ignored, ...
    #[serde(default)]
    pub status: Option<String>,
    /// Substatus: new, ongoing, regressed, escalating, archived_*.
    #[serde(default)]
    pub substatus: Option<String>,
    /// Priority: low, medium, high.
    #[serde(default)]
    pub priority: Option<String>,
    /// Events seen (Sentry sends a string).
    #[serde(default, deserialize_with = "count")]
    pub count: u64,
    /// Users affected.
    #[serde(default, deserialize_with = "count")]
    pub user_count: u64,
    /// First event time.
    #[serde(default)]
    pub first_seen: Option<String>,
    /// Latest event time.
    #[serde(default)]
    pub last_seen: Option<String>,
    /// The project it belongs to.
    #[serde(default)]
    pub project: Option<ProjectRef>,
    /// Who it is assigned to.
    #[serde(default)]
    pub assigned_to: Option<Assignee>,
    /// Category: error, performance, feedback, cron, ...
    #[serde(default)]
    pub issue_category: Option<String>,
    /// Error type, value, file and function Sentry extracted.
    #[serde(default)]
    pub metadata: Option<Value>,
    /// Whether the token's user has seen it.
    #[serde(default)]
    pub has_seen: Option<bool>,
    /// Whether the token's user bookmarked it.
    #[serde(default)]
    pub is_bookmarked: Option<bool>,
    /// Whether the latest events are unhandled.
    #[serde(default)]
    pub is_unhandled: Option<bool>,
    /// Platform.
    #[serde(default)]
    pub platform: Option<String>,
    /// The release it was first seen in (detail answers only).
    #[serde(default)]
    pub first_release: Option<ReleaseRef>,
    /// The release it was last seen in (detail answers only).
    #[serde(default)]
    pub last_release: Option<ReleaseRef>,
    /// Status details (e.g. `inRelease`, `ignoreUntil`).
    #[serde(default)]
    pub status_details: Option<Value>,
}

/// A project as embedded in issues and releases.
#[derive(Debug, Clone, Deserialize)]
pub struct ProjectRef {
    /// Numeric id as a string.
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    /// URL slug.
    #[serde(default)]
    pub slug: String,
}

/// The user or team an issue is assigned to.
#[derive(Debug, Clone, Deserialize)]
pub struct Assignee {
    /// `user` or `team`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Its id.
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// E-mail (users only).
    #[serde(default)]
    pub email: Option<String>,
}

/// A release.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Release {
    /// The version string.
    pub version: String,
    /// A shortened version for display.
    #[serde(default)]
    pub short_version: Option<String>,
    /// When Sentry first heard of it.
    #[serde(default)]
    pub date_created: Option<String>,
    /// When it was finalized.
    #[serde(default)]
    pub date_released: Option<String>,
    /// First event in it.
    #[serde(default)]
    pub first_event: Option<String>,
    /// Latest event in it.
    #[serde(default)]
    pub last_event: Option<String>,
    /// Issues first seen in it.
    #[serde(default)]
    pub new_groups: Option<u64>,
    /// Number of associated commits.
    #[serde(default)]
    pub commit_count: Option<u64>,
    /// Number of deploys.
    #[serde(default)]
    pub deploy_count: Option<u64>,
    /// The newest deploy.
    #[serde(default)]
    pub last_deploy: Option<Deploy>,
    /// The newest associated commit.
    #[serde(default)]
    pub last_commit: Option<Commit>,
    /// Projects it belongs to.
    #[serde(default)]
    pub projects: Vec<ReleaseProject>,
    /// External reference (e.g. a tag).
    #[serde(default, rename = "ref")]
    pub reference: Option<String>,
    /// External URL.
    #[serde(default)]
    pub url: Option<String>,
}

/// A project inside a release answer, with its release health when asked for.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseProject {
    /// URL slug.
    #[serde(default)]
    pub slug: String,
    /// Issues first seen in the release in this project.
    #[serde(default)]
    pub new_groups: Option<u64>,
    /// Whether session data exists.
    #[serde(default)]
    pub has_health_data: Option<bool>,
    /// Release health (`health=1`).
    #[serde(default)]
    pub health_data: Option<Value>,
}

/// A commit as Sentry stores it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Commit {
    /// The sha.
    pub id: String,
    /// The message.
    #[serde(default)]
    pub message: Option<String>,
    /// Author date.
    #[serde(default)]
    pub date_created: Option<String>,
    /// Its author, where Sentry knows them (`commits/` answers).
    #[serde(default)]
    pub author: Option<CommitAuthor>,
}

/// Who wrote a commit.
#[derive(Debug, Clone, Deserialize)]
pub struct CommitAuthor {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
}

/// A deploy of a release to an environment.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deploy {
    /// Deploy id.
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    /// The environment name.
    #[serde(default)]
    pub environment: String,
    /// Optional name.
    #[serde(default)]
    pub name: Option<String>,
    /// Optional URL.
    #[serde(default)]
    pub url: Option<String>,
    /// When it started.
    #[serde(default)]
    pub date_started: Option<String>,
    /// When it finished.
    #[serde(default)]
    pub date_finished: Option<String>,
}

/// A repository connected to the organization.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Repository {
    /// Repository id.
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    /// Sentry's name for it, e.g. `acme/web` (what commits and refs must carry).
    pub name: String,
    /// Its web URL, e.g. `https://github.com/acme/web`.
    #[serde(default)]
    pub url: Option<String>,
    /// Provider info.
    #[serde(default)]
    pub provider: Option<Value>,
    /// `active`, `disabled`, ...
    #[serde(default)]
    pub status: Option<String>,
}

/// Reads a string, or a number as its text; `null` and other shapes become `None`.
pub fn opt_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// Reads a list, keeping the items that decode and dropping the rest (`null` or a non-list is empty).
pub fn lenient_list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(match Value::deserialize(deserializer)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect(),
        _ => Vec::new(),
    })
}

/// What Sentry answers to an issue update: the full issue, or only the changed fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueChanges {
    /// Short id, when the whole issue came back.
    #[serde(default)]
    pub short_id: Option<String>,
    /// Web link, when the whole issue came back.
    #[serde(default)]
    pub permalink: Option<String>,
    /// The status now.
    #[serde(default)]
    pub status: Option<String>,
    /// The substatus now.
    #[serde(default)]
    pub substatus: Option<String>,
    /// The assignee now (`null` when unassigned).
    #[serde(default)]
    pub assigned_to: Option<Assignee>,
}

/// An event: list answers carry the summary fields, detail answers add `entries`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// The 32-hex event id.
    #[serde(default, rename = "eventID", deserialize_with = "opt_string")]
    pub event_id: Option<String>,
    /// The same id under its other name (some answers carry only this).
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    /// The issue it belongs to.
    #[serde(default, rename = "groupID", deserialize_with = "opt_string")]
    pub group_id: Option<String>,
    /// Title, e.g. `TypeError: x is undefined`.
    #[serde(default)]
    pub title: Option<String>,
    /// The logged message, if any.
    #[serde(default)]
    pub message: Option<String>,
    /// Where it happened.
    #[serde(default)]
    pub culprit: Option<String>,
    /// SDK platform.
    #[serde(default)]
    pub platform: Option<String>,
    /// When it happened.
    #[serde(default, deserialize_with = "opt_string")]
    pub date_created: Option<String>,
    /// The release it came from.
    #[serde(default)]
    pub release: Option<ReleaseRef>,
    /// The user it affected.
    #[serde(default)]
    pub user: Option<EventUser>,
    /// Its tags.
    #[serde(default, deserialize_with = "lenient_list")]
    pub tags: Vec<EventTag>,
    /// Typed sections: `exception`, `breadcrumbs`, `request`, `message`, ...
    #[serde(default, deserialize_with = "lenient_list")]
    pub entries: Vec<EventEntry>,
}

impl Event {
    /// The id, whichever field carries it.
    pub fn id(&self) -> Option<&str> {
        self.event_id.as_deref().or(self.id.as_deref())
    }

    /// The value of a tag.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|t| t.key == key)
            .and_then(|t| t.value.as_deref())
    }

    /// The data of the first entry of a kind, when it decodes as `T`.
    pub fn entry_data<T: DeserializeOwned>(&self, kind: &str) -> Option<T> {
        self.entries
            .iter()
            .find(|e| e.kind == kind)
            .and_then(|e| serde_json::from_value(e.data.clone()).ok())
    }
}

/// One tag of an event.
#[derive(Debug, Clone, Deserialize)]
pub struct EventTag {
    /// Its key.
    pub key: String,
    /// Its value.
    #[serde(default, deserialize_with = "opt_string")]
    pub value: Option<String>,
}

/// The user of an event.
#[derive(Debug, Clone, Deserialize)]
pub struct EventUser {
    /// The app's user id.
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Username.
    #[serde(default)]
    pub username: Option<String>,
    /// IP address.
    #[serde(default)]
    pub ip_address: Option<String>,
}

/// One typed section of an event.
#[derive(Debug, Clone, Deserialize)]
pub struct EventEntry {
    /// The kind: `exception`, `breadcrumbs`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Its content, decoded on demand.
    #[serde(default)]
    pub data: Value,
}

/// The data of an `exception` entry.
#[derive(Debug, Clone, Deserialize)]
pub struct ExceptionEntry {
    /// The chained exceptions, the cause first.
    #[serde(default, deserialize_with = "lenient_list")]
    pub values: Vec<ExceptionValue>,
}

/// One exception.
#[derive(Debug, Clone, Deserialize)]
pub struct ExceptionValue {
    /// Its type, e.g. `TypeError`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Its message.
    #[serde(default)]
    pub value: Option<String>,
    /// How it was caught.
    #[serde(default)]
    pub mechanism: Option<Mechanism>,
    /// Where it was raised.
    #[serde(default)]
    pub stacktrace: Option<Stacktrace>,
}

/// How an exception was captured.
#[derive(Debug, Clone, Deserialize)]
pub struct Mechanism {
    /// False when the app did not catch it.
    #[serde(default)]
    pub handled: Option<bool>,
}

/// A stack trace, outermost frame first.
#[derive(Debug, Clone, Deserialize)]
pub struct Stacktrace {
    /// The frames, the crashing one last.
    #[serde(default, deserialize_with = "lenient_list")]
    pub frames: Vec<Frame>,
}

/// One stack frame.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Frame {
    /// File name as shown.
    #[serde(default)]
    pub filename: Option<String>,
    /// Full path.
    #[serde(default)]
    pub abs_path: Option<String>,
    /// Module or class.
    #[serde(default)]
    pub module: Option<String>,
    /// Function.
    #[serde(default)]
    pub function: Option<String>,
    /// Line number.
    #[serde(default)]
    pub line_no: Option<u64>,
    /// Whether it is the app's own code.
    #[serde(default)]
    pub in_app: Option<bool>,
    /// Source lines around it: `[line number, code]`, the frame's own line among them.
    #[serde(default, deserialize_with = "lenient_list")]
    pub context: Vec<(u64, String)>,
}

/// The data of a `breadcrumbs` entry.
#[derive(Debug, Clone, Deserialize)]
pub struct BreadcrumbsEntry {
    /// The breadcrumbs, oldest first.
    #[serde(default, deserialize_with = "lenient_list")]
    pub values: Vec<Breadcrumb>,
}

/// One breadcrumb.
#[derive(Debug, Clone, Deserialize)]
pub struct Breadcrumb {
    /// When it was recorded.
    #[serde(default, deserialize_with = "opt_string")]
    pub timestamp: Option<String>,
    /// Category, e.g. `fetch`, `console`, `navigation`.
    #[serde(default)]
    pub category: Option<String>,
    /// Level.
    #[serde(default)]
    pub level: Option<String>,
    /// Message.
    #[serde(default)]
    pub message: Option<String>,
    /// Structured details (URL, status code, ...).
    #[serde(default)]
    pub data: Option<Value>,
}

/// A file changed by one of a release's commits (`releases/{version}/commitfiles/`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitFile {
    /// The path in the repository.
    pub filename: String,
    /// `A`, `M` or `D`.
    #[serde(default, rename = "type")]
    pub change: Option<String>,
    /// The message of the commit that changed it.
    #[serde(default)]
    pub commit_message: Option<String>,
    /// The commit's author (`name`, `email`), when Sentry knows it.
    #[serde(default)]
    pub author: Option<Value>,
    /// The repository's name in Sentry.
    #[serde(default)]
    pub repo_name: Option<String>,
}
