//! `release backtest`: the gate replayed over the environment's latest deployed releases, each as
//! of its deploy plus the timeout, to see what it would have said before a team enforces it
//! (Kayenta's retrospective analysis, over every deploy at once).
//!
//! Each release is replayed by [`timeline::replay`] exactly as `release gate VERSION --at TIME`
//! would, under one policy; requests are paced, and a release whose data cannot be read is a row
//! that says why. `backtest_report` prints the rows and the summary.

use super::acks::Acks;
use super::backtest_report::{Backtest, Row};
use super::error::{GateError, LookError};
use super::judge::delta;
use super::pace::Pace;
use super::policy::{Policy, PolicySpec};
use super::sentry_data::SentryData;
use super::timeline;
use crate::exit::Exit;
use crate::output::sanitize::terminal_safe;
use crate::output::{OutputFormat, print_json, print_text};
use crate::sentry::Session;
use crate::time::timestamp;
use chrono::Utc;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The version the policy of the whole backtest is checked under (each row has its own).
const EVERY_RELEASE: &str = "(each release)";

/// A `release backtest` run.
#[derive(Debug, Clone)]
pub struct BacktestRequest {
    /// The policy replayed; its version is ignored (each release replays under its own).
    pub spec: PolicySpec,
    /// The acknowledged-issues file.
    pub acks: PathBuf,
    /// How many of the latest deployed releases to replay.
    pub last: usize,
    /// Time between requests to Sentry.
    pub pace: Duration,
    /// How the rows are printed.
    pub output: OutputFormat,
}

impl BacktestRequest {
    /// Releases replayed when `--last` is not given.
    pub const DEFAULT_LAST: usize = 20;
    /// The most releases one backtest replays.
    pub const MAX_LAST: usize = 100;
    /// Time between requests by default: 10 a second, well under Sentry's usual limits.
    pub const DEFAULT_PACE: Duration = Duration::from_millis(100);
}

/// Runs `release backtest`: lists the deploys, replays each, prints the rows and the summary.
pub async fn run(session: &Session, request: BacktestRequest) -> Result<Exit, GateError> {
    let mut progress = |line: String| eprintln!("{}", terminal_safe(&line));
    let backtest = replay_all(session, &request, &mut progress).await?;
    match request.output {
        OutputFormat::Text => print_text(&backtest.text()),
        OutputFormat::Json => print_json(&backtest),
    }
    Ok(Exit::Success)
}

/// Replays the gate over the latest deployed releases; `progress` hears one line per release.
pub async fn replay_all(
    session: &Session,
    request: &BacktestRequest,
    progress: &mut (dyn FnMut(String) + Send),
) -> Result<Backtest, GateError> {
    let template = Policy::from_spec(PolicySpec {
        version: EVERY_RELEASE.into(),
        ..request.spec.clone()
    })?;
    let org = session
        .default_org()
        .map(str::to_owned)
        .ok_or_else(|| GateError::Usage("no organization: pass --org or set SENTRY_ORG".into()))?;
    let acks = Acks::load(&request.acks)?;
    let pace = Arc::new(Pace::new(request.pace));
    let now = Utc::now();
    let listing = SentryData::new(session, org.clone(), &template).paced(Arc::clone(&pace));
    let deploys = listing
        .deployed_releases(now, request.last)
        .await
        .map_err(look_failed)?;
    if deploys.is_empty() {
        return Err(GateError::Usage(format!(
            "no release{} was deployed to {:?}: check --env (names are case-sensitive){}",
            in_projects(&template),
            template.environment,
            if template.projects.is_empty() {
                ""
            } else {
                " and --project"
            }
        )));
    }
    progress(format!(
        "replaying the gate over {} release(s) deployed to {}",
        deploys.len(),
        template.environment
    ));
    let total = deploys.len();
    let mut rows = Vec::new();
    for (number, (version, deployed)) in deploys.into_iter().enumerate() {
        let policy = Policy {
            version: version.clone(),
            ..template.clone()
        };
        let until = (deployed + delta(policy.timeout)).min(now);
        let data = SentryData::new(session, org.clone(), &policy)
            .paced(Arc::clone(&pace))
            .replaying();
        let replayed = timeline::replay(&data, &policy, &acks, until, &mut |_| {}).await;
        if let Err(error @ (GateError::OrgToken | GateError::MissingScope { .. })) = replayed {
            // The token, not this deploy: every row would say the same.
            return Err(error);
        }
        let row = Row::new(version, deployed, until, replayed);
        progress(format!(
            "[{}/{}] {} deployed {}: {}",
            number + 1,
            total,
            row.version,
            timestamp(row.deployed_at),
            row.outcome()
        ));
        rows.push(row);
    }
    Ok(Backtest::new(&template, rows))
}

/// ` of project(s) web, api` when the policy names projects.
fn in_projects(policy: &Policy) -> String {
    if policy.projects.is_empty() {
        String::new()
    } else {
        format!(" of project(s) {}", policy.projects.join(", "))
    }
}

/// A failed listing of the deploys: the backtest cannot start.
fn look_failed(error: LookError) -> GateError {
    match error {
        LookError::Transient(error) | LookError::OutOfTime(error) => GateError::Api(error),
        LookError::Fatal(error) => error,
    }
}
