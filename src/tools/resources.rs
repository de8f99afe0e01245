//! Tools: get_resource — any Sentry link (SaaS or self-hosted) to the issue, event, trace, span,
//! replay or cron monitor it names, answered as the matching tool would.

use super::context::ToolContext;
use super::error::ToolError;
use super::events::event_answer;
use super::ids::{IssueLocator, hex_id, parse_issue_ref};
use super::issues::issue_answer;
use super::monitoring::{monitor_answer, replay_answer};
use super::output::ToolOutput;
use super::performance::trace_answer;
use super::tool::{Effects, Tool};
use percent_encoding::percent_decode_str;
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;
use url::Url;

/// The tools of this module.
pub fn tools() -> Vec<Tool> {
    vec![Tool::new::<ResourceParams, _, _>(
        "get_resource",
        "Open a Sentry link",
        "Open a Sentry link: issue, event, trace, span, replay or cron monitor.",
        Effects::READ,
        get_resource,
    )]
}

/// Arguments of `get_resource`.
#[derive(Debug, Deserialize, JsonSchema)]
struct ResourceParams {
    url: String,
}

/// What a Sentry link names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Resource {
    /// An issue, possibly one of its events.
    Issue(IssueLocator),
    /// An event of a project (`{project}:{event}` links).
    Event { project: String, event_id: String },
    /// A trace, possibly one of its spans.
    Trace {
        trace_id: String,
        span_id: Option<String>,
    },
    /// A session replay.
    Replay(String),
    /// A cron monitor, by slug.
    Monitor(String),
}

/// A link read: the organization it names, if any, and the resource.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Located {
    org: Option<String>,
    resource: Resource,
}

async fn get_resource(
    ctx: Arc<ToolContext>,
    params: ResourceParams,
) -> Result<ToolOutput, ToolError> {
    let located = locate(params.url.trim(), ctx.client().base_url())?;
    let org = ctx.org(located.org).map_err(|_| {
        ToolError::InvalidInput(
            "the link names no organization and no default is configured: start with --org / SENTRY_ORG, or use a link with the organization in it".into(),
        )
    })?;
    match located.resource {
        Resource::Issue(locator) => issue_answer(&ctx, org, locator).await,
        Resource::Event { project, event_id } => {
            event_answer(&ctx, &org, &project, &event_id).await
        }
        Resource::Trace { trace_id, span_id } => {
            trace_answer(&ctx, &org, &trace_id, span_id.as_deref()).await
        }
        Resource::Replay(id) => replay_answer(&ctx, &org, &id).await,
        Resource::Monitor(slug) => monitor_answer(&ctx, &org, &slug).await,
    }
}

/// Subdomains of sentry.io that are regions or the bare site, never an organization.
const NOT_ORGS: &[&str] = &["www", "us", "de", "eu", "us2", "sentry"];

