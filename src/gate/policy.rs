//! The policy in force: what the gate watches, for how long, and what each verdict exits with.

use super::observations::ExposureKind;
use super::rate_decision::EVENTS_TO_PASS;
use super::wording::{Setting, Wording};
use crate::exit::Exit;
use serde_json::{Value, json};
use std::time::Duration;

/// The false-alarm budget of the statistical rules over the whole watch (one-sided).
pub const ALPHA: f64 = 0.05;
/// The false-pass budget of each rule over the whole watch: the chance it passes a release
/// worse than the policy allows.
pub const BETA: f64 = 0.05;
/// The longest `--soak`, `--interval` or `--timeout`: a gate watches a deploy for minutes or hours,
/// so anything longer is a typo, and every instant of the watch stays far inside the calendar.
pub const MAX_WATCH: Duration = Duration::from_secs(30 * 86_400);
/// The most releases a pooled baseline (`--baseline last:K`) takes.
pub const MAX_POOLED: usize = 10;

/// Issue levels, lowest first.
const LEVELS: [&str; 5] = ["debug", "info", "warning", "error", "fatal"];

/// The lowest issue level that counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level(usize);

impl Level {
    /// Reads a level name; the error lists the valid ones.
    pub fn parse(name: &str) -> Result<Self, InvalidPolicy> {
        let wanted = name.trim().to_ascii_lowercase();
        LEVELS
            .iter()
            .position(|level| *level == wanted)
            .map(Self)
            .ok_or_else(|| {
                InvalidPolicy(format!(
                    "--level {name:?} is not a level: use one of {}",
                    LEVELS.join(", ")
                ))
            })
    }

    /// The level's name.
    pub fn name(self) -> &'static str {
        LEVELS[self.0]
    }

    /// The search term for this level and every level above it, e.g. `level:[error,fatal]`.
    pub fn search_term(self) -> String {
        match &LEVELS[self.0..] {
            [only] => format!("level:{only}"),
            several => format!("level:[{}]", several.join(",")),
        }
    }
}

/// What an inconclusive gate verdict exits with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnInconclusive {
    /// Exit 0.
    Pass,
    /// Exit 1.
    Fail,
    /// Exit 3.
    Neutral,
}

impl OnInconclusive {
    /// The name the flag takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Neutral => "neutral",
        }
    }
}

/// A policy setting that cannot be used; the message names the flag and a valid value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidPolicy(pub String);

/// What the user asked of the gate, before it is checked: the command's flags or the tool's
/// arguments. Its `Default` holds the gate's defaults, for the command line and the tool alike.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicySpec {
    /// The release watched.
    pub version: String,
    /// The environment it was deployed to.
    pub environment: String,
    /// Project slugs (empty: every project the token can see).
    pub projects: Vec<String>,
    /// No pass before this long after the deploy.
    pub soak: Duration,
    /// Time between looks.
    pub interval: Duration,
    /// When the watch gives up, counted from the deploy (default: the soak plus five minutes).
    pub timeout: Option<Duration>,
    /// New issues allowed.
    pub max_new_issues: u64,
    /// The lowest level that counts: debug, info, warning, error, fatal.
    pub level: String,
    /// Extra issue search terms.
    pub query: Option<String>,
    /// `previous`, `last:K` (the last K releases pooled) or a version.
    pub baseline: String,
    /// Largest tolerated increase of a rate over the baseline, in percent.
    pub max_increase: f64,
    /// A ceiling on the release's own error rate (errors per session or transaction), whatever
    /// the baseline.
    pub max_error_rate: Option<f64>,
    /// Lowest crash-free session rate, in percent.
    pub min_crash_free: f64,
    /// The percentile of transaction duration the latency rule compares (50, 75, 90, 95 or 99).
    pub latency_percentile: u8,
    /// Largest tolerated increase of that duration, and of the transaction failure rate, over the
    /// baseline, in percent.
    pub max_latency_increase: f64,
    /// Events since the deploy that make a new issue count (it counts at this or `new_issue_min_users`).
    pub new_issue_min_events: u64,
    /// Users since the deploy that make a new issue count (it counts at this or `new_issue_min_events`).
    pub new_issue_min_users: u64,
    /// Only unhandled errors (crashes) count for the issue rules.
    pub unhandled_only: bool,
    /// Sessions each window needs before a session-based rule may pass.
    pub min_sessions: u64,
    /// Transactions each window needs before the error rate may pass per transaction.
    pub min_transactions: u64,
    /// Error events the baseline's window needs before the error rate may pass.
    pub min_errors: u64,
    /// What an inconclusive verdict exits with.
    pub on_inconclusive: OnInconclusive,
    /// Exit 0 whatever the verdict.
    pub report_only: bool,
    /// Skip rules the token cannot evaluate instead of failing.
    pub allow_partial: bool,
}

