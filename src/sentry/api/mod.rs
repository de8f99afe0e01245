//! One function per Sentry endpoint, with typed parameters, bodies and answers.
//!
//! This folder is the only place an API path is built: everything above it asks for "the deploys of
//! a release", never for `organizations/{org}/releases/{version}/deploys/`.

pub mod alerts;
pub mod chunks;
pub mod dashboards;
pub mod deploys;
pub mod discover;
pub mod dsns;
pub mod events;
pub mod feedback;
pub mod issues;
pub mod monitors;
pub mod organizations;
pub mod projects;
pub mod releases;
pub mod replays;
pub mod repositories;
pub mod seer;
pub mod sessions;
pub mod teams;
pub mod traces;
pub mod users;

/// Which part of a list to read: at most `limit` items, starting at `cursor`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// The most items gathered (over several requests when above one page).
    pub limit: usize,
    /// A cursor from an earlier answer.
    pub cursor: Option<String>,
}

impl Page {
    /// The first `limit` items.
    pub fn first(limit: usize) -> Self {
        Self {
            limit,
            cursor: None,
        }
    }

    /// `limit` items from `cursor`.
    pub fn from(limit: usize, cursor: Option<String>) -> Self {
        Self { limit, cursor }
    }
}

/// A request body as JSON (plain data: serializing it cannot fail).
fn json_body<T: serde::Serialize>(body: &T) -> serde_json::Value {
    serde_json::to_value(body).expect("request bodies are plain data")
}
