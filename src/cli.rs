//! Command-line definitions only; each subcommand is run by one library function.

use crate::config::OutputFormat;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Sentry for CI pipelines and AI assistants.
#[derive(Debug, Parser)]
#[command(name = "sentry-companion", version, about, max_term_width = 100)]
pub struct Cli {
    /// Connection and output settings.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Settings every subcommand shares.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Sentry auth token [env: SENTRY_AUTH_TOKEN]. Prefer the environment: flags show up in `ps`.
    #[arg(long, global = true, value_name = "TOKEN", hide = false)]
    pub auth_token: Option<String>,
    /// Sentry base URL, before the subcommand [env: SENTRY_URL] [default: https://sentry.io].
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Default organization slug [env: SENTRY_ORG].
    #[arg(long, global = true, value_name = "SLUG")]
    pub org: Option<String>,
    /// Default project slug; repeatable or comma separated [env: SENTRY_PROJECT].
    #[arg(long = "project", global = true, value_name = "SLUG")]
    pub projects: Vec<String>,
    /// Output format [env: SENTRY_COMPANION_OUTPUT] [default: text].
    #[arg(long, global = true, value_enum)]
    pub output: Option<OutputFormat>,
}

/// The Sentry base URL given after a subcommand (same meaning as the global `--url`).
#[derive(Debug, Clone, Args)]
pub struct SentryUrlArg {
    /// Sentry base URL [env: SENTRY_URL] [default: https://sentry.io].
    #[arg(long = "url", value_name = "URL")]
    pub sentry_url: Option<String>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the Sentry tools to AI assistants over MCP.
    Mcp(McpArgs),
    /// Call any Sentry tool from a shell (`tool list` shows them).
    Tool(ToolArgs),
    /// Releases from git history, deploys, and the deploy gate.
    #[command(subcommand)]
    Release(ReleaseCommand),
}

/// How the MCP server is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Transport {
    /// JSON-RPC over stdin/stdout.
    Stdio,
    /// Streamable HTTP at `http://ADDR/mcp`.
    Http,
}

/// `mcp` flags.
#[derive(Debug, Args)]
pub struct McpArgs {
    /// stdio (for desktop clients) or http (streamable HTTP).
    #[arg(long, value_enum, default_value = "stdio")]
    pub transport: Transport,
    /// Address to listen on with --transport http.
    #[arg(long, default_value = "127.0.0.1:8000")]
    pub listen: SocketAddr,
    /// Hide and refuse every tool that changes data.
    #[arg(long)]
    pub read_only: bool,
    /// A tool call's total time, retries included (e.g. 60s, 2m).
    #[arg(long, default_value = "60s", value_parser = parse_timeout, value_name = "DURATION")]
    pub call_timeout: Duration,
    /// Sentry URL.
    #[command(flatten)]
    pub sentry: SentryUrlArg,
    /// HTTP clients, and how many at once.
    #[command(flatten)]
    pub http: McpHttpArgs,
}

/// `mcp --transport http` flags: who may call, and how much the server holds.
#[derive(Debug, Args)]
#[command(next_help_heading = "HTTP transport")]
pub struct McpHttpArgs {
    /// Bearer token clients must send (`Authorization: Bearer TOKEN`); required off loopback. Prefer
    /// the environment: flags show up in `ps`.
    #[arg(
        long,
        env = "SENTRY_COMPANION_HTTP_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub http_token: Option<String>,
    /// A Host name clients use to reach the server (repeatable); loopback names are always allowed.
    #[arg(long = "allowed-host", value_name = "HOST")]
    pub allowed_hosts: Vec<String>,
    /// Keep no session state, so that any instance behind a load balancer answers any request.
    #[arg(long)]
    pub stateless: bool,
    /// Close a session after this long without a request.
    #[arg(long, default_value = "5m", value_parser = parse_timeout, value_name = "DURATION")]
    pub session_idle_timeout: Duration,
    /// Most sessions held at once (60-140 KiB each); a new one over it is refused with 503.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub max_sessions: u32,
    /// Most open client connections; one over it is refused with 503.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub max_connections: u32,
}

