//! The deploy gate: watch a release after its deploy and decide pass, fail or inconclusive.
//!
//! `sentry_data` asks Sentry, `rules` and `stats` judge one look (pure functions), `timeline`
//! repeats the looks until a verdict, `report` and `outputs` say what was found. The MCP tool
//! `check_release_health` runs the same watch with a policy of one look.

pub mod acks;
pub mod attribution;
pub mod clock;
pub mod error;
pub mod outputs;
pub mod policy;
pub mod rate_decision;
pub mod report;
pub mod rules;
pub mod sentry_data;
pub mod stats;
pub mod timeline;

use crate::app::Exit;
use crate::ci::Env;
use crate::ci::github::{GitHub, error_command};
use crate::cli::GateArgs;
use crate::config::{Config, OutputFormat};
use crate::tools::ToolContext;
use acks::Acks;
use anyhow::Context;
use clock::SystemClock;
use outputs::{Streams, publish};
use policy::Policy;
use sentry_data::SentryData;

/// Runs `release gate`: prints the policy, watches, reports, and exits per the verdict.
pub async fn run(config: &Config, args: &GateArgs) -> anyhow::Result<Exit> {
    let env: Env = std::env::vars().collect();
    let github = GitHub::detect(&env);
    let result = watch_and_report(config, args, github.as_ref()).await;
    if let (Err(error), Some(_)) = (&result, &github) {
        // A gate that could not decide should be as visible on the run as one that failed.
        let command = error_command(Some("Deploy gate error"), &format!("{error:#}"));
        match config.output {
            OutputFormat::Text => println!("{command}"),
            OutputFormat::Json => eprintln!("{command}"),
        }
    }
    result
}

async fn watch_and_report(
    config: &Config,
    args: &GateArgs,
    github: Option<&GitHub>,
) -> anyhow::Result<Exit> {
    let policy = Policy::from_args(args, config.projects.clone()).map_err(anyhow::Error::msg)?;
    let org = config
        .org
        .clone()
        .context("no organization: pass --org or set SENTRY_ORG")?;
    let acks = Acks::load(&args.acks).map_err(anyhow::Error::msg)?;
    let ctx = ToolContext::from_config(config)?;
    match config.output {
        OutputFormat::Text => println!("{}\n", policy.describe()),
        OutputFormat::Json => eprintln!("{}", policy.describe()),
    }
    let data = SentryData::new(&ctx, org, &policy);
    let mut progress = |line: String| eprintln!("{line}");
    let report = timeline::watch(&data, &policy, &acks, &SystemClock, &mut progress).await?;
    let (mut stdout, mut stderr) = (std::io::stdout().lock(), std::io::stderr().lock());
    let streams = Streams {
        stdout: &mut stdout,
        stderr: &mut stderr,
    };
    publish(
        &report,
        config.output,
        github,
        args.dotenv.as_deref(),
        streams,
    )?;
    Ok(policy.exit_for(report.verdict))
}
