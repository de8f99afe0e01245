//! Sentry's server-side limits on a release: its version, and the fields of `refs` and `commits`.
//!
//! One set of rules for `release create` and the `create_release` tool. Sentry rejects the whole
//! request when one field is too long, so [`enforce_limits`] fixes or drops the offending field
//! first and says what it did.

use crate::sentry::api::releases::{CommitPayload, PatchPayload, RefPayload, ReleaseChanges};

/// Longest version Sentry accepts.
pub const MAX_VERSION: usize = 200;
/// Longest commit id (a SHA-256 sha is 64 hex digits).
pub const MAX_COMMIT_ID: usize = 64;
/// Longest repository name inside `commits`.
pub const MAX_COMMIT_REPOSITORY: usize = 64;
/// Longest repository name inside `refs`.
pub const MAX_REF_REPOSITORY: usize = 200;
/// Longest author name.
pub const MAX_AUTHOR_NAME: usize = 128;
/// Longest author e-mail.
pub const MAX_AUTHOR_EMAIL: usize = 75;
/// Longest file path in a patch set.
pub const MAX_PATH: usize = 510;

/// A version Sentry would refuse, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{version:?} cannot be a Sentry release version: {problem}")]
pub struct InvalidVersion {
    /// The version given.
    pub version: String,
    /// What is wrong with it.
    pub problem: String,
}

/// Checks a version against Sentry's rules; the error says what is wrong.
pub fn check_version(version: &str) -> Result<(), InvalidVersion> {
    let problem = if version.trim().is_empty() {
        Some("it is empty".to_owned())
    } else if version == "." || version == ".." || version.eq_ignore_ascii_case("latest") {
        Some("it is reserved".to_owned())
    } else if version.chars().count() > MAX_VERSION {
        Some(format!("it is longer than {MAX_VERSION} characters"))
    } else if version.trim() != version {
        Some("it starts or ends with whitespace".to_owned())
    } else {
        version
            .chars()
            .find(|c| matches!(c, '\r' | '\n' | '\x0c' | '\t' | '/' | '\\'))
            .map(|c| format!("it contains {c:?} (no /, \\, tabs or line breaks)"))
    };
    match problem {
        Some(problem) => Err(InvalidVersion {
            version: version.to_owned(),
            problem,
        }),
        None => Ok(()),
    }
}

/// Fixes or drops what Sentry would refuse; returns one warning per kind of problem.
pub fn enforce_limits(changes: &mut ReleaseChanges) -> Vec<String> {
    let mut findings = Findings::default();
    changes
        .refs
        .retain_mut(|reference| ref_within_limits(reference, &mut findings));
    changes
        .commits
        .retain_mut(|commit| commit_within_limits(commit, &mut findings));
    findings.into_warnings()
}

/// Keeps a ref (fixing what can be fixed), or notes why it is dropped.
fn ref_within_limits(reference: &mut RefPayload, findings: &mut Findings) -> bool {
    let name = reference.repository.chars().count();
    if name == 0 || name > MAX_REF_REPOSITORY {
        findings.note(
            "ref left out: its repository name is empty or longer than 200 characters",
            &reference.repository,
        );
        return false;
    }
    if !reference.commit.split("..").all(is_commit_id) {
        findings.note(
            "ref left out: its commit is not a sha of at most 64 characters",
            &reference.commit,
        );
        return false;
    }
    if reference
        .previous_commit
        .as_deref()
        .is_some_and(|c| !is_commit_id(c))
    {
        findings.note(
            "ref without previousCommit: it was not a sha of at most 64 characters",
            &reference.repository,
        );
        reference.previous_commit = None;
    }
    true
}

