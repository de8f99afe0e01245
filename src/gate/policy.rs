//! The policy in force: what the gate watches, for how long, and what each verdict exits with.

use crate::exit::Exit;
use serde_json::{Value, json};
use std::time::Duration;

/// The false-alarm budget of the statistical rules over the whole watch (one-sided).
pub const ALPHA: f64 = 0.05;
/// Sessions each release needs in its window before the session-based checks may pass.
pub const MIN_SESSIONS: u64 = 500;
/// Transactions each release needs in its window before the error rate may pass.
pub const MIN_TRANSACTIONS: u64 = 1000;
/// Error events both windows need together when there is no session or transaction count.
pub const MIN_EVENTS_WITHOUT_EXPOSURE: u64 = 10;

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
    /// `previous` or a version.
    pub baseline: String,
    /// Largest tolerated increase of a rate over the baseline, in percent.
    pub max_increase: f64,
    /// Lowest crash-free session rate, in percent.
    pub min_crash_free: f64,
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
            min_crash_free: 99.0,
            on_inconclusive: OnInconclusive::Neutral,
            report_only: false,
            allow_partial: false,
        }
    }
}

/// The release the candidate is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Baseline {
    /// The release deployed to the same environment before this one.
    Previous,
    /// A named release.
    Version(String),
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
    /// Lowest crash-free session rate, as a fraction (0.99 = 99 %).
    pub min_crash_free: f64,
    /// What an inconclusive verdict exits with.
    pub on_inconclusive: OnInconclusive,
    /// Exit 0 whatever the verdict.
    pub report_only: bool,
    /// Skip rules the token cannot evaluate instead of failing.
    pub allow_partial: bool,
}

impl Policy {
    /// The policy a spec asks for; bad values are explained.
    pub fn from_spec(spec: PolicySpec) -> Result<Self, InvalidPolicy> {
        let invalid = |message: &str| Err(InvalidPolicy(message.to_owned()));
        let version = required(&spec.version, "VERSION")?;
        let environment = required(&spec.environment, "--env")?;
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
        if !(0.0..=100.0).contains(&spec.min_crash_free) {
            return invalid("--min-crash-free must be a percentage between 0 and 100, e.g. 99.5");
        }
        let baseline = match spec.baseline.trim() {
            "" => return invalid("--baseline must be `previous` or a version"),
            "previous" => Baseline::Previous,
            version => Baseline::Version(version.to_owned()),
        };
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
            min_crash_free: spec.min_crash_free / 100.0,
            on_inconclusive: spec.on_inconclusive,
            report_only: spec.report_only,
            allow_partial: spec.allow_partial,
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
            Baseline::Previous => format!("the release deployed to {} before it", self.environment),
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
        format!(
            "{timeline} Fail on more than {max_new} new issue(s) or any regressed issue at level {level} or above{extra}; \
             on an error rate credibly more than {increase} above {baseline}; \
             on a crash-free session rate credibly below {floor} or a crash rate credibly more than {increase} above the baseline. \
             False-alarm budget {alpha} spent over the looks (O'Brien-Fleming). \
             Inconclusive exits {inconclusive}{report_only}{partial}.",
            max_new = self.max_new_issues,
            level = self.level.name(),
            increase = percent(self.max_increase),
            floor = percent(self.min_crash_free),
            alpha = ALPHA,
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
            "level": self.level.name(),
            "query": self.query,
            "baseline": match &self.baseline {
                Baseline::Previous => "previous",
                Baseline::Version(version) => version,
            },
            "max_increase_percent": self.max_increase * 100.0,
            "min_crash_free_percent": self.min_crash_free * 100.0,
            "alpha": ALPHA,
            "alpha_spending": "O'Brien-Fleming",
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
        assert_eq!(policy.baseline, Baseline::Previous);
        assert_eq!(policy.max_increase, 0.25);
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
        ];
        for (spec, message) in cases {
            let err = Policy::from_spec(spec.clone()).unwrap_err().to_string();
            assert!(err.contains(message), "{spec:?}: {err}");
        }
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
