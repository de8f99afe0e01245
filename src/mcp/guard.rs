//! Who may use the HTTP server: the Host it is reached by (DNS rebinding), the browser Origin, and
//! the bearer token clients present.

use axum::http::header::{AUTHORIZATION, HOST, ORIGIN, WWW_AUTHENTICATE};
use axum::http::uri::Authority;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::fmt;
use std::net::SocketAddr;

/// The bearer token HTTP clients must present. It prints as `ClientToken(***)`.
#[derive(Clone)]
pub struct ClientToken(String);

impl ClientToken {
    /// Takes the token given to the server; it must be non-empty visible ASCII (it travels in a header).
    pub fn new(token: &str) -> Result<Self, String> {
        let token = token.trim();
        if token.is_empty() {
            return Err(
                "--http-token / SENTRY_COMPANION_HTTP_TOKEN is empty: set a long random \
                        value, e.g. from `openssl rand -hex 32`"
                    .to_owned(),
            );
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(
                "--http-token / SENTRY_COMPANION_HTTP_TOKEN must be visible ASCII without \
                        spaces (it is sent in an HTTP header): e.g. `openssl rand -hex 32`"
                    .to_owned(),
            );
        }
        Ok(Self(token.to_owned()))
    }

    /// Whether `presented` is this token, in time that depends only on the presented length.
    fn matches(&self, presented: &[u8]) -> bool {
        let expected = self.0.as_bytes();
        let mut difference = u8::from(expected.len() != presented.len());
        for (i, byte) in presented.iter().enumerate() {
            // Indexing modulo the length keeps the loop free of branches on the secret.
            difference |= byte ^ expected[i % expected.len()];
        }
        std::hint::black_box(difference) == 0
    }
}

impl fmt::Debug for ClientToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientToken(***)")
    }
}

/// A Host clients may use: a name or address, and a port when one was given.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AllowedHost {
    host: String,
    port: Option<u16>,
}

impl AllowedHost {
    fn parse(text: &str) -> Option<Self> {
        let authority: Authority = text.trim().parse().ok()?;
        if authority.as_str().contains('@') {
            return None;
        }
        Some(Self {
            host: normalize(authority.host()),
            port: authority.port_u16(),
        })
    }

    fn admits(&self, host: &str, port: Option<u16>) -> bool {
        self.host == host && self.port.is_none_or(|wanted| port == Some(wanted))
    }
}

fn normalize(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

/// Why a request was turned away; each becomes a status and a message saying what to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// 400: no Host header, several, or one that is not a host.
    BadHost,
    /// 403: the Host is not one the server answers to.
    HostNotAllowed(String),
    /// 403: a browser page from another origin (or an opaque `null` one).
    OriginNotAllowed(String),
    /// 401: no `Authorization: Bearer` header.
    MissingToken,
    /// 401: a token that is not the server's.
    WrongToken,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let challenge = [(WWW_AUTHENTICATE, "Bearer realm=\"sentry-companion\"")];
        match self {
            Self::BadHost => (
                StatusCode::BAD_REQUEST,
                "Bad Request: send exactly one Host header naming this server\n",
            )
                .into_response(),
            Self::HostNotAllowed(host) => (
                StatusCode::FORBIDDEN,
                format!(
                    "Forbidden: this server does not answer to Host {host:?}; its operator can \
                     allow it with --allowed-host\n"
                ),
            )
                .into_response(),
            Self::OriginNotAllowed(origin) => (
                StatusCode::FORBIDDEN,
                format!(
                    "Forbidden: requests from web pages at Origin {origin:?} are refused; only \
                     pages on the server's allowed hosts may call it\n"
                ),
            )
                .into_response(),
            Self::MissingToken => (
                StatusCode::UNAUTHORIZED,
                challenge,
                "Unauthorized: send `Authorization: Bearer TOKEN` with the server's \
                 --http-token\n",
            )
                .into_response(),
            Self::WrongToken => (
                StatusCode::UNAUTHORIZED,
                [(
                    WWW_AUTHENTICATE,
                    "Bearer realm=\"sentry-companion\", error=\"invalid_token\"",
                )],
                "Unauthorized: the bearer token is not this server's --http-token\n",
            )
                .into_response(),
        }
    }
}

/// The checks every HTTP request passes before it reaches MCP.
#[derive(Debug, Clone)]
pub struct Guard {
    allowed_hosts: Vec<AllowedHost>,
    token: Option<ClientToken>,
}

