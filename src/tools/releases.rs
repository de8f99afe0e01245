//! Tools: releases and deploys.

use super::context::{Limit, list_limit};
use super::output::ListAnswer;
use super::{Effects, Tool, ToolContext, ToolError, ToolOutput};
use crate::api_path;
use crate::release::api::{get_release, post_release, put_release};
use crate::release::parse_optional_timestamp;
use crate::release::payload::{
    CommitPayload, NewRelease, RefPayload, ReleaseChanges, check_version,
};
use crate::sentry::PageSize;
use crate::sentry::models::{Deploy, Release};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// Deploys listed at most (a release rarely has more).
const MAX_DEPLOYS: usize = 100;

/// The tools of this module.
pub fn tools() -> Vec<Tool> {
    vec![
        Tool::new::<ListReleasesParams, _, _>(
            "list_releases",
            "List releases",
            "List a project's releases, newest first, with commit, deploy and new-issue counts.",
            Effects::READ,
            list_releases,
        ),
        Tool::new::<VersionParams, _, _>(
            "get_release",
            "Get a release",
            "Get one release: dates, commit and deploy counts, last commit and deploy, projects, web link.",
            Effects::READ,
            get_release_tool,
        ),
        Tool::new::<CreateReleaseParams, _, _>(
            "create_release",
            "Create a release",
            "Create a release (or add projects to an existing one) with optional refs and commits, which replace its commit list. Over-long fields are fixed or dropped, with a warning.",
            Effects::IDEMPOTENT_WRITE,
            create_release,
        ),
        Tool::new::<FinalizeReleaseParams, _, _>(
            "finalize_release",
            "Finalize a release",
            "Mark a release as released (sets dateReleased; default now).",
            Effects::IDEMPOTENT_WRITE,
            finalize_release,
        ),
        Tool::new::<CreateDeployParams, _, _>(
            "create_deploy",
            "Record a deploy",
            "Record a deploy of a release to an environment. Each call adds a deploy.",
            Effects::ADDITIVE_WRITE,
            create_deploy,
        ),
        Tool::new::<VersionParams, _, _>(
            "list_deploys",
            "List deploys",
            "List the deploys of a release: environment, name, start and finish times.",
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
    /// Default 25.
    limit: Option<Limit>,
    /// Cursor from a previous call, for the next page.
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
    /// Head commit per repository.
    refs: Option<Vec<RefPayload>>,
    /// Commits of the release.
    commits: Option<Vec<CommitPayload>>,
    /// RFC 3339 date; finalizes the release.
    date_released: Option<String>,
    /// External URL for the release.
    url: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct FinalizeReleaseParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    version: String,
    /// RFC 3339 date (default now).
    date_released: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct CreateDeployParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    version: String,
    /// Environment, e.g. production.
    environment: String,
    /// Deploy name.
    name: Option<String>,
    /// Deploy URL.
    url: Option<String>,
    /// RFC 3339 start time.
    date_started: Option<String>,
    /// RFC 3339 finish time (default now).
    date_finished: Option<String>,
    /// Project slugs (default: all of the release's).
    projects: Option<Vec<String>>,
}

async fn list_releases(
    ctx: Arc<ToolContext>,
    params: ListReleasesParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let project = ctx.project(params.project_slug)?;
    let limit = list_limit(params.limit)?;
    let listing = ctx
        .client()
        .get(api_path!["projects", org, project, "releases"]?)
        .list::<Release>(limit, PageSize::PerPage, params.cursor)
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
        |release| release_json(&ctx, &org, release),
    ))
}

async fn get_release_tool(
    ctx: Arc<ToolContext>,
    params: VersionParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let release = get_release(ctx.client(), &org, &params.version).await?;
    release_output(&ctx, &org, &release, "Release")
}

