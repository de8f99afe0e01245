//! `.env` loading as sentry-cli does it: on unless `SENTRY_LOAD_DOTENV` is set to something other than `1`;
//! the file is `SENTRY_DOTENV_PATH`, else the first `.env` from the working directory up; its variables
//! never replace ones already in the environment.
//!
//! The syntax is the common one (dotenvy's): `KEY=value`, an optional `export `, `#` comments (also after
//! an unquoted value), `'literal'`, `"escaped \n and ${VAR}"`, quoted values over several lines, and
//! `$VAR` / `${VAR}` taken from the environment, then from lines above. A line that is none of these is
//! skipped with a warning.

use super::files::read_config_file;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Variables read from a `.env` file, with the file.
#[derive(Debug, Default)]
pub struct DotEnv {
    /// The file read, if one was.
    pub path: Option<PathBuf>,
    /// Its variables, in file order (a later line replaces an earlier one).
    pub vars: HashMap<String, String>,
    /// Lines that were skipped, and files that could not be read.
    pub warnings: Vec<String>,
}

/// Loads the `.env` file sentry-cli would load, given the process environment and working directory.
/// An explicit `SENTRY_DOTENV_PATH` that cannot be read is an error; a discovered file that cannot is a warning.
pub fn load(env: &HashMap<String, String>, cwd: &Path) -> Result<DotEnv, String> {
    if env.get("SENTRY_LOAD_DOTENV").is_some_and(|v| v != "1") {
        return Ok(DotEnv::default());
    }
    if let Some(explicit) = env
        .get("SENTRY_DOTENV_PATH")
        .filter(|p| !p.trim().is_empty())
    {
        let path = cwd.join(explicit.trim());
        let reason = |why: String| format!("SENTRY_DOTENV_PATH {}: {why}", path.display());
        let text = read_config_file(&path)
            .map_err(reason)?
            .ok_or_else(|| reason("no such file".to_owned()))?;
        return Ok(parse_file(path, &text, env));
    }
    let Some(path) = cwd
        .ancestors()
        .map(|dir| dir.join(".env"))
        .find(|file| file.exists() && !file.is_dir())
    else {
        return Ok(DotEnv::default());
    };
    match read_config_file(&path) {
        Ok(Some(text)) => Ok(parse_file(path, &text, env)),
        Ok(None) => Ok(DotEnv::default()),
        Err(why) => Ok(DotEnv {
            warnings: vec![format!("{} is not loaded: {why}", path.display())],
            ..DotEnv::default()
        }),
    }
}

fn parse_file(path: PathBuf, text: &str, env: &HashMap<String, String>) -> DotEnv {
    let (vars, skipped) = parse(text, env);
    let warnings = skipped
        .into_iter()
        .map(|(line, why)| format!("{} line {line} is skipped: {why}", path.display()))
        .collect();
    DotEnv {
        path: Some(path),
        vars,
        warnings,
    }
}

/// Parses `.env` text; returns the variables and the skipped lines (line number, reason).
pub fn parse(
    text: &str,
    env: &HashMap<String, String>,
) -> (HashMap<String, String>, Vec<(usize, String)>) {
    let mut vars = HashMap::new();
    let mut skipped = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut index = 0;
    while index < lines.len() {
        let number = index + 1;
        let line = lines[index].trim();
        index += 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let Some((key, rest)) = line.split_once('=') else {
            skipped.push((number, "expected KEY=value".to_owned()));
            continue;
        };
        let key = key.trim();
        if !is_variable_name(key) {
            skipped.push((number, format!("{key:?} is not a variable name")));
            continue;
        }
        let lookup = |name: &str| env.get(name).or_else(|| vars.get(name)).cloned();
        match value(rest.trim_start(), &lines, &mut index, lookup) {
            Ok(value) => {
                vars.insert(key.to_owned(), value);
            }
            Err(why) => skipped.push((number, why)),
        }
    }
    (vars, skipped)
}

fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// The value starting at `rest`; a quoted one may take further lines, advancing `index`.
fn value(
    rest: &str,
    lines: &[&str],
    index: &mut usize,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
        let unquoted = match rest.find(" #") {
            Some(comment) => &rest[..comment],
            None => rest,
        };
        return Ok(substitute(unquoted.trim(), &lookup));
    };
    let mut raw = rest[1..].to_owned();
    loop {
        if let Some(end) = closing_quote(&raw, quote) {
            let after = raw[end + 1..].trim();
            if !after.is_empty() && !after.starts_with('#') {
                return Err("unexpected text after the closing quote".to_owned());
            }
            raw.truncate(end);
            break;
        }
        let Some(next) = lines.get(*index) else {
            return Err(format!("the {quote} quote is never closed"));
        };
        raw.push('\n');
        raw.push_str(next);
        *index += 1;
    }
    Ok(if quote == '\'' {
        raw
    } else {
        substitute(&unescape(&raw), &lookup)
    })
}

