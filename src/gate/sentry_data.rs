//! The gate's questions to Sentry: the deploy, the baseline, issue searches, error, session and
//! transaction counts, and what a release changed.
//!
//! Every answer is classified: worth another look (rate limits, gateway errors), unavailable (a
//! missing scope under `--allow-partial`, an endpoint an older server lacks), or fatal.

use super::error::{GateError, LookError, is_transient};
use super::policy::{Baseline, Policy};
use crate::api_path;
use crate::sentry::models::{CommitFile, Deploy, Issue, Project, Release};
use crate::sentry::{ApiError, PageSize};
use crate::tools::ToolContext;
use chrono::{DateTime, DurationRound, SecondsFormat, TimeDelta, Utc};
use serde_json::Value;

/// Most issues listed per search (the count still comes from Sentry's total).
const ISSUES_LISTED: usize = 100;
/// Releases scanned for the previous deploy to the environment.
const RELEASES_SCANNED: usize = 50;
/// Files read from a release's commits for attribution.
const CHANGED_FILES_READ: usize = 1000;

/// A span of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Inclusive start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
}

impl Window {
    /// Its length in minutes.
    pub fn minutes(&self) -> f64 {
        (self.end - self.start).num_milliseconds().max(0) as f64 / 60_000.0
    }
}

/// Sentry's timestamp form, e.g. `2026-03-01T12:00:00Z`.
pub fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Reads one of Sentry's ISO-8601 timestamps.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// What a rule could not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    /// The reason, for the report.
    pub reason: String,
    /// The scope the token lacks, when that is the reason.
    pub missing_scope: Option<&'static str>,
}

/// An answer, or why there is none.
pub type Observed<T> = Result<T, Unavailable>;

/// The projects the gate looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// Values of the `project` parameter: ids, or slugs when ids could not be read.
    pub project_params: Vec<String>,
    /// Whether the projects send sessions: `None` when unknown.
    pub sends_sessions: Option<bool>,
}

/// Where the watch starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    /// The deploy's `dateFinished` (or the start of the run when none is recorded): windows start here.
    pub deployed: DateTime<Utc>,
    /// Issues count from here: the deploy's start when recorded (a crash during the rollout counts).
    pub issues_since: Option<DateTime<Utc>>,
    /// Whether Sentry has a deploy of the release to the environment.
    pub recorded: bool,
}

/// The release compared against, and when it was deployed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineRelease {
    /// Its version.
    pub version: String,
    /// Its deploy to the environment.
    pub deployed: DateTime<Utc>,
}

/// What is settled once per run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    /// The projects.
    pub scope: Scope,
    /// The deploy.
    pub anchor: Anchor,
    /// The baseline, or why there is none.
    pub baseline: Result<BaselineRelease, String>,
    /// Things the report should mention.
    pub notes: Vec<String>,
}

/// One issue search and its answer.
#[derive(Debug, Clone)]
pub struct IssueSearch {
    /// The search as sent.
    pub query: String,
    /// The issues listed (at most a page).
    pub issues: Vec<Issue>,
    /// How many match in total.
    pub total: u64,
}

/// Sessions of one release in one window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionTotals {
    /// Sessions started.
    pub sessions: u64,
    /// Sessions that crashed.
    pub crashed: u64,
    /// The range Sentry counted (the sessions API rounds to whole hours).
    pub range: Window,
}

/// Session counts of the candidate and the baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionData {
    /// The release watched.
    pub candidate: SessionTotals,
    /// The baseline, when there is one with data.
    pub baseline: Option<SessionTotals>,
}

/// What error counts are divided by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExposureKind {
    /// Sessions (release health).
    Sessions,
    /// Transactions (performance monitoring).
    Transactions,
    /// Minutes of the window: nothing better is known.
    Minutes,
}

