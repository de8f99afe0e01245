//! Tests: shallow clones: a missing start is an error with the fix, `--deepen` fetches it.

use super::*;

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