/// `tool` arguments.
#[derive(Debug, Args)]
pub struct ToolArgs {
    /// Tool name, or `list`.
    pub name: String,
    /// An argument as key=value; the value is read as JSON when it parses, else as a string. Repeatable.
    #[arg(long = "arg", value_name = "KEY=VALUE")]
    pub args: Vec<String>,
    /// All arguments as one JSON object (--arg values are applied on top).
    #[arg(long, value_name = "JSON")]
    pub json: Option<String>,
    /// The call's total time, retries included (e.g. 60s, 2m).
    #[arg(long, default_value = "60s", value_parser = parse_timeout, value_name = "DURATION")]
    pub call_timeout: Duration,
    /// Sentry URL.
    #[command(flatten)]
    pub sentry: SentryUrlArg,
}

/// The git repository a release command reads.
#[derive(Debug, Clone, Args)]
pub struct RepoArg {
    /// Path inside the git repository.
    #[arg(long, default_value = ".")]
    pub repo_path: PathBuf,
}

/// `release` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReleaseCommand {
    /// Print a version: SENTRY_RELEASE, else the CI's tag or sha, else HEAD's sha.
    ProposeVersion(ProposeVersionArgs),
    /// Create or update a release with its commits and refs from git history, in one request.
    Create(CreateArgs),
    /// Mark a release as released (sets dateReleased).
    Finalize(FinalizeArgs),
    /// Record a deploy of a release to an environment.
    Deploy(DeployArgs),
    /// Watch Sentry after a deploy and fail when the release regressed.
    Gate(GateArgs),
}

/// `release propose-version` flags.
#[derive(Debug, Args)]
pub struct ProposeVersionArgs {
    /// The repository.
    #[command(flatten)]
    pub repo: RepoArg,
}

/// `release create` flags.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The version (default: what `propose-version` prints).
    pub version: Option<String>,
    /// Start of the range (exclusive); default: the previous release's last commit, from Sentry.
    #[arg(long, value_name = "REF")]
    pub from: Option<String>,
    /// Keep only commits touching these paths, and only those files (monorepos). Repeatable.
    #[arg(long = "path", value_name = "PATH")]
    pub paths: Vec<String>,
    /// Most commits to send; the rest are left out with a warning.
    #[arg(long, default_value_t = 1000)]
    pub max_commits: usize,
    /// Commits to send for a first release (no previous release and no --from).
    #[arg(long, default_value_t = 20)]
    pub initial_depth: usize,
    /// The git remote whose URL names the repository.
    #[arg(long, default_value = "origin")]
    pub remote: String,
    /// The repository name as Sentry knows it (overrides the remote lookup).
    #[arg(long, value_name = "NAME")]
    pub repository: Option<String>,
    /// Finalize the release in the same request.
    #[arg(long)]
    pub finalize: bool,
    /// Create or update the release without commits or refs (the action's `set_commits: skip`).
    #[arg(long, conflicts_with_all = ["from", "paths", "repository", "deepen"])]
    pub no_commits: bool,
    /// A URL for the release (e.g. the changelog or the CI run).
    #[arg(long = "url", value_name = "URL")]
    pub release_url: Option<String>,
    /// Print the exact JSON body and stop: no token, no network.
    #[arg(long)]
    pub dry_run: bool,
    /// In a shallow clone, fetch more history (git fetch --deepen, bounded) until the previous commit is found.
    #[arg(long)]
    pub deepen: bool,
    /// The repository.
    #[command(flatten)]
    pub repo: RepoArg,
}

/// `release finalize` flags.
#[derive(Debug, Args)]
pub struct FinalizeArgs {
    /// The version.
    pub version: String,
    /// When it was released (RFC 3339); default now.
    #[arg(long, value_name = "RFC3339")]
    pub released: Option<String>,
    /// Sentry URL.
    #[command(flatten)]
    pub sentry: SentryUrlArg,
}

/// `release deploy` flags.
#[derive(Debug, Args)]
pub struct DeployArgs {
    /// The version.
    pub version: String,
    /// The environment deployed to.
    #[arg(long = "env", value_name = "ENV")]
    pub environment: String,
    /// A name for the deploy.
    #[arg(long)]
    pub name: Option<String>,
    /// A URL for the deploy.
    #[arg(long = "url", value_name = "URL")]
    pub deploy_url: Option<String>,
    /// When the deploy started (RFC 3339).
    #[arg(long, value_name = "RFC3339")]
    pub started: Option<String>,
    /// When the deploy finished (RFC 3339); default now.
    #[arg(long, value_name = "RFC3339")]
    pub finished: Option<String>,
}

/// What an inconclusive gate verdict exits with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnInconclusive {
    /// Exit 0.
    Pass,
    /// Exit 1.
    Fail,
    /// Exit 3.
    Neutral,
}

