//! API failures, classified, with messages that say what to do next.

use super::path::{ApiPath, InvalidSegment};
use crate::text::truncate;
use serde_json::Value;
use std::time::Duration;

/// Everything that can go wrong talking to Sentry.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No token was configured.
    #[error(
        "no auth token: set SENTRY_AUTH_TOKEN, pass --auth-token, or add [auth] token to .sentryclirc"
    )]
    MissingToken,
    /// A path segment (id, slug, version) was refused before sending.
    #[error(transparent)]
    InvalidPath(#[from] InvalidSegment),
    /// 401: the token is not accepted.
    #[error(
        "Sentry rejected the auth token (401{detail}): it is invalid, expired or revoked. Create a new token in Sentry (Settings > Auth Tokens) and set SENTRY_AUTH_TOKEN"
    )]
    Unauthorized {
        /// Sentry's detail, formatted as ": detail" or empty.
        detail: String,
    },
    /// 403: the token lacks a scope or access to the resource.
    #[error(
        "permission denied for {resource} (403{detail}). The token probably lacks the `{scope}` scope, or its user is not a member of the team that owns the project"
    )]
    Forbidden {
        /// What was being accessed.
        resource: String,
        /// The scope this kind of request needs.
        scope: &'static str,
        /// Sentry's detail, formatted as ": detail" or empty.
        detail: String,
    },
    /// 404: the resource does not exist or is not visible.
    #[error(
        "{resource} was not found (404{detail}). Check the spelling and that the token can see that organization"
    )]
    NotFound {
        /// What was not found.
        resource: String,
        /// Sentry's detail, formatted as ": detail" or empty.
        detail: String,
    },
    /// 400/422: Sentry refused the request's content.
    #[error("Sentry refused the request (HTTP {status}): {detail}")]
    Invalid {
        /// The HTTP status.
        status: u16,
        /// Sentry's explanation, fields included.
        detail: String,
    },
    /// 429 that outlasted the retries.
    #[error(
        "rate limited by Sentry (429): {detail}. Wait a minute and try again, or lower the request rate"
    )]
    RateLimited {
        /// Sentry's text.
        detail: String,
    },
    /// 409 that outlasted the retries.
    #[error("conflict (409): {detail}")]
    Conflict {
        /// Sentry's text.
        detail: String,
    },
    /// 5xx or another unexpected status.
    #[error("Sentry answered HTTP {status} for {resource}: {detail}")]
    Server {
        /// The HTTP status.
        status: u16,
        /// What was being accessed.
        resource: String,
        /// Sentry's text, or a note that it sent HTML.
        detail: String,
    },
    /// The server could not be reached or the connection broke.
    #[error("could not reach Sentry at {url}: {reason}. Check --url / SENTRY_URL and the network")]
    Network {
        /// The base URL that was tried (no query, no token).
        url: String,
        /// What failed.
        reason: String,
    },
    /// The request could not be put together (a bad header or proxy setting); nothing was sent.
    #[error("could not prepare the request to Sentry: {reason}. Nothing was sent")]
    Local {
        /// What failed.
        reason: String,
    },
    /// A write was sent but its answer never came: Sentry may have applied it.
    #[error(
        "{method} {resource}: {reason} after the request was sent, so Sentry may have applied it; check before retrying (repeating it could record it twice)"
    )]
    MaybeApplied {
        /// The HTTP method.
        method: String,
        /// What was being written.
        resource: String,
        /// What happened (timed out, connection closed).
        reason: String,
    },
    /// The server's TLS certificate was refused; retrying cannot help.
    #[error(
        "the TLS certificate of {url} was refused: {problem}. If Sentry uses a private CA, point SSL_CERT_FILE (or SSL_CERT_DIR) at its certificate; `verify_ssl = false` under [http] in .sentryclirc turns the check off (insecure)"
    )]
    Certificate {
        /// The server (no credentials).
        url: String,
        /// What is wrong with the certificate.
        problem: String,
    },
    /// A redirect that was not followed (any redirect of a write, or one to another origin).
    #[error("{method} {resource} was redirected (HTTP {status}) to {target}: {why}")]
    Redirected {
        /// The HTTP method.
        method: String,
        /// What was being accessed.
        resource: String,
        /// The 3xx status.
        status: u16,
        /// Where the server pointed (no credentials, no query).
        target: String,
        /// Why it was not followed, and what to do.
        why: String,
    },
    /// The answer was larger than the client reads.
    #[error(
        "Sentry's answer for {resource} is larger than {limit_mib} MiB, the most this tool reads; ask for less (a smaller limit, period or query)"
    )]
    TooLarge {
        /// What was being read.
        resource: String,
        /// The cap, in MiB.
        limit_mib: u64,
    },
    /// The operation's time budget ran out before an answer.
    #[error("gave up on {resource}: the time limit for this operation ran out{last}")]
    TimeBudget {
        /// What was being accessed.
        resource: String,
        /// "; the last attempt: ..." or empty.
        last: String,
    },
    /// Sentry handed out a page cursor it had already given.
    #[error(
        "Sentry sent the same page cursor ({cursor}) twice while listing {resource}; stopped rather than loop or pass a partial list off as whole. Try again; if it persists, report it to Sentry"
    )]
    RepeatedCursor {
        /// What was being listed.
        resource: String,
        /// The repeated cursor.
        cursor: String,
    },
    /// A 2xx answer whose body was not what was expected.
    #[error("unexpected answer from Sentry for {resource}: {reason}")]
    Decode {
        /// What was being read.
        resource: String,
        /// The serde error.
        reason: String,
    },
}

