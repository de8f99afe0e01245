//! Tests: the release workflow (`release propose-version|create|finalize|deploy`) and the release tools.
//!
//! Git fixtures are built with the real `git`; every commit set must equal `git rev-list PREV..HEAD`
//! and every patch set `git diff-tree -r --no-renames --name-status PARENT COMMIT`.

use crate::support::git::{AUTHOR, Repo};
use crate::support::sentry::{TOKEN, assert_no_token, binary};
use assert_cmd::Command;
use mockito::{Matcher, Mock, ServerGuard};
use sentry_companion::sentry::{AuthToken, ClientConfig, SentryClient};
use sentry_companion::tools::{Registry, ToolContext, ToolOutput};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

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

// ---------------------------------------------------------------------------------------------
// History walks and patch sets, against git itself

#[test]
fn linear_history_matches_git_and_carries_author_message_and_date() {
    let (repo, shas) = linear(6);
    let (body, _) = dry_run(&repo, &["--from", &shas[1]]);
    assert_matches_git(&repo, &body, &shas[1]);
    let newest = &commits(&body)[0];
    assert_eq!(newest["id"], shas[5].as_str());
    assert_eq!(newest["message"], "Commit 6\n\nBody of commit 6.");
    assert_eq!(newest["author_name"], AUTHOR.0);
    assert_eq!(newest["author_email"], AUTHOR.1);
    assert_eq!(
        newest["timestamp"],
        repo.git(&["log", "-1", "--format=%aI", &shas[5]])
    );
    assert_eq!(body["version"], "1.0.0");
}

#[test]
fn a_branch_written_before_the_previous_release_and_merged_after_it_is_included() {
    let repo = Repo::new();
    repo.commit("A", &day(1), &[("a.txt", Some("a"))]);
    repo.git(&["checkout", "-q", "-b", "feat"]);
    let f1 = repo.commit("F1", &day(2), &[("f1.txt", Some("f1"))]);
    let f2 = repo.commit("F2", &day(3), &[("f2.txt", Some("f2"))]);
    repo.git(&["checkout", "-q", "main"]);
    let previous = repo.commit("P", &day(5), &[("p.txt", Some("p"))]);
    repo.commit("X", &day(6), &[("x.txt", Some("x"))]);
    repo.merge("feat", &day(7));
    let (body, _) = dry_run(&repo, &["--from", &previous]);
    assert_matches_git(&repo, &body, &previous);
    assert!(ids(&body).contains(&f1) && ids(&body).contains(&f2));
    assert_eq!(commits(&body).len(), 4);
}

#[test]
fn several_merges_and_a_back_merge_match_git() {
    let repo = Repo::new();
    repo.commit("base", &day(1), &[("base.txt", Some("0"))]);
    let previous = repo.commit("release 1", &day(2), &[("base.txt", Some("1"))]);
    repo.git(&["checkout", "-q", "-b", "a"]);
    repo.commit("a1", &day(3), &[("a/one.txt", Some("a1"))]);
    repo.git(&["checkout", "-q", "-b", "b", "main"]);
    repo.commit("b1", &day(4), &[("b/one.txt", Some("b1"))]);
    repo.git(&["checkout", "-q", "main"]);
    repo.commit("m1", &day(5), &[("base.txt", Some("2"))]);
    repo.git(&["checkout", "-q", "b"]);
    repo.merge("main", &day(6));
    repo.commit(
        "b2",
        &day(7),
        &[("b/two.txt", Some("b2")), ("base.txt", Some("3"))],
    );
    repo.git(&["checkout", "-q", "main"]);
    repo.merge("a", &day(8));
    repo.merge("b", &day(9));
    let (body, _) = dry_run(&repo, &["--from", &previous]);
    assert_matches_git(&repo, &body, &previous);
    let merges = commits(&body)
        .iter()
        .filter(|c| repo.parents(c["id"].as_str().unwrap()).len() > 1)
        .count();
    assert_eq!(merges, 3);
}

#[test]
fn renames_deletes_and_type_changes_are_deletes_adds_and_modifications() {
    let repo = Repo::new();
    let previous = repo.commit(
        "tree",
        &day(1),
        &[
            ("docs/guide.md", Some("guide")),
            ("lib/a.rs", Some("a")),
            ("lib/b.rs", Some("b")),
            ("tool", Some("a file")),
            ("run.sh", Some("echo")),
            ("keep.txt", Some("same")),
        ],
    );
    repo.git(&["mv", "docs/guide.md", "docs/manual.md"]);
    repo.commit("rename a file", &day(2), &[]);
    repo.git(&["mv", "lib", "core"]);
    repo.commit("rename a directory", &day(3), &[]);
    repo.commit("delete", &day(4), &[("core/b.rs", None)]);
    repo.commit(
        "file becomes a directory",
        &day(5),
        &[("tool", None), ("tool/main.rs", Some("fn main() {}"))],
    );
    let script = repo.path().join("run.sh");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    repo.commit("make executable", &day(6), &[]);
    repo.commit("empty", &day(7), &[]);
    let (body, _) = dry_run(&repo, &["--from", &previous]);
    assert_matches_git(&repo, &body, &previous);
    let rename = commits(&body)
        .iter()
        .find(|c| c["message"] == "rename a file")
        .unwrap();
    assert_eq!(
        patch_set(rename).unwrap(),
        [
            ("D".into(), "docs/guide.md".into()),
            ("A".into(), "docs/manual.md".into())
        ]
    );
    let empty = commits(&body)
        .iter()
        .find(|c| c["message"] == "empty")
        .unwrap();
    assert_eq!(patch_set(empty), Some(vec![]));
}

