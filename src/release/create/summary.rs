//! What `release create` reports: the range sent, the release's link, and the CI step outputs.

use super::history::History;
use super::replaced::Replaced;
use super::start::Start;
use crate::output::{OutputFormat, print_json, print_text};
use crate::release::limits::short;
use crate::release::report::{Done, StepOutput};
use crate::sentry::api::releases::ReleaseChanges;
use serde_json::{Value, json};

/// The commits a release was given, for the summary.
pub(super) struct Range {
    /// Commits sent; `None` when Sentry fetches them itself (refs only).
    commit_count: Option<usize>,
    previous_commit: Option<String>,
    head_commit: Option<String>,
    repository: Option<String>,
}

impl Range {
    /// No commits and no refs (`--no-commits`).
    pub(super) fn without_commits() -> Self {
        Self {
            commit_count: Some(0),
            previous_commit: None,
            head_commit: None,
            repository: None,
        }
    }

    /// The range of a history read from `start`, as sent.
    pub(super) fn of(
        history: &History,
        changes: &ReleaseChanges,
        start: &Start,
        repository: Option<String>,
    ) -> Self {
        Self {
            commit_count: Some(changes.commits.len()),
            previous_commit: start.commit().map(str::to_owned),
            head_commit: Some(history.head.clone()),
            repository,
        }
    }

    /// A range given as refs only: Sentry fetches its commits through the integration.
    pub(super) fn refs_only(changes: &ReleaseChanges) -> Self {
        let first = changes.refs.first();
        Self {
            commit_count: None,
            previous_commit: first.and_then(|r| r.previous_commit.clone()),
            head_commit: first.map(|r| r.commit.clone()),
            repository: first.map(|r| r.repository.clone()),
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
    /// The commit list of a finalized release that this run replaced, if it differed.
    pub replaced: Option<Replaced>,
    /// The warnings given on the way.
    pub warnings: &'a [String],
}

impl Summary<'_> {
    fn to_json(&self) -> Value {
        json!({
            "version": self.version,
            "commit_count": self.range.commit_count,
            "commits_fetched_by_sentry": self.range.commit_count.is_none(),
            "previous_commit": self.range.previous_commit,
            "head_commit": self.range.head_commit,
            "repository": self.range.repository,
            "url": self.url,
            "created": self.created,
            "replaced": self.replaced.as_ref().map(Replaced::to_json),
            "warnings": self.warnings,
        })
    }

    /// The summary in one line of text.
    fn headline(&self) -> String {
        let verb = if self.created { "Created" } else { "Updated" };
        let range = match (&self.range.previous_commit, &self.range.head_commit) {
            (Some(previous), Some(head)) => format!(" ({}..{})", short(previous), short(head)),
            (None, Some(head)) => format!(" (first release, up to {})", short(head)),
            _ => String::new(),
        };
        let commits = match self.range.commit_count {
            Some(count) => format!("{count} commits"),
            None => "refs only (Sentry fetches the commits through its integration)".into(),
        };
        format!(
            "{verb} release {} with {commits}{range} in {}",
            self.version,
            self.range.repository.as_deref().unwrap_or("no repository")
        )
    }

    /// Prints the summary: two lines of text, or one JSON document.
    pub(super) fn print(&self, format: OutputFormat) {
        match format {
            OutputFormat::Json => print_json(&self.to_json()),
            OutputFormat::Text => print_text(&format!("{}\n{}", self.headline(), self.url)),
        }
    }

    /// For CI: the `version`, `commit_count` and `release_url` outputs and the summary.
    pub(super) fn done(&self) -> Done<'_> {
        let count = self
            .range
            .commit_count
            .map(|c| c.to_string())
            .unwrap_or_default();
        let mut facts = vec![
            ("Version", self.version.to_owned()),
            (
                "Commits",
                if count.is_empty() {
                    "fetched by Sentry".into()
                } else {
                    count.clone()
                },
            ),
        ];
        facts.extend(self.range.repository.clone().map(|r| ("Repository", r)));
        facts.extend(
            self.range
                .previous_commit
                .clone()
                .map(|c| ("Previous commit", c)),
        );
        facts.extend(self.range.head_commit.clone().map(|c| ("Head commit", c)));
        facts.extend(self.replaced.as_ref().map(|r| ("Replaced", r.describe())));
        Done {
            headline: self.headline(),
            link: Some(self.url.clone()),
            facts,
            outputs: vec![
                StepOutput::new("version", "SENTRY_RELEASE", self.version),
                StepOutput::new("commit_count", "SENTRY_RELEASE_COMMIT_COUNT", count),
                StepOutput::new("release_url", "SENTRY_RELEASE_URL", &self.url),
            ],
            warnings: self.warnings,
        }
    }
}
