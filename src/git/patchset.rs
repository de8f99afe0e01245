//! Which files a commit changed: a tree-to-tree comparison by object id.
//!
//! Trees are read as raw objects and compared entry by entry: subtrees with equal ids are skipped
//! without being read, blobs are never loaded, and there is no rename detection (a rename is a
//! delete plus an add), which is what `git diff-tree -r --no-renames` reports and what Sentry's
//! `patch_set` takes.

use super::{Context, GitError};
use git2::{Odb, OdbObject, Oid};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::rc::Rc;

const TREE_MODE: u32 = 0o040000;
/// Bytes of a SHA-1 object id inside a tree object.
const SHA_LENGTH: usize = 20;

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

/// Reads trees as raw objects, keeping those of the previous commit: in walk order a commit's
/// parent usually comes next, so each tree is read once.
pub struct TreeSource<'o> {
    odb: &'o Odb<'o>,
    current: HashMap<Oid, Rc<OdbObject<'o>>>,
    previous: HashMap<Oid, Rc<OdbObject<'o>>>,
}

impl<'o> TreeSource<'o> {
    /// Reads from this object database.
    pub fn new(odb: &'o Odb<'o>) -> Self {
        Self {
            odb,
            current: HashMap::new(),
            previous: HashMap::new(),
        }
    }

    /// The files changed between two trees (`None` is the empty tree), in git's order.
    pub fn diff(
        &mut self,
        old: Option<Oid>,
        new: Option<Oid>,
        filter: &PathFilter,
    ) -> Result<Vec<FileChange>, GitError> {
        // Trees read for the commit before are kept one more round, then forgotten.
        self.previous = std::mem::take(&mut self.current);
        let mut differ = TreeDiff {
            source: self,
            filter,
            path: Vec::new(),
            changes: Vec::new(),
        };
        differ.compare(old, new)?;
        Ok(differ.changes)
    }

    fn load(&mut self, id: Oid) -> Result<Rc<OdbObject<'o>>, GitError> {
        if let Some(tree) = self.current.get(&id) {
            return Ok(Rc::clone(tree));
        }
        let tree = match self.previous.remove(&id) {
            Some(tree) => tree,
            None => Rc::new(self.odb.read(id).context(|| format!("reading tree {id}"))?),
        };
        self.current.insert(id, Rc::clone(&tree));
        Ok(tree)
    }
}

struct TreeDiff<'s, 'o> {
    source: &'s mut TreeSource<'o>,
    filter: &'s PathFilter,
    path: Vec<u8>,
    changes: Vec<FileChange>,
}

/// One entry of a raw tree object: `MODE SP NAME NUL ID`.
struct Entry<'d> {
    mode: u32,
    name: &'d [u8],
    id: &'d [u8],
}

impl Entry<'_> {
    fn is_tree(&self) -> bool {
        self.mode == TREE_MODE
    }

    fn oid(&self) -> Oid {
        Oid::from_bytes(self.id).expect("a tree entry id has the sha length")
    }
}

/// The entries of a raw tree object; a malformed object ends early and sets `broken`.
struct Entries<'d> {
    rest: &'d [u8],
    broken: bool,
}

impl<'d> Entries<'d> {
    fn new(data: &'d [u8]) -> Self {
        Self {
            rest: data,
            broken: false,
        }
    }

    fn parse(&mut self) -> Option<Entry<'d>> {
        let space = self.rest.iter().position(|b| *b == b' ')?;
        let mode = self.rest[..space]
            .iter()
            .try_fold(0u32, |mode, digit| match digit {
                b'0'..=b'7' => Some(mode * 8 + u32::from(digit - b'0')),
                _ => None,
            })?;
        let after_mode = &self.rest[space + 1..];
        let nul = after_mode.iter().position(|b| *b == 0)?;
        let id_end = nul + 1 + SHA_LENGTH;
        let id = after_mode.get(nul + 1..id_end)?;
        let entry = Entry {
            mode,
            name: &after_mode[..nul],
            id,
        };
        self.rest = &after_mode[id_end..];
        Some(entry)
    }
}

impl<'d> Iterator for Entries<'d> {
    type Item = Entry<'d>;

