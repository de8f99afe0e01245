//! Tests: monorepo paths, authors, and the repository name from remotes.

use super::*;

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