/// `release gate` flags.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// The version deployed.
    pub version: String,
    /// The environment deployed to.
    #[arg(long = "env", value_name = "ENV")]
    pub environment: String,
    /// Minimum time to watch after the deploy before a pass (e.g. 10m).
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    pub soak: Duration,
    /// Time between looks at Sentry.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub interval: Duration,
    /// Give up (inconclusive) after this long (default: soak + 5m).
    #[arg(long, value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// New issues allowed before the gate fails.
    #[arg(long, default_value_t = 0)]
    pub max_new_issues: u64,
    /// Lowest level that counts: debug, info, warning, error, fatal.
    #[arg(long, default_value = "error")]
    pub level: String,
    /// Extra issue search terms (e.g. `!transaction:/health`).
    #[arg(long, value_name = "TERMS")]
    pub query: Option<String>,
    /// The release to compare against: `previous` (deployed before this one) or a version.
    #[arg(long, default_value = "previous")]
    pub baseline: String,
    /// Largest error-rate increase over the baseline that still passes, in percent.
    #[arg(long, default_value_t = 25.0)]
    pub max_increase: f64,
    /// Lowest crash-free session rate that passes, in percent (projects that send sessions).
    #[arg(long, default_value_t = 99.0)]
    pub min_crash_free: f64,
    /// What an inconclusive verdict exits with.
    #[arg(long, value_enum, default_value = "neutral")]
    pub on_inconclusive: OnInconclusive,
    /// Always exit 0, but report the real verdict.
    #[arg(long)]
    pub report_only: bool,
    /// Skip rules the token cannot evaluate (missing scopes) instead of failing with exit 2.
    #[arg(long)]
    pub allow_partial: bool,
    /// Acknowledged issues file.
    #[arg(long, default_value = ".sentry-gate.toml")]
    pub acks: PathBuf,
    /// Also write the report as a dotenv file (GitLab `artifacts:reports:dotenv`).
    #[arg(long, value_name = "PATH")]
    pub dotenv: Option<PathBuf>,
    /// Sentry URL.
    #[command(flatten)]
    pub sentry: SentryUrlArg,
}

/// The longest duration any flag takes; longer ones are typing mistakes, and would overflow clocks.
const MAX_DURATION: Duration = Duration::from_secs(366 * 86_400);

/// Parses durations like `90s`, `10m`, `1h30m` or a bare number of seconds, up to a year.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let not_a_duration = || format!("{text:?} is not a duration: use e.g. 90s, 10m, 1h30m");
    let too_long = || format!("{text:?} is longer than a year: use at most 366d");
    if text.is_empty() {
        return Err(not_a_duration());
    }
    let mut total = 0u64;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit: u64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(not_a_duration()),
        };
        if number.is_empty() {
            return Err(not_a_duration());
        }
        total = number
            .parse::<u64>()
            .ok()
            .and_then(|value| value.checked_mul(unit))
            .and_then(|seconds| total.checked_add(seconds))
            .ok_or_else(too_long)?;
        number.clear();
    }
    if !number.is_empty() {
        // A bare number of seconds; digits after a unit (`1h30`) are a forgotten unit.
        if total > 0 || number.len() != text.len() {
            return Err(not_a_duration());
        }
        total = number.parse().map_err(|_| too_long())?;
    }
    let duration = Duration::from_secs(total);
    if duration > MAX_DURATION {
        return Err(too_long());
    }
    Ok(duration)
}

/// A [`parse_duration`] that must be longer than zero (a timeout of nothing would refuse everything).
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    let duration = parse_duration(text)?;
    if duration.is_zero() {
        return Err(format!("{text:?} is no time at all: give e.g. 30s or 5m"));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_durations() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("10m").unwrap(), Duration::from_secs(600));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        for bad in ["", "m", "10x", "1h30", "0h30", "h1"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_that_would_overflow_are_refused_not_wrapped() {
        for huge in [
            "18446744073709551615",
            "99999999999999999999999",
            "18446744073709551615d",
            "9999999999999999999h9999999999999999999h",
            "367d",
        ] {
            let error = parse_duration(huge).unwrap_err();
            assert!(error.contains("longer than a year"), "{huge}: {error}");
        }
        assert_eq!(
            parse_duration("366d").unwrap(),
            Duration::from_secs(366 * 86_400)
        );
    }

    #[test]
    fn timeouts_must_be_longer_than_zero() {
        assert!(parse_timeout("0s").unwrap_err().contains("no time at all"));
        assert_eq!(parse_timeout("1s").unwrap(), Duration::from_secs(1));
    }
}
