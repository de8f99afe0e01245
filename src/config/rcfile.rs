//! `.sentryclirc`, read as sentry-cli reads it.
//!
//! sentry-cli loads `~/.sentryclirc`, then the nearest `.sentryclirc` (or `sentrycli.ini`) walking up from the
//! working directory, whose values win. Its INI reader (rust-ini, default options) has these rules, kept here:
//! `key = value` or `key: value`; section and key names are case-sensitive; a line starting with `#` or `;`
//! is a comment, but `#` or `;` after a value is part of the value; `"…"` and `'…'` quote (and may span
//! lines); `\` escapes (`\n`, `\t`, `\\`, `\;`, `\x0041`, a backslash before a line break joins lines).
//! A key given twice: in the home file the first one counts, in the project file the last one (sentry-cli
//! copies the project file over the home file key by key). Each is reported here instead of passing in silence.

use super::files::read_config_file;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The file names sentry-cli looks for while walking up from the working directory.
const PROJECT_FILE_NAMES: [&str; 2] = [".sentryclirc", "sentrycli.ini"];

/// The settings sentry-companion reads; any other key in a file gets a warning.
const KNOWN_KEYS: &[(&str, &str)] = &[
    ("auth", "token"),
    ("defaults", "url"),
    ("defaults", "org"),
    ("defaults", "project"),
    ("defaults", "vcs_remote"),
    ("defaults", "custom_header"),
    ("defaults", "pipeline"),
    ("log", "level"),
    ("http", "proxy_url"),
    ("http", "proxy_username"),
    ("http", "proxy_password"),
    ("http", "verify_ssl"),
    ("http", "max_retries"),
];

/// One `key = value` as written in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The section (empty before the first `[section]`).
    pub section: String,
    /// The key.
    pub key: String,
    /// The value, unquoted and unescaped.
    pub value: String,
    /// The line the key is on (from 1).
    pub line: usize,
}

/// A value and where it was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RcValue {
    /// The value.
    pub value: String,
    /// The file it came from.
    pub file: PathBuf,
    /// Its line in that file.
    pub line: usize,
}

impl RcValue {
    /// "FILE line N", for messages.
    pub fn origin(&self) -> String {
        format!("{} line {}", self.file.display(), self.line)
    }
}

/// The merged settings of the files that apply, with what deserves a warning.
#[derive(Debug, Default)]
pub struct RcFiles {
    values: HashMap<(String, String), RcValue>,
    /// Duplicates, unknown keys, comment characters inside values.
    pub warnings: Vec<String>,
    /// The files read, in the order applied.
    pub files: Vec<PathBuf>,
}

/// Why a file could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RcError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong (with the line, for a syntax error).
    pub reason: String,
}

impl RcFiles {
    /// Reads `~/.sentryclirc`, then the nearest project file from `cwd` up, whose values win.
    pub fn discover(cwd: &Path, home: Option<&Path>) -> Result<Self, RcError> {
        let mut rc = Self::default();
        let project = nearest_project_file(cwd);
        let home_file = home.map(|home| home.join(".sentryclirc"));
        // Under the home directory the walk can find the home file itself; sentry-cli then reads it twice,
        // the second time as the project file, which is what counts: read it once, as that.
        if let Some(home_file) = home_file.filter(|file| !same_file(file, project.as_deref())) {
            rc.apply(&home_file, Duplicates::FirstWins)?;
        }
        if let Some(project) = project {
            rc.apply(&project, Duplicates::LastWins)?;
        }
        Ok(rc)
    }

    /// The value of `[section] key`, if set and not empty.
    pub fn get(&self, section: &str, key: &str) -> Option<&RcValue> {
        self.values
            .get(&(section.to_owned(), key.to_owned()))
            .filter(|v| !v.value.trim().is_empty())
    }

