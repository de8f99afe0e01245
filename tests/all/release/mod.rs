//! Tests: the release workflow (`release propose-version|create|finalize|deploy`), one file per concern.
//!
//! Git fixtures are built with the real `git`; every commit set must equal `git rev-list PREV..HEAD`
//! and every patch set `git diff-tree -r --no-renames --name-status PARENT COMMIT`.

use crate::support::git::{AUTHOR, Repo};
use crate::support::sentry::{assert_no_token, binary, json_mock};
use assert_cmd::Command;
use mockito::{Matcher, Mock, ServerGuard};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;

mod dropin;
mod end_to_end;
mod history;
mod long_range;
mod offline;
mod paths;
mod shallow;

// ---------------------------------------------------------------------------------------------
// Helpers

/// The binary with a clean environment: no token, no Sentry URL, nothing from the host.
fn offline() -> Command {
    let mut cmd = Command::cargo_bin("sentry-companion").expect("binary is built");
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null");
    cmd
}

/// Runs `release create --dry-run` in `repo` and returns the printed body and stderr.
fn dry_run(repo: &Repo, extra: &[&str]) -> (Value, String) {
    let output = offline()
        .current_dir(repo.path())
        .args(["release", "create", "1.0.0", "--dry-run"])
        .args(extra)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "dry run failed: {stderr}");
    let body = serde_json::from_slice(&output.stdout).expect("stdout is the JSON body");
    (body, stderr)
}

fn commits(body: &Value) -> &Vec<Value> {
    static EMPTY: Vec<Value> = Vec::new();
    body["commits"].as_array().unwrap_or(&EMPTY)
}

fn ids(body: &Value) -> BTreeSet<String> {
    commits(body)
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect()
}

fn patch_set(commit: &Value) -> Option<Vec<(String, String)>> {
    commit.get("patch_set").map(|set| {
        set.as_array()
            .expect("patch_set is a list")
            .iter()
            .map(|p| {
                (
                    p["type"].as_str().expect("type").to_owned(),
                    p["path"].as_str().expect("path").to_owned(),
                )
            })
            .collect()
    })
}

/// Every commit's patch set is git's own `diff-tree` against its parent; merges and shallow
/// boundary commits carry none; a real root commit adds its whole tree.
fn assert_patch_sets_match_git(repo: &Repo, body: &Value, paths: &[&str]) {
    let boundary = repo.shallow_boundary();
    for commit in commits(body) {
        let id = commit["id"].as_str().expect("id");
        let parents = repo.parents(id);
        let expected = match parents.as_slice() {
            [] if boundary.iter().any(|b| b == id) => None,
            [] => Some(repo.diff_tree(None, id, paths)),
            [parent] => Some(repo.diff_tree(Some(parent), id, paths)),
            _ => None,
        };
        assert_eq!(patch_set(commit), expected, "patch set of {id}");
    }
}

/// The commit set is `git rev-list PREV..HEAD` and every patch set is git's.
fn assert_matches_git(repo: &Repo, body: &Value, previous: &str) {
    let range = format!("{previous}..HEAD");
    let expected: BTreeSet<String> = repo.rev_list(&[&range]).into_iter().collect();
    assert_eq!(ids(body), expected, "commits of {range}");
    assert_patch_sets_match_git(repo, body, &[]);
}

fn day(n: u32) -> String {
    format!("2024-01-{n:02}T00:00:00+00:00")
}

/// A linear history of `count` commits, each touching a file of its own and a shared one.
fn linear(count: u32) -> (Repo, Vec<String>) {
    let repo = Repo::new();
    let shas = (1..=count)
        .map(|i| {
            let own = format!("src/file{i}.txt");
            let shared = format!("shared {i}");
            repo.commit(
                &format!("Commit {i}\n\nBody of commit {i}."),
                &day(i),
                &[(&own, Some("x")), ("README.md", Some(&shared))],
            )
        })
        .collect();
    (repo, shas)
}
