//! CI integration: GitHub Actions outputs, summaries and workflow commands; GitLab dotenv reports.
//!
//! Both take the environment as an explicit map (no global state), so every format is unit-tested.

pub mod github;
pub mod gitlab;

use std::collections::HashMap;

/// Environment variables, as read once from the process (or built by a test).
pub type Env = HashMap<String, String>;
