//! Sessions of the HTTP server: rmcp's in-memory sessions, at most a set number of them, each
//! closed after a set idle time so that its memory is returned.

use super::memory::Reclaim;
use futures_core::Stream;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::streamable_http_server::session::local::{
    LocalSessionManager, LocalSessionManagerError,
};
use rmcp::transport::streamable_http_server::session::{
    EventStore, ServerSseMessage, SessionId, SessionManager,
};
use std::sync::Arc;
use std::time::Duration;

/// How long a session keeps a finished answer for a client that reconnects to resume its stream.
/// rmcp keeps them 60 s, and every answer (tools/list is 13 KB) counted against a busy session's
/// memory for that long; a client resumes within its retry interval (3 s) or not at all.
const RESUMABLE_FOR: Duration = Duration::from_secs(10);

/// rmcp's session store with a cap on how many sessions exist at once.
pub struct CappedSessions {
    inner: LocalSessionManager,
    max: usize,
    reclaim: Arc<Reclaim>,
    /// Serialises "count, then create" so that concurrent handshakes cannot overshoot the cap.
    creating: tokio::sync::Mutex<()>,
}

/// A new session was refused because the cap is reached.
#[derive(Debug, thiserror::Error)]
pub enum SessionsError {
    /// The cap.
    #[error("the server already holds {0} sessions (--max-sessions)")]
    Full(usize),
    /// rmcp's own failure.
    #[error(transparent)]
    Local(#[from] LocalSessionManagerError),
}

impl CappedSessions {
    /// At most `max` sessions, each closed after `idle` without a request; closes go to `reclaim`.
    pub fn new(max: usize, idle: Duration, reclaim: Arc<Reclaim>) -> Self {
        let mut inner = LocalSessionManager::default();
        inner.session_config.keep_alive = Some(idle);
        inner.session_config.completed_cache_ttl = RESUMABLE_FOR;
        Self {
            inner,
            max,
            reclaim,
            creating: tokio::sync::Mutex::new(()),
        }
    }

    /// How many sessions are open.
    pub async fn count(&self) -> usize {
        self.inner.sessions.read().await.len()
    }

    /// Whether a new session would be refused.
    pub async fn is_full(&self) -> bool {
        self.count().await >= self.max
    }

    /// The cap.
    pub fn max(&self) -> usize {
        self.max
    }
}

impl SessionManager for CappedSessions {
    type Error = SessionsError;
    type Transport = <LocalSessionManager as SessionManager>::Transport;

    async fn create_session(&self) -> Result<(SessionId, Self::Transport), Self::Error> {
        let _creating = self.creating.lock().await;
        if self.is_full().await {
            return Err(SessionsError::Full(self.max));
        }
        Ok(self.inner.create_session().await?)
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, Self::Error> {
        Ok(self.inner.initialize_session(id, message).await?)
    }

    async fn has_session(&self, id: &SessionId) -> Result<bool, Self::Error> {
        Ok(self.inner.has_session(id).await?)
    }

    async fn close_session(&self, id: &SessionId) -> Result<(), Self::Error> {
        self.inner.close_session(id).await?;
        self.reclaim.note_release();
        Ok(())
    }

    async fn create_stream(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        Ok(self.inner.create_stream(id, message).await?)
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), Self::Error> {
        Ok(self.inner.accept_message(id, message).await?)
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        Ok(self.inner.create_standalone_stream(id).await?)
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        Ok(self.inner.resume(id, last_event_id).await?)
    }

    fn event_store(&self) -> Option<Arc<dyn EventStore>> {
        self.inner.event_store()
    }
}
