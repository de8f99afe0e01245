//! Small text helpers shared by error messages and tool answers.

/// Cuts `text` to at most `max` characters, marking the cut with `…`.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Splits repeatable, comma-separated values into a de-duplicated list.
pub fn split_list<S: AsRef<str>>(values: &[S]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in values.iter().flat_map(|v| v.as_ref().split(',')) {
        let item = item.trim();
        if !item.is_empty() && !out.iter().any(|o| o == item) {
            out.push(item.to_owned());
        }
    }
    out
}

/// A trimmed, non-empty value, or `None`.
pub fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// A number as people write it: `100`, `0.5`, `12.25` (no trailing `.0`, at most two decimals).
pub fn plain_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        let text = format!("{value:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_split_trimmed_and_deduplicated() {
        assert_eq!(
            split_list(&["web, api,web", " ", "cli"]),
            ["web", "api", "cli"]
        );
    }

    #[test]
    fn cuts_on_character_boundaries() {
        assert_eq!(truncate("héllo wörld", 5), "héllo…");
        assert_eq!(truncate("short", 5), "short");
    }

    #[test]
    fn numbers_lose_trailing_zeros() {
        assert_eq!(plain_number(100.0), "100");
        assert_eq!(plain_number(50.5), "50.5");
        assert_eq!(plain_number(0.1234), "0.12");
    }
}
