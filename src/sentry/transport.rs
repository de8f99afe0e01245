//! How requests travel: the HTTP client (proxy, TLS, headers, user agent), capped answer reads, and
//! what a failed send means for repeating it.

use super::error::ApiError;
use super::retry::Failure;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;
use url::Url;

/// How long connecting (TCP and TLS) may take before the attempt counts as not sent.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The proxy Sentry is reached through.
#[derive(Clone)]
pub struct ProxyConfig {
    /// The proxy's URL (`http://host:port`; credentials in it are used).
    pub url: Url,
    /// `[http] proxy_username`.
    pub username: Option<String>,
    /// `[http] proxy_password`.
    pub password: Option<String>,
    /// Hosts reached directly (`NO_PROXY` syntax).
    pub no_proxy: Option<String>,
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyConfig")
            .field(
                "url",
                &super::redact::strip_url_credentials(self.url.as_str()),
            )
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// What shapes the HTTP client itself.
pub struct TransportSettings<'a> {
    /// Appended to `sentry-companion/VERSION` in the User-Agent (`SENTRY_PIPELINE`).
    pub user_agent_suffix: Option<&'a str>,
    /// Extra headers on every request.
    pub headers: &'a [(String, String)],
    /// The proxy, if any; without one Sentry is reached directly.
    pub proxy: Option<&'a ProxyConfig>,
    /// Whether the server's TLS certificate is checked.
    pub verify_tls: bool,
}

/// The HTTP client's settings, checked but not yet built: building it loads the system's TLS
/// roots (about 7 MiB and a hundred files), which commands that never reach Sentry should not pay.
pub struct HttpRecipe {
    user_agent: String,
    headers: HeaderMap,
    proxy: Option<reqwest::Proxy>,
    verify_tls: bool,
}

impl HttpRecipe {
    /// Checks the settings (header names and values, the proxy URL) without building anything.
    pub fn prepare(settings: &TransportSettings<'_>) -> Result<Self, ApiError> {
        Ok(Self {
            user_agent: user_agent(settings.user_agent_suffix),
            headers: header_map(settings.headers)?,
            proxy: settings.proxy.map(reqwest_proxy).transpose()?,
            verify_tls: settings.verify_tls,
        })
    }

    /// Builds the HTTP client. Redirects are never followed here: the request path decides each one.
    pub fn build(&self) -> Result<reqwest::Client, ApiError> {
        // reqwest is built without a default crypto provider; ring is ours. A second install is a no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        // The proxy is settled by the configuration (environment and files alike), so reqwest's own
        // reading of the process environment is switched off.
        let mut builder = reqwest::Client::builder()
            .user_agent(self.user_agent.clone())
            .default_headers(self.headers.clone())
            .connect_timeout(CONNECT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy();
        if let Some(proxy) = &self.proxy {
            builder = builder.proxy(proxy.clone());
        }
        if !self.verify_tls {
            builder = builder.danger_accept_invalid_certs(true);
        }
        builder.build().map_err(|e| ApiError::Local {
            reason: format!("cannot start the HTTP client: {e}"),
        })
    }
}

/// `sentry-companion/VERSION`, plus the pipeline name when one is set.
pub fn user_agent(suffix: Option<&str>) -> String {
    let base = concat!("sentry-companion/", env!("CARGO_PKG_VERSION"));
    match suffix.map(str::trim).filter(|s| !s.is_empty()) {
        Some(suffix) => format!("{base} {suffix}"),
        None => base.to_owned(),
    }
}

fn header_map(headers: &[(String, String)]) -> Result<HeaderMap, ApiError> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let invalid = |what: &str| ApiError::Local {
            reason: format!("the header {name:?} has an invalid {what}"),
        };
        let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| invalid("name"))?;
        let mut value = HeaderValue::from_str(value.trim()).map_err(|_| invalid("value"))?;
        value.set_sensitive(true);
        map.append(name, value);
    }
    Ok(map)
}

fn reqwest_proxy(proxy: &ProxyConfig) -> Result<reqwest::Proxy, ApiError> {
    let mut built = reqwest::Proxy::all(proxy.url.as_str()).map_err(|e| ApiError::Local {
        reason: format!(
            "the proxy URL {} is not usable: {e}",
            super::redact::strip_url_credentials(proxy.url.as_str())
        ),
    })?;
    if let Some(username) = &proxy.username {
        built = built.basic_auth(username, proxy.password.as_deref().unwrap_or(""));
    }
    Ok(built.no_proxy(
        proxy
            .no_proxy
            .as_deref()
            .and_then(reqwest::NoProxy::from_string),
    ))
}

/// An answer's body, read up to a cap.
pub struct CappedBody {
    /// The bytes read.
    pub bytes: Vec<u8>,
    /// The answer was longer than the cap (the rest was not read).
    pub truncated: bool,
}

