//! The rules: pure functions from one look's observations to a status with the numbers behind it.

use super::acks::{AckState, Acks};
use super::policy::{
    ALPHA, MIN_EVENTS_WITHOUT_EXPOSURE, MIN_SESSIONS, MIN_TRANSACTIONS, Policy, percent,
    probability,
};
use super::sentry_data::{
    ErrorRateData, ExposureKind, IssueSearch, Observations, Observed, SessionData, Side,
    Unavailable,
};
use super::stats::{RateComparison, binomial_upper_tail, compare_rates};
use crate::sentry::models::Issue;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Value, json};

/// Shares of each look's false-alarm budget: the error rate, then the crash-free floor and the
/// crash-rate comparison. Their sum is 1, so the gate as a whole stays within α (union bound).
const ERROR_RATE_SHARE: f64 = 0.5;
const CRASH_FLOOR_SHARE: f64 = 0.25;
const CRASH_BASELINE_SHARE: f64 = 0.25;

/// How a rule ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Nothing wrong, with enough data.
    Pass,
    /// A regression.
    Fail,
    /// Not enough data (yet).
    Inconclusive,
    /// Cannot be evaluated here; the reason is given.
    Skipped,
}

impl Status {
    /// The upper-case label of tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::Inconclusive => "INCONCLUSIVE",
            Self::Skipped => "SKIPPED",
        }
    }
}

/// The rules, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Issues first seen in the release after the deploy.
    NewIssues,
    /// Issues that regressed in the release after the deploy.
    RegressedIssues,
    /// Error events per exposure against the baseline.
    ErrorRate,
    /// Crash-free sessions against a floor and the baseline.
    CrashFree,
}

impl Rule {
    /// The rule's name in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Self::NewIssues => "new-issues",
            Self::RegressedIssues => "regressed-issues",
            Self::ErrorRate => "error-rate",
            Self::CrashFree => "crash-free",
        }
    }
}

/// A commit of the release that touched a file in the issue's in-app stack frames.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuspectCommit {
    /// The changed file.
    pub file: String,
    /// The first line of the commit message.
    pub commit: String,
    /// The author's name, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
}

/// An issue a rule found, with what the report shows of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlaggedIssue {
    /// Numeric id.
    pub id: String,
    /// Short id, e.g. `WEB-1A3`.
    pub short_id: String,
    /// Title.
    pub title: String,
    /// Level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Events since the deploy.
    pub count: u64,
    /// Users affected.
    pub users: u64,
    /// Web link.
    pub link: String,
    /// Why it does not count, when an acknowledgement covers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<String>,
    /// An acknowledgement that covered it and expired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledgement_expired: Option<String>,
    /// Commits of the release that touched its in-app frames.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suspect_commits: Vec<SuspectCommit>,
}

impl FlaggedIssue {
    /// Whether it counts against the rule.
    pub fn counts(&self) -> bool {
        self.acknowledged.is_none()
    }
}

/// One rule's result with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleOutcome {
    /// Which rule.
    pub rule: Rule,
    /// How it ended.
    pub status: Status,
    /// The measured value.
    pub value: String,
    /// The baseline's value, where there is one.
    pub baseline: Option<String>,
    /// What passes.
    pub threshold: String,
    /// The numbers and the reasoning, in one sentence.
    pub detail: String,
    /// The raw numbers, for programs.
    pub numbers: Value,
    /// The issues it found.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub issues: Vec<FlaggedIssue>,
    /// The scope whose absence skipped it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_scope: Option<&'static str>,
}

/// The false-alarm budget of one look.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LookBudget {
    /// What this look may spend.
    pub alpha: f64,
    /// What has been spent including this look.
    pub spent: f64,
}

/// What the rules need besides the observations.
pub struct RuleInputs<'a> {
    /// The policy.
    pub policy: &'a Policy,
    /// Acknowledged issues.
    pub acks: &'a Acks,
    /// Today, for acknowledgement expiry.
    pub today: NaiveDate,
    /// This look's budget.
    pub budget: LookBudget,
    /// Why there is no baseline, when there is none.
    pub no_baseline: Option<&'a str>,
    /// The web link of an issue.
    pub link: &'a (dyn Fn(&Issue) -> String + Sync),
}

