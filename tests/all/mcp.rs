//! The MCP face: tools/list, calls, isError results, read-only mode, protocol versions, transports.

use crate::support::schema::assert_conforms;
use crate::support::sentry::{TOKEN, binary};
use mockito::Server;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation,
    ProtocolVersion,
};
use rmcp::service::RunningService;
use rmcp::{ClientLifecycleMode, ClientServiceExt, RoleClient, ServiceExt};
use sentry_companion::mcp::{HttpSettings, McpServer};
use sentry_companion::sentry::{AuthToken, ClientConfig as SentryConfig, SentryClient, Session};
use sentry_companion::tools::{Registry, ToolContext, Toolsets};
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

/// Tools beyond the contract's first twenty that the default toolsets list.
const DEFAULT_EXTRA: &[&str] = &[
    "whoami",
    "get_resource",
    "list_issue_tag_values",
    "list_issue_activity",
    "add_issue_note",
];

/// The write tools of the default toolsets.
const WRITE_TOOLS: &[&str] = &[
    "update_issue",
    "resolve_issue",
    "ignore_issue",
    "create_release",
    "finalize_release",
    "create_deploy",
    "add_issue_note",
];

/// How many tools the default toolsets list.
const DEFAULT_COUNT: usize = CONTRACT_TOOLS.len() + DEFAULT_EXTRA.len();

/// An in-process MCP server over a mock Sentry at `url`.
pub fn server_for(url: &str, org: Option<&str>, read_only: bool) -> McpServer {
    let client = SentryClient::new(SentryConfig::new(
        url.parse().unwrap(),
        Some(AuthToken::new(TOKEN)),
    ))
    .unwrap();
    let context = ToolContext::new(Session::new(client, org.map(str::to_owned), vec![]));
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
    let expected: BTreeSet<&str> = CONTRACT_TOOLS
        .iter()
        .chain(DEFAULT_EXTRA)
        .copied()
        .collect();
    assert_eq!(names, expected);
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
    "list_issue_tag_values",
    "list_issue_activity",
    "add_issue_note",
    "analyze_issue_with_seer",
];

/// Tools without an organization_slug: they are about the token, or read it from a link.
const NO_ORG: &[&str] = &["list_organizations", "whoami", "get_resource"];