/// Reads a link of the configured server; foreign hosts and dot segments are refused.
fn locate(input: &str, server: &Url) -> Result<Located, ToolError> {
    let url = Url::parse(input).map_err(|_| {
        ToolError::InvalidInput(format!(
            "{input:?} is not a URL: give a link copied from Sentry, e.g. https://acme.sentry.io/issues/123/"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(input, "only http and https links are read"));
    }
    if has_dot_segment(input) {
        return Err(invalid(input, "it has a '.' or '..' path segment"));
    }
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    if !same_server(&url, server) {
        return Err(ToolError::InvalidInput(format!(
            "{input:?} is not a link of the configured Sentry server ({}): get_resource only opens links of that server, so no token is sent elsewhere",
            server.as_str().trim_end_matches('/')
        )));
    }
    let mut segments: Vec<String> = url
        .path_segments()
        .map(|s| {
            s.filter(|seg| !seg.is_empty())
                .map(|seg| percent_decode_str(seg).decode_utf8_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    // A self-hosted server under a path (https://host/sentry/) serves its pages under it too.
    let base: Vec<&str> = server
        .path_segments()
        .map(|s| s.filter(|seg| !seg.is_empty()).collect())
        .unwrap_or_default();
    if !base.is_empty() && segments.iter().zip(&base).all(|(a, b)| a == b) {
        segments.drain(..base.len().min(segments.len()));
    }
    let mut org = None;
    if segments.first().map(String::as_str) == Some("organizations") && segments.len() > 1 {
        org = Some(segments[1].clone());
        segments.drain(..2);
    } else if let Some(sub) = host.strip_suffix(".sentry.io") {
        let sub = sub.split('.').next().unwrap_or("");
        if !NOT_ORGS.contains(&sub) {
            org = Some(sub.to_owned());
        }
    }
    let resource = resource_of(input, &url, &segments)?;
    if let Resource::Issue(locator) = &resource {
        org = org.or_else(|| locator.org.clone());
    }
    Ok(Located { org, resource })
}

fn resource_of(input: &str, url: &Url, segments: &[String]) -> Result<Resource, ToolError> {
    let seg = |i: usize| segments.get(i).map(String::as_str);
    let position = |name: &str| segments.iter().position(|s| s == name);
    if position("issues").is_some() {
        return Ok(Resource::Issue(parse_issue_ref(input)?));
    }
    if let Some(at) = position("trace") {
        let trace_id = hex_id(seg(at + 1).unwrap_or(""), "trace id")?;
        let span_id = url
            .query_pairs()
            .find(|(key, _)| key == "node")
            .and_then(|(_, node)| node.strip_prefix("span-").map(str::to_owned))
            .filter(|span| !span.is_empty() && span.bytes().all(|b| b.is_ascii_hexdigit()));
        return Ok(Resource::Trace { trace_id, span_id });
    }
    if let Some(at) = position("replays") {
        let id = seg(at + 1).ok_or_else(|| invalid(input, "it names no replay"))?;
        return Ok(Resource::Replay(hex_id(id, "replay id")?));
    }
    if let Some(at) = position("crons") {
        let slug = segments[at + 1..]
            .iter()
            .rev()
            .find(|s| !matches!(s.as_str(), "details" | "edit"))
            .ok_or_else(|| invalid(input, "it names no monitor"))?;
        return Ok(Resource::Monitor(slug.clone()));
    }
    if let Some(pair) = ["discover", "performance"]
        .iter()
        .find_map(|name| position(name).and_then(|at| seg(at + 1)))
        .and_then(|s| s.split_once(':'))
    {
        let (project, event) = pair;
        return Ok(Resource::Event {
            project: project.to_owned(),
            event_id: hex_id(event, "event id")?,
        });
    }
    if let Some(at) = position("releases") {
        let version = seg(at + 1).unwrap_or("");
        return Err(invalid(
            input,
            &format!("it is a release page: call get_release with version {version:?}"),
        ));
    }
    Err(invalid(
        input,
        "it names no issue, event, trace, span, replay or cron monitor",
    ))
}

/// Whether the raw link has a `.` or `..` segment, encoded or not (the URL parser would fold it away).
fn has_dot_segment(input: &str) -> bool {
    let after_scheme = input.split_once("://").map_or(input, |(_, rest)| rest);
    let path = after_scheme
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .split_once('/')
        .map_or("", |(_, path)| path);
    path.split('/').any(|segment| {
        let decoded = percent_decode_str(segment).decode_utf8_lossy();
        decoded == "." || decoded == ".."
    })
}

/// Whether a link is on the configured server: the same host and port, or, for sentry.io, any of
/// its subdomains (organizations and regions).
fn same_server(url: &Url, server: &Url) -> bool {
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    let server_host = server.host_str().unwrap_or("").to_ascii_lowercase();
    let saas = |h: &str| h == "sentry.io" || h.ends_with(".sentry.io");
    if saas(&server_host) {
        return saas(&host) && url.scheme() == "https";
    }
    host == server_host && url.port_or_known_default() == server.port_or_known_default()
}

fn invalid(input: &str, why: &str) -> ToolError {
    ToolError::InvalidInput(format!("cannot open {input:?}: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE: &str = "a4d1aae7216b47ff8117cf4e09ce9d0a";
    const EVENT: &str = "7ca573c0f4814912aaa9bdc77d1a7d51";

    fn saas() -> Url {
        Url::parse("https://sentry.io").unwrap()
    }

    fn located(input: &str, server: &Url) -> Located {
        locate(input, server).unwrap_or_else(|e| panic!("{input}: {e}"))
    }

    fn org(name: &str) -> Option<String> {
        Some(name.to_owned())
    }

    #[test]
    fn reads_every_kind_of_saas_link() {
        let cases = [
            (
                format!(
                    "https://acme.sentry.io/explore/traces/trace/{TRACE}/?node=span-b4abfe5ed7984c2b"
                ),
                Resource::Trace {
                    trace_id: TRACE.into(),
                    span_id: Some("b4abfe5ed7984c2b".into()),
                },
            ),
            (
                format!("https://sentry.io/organizations/acme/performance/trace/{TRACE}/"),
                Resource::Trace {
                    trace_id: TRACE.into(),
                    span_id: None,
                },
            ),
            (
                format!("https://acme.sentry.io/replays/{EVENT}/?t=10"),
                Resource::Replay(EVENT.into()),
            ),
            (
                format!("https://acme.sentry.io/explore/replays/{EVENT}/"),
                Resource::Replay(EVENT.into()),
            ),
            (
                "https://acme.sentry.io/crons/web/nightly-import/".to_owned(),
                Resource::Monitor("nightly-import".into()),
            ),
            (
                "https://acme.sentry.io/insights/crons/web/nightly-import/details/".to_owned(),
                Resource::Monitor("nightly-import".into()),
            ),
            (
                format!("https://acme.sentry.io/discover/web:{EVENT}/"),
                Resource::Event {
                    project: "web".into(),
                    event_id: EVENT.into(),
                },
            ),
        ];
        for (input, resource) in cases {
            assert_eq!(
                located(&input, &saas()),
                Located {
                    org: org("acme"),
                    resource
                },
                "{input}"
            );
        }
        let issue = located(
            &format!("https://us.sentry.io/organizations/acme/issues/123/events/{EVENT}/"),
            &saas(),
        );
        assert_eq!(issue.org, org("acme"));
        let Resource::Issue(locator) = issue.resource else {
            panic!("an issue")
        };
        assert_eq!(locator.issue_id, "123");
        assert_eq!(locator.event_id.as_deref(), Some(EVENT));
    }

    #[test]
    fn reads_self_hosted_links_under_a_path() {
        let server = Url::parse("https://sentry.example.com/sentry/").unwrap();
        let link = format!(
            "https://sentry.example.com/sentry/organizations/acme/performance/trace/{TRACE}/"
        );
        assert_eq!(
            located(&link, &server),
            Located {
                org: org("acme"),
                resource: Resource::Trace {
                    trace_id: TRACE.into(),
                    span_id: None
                }
            }
        );
        let local = Url::parse("http://127.0.0.1:9000").unwrap();
        let issue = located("http://127.0.0.1:9000/organizations/acme/issues/7/", &local);
        assert_eq!(issue.org, org("acme"));
    }

    #[test]
    fn refuses_foreign_hosts_dot_segments_and_unknown_pages_politely() {
        let server = Url::parse("https://sentry.example.com").unwrap();
        let cases = [
            (
                "https://evil.example.net/organizations/acme/issues/1/",
                &server,
                "configured Sentry server",
            ),
            (
                "https://sentry.example.com:8443/organizations/acme/issues/1/",
                &server,
                "configured Sentry server",
            ),
            (
                "https://acme.sentry.io.evil.net/issues/1/",
                &saas(),
                "configured Sentry server",
            ),
            (
                "http://acme.sentry.io/issues/1/",
                &saas(),
                "configured Sentry server",
            ),
            (
                "https://acme.sentry.io/issues/../../api/0/",
                &saas(),
                "'..'",
            ),
            ("https://acme.sentry.io/replays/%2e%2e/x/", &saas(), "'..'"),
            (
                "https://acme.sentry.io/settings/projects/",
                &saas(),
                "names no issue",
            ),
            (
                "https://acme.sentry.io/releases/web@1.0/",
                &saas(),
                "get_release",
            ),
            ("ftp://acme.sentry.io/issues/1/", &saas(), "http"),
            ("WEB-1", &saas(), "not a URL"),
            (
                "https://acme.sentry.io/explore/traces/trace/xyz/",
                &saas(),
                "32 hex",
            ),
        ];
        for (input, server, needle) in cases {
            let err = locate(input, server).unwrap_err().to_string();
            assert!(err.contains(needle), "{input}: {err}");
        }
    }
}
