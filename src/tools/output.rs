//! A tool's answer: curated JSON for programs plus a short text for people and models.

use crate::config::OutputFormat;
use serde_json::Value;

/// The answer of a tool call.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutput {
    /// Curated JSON (an object): ids, URLs and cursors the next call needs, no null noise.
    pub structured: Value,
    /// A concise rendering of the same answer.
    pub text: String,
}

impl ToolOutput {
    /// Builds an answer, dropping `null` fields from the JSON.
    pub fn new(mut structured: Value, text: impl Into<String>) -> Self {
        prune_nulls(&mut structured);
        Self {
            structured,
            text: text.into(),
        }
    }
}

impl ToolOutput {
    /// Prints the answer on stdout: the text, or only the JSON document.
    pub fn print(&self, format: OutputFormat) {
        match format {
            OutputFormat::Text => println!("{}", self.text.trim_end()),
            OutputFormat::Json => println!(
                "{}",
                serde_json::to_string_pretty(&self.structured).unwrap_or_else(|_| "{}".into())
            ),
        }
    }
}

/// Removes `null` values from objects, recursively.
pub fn prune_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(prune_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(prune_nulls),
        _ => {}
    }
}

/// The closing line of a list: how many are shown, how many more exist, and how to get them.
pub fn more_line(shown: usize, total: Option<u64>, next_cursor: Option<&str>) -> Option<String> {
    let more = total
        .map(|t| t.saturating_sub(shown as u64))
        .filter(|m| *m > 0);
    match (more, next_cursor) {
        (Some(more), Some(cursor)) => Some(format!(
            "{more} more not shown; call again with cursor=\"{cursor}\" for the next page."
        )),
        (Some(more), None) => Some(format!(
            "{more} more not shown; narrow the query to see them."
        )),
        (None, Some(cursor)) => Some(format!(
            "More results exist; call again with cursor=\"{cursor}\" for the next page."
        )),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn drops_null_noise_at_every_depth() {
        let out = ToolOutput::new(json!({"a": null, "b": [{"c": null, "d": 1}], "e": []}), "t");
        assert_eq!(out.structured, json!({"b": [{"d": 1}], "e": []}));
    }

    #[test]
    fn says_how_many_more_exist() {
        assert_eq!(more_line(25, Some(25), None), None);
        assert_eq!(
            more_line(25, Some(312), Some("0:25:0")).unwrap(),
            "287 more not shown; call again with cursor=\"0:25:0\" for the next page."
        );
        assert!(
            more_line(25, None, Some("x"))
                .unwrap()
                .contains("cursor=\"x\"")
        );
    }
}
