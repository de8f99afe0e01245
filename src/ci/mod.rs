//! CI integration: GitHub Actions outputs, summaries and workflow commands; GitLab dotenv reports.
//!
//! Both take the environment as an explicit map (no global state), so every format is unit-tested.

pub mod github;
pub mod gitlab;

use std::collections::HashMap;

/// Environment variables, as read once from the process (or built by a test).
pub type Env = HashMap<String, String>;

/// Hands results to later steps: GitHub step outputs when running in GitHub Actions, else nothing.
pub fn publish_step_outputs(outputs: &[(&str, String)]) -> anyhow::Result<()> {
    let env: Env = std::env::vars().collect();
    if let Some(github) = github::GitHub::detect(&env) {
        for (name, value) in outputs {
            github.set_output(name, value)?;
        }
    }
    Ok(())
}
