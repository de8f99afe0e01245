//! Command-line definitions, and their conversion into the plain requests the core takes.
//!
//! Clap stops here: every subcommand's arguments become a request type owned by the module that
//! runs it (`GateArgs` -> `gate::GateRequest`, `CreateArgs` -> `release::CreateRequest`, ...), and
//! the gate's defaults come from `gate::PolicySpec::default()`, so the command and the MCP tool
//! cannot drift apart.

use crate::gate::policy::human_duration;
use crate::gate::{BacktestRequest, GateRequest, OnInconclusive, PolicySpec};
use crate::output::OutputFormat;
use crate::release::create::CommitSource;
use crate::release::{CreateRequest, DeployRequest, FinalizeRequest, ProposeRequest};
use crate::sentry::log::Level;
use crate::sourcemaps::{InjectRequest, Selection, UploadRequest};
use crate::time::parse_user_instant;
use crate::tools::Toolsets;
use chrono::{DateTime, Utc};
use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
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
    /// What goes to stderr: trace, debug (every request), info, warn, error [env: SENTRY_LOG_LEVEL] [default: warn].
    #[arg(long, global = true, value_name = "LEVEL", value_parser = parse_log_level)]
    pub log_level: Option<Level>,
    /// An extra header for every request to Sentry, 'Name: value'; repeatable [env: CUSTOM_HEADER].
    #[arg(long = "header", global = true, value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// `release create|finalize|deploy`: print a failure as a warning and exit 0 [env: SENTRY_ALLOW_FAILURE].
    #[arg(long, global = true)]
    pub allow_failure: bool,
}

fn parse_log_level(text: &str) -> Result<Level, String> {
    text.parse()
}

/// The Sentry base URL given after a subcommand (same meaning as the global `--url`).
#[derive(Debug, Clone, Args)]
pub struct SentryUrlArg {
    /// Sentry base URL [env: SENTRY_URL] [default: https://sentry.io].
    #[arg(long = "url", value_name = "URL")]
    pub sentry_url: Option<String>,
}

/// The subcommands.
// Parsed once per run, so the size of the largest variant (the gate's flags) costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the Sentry tools to AI assistants over MCP.
    Mcp(McpArgs),
    /// Call any Sentry tool from a shell (`tool list` shows them, `tool NAME --help` its arguments).
    #[command(disable_help_flag = true)]
    Tool(ToolArgs),
    /// Releases from git history, deploys, and the deploy gate.
    #[command(subcommand)]
    Release(ReleaseCommand),
    /// Source maps with debug IDs: inject them into a build, upload the build to Sentry.
    #[command(subcommand)]
    Sourcemaps(SourcemapsCommand),
}

