//! Tool calls bounded by --call-timeout on both faces (MCP and `tool`) against a Sentry that never
//! answers.

use crate::support::mcp::hung_sentry;
use crate::support::sentry::{TOKEN, assert_no_token, binary};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use serde_json::json;
use tokio::process::Command;

#[tokio::test]
async fn an_mcp_tool_call_against_a_hung_sentry_ends_at_the_call_timeout() {
    let sentry = hung_sentry().await;
    let program = binary(&sentry).get_program().to_owned();
    let mut command = Command::new(program);
    command
        .env_clear()
        .env("SENTRY_URL", &sentry)
        .env("SENTRY_AUTH_TOKEN", TOKEN)
        .env("SENTRY_ORG", "acme")
        .args(["mcp", "--call-timeout", "1s"]);
    let transport = rmcp::transport::TokioChildProcess::new(command).unwrap();
    let client = ().serve(transport).await.unwrap();

    let read = client
        .call_tool(CallToolRequestParams::new("list_teams"))
        .await
        .unwrap();
    assert_eq!(read.is_error, Some(true));
    let text = format!("{:?}", read.content);
    assert!(text.contains("list_teams timed out"), "{text}");
    assert!(text.contains("--call-timeout 1s"), "{text}");

    let arguments = json!({"version": "1.0", "environment": "production"});
    let write = client
        .call_tool(
            CallToolRequestParams::new("create_deploy")
                .with_arguments(arguments.as_object().unwrap().clone()),
        )
        .await
        .unwrap();
    assert_eq!(write.is_error, Some(true));
    let text = format!("{:?}", write.content);
    assert!(text.contains("may still have been applied"), "{text}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_tool_command_against_a_hung_sentry_exits_2_at_the_call_timeout() {
    let sentry = hung_sentry().await;
    let output = tokio::task::spawn_blocking(move || {
        binary(&sentry)
            .args(["tool", "list_teams", "--arg", "organization_slug=acme"])
            .args(["--call-timeout", "1s"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("list_teams timed out"), "{stderr}");
    assert!(stderr.contains("within 1s"), "{stderr}");
    assert_no_token(&output);
}

#[tokio::test]
async fn a_call_timeout_of_nothing_is_refused() {
    let output = binary("http://127.0.0.1:9")
        .args(["tool", "list_teams", "--call-timeout", "0s"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no time at all"));
}
