//! Configuration: flags beat environment (and `.env`) beat `.sentryclirc` beat what an org token carries.

mod dotenv;
mod files;
mod rcfile;

use crate::output::OutputFormat;
use crate::sentry::log::{self, Level};
use crate::sentry::redact::strip_url_credentials;
use crate::sentry::{AuthToken, ClientConfig, ProxyConfig};
use crate::text::split_list;
use dotenv::DotEnv;
use rcfile::RcFiles;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use url::Url;

/// The default Sentry server.
pub const DEFAULT_URL: &str = "https://sentry.io";

/// Values given on the command line (highest precedence).
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `--auth-token`.
    pub auth_token: Option<AuthToken>,
    /// `--url`.
    pub url: Option<String>,
    /// `--org`.
    pub org: Option<String>,
    /// `--project` (repeatable, comma separated).
    pub projects: Vec<String>,
    /// `--output`.
    pub output: Option<OutputFormat>,
    /// `--log-level`.
    pub log_level: Option<Level>,
    /// `--header 'Name: value'` (repeatable).
    pub headers: Vec<String>,
    /// `--allow-failure`.
    pub allow_failure: bool,
}

/// Where configuration is read from besides flags: environment variables and the file system.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Environment variables.
    pub env: HashMap<String, String>,
    /// The directory to start the `.sentryclirc` (and `.env`) search from.
    pub cwd: PathBuf,
    /// The home directory, for `~/.sentryclirc`.
    pub home: Option<PathBuf>,
}

impl Sources {
    /// The process's environment, working directory and home.
    pub fn from_process() -> Self {
        Self {
            env: std::env::vars().collect(),
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            home: std::env::var_os("HOME").map(PathBuf::from),
        }
    }
}

/// The settled configuration every command runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// The auth token, if any (only Sentry calls need it).
    pub token: Option<AuthToken>,
    /// The server's base URL (never with credentials).
    pub base_url: Url,
    /// The default organization slug.
    pub org: Option<String>,
    /// The default project slugs.
    pub projects: Vec<String>,
    /// Output format.
    pub output: OutputFormat,
    /// How much goes to stderr (`--log-level`, `SENTRY_LOG_LEVEL`, `[log] level`).
    pub log_level: Level,
    /// The git remote naming the repository (`SENTRY_VCS_REMOTE`, `[defaults] vcs_remote`); `None` = `origin`.
    pub vcs_remote: Option<String>,
    /// A failed `release create|finalize|deploy` warns and exits 0 (`--allow-failure`, `SENTRY_ALLOW_FAILURE`).
    pub allow_failure: bool,
    /// How requests reach Sentry.
    pub http: HttpSettings,
    /// What the settling found worth saying: warnings, and where each value came from.
    pub notes: Notes,
}

/// How requests reach Sentry: headers, user agent, proxy, TLS, retries.
#[derive(Clone)]
pub struct HttpSettings {
    /// Extra headers (`--header`, `CUSTOM_HEADER`, `[defaults] custom_header`).
    pub headers: Vec<(String, String)>,
    /// The User-Agent suffix (`SENTRY_PIPELINE`, `[defaults] pipeline`).
    pub pipeline: Option<String>,
    /// The proxy (`HTTPS_PROXY` and friends, else `[http] proxy_url`), `None` for a direct connection.
    pub proxy: Option<ProxyConfig>,
    /// Whether TLS certificates are checked (`[http] verify_ssl`).
    pub verify_tls: bool,
    /// Retries after the first attempt (`SENTRY_HTTP_MAX_RETRIES`, `[http] max_retries`).
    pub max_retries: Option<u32>,
}

impl std::fmt::Debug for HttpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Header values may be credentials (e.g. an access-proxy secret): names only.
        let header_names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("HttpSettings")
            .field("headers", &header_names)
            .field("pipeline", &self.pipeline)
            .field("proxy", &self.proxy)
            .field("verify_tls", &self.verify_tls)
            .field("max_retries", &self.max_retries)
            .finish()
    }
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            headers: Vec::new(),
            pipeline: None,
            proxy: None,
            verify_tls: true,
            max_retries: None,
        }
    }
}

/// Messages from settling the configuration, printed by [`Config::report`] once the log level is known.
#[derive(Debug, Clone, Default)]
pub struct Notes {
    /// Things the user should fix or know (unsupported keys, duplicates, insecure settings).
    pub warnings: Vec<String>,
    /// Which flag, variable or file line set each value (printed at `--log-level debug`).
    pub origins: Vec<String>,
}