/// How the MCP server is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
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
    /// Toolsets to list, comma separated: issues, events, releases, projects, performance,
    /// monitoring, admin, seer, or all [default: issues,events,releases,projects].
    #[arg(long, env = "SENTRY_COMPANION_TOOLSETS", value_name = "LIST", value_parser = Toolsets::parse)]
    pub toolsets: Option<Toolsets>,
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
    pub name: Option<String>,
    /// Show the tool's arguments (type, default, description) and stop.
    #[arg(short = 'h', long)]
    pub help: bool,
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
    /// Replay the gate over the environment's last deploys: what would it have said?
    Backtest(BacktestArgs),
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
    /// The git remote whose URL names the repository [env: SENTRY_VCS_REMOTE] [default: origin].
    #[arg(long, value_name = "NAME")]
    pub remote: Option<String>,
    /// The repository name as Sentry knows it (overrides the remote lookup).
    #[arg(long, value_name = "NAME")]
    pub repository: Option<String>,
    /// Finalize the release in the same request.
    #[arg(long)]
    pub finalize: bool,
    /// Create or update the release without commits or refs (the action's `set_commits: skip`).
    #[arg(long, conflicts_with_all = ["from", "paths", "repository", "deepen", "auto", "commit", "set_commits"])]
    pub no_commits: bool,
    /// Send only the head commit and the previous release's commit, and let Sentry fetch the
    /// commits through the repository's integration (sentry-cli's `set-commits --auto`).
    #[arg(long, conflicts_with_all = ["paths", "commit", "set_commits"])]
    pub auto: bool,
    /// A ref set by hand, `REPO@SHA` or `REPO@PREV_SHA..SHA` (sentry-cli's `--commit`); repeatable.
    #[arg(short = 'c', long, value_name = "REPO@[PREV..]SHA", conflicts_with_all = ["paths", "from", "deepen"])]
    pub commit: Vec<String>,
    /// Where the commits come from: local (git history), auto (Sentry's integration), manual
    /// (--commit), skip (none). Default: local, or what --auto, --commit or --no-commits say.
    #[arg(long, value_enum, value_name = "MODE")]
    pub set_commits: Option<SetCommits>,
    /// When the previous release's commit is not in the history, start as a first release
    /// (--initial-depth) with a warning instead of failing.
    #[arg(long)]
    pub ignore_missing: bool,
    /// Do not warn when no commits are found (the release is then left without new commits).
    #[arg(long)]
    pub ignore_empty: bool,
    /// A URL for the release (e.g. the changelog or the CI run).
    #[arg(long = "url", value_name = "URL")]
    pub release_url: Option<String>,
    /// Print the exact JSON body and stop: no token, no network.
    #[arg(long)]
    pub dry_run: bool,
    /// In a shallow clone, fetch more history (git fetch --deepen, bounded) until the whole range
    /// is present; a --from tag the clone lacks is fetched too.
    #[arg(long)]
    pub deepen: bool,
    /// The repository.
    #[command(flatten)]
    pub repo: RepoArg,
    /// CI reporting.
    #[command(flatten)]
    pub ci: ReleaseCiArgs,
}

/// `release create --set-commits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SetCommits {
    /// Commits and file changes from the local git history.
    Local,
    /// Refs only; Sentry fetches the commits through its repository integration.
    Auto,
    /// Refs given with --commit.
    Manual,
    /// No commits or refs.
    Skip,
}

/// `release finalize` flags.
#[derive(Debug, Args)]
pub struct FinalizeArgs {
    /// The version.
    pub version: String,
    /// When it was released (unix seconds or RFC 3339); default now.
    #[arg(long, value_name = "TIME")]
    pub released: Option<String>,
    /// A link for the release (as in sentry-cli; the Sentry server goes before the subcommand).
    #[arg(long = "url", value_name = "URL")]
    pub release_url: Option<String>,
    /// CI reporting.
    #[command(flatten)]
    pub ci: ReleaseCiArgs,
}

/// `release deploy` flags (sentry-cli's `deploys new` names, long and short).
#[derive(Debug, Args)]
pub struct DeployArgs {
    /// The version.
    pub version: String,
    /// The environment deployed to.
    #[arg(
        short = 'e',
        long = "env",
        visible_alias = "environment",
        value_name = "ENV"
    )]
    pub environment: String,
    /// A name for the deploy.
    #[arg(short = 'n', long)]
    pub name: Option<String>,
    /// A link for the deploy (the Sentry server goes before the subcommand).
    #[arg(short = 'u', long = "url", value_name = "URL")]
    pub deploy_url: Option<String>,
    /// When the deploy started (unix seconds or RFC 3339).
    #[arg(long, value_name = "TIME", conflicts_with = "time")]
    pub started: Option<String>,
    /// When the deploy finished (unix seconds or RFC 3339); default now.
    #[arg(long, value_name = "TIME")]
    pub finished: Option<String>,
    /// How long the deploy took, in seconds: it started this long before it finished.
    #[arg(short = 't', long, value_name = "SECONDS")]
    pub time: Option<u64>,
    /// CI reporting.
    #[command(flatten)]
    pub ci: ReleaseCiArgs,
}

