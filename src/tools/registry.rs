//! The registry: every tool in list order, each filed under its toolset, found by name and
//! called with JSON arguments.

use super::context::ToolContext;
use super::error::ToolError;
use super::output::ToolOutput;
use super::tool::Tool;
use super::toolset::{Toolset, Toolsets};
use super::{
    admin, events, feedback, health, issue_context, issues, monitoring, performance, projects,
    releases, resources, seer, stats, teams,
};
use serde_json::{Map, Value};
use std::sync::Arc;

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
        let families = [
            (Toolset::Projects, projects::tools()),
            (Toolset::Projects, teams::tools()),
            (Toolset::Issues, issues::tools()),
            (Toolset::Issues, issue_context::tools()),
            (Toolset::Issues, resources::tools()),
            (Toolset::Events, events::tools()),
            (Toolset::Releases, releases::tools()),
            (Toolset::Projects, stats::tools()),
            (Toolset::Releases, health::tools()),
            (Toolset::Performance, performance::tools()),
            (Toolset::Monitoring, monitoring::tools()),
            (Toolset::Monitoring, feedback::tools()),
            (Toolset::Admin, admin::tools()),
            (Toolset::Seer, seer::tools()),
        ];
        let tools = families
            .into_iter()
            .flat_map(|(toolset, tools)| {
                tools.into_iter().map(move |tool| tool.in_toolset(toolset))
            })
            .collect();
        Self { tools }
    }

    /// Every tool, or only the read-only ones.
    pub fn visible(&self, read_only: bool) -> impl Iterator<Item = &Tool> {
        self.tools
            .iter()
            .filter(move |t| !read_only || t.effects.read_only)
    }

    /// The tools an MCP server lists: those of the enabled toolsets, writes left out when read-only.
    pub fn listed<'a>(
        &'a self,
        read_only: bool,
        toolsets: &'a Toolsets,
    ) -> impl Iterator<Item = &'a Tool> {
        self.visible(read_only)
            .filter(move |t| toolsets.contains(t.toolset))
    }

    /// Refuses a tool whose toolset the server was not started with.
    pub fn check_enabled(&self, name: &str, toolsets: &Toolsets) -> Result<(), ToolError> {
        match self.get(name) {
            Some(tool) if !toolsets.contains(tool.toolset) => Err(ToolError::NotEnabled {
                tool: name.to_owned(),
                toolset: tool.toolset.name(),
            }),
            _ => Ok(()),
        }
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