/// A configuration value that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The base URL does not parse or is not http(s).
    #[error(
        "invalid Sentry URL {value:?} (from {source_name}): {reason}. Use a full URL such as https://sentry.io or https://sentry.example.com"
    )]
    InvalidUrl {
        /// The value given, without credentials.
        value: String,
        /// Where it came from.
        source_name: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// SENTRY_COMPANION_OUTPUT holds something other than text/json.
    #[error("invalid SENTRY_COMPANION_OUTPUT {0:?}: use text or json")]
    InvalidOutput(String),
    /// A configuration file could not be read.
    #[error("cannot read {path}: {reason}")]
    Unreadable {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// Another setting has a value that cannot be used.
    #[error("invalid {name} (from {origin}): {reason}")]
    InvalidSetting {
        /// The setting.
        name: &'static str,
        /// Where it came from.
        origin: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
}

/// A setting's value and where it came from.
#[derive(Debug, Clone)]
struct Found {
    value: String,
    origin: String,
    /// It came from a file found by searching (not named by the user): it may belong to someone else.
    discovered: bool,
}

impl Found {
    fn flag(value: Option<String>, flag: &str) -> Option<Self> {
        value.filter(|v| !v.trim().is_empty()).map(|value| Self {
            value,
            origin: flag.to_owned(),
            discovered: false,
        })
    }
}

/// The layers below the flags: the environment (with `.env`), then `.sentryclirc`.
struct Layers<'a> {
    env: &'a HashMap<String, String>,
    dotenv: DotEnv,
    rc: RcFiles,
}

impl Layers<'_> {
    /// A variable from the environment, else from `.env`.
    fn env(&self, name: &str) -> Option<Found> {
        let non_empty = |v: &String| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        if let Some(value) = self.env.get(name).and_then(non_empty) {
            return Some(Found {
                value,
                origin: name.to_owned(),
                discovered: false,
            });
        }
        let value = self.dotenv.vars.get(name).and_then(non_empty)?;
        let file = self.dotenv.path.as_deref().unwrap_or(Path::new(".env"));
        Some(Found {
            value,
            origin: format!("{name} in {}", file.display()),
            discovered: !self.env.contains_key("SENTRY_DOTENV_PATH"),
        })
    }

    /// `[section] key` from `.sentryclirc`.
    fn rc(&self, section: &str, key: &str) -> Option<Found> {
        self.rc.get(section, key).map(|found| Found {
            value: found.value.trim().to_owned(),
            origin: format!("[{section}] {key} in {}", found.origin()),
            discovered: true,
        })
    }

    fn env_or_rc(&self, name: &str, section: &str, key: &str) -> Option<Found> {
        self.env(name).or_else(|| self.rc(section, key))
    }
}

