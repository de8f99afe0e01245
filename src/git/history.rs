//! The commits of a release: an exact `previous..HEAD` walk, read in parallel with their patch sets.

use super::patchset::{FileChange, PathFilter, TreeSource};
use super::{Context, GitError, GitRepo, oid};
use git2::{Commit, Oid, Repository, Revwalk, Sort};
use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Fewer commits than this are read on one thread: starting threads would cost more.
const PARALLEL_THRESHOLD: usize = 256;

/// One commit as a release carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitRecord {
    /// Full sha.
    pub id: String,
    /// Full message, trailing whitespace removed.
    pub message: String,
    /// Author name.
    pub author_name: String,
    /// Author e-mail.
    pub author_email: String,
    /// Author date with the author's UTC offset, RFC 3339.
    pub timestamp: String,
    /// Files changed against the parent; `None` for merges and for commits at a shallow boundary.
    pub changes: Option<Vec<FileChange>>,
}

/// Commits reachable from a head, newest first (topological, then by time).
pub struct Walk<'r> {
    revwalk: Revwalk<'r>,
}

impl Iterator for Walk<'_> {
    type Item = Result<String, GitError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.revwalk.next().map(|step| {
            step.map(|id| id.to_string())
                .context(|| "walking history".into())
        })
    }
}

impl GitRepo {
    /// Walks every commit reachable from `head` and not from `hidden` (`git rev-list hidden..head`).
    pub fn walk(&self, head: &str, hidden: Option<&str>) -> Result<Walk<'_>, GitError> {
        let mut revwalk = self.raw().revwalk().context(|| "walking history".into())?;
        revwalk
            .set_sorting(Sort::TOPOLOGICAL | Sort::TIME)
            .context(|| "walking history".into())?;
        revwalk
            .push(oid(head)?)
            .context(|| format!("walking history from {head}"))?;
        if let Some(hidden) = hidden {
            revwalk
                .hide(oid(hidden)?)
                .context(|| format!("walking history down to {hidden}"))?;
        }
        Ok(Walk { revwalk })
    }

    /// Reads commits with their patch sets, keeping those `filter` selects, in the given order.
    ///
    /// `on_progress` is called with the number of commits read so far (from several threads).
    pub fn read_commits(
        &self,
        ids: &[String],
        filter: &PathFilter,
        on_progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<CommitRecord>, GitError> {
        let reader = Reader {
            boundary: self.shallow_boundary(),
            filter,
            done: AtomicUsize::new(0),
            on_progress,
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        if ids.len() < PARALLEL_THRESHOLD || threads == 1 {
            return reader.read_all(self.raw(), ids);
        }
        let chunk = ids.len().div_ceil(threads);
        let git_dir = self.git_dir();
        let parts: Vec<Result<Vec<CommitRecord>, GitError>> = std::thread::scope(|scope| {
            let workers: Vec<_> = ids
                .chunks(chunk)
                .map(|part| {
                    let reader = &reader;
                    // A git2 Repository is not Sync: each thread opens its own.
                    scope.spawn(move || reader.read_all(&open_again(git_dir)?, part))
                })
                .collect();
            workers
                .into_iter()
                .map(|worker| worker.join().expect("a commit reader thread panicked"))
                .collect()
        });
        let mut records = Vec::new();
        for part in parts {
            records.extend(part?);
        }
        Ok(records)
    }
}

fn open_again(git_dir: &Path) -> Result<Repository, GitError> {
    Repository::open(git_dir).context(|| format!("opening {}", git_dir.display()))
}

struct Reader<'a> {
    boundary: HashSet<Oid>,
    filter: &'a PathFilter,
    done: AtomicUsize,
    on_progress: &'a (dyn Fn(usize) + Sync),
}

impl Reader<'_> {
    fn read_all(&self, repo: &Repository, ids: &[String]) -> Result<Vec<CommitRecord>, GitError> {
        let odb = repo
            .odb()
            .context(|| "opening the object database".into())?;
        let mut trees = TreeSource::new(&odb);
        let mut records = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(record) = self.read_one(repo, &mut trees, oid(id)?)? {
                records.push(record);
            }
            let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
            (self.on_progress)(done);
        }
        Ok(records)
    }

    /// Reads one commit; `None` when the path filter leaves it out.
    fn read_one(
        &self,
        repo: &Repository,
        trees: &mut TreeSource<'_>,
        id: Oid,
    ) -> Result<Option<CommitRecord>, GitError> {
        let commit = repo
            .find_commit(id)
            .context(|| format!("reading commit {id}"))?;
        let is_merge = commit.parent_count() > 1;
        let at_boundary = commit.parent_count() == 0 && self.boundary.contains(&id);
        let reports_changes = !is_merge && !at_boundary;
        if !reports_changes && self.filter.is_empty() {
            return Ok(Some(record(&commit, None)));
        }
        let parent_tree = match commit.parent_count() {
            0 => None,
            _ => Some(
                commit
                    .parent(0)
                    .context(|| format!("reading the parent of {id}"))?
                    .tree_id(),
            ),
        };
        let changes = trees.diff(parent_tree, Some(commit.tree_id()), self.filter)?;
        if !self.filter.is_empty() && changes.is_empty() {
            return Ok(None);
        }
        Ok(Some(record(&commit, reports_changes.then_some(changes))))
    }
}

fn record(commit: &Commit<'_>, changes: Option<Vec<FileChange>>) -> CommitRecord {
    let author = commit.author();
    CommitRecord {
        id: commit.id().to_string(),
        message: String::from_utf8_lossy(commit.message_bytes())
            .trim_end()
            .to_owned(),
        author_name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        author_email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
        timestamp: rfc3339(author.when()),
        changes,
    }
}

fn rfc3339(when: git2::Time) -> String {
    let offset = chrono::FixedOffset::east_opt(when.offset_minutes() * 60)
        .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero offset"));
    chrono::DateTime::from_timestamp(when.seconds(), 0)
        .unwrap_or_default()
        .with_timezone(&offset)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
