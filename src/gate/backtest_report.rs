//! What `release backtest` prints: one row per replayed release (its verdict, each rule's status
//! and numbers, or why its data could not be read) and a summary of what the gate would have done.

use super::error::GateError;
use super::policy::{Policy, Verdict, human_duration};
use super::report::{Report, table};
use super::rules::{Rule, RuleOutcome, Status};
use crate::time::timestamp;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

/// One replayed release.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The release.
    pub version: String,
    /// Its latest deploy to the environment (finished).
    pub deployed_at: DateTime<Utc>,
    /// The instant it was replayed as of: the deploy plus the timeout (now, when sooner).
    pub replayed_at: DateTime<Utc>,
    /// The verdict the gate would have given; `None` when the data could not be read.
    pub verdict: Option<Verdict>,
    /// Why: the verdict's reason, or what could not be read.
    pub reason: String,
    /// The rules that decided: the failed ones of a fail, the undecided ones of an inconclusive
    /// verdict, the evaluated ones of a pass.
    pub decided_by: Vec<&'static str>,
    /// Looks replayed.
    pub looks: u32,
    /// Every rule of the last look, with its numbers.
    pub rules: Vec<RuleOutcome>,
}

impl Row {
    /// The row of one replay.
    pub fn new(
        version: String,
        deployed_at: DateTime<Utc>,
        replayed_at: DateTime<Utc>,
        replayed: Result<Report, GateError>,
    ) -> Self {
        let report = match replayed {
            Ok(report) => report,
            Err(error) => {
                return Self {
                    version,
                    deployed_at,
                    replayed_at,
                    verdict: None,
                    reason: format!("the data could not be read: {error}"),
                    decided_by: Vec::new(),
                    looks: 0,
                    rules: Vec::new(),
                };
            }
        };
        let decided_by = report
            .rules
            .iter()
            .filter(|rule| match report.verdict {
                Verdict::Fail => rule.status == Status::Fail,
                Verdict::Inconclusive => rule.status == Status::Inconclusive,
                Verdict::Pass => rule.status == Status::Pass,
            })
            .map(|rule| rule.rule.name())
            .collect();
        Self {
            version,
            deployed_at,
            replayed_at,
            verdict: Some(report.verdict),
            reason: report.reason,
            decided_by,
            looks: report.looks,
            rules: report.rules,
        }
    }

    /// The verdict and the rules behind it in a few words: `FAIL (error-rate)`.
    pub fn outcome(&self) -> String {
        match self.verdict {
            None => "NOT READ".into(),
            Some(Verdict::Pass) => "PASS".into(),
            Some(verdict) if self.decided_by.is_empty() => verdict.name().to_ascii_uppercase(),
            Some(verdict) => format!(
                "{} ({})",
                verdict.name().to_ascii_uppercase(),
                self.decided_by.join(", ")
            ),
        }
    }

    fn status_of(&self, rule: Rule) -> &'static str {
        self.rules
            .iter()
            .find(|outcome| outcome.rule == rule)
            .map_or("-", |outcome| outcome.status.label())
    }

    /// The reason and each evaluated rule's numbers, indented under the table.
    fn detail(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "{} (deployed {}, replayed as of {}): {} — {}",
            self.version,
            timestamp(self.deployed_at),
            timestamp(self.replayed_at),
            self.outcome(),
            self.reason
        )];
        for outcome in self.rules.iter().filter(|o| o.status != Status::Skipped) {
            let baseline = outcome
                .baseline
                .as_deref()
                .map(|b| format!(" against {b}"))
                .unwrap_or_default();
            lines.push(format!(
                "  {} {}: {}{baseline} (threshold {})",
                outcome.rule.name(),
                outcome.status.label(),
                outcome.value,
                outcome.threshold
            ));
        }
        lines
    }
}

/// How many releases a rule decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    /// The rule.
    pub rule: &'static str,
    /// Releases.
    pub releases: usize,
}

/// What the gate would have done over the replayed releases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Releases replayed.
    pub releases: usize,
    /// Would have passed.
    pub pass: usize,
    /// Would have failed.
    pub fail: usize,
    /// Would have been inconclusive.
    pub inconclusive: usize,
    /// Whose data could not be read.
    pub not_read: usize,
    /// The rules that failed releases, with how many each.
    pub failed_by: Vec<RuleCount>,
    /// The rules left undecided in inconclusive releases, with how many each.
    pub undecided_on: Vec<RuleCount>,
}

