//! The gate's report: one structure, rendered as a text table, JSON, Markdown and CI annotations.

use super::chart::{RatePoint, mermaid};
use super::observations::{Anchor, Scope, Setup};
use super::policy::{ALPHA, Policy, Verdict, human_duration, percent, probability};
use super::rules::{FlaggedIssue, Rule, RuleOutcome, Status, not_evaluated};
use crate::ci::github::{error_command, warning_command};
use crate::output::sanitize::{markdown_text, markdown_url};
use crate::time::timestamp;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

/// Everything a verdict rests on.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The release.
    pub version: String,
    /// The environment.
    pub environment: String,
    /// The project slugs (empty: all the token sees).
    pub projects: Vec<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// Why, in one sentence.
    pub reason: String,
    /// What the process exits with under the policy.
    pub exit_code: u8,
    /// Whether the exit code ignores the verdict (`--report-only`).
    pub report_only: bool,
    /// Rules skipped because the token lacks a scope (`--allow-partial`), as "rule: reason".
    pub partial: Vec<String>,
    /// When the watch starts (the deploy's `dateFinished`, or the start of the run).
    pub deployed_at: DateTime<Utc>,
    /// Whether Sentry has that deploy.
    pub deploy_recorded: bool,
    /// Issues and rates count from here (the deploy's start, so the rollout is inside).
    pub issues_since: Option<DateTime<Utc>>,
    /// The baseline release and its deploy (the newest, when several are pooled).
    pub baseline: Option<BaselineInfo>,
    /// Every baseline release, newest first (several with `--baseline last:K`).
    pub baselines: Vec<BaselineInfo>,
    /// The policy in force.
    pub policy: Value,
    /// The policy in words.
    pub policy_text: String,
    /// The time of the last look.
    pub checked_at: DateTime<Utc>,
    /// For a replay (`--at`, `release backtest`): the instant it was replayed as of; nothing
    /// Sentry recorded after it was read.
    pub replayed_at: Option<DateTime<Utc>>,
    /// Seconds from the deploy to the last look.
    pub elapsed_seconds: i64,
    /// Looks that got through.
    pub looks: u32,
    /// False-alarm budget spent by the statistical rules.
    pub alpha_spent: f64,
    /// Each rule with its numbers.
    pub rules: Vec<RuleOutcome>,
    /// The error rates at each look (when measured against a baseline), for the chart.
    pub error_rate_trend: Vec<RatePoint>,
    /// Remarks: missing deploy, fallbacks, attribution failures.
    pub notes: Vec<String>,
}

/// A baseline release.
#[derive(Debug, Clone, Serialize)]
pub struct BaselineInfo {
    /// Its version.
    pub version: String,
    /// Its deploy to the environment.
    pub deployed_at: DateTime<Utc>,
    /// When the next release's deploy started (it served until then).
    pub served_until: DateTime<Utc>,
}

/// How a watch ended, for [`Report::new`].
pub struct Ending {
    /// The verdict and why.
    pub verdict: (Verdict, String),
    /// The last look's outcomes.
    pub rules: Vec<RuleOutcome>,
    /// When the last look was.
    pub at: DateTime<Utc>,
    /// Looks that got through.
    pub looks: u32,
    /// Budget spent.
    pub alpha_spent: f64,
    /// The error rates at each look so far.
    pub trend: Vec<RatePoint>,
}

impl Report {
    /// Assembles the report of a finished watch.
    pub fn new(policy: &Policy, setup: &Setup, ending: Ending, notes: Vec<String>) -> Self {
        let (verdict, reason) = ending.verdict;
        let baselines: Vec<BaselineInfo> = setup
            .baselines
            .iter()
            .flatten()
            .map(|b| BaselineInfo {
                version: b.version.clone(),
                deployed_at: b.deployed,
                served_until: b.until,
            })
            .collect();
        let partial = ending
            .rules
            .iter()
            .filter(|r| r.missing_scope.is_some())
            .map(|r| {
                format!(
                    "{}: {}",
                    r.rule.name(),
                    r.detail.trim_start_matches("skipped: ")
                )
            })
            .collect();
        Self {
            version: policy.version.clone(),
            environment: policy.environment.clone(),
            projects: policy.projects.clone(),
            verdict,
            reason,
            exit_code: policy.exit_for(verdict).code(),
            report_only: policy.report_only,
            partial,
            deployed_at: setup.anchor.deployed,
            deploy_recorded: setup.anchor.recorded,
            issues_since: setup.anchor.since,
            baseline: baselines.first().cloned(),
            baselines,
            policy: policy.to_json(),
            policy_text: policy.describe(),
            checked_at: ending.at,
            replayed_at: None,
            elapsed_seconds: (ending.at - setup.anchor.deployed).num_seconds().max(0),
            looks: ending.looks,
            alpha_spent: ending.alpha_spent,
            rules: ending.rules,
            error_rate_trend: ending.trend,
            notes,
        }
    }

