//! Configuration: flags beat environment beat `.sentryclirc` beat what an org token carries.

use crate::output::OutputFormat;
use crate::sentry::AuthToken;
use crate::text::split_list;
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
}

/// Where configuration is read from besides flags: environment variables and the file system.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Environment variables.
    pub env: HashMap<String, String>,
    /// The directory to start the `.sentryclirc` search from.
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

    fn var(&self, name: &str) -> Option<String> {
        self.env
            .get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }
}

/// The settled configuration every command runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// The auth token, if any (only Sentry calls need it).
    pub token: Option<AuthToken>,
    /// The server's base URL.
    pub base_url: Url,
    /// The default organization slug.
    pub org: Option<String>,
    /// The default project slugs.
    pub projects: Vec<String>,
    /// Output format.
    pub output: OutputFormat,
}

/// A configuration value that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The base URL does not parse or is not http(s).
    #[error(
        "invalid Sentry URL {value:?} (from {source_name}): {reason}. Use a full URL such as https://sentry.io or https://sentry.example.com"
    )]
    InvalidUrl {
        /// The value given.
        value: String,
        /// Where it came from.
        source_name: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// SENTRY_COMPANION_OUTPUT holds something other than text/json.
    #[error("invalid SENTRY_COMPANION_OUTPUT {0:?}: use text or json")]
    InvalidOutput(String),
    /// A `.sentryclirc` file could not be read.
    #[error("cannot read {path}: {reason}")]
    Unreadable {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

impl Config {
    /// Settles the configuration from flags, then environment, then `.sentryclirc`, then the org token.
    pub fn resolve(flags: &Flags, sources: &Sources) -> Result<Self, ConfigError> {
        let rc = RcFile::discover(&sources.cwd, sources.home.as_deref())?;
        let token = flags
            .auth_token
            .clone()
            .or_else(|| sources.var("SENTRY_AUTH_TOKEN").map(AuthToken::new))
            .or_else(|| rc.get("auth", "token").map(AuthToken::new));
        let claims = token.as_ref().and_then(AuthToken::org_token_claims);
        let claim_url = claims.as_ref().and_then(|c| c.url.clone());
        let claim_org = claims.as_ref().and_then(|c| c.org.clone());

        let (url_value, url_source) = first_of([
            (flags.url.clone(), "--url"),
            (sources.var("SENTRY_URL"), "SENTRY_URL"),
            (rc.get("defaults", "url"), ".sentryclirc"),
            (claim_url, "the org auth token"),
        ])
        .unwrap_or_else(|| (DEFAULT_URL.to_owned(), "the default"));
        let base_url = parse_base_url(&url_value, url_source)?;

        let org = first_of([
            (flags.org.clone(), ""),
            (sources.var("SENTRY_ORG"), ""),
            (rc.get("defaults", "org"), ""),
            (claim_org, ""),
        ])
        .map(|(org, _)| org);

        let projects = if !flags.projects.is_empty() {
            split_list(&flags.projects)
        } else {
            let from_env = sources
                .var("SENTRY_PROJECT")
                .or_else(|| rc.get("defaults", "project"));
            split_list(from_env.as_slice())
        };

        let output = match (flags.output, sources.var("SENTRY_COMPANION_OUTPUT")) {
            (Some(output), _) => output,
            (None, None) => OutputFormat::Text,
            (None, Some(value)) => {
                OutputFormat::parse(&value).ok_or(ConfigError::InvalidOutput(value))?
            }
        };

        Ok(Self {
            token,
            base_url,
            org,
            projects,
            output,
        })
    }
}

fn first_of<const N: usize>(
    candidates: [(Option<String>, &'static str); N],
) -> Option<(String, &'static str)> {
    candidates
        .into_iter()
        .find_map(|(value, source)| value.filter(|v| !v.trim().is_empty()).map(|v| (v, source)))
}

fn parse_base_url(value: &str, source_name: &'static str) -> Result<Url, ConfigError> {
    let invalid = |reason: String| ConfigError::InvalidUrl {
        value: value.to_owned(),
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

/// The merged contents of the `.sentryclirc` files that apply.
#[derive(Debug, Default)]
struct RcFile {
    values: HashMap<(String, String), String>,
}

impl RcFile {
    /// Reads `.sentryclirc` from `cwd` up to the root, then `~/.sentryclirc`; nearer files win.
    fn discover(cwd: &Path, home: Option<&Path>) -> Result<Self, ConfigError> {
        let mut files: Vec<PathBuf> = cwd
            .ancestors()
            .map(|dir| dir.join(".sentryclirc"))
            .collect();
        if let Some(home) = home {
            files.push(home.join(".sentryclirc"));
        }
        let mut rc = RcFile::default();
        for file in files {
            let text = match std::fs::read_to_string(&file) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(_) if file.is_dir() => continue,
                Err(e) => {
                    return Err(ConfigError::Unreadable {
                        path: file.display().to_string(),
                        reason: e.to_string(),
                    });
                }
            };
            for (key, value) in parse_ini(&text) {
                rc.values.entry(key).or_insert(value);
            }
        }
        Ok(rc)
    }

    fn get(&self, section: &str, key: &str) -> Option<String> {
        self.values
            .get(&(section.to_owned(), key.to_owned()))
            .filter(|v| !v.is_empty())
            .cloned()
    }
}

/// Parses the INI subset sentry-cli writes: `[section]`, `key = value`, `#`/`;` comments.
fn parse_ini(text: &str) -> Vec<((String, String), String)> {
    let mut section = String::new();
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_ascii_lowercase();
        } else if let Some((key, value)) = line.split_once('=') {
            let value = value.trim().trim_matches('"').to_owned();
            out.push(((section.clone(), key.trim().to_ascii_lowercase()), value));
        }
    }
    out
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
}
