//! Tests: what action-release and sentry-cli users type works the same here: `--url` after the
//! subcommand is a link, deploy's short flags and times, `--allow-failure`, set-commits modes,
//! path filters, re-created releases, and the CI reports of create/finalize/deploy.

use super::*;
use crate::support::http::{Behaviour, RawServer, raw_answer};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[tokio::test]
async fn url_before_the_subcommand_is_sentry_and_after_finalize_is_the_release_link() {
    let mut sentry = mockito::Server::new_async().await;
    let mut decoy = mockito::Server::new_async().await;
    let mut untouched = Vec::new();
    for method in ["GET", "PUT", "POST"] {
        untouched.push(
            decoy
                .mock(method, Matcher::Any)
                .expect(0)
                .create_async()
                .await,
        );
    }
    let link = format!("{}/changelog", decoy.url());
    let finalize = sentry
        .mock("PUT", "/api/0/organizations/acme/releases/1.0.0/")
        .match_header(
            "authorization",
            format!("Bearer {}", crate::support::sentry::TOKEN).as_str(),
        )
        .match_body(Matcher::PartialJson(json!({"url": link})))
        .with_body(json!({"version": "1.0.0", "url": link}).to_string())
        .expect(1)
        .create_async()
        .await;
    // SENTRY_URL names the decoy too; the global --url before the subcommand wins over it.
    let output = binary(&decoy.url())
        .args(["--url", &sentry.url(), "--org", "acme"])
        .args(["release", "finalize", "1.0.0", "--url", &link])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_no_token(&output);
    finalize.assert_async().await;
    for mock in untouched {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn a_link_that_looks_like_a_sentry_server_is_warned_about_and_still_only_a_link() {
    let mut sentry = mockito::Server::new_async().await;
    let deploy = sentry
        .mock("POST", "/api/0/organizations/acme/releases/1.0.0/deploys/")
        .match_body(Matcher::PartialJson(
            json!({"url": "https://acme.sentry.io/"}),
        ))
        .with_status(201)
        .with_body(json!({"id": "3", "environment": "prod"}).to_string())
        .expect(1)
        .create_async()
        .await;
    let output = binary(&sentry.url())
        .args([
            "--org",
            "acme",
            "release",
            "deploy",
            "1.0.0",
            "-e",
            "prod",
            "-u",
            "https://acme.sentry.io/",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("looks like a Sentry server"), "{stderr}");
    assert!(stderr.contains("before the subcommand"), "{stderr}");
    deploy.assert_async().await;

    let (repo, _) = linear(2);
    let (_, stderr) = dry_run(&repo, &["--url", "https://self-hosted.example/api/0/"]);
    assert!(stderr.contains("looks like a Sentry server"), "{stderr}");
}

#[tokio::test]
async fn deploy_takes_sentry_cli_short_flags_unix_seconds_and_a_duration() {
    let mut sentry = mockito::Server::new_async().await;
    let deploy = sentry
        .mock("POST", "/api/0/organizations/acme/releases/1.0.0/deploys/")
        .match_body(Matcher::Json(json!({
            "environment": "production", "name": "run 7", "url": "https://ci.example/7",
            "dateStarted": "2024-05-01T11:55:00Z", "dateFinished": "2024-05-01T12:00:00Z"
        })))
        .with_status(201)
        .with_body(json!({"id": "9", "environment": "production"}).to_string())
        .expect(1)
        .create_async()
        .await;
    let output = binary(&sentry.url())
        .args(["--org", "acme", "release", "deploy", "1.0.0"])
        .args([
            "-e",
            "production",
            "-n",
            "run 7",
            "-u",
            "https://ci.example/7",
        ])
        .args(["-t", "300", "--finished", "1714564800"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    deploy.assert_async().await;
}

fn failing_finalize(server: &ServerGuard) -> Command {
    let mut cmd = binary(&server.url());
    cmd.env("SENTRY_HTTP_MAX_RETRIES", "0")
        .args(["--org", "acme", "release", "finalize", "1.0.0"]);
    cmd
}

#[tokio::test]
async fn allow_failure_prints_the_failure_as_a_warning_and_exits_0() {
    let mut sentry = mockito::Server::new_async().await;
    let _broken = json_mock(
        &mut sentry,
        "PUT",
        "/api/0/organizations/acme/releases/1.0.0/",
        500,
        json!({"detail": "boom"}),
    )
    .await;
    let failed = failing_finalize(&sentry).output().unwrap();
    assert_eq!(failed.status.code(), Some(2));

    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary");
    let allowed = failing_finalize(&sentry)
        .arg("--allow-failure")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&allowed.stderr);
    assert_eq!(allowed.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: release finalize failed, and --allow-failure"),
        "{stderr}"
    );
    assert!(
        stderr.contains("::warning title=sentry-companion release finalize failed::"),
        "{stderr}"
    );
    assert!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .contains("failed (allowed)")
    );

    let by_env = failing_finalize(&sentry)
        .env("SENTRY_ALLOW_FAILURE", "1")
        .output()
        .unwrap();
    assert_eq!(by_env.status.code(), Some(0));
    let off = failing_finalize(&sentry)
        .env("SENTRY_ALLOW_FAILURE", "0")
        .output()
        .unwrap();
    assert_eq!(off.status.code(), Some(2));
}

#[test]
fn a_failure_on_github_is_an_error_annotation_and_in_the_gitlab_report() {
    let sentry = RawServer::start(crate::support::http::answer(
        "500 Internal Server Error",
        &[],
        "{\"detail\":\"boom\"}",
    ));
    let dir = tempfile::tempdir().unwrap();
    let (summary, dotenv) = (dir.path().join("summary"), dir.path().join("sentry.env"));
    let output = binary(&sentry.url)
        .env("SENTRY_HTTP_MAX_RETRIES", "0")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args([
            "--org", "acme", "release", "deploy", "1.0.0", "-e", "prod", "--dotenv",
        ])
        .arg(&dotenv)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("::error title=sentry-companion release deploy failed::"),
        "{stderr}"
    );
    assert!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .contains("### ❌ `release deploy` failed")
    );
    let report = std::fs::read_to_string(&dotenv).unwrap();
    assert!(
        report.contains("SENTRY_RELEASE_FAILED_STEP=release deploy\n"),
        "{report}"
    );
    assert!(report.contains("SENTRY_RELEASE_ERROR="), "{report}");
}

/// A Sentry whose first deploy POST is cut off after it arrived; the deploy list then holds
/// `recorded`, and a second POST is answered.
fn lost_answer_sentry(recorded: &'static str) -> (RawServer, Arc<AtomicUsize>) {
    let posts = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&posts);
    let script = move |request: &str| {
        if request.starts_with("POST") {
            return match counted.fetch_add(1, Ordering::SeqCst) {
                0 => None,
                _ => Some(raw_answer(
                    "201 Created",
                    &[],
                    r#"{"id":"77","environment":"production"}"#,
                )),
            };
        }
        Some(raw_answer("200 OK", &[], recorded))
    };
    (RawServer::start(Behaviour::Script(Arc::new(script))), posts)
}

