//! The setup of a watch, settled once per run: the release, the projects in scope, the deploy the
//! watch is anchored to, the environment, and the baseline releases; and the deployed releases a
//! backtest replays.

use super::SentryData;
use super::need::PROJECTS;
use crate::gate::comparison::{oldest_of_newest, serving_periods};
use crate::gate::error::{GateError, LookError, ORG_TOKEN_NOTE};
use crate::gate::observations::{Anchor, BaselineRelease, Scope, Setup};
use crate::gate::policy::Baseline;
use crate::gate::wording::Setting;
use crate::sentry::ApiError;
use crate::sentry::api::releases::ReleaseFilter;
use crate::sentry::api::{self, Page};
use crate::sentry::models::{Deploy, Project, Release};
use crate::time::{parse_sentry_time, timestamp};
use chrono::{DateTime, TimeDelta, Utc};

/// Releases scanned for the previous deploy to the environment.
const RELEASES_SCANNED: usize = 50;

impl SentryData<'_> {
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
    pub(super) fn environment_not_found(&self, error: ApiError) -> LookError {
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