impl Config {
    /// Settles the configuration from flags, then environment (and `.env`), then `.sentryclirc`, then the
    /// org token.
    pub fn resolve(flags: &Flags, sources: &Sources) -> Result<Self, ConfigError> {
        let dotenv = dotenv::load(&sources.env, &sources.cwd).map_err(|reason| {
            ConfigError::InvalidSetting {
                name: ".env file",
                origin: "SENTRY_DOTENV_PATH".into(),
                reason,
            }
        })?;
        let rc = RcFiles::discover(&sources.cwd, sources.home.as_deref()).map_err(|e| {
            ConfigError::Unreadable {
                path: e.path.display().to_string(),
                reason: e.reason,
            }
        })?;
        let layers = Layers {
            env: &sources.env,
            dotenv,
            rc,
        };
        let mut notes = Notes::default();
        notes
            .warnings
            .extend(layers.dotenv.warnings.iter().cloned());
        notes.warnings.extend(layers.rc.warnings.iter().cloned());
        note_files(&layers, &mut notes);
        warn_unsupported(&layers, &mut notes);

        let token = Found::flag(
            flags.auth_token.as_ref().map(|t| t.expose().to_owned()),
            "--auth-token",
        )
        .or_else(|| layers.env("SENTRY_AUTH_TOKEN"))
        .or_else(|| layers.rc("auth", "token"));
        if let Some(found) = &token {
            notes
                .origins
                .push(format!("auth token from {}", found.origin));
        }
        let token = token.map(|found| AuthToken::new(found.value));
        let claims = token.as_ref().and_then(AuthToken::org_token_claims);
        let from_token = |value: Option<String>| {
            value.map(|value| Found {
                value,
                origin: "the org auth token".into(),
                discovered: false,
            })
        };

        let url = Found::flag(flags.url.clone(), "--url")
            .or_else(|| layers.env_or_rc("SENTRY_URL", "defaults", "url"))
            .or_else(|| from_token(claims.as_ref().and_then(|c| c.url.clone())));
        let base_url = settle_base_url(url, token.is_some(), &mut notes)?;

        let org = Found::flag(flags.org.clone(), "--org")
            .or_else(|| layers.env_or_rc("SENTRY_ORG", "defaults", "org"))
            .or_else(|| from_token(claims.as_ref().and_then(|c| c.org.clone())));
        let org = noted(org, "org", &mut notes);

        let projects = if !flags.projects.is_empty() {
            notes.origins.push("projects from --project".into());
            split_list(&flags.projects)
        } else {
            let found = layers.env_or_rc("SENTRY_PROJECT", "defaults", "project");
            split_list(noted(found, "projects", &mut notes).as_slice())
        };

        let output = match flags.output {
            Some(output) => output,
            None => match layers
                .env("SENTRY_COMPANION_OUTPUT")
                .map(|f| f.value)
                .as_deref()
            {
                None => OutputFormat::Text,
                Some(v) if v.eq_ignore_ascii_case("text") => OutputFormat::Text,
                Some(v) if v.eq_ignore_ascii_case("json") => OutputFormat::Json,
                Some(other) => return Err(ConfigError::InvalidOutput(other.to_owned())),
            },
        };

        let log_level = settle_log_level(flags, &layers, &mut notes)?;
        let vcs_remote = noted(
            layers.env_or_rc("SENTRY_VCS_REMOTE", "defaults", "vcs_remote"),
            "vcs_remote",
            &mut notes,
        );
        let http = settle_http(flags, &layers, &base_url, &mut notes)?;
        let allow_failure = flags.allow_failure
            || layers
                .env("SENTRY_ALLOW_FAILURE")
                .is_some_and(|found| is_truthy(&found.value));

        Ok(Self {
            token,
            base_url,
            org,
            projects,
            output,
            log_level,
            vcs_remote,
            allow_failure,
            http,
            notes,
        })
    }

    /// The Sentry client settings this configuration describes.
    pub fn client_config(&self) -> ClientConfig {
        let mut config = ClientConfig::new(self.base_url.clone(), self.token.clone());
        config.user_agent_suffix = self.http.pipeline.clone();
        config.headers = self.http.headers.clone();
        config.proxy = self.http.proxy.clone();
        config.verify_tls = self.http.verify_tls;
        if let Some(retries) = self.http.max_retries {
            config.retry.max_attempts = retries.saturating_add(1);
        }
        config
    }

    /// Prints the warnings, and at `--log-level debug` where each value came from (never a secret).
    pub fn report(&self) {
        for warning in &self.notes.warnings {
            log::warn(warning);
        }
        for origin in &self.notes.origins {
            log::debug(|| origin.clone());
        }
    }
}

/// Records where a plain value came from and returns it.
fn noted(found: Option<Found>, name: &str, notes: &mut Notes) -> Option<String> {
    let found = found?;
    notes
        .origins
        .push(format!("{name} = {} (from {})", found.value, found.origin));
    Some(found.value)
}

fn note_files(layers: &Layers<'_>, notes: &mut Notes) {
    for file in &layers.rc.files {
        notes.origins.push(format!("read {}", file.display()));
    }
    if let Some(path) = &layers.dotenv.path {
        notes.origins.push(format!(
            "read {} ({} variables; the environment wins over it)",
            path.display(),
            layers.dotenv.vars.len()
        ));
    }
}

/// sentry-cli treats any set `SENTRY_ALLOW_FAILURE` as on; an explicit "off" value is honoured.
fn is_truthy(value: &str) -> bool {
    !matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "0" | "false" | "no" | "off"
    )
}

/// Names what is read but not supported, so nothing is ignored in silence.
fn warn_unsupported(layers: &Layers<'_>, notes: &mut Notes) {
    if let Some(found) = layers.env("SENTRY_API_KEY") {
        notes.warnings.push(format!(
            "{} is not supported (legacy API keys): create an auth token and set SENTRY_AUTH_TOKEN",
            found.origin
        ));
    }
    if let Some(found) = layers.env("SENTRY_PROPERTIES") {
        notes.warnings.push(format!(
            "{} is not supported: put the settings in .sentryclirc or environment variables",
            found.origin
        ));
    }
    for name in ["SSL_CERT_FILE", "SSL_CERT_DIR"] {
        if !layers.env.contains_key(name) && layers.dotenv.vars.contains_key(name) {
            notes.warnings.push(format!(
                "{name} from {} is not applied: certificates are loaded from the real environment; export it instead",
                layers.dotenv.path.as_deref().unwrap_or(Path::new(".env")).display()
            ));
        }
    }
}