/// Keeps a commit (cutting or dropping fields over the limits), or notes why it is dropped.
fn commit_within_limits(commit: &mut CommitPayload, findings: &mut Findings) -> bool {
    if !is_commit_id(&commit.id) {
        findings.note(
            "commit left out: its id is empty or longer than 64 characters",
            &commit.id,
        );
        return false;
    }
    let id = short(&commit.id);
    if too_long(&commit.repository, MAX_COMMIT_REPOSITORY) {
        findings.note(
            "commit sent without a repository: the name is longer than 64 characters, Sentry's limit inside commits",
            &id,
        );
        commit.repository = None;
    }
    if too_long(&commit.author_name, MAX_AUTHOR_NAME) {
        findings.note("author name cut to 128 characters", &id);
        commit.author_name = commit
            .author_name
            .as_deref()
            .map(|name| name.chars().take(MAX_AUTHOR_NAME).collect());
    }
    if too_long(&commit.author_email, MAX_AUTHOR_EMAIL) {
        findings.note(
            "author e-mail left out: longer than 75 characters, Sentry's limit",
            &id,
        );
        commit.author_email = None;
    }
    if commit.author_email.as_deref().is_some_and(str::is_empty) {
        commit.author_email = None;
    }
    if commit
        .timestamp
        .as_deref()
        .is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_err())
    {
        findings.note("timestamp left out: not an RFC 3339 date", &id);
        commit.timestamp = None;
    }
    if let Some(patch_set) = &mut commit.patch_set {
        patch_set.retain(|change| change_within_limits(change, &id, findings));
    }
    true
}

/// Whether a file change can be sent; notes why not.
fn change_within_limits(change: &PatchPayload, commit: &str, findings: &mut Findings) -> bool {
    if !matches!(change.kind.as_str(), "A" | "M" | "D") {
        findings.note("file change left out: its type is not A, M or D", commit);
        return false;
    }
    let length = change.path.chars().count();
    if length == 0 || length > MAX_PATH {
        findings.note(
            "file change left out: its path is empty or longer than 510 characters",
            commit,
        );
        return false;
    }
    true
}

fn is_commit_id(id: &str) -> bool {
    !id.is_empty() && id.chars().count() <= MAX_COMMIT_ID
}

fn too_long(value: &Option<String>, limit: usize) -> bool {
    value.as_deref().is_some_and(|v| v.chars().count() > limit)
}

/// The first 12 characters of a commit id, for messages.
pub fn short(id: &str) -> String {
    id.chars().take(12).collect()
}

/// Problems found, counted by kind, with the first example of each.
#[derive(Default)]
struct Findings {
    kinds: Vec<(&'static str, usize, String)>,
}

impl Findings {
    fn note(&mut self, problem: &'static str, example: &str) {
        match self.kinds.iter_mut().find(|(p, _, _)| *p == problem) {
            Some((_, count, _)) => *count += 1,
            None => self
                .kinds
                .push((problem, 1, example.chars().take(80).collect())),
        }
    }

