//! CI integration: GitHub Actions outputs, summaries and workflow commands; GitLab dotenv reports.
//!
//! Both take the environment as an explicit map (no global state), so every format is unit-tested.

pub mod github;
pub mod gitlab;

pub use github::Env;
