//! Helpers shared by the integration tests: the binary, a fake token, mock Sentry helpers.

#![allow(dead_code)]

pub mod fake_sentry;
pub mod git;
pub mod mcp;
pub mod sentry;
