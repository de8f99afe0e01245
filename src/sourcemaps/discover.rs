//! Finding the files to work on: the given paths walked recursively, kept by extension, pruned by
//! gitignore-style `--ignore` globs and an `--ignore-file`.

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

/// Which files a command works on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Files and directories (walked recursively).
    pub paths: Vec<PathBuf>,
    /// Extensions to keep, without the dot; empty means the command's defaults.
    pub extensions: Vec<String>,
    /// Gitignore-style globs of files and directories to leave out.
    pub ignores: Vec<String>,
    /// A file of such globs, one a line.
    pub ignore_file: Option<PathBuf>,
}

/// A file found under one of the given paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundFile {
    /// Where it is (the given path joined with the part below it).
    pub path: PathBuf,
    /// Its path below the given directory, `/`-separated (the file name for a given file).
    pub relative: String,
}

impl FoundFile {
    /// Whether the file name ends in `.map`.
    pub fn is_map(&self) -> bool {
        self.path.extension().is_some_and(|e| e == "map")
    }
}

/// Why the files cannot be listed.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// A given path does not exist.
    #[error("{0} does not exist: check the path (it is relative to the current directory)")]
    Missing(String),
    /// No path was given.
    #[error("no path given: name the build output directory, e.g. `dist`")]
    NoPath,
    /// An `--ignore` glob or the ignore file is malformed or unreadable.
    #[error("{what}: {reason}")]
    Ignore {
        /// The glob or file.
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// A directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The directory or file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Lists the selected files, in a stable order: each given path in turn, names sorted.
pub fn discover(
    selection: &Selection,
    default_extensions: &[&str],
) -> Result<Vec<FoundFile>, DiscoverError> {
    if selection.paths.is_empty() {
        return Err(DiscoverError::NoPath);
    }
    let extensions: BTreeSet<String> = if selection.extensions.is_empty() {
        default_extensions.iter().map(|e| (*e).to_owned()).collect()
    } else {
        selection
            .extensions
            .iter()
            .map(|e| e.trim_start_matches('.').to_ascii_lowercase())
            .collect()
    };
    let mut found = Vec::new();
    let mut seen = BTreeSet::new();
    for root in &selection.paths {
        let metadata = std::fs::metadata(root)
            .map_err(|_| DiscoverError::Missing(root.display().to_string()))?;
        let root = normalize(root);
        if metadata.is_file() {
            // A file named on the command line is taken whatever its extension.
            let relative = file_name(&root);
            if seen.insert(root.clone()) {
                found.push(FoundFile {
                    path: root,
                    relative,
                });
            }
            continue;
        }
        let ignore = ignore_matcher(&root, selection)?;
        let mut walk = Walk {
            ignore: &ignore,
            extensions: &extensions,
            visited: BTreeSet::new(),
            seen: &mut seen,
            found: &mut found,
        };
        walk.directory(&root, &root)?;
    }
    Ok(found)
}

struct Walk<'a> {
    ignore: &'a Gitignore,
    extensions: &'a BTreeSet<String>,
    /// Directories entered, by canonical path: a symlink loop is walked once.
    visited: BTreeSet<PathBuf>,
    seen: &'a mut BTreeSet<PathBuf>,
    found: &'a mut Vec<FoundFile>,
}

impl Walk<'_> {
    fn directory(&mut self, root: &Path, dir: &Path) -> Result<(), DiscoverError> {
        let io = |source| DiscoverError::Io {
            path: dir.display().to_string(),
            source,
        };
        let canonical = std::fs::canonicalize(dir).map_err(io)?;
        if !self.visited.insert(canonical) {
            return Ok(());
        }
        let mut entries = std::fs::read_dir(dir)
            .map_err(io)?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(io)?;
        entries.sort();
        for path in entries {
            // Follows symlinks; a dangling one is skipped.
            let Ok(metadata) = std::fs::metadata(&path) else {
                continue;
            };
            let relative = path.strip_prefix(root).unwrap_or(&path);
            if self.ignore.matched(relative, metadata.is_dir()).is_ignore() {
                continue;
            }
            if metadata.is_dir() {
                self.directory(root, &path)?;
            } else if self.wanted(&path) && self.seen.insert(path.clone()) {
                self.found.push(FoundFile {
                    relative: slash_path(relative),
                    path,
                });
            }
        }
        Ok(())
    }

    fn wanted(&self, path: &Path) -> bool {
        path.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| self.extensions.contains(&e.to_ascii_lowercase()))
    }
}

