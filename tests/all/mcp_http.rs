//! The HTTP MCP server as a team would run it: bearer auth, Host and Origin checks, capped and
//! expiring sessions, bounded connections, timeouts for slow clients, and stateless scale-out.

use crate::mcp::server_for;
use crate::support::mcp::{INITIALIZE, raw_exchange, read_until_closed, spawn_http};
use crate::support::sentry::{TOKEN, binary};
use mockito::{Matcher, Server};
use reqwest::StatusCode;
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use sentry_companion::mcp::{ClientToken, HttpSettings, Timeouts};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

const CLIENT_TOKEN: &str = "team-token-0123456789";

/// An in-process HTTP server on loopback; it stops when the handle is dropped.
struct Running {
    address: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Running {
    fn url(&self) -> String {
        format!("http://{}/mcp", self.address)
    }
}

async fn start(sentry_url: &str, settings: HttpSettings) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = server_for(sentry_url, Some("acme"), false);
    tokio::spawn(server.serve_http(listener, settings, async {
        let _ = stopped.await;
    }));
    Running {
        address,
        _stop: stop,
    }
}

fn with_token() -> HttpSettings {
    HttpSettings {
        token: Some(ClientToken::new(CLIENT_TOKEN).unwrap()),
        ..HttpSettings::default()
    }
}

/// A JSON-RPC POST as an MCP client sends it.
fn post(url: &str, body: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(body.to_owned())
}

/// Opens a session and returns its id.
async fn open_session(running: &Running, auth: Option<&str>) -> String {
    let mut request = post(&running.url(), INITIALIZE);
    if let Some(token) = auth {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let session = response.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    response.text().await.unwrap();
    let initialized = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
    let mut request = post(&running.url(), initialized).header("mcp-session-id", &session);
    if let Some(token) = auth {
        request = request.bearer_auth(token);
    }
    assert_eq!(request.send().await.unwrap().status(), StatusCode::ACCEPTED);
    session
}

fn tool_call(name: &str, arguments: Value) -> String {
    json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
           "params": {"name": name, "arguments": arguments}})
    .to_string()
}

#[tokio::test]
async fn clients_without_the_bearer_token_get_401_with_a_challenge() {
    let running = start("http://127.0.0.1:9", with_token()).await;
    let missing = post(&running.url(), INITIALIZE).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    let challenge = missing.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.starts_with("Bearer"), "{challenge}");

    let wrong = post(&running.url(), INITIALIZE)
        .bearer_auth("team-token-0123456788")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let challenge = wrong.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.contains("invalid_token"), "{challenge}");
    assert!(!wrong.text().await.unwrap().contains(CLIENT_TOKEN));

    open_session(&running, Some(CLIENT_TOKEN)).await;
}

