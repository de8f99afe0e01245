//! The gate's questions to Sentry, asked through `sentry::api`: the projects, the deploy, the
//! baseline, the issue searches, and error, session and transaction counts.
//!
//! Every answer is classified: worth another look (rate limits, gateway errors), unavailable (a
//! missing scope under `--allow-partial`, an endpoint an older server lacks), or fatal.

use super::error::{GateError, LookError, is_transient};
use super::observations::{
    Anchor, BaselineRelease, ErrorRateData, ExposureKind, IssueSearch, Observations, Observed,
    Scope, SessionData, SessionTotals, Setup, Side, Unavailable, Window,
};
use super::policy::{Baseline, Policy};
use super::queries::{
    error_terms, new_issue_query, regressed_query, release_terms, transaction_terms,
};
use crate::sentry::api::events::CountQuery;
use crate::sentry::api::issues::IssueQuery;
use crate::sentry::api::releases::ReleaseFilter;
use crate::sentry::api::sessions::SessionQuery;
use crate::sentry::api::{self, Page};
use crate::sentry::models::{CommitFile, Deploy, Event, Issue};
use crate::sentry::{ApiError, Session};
use crate::time::parse_sentry_time;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// Most issues listed per search (the count still comes from Sentry's total).
const ISSUES_LISTED: usize = 100;
/// Releases scanned for the previous deploy to the environment.
const RELEASES_SCANNED: usize = 50;
/// Files read from a release's commits for attribution.
const CHANGED_FILES_READ: usize = 1000;

/// What a kind of request needs, for classifying its failures.
#[derive(Debug, Clone, Copy)]
struct Need {
    what: &'static str,
    scope: &'static str,
    /// An old server may lack it; its absence skips a rule instead of ending the run.
    optional: bool,
}

const ISSUES: Need = Need {
    what: "issues",
    scope: "event:read",
    optional: false,
};
const EVENTS: Need = Need {
    what: "error and transaction counts",
    scope: "org:read",
    optional: true,
};
const SESSIONS: Need = Need {
    what: "sessions",
    scope: "org:read",
    optional: true,
};
const PROJECTS: Need = Need {
    what: "projects",
    scope: "project:read",
    optional: false,
};

/// Asks Sentry what the gate needs, for one organization and policy.
pub struct SentryData<'a> {
    session: &'a Session,
    org: String,
    policy: &'a Policy,
}

impl<'a> SentryData<'a> {
    /// A data source for `org` under `policy`.
    pub fn new(session: &'a Session, org: String, policy: &'a Policy) -> Self {
        Self {
            session,
            org,
            policy,
        }
    }

    /// The web link of an issue that came without a permalink.
    pub fn issue_link(&self, issue: &Issue) -> String {
        issue
            .permalink
            .clone()
            .unwrap_or_else(|| self.session.web_url(&self.org, &["issues", &issue.id]))
    }

