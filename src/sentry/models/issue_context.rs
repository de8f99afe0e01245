//! Around an issue: the token's user, tag distributions, the activity feed, user feedback.

use super::{count, id_string, lenient_list, opt_string};
use serde::Deserialize;
use serde_json::Value;

/// A Sentry user (the token's, from `auth/`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Numeric id as a string.
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Username.
    #[serde(default)]
    pub username: Option<String>,
}

/// One tag key of an issue with its most common values.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagDistribution {
    /// The key, e.g. `browser`.
    pub key: String,
    /// Its display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Events that carry the tag.
    #[serde(default, deserialize_with = "count")]
    pub total_values: u64,
    /// Distinct values, where Sentry says.
    #[serde(default)]
    pub unique_values: Option<u64>,
    /// The most common values, most frequent first.
    #[serde(default, deserialize_with = "lenient_list")]
    pub top_values: Vec<TagValue>,
}

/// One value of a tag and how often it was seen.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagValue {
    /// The value (`null` values come as absent).
    #[serde(default, deserialize_with = "opt_string")]
    pub value: Option<String>,
    /// Events with it.
    #[serde(default, deserialize_with = "count")]
    pub count: u64,
    /// First event with it.
    #[serde(default)]
    pub first_seen: Option<String>,
    /// Latest event with it.
    #[serde(default)]
    pub last_seen: Option<String>,
}

/// The answer of `issues/{id}/activities/`.
#[derive(Debug, Clone, Deserialize)]
pub struct ActivityFeed {
    /// Newest first.
    #[serde(default, deserialize_with = "lenient_list")]
    pub activity: Vec<Activity>,
}

/// One entry of an issue's activity: a status change, an assignment, a note, a regression...
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    /// Its id.
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    /// `note`, `set_resolved`, `assigned`, `set_regression`, ...
    #[serde(default, rename = "type")]
    pub kind: String,
    /// When it happened.
    #[serde(default)]
    pub date_created: Option<String>,
    /// Who did it (`null` for Sentry itself).
    #[serde(default)]
    pub user: Option<ActivityUser>,
    /// The details: a note's `text`, a release's `version`, an assignee...
    #[serde(default)]
    pub data: Value,
}

/// The person behind an activity.
#[derive(Debug, Clone, Deserialize)]
pub struct ActivityUser {
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
}

/// Feedback a user left on an event (`user-feedback/`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserReport {
    /// Its id.
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    /// The event it is about.
    #[serde(default, rename = "eventID", deserialize_with = "opt_string")]
    pub event_id: Option<String>,
    /// The name the user gave.
    #[serde(default)]
    pub name: Option<String>,
    /// The e-mail the user gave.
    #[serde(default)]
    pub email: Option<String>,
    /// What they wrote.
    #[serde(default)]
    pub comments: Option<String>,
    /// When.
    #[serde(default)]
    pub date_created: Option<String>,
    /// The issue of the event, when Sentry includes it.
    #[serde(default)]
    pub issue: Option<FeedbackIssue>,
}

/// The issue a feedback is attached to.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedbackIssue {
    /// Numeric id.
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    /// Short id.
    #[serde(default)]
    pub short_id: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
}
