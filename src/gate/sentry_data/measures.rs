//! The measures of one look: new and regressed issues, the sessions and transactions each release
//! was exposed to over its window (the baselines' windows chosen here), and the error rates over
//! them.

use super::SentryData;
use super::need::{EVENTS, ISSUES, Need, need_of};
use crate::gate::comparison::{Exposures, Measured, matched_window, no_common_exposure};
use crate::gate::error::LookError;
use crate::gate::observations::{
    BaselineRelease, ErrorRateData, ErrorRates, ExposureKind, IssueSearch, Observations, Observed,
    SessionTotals, Setup, Side, Window, WindowChoice,
};
use crate::gate::queries::{
    error_terms, new_issue_query, regressed_query, release_terms, transaction_terms,
};
use crate::sentry::ApiError;
use crate::sentry::api::events::CountQuery;
use crate::sentry::api::issues::IssueQuery;
use crate::sentry::api::sessions::SessionQuery;
use crate::sentry::api::{self, Page};
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use std::future::Future;

/// Most issues listed per search (the count still comes from Sentry's total).
const ISSUES_LISTED: usize = 100;

impl SentryData<'_> {
    /// One look: every rule's data at `now`.
    pub async fn observe(
        &self,
        setup: &Setup,
        now: DateTime<Utc>,
    ) -> Result<Observations, LookError> {
        let since = setup.anchor.since;
        let new_issues = self
            .search(setup, new_issue_query(self.policy, since), since, now)
            .await?;
        let regressed = self
            .search(setup, regressed_query(self.policy, since), since, now)
            .await?;
        let start = setup.anchor.window_start();
        let window = Window {
            start,
            end: now.max(start),
        };
        let baselines = setup.baselines.as_deref().unwrap_or_default();
        let sessions = self.session_sides(setup, window, baselines).await?;
        let errors = self
            .error_rates(setup, window, baselines, &sessions)
            .await?;
        let latency = self.latency(setup, window, baselines).await?;
        Ok(Observations {
            at: now,
            new_issues,
            regressed,
            sessions: sessions.map(|sides| sides.map(|s| s.session_data())),
            errors,
            latency,
        })
    }

    async fn search(
        &self,
        setup: &Setup,
        query: String,
        since: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Observed<IssueSearch>, LookError> {
        let search = IssueQuery {
            query: &query,
            projects: &setup.scope.project_params,
            environment: Some(&self.policy.environment),
            sort: Some("freq"),
            // The search window also makes the listed counts those since the deploy.
            range: since.map(|since| (since, now.max(since + TimeDelta::seconds(1)))),
        };
        let answer = api::issues::search(
            self.client().await,
            &self.org,
            search,
            Page::first(ISSUES_LISTED),
        )
        .await
        .map(|listing| IssueSearch {
            total: listing.hits.unwrap_or(0).max(listing.items.len() as u64),
            issues: listing.items,
            query: query.clone(),
        });
        match answer {
            Err(error @ ApiError::NotFound { .. }) => Err(self.environment_not_found(error)),
            answer => self.settle(answer, ISSUES),
        }
    }

    /// Sessions of the candidate over its window and of each baseline over its chosen window;
    /// `None` when the projects send none.
    async fn session_sides(
        &self,
        setup: &Setup,
        window: Window,
        baselines: &[BaselineRelease],
    ) -> Result<Observed<Option<Exposures>>, LookError> {
        if setup.scope.sends_sessions == Some(false) {
            return Ok(Ok(None));
        }
        let sides = match self
            .exposures(setup, ExposureKind::Sessions, window, baselines)
            .await?
        {
            Ok(sides) => sides,
            Err(unavailable) => return Ok(Err(unavailable)),
        };
        if setup.scope.sends_sessions.is_none() && !sides.any_has_some() {
            return Ok(Ok(None));
        }
        Ok(Ok(Some(sides)))
    }

    /// One exposure kind for the candidate over its window and each baseline over its chosen
    /// window.
    async fn exposures(
        &self,
        setup: &Setup,
        kind: ExposureKind,
        window: Window,
        baselines: &[BaselineRelease],
    ) -> Result<Observed<Exposures>, LookError> {
        let version = &self.policy.version;
        let candidate = match self.settle(
            self.exposure(setup, kind, version, window).await,
            need_of(kind),
        )? {
            Ok(measured) => measured,
            Err(unavailable) => return Ok(Err(unavailable)),
        };
        let mut sides = Vec::new();
        for baseline in baselines {
            match self
                .baseline_exposure(setup, kind, baseline, window)
                .await?
            {
                Ok((measured, choice)) => sides.push((baseline.version.clone(), measured, choice)),
                Err(unavailable) => return Ok(Err(unavailable)),
            }
        }
        Ok(Ok(Exposures {
            kind,
            candidate: (version.clone(), candidate),
            baselines: sides,
        }))
    }

    /// A baseline's exposure of one kind over the window [`Self::baseline_window`] chooses.
    async fn baseline_exposure(
        &self,
        setup: &Setup,
        kind: ExposureKind,
        baseline: &BaselineRelease,
        window: Window,
    ) -> Result<Observed<(Measured, WindowChoice)>, LookError> {
        let enough = (need_of(kind), self.policy.minimums.exposure(kind).0.max(1));
        let measure = |window| self.exposure(setup, kind, &baseline.version, window);
        let chosen = self
            .baseline_window(baseline, window, enough, measure, |m: &Measured| m.amount)
            .await?;
        Ok(chosen.map(|(measured, _, choice)| (measured, choice)))
    }

    /// What `measure` finds of a baseline over the candidate's own window when it still served
    /// `enough` there (a rollout or canary), else over [`matched_window`]; with the window used.
    pub(super) async fn baseline_window<T, Fut>(
        &self,
        baseline: &BaselineRelease,
        window: Window,
        (need, enough): (Need, u64),
        measure: impl Fn(Window) -> Fut,
        amount: impl Fn(&T) -> u64,
    ) -> Result<Observed<(T, Window, WindowChoice)>, LookError>
    where
        Fut: Future<Output = Result<T, ApiError>>,
    {
        if baseline.until >= window.start {
            match self.settle(measure(window).await, need)? {
                Ok(found) if amount(&found) >= enough => {
                    return Ok(Ok((found, window, WindowChoice::Concurrent)));
                }
                Ok(_) => {}
                Err(unavailable) => return Ok(Err(unavailable)),
            }
        }
        let (matched, choice) = matched_window(window, baseline);
        let found = self.settle(measure(matched).await, need)?;
        Ok(found.map(|found| (found, matched, choice)))
    }

    async fn exposure(
        &self,
        setup: &Setup,
        kind: ExposureKind,
        version: &str,
        window: Window,
    ) -> Result<Measured, ApiError> {
        Ok(match kind {
            ExposureKind::Sessions => {
                let totals = self.sessions(setup, version, window).await?;
                Measured {
                    amount: totals.sessions,
                    crashed: totals.crashed,
                    range: totals.range,
                }
            }
            ExposureKind::Transactions => Measured {
                amount: self
                    .count(setup, "spans", &transaction_terms(version), window)
                    .await?,
                crashed: 0,
                range: window,
            },
        })
    }

    async fn sessions(
        &self,
        setup: &Setup,
        version: &str,
        window: Window,
    ) -> Result<SessionTotals, ApiError> {
        let hour = TimeDelta::hours(1);
        let start = window.start.duration_trunc(hour).unwrap_or(window.start);
        // The sessions API counts whole hours: a replay stops at the last whole hour before the
        // look, so no session after it counts.
        let window = if self.replay {
            let end = window.end.duration_trunc(hour).unwrap_or(window.end);
            if end <= start {
                return Ok(SessionTotals {
                    sessions: 0,
                    crashed: 0,
                    range: Window { start, end: start },
                });
            }
            Window { start, end }
        } else {
            window
        };
        let query = SessionQuery {
            query: &release_terms(version),
            environment: &self.policy.environment,
            projects: &setup.scope.project_params,
            start: window.start,
            end: window.end,
        };
        let counts = api::sessions::counts(self.client().await, &self.org, query).await?;
        // The range the sessions API says it counted, else the asked one widened to the hour.
        Ok(SessionTotals {
            sessions: counts.sessions,
            crashed: counts.crashed,
            range: Window {
                start: counts.start.unwrap_or(start),
                end: counts.end.unwrap_or(window.end),
            },
        })
    }

    /// The error rates over sessions when every side has them, else over transactions when every
    /// side has them, else why there is no exposure to compare over.
    async fn error_rates(
        &self,
        setup: &Setup,
        window: Window,
        baselines: &[BaselineRelease],
        sessions: &Observed<Option<Exposures>>,
    ) -> Result<Observed<ErrorRates>, LookError> {
        let session_counts = sessions.as_ref().ok().and_then(Option::as_ref);
        if let Some(counts) = session_counts
            && counts.all_have_some()
        {
            return self.count_errors(setup, counts, None).await;
        }
        let transactions = match self
            .exposures(setup, ExposureKind::Transactions, window, baselines)
            .await?
        {
            Ok(counts) => counts,
            Err(unavailable) => return Ok(Err(unavailable)),
        };
        if transactions.all_have_some() {
            let note = session_counts.and_then(Exposures::why_not_this_kind);
            return self.count_errors(setup, &transactions, note).await;
        }
        let terms = error_terms(self.policy, &self.policy.version);
        let errors = self.count(setup, "errors", &terms, window).await;
        Ok(self
            .settle(errors, EVENTS)?
            .map(|candidate_errors| ErrorRates::NoExposure {
                candidate_errors,
                reason: no_common_exposure(session_counts, &transactions, self.policy.wording),
            }))
    }

    /// Error events of every side over the range its exposure was counted in.
    async fn count_errors(
        &self,
        setup: &Setup,
        exposures: &Exposures,
        note: Option<String>,
    ) -> Result<Observed<ErrorRates>, LookError> {
        let (version, measured) = &exposures.candidate;
        let candidate = match self.side(setup, version, measured, None).await? {
            Ok(side) => side,
            Err(unavailable) => return Ok(Err(unavailable)),
        };
        let mut baselines = Vec::new();
        for (version, measured, choice) in &exposures.baselines {
            match self.side(setup, version, measured, Some(*choice)).await? {
                Ok(side) => baselines.push(side),
                Err(unavailable) => return Ok(Err(unavailable)),
            }
        }
        Ok(Ok(ErrorRates::Measured(ErrorRateData {
            kind: exposures.kind,
            candidate,
            baselines,
            note,
        })))
    }

    /// One release's error count over the range its exposure was counted in.
    async fn side(
        &self,
        setup: &Setup,
        version: &str,
        measured: &Measured,
        choice: Option<WindowChoice>,
    ) -> Result<Observed<Side>, LookError> {
        let terms = error_terms(self.policy, version);
        let errors = self.count(setup, "errors", &terms, measured.range).await;
        Ok(self.settle(errors, EVENTS)?.map(|errors| Side {
            version: version.to_owned(),
            window: measured.range,
            errors,
            exposure: measured.amount as f64,
            choice,
        }))
    }

    /// Events of `dataset` matching `terms` over `window`, in the policy's environment and projects.
    pub(super) async fn count(
        &self,
        setup: &Setup,
        dataset: &str,
        terms: &str,
        window: Window,
    ) -> Result<u64, ApiError> {
        let query = CountQuery {
            dataset,
            query: terms,
            environment: &self.policy.environment,
            projects: &setup.scope.project_params,
            start: window.start,
            end: window.end,
        };
        api::events::count(self.client().await, &self.org, query).await
    }
}
