//! Fixture repositories built with the real `git` program (fixed authors and dates), and what
//! `git` itself says about them, to compare `release create` against.

use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

/// The author every fixture commit has unless a test says otherwise.
pub const AUTHOR: (&str, &str) = ("Ada Lovelace", "ada@example.com");

/// A throw-away repository.
pub struct Repo {
    _dir: Option<TempDir>,
    path: PathBuf,
}

impl Repo {
    /// A new repository on branch `main`.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("repo");
        std::fs::create_dir(&path).expect("repo dir");
        let repo = Self {
            _dir: Some(dir),
            path,
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// `git clone --depth DEPTH file://SOURCE` next to the source.
    pub fn shallow_clone(source: &Repo, depth: usize) -> Self {
        let depth = depth.to_string();
        Self::clone_of(source, &format!("shallow-{depth}"), &["--depth", &depth])
    }

    /// `git clone OPTIONS file://SOURCE` into a directory `name` next to the source, the way a
    /// CI checkout fetches (over the transport, not by copying files).
    pub fn clone_of(source: &Repo, name: &str, options: &[&str]) -> Self {
        let path = source.path.with_file_name(name);
        let url = format!("file://{}", source.path.display());
        let mut args = vec!["clone", "-q", "--no-local"];
        args.extend_from_slice(options);
        args.extend([url.as_str(), path.to_str().expect("utf-8 path")]);
        run_git(source.path.parent().expect("parent"), &args, &[]);
        Self { _dir: None, path }
    }

    /// The work tree.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs git here and returns its trimmed stdout; panics when it fails.
    pub fn git(&self, args: &[&str]) -> String {
        run_git(&self.path, args, &[])
    }

    /// Writes (Some) or deletes (None) files, then commits everything as [`AUTHOR`] at `date`.
    pub fn commit(&self, message: &str, date: &str, files: &[(&str, Option<&str>)]) -> String {
        self.commit_as(AUTHOR, message, date, files)
    }

    /// Like [`Repo::commit`], with another author.
    pub fn commit_as(
        &self,
        author: (&str, &str),
        message: &str,
        date: &str,
        files: &[(&str, Option<&str>)],
    ) -> String {
        for (name, content) in files {
            let file = self.path.join(name);
            match content {
                Some(content) => {
                    std::fs::create_dir_all(file.parent().expect("parent")).expect("dirs");
                    std::fs::write(&file, content).expect("write");
                }
                None => std::fs::remove_file(&file).expect("remove"),
            }
        }
        self.git(&["add", "-A"]);
        let env = dated(author, date);
        run_git(
            &self.path,
            &["commit", "-q", "--allow-empty", "-m", message],
            &env,
        );
        self.head()
    }

    /// Merges `branch` into the current branch with a merge commit at `date`.
    pub fn merge(&self, branch: &str, date: &str) -> String {
        let env = dated(AUTHOR, date);
        let message = format!("Merge {branch}");
        run_git(
            &self.path,
            &["merge", "-q", "--no-ff", "-m", &message, branch],
            &env,
        );
        self.head()
    }

    /// HEAD's sha.
    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"])
    }

    /// `git rev-list RANGE [-- PATHS]` with extra options, one sha per entry.
    pub fn rev_list(&self, args: &[&str]) -> Vec<String> {
        let mut all = vec!["rev-list"];
        all.extend_from_slice(args);
        lines(&self.git(&all))
    }

    /// A commit's parents.
    pub fn parents(&self, commit: &str) -> Vec<String> {
        let line = self.git(&["rev-list", "--parents", "-n", "1", commit]);
        line.split_whitespace().skip(1).map(str::to_owned).collect()
    }

    /// `git diff-tree -r --no-renames --name-status [--root] [PARENT] COMMIT [-- PATHS]` as
    /// (type, path) pairs in git's order.
    pub fn diff_tree(
        &self,
        parent: Option<&str>,
        commit: &str,
        paths: &[&str],
    ) -> Vec<(String, String)> {
        let mut args = vec![
            "diff-tree",
            "-r",
            "--no-renames",
            "--name-status",
            "--no-commit-id",
        ];
        match parent {
            Some(parent) => args.push(parent),
            None => args.push("--root"),
        }
        args.push(commit);
        if !paths.is_empty() {
            args.push("--");
            args.extend_from_slice(paths);
        }
        lines(&self.git(&args))
            .into_iter()
            .map(|line| {
                let (kind, path) = line.split_once('\t').expect("name-status line");
                (kind.to_owned(), path.to_owned())
            })
            .collect()
    }

    /// The commits cut off at the bottom of a shallow clone.
    pub fn shallow_boundary(&self) -> Vec<String> {
        std::fs::read_to_string(self.path.join(".git/shallow"))
            .map(|text| lines(&text))
            .unwrap_or_default()
    }
}

/// A fixed author and committer at a fixed date, and no user or system git configuration.
fn dated(author: (&str, &str), date: &str) -> Vec<(&'static str, String)> {
    vec![
        ("GIT_AUTHOR_NAME", author.0.to_owned()),
        ("GIT_AUTHOR_EMAIL", author.1.to_owned()),
        ("GIT_AUTHOR_DATE", date.to_owned()),
        ("GIT_COMMITTER_NAME", AUTHOR.0.to_owned()),
        ("GIT_COMMITTER_EMAIL", AUTHOR.1.to_owned()),
        ("GIT_COMMITTER_DATE", date.to_owned()),
    ]
}

fn run_git(dir: &Path, args: &[&str], env: &[(&str, String)]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", AUTHOR.0)
        .env("GIT_AUTHOR_EMAIL", AUTHOR.1)
        .env("GIT_COMMITTER_NAME", AUTHOR.0)
        .env("GIT_COMMITTER_EMAIL", AUTHOR.1)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(["-c", "commit.gpgsign=false", "-c", "core.quotepath=off"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}
