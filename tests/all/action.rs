//! The GitHub Action: its declared interface, and the binary run the way the action runs it.

use std::collections::BTreeSet;

/// Inputs and outputs the contract names for `action.yml`.
const CONTRACT_INPUTS: &[&str] = &[
    "auth_token",
    "url",
    "org",
    "projects",
    "version",
    "environment",
    "set_commits",
    "from",
    "paths",
    "finalize",
    "deploy",
    "gate",
    "gate_soak",
    "gate_max_new_issues",
    "gate_on_inconclusive",
    "gate_auth_token",
    "working_directory",
    "sourcemaps",
    "inject",
    "dist",
    "url_prefix",
    "strip_common_prefix",
    "sourcemaps_ext",
    "sourcemaps_ignore",
    "release",
    "release_prefix",
    "repo",
    "commit",
    "previous_commit",
    "ignore_missing",
    "ignore_empty",
    "started_at",
];
const CONTRACT_OUTPUTS: &[&str] = &[
    "version",
    "commit_count",
    "release_url",
    "deploy_id",
    "gate_result",
    "new_issues",
    "release",
    "new_issue_ids",
    "failed_rules",
];

/// The keys declared directly under a top-level section (`inputs:` / `outputs:`) of action.yml.
fn declared(section: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap();
    let mut inside = false;
    let mut keys = BTreeSet::new();
    for line in text.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            inside = line.trim_end() == format!("{section}:");
            continue;
        }
        let is_key =
            line.starts_with("  ") && !line.starts_with("   ") && line.trim_end().ends_with(':');
        if inside && is_key {
            keys.insert(line.trim().trim_end_matches(':').to_owned());
        }
    }
    keys
}

#[test]
fn declares_every_contract_input_and_output() {
    let inputs = declared("inputs");
    for input in CONTRACT_INPUTS {
        assert!(
            inputs.contains(*input),
            "input {input} is not declared in action.yml"
        );
    }
    let outputs = declared("outputs");
    for output in CONTRACT_OUTPUTS {
        assert!(
            outputs.contains(*output),
            "output {output} is not declared in action.yml"
        );
    }
}

#[test]
fn never_interpolates_expressions_into_shell_scripts() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap();
    for line in text.lines().filter(|l| l.trim_start().starts_with("run:")) {
        assert!(!line.contains("${{"), "expression inside run: {line}");
    }
}

/// Runs `scripts/action-run.sh` the way action.yml does: GitHub's variables, `INPUT_*` from the
/// inputs, the binary on PATH. Returns the run and the parsed `$GITHUB_OUTPUT` and summary.
struct ActionRun {
    output: std::process::Output,
    outputs: std::collections::BTreeMap<String, String>,
    summary: String,
}

fn run_action(inputs: &[(&str, &str)]) -> ActionRun {
    let files = tempfile::tempdir().unwrap();
    let output_file = files.path().join("output");
    let summary_file = files.path().join("summary");
    let binary_dir = std::path::Path::new(env!("CARGO_BIN_EXE_sentry-companion"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        binary_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = std::process::Command::new("bash");
    command
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/action-run.sh"
        ))
        .env_clear()
        .env("PATH", path)
        .env("HOME", files.path())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_STEP_SUMMARY", &summary_file);
    for (name, value) in inputs {
        command.env(format!("INPUT_{}", name.to_ascii_uppercase()), value);
    }
    let output = command.output().unwrap();
    let outputs = std::fs::read_to_string(&output_file)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let summary = std::fs::read_to_string(&summary_file).unwrap_or_default();
    ActionRun {
        output,
        outputs,
        summary,
    }
}

fn repository_with_history() -> crate::support::git::Repo {
    let repo = crate::support::git::Repo::new();
    repo.commit("first", "2026-01-01T10:00:00Z", &[("app.py", Some("a"))]);
    repo.commit("second", "2026-01-02T10:00:00Z", &[("app.py", Some("b"))]);
    repo.git(&["remote", "add", "origin", "https://github.com/acme/web.git"]);
    repo
}

fn web_project() -> Vec<crate::support::fake_sentry::FakeProject> {
    vec![crate::support::fake_sentry::FakeProject {
        id: 42,
        slug: "web".into(),
        has_sessions: false,
    }]
}

