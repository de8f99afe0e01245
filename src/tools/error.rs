//! Why a tool call did not produce an answer.

use super::ids::{NotAHexId, NotAnIssue};
use crate::sentry::{ApiError, path::InvalidSegment};
use crate::time::InvalidTime;

/// Why a tool call did not produce an answer.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The arguments are wrong; the message says how to fix them.
    #[error("{0}")]
    InvalidInput(String),
    /// Sentry refused or could not be reached.
    #[error(transparent)]
    Api(ApiError),
    /// No tool has this name.
    #[error("unknown tool {0:?}: run `sentry-companion tool list` to see the tools")]
    UnknownTool(String),
    /// The tool changes data and the server runs read-only.
    #[error("tool {0:?} changes data and this server runs with --read-only")]
    ReadOnly(String),
    /// The tool's toolset is not enabled on this MCP server.
    #[error(
        "tool {tool:?} is in the {toolset} toolset, which this server does not list: restart it with --toolsets including {toolset} (or all)"
    )]
    NotEnabled {
        /// The tool asked for.
        tool: String,
        /// Its toolset.
        toolset: &'static str,
    },
    /// Another failure inside a tool, already phrased for the user.
    #[error("{0}")]
    Failed(String),
}

impl From<InvalidSegment> for ToolError {
    fn from(e: InvalidSegment) -> Self {
        Self::InvalidInput(e.to_string())
    }
}

impl From<InvalidTime> for ToolError {
    fn from(e: InvalidTime) -> Self {
        Self::InvalidInput(e.to_string())
    }
}

impl From<NotAnIssue> for ToolError {
    fn from(e: NotAnIssue) -> Self {
        Self::InvalidInput(e.to_string())
    }
}

impl From<NotAHexId> for ToolError {
    fn from(e: NotAHexId) -> Self {
        Self::InvalidInput(e.to_string())
    }
}

impl From<ApiError> for ToolError {
    /// A path segment refused before sending is the caller's input, not Sentry's answer.
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::InvalidPath(segment) => Self::InvalidInput(segment.to_string()),
            other => Self::Api(other),
        }
    }
}
