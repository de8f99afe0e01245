//! The tool registry: each tool defined once, served to MCP clients and to `sentry-companion tool NAME`.

pub mod context;
pub mod deadline;
pub mod ids;
pub mod output;

mod events;
mod health;
mod issues;
mod projects;
mod releases;
mod stats;
mod teams;

pub use context::ToolContext;
pub use output::ToolOutput;

use crate::sentry::{ApiError, path::InvalidSegment};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Why a tool call did not produce an answer.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The arguments are wrong; the message says how to fix them.
    #[error("{0}")]
    InvalidInput(String),
    /// Sentry refused or could not be reached.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// No tool has this name.
    #[error("unknown tool {0:?}: run `sentry-companion tool list` to see the tools")]
    UnknownTool(String),
    /// The tool changes data and the server runs read-only.
    #[error("tool {0:?} changes data and this server runs with --read-only")]
    ReadOnly(String),
    /// Another failure inside a tool, already phrased for the user.
    #[error("{0}")]
    Failed(String),
}

impl From<InvalidSegment> for ToolError {
    fn from(e: InvalidSegment) -> Self {
        Self::InvalidInput(e.to_string())
    }
}

/// What a tool does to the world, as MCP annotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Effects {
    /// Only reads.
    pub read_only: bool,
    /// May destroy or overwrite data.
    pub destructive: bool,
    /// Calling twice equals calling once.
    pub idempotent: bool,
}

impl Effects {
    /// A read-only tool.
    pub const READ: Self = Self {
        read_only: true,
        destructive: false,
        idempotent: true,
    };
    /// A write that can be repeated safely (set status, finalize).
    pub const IDEMPOTENT_WRITE: Self = Self {
        read_only: false,
        destructive: false,
        idempotent: true,
    };
    /// A write that adds something each time (a deploy record).
    pub const ADDITIVE_WRITE: Self = Self {
        read_only: false,
        destructive: false,
        idempotent: false,
    };
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type Handler =
    Box<dyn Fn(Arc<ToolContext>, Value) -> BoxFuture<Result<ToolOutput, ToolError>> + Send + Sync>;

/// One tool: its name, description, input schema, effects and handler.
pub struct Tool {
    /// snake_case name, as in the contract.
    pub name: &'static str,
    /// Human title.
    pub title: &'static str,
    /// What it does and when to use it (shown to assistants).
    pub description: &'static str,
    /// What it does to the world.
    pub effects: Effects,
    schema: Map<String, Value>,
    handler: Handler,
}

impl Tool {
    /// Defines a tool whose arguments deserialize into `P`.
    pub fn new<P, F, Fut>(
        name: &'static str,
        title: &'static str,
        description: &'static str,
        effects: Effects,
        handler: F,
    ) -> Self
    where
        P: DeserializeOwned + JsonSchema + Send + 'static,
        F: Fn(Arc<ToolContext>, P) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ToolOutput, ToolError>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        Self {
            name,
            title,
            description,
            effects,
            schema: schema_for::<P>(),
            handler: Box::new(move |ctx, args| {
                let handler = Arc::clone(&handler);
                Box::pin(async move {
                    let params: P = serde_json::from_value(args)
                        .map_err(|e| ToolError::InvalidInput(format!("invalid arguments: {e}")))?;
                    handler(ctx, params).await
                })
            }),
        }
    }

    /// The input schema as served to clients: slug parameters with a configured default are optional.
    pub fn input_schema(&self, ctx: &ToolContext) -> Map<String, Value> {
        let mut schema = self.schema.clone();
        let defaults = [
            ("organization_slug", ctx.default_org().is_some()),
            ("project_slug", ctx.default_project().is_some()),
        ];
        if let Some(Value::Array(required)) = schema.get_mut("required") {
            required.retain(|name| {
                !defaults
                    .iter()
                    .any(|(param, has_default)| *has_default && name == param)
            });
            if required.is_empty() {
                schema.remove("required");
            }
        }
        schema
    }
}

/// Produces the compact draft 2020-12 schema of a parameter struct.
fn schema_for<P: JsonSchema>() -> Map<String, Value> {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| s.meta_schema = None)
        .into_generator();
    let schema = generator.into_root_schema_for::<P>();
    let mut value = schema.to_value();
    compact(&mut value);
    match value {
        Value::Object(mut map) => {
            map.remove("title");
            map.remove("description");
            map.entry("type").or_insert_with(|| "object".into());
            map.entry("properties")
                .or_insert_with(|| Value::Object(Map::new()));
            map
        }
        _ => unreachable!("a struct's schema is an object"),
    }
}

