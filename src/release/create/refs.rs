//! Releases whose commits Sentry reads itself: refs only (`--auto`, `--commit`).

use super::body::release_fields;
use super::repository::integrated_repository;
use super::request::{CreateRequest, Target, Warnings};
use super::start::Start;
use super::summary::Range;
use crate::git::GitRepo;
use crate::release::error::ReleaseError;
use crate::release::limits::MAX_COMMIT_ID;
use crate::sentry::api;
use crate::sentry::api::releases::{RefPayload, ReleaseChanges};

/// `--commit REPO@SHA` / `REPO@PREV..SHA` (sentry-cli's spelling), checked against the
/// organization's repositories (Sentry refuses unknown names) and sent as refs.
pub(super) async fn manual_refs(
    specs: &[String],
    request: &CreateRequest,
    target: Option<&Target<'_>>,
    warnings: &mut Warnings,
) -> Result<(ReleaseChanges, Range), ReleaseError> {
    if specs.is_empty() {
        return Err(ReleaseError::Usage(
            "--set-commits manual needs --commit REPO@SHA or REPO@PREVIOUS_SHA..SHA (the action's `repo`, `commit` and `previous_commit` inputs)".into(),
        ));
    }
    let mut refs = specs
        .iter()
        .map(|spec| parse_commit_spec(spec))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(target) = target {
        match api::repositories::list(target.session.client(), &target.org).await {
            Ok(known) => {
                for reference in &mut refs {
                    let found = known
                        .iter()
                        .find(|r| r.name.eq_ignore_ascii_case(&reference.repository));
                    let Some(found) = found else {
                        let names: Vec<&str> =
                            known.iter().take(10).map(|r| r.name.as_str()).collect();
                        return Err(ReleaseError::Usage(format!(
                            "--commit: Sentry has no repository named {:?} in {}; known: {}. Use the name Sentry shows under Settings > Repositories",
                            reference.repository,
                            target.org,
                            if names.is_empty() { "none".into() } else { names.join(", ") }
                        )));
                    };
                    reference.repository = found.name.clone();
                }
            }
            Err(e) => warnings.add(format!(
                "could not read the organization's repositories ({e}); sending the --commit repository names unchecked"
            )),
        }
    }
    let changes = ReleaseChanges {
        refs,
        ..release_fields(request)
    };
    let range = Range::refs_only(&changes);
    Ok((changes, range))
}

/// One `REPO@SHA` or `REPO@PREV..SHA`.
fn parse_commit_spec(spec: &str) -> Result<RefPayload, ReleaseError> {
    let invalid = |why: &str| {
        ReleaseError::Usage(format!(
            "--commit {spec:?}: {why}; write REPO@SHA or REPO@PREVIOUS_SHA..SHA, e.g. acme/web@4f2a9c1"
        ))
    };
    let (repository, revision) = spec
        .trim()
        .rsplit_once('@')
        .ok_or_else(|| invalid("no @ between the repository and the commit"))?;
    let (previous, commit) = match revision.split_once("..") {
        Some((previous, commit)) => (Some(previous), commit),
        None => (None, revision),
    };
    let is_revision = |text: &str| {
        !text.is_empty()
            && text.chars().count() <= MAX_COMMIT_ID
            && !text.contains(char::is_whitespace)
            && !text.contains("..")
    };
    if repository.trim().is_empty() {
        return Err(invalid("the repository name is empty"));
    }
    if !is_revision(commit) || previous.is_some_and(|p| !is_revision(p)) {
        return Err(invalid("a commit must be a sha of at most 64 characters"));
    }
    Ok(RefPayload {
        repository: repository.trim().to_owned(),
        commit: commit.to_owned(),
        previous_commit: previous.map(str::to_owned),
    })
}

/// `--auto`: HEAD and the start commit as one ref; Sentry fetches the commits between them through
/// the repository's integration (the start need not be in a shallow clone).
pub(super) async fn auto_refs(
    repo: &GitRepo,
    start: &Start,
    request: &CreateRequest,
    target: Option<&Target<'_>>,
    warnings: &mut Warnings,
) -> Result<(ReleaseChanges, Range), ReleaseError> {
    let repository = integrated_repository(request, repo, target, warnings).await?;
    let changes = ReleaseChanges {
        refs: vec![RefPayload {
            repository,
            commit: repo.head()?,
            previous_commit: start.commit().map(str::to_owned),
        }],
        ..release_fields(request)
    };
    let range = Range::refs_only(&changes);
    Ok((changes, range))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_specs_read_like_sentry_cli() {
        assert_eq!(
            parse_commit_spec("acme/web@abc123").unwrap(),
            RefPayload {
                repository: "acme/web".into(),
                commit: "abc123".into(),
                previous_commit: None
            }
        );
        assert_eq!(
            parse_commit_spec("Acme Group / Web@1111..2222").unwrap(),
            RefPayload {
                repository: "Acme Group / Web".into(),
                commit: "2222".into(),
                previous_commit: Some("1111".into())
            }
        );
        for bad in [
            "acme/web",
            "@abc",
            "acme/web@",
            "acme/web@a..",
            "acme/web@a b",
        ] {
            let err = parse_commit_spec(bad).unwrap_err().to_string();
            assert!(err.contains("REPO@SHA"), "{bad}: {err}");
        }
    }
}
