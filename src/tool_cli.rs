//! The shell face of the tool registry: `sentry-companion tool list` and `tool NAME --arg k=v`.

use crate::exit::Exit;
use crate::output::OutputFormat;
use crate::output::{print_json, print_text};
use crate::sentry::Session;
use crate::tools::arguments::argument_docs;
use crate::tools::deadline::call_within;
use crate::tools::{Registry, Tool, ToolContext};
use anyhow::{Context, bail};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::Duration;

/// `tool NAME --arg k=v ... --json '{...}'`, as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    /// The tool's name, or `list`.
    pub name: String,
    /// `key=value` pairs; values are JSON when they parse, else strings.
    pub pairs: Vec<String>,
    /// All arguments as one JSON object (the pairs are applied on top).
    pub json: Option<String>,
    /// Show the tool's arguments instead of calling it.
    pub help: bool,
    /// The call's total time, retries included.
    pub call_timeout: Duration,
}

/// Lists the tools or calls one, printing its answer.
pub async fn run(session: Session, output: OutputFormat, args: ToolCall) -> anyhow::Result<Exit> {
    let registry = Registry::new();
    let context = Arc::new(ToolContext::new(session));
    if args.name == "list" {
        print_list(&registry, &context, output);
        return Ok(Exit::Success);
    }
    let Some(tool) = registry.get(&args.name) else {
        bail!(
            "unknown tool {:?}: run `sentry-companion tool list` to see the tools",
            args.name
        );
    };
    if args.help {
        print_tool_help(tool, &context, output);
        return Ok(Exit::Success);
    }
    let arguments = parse_arguments(args.json.as_deref(), &args.pairs)?;
    let answer = call_within(
        &registry,
        args.call_timeout,
        context,
        &args.name,
        arguments,
        false,
    )
    .await?;
    answer.print(output);
    Ok(Exit::Success)
}

fn print_list(registry: &Registry, context: &ToolContext, format: OutputFormat) {
    match format {
        OutputFormat::Json => {
            let tools: Vec<Value> = registry
                .visible(false)
                .map(|t| {
                    json!({"name": t.name, "title": t.title, "toolset": t.toolset.name(),
                           "description": t.description, "read_only": t.effects.read_only,
                           "arguments": arguments_json(t, context)})
                })
                .collect();
            print_json(&json!({ "tools": tools }));
        }
        OutputFormat::Text => {
            let width = registry
                .visible(false)
                .map(|t| t.name.len())
                .max()
                .unwrap_or(0);
            let mut out = Vec::new();
            for tool in registry.visible(false) {
                let summary = tool
                    .description
                    .split(". ")
                    .next()
                    .unwrap_or(tool.description);
                let summary = summary.trim_end_matches('.');
                out.push(format!(
                    "{:width$}  {:11}  {summary}",
                    tool.name,
                    tool.toolset.name()
                ));
                out.extend(argument_lines(tool, context, "    "));
            }
            out.push(String::new());
            out.push("Call one with `sentry-companion tool NAME --arg KEY=VALUE ...`; `tool NAME --help` describes it.".into());
            print_text(&out.join("\n"));
        }
    }
}

/// `tool NAME --help`: what the tool does and every argument.
fn print_tool_help(tool: &Tool, context: &ToolContext, format: OutputFormat) {
    match format {
        OutputFormat::Json => print_json(&json!({
            "name": tool.name, "title": tool.title, "toolset": tool.toolset.name(),
            "description": tool.description, "read_only": tool.effects.read_only,
            "arguments": arguments_json(tool, context),
        })),
        OutputFormat::Text => {
            let mut out = vec![
                format!("{}: {}", tool.name, tool.description),
                String::new(),
                format!(
                    "Usage: sentry-companion tool {} [--arg KEY=VALUE]... [--json '{{...}}']",
                    tool.name
                ),
                String::new(),
                "Arguments:".into(),
            ];
            let lines = argument_lines(tool, context, "  ");
            if lines.is_empty() {
                out.push("  (none)".into());
            }
            out.extend(lines);
            print_text(&out.join("\n"));
        }
    }
}

/// One line per argument: `NAME  TYPE, required|default D  DESCRIPTION`.
fn argument_lines(tool: &Tool, context: &ToolContext, indent: &str) -> Vec<String> {
    let docs = argument_docs(&tool.input_schema(context));
    let width = docs.iter().map(|d| d.name.len()).max().unwrap_or(0);
    docs.iter()
        .map(|doc| {
            let mut facts = vec![doc.kind.clone()];
            if doc.required {
                facts.push("required".into());
            }
            if let Some(default) = &doc.default {
                facts.push(format!("default {default}"));
            }
            format!(
                "{indent}{:width$}  ({})  {}",
                doc.name,
                facts.join(", "),
                doc.description
            )
            .trim_end()
            .to_owned()
        })
        .collect()
}

fn arguments_json(tool: &Tool, context: &ToolContext) -> Vec<Value> {
    argument_docs(&tool.input_schema(context))
        .into_iter()
        .map(|doc| {
            json!({"name": doc.name, "type": doc.kind, "required": doc.required,
                   "default": doc.default.map(|d| serde_json::from_str::<Value>(&d).unwrap_or(Value::String(d))),
                   "description": doc.description})
        })
        .collect()
}

/// Merges `--json` and `--arg key=value` pairs into one arguments object.
pub fn parse_arguments(json_text: Option<&str>, pairs: &[String]) -> anyhow::Result<Value> {
    let mut arguments = match json_text {
        None => Map::new(),
        Some(text) => match serde_json::from_str(text).context("--json is not valid JSON")? {
            Value::Object(map) => map,
            _ => bail!("--json must be a JSON object, e.g. '{{\"organization_slug\":\"acme\"}}'"),
        },
    };
    for pair in pairs {
        let Some((key, raw)) = pair.split_once('=') else {
            bail!("--arg {pair:?} must look like key=value");
        };
        let key = key.trim();
        if key.is_empty() {
            bail!("--arg {pair:?} has an empty key");
        }
        let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()));
        arguments.insert(key.to_owned(), value);
    }
    Ok(Value::Object(arguments))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arg_values_are_json_when_they_parse() {
        let args = parse_arguments(
            Some(r#"{"limit": 5, "query": "a"}"#),
            &[
                "query=is:unresolved".into(),
                "limit=10".into(),
                "has_seen=true".into(),
                "x=a=b".into(),
            ],
        )
        .unwrap();
        assert_eq!(
            args,
            json!({"limit": 10, "query": "is:unresolved", "has_seen": true, "x": "a=b"})
        );
    }

    #[test]
    fn bad_arguments_say_what_is_wrong() {
        assert!(
            parse_arguments(None, &["novalue".into()])
                .unwrap_err()
                .to_string()
                .contains("key=value")
        );
        assert!(
            parse_arguments(Some("[1]"), &[])
                .unwrap_err()
                .to_string()
                .contains("JSON object")
        );
        assert!(
            parse_arguments(Some("{"), &[])
                .unwrap_err()
                .to_string()
                .contains("not valid JSON")
        );
    }
}
