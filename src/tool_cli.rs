//! The shell face of the tool registry: `sentry-companion tool list` and `tool NAME --arg k=v`.

use crate::app::Exit;
use crate::cli::ToolArgs;
use crate::config::{Config, OutputFormat};
use crate::tools::deadline::call_within;
use crate::tools::{Registry, ToolContext};
use anyhow::{Context, bail};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Lists the tools or calls one, printing its answer.
pub async fn run(config: &Config, args: ToolArgs) -> anyhow::Result<Exit> {
    let registry = Registry::new();
    if args.name == "list" {
        print_list(&registry, config.output);
        return Ok(Exit::Success);
    }
    if registry.get(&args.name).is_none() {
        bail!(
            "unknown tool {:?}: run `sentry-companion tool list` to see the tools",
            args.name
        );
    }
    let arguments = parse_arguments(args.json.as_deref(), &args.args)?;
    let context = Arc::new(ToolContext::from_config(config)?);
    let output = call_within(
        &registry,
        args.call_timeout,
        context,
        &args.name,
        arguments,
        false,
    )
    .await?;
    output.print(config.output);
    Ok(Exit::Success)
}

fn print_list(registry: &Registry, format: OutputFormat) {
    match format {
        OutputFormat::Json => {
            let tools: Vec<Value> = registry
                .visible(false)
                .map(|t| json!({"name": t.name, "description": t.description, "read_only": t.effects.read_only}))
                .collect();
            println!("{}", json!({ "tools": tools }));
        }
        OutputFormat::Text => {
            let width = registry
                .visible(false)
                .map(|t| t.name.len())
                .max()
                .unwrap_or(0);
            for tool in registry.visible(false) {
                let summary = tool
                    .description
                    .split(". ")
                    .next()
                    .unwrap_or(tool.description);
                let summary = summary.trim_end_matches('.');
                println!("{:width$}  {summary}", tool.name);
            }
        }
    }
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
