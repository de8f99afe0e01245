//! Helpers shared by the integration tests: the binary, a fake token, mock Sentry helpers.

#![allow(dead_code)]

pub mod chunk_server;
pub mod fake_sentry;
pub mod git;
pub mod http;
pub mod mcp;
pub mod schema;
pub mod sentry;
pub mod served;
pub mod xychart;