impl Default for PolicySpec {
    fn default() -> Self {
        Self {
            version: String::new(),
            environment: String::new(),
            projects: Vec::new(),
            soak: Duration::from_secs(600),
            interval: Duration::from_secs(60),
            timeout: None,
            max_new_issues: 0,
            level: "error".into(),
            query: None,
            baseline: "previous".into(),
            max_increase: 25.0,
            max_error_rate: None,
            min_crash_free: 99.0,
            latency_percentile: 95,
            max_latency_increase: 20.0,
            // An issue counts at 10 events or 3 users: one stray handled event is not a regression
            // (docs/gate.md says where these come from).
            new_issue_min_events: 10,
            new_issue_min_users: 3,
            unhandled_only: false,
            min_sessions: 500,
            min_transactions: 1000,
            min_errors: EVENTS_TO_PASS,
            on_inconclusive: OnInconclusive::Neutral,
            report_only: false,
            allow_partial: false,
        }
    }
}

/// The release(s) the candidate is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Baseline {
    /// The last K releases deployed to the same environment before this one, pooled (1: `previous`).
    Recent(usize),
    /// A named release.
    Version(String),
}

impl Baseline {
    /// Reads `previous`, `last:K` or a version; the error says what is accepted.
    pub fn parse(text: &str) -> Result<Self, InvalidPolicy> {
        let text = text.trim();
        let pooled = |count: &str| {
            count
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|k| (1..=MAX_POOLED).contains(k))
                .map(Self::Recent)
                .ok_or_else(|| {
                    InvalidPolicy(format!(
                        "--baseline {text:?}: `last:K` pools the last K releases, K from 1 to {MAX_POOLED}, e.g. last:3"
                    ))
                })
        };
        match text {
            "" => Err(InvalidPolicy(
                "--baseline must be `previous`, `last:K` or a version".into(),
            )),
            "previous" => Ok(Self::Recent(1)),
            _ => match text.strip_prefix("last:") {
                Some(count) => pooled(count),
                None => Ok(Self::Version(text.to_owned())),
            },
        }
    }

    /// The setting as the flag takes it.
    pub fn name(&self) -> String {
        match self {
            Self::Recent(1) => "previous".into(),
            Self::Recent(count) => format!("last:{count}"),
            Self::Version(version) => version.clone(),
        }
    }
}

/// When a new issue counts: the issue rules' filters beyond level and query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssueFilter {
    /// Events since the deploy that make a new issue count.
    pub min_events: u64,
    /// Users since the deploy that make a new issue count.
    pub min_users: u64,
    /// Only unhandled errors count.
    pub unhandled_only: bool,
}

impl IssueFilter {
    /// Whether a new issue with these numbers since the deploy reaches either minimum.
    pub fn reached(&self, events: u64, users: u64) -> bool {
        events >= self.min_events || users >= self.min_users
    }
}

/// The percentiles Sentry's events API aggregates (`p50` … `p99`).
pub const LATENCY_PERCENTILES: [u8; 5] = [50, 75, 90, 95, 99];

