//! The only code that knows git2: history walks, patch sets, remotes, shallow clones.
//!
//! Commits leave this module as 40-hex strings, so nothing else depends on git2's types.

#[cfg(test)]
mod fixture;
pub mod history;
pub mod patchset;
pub mod remote;
pub mod shallow;

use git2::{ErrorCode, Oid, Repository};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// A git failure, phrased for the user.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// No repository at or above the path.
    #[error(
        "{path} is not inside a git repository: run in a checkout (with actions/checkout in GitHub Actions) or pass --repo-path"
    )]
    NotARepository {
        /// The path that was searched from.
        path: String,
    },
    /// The repository is owned by another user and git's `safe.directory` does not allow it.
    #[error(
        "git refuses to read {path}: it is owned by another user. Allow it with `git config --global --add safe.directory {path}`"
    )]
    NotOwned {
        /// The repository path.
        path: String,
    },
    /// A revision that does not name a commit.
    #[error("{spec:?} does not name a commit in this repository: {reason}")]
    UnknownRevision {
        /// What was asked for.
        spec: String,
        /// libgit2's explanation.
        reason: String,
    },
    /// Any other libgit2 failure.
    #[error("git: {what}: {}", .source.message())]
    Git {
        /// What was being done.
        what: String,
        /// libgit2's error.
        source: git2::Error,
    },
    /// An object that cannot be parsed.
    #[error("git: the repository is damaged: {0}")]
    Corrupt(String),
    /// Running the `git` program failed.
    #[error("{0}")]
    Command(String),
}

/// Attaches "what was being done" to a libgit2 error.
pub(crate) trait Context<T> {
    /// Wraps the error with a description of the operation.
    fn context(self, what: impl FnOnce() -> String) -> Result<T, GitError>;
}

impl<T> Context<T> for Result<T, git2::Error> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, GitError> {
        self.map_err(|source| GitError::Git {
            what: what(),
            source,
        })
    }
}

/// An open repository, remembering where inside its work tree it was opened.
pub struct GitRepo {
    repo: Repository,
    opened_at: PathBuf,
}

impl GitRepo {
    /// Opens the repository that contains `path` (searching upwards, like git).
    pub fn open(path: &Path) -> Result<Self, GitError> {
        // git itself does not re-hash every object it reads; libgit2 does by default, at a large
        // cost on long histories. Its object cache is left off too: history reads keep the few
        // objects they reuse themselves, and the cache otherwise grows to hundreds of MiB.
        git2::opts::strict_hash_verification(false);
        git2::opts::enable_caching(false);
        let repo = Repository::discover(path).map_err(|e| match e.code() {
            ErrorCode::Owner => GitError::NotOwned {
                path: path.display().to_string(),
            },
            _ => GitError::NotARepository {
                path: path.display().to_string(),
            },
        })?;
        Ok(Self {
            repo,
            opened_at: path.to_owned(),
        })
    }

    /// Opens the same repository again (after `git fetch` changed it behind libgit2's back).
    pub fn reopen(&self) -> Result<Self, GitError> {
        Self::open(&self.opened_at)
    }

    /// The directory `git` commands should run in.
    pub fn work_dir(&self) -> &Path {
        self.repo.workdir().unwrap_or_else(|| self.repo.path())
    }

    /// The sha of HEAD (detached or on a branch).
    pub fn head(&self) -> Result<String, GitError> {
        let head = self.repo.head().map_err(|e| match e.code() {
            ErrorCode::UnbornBranch | ErrorCode::NotFound => GitError::UnknownRevision {
                spec: "HEAD".into(),
                reason: "the repository has no commits yet".into(),
            },
            _ => GitError::Git {
                what: "reading HEAD".into(),
                source: e,
            },
        })?;
        let commit = head.peel_to_commit().context(|| "reading HEAD".into())?;
        Ok(commit.id().to_string())
    }

    /// The commit a revision names (a sha, branch, tag, `HEAD~3`, ...), as a full sha.
    pub fn resolve(&self, spec: &str) -> Result<String, GitError> {
        let unknown = |reason: String| GitError::UnknownRevision {
            spec: spec.to_owned(),
            reason,
        };
        if spec.starts_with('-') {
            return Err(unknown("a revision cannot start with '-'".into()));
        }
        let object = self
            .repo
            .revparse_single(spec)
            .map_err(|e| unknown(e.message().to_owned()))?;
        let commit = object
            .peel_to_commit()
            .map_err(|e| unknown(e.message().to_owned()))?;
        Ok(commit.id().to_string())
    }

    /// Whether the commit is present in the local history.
    pub fn has_commit(&self, sha: &str) -> bool {
        Oid::from_str(sha).is_ok_and(|oid| self.repo.find_commit(oid).is_ok())
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors.
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool, GitError> {
        let (a, d) = (oid(ancestor)?, oid(descendant)?);
        if a == d {
            return Ok(true);
        }
        self.repo
            .graph_descendant_of(d, a)
            .context(|| format!("comparing {ancestor} with {descendant}"))
    }

    /// Whether this is a shallow clone.
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    /// The commits whose parents were cut off by a shallow clone (empty when not shallow).
    pub(crate) fn shallow_boundary(&self) -> HashSet<Oid> {
        let file = self.repo.commondir().join("shallow");
        std::fs::read_to_string(file)
            .map(|text| {
                text.lines()
                    .filter_map(|line| Oid::from_str(line.trim()).ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The URL of a remote, or `None` when there is no such remote.
    pub fn remote_url(&self, name: &str) -> Result<Option<String>, GitError> {
        match self.repo.find_remote(name) {
            Ok(remote) => Ok(remote.url().ok().map(str::to_owned)),
            Err(e) if matches!(e.code(), ErrorCode::NotFound | ErrorCode::InvalidSpec) => Ok(None),
            Err(e) => Err(GitError::Git {
                what: format!("reading remote {name:?}"),
                source: e,
            }),
        }
    }

    /// Where the repository was opened, relative to the work tree root (`""` at the root), with `/`.
    pub fn subdirectory(&self) -> String {
        let Some(workdir) = self.repo.workdir() else {
            return String::new();
        };
        let (Ok(root), Ok(here)) = (workdir.canonicalize(), self.opened_at.canonicalize()) else {
            return String::new();
        };
        here.strip_prefix(&root)
            .map(|relative| {
                relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .unwrap_or_default()
    }

    pub(crate) fn raw(&self) -> &Repository {
        &self.repo
    }
}

/// Parses a full sha.
pub(crate) fn oid(sha: &str) -> Result<Oid, GitError> {
    Oid::from_str(sha).map_err(|e| GitError::UnknownRevision {
        spec: sha.to_owned(),
        reason: e.message().to_owned(),
    })
}
