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

// ---------------------------------------------------------------------------------------------
// Ranges cut by the clone: the small forms of the wrong counts measured on tokio and git/git.

fn main_line(repo: &Repo, days: std::ops::RangeInclusive<u32>) -> Vec<String> {
    days.map(|d| {
        repo.commit(
            &format!("C{d}"),
            &day(d),
            &[(&format!("main/c{d}.txt"), Some("x"))],
        )
    })
    .collect()
}

/// `git rev-list FROM..HEAD` in the clone (what a plain walk sends) and in the source (the truth).
fn naive_and_true(clone: &Repo, source: &Repo, from: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let range = format!("{from}..HEAD");
    let naive = clone.rev_list(&[&range]).into_iter().collect();
    let truth = source.rev_list(&[&range]).into_iter().collect();
    (naive, truth)
}

/// main C1..C20; a branch from C3 (F1..F6) merged after C20; D1, D2 on top. From C18 the range is
/// C19, C20, F1..F6, the merge, D1, D2 (11 commits); a depth-6 clone has C18 but cuts the branch
/// at F4, so a plain walk finds 8.
fn merged_branch_fixture() -> (Repo, Vec<String>) {
    let repo = Repo::new();
    let main = main_line(&repo, 1..=20);
    repo.git(&["checkout", "-q", "-b", "feature", &main[2]]);
    for (i, d) in (4..=9).enumerate() {
        repo.commit(
            &format!("F{}", i + 1),
            &day(d),
            &[(&format!("feature/f{i}.txt"), Some("f"))],
        );
    }
    repo.git(&["checkout", "-q", "main"]);
    repo.merge("feature", &day(21));
    repo.commit("D1", &day(22), &[("main/d1.txt", Some("d"))]);
    repo.commit("D2", &day(23), &[("main/d2.txt", Some("d"))]);
    repo.git(&["tag", "v-c18", &main[17]]);
    (repo, main)
}