fn deploy_at_noon(server: &RawServer) -> std::process::Output {
    binary(&server.url)
        .args([
            "--org",
            "acme",
            "release",
            "deploy",
            "1.0.0",
            "-e",
            "production",
        ])
        .args(["--finished", "2024-05-01T12:00:00Z"])
        .output()
        .unwrap()
}

#[test]
fn a_deploy_whose_answer_was_lost_is_looked_up_not_recorded_twice() {
    let (sentry, posts) = lost_answer_sentry(
        r#"[{"id":"41","environment":"production","dateFinished":"2024-05-01T12:00:00.000000Z"}]"#,
    );
    let output = deploy_at_noon(&sentry);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        posts.load(Ordering::SeqCst),
        1,
        "the deploy was not sent twice"
    );
    assert!(stderr.contains("Sentry has deploy 41"), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("Deploy 41"));
}

#[test]
fn a_deploy_whose_answer_was_lost_and_that_sentry_lacks_is_sent_again() {
    let (sentry, posts) = lost_answer_sentry("[]");
    let output = deploy_at_noon(&sentry);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(posts.load(Ordering::SeqCst), 2);
    assert!(
        stderr.contains("was not recorded, so it is sent again"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("Deploy 77"));
}

#[test]
fn paths_with_backslashes_select_the_same_commits() {
    let (repo, _) = linear(4);
    let (slashes, _) = dry_run(&repo, &["--path", "src/file2.txt"]);
    let (backslashes, _) = dry_run(&repo, &["--path", "src\\file2.txt"]);
    assert_eq!(ids(&slashes).len(), 1);
    assert_eq!(ids(&slashes), ids(&backslashes));
}

#[test]
fn a_path_filter_that_matches_nothing_says_so_and_sends_no_commits() {
    let (repo, _) = linear(4);
    let (body, stderr) = dry_run(&repo, &["--path", "docs"]);
    assert!(
        body.get("commits").is_none() && body.get("refs").is_none(),
        "{body}"
    );
    assert!(
        stderr.contains("none of the 4 commits in the history touches --path docs"),
        "{stderr}"
    );
    let (_, quiet) = dry_run(&repo, &["--path", "docs", "--ignore-empty"]);
    assert!(!quiet.contains("touches --path"), "{quiet}");
}

async fn repos_mock(server: &mut ServerGuard) -> Mock {
    json_mock(
        server,
        "GET",
        "/api/0/organizations/acme/repos/",
        200,
        json!([
            {"id": "7", "name": "acme/web", "url": "https://github.com/acme/web",
             "provider": {"id": "integrations:github", "name": "GitHub"}, "status": "active"},
        ]),
    )
    .await
}

fn create(server: &ServerGuard, repo: &Repo) -> Command {
    let mut cmd = binary(&server.url());
    cmd.current_dir(repo.path())
        .env("SENTRY_ORG", "acme")
        .env("SENTRY_PROJECT", "web")
        .args(["--output", "json", "release", "create", "1.0.0"]);
    cmd
}

#[tokio::test]
async fn auto_sends_refs_for_sentry_to_fetch_and_manual_sends_the_given_ones() {
    let mut server = mockito::Server::new_async().await;
    let (repo, shas) = linear(3);
    repo.git(&["remote", "add", "origin", "git@github.com:acme/web.git"]);
    let _repos = repos_mock(&mut server).await;
    let _new = json_mock(
        &mut server,
        "GET",
        "/api/0/organizations/acme/releases/1.0.0/",
        404,
        json!({}),
    )
    .await;
    let auto = server
        .mock("POST", "/api/0/organizations/acme/releases/")
        .match_body(Matcher::Json(
            json!({"version": "1.0.0", "projects": ["web"],
            "refs": [{"repository": "acme/web", "commit": shas[2], "previousCommit": shas[0]}]}),
        ))
        .with_status(201)
        .with_body(json!({"version": "1.0.0"}).to_string())
        .expect(1)
        .create_async()
        .await;
    let output = create(&server, &repo)
        .args(["--auto", "--from", &shas[0]])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["commits_fetched_by_sentry"], true);
    auto.assert_async().await;

    let manual = server
        .mock("POST", "/api/0/organizations/acme/releases/")
        .match_body(Matcher::Json(
            json!({"version": "1.0.0", "projects": ["web"],
            "refs": [{"repository": "acme/web", "commit": "bbbb", "previousCommit": "aaaa"}]}),
        ))
        .with_status(201)
        .with_body(json!({"version": "1.0.0"}).to_string())
        .expect(1)
        .create_async()
        .await;
    let output = create(&server, &repo)
        .args(["--set-commits", "manual", "--commit", "ACME/web@aaaa..bbbb"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    manual.assert_async().await;

    let unknown = create(&server, &repo)
        .args(["--commit", "acme/api@bbbb"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no repository named \"acme/api\""));
}

#[tokio::test]
async fn auto_without_an_integrated_repository_is_an_error_not_an_empty_release() {
    let mut server = mockito::Server::new_async().await;
    let (repo, _) = linear(2);
    repo.git(&[
        "remote",
        "add",
        "origin",
        "https://gitlab.com/acme/other.git",
    ]);
    let _repos = repos_mock(&mut server).await;
    let _new = json_mock(
        &mut server,
        "GET",
        "/api/0/organizations/acme/releases/1.0.0/",
        404,
        json!({}),
    )
    .await;
    let _none = json_mock(
        &mut server,
        "GET",
        "/api/0/projects/acme/web/releases/",
        200,
        json!([]),
    )
    .await;
    let nothing = server
        .mock("POST", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let output = create(&server, &repo).arg("--auto").output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no repository connected to Sentry matches"),
        "{stderr}"
    );
    nothing.assert_async().await;
}

#[tokio::test]
async fn recreating_a_finalized_release_with_other_commits_says_what_it_replaced() {
    let mut server = mockito::Server::new_async().await;
    let (repo, shas) = linear(4);
    repo.git(&["remote", "add", "origin", "git@github.com:acme/web.git"]);
    let _repos = repos_mock(&mut server).await;
    let _existing = json_mock(
        &mut server,
        "GET",
        "/api/0/organizations/acme/releases/1.0.0/",
        200,
        json!({
            "version": "1.0.0", "dateReleased": "2024-04-01T00:00:00Z", "commitCount": 2,
            "projects": [{"slug": "web"}]
        }),
    )
    .await;
    let _commits = json_mock(
        &mut server,
        "GET",
        "/api/0/organizations/acme/releases/1.0.0/commits/",
        200,
        json!([
            {"id": shas[3]}, {"id": "ffffffffffffffffffffffffffffffffffffffff"}
        ]),
    )
    .await;
    let update = server
        .mock("PUT", "/api/0/organizations/acme/releases/1.0.0/")
        .with_body(json!({"version": "1.0.0"}).to_string())
        .expect(1)
        .create_async()
        .await;
    let output = create(&server, &repo)
        .args(["--from", &shas[1]])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("replaced a finalized commit list"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 added") && stderr.contains("1 removed"),
        "{stderr}"
    );
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["replaced"]["added"], json!([shas[2]]));
    assert_eq!(
        summary["replaced"]["removed"],
        json!(["ffffffffffffffffffffffffffffffffffffffff"])
    );
    update.assert_async().await;
}

#[test]
fn create_and_deploy_write_the_job_summary_outputs_and_one_gitlab_report() {
    use crate::support::fake_sentry::{FakeProject, FakeSentry, World};
    let sentry = FakeSentry::start(World {
        projects: vec![FakeProject {
            id: 42,
            slug: "web".into(),
            has_sessions: false,
        }],
        ..World::default()
    });
    let (repo, _) = linear(2);
    repo.git(&["remote", "add", "origin", "https://github.com/acme/web.git"]);
    let dir = tempfile::tempdir().unwrap();
    let (outputs, summary, dotenv) = (
        dir.path().join("out"),
        dir.path().join("summary"),
        dir.path().join("sentry.env"),
    );
    let run = |args: &[&str]| {
        binary(&sentry.url)
            .current_dir(repo.path())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", &outputs)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .args(["--org", "acme", "--project", "web", "release"])
            .args(args)
            .arg("--dotenv")
            .arg(&dotenv)
            .output()
            .unwrap()
    };
    let created = run(&["create", "2.0.0"]);
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let deployed = run(&["deploy", "2.0.0", "-e", "production"]);
    assert!(
        deployed.status.success(),
        "{}",
        String::from_utf8_lossy(&deployed.stderr)
    );
    let outputs = std::fs::read_to_string(&outputs).unwrap();
    for line in ["version=2.0.0", "commit_count=2", "deploy_id="] {
        assert!(outputs.contains(line), "{line}: {outputs}");
    }
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.contains("### ✅ `release create`: Created release 2.0.0 with 2 commits"),
        "{summary}"
    );
    assert!(summary.contains("### ✅ `release deploy`"), "{summary}");
    let report = std::fs::read_to_string(&dotenv).unwrap();
    for line in [
        "SENTRY_RELEASE=2.0.0\n",
        "SENTRY_RELEASE_COMMIT_COUNT=2\n",
        "SENTRY_DEPLOY_ID=",
        "SENTRY_RELEASE_URL=",
    ] {
        assert!(report.contains(line), "{line}: {report}");
    }

    // The GitLab example names exactly what the binary writes: gate, failure and success keys.
    let gate_env = dir.path().join("gate.env");
    let gate = binary(&sentry.url)
        .current_dir(repo.path())
        .args([
            "--org",
            "acme",
            "--project",
            "web",
            "release",
            "gate",
            "2.0.0",
        ])
        .args(["--env", "production", "--soak", "0s", "--dotenv"])
        .arg(&gate_env)
        .output()
        .unwrap();
    assert!(
        gate.status.code().is_some_and(|c| c != 2),
        "{}",
        String::from_utf8_lossy(&gate.stderr)
    );
    let failed = run(&["deploy", "9.9.9", "-e", "production"]);
    assert_eq!(failed.status.code(), Some(2));
    let written: BTreeSet<String> = [&dotenv, &gate_env]
        .iter()
        .flat_map(|path| {
            std::fs::read_to_string(path)
                .unwrap()
                .lines()
                .filter_map(|l| l.split_once('=').map(|(k, _)| k.to_owned()))
                .collect::<Vec<_>>()
        })
        .collect();
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/gitlab-ci.yml"
    ))
    .unwrap();
    let named: BTreeSet<String> = example
        .lines()
        .find_map(|l| l.strip_prefix("# Report variables:"))
        .expect("the example lists its report variables")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    assert_eq!(named, written);
}

#[test]
fn the_configured_vcs_remote_names_the_repository_unless_remote_is_given() {
    let (repo, _) = linear(2);
    repo.git(&[
        "remote",
        "add",
        "origin",
        "https://github.com/acme/fork.git",
    ]);
    repo.git(&[
        "remote",
        "add",
        "upstream",
        "https://github.com/acme/web.git",
    ]);
    let repository = |extra: &[&str]| {
        let output = offline()
            .current_dir(repo.path())
            .env("SENTRY_VCS_REMOTE", "upstream")
            .args(["release", "create", "1.0.0", "--dry-run"])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let body: Value = serde_json::from_slice(&output.stdout).unwrap();
        body["commits"][0]["repository"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(repository(&[]), "acme/web");
    assert_eq!(repository(&["--remote", "origin"]), "acme/fork");
}
