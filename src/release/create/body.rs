//! The refs and commits of the request, from the history read, within Sentry's limits.

use super::history::History;
use super::request::{CreateRequest, Warnings};
use super::start::Start;
use crate::git::history::CommitRecord;
use crate::release::limits::{enforce_limits, short};
use crate::sentry::api::releases::{CommitPayload, PatchPayload, RefPayload, ReleaseChanges};
use crate::time::now_timestamp;

/// The refs and commits of the request, within Sentry's limits. With no commits to send, neither
/// refs nor commits are sent (refs alone would have Sentry fetch the whole range itself, path
/// filter or not), and the release's commit list is left as it is; the warning says so.
pub(super) fn release_changes(
    history: &History,
    start: &Start,
    repository: Option<&str>,
    request: &CreateRequest,
    warnings: &mut Warnings,
) -> ReleaseChanges {
    if history.commits.is_empty() {
        if !request.ignore_empty {
            warnings.add(empty_range_warning(history, start, request));
        }
        return release_fields(request);
    }
    let refs = repository
        .map(|repository| RefPayload {
            repository: repository.to_owned(),
            commit: history.head.clone(),
            previous_commit: start.commit().map(str::to_owned),
        })
        .into_iter()
        .collect();
    let commits = history
        .commits
        .iter()
        .map(|record| commit_payload(record, repository))
        .collect();
    let mut changes = ReleaseChanges {
        refs,
        commits,
        ..release_fields(request)
    };
    for warning in enforce_limits(&mut changes) {
        warnings.add(warning);
    }
    changes
}

fn empty_range_warning(history: &History, start: &Start, request: &CreateRequest) -> String {
    let since = match start {
        Start::After { origin, .. } => format!("since {origin}"),
        Start::Initial => "in the history".into(),
    };
    let what = if history.examined > 0 && !request.paths.is_empty() {
        format!(
            "none of the {} commits {since} touches --path {}",
            history.examined,
            request.paths.join(", ")
        )
    } else {
        format!(
            "there are no new commits {since} (HEAD is {})",
            short(&history.head)
        )
    };
    format!(
        "{what}: the release is created or updated without commits, and its commit list is left as it was (--ignore-empty silences this)"
    )
}

fn commit_payload(record: &CommitRecord, repository: Option<&str>) -> CommitPayload {
    let non_empty = |text: &str| (!text.is_empty()).then(|| text.to_owned());
    CommitPayload {
        id: record.id.clone(),
        repository: repository.map(str::to_owned),
        message: non_empty(&record.message),
        author_name: non_empty(&record.author_name),
        author_email: non_empty(&record.author_email),
        timestamp: Some(record.timestamp.clone()),
        patch_set: record.changes.as_ref().map(|changes| {
            changes
                .iter()
                .map(|change| PatchPayload {
                    path: change.path.clone(),
                    kind: change.kind.letter().to_owned(),
                })
                .collect()
        }),
    }
}

/// The fields every release request carries: its URL, and the release date with `--finalize`.
pub(super) fn release_fields(request: &CreateRequest) -> ReleaseChanges {
    ReleaseChanges {
        url: request.release_url.clone(),
        date_released: request.finalize.then(now_timestamp),
        ..ReleaseChanges::default()
    }
}