fn ignore_matcher(root: &Path, selection: &Selection) -> Result<Gitignore, DiscoverError> {
    let mut builder = GitignoreBuilder::new(root);
    for glob in &selection.ignores {
        builder
            .add_line(None, glob)
            .map_err(|e| DiscoverError::Ignore {
                what: format!("--ignore {glob:?} is not a valid glob"),
                reason: e.to_string(),
            })?;
    }
    if let Some(file) = &selection.ignore_file {
        if !file.is_file() {
            return Err(DiscoverError::Missing(format!(
                "--ignore-file {}",
                file.display()
            )));
        }
        if let Some(error) = builder.add(file) {
            return Err(DiscoverError::Ignore {
                what: format!("--ignore-file {}", file.display()),
                reason: error.to_string(),
            });
        }
    }
    builder.build().map_err(|e| DiscoverError::Ignore {
        what: "--ignore".into(),
        reason: e.to_string(),
    })
}

/// Removes `.` segments and folds `..` into the segment before it, without touching the disk.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let folds = matches!(out.components().next_back(), Some(Component::Normal(_)));
                if folds {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// A relative path with `/` separators, as it appears in URLs.
pub fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for file in files {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        dir
    }

    fn relatives(selection: &Selection) -> Vec<String> {
        discover(selection, &["js", "mjs", "map"])
            .unwrap()
            .into_iter()
            .map(|f| f.relative)
            .collect()
    }

    #[test]
    fn walks_recursively_in_name_order_keeping_the_extensions() {
        let dir = tree(&[
            "b.js",
            "a.mjs",
            "a.mjs.map",
            "c.css",
            "sub/d.js",
            "sub/e.txt",
        ]);
        let selection = Selection {
            paths: vec![dir.path().to_owned()],
            ..Selection::default()
        };
        assert_eq!(
            relatives(&selection),
            ["a.mjs", "a.mjs.map", "b.js", "sub/d.js"]
        );
        let only_js = Selection {
            extensions: vec![".JS".into()],
            ..selection
        };
        assert_eq!(relatives(&only_js), ["b.js", "sub/d.js"]);
    }

    #[test]
    fn ignores_globs_and_ignore_file_entries_like_gitignore() {
        let dir = tree(&[
            "app.js",
            "node_modules/lib/x.js",
            "vendor/v.js",
            "chunks/1.js",
            "chunks/keep.js",
        ]);
        let ignore_file = dir.path().join("ignore.txt");
        std::fs::write(&ignore_file, "# comment\nvendor/\n").unwrap();
        let selection = Selection {
            paths: vec![dir.path().to_owned()],
            ignores: vec![
                "node_modules".into(),
                "chunks/*.js".into(),
                "!keep.js".into(),
            ],
            ignore_file: Some(ignore_file),
            ..Selection::default()
        };
        assert_eq!(relatives(&selection), ["app.js", "chunks/keep.js"]);
    }

    #[test]
    fn a_named_file_is_taken_and_a_missing_path_is_an_error() {
        let dir = tree(&["notes.txt"]);
        let file = dir.path().join("notes.txt");
        let selection = Selection {
            paths: vec![file.clone(), file],
            ..Selection::default()
        };
        assert_eq!(relatives(&selection), ["notes.txt"]);
        let missing = Selection {
            paths: vec![dir.path().join("dist")],
            ..Selection::default()
        };
        let error = discover(&missing, &["js"]).unwrap_err().to_string();
        assert!(error.contains("dist does not exist"), "{error}");
        let error = discover(&Selection::default(), &["js"]).unwrap_err();
        assert!(matches!(error, DiscoverError::NoPath));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_walked_once() {
        let dir = tree(&["a/x.js"]);
        std::os::unix::fs::symlink(dir.path().join("a"), dir.path().join("a/loop")).unwrap();
        let selection = Selection {
            paths: vec![dir.path().to_owned()],
            ..Selection::default()
        };
        assert_eq!(relatives(&selection), ["a/x.js"]);
    }

    #[test]
    fn normalizes_without_the_disk() {
        assert_eq!(normalize(Path::new("./a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("../a/..")), PathBuf::from(".."));
        assert_eq!(normalize(Path::new(".")), PathBuf::from("."));
        assert_eq!(normalize(Path::new("/x/../y")), PathBuf::from("/y"));
    }
}
