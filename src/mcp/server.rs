//! The MCP handler: the registry's tools of the enabled toolsets, described with their schemas and
//! called within the call timeout; every failure becomes a tool result with `isError`.

use crate::tools::deadline::{DEFAULT_CALL_TIMEOUT, call_within};
use crate::tools::{Registry, Tool, ToolContext, ToolError, Toolsets};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    JsonObject, ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig,
    ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use std::sync::Arc;
use std::time::Duration;

/// What the server tells assistants about itself at initialization.
const INSTRUCTIONS: &str = "Sentry tools: find issues (search_issues takes Sentry search syntax such as \
`is:unresolved level:error firstSeen:-24h`; no AND/OR), read issues and events, change issue status, \
and manage releases and deploys. issue_id accepts a numeric id, a short id like WEB-1A3, or an issue URL; get_resource opens any Sentry link. \
organization_slug may be omitted when the server was started with a default organization. \
More tools (performance, monitoring, admin, seer) are listed when the server runs with --toolsets.";

/// The MCP server: the tools of the enabled toolsets.
#[derive(Clone)]
pub struct McpServer {
    registry: Arc<Registry>,
    context: Arc<ToolContext>,
    read_only: bool,
    toolsets: Arc<Toolsets>,
    call_timeout: Duration,
}

impl McpServer {
    /// A server over the default toolsets; with `read_only`, write tools are neither listed nor callable.
    pub fn new(registry: Arc<Registry>, context: Arc<ToolContext>, read_only: bool) -> Self {
        Self {
            registry,
            context,
            read_only,
            toolsets: Arc::new(Toolsets::default()),
            call_timeout: DEFAULT_CALL_TIMEOUT,
        }
    }

    /// Lists and serves only these toolsets' tools.
    pub fn with_toolsets(mut self, toolsets: Toolsets) -> Self {
        self.toolsets = Arc::new(toolsets);
        self
    }

    /// The same server with tool calls bounded by `limit` (retries included) instead of 60 s.
    pub fn with_call_timeout(mut self, limit: Duration) -> Self {
        self.call_timeout = limit;
        self
    }

    fn describe(&self, tool: &Tool) -> rmcp::model::Tool {
        // No title: names say it, and every byte of tools/list is paid on every conversation.
        let annotations = ToolAnnotations::new()
            .read_only(tool.effects.read_only)
            .destructive(tool.effects.destructive)
            .idempotent(tool.effects.idempotent)
            .open_world(true);
        let schema: JsonObject = tool.input_schema(&self.context);
        let described = rmcp::model::Tool::new(tool.name, tool.description, Arc::new(schema))
            .annotate(annotations);
        match tool.output_schema() {
            Some(output) => described.with_raw_output_schema(Arc::new(output.clone())),
            None => described,
        }
    }
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                "sentry-companion",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let tools = self
            .registry
            .listed(self.read_only, &self.toolsets)
            .map(|t| self.describe(t))
            .collect();
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request
            .arguments
            .map(serde_json::Value::Object)
            .unwrap_or_default();
        let outcome = match self.registry.check_enabled(&request.name, &self.toolsets) {
            Ok(()) => {
                call_within(
                    &self.registry,
                    self.call_timeout,
                    Arc::clone(&self.context),
                    &request.name,
                    args,
                    self.read_only,
                )
                .await
            }
            Err(error) => Err(error),
        };
        let structured = self
            .registry
            .get(&request.name)
            .is_some_and(|t| t.output_schema().is_some());
        Ok(to_result(outcome, structured).into())
    }
}

/// Every failure becomes a tool result with `isError: true`, so the assistant reads the message.
/// The text is the whole answer; `structuredContent` goes only with a declared `outputSchema`.
fn to_result(
    outcome: Result<crate::tools::ToolOutput, ToolError>,
    structured: bool,
) -> CallToolResult {
    match outcome {
        Ok(output) => {
            let mut result = CallToolResult::success(vec![ContentBlock::text(output.text)]);
            result.structured_content = structured.then_some(output.structured);
            result
        }
        Err(error) => CallToolResult::error(vec![ContentBlock::text(format!("Error: {error}"))]),
    }
}