    fn into_warnings(self) -> Vec<String> {
        self.kinds
            .into_iter()
            .map(|(problem, count, example)| format!("{count} × {problem} (first: {example})"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(id: &str) -> CommitPayload {
        CommitPayload {
            id: id.into(),
            repository: Some("acme/web".into()),
            message: Some("m".into()),
            author_name: Some("A".into()),
            author_email: Some("a@example.com".into()),
            timestamp: Some("2024-01-01T00:00:00+01:00".into()),
            patch_set: Some(vec![PatchPayload {
                path: "a.txt".into(),
                kind: "A".into(),
            }]),
        }
    }

    #[test]
    fn fields_over_sentry_limits_are_fixed_or_dropped_with_a_warning() {
        let mut long = commit(&"a".repeat(40));
        long.repository = Some("r".repeat(65));
        long.author_name = Some("é".repeat(130));
        long.author_email = Some(format!("{}@example.com", "x".repeat(70)));
        long.timestamp = Some("yesterday".into());
        long.patch_set = Some(vec![
            PatchPayload {
                path: "p".repeat(511),
                kind: "A".into(),
            },
            PatchPayload {
                path: "ok".into(),
                kind: "R".into(),
            },
            PatchPayload {
                path: "kept".into(),
                kind: "M".into(),
            },
        ]);
        let mut changes = ReleaseChanges {
            refs: vec![
                RefPayload {
                    repository: "r".repeat(201),
                    commit: "a".into(),
                    previous_commit: None,
                },
                RefPayload {
                    repository: "acme/web".into(),
                    commit: "b".into(),
                    previous_commit: Some("c".repeat(65)),
                },
            ],
            commits: vec![long, commit(&"f".repeat(65)), commit("b")],
            ..ReleaseChanges::default()
        };
        let warnings = enforce_limits(&mut changes);
        assert_eq!(warnings.len(), 9, "{warnings:#?}");
        assert_eq!(changes.refs.len(), 1);
        assert_eq!(changes.refs[0].previous_commit, None);
        assert_eq!(changes.commits.len(), 2, "the 65-character id is dropped");
        let fixed = &changes.commits[0];
        assert_eq!(fixed.repository, None);
        assert_eq!(fixed.author_name.as_ref().unwrap().chars().count(), 128);
        assert_eq!(fixed.author_email, None);
        assert_eq!(fixed.timestamp, None);
        let paths: Vec<&str> = fixed
            .patch_set
            .as_ref()
            .unwrap()
            .iter()
            .map(|p| p.path.as_str())
            .collect();
        assert_eq!(paths, ["kept"]);
        assert_eq!(
            changes.commits[1],
            commit("b"),
            "valid commits are untouched"
        );
    }

    #[test]
    fn a_problem_repeated_over_many_commits_is_one_warning() {
        let mut changes = ReleaseChanges {
            commits: (0..5)
                .map(|i| {
                    let mut c = commit(&format!("{i:040}"));
                    c.author_email = Some("e".repeat(76));
                    c
                })
                .collect(),
            ..ReleaseChanges::default()
        };
        let warnings = enforce_limits(&mut changes);
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].starts_with("5 × author e-mail"),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn versions_follow_sentry_rules() {
        for good in ["1.0.0", "web@1.2.3+build.4", "2024-01-01 nightly"] {
            assert!(check_version(good).is_ok(), "{good}");
        }
        assert!(check_version(&"v".repeat(200)).is_ok(), "exactly the limit");
        let too_long = "v".repeat(201);
        for bad in [
            "", " ", ".", "..", "latest", "a/b", "a\\b", "a\tb", " 1.0", &too_long,
        ] {
            assert!(check_version(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_ref_may_name_a_repository_of_exactly_the_limit() {
        let reference = |length: usize| RefPayload {
            repository: "r".repeat(length),
            commit: "a".into(),
            previous_commit: None,
        };
        let mut changes = ReleaseChanges {
            refs: vec![
                reference(MAX_REF_REPOSITORY),
                reference(MAX_REF_REPOSITORY + 1),
            ],
            ..ReleaseChanges::default()
        };
        let warnings = enforce_limits(&mut changes);
        assert_eq!(changes.refs, [reference(MAX_REF_REPOSITORY)]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
    }

    #[test]
    fn a_commit_with_every_field_at_its_limit_is_sent_as_it_is() {
        let mut at_limits = commit(&"a".repeat(MAX_COMMIT_ID));
        at_limits.repository = Some("r".repeat(MAX_COMMIT_REPOSITORY));
        at_limits.author_name = Some("é".repeat(MAX_AUTHOR_NAME));
        at_limits.author_email = Some(format!("{}@example.com", "x".repeat(MAX_AUTHOR_EMAIL - 12)));
        at_limits.patch_set = Some(vec![PatchPayload {
            path: "p".repeat(MAX_PATH),
            kind: "M".into(),
        }]);
        let mut changes = ReleaseChanges {
            commits: vec![at_limits.clone()],
            ..ReleaseChanges::default()
        };
        let warnings = enforce_limits(&mut changes);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(changes.commits, [at_limits]);
        assert_eq!(short("0123456789abcdef"), "0123456789ab");
    }
}
