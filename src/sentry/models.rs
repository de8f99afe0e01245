//! The parts of Sentry's answers we read. Lenient: unknown fields are ignored, most fields optional.

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
