//! A spinner on stderr for long history walks: drawn on a terminal, silent on a pipe or in CI logs.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const REDRAW_EVERY: Duration = Duration::from_millis(80);

/// A counter shown as `⠋ label: N commits`, redrawn at most every 80 ms.
pub struct Spinner {
    label: &'static str,
    state: Option<Mutex<State>>,
}

struct State {
    last_draw: Option<Instant>,
    frame: usize,
}

impl Spinner {
    /// A spinner that draws only when stderr is a terminal.
    pub fn new(label: &'static str) -> Self {
        let state = std::io::stderr().is_terminal().then(|| {
            Mutex::new(State {
                last_draw: None,
                frame: 0,
            })
        });
        Self { label, state }
    }

    /// Shows the current count.
    pub fn update(&self, count: usize) {
        let Some(state) = &self.state else { return };
        // Reading threads all report; one drawing at a time is enough.
        let Ok(mut state) = state.try_lock() else {
            return;
        };
        if state.last_draw.is_some_and(|t| t.elapsed() < REDRAW_EVERY) {
            return;
        }
        state.last_draw = Some(Instant::now());
        state.frame = (state.frame + 1) % FRAMES.len();
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "\r{} {}: {count} commits",
            FRAMES[state.frame], self.label
        );
        let _ = stderr.flush();
    }

    /// Clears the line, if anything was drawn.
    pub fn finish(&self) {
        let Some(state) = &self.state else { return };
        let drawn = state.lock().is_ok_and(|s| s.last_draw.is_some());
        if drawn {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K");
            let _ = stderr.flush();
        }
    }
}
