//! Seer's issue fix (autofix) state.

use super::lenient_list;
use serde::Deserialize;
use serde_json::Value;

/// The answer of `issues/{id}/autofix/`.
#[derive(Debug, Clone, Deserialize)]
pub struct AutofixAnswer {
    /// The run, `null` when none was started.
    #[serde(default)]
    pub autofix: Option<AutofixState>,
    /// The run rendered for a model (`llmFormat=markdown`), where the server supports it.
    #[serde(default)]
    pub formatted: Option<Formatted>,
}

/// A Seer run.
#[derive(Debug, Clone, Deserialize)]
pub struct AutofixState {
    /// Its numeric id.
    #[serde(default)]
    pub run_id: Option<Value>,
    /// `processing`, `completed`, `error`, `need_more_information`, ... (any case).
    #[serde(default)]
    pub status: Option<String>,
    /// When it last changed.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Current servers: blocks of messages with artifacts (`root_cause`, `solution`).
    #[serde(default, deserialize_with = "lenient_list")]
    pub blocks: Vec<Value>,
    /// Older servers: steps with `causes` and `solution`.
    #[serde(default, deserialize_with = "lenient_list")]
    pub steps: Vec<Value>,
}

/// Text Sentry rendered for a model.
#[derive(Debug, Clone, Deserialize)]
pub struct Formatted {
    /// The text.
    #[serde(default)]
    pub content: String,
}
