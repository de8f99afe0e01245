//! A bound on a tool call's total time, retries included, so that a hung Sentry cannot hold a
//! caller for minutes.

use super::{Registry, ToolContext, ToolError, ToolOutput};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// The bound `mcp` and `tool` use unless `--call-timeout` says otherwise.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// Calls a tool like [`Registry::call`], giving up once `limit` has passed.
///
/// Giving up drops the call, which cancels its request in flight; the error names the tool and
/// the time, and for a tool that writes it says the change may have been applied anyway.
pub async fn call_within(
    registry: &Registry,
    limit: Duration,
    ctx: Arc<ToolContext>,
    name: &str,
    args: Value,
    read_only: bool,
) -> Result<ToolOutput, ToolError> {
    let call = registry.call(ctx, name, args, read_only);
    match tokio::time::timeout(limit, call).await {
        Ok(outcome) => outcome,
        Err(_) => {
            let writes = registry.get(name).is_some_and(|t| !t.effects.read_only);
            Err(ToolError::Failed(timed_out_message(name, limit, writes)))
        }
    }
}

fn timed_out_message(name: &str, limit: Duration, writes: bool) -> String {
    let seconds = limit.as_secs_f64();
    let head = format!(
        "{name} timed out: Sentry did not answer within {seconds}s (--call-timeout {seconds}s)."
    );
    if writes {
        format!(
            "{head} The change may still have been applied: check its current state in Sentry \
             before calling {name} again."
        )
    } else {
        format!("{head} Try again later, or raise --call-timeout.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_the_tool_and_the_bound_and_warns_about_writes() {
        let read = timed_out_message("list_teams", Duration::from_secs(60), false);
        assert!(read.starts_with("list_teams timed out"), "{read}");
        assert!(read.contains("within 60s (--call-timeout 60s)"), "{read}");
        assert!(!read.contains("applied"), "{read}");
        let write = timed_out_message("create_deploy", Duration::from_millis(1500), true);
        assert!(write.contains("within 1.5s"), "{write}");
        assert!(write.contains("may still have been applied"), "{write}");
    }
}
