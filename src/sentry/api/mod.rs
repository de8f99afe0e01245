//! One typed function per Sentry endpoint; no API path is built anywhere else.

pub mod chunks;
