//! Reading the ways people and assistants name an issue: numeric id, short id, or a Sentry URL.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::borrow::Cow;
use url::Url;

/// An issue as named by the caller: numeric id (string or number), short id, or issue URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueArg(pub String);

impl<'de> Deserialize<'de> for IssueArg {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(s) => Ok(Self(s)),
            Value::Number(n) if n.is_u64() => Ok(Self(n.to_string())),
            other => Err(serde::de::Error::custom(format!(
                "issue_id must be a string or a whole number, not {other}"
            ))),
        }
    }
}

impl JsonSchema for IssueArg {
    fn schema_name() -> Cow<'static, str> {
        "IssueArg".into()
    }

    fn inline_schema() -> bool {
        true
    }

    // One plain type keeps clients that reject unions happy; numbers are still accepted. The
    // forms it takes are said once, in the server's instructions and in get_issue's description,
    // not in every tool's schema: tools/list is paid for on every conversation.
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string"})
    }
}

/// Where an issue reference points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueLocator {
    /// The numeric id or upper-cased short id.
    pub issue_id: String,
    /// The organization named in a URL.
    pub org: Option<String>,
    /// The event named in a URL (`.../events/EVENT_ID/`).
    pub event_id: Option<String>,
}

/// Subdomains of sentry.io that are regions or the bare site, never an organization.
const NOT_ORGS: &[&str] = &["www", "us", "de", "eu", "us2", "sentry"];

/// Parses an issue reference; the error says which forms are accepted.
pub fn parse_issue_ref(input: &str) -> Result<IssueLocator, NotAnIssue> {
    let trimmed = input.trim();
    if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
        return parse_issue_url(trimmed);
    }
    // Assistants often add trailing punctuation ("WEB-1A3." or "`WEB-1A3`").
    let cleaned =
        trimmed.trim_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'));
    let issue_id = normalise_id(cleaned).ok_or_else(|| bad_ref(input))?;
    Ok(IssueLocator {
        issue_id,
        org: None,
        event_id: None,
    })
}

fn normalise_id(candidate: &str) -> Option<String> {
    if !candidate.is_empty() && candidate.bytes().all(|b| b.is_ascii_digit()) {
        return Some(candidate.to_owned());
    }
    let (project, suffix) = candidate.rsplit_once('-')?;
    let project_ok = project
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && project
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let suffix_ok = !suffix.is_empty() && suffix.chars().all(|c| c.is_ascii_alphanumeric());
    (project_ok && suffix_ok).then(|| candidate.to_ascii_uppercase())
}

fn parse_issue_url(input: &str) -> Result<IssueLocator, NotAnIssue> {
    let url = Url::parse(input).map_err(|_| bad_ref(input))?;
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|seg| !seg.is_empty()).collect())
        .unwrap_or_default();
    let issues_at = segments
        .iter()
        .position(|s| *s == "issues")
        .ok_or_else(|| bad_ref(input))?;
    let raw_id = segments.get(issues_at + 1).ok_or_else(|| bad_ref(input))?;
    let issue_id = normalise_id(raw_id).ok_or_else(|| bad_ref(input))?;
    let event_id = match (segments.get(issues_at + 2), segments.get(issues_at + 3)) {
        (Some(&"events"), Some(event)) if event.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Some(event.to_ascii_lowercase())
        }
        _ => None,
    };
    let org = org_in_path(&segments[..issues_at]).or_else(|| org_in_host(&url));
    Ok(IssueLocator {
        issue_id,
        org,
        event_id,
    })
}

fn org_in_path(before_issues: &[&str]) -> Option<String> {
    match before_issues {
        [.., "organizations", org] => Some((*org).to_owned()),
        [org] if *org != "organizations" => Some((*org).to_owned()),
        _ => None,
    }
}

fn org_in_host(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    let sub = host.strip_suffix(".sentry.io")?;
    let org = sub.split('.').next()?;
    (!NOT_ORGS.contains(&org)).then(|| org.to_owned())
}

/// Reads an event, trace or replay id: 32 hex characters, with or without dashes, in any case.
pub fn hex_id(input: &str, what: &'static str) -> Result<String, NotAHexId> {
    let id: String = input
        .trim()
        .chars()
        .filter(|c| *c != '-')
        .collect::<String>()
        .to_ascii_lowercase();
    if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(id)
    } else {
        Err(NotAHexId {
            what,
            input: input.to_owned(),
        })
    }
}

/// A value that is not a 32-hex-character id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{what} {input:?} is not an id: use the 32 hex characters Sentry shows, e.g. \"7ca573c0f4814912aaa9bdc77d1a7d51\""
)]
pub struct NotAHexId {
    /// The parameter's name.
    pub what: &'static str,
    /// What was given.
    pub input: String,
}

/// A value that names no issue in any accepted form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "issue_id {0:?} is not an issue: use a numeric id (\"4567890123\"), a short id (\"WEB-1A3\") or an issue URL (\"https://ORG.sentry.io/issues/ID/\")"
)]
pub struct NotAnIssue(pub String);

