//! The refs and commits of the request, from the history read, within Sentry's limits.

use super::history::History;
use super::request::{CreateRequest, Warnings};
use super::start::Start;
use crate::git::history::CommitRecord;
use crate::release::limits::enforce_limits;
use crate::sentry::api::releases::{CommitPayload, PatchPayload, RefPayload, ReleaseChanges};
use crate::time::now_timestamp;

/// The refs and commits of the request, within Sentry's limits.
pub(super) fn release_changes(
    history: &History,
    start: &Start,
    repository: Option<&str>,
    request: &CreateRequest,
    warnings: &mut Warnings,
) -> ReleaseChanges {
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
