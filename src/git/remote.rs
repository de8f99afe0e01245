//! Remote URLs → which repository they name: host and path, credentials and ports dropped.
//!
//! Handles https/ssh/git URLs and scp-like `user@host:path`, for GitHub (and Enterprise), GitLab
//! (subgroups kept), Bitbucket Cloud and Server, and Azure DevOps (old and new hosts).

use percent_encoding::percent_decode_str;

/// The repository a remote URL points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteRepo {
    /// Host, lowercase, without port or credentials (`dev.azure.com` for every Azure DevOps form).
    pub host: String,
    /// Path segments without `.git`, decoded: `[owner, repo]`, `[group, sub, repo]`,
    /// `[org, project, repo]` for Azure DevOps, `[project, repo]` for Bitbucket Server.
    pub segments: Vec<String>,
}

impl RemoteRepo {
    /// Parses a remote URL; `None` for local paths and URLs without a repository path.
    pub fn parse(url: &str) -> Option<Self> {
        let (host, path) = split_host_and_path(url.trim())?;
        let host = host.to_ascii_lowercase();
        let segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect();
        let repo = canonical(host, segments)?;
        (repo.segments.len() >= 2).then_some(repo)
    }

    /// The name Sentry gives such a repository by default: `owner/repo`, `group/sub/repo`, or
    /// `project/repo` for Azure DevOps.
    pub fn name(&self) -> String {
        let skip = usize::from(self.host == AZURE_HOST && self.segments.len() > 2);
        self.segments[skip..].join("/")
    }

    /// A web address for messages: `https://host/path`, never with credentials.
    pub fn display_url(&self) -> String {
        format!("https://{}/{}", self.host, self.segments.join("/"))
    }

    /// Whether two URLs name the same repository (case-insensitively).
    pub fn same_as(&self, other: &RemoteRepo) -> bool {
        self.host == other.host
            && self.segments.len() == other.segments.len()
            && self
                .segments
                .iter()
                .zip(&other.segments)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    }
}

const AZURE_HOST: &str = "dev.azure.com";

/// Splits a URL into host and path, dropping scheme, credentials, port, query and fragment.
fn split_host_and_path(url: &str) -> Option<(&str, &str)> {
    let url = url.split(['?', '#']).next().unwrap_or(url);
    if let Some((scheme, rest)) = url.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        let known = [
            "https",
            "http",
            "ssh",
            "git",
            "git+ssh",
            "ssh+git",
            "git+https",
        ];
        if !known.contains(&scheme.as_str()) {
            return None;
        }
        let (authority, path) = rest.split_once('/')?;
        let host = authority.rsplit('@').next()?;
        let host = strip_port(host);
        return (!host.is_empty()).then_some((host, path));
    }
    // scp-like: [user@]host:path, where the host part has no '/'.
    let (authority, path) = url.split_once(':')?;
    if authority.contains('/') || authority.contains('\\') || authority.len() < 2 {
        return None;
    }
    let host = authority.rsplit('@').next()?;
    (!host.is_empty()).then_some((host, path))
}

fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        // An IPv6 literal: keep it whole, without the port after "]".
        return host
            .split_once(']')
            .map_or(host, |(h, _)| &host[..=h.len()]);
    }
    host.split(':').next().unwrap_or(host)
}

/// Rewrites provider-specific forms to one shape per repository.
fn canonical(host: String, mut segments: Vec<String>) -> Option<RemoteRepo> {
    if let Some(last) = segments.last_mut()
        && let Some(stem) = last.strip_suffix(".git")
    {
        *last = stem.to_owned();
    }
    let host = host.strip_prefix("www.").map(str::to_owned).unwrap_or(host);
    if host == "ssh.github.com" {
        return Some(RemoteRepo {
            host: "github.com".into(),
            segments,
        });
    }
    if let Some(repo) = azure(&host, &segments) {
        return Some(repo);
    }
    if let Some(segments) = bitbucket_server(&segments) {
        return Some(RemoteRepo { host, segments });
    }
    Some(RemoteRepo { host, segments })
}

