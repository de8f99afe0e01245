//! Where a release's range starts: `--from`, else the previous release's last commit in Sentry,
//! else a first release; and making sure that commit is in the local history.

use super::request::{CreateRequest, Warnings};
use crate::git::GitRepo;
use crate::release::error::ReleaseError;
use crate::release::limits::short;
use crate::sentry::api::{self, Page};
use crate::sentry::models::Release;
use crate::sentry::{ApiError, SentryClient};

/// `--deepen` first fetches this many commits, doubling every round.
const FIRST_DEEPEN: usize = 100;
/// `--deepen` gives up after this many rounds (about 100,000 commits in all).
const MAX_DEEPEN_ROUNDS: u32 = 10;
/// Releases read when looking for the previous one (one page).
const PREVIOUS_RELEASE_WINDOW: usize = 100;

/// Where the range starts.
pub(super) enum Start {
    /// After this commit (excluded); `origin` says where it came from, for messages.
    After { commit: String, origin: String },
    /// A first release: the newest `--initial-depth` commits.
    Initial,
}

impl Start {
    /// The commit the range starts after, if any.
    pub(super) fn commit(&self) -> Option<&str> {
        match self {
            Self::After { commit, .. } => Some(commit),
            Self::Initial => None,
        }
    }
}

/// A release's last commit, where a new release's range starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PreviousRelease {
    /// Its version.
    pub version: String,
    /// Its newest commit's sha.
    pub commit: String,
}

/// `--from REF`: a revision, or a full sha that a shallow clone may not have yet.
pub(super) fn start_from_ref(repo: &GitRepo, spec: &str) -> Result<Start, ReleaseError> {
    let commit = match repo.resolve(spec) {
        Ok(commit) => commit,
        Err(_) if is_full_sha(spec) => spec.to_ascii_lowercase(),
        Err(e) if repo.is_shallow() => {
            return Err(ReleaseError::Usage(format!(
                "{e}. This is a shallow clone, where older commits and tags are missing: fetch the full history (`fetch-depth: 0` for actions/checkout, `GIT_DEPTH: 0` in GitLab CI)"
            )));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Start::After {
        commit,
        origin: format!("--from {spec}"),
    })
}

fn is_full_sha(text: &str) -> bool {
    matches!(text.len(), 40 | 64) && text.chars().all(|c| c.is_ascii_hexdigit())
}

/// The start the previous release in Sentry gives, or a first release (with a warning).
pub(super) fn start_from_sentry(
    previous: Option<PreviousRelease>,
    project: &str,
    request: &CreateRequest,
    warnings: &mut Warnings,
) -> Start {
    match previous {
        Some(previous) => Start::After {
            origin: format!("the last commit of release {}", previous.version),
            commit: previous.commit,
        },
        None => {
            warnings.add(format!(
                "Sentry knows no earlier release with commits in project {project}: this is a first release with the newest {} commits (--initial-depth); pass --from REF to choose the start",
                request.initial_depth
            ));
            Start::Initial
        }
    }
}

/// Where the previous release of `project` ended: Sentry's `previous-with-commits` when the
/// release exists (skipping itself: a re-run would otherwise find its own commits), else the
/// project's release list, newest first, skipping this version and anything newer than it.
pub(super) async fn previous_release(
    client: &SentryClient,
    org: &str,
    project: &str,
    version: &str,
    release_exists: bool,
) -> Result<Option<PreviousRelease>, ApiError> {
    if release_exists {
        match api::releases::previous_with_commits(client, org, version).await {
            // Sentry knows no earlier release with commits.
            Ok(None) => return Ok(None),
            Ok(Some(release)) => {
                if let Some(previous) = last_commit_of(release, version) {
                    return Ok(Some(previous));
                }
            }
            // Older self-hosted servers do not have the endpoint.
            Err(ApiError::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    let releases =
        api::projects::list_releases(client, org, project, Page::first(PREVIOUS_RELEASE_WINDOW))
            .await?
            .items;
    let older = match releases.iter().position(|r| r.version == version) {
        Some(this) => &releases[this + 1..],
        None => &releases[..],
    };
    Ok(older.iter().find_map(|r| {
        r.last_commit.as_ref().map(|commit| PreviousRelease {
            version: r.version.clone(),
            commit: commit.id.clone(),
        })
    }))
}

fn last_commit_of(release: Release, this_version: &str) -> Option<PreviousRelease> {
    if release.version == this_version {
        return None;
    }
    Some(PreviousRelease {
        commit: release.last_commit?.id,
        version: release.version,
    })
}

/// Makes sure the start commit is in the local history, deepening a shallow clone if allowed.
pub(super) fn locate_start(
    mut repo: GitRepo,
    start: &Start,
    request: &CreateRequest,
) -> Result<GitRepo, ReleaseError> {
    let Start::After { commit, origin } = start else {
        return Ok(repo);
    };
    let mut step = FIRST_DEEPEN;
    let mut rounds = 0;
    while !repo.has_commit(commit) {
        let shallow = repo.is_shallow();
        if !request.deepen || !shallow || rounds == MAX_DEEPEN_ROUNDS {
            return Err(ReleaseError::Usage(missing_start_message(
                commit,
                origin,
                shallow,
                request.deepen && rounds > 0,
            )));
        }
        eprintln!(
            "{} ({origin}) is not in this shallow clone: fetching {step} more commits (git fetch --deepen={step} {})",
            short(commit),
            request.remote
        );
        repo.deepen(&request.remote, step)?;
        repo = repo.reopen()?;
        rounds += 1;
        step *= 2;
    }
    Ok(repo)
}

fn missing_start_message(commit: &str, origin: &str, shallow: bool, deepened: bool) -> String {
    let what = format!("commit {commit} ({origin}) is not in the local git history");
    if deepened && !shallow {
        return format!(
            "{what}, even with the full history fetched: it was rebased or squashed away, or belongs to another repository. Pass --from REF to set where this release starts"
        );
    }
    if shallow {
        let tried = if deepened {
            " --deepen fetched about 100,000 more commits without finding it."
        } else {
            ""
        };
        return format!(
            "{what}: this is a shallow clone.{tried} Fetch the full history: `fetch-depth: 0` for actions/checkout (GitHub), `GIT_DEPTH: 0` in GitLab CI, or `git fetch --unshallow`; or pass --deepen to fetch history in steps until the commit is found"
        );
    }
    format!(
        "{what}: it was rebased or squashed away, or belongs to another repository. Pass --from REF to set where this release starts"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_start_messages_name_the_commit_and_the_fix() {
        let shallow = missing_start_message("abc", "the last commit of release 1.0", true, false);
        assert!(shallow.contains("abc"), "{shallow}");
        assert!(shallow.contains("release 1.0"), "{shallow}");
        assert!(shallow.contains("fetch-depth: 0"), "{shallow}");
        assert!(shallow.contains("GIT_DEPTH: 0"), "{shallow}");
        assert!(shallow.contains("--deepen"), "{shallow}");
        let rewritten = missing_start_message("abc", "--from abc", false, false);
        assert!(rewritten.contains("--from REF"), "{rewritten}");
        assert!(!rewritten.contains("shallow"), "{rewritten}");
    }
}