/// Every rule's outcome for one look.
pub fn evaluate(observations: &Observations, inputs: &RuleInputs<'_>) -> Vec<RuleOutcome> {
    vec![
        issue_rule(
            Rule::NewIssues,
            &observations.new_issues,
            inputs.policy.max_new_issues,
            inputs,
        ),
        issue_rule(Rule::RegressedIssues, &observations.regressed, 0, inputs),
        error_rate(&observations.errors, inputs),
        crash_free(&observations.sessions, inputs),
    ]
}

fn skipped(rule: Rule, threshold: String, why: &Unavailable) -> RuleOutcome {
    RuleOutcome {
        rule,
        status: Status::Skipped,
        value: "-".into(),
        baseline: None,
        threshold,
        detail: format!("skipped: {}", why.reason),
        numbers: Value::Null,
        issues: Vec::new(),
        missing_scope: why.missing_scope,
    }
}

fn issue_rule(
    rule: Rule,
    search: &Observed<IssueSearch>,
    allowed: u64,
    inputs: &RuleInputs<'_>,
) -> RuleOutcome {
    let threshold = format!("≤ {allowed}");
    let search = match search {
        Ok(search) => search,
        Err(why) => return skipped(rule, threshold, why),
    };
    let issues: Vec<FlaggedIssue> = search
        .issues
        .iter()
        .map(|issue| flag(issue, inputs))
        .collect();
    let acknowledged = issues.iter().filter(|i| !i.counts()).count() as u64;
    let counted = search.total.saturating_sub(acknowledged);
    let status = if counted > allowed {
        Status::Fail
    } else {
        Status::Pass
    };
    let noun = match rule {
        Rule::RegressedIssues => "regressed issue(s)",
        _ => "new issue(s)",
    };
    RuleOutcome {
        rule,
        status,
        value: counted.to_string(),
        baseline: None,
        threshold,
        detail: format!(
            "{counted} {noun} counted, {acknowledged} acknowledged; search: {}",
            search.query
        ),
        numbers: json!({"count": counted, "acknowledged": acknowledged, "allowed": allowed, "query": search.query}),
        issues,
        missing_scope: None,
    }
}

fn flag(issue: &Issue, inputs: &RuleInputs<'_>) -> FlaggedIssue {
    let state = inputs.acks.state_of(issue, inputs.today);
    FlaggedIssue {
        id: issue.id.clone(),
        short_id: issue.short_id.clone(),
        title: issue.title.clone(),
        level: issue.level.clone(),
        count: issue.count,
        users: issue.user_count,
        link: (inputs.link)(issue),
        acknowledged: match state {
            Some(AckState::Active(ack)) => Some(ack.describe()),
            _ => None,
        },
        acknowledgement_expired: match state {
            Some(AckState::Expired(ack)) => Some(ack.describe()),
            _ => None,
        },
        suspect_commits: Vec::new(),
    }
}

fn unit(kind: ExposureKind) -> &'static str {
    match kind {
        ExposureKind::Sessions => "sessions",
        ExposureKind::Transactions => "transactions",
        ExposureKind::Minutes => "minutes",
    }
}

/// A rate the way people read it: per 1k sessions or transactions, or per minute.
fn rate_text(kind: ExposureKind, side: &Side) -> String {
    let per = |scale: f64| {
        if side.exposure > 0.0 {
            side.errors as f64 / side.exposure * scale
        } else {
            0.0
        }
    };
    match kind {
        ExposureKind::Sessions => format!("{:.2} errors/1k sessions", per(1000.0)),
        ExposureKind::Transactions => format!("{:.2} errors/1k transactions", per(1000.0)),
        ExposureKind::Minutes => format!("{:.2} errors/min", per(1.0)),
    }
}

