//! The repository a release's commits belong to, as Sentry knows it: `--repository`, else the
//! remote's URL matched against the organization's repositories.

use super::request::{CreateRequest, Target, Warnings};
use crate::git::GitRepo;
use crate::git::remote::RemoteRepo;
use crate::release::error::ReleaseError;
use crate::sentry::api;
use crate::sentry::models::Repository;

/// `--repository`, else the remote's repository as Sentry knows it (by URL, then by name). A dry
/// run (no target) takes the name in the remote URL and says so.
pub(super) async fn repository_name(
    request: &CreateRequest,
    repo: &GitRepo,
    target: Option<&Target<'_>>,
    warnings: &mut Warnings,
) -> Result<Option<String>, ReleaseError> {
    let Some(remote) = remote_repository(request, repo, warnings)? else {
        return Ok(request.repository.clone());
    };
    let Some(target) = target else {
        eprintln!(
            "dry run: the repository name {:?} comes from the remote URL; a real run matches it against Sentry's repositories",
            remote.name()
        );
        return Ok(Some(remote.name()));
    };
    let known = match api::repositories::list(target.session.client(), &target.org).await {
        Ok(known) => known,
        Err(e) => {
            warnings.add(format!(
                "could not read the organization's repositories ({e}); sending {:?} unchecked",
                remote.name()
            ));
            return Ok(Some(remote.name()));
        }
    };
    if let Some(found) = matching(&remote, &known) {
        return Ok(Some(found.name.clone()));
    }
    warnings.add(format!(
        "no repository connected to Sentry matches {}: Sentry will create one without an integration, so commits are not linked to the code host. Connect it: Settings > Integrations > your code host (GitHub, GitLab, Bitbucket, Azure DevOps) > add the repository, or pass --repository with the name Sentry shows",
        remote.display_url()
    ));
    Ok(Some(remote.name()))
}

/// For `--auto`: the repository as Sentry's integration knows it (`--repository`, else the remote
/// matched against the organization's repositories). Without a match Sentry could not fetch the
/// commits, so that is an error rather than a silent release without commits.
pub(super) async fn integrated_repository(
    request: &CreateRequest,
    repo: &GitRepo,
    target: Option<&Target<'_>>,
    warnings: &mut Warnings,
) -> Result<String, ReleaseError> {
    if let Some(name) = &request.repository {
        return Ok(name.clone());
    }
    let Some(remote) = remote_repository(request, repo, warnings)? else {
        return Err(ReleaseError::Usage(
            "--auto needs the repository's name as Sentry knows it: pass --repository NAME (or --remote NAME for a remote whose URL names it)".into(),
        ));
    };
    let Some(target) = target else {
        return Ok(remote.name());
    };
    let known = api::repositories::list(target.session.client(), &target.org).await?;
    match matching(&remote, &known) {
        Some(found) if has_integration(found) => Ok(found.name.clone()),
        _ => Err(ReleaseError::Usage(format!(
            "--auto lets Sentry fetch the commits through a repository integration, but no repository connected to Sentry matches {}. Connect it (Settings > Integrations > your code host), pass --repository with the name Sentry shows, or send the commits from this checkout (the default, --set-commits local)",
            remote.display_url()
        ))),
    }
}

/// Whether Sentry can fetch a repository's commits: its provider is named (repositories Sentry
/// made up from commit uploads have none).
fn has_integration(repo: &Repository) -> bool {
    match &repo.provider {
        None => true,
        Some(provider) => provider
            .get("id")
            .and_then(serde_json::Value::as_str)
            .is_some_and(|id| !id.is_empty()),
    }
}

/// The repository the remote URL names; `None` (with a warning) when there is none to name,
/// and `None` silently when `--repository` makes the lookup unnecessary.
fn remote_repository(
    request: &CreateRequest,
    repo: &GitRepo,
    warnings: &mut Warnings,
) -> Result<Option<RemoteRepo>, ReleaseError> {
    if request.repository.is_some() {
        return Ok(None);
    }
    let remote = &request.remote;
    let Some(url) = repo.remote_url(remote)? else {
        warnings.add(format!(
            "the repository has no remote {remote:?}: commits are sent without a repository; pass --remote NAME or --repository NAME"
        ));
        return Ok(None);
    };
    let parsed = RemoteRepo::parse(&url);
    if parsed.is_none() {
        warnings.add(format!(
            "the URL of remote {remote:?} does not name a hosted repository (a local path?): commits are sent without a repository; pass --repository NAME"
        ));
    }
    Ok(parsed)
}

/// The Sentry repository for a remote: the one with the same URL, else the one with the same name
/// (case-insensitive); active repositories are preferred over disabled or hidden ones.
fn matching<'a>(remote: &RemoteRepo, known: &'a [Repository]) -> Option<&'a Repository> {
    let by_url = |repo: &&Repository| {
        repo.url
            .as_deref()
            .and_then(RemoteRepo::parse)
            .is_some_and(|url| url.same_as(remote))
    };
    let name = remote.name();
    let full_path = remote.segments.join("/");
    let by_name = |repo: &&Repository| {
        repo.name.eq_ignore_ascii_case(&name) || repo.name.eq_ignore_ascii_case(&full_path)
    };
    let active = |repo: &&Repository| repo.status.as_deref().is_none_or(|s| s == "active");
    let candidates = || known.iter();
    candidates()
        .filter(active)
        .find(by_url)
        .or_else(|| candidates().filter(active).find(by_name))
        .or_else(|| candidates().find(by_url))
        .or_else(|| candidates().find(by_name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn repos(value: serde_json::Value) -> Vec<Repository> {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn url_beats_name_and_sentry_spelling_is_kept() {
        let known = repos(json!([
            {"id": "1", "name": "acme/web", "url": "https://github.com/other/web", "status": "active"},
            {"id": "2", "name": "Acme Group / Web", "url": "https://gitlab.com/acme-group/web", "status": "active"},
        ]));
        let remote = RemoteRepo::parse("git@gitlab.com:Acme-Group/web.git").unwrap();
        assert_eq!(matching(&remote, &known).unwrap().name, "Acme Group / Web");
    }

    #[test]
    fn name_matches_when_no_url_does() {
        let known = repos(json!([{"id": "1", "name": "Acme/Web", "url": null}]));
        let remote = RemoteRepo::parse("https://github.com/acme/web.git").unwrap();
        assert_eq!(matching(&remote, &known).unwrap().name, "Acme/Web");
        let stranger = RemoteRepo::parse("https://github.com/acme/api.git").unwrap();
        assert!(matching(&stranger, &known).is_none());
    }

    #[test]
    fn active_repositories_are_preferred() {
        let known = repos(json!([
            {"id": "1", "name": "acme/web-old", "url": "https://github.com/acme/web", "status": "disabled"},
            {"id": "2", "name": "acme/web", "url": "https://github.com/acme/web", "status": "active"},
        ]));
        let remote = RemoteRepo::parse("https://github.com/acme/web").unwrap();
        assert_eq!(matching(&remote, &known).unwrap().id, "2");
    }
}