#[test]
fn creates_deploys_and_passes_the_gate_writing_every_output() {
    use crate::support::fake_sentry::{FakeSentry, World};
    let sentry = FakeSentry::start(World {
        projects: web_project(),
        ..World::default()
    });
    let repo = repository_with_history();
    let workdir = repo.path().display().to_string();
    let run = run_action(&[
        ("auth_token", crate::support::sentry::TOKEN),
        ("url", &sentry.url),
        ("org", "acme"),
        ("projects", "web"),
        ("version", "2.0.0"),
        ("environment", "production"),
        ("set_commits", "local"),
        ("finalize", "true"),
        ("deploy", "true"),
        ("gate", "true"),
        ("gate_soak", "0s"),
        ("gate_max_new_issues", "0"),
        ("gate_on_inconclusive", "neutral"),
        ("working_directory", &workdir),
    ]);
    let stderr = String::from_utf8_lossy(&run.output.stderr);
    assert_eq!(run.output.status.code(), Some(0), "{stderr}");
    assert_eq!(run.outputs["version"], "2.0.0");
    assert_eq!(run.outputs["commit_count"], "2");
    assert!(
        run.outputs["release_url"].contains("2.0.0"),
        "{:?}",
        run.outputs
    );
    assert_eq!(run.outputs["deploy_id"], "0");
    assert_eq!(run.outputs["gate_result"], "pass");
    assert_eq!(run.outputs["new_issues"], "0");
    assert!(run.summary.contains("pass"), "{}", run.summary);

    let writes = sentry.with(|w| w.writes.clone());
    let (_, created) = writes
        .iter()
        .find(|(what, _)| what.ends_with("/releases/"))
        .expect("release created");
    assert_eq!(created["commits"].as_array().unwrap().len(), 2);
    assert_eq!(created["projects"], serde_json::json!(["web"]));
    assert!(
        created["dateReleased"].is_string(),
        "finalized in the same request: {created}"
    );
    assert_eq!(created["refs"][0]["repository"], "acme/web");
    let (_, deploy) = writes
        .iter()
        .find(|(what, _)| what.ends_with("/deploys/"))
        .expect("deploy recorded");
    assert_eq!(deploy["environment"], "production");
}

#[test]
fn a_new_issue_fails_the_step_names_it_and_sets_the_outputs() {
    use crate::support::fake_sentry::{FakeDeploy, FakeIssue, FakeRelease, FakeSentry, World};
    let now = chrono::Utc::now();
    let sentry = FakeSentry::start(World {
        projects: web_project(),
        releases: vec![FakeRelease {
            deploys: vec![FakeDeploy {
                environment: "production".into(),
                started: None,
                finished: now - chrono::TimeDelta::minutes(5),
            }],
            ..FakeRelease::new("2.0.0", now - chrono::TimeDelta::minutes(10))
        }],
        issues: vec![FakeIssue::new(
            7,
            "WEB-7",
            "TypeError: cart is undefined",
            "2.0.0",
            now - chrono::TimeDelta::minutes(2),
        )],
        ..World::default()
    });
    let repo = repository_with_history();
    let workdir = repo.path().display().to_string();
    let run = run_action(&[
        ("auth_token", crate::support::sentry::TOKEN),
        ("url", &sentry.url),
        ("org", "acme"),
        ("projects", "web"),
        ("version", "2.0.0"),
        ("environment", "production"),
        ("set_commits", "skip"),
        ("deploy", "false"),
        ("gate", "true"),
        ("gate_soak", "0s"),
        ("working_directory", &workdir),
    ]);
    let stdout = String::from_utf8_lossy(&run.output.stdout);
    assert_eq!(
        run.output.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.output.stderr)
    );
    assert_eq!(run.outputs["gate_result"], "fail");
    assert_eq!(run.outputs["new_issues"], "1");
    assert_eq!(run.outputs["commit_count"], "0");
    assert!(!run.outputs.contains_key("deploy_id"));
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("::error") && l.contains("WEB-7")),
        "{stdout}"
    );
    assert!(run.summary.contains("WEB-7"), "{}", run.summary);
    let writes = sentry.with(|w| w.writes.clone());
    assert!(
        writes
            .iter()
            .all(|(what, body)| !what.contains("deploys") && body.get("commits").is_none())
    );
}

