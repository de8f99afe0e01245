//! Tools: who the token is, its organizations and their projects.

use super::context::ToolContext;
use super::error::ToolError;
use super::output::{ListAnswer, ToolOutput};
use super::tool::{Effects, Tool};
use crate::sentry::api::{self, Page};
use crate::sentry::client::MAX_PAGE_SIZE;
use crate::sentry::models::{Organization, Project};
use crate::time::short_time;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;

/// The tools of this module.
pub fn tools() -> Vec<Tool> {
    vec![
        Tool::new::<NoParams, _, _>(
            "whoami",
            "Who am I",
            "The token's user and the default organization.",
            Effects::READ,
            whoami,
        ),
        Tool::new::<ListOrganizationsParams, _, _>(
            "list_organizations",
            "List organizations",
            "Organizations the token can access.",
            Effects::READ,
            list_organizations,
        ),
        Tool::new::<ListProjectsParams, _, _>(
            "list_projects",
            "List projects",
            "An organization's projects.",
            Effects::READ,
            list_projects,
        ),
        Tool::new::<GetProjectParams, _, _>(
            "get_project",
            "Get a project",
            "A project's settings, teams and latest release.",
            Effects::READ,
            get_project,
        ),
    ]
}

/// A tool without arguments.
#[derive(Debug, Deserialize, JsonSchema)]
struct NoParams {}

/// The answer of `whoami`.
#[derive(Debug, Serialize)]
struct WhoAmI {
    id: String,
    name: Option<String>,
    email: Option<String>,
    username: Option<String>,
    server: String,
    default_organization: Option<String>,
    default_projects: Vec<String>,
}

async fn whoami(ctx: Arc<ToolContext>, _: NoParams) -> Result<ToolOutput, ToolError> {
    let user = api::users::whoami(ctx.client())
        .await
        .map_err(|error| match error.status() {
            Some(400 | 401 | 403) => ToolError::Failed(format!(
                "{error}. An organization auth token (sntrys_…) belongs to no user: whoami needs a personal token"
            )),
            _ => error.into(),
        })?;
    let answer = WhoAmI {
        id: user.id,
        name: user.name,
        email: user.email,
        username: user.username,
        server: ctx
            .client()
            .base_url()
            .as_str()
            .trim_end_matches('/')
            .to_owned(),
        default_organization: ctx.default_org().map(str::to_owned),
        default_projects: ctx.default_projects().to_vec(),
    };
    let who = match (&answer.name, &answer.email) {
        (Some(name), Some(email)) => format!("{name} <{email}>"),
        (Some(only), None) | (None, Some(only)) => only.clone(),
        (None, None) => format!("user {}", answer.id),
    };
    let mut lines = vec![format!(
        "Signed in as {who} (user id {}{}) on {}.",
        answer.id,
        answer
            .username
            .as_deref()
            .map(|u| format!(", username {u}"))
            .unwrap_or_default(),
        answer.server
    )];
    lines.push(match &answer.default_organization {
        Some(org) => format!("Default organization: {org}."),
        None => "No default organization: pass organization_slug (list_organizations shows them)."
            .to_owned(),
    });
    if !answer.default_projects.is_empty() {
        lines.push(format!(
            "Default projects: {}.",
            answer.default_projects.join(", ")
        ));
    }
    Ok(ToolOutput::typed(&answer, lines.join("\n")))
}

/// Arguments of `list_organizations`.
#[derive(Debug, Deserialize, JsonSchema)]
struct ListOrganizationsParams {
    cursor: Option<String>,
}

/// Arguments of `list_projects`.
#[derive(Debug, Deserialize, JsonSchema)]
struct ListProjectsParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    cursor: Option<String>,
}

/// Arguments of `get_project`.
#[derive(Debug, Deserialize, JsonSchema)]
struct GetProjectParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    #[schemars(required)]
    project_slug: Option<String>,
}

async fn list_organizations(
    ctx: Arc<ToolContext>,
    params: ListOrganizationsParams,
) -> Result<ToolOutput, ToolError> {
    let listing =
        api::organizations::list(ctx.client(), Page::from(MAX_PAGE_SIZE, params.cursor)).await?;
    let heading = match listing.items.len() {
        0 => "The token can access no organization.".to_owned(),
        n => format!("Organizations ({n}):"),
    };
    let answer = ListAnswer {
        heading,
        key: "organizations",
        fields: json!({}),
    };
    Ok(answer.render(&listing, organization_line, organization_json))
}

