//! The gate's questions to Sentry, asked through `sentry::api`: the release and its projects, the
//! deploy, the baselines, the issue searches, and error, session and transaction counts.
//!
//! Every answer is classified: worth another look (rate limits, gateway errors), unavailable (a
//! missing scope under `--allow-partial`, an endpoint an older server lacks), or fatal.
//!
//! This file holds the data source, its builders and that classification (`need` says what each
//! kind of request needs). `setup` settles a watch once per run, `measures` takes each look's
//! issue searches and counts, `latency` its transaction durations, and `lookups` answers what
//! attribution and the report ask beside the watch.

mod latency;
mod lookups;
mod measures;
mod need;
mod setup;

use super::error::{GateError, LookError, is_transient};
use super::observations::{Observed, Unavailable};
use super::pace::Pace;
use super::policy::Policy;
use super::wording::Setting;
use crate::sentry::{ApiError, SentryClient, Session};
use need::Need;
use std::sync::Arc;
use std::time::Instant;

/// Asks Sentry what the gate needs, for one organization and policy.
pub struct SentryData<'a> {
    session: Session,
    org: String,
    policy: &'a Policy,
    pace: Option<Arc<Pace>>,
    replay: bool,
}

impl<'a> SentryData<'a> {
    /// A data source for `org` under `policy`.
    pub fn new(session: &Session, org: String, policy: &'a Policy) -> Self {
        Self {
            session: session.clone(),
            org,
            policy,
            pace: None,
            replay: false,
        }
    }

    /// The same, with every request waiting for its turn under `pace`.
    pub fn paced(self, pace: Arc<Pace>) -> Self {
        Self {
            pace: Some(pace),
            ..self
        }
    }

    /// The same for a replay of a past watch: the deploy watched is one finished before the
    /// replayed instant, and sessions (counted by the hour) only over whole hours before each look.
    pub fn replaying(self) -> Self {
        Self {
            replay: true,
            ..self
        }
    }

    /// The same, with every request (retries included) ending by `deadline`.
    pub fn within(&self, deadline: Instant) -> Self {
        Self {
            session: self.session.with_deadline(deadline),
            org: self.org.clone(),
            policy: self.policy,
            pace: self.pace.clone(),
            replay: self.replay,
        }
    }

    /// How the reader knows `setting`.
    fn name(&self, setting: Setting) -> &'static str {
        self.policy.wording.name(setting)
    }

    /// The client, once it is this request's turn.
    async fn client(&self) -> &SentryClient {
        if let Some(pace) = &self.pace {
            pace.wait().await;
        }
        self.session.client()
    }

    fn settle<T>(&self, result: Result<T, ApiError>, need: Need) -> Result<Observed<T>, LookError> {
        match result {
            Ok(value) => Ok(Ok(value)),
            Err(error @ ApiError::TimeBudget { .. }) => Err(LookError::OutOfTime(error)),
            Err(error) if is_transient(&error) => Err(LookError::Transient(error)),
            Err(ApiError::Forbidden { .. }) if self.policy.allow_partial => Ok(Err(Unavailable {
                reason: format!(
                    "the token lacks `{}` (403 reading {})",
                    need.scope, need.what
                ),
                missing_scope: Some(need.scope),
            })),
            Err(ApiError::Forbidden { .. }) => Err(GateError::MissingScope {
                what: need.what,
                scope: need.scope,
            }
            .into()),
            Err(error @ (ApiError::NotFound { .. } | ApiError::Invalid { .. }))
                if need.optional =>
            {
                Ok(Err(Unavailable {
                    reason: format!(
                        "this Sentry server does not answer for {}: {error}",
                        need.what
                    ),
                    missing_scope: None,
                }))
            }
            Err(error) => Err(error.into()),
        }
    }
}