#[test]
fn the_gate_reads_with_its_own_token_when_one_is_given() {
    use crate::support::fake_sentry::{FakeSentry, World};
    const GATE_TOKEN: &str = "sntryu_FAKE-gate-token-0123456789-never-real";
    let sentry = FakeSentry::start(World {
        projects: web_project(),
        ..World::default()
    });
    let repo = repository_with_history();
    let workdir = repo.path().display().to_string();
    let run = run_action(&[
        ("auth_token", crate::support::sentry::TOKEN),
        ("gate_auth_token", GATE_TOKEN),
        ("url", &sentry.url),
        ("org", "acme"),
        ("projects", "web"),
        ("version", "2.0.0"),
        ("environment", "production"),
        ("gate", "true"),
        ("gate_soak", "0s"),
        ("working_directory", &workdir),
    ]);
    let stdout = String::from_utf8_lossy(&run.output.stdout);
    assert_eq!(
        run.output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&run.output.stderr)
    );
    assert!(
        stdout.contains(&format!("::add-mask::{GATE_TOKEN}")),
        "{stdout}"
    );
    let tokens = sentry.with(|w| w.tokens.clone());
    let used_for = |fragment: &str| -> Vec<&str> {
        tokens
            .iter()
            .filter(|(path, _)| path.contains(fragment))
            .map(|(_, token)| token.as_str())
            .collect()
    };
    assert!(
        used_for("/deploys/")
            .first()
            .is_some_and(|t| *t == crate::support::sentry::TOKEN),
        "release and deploy with auth_token"
    );
    let searches = used_for("/issues/");
    assert!(!searches.is_empty() && searches.iter().all(|t| *t == GATE_TOKEN));
}

#[test]
fn rejects_an_unknown_set_commits_mode_with_exit_2() {
    let run = run_action(&[("set_commits", "remote"), ("version", "1.0")]);
    assert_eq!(run.output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.output.stdout).contains("set_commits must be"));
}

