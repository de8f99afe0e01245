//! The deploy gate: watch a release after its deploy and decide pass, fail or inconclusive.
//!
//! `policy` settles what is asked (a [`PolicySpec`] whose `Default` holds the defaults),
//! `sentry_data` asks Sentry through `sentry::api` and fills in `observations`, `comparison`
//! chooses the baselines' windows and the exposure the rates share, `queries` writes the search
//! syntax, `rules` and `stats` judge one look (pure functions), `timeline` repeats the
//! looks until a verdict, `report` and `outputs` say what was found. The MCP tool
//! `check_release_health` runs the same watch with a policy of one look.

pub mod acks;
pub mod attribution;
pub mod backtest;
pub mod backtest_report;
pub mod budget;
pub mod chart;
pub mod clock;
pub mod comparison;
pub mod error;
pub mod judge;
pub mod observations;
pub mod outputs;
pub mod pace;
pub mod policy;
pub mod queries;
pub mod rate_decision;
pub mod report;
pub mod rules;
pub mod sentry_data;
pub mod stats;
pub mod timeline;
pub mod wording;

pub use backtest::BacktestRequest;
pub use error::GateError;
pub use policy::{OnInconclusive, PolicySpec};

use crate::ci::Env;
use crate::ci::github::{GitHub, error_command};
use crate::exit::Exit;
use crate::output::OutputFormat;
use crate::output::sanitize::terminal_safe;
use crate::sentry::Session;
use crate::time::timestamp;
use acks::Acks;
use chrono::{DateTime, Utc};
use clock::SystemClock;
use outputs::{Files, Streams, publish};
use policy::Policy;
use sentry_data::SentryData;
use std::path::PathBuf;

/// A `release gate` run: the policy asked for and where the results go.
#[derive(Debug, Clone)]
pub struct GateRequest {
    /// The policy asked for.
    pub spec: PolicySpec,
    /// The acknowledged-issues file.
    pub acks: PathBuf,
    /// Replay the watch as of this past instant instead of watching live (`--at`).
    pub at: Option<DateTime<Utc>>,
    /// Also write the report as a GitLab dotenv file here.
    pub dotenv: Option<PathBuf>,
    /// Also write the report as Markdown here, chart included (a GitLab artifact).
    pub markdown: Option<PathBuf>,
    /// How the report is printed.
    pub output: OutputFormat,
}

/// Runs `release gate`: prints the policy, watches, reports, and exits per the verdict.
pub async fn run(session: &Session, request: GateRequest) -> Result<Exit, GateError> {
    let env: Env = std::env::vars().collect();
    let github = GitHub::detect(&env);
    let output = request.output;
    let result = watch_and_report(session, request, github.as_ref()).await;
    if let (Err(error), Some(_)) = (&result, &github) {
        // A gate that could not decide should be as visible on the run as one that failed.
        let command = error_command(Some("Deploy gate error"), &error.to_string());
        match output {
            OutputFormat::Text => println!("{command}"),
            OutputFormat::Json => eprintln!("{command}"),
        }
    }
    result
}

async fn watch_and_report(
    session: &Session,
    request: GateRequest,
    github: Option<&GitHub>,
) -> Result<Exit, GateError> {
    let policy = Policy::from_spec(request.spec)?;
    let org = session
        .default_org()
        .map(str::to_owned)
        .ok_or_else(|| GateError::Usage("no organization: pass --org or set SENTRY_ORG".into()))?;
    let acks = Acks::load(&request.acks)?;
    match request.output {
        OutputFormat::Text => println!("{}\n", terminal_safe(&policy.describe())),
        OutputFormat::Json => eprintln!("{}", terminal_safe(&policy.describe())),
    }
    let data = SentryData::new(session, org, &policy);
    let mut progress = |line: String| eprintln!("{}", terminal_safe(&line));
    let report = match request.at {
        Some(at) => {
            if at > Utc::now() {
                return Err(GateError::Usage(format!(
                    "--at {} is in the future: a replay looks at a past instant (leave --at out to watch live)",
                    timestamp(at)
                )));
            }
            let data = data.replaying();
            timeline::replay(&data, &policy, &acks, at, &mut progress).await?
        }
        None => timeline::watch(&data, &policy, &acks, &SystemClock, &mut progress).await?,
    };
    let (mut stdout, mut stderr) = (std::io::stdout().lock(), std::io::stderr().lock());
    let streams = Streams {
        stdout: &mut stdout,
        stderr: &mut stderr,
    };
    let files = Files {
        dotenv: request.dotenv.as_deref(),
        markdown: request.markdown.as_deref(),
    };
    publish(&report, request.output, github, files, streams)?;
    Ok(policy.exit_for(report.verdict))
}
