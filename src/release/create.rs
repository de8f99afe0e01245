//! `release create`: commits and refs from git history, sent in one request.

use crate::app::Exit;
use crate::cli::CreateArgs;
use crate::config::Config;

/// Runs `release create`.
pub async fn run(_config: &Config, _args: &CreateArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("release create is not built yet")
}
