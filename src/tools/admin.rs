//! Tools: admin — create and change projects, teams and DSNs (client keys).

use super::context::ToolContext;
use super::error::ToolError;
use super::output::{ListAnswer, ToolOutput};
use super::tool::{Effects, Tool};
use crate::sentry::api::projects::{NewProject, ProjectChanges};
use crate::sentry::api::{self, Page};
use crate::sentry::client::MAX_PAGE_SIZE;
use crate::sentry::models::Project;
use crate::sentry::models::admin::ProjectKey;
use crate::text::non_empty;
use crate::time::short_time;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// The tools of this module.
pub fn tools() -> Vec<Tool> {
    vec![
        Tool::new::<ProjectParams, _, _>(
            "list_dsns",
            "List DSNs",
            "List a project's client keys with the DSN an SDK is configured with.",
            Effects::READ,
            list_dsns,
        ),
        Tool::new::<CreateDsnParams, _, _>(
            "create_dsn",
            "Create a DSN",
            "Create a client key (DSN) for a project, e.g. one per app or environment.",
            Effects::ADDITIVE_WRITE,
            create_dsn,
        ),
        Tool::new::<CreateProjectParams, _, _>(
            "create_project",
            "Create a project",
            "Create a project owned by a team; answers its id, link and DSN.",
            Effects::ADDITIVE_WRITE,
            create_project,
        ),
        Tool::new::<UpdateProjectParams, _, _>(
            "update_project",
            "Update a project",
            "Rename a project or change its slug or platform (a new slug breaks links and SDK settings that use the old one).",
            Effects::OVERWRITE,
            update_project,
        ),
        Tool::new::<CreateTeamParams, _, _>(
            "create_team",
            "Create a team",
            "Create a team (its slug comes from the name).",
            Effects::ADDITIVE_WRITE,
            create_team,
        ),
        Tool::new::<TeamProjectParams, _, _>(
            "add_team_to_project",
            "Give a team a project",
            "Give a team access to a project.",
            Effects::IDEMPOTENT_WRITE,
            add_team_to_project,
        ),
    ]
}

/// Arguments naming a project.
#[derive(Debug, Deserialize, JsonSchema)]
struct ProjectParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    #[schemars(required)]
    project_slug: Option<String>,
}

/// Arguments of `create_dsn`.
#[derive(Debug, Deserialize, JsonSchema)]
struct CreateDsnParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    #[schemars(required)]
    project_slug: Option<String>,
    name: String,
}

/// Arguments of `create_project`.
#[derive(Debug, Deserialize, JsonSchema)]
struct CreateProjectParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    /// The owning team (list_teams).
    team_slug: String,
    name: String,
    /// Default: from the name.
    slug: Option<String>,
    /// e.g. python, javascript-react, node.
    platform: Option<String>,
}

/// Arguments of `update_project`.
#[derive(Debug, Deserialize, JsonSchema)]
struct UpdateProjectParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    #[schemars(required)]
    project_slug: Option<String>,
    name: Option<String>,
    /// New slug.
    slug: Option<String>,
    platform: Option<String>,
}

/// Arguments of `create_team`.
#[derive(Debug, Deserialize, JsonSchema)]
struct CreateTeamParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    name: String,
}

/// Arguments of `add_team_to_project`.
#[derive(Debug, Deserialize, JsonSchema)]
struct TeamProjectParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    #[schemars(required)]
    project_slug: Option<String>,
    team_slug: String,
}

/// A required text argument, trimmed; the error names it.
fn required(value: &str, name: &str) -> Result<String, ToolError> {
    non_empty(Some(value))
        .map(str::to_owned)
        .ok_or_else(|| ToolError::InvalidInput(format!("{name} must not be empty")))
}

/// A trimmed optional argument; blank is absent.
fn optional(value: Option<String>) -> Option<String> {
    non_empty(value.as_deref()).map(str::to_owned)
}

async fn list_dsns(ctx: Arc<ToolContext>, params: ProjectParams) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let project = ctx.project(params.project_slug)?;
    let listing = api::dsns::list(ctx.client(), &org, &project, Page::first(MAX_PAGE_SIZE)).await?;
    let heading = match listing.items.len() {
        0 => format!("{org}/{project} has no client keys: create one with create_dsn."),
        _ => format!("Client keys (DSNs) of {org}/{project}:"),
    };
    let answer = ListAnswer {
        heading,
        key: "keys",
        fields: json!({ "organization": org, "project": project }),
    };
    Ok(answer.render(&listing, |k| format!("- {}", key_line(k)), key_json))
}

/// `12 "Default" active: https://…@o1.ingest.sentry.io/2 (created …)`.
fn key_line(key: &ProjectKey) -> String {
    let name = key.name.as_deref().unwrap_or("");
    let state = match key.is_active {
        Some(false) => "inactive",
        _ => "active",
    };
    let created = key
        .date_created
        .as_deref()
        .map(|t| format!(" (created {})", short_time(t)))
        .unwrap_or_default();
    format!("{} \"{name}\" {state}: {}{created}", key.id, dsn_of(key))
}

fn dsn_of(key: &ProjectKey) -> &str {
    key.dsn
        .as_ref()
        .and_then(|d| d.public.as_deref())
        .unwrap_or("(no DSN given)")
}

