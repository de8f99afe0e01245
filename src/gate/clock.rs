//! Time behind a small trait, so the watch can be driven by a test's clock, or replayed over a past
//! watch, instead of real minutes.

use chrono::{DateTime, Utc};
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

/// The longest real pause before a replay asks again after a failed look.
const REPLAY_RETRY_PAUSE: Duration = Duration::from_secs(2);

/// The current time and a way to wait.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
    /// Waits for `duration` (a test clock just moves its time forward).
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;
    /// Waits before asking Sentry again after a look failed; by default one `interval`.
    fn retry_pause(&self, interval: Duration) -> impl Future<Output = ()> + Send {
        self.sleep(interval)
    }
}

/// The real clock: the system time and tokio's timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(duration)
    }
}

/// A replay's clock: its time starts where it is set and moves only when the watch waits, at once.
///
/// A failed look is asked again after a short real pause (Sentry needs real time to recover),
/// at the same instant of the replayed watch.
#[derive(Debug)]
pub struct ReplayClock(Mutex<DateTime<Utc>>);

impl ReplayClock {
    /// A clock showing `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Mutex::new(start))
    }

    fn time(&self) -> std::sync::MutexGuard<'_, DateTime<Utc>> {
        // A panic elsewhere cannot leave the time half-written.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Clock for ReplayClock {
    fn now(&self) -> DateTime<Utc> {
        *self.time()
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        let mut time = self.time();
        let later = chrono::TimeDelta::from_std(duration)
            .ok()
            .and_then(|step| time.checked_add_signed(step));
        // The policy keeps a watch far inside the calendar, so there is always a later instant.
        *time = later.unwrap_or(DateTime::<Utc>::MAX_UTC);
        std::future::ready(())
    }

    fn retry_pause(&self, interval: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(interval.min(REPLAY_RETRY_PAUSE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_replay_moves_only_when_the_watch_waits() {
        let start = DateTime::<Utc>::UNIX_EPOCH;
        let clock = ReplayClock::new(start);
        clock.sleep(Duration::from_secs(90)).await;
        assert_eq!(clock.now(), start + chrono::TimeDelta::seconds(90));
        clock.retry_pause(Duration::from_millis(1)).await;
        assert_eq!(clock.now(), start + chrono::TimeDelta::seconds(90));
    }
}
