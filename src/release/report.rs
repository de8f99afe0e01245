//! What `release create|finalize|deploy` leave for the pipeline, as the gate does: GitHub step
//! outputs, a job summary and annotations (`::error::` on failure), and a GitLab dotenv report.
//!
//! The dotenv report is merged (keys replaced, others kept), so the three commands can share one
//! `artifacts:reports:dotenv` file. Sentry's text in it all is neutralised before it is written.

use super::error::ReleaseError;
use crate::ci::github::{Env, GitHub, error_command, warning_command};
use crate::ci::gitlab::merge_dotenv;
use crate::exit::Exit;
use crate::output::OutputFormat;
use crate::output::sanitize::{markdown_text, markdown_url, single_line};
use crate::sentry::log;
use std::path::PathBuf;

/// Where a release command reports to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiReport {
    /// The command, e.g. `release create`.
    pub command: &'static str,
    /// The GitLab dotenv report to merge the results into.
    pub dotenv: Option<PathBuf>,
    /// How the answer is printed (annotations never go to stdout in JSON mode).
    pub output: OutputFormat,
}

/// One result for later steps, under its GitHub output and GitLab variable names.
pub struct StepOutput {
    /// The step output's name (declared in `action.yml`).
    pub github: &'static str,
    /// The dotenv variable's name.
    pub dotenv: &'static str,
    /// The value.
    pub value: String,
}

impl StepOutput {
    /// A result named for GitHub and GitLab.
    pub fn new(github: &'static str, dotenv: &'static str, value: impl Into<String>) -> Self {
        Self {
            github,
            dotenv,
            value: value.into(),
        }
    }
}

/// A finished command, for the job summary and the outputs.
pub struct Done<'a> {
    /// One line saying what was done.
    pub headline: String,
    /// The release's or deploy's page.
    pub link: Option<String>,
    /// Label and value rows for the summary.
    pub facts: Vec<(&'static str, String)>,
    /// Results for later steps.
    pub outputs: Vec<StepOutput>,
    /// Warnings given on the way.
    pub warnings: &'a [String],
}

impl CiReport {
    /// Reports a success: step outputs, summary and warning annotations on GitHub, the dotenv report.
    pub fn success(&self, done: &Done<'_>) -> Result<(), ReleaseError> {
        if let Some(github) = GitHub::detect(&process_env()) {
            for output in &done.outputs {
                github.set_output(output.github, &output.value)?;
            }
            for warning in done.warnings {
                eprintln!("{}", warning_command(Some(&self.title()), warning));
            }
            github.append_summary(&self.success_markdown(done))?;
        }
        if let Some(path) = &self.dotenv {
            let pairs: Vec<(&str, String)> = done
                .outputs
                .iter()
                .map(|o| (o.dotenv, o.value.clone()))
                .chain([("SENTRY_RELEASE_ERROR", String::new())])
                .collect();
            merge_dotenv(path, &pairs).map_err(|e| ReleaseError::Usage(e.to_string()))?;
        }
        Ok(())
    }

    /// Ends the command: a failure is reported (an `::error::` annotation and the summary on
    /// GitHub, the dotenv report) and, with `allow_failure`, printed as a warning and turned into
    /// exit 0, as sentry-cli's `--allow-failure` does.
    pub fn settle(
        &self,
        result: Result<Exit, ReleaseError>,
        allow_failure: bool,
    ) -> Result<Exit, ReleaseError> {
        let Err(error) = result else { return result };
        let message = log::scrub(&error.to_string());
        self.report_failure(&message, allow_failure);
        if allow_failure {
            crate::output::print_warning(&format!(
                "{} failed, and --allow-failure (SENTRY_ALLOW_FAILURE) lets the run go on: {message}",
                self.command
            ));
            return Ok(Exit::Success);
        }
        Err(error)
    }

    /// Best effort: a report that cannot be written must not hide the error it reports.
    fn report_failure(&self, message: &str, allowed: bool) {
        if let Some(github) = GitHub::detect(&process_env()) {
            let title = format!("{} failed", self.title());
            let command = match allowed {
                true => warning_command(Some(&title), message),
                false => error_command(Some(&title), message),
            };
            eprintln!("{command}");
            let icon = if allowed { "⚠️" } else { "❌" };
            let markdown = format!(
                "### {icon} `{}` failed{}\n\n{}\n",
                self.command,
                if allowed { " (allowed)" } else { "" },
                markdown_text(message)
            );
            if let Err(e) = github.append_summary(&markdown) {
                crate::output::print_warning(&e.to_string());
            }
        }
        if let Some(path) = &self.dotenv {
            let pairs = [
                ("SENTRY_RELEASE_ERROR", single_line(message)),
                ("SENTRY_RELEASE_FAILED_STEP", self.command.to_owned()),
            ];
            if let Err(e) = merge_dotenv(path, &pairs) {
                crate::output::print_warning(&e.to_string());
            }
        }
    }

    fn title(&self) -> String {
        format!("sentry-companion {}", self.command)
    }

    fn success_markdown(&self, done: &Done<'_>) -> String {
        let mut out = vec![format!(
            "### ✅ `{}`: {}",
            self.command,
            markdown_text(&done.headline)
        )];
        if let Some(link) = &done.link {
            out.push(String::new());
            out.push(format!("[Open in Sentry]({})", markdown_url(link)));
        }
        if !done.facts.is_empty() {
            out.push(String::new());
            out.push("| | |".into());
            out.push("|---|---|".into());
            for (label, value) in &done.facts {
                out.push(format!("| {label} | {} |", markdown_text(value)));
            }
        }
        if !done.warnings.is_empty() {
            out.push(String::new());
            out.push("**Warnings**".into());
            out.push(String::new());
            out.extend(
                done.warnings
                    .iter()
                    .map(|w| format!("- {}", markdown_text(w))),
            );
        }
        out.join("\n") + "\n"
    }
}

fn process_env() -> Env {
    std::env::vars().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_escapes_what_it_quotes() {
        let report = CiReport {
            command: "release create",
            dotenv: None,
            output: OutputFormat::Text,
        };
        let warnings = vec!["[x](https://evil) | y".to_owned()];
        let done = Done {
            headline: "Created release 1.0".into(),
            link: Some("https://acme.sentry.io/releases/1.0/".into()),
            facts: vec![("Commits", "3".into())],
            outputs: vec![],
            warnings: &warnings,
        };
        let markdown = report.success_markdown(&done);
        assert!(markdown.starts_with("### ✅ `release create`: Created release 1.0"));
        assert!(markdown.contains("[Open in Sentry](https://acme.sentry.io/releases/1.0/)"));
        assert!(markdown.contains("| Commits | 3 |"));
        assert!(
            markdown.contains("- \\[x\\](https://evil) \\| y"),
            "{markdown}"
        );
    }
}
