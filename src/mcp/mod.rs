//! The MCP face: the tool registry served over stdio or streamable HTTP with rmcp.

mod connections;
mod guard;
mod http;
mod jsonrpc;
mod memory;
mod sessions;
mod stdio;

pub use connections::Timeouts;
pub use guard::ClientToken;
pub use http::HttpSettings;

use crate::tools::deadline::{DEFAULT_CALL_TIMEOUT, call_within};
use crate::tools::{Registry, Tool, ToolContext, ToolError};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    JsonObject, ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig,
    ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// What the server tells assistants about itself at initialization.
const INSTRUCTIONS: &str = "Sentry tools: find issues (search_issues takes Sentry search syntax such as \
`is:unresolved level:error firstSeen:-24h`; no AND/OR), read issues and events, change issue status, \
and manage releases and deploys. issue_id accepts a numeric id, a short id like WEB-1A3, or an issue URL. \
organization_slug may be omitted when the server was started with a default organization.";

/// The MCP server: every visible tool of the registry.
#[derive(Clone)]
pub struct McpServer {
    registry: Arc<Registry>,
    context: Arc<ToolContext>,
    read_only: bool,
    call_timeout: Duration,
}

impl McpServer {
    /// A server over the registry; with `read_only`, write tools are neither listed nor callable.
    pub fn new(registry: Arc<Registry>, context: Arc<ToolContext>, read_only: bool) -> Self {
        Self {
            registry,
            context,
            read_only,
            call_timeout: DEFAULT_CALL_TIMEOUT,
        }
    }

    /// The same server with tool calls bounded by `limit` (retries included) instead of 60 s.
    pub fn with_call_timeout(mut self, limit: Duration) -> Self {
        self.call_timeout = limit;
        self
    }

    fn describe(&self, tool: &Tool) -> rmcp::model::Tool {
        let annotations = ToolAnnotations::with_title(tool.title)
            .read_only(tool.effects.read_only)
            .destructive(tool.effects.destructive)
            .idempotent(tool.effects.idempotent)
            .open_world(true);
        let schema: JsonObject = tool.input_schema(&self.context);
        rmcp::model::Tool::new(tool.name, tool.description, Arc::new(schema)).annotate(annotations)
    }

    /// Serves MCP on stdin/stdout until the client closes it.
    pub async fn serve_stdio(self) -> anyhow::Result<()> {
        let (transport, writer) =
            stdio::StdioTransport::new(tokio::io::stdin(), tokio::io::stdout());
        let running = self.serve(transport).await?;
        running.waiting().await?;
        // Every answer is written before the process ends.
        writer.await??;
        Ok(())
    }

    /// Serves streamable HTTP at `http://{listener address}/mcp` until `shutdown` completes.
    pub async fn serve_http(
        self,
        listener: tokio::net::TcpListener,
        settings: HttpSettings,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        http::serve(self, listener, settings, shutdown).await
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
            .visible(self.read_only)
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
        let outcome = call_within(
            &self.registry,
            self.call_timeout,
            Arc::clone(&self.context),
            &request.name,
            args,
            self.read_only,
        )
        .await;
        Ok(to_result(outcome).into())
    }
}

/// Every failure becomes a tool result with `isError: true`, so the assistant reads the message.
fn to_result(outcome: Result<crate::tools::ToolOutput, ToolError>) -> CallToolResult {
    match outcome {
        Ok(output) => {
            let mut result = CallToolResult::success(vec![ContentBlock::text(output.text)]);
            result.structured_content = Some(output.structured);
            result
        }
        Err(error) => CallToolResult::error(vec![ContentBlock::text(format!("Error: {error}"))]),
    }
}
