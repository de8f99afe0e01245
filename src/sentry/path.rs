//! The one place that builds API paths: every segment percent-encoded, `.` and `..` refused.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use std::fmt;
use url::Url;

/// Characters left as they are in a path segment: RFC 3986 "unreserved" only.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A path under `/api/0/`, built from segments that were each checked and encoded.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiPath {
    segments: Vec<String>,
}

/// A path segment that cannot be sent: empty, `.` or `..`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a valid {what}: it must be non-empty and not '.' or '..'")]
pub struct InvalidSegment {
    /// The refused value (never a secret: only ids, slugs and versions reach here).
    pub value: String,
    /// What the segment names, for the message (e.g. "segment").
    pub what: &'static str,
}

impl ApiPath {
    /// Builds a path from raw segments, refusing any that would change the path's meaning.
    pub fn new<S: AsRef<str>>(segments: &[S]) -> Result<Self, InvalidSegment> {
        let segments = segments
            .iter()
            .map(|s| check_segment(s.as_ref()).map(str::to_owned))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { segments })
    }

    /// The raw (decoded) segments, for describing the resource in error messages.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    /// The encoded path relative to the API root, with Sentry's trailing slash.
    pub fn encoded(&self) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            out.extend(utf8_percent_encode(segment, SEGMENT));
            out.push('/');
        }
        out
    }

    /// A human description of the resource the path names, e.g. "issue 'WEB-1' in organization
    /// 'acme'", or "the combined-rules of organization 'acme'" for a collection.
    pub fn describe(&self) -> String {
        let s = &self.segments;
        let mut parts: Vec<String> = Vec::new();
        let mut i = 0;
        while i < s.len() {
            let value = s.get(i + 1);
            if let ("projects", Some(org)) = (s[i].as_str(), value) {
                parts.push(format!("organization '{org}'"));
                if let Some(project) = s.get(i + 2) {
                    parts.push(format!("project '{project}'"));
                }
                i += 3;
                continue;
            }
            match (noun(&s[i]), value) {
                (Some(noun), Some(v)) => parts.push(format!("{noun} '{v}'")),
                _ if i + 1 == s.len() && !parts.is_empty() => {
                    parts.push(format!("the {} of", s[i]));
                }
                _ => {}
            }
            i += if noun(&s[i]).is_some() { 2 } else { 1 };
        }
        parts.reverse();
        match parts.split_first() {
            None => format!("/api/0/{}", self.encoded()),
            Some((first, rest)) if first.ends_with(" of") => {
                format!("{first} {}", rest.join(" in "))
            }
            _ => parts.join(" in "),
        }
    }
}

/// What a path segment followed by an id names.
fn noun(segment: &str) -> Option<&'static str> {
    Some(match segment {
        "organizations" => "organization",
        "issues" => "issue",
        "events" => "event",
        "releases" => "release",
        "teams" => "team",
        "monitors" => "monitor",
        "dashboards" => "dashboard",
        "replays" => "replay",
        "trace" | "trace-meta" => "trace",
        "alert-rules" => "metric alert rule",
        "rules" => "issue alert rule",
        "tags" => "tag",
        _ => return None,
    })
}

impl fmt::Debug for ApiPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/api/0/{}", self.encoded())
    }
}

/// Checks one segment: it must be non-empty and not a dot segment.
pub fn check_segment(value: &str) -> Result<&str, InvalidSegment> {
    if value.is_empty() || value == "." || value == ".." {
        return Err(InvalidSegment {
            value: value.to_owned(),
            what: "path segment",
        });
    }
    Ok(value)
}

/// The web UI link of an organization's resource (`&["issues", id]`), every segment encoded:
/// `https://ORG.sentry.io/...` on sentry.io, `{base}/organizations/ORG/...` on a self-hosted server.
pub fn web_url(base: &Url, org: &str, resource: &[&str]) -> String {
    let encode = |segment: &str| utf8_percent_encode(segment, SEGMENT).to_string();
    let path: String = resource.iter().map(|s| format!("{}/", encode(s))).collect();
    let saas = base
        .host_str()
        .is_some_and(|host| host == "sentry.io" || host.ends_with(".sentry.io"));
    if saas {
        format!("https://{}.sentry.io/{path}", encode(org))
    } else {
        let base = base.as_str().trim_end_matches('/');
        format!("{base}/organizations/{}/{path}", encode(org))
    }
}