    /// The report of a live watch whose deadline came before Sentry answered its setup (the
    /// release, its projects and deploy): inconclusive, no rule evaluated.
    pub fn unanswered(
        policy: &Policy,
        started: DateTime<Utc>,
        at: DateTime<Utc>,
        why: String,
    ) -> Self {
        let setup = Setup {
            scope: Scope {
                project_params: Vec::new(),
                sends_sessions: None,
            },
            anchor: Anchor {
                deployed: started,
                since: None,
                recorded: false,
            },
            baselines: Err(why.clone()),
            notes: Vec::new(),
        };
        let ending = Ending {
            rules: not_evaluated(&why),
            verdict: (Verdict::Inconclusive, why),
            at,
            looks: 0,
            alpha_spent: 0.0,
            trend: Vec::new(),
        };
        Self::new(policy, &setup, ending, Vec::new())
    }

    /// The same report, marked as a replay as of `at`.
    pub fn replayed_at(self, at: DateTime<Utc>) -> Self {
        Self {
            replayed_at: Some(at),
            ..self
        }
    }

    /// The issues that count against a rule, across the issue rules.
    pub fn counted_issues(&self, rule: Rule) -> impl Iterator<Item = &FlaggedIssue> {
        self.rules
            .iter()
            .filter(move |r| r.rule == rule)
            .flat_map(|r| r.issues.iter().filter(|i| i.counts()))
    }

    /// How many new issues count against the gate.
    pub fn new_issue_count(&self) -> u64 {
        self.rules
            .iter()
            .find(|r| r.rule == Rule::NewIssues)
            .and_then(|r| r.numbers["count"].as_u64())
            .unwrap_or(0)
    }

