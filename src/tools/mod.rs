//! The tool registry: each tool defined once, served to MCP clients and to `sentry-companion tool NAME`.
//!
//! `tool` defines a tool, `toolset` groups them, `registry` lists and calls them, `context` resolves the arguments every
//! tool shares (organization, project, issue, limit) over a `sentry::Session`, `output` shapes the
//! answers; one file per family of tools does the rest.

pub mod arguments;
pub mod context;
pub mod deadline;
pub mod error;
pub mod ids;
pub mod output;
pub mod registry;
pub mod tool;
pub mod toolset;

mod admin;
mod events;
mod feedback;
mod health;
mod issue_context;
mod issues;
mod monitoring;
mod performance;
mod projects;
mod releases;
mod resources;
mod seer;
mod stats;
mod teams;

pub use context::ToolContext;
pub use error::ToolError;
pub use output::ToolOutput;
pub use registry::Registry;
pub use tool::{Effects, Tool};
pub use toolset::{Toolset, Toolsets};