/// Azure DevOps: `dev.azure.com/ORG/PROJECT/_git/REPO`, `ORG.visualstudio.com/[DefaultCollection/]PROJECT/_git/REPO`,
/// `ssh.dev.azure.com:v3/ORG/PROJECT/REPO`, `vs-ssh.visualstudio.com:v3/ORG/PROJECT/REPO`.
fn azure(host: &str, segments: &[String]) -> Option<RemoteRepo> {
    let strip_git = |parts: &[String]| -> Vec<String> {
        parts
            .iter()
            .filter(|s| *s != "_git" && *s != "DefaultCollection")
            .cloned()
            .collect()
    };
    let org_project_repo = if host == "ssh.dev.azure.com" || host == "vs-ssh.visualstudio.com" {
        segments.strip_prefix(&["v3".to_owned()])?.to_vec()
    } else if host == AZURE_HOST {
        strip_git(segments)
    } else if let Some(org) = host.strip_suffix(".visualstudio.com") {
        let mut parts = vec![org.to_owned()];
        parts.extend(strip_git(segments));
        parts
    } else {
        return None;
    };
    // `_git/REPO` right after the organization means the project is named like the repository.
    let org_project_repo = match org_project_repo.as_slice() {
        [org, repo] if segments.iter().any(|s| s == "_git") => {
            vec![org.clone(), repo.clone(), repo.clone()]
        }
        _ => org_project_repo,
    };
    Some(RemoteRepo {
        host: AZURE_HOST.into(),
        segments: org_project_repo,
    })
}