/// One release's errors and exposure in its window.
#[derive(Debug, Clone, PartialEq)]
pub struct Side {
    /// The release.
    pub version: String,
    /// The range counted.
    pub window: Window,
    /// Error events.
    pub errors: u64,
    /// Sessions, transactions or minutes.
    pub exposure: f64,
}

/// Error counts of the candidate and, when there is one, the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorRateData {
    /// What the counts are divided by.
    pub kind: ExposureKind,
    /// The release watched.
    pub candidate: Side,
    /// The baseline over the matched window.
    pub baseline: Option<Side>,
    /// Why a better exposure was not used, when that is worth saying.
    pub note: Option<String>,
}

/// Everything one look saw.
#[derive(Debug, Clone)]
pub struct Observations {
    /// When.
    pub at: DateTime<Utc>,
    /// Issues first seen in the release.
    pub new_issues: Observed<IssueSearch>,
    /// Issues that regressed in the release.
    pub regressed: Observed<IssueSearch>,
    /// Sessions, or `None` when the projects send none.
    pub sessions: Observed<Option<SessionData>>,
    /// Error counts.
    pub errors: Observed<ErrorRateData>,
}

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
    ctx: &'a ToolContext,
    org: String,
    policy: &'a Policy,
}

impl<'a> SentryData<'a> {
    /// A data source for `org` under `policy`.
    pub fn new(ctx: &'a ToolContext, org: String, policy: &'a Policy) -> Self {
        Self { ctx, org, policy }
    }