fn settle_base_url(
    found: Option<Found>,
    has_token: bool,
    notes: &mut Notes,
) -> Result<Url, ConfigError> {
    let (found, source_name) = match found {
        Some(found) => {
            let source_name = source_name_of(&found.origin);
            (found, source_name)
        }
        None => (
            Found {
                value: DEFAULT_URL.to_owned(),
                origin: "the default".into(),
                discovered: false,
            },
            "the default",
        ),
    };
    let mut url = parse_base_url(&found.value, source_name)?;
    if !url.username().is_empty() || url.password().is_some() {
        let _ = url.set_username("");
        let _ = url.set_password(None);
        notes.warnings.push(format!(
            "the user name and password in the Sentry URL (from {}) are not used: Sentry authenticates with the token; remove them",
            found.origin
        ));
    }
    notes
        .origins
        .push(format!("url = {url} (from {})", found.origin));
    if found.discovered && has_token && url.scheme() == "http" && !is_loopback(&url) {
        notes.warnings.push(format!(
            "{} points Sentry at {url}: plain HTTP to another machine, so the auth token would cross the network unencrypted. Use https://, or set SENTRY_URL yourself if this is intended",
            found.origin
        ));
    }
    Ok(url)
}

/// The short source name an invalid URL error states.
fn source_name_of(origin: &str) -> &'static str {
    match origin {
        "--url" => "--url",
        "SENTRY_URL" => "SENTRY_URL",
        "the org auth token" => "the org auth token",
        o if o.starts_with("SENTRY_URL in ") => ".env",
        _ => ".sentryclirc",
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn settle_log_level(
    flags: &Flags,
    layers: &Layers<'_>,
    notes: &mut Notes,
) -> Result<Level, ConfigError> {
    if let Some(level) = flags.log_level {
        return Ok(level);
    }
    let Some(found) = layers.env_or_rc("SENTRY_LOG_LEVEL", "log", "level") else {
        return Ok(Level::default());
    };
    let level = found
        .value
        .parse::<Level>()
        .map_err(|reason| ConfigError::InvalidSetting {
            name: "log level",
            origin: found.origin.clone(),
            reason,
        })?;
    notes.origins.push(format!(
        "log level = {} (from {})",
        level.name(),
        found.origin
    ));
    Ok(level)
}

fn settle_http(
    flags: &Flags,
    layers: &Layers<'_>,
    base_url: &Url,
    notes: &mut Notes,
) -> Result<HttpSettings, ConfigError> {
    let headers = settle_headers(flags, layers, notes)?;
    let pipeline = noted(
        layers.env_or_rc("SENTRY_PIPELINE", "defaults", "pipeline"),
        "pipeline (User-Agent suffix)",
        notes,
    );
    let verify_tls = match layers.rc("http", "verify_ssl") {
        None => true,
        Some(found) => {
            let verify = parse_bool(&found.value).ok_or_else(|| ConfigError::InvalidSetting {
                name: "verify_ssl",
                origin: found.origin.clone(),
                reason: format!("{:?} is not true or false", found.value),
            })?;
            if !verify {
                notes.warnings.push(format!(
                    "TLS certificates are not checked ({}): anyone between here and Sentry can read the auth token",
                    found.origin
                ));
            }
            verify
        }
    };
    let max_retries = match layers.env_or_rc("SENTRY_HTTP_MAX_RETRIES", "http", "max_retries") {
        None => None,
        Some(found) => Some(
            found
                .value
                .parse::<u32>()
                .ok()
                .filter(|n| *n <= 100)
                .ok_or_else(|| ConfigError::InvalidSetting {
                    name: "max_retries",
                    origin: found.origin.clone(),
                    reason: format!("{:?} is not a number from 0 to 100", found.value),
                })?,
        ),
    };
    if let Some(retries) = max_retries {
        notes.origins.push(format!("max_retries = {retries}"));
    }
    let proxy = settle_proxy(layers, base_url, notes)?;
    Ok(HttpSettings {
        headers,
        pipeline,
        proxy,
        verify_tls,
        max_retries,
    })
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// `--header` values, else `CUSTOM_HEADER`, else `[defaults] custom_header`, each `Name: value`.
fn settle_headers(
    flags: &Flags,
    layers: &Layers<'_>,
    notes: &mut Notes,
) -> Result<Vec<(String, String)>, ConfigError> {
    let given: Vec<Found> = if flags.headers.is_empty() {
        layers
            .env_or_rc("CUSTOM_HEADER", "defaults", "custom_header")
            .into_iter()
            .collect()
    } else {
        flags
            .headers
            .iter()
            .filter_map(|h| Found::flag(Some(h.clone()), "--header"))
            .collect()
    };
    given
        .into_iter()
        .map(|found| {
            let header =
                parse_header(&found.value).map_err(|reason| ConfigError::InvalidSetting {
                    name: "header",
                    origin: found.origin.clone(),
                    reason,
                })?;
            notes
                .origins
                .push(format!("header {} (from {})", header.0, found.origin));
            Ok(header)
        })
        .collect()
}

/// Splits `Name: value`, refusing what cannot be sent or would replace the token.
fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| "write it as 'Name: value'".to_owned())?;
    let name = name.trim();
    let valid_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c));
    if !valid_name {
        return Err(format!(
            "{name:?} is not a header name (letters, digits and - only, before the ':')"
        ));
    }
    if name.eq_ignore_ascii_case("authorization") {
        return Err(
            "it would replace the token's Authorization header; pass the token with --auth-token or SENTRY_AUTH_TOKEN"
                .into(),
        );
    }
    let value = value.trim();
    if value.chars().any(|c| c.is_control()) {
        return Err("the value holds a control character (a line break?)".into());
    }
    Ok((name.to_owned(), value.to_owned()))
}