impl ApiError {
    /// Builds the error for a non-success answer.
    pub fn from_status(method: &str, path: &ApiPath, status: u16, body: &str) -> Self {
        let detail = detail_of(body);
        let suffix = |d: &str| {
            if d.is_empty() {
                String::new()
            } else {
                format!(": {d}")
            }
        };
        match status {
            401 => Self::Unauthorized {
                detail: suffix(&detail),
            },
            403 => Self::Forbidden {
                resource: path.describe(),
                scope: required_scope(method, path),
                detail: suffix(&detail),
            },
            404 => Self::NotFound {
                resource: path.describe(),
                detail: suffix(&detail),
            },
            400 | 422 => Self::Invalid {
                status,
                detail: if detail.is_empty() {
                    "no details given".into()
                } else {
                    detail
                },
            },
            409 => Self::Conflict { detail },
            429 => Self::RateLimited { detail },
            _ => Self::Server {
                status,
                resource: path.describe(),
                detail: if detail.is_empty() {
                    "no details given".into()
                } else {
                    detail
                },
            },
        }
    }

    /// True when a write may have been applied although no answer said so: check before repeating it.
    pub fn may_have_been_applied(&self) -> bool {
        matches!(self, Self::MaybeApplied { .. })
    }

    /// The HTTP status behind the error, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized { .. } => Some(401),
            Self::Forbidden { .. } => Some(403),
            Self::NotFound { .. } => Some(404),
            Self::Invalid { status, .. }
            | Self::Server { status, .. }
            | Self::Redirected { status, .. } => Some(*status),
            Self::Conflict { .. } => Some(409),
            Self::RateLimited { .. } => Some(429),
            _ => None,
        }
    }
}

/// The scope a request most probably needs, from its method and path.
pub fn required_scope(method: &str, path: &ApiPath) -> &'static str {
    let segments = path.segments();
    let has = |name: &str| segments.iter().any(|s| s == name);
    let write = method != "GET";
    let first = segments.first().map(String::as_str);
    let uploads = has("chunk-upload") || has("artifactbundle");
    if has("releases") || has("deploys") || has("repos") || uploads {
        "project:releases"
    } else if has("combined-rules") || has("alert-rules") || has("rules") || has("monitors") {
        if write { "alerts:write" } else { "alerts:read" }
    } else if has("issues") || has("shortids") {
        if write { "event:write" } else { "event:read" }
    } else if first == Some("projects") || (first == Some("teams") && has("projects")) {
        if write {
            "project:write"
        } else {
            "project:read"
        }
    } else if write && has("teams") {
        "team:write"
    } else {
        "org:read"
    }
}

/// Extracts a readable message from any of Sentry's error body shapes.
pub fn detail_of(body: &str) -> String {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return String::new();
    }
    if looks_like_html(trimmed) {
        return "the server sent an HTML page instead of JSON (a proxy or load balancer error, or a wrong --url)".into();
    }
    match serde_json::from_str::<Value>(trimmed) {
        Ok(value) => detail_of_json(&value),
        Err(_) => truncate(trimmed, 300),
    }
}

