//! `organizations/{org}/issues/{id}/autofix/`: Seer's analysis of an issue.

use super::json_body;
use crate::api_path;
use crate::sentry::models::seer::AutofixAnswer;
use crate::sentry::{ApiError, SentryClient};
use serde::Serialize;

/// The current run of an issue, rendered for a model where the server can.
pub async fn state(
    client: &SentryClient,
    org: &str,
    issue: &str,
) -> Result<AutofixAnswer, ApiError> {
    client
        .get(api_path!["organizations", org, "issues", issue, "autofix"]?)
        .query("llmFormat", "markdown")
        .json()
        .await
}

/// How to start a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewRun<'a> {
    /// Where Seer stops: `root_cause`, `solution`, `code_changes` or `open_pr`.
    pub stopping_point: &'a str,
    /// Extra context for Seer, from the caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_context: Option<&'a str>,
}

/// Starts a run (Sentry answers 202 and works in the background).
pub async fn start(
    client: &SentryClient,
    org: &str,
    issue: &str,
    run: &NewRun<'_>,
) -> Result<(), ApiError> {
    client
        .post(
            api_path!["organizations", org, "issues", issue, "autofix"]?,
            json_body(run),
        )
        .send()
        .await?;
    Ok(())
}