/// What `release create|finalize|deploy` leave for the pipeline.
#[derive(Debug, Clone, Args)]
pub struct ReleaseCiArgs {
    /// Also merge the results into this dotenv file (GitLab `artifacts:reports:dotenv`).
    #[arg(long, value_name = "PATH")]
    pub dotenv: Option<PathBuf>,
}

/// `release gate` flags.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// The version deployed.
    pub version: String,
    /// The policy.
    #[command(flatten)]
    pub policy: GatePolicyArgs,
    /// Evaluate as the gate would have at this past instant (RFC 3339 or unix seconds): the
    /// deploy finished before it, the same looks from the deploy, nothing recorded after it read.
    #[arg(long, value_name = "TIME", value_parser = parse_at)]
    pub at: Option<DateTime<Utc>>,
    /// Also write the report as a dotenv file (GitLab `artifacts:reports:dotenv`).
    #[arg(long, value_name = "PATH")]
    pub dotenv: Option<PathBuf>,
    /// Also write the report as Markdown, with the chart of the watch (a GitLab artifact; on
    /// GitHub the job summary has it).
    #[arg(long, value_name = "PATH")]
    pub markdown: Option<PathBuf>,
    /// Sentry URL.
    #[command(flatten)]
    pub sentry: SentryUrlArg,
}

/// `release backtest` flags: the gate's policy, replayed over past deploys.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// The policy replayed.
    #[command(flatten)]
    pub policy: GatePolicyArgs,
    /// How many of the environment's latest deployed releases to replay (1-100).
    #[arg(long, value_name = "N", default_value_t = BacktestRequest::DEFAULT_LAST as u64,
          value_parser = clap::value_parser!(u64).range(1..=BacktestRequest::MAX_LAST as u64))]
    pub last: u64,
    /// Time between requests to Sentry, to stay under its rate limits.
    #[arg(long, value_name = "DURATION", default_value_t = DurationArg(BacktestRequest::DEFAULT_PACE))]
    pub pace: DurationArg,
    /// Sentry URL.
    #[command(flatten)]
    pub sentry: SentryUrlArg,
}