#[tokio::test]
async fn an_mcp_client_with_the_token_is_served() {
    let running = start("http://127.0.0.1:9", with_token()).await;
    let config =
        StreamableHttpClientTransportConfig::with_uri(running.url()).auth_header(CLIENT_TOKEN);
    let client = ().serve(StreamableHttpClientTransport::from_config(config)).await.unwrap();
    assert!(!client.list_all_tools().await.unwrap().is_empty());
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn the_binary_refuses_a_network_listen_without_a_token() {
    let output = binary("http://127.0.0.1:9")
        .args(["mcp", "--transport", "http", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("reachable from other machines"), "{stderr}");
    assert!(stderr.contains("--http-token"), "{stderr}");
}

#[tokio::test]
async fn hosts_outside_the_allow_list_are_refused_also_off_loopback_names() {
    let settings = HttpSettings {
        allowed_hosts: vec!["mcp.example.com".into()],
        ..HttpSettings::default()
    };
    let running = start("http://127.0.0.1:9", settings).await;
    let rebinding = post(&running.url(), INITIALIZE)
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(rebinding.status(), StatusCode::FORBIDDEN);
    assert!(rebinding.text().await.unwrap().contains("--allowed-host"));
    let named = post(&running.url(), INITIALIZE)
        .header("host", "mcp.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(named.status(), StatusCode::OK);
}

#[tokio::test]
async fn foreign_and_opaque_origins_are_refused_before_a_write_runs() {
    let mut sentry = Server::new_async().await;
    let write = sentry
        .mock("PUT", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let running = start(&sentry.url(), HttpSettings::default()).await;
    let session = open_session(&running, None).await;
    let resolve = tool_call("resolve_issue", json!({"issue_id": "WEB-1"}));
    for origin in ["http://evil.example", "null"] {
        let response = post(&running.url(), &resolve)
            .header("mcp-session-id", &session)
            .header("origin", origin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{origin}");
    }
    let same_host = post(
        &running.url(),
        r#"{"jsonrpc":"2.0","id":3,"method":"ping"}"#,
    )
    .header("mcp-session-id", &session)
    .header(
        "origin",
        format!("http://localhost:{}", running.address.port()),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(same_host.status(), StatusCode::OK);
    write.assert_async().await;
}

#[tokio::test]
async fn malformed_json_is_400_with_a_parse_error_not_415() {
    let running = start("http://127.0.0.1:9", HttpSettings::default()).await;
    let response = post(&running.url(), r#"{"jsonrpc":"2.0","id":1,"method":"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], -32700);
    assert_eq!(body["id"], Value::Null);

    let session = open_session(&running, None).await;
    let array_params = r#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":["x"]}"#;
    let response = post(&running.url(), array_params)
        .header("mcp-session-id", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (body["id"].clone(), body["error"]["code"].clone()),
        (json!(9), json!(-32602))
    );
}

#[tokio::test]
async fn sessions_over_the_cap_are_refused_with_503_until_one_closes() {
    let settings = HttpSettings {
        max_sessions: 2,
        ..HttpSettings::default()
    };
    let running = start("http://127.0.0.1:9", settings).await;
    let first = open_session(&running, None).await;
    open_session(&running, None).await;
    let refused = post(&running.url(), INITIALIZE).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(refused.headers().contains_key("retry-after"));
    assert!(refused.text().await.unwrap().contains("--max-sessions"));

    let closed = reqwest::Client::new()
        .delete(running.url())
        .header("mcp-session-id", &first)
        .send()
        .await
        .unwrap();
    assert!(closed.status().is_success());
    open_session(&running, None).await;
}

#[tokio::test]
async fn idle_sessions_expire_and_free_their_place() {
    let settings = HttpSettings {
        max_sessions: 1,
        session_idle_timeout: Duration::from_millis(300),
        ..HttpSettings::default()
    };
    let running = start("http://127.0.0.1:9", settings).await;
    let session = open_session(&running, None).await;
    let ping = r#"{"jsonrpc":"2.0","id":5,"method":"ping"}"#;
    let mut status = StatusCode::OK;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let response = post(&running.url(), ping)
            .header("mcp-session-id", &session)
            .send()
            .await
            .unwrap();
        status = response.status();
        if status == StatusCode::NOT_FOUND {
            break;
        }
        // Each ping is activity; wait out the idle time before the next look.
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    assert_eq!(status, StatusCode::NOT_FOUND, "the idle session was closed");
    open_session(&running, None).await;
}

#[tokio::test]
async fn connections_over_the_limit_get_503_and_are_closed() {
    let settings = HttpSettings {
        max_connections: 2,
        ..HttpSettings::default()
    };
    let running = start("http://127.0.0.1:9", settings).await;
    let _first = TcpStream::connect(running.address).await.unwrap();
    let _second = TcpStream::connect(running.address).await.unwrap();
    // The server takes connections in order; give it the first two before the third arrives.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let answer = raw_exchange(
        running.address,
        b"GET /mcp HTTP/1.1\r\nhost: localhost\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("--max-connections"), "{answer}");
}

fn quick_timeouts() -> HttpSettings {
    HttpSettings {
        timeouts: Timeouts {
            header: Duration::from_millis(300),
            body: Duration::from_millis(300),
            write_stall: Duration::from_millis(300),
        },
        ..HttpSettings::default()
    }
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let running = start("http://127.0.0.1:9", quick_timeouts()).await;
    let mut stream = TcpStream::connect(running.address).await.unwrap();
    stream
        .write_all(b"POST /mcp HTTP/1.1\r\nhost: localhost\r\n")
        .await
        .unwrap();
    read_until_closed(&mut stream).await;
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed() {
    let running = start("http://127.0.0.1:9", quick_timeouts()).await;
    let mut stream = TcpStream::connect(running.address).await.unwrap();
    stream
        .write_all(b"GET /nothing HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
}

#[tokio::test]
async fn a_body_that_stops_arriving_gets_408() {
    let running = start("http://127.0.0.1:9", quick_timeouts()).await;
    let answer = raw_exchange(
        running.address,
        b"POST /mcp HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n\
          accept: application/json, text/event-stream\r\ncontent-length: 100\r\n\r\n{\"json",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn a_body_over_the_cap_gets_413_before_it_is_read() {
    let running = start("http://127.0.0.1:9", HttpSettings::default()).await;
    let answer = raw_exchange(
        running.address,
        b"POST /mcp HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n\
          accept: application/json, text/event-stream\r\ncontent-length: 99999999\r\n\r\n{",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

/// A TCP proxy that sends each new connection to the next backend in turn, counting them.
async fn round_robin(backends: Vec<SocketAddr>) -> (SocketAddr, Arc<Vec<AtomicUsize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let counts = Arc::new(
        backends
            .iter()
            .map(|_| AtomicUsize::new(0))
            .collect::<Vec<_>>(),
    );
    let served = Arc::clone(&counts);
    tokio::spawn(async move {
        let mut next = 0;
        while let Ok((mut client, _)) = listener.accept().await {
            let index = next % backends.len();
            next += 1;
            served[index].fetch_add(1, Ordering::SeqCst);
            let backend = backends[index];
            tokio::spawn(async move {
                if let Ok(mut upstream) = TcpStream::connect(backend).await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                }
            });
        }
    });
    (address, counts)
}

#[tokio::test]
async fn stateless_instances_behind_a_round_robin_proxy_serve_one_client() {
    let mut sentry = Server::new_async().await;
    let teams = sentry
        .mock("GET", "/api/0/organizations/acme/teams/")
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_query(Matcher::Any)
        .with_body(r#"[{"id":"1","slug":"backend","name":"Backend"}]"#)
        .expect_at_least(4)
        .create_async()
        .await;
    let (_one, first) = spawn_http(&sentry.url(), &["--stateless"]).await;
    let (_two, second) = spawn_http(&sentry.url(), &["--stateless"]).await;
    let (proxy, counts) = round_robin(vec![first, second]).await;

    // No pooled connections: every request is a new connection, so the proxy alternates.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let config = StreamableHttpClientTransportConfig::with_uri(format!("http://{proxy}/mcp"));
    let client = ().serve(StreamableHttpClientTransport::with_client(http, config)).await.unwrap();
    for _ in 0..4 {
        assert!(!client.list_all_tools().await.unwrap().is_empty());
        let result = client
            .call_tool(CallToolRequestParams::new("list_teams"))
            .await
            .unwrap();
        assert_eq!(result.is_error, Some(false), "{result:?}");
    }
    client.cancel().await.unwrap();
    teams.assert_async().await;
    let served: Vec<usize> = counts.iter().map(|c| c.load(Ordering::SeqCst)).collect();
    assert!(
        served.iter().all(|&n| n >= 4),
        "both instances answered: {served:?}"
    );
}

#[tokio::test]
async fn a_stateless_server_answers_without_a_session() {
    let running = start(
        "http://127.0.0.1:9",
        HttpSettings {
            stateless: true,
            ..HttpSettings::default()
        },
    )
    .await;
    let initialized = post(&running.url(), INITIALIZE).send().await.unwrap();
    assert_eq!(initialized.status(), StatusCode::OK);
    assert!(!initialized.headers().contains_key("mcp-session-id"));
    let list = post(
        &running.url(),
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(list.status(), StatusCode::OK);
    let body: Value = list.json().await.unwrap();
    assert!(!body["result"]["tools"].as_array().unwrap().is_empty());
}
