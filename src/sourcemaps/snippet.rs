//! The runtime snippet that registers a file's debug ID, and where it goes in the file.
//!
//! The snippet records `_sentryDebugIds[stack] = id` with a stack captured inside the file, so the
//! key names the file's own URL; the Sentry SDK matches stack frames against these keys.

use super::debug_id::DebugId;

/// The snippet up to the id: also how an injected file is recognised.
const SNIPPET_HEAD: &str = ";(function(){try{var g=typeof globalThis!=\"undefined\"?globalThis:typeof window!=\"undefined\"?window:typeof global!=\"undefined\"?global:typeof self!=\"undefined\"?self:{};var k=new g.Error().stack;if(k){g._sentryDebugIds=g._sentryDebugIds||{};g._sentryDebugIds[k]=\"";
const SNIPPET_TAIL: &str = "\";}}catch(_){}})();";

/// The snippet for `id`: one line, no line break.
pub fn snippet(id: DebugId) -> String {
    format!("{SNIPPET_HEAD}{id}{SNIPPET_TAIL}")
}

/// Where the snippet for `id` starts in `js`, if the file has it.
pub fn find_snippet(js: &[u8], id: DebugId) -> Option<usize> {
    let needle = snippet(id);
    js.windows(needle.len())
        .position(|window| window == needle.as_bytes())
}

/// Where the snippet goes: after a hashbang, a byte-order mark, and the leading comments and
/// directives (`"use strict";`), so the hashbang stays on line 1 and strict mode still applies.
/// When only blanks follow on that line, the snippet starts the next line.
pub fn insertion_offset(js: &[u8]) -> usize {
    let mut at = if js.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    if js[at..].starts_with(b"#!") {
        at = end_of_line(js, at);
    }
    loop {
        let next = skip_blanks(js, at);
        let rest = &js[next..];
        if rest.starts_with(b"//") {
            at = end_of_line(js, next);
        } else if rest.starts_with(b"/*") {
            match find(&rest[2..], b"*/") {
                Some(end) => at = next + 2 + end + 2,
                None => break,
            }
        } else if let Some(end) = directive_end(js, next) {
            at = end;
        } else {
            break;
        }
    }
    let after_spaces = at
        + js[at..]
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t' || b == b'\r')
            .count();
    if js.get(after_spaces) == Some(&b'\n') {
        after_spaces + 1
    } else {
        at
    }
}

/// The end of a directive (`"use strict";`) starting at `start`: after its `;`, or after the
/// string when a line break ends the statement. `None` when `start` holds no directive.
fn directive_end(js: &[u8], start: usize) -> Option<usize> {
    let quote = *js.get(start)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let mut i = start + 1;
    loop {
        match *js.get(i)? {
            b'\\' => i += 2,
            b'\n' | b'\r' => return None,
            b if b == quote => break,
            _ => i += 1,
        }
    }
    let after = i + 1;
    let next = after
        + js[after..]
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
    match js.get(next) {
        Some(b';') => Some(next + 1),
        // A line break ends the statement when the next line cannot continue the expression.
        Some(b'\n' | b'\r') | None => {
            let following = skip_blanks(js, next);
            let continues = js.get(following).is_some_and(|b| {
                matches!(
                    b,
                    b'.' | b'('
                        | b'['
                        | b'+'
                        | b'-'
                        | b'*'
                        | b'/'
                        | b'%'
                        | b'?'
                        | b','
                        | b'='
                        | b'<'
                        | b'>'
                        | b'&'
                        | b'|'
                        | b'^'
                        | b'`'
                )
            });
            (!continues).then_some(after)
        }
        _ => None,
    }
}

fn skip_blanks(js: &[u8], from: usize) -> usize {
    from + js[from..]
        .iter()
        .take_while(|b| b.is_ascii_whitespace())
        .count()
}

fn end_of_line(js: &[u8], from: usize) -> usize {
    js[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(js.len(), |i| from + i + 1)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The generated-file position of byte `offset`: 0-based line, and column in UTF-16 units (the
/// unit source maps count in).
pub fn position(js: &[u8], offset: usize) -> (usize, i64) {
    let before = &js[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .encode_utf16()
        .count();
    (line, column as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(js: &str) -> &str {
        &js[insertion_offset(js.as_bytes())..]
    }

    #[test]
    fn goes_first_in_a_plain_file() {
        assert_eq!(at("!function(){}();"), "!function(){}();");
        assert_eq!(at(""), "");
    }

    #[test]
    fn keeps_the_hashbang_on_line_one() {
        assert_eq!(at("#!/usr/bin/env node\nrun();"), "run();");
        assert_eq!(at("#!/usr/bin/env node"), "");
    }

    #[test]
    fn goes_after_directives_and_leading_comments() {
        assert_eq!(at("\"use strict\";!function(){}"), "!function(){}");
        assert_eq!(at("'use strict';\n\nvar a=1;"), "\nvar a=1;");
        assert_eq!(at("\"use client\"\n\"use strict\"\nexport{}"), "export{}");
        assert_eq!(
            at("/*! license */\n// src/env.ts\n'use strict'; x()"),
            " x()"
        );
        assert_eq!(at("\u{feff}\"use strict\";\nx()"), "x()");
    }

    #[test]
    fn a_string_that_is_not_a_directive_stays_after_the_snippet() {
        assert_eq!(at("\"abc\".length;"), "\"abc\".length;");
        assert_eq!(at("'a'\n+ b"), "'a'\n+ b");
        assert_eq!(at("/* unterminated"), "/* unterminated");
    }

    #[test]
    fn positions_count_lines_and_utf16_columns() {
        let js = "a\n/*é😀*/;x".as_bytes();
        let offset = js.iter().position(|&b| b == b';').unwrap();
        assert_eq!(position(js, offset), (1, 7));
        assert_eq!(position(js, 0), (0, 0));
    }

    #[test]
    fn finds_its_own_snippet() {
        let id = DebugId::for_file(b"x", None);
        let js = format!("\"use strict\";{}\nx()", snippet(id));
        assert_eq!(find_snippet(js.as_bytes(), id), Some(13));
        assert_eq!(find_snippet(b"x()", id), None);
        assert!(!snippet(id).contains('\n'));
    }
}