/// The gate's policy flags, shared by `release gate` and `release backtest`.
#[derive(Debug, Args)]
pub struct GatePolicyArgs {
    /// The environment deployed to.
    #[arg(long = "env", value_name = "ENV")]
    pub environment: String,
    /// Minimum time to watch after the deploy before a pass (e.g. 10m).
    #[arg(long, default_value_t = DurationArg(PolicySpec::default().soak))]
    pub soak: DurationArg,
    /// Time between looks at Sentry.
    #[arg(long, default_value_t = DurationArg(PolicySpec::default().interval))]
    pub interval: DurationArg,
    /// Deadline, counted from the deploy (or the start, when later): the verdict is inconclusive
    /// when it comes first (default: soak + 5m).
    #[arg(long)]
    pub timeout: Option<DurationArg>,
    /// New issues allowed before the gate fails.
    #[arg(long, default_value_t = PolicySpec::default().max_new_issues)]
    pub max_new_issues: u64,
    /// A new issue counts once it has this many events since the deploy (or enough users).
    #[arg(long, value_name = "N", default_value_t = PolicySpec::default().new_issue_min_events)]
    pub new_issue_min_events: u64,
    /// A new issue counts once this many users had it since the deploy (or enough events).
    #[arg(long, value_name = "N", default_value_t = PolicySpec::default().new_issue_min_users)]
    pub new_issue_min_users: u64,
    /// Only unhandled errors (crashes) count for the new- and regressed-issue rules.
    #[arg(long)]
    pub unhandled_only: bool,
    /// Lowest level that counts: debug, info, warning, error, fatal.
    #[arg(long, default_value_t = PolicySpec::default().level)]
    pub level: String,
    /// Extra issue search terms (e.g. `!transaction:/health`).
    #[arg(long, value_name = "TERMS")]
    pub query: Option<String>,
    /// The release to compare against: `previous` (deployed before this one), `last:K` (the
    /// last K releases deployed to the environment, pooled) or a version.
    #[arg(long, default_value_t = PolicySpec::default().baseline)]
    pub baseline: String,
    /// Largest error-rate increase over the baseline that still passes, in percent.
    #[arg(long, default_value_t = PolicySpec::default().max_increase)]
    pub max_increase: f64,
    /// Fail when the release's own errors per session (or transaction) are credibly above this,
    /// whatever the baseline (e.g. 0.02 for 2 errors in 100 sessions).
    #[arg(long, value_name = "RATE")]
    pub max_error_rate: Option<f64>,
    /// Sessions each window needs before a session-based rule may pass.
    #[arg(long, value_name = "N", default_value_t = PolicySpec::default().min_sessions)]
    pub min_sessions: u64,
    /// Transactions each window needs before a rule may pass per transaction (error rate, latency).
    #[arg(long, value_name = "N", default_value_t = PolicySpec::default().min_transactions)]
    pub min_transactions: u64,
    /// Error events the baseline's window needs before the error rate may pass.
    #[arg(long, value_name = "N", default_value_t = PolicySpec::default().min_errors)]
    pub min_errors: u64,
    /// Lowest crash-free session rate that passes, in percent (projects that send sessions).
    #[arg(long, default_value_t = PolicySpec::default().min_crash_free)]
    pub min_crash_free: f64,
    /// The percentile of transaction duration the latency rule compares: 50, 75, 90, 95 or 99.
    #[arg(long, value_name = "P", default_value_t = PolicySpec::default().latency_percentile)]
    pub latency_percentile: u8,
    /// Largest increase of that duration, and of the transaction failure rate, over the
    /// baseline that still passes, in percent.
    #[arg(long, value_name = "PCT", default_value_t = PolicySpec::default().max_latency_increase)]
    pub max_latency_increase: f64,
    /// What an inconclusive verdict exits with.
    #[arg(long, value_enum, default_value_t = PolicySpec::default().on_inconclusive)]
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
}

/// `sourcemaps` subcommands.
#[derive(Debug, Subcommand)]
pub enum SourcemapsCommand {
    /// Give every JavaScript file and its source map the same debug ID (rewrites the files).
    Inject(InjectArgs),
    /// Upload a build's JavaScript files and source maps to Sentry as an artifact bundle.
    Upload(UploadArgs),
}

/// Which files `sourcemaps inject` and `upload` work on.
#[derive(Debug, Args)]
pub struct FileArgs {
    /// Build output files or directories (walked recursively).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// An extension to take; repeatable, replaces the defaults (inject: js cjs mjs; upload: js cjs
    /// mjs map jsbundle bundle).
    #[arg(short = 'x', long = "ext", value_name = "EXT")]
    pub extensions: Vec<String>,
    /// A gitignore-style glob of files or directories to leave out; repeatable.
    #[arg(short = 'i', long = "ignore", value_name = "GLOB")]
    pub ignores: Vec<String>,
    /// A file of such globs, one a line.
    #[arg(short = 'I', long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,
}

impl FileArgs {
    fn selection(&self) -> Selection {
        Selection {
            paths: self.paths.clone(),
            extensions: self.extensions.clone(),
            ignores: self.ignores.clone(),
            ignore_file: self.ignore_file.clone(),
        }
    }
}