#[test]
fn a_first_release_takes_the_newest_commits_and_a_root_commit_adds_its_tree() {
    let (repo, shas) = linear(5);
    let (body, stderr) = dry_run(&repo, &["--initial-depth", "3"]);
    assert!(stderr.contains("--from REF"), "{stderr}");
    let newest: Vec<String> = commits(&body)
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(newest, repo.rev_list(&["-n", "3", "HEAD"]));
    assert_eq!(body["refs"], Value::Null, "no remote, no refs");

    let (body, _) = dry_run(&repo, &["--initial-depth", "10"]);
    assert_eq!(ids(&body), shas.iter().cloned().collect());
    assert_patch_sets_match_git(&repo, &body, &[]);
    let root = commits(&body)
        .iter()
        .find(|c| c["id"] == shas[0].as_str())
        .unwrap();
    assert_eq!(patch_set(root).unwrap().len(), 2);
}

#[test]
fn a_start_that_is_not_an_ancestor_still_gives_git_range_with_a_warning() {
    let repo = Repo::new();
    repo.commit("base", &day(1), &[("a", Some("0"))]);
    repo.git(&["checkout", "-q", "-b", "abandoned"]);
    let abandoned = repo.commit("rewritten away", &day(2), &[("a", Some("old"))]);
    repo.git(&["checkout", "-q", "main"]);
    repo.commit("one", &day(3), &[("a", Some("1"))]);
    repo.commit("two", &day(4), &[("b", Some("2"))]);
    let (body, stderr) = dry_run(&repo, &["--from", &abandoned]);
    assert_matches_git(&repo, &body, &abandoned);
    assert!(stderr.contains("is not an ancestor of HEAD"), "{stderr}");

    let (_, stderr) = dry_run(&repo, &["--from", "HEAD~1"]);
    assert!(!stderr.contains("ancestor"), "{stderr}");
}

