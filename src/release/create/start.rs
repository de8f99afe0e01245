//! Where a release's range starts: `--from`, else the previous release's last commit in Sentry,
//! else a first release; and making sure that commit is in the local history.

use super::request::{CreateRequest, Warnings};
use crate::git::GitRepo;
use crate::git::shallow::RangeCut;
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
#[derive(Debug, Clone)]
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

/// `--from REF`: a revision, or a full sha that a shallow clone may not have yet. With
/// `--deepen`, a tag the clone lacks (shallow CI clones usually have no old tags) is fetched.
pub(super) fn start_from_ref(
    repo: &mut GitRepo,
    spec: &str,
    request: &CreateRequest,
) -> Result<Start, ReleaseError> {
    let after = |commit| Start::After {
        commit,
        origin: format!("--from {spec}"),
    };
    let error = match repo.resolve(spec) {
        Ok(commit) => return Ok(after(commit)),
        Err(_) if is_full_sha(spec) => return Ok(after(spec.to_ascii_lowercase())),
        Err(e) => e,
    };
    if request.deepen && looks_like_tag(spec) {
        eprintln!(
            "--from {spec} is not in this clone: fetching tag {spec} (git fetch --depth=1 {} tag {spec})",
            request.remote
        );
        match repo.fetch_tag(&request.remote, spec) {
            Ok(()) => {
                *repo = repo.reopen()?;
                return Ok(after(repo.resolve(spec)?));
            }
            Err(fetch) => {
                return Err(ReleaseError::Usage(format!(
                    "{error}, and fetching it as a tag failed: {fetch}"
                )));
            }
        }
    }
    if repo.is_shallow() {
        return Err(ReleaseError::Usage(format!(
            "{error}. This is a shallow clone, where older commits and tags are missing: pass --deepen to fetch the tag and the history down to it, or fetch the full history (`fetch-depth: 0` for actions/checkout, `GIT_DEPTH: 0` in GitLab CI)"
        )));
    }
    Err(error.into())
}