async fn create_release(
    ctx: Arc<ToolContext>,
    params: CreateReleaseParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    check_version(&params.version).map_err(ToolError::InvalidInput)?;
    let projects = crate::config::split_list(&params.projects);
    if projects.is_empty() {
        return Err(ToolError::InvalidInput(
            "projects must name at least one project slug".into(),
        ));
    }
    let mut changes = ReleaseChanges {
        url: params.url,
        date_released: optional_timestamp(params.date_released, "date_released")?,
        refs: params.refs.unwrap_or_default(),
        commits: params.commits.unwrap_or_default(),
    };
    let warnings = changes.enforce_limits();
    let body = NewRelease {
        version: params.version,
        projects,
        changes,
    };
    let (release, existed) = post_release(ctx.client(), &org, &body).await?;
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
    let released = optional_timestamp(params.date_released, "date_released")?
        .unwrap_or_else(|| chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    let changes = ReleaseChanges {
        date_released: Some(released),
        ..ReleaseChanges::default()
    };
    let release = put_release(ctx.client(), &org, &params.version, &changes).await?;
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
    let mut body = json!({
        "environment": params.environment,
        "name": params.name,
        "url": params.url,
        "dateStarted": optional_timestamp(params.date_started, "date_started")?,
        "dateFinished": optional_timestamp(params.date_finished, "date_finished")?,
        "projects": params.projects,
    });
    super::output::prune_nulls(&mut body);
    let deploy: Deploy = ctx
        .client()
        .post(
            api_path!["organizations", org, "releases", params.version, "deploys"]?,
            body,
        )
        .json()
        .await?;
    Ok(ToolOutput::new(
        json!({"version": params.version, "deploy": deploy_json(&deploy)}),
        format!(
            "Deploy {} of {} recorded: {}",
            deploy.id,
            params.version,
            deploy_line(&deploy)
        ),
    ))
}

async fn list_deploys(
    ctx: Arc<ToolContext>,
    params: VersionParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let listing = ctx
        .client()
        .get(api_path![
            "organizations",
            org,
            "releases",
            params.version,
            "deploys"
        ]?)
        .list::<Deploy>(MAX_DEPLOYS, PageSize::PerPage, None)
        .await?;
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

fn optional_timestamp(value: Option<String>, what: &str) -> Result<Option<String>, ToolError> {
    parse_optional_timestamp(value.as_deref(), what).map_err(ToolError::InvalidInput)
}

/// One release as a tool answer, under a heading such as "Release created".
fn release_output(
    ctx: &ToolContext,
    org: &str,
    release: &Release,
    heading: &str,
) -> Result<ToolOutput, ToolError> {
    let structured = release_json(ctx, org, release);
    let link = structured["url"].as_str().unwrap_or_default().to_owned();
    let text = format!("{heading}: {}\n{link}", release_line(release));
    Ok(ToolOutput::new(structured, text))
}

fn release_json(ctx: &ToolContext, org: &str, release: &Release) -> Value {
    let url = ctx.web_url(org, &["releases", &release.version]);
    json!({
        "version": release.version,
        "url": url,
        "date_created": release.date_created,
        "date_released": release.date_released,
        "commit_count": release.commit_count,
        "deploy_count": release.deploy_count,
        "new_issues": release.new_groups,
        "last_commit": release.last_commit.as_ref().map(|c| &c.id),
        "last_deploy": release.last_deploy.as_ref().map(deploy_json),
        "projects": release.projects.iter().map(|p| &p.slug).collect::<Vec<_>>(),
        "ref": release.reference,
        "external_url": release.url,
    })
}

fn release_line(release: &Release) -> String {
    let mut parts = vec![release.version.clone()];
    if let Some(created) = &release.date_created {
        parts.push(format!("created {created}"));
    }
    parts.push(match &release.date_released {
        Some(released) => format!("released {released}"),
        None => "not finalized".into(),
    });
    parts.push(format!("{} commits", release.commit_count.unwrap_or(0)));
    parts.push(format!("{} deploys", release.deploy_count.unwrap_or(0)));
    parts.push(format!("{} new issues", release.new_groups.unwrap_or(0)));
    parts.join(", ")
}

fn deploy_json(deploy: &Deploy) -> Value {
    json!({
        "id": deploy.id,
        "environment": deploy.environment,
        "name": deploy.name,
        "url": deploy.url,
        "date_started": deploy.date_started,
        "date_finished": deploy.date_finished,
    })
}

fn deploy_line(deploy: &Deploy) -> String {
    let mut line = deploy.environment.clone();
    if let Some(name) = &deploy.name {
        line.push_str(&format!(" ({name})"));
    }
    if let Some(started) = &deploy.date_started {
        line.push_str(&format!(", started {started}"));
    }
    if let Some(finished) = &deploy.date_finished {
        line.push_str(&format!(", finished {finished}"));
    }
    if let Some(url) = &deploy.url {
        line.push_str(&format!(", {url}"));
    }
    line
}