/// Reads at most `cap` bytes of the answer, stopping early when `Content-Length` already says it is longer.
pub async fn read_capped(
    mut response: reqwest::Response,
    cap: u64,
) -> Result<CappedBody, reqwest::Error> {
    if response.content_length().is_some_and(|length| length > cap) {
        return Ok(CappedBody {
            bytes: Vec::new(),
            truncated: true,
        });
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = usize::try_from(cap).unwrap_or(usize::MAX) - bytes.len();
        if chunk.len() > room {
            bytes.extend_from_slice(&chunk[..room]);
            return Ok(CappedBody {
                bytes,
                truncated: true,
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(CappedBody {
        bytes,
        truncated: false,
    })
}

/// What went wrong when a request was sent, as far as repeating it and telling the user are concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendFailure {
    /// The request could not be built; nothing was sent.
    Local(String),
    /// The server's certificate was refused.
    Certificate(String),
    /// The connection was never made.
    NotConnected(String),
    /// No answer within the time allowed; the request may have arrived.
    TimedOut,
    /// The connection broke after the request went out.
    Broken(String),
}

impl fmt::Display for SendFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Local(reason) => write!(f, "could not be built ({reason})"),
            Self::Certificate(problem) => write!(f, "certificate refused ({problem})"),
            Self::NotConnected(reason) => write!(f, "connection failed ({reason})"),
            Self::TimedOut => f.write_str("timed out"),
            Self::Broken(reason) => write!(f, "connection broke ({reason})"),
        }
    }
}

impl SendFailure {
    /// Classifies a reqwest error.
    pub fn of(error: &reqwest::Error) -> Self {
        if error.is_builder() {
            return Self::Local(root_cause(error));
        }
        if let Some(problem) = certificate_problem(error) {
            return Self::Certificate(problem);
        }
        if error.is_connect() {
            return Self::NotConnected(root_cause(error));
        }
        if error.is_timeout() {
            return Self::TimedOut;
        }
        Self::Broken(root_cause(error))
    }

    /// How retrying treats it.
    pub fn failure(&self) -> Failure {
        match self {
            Self::Local(_) | Self::Certificate(_) => Failure::Final,
            Self::NotConnected(_) => Failure::NotSent,
            Self::TimedOut | Self::Broken(_) => Failure::MaybeSent,
        }
    }
}

/// The innermost message of an error chain, which names the actual cause (e.g. "Connection refused").
fn root_cause(error: &(dyn StdError + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    let text = current.to_string();
    if text.is_empty() {
        error.to_string()
    } else {
        text
    }
}

/// What is wrong with the server's certificate, when that is why the connection failed.
fn certificate_problem(error: &(dyn StdError + 'static)) -> Option<String> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(rustls::Error::InvalidCertificate(problem)) =
            error.downcast_ref::<rustls::Error>()
        {
            return Some(describe_certificate_problem(problem));
        }
        current = match error.downcast_ref::<std::io::Error>() {
            // An io::Error's `source()` skips the error it wraps (TLS errors come wrapped twice): step into it.
            Some(io) => io.get_ref().map(|inner| inner as &(dyn StdError + 'static)),
            None => error.source(),
        };
    }
    None
}

fn describe_certificate_problem(problem: &rustls::CertificateError) -> String {
    use rustls::CertificateError as E;
    match problem {
        E::UnknownIssuer => {
            "it is signed by an issuer that is not trusted here (a self-signed certificate or a private CA)"
                .to_owned()
        }
        E::Expired | E::ExpiredContext { .. } => format!("it has expired ({problem})"),
        E::NotValidYet | E::NotValidYetContext { .. } => format!("it is not valid yet ({problem})"),
        E::NotValidForName | E::NotValidForNameContext { .. } => {
            format!("it is not valid for this host name ({problem})")
        }
        E::Revoked => "it has been revoked".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_takes_the_pipeline_suffix() {
        assert!(user_agent(None).starts_with("sentry-companion/"));
        assert!(user_agent(Some("github-actions/1.0")).ends_with(" github-actions/1.0"));
        assert_eq!(user_agent(Some("  ")), user_agent(None));
    }

    #[test]
    fn refuses_a_header_that_cannot_be_sent() {
        let headers = [("X Bad".to_owned(), "v".to_owned())];
        let err = header_map(&headers).unwrap_err();
        assert!(err.to_string().contains("invalid name"), "{err}");
        let headers = [("X-Ok".to_owned(), "line\nbreak".to_owned())];
        assert!(header_map(&headers).is_err());
    }

    #[test]
    fn finds_a_certificate_problem_inside_an_io_error() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let io = std::io::Error::other(std::io::Error::new(std::io::ErrorKind::InvalidData, tls));
        let problem = certificate_problem(&io).unwrap();
        assert!(problem.contains("self-signed"), "{problem}");
        assert_eq!(certificate_problem(&std::io::Error::other("plain")), None);
    }

    #[test]
    fn proxy_debug_hides_the_password() {
        let proxy = ProxyConfig {
            url: "http://ann:pw-in-url@proxy:3128".parse().unwrap(),
            username: Some("ann".into()),
            password: Some("proxy-secret".into()),
            no_proxy: None,
        };
        let shown = format!("{proxy:?}");
        assert!(
            !shown.contains("proxy-secret") && !shown.contains("pw-in-url"),
            "{shown}"
        );
    }
}