/// `sourcemaps inject` flags.
#[derive(Debug, Args)]
pub struct InjectArgs {
    /// The files.
    #[command(flatten)]
    pub files: FileArgs,
    /// Report what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

impl InjectArgs {
    /// The request the core runs.
    pub fn request(&self) -> InjectRequest {
        InjectRequest {
            selection: self.files.selection(),
            dry_run: self.dry_run,
        }
    }
}

/// `sourcemaps upload` flags (the organization and projects come from --org and --project).
#[derive(Debug, Args)]
pub struct UploadArgs {
    /// The files.
    #[command(flatten)]
    pub files: FileArgs,
    /// The release the files belong to (optional when the files have debug IDs).
    #[arg(short = 'r', long, value_name = "VERSION")]
    pub release: Option<String>,
    /// The distribution within the release.
    #[arg(short = 'd', long, value_name = "DIST")]
    pub dist: Option<String>,
    /// What the files' URLs start with (default ~, any host), e.g. ~/static/js.
    #[arg(long, value_name = "PREFIX")]
    pub url_prefix: Option<String>,
    /// Remove this prefix from the `sources` inside maps (not from upload URLs); repeatable.
    #[arg(long = "strip-prefix", value_name = "PREFIX")]
    pub strip_prefixes: Vec<String>,
    /// Remove the directory prefix all of a map's `sources` share.
    #[arg(long)]
    pub strip_common_prefix: bool,
    /// Stop once Sentry accepted the bundle; do not wait for it to be processed.
    #[arg(long, conflicts_with = "wait")]
    pub no_wait: bool,
    /// Wait for processing (the default; accepted for sentry-cli scripts).
    #[arg(long, hide = true)]
    pub wait: bool,
}

impl UploadArgs {
    /// The request the core runs, for the configured organization and projects.
    pub fn request(&self, org: Option<String>, projects: Vec<String>) -> UploadRequest {
        UploadRequest {
            selection: self.files.selection(),
            org,
            projects,
            release: self.release.clone(),
            dist: self.dist.clone(),
            url_prefix: self.url_prefix.clone(),
            strip_prefixes: self.strip_prefixes.clone(),
            strip_common_prefix: self.strip_common_prefix,
            wait: !self.no_wait,
        }
    }
}

/// Parses durations like `90s`, `10m`, `1h`, `1h30m`, `2d` or a bare number of seconds. A value
/// too large to count in seconds is refused, never wrapped.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let invalid = || format!("{text:?} is not a duration: use e.g. 90s, 10m, 1h30m");
    let too_long = || format!("{text:?} is too long a duration: use e.g. 90s, 10m, 1h30m");
    if text.is_empty() {
        return Err(invalid());
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<u64>()
            .map(Duration::from_secs)
            .map_err(|_| too_long());
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
            _ => return Err(invalid()),
        };
        if number.is_empty() {
            return Err(invalid());
        }
        let seconds = number
            .parse::<u64>()
            .ok()
            .and_then(|value| value.checked_mul(unit))
            .and_then(|seconds| total.checked_add(seconds));
        total = seconds.ok_or_else(too_long)?;
        number.clear();
    }
    if !number.is_empty() {
        return Err(invalid());
    }
    Ok(Duration::from_secs(total))
}

/// A [`parse_duration`] that must be longer than zero (a timeout of nothing would refuse everything).
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    let duration = parse_duration(text)?;
    if duration.is_zero() {
        return Err(format!("{text:?} is no time at all: give e.g. 30s or 5m"));
    }
    if duration > MAX_TIMEOUT {
        return Err(format!("{text:?} is longer than a year: use at most 366d"));
    }
    Ok(duration)
}

/// The longest time limit the server's flags take; longer ones are typing mistakes.
const MAX_TIMEOUT: Duration = Duration::from_secs(366 * 86_400);

/// A duration flag: `90s`, `10m`, `1h30m`, or a bare number of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationArg(pub Duration);

impl FromStr for DurationArg {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_duration(text).map(Self)
    }
}

impl fmt::Display for DurationArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&human_duration(self.0))
    }
}

impl ValueEnum for OutputFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &[Self::Text, Self::Json]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            Self::Text => "For people",
            Self::Json => "One JSON document on stdout, for scripts",
        };
        Some(PossibleValue::new(self.name()).help(help))
    }
}

impl ValueEnum for OnInconclusive {
    fn value_variants<'a>() -> &'a [Self] {
        &[Self::Pass, Self::Fail, Self::Neutral]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            Self::Pass => "Exit 0",
            Self::Fail => "Exit 1",
            Self::Neutral => "Exit 3",
        };
        Some(PossibleValue::new(self.name()).help(help))
    }
}

