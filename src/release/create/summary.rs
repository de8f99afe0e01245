//! What `release create` reports: the range sent, the release's link, and the CI step outputs.

use super::history::History;
use super::start::Start;
use crate::ci::github::OutputError;
use crate::output::OutputFormat;
use crate::release::limits::short;
use serde_json::{Value, json};

/// The commits a release was given, for the summary.
#[derive(Default)]
pub(super) struct Range {
    commit_count: usize,
    previous_commit: Option<String>,
    head_commit: Option<String>,
    repository: Option<String>,
}

impl Range {
    /// The range of a history read from `start`.
    pub(super) fn of(history: &History, start: &Start, repository: Option<String>) -> Self {
        Self {
            commit_count: history.commits.len(),
            previous_commit: start.commit().map(str::to_owned),
            head_commit: Some(history.head.clone()),
            repository,
        }
    }
}

/// What `release create` reports.
pub(super) struct Summary<'a> {
    /// The version.
    pub version: &'a str,
    /// The commits sent.
    pub range: Range,
    /// The release's web page.
    pub url: String,
    /// Whether the release was new.
    pub created: bool,
    /// The warnings given on the way.
    pub warnings: &'a [String],
}

impl Summary<'_> {
    fn to_json(&self) -> Value {
        json!({
            "version": self.version,
            "commit_count": self.range.commit_count,
            "previous_commit": self.range.previous_commit,
            "head_commit": self.range.head_commit,
            "repository": self.range.repository,
            "url": self.url,
            "created": self.created,
            "warnings": self.warnings,
        })
    }

    /// Prints the summary: two lines of text, or one JSON document.
    pub(super) fn print(&self, format: OutputFormat) {
        match format {
            OutputFormat::Json => println!("{}", self.to_json()),
            OutputFormat::Text => {
                let verb = if self.created { "Created" } else { "Updated" };
                let range = match (&self.range.previous_commit, &self.range.head_commit) {
                    (Some(previous), Some(head)) => {
                        format!(" ({}..{})", short(previous), short(head))
                    }
                    (None, Some(head)) => format!(" (first release, up to {})", short(head)),
                    _ => String::new(),
                };
                println!(
                    "{verb} release {} with {} commits{range} in {}",
                    self.version,
                    self.range.commit_count,
                    self.range.repository.as_deref().unwrap_or("no repository")
                );
                println!("{}", self.url);
            }
        }
    }
}

impl Summary<'_> {
    /// In GitHub Actions: the `version`, `commit_count` and `release_url` step outputs.
    pub(super) fn publish_to_ci(&self) -> Result<(), OutputError> {
        let outputs = [
            ("version", self.version.to_owned()),
            ("commit_count", self.range.commit_count.to_string()),
            ("release_url", self.url.clone()),
        ];
        crate::ci::publish_step_outputs(&outputs)
    }
}
