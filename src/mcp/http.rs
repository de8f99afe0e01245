//! The streamable HTTP face: rmcp's service behind an admission step (Host, Origin, token, body
//! limits, malformed JSON, the session cap), served with bounded connections and timeouts.

use super::connections::{self, Timeouts};
use super::guard::{ClientToken, Guard};
use super::jsonrpc::{Inbound, MAX_MESSAGE_BYTES, Malformed, classify};
use super::memory::Reclaim;
use super::server::McpServer;
use super::sessions::CappedSessions;
use anyhow::bail;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::model::{ClientJsonRpcMessage, ClientRequest, JsonRpcMessage};
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How the HTTP server admits clients and what it holds at most.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// The bearer token clients must present; required off loopback.
    pub token: Option<ClientToken>,
    /// Host names clients may use besides loopback and the listen address.
    pub allowed_hosts: Vec<String>,
    /// No sessions: every request stands alone, so any instance can answer it.
    pub stateless: bool,
    /// A session is closed after this long without a request.
    pub session_idle_timeout: Duration,
    /// Most sessions at once.
    pub max_sessions: usize,
    /// Most client connections at once.
    pub max_connections: usize,
    /// How long a client may take to send a request, or to read an answer.
    pub timeouts: Timeouts,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            token: None,
            allowed_hosts: Vec::new(),
            stateless: false,
            session_idle_timeout: Duration::from_secs(300),
            max_sessions: 500,
            max_connections: 1000,
            timeouts: Timeouts::default(),
        }
    }
}

/// How long a client told "too many sessions" should wait before trying again, in seconds.
const RETRY_SESSIONS_AFTER: &str = "30";

/// Serves MCP at `http://{listener address}/mcp` until `shutdown` completes.
pub async fn serve(
    server: McpServer,
    listener: tokio::net::TcpListener,
    settings: HttpSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let local = listener.local_addr()?;
    if !local.ip().is_loopback() && settings.token.is_none() {
        bail!(
            "--listen {local} is reachable from other machines, and anyone who reaches it would \
             use this server's Sentry token: set --http-token or SENTRY_COMPANION_HTTP_TOKEN \
             (clients send `Authorization: Bearer TOKEN`), or listen on 127.0.0.1"
        );
    }
    let guard = Guard::new(local, &settings.allowed_hosts, settings.token.clone())
        .map_err(anyhow::Error::msg)?;
    eprintln!(
        "sentry-companion MCP server listening on http://{local}/mcp ({}; {}; Host: {})",
        if guard.requires_token() {
            "bearer token required"
        } else {
            "no token required on loopback"
        },
        if settings.stateless {
            "stateless".to_owned()
        } else {
            format!("at most {} sessions", settings.max_sessions)
        },
        guard.hosts().join(", ")
    );
    let cancel = CancellationToken::new();
    let reclaim = Arc::new(Reclaim::default());
    tokio::spawn(Arc::clone(&reclaim).run(cancel.child_token()));
    let app = router(server, &settings, guard, &reclaim, cancel.child_token());
    let limits = connections::Limits {
        max_connections: settings.max_connections,
        timeouts: settings.timeouts,
    };
    connections::serve(listener, app, limits, reclaim, async move {
        shutdown.await;
        // Ends sessions and their open streams, so that connections can drain.
        cancel.cancel();
    })
    .await
}

/// The `/mcp` route: the admission step in front of rmcp's service.
fn router(
    server: McpServer,
    settings: &HttpSettings,
    guard: Guard,
    reclaim: &Arc<Reclaim>,
    cancel: CancellationToken,
) -> axum::Router {
    // The admission step checks Host and Origin with the operator's list, before anything else.
    let config = StreamableHttpServerConfig::default()
        .with_cancellation_token(cancel)
        .disable_allowed_hosts()
        .with_max_request_body_bytes(MAX_MESSAGE_BYTES)
        .with_legacy_session_mode(!settings.stateless)
        .with_json_response(settings.stateless);
    let factory = move || Ok(server.clone());
    let (mcp, sessions) = if settings.stateless {
        let sessions = Arc::new(NeverSessionManager::default());
        let service = StreamableHttpService::new(factory, sessions, config);
        (axum::Router::new().nest_service("/mcp", service), None)
    } else {
        let sessions = Arc::new(CappedSessions::new(
            settings.max_sessions,
            settings.session_idle_timeout,
            Arc::clone(reclaim),
        ));
        let service = StreamableHttpService::new(factory, Arc::clone(&sessions), config);
        (
            axum::Router::new().nest_service("/mcp", service),
            Some(sessions),
        )
    };
    let admission = Arc::new(Admission {
        guard,
        sessions,
        body_timeout: settings.timeouts.body,
    });
    mcp.layer(axum::middleware::from_fn_with_state(admission, admit))
}

