//! Tests: release.