fn key_json(key: &ProjectKey) -> Value {
    json!({
        "id": key.id,
        "name": key.name,
        "active": key.is_active,
        "dsn": key.dsn.as_ref().and_then(|d| d.public.as_deref()),
        "csp_endpoint": key.dsn.as_ref().and_then(|d| d.csp.as_deref()),
        "date_created": key.date_created,
    })
}

async fn create_dsn(
    ctx: Arc<ToolContext>,
    params: CreateDsnParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let project = ctx.project(params.project_slug)?;
    let name = required(&params.name, "name")?;
    let key = api::dsns::create(ctx.client(), &org, &project, &name).await?;
    let mut structured = key_json(&key);
    structured["organization"] = json!(org);
    structured["project"] = json!(project);
    let text = format!("Client key created for {org}/{project}: {}", key_line(&key));
    Ok(ToolOutput::new(structured, text))
}

async fn create_project(
    ctx: Arc<ToolContext>,
    params: CreateProjectParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let team = required(&params.team_slug, "team_slug")?;
    let new = NewProject {
        name: required(&params.name, "name")?,
        slug: optional(params.slug),
        platform: optional(params.platform),
    };
    let project = api::projects::create(ctx.client(), &org, &team, &new).await?;
    // Sentry gives a new project a default key; its DSN is the next thing the caller needs.
    let keys = api::dsns::list(ctx.client(), &org, &project.slug, Page::first(1)).await;
    let link = ctx.web_url(&org, &["projects", &project.slug]);
    let mut lines = vec![
        format!(
            "Project {} (id {}) created in {org} for team {team}{}.",
            project.slug,
            project.id,
            platform_text(&project)
        ),
        format!("Link: {link}"),
    ];
    let mut structured = project_json(&org, &project, &link);
    match keys.map(|listing| listing.items.into_iter().next()) {
        Ok(Some(key)) => {
            lines.push(format!("DSN: {}", dsn_of(&key)));
            structured["dsn"] = json!(dsn_of(&key));
        }
        Ok(None) => lines.push("It has no client key yet: create one with create_dsn.".into()),
        Err(error) => lines.push(format!("Its DSN could not be read: {error}")),
    }
    Ok(ToolOutput::new(structured, lines.join("\n")))
}

fn platform_text(project: &Project) -> String {
    project
        .platform
        .as_deref()
        .map(|p| format!(" (platform {p})"))
        .unwrap_or_default()
}

fn project_json(org: &str, project: &Project, link: &str) -> Value {
    json!({
        "organization": org,
        "id": project.id,
        "slug": project.slug,
        "name": project.name,
        "platform": project.platform,
        "teams": project.teams.iter().map(|t| &t.slug).collect::<Vec<_>>(),
        "link": link,
    })
}

async fn update_project(
    ctx: Arc<ToolContext>,
    params: UpdateProjectParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let slug = ctx.project(params.project_slug)?;
    let changes = ProjectChanges {
        name: optional(params.name),
        slug: optional(params.slug),
        platform: optional(params.platform),
    };
    if changes == ProjectChanges::default() {
        return Err(ToolError::InvalidInput(
            "nothing to change: give name, slug or platform".into(),
        ));
    }
    let project = api::projects::update(ctx.client(), &org, &slug, &changes).await?;
    let link = ctx.web_url(&org, &["projects", &project.slug]);
    let set: Vec<String> = [
        changes.name.as_ref().map(|n| format!("name \"{n}\"")),
        changes.slug.as_ref().map(|s| format!("slug {s}")),
        changes.platform.as_ref().map(|p| format!("platform {p}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    let text = format!(
        "Project {slug} in {org} updated: {}. Now: {} \"{}\" (id {}){}.\nLink: {link}",
        set.join(", "),
        project.slug,
        project.name,
        project.id,
        platform_text(&project)
    );
    Ok(ToolOutput::new(project_json(&org, &project, &link), text))
}

async fn create_team(
    ctx: Arc<ToolContext>,
    params: CreateTeamParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let name = required(&params.name, "name")?;
    let team = api::teams::create(ctx.client(), &org, &name).await?;
    let structured = json!({
        "organization": org, "id": team.id, "slug": team.slug, "name": team.name,
    });
    let text = format!(
        "Team {} (id {}) created in {org}. Give it projects with add_team_to_project; assign issues with assigned_to=team:{}.",
        team.slug, team.id, team.id
    );
    Ok(ToolOutput::new(structured, text))
}

async fn add_team_to_project(
    ctx: Arc<ToolContext>,
    params: TeamProjectParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let slug = ctx.project(params.project_slug)?;
    let team = required(&params.team_slug, "team_slug")?;
    let project = api::projects::add_team(ctx.client(), &org, &slug, &team).await?;
    let teams: Vec<&str> = project.teams.iter().map(|t| t.slug.as_str()).collect();
    let now = if teams.is_empty() {
        String::new()
    } else {
        format!(" Its teams now: {}.", teams.join(", "))
    };
    let text = format!("Team {team} has access to {org}/{}.{now}", project.slug);
    let link = ctx.web_url(&org, &["projects", &project.slug]);
    Ok(ToolOutput::new(project_json(&org, &project, &link), text))
}