    fn apply(&mut self, path: &Path, duplicates: Duplicates) -> Result<(), RcError> {
        let error = |reason: String| RcError {
            path: path.to_owned(),
            reason,
        };
        let Some(text) = read_config_file(path).map_err(error)? else {
            return Ok(());
        };
        let entries = parse_ini(&text).map_err(error)?;
        self.files.push(path.to_owned());
        let mut from_this_file: HashMap<(String, String), usize> = HashMap::new();
        for entry in entries {
            self.warn_about(path, &entry);
            let slot = (entry.section.clone(), entry.key.clone());
            if let Some(first_line) = from_this_file.get(&slot) {
                let used = match duplicates {
                    Duplicates::FirstWins => *first_line,
                    Duplicates::LastWins => entry.line,
                };
                self.warnings.push(format!(
                    "[{}] {} is set twice in {} (lines {first_line} and {}); line {used} is used, as sentry-cli does",
                    entry.section,
                    entry.key,
                    path.display(),
                    entry.line
                ));
                if duplicates == Duplicates::FirstWins {
                    continue;
                }
            }
            from_this_file.insert(slot.clone(), entry.line);
            self.values.insert(
                slot,
                RcValue {
                    value: entry.value,
                    file: path.to_owned(),
                    line: entry.line,
                },
            );
        }
        Ok(())
    }