fn bad_ref(input: &str) -> NotAnIssue {
    NotAnIssue(input.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> (String, Option<String>, Option<String>) {
        let l = parse_issue_ref(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        (l.issue_id, l.org, l.event_id)
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_owned())
    }

    #[test]
    fn accepts_every_documented_form() {
        let cases = [
            ("4567890123", ("4567890123", None, None)),
            ("WEB-1A3", ("WEB-1A3", None, None)),
            ("web-1a3", ("WEB-1A3", None, None)),
            ("pump-station-1", ("PUMP-STATION-1", None, None)),
            ("`WEB-1A3`.", ("WEB-1A3", None, None)),
            (
                "https://acme.sentry.io/issues/123/",
                ("123", some("acme"), None),
            ),
            (
                "https://acme.sentry.io/issues/WEB-9",
                ("WEB-9", some("acme"), None),
            ),
            (
                "https://sentry.io/organizations/acme/issues/123/",
                ("123", some("acme"), None),
            ),
            (
                "https://us.sentry.io/organizations/acme/issues/123/?project=1",
                ("123", some("acme"), None),
            ),
            (
                "https://sentry.example.com/organizations/acme/issues/55/",
                ("55", some("acme"), None),
            ),
            (
                "https://sentry.example.com/sentry/organizations/acme/issues/55/",
                ("55", some("acme"), None),
            ),
            (
                "https://sentry.io/acme/issues/77/",
                ("77", some("acme"), None),
            ),
            (
                "https://acme.sentry.io/issues/123/events/ABCDEF0123456789abcdef0123456789/",
                (
                    "123",
                    some("acme"),
                    some("abcdef0123456789abcdef0123456789"),
                ),
            ),
        ];
        for (input, (id, org, event)) in cases {
            assert_eq!(ok(input), (id.to_owned(), org, event), "{input}");
        }
    }

    #[test]
    fn rejects_what_is_not_an_issue() {
        for bad in [
            "",
            "   ",
            "abc",
            "..",
            "../../etc",
            "WEB-",
            "-1A3",
            "WEB 1A3",
            "https://acme.sentry.io/projects/web/",
            "https://acme.sentry.io/issues/",
            "https://acme.sentry.io/issues/../",
            "ftp://acme.sentry.io/issues/1/",
        ] {
            let err = parse_issue_ref(bad).unwrap_err().to_string();
            assert!(err.contains("short id"), "{bad}: {err}");
        }
    }

    #[test]
    fn region_hosts_are_not_organizations() {
        assert_eq!(ok("https://us.sentry.io/issues/1/").1, None);
        assert_eq!(ok("https://www.sentry.io/issues/1/").1, None);
    }

    #[test]
    fn accepts_numbers_as_well_as_strings() {
        let from_number: IssueArg = serde_json::from_value(serde_json::json!(123)).unwrap();
        assert_eq!(from_number, IssueArg("123".into()));
        let from_string: IssueArg = serde_json::from_value(serde_json::json!("WEB-1")).unwrap();
        assert_eq!(from_string, IssueArg("WEB-1".into()));
        assert!(serde_json::from_value::<IssueArg>(serde_json::json!(-1)).is_err());
        assert!(serde_json::from_value::<IssueArg>(serde_json::json!(null)).is_err());
    }

    proptest::proptest! {
        #[test]
        fn whatever_is_accepted_is_a_safe_path_segment(input in "\\PC{0,60}") {
            if let Ok(locator) = parse_issue_ref(&input) {
                let id = &locator.issue_id;
                proptest::prop_assert!(!id.is_empty() && id != "." && id != "..", "{id:?}");
                proptest::prop_assert!(
                    id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                    "{id:?} from {input:?}"
                );
            }
        }

        #[test]
        fn numeric_ids_read_as_themselves_even_with_punctuation_around(
            id in 1u64..,
            before in "[`'\"( ]{0,2}",
            after in "[`'\".,;:) ]{0,2}",
        ) {
            let locator = parse_issue_ref(&format!("{before}{id}{after}")).unwrap();
            proptest::prop_assert_eq!(locator.issue_id, id.to_string());
            proptest::prop_assert_eq!(locator.org, None);
        }

        #[test]
        fn short_ids_read_upper_cased(project in "[A-Za-z0-9][A-Za-z0-9_-]{0,12}", suffix in "[A-Za-z0-9]{1,6}") {
            let short_id = format!("{project}-{suffix}");
            let locator = parse_issue_ref(&short_id).unwrap();
            proptest::prop_assert_eq!(locator.issue_id, short_id.to_ascii_uppercase());
        }

        #[test]
        fn issue_urls_give_the_org_the_id_and_the_event(
            org in "[a-z][a-z0-9-]{0,15}",
            id in 1u64..,
            event in "[0-9a-f]{32}",
            saas in proptest::bool::ANY,
        ) {
            proptest::prop_assume!(!NOT_ORGS.contains(&org.as_str()));
            let url = if saas {
                format!("https://{org}.sentry.io/issues/{id}/events/{event}/")
            } else {
                format!("https://sentry.example.com/organizations/{org}/issues/{id}/events/{event}/")
            };
            let locator = parse_issue_ref(&url).unwrap();
            proptest::prop_assert_eq!(locator.issue_id, id.to_string());
            proptest::prop_assert_eq!(locator.org.as_deref(), Some(org.as_str()));
            proptest::prop_assert_eq!(locator.event_id.as_deref(), Some(event.as_str()));
        }
    }
}