impl Guard {
    /// Loopback names, the address listened on, and the operator's `--allowed-host` entries.
    pub fn new(
        listen: SocketAddr,
        extra_hosts: &[String],
        token: Option<ClientToken>,
    ) -> Result<Self, String> {
        let mut allowed_hosts: Vec<AllowedHost> = ["localhost", "127.0.0.1", "[::1]"]
            .into_iter()
            .filter_map(AllowedHost::parse)
            .collect();
        if !listen.ip().is_unspecified() {
            allowed_hosts.push(AllowedHost {
                host: listen.ip().to_string(),
                port: None,
            });
        }
        for entry in extra_hosts {
            let host = AllowedHost::parse(entry).ok_or_else(|| {
                format!(
                    "--allowed-host {entry:?} is not a host name: give a name or address, \
                     optionally with :port, e.g. mcp.example.com or mcp.example.com:8443"
                )
            })?;
            allowed_hosts.push(host);
        }
        Ok(Self {
            allowed_hosts,
            token,
        })
    }

    /// Whether a token is required.
    pub fn requires_token(&self) -> bool {
        self.token.is_some()
    }

    /// The Host names the server answers to, for the start-up message.
    pub fn hosts(&self) -> Vec<String> {
        self.allowed_hosts
            .iter()
            .map(|h| match h.port {
                Some(port) => format!("{}:{port}", h.host),
                None => h.host.clone(),
            })
            .collect()
    }

    /// Host first (a rebinding page must learn nothing), then Origin, then the token.
    pub fn check(&self, uri: &Uri, headers: &HeaderMap) -> Result<(), Refusal> {
        self.check_host(uri, headers)?;
        self.check_origin(headers)?;
        self.check_token(headers)
    }

    fn check_host(&self, uri: &Uri, headers: &HeaderMap) -> Result<(), Refusal> {
        let mut values = headers.get_all(HOST).iter();
        let (Some(value), None) = (values.next(), values.next()) else {
            return Err(Refusal::BadHost);
        };
        let host: Authority = value
            .to_str()
            .ok()
            .and_then(|v| v.parse().ok())
            .ok_or(Refusal::BadHost)?;
        // An absolute request target names a host too; both must be allowed.
        for authority in std::iter::once(&host).chain(uri.authority()) {
            if !self.admits(authority.host(), authority.port_u16()) {
                return Err(Refusal::HostNotAllowed(authority.to_string()));
            }
        }
        Ok(())
    }

    fn check_origin(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let Some(value) = headers.get(ORIGIN) else {
            return Ok(());
        };
        let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
        let allowed = text
            .parse::<Uri>()
            .ok()
            .filter(|uri| matches!(uri.scheme_str(), Some("http" | "https")))
            .filter(|uri| uri.path_and_query().is_none_or(|p| p.as_str() == "/"))
            .and_then(|uri| {
                let authority = uri.authority()?;
                let default_port = if uri.scheme_str() == Some("https") {
                    443
                } else {
                    80
                };
                let port = authority.port_u16().unwrap_or(default_port);
                Some(self.admits(authority.host(), Some(port)))
            })
            .unwrap_or(false);
        if allowed {
            Ok(())
        } else {
            Err(Refusal::OriginNotAllowed(text))
        }
    }