/// Bitbucket Server / Data Center: `/scm/PROJ/repo`, `/projects/PROJ/repos/repo/browse`.
fn bitbucket_server(segments: &[String]) -> Option<Vec<String>> {
    if let Some(at) = segments.iter().position(|s| s == "scm")
        && segments.len() == at + 3
    {
        return Some(segments[at + 1..].to_vec());
    }
    let at = segments.iter().position(|s| s == "projects")?;
    match &segments[at + 1..] {
        [project, repos, repo, rest @ ..] if repos == "repos" && rest.len() <= 1 => {
            Some(vec![project.clone(), repo.clone()])
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(url: &str) -> Option<(String, String)> {
        RemoteRepo::parse(url).map(|r| (r.host.clone(), r.segments.join("/")))
    }

    #[test]
    fn every_remote_form_names_its_repository() {
        let table = [
            ("https://github.com/acme/web.git", "github.com", "acme/web"),
            ("https://github.com/acme/web", "github.com", "acme/web"),
            ("https://github.com/acme/web/", "github.com", "acme/web"),
            ("http://github.com/acme/web.git", "github.com", "acme/web"),
            ("git@github.com:acme/web.git", "github.com", "acme/web"),
            ("github.com:acme/web.git", "github.com", "acme/web"),
            (
                "ssh://git@github.com/acme/web.git",
                "github.com",
                "acme/web",
            ),
            (
                "ssh://git@ssh.github.com:443/acme/web.git",
                "github.com",
                "acme/web",
            ),
            ("git://github.com/acme/web.git", "github.com", "acme/web"),
            (
                "git+ssh://git@github.com/acme/web.git",
                "github.com",
                "acme/web",
            ),
            (
                "https://x-access-token:ghs_secret@github.com/acme/web.git",
                "github.com",
                "acme/web",
            ),
            (
                "https://user@github.com/Acme/Web.git",
                "github.com",
                "Acme/Web",
            ),
            ("https://www.github.com/acme/web", "github.com", "acme/web"),
            (
                "https://github.acme.corp/team/web.git",
                "github.acme.corp",
                "team/web",
            ),
            (
                "git@github.acme.corp:team/web.git",
                "github.acme.corp",
                "team/web",
            ),
            ("https://acme.ghe.com/team/web", "acme.ghe.com", "team/web"),
            (
                "https://gitlab.com/group/sub/deeper/web.git",
                "gitlab.com",
                "group/sub/deeper/web",
            ),
            (
                "git@gitlab.com:group/sub/web.git",
                "gitlab.com",
                "group/sub/web",
            ),
            (
                "https://gitlab-ci-token:glcbt-secret@gitlab.example.com:8443/group/web.git",
                "gitlab.example.com",
                "group/web",
            ),
            (
                "ssh://git@gitlab.example.com:2222/group/sub/web.git",
                "gitlab.example.com",
                "group/sub/web",
            ),
            (
                "https://bitbucket.org/workspace/web.git",
                "bitbucket.org",
                "workspace/web",
            ),
            (
                "git@bitbucket.org:workspace/web.git",
                "bitbucket.org",
                "workspace/web",
            ),
            (
                "https://user:app-pass@bitbucket.org/workspace/web.git",
                "bitbucket.org",
                "workspace/web",
            ),
            (
                "https://bitbucket.acme.corp/scm/proj/web.git",
                "bitbucket.acme.corp",
                "proj/web",
            ),
            (
                "ssh://git@bitbucket.acme.corp:7999/proj/web.git",
                "bitbucket.acme.corp",
                "proj/web",
            ),
            (
                "https://bitbucket.acme.corp/projects/PROJ/repos/web/browse",
                "bitbucket.acme.corp",
                "PROJ/web",
            ),
            (
                "https://dev.azure.com/acme/Platform/_git/web",
                "dev.azure.com",
                "acme/Platform/web",
            ),
            (
                "https://acme@dev.azure.com/acme/Platform/_git/web",
                "dev.azure.com",
                "acme/Platform/web",
            ),
            (
                "git@ssh.dev.azure.com:v3/acme/Platform/web",
                "dev.azure.com",
                "acme/Platform/web",
            ),
            (
                "https://acme.visualstudio.com/Platform/_git/web",
                "dev.azure.com",
                "acme/Platform/web",
            ),
            (
                "https://acme.visualstudio.com/DefaultCollection/Platform/_git/web",
                "dev.azure.com",
                "acme/Platform/web",
            ),
            (
                "acme@vs-ssh.visualstudio.com:v3/acme/Platform/web",
                "dev.azure.com",
                "acme/Platform/web",
            ),
            (
                "https://dev.azure.com/acme/My%20Project/_git/web",
                "dev.azure.com",
                "acme/My Project/web",
            ),
            (
                "https://dev.azure.com/acme/_git/web",
                "dev.azure.com",
                "acme/web/web",
            ),
        ];
        for (url, host, path) in table {
            assert_eq!(
                parsed(url),
                Some((host.to_owned(), path.to_owned())),
                "{url}"
            );
        }
    }

    #[test]
    fn local_and_odd_remotes_name_no_repository() {
        for url in [
            "",
            "/srv/git/web.git",
            "../web",
            "file:///srv/git/web.git",
            "C:\\repos\\web",
            "https://github.com/",
            "https://github.com/acme",
            "ftp://example.com/acme/web",
        ] {
            assert_eq!(parsed(url), None, "{url:?}");
        }
    }

    #[test]
    fn names_follow_sentry_conventions() {
        let name = |url: &str| RemoteRepo::parse(url).unwrap().name();
        assert_eq!(name("git@github.com:acme/web.git"), "acme/web");
        assert_eq!(name("https://gitlab.com/group/sub/web"), "group/sub/web");
        assert_eq!(
            name("https://dev.azure.com/acme/Platform/_git/web"),
            "Platform/web"
        );
    }

    #[test]
    fn the_same_repository_matches_across_url_forms() {
        let ssh = RemoteRepo::parse("git@github.com:Acme/Web.git").unwrap();
        let https = RemoteRepo::parse("https://github.com/acme/web").unwrap();
        assert!(ssh.same_as(&https));
        let other = RemoteRepo::parse("https://github.com/acme/api").unwrap();
        assert!(!ssh.same_as(&other));
        let old = RemoteRepo::parse("https://acme.visualstudio.com/Platform/_git/web").unwrap();
        let new = RemoteRepo::parse("git@ssh.dev.azure.com:v3/acme/Platform/web").unwrap();
        assert!(old.same_as(&new));
    }

    #[test]
    fn display_urls_carry_no_credentials() {
        let repo =
            RemoteRepo::parse("https://gitlab-ci-token:glcbt-secret@gitlab.com/g/web.git").unwrap();
        assert_eq!(repo.display_url(), "https://gitlab.com/g/web");
    }

    proptest::proptest! {
        #[test]
        fn a_parsed_remote_names_a_repository_without_credentials(url in "\\PC{0,80}") {
            if let Some(remote) = RemoteRepo::parse(&url) {
                proptest::prop_assert!(remote.segments.len() >= 2, "{url:?}: {remote:?}");
                proptest::prop_assert!(remote.segments.iter().all(|s| !s.is_empty()), "{url:?}");
                proptest::prop_assert_eq!(remote.host.clone(), remote.host.to_ascii_lowercase());
                proptest::prop_assert!(!remote.host.contains('@'), "{url:?}: {remote:?}");
            }
        }

        #[test]
        fn every_form_of_a_github_remote_is_the_same_repository(
            owner in "[A-Za-z0-9][A-Za-z0-9-]{0,15}",
            repo in "[A-Za-z0-9][A-Za-z0-9._-]{0,15}",
            user in "[a-z]{1,8}",
            secret in "pw[0-9]{6}",
        ) {
            proptest::prop_assume!(!repo.ends_with(".git") && !repo.ends_with('.'));
            proptest::prop_assume!(!owner.contains(&secret) && !repo.contains(&secret));
            let forms = [
                format!("https://github.com/{owner}/{repo}"),
                format!("https://github.com/{owner}/{repo}.git"),
                format!("git@github.com:{owner}/{repo}.git"),
                format!("ssh://git@github.com/{owner}/{repo}"),
                format!("https://{user}:{secret}@github.com/{owner}/{repo}.git"),
            ];
            let names: Vec<String> = forms
                .iter()
                .map(|form| RemoteRepo::parse(form).map(|r| r.name()).unwrap_or_default())
                .collect();
            for name in &names {
                proptest::prop_assert_eq!(name, &format!("{owner}/{repo}"));
                proptest::prop_assert!(!name.contains(&secret), "{}", name);
            }
        }
    }
}