/// What the latency rule compares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatencyPolicy {
    /// The percentile of transaction duration, one of [`LATENCY_PERCENTILES`].
    pub percentile: u8,
    /// Largest tolerated increase of that duration and of the failure rate (0.2 = 20%).
    pub max_increase: f64,
}

impl LatencyPolicy {
    /// The aggregate Sentry computes: `p95(span.duration)`.
    pub fn aggregate(&self) -> String {
        format!("p{}(span.duration)", self.percentile)
    }
}

/// How much data a rate rule needs before it may pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Minimums {
    /// Sessions in each window.
    pub sessions: u64,
    /// Transactions in each window.
    pub transactions: u64,
    /// Error events in the baseline's window.
    pub errors: u64,
}

impl Minimums {
    /// The exposure of `kind` each window needs, and the setting that sets it.
    pub fn exposure(&self, kind: ExposureKind) -> (u64, Setting) {
        match kind {
            ExposureKind::Sessions => (self.sessions, Setting::MinSessions),
            ExposureKind::Transactions => (self.transactions, Setting::MinTransactions),
        }
    }
}

/// Everything that decides the verdict, printed at the start and in the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The release watched.
    pub version: String,
    /// The environment it was deployed to.
    pub environment: String,
    /// Project slugs (empty: every project the token can see).
    pub projects: Vec<String>,
    /// No pass before this long after the deploy.
    pub soak: Duration,
    /// Time between looks.
    pub interval: Duration,
    /// When the watch gives up, counted from the deploy.
    pub timeout: Duration,
    /// New issues allowed.
    pub max_new_issues: u64,
    /// The lowest level that counts.
    pub level: Level,
    /// Extra issue search terms.
    pub query: Option<String>,
    /// What to compare with.
    pub baseline: Baseline,
    /// Largest tolerated increase of a rate over the baseline, as a fraction (0.25 = 25 %).
    pub max_increase: f64,
    /// A ceiling on the release's own errors per session or transaction.
    pub max_error_rate: Option<f64>,
    /// Lowest crash-free session rate, as a fraction (0.99 = 99 %).
    pub min_crash_free: f64,
    /// When an issue counts.
    pub issues: IssueFilter,
    /// What the latency rule compares.
    pub latency: LatencyPolicy,
    /// How much data a rate rule needs before it may pass.
    pub minimums: Minimums,
    /// What an inconclusive verdict exits with.
    pub on_inconclusive: OnInconclusive,
    /// Exit 0 whatever the verdict.
    pub report_only: bool,
    /// Skip rules the token cannot evaluate instead of failing.
    pub allow_partial: bool,
    /// How messages name the settings: flags for the command, names for the MCP tool.
    pub wording: Wording,
}

