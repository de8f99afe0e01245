//! The tool registry: each tool defined once, served to MCP clients and to `sentry-companion tool NAME`.
//!
//! `tool` defines a tool, `registry` lists and calls them, `context` resolves the arguments every
//! tool shares (organization, project, issue, limit) over a `sentry::Session`, `output` shapes the
//! answers; one file per family of tools does the rest.

pub mod arguments;
pub mod context;
pub mod error;
pub mod ids;
pub mod output;
pub mod registry;
pub mod tool;

mod events;
mod health;
mod issues;
mod projects;
mod releases;
mod stats;
mod teams;

pub use context::ToolContext;
pub use error::ToolError;
pub use output::ToolOutput;
pub use registry::Registry;
pub use tool::{Effects, Tool};