    fn warn_about(&mut self, path: &Path, entry: &Entry) {
        let place = format!("{} line {}", path.display(), entry.line);
        if !KNOWN_KEYS.contains(&(entry.section.as_str(), entry.key.as_str())) {
            self.warnings.push(format!(
                "[{}] {} in {place} is not supported by sentry-companion and is ignored (section and key names are case-sensitive)",
                entry.section, entry.key
            ));
        } else if entry.value.contains(" #") || entry.value.contains(" ;") {
            self.warnings.push(format!(
                "[{}] {} in {place}: a `#` or `;` after a value is part of the value, not a comment (sentry-cli reads it so too); put comments on their own line",
                entry.section, entry.key
            ));
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Duplicates {
    FirstWins,
    LastWins,
}

fn same_file(a: &Path, b: Option<&Path>) -> bool {
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    b.is_some_and(|b| canonical(a).is_some() && canonical(a) == canonical(b))
}

/// The first `.sentryclirc` or `sentrycli.ini` found from `cwd` up to the root.
fn nearest_project_file(cwd: &Path) -> Option<PathBuf> {
    cwd.ancestors().find_map(|dir| {
        PROJECT_FILE_NAMES
            .iter()
            .map(|name| dir.join(name))
            .find(|file| file.exists() && !file.is_dir())
    })
}

/// Parses INI text with sentry-cli's rules (see the module documentation).
pub fn parse_ini(text: &str) -> Result<Vec<Entry>, String> {
    let mut parser = Parser {
        chars: text.chars().collect(),
        at: 0,
        line: 1,
    };
    parser.entries()
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    line: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn error<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("line {}: {what}", self.line))
    }

    fn skip_while(&mut self, keep_going: impl Fn(char) -> bool) {
        while self.peek().is_some_and(&keep_going) {
            self.bump();
        }
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.bump() {
            if c == '\n' {
                break;
            }
        }
    }

    fn entries(&mut self) -> Result<Vec<Entry>, String> {
        let mut section = String::new();
        let mut entries = Vec::new();
        loop {
            self.skip_while(char::is_whitespace);
            match self.peek() {
                None => return Ok(entries),
                Some('#' | ';') => self.skip_line(),
                Some('[') => section = self.section()?,
                Some('=' | ':') => return self.error("a value without a key"),
                Some(_) => entries.push(self.entry(&section)?),
            }
        }
    }

    fn section(&mut self) -> Result<String, String> {
        self.bump();
        let name = self.until(&['\n', ']'])?;
        if self.peek() != Some(']') {
            return self.error("a section name must end with `]`");
        }
        self.bump();
        self.skip_while(|c| c == ' ' || c == '\t' || c == '\r');
        match self.peek() {
            None | Some('\n') | Some('#' | ';') => Ok(name.trim().to_owned()),
            Some(_) => self.error("unexpected text after the section name"),
        }
    }

    fn entry(&mut self, section: &str) -> Result<Entry, String> {
        let line = self.line;
        let key = self.until(&['=', ':', '\n'])?;
        if !matches!(self.peek(), Some('=' | ':')) {
            return self.error(&format!("expected `key = value`, found {:?}", key.trim()));
        }
        self.bump();
        let value = self.value()?;
        Ok(Entry {
            section: section.to_owned(),
            key: key.trim().to_owned(),
            value,
            line,
        })
    }

    fn value(&mut self) -> Result<String, String> {
        self.skip_while(|c| c != '\n' && c != '\r' && c.is_whitespace());
        let mut value = String::new();
        let mut first_part = true;
        loop {
            match self.peek() {
                Some(quote @ ('"' | '\'')) => {
                    self.bump();
                    value.push_str(&self.until(&[quote])?);
                    if self.bump() != Some(quote) {
                        return self.error("a quoted value is not closed");
                    }
                    first_part = false;
                }
                None | Some('\n' | '\r') => return Ok(value),
                Some(_) => {
                    let part = self.until(&['\n', '\r'])?;
                    value.push_str(if first_part {
                        part.trim()
                    } else {
                        part.trim_end()
                    });
                    return Ok(value);
                }
            }
        }
    }

    /// Reads up to (not including) one of `ends` or the end of the text, resolving escapes.
    fn until(&mut self, ends: &[char]) -> Result<String, String> {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if ends.contains(&c) {
                break;
            }
            self.bump();
            if c != '\\' {
                out.push(c);
                continue;
            }
            match self.bump() {
                None => out.push('\\'),
                Some('\n') => {}
                Some('0') => out.push('\0'),
                Some('a') => out.push('\x07'),
                Some('b') => out.push('\x08'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('n') => out.push('\n'),
                Some('x') => out.push(self.hex_escape()?),
                Some(other) => out.push(other),
            }
        }
        Ok(out)
    }

    fn hex_escape(&mut self) -> Result<char, String> {
        let digits: String = (0..4).filter_map(|_| self.bump()).collect();
        u32::from_str_radix(&digits, 16)
            .ok()
            .and_then(char::from_u32)
            .map_or_else(|| self.error("`\\x` must be followed by 4 hex digits"), Ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn values(text: &str) -> Vec<(String, String, String)> {
        parse_ini(text)
            .unwrap()
            .into_iter()
            .map(|e| (e.section, e.key, e.value))
            .collect()
    }

    fn triple(section: &str, key: &str, value: &str) -> (String, String, String) {
        (section.into(), key.into(), value.into())
    }

    #[test]
    fn reads_what_sentry_cli_writes() {
        let text =
            "[auth]\ntoken=abc\n\n[defaults]\nurl = https://sentry.example.com/\norg: acme\n";
        assert_eq!(
            values(text),
            [
                triple("auth", "token", "abc"),
                triple("defaults", "url", "https://sentry.example.com/"),
                triple("defaults", "org", "acme"),
            ]
        );
    }

    #[test]
    fn comments_are_whole_lines_only() {
        let text = "# top\n[defaults] ; trailing\n  ; indented\norg = acme # not a comment\n";
        assert_eq!(
            values(text),
            [triple("defaults", "org", "acme # not a comment")]
        );
    }

    #[test]
    fn quotes_and_escapes() {
        let text = "[a]\nq = \"x = y\" tail\ns = 'single'\ne = C:\\\\dir\\;x\\x0041\njoined = one\\\ntwo\n";
        assert_eq!(
            values(text),
            [
                triple("a", "q", "x = y tail"),
                triple("a", "s", "single"),
                triple("a", "e", "C:\\dir;xA"),
                triple("a", "joined", "onetwo"),
            ]
        );
    }

    #[test]
    fn names_the_line_of_a_syntax_error() {
        assert_eq!(
            parse_ini("[a]\nno separator here\n").unwrap_err(),
            "line 2: expected `key = value`, found \"no separator here\""
        );
        assert!(parse_ini("[a\nk=v").unwrap_err().starts_with("line 1"));
        assert!(parse_ini("[a]\nk = \"open\n").is_err());
    }

    #[test]
    fn home_keeps_the_first_duplicate_and_the_project_the_last() {
        let home = tempfile::tempdir().unwrap();
        let project = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join(".sentryclirc"),
            "[defaults]\norg=first\norg=second\nproject=home\n",
        )
        .unwrap();
        std::fs::write(
            project.path().join(".sentryclirc"),
            "[defaults]\nurl=https://a.example\n[defaults]\nurl=https://b.example\n",
        )
        .unwrap();
        let rc = RcFiles::discover(project.path(), Some(home.path())).unwrap();
        assert_eq!(rc.get("defaults", "org").unwrap().value, "first");
        assert_eq!(
            rc.get("defaults", "url").unwrap().value,
            "https://b.example"
        );
        assert_eq!(rc.get("defaults", "url").unwrap().line, 4);
        assert_eq!(rc.get("defaults", "project").unwrap().value, "home");
        assert_eq!(rc.warnings.len(), 2, "{:?}", rc.warnings);
        assert!(
            rc.warnings[0].contains("line 2 is used"),
            "{:?}",
            rc.warnings
        );
    }

    #[test]
    fn the_home_file_found_by_the_walk_is_read_once_as_the_project_file() {
        let home = tempfile::tempdir().unwrap();
        let inside = home.path().join("work");
        std::fs::create_dir(&inside).unwrap();
        std::fs::write(
            home.path().join(".sentryclirc"),
            "[defaults]\norg=first\norg=second\n",
        )
        .unwrap();
        let rc = RcFiles::discover(&inside, Some(home.path())).unwrap();
        assert_eq!(rc.get("defaults", "org").unwrap().value, "second");
        assert_eq!(rc.files.len(), 1);
        assert_eq!(rc.warnings.len(), 1, "{:?}", rc.warnings);
    }

    #[test]
    fn only_the_nearest_project_file_applies() {
        let root = tempfile::tempdir().unwrap();
        let nested = root.path().join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(root.path().join(".sentryclirc"), "[defaults]\norg=outer\n").unwrap();
        std::fs::write(
            root.path().join("a/sentrycli.ini"),
            "[defaults]\nproject=inner\n",
        )
        .unwrap();
        let rc = RcFiles::discover(&nested, None).unwrap();
        assert_eq!(rc.get("defaults", "project").unwrap().value, "inner");
        assert!(rc.get("defaults", "org").is_none());
    }

    #[test]
    fn warns_about_unknown_keys_and_value_comments() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".sentryclirc"),
            "[Auth]\ntoken=x\n[http]\nkeepalive=false\n[defaults]\norg = acme ; prod\n",
        )
        .unwrap();
        let rc = RcFiles::discover(dir.path(), None).unwrap();
        let all = rc.warnings.join("\n");
        assert!(all.contains("[Auth] token"), "{all}");
        assert!(all.contains("[http] keepalive"), "{all}");
        assert!(all.contains("part of the value"), "{all}");
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,200}") {
            let _ = parse_ini(&text);
        }

        #[test]
        fn written_values_read_back(
            entries in proptest::collection::vec(
                ("[a-z_]{1,10}", "[a-z_]{1,10}", "[A-Za-z0-9_./:@+-][A-Za-z0-9_./:@+ -]{0,30}[A-Za-z0-9_./:@+-]"),
                1..8,
            )
        ) {
            let text: String = entries
                .iter()
                .map(|(section, key, value)| format!("[{section}]\n{key} = {value}\n"))
                .collect();
            let parsed = values(&text);
            let expected: Vec<_> = entries
                .iter()
                .map(|(s, k, v)| (s.clone(), k.clone(), v.clone()))
                .collect();
            prop_assert_eq!(parsed, expected);
        }

        #[test]
        fn a_bom_or_crlf_changes_nothing(key in "[a-z]{1,8}", value in "[a-z0-9]{1,12}") {
            let plain = format!("[defaults]\n{key}={value}\n");
            let windows = format!("\u{feff}[defaults]\r\n{key}={value}\r\n");
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join(".sentryclirc"), &windows).unwrap();
            let rc = RcFiles::discover(dir.path(), None).unwrap();
            prop_assert_eq!(&rc.get("defaults", &key).unwrap().value, &value);
            prop_assert_eq!(values(&plain), vec![triple("defaults", &key, &value)]);
        }
    }
}