    fn check_token(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let Some(token) = &self.token else {
            return Ok(());
        };
        let presented = headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, credentials)| credentials.trim())
            .ok_or(Refusal::MissingToken)?;
        if token.matches(presented.as_bytes()) {
            Ok(())
        } else {
            Err(Refusal::WrongToken)
        }
    }

    fn admits(&self, host: &str, port: Option<u16>) -> bool {
        let host = normalize(host);
        self.allowed_hosts.iter().any(|h| h.admits(&host, port))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn guard(extra: &[&str], token: Option<&str>) -> Guard {
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        let token = token.map(|t| ClientToken::new(t).unwrap());
        Guard::new("0.0.0.0:8000".parse().unwrap(), &extra, token).unwrap()
    }

    fn check(guard: &Guard, pairs: &[(&'static str, &str)]) -> Result<(), Refusal> {
        guard.check(&Uri::from_static("/mcp"), &headers(pairs))
    }

    #[test]
    fn the_token_comparison_accepts_only_the_exact_token() {
        let token = ClientToken::new("s3cret-token").unwrap();
        assert!(token.matches(b"s3cret-token"));
        for wrong in [
            &b""[..],
            b"s3cret-tokeN",
            b"s3cret-toke",
            b"s3cret-token2",
            b"x",
        ] {
            assert!(!token.matches(wrong), "{wrong:?}");
        }
        assert_eq!(format!("{token:?}"), "ClientToken(***)");
        assert!(ClientToken::new("  ").is_err());
        assert!(ClientToken::new("two words").is_err());
    }

    #[test]
    fn hosts_are_loopback_and_the_operators_list() {
        let guard = guard(&["mcp.example.com", "Other.Example:8443"], None);
        for host in [
            "localhost:8000",
            "127.0.0.1",
            "[::1]:8000",
            "MCP.example.com",
            "other.example:8443",
        ] {
            assert_eq!(check(&guard, &[("host", host)]), Ok(()), "{host}");
        }
        for host in ["evil.example", "other.example:9999", "10.0.0.1:8000"] {
            assert!(
                matches!(
                    check(&guard, &[("host", host)]),
                    Err(Refusal::HostNotAllowed(_))
                ),
                "{host}"
            );
        }
        assert_eq!(check(&guard, &[]), Err(Refusal::BadHost));
        assert_eq!(
            check(&guard, &[("host", "localhost"), ("host", "evil.example")]),
            Err(Refusal::BadHost)
        );
        let absolute = Uri::from_static("http://evil.example/mcp");
        let refused = guard.check(&absolute, &headers(&[("host", "localhost")]));
        assert!(matches!(refused, Err(Refusal::HostNotAllowed(_))));
    }

    #[test]
    fn the_start_up_message_names_the_hosts_and_whether_a_token_is_needed() {
        let open = guard(&["mcp.example.com", "other.example:8443"], None);
        assert!(!open.requires_token());
        let hosts = open.hosts();
        for expected in [
            "localhost",
            "127.0.0.1",
            "mcp.example.com",
            "other.example:8443",
        ] {
            assert!(
                hosts.iter().any(|h| h == expected),
                "{expected} in {hosts:?}"
            );
        }
        assert!(guard(&[], Some("t0ken")).requires_token());
    }

    #[test]
    fn each_refusal_is_its_status_with_a_reason_and_the_bearer_challenge_when_it_is_the_token() {
        let cases = [
            (Refusal::BadHost, StatusCode::BAD_REQUEST, None),
            (
                Refusal::HostNotAllowed("evil.example".into()),
                StatusCode::FORBIDDEN,
                None,
            ),
            (
                Refusal::OriginNotAllowed("null".into()),
                StatusCode::FORBIDDEN,
                None,
            ),
            (
                Refusal::MissingToken,
                StatusCode::UNAUTHORIZED,
                Some("Bearer realm=\"sentry-companion\""),
            ),
            (
                Refusal::WrongToken,
                StatusCode::UNAUTHORIZED,
                Some("Bearer realm=\"sentry-companion\", error=\"invalid_token\""),
            ),
        ];
        for (refusal, status, challenge) in cases {
            let response = refusal.clone().into_response();
            assert_eq!(response.status(), status, "{refusal:?}");
            let header = response.headers().get(WWW_AUTHENTICATE);
            assert_eq!(
                header.map(|h| h.to_str().unwrap()),
                challenge,
                "{refusal:?}"
            );
        }
    }

    #[test]
    fn a_specific_listen_address_is_a_host_too() {
        let guard = Guard::new("10.1.2.3:8000".parse().unwrap(), &[], None).unwrap();
        assert_eq!(check(&guard, &[("host", "10.1.2.3:8000")]), Ok(()));
    }

    #[test]
    fn origins_must_be_pages_on_an_allowed_host() {
        let guard = guard(&["app.example.com:443"], None);
        for origin in [
            "http://localhost:6274",
            "https://app.example.com",
            "http://127.0.0.1",
        ] {
            let pairs = [("host", "localhost"), ("origin", origin)];
            assert_eq!(check(&guard, &pairs), Ok(()), "{origin}");
        }
        for origin in [
            "http://evil.example",
            "null",
            "https://app.example.com:8443",
            "file://localhost",
            "http://localhost.evil.example",
            "garbage",
        ] {
            let pairs = [("host", "localhost"), ("origin", origin)];
            assert!(
                matches!(check(&guard, &pairs), Err(Refusal::OriginNotAllowed(_))),
                "{origin}"
            );
        }
    }

    #[test]
    fn the_bearer_token_is_checked_after_host_and_origin() {
        let guard = guard(&[], Some("t0ken"));
        let host = ("host", "localhost");
        assert_eq!(check(&guard, &[host]), Err(Refusal::MissingToken));
        assert_eq!(
            check(&guard, &[host, ("authorization", "Basic t0ken")]),
            Err(Refusal::MissingToken)
        );
        assert_eq!(
            check(&guard, &[host, ("authorization", "Bearer t0ken!")]),
            Err(Refusal::WrongToken)
        );
        assert_eq!(
            check(&guard, &[host, ("authorization", "bearer t0ken")]),
            Ok(())
        );
        assert!(matches!(
            check(
                &guard,
                &[("host", "evil.example"), ("authorization", "Bearer t0ken")]
            ),
            Err(Refusal::HostNotAllowed(_))
        ));
    }

    #[test]
    fn bad_allowed_hosts_are_refused_with_an_example() {
        let error = Guard::new(
            "127.0.0.1:0".parse().unwrap(),
            &["https://x.example/".into()],
            None,
        )
        .unwrap_err();
        assert!(error.contains("e.g. mcp.example.com"), "{error}");
    }
}
