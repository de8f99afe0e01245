//! Tools: teams.

use super::context::ToolContext;
use super::error::ToolError;
use super::output::{ListAnswer, ToolOutput};
use super::tool::{Effects, Tool};
use crate::sentry::api::{self, Page};
use crate::sentry::client::MAX_PAGE_SIZE;
use crate::sentry::models::Team;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// The tools of this module.
pub fn tools() -> Vec<Tool> {
    vec![Tool::new::<ListTeamsParams, _, _>(
        "list_teams",
        "List teams",
        "An organization's teams.",
        Effects::READ,
        list_teams,
    )]
}

/// Arguments of `list_teams`.
#[derive(Debug, Deserialize, JsonSchema)]
struct ListTeamsParams {
    #[schemars(required)]
    organization_slug: Option<String>,
    cursor: Option<String>,
}

async fn list_teams(
    ctx: Arc<ToolContext>,
    params: ListTeamsParams,
) -> Result<ToolOutput, ToolError> {
    let org = ctx.org(params.organization_slug)?;
    let listing =
        api::teams::list(ctx.client(), &org, Page::from(MAX_PAGE_SIZE, params.cursor)).await?;
    let heading = match listing.items.len() {
        0 => format!("{org} has no teams the token can see."),
        n => format!("Teams in {org} ({n}):"),
    };
    let answer = ListAnswer {
        heading,
        key: "teams",
        fields: json!({ "organization": org }),
    };
    Ok(answer.render(&listing, team_line, team_json))
}

/// `slug  (id N)  "Name"  (members, projects, membership)`.
fn team_line(team: &Team) -> String {
    let mut line = format!("{}  (id {})", team.slug, team.id);
    if !team.name.is_empty() && team.name != team.slug {
        line.push_str(&format!("  \"{}\"", team.name));
    }
    let facts: Vec<String> = [
        team.member_count.map(|n| format!("{n} members")),
        (!team.projects.is_empty())
            .then(|| format!("projects: {}", project_slugs(team).join(", "))),
        (team.is_member == Some(true)).then(|| "you are a member".to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !facts.is_empty() {
        line.push_str(&format!("  ({})", facts.join("; ")));
    }
    line
}

fn team_json(team: &Team) -> Value {
    json!({
        "slug": team.slug,
        "id": team.id,
        "name": team.name,
        "member_count": team.member_count,
        "is_member": team.is_member,
        "projects": project_slugs(team),
    })
}

fn project_slugs(team: &Team) -> Vec<&str> {
    team.projects.iter().map(|p| p.slug.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_line_names_its_members_and_projects() {
        let team: Team = serde_json::from_value(json!({
            "id": "42", "slug": "backend", "name": "Backend", "memberCount": 5,
            "isMember": true, "projects": [{"slug": "api"}, {"slug": "web"}]
        }))
        .unwrap();
        assert_eq!(
            team_line(&team),
            "backend  (id 42)  \"Backend\"  (5 members; projects: api, web; you are a member)"
        );
    }
}