impl GatePolicyArgs {
    /// The policy these flags ask for, of `version` over `projects`.
    fn into_spec(self, version: String, projects: Vec<String>) -> PolicySpec {
        PolicySpec {
            version,
            environment: self.environment,
            projects,
            soak: self.soak.0,
            interval: self.interval.0,
            timeout: self.timeout.map(|t| t.0),
            max_new_issues: self.max_new_issues,
            new_issue_min_events: self.new_issue_min_events,
            new_issue_min_users: self.new_issue_min_users,
            unhandled_only: self.unhandled_only,
            level: self.level,
            query: self.query,
            baseline: self.baseline,
            max_increase: self.max_increase,
            max_error_rate: self.max_error_rate,
            min_sessions: self.min_sessions,
            min_transactions: self.min_transactions,
            min_errors: self.min_errors,
            min_crash_free: self.min_crash_free,
            latency_percentile: self.latency_percentile,
            max_latency_increase: self.max_latency_increase,
            on_inconclusive: self.on_inconclusive,
            report_only: self.report_only,
            allow_partial: self.allow_partial,
        }
    }
}

impl GateArgs {
    /// The gate run these flags ask for, over the configured projects.
    pub fn into_request(self, projects: Vec<String>, output: OutputFormat) -> GateRequest {
        let acks = self.policy.acks.clone();
        GateRequest {
            spec: self.policy.into_spec(self.version, projects),
            acks,
            at: self.at,
            dotenv: self.dotenv,
            markdown: self.markdown,
            output,
        }
    }
}

impl BacktestArgs {
    /// The backtest these flags ask for, over the configured projects.
    pub fn into_request(self, projects: Vec<String>, output: OutputFormat) -> BacktestRequest {
        let acks = self.policy.acks.clone();
        BacktestRequest {
            spec: self.policy.into_spec(String::new(), projects),
            acks,
            // Bounded to 1-100 by the parser.
            last: self.last as usize,
            pace: self.pace.0,
            output,
        }
    }
}

/// Reads `--at`: unix seconds or an RFC 3339 date.
fn parse_at(text: &str) -> Result<DateTime<Utc>, String> {
    parse_user_instant(text, "--at").map_err(|error| error.to_string())
}

impl CreateArgs {
    /// The release these flags ask for; `vcs_remote` is the configured default remote. A flag
    /// the chosen `--set-commits` mode would ignore is refused rather than dropped in silence.
    pub fn into_request(
        self,
        output: OutputFormat,
        vcs_remote: Option<&str>,
    ) -> Result<CreateRequest, String> {
        let mode = match (
            self.set_commits,
            self.no_commits,
            self.auto,
            self.commit.is_empty(),
        ) {
            (Some(mode), ..) => mode,
            (None, true, ..) => SetCommits::Skip,
            (None, _, true, _) => SetCommits::Auto,
            (None, _, _, false) => SetCommits::Manual,
            _ => SetCommits::Local,
        };
        let unused = self.unused_with(mode);
        if !unused.is_empty() {
            return Err(format!(
                "--set-commits {} does not use {}: drop them, or choose the mode that does (local reads --from and --path, manual reads --commit)",
                mode.to_possible_value()
                    .map(|v| v.get_name().to_owned())
                    .unwrap_or_default(),
                unused.join(", ")
            ));
        }
        let commits = match mode {
            SetCommits::Local => CommitSource::Local,
            SetCommits::Auto => CommitSource::Auto,
            SetCommits::Manual => CommitSource::Manual(self.commit),
            SetCommits::Skip => CommitSource::Skip,
        };
        Ok(CreateRequest {
            version: self.version,
            from: self.from,
            paths: self.paths.iter().map(|p| p.replace('\\', "/")).collect(),
            max_commits: self.max_commits,
            initial_depth: self.initial_depth,
            remote: self
                .remote
                .or_else(|| vcs_remote.map(str::to_owned))
                .unwrap_or_else(|| "origin".into()),
            repository: self.repository,
            finalize: self.finalize,
            commits,
            ignore_missing: self.ignore_missing,
            ignore_empty: self.ignore_empty,
            release_url: self.release_url,
            dry_run: self.dry_run,
            deepen: self.deepen,
            repo_path: self.repo.repo_path,
            dotenv: self.ci.dotenv,
            output,
        })
    }

