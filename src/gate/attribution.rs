//! Suspect commits: a flagged issue whose in-app stack frames run through a file the release changed.

use super::rules::{Rule, RuleOutcome, SuspectCommit};
use super::sentry_data::SentryData;
use crate::sentry::models::{CommitFile, Event};
use serde_json::Value;

/// At most this many issues get their latest event read (one request each).
const MAX_ATTRIBUTED: usize = 10;

/// Adds suspect commits to the issues that count against the issue rules; failures become notes.
pub async fn attribute(
    data: &SentryData<'_>,
    outcomes: &mut [RuleOutcome],
    notes: &mut Vec<String>,
) {
    let flagged: Vec<(usize, usize)> = outcomes
        .iter()
        .enumerate()
        .filter(|(_, o)| matches!(o.rule, Rule::NewIssues | Rule::RegressedIssues))
        .flat_map(|(r, o)| {
            o.issues
                .iter()
                .enumerate()
                .filter(|(_, issue)| issue.counts())
                .map(move |(i, _)| (r, i))
        })
        .take(MAX_ATTRIBUTED)
        .collect();
    if flagged.is_empty() {
        return;
    }
    let changed = match data.changed_files().await {
        Ok(files) if files.is_empty() => {
            notes.push("no suspect commits: Sentry has no changed files for this release (create it with its commits)".into());
            return;
        }
        Ok(files) => files,
        Err(error) => {
            notes.push(format!("no suspect commits: {error}"));
            return;
        }
    };
    for (rule, index) in flagged {
        let issue = &mut outcomes[rule].issues[index];
        match data.latest_event(&issue.id).await {
            Ok(event) => issue.suspect_commits = suspects(&in_app_paths(&event), &changed),
            Err(error) => notes.push(format!(
                "no suspect commits for {}: {error}",
                issue.short_id
            )),
        }
    }
}

/// The file paths of an event's in-app frames (exceptions, threads and bare stack traces).
pub fn in_app_paths(event: &Event) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    for entry in &event.entries {
        let data = &entry.data;
        let traces: Vec<&Value> = match entry.kind.as_str() {
            "exception" | "threads" => data["values"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|v| &v["stacktrace"])
                .collect(),
            "stacktrace" => vec![data],
            _ => Vec::new(),
        };
        let frames = traces
            .into_iter()
            .filter_map(|t| t["frames"].as_array())
            .flatten()
            .filter(|f| f["inApp"].as_bool() == Some(true));
        for frame in frames {
            for key in ["filename", "absPath"] {
                if let Some(path) = frame[key].as_str().filter(|p| !p.is_empty())
                    && !paths.iter().any(|p| p == path)
                {
                    paths.push(path.to_owned());
                }
            }
        }
    }
    paths
}

/// A path's components, without URL scheme and host, `.`, `~` or empty parts.
fn components(path: &str) -> Vec<&str> {
    let (rest, drop_host) = match path.split_once("://") {
        Some((scheme, rest)) => (rest, matches!(scheme, "http" | "https")),
        None => (path, false),
    };
    rest.split(['/', '\\'])
        .filter(|c| !c.is_empty() && *c != "." && *c != "~")
        .skip(usize::from(drop_host))
        .collect()
}

/// Whether a frame's path and a repository path name the same file: one ends with the other.
pub fn same_file(frame: &str, changed: &str) -> bool {
    let (frame, changed) = (components(frame), components(changed));
    let shorter = frame.len().min(changed.len());
    shorter > 0 && frame[frame.len() - shorter..] == changed[changed.len() - shorter..]
}

/// The release's changes to the files of these frames.
pub fn suspects(frame_paths: &[String], changed: &[CommitFile]) -> Vec<SuspectCommit> {
    let mut found: Vec<SuspectCommit> = Vec::new();
    for file in changed {
        if !frame_paths.iter().any(|p| same_file(p, &file.filename)) {
            continue;
        }
        let suspect = SuspectCommit {
            file: file.filename.clone(),
            commit: file
                .commit_message
                .as_deref()
                .and_then(|m| m.lines().next())
                .unwrap_or("(no message)")
                .to_owned(),
            author: file.author.as_ref().and_then(|a| {
                a["name"]
                    .as_str()
                    .or_else(|| a["email"].as_str())
                    .map(str::to_owned)
            }),
        };
        if !found.contains(&suspect) {
            found.push(suspect);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn frames_match_repository_paths_by_suffix() {
        assert!(same_file("/srv/app/src/parser.py", "src/parser.py"));
        assert!(same_file("app:///src/parser.js", "web/src/parser.js"));
        assert!(same_file(
            "https://cdn.example.com/src/parser.js",
            "src/parser.js"
        ));
        assert!(same_file("parser.py", "src/parser.py"));
        assert!(same_file("C:\\build\\src\\parser.cs", "src/parser.cs"));
        assert!(!same_file("/srv/app/lib/parser.py", "src/parser.py"));
        assert!(!same_file("", "src/parser.py"));
    }

    #[test]
    fn reads_in_app_frames_only() {
        let event: Event = serde_json::from_value(json!({"entries": [
            {"type": "exception", "data": {"values": [{"stacktrace": {"frames": [
                {"filename": "node_modules/lib.js", "inApp": false},
                {"filename": "src/parser.js", "absPath": "app:///src/parser.js", "inApp": true}
            ]}}]}},
            {"type": "breadcrumbs", "data": {"values": []}}
        ]}))
        .unwrap();
        assert_eq!(
            in_app_paths(&event),
            ["src/parser.js", "app:///src/parser.js"]
        );
    }

    #[test]
    fn names_the_commit_and_author_that_touched_the_file() {
        let changed: Vec<CommitFile> = serde_json::from_value(json!([
            {"filename": "src/parser.js", "commitMessage": "Rewrite the parser\n\nlong body", "author": {"name": "Jane"}},
            {"filename": "README.md", "commitMessage": "Docs"}
        ]))
        .unwrap();
        let found = suspects(&["app:///src/parser.js".into()], &changed);
        assert_eq!(
            found,
            [SuspectCommit {
                file: "src/parser.js".into(),
                commit: "Rewrite the parser".into(),
                author: Some("Jane".into()),
            }]
        );
    }
}
