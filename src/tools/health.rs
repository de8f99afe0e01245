//! Tools: check_release_health, one evaluation of the deploy gate's rules.

use super::context::ToolContext;
use super::error::ToolError;
use super::output::ToolOutput;
use super::tool::{Effects, Tool};
use crate::gate::acks::Acks;
use crate::gate::clock::SystemClock;
use crate::gate::error::GateError;
use crate::gate::policy::Policy;
use crate::gate::sentry_data::SentryData;
use crate::gate::timeline::watch;
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;

/// The tools of this module.
pub fn tools() -> Vec<Tool> {
    vec![Tool::new::<HealthParams, _, _>(
        "check_release_health",
        "Check release health",
        "Judge a deployed release now with the deploy gate's rules: new and regressed issues since \
         the deploy, error rate against the previously deployed release, crash-free sessions. \
         Returns pass/fail/inconclusive with the numbers and issues behind each rule.",
        Effects::READ,
        check_release_health,
    )]
}

/// Parameters of `check_release_health`.
#[derive(Debug, Deserialize, JsonSchema)]
struct HealthParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    version: String,
    /// Environment deployed to, e.g. production.
    environment: String,
    /// Project slug (default: the configured project, else every project).
    project_slug: Option<String>,
}

async fn check_release_health(
    ctx: Arc<ToolContext>,
    params: HealthParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let project = params
        .project_slug
        .filter(|p| !p.trim().is_empty())
        .or_else(|| ctx.default_project().map(str::to_owned));
    let policy = Policy::single_check(
        &params.version,
        &params.environment,
        project.into_iter().collect(),
    )
    .map_err(|e| ToolError::InvalidInput(e.to_string()))?;
    let data = SentryData::new(ctx.session(), org, &policy);
    let report = watch(&data, &policy, &Acks::default(), &SystemClock, &mut |_| {})
        .await
        .map_err(|error| match error {
            GateError::Api(api) => ToolError::Api(api),
            other => ToolError::Failed(other.to_string()),
        })?;
    let structured = serde_json::to_value(&report)
        .map_err(|e| ToolError::Failed(format!("cannot render the report: {e}")))?;
    Ok(ToolOutput::new(structured, report.text()))
}