impl Policy {
    /// The policy a spec asks for; bad values are explained.
    pub fn from_spec(spec: PolicySpec) -> Result<Self, InvalidPolicy> {
        let invalid = |message: &str| Err(InvalidPolicy(message.to_owned()));
        let version = required(&spec.version, "VERSION")?;
        let environment = required(&spec.environment, "--env")?;
        for (flag, duration) in [
            ("--soak", Some(spec.soak)),
            ("--interval", Some(spec.interval)),
            ("--timeout", spec.timeout),
        ] {
            if let Some(duration) = duration.filter(|d| *d > MAX_WATCH) {
                return Err(InvalidPolicy(format!(
                    "{flag} {} is longer than a gate can watch: use at most {} (a deploy is watched for minutes or hours)",
                    human_duration(duration),
                    human_duration(MAX_WATCH)
                )));
            }
        }
        if spec.interval.is_zero() {
            return invalid("--interval must be at least 1s");
        }
        let timeout = spec
            .timeout
            .unwrap_or(spec.soak.saturating_add(Duration::from_secs(300)));
        if timeout < spec.soak {
            return Err(InvalidPolicy(format!(
                "--timeout ({}) is shorter than --soak ({}): the gate could never pass; make the timeout at least the soak",
                human_duration(timeout),
                human_duration(spec.soak)
            )));
        }
        if !spec.max_increase.is_finite() || spec.max_increase < 0.0 {
            return invalid("--max-increase must be a percentage of 0 or more, e.g. 25");
        }
        if !(0.0..100.0).contains(&spec.min_crash_free) {
            return invalid(
                "--min-crash-free must be a percentage from 0 up to (not including) 100, e.g. 99.5",
            );
        }
        if spec
            .max_error_rate
            .is_some_and(|rate| !rate.is_finite() || rate <= 0.0)
        {
            return invalid(
                "--max-error-rate must be errors per session or transaction above 0, e.g. 0.02 for 2 in 100",
            );
        }
        if !LATENCY_PERCENTILES.contains(&spec.latency_percentile) {
            return Err(InvalidPolicy(format!(
                "--latency-percentile {} is not one Sentry aggregates: use one of {}",
                spec.latency_percentile,
                LATENCY_PERCENTILES.map(|p| p.to_string()).join(", ")
            )));
        }
        if !spec.max_latency_increase.is_finite() || spec.max_latency_increase <= 0.0 {
            return invalid("--max-latency-increase must be a percentage above 0, e.g. 20");
        }
        let baseline = Baseline::parse(&spec.baseline)?;
        Ok(Self {
            version,
            environment,
            projects: spec.projects,
            soak: spec.soak,
            interval: spec.interval,
            timeout,
            max_new_issues: spec.max_new_issues,
            level: Level::parse(&spec.level)?,
            query: spec
                .query
                .as_deref()
                .map(str::trim)
                .filter(|q| !q.is_empty())
                .map(str::to_owned),
            baseline,
            max_increase: spec.max_increase / 100.0,
            max_error_rate: spec.max_error_rate,
            min_crash_free: spec.min_crash_free / 100.0,
            issues: IssueFilter {
                min_events: spec.new_issue_min_events,
                min_users: spec.new_issue_min_users,
                unhandled_only: spec.unhandled_only,
            },
            latency: LatencyPolicy {
                percentile: spec.latency_percentile,
                max_increase: spec.max_latency_increase / 100.0,
            },
            minimums: Minimums {
                sessions: spec.min_sessions,
                transactions: spec.min_transactions,
                errors: spec.min_errors,
            },
            on_inconclusive: spec.on_inconclusive,
            report_only: spec.report_only,
            allow_partial: spec.allow_partial,
            wording: Wording::Flags,
        })
    }

    /// The policy of one evaluation right now (the MCP tool): the gate's defaults, no soak, no
    /// polling, and rules the token cannot evaluate skipped rather than failing the call.
    pub fn single_check(
        version: &str,
        environment: &str,
        projects: Vec<String>,
    ) -> Result<Self, InvalidPolicy> {
        Self::from_spec(PolicySpec {
            version: version.to_owned(),
            environment: environment.to_owned(),
            projects,
            soak: Duration::ZERO,
            timeout: Some(Duration::ZERO),
            // Only the wait after a transient failure: a single check never polls.
            interval: Duration::from_secs(5),
            allow_partial: true,
            ..PolicySpec::default()
        })
    }

    /// The exit status of a verdict under this policy.
    pub fn exit_for(&self, verdict: Verdict) -> Exit {
        if self.report_only {
            return Exit::Success;
        }
        match verdict {
            Verdict::Pass => Exit::Success,
            Verdict::Fail => Exit::GateFailed,
            Verdict::Inconclusive => match self.on_inconclusive {
                OnInconclusive::Pass => Exit::Success,
                OnInconclusive::Fail => Exit::GateFailed,
                OnInconclusive::Neutral => Exit::Inconclusive,
            },
        }
    }