fn detail_of_json(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Object(map) => {
            if let Some(detail) = map.get("detail") {
                let mut text = match detail {
                    Value::String(s) => s.clone(),
                    Value::Object(d) => d
                        .get("message")
                        .and_then(Value::as_str)
                        .or_else(|| d.get("code").and_then(Value::as_str))
                        .unwrap_or("error")
                        .to_owned(),
                    other => other.to_string(),
                };
                if let Some(id) = map.get("errorId").and_then(Value::as_str) {
                    text.push_str(&format!(" (Sentry error id {id})"));
                }
                return text;
            }
            map.iter()
                .map(|(field, msgs)| format!("{field}: {}", flatten_messages(msgs)))
                .collect::<Vec<_>>()
                .join("; ")
        }
        other => truncate(&other.to_string(), 300),
    }
}

fn flatten_messages(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(flatten_messages)
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}: {}", flatten_messages(v)))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

fn looks_like_html(body: &str) -> bool {
    let head = body
        .get(..body.len().min(64))
        .unwrap_or(body)
        .to_ascii_lowercase();
    head.starts_with("<!doctype") || head.starts_with("<html") || head.starts_with("<head")
}

/// True when a 400 body is the search backend's transient overload answer.
pub fn is_query_timeout(body: &str) -> bool {
    detail_of(body).starts_with("Query timeout")
}

