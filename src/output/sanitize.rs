//! Text from Sentry (issue titles, culprits, slugs, server messages) made safe to print.
//!
//! Anyone who can send an event to a project chooses its title. Printed raw, a title can move the
//! cursor or rewrite the terminal (ANSI and OSC escapes), reverse what a line appears to say (bidi
//! overrides), or, on a line of its own, become a GitHub workflow command (`::error ...`,
//! `::add-mask::`, `::stop-commands::`, the older `##[...]`) that the runner obeys. Every printer
//! passes its text through [`terminal_safe`]; Markdown and annotations get their own escaping on top.

/// What a neutralised character is printed as.
const REPLACEMENT: char = '\u{FFFD}';

/// Text that prints as itself: control characters other than newline and tab (C0, DEL, C1) and
/// bidi overrides become `�`, and a line that would start a workflow command gets a space between
/// its leading colons (`: :error`) or hashes (`# #[`), so it reads the same and commands nothing.
pub fn terminal_safe(text: &str) -> String {
    let clean = without_controls(text, true);
    let mut out = String::with_capacity(clean.len());
    for (index, line) in clean.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.push_str(&defuse_command(line));
    }
    out
}

/// Text for one line: like [`terminal_safe`], with line breaks and tabs turned into spaces.
pub fn single_line(text: &str) -> String {
    terminal_safe(&without_controls(text, false))
}

/// Text for GitHub-flavoured Markdown (a job summary): one line, with the characters that start
/// markup (emphasis, code, links and images, HTML, tables, headings) backslash-escaped, so a
/// title cannot add links, images, HTML or table cells. (Parentheses mean nothing without `[`.)
pub fn markdown_text(text: &str) -> String {
    let line = single_line(text);
    let mut out = String::with_capacity(line.len() + 8);
    for c in line.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A link target for Markdown (`[text](URL)`): an http(s) URL with the characters that would end
/// or break the target percent-encoded; anything else becomes `#`, so no `javascript:` link.
pub fn markdown_url(url: &str) -> String {
    let url = single_line(url);
    let lower = url.trim().to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return "#".into();
    }
    url.trim()
        .chars()
        .fold(String::with_capacity(url.len()), |mut out, c| {
            match c {
                ' ' | '(' | ')' | '<' | '>' | '[' | ']' | '`' | '"' | '\\' => {
                    out.push_str(&format!("%{:02X}", c as u32))
                }
                c => out.push(c),
            }
            out
        })
}

/// Replaces control characters (keeping newline and tab when `keep_layout`, else making them
/// spaces) and bidi overrides.
fn without_controls(text: &str, keep_layout: bool) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\t' if keep_layout => c,
            '\n' | '\t' | '\r' if !keep_layout => ' ',
            c if c.is_control() || is_bidi_control(c) => REPLACEMENT,
            c => c,
        })
        .collect()
}

/// Bidi embeddings, overrides and isolates (the "Trojan Source" characters).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A line that the runner would read as a workflow command, made plain text.
fn defuse_command(line: &str) -> String {
    let body = line.trim_start();
    let indent = &line[..line.len() - body.len()];
    if let Some(rest) = body.strip_prefix("::") {
        format!("{indent}: :{rest}")
    } else if let Some(rest) = body.strip_prefix("##[") {
        format!("{indent}# #[{rest}")
    } else {
        line.to_owned()
    }
}

/// JSON text with the C1 control characters (which serde_json leaves raw) written as `\u` escapes:
/// still the same JSON value, and nothing a terminal acts on.
pub fn json_safe(json: &str) -> String {
    json.chars()
        .fold(String::with_capacity(json.len()), |mut out, c| {
            if ('\u{7f}'..='\u{9f}').contains(&c) || is_bidi_control(c) {
                out.push_str(&format!("\\u{:04x}", c as u32));
            } else {
                out.push(c);
            }
            out
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_injected_workflow_command_is_printed_as_text() {
        let title = "x\n::error title=INJECTED::y\n  ::add-mask::abc\n##[set-output name=a]b";
        assert_eq!(
            terminal_safe(title),
            "x\n: :error title=INJECTED::y\n  : :add-mask::abc\n# #[set-output name=a]b"
        );
    }

    #[test]
    fn escapes_and_carriage_returns_do_not_reach_the_terminal() {
        let title = "ok\x1b[2J\x1b]8;;https://evil\x07link\r::error::x\u{9b}31m\u{202E}txt";
        let safe = terminal_safe(title);
        assert!(!safe.chars().any(|c| c.is_control()), "{safe:?}");
        assert!(safe.starts_with("ok\u{FFFD}[2J"), "{safe:?}");
        assert!(!safe.contains('\u{202E}'));
    }

    #[test]
    fn markdown_cannot_add_links_or_tables() {
        assert_eq!(
            markdown_text("[click](https://evil) | <img src=x> *bold*\nnext"),
            "\\[click\\](https://evil) \\| \\<img src=x\\> \\*bold\\* next"
        );
    }

    #[test]
    fn markdown_links_stay_links_to_the_web() {
        assert_eq!(
            markdown_url("https://acme.sentry.io/issues/1/) [x](y"),
            "https://acme.sentry.io/issues/1/%29%20%5Bx%5D%28y"
        );
        assert_eq!(markdown_url("javascript:alert(1)"), "#");
    }

    #[test]
    fn json_keeps_its_value_without_raw_c1_controls() {
        let json = serde_json::to_string(&serde_json::json!({"t": "a\u{9b}b\u{202e}"})).unwrap();
        let safe = json_safe(&json);
        assert!(!safe.contains('\u{9b}'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["t"], "a\u{9b}b\u{202e}");
    }

    proptest! {
        #[test]
        fn no_line_from_sentry_data_starts_a_command(text in "(\\PC|[\\x00-\\x1f\\x7f-\\x9f]|::|##\\[| ){0,60}") {
            let safe = terminal_safe(&text);
            for line in safe.split('\n') {
                let trimmed = line.trim_start();
                prop_assert!(!trimmed.starts_with("::"), "{:?}", line);
                prop_assert!(!trimmed.starts_with("##["), "{:?}", line);
            }
            prop_assert!(safe.chars().all(|c| !c.is_control() || c == '\n' || c == '\t'), "{:?}", safe);
            let one = single_line(&text);
            prop_assert!(!one.contains('\n') && !one.trim_start().starts_with("::"));
        }
    }
}
