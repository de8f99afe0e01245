//! A tool's answer: curated JSON for programs plus a short text for people and models.

use crate::output::Answer;
use crate::sentry::Listing;
use serde_json::{Value, json};

/// The answer of a tool call.
pub type ToolOutput = Answer;

/// How a list answer reads: its heading, the JSON key of its items, and the fields around them.
pub struct ListAnswer {
    /// The first line of the text: a heading, or what an empty list means.
    pub heading: String,
    /// The key the items go under in the JSON answer.
    pub key: &'static str,
    /// The other fields of the JSON answer (organization, query, ...), as an object.
    pub fields: Value,
}

impl ListAnswer {
    /// Renders a listing: heading, one line per item and the "more" line; JSON items and `next_cursor`.
    pub fn render<T>(
        self,
        listing: &Listing<T>,
        line: impl Fn(&T) -> String,
        item: impl Fn(&T) -> Value,
    ) -> ToolOutput {
        let mut lines = vec![self.heading];
        lines.extend(listing.items.iter().map(line));
        lines.extend(more_line(
            listing.items.len(),
            listing.hits,
            listing.next_cursor.as_deref(),
        ));
        let mut structured = match self.fields {
            Value::Object(fields) => fields,
            _ => serde_json::Map::new(),
        };
        structured.insert(
            self.key.to_owned(),
            listing.items.iter().map(item).collect(),
        );
        structured.insert("next_cursor".to_owned(), json!(listing.next_cursor));
        ToolOutput::new(Value::Object(structured), lines.join("\n"))
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
