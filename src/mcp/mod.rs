//! The MCP face: the tool registry served over stdio or streamable HTTP with rmcp.

mod connections;
mod guard;
mod http;
mod jsonrpc;
mod memory;
mod server;
mod sessions;
mod stdio;

pub use connections::Timeouts;
pub use guard::ClientToken;
pub use http::HttpSettings;
pub use server::McpServer;