impl Summary {
    fn of(rows: &[Row]) -> Self {
        let count = |verdict: Option<Verdict>| rows.iter().filter(|r| r.verdict == verdict).count();
        let deciding = |verdict: Verdict| {
            Rule::ALL
                .iter()
                .map(|rule| RuleCount {
                    rule: rule.name(),
                    releases: rows
                        .iter()
                        .filter(|r| {
                            r.verdict == Some(verdict) && r.decided_by.contains(&rule.name())
                        })
                        .count(),
                })
                .filter(|count| count.releases > 0)
                .collect()
        };
        Self {
            releases: rows.len(),
            pass: count(Some(Verdict::Pass)),
            fail: count(Some(Verdict::Fail)),
            inconclusive: count(Some(Verdict::Inconclusive)),
            not_read: count(None),
            failed_by: deciding(Verdict::Fail),
            undecided_on: deciding(Verdict::Inconclusive),
        }
    }

    fn text(&self) -> String {
        let rules = |counts: &[RuleCount]| {
            if counts.is_empty() {
                String::new()
            } else {
                let each: Vec<String> = counts
                    .iter()
                    .map(|c| format!("{} {}", c.rule, c.releases))
                    .collect();
                format!(" ({})", each.join(", "))
            }
        };
        format!(
            "Summary: {} release(s) replayed: {} would have passed, {} failed{}, {} been inconclusive{}, {} could not be read.",
            self.releases,
            self.pass,
            self.fail,
            rules(&self.failed_by),
            self.inconclusive,
            rules(&self.undecided_on),
            self.not_read
        )
    }
}

/// A finished backtest.
#[derive(Debug, Clone, Serialize)]
pub struct Backtest {
    /// The environment.
    pub environment: String,
    /// The project slugs (empty: each release's own).
    pub projects: Vec<String>,
    /// How long after its deploy each release was replayed as of.
    pub timeout_seconds: u64,
    /// The policy replayed.
    pub policy: Value,
    /// The policy in words.
    pub policy_text: String,
    /// One row per release, newest deploy first.
    pub rows: Vec<Row>,
    /// What the gate would have done.
    pub summary: Summary,
}

impl Backtest {
    /// The backtest of `rows` under `policy`.
    pub fn new(policy: &Policy, rows: Vec<Row>) -> Self {
        Self {
            environment: policy.environment.clone(),
            projects: policy.projects.clone(),
            timeout_seconds: policy.timeout.as_secs(),
            policy: policy.to_json(),
            policy_text: policy.describe(),
            summary: Summary::of(&rows),
            rows,
        }
    }

    /// For a terminal: the table of verdicts and rule statuses, each release's numbers, the
    /// summary.
    pub fn text(&self) -> String {
        let projects = if self.projects.is_empty() {
            String::new()
        } else {
            format!(" (projects: {})", self.projects.join(", "))
        };
        let mut out = vec![
            format!(
                "Backtest of the deploy gate in {}{projects}: the last {} deployed release(s), each replayed as of {} after its deploy.",
                self.environment,
                self.rows.len(),
                human_duration(std::time::Duration::from_secs(self.timeout_seconds))
            ),
            self.policy_text.clone(),
            String::new(),
        ];
        let mut header = vec!["VERSION".to_owned(), "DEPLOYED".into(), "VERDICT".into()];
        header.extend(Rule::ALL.iter().map(|r| r.name().to_ascii_uppercase()));
        let rows = self.rows.iter().map(|row| {
            let mut cells = vec![
                row.version.clone(),
                timestamp(row.deployed_at),
                row.verdict
                    .map_or("NOT READ", |v| match v {
                        Verdict::Pass => "PASS",
                        Verdict::Fail => "FAIL",
                        Verdict::Inconclusive => "INCONCLUSIVE",
                    })
                    .to_owned(),
            ];
            cells.extend(Rule::ALL.iter().map(|r| row.status_of(*r).to_owned()));
            cells
        });
        let rows: Vec<Vec<String>> = std::iter::once(header).chain(rows).collect();
        out.extend(table(&rows));
        out.push(String::new());
        for row in &self.rows {
            out.extend(row.detail());
        }
        out.push(String::new());
        out.push(self.summary.text());
        out.join("\n")
    }
}
