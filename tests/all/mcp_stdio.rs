//! The real binary over stdio with malformed JSON-RPC, and tool calls bounded by --call-timeout on
//! both faces (MCP and `tool`) against a Sentry that never answers.

use crate::support::mcp::hung_sentry;
use crate::support::sentry::{TOKEN, assert_no_token, binary};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// The binary as an MCP server over stdio, with its pipes.
struct StdioServer {
    _child: Child,
    input: ChildStdin,
    output: Lines<BufReader<ChildStdout>>,
}

impl StdioServer {
    async fn start(sentry_url: &str, args: &[&str]) -> Self {
        let program = binary(sentry_url).get_program().to_owned();
        let mut child = Command::new(program)
            .env_clear()
            .env("SENTRY_URL", sentry_url)
            .env("SENTRY_AUTH_TOKEN", TOKEN)
            .env("SENTRY_ORG", "acme")
            .env("HOME", std::env::temp_dir())
            .arg("mcp")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let input = child.stdin.take().unwrap();
        let output = BufReader::new(child.stdout.take().unwrap()).lines();
        Self {
            _child: child,
            input,
            output,
        }
    }

    async fn send(&mut self, line: &str) {
        self.input.write_all(line.as_bytes()).await.unwrap();
        self.input.write_all(b"\n").await.unwrap();
        self.input.flush().await.unwrap();
    }

    /// The next line the server writes; panics after 20 s of silence.
    async fn next(&mut self) -> Value {
        let line = tokio::time::timeout(Duration::from_secs(20), self.output.next_line())
            .await
            .expect("the server answered")
            .unwrap()
            .expect("the server is still running");
        serde_json::from_str(&line).unwrap()
    }
}

#[tokio::test]
async fn every_malformed_request_with_an_id_gets_its_error_and_notifications_get_none() {
    let mut server = StdioServer::start("http://127.0.0.1:9", &[]).await;
    server
        .send(
            &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "test", "version": "0"}}})
            .to_string(),
        )
        .await;
    assert_eq!(server.next().await["id"], 0);
    server
        .send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        .await;

    let requests = [
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/list""#,
            Value::Null,
            -32700,
        ),
        ("not json at all", Value::Null, -32700),
        (
            r#"[{"jsonrpc":"2.0","id":2,"method":"ping"}]"#,
            Value::Null,
            -32600,
        ),
        (r#"{"id":3,"method":"tools/list"}"#, json!(3), -32600),
        (
            r#"{"jsonrpc":"2.0","id":"four","method":7}"#,
            json!("four"),
            -32600,
        ),
        (
            r#"{"jsonrpc":"2.0","id":5,"method":"no/such/method"}"#,
            json!(5),
            -32601,
        ),
        (
            r#"{"jsonrpc":"2.0","id":6,"method":"tools/call","params":["list_teams"]}"#,
            json!(6),
            -32602,
        ),
        (
            r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{}}"#,
            json!(7),
            -32602,
        ),
        (
            r#"{"jsonrpc":"2.0","id":8,"method":"tools/list","params":[1]}"#,
            json!(8),
            -32602,
        ),
    ];
    for (line, id, code) in requests {
        server.send(line).await;
        let reply = server.next().await;
        assert_eq!(reply["id"], id, "{line}: {reply}");
        assert_eq!(reply["error"]["code"], code, "{line}: {reply}");
    }

    let notifications = [
        r#"{"jsonrpc":"2.0","method":"notifications/made-up"}"#,
        r#"{"jsonrpc":"1.0","method":"notifications/initialized"}"#,
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":[1]}"#,
    ];
    for (n, line) in notifications.into_iter().enumerate() {
        server.send(line).await;
        // A ping after it: the next line must answer the ping, not the notification.
        let ping = 100 + n;
        server
            .send(&json!({"jsonrpc": "2.0", "id": ping, "method": "ping"}).to_string())
            .await;
        let reply = server.next().await;
        assert_eq!(reply["id"], ping, "{line} was answered: {reply}");
    }
}

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