/// Builds an [`ApiPath`] from expressions, e.g. `api_path!["organizations", org, "issues", id]`.
#[macro_export]
macro_rules! api_path {
    ($($segment:expr),+ $(,)?) => {
        $crate::sentry::ApiPath::new(&[$(AsRef::<str>::as_ref(&$segment)),+])
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_every_segment() {
        let path = ApiPath::new(&["organizations", "acme", "releases", "my app@1.0+b/2"]).unwrap();
        assert_eq!(
            path.encoded(),
            "organizations/acme/releases/my%20app%401.0%2Bb%2F2/"
        );
    }

    #[test]
    fn refuses_traversal_segments() {
        for bad in ["", ".", ".."] {
            let err = ApiPath::new(&["organizations", bad, "issues"]).unwrap_err();
            assert_eq!(err.value, bad);
        }
    }

    #[test]
    fn encoded_dots_and_slashes_cannot_escape() {
        let path = ApiPath::new(&["organizations", "%2e%2e", "../x", "a\\b"]).unwrap();
        assert_eq!(path.encoded(), "organizations/%252e%252e/..%2Fx/a%5Cb/");
    }

    #[test]
    fn keeps_unreserved_characters() {
        let path = ApiPath::new(&["releases", "v1.2.3-rc_1~x"]).unwrap();
        assert_eq!(path.encoded(), "releases/v1.2.3-rc_1~x/");
    }

    #[test]
    fn web_links_follow_saas_or_self_hosted_form() {
        let saas = Url::parse("https://sentry.io").unwrap();
        assert_eq!(
            web_url(&saas, "acme", &["releases", "web@1.0 b/2"]),
            "https://acme.sentry.io/releases/web%401.0%20b%2F2/"
        );
        let region = Url::parse("https://us.sentry.io").unwrap();
        assert_eq!(
            web_url(&region, "acme", &["issues", "1"]),
            "https://acme.sentry.io/issues/1/"
        );
        let own = Url::parse("https://sentry.example.com/base/").unwrap();
        assert_eq!(
            web_url(&own, "acme", &["issues", "1"]),
            "https://sentry.example.com/base/organizations/acme/issues/1/"
        );
    }

    #[test]
    fn describes_the_resource() {
        let issue = ApiPath::new(&["organizations", "acme", "issues", "WEB-1"]).unwrap();
        assert_eq!(issue.describe(), "issue 'WEB-1' in organization 'acme'");
        let event = ApiPath::new(&["projects", "acme", "web", "events", "abc"]).unwrap();
        assert_eq!(
            event.describe(),
            "event 'abc' in project 'web' in organization 'acme'"
        );
        let orgs = ApiPath::new(&["organizations"]).unwrap();
        assert_eq!(orgs.describe(), "/api/0/organizations/");
        let monitor = ApiPath::new(&["organizations", "acme", "monitors", "nightly"]).unwrap();
        assert_eq!(
            monitor.describe(),
            "monitor 'nightly' in organization 'acme'"
        );
        let rules = ApiPath::new(&["organizations", "acme", "combined-rules"]).unwrap();
        assert_eq!(
            rules.describe(),
            "the combined-rules of organization 'acme'"
        );
        let seer = ApiPath::new(&["organizations", "acme", "issues", "1", "autofix"]).unwrap();
        assert_eq!(
            seer.describe(),
            "the autofix of issue '1' in organization 'acme'"
        );
    }

    #[test]
    fn each_kind_of_resource_has_its_name() {
        for (segment, noun) in [
            ("releases", "release"),
            ("teams", "team"),
            ("dashboards", "dashboard"),
            ("replays", "replay"),
            ("trace", "trace"),
            ("trace-meta", "trace"),
            ("alert-rules", "metric alert rule"),
            ("rules", "issue alert rule"),
            ("tags", "tag"),
        ] {
            let path = ApiPath::new(&["organizations", "acme", segment, "x1"]).unwrap();
            assert_eq!(
                path.describe(),
                format!("{noun} 'x1' in organization 'acme'"),
                "{segment}"
            );
        }
    }

    #[test]
    fn debug_shows_the_encoded_path() {
        let path = ApiPath::new(&["organizations", "a b", "issues"]).unwrap();
        assert_eq!(format!("{path:?}"), "/api/0/organizations/a%20b/issues/");
    }
}
