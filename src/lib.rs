//! sentry-companion: Sentry for CI pipelines and AI assistants.
//!
//! One core (the Sentry client and the tool registry) with three faces: the MCP server, the
//! `tool` command line, and the release workflow with its deploy gate.

pub mod app;
pub mod ci;
pub mod cli;
pub mod config;
pub mod exit;
pub mod gate;
pub mod git;
pub mod mcp;
pub mod output;
pub mod release;
pub mod sentry;
pub mod sourcemaps;
pub mod text;
pub mod time;
pub mod tool_cli;
pub mod tools;

pub use app::run;
pub use exit::Exit;
