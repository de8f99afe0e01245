//! What one look at Sentry saw: the settled setup (projects, deploy, baselines) and each rule's data.
//!
//! Plain data, no requests: `sentry_data` fills these in, the rules read them.

use crate::sentry::models::Issue;
use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

/// A span of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    /// Inclusive start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
}

impl Window {
    /// Its length in minutes.
    pub fn minutes(&self) -> f64 {
        (self.end - self.start).num_milliseconds().max(0) as f64 / 60_000.0
    }

    /// The same span `back` earlier.
    pub fn earlier(&self, back: TimeDelta) -> Self {
        Self {
            start: self.start - back,
            end: self.end - back,
        }
    }
}

/// What a rule could not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    /// The reason, for the report.
    pub reason: String,
    /// The scope the token lacks, when that is the reason.
    pub missing_scope: Option<&'static str>,
}

/// An answer, or why there is none.
pub type Observed<T> = Result<T, Unavailable>;

/// The projects the gate looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// Values of the `project` parameter: ids, or slugs when ids could not be read.
    pub project_params: Vec<String>,
    /// Whether the projects send sessions: `None` when unknown.
    pub sends_sessions: Option<bool>,
}

/// Where the watch starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    /// The deploy's `dateFinished` (or the start of the run when none is recorded): the soak and
    /// the timeout count from here.
    pub deployed: DateTime<Utc>,
    /// The deploy's `dateStarted` when recorded (else its end): issues and rates count from here, so
    /// the rollout is inside every window. `None` when no deploy is recorded.
    pub since: Option<DateTime<Utc>>,
    /// Whether Sentry has a deploy of the release to the environment.
    pub recorded: bool,
}

impl Anchor {
    /// Where the candidate's rate window starts.
    pub fn window_start(&self) -> DateTime<Utc> {
        self.since.unwrap_or(self.deployed)
    }
}

/// A release compared against, and when it served the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineRelease {
    /// Its version.
    pub version: String,
    /// Its deploy to the environment.
    pub deployed: DateTime<Utc>,
    /// When the next release's deploy to the environment started (it served until then).
    pub until: DateTime<Utc>,
}

/// What is settled once per run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    /// The projects.
    pub scope: Scope,
    /// The deploy.
    pub anchor: Anchor,
    /// The baseline releases, newest first (several for a pooled baseline), or why there is none.
    pub baselines: Result<Vec<BaselineRelease>, String>,
    /// Things the report should mention.
    pub notes: Vec<String>,
}

/// One issue search and its answer.
#[derive(Debug, Clone)]
pub struct IssueSearch {
    /// The search as sent.
    pub query: String,
    /// The issues listed (at most a page).
    pub issues: Vec<Issue>,
    /// How many match in total.
    pub total: u64,
}

/// How a baseline release's window was chosen, for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum WindowChoice {
    /// The candidate's own window: it still served then (a rollout or canary).
    Concurrent,
    /// The same hours of the clock `days` day(s) earlier, while it served.
    SameHours {
        /// How many days back.
        days: i64,
    },
    /// Its last stretch before the next release replaced it, as long as the candidate's window.
    BeforeReplaced,
}

impl WindowChoice {
    /// In words.
    pub fn describe(&self) -> String {
        match self {
            Self::Concurrent => "concurrent: the same window, while it still served".into(),
            Self::SameHours { days: 1 } => "the same hours one day earlier".into(),
            Self::SameHours { days } => format!("the same hours {days} days earlier"),
            Self::BeforeReplaced => "its last stretch before it was replaced".into(),
        }
    }
}

/// Sessions of one release in one window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionTotals {
    /// Sessions started.
    pub sessions: u64,
    /// Sessions that crashed.
    pub crashed: u64,
    /// The range Sentry counted (the sessions API rounds to whole hours).
    pub range: Window,
}

/// Session counts of the candidate and the baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionData {
    /// The release watched.
    pub candidate: SessionTotals,
    /// The baseline releases that have sessions, pooled, when there are any.
    pub baseline: Option<SessionTotals>,
}

/// What error counts are divided by: one kind for every side, never mixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExposureKind {
    /// Sessions (release health).
    Sessions,
    /// Transactions (tracing).
    Transactions,
}

impl ExposureKind {
    /// The unit's name.
    pub fn unit(self) -> &'static str {
        match self {
            Self::Sessions => "sessions",
            Self::Transactions => "transactions",
        }
    }
}

