//! A tool's arguments as people read them (`tool list`, `tool NAME --help`): name, type, whether
//! required, default and description, all from the tool's input schema, so help cannot drift from
//! what the tool takes.

use serde_json::{Map, Value};

/// One argument of a tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgumentDoc {
    /// The parameter name, as `--arg NAME=...` takes it.
    pub name: String,
    /// Its type: `string`, `integer`, `boolean`, `array of string`, or the allowed values.
    pub kind: String,
    /// Whether a call must give it.
    pub required: bool,
    /// The default, as JSON, when the schema names one.
    pub default: Option<String>,
    /// What it is.
    pub description: String,
}

/// The arguments of an input schema, in the schema's order.
pub fn argument_docs(schema: &Map<String, Value>) -> Vec<ArgumentDoc> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let definitions = schema.get("$defs").and_then(Value::as_object);
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    properties
        .iter()
        .map(|(name, property)| {
            let resolved = resolve(property, definitions);
            ArgumentDoc {
                name: name.clone(),
                kind: kind(&resolved, definitions),
                required: required.contains(&name.as_str()),
                default: property
                    .get("default")
                    .or_else(|| resolved.get("default"))
                    .map(Value::to_string),
                description: property
                    .get("description")
                    .or_else(|| resolved.get("description"))
                    .and_then(Value::as_str)
                    .or_else(|| shared_description(name))
                    .unwrap_or_default()
                    .to_owned(),
            }
        })
        .collect()
}

/// The arguments many tools share, where a tool's schema does not describe them itself.
fn shared_description(name: &str) -> Option<&'static str> {
    match name {
        "organization_slug" => {
            Some("Organization slug (default: --org, SENTRY_ORG or the org token).")
        }
        "project_slug" => Some("Project slug (default: --project or SENTRY_PROJECT)."),
        "cursor" => Some("A next_cursor from the last answer."),
        _ => None,
    }
}

/// A property with a `$ref` (possibly inside `anyOf` with `null`) replaced by its definition.
fn resolve(property: &Value, definitions: Option<&Map<String, Value>>) -> Value {
    let reference = property.get("$ref").or_else(|| {
        property
            .get("anyOf")
            .and_then(Value::as_array)
            .and_then(|choices| choices.iter().find_map(|c| c.get("$ref")))
    });
    let target = reference
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
        .and_then(|name| definitions?.get(name));
    target.cloned().unwrap_or_else(|| property.clone())
}

fn kind(property: &Value, definitions: Option<&Map<String, Value>>) -> String {
    if let Some(choices) = property.get("enum").and_then(Value::as_array) {
        let names: Vec<String> = choices
            .iter()
            .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_owned))
            .collect();
        return format!("one of {}", names.join("|"));
    }
    if let Some(choices) = property.get("oneOf").and_then(Value::as_array) {
        let names: Vec<String> = choices
            .iter()
            .filter_map(|c| c.get("const").or_else(|| c.get("enum")?.get(0)))
            .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_owned))
            .collect();
        if !names.is_empty() {
            return format!("one of {}", names.join("|"));
        }
    }
    match property.get("type") {
        Some(Value::String(name)) if name == "array" => {
            let item = property
                .get("items")
                .map(|items| kind(&resolve(items, definitions), definitions))
                .unwrap_or_else(|| "any".into());
            format!("array of {item}")
        }
        Some(Value::String(name)) => name.clone(),
        Some(Value::Array(names)) => names
            .iter()
            .filter_map(Value::as_str)
            .filter(|n| *n != "null")
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arguments_carry_type_default_requirement_and_description() {
        let schema = json!({
            "type": "object",
            "required": ["issue_id"],
            "properties": {
                "issue_id": {"type": "string", "description": "The issue."},
                "limit": {"type": ["integer", "null"], "default": 25, "description": "How many."},
                "status": {"anyOf": [{"$ref": "#/$defs/Status"}, {"type": "null"}], "description": "New status."},
                "projects": {"type": "array", "items": {"type": "string"}},
            },
            "$defs": {"Status": {"type": "string", "enum": ["resolved", "ignored"]}}
        });
        let docs = argument_docs(schema.as_object().unwrap());
        let by_name = |n: &str| docs.iter().find(|d| d.name == n).unwrap().clone();
        assert_eq!(
            by_name("issue_id"),
            ArgumentDoc {
                name: "issue_id".into(),
                kind: "string".into(),
                required: true,
                default: None,
                description: "The issue.".into()
            }
        );
        assert_eq!(by_name("limit").kind, "integer");
        assert_eq!(by_name("limit").default.as_deref(), Some("25"));
        assert_eq!(by_name("status").kind, "one of resolved|ignored");
        assert_eq!(by_name("status").description, "New status.");
        assert_eq!(by_name("projects").kind, "array of string");
    }
}
