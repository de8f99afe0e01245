//! Repositories built in temp dirs with git2, for this module's unit tests.

use git2::{Commit, Oid, Repository, Signature, Time};
use std::path::Path;
use tempfile::TempDir;

/// A throw-away repository; commits are made by writing files and committing the whole index.
pub struct Fixture {
    dir: TempDir,
    /// The repository.
    pub repo: Repository,
}

impl Fixture {
    /// An empty repository.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = Repository::init(dir.path()).expect("git init");
        Self { dir, repo }
    }

    /// The work tree.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes (Some) or deletes (None) files, then commits everything on HEAD at unix time
    /// `seconds` with a UTC offset of `offset_minutes`.
    pub fn commit(
        &self,
        message: &str,
        (seconds, offset_minutes): (i64, i32),
        files: &[(&str, Option<&str>)],
    ) -> Oid {
        for (name, content) in files {
            let file = self.path().join(name);
            match content {
                Some(content) => {
                    std::fs::create_dir_all(file.parent().expect("parent")).expect("dirs");
                    std::fs::write(&file, content).expect("write");
                }
                None => std::fs::remove_file(&file).expect("remove"),
            }
        }
        let mut index = self.repo.index().expect("index");
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .expect("add");
        index.update_all(["*"], None).expect("update");
        index.write().expect("write index");
        let tree = self
            .repo
            .find_tree(index.write_tree().expect("tree"))
            .expect("tree");
        let head = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&Commit<'_>> = head.iter().collect();
        self.commit_tree(message, (seconds, offset_minutes), &tree, &parents)
    }

    /// A merge of `parents` on HEAD, with the first parent's tree.
    pub fn merge(&self, message: &str, seconds: i64, parents: &[Oid]) -> Oid {
        let parents: Vec<Commit<'_>> = parents
            .iter()
            .map(|id| self.repo.find_commit(*id).expect("parent"))
            .collect();
        let tree = parents[0].tree().expect("tree");
        let parents: Vec<&Commit<'_>> = parents.iter().collect();
        self.commit_tree(message, (seconds, 0), &tree, &parents)
    }

    /// Points HEAD's branch at `id` (to grow a side branch from there).
    pub fn reset_to(&self, id: Oid) {
        let commit = self.repo.find_object(id, None).expect("commit");
        self.repo
            .reset(&commit, git2::ResetType::Hard, None)
            .expect("reset");
    }

    fn commit_tree(
        &self,
        message: &str,
        (seconds, offset_minutes): (i64, i32),
        tree: &git2::Tree<'_>,
        parents: &[&Commit<'_>],
    ) -> Oid {
        let who = Signature::new(
            "Ada",
            "ada@example.com",
            &Time::new(seconds, offset_minutes),
        )
        .expect("signature");
        self.repo
            .commit(Some("HEAD"), &who, &who, message, tree, parents)
            .expect("commit")
    }
}