#[test]
fn a_range_cut_by_the_clone_is_refused_not_sent_short() {
    let (source, main) = merged_branch_fixture();
    let clone = Repo::shallow_clone(&source, 6);
    let (naive, truth) = naive_and_true(&clone, &source, &main[17]);
    assert_eq!(
        (naive.len(), truth.len()),
        (8, 11),
        "the fixture reproduces a short walk"
    );
    let output = offline()
        .current_dir(clone.path())
        .args([
            "release",
            "create",
            "1.0.0",
            "--dry-run",
            "--from",
            &main[17],
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(output.stdout.is_empty(), "nothing is printed as a body");
    for part in [
        "cannot be read exactly",
        "shallow clone is cut",
        "Nothing was sent",
        "fetch-depth: 0",
        "GIT_DEPTH: 0",
        "--deepen",
    ] {
        assert!(stderr.contains(part), "{part}: {stderr}");
    }
}

#[test]
fn deepen_makes_a_cut_range_whole_and_sends_exactly_it() {
    let (source, main) = merged_branch_fixture();
    let clone = Repo::shallow_clone(&source, 6);
    let (body, stderr) = dry_run(&clone, &["--from", &main[17], "--deepen"]);
    assert!(
        stderr.contains("the shallow clone cuts the range"),
        "{stderr}"
    );
    let (_, truth) = naive_and_true(&clone, &source, &main[17]);
    assert_eq!(ids(&body), truth);
    assert_matches_git(&clone, &body, &main[17]);
}

#[test]
fn deepen_fetches_a_from_tag_the_clone_lacks() {
    let (source, main) = merged_branch_fixture();
    let clone = Repo::shallow_clone(&source, 4);
    assert!(
        clone.git(&["tag", "--list", "v-c18"]).is_empty(),
        "the clone lacks the tag"
    );
    let output = offline()
        .current_dir(clone.path())
        .args(["release", "create", "1.0.0", "--dry-run", "--from", "v-c18"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--deepen to fetch the tag"), "{stderr}");
    let (body, stderr) = dry_run(&clone, &["--from", "v-c18", "--deepen"]);
    assert!(stderr.contains("fetching tag v-c18"), "{stderr}");
    let (_, truth) = naive_and_true(&clone, &source, &main[17]);
    assert_eq!(ids(&body), truth);
}

/// main C1..C26 with an unrelated history O1 merged early (MA, after C5); late, a hotfix from O1
/// (H1) is merged (M2) and D1 follows. O1 is in C24's history (through MA) but a depth-6 clone
/// cuts C24's history at C23, so a plain walk from C24 also sends O1: one commit too many.
fn old_side_branch_fixture() -> (Repo, Vec<String>) {
    let repo = Repo::new();
    let mut main = main_line(&repo, 1..=5);
    repo.git(&["checkout", "-q", "--orphan", "old"]);
    repo.git(&["rm", "-rq", "--cached", "."]);
    repo.git(&["clean", "-fdq"]);
    let old = repo.commit("O1", &day(3), &[("old/o1.txt", Some("o"))]);
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "--allow-unrelated-histories",
        "-m",
        "MA",
        "old",
    ]);
    main.extend(main_line(&repo, 7..=26));
    repo.git(&["checkout", "-q", "-b", "hotfix", &old]);
    repo.commit("H1", &day(27), &[("old/h1.txt", Some("h"))]);
    repo.git(&["checkout", "-q", "main"]);
    repo.merge("hotfix", &day(28));
    repo.commit("D1", &day(29), &[("main/d1.txt", Some("d"))]);
    (repo, main)
}

#[test]
fn a_cut_in_the_start_history_that_would_add_old_commits_is_refused() {
    let (source, main) = old_side_branch_fixture();
    let start = main
        .iter()
        .find(|sha| source.git(&["log", "-1", "--format=%s", sha]) == "C24")
        .unwrap()
        .clone();
    let clone = Repo::shallow_clone(&source, 6);
    let (naive, truth) = naive_and_true(&clone, &source, &start);
    assert_eq!(
        (naive.len(), truth.len()),
        (6, 5),
        "the fixture reproduces an extra commit"
    );
    let output = offline()
        .current_dir(clone.path())
        .args(["release", "create", "1.0.0", "--dry-run", "--from", &start])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the start's own history is cut"),
        "{stderr}"
    );
    assert!(stderr.contains("Nothing was sent"), "{stderr}");
    let (body, _) = dry_run(&clone, &["--from", &start, "--deepen"]);
    assert_eq!(ids(&body), truth);
    assert_matches_git(&clone, &body, &start);
}

#[test]
fn a_range_inside_the_clone_needs_no_deepening() {
    let (source, shas) = thirty_commits();
    let clone = Repo::shallow_clone(&source, 10);
    let (body, stderr) = dry_run(&clone, &["--from", &shas[26]]);
    assert!(!stderr.contains("fetching"), "{stderr}");
    assert_eq!(commits(&body).len(), 3);
    assert_matches_git(&clone, &body, &shas[26]);
}

#[test]
fn a_start_on_a_branch_a_single_branch_clone_never_fetched_is_explained() {
    let (source, shas) = linear(5);
    source.git(&["checkout", "-q", "-b", "other", &shas[2]]);
    let elsewhere = source.commit("elsewhere", &day(9), &[("x.txt", Some("x"))]);
    source.git(&["checkout", "-q", "main"]);
    let clone = Repo::clone_of(&source, "single", &["--single-branch", "--branch", "main"]);
    let output = offline()
        .current_dir(clone.path())
        .args([
            "release",
            "create",
            "1.0.0",
            "--dry-run",
            "--from",
            &elsewhere,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("a branch it never fetched"), "{stderr}");
    assert!(stderr.contains("git fetch origin"), "{stderr}");
    assert!(!stderr.contains("rebased or squashed away"), "{stderr}");
}

#[test]
fn ignore_missing_starts_as_a_first_release_with_a_warning() {
    let (source, _) = thirty_commits();
    let clone = Repo::shallow_clone(&source, 5);
    let gone = "0123456789abcdef0123456789abcdef01234567";
    let (body, stderr) = dry_run(
        &clone,
        &["--from", gone, "--ignore-missing", "--initial-depth", "3"],
    );
    assert!(stderr.contains("--ignore-missing"), "{stderr}");
    assert_eq!(commits(&body).len(), 3);
}