/// Where the closing quote is, skipping `\"` inside double quotes.
fn closing_quote(text: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        match c {
            '\\' if quote == '"' && !escaped => escaped = true,
            c if c == quote && !escaped => return Some(at),
            _ => escaped = false,
        }
    }
    None
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            // `\$` stays escaped so substitution leaves it alone.
            Some('$') => out.push_str("\\$"),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Replaces `$VAR` and `${VAR}` (unknown ones become empty); `\$` is a literal dollar.
fn substitute(text: &str, lookup: &impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['$', '\\']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("\\$") {
            out.push('$');
            rest = after;
            continue;
        }
        if let Some(after) = tail.strip_prefix('\\') {
            out.push('\\');
            rest = after;
            continue;
        }
        let after_dollar = &tail[1..];
        let (name, consumed) = match after_dollar.strip_prefix('{') {
            Some(braced) => match braced.find('}') {
                Some(end) => (&braced[..end], end + 2),
                None => ("", 0),
            },
            None => {
                let end = after_dollar
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after_dollar.len());
                (&after_dollar[..end], end)
            }
        };
        if name.is_empty() {
            out.push('$');
            rest = after_dollar;
            continue;
        }
        out.push_str(&lookup(name).unwrap_or_default());
        rest = &after_dollar[consumed..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parsed(text: &str) -> HashMap<String, String> {
        let env = HashMap::from([("HOME".to_owned(), "/home/ci".to_owned())]);
        let (vars, skipped) = parse(text, &env);
        assert!(skipped.is_empty(), "{skipped:?}");
        vars
    }

    #[test]
    fn reads_the_common_forms() {
        let vars = parsed(
            "# comment\nexport SENTRY_ORG=acme\nSENTRY_URL = https://sentry.example.com # self-hosted\n\
             SINGLE='a $HOME b'\nDOUBLE=\"line\\nnext ${HOME}\"\nPLAIN=$HOME/x\nEMPTY=\n",
        );
        assert_eq!(vars["SENTRY_ORG"], "acme");
        assert_eq!(vars["SENTRY_URL"], "https://sentry.example.com");
        assert_eq!(vars["SINGLE"], "a $HOME b");
        assert_eq!(vars["DOUBLE"], "line\nnext /home/ci");
        assert_eq!(vars["PLAIN"], "/home/ci/x");
        assert_eq!(vars["EMPTY"], "");
    }

    #[test]
    fn quoted_values_span_lines_and_refer_to_earlier_ones() {
        let vars = parsed(
            "KEY=\"-----BEGIN\nabc\n-----END\"\nORG=acme\nPROJECT=\"${ORG}-web\"\nCOST=\"\\$5\"\n",
        );
        assert_eq!(vars["KEY"], "-----BEGIN\nabc\n-----END");
        assert_eq!(vars["PROJECT"], "acme-web");
        assert_eq!(vars["COST"], "$5");
    }

    #[test]
    fn skips_what_it_cannot_read_and_says_which_line() {
        let (vars, skipped) = parse(
            "GOOD=1\nnot a line\n1BAD=x\nOPEN=\"never closed\n",
            &HashMap::new(),
        );
        assert_eq!(vars.len(), 1);
        let lines: Vec<usize> = skipped.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [2, 3, 4]);
    }

    #[test]
    fn loading_follows_sentry_cli() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("sub");
        std::fs::create_dir(&nested).unwrap();
        std::fs::write(dir.path().join(".env"), "SENTRY_ORG=from-file\n").unwrap();
        let loaded = load(&HashMap::new(), &nested).unwrap();
        assert_eq!(loaded.vars["SENTRY_ORG"], "from-file");

        let off = HashMap::from([("SENTRY_LOAD_DOTENV".to_owned(), "0".to_owned())]);
        assert!(load(&off, &nested).unwrap().vars.is_empty());

        let missing = HashMap::from([("SENTRY_DOTENV_PATH".to_owned(), "nope.env".to_owned())]);
        let err = load(&missing, &nested).unwrap_err();
        assert!(
            err.contains("SENTRY_DOTENV_PATH") && err.contains("no such file"),
            "{err}"
        );
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,200}") {
            let _ = parse(&text, &HashMap::new());
        }

        #[test]
        fn plain_values_read_back(
            pairs in proptest::collection::hash_map("[A-Z_][A-Z0-9_]{0,12}", "[A-Za-z0-9_./:@+-]{0,30}", 0..8)
        ) {
            let text: String = pairs.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
            let (vars, skipped) = parse(&text, &HashMap::new());
            prop_assert!(skipped.is_empty());
            prop_assert_eq!(vars, pairs);
        }
    }
}
