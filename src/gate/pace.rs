//! Requests spaced out in real time, so a long replay (`release backtest`) stays under Sentry's
//! rate limits instead of leaning on its 429s.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most one request per `gap`, shared by everything that asks through it.
#[derive(Debug)]
pub struct Pace {
    gap: Duration,
    next: Mutex<Instant>,
}

impl Pace {
    /// A pace of one request per `gap` (zero: no waiting).
    pub fn new(gap: Duration) -> Self {
        Self {
            gap,
            next: Mutex::new(Instant::now()),
        }
    }

    /// Waits for this request's turn.
    pub async fn wait(&self) {
        if self.gap.is_zero() {
            return;
        }
        let turn = {
            // A panic elsewhere cannot leave the instant half-written.
            let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
            let turn = (*next).max(Instant::now());
            *next = turn + self.gap;
            turn
        };
        tokio::time::sleep_until(turn.into()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn requests_take_turns_one_gap_apart() {
        let pace = Pace::new(Duration::from_millis(20));
        let start = Instant::now();
        for _ in 0..4 {
            pace.wait().await;
        }
        // Three gaps between four turns; an upper bound would only measure the machine.
        assert!(start.elapsed() >= Duration::from_millis(60));
    }
}
