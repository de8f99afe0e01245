//! What a run replaces on a release that was already finalized: Sentry replaces a release's
//! commit list whole, so a re-run with another range rewrites history that was already shipped.

use super::request::{Target, Warnings};
use crate::release::error::ReleaseError;
use crate::release::limits::short;
use crate::sentry::api::releases::ReleaseChanges;
use crate::sentry::api::{self, Page};
use crate::sentry::models::Release;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Commits of an existing release read to compare with a new list (Sentry pages them by 100).
const MAX_COMPARED: usize = 1000;

/// The commit list of an already finalized release that a run replaced.
pub(super) struct Replaced {
    /// When the release was finalized.
    released: String,
    /// How many commits it had.
    before: usize,
    /// How many it has now.
    after: usize,
    /// Commits new to it.
    added: Vec<String>,
    /// Commits it no longer has.
    removed: Vec<String>,
}

impl Replaced {
    /// For the JSON summary.
    pub(super) fn to_json(&self) -> Value {
        json!({
            "date_released": self.released,
            "previous_commit_count": self.before,
            "commit_count": self.after,
            "added": self.added,
            "removed": self.removed,
        })
    }

    /// In one line.
    pub(super) fn describe(&self) -> String {
        let examples = |ids: &[String]| {
            let shown: Vec<String> = ids.iter().take(5).map(|id| short(id)).collect();
            match ids.len() {
                0 => String::new(),
                n if n > shown.len() => format!(" ({}, ...)", shown.join(", ")),
                _ => format!(" ({})", shown.join(", ")),
            }
        };
        format!(
            "release was finalized {} with {} commits; its commit list is now {} commits: {} added{}, {} removed{}",
            self.released,
            self.before,
            self.after,
            self.added.len(),
            examples(&self.added),
            self.removed.len(),
            examples(&self.removed)
        )
    }
}

/// Compares the commits about to be sent with those Sentry has for an already finalized release,
/// and says what the run replaces (Sentry replaces a release's commit list whole).
pub(super) async fn replaced_commits(
    target: &Target<'_>,
    existing: &Release,
    changes: &ReleaseChanges,
    warnings: &mut Warnings,
) -> Result<Option<Replaced>, ReleaseError> {
    let Some(released) = &existing.date_released else {
        return Ok(None);
    };
    if existing.commit_count.unwrap_or(0) == 0 || changes.commits.is_empty() {
        return Ok(None);
    }
    let client = target.session.client();
    let listed = match api::releases::commits(
        client,
        &target.org,
        &existing.version,
        Page::first(MAX_COMPARED),
    )
    .await
    {
        Ok(listed) => listed.items,
        Err(e) => {
            warnings.add(format!(
                "release {} was already finalized ({released}) with {} commits, and this run replaces them; their list could not be read to compare ({e})",
                existing.version,
                existing.commit_count.unwrap_or(0)
            ));
            return Ok(None);
        }
    };
    let before: BTreeSet<&str> = listed.iter().map(|c| c.id.as_str()).collect();
    let after: BTreeSet<&str> = changes.commits.iter().map(|c| c.id.as_str()).collect();
    if before == after {
        return Ok(None);
    }
    let owned = |ids: Vec<&&str>| ids.into_iter().map(|id| (*id).to_owned()).collect();
    let replaced = Replaced {
        released: released.clone(),
        before: usize::try_from(existing.commit_count.unwrap_or(0)).unwrap_or(usize::MAX),
        after: after.len(),
        added: owned(after.difference(&before).collect()),
        removed: owned(before.difference(&after).collect()),
    };
    warnings.add(format!(
        "release {} replaced a finalized commit list: {}",
        existing.version,
        replaced.describe()
    ));
    Ok(Some(replaced))
}
