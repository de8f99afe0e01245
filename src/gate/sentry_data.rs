//! The gate's questions to Sentry, asked through `sentry::api`: the release and its projects, the
//! deploy, the baselines, the issue searches, and error, session and transaction counts.
//!
//! Every answer is classified: worth another look (rate limits, gateway errors), unavailable (a
//! missing scope under `--allow-partial`, an endpoint an older server lacks), or fatal.

use super::comparison::{
    Exposures, Measured, matched_window, no_common_exposure, oldest_of_newest, serving_periods,
};
use super::error::{GateError, LookError, ORG_TOKEN_NOTE, is_transient};
use super::observations::{
    Anchor, BaselineRelease, ErrorRateData, ErrorRates, ExposureKind, IssueSearch, LatencyData,
    LatencySide, Observations, Observed, Scope, SessionTotals, Setup, Side, Unavailable, Window,
    WindowChoice,
};
use super::pace::Pace;
use super::policy::{Baseline, Policy};
use super::queries::{
    error_terms, failed_terms, new_issue_query, regressed_query, release_terms, slower_terms,
    transaction_terms,
};
use super::wording::Setting;
use crate::sentry::api::discover::{DiscoverQuery, TimeRange};
use crate::sentry::api::events::CountQuery;
use crate::sentry::api::issues::IssueQuery;
use crate::sentry::api::releases::ReleaseFilter;
use crate::sentry::api::sessions::SessionQuery;
use crate::sentry::api::{self, Page};
use crate::sentry::models::{CommitFile, Deploy, Event, Issue, Project, Release};
use crate::sentry::{ApiError, SentryClient, Session};
use crate::time::{parse_sentry_time, timestamp};
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde_json::Value;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

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

