//! The commits of a release: an exact `previous..HEAD` walk, each commit read with its patch set.

use super::patchset::{FileChange, PathFilter, TreeSource};
use super::{Context, GitError, GitRepo, oid};
use git2::{Commit, Oid, Repository, Revwalk, Sort};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

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

    /// Reads commits with their patch sets, keeping those `filter` selects, in the given order,
    /// and notes whether one of them is a child of `start` (which proves `start` an ancestor).
    ///
    /// Long lists are split into contiguous runs read on one thread per core, each with its own
    /// handle on the repository (a `Repository` cannot be shared between threads).
    pub fn read_commits(
        &self,
        ids: &[String],
        filter: &PathFilter,
        start: Option<&str>,
        on_progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Batch, GitError> {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let threads = reading_threads(cores, ids.len());
        self.read_commits_on(threads, ids, filter, start, on_progress)
    }

    /// [`GitRepo::read_commits`] on `threads` threads.
    fn read_commits_on(
        &self,
        threads: usize,
        ids: &[String],
        filter: &PathFilter,
        start: Option<&str>,
        on_progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Batch, GitError> {
        let job = ReadJob {
            git_dir: self.raw().path(),
            boundary: self.shallow_boundary(),
            filter,
            start: start.map(oid).transpose()?,
            done: AtomicUsize::new(0),
            on_progress,
        };
        // Oldest first: a parent is then usually read before its children, and its tree known.
        let oldest_first: Vec<&String> = ids.iter().rev().collect();
        let runs: Vec<&[&String]> = oldest_first
            .chunks(ids.len().div_ceil(threads).max(1))
            .collect();
        let results = std::thread::scope(|scope| {
            let readers: Vec<_> = runs
                .iter()
                .map(|run| scope.spawn(|| job.read_run(run)))
                .collect();
            readers
                .into_iter()
                .map(|reader| {
                    reader
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect::<Vec<_>>()
        });
        let mut batch = Batch {
            records: Vec::with_capacity(ids.len()),
            reaches_start: false,
        };
        for result in results {
            let (records, reaches_start) = result?;
            batch.records.extend(records);
            batch.reaches_start |= reaches_start;
        }
        batch.records.reverse();
        Ok(batch)
    }
}

/// Below this many commits per thread, starting threads costs more than it saves.
const MIN_COMMITS_PER_THREAD: usize = 2000;

/// Threads to read `commits` commits on `cores` cores: one per core, each with enough to do.
fn reading_threads(cores: usize, commits: usize) -> usize {
    cores.min(commits / MIN_COMMITS_PER_THREAD).max(1)
}

/// What every reading thread shares.
struct ReadJob<'a> {
    git_dir: &'a std::path::Path,
    boundary: HashSet<Oid>,
    filter: &'a PathFilter,
    start: Option<Oid>,
    done: AtomicUsize,
    on_progress: &'a (dyn Fn(usize) + Sync),
}

impl ReadJob<'_> {
    /// Reads a run of commits, oldest first, on its own repository handle.
    fn read_run(&self, run: &[&String]) -> Result<(Vec<CommitRecord>, bool), GitError> {
        let repo = Repository::open(self.git_dir)
            .context(|| format!("opening {}", self.git_dir.display()))?;
        let odb = repo
            .odb()
            .context(|| "opening the object database".into())?;
        let mut reader = Reader {
            repo: &repo,
            boundary: &self.boundary,
            filter: self.filter,
            start: self.start,
            reaches_start: false,
            trees: TreeSource::new(&odb),
            tree_of: HashMap::with_capacity(run.len()),
        };
        let mut records = Vec::with_capacity(run.len());
        for id in run {
            if let Some(record) = reader.read_one(oid(id)?)? {
                records.push(record);
            }
            (self.on_progress)(self.done.fetch_add(1, Ordering::Relaxed) + 1);
        }
        Ok((records, reader.reaches_start))
    }
}

/// Commits read together.
pub struct Batch {
    /// The commits kept, in the order asked for.
    pub records: Vec<CommitRecord>,
    /// Whether one of the commits read has the start commit as a parent.
    pub reaches_start: bool,
}

struct Reader<'a> {
    repo: &'a Repository,
    boundary: &'a HashSet<Oid>,
    filter: &'a PathFilter,
    start: Option<Oid>,
    reaches_start: bool,
    trees: TreeSource<'a>,
    /// The tree of every commit read so far.
    tree_of: HashMap<Oid, Oid>,
}

