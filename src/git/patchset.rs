//! Which files a commit changed: a tree-to-tree comparison by object id.
//!
//! Subtrees with equal ids are skipped without being read, blobs are never loaded, and there is no
//! rename detection (a rename is a delete plus an add), which is what `git diff-tree -r --no-renames`
//! reports and what Sentry's `patch_set` takes.

use super::{Context, GitError};
use git2::{Oid, Repository, Tree, TreeEntry};
use std::cmp::Ordering;

const TREE_MODE: i32 = 0o040000;

/// How a file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Added.
    Added,
    /// Modified (content, mode, or type).
    Modified,
    /// Deleted.
    Deleted,
}

impl ChangeKind {
    /// The letter Sentry and `git --name-status` use: A, M or D.
    pub fn letter(self) -> &'static str {
        match self {
            Self::Added => "A",
            Self::Modified => "M",
            Self::Deleted => "D",
        }
    }
}

/// One changed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// Path from the repository root, with `/`.
    pub path: String,
    /// What happened to it.
    pub kind: ChangeKind,
}

/// The paths a monorepo release is limited to (empty: everything).
#[derive(Debug, Clone, Default)]
pub struct PathFilter {
    prefixes: Vec<Vec<u8>>,
}

impl PathFilter {
    /// Builds a filter from repository-relative paths (`./`, duplicate and trailing `/` are tidied).
    pub fn new<S: AsRef<str>>(paths: &[S]) -> Self {
        let mut prefixes: Vec<Vec<u8>> = Vec::new();
        for path in paths {
            let tidy: Vec<&str> = path
                .as_ref()
                .split('/')
                .filter(|part| !part.is_empty() && *part != ".")
                .collect();
            let tidy = tidy.join("/").into_bytes();
            if !prefixes.contains(&tidy) {
                prefixes.push(tidy);
            }
        }
        // The repository root itself keeps everything.
        if prefixes.iter().any(Vec::is_empty) {
            prefixes.clear();
        }
        Self { prefixes }
    }

    /// Whether the filter keeps everything.
    pub fn is_empty(&self) -> bool {
        self.prefixes.is_empty()
    }

    /// Whether a file at `path` is kept.
    fn keeps_file(&self, path: &[u8]) -> bool {
        self.is_empty() || self.prefixes.iter().any(|p| is_within(path, p))
    }

    /// Whether anything under directory `dir` can be kept.
    fn enters_dir(&self, dir: &[u8]) -> bool {
        self.is_empty()
            || self
                .prefixes
                .iter()
                .any(|p| is_within(dir, p) || is_within(p, dir))
    }
}

/// `path` equals `base` or lies below it.
fn is_within(path: &[u8], base: &[u8]) -> bool {
    path.starts_with(base) && (path.len() == base.len() || path[base.len()] == b'/')
}

/// The files changed between two trees (`None` is the empty tree), in git's order.
pub fn diff_trees(
    repo: &Repository,
    old: Option<Oid>,
    new: Option<Oid>,
    filter: &PathFilter,
) -> Result<Vec<FileChange>, GitError> {
    let mut differ = TreeDiff {
        repo,
        filter,
        path: Vec::new(),
        changes: Vec::new(),
    };
    differ.compare(old, new)?;
    Ok(differ.changes)
}

struct TreeDiff<'a> {
    repo: &'a Repository,
    filter: &'a PathFilter,
    path: Vec<u8>,
    changes: Vec<FileChange>,
}

/// A tree entry with what the comparison reads.
struct Entry<'t>(TreeEntry<'t>);

impl Entry<'_> {
    fn name(&self) -> &[u8] {
        self.0.name_bytes()
    }

    fn id(&self) -> Oid {
        self.0.id()
    }

    fn mode(&self) -> i32 {
        self.0.filemode()
    }

    fn is_tree(&self) -> bool {
        self.mode() == TREE_MODE
    }
}

