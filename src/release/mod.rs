//! The release workflow: versions, creation from git history, finalize and deploy.

pub mod create;
pub mod version;

use crate::app::Exit;
use crate::cli::{DeployArgs, FinalizeArgs};
use crate::config::Config;

/// Runs `release finalize`.
pub async fn finalize(_config: &Config, _args: &FinalizeArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("release finalize is not built yet")
}

/// Runs `release deploy`.
pub async fn deploy(_config: &Config, _args: &DeployArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("release deploy is not built yet")
}