/// Drops what costs tokens without helping a client: integer formats and the `null` that `Option`
/// adds to types and enum choices.
fn compact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map
                .get("format")
                .and_then(Value::as_str)
                .is_some_and(|f| f.starts_with("int") || f.starts_with("uint"))
            {
                map.remove("format");
            }
            if let Some(Value::Array(types)) = map.get("type") {
                let kept: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
                if kept.len() == 1 {
                    map.insert("type".into(), kept[0].clone());
                }
            }
            if let Some(Value::Array(choices)) = map.get_mut("enum") {
                choices.retain(|c| !c.is_null());
            }
            if map.get("default") == Some(&Value::Null) {
                map.remove("default");
            }
            // A definition is described where it is used; its own description would say it twice.
            if let Some(Value::Object(definitions)) = map.get_mut("$defs") {
                for definition in definitions.values_mut() {
                    if let Value::Object(definition) = definition {
                        definition.remove("description");
                    }
                }
            }
            map.values_mut().for_each(compact);
        }
        Value::Array(items) => items.iter_mut().for_each(compact),
        _ => {}
    }
}

/// Reads scalars the way the schema wants them: `1.0` for a string parameter becomes `"1.0"`,
/// `"25"` for an integer becomes `25`. Shells (`--arg k=v`) and assistants both send such values.
fn coerce_scalars(args: Value, schema: &Map<String, Value>) -> Value {
    let Value::Object(mut map) = args else {
        return args;
    };
    let Some(Value::Object(properties)) = schema.get("properties") else {
        return Value::Object(map);
    };
    for (name, value) in map.iter_mut() {
        let wanted = properties
            .get(name)
            .and_then(|p| p.get("type"))
            .and_then(Value::as_str);
        let coerced = match (wanted, &*value) {
            (Some("string"), Value::Number(n)) => Some(Value::String(n.to_string())),
            (Some("string"), Value::Bool(b)) => Some(Value::String(b.to_string())),
            (Some("integer"), Value::String(s)) => s.trim().parse::<i64>().ok().map(Value::from),
            (Some("boolean"), Value::String(s)) => s.trim().parse::<bool>().ok().map(Value::Bool),
            _ => None,
        };
        if let Some(coerced) = coerced {
            *value = coerced;
        }
    }
    Value::Object(map)
}

/// Every tool, in the order they are listed.
pub struct Registry {
    tools: Vec<Tool>,
}

impl Registry {
    /// All tools of all modules.
    pub fn new() -> Self {
        let tools = [
            projects::tools(),
            teams::tools(),
            issues::tools(),
            events::tools(),
            releases::tools(),
            stats::tools(),
            health::tools(),
        ]
        .into_iter()
        .flatten()
        .collect();
        Self { tools }
    }

    /// The tools a client may see: all, or only the read-only ones.
    pub fn visible(&self, read_only: bool) -> impl Iterator<Item = &Tool> {
        self.tools
            .iter()
            .filter(move |t| !read_only || t.effects.read_only)
    }

    /// Looks a tool up by name.
    pub fn get(&self, name: &str) -> Option<&Tool> {
        self.tools.iter().find(|t| t.name == name)
    }

    /// Calls a tool by name with JSON arguments.
    pub async fn call(
        &self,
        ctx: Arc<ToolContext>,
        name: &str,
        args: Value,
        read_only: bool,
    ) -> Result<ToolOutput, ToolError> {
        let tool = self
            .get(name)
            .ok_or_else(|| ToolError::UnknownTool(name.to_owned()))?;
        if read_only && !tool.effects.read_only {
            return Err(ToolError::ReadOnly(name.to_owned()));
        }
        let args = match args {
            Value::Null => Value::Object(Map::new()),
            Value::Object(map) => Value::Object(map),
            other => {
                return Err(ToolError::InvalidInput(format!(
                    "arguments must be a JSON object, not {other}"
                )));
            }
        };
        let args = coerce_scalars(args, &tool.schema);
        (tool.handler)(ctx, args).await
    }
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_follow_the_schema() {
        let schema = json!({"properties": {
            "version": {"type": "string"}, "limit": {"type": "integer"}, "has_seen": {"type": "boolean"}
        }});
        let args = json!({"version": 1.5, "limit": "25", "has_seen": "true", "other": 3});
        assert_eq!(
            coerce_scalars(args, schema.as_object().unwrap()),
            json!({"version": "1.5", "limit": 25, "has_seen": true, "other": 3})
        );
    }

    #[test]
    fn every_tool_has_a_distinct_name_and_an_object_schema() {
        let registry = Registry::new();
        let mut names: Vec<&str> = registry.visible(false).map(|t| t.name).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count);
        for tool in registry.visible(false) {
            assert_eq!(
                tool.schema.get("type"),
                Some(&json!("object")),
                "{}",
                tool.name
            );
            assert!(!tool.description.is_empty(), "{}", tool.name);
        }
    }
}
