//! MCP over stdin/stdout: one JSON-RPC message per line, each checked (see [`super::jsonrpc`])
//! before rmcp sees it, so that every malformed request with an id is answered.

use super::jsonrpc::{Inbound, MAX_MESSAGE_BYTES, Malformed, classify, too_long};
use super::server::McpServer;
use rmcp::RoleServer;
use rmcp::ServiceExt;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::Transport;
use std::io;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Lines waiting for the writer; a full queue makes senders wait rather than use memory.
const QUEUED_LINES: usize = 64;

/// The server's side of a line-delimited JSON-RPC stream.
pub struct StdioTransport<R> {
    input: BufReader<R>,
    /// The line being read; a read cancelled half-way leaves its bytes here for the next one.
    line: Vec<u8>,
    /// The rest of an over-long line is being skipped.
    skipping: bool,
    output: mpsc::Sender<String>,
    /// An error reply not yet handed to the writer.
    pending_reply: Option<String>,
}

/// How a line read ended.
enum LineEnd {
    Complete,
    TooLong,
    Eof,
}

impl<R: AsyncRead + Unpin + Send> StdioTransport<R> {
    /// A transport reading `input` and writing `output`; the task writes until every sender is gone.
    pub fn new<W: AsyncWrite + Unpin + Send + 'static>(
        input: R,
        output: W,
    ) -> (Self, JoinHandle<io::Result<()>>) {
        let (sender, receiver) = mpsc::channel(QUEUED_LINES);
        let writer = tokio::spawn(write_lines(output, receiver));
        let transport = Self {
            input: BufReader::new(input),
            line: Vec::new(),
            skipping: false,
            output: sender,
            pending_reply: None,
        };
        (transport, writer)
    }

    /// Reads up to the next newline into `self.line`, never holding more than the message cap.
    ///
    /// Cancel-safe: nothing is consumed from the reader without being kept or deliberately skipped.
    async fn read_line(&mut self) -> io::Result<LineEnd> {
        loop {
            let available = self.input.fill_buf().await?;
            if available.is_empty() {
                // A last message without a newline still counts.
                let ended = if self.line.is_empty() {
                    LineEnd::Eof
                } else {
                    LineEnd::Complete
                };
                return Ok(ended);
            }
            let newline = available.iter().position(|b| *b == b'\n');
            let take = newline.map_or(available.len(), |at| at + 1);
            if !self.skipping && self.line.len() + take > MAX_MESSAGE_BYTES + 1 {
                self.skipping = true;
                self.line = Vec::new();
            }
            if !self.skipping {
                self.line.extend_from_slice(&available[..take]);
            }
            self.input.consume(take);
            if newline.is_some() {
                let skipped = std::mem::take(&mut self.skipping);
                return Ok(if skipped {
                    LineEnd::TooLong
                } else {
                    LineEnd::Complete
                });
            }
        }
    }

    /// Hands a queued error reply to the writer; cancel-safe (the reply stays queued until sent).
    async fn flush_reply(&mut self) -> Option<()> {
        if self.pending_reply.is_some() {
            let permit = self.output.reserve().await.ok()?;
            permit.send(self.pending_reply.take()?);
        }
        Some(())
    }

    fn answer(&mut self, malformed: &Malformed) {
        if malformed.wants_reply() {
            self.pending_reply = Some(malformed.reply());
        }
    }
}

impl<R: AsyncRead + Unpin + Send> Transport<RoleServer> for StdioTransport<R> {
    type Error = io::Error;

