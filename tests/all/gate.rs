//! Tests: gate.