/// What counting an exposure kind needs.
fn need_of(kind: ExposureKind) -> Need {
    match kind {
        ExposureKind::Sessions => SESSIONS,
        ExposureKind::Transactions => EVENTS,
    }
}

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

    /// Settles the token, the projects, the deploy and the baselines (once per run).
    pub async fn setup(&self, now: DateTime<Utc>) -> Result<Setup, LookError> {
        let mut notes = Vec::new();
        if self.session.client().has_org_token() {
            if !self.policy.allow_partial {
                return Err(GateError::OrgToken.into());
            }
            notes.push(ORG_TOKEN_NOTE.to_owned());
        }
        let release = self.release().await?;
        let scope = self.scope(&release, &mut notes).await?;
        let anchor = self.anchor(now, &mut notes).await?;
        let baselines = self.baselines(&scope, &anchor, &mut notes).await?;
        Ok(Setup {
            scope,
            anchor,
            baselines,
            notes,
        })
    }

    async fn release(&self) -> Result<Release, LookError> {
        let version = &self.policy.version;
        match api::releases::get(self.client().await, &self.org, version).await {
            Err(ApiError::NotFound { .. }) => Err(GateError::Usage(format!(
                "release {version:?} was not found in organization {:?}: check {}, or create the release first ({})",
                self.org,
                self.name(Setting::Version),
                self.name(Setting::CreateRelease)
            ))
            .into()),
            other => Ok(other?),
        }
    }

    /// The configured projects, else the release's own: never every project of the organization,
    /// which would compare the release with another project's.
    async fn scope(&self, release: &Release, notes: &mut Vec<String>) -> Result<Scope, LookError> {
        let own: Vec<String> = release.projects.iter().map(|p| p.slug.clone()).collect();
        let slugs = if self.policy.projects.is_empty() {
            if own.is_empty() {
                return Err(GateError::Usage(format!(
                    "no project given and Sentry lists none for release {}: pass {}",
                    self.policy.version,
                    self.name(Setting::Project)
                ))
                .into());
            }
            notes.push(format!(
                "no project given: the gate looks at the release's projects ({})",
                own.join(", ")
            ));
            own
        } else {
            let strangers: Vec<&String> = self
                .policy
                .projects
                .iter()
                .filter(|slug| !own.is_empty() && !own.contains(slug))
                .collect();
            if !strangers.is_empty() && strangers.len() == self.policy.projects.len() {
                return Err(GateError::Usage(format!(
                    "release {} does not belong to project(s) {}; its projects are {}: check {}",
                    self.policy.version,
                    self.policy.projects.join(", "),
                    own.join(", "),
                    self.name(Setting::Project)
                ))
                .into());
            }
            if !strangers.is_empty() {
                notes.push(format!(
                    "release {} does not belong to {}: those project(s) add no data",
                    self.policy.version,
                    strangers
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            self.policy.projects.clone()
        };
        let mut project_params = Vec::new();
        let mut sends: Vec<Option<bool>> = Vec::new();
        for slug in &slugs {
            let answer = self.project(slug).await;
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

    /// A project by slug (read once per session).
    async fn project(&self, slug: &str) -> Result<Project, ApiError> {
        if let Some(pace) = &self.pace {
            pace.wait().await;
        }
        self.session.project(&self.org, slug).await
    }

    async fn deploys(&self, version: &str) -> Result<Vec<Deploy>, ApiError> {
        Ok(api::deploys::list(self.client().await, &self.org, version)
            .await?
            .items)
    }

    async fn anchor(
        &self,
        now: DateTime<Utc>,
        notes: &mut Vec<String>,
    ) -> Result<Anchor, LookError> {
        let version = &self.policy.version;
        let environment = &self.policy.environment;
        let deploys = self.deploys(version).await?;
        // A replay watches a deploy that had finished by the replayed instant (Sentry's times
        // are precise to the millisecond).
        let before = self.replay.then(|| now + TimeDelta::milliseconds(1));
        if let Some((finished, started)) = latest_deploy(&deploys, environment, before) {
            return Ok(Anchor {
                deployed: finished,
                since: Some(started.filter(|s| *s <= finished).unwrap_or(finished)),
                recorded: true,
            });
        }
        if self.replay {
            return Err(GateError::Usage(format!(
                "release {version} has no deploy to {environment} that finished before {}: a replay watches a recorded deploy, so choose a later time",
                timestamp(now)
            ))
            .into());
        }
        let mut elsewhere: Vec<&str> = deploys.iter().map(|d| d.environment.as_str()).collect();
        elsewhere.sort_unstable();
        elsewhere.dedup();
        if !elsewhere.is_empty() {
            return Err(GateError::Usage(format!(
                "release {version} has no deploy to environment {environment:?}; its deploys went to {}: check {} (names are case-sensitive), or record this deploy with {}",
                elsewhere.join(", "),
                self.name(Setting::Environment),
                self.policy.wording.record_deploy(version, environment)
            ))
            .into());
        }
        self.check_environment_exists().await?;
        notes.push(format!(
            "no deploy of {version} to {environment} is recorded in Sentry: the watch starts now and counts every issue first seen in the release"
        ));
        Ok(Anchor {
            deployed: now,
            since: None,
            recorded: false,
        })
    }

    /// Refuses an environment the organization does not know (a typo in `--env`); when the list
    /// cannot be read the run goes on, and a later 404 says the same.
    async fn check_environment_exists(&self) -> Result<(), LookError> {
        let Ok(known) = api::organizations::environments(self.client().await, &self.org).await
        else {
            return Ok(());
        };
        if known.is_empty() || known.contains(&self.policy.environment) {
            return Ok(());
        }
        Err(GateError::Usage(format!(
            "{}; the organization's environments are {}",
            self.unknown_environment(),
            known.join(", ")
        ))
        .into())
    }

    fn unknown_environment(&self) -> String {
        format!(
            "environment {:?} is not known in organization {:?}: check {} (names are case-sensitive)",
            self.policy.environment,
            self.org,
            self.name(Setting::Environment)
        )
    }

    /// A 404 from a list the environment filters, once the organization and release are known to
    /// exist: the environment is what Sentry did not find.
    fn environment_not_found(&self, error: ApiError) -> LookError {
        match error {
            ApiError::NotFound { .. } => GateError::Usage(self.unknown_environment()).into(),
            other => other.into(),
        }
    }

    async fn baselines(
        &self,
        scope: &Scope,
        anchor: &Anchor,
        notes: &mut Vec<String>,
    ) -> Result<Result<Vec<BaselineRelease>, String>, LookError> {
        let environment = &self.policy.environment;
        let start = anchor.window_start();
        let version = match &self.policy.baseline {
            Baseline::Recent(count) => {
                let recent = self
                    .recent_deploys(
                        &scope.project_params,
                        start,
                        *count,
                        Some(&self.policy.version),
                    )
                    .await
                    .map_err(|e| self.environment_not_found(e))?;
                if recent.is_empty() {
                    return Ok(Err(format!(
                        "no earlier release was deployed to {environment}, so there is nothing to compare with"
                    )));
                }
                if recent.len() < *count {
                    notes.push(format!(
                        "--baseline last:{count}: only {} earlier release(s) were deployed to {environment}, pooled",
                        recent.len()
                    ));
                }
                return Ok(Ok(serving_periods(recent, start)));
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
        match latest_deploy(&deploys, environment, Some(start)) {
            Some((deployed, _)) => Ok(Ok(vec![BaselineRelease {
                version: version.clone(),
                deployed,
                until: start,
            }])),
            None => Err(GateError::Usage(format!(
                "the baseline release {version} has no deploy to {environment} before this release's, so its windows cannot be chosen: record one with `sentry-companion release deploy` or choose another --baseline"
            ))
            .into()),
        }
    }

    /// The `count` releases of the policy's projects deployed to its environment most recently
    /// before `before`, newest first, as (version, deploy finished): what `release backtest`
    /// replays.
    pub async fn deployed_releases(
        &self,
        before: DateTime<Utc>,
        count: usize,
    ) -> Result<Vec<(String, DateTime<Utc>)>, LookError> {
        let mut project_params = Vec::new();
        for slug in &self.policy.projects {
            let project = self.project(slug).await;
            match self.settle(project, PROJECTS)? {
                Ok(project) => project_params.push(project.id),
                Err(_) => project_params.push(slug.clone()),
            }
        }
        self.recent_deploys(&project_params, before, count, None)
            .await
            .map_err(|e| self.environment_not_found(e))
    }

    /// The `count` releases deployed to the environment most recently before `before`, newest
    /// first, as (version, deploy finished), leaving out `skip`.
    async fn recent_deploys(
        &self,
        project_params: &[String],
        before: DateTime<Utc>,
        count: usize,
        skip: Option<&str>,
    ) -> Result<Vec<(String, DateTime<Utc>)>, ApiError> {
        let environment = &self.policy.environment;
        let filter = ReleaseFilter {
            environment,
            projects: project_params,
            sort: "date",
        };
        let releases = api::releases::list(
            self.client().await,
            &self.org,
            filter,
            Page::first(RELEASES_SCANNED.max(2 * count)),
        )
        .await?;
        let mut found: Vec<(String, DateTime<Utc>)> = Vec::new();
        for release in releases.items {
            if Some(release.version.as_str()) == skip {
                continue;
            }
            let created = release.date_created.as_deref().and_then(parse_sentry_time);
            // Newest first: a release created before the count-th newest deploy found cannot
            // be among the newest.
            if let (Some(oldest), Some(created)) = (oldest_of_newest(&found, count), created)
                && created < oldest
            {
                break;
            }
            let deployed = match &release.last_deploy {
                Some(last) if last.environment == *environment => {
                    latest_deploy(std::slice::from_ref(last), environment, Some(before))
                }
                _ => None,
            };
            // The last deploy is the only one when there is one: no need to list them.
            let only_one = release.deploy_count == Some(1) && release.last_deploy.is_some();
            let deployed = match deployed {
                Some(found) => Some(found),
                None if release.deploy_count == Some(0) || only_one => None,
                None => latest_deploy(
                    &self.deploys(&release.version).await?,
                    environment,
                    Some(before),
                ),
            };
            if let Some((at, _)) = deployed {
                found.push((release.version, at));
            }
        }
        found.sort_by_key(|(_, deployed)| std::cmp::Reverse(*deployed));
        found.truncate(count);
        Ok(found)
    }

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
    async fn baseline_window<T, Fut>(
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

    /// Transaction durations and failures of the candidate over its window and of each baseline
    /// over the window its transactions choose: counts, the percentile, and how many were slower
    /// than the baselines' percentile (the candidate's: `1 + margin` times it) or failed.
    async fn latency(
        &self,
        setup: &Setup,
        window: Window,
        baselines: &[BaselineRelease],
    ) -> Result<Observed<LatencyData>, LookError> {
        let version = &self.policy.version;
        let candidate = match self.settle(self.durations(setup, version, window).await, EVENTS)? {
            Ok(durations) => durations,
            Err(unavailable) => return Ok(Err(unavailable)),
        };
        let mut sides = vec![candidate.side(version, window, None)];
        let enough = (EVENTS, self.policy.minimums.transactions.max(1));
        for baseline in baselines {
            let measure = |window| self.durations(setup, &baseline.version, window);
            let transactions = |d: &Durations| d.transactions;
            match self
                .baseline_window(baseline, window, enough, measure, transactions)
                .await?
            {
                Ok((durations, range, choice)) => {
                    sides.push(durations.side(&baseline.version, range, Some(choice)))
                }
                Err(unavailable) => return Ok(Err(unavailable)),
            }
        }
        let threshold_ms = weighted_percentile(&sides[1..]);
        if let Some(threshold) = threshold_ms {
            let scaled = threshold * (1.0 + self.policy.latency.max_increase);
            for (index, side) in sides.iter_mut().enumerate() {
                if side.transactions == 0 {
                    continue;
                }
                let slower_than = if index == 0 { scaled } else { threshold };
                let slower = self
                    .count(
                        setup,
                        "spans",
                        &slower_terms(&side.version, slower_than),
                        side.window,
                    )
                    .await;
                let failed = self
                    .count(setup, "spans", &failed_terms(&side.version), side.window)
                    .await;
                match (self.settle(slower, EVENTS)?, self.settle(failed, EVENTS)?) {
                    (Ok(slower), Ok(failed)) => (side.slower, side.failed) = (slower, failed),
                    (Err(unavailable), _) | (_, Err(unavailable)) => return Ok(Err(unavailable)),
                }
            }
        }
        let candidate = sides.remove(0);
        Ok(Ok(LatencyData {
            threshold_ms,
            candidate,
            baselines: sides,
        }))
    }

    /// A release's transactions and its duration at the policy's percentile over a window.
    async fn durations(
        &self,
        setup: &Setup,
        version: &str,
        window: Window,
    ) -> Result<Durations, ApiError> {
        let percentile = self.policy.latency.aggregate();
        let fields = ["count()".to_owned(), percentile.clone()];
        let range = TimeRange::Between(timestamp(window.start), timestamp(window.end));
        let query = DiscoverQuery {
            dataset: "spans",
            fields: &fields,
            query: &transaction_terms(version),
            sort: None,
            projects: &setup.scope.project_params,
            environment: Some(&self.policy.environment),
            range: &range,
            limit: 1,
            cursor: None,
        };
        let (table, _) = api::discover::table(self.client().await, &self.org, &query).await?;
        let row = table.data.first();
        let number = |field: &str| row.and_then(|r| r.get(field)).and_then(Value::as_f64);
        let unit = table.meta.units.get(&percentile).and_then(Value::as_str);
        let transactions = number("count()").map_or(0, |n| n.round().max(0.0) as u64);
        Ok(Durations {
            transactions,
            percentile_ms: number(&percentile)
                .filter(|_| transactions > 0)
                .map(|value| value * milliseconds_per(unit)),
        })
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
        api::events::count(self.client().await, &self.org, query).await
    }

    /// Files the release's commits changed.
    pub async fn changed_files(&self) -> Result<Vec<CommitFile>, ApiError> {
        api::releases::commit_files(
            self.client().await,
            &self.org,
            &self.policy.version,
            CHANGED_FILES_READ,
        )
        .await
    }

    /// The latest event of an issue in the environment.
    pub async fn latest_event(&self, issue_id: &str) -> Result<Event, ApiError> {
        api::issues::event(
            self.client().await,
            &self.org,
            issue_id,
            "latest",
            Some(&self.policy.environment),
        )
        .await
    }
}

/// A release's transactions over a window and their duration at the policy's percentile.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Durations {
    transactions: u64,
    percentile_ms: Option<f64>,
}

impl Durations {
    /// The latency rule's view of it, before anything is counted against a threshold.
    fn side(self, version: &str, window: Window, choice: Option<WindowChoice>) -> LatencySide {
        LatencySide {
            version: version.to_owned(),
            window,
            choice,
            transactions: self.transactions,
            percentile_ms: self.percentile_ms,
            slower: 0,
            failed: 0,
        }
    }
}

/// The releases' durations at the percentile, weighted by their transactions (`None` when none
/// has transactions).
fn weighted_percentile(sides: &[LatencySide]) -> Option<f64> {
    let (weighted, transactions) = sides
        .iter()
        .filter_map(|side| Some((side.percentile_ms?, side.transactions as f64)))
        .filter(|(_, transactions)| *transactions > 0.0)
        .fold((0.0, 0.0), |(sum, total), (ms, n)| {
            (sum + ms * n, total + n)
        });
    (transactions > 0.0).then(|| weighted / transactions)
}

/// Milliseconds in one of Sentry's duration units (a missing unit is milliseconds).
fn milliseconds_per(unit: Option<&str>) -> f64 {
    match unit {
        Some("nanosecond") => 1e-6,
        Some("microsecond") => 1e-3,
        Some("second") => 1e3,
        Some("minute") => 6e4,
        _ => 1.0,
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
