//! Which of the organization's Sentry repositories a git remote is.

use crate::git::remote::RemoteRepo;
use crate::sentry::models::Repository;

/// The Sentry repository for a remote: the one with the same URL, else the one with the same name
/// (case-insensitive); active repositories are preferred over disabled or hidden ones.
pub fn matching<'a>(remote: &RemoteRepo, known: &'a [Repository]) -> Option<&'a Repository> {
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
