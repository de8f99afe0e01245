//! Tools: releases and deploys.

use super::context::{Limit, ToolContext, list_limit};
use super::error::ToolError;
use super::output::{ListAnswer, ToolOutput};
use super::tool::{Effects, Tool};
use crate::release::describe::{
    deploy_answer, deploy_json, deploy_line, release_answer, release_json, release_line,
};
use crate::release::limits::{check_version, enforce_limits};
use crate::sentry::api::deploys::NewDeploy;
use crate::sentry::api::releases::{CommitPayload, NewRelease, RefPayload, ReleaseChanges};
use crate::sentry::api::{self, Page};
use crate::sentry::models::{Commit, Release};
use crate::text::split_list;
use crate::time::{now_timestamp, parse_optional_user_time, short_time};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

/// The tools of this module.
pub fn tools() -> Vec<Tool> {
    vec![
        Tool::new::<ListReleasesParams, _, _>(
            "list_releases",
            "List releases",
            "A project's releases, newest first.",
            Effects::READ,
            list_releases,
        ),
        Tool::new::<VersionParams, _, _>(
            "get_release",
            "Get a release",
            "A release with its deploys and newest commits.",
            Effects::READ,
            get_release_tool,
        ),
        Tool::new::<CreateReleaseParams, _, _>(
            "create_release",
            "Create a release",
            "Create or extend a release; refs or commits replace its commits.",
            Effects::IDEMPOTENT_WRITE,
            create_release,
        ),
        Tool::new::<FinalizeReleaseParams, _, _>(
            "finalize_release",
            "Finalize a release",
            "Mark a release released (default now).",
            Effects::IDEMPOTENT_WRITE,
            finalize_release,
        ),
        Tool::new::<CreateDeployParams, _, _>(
            "create_deploy",
            "Record a deploy",
            "Record a deploy of a release; each call adds one.",
            Effects::ADDITIVE_WRITE,
            create_deploy,
        ),
        Tool::new::<VersionParams, _, _>(
            "list_deploys",
            "List deploys",
            "A release's deploys.",
            Effects::READ,
            list_deploys,
        ),
    ]
}

#[derive(Debug, Deserialize, JsonSchema)]
struct ListReleasesParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    #[schemars(required)]
    project_slug: Option<String>,
    limit: Option<Limit>,
    cursor: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct VersionParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    version: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct CreateReleaseParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    version: String,
    projects: Vec<String>,
    refs: Option<Vec<RefPayload>>,
    commits: Option<Vec<CommitPayload>>,
    /// Finalizes the release.
    date_released: Option<String>,
    url: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct FinalizeReleaseParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    version: String,
    /// Default now.
    date_released: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct CreateDeployParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    version: String,
    environment: String,
    name: Option<String>,
    url: Option<String>,
    date_started: Option<String>,
    /// Default now.
    date_finished: Option<String>,
    projects: Option<Vec<String>>,
}

async fn list_releases(
    ctx: Arc<ToolContext>,
    params: ListReleasesParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let project = ctx.project(params.project_slug)?;
    let limit = list_limit(params.limit)?;
    let listing = api::projects::list_releases(
        ctx.client(),
        &org,
        &project,
        Page::from(limit, params.cursor),
    )
    .await?;
    let heading = match listing.items.len() {
        0 => format!("No releases in project {project}."),
        _ => format!("Releases of {project} (newest first):"),
    };
    let answer = ListAnswer {
        heading,
        key: "releases",
        fields: json!({ "organization": org, "project": project }),
    };
    Ok(answer.render(
        &listing,
        |release| format!("- {}", release_line(release)),
        |release| release_json(release, &release_url(&ctx, &org, release)),
    ))
}

/// Commits `get_release` lists (the count says how many there are).
const COMMITS_SHOWN: usize = 5;

async fn get_release_tool(
    ctx: Arc<ToolContext>,
    params: VersionParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let client = ctx.client();
    let version = &params.version;
    let (release, deploys, commits) = tokio::join!(
        api::releases::get(client, &org, version),
        api::deploys::list(client, &org, version),
        api::releases::commits(client, &org, version, Page::first(COMMITS_SHOWN)),
    );
    let mut output = release_output(&ctx, &org, &release?, "Release")?;
    let mut lines = vec![output.text];
    match deploys {
        Ok(deploys) => {
            lines.push(format!("Deploys ({}):", deploys.items.len()));
            lines.extend(
                deploys
                    .items
                    .iter()
                    .map(|d| format!("- {}", deploy_line(d))),
            );
            output.structured["deploys"] = deploys.items.iter().map(deploy_json).collect();
        }
        Err(error) => lines.push(format!("Deploys could not be read: {error}")),
    }
    match commits {
        Ok(commits) => {
            let total = output.structured["commit_count"].as_u64();
            lines.push(commits_heading(commits.items.len(), total));
            lines.extend(
                commits
                    .items
                    .iter()
                    .map(|c| format!("- {}", commit_line(c))),
            );
            output.structured["commits"] = commits.items.iter().map(commit_json).collect();
        }
        Err(error) => lines.push(format!("Commits could not be read: {error}")),
    }
    output.text = lines.join("\n");
    Ok(output)
}