#[test]
fn max_commits_keeps_the_newest_and_says_how_many_were_left_out() {
    let (repo, shas) = linear(8);
    let (body, stderr) = dry_run(&repo, &["--from", &shas[0], "--max-commits", "3"]);
    let kept: Vec<&str> = commits(&body)
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(kept, [&shas[7], &shas[6], &shas[5]]);
    assert!(stderr.contains("the range has 7 commits"), "{stderr}");
    assert!(stderr.contains("4 left out"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// Shallow clones

fn thirty_commits() -> (Repo, Vec<String>) {
    linear(30)
}

#[test]
fn a_previous_commit_outside_a_shallow_clone_is_a_clear_error() {
    let (source, shas) = thirty_commits();
    let clone = Repo::shallow_clone(&source, 5);
    let output = offline()
        .current_dir(clone.path())
        .args([
            "release",
            "create",
            "1.0.0",
            "--dry-run",
            "--from",
            &shas[9],
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&shas[9]), "names the commit: {stderr}");
    assert!(stderr.contains("shallow clone"), "{stderr}");
    assert!(stderr.contains("fetch-depth: 0"), "{stderr}");
    assert!(stderr.contains("GIT_DEPTH: 0"), "{stderr}");
    assert!(stderr.contains("--deepen"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn deepen_fetches_history_until_the_previous_commit_is_found() {
    let (source, shas) = thirty_commits();
    let clone = Repo::shallow_clone(&source, 5);
    let (body, stderr) = dry_run(&clone, &["--from", &shas[9], "--deepen"]);
    assert!(stderr.contains("git fetch --deepen=100"), "{stderr}");
    let expected: BTreeSet<String> = source
        .rev_list(&[&format!("{}..HEAD", shas[9])])
        .into_iter()
        .collect();
    assert_eq!(ids(&body), expected);
    assert_matches_git(&clone, &body, &shas[9]);
}

#[test]
fn a_shallow_boundary_commit_never_adds_the_whole_tree() {
    let (source, _) = thirty_commits();
    let clone = Repo::shallow_clone(&source, 3);
    let (body, _) = dry_run(&clone, &["--initial-depth", "10"]);
    assert_eq!(commits(&body).len(), 3);
    let boundary = clone.shallow_boundary();
    assert_eq!(boundary.len(), 1);
    let cut = commits(&body)
        .iter()
        .find(|c| c["id"] == boundary[0].as_str())
        .unwrap();
    assert_eq!(cut.get("patch_set"), None);
    assert_patch_sets_match_git(&clone, &body, &[]);
}

// ---------------------------------------------------------------------------------------------
// Monorepos, authors, remotes

fn monorepo() -> (Repo, String) {
    let repo = Repo::new();
    let previous = repo.commit(
        "layout",
        &day(1),
        &[
            ("services/api/main.rs", Some("0")),
            ("services/web/app.js", Some("0")),
            ("libs/util.rs", Some("0")),
        ],
    );
    repo.commit("api only", &day(2), &[("services/api/main.rs", Some("1"))]);
    repo.commit("web only", &day(3), &[("services/web/app.js", Some("1"))]);
    repo.commit(
        "both",
        &day(4),
        &[
            ("services/api/handler.rs", Some("1")),
            ("services/web/app.js", Some("2")),
            ("libs/util.rs", Some("1")),
        ],
    );
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.commit(
        "feature web",
        &day(5),
        &[("services/web/new.js", Some("1"))],
    );
    repo.git(&["checkout", "-q", "main"]);
    repo.merge("feature", &day(6));
    repo.git(&["checkout", "-q", "-b", "api-feature"]);
    repo.commit(
        "feature api",
        &day(7),
        &[("services/api/feature.rs", Some("1"))],
    );
    repo.git(&["checkout", "-q", "main"]);
    repo.merge("api-feature", &day(8));
    repo.commit(
        "near miss",
        &day(9),
        &[("services/api-docs/readme.md", Some("1"))],
    );
    (repo, previous)
}

/// What git selects for `--path`: non-merge commits touching the paths, plus merges whose tree
/// differs from their first parent's there.
fn git_selection(repo: &Repo, previous: &str, paths: &[&str]) -> BTreeSet<String> {
    let range = format!("{previous}..HEAD");
    let mut args = vec!["--full-history", "--no-merges", range.as_str(), "--"];
    args.extend_from_slice(paths);
    let mut selected: BTreeSet<String> = repo.rev_list(&args).into_iter().collect();
    for merge in repo.rev_list(&["--merges", &range]) {
        let first_parent = repo.parents(&merge)[0].clone();
        if !repo
            .diff_tree(Some(&first_parent), &merge, paths)
            .is_empty()
        {
            selected.insert(merge);
        }
    }
    selected
}

#[test]
fn path_keeps_only_commits_and_files_under_those_paths() {
    let (repo, previous) = monorepo();
    let (body, _) = dry_run(&repo, &["--from", &previous, "--path", "services/api"]);
    assert_eq!(
        ids(&body),
        git_selection(&repo, &previous, &["services/api"])
    );
    assert_patch_sets_match_git(&repo, &body, &["services/api"]);
    let messages: BTreeSet<&str> = commits(&body)
        .iter()
        .map(|c| c["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        BTreeSet::from(["api only", "both", "feature api", "Merge api-feature"]),
        "services/api-docs is not under services/api"
    );
}

#[test]
fn paths_are_relative_to_where_the_command_runs_and_may_repeat() {
    let (repo, previous) = monorepo();
    let output = offline()
        .current_dir(repo.path().join("services"))
        .args([
            "release",
            "create",
            "1.0.0",
            "--dry-run",
            "--from",
            &previous,
        ])
        .args(["--path", "web/", "--path", "../libs"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let body: Value = serde_json::from_slice(&output.stdout).unwrap();
    let paths = ["services/web", "libs"];
    assert_eq!(ids(&body), git_selection(&repo, &previous, &paths));
    assert_patch_sets_match_git(&repo, &body, &paths);
}

#[test]
fn non_ascii_authors_are_sent_as_written() {
    let repo = Repo::new();
    let previous = repo.commit("start", &day(1), &[("a", Some("0"))]);
    repo.commit_as(
        ("Zoë Ångström-Łukasiewicz", "zoe@example.com"),
        "Ünïcödé 🚀",
        &day(2),
        &[("ü/ñ.txt", Some("1"))],
    );
    repo.commit_as(
        ("山田太郎", "taro@example.jp"),
        "修正",
        &day(3),
        &[("a", Some("1"))],
    );
    let (body, _) = dry_run(&repo, &["--from", &previous]);
    assert_matches_git(&repo, &body, &previous);
    let names: BTreeSet<&str> = commits(&body)
        .iter()
        .map(|c| c["author_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["Zoë Ångström-Łukasiewicz", "山田太郎"])
    );
    assert!(commits(&body).iter().any(|c| c["message"] == "Ünïcödé 🚀"));
}

#[test]
fn an_over_long_email_is_left_out_with_a_warning_instead_of_failing_the_request() {
    let repo = Repo::new();
    let previous = repo.commit("start", &day(1), &[("a", Some("0"))]);
    let email = format!("{}@example.com", "very.long.name".repeat(5));
    assert!(email.len() > 75);
    let long = repo.commit_as(("Long Mail", &email), "long", &day(2), &[("a", Some("1"))]);
    let fine = repo.commit("fine", &day(3), &[("a", Some("2"))]);
    let (body, stderr) = dry_run(&repo, &["--from", &previous]);
    let by_id = |id: &str| {
        commits(&body)
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(by_id(&long).get("author_email"), None);
    assert_eq!(by_id(&long)["author_name"], "Long Mail");
    assert_eq!(by_id(&fine)["author_email"], AUTHOR.1);
    assert!(stderr.contains("longer than 75 characters"), "{stderr}");
}

#[test]
fn the_repository_name_comes_from_the_remote_url_without_credentials() {
    let (repo, shas) = linear(3);
    let table = [
        (
            "https://x-access-token:ghs_SECRET@github.com/acme/web.git",
            "acme/web",
        ),
        ("git@github.com:acme/web.git", "acme/web"),
        (
            "ssh://git@gitlab.example.com:2222/group/sub/web.git",
            "group/sub/web",
        ),
        (
            "https://gitlab-ci-token:glcbt-SECRET@gitlab.com:8443/group/sub/web.git",
            "group/sub/web",
        ),
        ("https://bitbucket.org/workspace/web.git", "workspace/web"),
        (
            "https://acme@dev.azure.com/acme/Platform/_git/web",
            "Platform/web",
        ),
        ("https://github.acme.corp/team/web", "team/web"),
    ];
    repo.git(&["remote", "add", "origin", "https://example.invalid/x/y"]);
    for (url, name) in table {
        repo.git(&["remote", "set-url", "origin", url]);
        let output = offline()
            .current_dir(repo.path())
            .args([
                "release",
                "create",
                "1.0.0",
                "--dry-run",
                "--from",
                &shas[0],
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{url}: {stderr}");
        assert!(
            !stdout.contains("SECRET") && !stderr.contains("SECRET"),
            "{url}"
        );
        let body: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(
            body["refs"],
            json!([{"repository": name, "commit": shas[2], "previousCommit": shas[0]}]),
            "{url}"
        );
        assert!(
            commits(&body).iter().all(|c| c["repository"] == name),
            "{url}"
        );
    }
}

#[test]
fn repository_and_remote_flags_choose_the_name() {
    let (repo, shas) = linear(2);
    repo.git(&[
        "remote",
        "add",
        "upstream",
        "git@github.com:acme/upstream.git",
    ]);
    let (body, _) = dry_run(&repo, &["--from", &shas[0], "--remote", "upstream"]);
    assert_eq!(body["refs"][0]["repository"], "acme/upstream");
    let (body, _) = dry_run(
        &repo,
        &["--from", &shas[0], "--repository", "Acme Group / Web"],
    );
    assert_eq!(body["refs"][0]["repository"], "Acme Group / Web");
}

// ---------------------------------------------------------------------------------------------
// Offline behaviour and errors

#[test]
fn dry_run_needs_no_token_and_no_server() {
    let (repo, _) = linear(2);
    let output = offline()
        .current_dir(repo.path())
        .args([
            "--project",
            "web",
            "release",
            "create",
            "--dry-run",
            "--finalize",
            "--url",
            "https://ci.example/run/1",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let body: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(body["version"], repo.head(), "the version defaults to HEAD");
    assert_eq!(body["projects"], json!(["web"]));
    assert_eq!(body["url"], "https://ci.example/run/1");
    assert!(body["dateReleased"].as_str().is_some());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("dry run") && stderr.contains("nothing was sent"),
        "{stderr}"
    );
}

#[test]
fn bad_input_is_a_clear_error_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let output = offline()
        .current_dir(dir.path())
        .args(["release", "create", "1.0", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not inside a git repository"));

    let (repo, _) = linear(1);
    for (args, expected) in [
        (
            vec!["release", "create", "a/b", "--dry-run"],
            "cannot be a Sentry release version",
        ),
        (
            vec![
                "release",
                "create",
                "1.0",
                "--dry-run",
                "--from",
                "no-such-ref",
            ],
            "does not name a commit",
        ),
        (
            vec!["release", "create", "1.0", "--dry-run", "--path", "/abs"],
            "relative to the repository",
        ),
        (vec!["release", "create", "1.0"], "no auth token"),
    ] {
        let output = offline()
            .current_dir(repo.path())
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn propose_version_prefers_sentry_release_then_ci_then_head() {
    let (repo, shas) = linear(1);
    let propose = |env: &[(&str, &str)]| {
        let output = offline()
            .current_dir(repo.path())
            .envs(env.iter().copied())
            .args(["release", "propose-version"])
            .output()
            .unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    };
    assert_eq!(
        propose(&[("SENTRY_RELEASE", "web@1"), ("GITHUB_SHA", "abc")]),
        "web@1"
    );
    assert_eq!(
        propose(&[("GITHUB_REF", "refs/tags/v2.0.0"), ("GITHUB_SHA", "abc")]),
        "v2.0.0"
    );
    assert_eq!(propose(&[("CI_COMMIT_SHA", "def")]), "def");
    assert_eq!(propose(&[]), shas[0]);
}

// ---------------------------------------------------------------------------------------------
// End to end against a mock Sentry

/// The commits body git says `PREV..HEAD` of a linear fixture has, newest first.
fn expected_commits(repo: &Repo, previous: &str, repository: &str) -> Vec<Value> {
    repo.rev_list(&[&format!("{previous}..HEAD")])
        .iter()
        .map(|id| {
            let parent = &repo.parents(id)[0];
            let patch_set: Vec<Value> = repo
                .diff_tree(Some(parent), id, &[])
                .into_iter()
                .map(|(kind, path)| json!({"path": path, "type": kind}))
                .collect();
            json!({
                "id": id,
                "repository": repository,
                "message": repo.git(&["log", "-1", "--format=%B", id]),
                "author_name": repo.git(&["log", "-1", "--format=%an", id]),
                "author_email": repo.git(&["log", "-1", "--format=%ae", id]),
                "timestamp": repo.git(&["log", "-1", "--format=%aI", id]),
                "patch_set": patch_set,
            })
        })
        .collect()
}

async fn json_mock(
    server: &mut ServerGuard,
    method: &str,
    path: &str,
    status: usize,
    body: Value,
) -> Mock {
    server
        .mock(method, path)
        .match_query(Matcher::Any)
        .with_status(status)
        .with_header("content-type", "application/json")
        .with_body(body.to_string())
        .create_async()
        .await
}

/// A linear fixture with a GitHub remote, and a mock Sentry that knows the repository and
/// release 0.9 ending at the fixture's second commit.
async fn sentry_with_previous_release(server: &mut ServerGuard) -> (Repo, Vec<String>, Vec<Mock>) {
    let (repo, shas) = linear(5);
    repo.git(&["remote", "add", "origin", "git@github.com:acme/web.git"]);
    let mocks = vec![
        json_mock(server, "GET", "/api/0/projects/acme/web/releases/", 200, json!([
            {"version": "1.0.0", "lastCommit": {"id": shas[4]}},
            {"version": "0.9", "lastCommit": {"id": shas[1]}},
            {"version": "0.8", "lastCommit": {"id": shas[0]}},
        ]))
        .await,
        json_mock(server, "GET", "/api/0/organizations/acme/repos/", 200, json!([
            {"id": "7", "name": "Acme/Web", "url": "https://github.com/acme/web", "status": "active"},
        ]))
        .await,
    ];
    (repo, shas, mocks)
}

fn create_command(server: &ServerGuard, repo: &Repo) -> Command {
    let mut cmd = binary(&server.url());
    cmd.current_dir(repo.path())
        .env("SENTRY_ORG", "acme")
        .env("SENTRY_PROJECT", "web")
        .args(["--output", "json", "release", "create", "1.0.0"]);
    cmd
}

#[tokio::test]
async fn create_sends_the_release_its_refs_and_commits_in_one_request() {
    let mut server = mockito::Server::new_async().await;
    let (repo, shas, lookups) = sentry_with_previous_release(&mut server).await;
    let missing = json_mock(
        &mut server,
        "GET",
        "/api/0/organizations/acme/releases/1.0.0/",
        404,
        json!({"detail": "Not found"}),
    )
    .await;
    let expected = json!({
        "version": "1.0.0",
        "projects": ["web"],
        "refs": [{"repository": "Acme/Web", "commit": shas[4], "previousCommit": shas[1]}],
        "commits": expected_commits(&repo, &shas[1], "Acme/Web"),
    });
    let create = server
        .mock("POST", "/api/0/organizations/acme/releases/")
        .match_body(Matcher::Json(expected))
        .with_status(201)
        .with_body(json!({"version": "1.0.0"}).to_string())
        .expect(1)
        .create_async()
        .await;
    let output = create_command(&server, &repo).output().unwrap();
    assert_no_token(&output);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    create.assert_async().await;
    missing.assert_async().await;
    for mock in lookups {
        mock.assert_async().await;
    }
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["version"], "1.0.0");
    assert_eq!(summary["commit_count"], 3);
    assert_eq!(summary["previous_commit"], shas[1].as_str());
    assert_eq!(summary["head_commit"], shas[4].as_str());
    assert_eq!(summary["repository"], "Acme/Web");
    assert_eq!(summary["created"], true);
    assert_eq!(
        summary["url"],
        format!("{}/organizations/acme/releases/1.0.0/", server.url())
    );
}

#[tokio::test]
async fn an_existing_release_is_updated_and_its_own_commits_are_not_the_start() {
    let mut server = mockito::Server::new_async().await;
    let (repo, shas, _lookups) = sentry_with_previous_release(&mut server).await;
    json_mock(
        &mut server,
        "GET",
        "/api/0/organizations/acme/releases/1.0.0/",
        200,
        json!({
            "version": "1.0.0", "projects": [{"slug": "web"}], "lastCommit": {"id": shas[4]}
        }),
    )
    .await;
    // A re-run: Sentry names the release itself as the previous one with commits.
    json_mock(
        &mut server,
        "GET",
        "/api/0/organizations/acme/releases/1.0.0/previous-with-commits/",
        200,
        json!({
            "version": "1.0.0", "lastCommit": {"id": shas[4]}
        }),
    )
    .await;
    let expected = json!({
        "refs": [{"repository": "Acme/Web", "commit": shas[4], "previousCommit": shas[1]}],
        "commits": expected_commits(&repo, &shas[1], "Acme/Web"),
    });
    let update = server
        .mock("PUT", "/api/0/organizations/acme/releases/1.0.0/")
        .match_body(Matcher::Json(expected))
        .with_body(json!({"version": "1.0.0"}).to_string())
        .expect(1)
        .create_async()
        .await;
    let output = create_command(&server, &repo).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    update.assert_async().await;
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["created"], false);
    assert_eq!(summary["commit_count"], 3);
}

#[tokio::test]
async fn commits_being_processed_409_is_retried_until_it_succeeds() {
    let mut server = mockito::Server::new_async().await;
    let (repo, _, _lookups) = sentry_with_previous_release(&mut server).await;
    json_mock(
        &mut server,
        "GET",
        "/api/0/organizations/acme/releases/1.0.0/",
        404,
        json!({}),
    )
    .await;
    let busy = server
        .mock("POST", "/api/0/organizations/acme/releases/")
        .with_status(409)
        .with_body(json!({"detail": "Release commits are currently being processed"}).to_string())
        .expect(1)
        .create_async()
        .await;
    let done = server
        .mock("POST", "/api/0/organizations/acme/releases/")
        .with_status(201)
        .with_body(json!({"version": "1.0.0"}).to_string())
        .expect(1)
        .create_async()
        .await;
    let output = create_command(&server, &repo).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    busy.assert_async().await;
    done.assert_async().await;
}

#[tokio::test]
async fn an_unknown_repository_is_sent_with_a_warning_on_how_to_connect_it() {
    let mut server = mockito::Server::new_async().await;
    let (repo, shas) = linear(3);
    repo.git(&[
        "remote",
        "add",
        "origin",
        "https://github.com/acme/other.git",
    ]);
    json_mock(
        &mut server,
        "GET",
        "/api/0/organizations/acme/releases/1.0.0/",
        404,
        json!({}),
    )
    .await;
    json_mock(
        &mut server,
        "GET",
        "/api/0/projects/acme/web/releases/",
        200,
        json!([]),
    )
    .await;
    json_mock(
        &mut server,
        "GET",
        "/api/0/organizations/acme/repos/",
        200,
        json!([
            {"id": "7", "name": "acme/web", "url": "https://github.com/acme/web"}
        ]),
    )
    .await;
    let create = server
        .mock("POST", "/api/0/organizations/acme/releases/")
        .match_body(Matcher::PartialJson(
            json!({"refs": [{"repository": "acme/other", "commit": shas[2]}]}),
        ))
        .with_status(201)
        .with_body("{\"version\": \"1.0.0\"}")
        .create_async()
        .await;
    let output = create_command(&server, &repo).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    create.assert_async().await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("https://github.com/acme/other"), "{stderr}");
    assert!(stderr.contains("Settings > Integrations"), "{stderr}");
    assert!(stderr.contains("first release"), "{stderr}");
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["commit_count"], 3);
    assert_eq!(summary["previous_commit"], Value::Null);
}

#[tokio::test]
async fn finalize_and_deploy_send_what_the_flags_say() {
    let mut server = mockito::Server::new_async().await;
    let finalize = server
        .mock("PUT", "/api/0/organizations/acme/releases/1.0.0/")
        .match_body(Matcher::Json(
            json!({"dateReleased": "2024-05-01T10:00:00Z"}),
        ))
        .with_body(json!({"version": "1.0.0", "dateReleased": "2024-05-01T10:00:00Z"}).to_string())
        .expect(1)
        .create_async()
        .await;
    let deploy = server
        .mock("POST", "/api/0/organizations/acme/releases/1.0.0/deploys/")
        .match_body(Matcher::Json(json!({
            "environment": "production", "name": "deploy 7", "url": "https://ci.example/7",
            "dateStarted": "2024-05-01T10:00:00Z", "dateFinished": "2024-05-01T10:05:00Z"
        })))
        .with_status(201)
        .with_body(json!({"id": "42", "environment": "production", "name": "deploy 7"}).to_string())
        .expect(1)
        .create_async()
        .await;
    let output = binary(&server.url())
        .env("SENTRY_ORG", "acme")
        .args([
            "release",
            "finalize",
            "1.0.0",
            "--released",
            "2024-05-01T12:00:00+02:00",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("Release finalized: 1.0.0"));
    let output = binary(&server.url())
        .env("SENTRY_ORG", "acme")
        .args([
            "--output",
            "json",
            "release",
            "deploy",
            "1.0.0",
            "--env",
            "production",
            "--name",
            "deploy 7",
        ])
        .args([
            "--url",
            "https://ci.example/7",
            "--started",
            "2024-05-01T10:00:00Z",
            "--finished",
            "2024-05-01T10:05:00Z",
        ])
        .output()
        .unwrap();
    assert_no_token(&output);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["deploy"]["id"], "42");
    finalize.assert_async().await;
    deploy.assert_async().await;
}

#[tokio::test]
async fn bad_dates_are_refused_before_anything_is_sent() {
    let mut server = mockito::Server::new_async().await;
    let nothing = server
        .mock("PUT", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    for args in [
        vec!["release", "finalize", "1.0.0", "--released", "tomorrow"],
        vec![
            "release",
            "deploy",
            "1.0.0",
            "--env",
            "prod",
            "--started",
            "2024-13-01",
        ],
    ] {
        let output = binary(&server.url())
            .env("SENTRY_ORG", "acme")
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("RFC 3339"),
            "{args:?}"
        );
    }
    nothing.assert_async().await;
}

// ---------------------------------------------------------------------------------------------
// The release tools, in process

fn context(server: &ServerGuard) -> Arc<ToolContext> {
    let config = ClientConfig::new(server.url().parse().unwrap(), Some(AuthToken::new(TOKEN)));
    Arc::new(ToolContext::new(
        SentryClient::new(config).unwrap(),
        Some("acme".into()),
        vec!["web".into()],
    ))
}

async fn call(server: &ServerGuard, name: &str, args: Value) -> ToolOutput {
    Registry::new()
        .call(context(server), name, args, false)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[tokio::test]
async fn list_releases_reads_the_project_list_with_limit_and_cursor() {
    let mut server = mockito::Server::new_async().await;
    let list = server
        .mock("GET", "/api/0/projects/acme/web/releases/")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("per_page".into(), "2".into()),
            Matcher::UrlEncoded("cursor".into(), "0:2:0".into()),
        ]))
        .with_header("link", r#"<x>; rel="next"; results="true"; cursor="0:4:0""#)
        .with_body(json!([
            {"version": "2.0", "dateCreated": "2024-05-02T00:00:00Z", "commitCount": 3, "deployCount": 1, "newGroups": 2},
            {"version": "1.0", "dateCreated": "2024-05-01T00:00:00Z", "dateReleased": "2024-05-01T01:00:00Z"},
        ]).to_string())
        .create_async()
        .await;
    let out = call(
        &server,
        "list_releases",
        json!({"limit": 2, "cursor": "0:2:0"}),
    )
    .await;
    list.assert_async().await;
    assert_eq!(out.structured["releases"][0]["version"], "2.0");
    assert_eq!(out.structured["releases"][0]["commit_count"], 3);
    assert_eq!(out.structured["next_cursor"], "0:4:0");
    assert!(
        out.text.contains(
            "2.0, created 2024-05-02T00:00:00Z, not finalized, 3 commits, 1 deploys, 2 new issues"
        ),
        "{}",
        out.text
    );
    assert!(out.text.contains("cursor=\"0:4:0\""), "{}", out.text);
}

#[tokio::test]
async fn get_release_reads_one_release_with_its_link() {
    let mut server = mockito::Server::new_async().await;
    let get = json_mock(
        &mut server,
        "GET",
        "/api/0/organizations/acme/releases/web%401.0%2Bb/",
        200,
        json!({
            "version": "web@1.0+b", "lastCommit": {"id": "abc"}, "projects": [{"slug": "web"}],
            "lastDeploy": {"id": "9", "environment": "prod"}
        }),
    )
    .await;
    let out = call(&server, "get_release", json!({"version": "web@1.0+b"})).await;
    get.assert_async().await;
    assert_eq!(out.structured["last_commit"], "abc");
    assert_eq!(out.structured["last_deploy"]["environment"], "prod");
    assert_eq!(out.structured["projects"], json!(["web"]));
    assert_eq!(
        out.structured["url"],
        format!(
            "{}/organizations/acme/releases/web%401.0%2Bb/",
            server.url()
        )
    );
}

#[tokio::test]
async fn create_release_takes_sentry_shapes_and_enforces_limits() {
    let mut server = mockito::Server::new_async().await;
    let sha = "a".repeat(40);
    let create = server
        .mock("POST", "/api/0/organizations/acme/releases/")
        .match_body(Matcher::Json(json!({
            "version": "1.0",
            "projects": ["web", "api"],
            "dateReleased": "2024-05-01T10:00:00Z",
            "refs": [{"repository": "acme/web", "commit": sha, "previousCommit": "b"}],
            "commits": [{"id": sha, "repository": "acme/web", "author_name": "A",
                         "patch_set": [{"path": "a.rs", "type": "M"}]}],
        })))
        .with_status(208)
        .with_body(json!({"version": "1.0"}).to_string())
        .expect(1)
        .create_async()
        .await;
    let out = call(&server, "create_release", json!({
        "version": "1.0",
        "projects": ["web", "api"],
        "date_released": "2024-05-01T12:00:00+02:00",
        "refs": [{"repository": "acme/web", "commit": sha, "previousCommit": "b"}],
        "commits": [{"id": sha, "repository": "acme/web", "author_name": "A",
                     "author_email": format!("{}@example.com", "x".repeat(80)),
                     "patch_set": [{"path": "a.rs", "type": "M"}, {"path": "b.rs", "type": "R"}]}],
    }))
    .await;
    create.assert_async().await;
    assert!(
        out.text.starts_with("Release already existed"),
        "{}",
        out.text
    );
    assert_eq!(out.structured["warnings"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn finalize_release_defaults_to_now() {
    let mut server = mockito::Server::new_async().await;
    let finalize = server
        .mock("PUT", "/api/0/organizations/acme/releases/1.0/")
        .match_body(Matcher::Regex(
            r#"^\{"dateReleased":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\}$"#.into(),
        ))
        .with_body(json!({"version": "1.0"}).to_string())
        .expect(1)
        .create_async()
        .await;
    call(&server, "finalize_release", json!({"version": "1.0"})).await;
    finalize.assert_async().await;
}

#[tokio::test]
async fn create_deploy_posts_once_and_is_never_repeated_on_a_gateway_error() {
    let mut server = mockito::Server::new_async().await;
    let deploy = server
        .mock("POST", "/api/0/organizations/acme/releases/1.0/deploys/")
        .match_body(Matcher::Json(
            json!({"environment": "staging", "projects": ["web"]}),
        ))
        .with_status(502)
        .expect(1)
        .create_async()
        .await;
    let result = Registry::new()
        .call(
            context(&server),
            "create_deploy",
            json!({"version": "1.0", "environment": "staging", "projects": ["web"]}),
            false,
        )
        .await;
    assert!(result.is_err());
    deploy.assert_async().await;
}

#[tokio::test]
async fn list_deploys_reads_the_release_deploys() {
    let mut server = mockito::Server::new_async().await;
    let list = json_mock(&mut server, "GET", "/api/0/organizations/acme/releases/1.0/deploys/", 200, json!([
        {"id": "1", "environment": "production", "name": "first", "dateFinished": "2024-05-01T10:00:00Z"}
    ]))
    .await;
    let out = call(&server, "list_deploys", json!({"version": "1.0"})).await;
    list.assert_async().await;
    assert_eq!(out.structured["deploys"][0]["id"], "1");
    assert!(
        out.text
            .contains("production (first), finished 2024-05-01T10:00:00Z"),
        "{}",
        out.text
    );
}

/// A linear history of `count` commits for `git fast-import`: each modifies two of 60 files in
/// six directories, every 7th adds a file and every 11th deletes one.
fn fast_import_stream(count: usize) -> String {
    let mut stream = String::new();
    for n in 1..=count {
        let message = format!("change {n}");
        stream.push_str(&format!(
            "commit refs/heads/main\nauthor Ada <ada@example.com> {t} +0000\ncommitter Ada <ada@example.com> {t} +0000\ndata {}\n{message}\n",
            message.len(),
            t = 1_700_000_000 + n * 60
        ));
        for file in [n % 60, (n * 7 + 3) % 60] {
            let text = format!("{n}");
            stream.push_str(&format!(
                "M 100644 inline dir{}/file{file}.txt\ndata {}\n{text}\n",
                file % 6,
                text.len()
            ));
        }
        if n % 7 == 0 {
            stream.push_str(&format!("M 100644 inline added/{n}.txt\ndata 1\nx\n"));
        }
        if n % 11 == 0 && n > 7 {
            stream.push_str(&format!("D added/{}.txt\n", (n / 7) * 7 - 7));
        }
        stream.push('\n');
    }
    stream
}

/// `git log --name-status --no-renames` of a range, as commit → (type, path) pairs.
fn git_log_changes(repo: &Repo, range: &str) -> BTreeMap<String, Vec<(String, String)>> {
    let log = repo.git(&[
        "log",
        "--name-status",
        "--no-renames",
        "--format=commit %H",
        range,
    ]);
    let mut changes: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut current = String::new();
    for line in log.lines().filter(|l| !l.is_empty()) {
        if let Some(id) = line.strip_prefix("commit ") {
            current = id.to_owned();
            changes.entry(current.clone()).or_default();
        } else if let Some((kind, path)) = line.split_once('\t') {
            changes
                .entry(current.clone())
                .or_default()
                .push((kind.to_owned(), path.to_owned()));
        }
    }
    changes
}

#[test]
fn a_long_range_read_on_several_threads_matches_git_log() {
    let repo = Repo::new();
    let mut import = std::process::Command::new("git")
        .args([
            "-C",
            repo.path().to_str().unwrap(),
            "fast-import",
            "--quiet",
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    import
        .stdin
        .take()
        .unwrap()
        .write_all(fast_import_stream(4_500).as_bytes())
        .unwrap();
    assert!(import.wait().unwrap().success());
    repo.git(&["reset", "-q", "--hard", "main"]);
    let root = repo.git(&["rev-list", "--max-parents=0", "HEAD"]);

    let (body, _) = dry_run(&repo, &["--from", &root, "--max-commits", "100000"]);

    let expected = git_log_changes(&repo, &format!("{root}..HEAD"));
    assert_eq!(commits(&body).len(), 4_499);
    let found: BTreeMap<String, Vec<(String, String)>> = commits(&body)
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_owned(), patch_set(c).unwrap()))
        .collect();
    assert_eq!(found, expected);
    let order: Vec<&str> = commits(&body)
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        repo.rev_list(&[&format!("{root}..HEAD")]),
        "newest first, as git lists them"
    );
}