    fn next(&mut self) -> Option<Entry<'d>> {
        if self.rest.is_empty() || self.broken {
            return None;
        }
        let entry = self.parse();
        self.broken = entry.is_none();
        entry
    }
}

impl TreeDiff<'_, '_> {
    fn compare(&mut self, old: Option<Oid>, new: Option<Oid>) -> Result<(), GitError> {
        if old == new {
            return Ok(());
        }
        let old_tree = old.map(|id| self.source.load(id)).transpose()?;
        let new_tree = new.map(|id| self.source.load(id)).transpose()?;
        let mut old_entries = Entries::new(old_tree.as_ref().map_or(&[][..], |t| t.data()));
        let mut new_entries = Entries::new(new_tree.as_ref().map_or(&[][..], |t| t.data()));
        let (mut a, mut b) = (old_entries.next(), new_entries.next());
        loop {
            let order = match (&a, &b) {
                (Some(a), Some(b)) => git_order(a, b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => break,
            };
            match order {
                Ordering::Less => {
                    self.one_side(a.as_ref().expect("old entry"), ChangeKind::Deleted)?;
                    a = old_entries.next();
                }
                Ordering::Greater => {
                    self.one_side(b.as_ref().expect("new entry"), ChangeKind::Added)?;
                    b = new_entries.next();
                }
                Ordering::Equal => {
                    self.both_sides(
                        a.as_ref().expect("old entry"),
                        b.as_ref().expect("new entry"),
                    )?;
                    a = old_entries.next();
                    b = new_entries.next();
                }
            }
        }
        for (entries, id) in [(&old_entries, old), (&new_entries, new)] {
            if entries.broken {
                return Err(GitError::Corrupt(format!(
                    "tree {} is malformed",
                    id.map(|id| id.to_string()).unwrap_or_default()
                )));
            }
        }
        Ok(())
    }

    /// An entry that exists on one side only: a file added or deleted, or a whole directory.
    fn one_side(&mut self, entry: &Entry<'_>, kind: ChangeKind) -> Result<(), GitError> {
        if entry.is_tree() {
            let (old, new) = match kind {
                ChangeKind::Deleted => (Some(entry.oid()), None),
                _ => (None, Some(entry.oid())),
            };
            self.descend(entry.name, old, new)
        } else {
            self.record(entry.name, kind);
            Ok(())
        }
    }

    /// An entry with the same name and kind (file or directory) on both sides.
    fn both_sides(&mut self, old: &Entry<'_>, new: &Entry<'_>) -> Result<(), GitError> {
        if old.id == new.id && old.mode == new.mode {
            return Ok(());
        }
        if old.is_tree() {
            self.descend(old.name, Some(old.oid()), Some(new.oid()))
        } else {
            self.record(old.name, ChangeKind::Modified);
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

/// git's tree order: names compare bytewise, with a directory's name followed by `/`.
fn git_order(a: &Entry<'_>, b: &Entry<'_>) -> Ordering {
    let common = a.name.len().min(b.name.len());
    match a.name[..common].cmp(&b.name[..common]) {
        Ordering::Equal => {}
        other => return other,
    }
    let next = |e: &Entry<'_>| match e.name.get(common) {
        Some(byte) => *byte,
        None if e.is_tree() => b'/',
        None => 0,
    };
    next(a).cmp(&next(b))
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::*;

    #[test]
    fn a_filter_tidies_its_paths_and_the_root_keeps_everything() {
        let filter = PathFilter::new(&["./web//", "web", "api/v2/"]);
        assert_eq!(filter.prefixes, [b"web".to_vec(), b"api/v2".to_vec()]);
        assert!(!filter.is_empty());
        assert!(
            PathFilter::new(&["web", "./"]).is_empty(),
            "the root is everything"
        );
        assert!(PathFilter::new::<&str>(&[]).is_empty());
    }

    #[test]
    fn a_filter_keeps_whole_path_components_only() {
        let filter = PathFilter::new(&["web", "api/v2"]);
        for kept in [&b"web"[..], b"web/app.js", b"api/v2/x.rs"] {
            assert!(filter.keeps_file(kept), "{}", String::from_utf8_lossy(kept));
        }
        for dropped in [&b"website/a.js"[..], b"we", b"api/v1/x.rs", b"api"] {
            assert!(
                !filter.keeps_file(dropped),
                "{}",
                String::from_utf8_lossy(dropped)
            );
        }
        // Directories on the way to a prefix are entered, and those below it.
        for entered in [&b"api"[..], b"api/v2", b"web/static"] {
            assert!(
                filter.enters_dir(entered),
                "{}",
                String::from_utf8_lossy(entered)
            );
        }
        for skipped in [&b"docs"[..], b"api/v1", b"webs"] {
            assert!(
                !filter.enters_dir(skipped),
                "{}",
                String::from_utf8_lossy(skipped)
            );
        }
        let everything = PathFilter::default();
        assert!(everything.keeps_file(b"any/file") && everything.enters_dir(b"any"));
    }

    #[test]
    fn letters_are_gits() {
        let letters =
            [ChangeKind::Added, ChangeKind::Modified, ChangeKind::Deleted].map(ChangeKind::letter);
        assert_eq!(letters, ["A", "M", "D"]);
    }

    /// The changes from commit `old` to commit `new` through `filter`, as `git --name-status` lines.
    fn diff(fixture: &Fixture, old: Option<Oid>, new: Oid, filter: &PathFilter) -> Vec<String> {
        let tree = |id: Oid| fixture.repo.find_commit(id).unwrap().tree_id();
        let odb = fixture.repo.odb().unwrap();
        let mut source = TreeSource::new(&odb);
        let changes = source.diff(old.map(tree), Some(tree(new)), filter).unwrap();
        changes
            .iter()
            .map(|c| format!("{} {}", c.kind.letter(), c.path))
            .collect()
    }

    #[test]
    fn nested_changes_come_in_gits_order() {
        let fixture = Fixture::new();
        let before = fixture.commit(
            "before",
            (100, 0),
            &[
                ("a.b", Some("1")),
                ("lib/x.rs", Some("1")),
                ("lib/y.rs", Some("1")),
                ("web/app.js", Some("1")),
                ("keep.txt", Some("1")),
            ],
        );
        let after = fixture.commit(
            "after",
            (200, 0),
            &[
                ("a.b", Some("2")),
                ("a/c", Some("new")),
                ("lib/x.rs", Some("2")),
                ("lib/y.rs", None),
                ("lib/sub/z.rs", Some("new")),
                ("web/app.js", None),
            ],
        );
        let everything = PathFilter::default();
        assert_eq!(
            diff(&fixture, Some(before), after, &everything),
            [
                "M a.b",
                "A a/c",
                "A lib/sub/z.rs",
                "M lib/x.rs",
                "D lib/y.rs",
                "D web/app.js"
            ],
            "a file `a.b` sorts before a directory `a` (`a/`), as in git"
        );
        let filter = PathFilter::new(&["lib/sub", "web"]);
        assert_eq!(
            diff(&fixture, Some(before), after, &filter),
            ["A lib/sub/z.rs", "D web/app.js"]
        );
        assert_eq!(
            diff(&fixture, None, before, &PathFilter::new(&["lib"])),
            ["A lib/x.rs", "A lib/y.rs"],
            "from the empty tree everything is added"
        );
        assert!(diff(&fixture, Some(after), after, &everything).is_empty());
    }

    #[test]
    fn a_file_that_becomes_a_directory_is_deleted_and_its_files_added() {
        let fixture = Fixture::new();
        let file = fixture.commit("file", (100, 0), &[("docs", Some("one file"))]);
        std::fs::remove_file(fixture.path().join("docs")).unwrap();
        let dir = fixture.commit("dir", (200, 0), &[("docs/index.md", Some("# Docs"))]);
        assert_eq!(
            diff(&fixture, Some(file), dir, &PathFilter::default()),
            ["D docs", "A docs/index.md"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_mode_change_alone_is_a_modification() {
        use std::os::unix::fs::PermissionsExt;
        let fixture = Fixture::new();
        let plain = fixture.commit("plain", (100, 0), &[("run.sh", Some("echo hi"))]);
        let script = fixture.path().join("run.sh");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let executable = fixture.commit("chmod", (200, 0), &[]);
        assert_eq!(
            diff(&fixture, Some(plain), executable, &PathFilter::default()),
            ["M run.sh"]
        );
    }
}