/// A name that can be a tag (not a sha, not a revision expression such as `HEAD~3`).
fn looks_like_tag(spec: &str) -> bool {
    !spec.is_empty()
        && !spec.starts_with('-')
        && !spec.contains(['~', '^', ':', '@', '{', ' ', '\\', '*', '?', '['])
        && !spec.contains("..")
        && !spec.eq_ignore_ascii_case("HEAD")
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

/// Makes sure the range `start..HEAD` is whole in the local history: the start commit is there,
/// and a shallow clone's cut neither hides commits of the range nor lets older ones in. A shallow
/// clone is deepened when `--deepen` allows it; otherwise the run stops (exit 2) with the fix, so a
/// commit list that may be wrong is never sent. A missing start with `--ignore-missing` becomes a
/// first release, with a warning.
pub(super) fn ensure_whole_range(
    mut repo: GitRepo,
    start: Start,
    request: &CreateRequest,
    warnings: &mut Warnings,
) -> Result<(GitRepo, Start), ReleaseError> {
    let Start::After { commit, origin } = &start else {
        return Ok((repo, start));
    };
    let mut deepening = Deepening::default();
    loop {
        let problem = match repo.has_commit(commit) {
            false => Problem::Missing,
            true => match repo.range_cut(&repo.head()?, commit)? {
                Some(cut) => Problem::Cut(cut),
                None => return Ok((repo, start)),
            },
        };
        let shallow = repo.is_shallow();
        if request.deepen && shallow && deepening.rounds < MAX_DEEPEN_ROUNDS {
            let why = match &problem {
                Problem::Missing => {
                    format!("{} ({origin}) is not in this shallow clone", short(commit))
                }
                Problem::Cut(cut) => format!("the shallow clone cuts the range: {cut}"),
            };
            repo = deepening.step(repo, &request.remote, &why)?;
            continue;
        }
        return match problem {
            Problem::Missing if request.ignore_missing => {
                warnings.add(format!(
                    "{} --ignore-missing: this release starts as a first release would, with the newest {} commits (--initial-depth)",
                    missing_start_message(&repo, commit, origin, request, deepening.rounds > 0),
                    request.initial_depth
                ));
                Ok((repo, Start::Initial))
            }
            Problem::Missing => Err(ReleaseError::Usage(format!(
                "{}; or pass --ignore-missing to start as a first release",
                missing_start_message(&repo, commit, origin, request, deepening.rounds > 0)
            ))),
            Problem::Cut(cut) => Err(ReleaseError::Usage(cut_message(
                &cut,
                origin,
                request.deepen && deepening.rounds > 0,
            ))),
        };
    }
}

/// What stands between the clone and a whole range.
enum Problem {
    /// The start commit is not in the history.
    Missing,
    /// The shallow clone's cut may make the range wrong.
    Cut(RangeCut),
}

/// `--deepen` rounds: each fetches twice as many commits as the one before.
struct Deepening {
    rounds: u32,
    step: usize,
}

impl Default for Deepening {
    fn default() -> Self {
        Self {
            rounds: 0,
            step: FIRST_DEEPEN,
        }
    }
}

impl Deepening {
    /// Fetches the next round of history and returns the repository read afresh.
    fn step(&mut self, repo: GitRepo, remote: &str, why: &str) -> Result<GitRepo, ReleaseError> {
        eprintln!(
            "{why}: fetching {} more commits (git fetch --deepen={} {remote})",
            self.step, self.step
        );
        repo.deepen(remote, self.step)?;
        self.rounds += 1;
        self.step *= 2;
        Ok(repo.reopen()?)
    }
}

/// How to get the whole history, in the words of each CI.
const FULL_HISTORY_ADVICE: &str = "Fetch the full history: `fetch-depth: 0` for actions/checkout (GitHub), `GIT_DEPTH: 0` in GitLab CI, or `git fetch --unshallow`; or pass --deepen to fetch history in steps until the range is whole";

fn cut_message(cut: &RangeCut, origin: &str, deepened: bool) -> String {
    let tried = if deepened {
        " --deepen fetched about 100,000 more commits and the range is still cut."
    } else {
        ""
    };
    format!(
        "the commits since {origin} cannot be read exactly from this shallow clone: {cut}. Nothing was sent, as the commit list could be wrong.{tried} {FULL_HISTORY_ADVICE}"
    )
}

fn missing_start_message(
    repo: &GitRepo,
    commit: &str,
    origin: &str,
    request: &CreateRequest,
    deepened: bool,
) -> String {
    let what = format!("commit {commit} ({origin}) is not in the local git history");
    let shallow = repo.is_shallow();
    let single_branch = repo.is_single_branch(&request.remote);
    let other_branch = format!(
        "this clone fetched only some branches of {remote} (a single-branch checkout, as CI makes), so the commit may be on a branch it never fetched: fetch that branch (`git fetch {remote} BRANCH`) or all of them (`git fetch {remote} '+refs/heads/*:refs/remotes/{remote}/*'`)",
        remote = request.remote
    );
    if shallow {
        let tried = if deepened {
            " --deepen fetched about 100,000 more commits without finding it."
        } else {
            ""
        };
        let branch = if single_branch {
            format!(" If it is not on this branch, {other_branch}.")
        } else {
            String::new()
        };
        return format!("{what}: this is a shallow clone.{tried}{branch} {FULL_HISTORY_ADVICE}");
    }
    if single_branch {
        return format!(
            "{what}, although the history is complete: {other_branch}. Or pass --from REF to set where this release starts"
        );
    }
    let fetched = if deepened {
        ", even with the full history fetched"
    } else {
        ""
    };
    format!(
        "{what}{fetched}: it was rebased or squashed away, or belongs to another repository. Pass --from REF to set where this release starts"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_messages_say_nothing_was_sent_and_how_to_fix_it() {
        let cut = RangeCut::BoundaryInRange {
            commit: "abc".into(),
        };
        let message = cut_message(&cut, "--from v1", false);
        for part in [
            "abc",
            "--from v1",
            "Nothing was sent",
            "fetch-depth: 0",
            "GIT_DEPTH: 0",
            "--deepen",
        ] {
            assert!(message.contains(part), "{part}: {message}");
        }
    }
}
