//! Shallow clones: whether the cut leaves a range whole, and fetching more history with
//! `git fetch` (libgit2 is built without network support, so fetching runs the `git` program).
//!
//! A walk `start..head` in a shallow clone can be wrong two ways. It misses commits when it reaches
//! a commit whose parents were cut off (the walk takes it for a root). And it sends extra commits
//! when the cut is in `start`'s own history: a commit of an old side branch that `head` reaches
//! through a merge, but `start` reaches only through the missing part, is not hidden, although an
//! earlier release has it. [`GitRepo::range_cut`] finds both.

use super::{Context, GitError, GitRepo, oid};
use git2::{Oid, Sort};
use std::collections::HashSet;
use std::process::Command;

/// A commit is taken to be no more than this much newer than its own descendants (committer
/// dates; generous for clock skew between machines).
const CLOCK_SKEW_SECONDS: i64 = 24 * 3600;

/// Why a range read from a shallow clone may be wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeCut {
    /// The walk reaches a commit whose parents the clone does not have.
    BoundaryInRange {
        /// That commit.
        commit: String,
    },
    /// `start`'s history is cut at `boundary`, and the range holds `side`, a commit of a merged
    /// branch that is not newer than the cut, so it may be an ancestor of `start` after all.
    StartHistoryCut {
        /// The newest cut commit in `start`'s history.
        boundary: String,
        /// The range's commit that may belong to an earlier release.
        side: String,
    },
}

impl std::fmt::Display for RangeCut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::BoundaryInRange { commit } => write!(
                f,
                "the range reaches commit {commit}, where the shallow clone is cut: its parents, and the commits of the range behind them, are missing"
            ),
            Self::StartHistoryCut { boundary, side } => write!(
                f,
                "the start's own history is cut at commit {boundary}, and the range holds {side}, a commit of a merged branch no newer than that cut: it may be in an earlier release, but the clone cannot tell"
            ),
        }
    }
}

impl GitRepo {
    /// Whether the shallow clone's cut may make the walk `start..head` wrong; `None` when the
    /// range is whole (always so in a full clone).
    pub fn range_cut(&self, head: &str, start: &str) -> Result<Option<RangeCut>, GitError> {
        let boundary = self.shallow_boundary();
        if boundary.is_empty() {
            return Ok(None);
        }
        let repo = self.raw();
        let start = oid(start)?;
        let walking = || "checking the range against the shallow clone's cut".to_owned();
        let mut walk = repo.revwalk().context(walking)?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
            .context(walking)?;
        walk.push(oid(head)?).context(walking)?;
        walk.hide(start).context(walking)?;
        // Oldest first, so a commit's parents in the range are seen before it.
        let mut descends_from_start: HashSet<Oid> = HashSet::new();
        let mut side: Vec<(Oid, i64)> = Vec::new();
        for id in walk {
            let id = id.context(walking)?;
            if boundary.contains(&id) {
                return Ok(Some(RangeCut::BoundaryInRange {
                    commit: id.to_string(),
                }));
            }
            let commit = repo.find_commit(id).context(walking)?;
            let descends = commit
                .parent_ids()
                .any(|p| p == start || descends_from_start.contains(&p));
            if descends {
                descends_from_start.insert(id);
            } else {
                side.push((id, commit.committer().when().seconds()));
            }
        }
        // A descendant of start cannot be its ancestor: only side commits can be extras.
        if side.is_empty() {
            return Ok(None);
        }
        let Some((cut, cut_time)) = self.newest_cut_below(start, &boundary)? else {
            return Ok(None);
        };
        Ok(side
            .iter()
            .find(|(_, time)| *time <= cut_time + CLOCK_SKEW_SECONDS)
            .map(|(side, _)| RangeCut::StartHistoryCut {
                boundary: cut.to_string(),
                side: side.to_string(),
            }))
    }

