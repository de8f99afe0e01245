//! Tests: a long range read on several threads matches `git log`.

use super::*;

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