impl Reader<'_> {
    /// Reads one commit; `None` when the path filter leaves it out.
    fn read_one(&mut self, id: Oid) -> Result<Option<CommitRecord>, GitError> {
        let commit = self
            .repo
            .find_commit(id)
            .context(|| format!("reading commit {id}"))?;
        self.tree_of.insert(id, commit.tree_id());
        if let Some(start) = self.start {
            self.reaches_start |= commit.parent_ids().any(|p| p == start);
        }
        let is_merge = commit.parent_count() > 1;
        let at_boundary = commit.parent_count() == 0 && self.boundary.contains(&id);
        let reports_changes = !is_merge && !at_boundary;
        if !reports_changes && self.filter.is_empty() {
            return Ok(Some(record(&commit, None)));
        }
        let parent_tree = match commit.parent_id(0) {
            Err(_) => None,
            Ok(parent) => Some(match self.tree_of.get(&parent) {
                Some(tree) => *tree,
                None => self
                    .repo
                    .find_commit(parent)
                    .context(|| format!("reading the parent of {id}"))?
                    .tree_id(),
            }),
        };
        let changes = self
            .trees
            .diff(parent_tree, Some(commit.tree_id()), self.filter)?;
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

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn one_thread_per_core_only_with_enough_commits_for_each() {
        assert_eq!(reading_threads(8, 0), 1);
        assert_eq!(reading_threads(8, MIN_COMMITS_PER_THREAD - 1), 1);
        assert_eq!(reading_threads(8, 2 * MIN_COMMITS_PER_THREAD - 1), 1);
        assert_eq!(reading_threads(8, 2 * MIN_COMMITS_PER_THREAD), 2);
        assert_eq!(reading_threads(2, 100 * MIN_COMMITS_PER_THREAD), 2);
        assert_eq!(reading_threads(1, 100 * MIN_COMMITS_PER_THREAD), 1);
    }

    /// A repository of `count` commits in a line, each adding its own file; newest first.
    fn linear_history(count: usize) -> (Fixture, GitRepo, Vec<String>) {
        let fixture = Fixture::new();
        let mut ids: Vec<String> = (0..count)
            .map(|n| {
                let name = format!("file{n}.txt");
                let content = format!("change {n}\n");
                let when = (1_700_000_000 + n as i64, 60);
                let id =
                    fixture.commit(&format!("commit {n}\n\n"), when, &[(&name, Some(&content))]);
                id.to_string()
            })
            .collect();
        ids.reverse();
        let git = GitRepo::open(fixture.path()).unwrap();
        (fixture, git, ids)
    }

    fn read_with(
        git: &GitRepo,
        threads: usize,
        ids: &[String],
        filter: &PathFilter,
        start: Option<&str>,
    ) -> (Batch, Vec<usize>) {
        let seen = Mutex::new(Vec::new());
        let batch = git
            .read_commits_on(threads, ids, filter, start, &|done| {
                seen.lock().unwrap().push(done)
            })
            .unwrap();
        let mut seen = seen.into_inner().unwrap();
        seen.sort_unstable();
        (batch, seen)
    }

    fn read_on(
        git: &GitRepo,
        threads: usize,
        ids: &[String],
        start: Option<&str>,
    ) -> (Batch, Vec<usize>) {
        read_with(git, threads, ids, &PathFilter::default(), start)
    }

    fn changed(record: &CommitRecord) -> Vec<String> {
        let changes = record.changes.as_ref().expect("a patch set");
        changes
            .iter()
            .map(|c| format!("{} {}", c.kind.letter(), c.path))
            .collect()
    }

    fn patch_set_sizes(batch: &Batch) -> Vec<Option<usize>> {
        batch
            .records
            .iter()
            .map(|r| r.changes.as_ref().map(Vec::len))
            .collect()
    }

    #[test]
    fn any_split_between_threads_reads_the_same_commits_in_the_same_order() {
        let (_fixture, git, all) = linear_history(8);
        // The oldest commit is the start: the seven after it are the release's.
        let (start, ids) = (all[7].as_str(), &all[..7]);
        let (alone, progress) = read_on(&git, 1, ids, Some(start));
        assert_eq!(progress, (1..=7).collect::<Vec<_>>(), "one tick per commit");
        let read: Vec<&str> = alone.records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(read, ids, "newest first, as asked");
        assert!(alone.reaches_start);
        assert_eq!(alone.records[6].message, "commit 1");
        assert_eq!(alone.records[0].message, "commit 7");
        assert_eq!(changed(&alone.records[0]), ["A file7.txt"]);
        // 2 and 3 threads split 7 commits unevenly (4+3, 3+3+1); 7 and 9 give one each or fewer.
        for threads in [2, 3, 7, 9] {
            let (split, progress) = read_on(&git, threads, ids, Some(start));
            assert_eq!(split.records, alone.records, "{threads} threads");
            assert!(split.reaches_start, "{threads} threads");
            assert_eq!(progress, (1..=7).collect::<Vec<_>>(), "{threads} threads");
        }
    }

    #[test]
    fn the_start_is_reached_only_through_a_child_of_it() {
        let (_fixture, git, all) = linear_history(4);
        for threads in [1, 2] {
            // Commits 3 and 2 do not have commit 0 as a parent.
            let (batch, _) = read_on(&git, threads, &all[..2], Some(all[3].as_str()));
            assert!(!batch.reaches_start, "{threads} threads");
            let (batch, _) = read_on(&git, threads, &all[..3], Some(all[3].as_str()));
            assert!(batch.reaches_start, "{threads} threads");
            let (batch, _) = read_on(&git, threads, &all[..3], None);
            assert!(
                !batch.reaches_start,
                "{threads} threads: no start, nothing reached"
            );
        }
    }

    #[test]
    fn a_record_carries_the_author_and_the_date_in_the_authors_offset() {
        let fixture = Fixture::new();
        // 2023-11-14T22:13:20Z, written at +05:30.
        let id = fixture.commit(
            "Fix the price\n\nBody.\n",
            (1_700_000_000, 330),
            &[("a", Some("1"))],
        );
        let git = GitRepo::open(fixture.path()).unwrap();
        let (batch, _) = read_on(&git, 1, &[id.to_string()], None);
        let record = &batch.records[0];
        assert_eq!(record.timestamp, "2023-11-15T03:43:20+05:30");
        assert_eq!(record.message, "Fix the price\n\nBody.");
        assert_eq!(
            (record.author_name.as_str(), record.author_email.as_str()),
            ("Ada", "ada@example.com")
        );
        assert_eq!(changed(record), ["A a"], "a root commit adds its files");
    }

    #[test]
    fn merges_and_shallow_boundaries_have_no_patch_set_but_empty_commits_do() {
        let fixture = Fixture::new();
        let base = fixture.commit("base", (100, 0), &[("a", Some("1"))]);
        let side = fixture.commit("side", (200, 0), &[("b", Some("2"))]);
        fixture.reset_to(base);
        let main = fixture.commit("main", (300, 0), &[("c", Some("3"))]);
        let merge = fixture.merge("merge", 400, &[main, side]);
        let empty = fixture.commit("empty", (500, 0), &[]);
        let git = GitRepo::open(fixture.path()).unwrap();
        let ids: Vec<String> = [empty, merge, main, side, base]
            .iter()
            .map(Oid::to_string)
            .collect();
        let (batch, _) = read_on(&git, 1, &ids, None);
        assert_eq!(
            patch_set_sizes(&batch),
            [Some(0), None, Some(1), Some(1), Some(1)]
        );

        // A shallow clone's boundary commit has no parent to compare with.
        std::fs::write(fixture.path().join(".git/shallow"), format!("{main}\n")).unwrap();
        let git = GitRepo::open(fixture.path()).unwrap();
        let (batch, _) = read_on(&git, 1, &[main.to_string(), base.to_string()], None);
        assert_eq!(
            patch_set_sizes(&batch),
            [None, Some(1)],
            "the boundary, then a real root"
        );
    }

    #[test]
    fn a_path_filter_keeps_only_the_commits_that_touch_it() {
        let fixture = Fixture::new();
        let web = fixture.commit("web", (100, 0), &[("web/app.js", Some("1"))]);
        let api = fixture.commit("api", (200, 0), &[("api/main.rs", Some("2"))]);
        let both = fixture.commit(
            "both",
            (300, 0),
            &[("web/app.js", Some("3")), ("api/main.rs", Some("4"))],
        );
        let git = GitRepo::open(fixture.path()).unwrap();
        let ids: Vec<String> = [both, api, web].iter().map(Oid::to_string).collect();
        let (batch, _) = read_with(&git, 1, &ids, &PathFilter::new(&["web"]), None);
        let kept: Vec<&str> = batch.records.iter().map(|r| r.message.as_str()).collect();
        assert_eq!(kept, ["both", "web"]);
        assert_eq!(changed(&batch.records[0]), ["M web/app.js"]);
    }

    #[test]
    fn the_walk_never_shows_a_parent_before_its_children() {
        let fixture = Fixture::new();
        // A clock-skewed branch: its commit is older than its own parent.
        let base = fixture.commit("base", (1_000, 0), &[("a", Some("1"))]);
        let skewed = fixture.commit("skewed", (500, 0), &[("b", Some("2"))]);
        fixture.reset_to(base);
        let later = fixture.commit("later", (2_000, 0), &[("c", Some("3"))]);
        let merge = fixture.merge("merge", 3_000, &[later, skewed]);
        let git = GitRepo::open(fixture.path()).unwrap();
        let walk = |hidden: Option<Oid>| -> Vec<String> {
            let hidden = hidden.map(|id| id.to_string());
            git.walk(&merge.to_string(), hidden.as_deref())
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let walked = walk(None);
        let position = |id: Oid| walked.iter().position(|w| *w == id.to_string()).unwrap();
        assert_eq!(walked.len(), 4);
        assert_eq!(position(merge), 0);
        assert!(position(skewed) < position(base), "{walked:?}");
        assert!(position(later) < position(base), "{walked:?}");
        assert_eq!(walk(Some(later)), [merge.to_string(), skewed.to_string()]);
    }
}
