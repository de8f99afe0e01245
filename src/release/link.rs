//! `--url` after `release create|finalize|deploy` is the release's or deploy's own link, as in
//! sentry-cli; the Sentry server is the `--url` before the subcommand. A link that looks like a
//! Sentry server was probably meant as the server, so it is checked and warned about.

use super::error::ReleaseError;
use url::Url;

/// Checks a release or deploy link given as `--url` after `command`: it must be an http(s) URL,
/// and one that looks like a Sentry server gets a warning (returned, for the caller to print).
pub fn check_link(
    link: Option<&str>,
    sentry: &Url,
    command: &str,
) -> Result<Option<String>, ReleaseError> {
    let Some(link) = link else { return Ok(None) };
    let parsed = Url::parse(link.trim())
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some());
    let Some(parsed) = parsed else {
        return Err(ReleaseError::Usage(format!(
            "`{command} --url {link:?}`: after the subcommand --url is the link shown on the release or deploy, and must be a full http(s) URL. The Sentry server goes before the subcommand (`sentry-companion --url URL {command} ...`) or in SENTRY_URL"
        )));
    };
    Ok(looks_like_sentry(&parsed, sentry).then(|| {
        format!(
            "`{command} --url {link}` sets the link shown on the release or deploy (as in sentry-cli), not the Sentry server, and this link looks like a Sentry server. Requests go to {}; to talk to another Sentry, put --url before the subcommand (`sentry-companion --url URL {command} ...`) or set SENTRY_URL",
            sentry.origin().ascii_serialization()
        )
    }))
}

/// sentry.io or one of its subdomains, a host named like a Sentry server (`sentry.acme.dev`,
/// `sentry-prod.corp`), the configured server's origin, or an API root.
fn looks_like_sentry(link: &Url, sentry: &Url) -> bool {
    let host = link.host_str().unwrap_or_default().to_ascii_lowercase();
    let sentry_io = host == "sentry.io" || host.ends_with(".sentry.io");
    let named_sentry = host.split('.').any(|label| label.starts_with("sentry"));
    let api_root = link.path().trim_end_matches('/').ends_with("/api/0");
    sentry_io || named_sentry || api_root || link.origin() == sentry.origin()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentry() -> Url {
        Url::parse("https://sentry.acme.dev/").unwrap()
    }

    #[test]
    fn links_that_look_like_a_sentry_server_are_warned_about() {
        for link in [
            "https://sentry.io",
            "https://de.sentry.io/",
            "https://acme.sentry.io/releases/",
            "https://sentry.acme.dev/organizations/acme/",
            "https://self.hosted.example/api/0/",
            "https://sentry.corp.example",
            "http://sentry-prod:9000/",
        ] {
            let warning = check_link(Some(link), &sentry(), "release finalize")
                .unwrap()
                .unwrap_or_else(|| panic!("no warning for {link}"));
            assert!(warning.contains("before the subcommand"), "{warning}");
            assert!(warning.contains("https://sentry.acme.dev"), "{warning}");
        }
    }

    #[test]
    fn ordinary_links_pass_quietly() {
        for link in [
            "https://github.com/acme/web/releases/tag/v1",
            "https://ci.acme.dev/runs/42",
            "http://notsentry.io/x",
            "https://github.com/getsentry/sentry/releases",
        ] {
            assert_eq!(
                check_link(Some(link), &sentry(), "release deploy").unwrap(),
                None
            );
        }
        assert_eq!(check_link(None, &sentry(), "release deploy").unwrap(), None);
    }

    #[test]
    fn a_link_must_be_a_full_http_url() {
        for link in ["sentry.io", "ftp://x.example/", "not a url"] {
            let err = check_link(Some(link), &sentry(), "release create")
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("http(s) URL") && err.contains("SENTRY_URL"),
                "{err}"
            );
        }
    }
}