/// The proxy for the Sentry URL's scheme: the environment's (curl's variables) beats `[http] proxy_url`.
fn settle_proxy(
    layers: &Layers<'_>,
    base_url: &Url,
    notes: &mut Notes,
) -> Result<Option<ProxyConfig>, ConfigError> {
    // Uppercase HTTP_PROXY is ignored under CGI, where a client's `Proxy:` header lands in it ("httpoxy").
    let cgi = layers.env.contains_key("REQUEST_METHOD");
    let names: &[&str] = match base_url.scheme() {
        "https" => &["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"],
        _ if cgi => &["http_proxy", "ALL_PROXY", "all_proxy"],
        _ => &["http_proxy", "HTTP_PROXY", "ALL_PROXY", "all_proxy"],
    };
    let Some(found) = names
        .iter()
        .find_map(|name| layers.env(name))
        .or_else(|| layers.rc("http", "proxy_url"))
    else {
        return Ok(None);
    };
    let text = if found.value.contains("://") {
        found.value.clone()
    } else {
        format!("http://{}", found.value)
    };
    let invalid = |reason: String| ConfigError::InvalidSetting {
        name: "proxy URL",
        origin: found.origin.clone(),
        reason,
    };
    let url = Url::parse(&text).map_err(|e| invalid(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https" | "socks5" | "socks5h") || url.host().is_none() {
        return Err(invalid(
            "use a proxy URL such as http://proxy.example.com:3128".into(),
        ));
    }
    let (username, password) = if url.username().is_empty() {
        (
            layers.rc("http", "proxy_username").map(|f| f.value),
            layers.rc("http", "proxy_password").map(|f| f.value),
        )
    } else {
        (None, None)
    };
    let no_proxy = ["NO_PROXY", "no_proxy"]
        .iter()
        .find_map(|name| layers.env(name))
        .map(|f| f.value);
    notes.origins.push(format!(
        "proxy = {} (from {}){}",
        strip_url_credentials(url.as_str()),
        found.origin,
        no_proxy
            .as_deref()
            .map(|n| format!(", not for NO_PROXY={n}"))
            .unwrap_or_default()
    ));
    Ok(Some(ProxyConfig {
        url,
        username,
        password,
        no_proxy,
    }))
}

fn parse_base_url(value: &str, source_name: &'static str) -> Result<Url, ConfigError> {
    let invalid = |reason: String| ConfigError::InvalidUrl {
        value: strip_url_credentials(value),
        source_name,
        reason,
    };
    let url = Url::parse(value.trim()).map_err(|e| invalid(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("only http and https are supported".into()));
    }
    if url.host_str().is_none() {
        return Err(invalid("it has no host".into()));
    }
    // "https://sentry.io/api/0/" is a common slip: the API root is added by the client.
    let path = url.path().trim_end_matches('/');
    let path = path.strip_suffix("/api/0").unwrap_or(path).to_owned();
    let mut url = url;
    url.set_path(&path);
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn sources(env: &[(&str, &str)], cwd: &Path, home: Option<&Path>) -> Sources {
        Sources {
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            cwd: cwd.to_owned(),
            home: home.map(Path::to_owned),
        }
    }

    #[test]
    fn flags_beat_env_beat_rc_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".sentryclirc"),
            "[auth]\ntoken=from-file\n[defaults]\norg=file-org\nproject=file-proj\nurl=https://file.example\n",
        )
        .unwrap();
        let env = [
            ("SENTRY_ORG", "env-org"),
            ("SENTRY_URL", "https://env.example"),
        ];
        let flags = Flags {
            org: Some("flag-org".into()),
            ..Flags::default()
        };
        let config = Config::resolve(&flags, &sources(&env, dir.path(), None)).unwrap();
        assert_eq!(config.org.as_deref(), Some("flag-org"));
        assert_eq!(config.base_url.as_str(), "https://env.example/");
        assert_eq!(config.token.unwrap().expose(), "from-file");
        assert_eq!(config.projects, ["file-proj"]);
    }

    #[test]
    fn nearer_rc_files_win_and_home_is_last() {
        let home = tempfile::tempdir().unwrap();
        let repo = tempfile::tempdir().unwrap();
        let nested = repo.path().join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(
            home.path().join(".sentryclirc"),
            "[defaults]\norg=home-org\nproject=home-proj\n",
        )
        .unwrap();
        std::fs::write(
            repo.path().join(".sentryclirc"),
            "[defaults]\norg=repo-org\n",
        )
        .unwrap();
        let config =
            Config::resolve(&Flags::default(), &sources(&[], &nested, Some(home.path()))).unwrap();
        assert_eq!(config.org.as_deref(), Some("repo-org"));
        assert_eq!(config.projects, ["home-proj"]);
    }

    #[test]
    fn org_token_supplies_org_and_url_when_not_given() {
        let dir = tempfile::tempdir().unwrap();
        let payload = base64::engine::general_purpose::STANDARD
            .encode(r#"{"iat":1,"url":"https://sentry.example.com","region_url":"https://us.sentry.example.com","org":"token-org"}"#);
        let token = format!("sntrys_{payload}_secret");
        let env = [("SENTRY_AUTH_TOKEN", token.as_str())];
        let config = Config::resolve(&Flags::default(), &sources(&env, dir.path(), None)).unwrap();
        assert_eq!(config.org.as_deref(), Some("token-org"));
        assert_eq!(config.base_url.as_str(), "https://sentry.example.com/");

        let env = [
            ("SENTRY_AUTH_TOKEN", token.as_str()),
            ("SENTRY_ORG", "explicit"),
        ];
        let config = Config::resolve(&Flags::default(), &sources(&env, dir.path(), None)).unwrap();
        assert_eq!(config.org.as_deref(), Some("explicit"));
    }

    #[test]
    fn defaults_and_normalisation() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::resolve(&Flags::default(), &sources(&[], dir.path(), None)).unwrap();
        assert_eq!(config.base_url.as_str(), "https://sentry.io/");
        assert!(config.token.is_none());
        assert_eq!(config.output, OutputFormat::Text);

        let env = [
            ("SENTRY_URL", "http://127.0.0.1:9000/api/0/"),
            ("SENTRY_PROJECT", "web, api,web"),
        ];
        let config = Config::resolve(&Flags::default(), &sources(&env, dir.path(), None)).unwrap();
        assert_eq!(config.base_url.as_str(), "http://127.0.0.1:9000/");
        assert_eq!(config.projects, ["web", "api"]);
    }

    #[test]
    fn bad_values_say_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let env = [("SENTRY_URL", "sentry.io")];
        let err = Config::resolve(&Flags::default(), &sources(&env, dir.path(), None)).unwrap_err();
        assert!(err.to_string().contains("SENTRY_URL"), "{err}");
        let env = [("SENTRY_COMPANION_OUTPUT", "yaml")];
        let err = Config::resolve(&Flags::default(), &sources(&env, dir.path(), None)).unwrap_err();
        assert!(err.to_string().contains("text or json"), "{err}");
    }

    fn resolve_in(dir: &Path, env: &[(&str, &str)], rc: &str) -> Result<Config, ConfigError> {
        if !rc.is_empty() {
            std::fs::write(dir.join(".sentryclirc"), rc).unwrap();
        }
        Config::resolve(&Flags::default(), &sources(env, dir, None))
    }

    #[test]
    fn sentry_cli_settings_are_read_with_their_precedence() {
        let dir = tempfile::tempdir().unwrap();
        let rc = "[log]\nlevel=info\n[defaults]\nvcs_remote=upstream\npipeline=file-pipe\ncustom_header=X-From: file\n[http]\nmax_retries=2\n";
        let config = resolve_in(dir.path(), &[], rc).unwrap();
        assert_eq!(config.log_level, Level::Info);
        assert_eq!(config.vcs_remote.as_deref(), Some("upstream"));
        assert_eq!(config.http.pipeline.as_deref(), Some("file-pipe"));
        assert_eq!(config.http.headers, [("X-From".into(), "file".into())]);
        assert_eq!(config.client_config().retry.max_attempts, 3);

        let env = [
            ("SENTRY_LOG_LEVEL", "debug"),
            ("SENTRY_VCS_REMOTE", "fork"),
            ("CUSTOM_HEADER", "X-From: env"),
            ("SENTRY_HTTP_MAX_RETRIES", "0"),
        ];
        let config = resolve_in(dir.path(), &env, "").unwrap();
        assert_eq!(config.log_level, Level::Debug);
        assert_eq!(config.vcs_remote.as_deref(), Some("fork"));
        assert_eq!(config.http.headers[0].1, "env");
        assert_eq!(config.client_config().retry.max_attempts, 1);

        let flags = Flags {
            log_level: Some(Level::Error),
            headers: vec!["X-A: 1".into(), "X-B:2".into()],
            ..Flags::default()
        };
        let config = Config::resolve(&flags, &sources(&env, dir.path(), None)).unwrap();
        assert_eq!(config.log_level, Level::Error);
        assert_eq!(config.http.headers.len(), 2);
    }

    #[test]
    fn says_where_each_value_came_from() {
        let dir = tempfile::tempdir().unwrap();
        let env = [("SENTRY_AUTH_TOKEN", "sntryu_origin-test-token")];
        let config = resolve_in(dir.path(), &env, "[defaults]\norg=acme\n").unwrap();
        let origins = config.notes.origins.join("\n");
        assert!(
            origins.contains("org = acme (from [defaults] org in "),
            "{origins}"
        );
        assert!(origins.contains(".sentryclirc line 2)"), "{origins}");
        assert!(
            origins.contains("auth token from SENTRY_AUTH_TOKEN"),
            "{origins}"
        );
        assert!(!origins.contains("origin-test-token"), "{origins}");
    }

    #[test]
    fn bad_settings_are_errors_that_name_their_origin() {
        let dir = tempfile::tempdir().unwrap();
        let err = resolve_in(dir.path(), &[("SENTRY_LOG_LEVEL", "loud")], "").unwrap_err();
        assert!(err.to_string().contains("SENTRY_LOG_LEVEL"), "{err}");
        let err = resolve_in(dir.path(), &[("CUSTOM_HEADER", "no colon")], "").unwrap_err();
        assert!(err.to_string().contains("'Name: value'"), "{err}");
        let err = resolve_in(dir.path(), &[("CUSTOM_HEADER", "Authorization: x")], "").unwrap_err();
        assert!(err.to_string().contains("--auth-token"), "{err}");
        let err = resolve_in(dir.path(), &[], "[http]\nverify_ssl=maybe\n").unwrap_err();
        assert!(err.to_string().contains("verify_ssl"), "{err}");
        let err = resolve_in(dir.path(), &[], "[http]\nmax_retries=-1\n").unwrap_err();
        assert!(err.to_string().contains("0 to 100"), "{err}");
    }

    #[test]
    fn url_credentials_are_dropped_and_never_shown() {
        let dir = tempfile::tempdir().unwrap();
        let env = [("SENTRY_URL", "https://ann:url-secret@sentry.example.com")];
        let config = resolve_in(dir.path(), &env, "").unwrap();
        assert_eq!(config.base_url.as_str(), "https://sentry.example.com/");
        let all = format!("{:?}", config.notes);
        assert!(all.contains("are not used"), "{all}");
        assert!(!all.contains("url-secret"), "{all}");

        let env = [("SENTRY_URL", "https://ann:url-secret@:0")];
        let err = resolve_in(dir.path(), &env, "").unwrap_err();
        assert!(!err.to_string().contains("url-secret"), "{err}");
    }

    #[test]
    fn a_discovered_file_sending_the_token_over_plain_http_is_warned_about() {
        let dir = tempfile::tempdir().unwrap();
        let env = [("SENTRY_AUTH_TOKEN", "sntryu_x")];
        let config = resolve_in(
            dir.path(),
            &env,
            "[defaults]\nurl=http://sentry.example.com\n",
        )
        .unwrap();
        assert!(
            config
                .notes
                .warnings
                .iter()
                .any(|w| w.contains("unencrypted")),
            "{:?}",
            config.notes.warnings
        );
        let config =
            resolve_in(dir.path(), &env, "[defaults]\nurl=http://127.0.0.1:9000\n").unwrap();
        assert!(
            config.notes.warnings.is_empty(),
            "{:?}",
            config.notes.warnings
        );
        let env = [
            ("SENTRY_AUTH_TOKEN", "sntryu_x"),
            ("SENTRY_URL", "http://sentry.example.com"),
        ];
        let config = resolve_in(dir.path(), &env, "").unwrap();
        assert!(
            config.notes.warnings.is_empty(),
            "{:?}",
            config.notes.warnings
        );
    }

    #[test]
    fn unsupported_settings_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let env = [
            ("SENTRY_API_KEY", "legacy"),
            ("SENTRY_PROPERTIES", "x.properties"),
        ];
        let config = resolve_in(dir.path(), &env, "[http]\nkeepalive=true\n").unwrap();
        let all = config.notes.warnings.join("\n");
        for name in ["SENTRY_API_KEY", "SENTRY_PROPERTIES", "[http] keepalive"] {
            assert!(all.contains(name), "{name} not in {all}");
        }
    }

    #[test]
    fn dotenv_supplies_what_the_environment_does_not() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".env"),
            "SENTRY_ORG=dotenv-org\nSENTRY_PROJECT=dotenv-proj\nSSL_CERT_FILE=/x.pem\n",
        )
        .unwrap();
        let env = [("SENTRY_ORG", "env-org")];
        let config = resolve_in(dir.path(), &env, "").unwrap();
        assert_eq!(config.org.as_deref(), Some("env-org"));
        assert_eq!(config.projects, ["dotenv-proj"]);
        assert!(
            config
                .notes
                .warnings
                .iter()
                .any(|w| w.contains("SSL_CERT_FILE")),
            "{:?}",
            config.notes.warnings
        );
        let env = [("SENTRY_LOAD_DOTENV", "0")];
        assert!(
            resolve_in(dir.path(), &env, "")
                .unwrap()
                .projects
                .is_empty()
        );
    }

    #[test]
    fn the_proxy_comes_from_the_environment_then_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let rc = "[http]\nproxy_url=proxy.internal:3128\nproxy_username=ann\nproxy_password=pw\n";
        let config = resolve_in(dir.path(), &[], rc).unwrap();
        let proxy = config.http.proxy.unwrap();
        assert_eq!(proxy.url.as_str(), "http://proxy.internal:3128/");
        assert_eq!(proxy.username.as_deref(), Some("ann"));
        assert_eq!(proxy.password.as_deref(), Some("pw"));

        let env = [
            ("HTTPS_PROXY", "http://env-proxy:8080"),
            ("HTTP_PROXY", "http://plain-only:8080"),
            ("NO_PROXY", "internal.example"),
        ];
        let config = resolve_in(dir.path(), &env, "").unwrap();
        let proxy = config.http.proxy.unwrap();
        assert_eq!(proxy.url.host_str(), Some("env-proxy"));
        // The file's credentials go with whichever proxy is used, as in sentry-cli.
        assert_eq!(proxy.username.as_deref(), Some("ann"));
        assert_eq!(proxy.no_proxy.as_deref(), Some("internal.example"));

        let env = [
            ("SENTRY_URL", "http://sentry.internal"),
            ("HTTP_PROXY", "http://plain:1"),
            ("REQUEST_METHOD", "GET"),
        ];
        assert!(
            resolve_in(dir.path(), &env, "[http]\n")
                .unwrap()
                .http
                .proxy
                .is_none()
        );
    }

    #[test]
    fn turning_certificate_checks_off_is_warned_about() {
        let dir = tempfile::tempdir().unwrap();
        let config = resolve_in(dir.path(), &[], "[http]\nverify_ssl=false\n").unwrap();
        assert!(!config.http.verify_tls);
        assert!(!config.client_config().verify_tls);
        assert!(
            config.notes.warnings[0].contains("not checked"),
            "{:?}",
            config.notes.warnings
        );
    }
}
