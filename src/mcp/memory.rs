//! Gives freed memory back to the operating system once sessions and connections have closed.
//!
//! glibc keeps freed heap pages in its arenas: after 200 sessions had expired the process still
//! held its peak (about 50 MiB) although only about 13 MiB was in use. `malloc_trim` returns the
//! free pages. musl's allocator returns them by itself, so there this does nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often the server looks whether anything was released since the last trim.
const TRIM_EVERY: Duration = Duration::from_secs(10);

/// Notes releases and trims the heap at most every [`TRIM_EVERY`] after one.
#[derive(Debug, Default)]
pub struct Reclaim {
    released: AtomicBool,
}

impl Reclaim {
    /// Something that held memory (a session, a connection) has gone.
    pub fn note_release(&self) {
        self.released.store(true, Ordering::Relaxed);
    }

    /// Trims after releases until `stop` is cancelled.
    pub async fn run(self: Arc<Self>, stop: CancellationToken) {
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(TRIM_EVERY) => {}
            }
            if self.released.swap(false, Ordering::Relaxed) {
                // Trimming walks the heap; keep it off the threads that answer requests.
                let _ = tokio::task::spawn_blocking(trim_heap).await;
            }
        }
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim_heap() {
    // SAFETY: malloc_trim only reorganises the allocator's own free lists; it may be called at
    // any time from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim_heap() {}
