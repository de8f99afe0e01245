//! How results are printed: text for people, or exactly one JSON document for scripts.
//!
//! Whatever is printed passes through [`sanitize`]: Sentry's data must not command the terminal
//! or the CI runner.

pub mod sanitize;

use serde::Serialize;
use serde_json::Value;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// For people.
    #[default]
    Text,
    /// One JSON document on stdout, for scripts.
    Json,
}

impl OutputFormat {
    /// Reads `text` or `json` (any case), as `SENTRY_COMPANION_OUTPUT` and `--output` take them.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "text" => Some(Self::Text),
            "json" => Some(Self::Json),
            _ => None,
        }
    }

    /// The name the flag takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Json => "json",
        }
    }
}

/// Prints a value as one pretty JSON document on stdout.
pub fn print_json<T: Serialize>(value: &T) {
    println!("{}", json_text(value));
}

/// A value as one pretty JSON document, safe to print.
pub fn json_text<T: Serialize>(value: &T) -> String {
    sanitize::json_safe(&serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".into()))
}

/// Prints text for people on stdout, safe to print (see [`sanitize::terminal_safe`]).
pub fn print_text(text: &str) {
    println!("{}", sanitize::terminal_safe(text));
}

/// Prints a warning on stderr, safe to print.
pub fn print_warning(message: &str) {
    eprintln!("warning: {}", sanitize::terminal_safe(message));
}

/// An answer: curated JSON for programs plus a short text for people and models.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Curated JSON (an object): ids, URLs and cursors the next call needs, no null noise.
    pub structured: Value,
    /// A concise rendering of the same answer.
    pub text: String,
}

impl Answer {
    /// Builds an answer, dropping `null` fields from the JSON.
    pub fn new(mut structured: Value, text: impl Into<String>) -> Self {
        prune_nulls(&mut structured);
        Self {
            structured,
            text: text.into(),
        }
    }

    /// Builds an answer whose JSON is a typed value (for tools that declare an output schema).
    pub fn typed<T: Serialize>(value: &T, text: impl Into<String>) -> Self {
        let structured = serde_json::to_value(value).expect("answers are plain data");
        Self::new(structured, text)
    }

    /// Prints the answer on stdout: the text, or only the JSON document.
    pub fn print(&self, format: OutputFormat) {
        match format {
            OutputFormat::Text => print_text(self.text.trim_end()),
            OutputFormat::Json => print_json(&self.structured),
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_drop_null_noise_at_every_depth() {
        let out = Answer::new(json!({"a": null, "b": [{"c": null, "d": 1}], "e": []}), "t");
        assert_eq!(out.structured, json!({"b": [{"d": 1}], "e": []}));
    }

    #[test]
    fn formats_read_in_any_case() {
        assert_eq!(OutputFormat::parse(" JSON "), Some(OutputFormat::Json));
        assert_eq!(OutputFormat::parse("yaml"), None);
    }
}
