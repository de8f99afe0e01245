//! The deploy gate: rules, statistics, acknowledgements and the report.

pub mod acks;
pub mod clock;
pub mod policy;
pub mod stats;

use crate::app::Exit;
use crate::cli::GateArgs;
use crate::config::Config;

/// Runs `release gate`.
pub async fn run(_config: &Config, _args: &GateArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("release gate is not built yet")
}
