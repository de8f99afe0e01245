//! Tests: the dry run without token or server, bad input, and propose-version.

use super::*;

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
