//! Tests: history walks and patch sets, against git itself.

use super::*;

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
