//! The commits of the range, read from git: the path filter, the walk, and the warnings about
//! what was left out.

use super::request::{CreateRequest, Warnings};
use super::start::{Start, ensure_whole_range};
use crate::git::GitRepo;
use crate::git::history::CommitRecord;
use crate::git::patchset::PathFilter;
use crate::release::error::ReleaseError;
use crate::release::limits::short;
use crate::release::progress::Spinner;

/// With `--path`, commits are read in batches at least this big until enough are kept.
const FILTERED_BATCH: usize = 1024;

/// The commits selected for the release.
pub(super) struct History {
    /// HEAD's sha.
    pub head: String,
    /// Newest first.
    pub commits: Vec<CommitRecord>,
    /// Commits of the range looked at (before the path filter).
    pub examined: usize,
}

/// `--path` values are relative to where the command runs inside the work tree, like git's
/// (written with `/` or `\`, on every system).
pub(super) fn path_filter(repo: &GitRepo, paths: &[String]) -> Result<PathFilter, ReleaseError> {
    let base = repo.subdirectory();
    let mut resolved = Vec::new();
    for path in paths {
        if path.starts_with('/') {
            return Err(ReleaseError::Usage(format!(
                "--path {path:?}: give a path relative to the repository, not an absolute one"
            )));
        }
        let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
        for part in path.split(['/', '\\']) {
            match part {
                "" | "." => {}
                ".." => {
                    if parts.pop().is_none() {
                        return Err(ReleaseError::Usage(format!(
                            "--path {path:?} leads outside the repository"
                        )));
                    }
                }
                name => parts.push(name),
            }
        }
        resolved.push(parts.join("/"));
    }
    Ok(PathFilter::new(&resolved))
}

/// Makes the range whole (fetching more history if allowed, or changing the start with
/// `--ignore-missing`), then reads it.
pub(super) fn read_history(
    repo: GitRepo,
    start: Start,
    filter: &PathFilter,
    request: &CreateRequest,
    warnings: &mut Warnings,
) -> Result<(GitRepo, Start, History), ReleaseError> {
    let (repo, start) = ensure_whole_range(repo, start, request, warnings)?;
    let start = &start;
    let head = repo.head()?;
    let spinner = Spinner::new("reading git history");
    let selected = select_commits(&repo, &head, start, filter, request, &spinner);
    spinner.finish();
    let Selection {
        commits,
        left_out,
        reaches_start,
        examined,
    } = selected?;
    if let Start::Initial = start
        && examined < request.initial_depth.min(request.max_commits)
        && repo.is_shallow()
    {
        warnings.add(format!(
            "this shallow clone holds only {examined} commits up to its cut, fewer than the {} --initial-depth asks for: the release gets those. Fetch more history (`fetch-depth: 0` for actions/checkout, `GIT_DEPTH: 0` in GitLab CI) to send more",
            request.initial_depth
        ));
    }
    if let Some(previous) = start.commit()
        && previous != head
        && !reaches_start
        && (left_out == 0 || !repo.is_ancestor(previous, &head)?)
    {
        warnings.add(format!(
            "{} is not an ancestor of HEAD (rewritten history?): the release gets every commit reachable from HEAD and not from it",
            short(previous)
        ));
    }
    if left_out > 0 {
        let kept = commits.len();
        warnings.add(if filter.is_empty() {
            format!("the range has {} commits: only the newest {kept} are sent ({left_out} left out); raise --max-commits to send more", kept + left_out)
        } else {
            format!("only the newest {kept} commits touching --path are sent; {left_out} older commits of the range were left out or not examined; raise --max-commits to send more")
        });
    }
    Ok((
        repo,
        start.clone(),
        History {
            head,
            commits,
            examined,
        },
    ))
}

/// The commits kept for the release.
struct Selection {
    /// Newest first.
    commits: Vec<CommitRecord>,
    /// Commits of the range not sent (over `--max-commits`).
    left_out: usize,
    /// A commit read is a child of the start commit, so the start is an ancestor of HEAD.
    reaches_start: bool,
    /// Commits of the range walked.
    examined: usize,
}

/// Reads commits in walk order until enough are kept.
fn select_commits(
    repo: &GitRepo,
    head: &str,
    start: &Start,
    filter: &PathFilter,
    request: &CreateRequest,
    spinner: &Spinner,
) -> Result<Selection, ReleaseError> {
    let wanted = match start {
        Start::After { .. } => request.max_commits,
        Start::Initial => request.initial_depth.min(request.max_commits),
    };
    let mut walk = repo.walk(head, start.commit())?;
    let mut kept: Vec<CommitRecord> = Vec::new();
    let mut reaches_start = false;
    let mut read = 0;
    while kept.len() < wanted {
        let missing = wanted - kept.len();
        let batch = if filter.is_empty() {
            missing
        } else {
            missing.max(FILTERED_BATCH)
        };
        let ids = walk.by_ref().take(batch).collect::<Result<Vec<_>, _>>()?;
        if ids.is_empty() {
            break;
        }
        let offset = read;
        let batch = repo.read_commits(&ids, filter, start.commit(), &|done| {
            spinner.update(offset + done)
        })?;
        kept.extend(batch.records);
        reaches_start |= batch.reaches_start;
        read += ids.len();
    }
    let mut left_out = kept.len().saturating_sub(wanted);
    kept.truncate(wanted);
    if let Start::After { .. } = start {
        for id in walk {
            id?;
            left_out += 1;
            read += 1;
            spinner.update(read);
        }
    }
    Ok(Selection {
        commits: kept,
        left_out,
        reaches_start,
        examined: read,
    })
}
