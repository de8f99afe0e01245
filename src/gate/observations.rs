//! What one look at Sentry saw: the settled setup (projects, deploy, baseline) and each rule's data.
//!
//! Plain data, no requests: `sentry_data` fills these in, the rules read them.

use crate::sentry::models::Issue;
use chrono::{DateTime, Utc};

/// A span of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// The deploy's `dateFinished` (or the start of the run when none is recorded): windows start here.
    pub deployed: DateTime<Utc>,
    /// Issues count from here: the deploy's start when recorded (a crash during the rollout counts).
    pub issues_since: Option<DateTime<Utc>>,
    /// Whether Sentry has a deploy of the release to the environment.
    pub recorded: bool,
}

/// The release compared against, and when it was deployed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineRelease {
    /// Its version.
    pub version: String,
    /// Its deploy to the environment.
    pub deployed: DateTime<Utc>,
}

/// What is settled once per run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    /// The projects.
    pub scope: Scope,
    /// The deploy.
    pub anchor: Anchor,
    /// The baseline, or why there is none.
    pub baseline: Result<BaselineRelease, String>,
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
    /// The baseline, when there is one with data.
    pub baseline: Option<SessionTotals>,
}

/// What error counts are divided by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExposureKind {
    /// Sessions (release health).
    Sessions,
    /// Transactions (performance monitoring).
    Transactions,
    /// Minutes of the window: nothing better is known.
    Minutes,
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
    /// Sessions, transactions or minutes.
    pub exposure: f64,
}

/// Error counts of the candidate and, when there is one, the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorRateData {
    /// What the counts are divided by.
    pub kind: ExposureKind,
    /// The release watched.
    pub candidate: Side,
    /// The baseline over the matched window.
    pub baseline: Option<Side>,
    /// Why a better exposure was not used, when that is worth saying.
    pub note: Option<String>,
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
    pub errors: Observed<ErrorRateData>,
}
