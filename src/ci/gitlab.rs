//! GitLab CI: the dotenv report (`artifacts:reports:dotenv`) that passes variables to later jobs,
//! and Markdown reports kept as artifacts (GitLab renders their Mermaid charts).
//!
//! GitLab's parser is stricter than dotenv: one `KEY=value` per line, no comments or empty lines,
//! no multi-line values, quotes kept literally (so values are written bare, never quoted), and the
//! file must stay under 5 KiB.

use std::io::Write;
use std::path::Path;

/// GitLab refuses larger dotenv reports.
pub const MAX_DOTENV_BYTES: usize = 5 * 1024;

/// A dotenv report that GitLab would refuse or that could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DotenvError(String);

/// Renders the pairs as GitLab accepts them; line breaks in values become spaces.
pub fn dotenv_text(pairs: &[(&str, String)]) -> Result<String, DotenvError> {
    let mut text = String::new();
    for (key, value) in pairs {
        let valid_key = key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_key {
            return Err(DotenvError(format!(
                "{key:?} is not a valid dotenv variable name: use letters, digits and '_', not starting with a digit"
            )));
        }
        let value = value.replace(['\r', '\n'], " ");
        text.push_str(&format!("{key}={}\n", value.trim()));
    }
    if text.len() > MAX_DOTENV_BYTES {
        return Err(DotenvError(format!(
            "the dotenv report would be {} bytes; GitLab accepts at most {MAX_DOTENV_BYTES}",
            text.len()
        )));
    }
    Ok(text)
}

/// A report file that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct ReportFileError {
    path: String,
    source: std::io::Error,
}

/// Writes the dotenv report atomically: a temporary file beside it, then a rename.
pub fn write_dotenv(path: &Path, pairs: &[(&str, String)]) -> Result<(), DotenvError> {
    let text = dotenv_text(pairs)?;
    write_whole(path, &text).map_err(|e| DotenvError(e.to_string()))
}

/// Writes a Markdown report (for `artifacts:paths` / `expose_as`) atomically.
pub fn write_markdown(path: &Path, markdown: &str) -> Result<(), ReportFileError> {
    write_whole(path, markdown)
}

/// Writes `text` to `path` whole or not at all: a temporary file beside it, then a rename.
fn write_whole(path: &Path, text: &str) -> Result<(), ReportFileError> {
    let failed = |source: std::io::Error| ReportFileError {
        path: path.display().to_string(),
        source,
    };
    let name = path.file_name().ok_or_else(|| {
        failed(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a file path",
        ))
    })?;
    let temporary = path.with_file_name(format!(
        ".{}.{:08x}.tmp",
        name.to_string_lossy(),
        fastrand::u32(..)
    ));
    let written = std::fs::File::create(&temporary)
        .and_then(|mut file| {
            file.write_all(text.as_bytes())?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temporary, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(failed(e));
    }
    Ok(())
}

/// Writes `pairs` into the dotenv report at `path`, keeping the variables already there that
/// `pairs` does not name (so several commands can share one report).
pub fn merge_dotenv(path: &Path, pairs: &[(&str, String)]) -> Result<(), DotenvError> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(DotenvError(format!("cannot read {}: {e}", path.display()))),
    };
    let mut merged: Vec<(&str, String)> = existing
        .lines()
        .filter_map(|line| line.split_once('='))
        .filter(|(key, _)| !pairs.iter().any(|(new, _)| new == key))
        .map(|(key, value)| (key, value.to_owned()))
        .collect();
    merged.extend(pairs.iter().map(|(key, value)| (*key, value.clone())));
    write_dotenv(path, &merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_one_bare_pair_per_line() {
        let text = dotenv_text(&[
            ("GATE_RESULT", "fail".into()),
            ("GATE_ISSUES", " WEB-1,WEB-2 ".into()),
            ("GATE_NOTE", "line one\nline \"two\"".into()),
            ("EMPTY", String::new()),
        ])
        .unwrap();
        assert_eq!(
            text,
            "GATE_RESULT=fail\nGATE_ISSUES=WEB-1,WEB-2\nGATE_NOTE=line one line \"two\"\nEMPTY=\n"
        );
    }

    #[test]
    fn refuses_what_gitlab_would_reject() {
        assert!(dotenv_text(&[("1ABC", "x".into())]).is_err());
        assert!(dotenv_text(&[("A-B", "x".into())]).is_err());
        let err = dotenv_text(&[("BIG", "x".repeat(6000))])
            .unwrap_err()
            .to_string();
        assert!(err.contains("5120"), "{err}");
    }

    #[test]
    fn merging_replaces_named_keys_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sentry.env");
        merge_dotenv(&path, &[("A", "1".into()), ("B", "2".into())]).unwrap();
        merge_dotenv(&path, &[("B", "3".into()), ("C", "x=y".into())]).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "A=1\nB=3\nC=x=y\n");
    }

    #[test]
    fn replaces_the_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gate.env");
        std::fs::write(&path, "OLD=1\n").unwrap();
        write_dotenv(&path, &[("NEW", "2".into())]).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "NEW=2\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