    /// The newest (by committer date) cut commit in the history of `start`.
    fn newest_cut_below(
        &self,
        start: Oid,
        boundary: &HashSet<Oid>,
    ) -> Result<Option<(Oid, i64)>, GitError> {
        let repo = self.raw();
        let walking = || format!("reading the history of {start}");
        let mut walk = repo.revwalk().context(walking)?;
        walk.push(start).context(walking)?;
        let mut newest: Option<(Oid, i64)> = None;
        for id in walk {
            let id = id.context(walking)?;
            if !boundary.contains(&id) {
                continue;
            }
            let time = repo
                .find_commit(id)
                .context(walking)?
                .committer()
                .when()
                .seconds();
            if newest.is_none_or(|(_, t)| time > t) {
                newest = Some((id, time));
            }
        }
        Ok(newest)
    }

    /// Whether the `origin`-style remote fetches only some branches (a single-branch clone, as CI
    /// checkouts make): then a commit of another branch is missing although nothing was rewritten.
    pub fn is_single_branch(&self, remote: &str) -> bool {
        let Ok(remote) = self.raw().find_remote(remote) else {
            return false;
        };
        let Ok(specs) = remote.fetch_refspecs() else {
            return false;
        };
        !specs
            .iter()
            .any(|spec| matches!(spec, Ok(Some(spec)) if spec.contains("refs/heads/*")))
    }

    /// Fetches one tag the clone lacks (`git fetch --depth=1 REMOTE tag NAME`); later
    /// `--deepen` rounds join its history to HEAD's.
    pub fn fetch_tag(&self, remote: &str, tag: &str) -> Result<(), GitError> {
        if tag.starts_with('-') || tag.contains("..") || tag.contains(char::is_whitespace) {
            return Err(GitError::Command(format!("{tag:?} is not a tag name")));
        }
        let refspec = format!("+refs/tags/{tag}:refs/tags/{tag}");
        let args = ["--depth=1".to_owned(), refspec];
        self.fetch(remote, &args)
    }

    /// Runs `git fetch --deepen=COMMITS REMOTE` in this repository.
    pub fn deepen(&self, remote: &str, commits: usize) -> Result<(), GitError> {
        self.fetch(remote, &[format!("--deepen={commits}")])
    }

    /// Runs `git fetch --quiet --no-tags OPTIONS REMOTE [REFSPEC]` in this repository.
    fn fetch(&self, remote: &str, args: &[String]) -> Result<(), GitError> {
        if remote.starts_with('-') {
            return Err(GitError::Command(format!(
                "the remote name {remote:?} cannot start with '-'"
            )));
        }
        let (options, refspecs): (Vec<&String>, Vec<&String>) =
            args.iter().partition(|a| a.starts_with("--"));
        let shown = args.join(" ");
        let output = Command::new("git")
            .arg("-C")
            .arg(self.work_dir())
            .args(["fetch", "--quiet", "--no-tags"])
            .args(options)
            .arg(remote)
            .args(refspecs)
            .output()
            .map_err(|e| {
                GitError::Command(format!(
                    "--deepen needs the git program, which could not be run ({e}); install git, or fetch the full history in the checkout step"
                ))
            })?;
        if output.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(GitError::Command(format!(
            "git fetch {shown} {remote} failed: {}",
            without_credentials(stderr.trim())
        )))
    }
}

/// Removes `user:password@` from any URL in a message from git.
fn without_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        let authority_end = after
            .find(['/', ' ', '\n', '\'', '"'])
            .unwrap_or(after.len());
        match after[..authority_end].rfind('@') {
            Some(credentials_end) => rest = &after[credentials_end + 1..],
            None => rest = after,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_reach_messages() {
        assert_eq!(
            without_credentials(
                "fatal: unable to access 'https://gitlab-ci-token:s3cret@gitlab.com/g/r.git/': 403"
            ),
            "fatal: unable to access 'https://gitlab.com/g/r.git/': 403"
        );
        assert_eq!(
            without_credentials("no url here; ssh://git@host/x and https://h/y"),
            "no url here; ssh://host/x and https://h/y"
        );
    }
}