/// Counts as integers, minutes with one decimal.
fn amount(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

fn ratio_text(comparison: &RateComparison) -> String {
    let bound = |b: f64| {
        if b.is_finite() {
            format!("{b:.2}")
        } else {
            "∞".into()
        }
    };
    match comparison.ratio {
        None => "no errors in either window".into(),
        Some(ratio) => format!(
            "×{} (95% CI {}–{})",
            bound(ratio),
            bound(comparison.interval.0),
            bound(comparison.interval.1)
        ),
    }
}

fn error_rate(data: &Observed<ErrorRateData>, inputs: &RuleInputs<'_>) -> RuleOutcome {
    let policy = inputs.policy;
    let threshold = format!("≤ +{}", percent(policy.max_increase));
    let data = match data {
        Ok(data) => data,
        Err(why) => return skipped(Rule::ErrorRate, threshold, why),
    };
    let value = rate_text(data.kind, &data.candidate);
    let Some(base) = &data.baseline else {
        let reason = inputs.no_baseline.unwrap_or("there is no baseline");
        return RuleOutcome {
            value,
            numbers: json!({"errors": data.candidate.errors}),
            ..skipped(
                Rule::ErrorRate,
                threshold,
                &Unavailable {
                    reason: reason.to_owned(),
                    missing_scope: None,
                },
            )
        };
    };
    let candidate = &data.candidate;
    let alpha = inputs.budget.alpha * ERROR_RATE_SHARE;
    let unit = unit(data.kind);
    let comparison = compare_rates(
        candidate.errors,
        candidate.exposure.max(f64::MIN_POSITIVE),
        base.errors,
        base.exposure.max(f64::MIN_POSITIVE),
        policy.max_increase,
    );
    let enough = match data.kind {
        ExposureKind::Sessions => {
            candidate.exposure >= MIN_SESSIONS as f64 && base.exposure >= MIN_SESSIONS as f64
        }
        ExposureKind::Transactions => {
            candidate.exposure >= MIN_TRANSACTIONS as f64
                && base.exposure >= MIN_TRANSACTIONS as f64
        }
        ExposureKind::Minutes => candidate.errors + base.errors >= MIN_EVENTS_WITHOUT_EXPOSURE,
    };
    let no_traffic = candidate.exposure <= 0.0 || base.exposure <= 0.0;
    let status = if no_traffic {
        Status::Inconclusive
    } else if comparison.p_value <= alpha {
        Status::Fail
    } else if enough {
        Status::Pass
    } else {
        Status::Inconclusive
    };
    let mut detail = format!(
        "{}; {} vs {} errors over {} vs {} {unit}; p = {} vs this look's α {} (spent {} of {})",
        ratio_text(&comparison),
        candidate.errors,
        base.errors,
        amount(candidate.exposure),
        amount(base.exposure),
        probability(comparison.p_value),
        probability(alpha),
        probability(inputs.budget.spent),
        ALPHA,
    );
    if status == Status::Inconclusive {
        detail.push_str(&format!(
            "; too little traffic to decide: {}",
            match data.kind {
                ExposureKind::Sessions => format!("needs {MIN_SESSIONS} sessions in each window"),
                ExposureKind::Transactions =>
                    format!("needs {MIN_TRANSACTIONS} transactions in each window"),
                ExposureKind::Minutes => format!(
                    "without session or transaction counts, needs {MIN_EVENTS_WITHOUT_EXPOSURE} error events in the two windows together"
                ),
            }
        ));
    }
    if let Some(note) = &data.note {
        detail.push_str(&format!("; no transaction counts: {note}"));
    }
    RuleOutcome {
        rule: Rule::ErrorRate,
        status,
        value,
        baseline: Some(rate_text(data.kind, base)),
        threshold,
        detail,
        numbers: json!({
            "exposure": unit,
            "candidate": {"version": candidate.version, "errors": candidate.errors, "exposure": candidate.exposure,
                          "start": candidate.window.start, "end": candidate.window.end},
            "baseline": {"version": base.version, "errors": base.errors, "exposure": base.exposure,
                         "start": base.window.start, "end": base.window.end},
            "ratio": comparison.ratio.filter(|r| r.is_finite()),
            "ratio_interval_95": [comparison.interval.0, comparison.interval.1],
            "p_value": comparison.p_value,
            "look_alpha": alpha,
            "alpha_spent": inputs.budget.spent,
        }),
        issues: Vec::new(),
        missing_scope: None,
    }
}

fn crash_free(sessions: &Observed<Option<SessionData>>, inputs: &RuleInputs<'_>) -> RuleOutcome {
    let policy = inputs.policy;
    let threshold = format!(
        "≥ {}, crash rate ≤ +{}",
        percent(policy.min_crash_free),
        percent(policy.max_increase)
    );
    let data = match sessions {
        Ok(Some(data)) => data,
        Ok(None) => {
            let why = Unavailable {
                reason: "the projects send no sessions (release health is off), so there is no crash-free rate".into(),
                missing_scope: None,
            };
            return skipped(Rule::CrashFree, threshold, &why);
        }
        Err(why) => return skipped(Rule::CrashFree, threshold, why),
    };
    let rate_of = |sessions: u64, crashed: u64| {
        if sessions == 0 {
            "-".to_owned()
        } else {
            percent(1.0 - crashed as f64 / sessions as f64)
        }
    };
    let candidate = data.candidate;
    let floor_alpha = inputs.budget.alpha * CRASH_FLOOR_SHARE;
    let floor_p = binomial_upper_tail(
        candidate.crashed,
        candidate.sessions,
        1.0 - policy.min_crash_free,
    );
    let comparison = data
        .baseline
        .filter(|b| b.sessions >= MIN_SESSIONS)
        .map(|base| {
            compare_rates(
                candidate.crashed,
                candidate.sessions.max(1) as f64,
                base.crashed,
                base.sessions as f64,
                policy.max_increase,
            )
        });
    let baseline_alpha = inputs.budget.alpha * CRASH_BASELINE_SHARE;
    let below_floor = candidate.sessions > 0 && floor_p <= floor_alpha;
    let above_baseline = comparison.is_some_and(|c| c.p_value <= baseline_alpha);
    let status = if below_floor || above_baseline {
        Status::Fail
    } else if candidate.sessions >= MIN_SESSIONS {
        Status::Pass
    } else {
        Status::Inconclusive
    };
    let mut detail = format!(
        "{} of {} sessions crashed; below the floor: p = {} vs α {}",
        candidate.crashed,
        candidate.sessions,
        probability(floor_p),
        probability(floor_alpha)
    );
    match (&comparison, data.baseline) {
        (Some(c), Some(base)) => detail.push_str(&format!(
            "; crash rate against the baseline ({} of {} crashed): {}, p = {} vs α {}",
            base.crashed,
            base.sessions,
            ratio_text(c),
            probability(c.p_value),
            probability(baseline_alpha)
        )),
        _ => detail.push_str(&format!(
            "; no baseline with {MIN_SESSIONS} sessions to compare with"
        )),
    }
    if status == Status::Inconclusive {
        detail.push_str(&format!("; too few sessions to pass: needs {MIN_SESSIONS}"));
    }
    detail.push_str(" (the sessions API counts whole hours)");
    RuleOutcome {
        rule: Rule::CrashFree,
        status,
        value: rate_of(candidate.sessions, candidate.crashed),
        baseline: data.baseline.map(|b| rate_of(b.sessions, b.crashed)),
        threshold,
        detail,
        numbers: json!({
            "sessions": candidate.sessions,
            "crashed": candidate.crashed,
            "floor_p_value": floor_p,
            "baseline": data.baseline.map(|b| json!({"sessions": b.sessions, "crashed": b.crashed})),
            "baseline_p_value": comparison.map(|c| c.p_value),
            "alpha_spent": inputs.budget.spent,
        }),
        issues: Vec::new(),
        missing_scope: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::sentry_data::{SessionTotals, Window, parse_time};

    fn policy() -> Policy {
        Policy::single_check("2.0", "production", vec![]).unwrap()
    }

    fn window() -> Window {
        Window {
            start: parse_time("2026-03-01T12:00:00Z").unwrap(),
            end: parse_time("2026-03-01T12:10:00Z").unwrap(),
        }
    }

    fn side(version: &str, errors: u64, exposure: f64) -> Side {
        Side {
            version: version.into(),
            window: window(),
            errors,
            exposure,
        }
    }

    fn issue(short_id: &str) -> Issue {
        serde_json::from_value(json!({"id": "7", "shortId": short_id, "title": "TypeError: boom", "count": "12", "userCount": 3}))
            .unwrap()
    }

    fn search(issues: Vec<Issue>) -> Observed<IssueSearch> {
        Ok(IssueSearch {
            query: "firstRelease:2.0".into(),
            total: issues.len() as u64,
            issues,
        })
    }

    fn observations(
        new: Vec<Issue>,
        errors: Observed<ErrorRateData>,
        sessions: Observed<Option<SessionData>>,
    ) -> Observations {
        Observations {
            at: window().end,
            new_issues: search(new),
            regressed: search(vec![]),
            sessions,
            errors,
        }
    }

    fn run(observations: &Observations, policy: &Policy, acks: &Acks) -> Vec<RuleOutcome> {
        let link = |i: &Issue| format!("https://sentry.example/issues/{}/", i.id);
        let inputs = RuleInputs {
            policy,
            acks,
            today: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            budget: LookBudget {
                alpha: ALPHA,
                spent: ALPHA,
            },
            no_baseline: Some("no earlier release"),
            link: &link,
        };
        evaluate(observations, &inputs)
    }

    fn rates(kind: ExposureKind, c: (u64, f64), b: (u64, f64)) -> Observed<ErrorRateData> {
        Ok(ErrorRateData {
            kind,
            candidate: side("2.0", c.0, c.1),
            baseline: Some(side("1.0", b.0, b.1)),
            note: None,
        })
    }

    fn no_sessions() -> Observed<Option<SessionData>> {
        Ok(None)
    }

    #[test]
    fn a_new_issue_fails_unless_acknowledged_or_allowed() {
        let obs = observations(
            vec![issue("WEB-1")],
            rates(ExposureKind::Transactions, (10, 5000.0), (10, 5000.0)),
            no_sessions(),
        );
        let outcomes = run(&obs, &policy(), &Acks::default());
        assert_eq!(outcomes[0].status, Status::Fail);
        assert_eq!(outcomes[0].issues[0].short_id, "WEB-1");
        assert_eq!(
            outcomes[0].issues[0].link,
            "https://sentry.example/issues/7/"
        );

        let acks =
            Acks::parse("[[ack]]\nissue = \"WEB-1\"\nreason = \"known\"\nuntil = 2026-03-01\n")
                .unwrap();
        let outcomes = run(&obs, &policy(), &acks);
        assert_eq!(outcomes[0].status, Status::Pass);
        assert!(outcomes[0].issues[0].acknowledged.is_some());

        let mut lenient = policy();
        lenient.max_new_issues = 1;
        assert_eq!(
            run(&obs, &lenient, &Acks::default())[0].status,
            Status::Pass
        );
    }

    #[test]
    fn a_credible_error_rate_increase_fails_with_the_ratio() {
        let obs = observations(
            vec![],
            rates(ExposureKind::Transactions, (300, 10_000.0), (100, 10_000.0)),
            no_sessions(),
        );
        let outcome = &run(&obs, &policy(), &Acks::default())[2];
        assert_eq!(outcome.status, Status::Fail);
        assert!(
            outcome.detail.starts_with("×3.00 (95% CI"),
            "{}",
            outcome.detail
        );
        assert_eq!(outcome.value, "30.00 errors/1k transactions");
        assert_eq!(
            outcome.baseline.as_deref(),
            Some("10.00 errors/1k transactions")
        );
    }

    #[test]
    fn an_increase_within_the_margin_passes() {
        let obs = observations(
            vec![],
            rates(ExposureKind::Transactions, (110, 10_000.0), (100, 10_000.0)),
            no_sessions(),
        );
        assert_eq!(
            run(&obs, &policy(), &Acks::default())[2].status,
            Status::Pass
        );
    }

    #[test]
    fn too_little_traffic_is_inconclusive_never_a_pass() {
        let obs = observations(
            vec![],
            rates(ExposureKind::Minutes, (2, 10.0), (1, 10.0)),
            no_sessions(),
        );
        let outcome = &run(&obs, &policy(), &Acks::default())[2];
        assert_eq!(outcome.status, Status::Inconclusive);
        assert!(
            outcome.detail.contains("too little traffic"),
            "{}",
            outcome.detail
        );
        let few_transactions = observations(
            vec![],
            rates(ExposureKind::Transactions, (0, 50.0), (0, 60.0)),
            no_sessions(),
        );
        assert_eq!(
            run(&few_transactions, &policy(), &Acks::default())[2].status,
            Status::Inconclusive
        );
    }

    #[test]
    fn a_look_tests_only_at_its_share_of_the_budget() {
        let obs = observations(
            vec![],
            rates(ExposureKind::Transactions, (160, 10_000.0), (90, 10_000.0)),
            no_sessions(),
        );
        let link = |i: &Issue| i.id.clone();
        let policy = policy();
        let acks = Acks::default();
        let with_budget = |alpha| RuleInputs {
            policy: &policy,
            acks: &acks,
            today: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            budget: LookBudget {
                alpha,
                spent: alpha,
            },
            no_baseline: None,
            link: &link,
        };
        // p ≈ 0.004: a failure with the whole budget (half of it for this rule), not with a sliver.
        assert_eq!(evaluate(&obs, &with_budget(0.05))[2].status, Status::Fail);
        assert_eq!(evaluate(&obs, &with_budget(0.001))[2].status, Status::Pass);
    }

    #[test]
    fn crash_free_checks_the_floor_and_the_baseline_or_says_why_not() {
        let totals = |sessions, crashed| SessionTotals {
            sessions,
            crashed,
            range: window(),
        };
        let errors = rates(ExposureKind::Sessions, (10, 5000.0), (10, 5000.0));
        let healthy = observations(
            vec![],
            errors.clone(),
            Ok(Some(SessionData {
                candidate: totals(5000, 5),
                baseline: Some(totals(5000, 5)),
            })),
        );
        let outcome = &run(&healthy, &policy(), &Acks::default())[3];
        assert_eq!(outcome.status, Status::Pass, "{}", outcome.detail);
        assert_eq!(outcome.value, "99.9%");

        let crashing = observations(
            vec![],
            errors.clone(),
            Ok(Some(SessionData {
                candidate: totals(5000, 150),
                baseline: Some(totals(5000, 5)),
            })),
        );
        assert_eq!(
            run(&crashing, &policy(), &Acks::default())[3].status,
            Status::Fail
        );
        let outcome = &run(
            &observations(vec![], errors, no_sessions()),
            &policy(),
            &Acks::default(),
        )[3];
        assert_eq!(outcome.status, Status::Skipped);
        assert!(
            outcome.detail.contains("send no sessions"),
            "{}",
            outcome.detail
        );
    }

    #[test]
    fn unavailable_data_skips_with_the_scope() {
        let denied = Unavailable {
            reason: "the token lacks `event:read`".into(),
            missing_scope: Some("event:read"),
        };
        let mut obs = observations(vec![], Err(denied.clone()), Err(denied.clone()));
        obs.new_issues = Err(denied);
        let outcomes = run(&obs, &policy(), &Acks::default());
        assert_eq!(outcomes[0].status, Status::Skipped);
        assert_eq!(outcomes[0].missing_scope, Some("event:read"));
        assert!(outcomes[0].detail.contains("event:read"));
        assert_eq!(outcomes[2].status, Status::Skipped);
    }

    #[test]
    fn without_a_baseline_the_error_rate_is_skipped_but_shown() {
        let obs = observations(
            vec![],
            Ok(ErrorRateData {
                kind: ExposureKind::Minutes,
                candidate: side("2.0", 20, 10.0),
                baseline: None,
                note: None,
            }),
            no_sessions(),
        );
        let outcome = &run(&obs, &policy(), &Acks::default())[2];
        assert_eq!(outcome.status, Status::Skipped);
        assert_eq!(outcome.value, "2.00 errors/min");
        assert!(outcome.detail.contains("no earlier release"));
    }
}