#[test]
fn uploads_source_maps_after_create_and_before_finalize_and_deploy() {
    use crate::support::chunk_server::{ChunkServer, ChunkWorld};
    use crate::support::fake_sentry::{FakeSentry, World};
    let sentry = FakeSentry::start(World {
        projects: web_project(),
        ..World::default()
    });
    let front = ChunkServer::start(ChunkWorld {
        pass_on: Some(sentry.url.clone()),
        ..ChunkWorld::default()
    });
    let repo = repository_with_history();
    let build = repo.path().join("dist");
    std::fs::create_dir_all(build.join("vendor")).unwrap();
    std::fs::write(
        build.join("app.js"),
        "run();\n//# sourceMappingURL=app.js.map\n",
    )
    .unwrap();
    std::fs::write(
        build.join("app.js.map"),
        r#"{"version":3,"sources":["src/app.ts"],"names":[],"mappings":"AAAA"}"#,
    )
    .unwrap();
    std::fs::write(build.join("vendor/lib.js"), "lib();\n").unwrap();
    let workdir = repo.path().display().to_string();
    let run = run_action(&[
        ("auth_token", crate::support::sentry::TOKEN),
        ("url", &front.url),
        ("org", "acme"),
        ("projects", "web"),
        ("version", "2.0.0"),
        ("environment", "production"),
        ("set_commits", "skip"),
        ("sourcemaps", "dist"),
        ("sourcemaps_ignore", "vendor/"),
        ("dist", "web"),
        ("url_prefix", "~/static"),
        ("working_directory", &workdir),
    ]);
    let stderr = String::from_utf8_lossy(&run.output.stderr);
    assert_eq!(run.output.status.code(), Some(0), "{stderr}");
    let app = std::fs::read_to_string(build.join("app.js")).unwrap();
    assert!(app.contains("//# debugId="), "inject ran first: {app}");
    assert!(
        !std::fs::read_to_string(build.join("vendor/lib.js"))
            .unwrap()
            .contains("debugId")
    );

    let order: Vec<String> = front.requests();
    let position = |what: &str| {
        order
            .iter()
            .position(|r| r == what)
            .unwrap_or_else(|| panic!("{what} in {order:?}"))
    };
    let created = position("POST /api/0/organizations/acme/releases/");
    let assembled = position("POST /api/0/organizations/acme/artifactbundle/assemble/");
    let finalized = position("PUT /api/0/organizations/acme/releases/2.0.0/");
    let deployed = position("POST /api/0/organizations/acme/releases/2.0.0/deploys/");
    assert!(
        created < assembled && assembled < finalized && finalized < deployed,
        "{order:?}"
    );

    let writes = sentry.with(|w| w.writes.clone());
    let (_, create_body) = writes
        .iter()
        .find(|(what, _)| what.ends_with("/releases/"))
        .expect("release created");
    assert!(
        create_body.get("dateReleased").is_none(),
        "finalized only after the upload"
    );
    let bundle = front.with(|w| w.bundles[0].clone());
    assert_eq!(bundle.request["version"], "2.0.0");
    assert_eq!(bundle.request["dist"], "web");
    let urls: Vec<&str> = bundle.manifest["files"]
        .as_object()
        .unwrap()
        .values()
        .map(|f| f["url"].as_str().unwrap())
        .collect();
    assert_eq!(urls, ["~/static/app.js", "~/static/app.js.map"]);
    assert!(
        run.summary.contains("Source maps uploaded"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("~/static/app.js"), "{}", run.summary);
}

/// action-release's inputs as its users write them: `release` with a tag ref and a prefix,
/// `set_commits: manual` with `repo`/`commit`/`previous_commit`, `started_at` in unix seconds.
#[test]
fn action_release_inputs_work_as_written() {
    use crate::support::fake_sentry::{FakeSentry, World};
    let sentry = FakeSentry::start(World {
        projects: web_project(),
        repositories: vec![serde_json::json!({"id": "7", "name": "acme/web",
            "url": "https://github.com/acme/web", "provider": {"id": "integrations:github"}})],
        ..World::default()
    });
    let repo = repository_with_history();
    let workdir = repo.path().display().to_string();
    let run = run_action(&[
        ("auth_token", crate::support::sentry::TOKEN),
        ("url", &sentry.url),
        ("org", "acme"),
        ("projects", "web"),
        ("release", "refs/tags/v2.0.0"),
        ("release_prefix", "web@"),
        ("environment", "production"),
        ("set_commits", "manual"),
        ("repo", "acme/web"),
        ("commit", "2222222222222222222222222222222222222222"),
        (
            "previous_commit",
            "1111111111111111111111111111111111111111",
        ),
        ("started_at", "1714564800"),
        ("working_directory", &workdir),
    ]);
    let stderr = String::from_utf8_lossy(&run.output.stderr);
    assert_eq!(run.output.status.code(), Some(0), "{stderr}");
    assert_eq!(run.outputs["version"], "web@v2.0.0");
    let writes = sentry.with(|w| w.writes.clone());
    let (_, created) = writes
        .iter()
        .find(|(what, _)| what.ends_with("/releases/"))
        .expect("release created");
    assert_eq!(created["version"], "web@v2.0.0");
    assert_eq!(
        created["refs"],
        serde_json::json!([{"repository": "acme/web",
            "commit": "2222222222222222222222222222222222222222",
            "previousCommit": "1111111111111111111111111111111111111111"}])
    );
    assert!(created.get("commits").is_none(), "{created}");
    let (_, deploy) = writes
        .iter()
        .find(|(what, _)| what.ends_with("/deploys/"))
        .expect("deploy recorded");
    assert_eq!(deploy["dateStarted"], "2024-05-01T12:00:00Z");
    assert!(run.summary.contains("`release create`"), "{}", run.summary);
    assert!(run.summary.contains("`release deploy`"), "{}", run.summary);
}

#[test]
fn contradicting_version_inputs_and_manual_without_a_commit_are_refused() {
    let repo = repository_with_history();
    let workdir = repo.path().display().to_string();
    for inputs in [
        vec![("version", "1.0"), ("release", "2.0")],
        vec![
            ("version", "1.0"),
            ("set_commits", "manual"),
            ("repo", "acme/web"),
        ],
    ] {
        let mut inputs = inputs;
        inputs.push(("working_directory", &workdir));
        let run = run_action(&inputs);
        let stdout = String::from_utf8_lossy(&run.output.stdout);
        assert_eq!(run.output.status.code(), Some(2), "{inputs:?}: {stdout}");
        assert!(
            stdout.starts_with("::error title=sentry-companion::"),
            "{stdout}"
        );
    }
}

/// Runs `scripts/action-install.sh` with `curl` replaced by a stub that serves the action's tags
/// and a release archive from files, and logs every URL asked for. Returns the run and the URLs.
fn run_install(action_ref: &str) -> (std::process::Output, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let stub_bin = root.join("bin");
    std::fs::create_dir(&stub_bin).unwrap();
    let tags = serde_json::json!([
        {"name": "v0", "commit": {"sha": "b".repeat(40)}},
        {"name": "v0.3.0", "commit": {"sha": "b".repeat(40)}},
        {"name": "v0.2.0", "commit": {"sha": "a".repeat(40)}},
    ]);
    std::fs::write(root.join("tags.json"), tags.to_string()).unwrap();
    // A release archive holding a `sentry-companion` program, and its checksum file.
    let payload = root.join("payload");
    std::fs::create_dir(&payload).unwrap();
    std::fs::write(payload.join("sentry-companion"), "#!/bin/sh\n").unwrap();
    let archive = root.join("archive.tar.gz");
    let tar = std::process::Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(&payload)
        .arg("sentry-companion")
        .status()
        .unwrap();
    assert!(tar.success());
    let sum = std::process::Command::new("sha256sum")
        .arg(&archive)
        .output()
        .unwrap();
    let sum = String::from_utf8_lossy(&sum.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    std::fs::write(
        root.join("archive.sha256"),
        format!("{sum}  sentry-companion-x86_64-unknown-linux-musl.tar.gz\n"),
    )
    .unwrap();
    let stub = format!(
        r#"#!/usr/bin/env bash
out=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out=$2; shift ;;
    -H) shift ;;
    http*) url=$1 ;;
  esac
  shift
done
echo "$url" >> "{root}/urls"
case "$url" in
  *"/tags?"*"page=1") cat "{root}/tags.json" ;;
  *"/tags?"*) echo "[]" ;;
  *.tar.gz) cp "{root}/archive.tar.gz" "$out" ;;
  *.sha256) cp "{root}/archive.sha256" "$out" ;;
  *) exit 22 ;;
