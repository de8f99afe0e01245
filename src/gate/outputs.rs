//! Where a finished report goes: stdout (text or one JSON document), and in CI the GitHub job
//! summary, outputs and annotations, the GitLab dotenv report and a Markdown report file.
//!
//! GitHub reads workflow commands from the step's output streams, stdout and stderr alike. In text
//! mode the annotations go to stdout with the report; with `--output json` they go to stderr, so
//! stdout holds exactly one JSON document and the annotations still appear on the run.

use super::error::GateError;
use super::report::Report;
use super::rules::Rule;
use crate::ci::github::GitHub;
use crate::ci::gitlab::{write_dotenv, write_markdown};
use crate::output::sanitize::terminal_safe;
use crate::output::{OutputFormat, json_text};
use std::io::Write;
use std::path::Path;

/// The output streams of the command.
pub struct Streams<'a> {
    /// The report.
    pub stdout: &'a mut dyn Write,
    /// Progress and, in JSON mode, workflow commands.
    pub stderr: &'a mut dyn Write,
}

/// The report files asked for, besides the CI's own.
#[derive(Debug, Clone, Copy, Default)]
pub struct Files<'a> {
    /// The GitLab dotenv report.
    pub dotenv: Option<&'a Path>,
    /// The report as Markdown, chart included.
    pub markdown: Option<&'a Path>,
}

/// Prints the report and writes the CI files that apply.
pub fn publish(
    report: &Report,
    format: OutputFormat,
    github: Option<&GitHub>,
    files: Files<'_>,
    streams: Streams<'_>,
) -> Result<(), GateError> {
    match format {
        OutputFormat::Text => writeln!(streams.stdout, "{}", terminal_safe(&report.text()))?,
        OutputFormat::Json => writeln!(streams.stdout, "{}", json_text(report))?,
    }
    if let Some(github) = github {
        let commands: &mut dyn Write = match format {
            OutputFormat::Text => streams.stdout,
            OutputFormat::Json => streams.stderr,
        };
        for command in report.annotations() {
            writeln!(commands, "{command}")?;
        }
        for output in outputs(report) {
            github.set_output(output.github, &output.value)?;
        }
        github.append_summary(&report.markdown())?;
    }
    if let Some(path) = files.markdown {
        write_markdown(path, &report.markdown())?;
    }
    if let Some(path) = files.dotenv {
        let pairs: Vec<(&str, String)> = outputs(report)
            .into_iter()
            .map(|output| (output.dotenv, output.value))
            .collect();
        write_dotenv(path, &pairs)?;
    }
    Ok(())
}

/// One result passed to later CI steps, under its GitHub output and GitLab variable names.
struct Output {
    github: &'static str,
    dotenv: &'static str,
    value: String,
}

/// `gate_result`, `new_issues` (how many count), their short ids, and the failed rules.
fn outputs(report: &Report) -> Vec<Output> {
    let ids: Vec<&str> = report
        .counted_issues(Rule::NewIssues)
        .map(|i| i.short_id.as_str())
        .collect();
    let output = |github, dotenv, value| Output {
        github,
        dotenv,
        value,
    };
    vec![
        output(
            "gate_result",
            "SENTRY_GATE_RESULT",
            report.verdict.name().to_owned(),
        ),
        output(
            "new_issues",
            "SENTRY_GATE_NEW_ISSUES",
            report.new_issue_count().to_string(),
        ),
        output("new_issue_ids", "SENTRY_GATE_NEW_ISSUE_IDS", ids.join(",")),
        output(
            "failed_rules",
            "SENTRY_GATE_FAILED_RULES",
            report.failed_rules().join(","),
        ),
    ]
}
