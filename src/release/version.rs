//! `release propose-version`: SENTRY_RELEASE, else the CI's tag or sha, else HEAD's sha.

use super::error::ReleaseError;
use crate::exit::Exit;
use crate::git::GitRepo;
use crate::output::OutputFormat;
use serde_json::json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// `release propose-version`: which repository to read when the environment names no version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposeRequest {
    /// A path inside the git repository.
    pub repo_path: PathBuf,
    /// How the version is printed.
    pub output: OutputFormat,
}

/// A proposed version and the variable (or `HEAD`) it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// The version.
    pub version: String,
    /// Where it came from, e.g. `GITHUB_REF` or `HEAD`.
    pub source: String,
}

/// CI variables holding a tag, then those holding the commit sha, in order of preference.
/// (Woodpecker shares GitLab's names.)
const TAG_VARIABLES: &[&str] = &[
    "CI_COMMIT_TAG", // GitLab, Woodpecker
    "CIRCLE_TAG",    // CircleCI
    "BITBUCKET_TAG", // Bitbucket Pipelines
    "BUILDKITE_TAG", // Buildkite
    "TRAVIS_TAG",    // Travis CI
    "DRONE_TAG",     // Drone
];
const SHA_VARIABLES: &[&str] = &[
    "CI_COMMIT_SHA",                     // GitLab, Woodpecker
    "CIRCLE_SHA1",                       // CircleCI
    "BITBUCKET_COMMIT",                  // Bitbucket Pipelines
    "BUILDKITE_COMMIT",                  // Buildkite
    "TRAVIS_COMMIT",                     // Travis CI
    "DRONE_COMMIT_SHA",                  // Drone
    "BUILD_SOURCEVERSION",               // Azure Pipelines
    "CODEBUILD_RESOLVED_SOURCE_VERSION", // AWS CodeBuild
    "VERCEL_GIT_COMMIT_SHA",             // Vercel
    "CF_PAGES_COMMIT_SHA",               // Cloudflare Pages
    "RENDER_GIT_COMMIT",                 // Render
    "SOURCE_VERSION",                    // Heroku
    "HEROKU_SLUG_COMMIT",                // Heroku (legacy)
    "GIT_COMMIT",                        // Jenkins
    "BUILD_VCS_NUMBER",                  // TeamCity
];

/// Runs `release propose-version`.
pub fn run(request: &ProposeRequest) -> Result<Exit, ReleaseError> {
    let env: HashMap<String, String> = std::env::vars().collect();
    let proposal = propose(&env, &request.repo_path)?;
    match request.output {
        OutputFormat::Text => crate::output::print_text(&proposal.version),
        OutputFormat::Json => println!(
            "{}",
            json!({"version": proposal.version, "source": proposal.source})
        ),
    }
    Ok(Exit::Success)
}

/// Proposes a version from the environment, else from the repository at `repo_path`.
pub fn propose(env: &HashMap<String, String>, repo_path: &Path) -> Result<Proposal, ReleaseError> {
    if let Some(proposal) = from_environment(env) {
        return Ok(proposal);
    }
    let head = GitRepo::open(repo_path)
        .and_then(|repo| repo.head())
        .map_err(|e| {
            ReleaseError::Usage(format!(
                "cannot propose a version: no SENTRY_RELEASE or CI variable is set, and HEAD cannot be read ({e}). Pass the version explicitly"
            ))
        })?;
    Ok(Proposal {
        version: head,
        source: "HEAD".into(),
    })
}

/// The version the environment names, if any.
pub fn from_environment(env: &HashMap<String, String>) -> Option<Proposal> {
    let get = |name: &str| {
        env.get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let found = |name: &str, version: String| Proposal {
        version,
        source: name.to_owned(),
    };
    if let Some(release) = get("SENTRY_RELEASE") {
        return Some(found("SENTRY_RELEASE", release));
    }
    if let Some(tag) =
        get("GITHUB_REF").and_then(|r| r.strip_prefix("refs/tags/").map(str::to_owned))
    {
        return Some(found("GITHUB_REF", tag));
    }
    if let Some(sha) = github_pull_request_head(env) {
        return Some(found("GITHUB_EVENT_PATH", sha));
    }
    if let Some(sha) = get("GITHUB_SHA") {
        return Some(found("GITHUB_SHA", sha));
    }
    if let Some(tag) =
        get("BUILD_SOURCEBRANCH").and_then(|r| r.strip_prefix("refs/tags/").map(str::to_owned))
    {
        return Some(found("BUILD_SOURCEBRANCH", tag));
    }
    TAG_VARIABLES
        .iter()
        .chain(SHA_VARIABLES)
        .find_map(|name| get(name).map(|value| found(name, value)))
}

/// On `pull_request` events GITHUB_SHA is a temporary merge commit; the branch's head is in the event.
fn github_pull_request_head(env: &HashMap<String, String>) -> Option<String> {
    let event = env.get("GITHUB_EVENT_NAME")?;
    if event != "pull_request" && event != "pull_request_target" {
        return None;
    }
    let text = std::fs::read_to_string(env.get("GITHUB_EVENT_PATH")?).ok()?;
    let payload: serde_json::Value = serde_json::from_str(&text).ok()?;
    payload
        .pointer("/pull_request/head/sha")?
        .as_str()
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn proposed(pairs: &[(&str, &str)]) -> Option<(String, String)> {
        from_environment(&env(pairs)).map(|p| (p.version, p.source))
    }

    #[test]
    fn sentry_release_wins_over_ci_variables() {
        assert_eq!(
            proposed(&[("SENTRY_RELEASE", "web@2"), ("GITHUB_SHA", "abc")]),
            Some(("web@2".into(), "SENTRY_RELEASE".into()))
        );
    }

    #[test]
    fn tags_win_over_shas() {
        let github = [("GITHUB_REF", "refs/tags/v1.2.3"), ("GITHUB_SHA", "abc")];
        assert_eq!(proposed(&github).unwrap().0, "v1.2.3");
        let branch = [("GITHUB_REF", "refs/heads/main"), ("GITHUB_SHA", "abc")];
        assert_eq!(proposed(&branch).unwrap().0, "abc");
        let gitlab = [("CI_COMMIT_SHA", "def"), ("CI_COMMIT_TAG", "v2")];
        assert_eq!(
            proposed(&gitlab),
            Some(("v2".into(), "CI_COMMIT_TAG".into()))
        );
        assert_eq!(
            proposed(&[("CI_COMMIT_SHA", "def"), ("CI_COMMIT_TAG", "")])
                .unwrap()
                .0,
            "def"
        );
        let azure = [
            ("BUILD_SOURCEBRANCH", "refs/tags/v3"),
            ("BUILD_SOURCEVERSION", "f00"),
        ];
        assert_eq!(proposed(&azure).unwrap().0, "v3");
    }

    #[test]
    fn pull_requests_use_the_branch_head_not_the_merge_commit() {
        let dir = tempfile::tempdir().unwrap();
        let event = dir.path().join("event.json");
        std::fs::write(&event, r#"{"pull_request": {"head": {"sha": "feedbeef"}}}"#).unwrap();
        let vars = [
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
            ("GITHUB_SHA", "merge"),
        ];
        assert_eq!(proposed(&vars).unwrap().0, "feedbeef");
    }

    #[test]
    fn nothing_set_proposes_nothing() {
        assert_eq!(proposed(&[("PATH", "/bin")]), None);
    }
}
