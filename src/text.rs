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
}