    /// The flags given that `mode` would not read.
    fn unused_with(&self, mode: SetCommits) -> Vec<&'static str> {
        let given = [
            ("--from", self.from.is_some()),
            ("--path", !self.paths.is_empty()),
            ("--commit", !self.commit.is_empty()),
            ("--deepen", self.deepen),
            ("--repository", self.repository.is_some()),
        ];
        let unused: &[&str] = match mode {
            SetCommits::Local => &["--commit"],
            SetCommits::Auto => &["--path", "--commit"],
            SetCommits::Manual => &["--from", "--path", "--deepen", "--repository"],
            SetCommits::Skip => &["--from", "--path", "--commit", "--deepen", "--repository"],
        };
        given
            .into_iter()
            .filter(|(flag, is_given)| *is_given && unused.contains(flag))
            .map(|(flag, _)| flag)
            .collect()
    }
}

impl FinalizeArgs {
    /// The finalize request these flags ask for.
    pub fn into_request(self, output: OutputFormat) -> FinalizeRequest {
        FinalizeRequest {
            version: self.version,
            released: self.released,
            url: self.release_url,
            dotenv: self.ci.dotenv,
            output,
        }
    }
}

impl DeployArgs {
    /// The deploy these flags record.
    pub fn into_request(self, output: OutputFormat) -> DeployRequest {
        DeployRequest {
            version: self.version,
            environment: self.environment,
            name: self.name,
            url: self.deploy_url,
            started: self.started,
            finished: self.finished,
            duration: self.time,
            dotenv: self.ci.dotenv,
            output,
        }
    }
}

impl ProposeVersionArgs {
    /// The proposal these flags ask for.
    pub fn into_request(self, output: OutputFormat) -> ProposeRequest {
        ProposeRequest {
            repo_path: self.repo.repo_path,
            output,
        }
    }
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
    fn gate_flags_default_to_the_policy_defaults() {
        let cli = Cli::parse_from([
            "sentry-companion",
            "release",
            "gate",
            "1.0",
            "--env",
            "prod",
        ]);
        let Command::Release(ReleaseCommand::Gate(args)) = cli.command else {
            panic!("parsed a gate command");
        };
        let spec = args.into_request(vec![], OutputFormat::Text).spec;
        assert_eq!(
            spec,
            PolicySpec {
                version: "1.0".into(),
                environment: "prod".into(),
                ..PolicySpec::default()
            }
        );
    }

    fn create_request(args: &[&str]) -> Result<CreateRequest, String> {
        let argv = ["sentry-companion", "release", "create", "1.0"]
            .iter()
            .chain(args);
        let Command::Release(ReleaseCommand::Create(create)) = Cli::parse_from(argv).command else {
            panic!("parsed a create command");
        };
        create.into_request(OutputFormat::Text, Some("upstream"))
    }

