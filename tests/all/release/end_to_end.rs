//! Tests: `release create|finalize|deploy` end to end against a mock Sentry.

use super::*;

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
