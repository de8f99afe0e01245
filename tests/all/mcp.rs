//! The MCP face: tools/list, calls, isError results, read-only mode, protocol versions, transports.

use crate::support::sentry::{TOKEN, binary};
use mockito::Server;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation,
    ProtocolVersion,
};
use rmcp::service::RunningService;
use rmcp::{ClientLifecycleMode, ClientServiceExt, RoleClient, ServiceExt};
use sentry_companion::mcp::{HttpSettings, McpServer};
use sentry_companion::sentry::{AuthToken, ClientConfig as SentryConfig, SentryClient};
use sentry_companion::tools::{Registry, ToolContext};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Every tool the contract names.
const CONTRACT_TOOLS: &[&str] = &[
    "list_organizations",
    "list_projects",
    "get_project",
    "list_issues",
    "get_issue",
    "update_issue",
    "resolve_issue",
    "ignore_issue",
    "list_events",
    "get_event",
    "list_releases",
    "get_release",
    "create_release",
    "list_teams",
    "get_project_stats",
    "search_issues",
    "finalize_release",
    "create_deploy",
    "list_deploys",
    "check_release_health",
];

const WRITE_TOOLS: &[&str] = &[
    "update_issue",
    "resolve_issue",
    "ignore_issue",
    "create_release",
    "finalize_release",
    "create_deploy",
];

/// An in-process MCP server over a mock Sentry at `url`.
pub fn server_for(url: &str, org: Option<&str>, read_only: bool) -> McpServer {
    let client = SentryClient::new(SentryConfig::new(
        url.parse().unwrap(),
        Some(AuthToken::new(TOKEN)),
    ))
    .unwrap();
    let context = ToolContext::new(client, org.map(str::to_owned), vec![]);
    McpServer::new(Arc::new(Registry::new()), Arc::new(context), read_only)
}

fn client_info(version: ProtocolVersion) -> ClientConfig {
    let mut info = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("test", "0"),
    );
    info.protocol_version = version;
    info
}

/// Connects an rmcp client to `server` in-process, speaking `version` (2026-07-28 uses discovery).
async fn connect(
    server: McpServer,
    version: ProtocolVersion,
) -> RunningService<RoleClient, ClientConfig> {
    let (server_io, client_io) = tokio::io::duplex(256 * 1024);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let info = client_info(version.clone());
    if version == ProtocolVersion::V_2026_07_28 {
        let mode = ClientLifecycleMode::Discover {
            preferred_versions: vec![version],
        };
        info.serve_with_lifecycle(client_io, mode).await.unwrap()
    } else {
        info.serve(client_io).await.unwrap()
    }
}

async fn call(
    client: &RunningService<RoleClient, ClientConfig>,
    name: &'static str,
    args: Value,
) -> CallToolResult {
    let params = CallToolRequestParams::new(name).with_arguments(args.as_object().unwrap().clone());
    client.call_tool(params).await.unwrap()
}

fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn lists_every_contract_tool_with_annotations_and_object_schemas() {
    let client = connect(
        server_for("http://127.0.0.1:9", Some("acme"), false),
        ProtocolVersion::V_2025_06_18,
    )
    .await;
    let tools = client.list_all_tools().await.unwrap();
    let names: BTreeSet<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, CONTRACT_TOOLS.iter().copied().collect());
    for tool in &tools {
        let a = tool
            .annotations
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no annotations", tool.name));
        let read_only = !WRITE_TOOLS.contains(&tool.name.as_ref());
        assert_eq!(a.read_only_hint, Some(read_only), "{}", tool.name);
        assert!(
            a.destructive_hint.is_some() && a.idempotent_hint.is_some(),
            "{}",
            tool.name
        );
        assert_eq!(a.open_world_hint, Some(true), "{}", tool.name);
        assert_eq!(
            tool.input_schema.get("type"),
            Some(&json!("object")),
            "{}",
            tool.name
        );
        assert!(
            tool.description.as_deref().is_some_and(|d| !d.is_empty()),
            "{}",
            tool.name
        );
        if let Some(limit) = tool.input_schema["properties"].get("limit") {
            let bounds = (&limit["minimum"], &limit["maximum"]);
            assert_eq!(bounds, (&json!(1), &json!(100)), "{}", tool.name);
        }
    }
    client.cancel().await.unwrap();
}

