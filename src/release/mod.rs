//! The release workflow: versions, creation from git history, finalize and deploy.
//!
//! `finalize` and `deploy` run the same registry tools an MCP client calls.

pub mod api;
pub mod create;
pub mod payload;
pub mod progress;
pub mod repository;
pub mod version;

use crate::app::Exit;
use crate::cli::{DeployArgs, FinalizeArgs};
use crate::config::Config;
use crate::tools::{Registry, ToolContext, ToolOutput};
use serde_json::{Value, json};
use std::sync::Arc;

/// Runs `release finalize`.
pub async fn finalize(config: &Config, args: &FinalizeArgs) -> anyhow::Result<Exit> {
    let released = optional_timestamp(args.released.as_deref(), "--released")?;
    let arguments = json!({"version": args.version, "date_released": released});
    run_tool(config, "finalize_release", arguments).await?;
    Ok(Exit::Success)
}

/// Runs `release deploy`.
pub async fn deploy(config: &Config, args: &DeployArgs) -> anyhow::Result<Exit> {
    let arguments = json!({
        "version": args.version,
        "environment": args.environment,
        "name": args.name,
        "url": args.deploy_url,
        "date_started": optional_timestamp(args.started.as_deref(), "--started")?,
        "date_finished": optional_timestamp(args.finished.as_deref(), "--finished")?,
        "projects": (!config.projects.is_empty()).then_some(&config.projects),
    });
    let output = run_tool(config, "create_deploy", arguments).await?;
    let deploy_id = output.structured["deploy"]["id"]
        .as_str()
        .unwrap_or_default();
    crate::ci::publish_step_outputs(&[("deploy_id", deploy_id.to_owned())])?;
    Ok(Exit::Success)
}

async fn run_tool(config: &Config, name: &str, arguments: Value) -> anyhow::Result<ToolOutput> {
    let context = Arc::new(ToolContext::from_config(config)?);
    let output = Registry::new()
        .call(context, name, arguments, false)
        .await?;
    output.print(config.output);
    Ok(output)
}

fn optional_timestamp(value: Option<&str>, flag: &str) -> anyhow::Result<Option<String>> {
    parse_optional_timestamp(value, flag).map_err(anyhow::Error::msg)
}

/// [`parse_timestamp`] for an optional value.
pub fn parse_optional_timestamp(value: Option<&str>, what: &str) -> Result<Option<String>, String> {
    value.map(|v| parse_timestamp(v, what)).transpose()
}

/// Checks an RFC 3339 date and returns it in UTC; the error names `what` and shows the form.
pub fn parse_timestamp(value: &str, what: &str) -> Result<String, String> {
    chrono::DateTime::parse_from_rfc3339(value.trim())
        .map(|date| {
            date.with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        })
        .map_err(|e| {
            format!("{what} {value:?} is not an RFC 3339 date ({e}): use e.g. 2024-05-01T12:00:00Z")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_checked_and_normalised_to_utc() {
        assert_eq!(
            parse_timestamp("2024-05-01T14:00:00+02:00", "--started").unwrap(),
            "2024-05-01T12:00:00Z"
        );
        let err = parse_timestamp("yesterday", "--started").unwrap_err();
        assert!(
            err.contains("--started") && err.contains("RFC 3339"),
            "{err}"
        );
    }
}