    /// The policy in one paragraph, for the start of the run and the report.
    pub fn describe(&self) -> String {
        let baseline = match &self.baseline {
            Baseline::Recent(1) => {
                format!("the release deployed to {} before it", self.environment)
            }
            Baseline::Recent(count) => format!(
                "the last {count} releases deployed to {} before it, pooled",
                self.environment
            ),
            Baseline::Version(version) => format!("release {version}"),
        };
        let extra = self
            .query
            .as_deref()
            .map(|q| format!(" (extra terms: {q})"))
            .unwrap_or_default();
        let timeline = if self.timeout.is_zero() {
            "Policy: one evaluation now, no soak.".to_owned()
        } else {
            format!(
                "Policy: watch {} after the deploy (look every {}, give up {} after the deploy).",
                human_duration(self.soak),
                human_duration(self.interval),
                human_duration(self.timeout)
            )
        };
        let ceiling = self
            .max_error_rate
            .map(|rate| format!(" or above {rate} errors per session or transaction"))
            .unwrap_or_default();
        let kind = if self.issues.unhandled_only {
            "unhandled "
        } else {
            ""
        };
        format!(
            "{timeline} Fail on more than {max_new} new {kind}issue(s) with {events}+ events or {users}+ users, \
             or any regressed {kind}issue, at level {level} or above{extra}; \
             on an error rate credibly more than {increase} above {baseline}{ceiling}; \
             on a crash-free session rate credibly below {floor} or a crash rate credibly more than {increase} above the baseline; \
             on a transaction duration at p{percentile} or a transaction failure rate credibly more than {latency} above the baseline. \
             A rate passes only on evidence, with {sessions} sessions or {transactions} transactions in each window and {errors} baseline errors. \
             False-alarm budget {alpha} and false-pass budget {beta} per rule, mostly spent at the end of the soak. \
             Inconclusive exits {inconclusive}{report_only}{partial}.",
            max_new = self.max_new_issues,
            events = self.issues.min_events,
            users = self.issues.min_users,
            level = self.level.name(),
            increase = percent(self.max_increase),
            floor = percent(self.min_crash_free),
            percentile = self.latency.percentile,
            latency = percent(self.latency.max_increase),
            sessions = self.minimums.sessions,
            transactions = self.minimums.transactions,
            errors = self.minimums.errors,
            alpha = ALPHA,
            beta = BETA,
            inconclusive = match self.on_inconclusive {
                OnInconclusive::Pass => "0 (--on-inconclusive pass)",
                OnInconclusive::Fail => "1 (--on-inconclusive fail)",
                OnInconclusive::Neutral => "3 (--on-inconclusive neutral)",
            },
            report_only = if self.report_only {
                "; report only: always exits 0"
            } else {
                ""
            },
            partial = if self.allow_partial {
                "; rules the token cannot evaluate are skipped (--allow-partial)"
            } else {
                ""
            },
        )
    }

    /// The policy as JSON, for the report.
    pub fn to_json(&self) -> Value {
        json!({
            "soak_seconds": self.soak.as_secs(),
            "interval_seconds": self.interval.as_secs(),
            "timeout_seconds": self.timeout.as_secs(),
            "max_new_issues": self.max_new_issues,
            "new_issue_min_events": self.issues.min_events,
            "new_issue_min_users": self.issues.min_users,
            "unhandled_only": self.issues.unhandled_only,
            "level": self.level.name(),
            "query": self.query,
            "baseline": self.baseline.name(),
            "max_increase_percent": self.max_increase * 100.0,
            "max_error_rate": self.max_error_rate,
            "min_crash_free_percent": self.min_crash_free * 100.0,
            "latency_percentile": self.latency.percentile,
            "max_latency_increase_percent": self.latency.max_increase * 100.0,
            "min_sessions": self.minimums.sessions,
            "min_transactions": self.minimums.transactions,
            "min_errors": self.minimums.errors,
            "alpha": ALPHA,
            "beta": BETA,
            "alpha_spending": "O'Brien-Fleming before the soak, most at its end, the rest by the timeout",
            "on_inconclusive": self.on_inconclusive.name(),
            "report_only": self.report_only,
            "allow_partial": self.allow_partial,
        })
    }
}