#[tokio::test]
async fn every_tool_requires_organization_slug_without_a_default_as_the_contract_says() {
    let client = connect(
        server_for("http://127.0.0.1:9", None, false).with_toolsets(Toolsets::all()),
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
        let name = tool.name.as_ref();
        let expect_required = !NO_ORG.contains(&name) && !ORG_OPTIONAL.contains(&name);
        assert_eq!(has_param, !NO_ORG.contains(&name), "{name}");
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
    assert_eq!(tools.len(), DEFAULT_COUNT - WRITE_TOOLS.len());
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
async fn structured_content_goes_only_with_a_declared_schema_it_conforms_to() {
    let mut sentry = Server::new_async().await;
    sentry
        .mock("GET", "/api/0/organizations/acme/teams/")
        .match_query(mockito::Matcher::Any)
        .with_body(r#"[{"id":"1","slug":"backend","name":"Backend","memberCount":4}]"#)
        .expect(3)
        .create_async()
        .await;
    sentry
        .mock("GET", "/api/0/organizations/acme/issues/WEB-1/autofix/")
        .match_query(mockito::Matcher::Any)
        .with_body(r#"{"autofix": {"run_id": 7, "status": "COMPLETED", "blocks": []}}"#)
        .expect(3)
        .create_async()
        .await;
    for version in [
        ProtocolVersion::V_2025_06_18,
        ProtocolVersion::V_2025_11_25,
        ProtocolVersion::V_2026_07_28,
    ] {
        let server = server_for(&sentry.url(), Some("acme"), false).with_toolsets(Toolsets::all());
        let client = connect(server, version.clone()).await;
        let tools = client.list_all_tools().await.unwrap();
        let teams = call(&client, "list_teams", json!({})).await;
        assert_eq!(
            teams.is_error,
            Some(false),
            "{version:?}: {}",
            text_of(&teams)
        );
        assert!(text_of(&teams).contains("backend"));
        assert!(
            teams.structured_content.is_none(),
            "{version:?}: no schema, no structured copy"
        );
        let seer = call(
            &client,
            "analyze_issue_with_seer",
            json!({"issue_id": "WEB-1", "wait_seconds": 0}),
        )
        .await;
        assert_eq!(
            seer.is_error,
            Some(false),
            "{version:?}: {}",
            text_of(&seer)
        );
        let declared = tools
            .iter()
            .find(|t| t.name == "analyze_issue_with_seer")
            .and_then(|t| t.output_schema.clone())
            .expect("the listed tool declares its output schema");
        let structured = seer.structured_content.clone().expect("structured content");
        assert_conforms(
            "analyze_issue_with_seer over MCP",
            &Value::Object((*declared).clone()),
            &structured,
        );
        assert_eq!(structured["finished"], json!(true));
        assert!(text_of(&seer).contains("completed"));
        client.cancel().await.unwrap();
    }
}

#[tokio::test]
async fn toolsets_choose_what_is_listed_and_callable() {
    let registry = Registry::new();
    let all = connect(
        server_for("http://127.0.0.1:9", Some("acme"), false).with_toolsets(Toolsets::all()),
        ProtocolVersion::V_2025_06_18,
    )
    .await;
    assert_eq!(
        all.list_all_tools().await.unwrap().len(),
        registry.visible(false).count()
    );
    all.cancel().await.unwrap();

    let read_only_all = connect(
        server_for("http://127.0.0.1:9", Some("acme"), true).with_toolsets(Toolsets::all()),
        ProtocolVersion::V_2025_06_18,
    )
    .await;
    let listed = read_only_all.list_all_tools().await.unwrap();
    assert_eq!(listed.len(), registry.visible(true).count());
    assert!(
        listed
            .iter()
            .all(|t| t.annotations.as_ref().unwrap().read_only_hint == Some(true))
    );
    for write in [
        "create_project",
        "create_team",
        "add_issue_note",
        "analyze_issue_with_seer",
    ] {
        let refused = call(&read_only_all, write, json!({})).await;
        assert_eq!(refused.is_error, Some(true), "{write}");
    }
    read_only_all.cancel().await.unwrap();

    let monitoring = connect(
        server_for("http://127.0.0.1:9", Some("acme"), false)
            .with_toolsets(Toolsets::parse("monitoring").unwrap()),
        ProtocolVersion::V_2025_06_18,
    )
    .await;
    let names: BTreeSet<String> = monitoring
        .list_all_tools()
        .await
        .unwrap()
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    assert!(names.contains("list_monitors") && names.contains("list_user_feedback"));
    assert!(!names.contains("get_issue"), "{names:?}");
    let outside = call(&monitoring, "get_issue", json!({"issue_id": "WEB-1"})).await;
    assert_eq!(outside.is_error, Some(true));
    assert!(
        text_of(&outside).contains("issues toolset") && text_of(&outside).contains("--toolsets"),
        "{}",
        text_of(&outside)
    );
    monitoring.cancel().await.unwrap();
}

#[tokio::test]
async fn the_binary_takes_toolsets_from_the_flag_or_the_environment() {
    for (args, env) in [
        (vec!["mcp", "--toolsets", "performance,seer"], None),
        (vec!["mcp"], Some("performance, SEER")),
    ] {
        let std_cmd = binary("http://127.0.0.1:9").get_program().to_owned();
        let mut command = tokio::process::Command::new(std_cmd);
        command
            .env_clear()
            .env("SENTRY_AUTH_TOKEN", TOKEN)
            .env("SENTRY_ORG", "acme")
            .args(&args);
        if let Some(list) = env {
            command.env("SENTRY_COMPANION_TOOLSETS", list);
        }
        let transport = rmcp::transport::TokioChildProcess::new(command).unwrap();
        let client = ().serve(transport).await.unwrap();
        let names: BTreeSet<String> = client
            .list_all_tools()
            .await
            .unwrap()
            .iter()
            .map(|t| t.name.to_string())
            .collect();
        let expected: BTreeSet<String> = ["search_events", "get_trace", "analyze_issue_with_seer"]
            .iter()
            .map(|n| (*n).to_owned())
            .collect();
        assert_eq!(names, expected, "{args:?} {env:?}");
        client.cancel().await.unwrap();
    }
    let refused = binary("http://127.0.0.1:9")
        .args(["mcp", "--toolsets", "issues,alerts"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("unknown toolset \"alerts\"") && stderr.contains("monitoring"),
        "{stderr}"
    );
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
    assert_eq!(tools.len(), DEFAULT_COUNT);
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
    assert_eq!(tools.len(), DEFAULT_COUNT - WRITE_TOOLS.len());
    client.cancel().await.unwrap();
    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
}