fn organization_line(org: &Organization) -> String {
    let url = org
        .links
        .as_ref()
        .and_then(|l| l.organization_url.as_deref());
    match url {
        Some(url) => format!("{}  {}  {url}", org.slug, org.name),
        None => format!("{}  {}", org.slug, org.name),
    }
}

fn organization_json(org: &Organization) -> Value {
    let links = org.links.as_ref();
    json!({
        "slug": org.slug,
        "name": org.name,
        "id": org.id,
        "web_url": links.and_then(|l| l.organization_url.as_deref()),
        "region_url": links.and_then(|l| l.region_url.as_deref()),
    })
}

async fn list_projects(
    ctx: Arc<ToolContext>,
    params: ListProjectsParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let listing =
        api::projects::list(ctx.client(), &org, Page::from(MAX_PAGE_SIZE, params.cursor)).await?;
    let heading = match listing.items.len() {
        0 => format!("{org} has no projects the token can see."),
        n => format!("Projects in {org} ({n}):"),
    };
    let answer = ListAnswer {
        heading,
        key: "projects",
        fields: json!({ "organization": org }),
    };
    Ok(answer.render(
        &listing,
        project_line,
        |p| json!({"slug": p.slug, "id": p.id, "name": p.name, "platform": p.platform}),
    ))
}

fn project_line(p: &Project) -> String {
    let mut line = format!("{}  (id {})", p.slug, p.id);
    if let Some(platform) = &p.platform {
        line.push_str(&format!("  {platform}"));
    }
    if !p.name.is_empty() && p.name != p.slug {
        line.push_str(&format!("  \"{}\"", p.name));
    }
    line
}

async fn get_project(
    ctx: Arc<ToolContext>,
    params: GetProjectParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let slug = ctx.project(params.project_slug)?;
    let project = ctx.session().project(&org, &slug).await?;
    let structured = json!({
        "organization": org,
        "id": project.id,
        "slug": project.slug,
        "name": project.name,
        "platform": project.platform,
        "status": project.status,
        "date_created": project.date_created,
        "first_event": project.first_event,
        "teams": team_slugs(&project),
        "environments": project.environments,
        "latest_release": latest_release(&project),
        "has_sessions": project.has_sessions,
    });
    Ok(ToolOutput::new(
        structured,
        project_lines(&org, &project).join("\n"),
    ))
}

/// The text of `get_project`: one fact per line.
fn project_lines(org: &str, project: &Project) -> Vec<String> {
    let name = if project.name.is_empty() || project.name == project.slug {
        String::new()
    } else {
        format!(" (\"{}\")", project.name)
    };
    let facts: Vec<String> = [
        Some(format!("id {}", project.id)),
        project.platform.as_ref().map(|p| format!("platform {p}")),
        project.status.as_ref().map(|s| format!("status {s}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut lines = vec![
        format!("Project {}{name} in {org}", project.slug),
        facts.join(" · "),
    ];
    let teams = team_slugs(project);
    if !teams.is_empty() {
        lines.push(format!("Teams: {}", teams.join(", ")));
    }
    if !project.environments.is_empty() {
        lines.push(format!("Environments: {}", project.environments.join(", ")));
    }
    lines.push(format!(
        "Latest release: {}",
        latest_release(project).unwrap_or("none")
    ));
    lines.push(match project.first_event.as_deref() {
        Some(first) => format!("First event: {}", short_time(first)),
        None => "No event received yet.".to_owned(),
    });
    if let Some(sessions) = project.has_sessions {
        let answer = if sessions { "yes" } else { "no" };
        lines.push(format!("Sends sessions (release health): {answer}"));
    }
    lines
}

fn team_slugs(project: &Project) -> Vec<&str> {
    project.teams.iter().map(|t| t.slug.as_str()).collect()
}

fn latest_release(project: &Project) -> Option<&str> {
    project.latest_release.as_ref().map(|r| r.version.as_str())
}