/// The gate's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No regression found after the soak.
    Pass,
    /// A regression was found.
    Fail,
    /// Not enough data to decide before the timeout.
    Inconclusive,
}

impl Verdict {
    /// The lowercase name used in outputs (`pass`, `fail`, `inconclusive`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Inconclusive => "inconclusive",
        }
    }
}

fn required(value: &str, name: &str) -> Result<String, InvalidPolicy> {
    let value = value.trim();
    if value.is_empty() {
        return Err(InvalidPolicy(format!("{name} must not be empty")));
    }
    Ok(value.to_owned())
}

/// A duration the way the flags take it: `90s`, `10m`, `1h30m`.
pub fn human_duration(duration: Duration) -> String {
    let total = duration.as_secs();
    let (hours, minutes, seconds) = (total / 3600, total % 3600 / 60, total % 60);
    let mut out = String::new();
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if minutes > 0 {
        out.push_str(&format!("{minutes}m"));
    }
    if seconds > 0 || out.is_empty() {
        out.push_str(&format!("{seconds}s"));
    }
    out
}

/// A fraction as a percentage with up to two decimals: `0.25` → `25%`, `0.995` → `99.5%`.
pub fn percent(fraction: f64) -> String {
    let text = format!("{:.2}", fraction * 100.0);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

/// A p-value or α readable at any size: `0.042`, `1.6e-14`.
pub fn probability(value: f64) -> String {
    if value != 0.0 && value < 0.001 {
        format!("{value:.1e}")
    } else {
        format!("{value:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> PolicySpec {
        PolicySpec {
            version: "1.2.0".into(),
            environment: "prod".into(),
            ..PolicySpec::default()
        }
    }

    #[test]
    fn defaults_follow_the_contract() {
        let policy = Policy::from_spec(spec()).unwrap();
        assert_eq!(policy.soak, Duration::from_secs(600));
        assert_eq!(policy.interval, Duration::from_secs(60));
        assert_eq!(policy.timeout, Duration::from_secs(900));
        assert_eq!(policy.max_new_issues, 0);
        assert_eq!(policy.level.search_term(), "level:[error,fatal]");
        assert_eq!(policy.baseline, Baseline::Recent(1));
        assert_eq!(policy.issues.min_events, 10);
        assert_eq!(policy.issues.min_users, 3);
        assert_eq!(policy.minimums.sessions, 500);
        assert_eq!(policy.max_error_rate, None);
        assert_eq!(policy.max_increase, 0.25);
        assert_eq!(policy.latency.aggregate(), "p95(span.duration)");
        assert_eq!(policy.latency.max_increase, 0.2);
        assert_eq!(policy.on_inconclusive, OnInconclusive::Neutral);
        assert_eq!(policy.exit_for(Verdict::Inconclusive), Exit::Inconclusive);
    }

    #[test]
    fn bad_values_are_explained() {
        let minutes = |m: u64| Duration::from_secs(60 * m);
        let cases = [
            (
                PolicySpec {
                    interval: Duration::ZERO,
                    ..spec()
                },
                "--interval",
            ),
            (
                PolicySpec {
                    soak: minutes(10),
                    timeout: Some(minutes(5)),
                    ..spec()
                },
                "shorter than --soak",
            ),
            (
                PolicySpec {
                    level: "critical".into(),
                    ..spec()
                },
                "debug, info, warning, error, fatal",
            ),
            (
                PolicySpec {
                    max_increase: -5.0,
                    ..spec()
                },
                "--max-increase",
            ),
            (
                PolicySpec {
                    min_crash_free: 150.0,
                    ..spec()
                },
                "--min-crash-free",
            ),
            (
                PolicySpec {
                    environment: " ".into(),
                    ..spec()
                },
                "--env must not be empty",
            ),
            (
                PolicySpec {
                    soak: Duration::from_secs(u64::MAX),
                    ..spec()
                },
                "--soak",
            ),
            (
                PolicySpec {
                    timeout: Some(Duration::from_secs(100_000_000 * 86_400)),
                    ..spec()
                },
                "--timeout 2400000000h is longer than a gate can watch: use at most 720h",
            ),
            (
                PolicySpec {
                    interval: MAX_WATCH + Duration::from_secs(1),
                    ..spec()
                },
                "--interval",
            ),
            (
                PolicySpec {
                    max_error_rate: Some(0.0),
                    ..spec()
                },
                "--max-error-rate",
            ),
            (
                PolicySpec {
                    baseline: "last:0".into(),
                    ..spec()
                },
                "K from 1 to 10",
            ),
            (
                PolicySpec {
                    latency_percentile: 97,
                    ..spec()
                },
                "use one of 50, 75, 90, 95, 99",
            ),
            (
                PolicySpec {
                    max_latency_increase: 0.0,
                    ..spec()
                },
                "--max-latency-increase",
            ),
        ];
        for (spec, message) in cases {
            let err = Policy::from_spec(spec.clone()).unwrap_err().to_string();
            assert!(err.contains(message), "{spec:?}: {err}");
        }
    }

    #[test]
    fn baselines_are_previous_pooled_or_a_version() {
        let parse = |text: &str| Baseline::parse(text).unwrap();
        assert_eq!(parse("previous"), Baseline::Recent(1));
        assert_eq!(parse(" last:3 "), Baseline::Recent(3));
        assert_eq!(parse("1.4.0"), Baseline::Version("1.4.0".into()));
        assert_eq!(parse("last:3").name(), "last:3");
        assert_eq!(parse("last:1").name(), "previous");
        for bad in ["", "last:", "last:11", "last:two"] {
            assert!(Baseline::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_new_issue_counts_at_either_minimum() {
        let filter = Policy::from_spec(spec()).unwrap().issues;
        assert!(!filter.reached(1, 1), "one handled event by one user");
        assert!(filter.reached(10, 1));
        assert!(filter.reached(2, 3));
        assert!(!filter.reached(9, 2));
    }

    #[test]
    fn verdicts_map_to_exits_under_the_policy() {
        let mut policy = Policy::from_spec(spec()).unwrap();
        assert_eq!(policy.exit_for(Verdict::Pass), Exit::Success);
        assert_eq!(policy.exit_for(Verdict::Fail), Exit::GateFailed);
        policy.on_inconclusive = OnInconclusive::Fail;
        assert_eq!(policy.exit_for(Verdict::Inconclusive), Exit::GateFailed);
        policy.on_inconclusive = OnInconclusive::Pass;
        assert_eq!(policy.exit_for(Verdict::Inconclusive), Exit::Success);
        policy.report_only = true;
        assert_eq!(policy.exit_for(Verdict::Fail), Exit::Success);
    }

    #[test]
    fn levels_include_everything_above() {
        assert_eq!(Level::parse("fatal").unwrap().search_term(), "level:fatal");
        assert_eq!(
            Level::parse("Warning").unwrap().search_term(),
            "level:[warning,error,fatal]"
        );
    }

    #[test]
    fn single_check_uses_the_command_defaults_without_soak() {
        let policy = Policy::single_check("1.2.0", "prod", vec![]).unwrap();
        assert_eq!(policy.soak, Duration::ZERO);
        assert_eq!(policy.timeout, Duration::ZERO);
        assert_eq!(policy.max_increase, 0.25);
        assert!(policy.allow_partial);
    }

    #[test]
    fn durations_and_percentages_print_like_the_flags() {
        assert_eq!(human_duration(Duration::from_secs(5400)), "1h30m");
        assert_eq!(human_duration(Duration::ZERO), "0s");
        assert_eq!(percent(0.25), "25%");
        assert_eq!(percent(0.995), "99.5%");
        assert_eq!(probability(0.0421), "0.042");
        assert_eq!(probability(1.58e-14), "1.6e-14");
        assert_eq!(probability(0.0), "0.000");
    }
}