    /// The names of the failed rules.
    pub fn failed_rules(&self) -> Vec<&'static str> {
        self.rules
            .iter()
            .filter(|r| r.status == Status::Fail)
            .map(|r| r.rule.name())
            .collect()
    }

    fn headline(&self) -> String {
        let projects = if self.projects.is_empty() {
            String::new()
        } else {
            format!(" (projects: {})", self.projects.join(", "))
        };
        format!(
            "Deploy gate: release {} in {}{projects}",
            self.version, self.environment
        )
    }

    fn partial_line(&self) -> Option<String> {
        (!self.partial.is_empty()).then(|| {
            format!(
                "PARTIAL REPORT: the token could not evaluate every rule (--allow-partial); skipped: {}",
                self.partial.join("; ")
            )
        })
    }

    fn timeline_line(&self) -> String {
        if self.looks == 0 {
            return "No look got an answer from Sentry, so nothing was judged.".into();
        }
        let replay = self
            .replayed_at
            .map(|at| {
                format!(
                    "Replayed as of {}: nothing Sentry recorded after it was read. ",
                    timestamp(at)
                )
            })
            .unwrap_or_default();
        let deploy = if self.deploy_recorded {
            format!("Deploy finished {}", timestamp(self.deployed_at))
        } else {
            format!(
                "No deploy recorded; watched from {}",
                timestamp(self.deployed_at)
            )
        };
        let since = match self.issues_since {
            Some(since) if since != self.deployed_at => {
                format!(
                    " (issues and rates counted from the deploy's start, {})",
                    timestamp(since)
                )
            }
            _ => String::new(),
        };
        let baseline = match self.baselines.as_slice() {
            [] => "; no baseline".into(),
            [only] => format!(
                "; baseline {} deployed {}",
                only.version,
                timestamp(only.deployed_at)
            ),
            several => format!(
                "; baseline pooled over {}",
                several
                    .iter()
                    .map(|b| format!("{} (deployed {})", b.version, timestamp(b.deployed_at)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        format!(
            "{replay}{deploy}{since}{baseline}. Watched {} after the deploy in {} look(s); false-alarm budget spent: {} of {ALPHA}.",
            human_duration(std::time::Duration::from_secs(self.elapsed_seconds as u64)),
            self.looks,
            probability(self.alpha_spent),
        )
    }

    fn verdict_line(&self) -> String {
        let exit = if self.report_only {
            format!("exit {} (--report-only)", self.exit_code)
        } else {
            format!("exit {}", self.exit_code)
        };
        format!(
            "Verdict: {} — {} ({exit})",
            self.verdict.name().to_ascii_uppercase(),
            self.reason
        )
    }

    /// What to do about an inconclusive verdict.
    fn next_step(&self) -> Option<String> {
        (self.verdict == Verdict::Inconclusive).then(|| {
            "To decide: give the gate more data (a longer --soak or --timeout), lower the minimums \
             named above if less traffic is representative for this app, or choose what an \
             inconclusive gate exits with (--on-inconclusive pass|fail)."
                .to_owned()
        })
    }

    /// The report for a terminal: the table, the flagged issues, the numbers, the verdict.
    pub fn text(&self) -> String {
        let mut out = Vec::new();
        out.extend(self.partial_line());
        out.push(self.headline());
        out.push(self.timeline_line());
        out.push(self.policy_text.clone());
        out.push(String::new());
        let header = ["RULE", "VALUE", "BASELINE", "THRESHOLD", "VERDICT"].map(str::to_owned);
        let rows = self.rules.iter().map(|r| {
            vec![
                r.rule.name().to_owned(),
                r.value.clone(),
                r.baseline.clone().unwrap_or_else(|| "-".into()),
                r.threshold.clone(),
                r.status.label().to_owned(),
            ]
        });
        let rows: Vec<Vec<String>> = std::iter::once(header.to_vec()).chain(rows).collect();
        out.extend(table(&rows));
        out.push(String::new());
        for rule in &self.rules {
            out.push(format!("{}: {}", rule.rule.name(), rule.detail));
            for issue in &rule.issues {
                out.extend(issue_lines(issue));
            }
        }
        if !self.notes.is_empty() {
            out.push(String::new());
            out.push("Notes:".into());
            out.extend(self.notes.iter().map(|n| format!("  - {n}")));
        }
        out.push(String::new());
        out.push(self.verdict_line());
        out.extend(self.next_step());
        out.join("\n")
    }

    /// The report as GitHub-flavoured Markdown, for the job summary.
    pub fn markdown(&self) -> String {
        let icon = match self.verdict {
            Verdict::Pass => "✅",
            Verdict::Fail => "❌",
            Verdict::Inconclusive => "⚠️",
        };
        let mut out = vec![format!(
            "## {icon} {}: {}",
            cell(&self.headline()),
            self.verdict.name()
        )];
        if let Some(partial) = self.partial_line() {
            out.push(format!("> **{}**", cell(&partial)));
        }
        out.push(String::new());
        out.push(cell(&self.reason));
        out.push(String::new());
        out.push(cell(&self.timeline_line()));
        if let Some(chart) = self.chart() {
            out.push(String::new());
            out.push(chart);
        }
        if let Some(step) = self.next_step() {
            out.push(String::new());
            out.push(cell(&step));
        }
        out.push(String::new());
        out.push("| Rule | Value | Baseline | Threshold | Verdict |".into());
        out.push("|---|---|---|---|---|".into());
        for r in &self.rules {
            out.push(format!(
                "| `{}` | {} | {} | {} | **{}** |",
                r.rule.name(),
                cell(&r.value),
                cell(r.baseline.as_deref().unwrap_or("-")),
                cell(&r.threshold),
                r.status.label()
            ));
        }
        let issues: Vec<&FlaggedIssue> = self.rules.iter().flat_map(|r| &r.issues).collect();
        if !issues.is_empty() {
            out.push(String::new());
            out.push("### Issues".into());
            out.push(String::new());
            out.push("| Issue | Title | Events | Users | Suspect commit | Note |".into());
            out.push("|---|---|---|---|---|---|".into());
            for issue in issues {
                let suspects = issue
                    .suspect_commits
                    .iter()
                    .map(|s| format!("{} (`{}`)", cell(&s.commit), cell(&s.file)))
                    .collect::<Vec<_>>()
                    .join("<br>");
                out.push(format!(
                    "| [{}]({}) | {} | {} | {} | {} | {} |",
                    cell(&issue.short_id),
                    markdown_url(&issue.link),
                    cell(&issue.title),
                    issue.count,
                    issue.users,
                    suspects,
                    cell(&ack_note(issue).unwrap_or_default())
                ));
            }
        }
        out.push(String::new());
        out.push("<details><summary>Numbers and policy</summary>".into());
        out.push(String::new());
        for r in &self.rules {
            out.push(format!("- `{}`: {}", r.rule.name(), cell(&r.detail)));
        }
        out.extend(self.notes.iter().map(|n| format!("- note: {}", cell(n))));
        out.push(format!("- {}", cell(&self.policy_text)));
        out.push(String::new());
        out.push("</details>".into());
        out.join("\n") + "\n"
    }

    /// The Mermaid chart of the error rates over the watch, with its legend.
    fn chart(&self) -> Option<String> {
        let baselines: Vec<&str> = self.baselines.iter().map(|b| b.version.as_str()).collect();
        let margin = self.policy["max_increase_percent"]
            .as_f64()
            .map_or_else(String::new, |p| format!("+{}", percent(p / 100.0)));
        mermaid(
            &self.error_rate_trend,
            &cell(&self.version),
            &cell(&baselines.join(", ")),
            &margin,
        )
    }

    /// GitHub workflow commands: an error per counted issue and per failed statistical rule, and
    /// warnings for an inconclusive verdict, a partial report and expired acknowledgements.
    pub fn annotations(&self) -> Vec<String> {
        let mut commands = Vec::new();
        for rule in &self.rules {
            let rule_title = format!("Deploy gate: {}", rule.rule.name());
            for issue in &rule.issues {
                if let Some(expired) = &issue.acknowledgement_expired {
                    commands.push(warning_command(
                        Some(&rule_title),
                        &format!(
                            "acknowledgement of {} has expired: {expired}",
                            issue.short_id
                        ),
                    ));
                }
            }
            if rule.status != Status::Fail {
                continue;
            }
            let counted: Vec<&FlaggedIssue> = rule.issues.iter().filter(|i| i.counts()).collect();
            if counted.is_empty() {
                commands.push(error_command(
                    Some(&rule_title),
                    &format!(
                        "{} against baseline {}: {}",
                        rule.value,
                        rule.baseline.as_deref().unwrap_or("-"),
                        rule.detail
                    ),
                ));
            }
            for issue in counted {
                commands.push(error_command(
                    Some(&format!("{rule_title} {}", issue.short_id)),
                    &format!(
                        "{} ({} events, {} users) {}",
                        issue.title, issue.count, issue.users, issue.link
                    ),
                ));
            }
        }
        if let Some(partial) = self.partial_line() {
            commands.push(warning_command(Some("Deploy gate"), &partial));
        }
        if self.verdict == Verdict::Inconclusive {
            commands.push(warning_command(
                Some("Deploy gate inconclusive"),
                &self.reason,
            ));
        }
        commands
    }
}

fn ack_note(issue: &FlaggedIssue) -> Option<String> {
    match (
        &issue.acknowledged,
        &issue.acknowledgement_expired,
        &issue.below_minimums,
    ) {
        (Some(ack), _, _) => Some(format!("acknowledged: {ack}")),
        (None, _, Some(minor)) => Some(minor.clone()),
        (None, Some(expired), None) => Some(format!("acknowledgement expired: {expired}")),
        _ => None,
    }
}

fn issue_lines(issue: &FlaggedIssue) -> Vec<String> {
    let mut lines = vec![format!(
        "  {}  {}  ({} events, {} users)  {}",
        issue.short_id, issue.title, issue.count, issue.users, issue.link
    )];
    lines.extend(ack_note(issue).map(|note| format!("      {note}")));
    lines.extend(issue.suspect_commits.iter().map(|s| {
        let author = s
            .author
            .as_deref()
            .map(|a| format!(" by {a}"))
            .unwrap_or_default();
        format!(
            "      suspect commit: \"{}\"{author} changed {}",
            s.commit, s.file
        )
    }));
    lines
}

/// A table (header first) with columns padded to their widest cell.
pub(super) fn table(rows: &[Vec<String>]) -> Vec<String> {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        widths.resize(widths.len().max(row.len()), 0);
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    rows.iter()
        .map(|row| {
            row.iter()
                .zip(&widths)
                .map(|(cell, width)| format!("{cell}{}", " ".repeat(width - cell.chars().count())))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_owned()
        })
        .collect()
}

/// Text safe inside a Markdown table cell: no pipes, no line breaks.
/// Sentry's text in a Markdown table cell: one line, no markup of its own.
fn cell(text: &str) -> String {
    markdown_text(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_pad_columns_to_the_widest_cell() {
        let rows = [
            ["RULE", "VALUE", "BASELINE", "THRESHOLD", "VERDICT"],
            ["new-issues", "1", "-", "≤ 0", "FAIL"],
        ]
        .map(|row| row.map(str::to_owned).to_vec());
        assert_eq!(
            table(&rows),
            [
                "RULE        VALUE  BASELINE  THRESHOLD  VERDICT",
                "new-issues  1      -         ≤ 0        FAIL",
            ]
        );
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        assert_eq!(cell("a | b\nc"), "a \\| b c");
    }
}