    /// The web link of an issue that came without a permalink.
    pub fn issue_link(&self, issue: &Issue) -> String {
        issue
            .permalink
            .clone()
            .unwrap_or_else(|| self.ctx.web_url(&self.org, &["issues", &issue.id]))
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
            let answer = self
                .ctx
                .client()
                .get(api_path!["projects", self.org, slug]?)
                .json::<Project>()
                .await;
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
        let listing = self
            .ctx
            .client()
            .get(api_path![
                "organizations",
                self.org,
                "releases",
                version,
                "deploys"
            ]?)
            .list::<Deploy>(100, PageSize::PerPage, None)
            .await?;
        Ok(listing.items)
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
        let releases = self
            .ctx
            .client()
            .get(api_path!["organizations", self.org, "releases"]?)
            .query("environment", environment)
            .query_each("project", &scope.project_params)
            .query("sort", "date")
            .list::<Release>(RELEASES_SCANNED, PageSize::PerPage, None)
            .await?;
        let mut best: Option<BaselineRelease> = None;
        for release in releases.items {
            if release.version == self.policy.version {
                continue;
            }
            let created = release.date_created.as_deref().and_then(parse_time);
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
        let mut request = self
            .ctx
            .client()
            .get(api_path!["organizations", self.org, "issues"]?)
            .query("query", &query)
            .query("environment", &self.policy.environment)
            .query_each("project", &setup.scope.project_params)
            .query("sort", "freq");
        if let Some(since) = since {
            // The search window also makes the listed counts those since the deploy.
            let end = now.max(since + TimeDelta::seconds(1));
            request = request
                .query("start", timestamp(since))
                .query("end", timestamp(end));
        }
        let answer = request
            .list::<Issue>(ISSUES_LISTED, PageSize::Limit, None)
            .await
            .map(|listing| IssueSearch {
                total: listing.hits.unwrap_or(0).max(listing.items.len() as u64),
                issues: listing.items,
                query,
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
        let answer: Value = self
            .ctx
            .client()
            .get(api_path!["organizations", self.org, "sessions"]?)
            .query_each("field", ["sum(session)", "crash_free_rate(session)"])
            .query("query", format!("release:{}", search_value(version)))
            .query("environment", &self.policy.environment)
            .query_each("project", &setup.scope.project_params)
            .query("start", timestamp(window.start))
            .query("end", timestamp(window.end))
            .query("interval", "1h")
            .query("includeSeries", 0)
            .json()
            .await?;
        Ok(session_totals(&answer, window))
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
        let errors = self
            .count(setup, "errors", &self.error_terms(version), range)
            .await;
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
        let terms = |v: &str| format!("is_transaction:true release:{}", search_value(v));
        let candidate = match self.settle(
            self.count(setup, "spans", &terms(version), window).await,
            EVENTS,
        )? {
            Ok(count) => count,
            Err(unavailable) => return Ok(Err(unavailable)),
        };
        if candidate == 0 {
            return Ok(Ok(None));
        }
        let baseline = match self.settle(
            self.count(setup, "spans", &terms(base_version), base_window)
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

    fn error_terms(&self, version: &str) -> String {
        // `!event.type:transaction` rather than `event.type:error`: message events at error level
        // count too, and servers that ignore `dataset` would otherwise mix in transactions.
        format!(
            "!event.type:transaction release:{} {}",
            search_value(version),
            self.policy.level.search_term()
        )
    }

    async fn count(
        &self,
        setup: &Setup,
        dataset: &str,
        terms: &str,
        window: Window,
    ) -> Result<u64, ApiError> {
        let answer: Value = self
            .ctx
            .client()
            .get(api_path!["organizations", self.org, "events"]?)
            .query("dataset", dataset)
            .query("field", "count()")
            .query("query", terms)
            .query("environment", &self.policy.environment)
            .query_each("project", &setup.scope.project_params)
            .query("start", timestamp(window.start))
            .query("end", timestamp(window.end))
            .query("per_page", 1)
            .json()
            .await?;
        Ok(answer
            .pointer("/data/0/count()")
            .and_then(Value::as_f64)
            .map_or(0, |n| n.round().max(0.0) as u64))
    }

    /// Files the release's commits changed.
    pub async fn changed_files(&self) -> Result<Vec<CommitFile>, ApiError> {
        let listing = self
            .ctx
            .client()
            .get(api_path![
                "organizations",
                self.org,
                "releases",
                self.policy.version,
                "commitfiles"
            ]?)
            .list::<CommitFile>(CHANGED_FILES_READ, PageSize::PerPage, None)
            .await?;
        Ok(listing.items)
    }

    /// The latest event of an issue in the environment, as Sentry sends it.
    pub async fn latest_event(&self, issue_id: &str) -> Result<Value, ApiError> {
        self.ctx
            .client()
            .get(api_path![
                "organizations",
                self.org,
                "issues",
                issue_id,
                "events",
                "latest"
            ]?)
            .query("environment", &self.policy.environment)
            .json()
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
            let finished = d.date_finished.as_deref().and_then(parse_time)?;
            let started = d.date_started.as_deref().and_then(parse_time);
            Some((finished, started))
        })
        .filter(|(finished, _)| before.is_none_or(|b| *finished < b))
        .max_by_key(|(finished, _)| *finished)
}

/// Reads the sessions API's totals; crashed sessions come from the crash-free fraction.
fn session_totals(answer: &Value, asked: Window) -> SessionTotals {
    let mut sessions = 0u64;
    let mut crashed = 0u64;
    for group in answer
        .get("groups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let totals = &group["totals"];
        let count = totals["sum(session)"].as_f64().unwrap_or(0.0).max(0.0);
        let crash_free = totals["crash_free_rate(session)"].as_f64().unwrap_or(1.0);
        sessions += count.round() as u64;
        crashed += (count * (1.0 - crash_free.clamp(0.0, 1.0))).round() as u64;
    }
    let bound = |key: &str, fallback: DateTime<Utc>| {
        answer
            .get(key)
            .and_then(Value::as_str)
            .and_then(parse_time)
            .unwrap_or(fallback)
    };
    SessionTotals {
        sessions,
        crashed,
        range: Window {
            start: bound(
                "start",
                asked
                    .start
                    .duration_trunc(TimeDelta::hours(1))
                    .unwrap_or(asked.start),
            ),
            end: bound("end", asked.end),
        },
    }
}

/// A search value, quoted when it holds characters the search grammar would split on.
pub fn search_value(value: &str) -> String {
    let plain = !value.is_empty()
        && !value.starts_with('[')
        && !value
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '(' | ')' | '"' | ','));
    if plain {
        value.to_owned()
    } else {
        format!("\"{}\"", value.replace('"', "\\\""))
    }
}

fn with_extra_terms(mut terms: Vec<String>, policy: &Policy) -> String {
    terms.push(policy.level.search_term());
    terms.extend(policy.query.clone());
    terms.join(" ")
}

/// `firstRelease:V firstSeen:>=T level:[...] EXTRA`: issues first seen in the release since the deploy.
pub fn new_issue_query(policy: &Policy, since: Option<DateTime<Utc>>) -> String {
    let mut terms = vec![format!("firstRelease:{}", search_value(&policy.version))];
    terms.extend(since.map(|t| format!("firstSeen:>={}", timestamp(t))));
    with_extra_terms(terms, policy)
}

/// `is:regressed release:V lastSeen:>=T level:[...] EXTRA`: regressed issues seen in the release since the deploy.
pub fn regressed_query(policy: &Policy, since: Option<DateTime<Utc>>) -> String {
    let mut terms = vec![
        "is:regressed".to_owned(),
        format!("release:{}", search_value(&policy.version)),
    ];
    terms.extend(since.map(|t| format!("lastSeen:>={}", timestamp(t))));
    with_extra_terms(terms, policy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::policy::Policy;
    use serde_json::json;

    fn at(text: &str) -> DateTime<Utc> {
        parse_time(text).unwrap()
    }

    fn policy(query: Option<&str>) -> Policy {
        let mut policy = Policy::single_check("1.2.0", "production", vec![]).unwrap();
        policy.query = query.map(str::to_owned);
        policy
    }

    #[test]
    fn issue_searches_use_the_release_the_deploy_time_and_the_level() {
        let since = Some(at("2026-03-01T12:00:00Z"));
        assert_eq!(
            new_issue_query(&policy(Some("!transaction:/health")), since),
            "firstRelease:1.2.0 firstSeen:>=2026-03-01T12:00:00Z level:[error,fatal] !transaction:/health"
        );
        assert_eq!(
            regressed_query(&policy(None), since),
            "is:regressed release:1.2.0 lastSeen:>=2026-03-01T12:00:00Z level:[error,fatal]"
        );
        assert_eq!(
            new_issue_query(&policy(None), None),
            "firstRelease:1.2.0 level:[error,fatal]"
        );
    }

    #[test]
    fn values_with_spaces_or_quotes_are_quoted() {
        assert_eq!(search_value("web@1.2.0+build"), "web@1.2.0+build");
        assert_eq!(search_value("my app 1.0"), "\"my app 1.0\"");
        assert_eq!(search_value("a\"b"), "\"a\\\"b\"");
        assert_eq!(search_value("[x]"), "\"[x]\"");
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

    #[test]
    fn session_totals_read_the_crash_free_fraction_and_the_counted_range() {
        let answer = json!({
            "start": "2026-03-01T12:00:00Z", "end": "2026-03-01T13:00:00Z",
            "groups": [{"by": {}, "totals": {"sum(session)": 2000, "crash_free_rate(session)": 0.995}}]
        });
        let asked = Window {
            start: at("2026-03-01T12:05:00Z"),
            end: at("2026-03-01T12:15:00Z"),
        };
        let totals = session_totals(&answer, asked);
        assert_eq!((totals.sessions, totals.crashed), (2000, 10));
        assert_eq!(totals.range.end, at("2026-03-01T13:00:00Z"));
        let empty = session_totals(&json!({"groups": []}), asked);
        assert_eq!((empty.sessions, empty.crashed), (0, 0));
        assert_eq!(empty.range.start, at("2026-03-01T12:00:00Z"));
    }
}
