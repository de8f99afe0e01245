//! How releases and deploys read in answers: one line of text, and JSON for programs.

use crate::output::Answer;
use crate::sentry::models::{Deploy, Release};
use serde_json::{Value, json};

/// One release as an answer, under a heading such as "Release created"; `url` is its web page.
pub fn release_answer(heading: &str, release: &Release, url: &str) -> Answer {
    let text = format!("{heading}: {}\n{url}", release_line(release));
    Answer::new(release_json(release, url), text)
}

/// A recorded deploy as an answer.
pub fn deploy_answer(version: &str, deploy: &Deploy) -> Answer {
    Answer::new(
        json!({"version": version, "deploy": deploy_json(deploy)}),
        format!(
            "Deploy {} of {version} recorded: {}",
            deploy.id,
            deploy_line(deploy)
        ),
    )
}

/// A release as JSON for answers: counts, dates, last commit and deploy, and its web link.
pub fn release_json(release: &Release, url: &str) -> Value {
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

/// A release in one line: version, dates and counts.
pub fn release_line(release: &Release) -> String {
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

/// A deploy as JSON for answers.
pub fn deploy_json(deploy: &Deploy) -> Value {
    json!({
        "id": deploy.id,
        "environment": deploy.environment,
        "name": deploy.name,
        "url": deploy.url,
        "date_started": deploy.date_started,
        "date_finished": deploy.date_finished,
    })
}

/// A deploy in one line: environment, name, times and link.
pub fn deploy_line(deploy: &Deploy) -> String {
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