/// One release's errors and exposure in its window.
#[derive(Debug, Clone, PartialEq)]
pub struct Side {
    /// The release.
    pub version: String,
    /// The range counted.
    pub window: Window,
    /// Error events.
    pub errors: u64,
    /// Sessions or transactions.
    pub exposure: f64,
    /// How a baseline's window was chosen (`None` for the candidate).
    pub choice: Option<WindowChoice>,
}

/// Error counts over one exposure kind for the candidate and the baselines.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorRateData {
    /// What the counts are divided by.
    pub kind: ExposureKind,
    /// The release watched.
    pub candidate: Side,
    /// The baseline releases over their windows (empty: nothing to compare with).
    pub baselines: Vec<Side>,
    /// Why a better exposure was not used, when that is worth saying.
    pub note: Option<String>,
}

impl ErrorRateData {
    /// The baselines as one: errors and exposure summed (`None` without a baseline).
    pub fn pooled_baseline(&self) -> Option<(u64, f64)> {
        (!self.baselines.is_empty()).then(|| {
            self.baselines
                .iter()
                .fold((0, 0.0), |(errors, exposure), side| {
                    (errors + side.errors, exposure + side.exposure)
                })
        })
    }
}

/// The error rates, or why there is no exposure both sides share.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorRates {
    /// Counts over one exposure kind.
    Measured(ErrorRateData),
    /// No exposure kind every side has.
    NoExposure {
        /// The candidate's error events since the deploy, for the report.
        candidate_errors: u64,
        /// What each side has and what to do about it.
        reason: String,
    },
}

/// One release's transactions over its window, as the latency rule reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct LatencySide {
    /// The release.
    pub version: String,
    /// The range counted.
    pub window: Window,
    /// How a baseline's window was chosen (`None` for the candidate).
    pub choice: Option<WindowChoice>,
    /// Transactions.
    pub transactions: u64,
    /// Its transaction duration at the policy's percentile, in milliseconds (`None` without
    /// transactions).
    pub percentile_ms: Option<f64>,
    /// Transactions slower than its threshold: for the candidate `1 + margin` times the
    /// baselines' percentile, for a baseline that percentile itself.
    pub slower: u64,
    /// Failed transactions (a status other than ok, cancelled or unknown).
    pub failed: u64,
}

/// Transaction durations and failures of the candidate and the baselines.
#[derive(Debug, Clone, PartialEq)]
pub struct LatencyData {
    /// The baselines' duration at the percentile (weighted by their transactions), in
    /// milliseconds: what `slower` is measured against; `None` when no baseline has transactions.
    pub threshold_ms: Option<f64>,
    /// The release watched.
    pub candidate: LatencySide,
    /// The baseline releases over their windows (empty: nothing to compare with).
    pub baselines: Vec<LatencySide>,
}

impl LatencyData {
    /// The baselines as one: transactions, slower ones and failed ones, summed.
    pub fn pooled_baseline(&self) -> LatencySide {
        let first = self.baselines.first();
        LatencySide {
            version: self
                .baselines
                .iter()
                .map(|side| side.version.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            window: first.map_or(self.candidate.window, |side| side.window),
            choice: first.and_then(|side| side.choice),
            transactions: self.baselines.iter().map(|side| side.transactions).sum(),
            percentile_ms: self.threshold_ms,
            slower: self.baselines.iter().map(|side| side.slower).sum(),
            failed: self.baselines.iter().map(|side| side.failed).sum(),
        }
    }

    /// Whether any release compared has transactions.
    pub fn any_transactions(&self) -> bool {
        self.candidate.transactions > 0 || self.baselines.iter().any(|s| s.transactions > 0)
    }
}

/// Everything one look saw.
#[derive(Debug, Clone)]
pub struct Observations {
    /// When.
    pub at: DateTime<Utc>,
    /// Issues first seen in the release.
    pub new_issues: Observed<IssueSearch>,
    /// Issues that regressed in the release.
    pub regressed: Observed<IssueSearch>,
    /// Sessions, or `None` when the projects send none.
    pub sessions: Observed<Option<SessionData>>,
    /// Error counts.
    pub errors: Observed<ErrorRates>,
    /// Transaction durations and failures.
    pub latency: Observed<LatencyData>,
}