/// Tools whose organization may come from an issue URL, so the contract lists it as optional.
const ORG_OPTIONAL: &[&str] = &[
    "get_issue",
    "update_issue",
    "resolve_issue",
    "ignore_issue",
    "list_events",
];

#[tokio::test]
async fn every_tool_requires_organization_slug_without_a_default_as_the_contract_says() {
    let client = connect(
        server_for("http://127.0.0.1:9", None, false),
        ProtocolVersion::V_2025_11_25,
    )
    .await;
    for tool in client.list_all_tools().await.unwrap() {
        let required = tool
            .input_schema
            .get("required")
            .cloned()
            .unwrap_or(json!([]));
        let has_param = tool.input_schema["properties"]
            .get("organization_slug")
            .is_some();
        let expect_required =
            tool.name != "list_organizations" && !ORG_OPTIONAL.contains(&tool.name.as_ref());
        assert_eq!(
            has_param,
            tool.name != "list_organizations",
            "{}",
            tool.name
        );
        assert_eq!(
            required
                .as_array()
                .unwrap()
                .contains(&json!("organization_slug")),
            expect_required,
            "{}",
            tool.name
        );
    }
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn organization_slug_is_required_only_without_a_default() {
    for (org, required) in [(Some("acme"), false), (None, true)] {
        let client = connect(
            server_for("http://127.0.0.1:9", org, false),
            ProtocolVersion::V_2025_11_25,
        )
        .await;
        let tools = client.list_all_tools().await.unwrap();
        let list_projects = tools.iter().find(|t| t.name == "list_projects").unwrap();
        let required_params = list_projects
            .input_schema
            .get("required")
            .cloned()
            .unwrap_or(json!([]));
        assert_eq!(
            required_params
                .as_array()
                .unwrap()
                .contains(&json!("organization_slug")),
            required,
            "default org {org:?}"
        );
        client.cancel().await.unwrap();
    }
}

#[tokio::test]
async fn read_only_mode_hides_and_refuses_write_tools() {
    let client = connect(
        server_for("http://127.0.0.1:9", Some("acme"), true),
        ProtocolVersion::V_2025_06_18,
    )
    .await;
    let tools = client.list_all_tools().await.unwrap();
    assert!(
        tools
            .iter()
            .all(|t| !WRITE_TOOLS.contains(&t.name.as_ref()))
    );
    assert_eq!(tools.len(), CONTRACT_TOOLS.len() - WRITE_TOOLS.len());
    let result = call(&client, "resolve_issue", json!({"issue_id": "WEB-1"})).await;
    assert_eq!(result.is_error, Some(true));
    assert!(
        text_of(&result).contains("--read-only"),
        "{}",
        text_of(&result)
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn answers_with_structured_content_on_every_protocol_version() {
    let mut sentry = Server::new_async().await;
    sentry
        .mock("GET", "/api/0/organizations/acme/teams/")
        .match_query(mockito::Matcher::Any)
        .with_body(r#"[{"id":"1","slug":"backend","name":"Backend","memberCount":4}]"#)
        .expect(3)
        .create_async()
        .await;
    for version in [
        ProtocolVersion::V_2025_06_18,
        ProtocolVersion::V_2025_11_25,
        ProtocolVersion::V_2026_07_28,
    ] {
        let client = connect(
            server_for(&sentry.url(), Some("acme"), false),
            version.clone(),
        )
        .await;
        let result = call(&client, "list_teams", json!({})).await;
        assert_eq!(
            result.is_error,
            Some(false),
            "{version:?}: {}",
            text_of(&result)
        );
        let structured = result.structured_content.clone().unwrap();
        assert!(
            structured.to_string().contains("backend"),
            "{version:?}: {structured}"
        );
        assert!(text_of(&result).contains("backend"));
        client.cancel().await.unwrap();
    }
}

#[tokio::test]
async fn api_failures_and_bad_arguments_are_tool_errors_not_crashes() {
    let mut sentry = Server::new_async().await;
    sentry
        .mock("GET", "/api/0/organizations/acme/issues/WEB-404/")
        .match_query(mockito::Matcher::Any)
        .with_status(404)
        .with_body(r#"{"detail":"The requested resource does not exist"}"#)
        .create_async()
        .await;
    sentry
        .mock("GET", "/api/0/organizations/acme/teams/")
        .match_query(mockito::Matcher::Any)
        .with_status(401)
        .with_body(r#"{"detail":"Invalid token"}"#)
        .create_async()
        .await;
    let client = connect(
        server_for(&sentry.url(), Some("acme"), false),
        ProtocolVersion::V_2025_06_18,
    )
    .await;

    let not_found = call(&client, "get_issue", json!({"issue_id": "WEB-404"})).await;
    assert_eq!(not_found.is_error, Some(true));
    assert!(text_of(&not_found).contains("issue 'WEB-404' in organization 'acme' was not found"));

    let unauthorized = call(&client, "list_teams", json!({})).await;
    assert_eq!(unauthorized.is_error, Some(true));
    assert!(text_of(&unauthorized).contains("401"));

    let missing = call(&client, "get_issue", json!({})).await;
    assert_eq!(missing.is_error, Some(true));
    assert!(
        text_of(&missing).contains("issue_id"),
        "{}",
        text_of(&missing)
    );

    let malformed = call(&client, "get_issue", json!({"issue_id": "../../etc"})).await;
    assert_eq!(malformed.is_error, Some(true));

    let unknown = call(&client, "no_such_tool", json!({})).await;
    assert_eq!(unknown.is_error, Some(true));

    // The server is still there after all of that.
    assert!(!client.list_all_tools().await.unwrap().is_empty());
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn the_binary_serves_mcp_over_stdio() {
    let mut sentry = Server::new_async().await;
    let teams = sentry
        .mock("GET", "/api/0/organizations/acme/teams/")
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_query(mockito::Matcher::Any)
        .with_body(r#"[{"id":"7","slug":"mobile","name":"Mobile"}]"#)
        .create_async()
        .await;
    let std_cmd = binary(&sentry.url()).get_program().to_owned();
    let mut command = tokio::process::Command::new(std_cmd);
    command
        .env_clear()
        .env("SENTRY_URL", sentry.url())
        .env("SENTRY_AUTH_TOKEN", TOKEN)
        .env("SENTRY_ORG", "acme")
        .args(["mcp"]);
    let transport = rmcp::transport::TokioChildProcess::new(command).unwrap();
    let client = ().serve(transport).await.unwrap();
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), CONTRACT_TOOLS.len());
    let result = client
        .call_tool(CallToolRequestParams::new("list_teams"))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(false), "{}", text_of(&result));
    assert!(text_of(&result).contains("mobile"));
    teams.assert_async().await;
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn serves_streamable_http() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = server_for("http://127.0.0.1:9", Some("acme"), true);
    let serving = tokio::spawn(server.serve_http(listener, HttpSettings::default(), async {
        let _ = stopped.await;
    }));
    let transport =
        rmcp::transport::StreamableHttpClientTransport::from_uri(format!("http://{address}/mcp"));
    let client = ().serve(transport).await.unwrap();
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), CONTRACT_TOOLS.len() - WRITE_TOOLS.len());
    client.cancel().await.unwrap();
    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
}