    fn send(
        &mut self,
        item: ServerJsonRpcMessage,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let output = self.output.clone();
        let line = serde_json::to_string(&item);
        async move {
            let line = line.map_err(io::Error::other)?;
            output
                .send(line)
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "stdout is closed"))
        }
    }

    async fn receive(&mut self) -> Option<ClientJsonRpcMessage> {
        loop {
            self.flush_reply().await?;
            match self.read_line().await.ok()? {
                LineEnd::Eof => return None,
                LineEnd::TooLong => self.answer(&too_long()),
                LineEnd::Complete => {
                    let line = self.line.trim_ascii();
                    let inbound = (!line.is_empty()).then(|| classify(line));
                    self.line.clear();
                    match inbound {
                        Some(Inbound::Message(message)) => return Some(*message),
                        Some(Inbound::Malformed(malformed)) => self.answer(&malformed),
                        None => {}
                    }
                }
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Writes each line and flushes it, so that a client reading line by line sees it at once.
async fn write_lines<W: AsyncWrite + Unpin>(
    mut output: W,
    mut lines: mpsc::Receiver<String>,
) -> io::Result<()> {
    while let Some(mut line) = lines.recv().await {
        line.push('\n');
        output.write_all(line.as_bytes()).await?;
        output.flush().await?;
    }
    Ok(())
}

impl McpServer {
    /// Serves MCP on stdin/stdout until the client closes it.
    pub async fn serve_stdio(self) -> anyhow::Result<()> {
        let (transport, writer) = StdioTransport::new(tokio::io::stdin(), tokio::io::stdout());
        let running = self.serve(transport).await?;
        running.waiting().await?;
        // Every answer is written before the process ends.
        writer.await??;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use tokio::io::AsyncReadExt;

    /// Feeds `input` to a transport and returns what it forwarded and what it answered.
    async fn run(input: Vec<u8>) -> (Vec<ClientJsonRpcMessage>, Vec<Value>) {
        let (output, mut written) = tokio::io::duplex(1 << 20);
        let (mut transport, writer) = StdioTransport::new(&input[..], output);
        let mut forwarded = Vec::new();
        while let Some(message) = transport.receive().await {
            forwarded.push(message);
        }
        drop(transport);
        writer.await.unwrap().unwrap();
        let mut text = String::new();
        written.read_to_string(&mut text).await.unwrap();
        let replies = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (forwarded, replies)
    }

    #[tokio::test]
    async fn forwards_good_lines_and_answers_bad_ones_in_place() {
        let input = concat!(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\r\n",
            "\n   \n",
            "not json\n",
            "{\"jsonrpc\":\"2.0\",\"method\":7}\n",
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":[1]}\n",
            "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}",
        );
        let (forwarded, replies) = run(input.as_bytes().to_vec()).await;
        assert_eq!(forwarded.len(), 2, "ping and the unterminated last line");
        let answered: Vec<(Value, i64)> = replies
            .iter()
            .map(|r| (r["id"].clone(), r["error"]["code"].as_i64().unwrap()))
            .collect();
        assert_eq!(
            answered,
            vec![(Value::Null, -32700), (Value::from(2), -32602)]
        );
    }

    #[tokio::test]
    async fn an_over_long_line_is_answered_and_skipped_without_being_held() {
        let mut input = b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"x\":\"".to_vec();
        input.extend(std::iter::repeat_n(b'a', MAX_MESSAGE_BYTES + 10));
        input.extend_from_slice(b"\"}\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\n");
        let (forwarded, replies) = run(input).await;
        assert_eq!(forwarded.len(), 1, "the line after the long one is read");
        assert_eq!(replies.len(), 1);
        assert_eq!(replies[0]["error"]["code"], -32600);
        assert!(
            replies[0]["error"]["message"]
                .as_str()
                .unwrap()
                .contains("MiB")
        );
    }

    /// One line a client might send, and what the transport must do with it.
    #[derive(Debug, Clone)]
    enum Line {
        Request(i64),
        MalformedRequest(i64),
        Notification,
        MalformedNotification,
        Garbage(String),
    }

    impl Line {
        fn text(&self) -> String {
            match self {
                Self::Request(id) => format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#),
                Self::MalformedRequest(id) => {
                    format!(
                        r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":[{id}]}}"#
                    )
                }
                Self::Notification => {
                    r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.into()
                }
                Self::MalformedNotification => r#"{"jsonrpc":"2.0","method":3}"#.into(),
                Self::Garbage(text) => text.clone(),
            }
        }
    }

    fn line() -> impl proptest::strategy::Strategy<Value = Line> {
        use proptest::prelude::*;
        prop_oneof![
            any::<i64>().prop_map(Line::Request),
            any::<i64>().prop_map(Line::MalformedRequest),
            Just(Line::Notification),
            Just(Line::MalformedNotification),
            "[a-z{}:,]{1,10}"
                .prop_filter("not JSON", |t| serde_json::from_str::<Value>(t).is_err())
                .prop_map(Line::Garbage),
        ]
    }

    proptest::proptest! {
        #[test]
        fn each_line_is_forwarded_or_answered_exactly_as_json_rpc_says(
            lines in proptest::collection::vec(line(), 0..24),
        ) {
            let input: String = lines.iter().map(|l| l.text() + "\n").collect();
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let (forwarded, replies) = runtime.block_on(run(input.into_bytes()));
            let forwarded: Vec<String> = forwarded.iter().map(|m| match m {
                rmcp::model::JsonRpcMessage::Request(r) => format!("request {}", r.id),
                _ => "notification".to_owned(),
            }).collect();
            let expected_forwarded: Vec<String> = lines.iter().filter_map(|l| match l {
                Line::Request(id) => Some(format!("request {id}")),
                Line::Notification => Some("notification".to_owned()),
                _ => None,
            }).collect();
            proptest::prop_assert_eq!(forwarded, expected_forwarded);
            let answered: Vec<Value> = replies.iter().map(|r| r["id"].clone()).collect();
            let expected_answers: Vec<Value> = lines.iter().filter_map(|l| match l {
                Line::MalformedRequest(id) => Some(Value::from(*id)),
                Line::Garbage(_) => Some(Value::Null),
                _ => None,
            }).collect();
            proptest::prop_assert_eq!(answered, expected_answers);
        }
    }
}