/// How long Sentry asked us to wait, from a `Retry-After` value (seconds or HTTP date).
pub fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    if let Ok(seconds) = value.trim().parse::<f64>() {
        return (seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value.trim()).ok()?;
    Some(
        (date.with_timezone(&chrono::Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(segments: &[&str]) -> ApiPath {
        ApiPath::new(segments).unwrap()
    }

    #[test]
    fn reads_every_error_body_shape() {
        assert_eq!(detail_of(r#"{"detail":"Invalid token"}"#), "Invalid token");
        assert_eq!(
            detail_of(r#"{"detail":{"code":"sso-required","message":"SSO required","extra":{}}}"#),
            "SSO required"
        );
        assert_eq!(
            detail_of(r#"{"version":["This field is required."],"refs":{"0":["bad commit"]}}"#),
            "version: This field is required.; refs: 0: bad commit"
        );
        assert_eq!(
            detail_of(
                r#""You are attempting to use this endpoint too frequently. Limit is 40 requests in 1 seconds""#
            ),
            "You are attempting to use this endpoint too frequently. Limit is 40 requests in 1 seconds"
        );
        assert_eq!(
            detail_of(r#"{"detail":"Internal Error","errorId":"abc123"}"#),
            "Internal Error (Sentry error id abc123)"
        );
        assert!(
            detail_of("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>").contains("HTML")
        );
        assert_eq!(detail_of(""), "");
        assert_eq!(detail_of("plain text"), "plain text");
    }

    #[test]
    fn messages_say_what_to_do() {
        let issue = path(&["organizations", "acme", "issues", "WEB-1"]);
        let not_found = ApiError::from_status(
            "GET",
            &issue,
            404,
            r#"{"detail":"The requested resource does not exist"}"#,
        );
        assert_eq!(
            not_found.to_string(),
            "issue 'WEB-1' in organization 'acme' was not found (404: The requested resource does not exist). Check the spelling and that the token can see that organization"
        );
        let forbidden = ApiError::from_status("GET", &issue, 403, "");
        assert!(
            forbidden.to_string().contains("`event:read`"),
            "{forbidden}"
        );
        let unauthorized =
            ApiError::from_status("GET", &issue, 401, r#"{"detail":"Invalid token"}"#);
        assert!(
            unauthorized
                .to_string()
                .contains("invalid, expired or revoked")
        );
        assert_eq!(unauthorized.status(), Some(401));
    }

    #[test]
    fn each_status_is_its_kind_and_keeps_its_code() {
        let releases = path(&["organizations", "acme", "releases"]);
        let kind = |status: u16| {
            let error = ApiError::from_status("POST", &releases, status, "");
            assert_eq!(error.status(), Some(status), "{error:?}");
            error
        };
        assert!(matches!(kind(401), ApiError::Unauthorized { .. }));
        assert!(matches!(kind(403), ApiError::Forbidden { .. }));
        assert!(matches!(kind(404), ApiError::NotFound { .. }));
        assert!(matches!(kind(400), ApiError::Invalid { .. }));
        assert!(matches!(kind(422), ApiError::Invalid { .. }));
        assert!(matches!(kind(409), ApiError::Conflict { .. }));
        assert!(matches!(kind(429), ApiError::RateLimited { .. }));
        assert!(matches!(kind(502), ApiError::Server { .. }));
        assert!(matches!(kind(418), ApiError::Server { .. }));
    }

    #[test]
    fn only_a_write_without_an_answer_may_have_been_applied() {
        let unanswered = ApiError::MaybeApplied {
            method: "POST".into(),
            resource: "releases".into(),
            reason: "timed out".into(),
        };
        assert!(unanswered.may_have_been_applied());
        let releases = path(&["organizations", "acme", "releases"]);
        for status in [400, 409, 429, 500] {
            let answered = ApiError::from_status("POST", &releases, status, "");
            assert!(!answered.may_have_been_applied(), "{status}");
        }
    }

    #[test]
    fn names_the_scope_per_kind_of_request() {
        let release = path(&["organizations", "acme", "releases"]);
        assert_eq!(required_scope("POST", &release), "project:releases");
        let issue = path(&["organizations", "acme", "issues", "1"]);
        assert_eq!(required_scope("PUT", &issue), "event:write");
        let project = path(&["projects", "acme", "web"]);
        assert_eq!(required_scope("GET", &project), "project:read");
        let assemble = path(&["organizations", "acme", "artifactbundle", "assemble"]);
        assert_eq!(required_scope("POST", &assemble), "project:releases");
        assert_eq!(required_scope("GET", &path(&["organizations"])), "org:read");
        let new_team = path(&["organizations", "acme", "teams"]);
        assert_eq!(required_scope("POST", &new_team), "team:write");
        let new_project = path(&["teams", "acme", "backend", "projects"]);
        assert_eq!(required_scope("POST", &new_project), "project:write");
        let rules = path(&["organizations", "acme", "combined-rules"]);
        assert_eq!(required_scope("GET", &rules), "alerts:read");
        let seer = path(&["organizations", "acme", "issues", "1", "autofix"]);
        assert_eq!(required_scope("POST", &seer), "event:write");
    }

    #[test]
    fn every_path_word_picks_its_scope() {
        let scope = |method: &str, segments: &[&str]| required_scope(method, &path(segments));
        for word in [
            "releases",
            "deploys",
            "repos",
            "chunk-upload",
            "artifactbundle",
        ] {
            assert_eq!(
                scope("GET", &["organizations", "acme", word]),
                "project:releases",
                "{word}"
            );
        }
        for word in ["combined-rules", "alert-rules", "rules", "monitors"] {
            assert_eq!(
                scope("GET", &["organizations", "acme", word]),
                "alerts:read",
                "{word}"
            );
            assert_eq!(
                scope("PUT", &["organizations", "acme", word]),
                "alerts:write",
                "{word}"
            );
        }
        assert_eq!(
            scope("GET", &["organizations", "acme", "shortids", "W-1"]),
            "event:read"
        );
        assert_eq!(
            scope("GET", &["teams", "acme", "backend"]),
            "org:read",
            "a team, read"
        );
        assert_eq!(
            scope("GET", &["teams", "acme", "backend", "projects"]),
            "project:read"
        );
        assert_eq!(
            scope("POST", &["organizations", "acme", "members"]),
            "org:read"
        );
        assert_eq!(scope("DELETE", &["teams", "acme", "backend"]), "team:write");
    }

    #[test]
    fn html_pages_are_named_not_quoted() {
        for page in [
            "<!DOCTYPE html><p>x</p>",
            "<html><body>502</body></html>",
            "<head></head>",
        ] {
            assert!(detail_of(page).contains("HTML page"), "{page}");
        }
        assert_eq!(detail_of("<p>plain</p>"), "<p>plain</p>");
    }

    #[test]
    fn recognises_the_transient_query_timeout() {
        assert!(is_query_timeout(
            r#"{"detail":"Query timeout. Please try again. If the problem persists try a smaller date range or fewer projects."}"#
        ));
        assert!(!is_query_timeout(
            r#"{"detail":"Error parsing search query"}"#
        ));
    }

    #[test]
    fn parses_retry_after_forms() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Thu, 01 Jan 2026 00:00:05 GMT", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