/// `Commits (12; the newest 5):`, or all of them when few.
fn commits_heading(shown: usize, total: Option<u64>) -> String {
    match total {
        Some(total) if total > shown as u64 => {
            format!("Commits ({total}; the newest {shown}):")
        }
        _ => format!("Commits ({shown}):"),
    }
}

/// `abc1234 Fix the cart total (Jane Doe, 2025-04-01T10:00:00Z)`.
fn commit_line(commit: &Commit) -> String {
    let sha: String = commit.id.chars().take(12).collect();
    let message = commit
        .message
        .as_deref()
        .and_then(|m| m.lines().next())
        .unwrap_or("");
    let by: Vec<String> = [
        commit
            .author
            .as_ref()
            .and_then(|a| a.name.clone().or(a.email.clone())),
        commit.date_created.as_deref().map(short_time),
    ]
    .into_iter()
    .flatten()
    .collect();
    if by.is_empty() {
        format!("{sha} {message}").trim_end().to_owned()
    } else {
        format!("{sha} {message} ({})", by.join(", "))
    }
}

fn commit_json(commit: &Commit) -> serde_json::Value {
    json!({
        "id": commit.id,
        "message": commit.message.as_deref().and_then(|m| m.lines().next()),
        "author": commit.author.as_ref().and_then(|a| a.name.clone().or(a.email.clone())),
        "date": commit.date_created,
    })
}

async fn create_release(
    ctx: Arc<ToolContext>,
    params: CreateReleaseParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    check_version(&params.version).map_err(|e| ToolError::InvalidInput(e.to_string()))?;
    let projects = split_list(&params.projects);
    if projects.is_empty() {
        return Err(ToolError::InvalidInput(
            "projects must name at least one project slug".into(),
        ));
    }
    let mut changes = ReleaseChanges {
        url: params.url,
        date_released: parse_optional_user_time(params.date_released.as_deref(), "date_released")?,
        refs: params.refs.unwrap_or_default(),
        commits: params.commits.unwrap_or_default(),
    };
    let warnings = enforce_limits(&mut changes);
    let body = NewRelease {
        version: params.version,
        projects,
        changes,
    };
    let (release, existed) = api::releases::create(ctx.client(), &org, &body).await?;
    let heading = match existed {
        true => "Release already existed, updated",
        false => "Release created",
    };
    let mut output = release_output(&ctx, &org, &release, heading)?;
    if !warnings.is_empty() {
        output.structured["warnings"] = json!(warnings);
        output.text = format!("{}\nWarnings:\n- {}", output.text, warnings.join("\n- "));
    }
    Ok(output)
}

async fn finalize_release(
    ctx: Arc<ToolContext>,
    params: FinalizeReleaseParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let released = parse_optional_user_time(params.date_released.as_deref(), "date_released")?
        .unwrap_or_else(now_timestamp);
    let changes = ReleaseChanges {
        date_released: Some(released),
        ..ReleaseChanges::default()
    };
    let release = api::releases::update(ctx.client(), &org, &params.version, &changes).await?;
    release_output(&ctx, &org, &release, "Release finalized")
}

async fn create_deploy(
    ctx: Arc<ToolContext>,
    params: CreateDeployParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    if params.environment.trim().is_empty() {
        return Err(ToolError::InvalidInput(
            "environment must not be empty".into(),
        ));
    }
    let deploy = NewDeploy {
        environment: params.environment,
        name: params.name,
        url: params.url,
        date_started: parse_optional_user_time(params.date_started.as_deref(), "date_started")?,
        date_finished: parse_optional_user_time(params.date_finished.as_deref(), "date_finished")?,
        projects: params.projects,
    };
    let deploy = api::deploys::create(ctx.client(), &org, &params.version, &deploy).await?;
    Ok(deploy_answer(&params.version, &deploy))
}

async fn list_deploys(
    ctx: Arc<ToolContext>,
    params: VersionParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let listing = api::deploys::list(ctx.client(), &org, &params.version).await?;
    let heading = match listing.items.len() {
        0 => format!("Release {} has no deploys.", params.version),
        _ => format!("Deploys of {}:", params.version),
    };
    let answer = ListAnswer {
        heading,
        key: "deploys",
        fields: json!({ "version": params.version }),
    };
    Ok(answer.render(&listing, |d| format!("- {}", deploy_line(d)), deploy_json))
}

/// One release as a tool answer, under a heading such as "Release created".
fn release_output(
    ctx: &ToolContext,
    org: &str,
    release: &Release,
    heading: &str,
) -> Result<ToolOutput, ToolError> {
    Ok(release_answer(
        heading,
        release,
        &release_url(ctx, org, release),
    ))
}

/// The release's page in Sentry's web UI.
fn release_url(ctx: &ToolContext, org: &str, release: &Release) -> String {
    ctx.web_url(org, &["releases", &release.version])
}