impl<'a> TreeDiff<'a> {
    fn compare(&mut self, old: Option<Oid>, new: Option<Oid>) -> Result<(), GitError> {
        if old == new {
            return Ok(());
        }
        let old_tree = self.load(old)?;
        let new_tree = self.load(new)?;
        let old_entries = entries(old_tree.as_ref());
        let new_entries = entries(new_tree.as_ref());
        let (mut i, mut j) = (0, 0);
        while i < old_entries.len() || j < new_entries.len() {
            let order = match (old_entries.get(i), new_entries.get(j)) {
                (Some(a), Some(b)) => git_order(a, b),
                (Some(_), None) => Ordering::Less,
                _ => Ordering::Greater,
            };
            match order {
                Ordering::Less => {
                    self.one_side(&old_entries[i], ChangeKind::Deleted)?;
                    i += 1;
                }
                Ordering::Greater => {
                    self.one_side(&new_entries[j], ChangeKind::Added)?;
                    j += 1;
                }
                Ordering::Equal => {
                    self.both_sides(&old_entries[i], &new_entries[j])?;
                    i += 1;
                    j += 1;
                }
            }
        }
        Ok(())
    }

    fn load(&self, id: Option<Oid>) -> Result<Option<Tree<'a>>, GitError> {
        id.map(|id| {
            self.repo
                .find_tree(id)
                .context(|| format!("reading tree {id}"))
        })
        .transpose()
    }

    /// An entry that exists on one side only: a file added or deleted, or a whole directory.
    fn one_side(&mut self, entry: &Entry<'_>, kind: ChangeKind) -> Result<(), GitError> {
        if entry.is_tree() {
            let (old, new) = match kind {
                ChangeKind::Deleted => (Some(entry.id()), None),
                _ => (None, Some(entry.id())),
            };
            self.descend(entry.name(), old, new)
        } else {
            self.record(entry.name(), kind);
            Ok(())
        }
    }

    /// An entry with the same name and kind (file or directory) on both sides.
    fn both_sides(&mut self, old: &Entry<'_>, new: &Entry<'_>) -> Result<(), GitError> {
        if old.id() == new.id() && old.mode() == new.mode() {
            return Ok(());
        }
        if old.is_tree() {
            self.descend(old.name(), Some(old.id()), Some(new.id()))
        } else {
            self.record(old.name(), ChangeKind::Modified);
            Ok(())
        }
    }

    fn descend(&mut self, name: &[u8], old: Option<Oid>, new: Option<Oid>) -> Result<(), GitError> {
        let length = self.path.len();
        self.path.extend_from_slice(name);
        let result = if self.filter.enters_dir(&self.path) {
            self.path.push(b'/');
            self.compare(old, new)
        } else {
            Ok(())
        };
        self.path.truncate(length);
        result
    }

    fn record(&mut self, name: &[u8], kind: ChangeKind) {
        let length = self.path.len();
        self.path.extend_from_slice(name);
        if self.filter.keeps_file(&self.path) {
            self.changes.push(FileChange {
                path: String::from_utf8_lossy(&self.path).into_owned(),
                kind,
            });
        }
        self.path.truncate(length);
    }
}

fn entries<'t>(tree: Option<&'t Tree<'_>>) -> Vec<Entry<'t>> {
    tree.map(|tree| tree.iter().map(Entry).collect())
        .unwrap_or_default()
}

/// git's tree order: names compare bytewise, with a directory's name followed by `/`.
fn git_order(a: &Entry<'_>, b: &Entry<'_>) -> Ordering {
    let common = a.name().len().min(b.name().len());
    match a.name()[..common].cmp(&b.name()[..common]) {
        Ordering::Equal => {}
        other => return other,
    }
    let next = |e: &Entry<'_>| match e.name().get(common) {
        Some(byte) => *byte,
        None if e.is_tree() => b'/',
        None => 0,
    };
    next(a).cmp(&next(b))
}
