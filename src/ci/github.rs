//! GitHub Actions: `$GITHUB_OUTPUT`, `$GITHUB_STEP_SUMMARY` and workflow commands (`::error::`, ...).
//!
//! Workflow commands are returned as lines for the caller to print: GitHub's runner reads them from
//! the step's output streams, and a caller printing JSON on stdout can send them to stderr instead.

use crate::output::sanitize::{single_line, terminal_safe};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Environment variables, as read once from the process (or built by a test).
pub type Env = HashMap<String, String>;

/// The files a GitHub Actions step writes its results to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHub {
    output_file: Option<PathBuf>,
    summary_file: Option<PathBuf>,
}

/// A value that cannot be written as a step output.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Output names are letters, digits, `_` and `-`.
    #[error("{0:?} is not a valid GitHub output name: use letters, digits, '_' and '-'")]
    InvalidName(String),
    /// The file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

impl GitHub {
    /// The step's files when running in GitHub Actions (`GITHUB_ACTIONS=true`), else `None`.
    pub fn detect(env: &Env) -> Option<Self> {
        if env.get("GITHUB_ACTIONS").map(String::as_str) != Some("true") {
            return None;
        }
        let file = |name: &str| {
            env.get(name)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Some(Self {
            output_file: file("GITHUB_OUTPUT"),
            summary_file: file("GITHUB_STEP_SUMMARY"),
        })
    }

    /// Appends `name=value` to `$GITHUB_OUTPUT` (the `name<<DELIMITER` form for multi-line values).
    pub fn set_output(&self, name: &str, value: &str) -> Result<(), OutputError> {
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid {
            return Err(OutputError::InvalidName(name.to_owned()));
        }
        match &self.output_file {
            Some(path) => append(path, &output_entry(name, value, &random_delimiter)),
            None => Ok(()),
        }
    }

    /// Appends Markdown to the job summary (`$GITHUB_STEP_SUMMARY`).
    pub fn append_summary(&self, markdown: &str) -> Result<(), OutputError> {
        match &self.summary_file {
            Some(path) => {
                let mut text = markdown.to_owned();
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                append(path, &text)
            }
            None => Ok(()),
        }
    }
}

/// One `$GITHUB_OUTPUT` entry; `delimiter` makes heredoc delimiters (retried until unused by the value).
fn output_entry(name: &str, value: &str, delimiter: &dyn Fn() -> String) -> String {
    if !value.contains(['\n', '\r']) {
        return format!("{name}={value}\n");
    }
    let delimiter = std::iter::repeat_with(delimiter)
        .find(|d| !value.contains(d.as_str()))
        .unwrap_or_default();
    format!("{name}<<{delimiter}\n{value}\n{delimiter}\n")
}

fn random_delimiter() -> String {
    format!(
        "ghadelimiter_{:016x}{:016x}",
        fastrand::u64(..),
        fastrand::u64(..)
    )
}

/// Appends in one write, as GitHub expects several steps' writers to do.
fn append(path: &Path, text: &str) -> Result<(), OutputError> {
    let io = |source| OutputError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)
}

/// `::error title=TITLE::MESSAGE`: an error annotation on the run.
pub fn error_command(title: Option<&str>, message: &str) -> String {
    command("error", title, message)
}

/// `::warning title=TITLE::MESSAGE`: a warning annotation on the run.
pub fn warning_command(title: Option<&str>, message: &str) -> String {
    command("warning", title, message)
}

/// Title and message may quote Sentry's data: control characters are neutralised first, then
/// everything the runner parses is escaped, so the command stays one line and says only this.
fn command(kind: &str, title: Option<&str>, message: &str) -> String {
    let message = escape_data(&terminal_safe(&message.replace("\r\n", "\n")));
    match title {
        Some(title) => format!(
            "::{kind} title={}::{message}",
            escape_property(&single_line(title)),
        ),
        None => format!("::{kind}::{message}"),
    }
}

/// A command's message: `%`, CR and LF are percent-encoded so the command stays on one line.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command property: as a message, plus `:` and `,`, which separate properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn detects_actions_only_when_the_runner_says_so() {
        assert_eq!(GitHub::detect(&env(&[])), None);
        assert_eq!(GitHub::detect(&env(&[("GITHUB_ACTIONS", "false")])), None);
        let gh = GitHub::detect(&env(&[("GITHUB_ACTIONS", "true"), ("GITHUB_OUTPUT", "/o")]));
        assert_eq!(
            gh,
            Some(GitHub {
                output_file: Some("/o".into()),
                summary_file: None
            })
        );
    }

    #[test]
    fn single_line_outputs_are_name_equals_value() {
        let fixed = || "EOF".to_owned();
        assert_eq!(
            output_entry("gate_result", "fail", &fixed),
            "gate_result=fail\n"
        );
    }

    #[test]
    fn multi_line_outputs_use_a_heredoc_with_an_unused_delimiter() {
        let candidates = std::cell::RefCell::new(vec!["D2".to_owned(), "D1".to_owned()]);
        let next = || candidates.borrow_mut().pop().unwrap();
        assert_eq!(
            output_entry("ids", "a\nD1\nb", &next),
            "ids<<D2\na\nD1\nb\nD2\n"
        );
        let random = random_delimiter();
        assert!(random.starts_with("ghadelimiter_") && random.len() > 30);
        assert_ne!(random, random_delimiter());
    }

    #[test]
    fn writes_append_to_the_files() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("output");
        let summary = dir.path().join("summary");
        std::fs::write(&output, "earlier=1\n").unwrap();
        let gh = GitHub::detect(&env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_OUTPUT", output.to_str().unwrap()),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ]))
        .unwrap();
        gh.set_output("gate_result", "pass").unwrap();
        gh.append_summary("# Gate").unwrap();
        gh.append_summary("passed\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(&output).unwrap(),
            "earlier=1\ngate_result=pass\n"
        );
        assert_eq!(
            std::fs::read_to_string(&summary).unwrap(),
            "# Gate\npassed\n"
        );
        assert!(matches!(
            gh.set_output("bad name", "x"),
            Err(OutputError::InvalidName(_))
        ));
    }

    #[test]
    fn commands_escape_like_the_runner_expects() {
        assert_eq!(
            error_command(Some("gate: web, api"), "50% up\r\nsee WEB-1"),
            "::error title=gate%3A web%2C api::50%25 up%0Asee WEB-1"
        );
        assert_eq!(warning_command(None, "a:b,c"), "::warning::a:b,c");
    }
}
