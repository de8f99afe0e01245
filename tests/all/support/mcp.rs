//! Helpers for tests of the MCP faces: the binary as an HTTP server, a Sentry that never answers,
//! and raw HTTP/1.1 exchanges for what an ordinary client library will not send.

use super::sentry::{TOKEN, binary};
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};

/// The body of an `initialize` request.
pub const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"0"}}}"#;

/// The real binary as `mcp --transport http --listen 127.0.0.1:0 ARGS`, and the address it took.
/// The process is killed when the handle is dropped.
pub async fn spawn_http(sentry_url: &str, args: &[&str]) -> (Child, SocketAddr) {
    let program = binary(sentry_url).get_program().to_owned();
    let mut child = Command::new(program)
        .env_clear()
        .env("SENTRY_URL", sentry_url)
        .env("SENTRY_AUTH_TOKEN", TOKEN)
        .env("SENTRY_ORG", "acme")
        .env("HOME", std::env::temp_dir())
        .args(["mcp", "--transport", "http", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let banner = tokio::time::timeout(Duration::from_secs(30), stderr.next_line())
        .await
        .expect("the server starts")
        .unwrap()
        .expect("the server prints where it listens");
    let address = banner
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|address| address.parse().ok())
        .unwrap_or_else(|| panic!("no address in {banner:?}"));
    (child, address)
}

/// A Sentry that accepts connections and never answers, as a hung server does.
pub async fn hung_sentry() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    url
}

/// Sends raw bytes on a new connection and reads until the server closes it (at most 20 s).
pub async fn raw_exchange(address: SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(request).await.unwrap();
    read_until_closed(&mut stream).await
}

/// Everything the server sends until it closes the connection; panics after 20 s.
pub async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), async {
        let mut chunk = [0u8; 4096];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server kept the connection open");
    String::from_utf8_lossy(&answer).into_owned()
}
