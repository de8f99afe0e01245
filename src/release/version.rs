//! `release propose-version`.

use crate::app::Exit;
use crate::cli::ProposeVersionArgs;
use crate::config::Config;

/// Runs `release propose-version`.
pub fn run(_config: &Config, _args: &ProposeVersionArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("release propose-version is not built yet")
}
