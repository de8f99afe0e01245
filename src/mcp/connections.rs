//! Client connections of the HTTP server: how many at once, how long a client may take to send a
//! request or to read an answer, and a bounded drain on shutdown.

use super::memory::Reclaim;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::io;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::Sleep;

/// How long a client may take before its connection is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// To send a request's headers; also how long a kept-alive connection may sit idle.
    pub header: Duration,
    /// To send a request's body.
    pub body: Duration,
    /// To take in an answer: a write that makes no progress for this long ends the connection.
    pub write_stall: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            header: Duration::from_secs(30),
            body: Duration::from_secs(30),
            write_stall: Duration::from_secs(30),
        }
    }
}

/// What the server holds at most.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Open client connections; one more is answered 503 and closed.
    pub max_connections: usize,
    /// How long a client may take.
    pub timeouts: Timeouts,
}

/// How long connections in flight get to finish once shutdown begins.
const DRAIN: Duration = Duration::from_secs(10);

/// How long a refused connection is given to take its 503.
const REFUSAL_GRACE: Duration = Duration::from_secs(1);

/// Serves `app` on every accepted connection until `shutdown` completes, then drains; each closed
/// connection is noted to `reclaim`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    reclaim: Arc<Reclaim>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    loop {
        let stream = tokio::select! {
            () = &mut shutdown => break,
            stream = accept(&listener) => stream,
        };
        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
            tokio::spawn(refuse(stream, limits.max_connections));
            continue;
        };
        let io = TokioIo::new(StallLimit::new(stream, limits.timeouts.write_stall));
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.timeouts.header)
            .serve_connection(io, TowerToHyperService::new(app.clone()));
        let connection = graceful.watch(connection);
        let reclaim = Arc::clone(&reclaim);
        tokio::spawn(async move {
            // A client that went away is no error of the server's.
            let _ = connection.await;
            drop(permit);
            reclaim.note_release();
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN, graceful.shutdown()).await;
    Ok(())
}

/// Accepts the next connection, with Nagle's algorithm off: answers are small, and waiting for the
/// client's delayed ACK cost about 40 ms per request on a kept-alive connection.
pub async fn accept(listener: &TcpListener) -> TcpStream {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                // Only a latency optimisation: a socket that refuses it still works.
                let _ = stream.set_nodelay(true);
                return stream;
            }
            // Out of file descriptors, or a connection reset before it was taken: pause, go on.
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Answers a connection over the limit with 503 and closes it, reading what the client sent so
/// that the close does not reset the connection before the client reads the answer.
async fn refuse(mut stream: TcpStream, max_connections: usize) {
    let body = format!(
        "Service Unavailable: the server has {max_connections} connections open \
         (--max-connections); try again shortly.\n"
    );
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n\
         retry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(REFUSAL_GRACE, async {
        stream.write_all(answer.as_bytes()).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 1024];
        while stream.read(&mut sink).await? > 0 {}
        io::Result::Ok(())
    })
    .await;
}

/// A stream whose writes fail once they have made no progress for a set time, so that a client
/// that stops reading cannot hold its connection (and its answer's memory) forever.
pub struct StallLimit<S> {
    inner: S,
    limit: Duration,
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<S> StallLimit<S> {
    /// Wraps `inner`; a write pending for `limit` fails with `TimedOut`.
    pub fn new(inner: S, limit: Duration) -> Self {
        Self {
            inner,
            limit,
            stalled: None,
        }
    }

    fn watch<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.stalled = None;
            return poll;
        }
        let limit = self.limit;
        let timer = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stopped reading",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for StallLimit<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for StallLimit<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.watch(cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        self.watch(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_sockets_have_nagle_off() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let client = TcpStream::connect(address);
        let (accepted, _client) = tokio::join!(accept(&listener), client);
        assert!(accepted.nodelay().unwrap());
    }

    #[tokio::test]
    async fn a_write_that_makes_no_progress_fails_after_the_limit() {
        let (server, _client_that_never_reads) = tokio::io::duplex(16);
        let mut stream = StallLimit::new(server, Duration::from_millis(50));
        let error = stream.write_all(&[0u8; 64]).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    }

    #[tokio::test]
    async fn a_reader_that_keeps_up_is_never_cut_off() {
        let (server, mut client) = tokio::io::duplex(16);
        let mut stream = StallLimit::new(server, Duration::from_millis(200));
        let reader = tokio::spawn(async move {
            let mut all = Vec::new();
            client.read_to_end(&mut all).await.map(|_| all.len())
        });
        stream.write_all(&[7u8; 4096]).await.unwrap();
        stream.shutdown().await.unwrap();
        drop(stream);
        assert_eq!(reader.await.unwrap().unwrap(), 4096);
    }
}
