//! Shared machinery: work spread over the cores, writes that never leave a half-written file, and
//! a progress line on a terminal.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Runs `work` on every item, on as many threads as there are cores; results keep the items' order.
pub fn for_each_parallel<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(work).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(index) else { break };
                    let result = work(item);
                    results
                        .lock()
                        .expect("no worker panics while holding the lock")
                        .push((index, result));
                }
            });
        }
    });
    let mut results = results
        .into_inner()
        .expect("no worker panics while holding the lock");
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// A file that could not be replaced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct WriteError {
    /// The file.
    pub path: String,
    /// What failed.
    pub reason: String,
}

/// Replaces `path` with `bytes` through a temporary file in the same directory and a rename, so
/// an error or a kill leaves either the old file or the new one, never half of one. The file
/// keeps its permissions (an executable script stays executable).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let fail = |what: &str, error: std::io::Error| WriteError {
        path: path.display().to_string(),
        reason: format!("{what}: {error}"),
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(
        ".{name}.{}.{:08x}.tmp",
        std::process::id(),
        fastrand::u32(..)
    ));
    let written = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        if let Ok(metadata) = std::fs::metadata(path) {
            file.set_permissions(metadata.permissions())?;
        }
        std::fs::rename(&temporary, path)
    })();
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(fail("cannot write", error));
    }
    Ok(())
}

/// A `label: done/total` line on stderr, redrawn at most every 100 ms, drawn only on a terminal.
pub struct Progress {
    label: &'static str,
    total: usize,
    last_draw: Option<Mutex<Option<Instant>>>,
}

impl Progress {
    /// A progress line that draws only when stderr is a terminal.
    pub fn new(label: &'static str, total: usize) -> Self {
        Self {
            label,
            total,
            last_draw: std::io::stderr().is_terminal().then(|| Mutex::new(None)),
        }
    }

    /// Shows how much is done.
    pub fn update(&self, done: usize) {
        let Some(last_draw) = &self.last_draw else {
            return;
        };
        let Ok(mut last_draw) = last_draw.lock() else {
            return;
        };
        if last_draw.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) && done < self.total
        {
            return;
        }
        *last_draw = Some(Instant::now());
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r{}: {done}/{}", self.label, self.total);
        let _ = stderr.flush();
    }

    /// Clears the line, if anything was drawn.
    pub fn finish(&self) {
        let drawn = self
            .last_draw
            .as_ref()
            .is_some_and(|d| d.lock().is_ok_and(|t| t.is_some()));
        if drawn {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K");
            let _ = stderr.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_results_keep_the_input_order() {
        let items: Vec<u32> = (0..100).collect();
        let doubled = for_each_parallel(&items, |n| n * 2);
        assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        assert!(for_each_parallel(&Vec::<u32>::new(), |n| *n).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn atomic_writes_replace_the_file_and_keep_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("cli.js");
        std::fs::write(&script, "old").unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        write_atomically(&script, b"new").unwrap();
        assert_eq!(std::fs::read(&script).unwrap(), b"new");
        let mode = std::fs::metadata(&script).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing_dir = dir.path().join("gone/app.js");
        assert!(write_atomically(&missing_dir, b"x").is_err());
    }
}
