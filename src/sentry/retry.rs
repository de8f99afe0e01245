//! When to retry a failed request and how long to wait first.

use std::time::Duration;

/// Bounds on retrying: attempts, per-wait cap and total time.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Total attempts, the first included.
    pub max_attempts: u32,
    /// The first backoff wait; doubled on every further attempt.
    pub base_delay: Duration,
    /// No single wait is longer than this.
    pub max_delay: Duration,
    /// The retries stop once this much time has been spent waiting.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_total: Duration::from_secs(120),
        }
    }
}

/// What a failed attempt looked like, as far as retrying is concerned.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// An HTTP answer with this status; `query_timeout` marks Sentry's transient search 400.
    Status {
        /// The HTTP status.
        status: u16,
        /// The body was Sentry's "Query timeout" answer.
        query_timeout: bool,
    },
    /// Nothing reached the server (connection refused, name not resolved): any request may be repeated.
    NotSent,
    /// The request may have reached the server (timed out or cut off after sending).
    MaybeSent,
    /// Repeating cannot help (the request could not be built, TLS refused the certificate, a refused
    /// redirect, an answer over the size cap).
    Final,
}

/// How a request may be repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repeatable {
    /// Sending it twice has the same effect as once (GET, PUT, release POST).
    pub idempotent: bool,
    /// A 409 means "busy, come back" for this request (release commits being processed).
    pub conflict_is_transient: bool,
}

impl RetryPolicy {
    /// Whether this failure is worth another attempt.
    pub fn should_retry(&self, failure: &Failure, request: Repeatable) -> bool {
        match *failure {
            // A 429 was refused before any work was done, so every method may repeat it.
            Failure::Status { status: 429, .. } => true,
            Failure::Status { status: 409, .. } => request.conflict_is_transient,
            Failure::Status {
                status: 400,
                query_timeout,
            } => query_timeout,
            Failure::Status { status, .. } => {
                request.idempotent && matches!(status, 502 | 503 | 504 | 520..=524)
            }
            Failure::NotSent => true,
            Failure::MaybeSent => request.idempotent,
            Failure::Final => false,
        }
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1), honouring the server's hint.
    pub fn delay(&self, attempt: u32, server_hint: Option<Duration>, jitter: f64) -> Duration {
        if let Some(hint) = server_hint {
            // A small jitter spreads clients that were all told the same reset time.
            return hint.min(self.max_delay)
                + self.base_delay.mul_f64(jitter.clamp(0.0, 1.0) / 2.0);
        }
        let exponent = attempt.saturating_sub(1).min(16);
        let backoff = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        // "Equal jitter": half fixed, half random.
        backoff.mul_f64(0.5 + jitter.clamp(0.0, 1.0) / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GET: Repeatable = Repeatable {
        idempotent: true,
        conflict_is_transient: false,
    };
    const DEPLOY_POST: Repeatable = Repeatable {
        idempotent: false,
        conflict_is_transient: false,
    };
    const RELEASE_POST: Repeatable = Repeatable {
        idempotent: true,
        conflict_is_transient: true,
    };

    fn status(status: u16) -> Failure {
        Failure::Status {
            status,
            query_timeout: false,
        }
    }

    #[test]
    fn retries_rate_limits_for_every_method() {
        let policy = RetryPolicy::default();
        assert!(policy.should_retry(&status(429), GET));
        assert!(policy.should_retry(&status(429), DEPLOY_POST));
    }

    #[test]
    fn retries_gateway_errors_only_when_repeating_is_safe() {
        let policy = RetryPolicy::default();
        for code in [502, 503, 504] {
            assert!(policy.should_retry(&status(code), GET));
            assert!(!policy.should_retry(&status(code), DEPLOY_POST));
        }
        assert!(!policy.should_retry(&status(500), GET));
    }

    #[test]
    fn repeats_a_write_only_when_it_never_left() {
        let policy = RetryPolicy::default();
        assert!(policy.should_retry(&Failure::NotSent, DEPLOY_POST));
        assert!(!policy.should_retry(&Failure::MaybeSent, DEPLOY_POST));
        assert!(policy.should_retry(&Failure::MaybeSent, GET));
        assert!(!policy.should_retry(&Failure::Final, GET));
    }

    #[test]
    fn retries_the_search_timeout_but_not_other_bad_requests() {
        let policy = RetryPolicy::default();
        let timeout = Failure::Status {
            status: 400,
            query_timeout: true,
        };
        assert!(policy.should_retry(&timeout, GET));
        assert!(!policy.should_retry(&status(400), GET));
    }

    #[test]
    fn retries_conflicts_only_where_they_mean_busy() {
        let policy = RetryPolicy::default();
        assert!(policy.should_retry(&status(409), RELEASE_POST));
        assert!(!policy.should_retry(&status(409), GET));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let policy = RetryPolicy {
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(5),
            ..RetryPolicy::default()
        };
        assert_eq!(policy.delay(1, None, 1.0), Duration::from_secs(1));
        assert_eq!(policy.delay(2, None, 1.0), Duration::from_secs(2));
        assert_eq!(policy.delay(3, None, 0.0), Duration::from_secs(2));
        assert_eq!(policy.delay(10, None, 1.0), Duration::from_secs(5));
    }

    #[test]
    fn server_hint_wins_over_backoff() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(7)), 0.0),
            Duration::from_secs(7)
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(600)), 0.0),
            policy.max_delay
        );
    }

    #[test]
    fn a_hinted_wait_adds_at_most_half_the_base_delay_of_jitter() {
        let policy = RetryPolicy {
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(60),
            ..RetryPolicy::default()
        };
        let hint = Some(Duration::from_secs(10));
        assert_eq!(policy.delay(1, hint, 0.5), Duration::from_millis(10_500));
        assert_eq!(policy.delay(1, hint, 1.0), Duration::from_secs(11));
        assert_eq!(
            policy.delay(1, hint, 7.0),
            Duration::from_secs(11),
            "clamped"
        );
    }
}