esac
"#,
        root = root.display()
    );
    let curl = stub_bin.join("curl");
    std::fs::write(&curl, stub).unwrap();
    std::fs::set_permissions(&curl, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let output = std::process::Command::new("bash")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/action-install.sh"
        ))
        .env_clear()
        .env(
            "PATH",
            format!(
                "{}:{}",
                stub_bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("ACTION_REF", action_ref)
        .env("ACTION_REPOSITORY", "acme/companion")
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TOOL_CACHE", root.join("cache"))
        .env("GITHUB_PATH", root.join("github_path"))
        .output()
        .unwrap();
    let urls = std::fs::read_to_string(root.join("urls"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect();
    (output, urls)
}

fn downloaded(urls: &[String]) -> Vec<&String> {
    urls.iter().filter(|u| u.ends_with(".tar.gz")).collect()
}

#[test]
fn pinning_the_action_installs_the_binary_built_for_that_ref() {
    let release = |tag: &str| {
        format!(
            "https://github.com/acme/companion/releases/download/{tag}/sentry-companion-x86_64-unknown-linux-musl.tar.gz"
        )
    };
    for (action_ref, tag) in [
        ("a".repeat(40), "v0.2.0"),
        ("b".repeat(40), "v0.3.0"),
        ("v0".to_owned(), "v0.3.0"),
        ("v0.2.0".to_owned(), "v0.2.0"),
    ] {
        let (output, urls) = run_install(&action_ref);
        assert!(
            output.status.success(),
            "{action_ref}: {}",
            String::from_utf8_lossy(&output.stdout)
        );
        assert_eq!(downloaded(&urls), [&release(tag)], "{action_ref}");
    }
}

#[test]
fn a_commit_no_release_was_built_from_installs_nothing() {
    let (output, urls) = run_install(&"c".repeat(40));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains(
            "::error title=sentry-companion::no release of acme/companion was built from"
        ),
        "{stdout}"
    );
    assert!(
        downloaded(&urls).is_empty(),
        "never the latest instead: {urls:?}"
    );
}