    #[test]
    fn set_commits_modes_follow_sentry_cli_flags_and_refuse_what_they_would_ignore() {
        let request = create_request(&["--commit", "acme/web@a..b"]).unwrap();
        assert_eq!(
            request.commits,
            CommitSource::Manual(vec!["acme/web@a..b".into()])
        );
        assert_eq!(
            request.remote, "upstream",
            "SENTRY_VCS_REMOTE is the default"
        );
        assert_eq!(
            create_request(&["--auto"]).unwrap().commits,
            CommitSource::Auto
        );
        assert_eq!(
            create_request(&["--no-commits"]).unwrap().commits,
            CommitSource::Skip
        );
        assert_eq!(create_request(&[]).unwrap().commits, CommitSource::Local);
        let err =
            create_request(&["--set-commits", "local", "--commit", "acme/web@b"]).unwrap_err();
        assert!(
            err.contains("--set-commits local does not use --commit"),
            "{err}"
        );
        let err = create_request(&["--set-commits", "skip", "--from", "v1", "--path", "web"])
            .unwrap_err();
        assert!(err.contains("--from, --path"), "{err}");
        let paths = create_request(&["--path", "apps\\web"]).unwrap().paths;
        assert_eq!(paths, ["apps/web"]);
    }

    #[test]
    fn parses_durations() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("10m").unwrap(), Duration::from_secs(600));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        for bad in ["", "m", "10x", "1h30", "h5m"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn refuses_durations_too_long_to_count() {
        let error = parse_duration("300000000000000000d").unwrap_err();
        assert!(error.contains("too long a duration"), "{error}");
        assert!(parse_duration("99999999999999999999").is_err());
        assert!(parse_duration("18446744073709551615s1s").is_err());
        assert_eq!(
            parse_duration("18446744073709551615").unwrap(),
            Duration::from_secs(u64::MAX),
            "representable, so parsed; the gate's policy then refuses it as a watch"
        );
    }

    /// A duration as units add up, in a type that cannot overflow: the parser's oracle.
    fn seconds_of(parts: &[(u64, char)]) -> u128 {
        parts
            .iter()
            .map(|(value, unit)| {
                let scale = match unit {
                    's' => 1,
                    'm' => 60,
                    'h' => 3600,
                    _ => 86_400,
                };
                u128::from(*value) * scale
            })
            .sum()
    }

    proptest::proptest! {
        #[test]
        fn bare_seconds_parse_to_themselves(seconds: u64) {
            proptest::prop_assert_eq!(parse_duration(&seconds.to_string()), Ok(Duration::from_secs(seconds)));
        }

        #[test]
        fn unit_sums_parse_exactly_or_are_refused_as_too_long(
            parts in proptest::collection::vec((0u64..u64::MAX, proptest::sample::select(vec!['s', 'm', 'h', 'd'])), 1..4)
        ) {
            let text: String = parts.iter().map(|(value, unit)| format!("{value}{unit}")).collect();
            let expected = seconds_of(&parts);
            match parse_duration(&text) {
                Ok(duration) => proptest::prop_assert_eq!(u128::from(duration.as_secs()), expected),
                Err(message) => {
                    proptest::prop_assert!(expected > u128::from(u64::MAX), "{text}: {message}");
                    proptest::prop_assert!(message.contains("too long"), "{}", message);
                }
            }
        }

        #[test]
        fn printed_durations_read_back(seconds in 0u64..10_000_000_000) {
            let duration = Duration::from_secs(seconds);
            proptest::prop_assert_eq!(parse_duration(&human_duration(duration)), Ok(duration));
        }

        #[test]
        fn only_digits_and_units_are_durations(
            chars in proptest::collection::vec(proptest::prelude::any::<char>(), 0..24)
        ) {
            let text: String = chars.into_iter().collect();
            if parse_duration(&text).is_ok() {
                proptest::prop_assert!(
                    text.trim().chars().all(|c| c.is_ascii_digit() || "smhd".contains(c)),
                    "{:?}", text
                );
            }
        }
    }

    #[test]
    fn timeouts_must_be_longer_than_zero_and_at_most_a_year() {
        assert!(parse_timeout("0s").unwrap_err().contains("no time at all"));
        assert_eq!(parse_timeout("1s").unwrap(), Duration::from_secs(1));
        assert!(
            parse_timeout("367d")
                .unwrap_err()
                .contains("longer than a year")
        );
        assert_eq!(parse_timeout("366d").unwrap(), MAX_TIMEOUT);
    }
}