/// What the admission step needs.
struct Admission {
    guard: Guard,
    /// `None` when stateless.
    sessions: Option<Arc<CappedSessions>>,
    body_timeout: Duration,
}

/// Turns away what rmcp should not see, or would answer badly, before passing the request on.
async fn admit(State(admission): State<Arc<Admission>>, request: Request, next: Next) -> Response {
    if let Err(refusal) = admission.guard.check(request.uri(), request.headers()) {
        return refusal.into_response();
    }
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match read_body(
        body,
        declared_length(&parts.headers),
        admission.body_timeout,
    )
    .await
    {
        Ok(bytes) => bytes,
        Err(response) => return *response,
    };
    let mut opens = false;
    if is_json(&parts.headers) {
        match classify(&bytes) {
            Inbound::Malformed(malformed) => return bad_request(&malformed),
            Inbound::Message(message) => opens = opens_session(&message, &parts.headers),
        }
    }
    let capped = admission.sessions.as_ref().filter(|_| opens);
    if let Some(sessions) = capped
        && sessions.is_full().await
    {
        return sessions_full(sessions.max());
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    match capped {
        // Another handshake took the last place between the check and the session's creation,
        // and rmcp reports the refusal as a 500.
        Some(sessions)
            if response.status() == StatusCode::INTERNAL_SERVER_ERROR
                && sessions.is_full().await =>
        {
            sessions_full(sessions.max())
        }
        _ => response,
    }
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// An `initialize` without a session id starts a session.
fn opens_session(message: &ClientJsonRpcMessage, headers: &HeaderMap) -> bool {
    matches!(message, JsonRpcMessage::Request(request)
        if matches!(request.request, ClientRequest::InitializeRequest(_)))
        && !headers.contains_key("mcp-session-id")
}

/// Reads the whole body, at most [`MAX_MESSAGE_BYTES`] of it and within `limit`.
async fn read_body(
    mut body: Body,
    declared: Option<u64>,
    limit: Duration,
) -> Result<Bytes, Box<Response>> {
    let too_large = || {
        let message = format!(
            "Payload Too Large: an MCP message may be at most {} MiB\n",
            MAX_MESSAGE_BYTES >> 20
        );
        let close = [(axum::http::header::CONNECTION, "close")];
        Box::new((StatusCode::PAYLOAD_TOO_LARGE, close, message).into_response())
    };
    if declared.is_some_and(|length| length > MAX_MESSAGE_BYTES as u64) {
        return Err(too_large());
    }
    let collect = async {
        let mut collected = Vec::new();
        while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await
        {
            let Ok(frame) = frame else {
                return Err(Box::new(
                    (
                        StatusCode::BAD_REQUEST,
                        "Bad Request: the body was cut off\n",
                    )
                        .into_response(),
                ));
            };
            if let Ok(data) = frame.into_data() {
                if collected.len() + data.len() > MAX_MESSAGE_BYTES {
                    return Err(too_large());
                }
                collected.extend_from_slice(&data);
            }
        }
        Ok(Bytes::from(collected))
    };
    tokio::time::timeout(limit, collect)
        .await
        .unwrap_or_else(|_| {
            let message = format!(
                "Request Timeout: the body did not arrive within {}s\n",
                limit.as_secs_f64()
            );
            Err(Box::new(
                (
                    StatusCode::REQUEST_TIMEOUT,
                    [(axum::http::header::CONNECTION, "close")],
                    message,
                )
                    .into_response(),
            ))
        })
}

/// A malformed message: 400 with the JSON-RPC error (its id, or null).
fn bad_request(malformed: &Malformed) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(CONTENT_TYPE, "application/json")],
        malformed.reply(),
    )
        .into_response()
}

fn sessions_full(max: usize) -> Response {
    let message = format!(
        "Service Unavailable: this server already holds {max} MCP sessions (--max-sessions). \
         Close unused sessions (HTTP DELETE), or try again once idle ones have expired.\n"
    );
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(RETRY_AFTER, RETRY_SESSIONS_AFTER)],
        message,
    )
        .into_response()
}

impl McpServer {
    /// Serves streamable HTTP at `http://{listener address}/mcp` until `shutdown` completes.
    pub async fn serve_http(
        self,
        listener: tokio::net::TcpListener,
        settings: HttpSettings,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        serve(self, listener, settings, shutdown).await
    }
}