    fn settle<T>(&self, result: Result<T, ApiError>, need: Need) -> Result<Observed<T>, LookError> {
        match result {
            Ok(value) => Ok(Ok(value)),
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

    /// Settles the projects, the deploy and the baseline (once per run).
    pub async fn setup(&self, now: DateTime<Utc>) -> Result<Setup, LookError> {
        let mut notes = Vec::new();
        let scope = self.scope(&mut notes).await?;
        let anchor = self.anchor(now, &mut notes).await?;
        let baseline = self.baseline(&scope, &anchor).await?;
        Ok(Setup {
            scope,
            anchor,
            baseline,
            notes,
        })
    }

    async fn scope(&self, notes: &mut Vec<String>) -> Result<Scope, LookError> {
        let mut project_params = Vec::new();
        let mut sends: Vec<Option<bool>> = Vec::new();
        for slug in &self.policy.projects {
            let answer = self.session.project(&self.org, slug).await;
            match self.settle(answer, PROJECTS)? {
                Ok(project) => {
                    project_params.push(project.id);
                    sends.push(project.has_sessions);
                }
                Err(unavailable) => {
                    notes.push(format!(
                        "project {slug} is filtered by slug: {}",
                        unavailable.reason
                    ));
                    project_params.push(slug.clone());
                    sends.push(None);
                }
            }
        }
        let sends_sessions = if sends.contains(&Some(true)) {
            Some(true)
        } else if !sends.is_empty() && sends.iter().all(|s| *s == Some(false)) {
            Some(false)
        } else {
            None
        };
        Ok(Scope {
            project_params,
            sends_sessions,
        })
    }

    async fn deploys(&self, version: &str) -> Result<Vec<Deploy>, ApiError> {
        Ok(
            api::deploys::list(self.session.client(), &self.org, version)
                .await?
                .items,
        )
    }

    async fn anchor(
        &self,
        now: DateTime<Utc>,
        notes: &mut Vec<String>,
    ) -> Result<Anchor, LookError> {
        let version = &self.policy.version;
        let deploys = match self.deploys(version).await {
            Err(ApiError::NotFound { .. }) => {
                return Err(GateError::Usage(format!(
                    "release {version:?} was not found in organization {:?}: check VERSION, or create the release first (`sentry-companion release create`)",
                    self.org
                ))
                .into());
            }
            other => other?,
        };
        match latest_deploy(&deploys, &self.policy.environment, None) {
            Some((finished, started)) => Ok(Anchor {
                deployed: finished,
                issues_since: Some(started.filter(|s| *s <= finished).unwrap_or(finished)),
                recorded: true,
            }),
            None => {
                notes.push(format!(
                    "no deploy of {version} to {} is recorded in Sentry: the watch starts now and counts every issue first seen in the release",
                    self.policy.environment
                ));
                Ok(Anchor {
                    deployed: now,
                    issues_since: None,
                    recorded: false,
                })
            }
        }
    }

    async fn baseline(
        &self,
        scope: &Scope,
        anchor: &Anchor,
    ) -> Result<Result<BaselineRelease, String>, LookError> {
        let environment = &self.policy.environment;
        let version = match &self.policy.baseline {
            Baseline::Previous => {
                return Ok(self
                    .previous_release(scope, anchor.deployed)
                    .await?
                    .ok_or_else(|| {
                        format!(
                            "no earlier release was deployed to {environment}, so there is nothing to compare with"
                        )
                    }));
            }
            Baseline::Version(version) => version,
        };
        let deploys = match self.deploys(version).await {
            Err(ApiError::NotFound { .. }) => {
                return Err(GateError::Usage(format!(
                    "the baseline release {version:?} was not found: check --baseline"
                ))
                .into());
            }
            other => other?,
        };
        match latest_deploy(&deploys, environment, Some(anchor.deployed)) {
            Some((deployed, _)) => Ok(Ok(BaselineRelease {
                version: version.clone(),
                deployed,
            })),
            None => Err(GateError::Usage(format!(
                "the baseline release {version} has no deploy to {environment} before this release's, so its window cannot be matched: record one with `sentry-companion release deploy` or choose another --baseline"
            ))
            .into()),
        }
    }

    /// The release deployed to the environment most recently before `before`.
    async fn previous_release(
        &self,
        scope: &Scope,
        before: DateTime<Utc>,
    ) -> Result<Option<BaselineRelease>, ApiError> {
        let environment = &self.policy.environment;
        let filter = ReleaseFilter {
            environment,
            projects: &scope.project_params,
            sort: "date",
        };
        let releases = api::releases::list(
            self.session.client(),
            &self.org,
            filter,
            Page::first(RELEASES_SCANNED),
        )
        .await?;
        let mut best: Option<BaselineRelease> = None;
        for release in releases.items {
            if release.version == self.policy.version {
                continue;
            }
            let created = release.date_created.as_deref().and_then(parse_sentry_time);
            // Newest first: a release created before the best deploy found cannot beat it.
            if let (Some(best), Some(created)) = (&best, created)
                && created < best.deployed
            {
                break;
            }
            let deployed = match &release.last_deploy {
                Some(last) if last.environment == *environment => {
                    latest_deploy(std::slice::from_ref(last), environment, Some(before))
                }
                _ => None,
            };
            let deployed = match deployed {
                Some(found) => Some(found),
                None if release.deploy_count == Some(0) => None,
                None => latest_deploy(
                    &self.deploys(&release.version).await?,
                    environment,
                    Some(before),
                ),
            };
            if let Some((at, _)) = deployed
                && best.as_ref().is_none_or(|b| at > b.deployed)
            {
                best = Some(BaselineRelease {
                    version: release.version,
                    deployed: at,
                });
            }
        }
        Ok(best)
    }

    /// One look: every rule's data at `now`.
    pub async fn observe(
        &self,
        setup: &Setup,
        now: DateTime<Utc>,
    ) -> Result<Observations, LookError> {
        let since = setup.anchor.issues_since;
        let new_issues = self
            .search(setup, new_issue_query(self.policy, since), since, now)
            .await?;
        let regressed = self
            .search(setup, regressed_query(self.policy, since), since, now)
            .await?;
        let candidate_window = Window {
            start: setup.anchor.deployed,
            end: now.max(setup.anchor.deployed),
        };
        let baseline_window = setup.baseline.as_ref().ok().map(|b| {
            let end = (b.deployed + (candidate_window.end - candidate_window.start))
                .min(setup.anchor.deployed)
                .max(b.deployed);
            (
                b.version.clone(),
                Window {
                    start: b.deployed,
                    end,
                },
            )
        });
        let sessions = self
            .session_data(setup, candidate_window, baseline_window.as_ref())
            .await?;
        let errors = self
            .error_data(setup, candidate_window, baseline_window.as_ref(), &sessions)
            .await?;
        Ok(Observations {
            at: now,
            new_issues,
            regressed,
            sessions,
            errors,
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
            self.session.client(),
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
        self.settle(answer, ISSUES)
    }

    async fn session_data(
        &self,
        setup: &Setup,
        candidate: Window,
        baseline: Option<&(String, Window)>,
    ) -> Result<Observed<Option<SessionData>>, LookError> {
        if setup.scope.sends_sessions == Some(false) {
            return Ok(Ok(None));
        }
        let candidate_totals = match self.settle(
            self.sessions(setup, &self.policy.version, candidate).await,
            SESSIONS,
        )? {
            Ok(totals) => totals,
            Err(unavailable) => return Ok(Err(unavailable)),
        };
        let baseline_totals = match baseline {
            Some((version, window)) => self
                .settle(self.sessions(setup, version, *window).await, SESSIONS)?
                .ok(),
            None => None,
        };
        let seen_any =
            candidate_totals.sessions > 0 || baseline_totals.is_some_and(|b| b.sessions > 0);
        if setup.scope.sends_sessions.is_none() && !seen_any {
            return Ok(Ok(None));
        }
        Ok(Ok(Some(SessionData {
            candidate: candidate_totals,
            baseline: baseline_totals.filter(|b| b.sessions > 0),
        })))
    }

    async fn sessions(
        &self,
        setup: &Setup,
        version: &str,
        window: Window,
    ) -> Result<SessionTotals, ApiError> {
        let query = SessionQuery {
            query: &release_terms(version),
            environment: &self.policy.environment,
            projects: &setup.scope.project_params,
            start: window.start,
            end: window.end,
        };
        let counts = api::sessions::counts(self.session.client(), &self.org, query).await?;
        // The sessions API counts whole hours: the range it says it counted, else the asked one
        // widened to the hour.
        let start = window
            .start
            .duration_trunc(TimeDelta::hours(1))
            .unwrap_or(window.start);
        Ok(SessionTotals {
            sessions: counts.sessions,
            crashed: counts.crashed,
            range: Window {
                start: counts.start.unwrap_or(start),
                end: counts.end.unwrap_or(window.end),
            },
        })
    }

    async fn error_data(
        &self,
        setup: &Setup,
        candidate: Window,
        baseline: Option<&(String, Window)>,
        sessions: &Observed<Option<SessionData>>,
    ) -> Result<Observed<ErrorRateData>, LookError> {
        let version = &self.policy.version;
        let minutes = |window: Window| (window.minutes(), window);
        let Some((base_version, base_window)) = baseline else {
            // Nothing to compare with: the candidate's count alone, for the report.
            let side = self.side(setup, version, minutes(candidate)).await?;
            return Ok(side.map(|candidate| ErrorRateData {
                kind: ExposureKind::Minutes,
                candidate,
                baseline: None,
                note: None,
            }));
        };
        let session_pair = match sessions {
            Ok(Some(SessionData {
                candidate: c,
                baseline: Some(b),
            })) if c.sessions > 0 => Some((c, b)),
            _ => None,
        };
        let (kind, note, candidate_exposure, baseline_exposure) = match session_pair {
            Some((c, b)) => (
                ExposureKind::Sessions,
                None,
                (c.sessions as f64, c.range),
                (b.sessions as f64, b.range),
            ),
            None => match self
                .transactions(setup, version, candidate, base_version, *base_window)
                .await?
            {
                Ok(Some((c, b))) => (
                    ExposureKind::Transactions,
                    None,
                    (c, candidate),
                    (b, *base_window),
                ),
                Ok(None) => (
                    ExposureKind::Minutes,
                    None,
                    minutes(candidate),
                    minutes(*base_window),
                ),
                Err(unavailable) => (
                    ExposureKind::Minutes,
                    Some(unavailable.reason),
                    minutes(candidate),
                    minutes(*base_window),
                ),
            },
        };
        let candidate = match self.side(setup, version, candidate_exposure).await? {
            Ok(side) => side,
            Err(unavailable) => return Ok(Err(unavailable)),
        };
        let baseline = match self.side(setup, base_version, baseline_exposure).await? {
            Ok(side) => side,
            Err(unavailable) => return Ok(Err(unavailable)),
        };
        Ok(Ok(ErrorRateData {
            kind,
            candidate,
            baseline: Some(baseline),
            note,
        }))
    }

    /// One release's error count over the range its exposure was counted in.
    async fn side(
        &self,
        setup: &Setup,
        version: &str,
        (exposure, range): (f64, Window),
    ) -> Result<Observed<Side>, LookError> {
        let terms = error_terms(self.policy, version);
        let errors = self.count(setup, "errors", &terms, range).await;
        Ok(self.settle(errors, EVENTS)?.map(|errors| Side {
            version: version.to_owned(),
            window: range,
            errors,
            exposure,
        }))
    }

    /// Transactions of both releases, when both have some.
    async fn transactions(
        &self,
        setup: &Setup,
        version: &str,
        window: Window,
        base_version: &str,
        base_window: Window,
    ) -> Result<Observed<Option<(f64, f64)>>, LookError> {
        let candidate = match self.settle(
            self.count(setup, "spans", &transaction_terms(version), window)
                .await,
            EVENTS,
        )? {
            Ok(count) => count,
            Err(unavailable) => return Ok(Err(unavailable)),
        };
        if candidate == 0 {
            return Ok(Ok(None));
        }
        let baseline = match self.settle(
            self.count(
                setup,
                "spans",
                &transaction_terms(base_version),
                base_window,
            )
            .await,
            EVENTS,
        )? {
            Ok(count) => count,
            Err(unavailable) => return Ok(Err(unavailable)),
        };
        Ok(Ok(
            (baseline > 0).then_some((candidate as f64, baseline as f64))
        ))
    }

    async fn count(
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
        api::events::count(self.session.client(), &self.org, query).await
    }

    /// Files the release's commits changed.
    pub async fn changed_files(&self) -> Result<Vec<CommitFile>, ApiError> {
        api::releases::commit_files(
            self.session.client(),
            &self.org,
            &self.policy.version,
            CHANGED_FILES_READ,
        )
        .await
    }

    /// The latest event of an issue in the environment.
    pub async fn latest_event(&self, issue_id: &str) -> Result<Event, ApiError> {
        api::issues::event(
            self.session.client(),
            &self.org,
            issue_id,
            "latest",
            Some(&self.policy.environment),
        )
        .await
    }
}

/// The latest deploy to `environment` (finished before `before`, when given): (finished, started).
fn latest_deploy(
    deploys: &[Deploy],
    environment: &str,
    before: Option<DateTime<Utc>>,
) -> Option<(DateTime<Utc>, Option<DateTime<Utc>>)> {
    deploys
        .iter()
        .filter(|d| d.environment == environment)
        .filter_map(|d| {
            let finished = d.date_finished.as_deref().and_then(parse_sentry_time)?;
            let started = d.date_started.as_deref().and_then(parse_sentry_time);
            Some((finished, started))
        })
        .filter(|(finished, _)| before.is_none_or(|b| *finished < b))
        .max_by_key(|(finished, _)| *finished)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(text: &str) -> DateTime<Utc> {
        parse_sentry_time(text).unwrap()
    }

    #[test]
    fn the_latest_deploy_to_the_environment_wins() {
        let deploys: Vec<Deploy> = serde_json::from_value(json!([
            {"id": "1", "environment": "production", "dateFinished": "2026-03-01T10:00:00Z"},
            {"id": "2", "environment": "staging", "dateFinished": "2026-03-01T11:00:00Z"},
            {"id": "3", "environment": "production", "dateStarted": "2026-03-01T11:55:00Z", "dateFinished": "2026-03-01T12:00:00Z"},
        ]))
        .unwrap();
        assert_eq!(
            latest_deploy(&deploys, "production", None),
            Some((at("2026-03-01T12:00:00Z"), Some(at("2026-03-01T11:55:00Z"))))
        );
        assert_eq!(
            latest_deploy(&deploys, "production", Some(at("2026-03-01T11:00:00Z"))),
            Some((at("2026-03-01T10:00:00Z"), None))
        );
        assert_eq!(latest_deploy(&deploys, "dev", None), None);
    }
}
