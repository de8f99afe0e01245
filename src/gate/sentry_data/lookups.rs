//! Small lookups beside the watch: an issue's web link, the files the release changed, an issue's
//! latest event.

use super::SentryData;
use crate::sentry::ApiError;
use crate::sentry::api;
use crate::sentry::models::{CommitFile, Event, Issue};

/// Files read from a release's commits for attribution.
const CHANGED_FILES_READ: usize = 1000;

impl SentryData<'_> {
    /// The web link of an issue that came without a permalink.
    pub fn issue_link(&self, issue: &Issue) -> String {
        issue
            .permalink
            .clone()
            .unwrap_or_else(|| self.session.web_url(&self.org, &["issues", &issue.id]))
    }

    /// Files the release's commits changed.
    pub async fn changed_files(&self) -> Result<Vec<CommitFile>, ApiError> {
        api::releases::commit_files(
            self.client().await,
            &self.org,
            &self.policy.version,
            CHANGED_FILES_READ,
        )
        .await
    }

    /// The latest event of an issue in the environment.
    pub async fn latest_event(&self, issue_id: &str) -> Result<Event, ApiError> {
        api::issues::event(
            self.client().await,
            &self.org,
            issue_id,
            "latest",
            Some(&self.policy.environment),
        )
        .await
    }
}
