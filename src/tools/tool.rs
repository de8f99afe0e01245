//! One tool: its name, description, toolset, input and output schemas, effects and handler.

use super::context::ToolContext;
use super::error::ToolError;
use super::output::ToolOutput;
use super::toolset::Toolset;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

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
    /// A write that replaces what was there (a project's name or slug).
    pub const OVERWRITE: Self = Self {
        read_only: false,
        destructive: true,
        idempotent: true,
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
    /// The group it is listed in (set by the registry).
    pub toolset: Toolset,
    pub(super) schema: Map<String, Value>,
    /// The schema its structured answer conforms to; without one, MCP clients get the text only.
    output_schema: Option<Map<String, Value>>,
    pub(super) handler: Handler,
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
            // The registry files every tool under its family's toolset.
            toolset: Toolset::Issues,
            schema: schema_for::<P>(),
            output_schema: None,
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

    /// Files the tool under a toolset.
    pub(super) fn in_toolset(mut self, toolset: Toolset) -> Self {
        self.toolset = toolset;
        self
    }

    /// Declares that the structured answer is a `T`: MCP clients then get it as `structuredContent`
    /// with this `outputSchema`. The handler must build its answer with [`ToolOutput::typed`] from a `T`.
    pub fn with_output<T: JsonSchema>(mut self) -> Self {
        let mut schema = schema_for::<T>();
        strip_descriptions(&mut schema);
        self.output_schema = Some(schema);
        self
    }

    /// The declared output schema, if any.
    pub fn output_schema(&self) -> Option<&Map<String, Value>> {
        self.output_schema.as_ref()
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

/// Output schemas are read by programs, not models: field names and types say enough.
fn strip_descriptions(schema: &mut Map<String, Value>) {
    schema.remove("description");
    for (keyword, value) in schema.iter_mut() {
        match (keyword.as_str(), value) {
            // Maps from names to schemas: a property may itself be called "description".
            ("properties" | "$defs", Value::Object(named)) => named
                .values_mut()
                .filter_map(Value::as_object_mut)
                .for_each(strip_descriptions),
            (_, Value::Object(sub)) => strip_descriptions(sub),
            (_, Value::Array(items)) => items
                .iter_mut()
                .filter_map(Value::as_object_mut)
                .for_each(strip_descriptions),
            _ => {}
        }
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
            // A definition is described where it is used, and its fields' names say the rest.
            if let Some(Value::Object(definitions)) = map.get_mut("$defs") {
                definitions
                    .values_mut()
                    .filter_map(Value::as_object_mut)
                    .for_each(strip_descriptions);
            }
            map.values_mut().for_each(compact);
        }
        Value::Array(items) => items.iter_mut().for_each(compact),
        _ => {}
    }
}
