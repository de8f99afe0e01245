//! Checks every incoming JSON-RPC message before rmcp sees it, so that a malformed request gets an
//! error reply with its id and the right code instead of silence, a wrong code, or a hang.
//!
//! rmcp drops input that is not JSON, answers other shape errors without the request's id, and
//! reads a known method with wrong params (`tools/call` with an array) as an unknown method.

use rmcp::model::{
    CallToolRequest, ClientJsonRpcMessage, ClientRequest, DiscoverRequest, ErrorData,
    InitializeRequest, JsonRpcMessage, ListToolsRequest, PingRequest,
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// The largest message taken, on stdio and over HTTP.
pub const MAX_MESSAGE_BYTES: usize = 4 * 1024 * 1024;

/// What to do with one incoming message.
#[derive(Debug)]
pub enum Inbound {
    /// A well-formed message for the server.
    Message(Box<ClientJsonRpcMessage>),
    /// A malformed message and the error that answers it.
    Malformed(Malformed),
}

/// A message the server cannot take, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Malformed {
    /// The id to answer with: the request's own, or `null` when none can be read.
    pub id: Value,
    /// The JSON-RPC error.
    pub error: ErrorData,
    /// It was a notification or a response: JSON-RPC forbids answering one.
    pub notification: bool,
}

impl Malformed {
    /// The JSON-RPC error response, as one line of JSON.
    pub fn reply(&self) -> String {
        json!({"jsonrpc": "2.0", "id": self.id, "error": self.error}).to_string()
    }

    /// Whether JSON-RPC wants an answer (stdio answers only then; HTTP always answers with 400).
    pub fn wants_reply(&self) -> bool {
        !self.notification
    }
}

/// The methods this server serves: wrong params for one of them is -32602, not -32601.
const SERVED_METHODS: &[&str] = &[
    "initialize",
    "ping",
    "server/discover",
    "tools/list",
    "tools/call",
];

/// Reads one message (a stdio line or an HTTP body).
pub fn classify(bytes: &[u8]) -> Inbound {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(e) => {
            let error = ErrorData::parse_error(format!("Parse error: not valid JSON ({e})"), None);
            return malformed(Value::Null, error, false);
        }
    };
    let Value::Object(object) = value else {
        let what = if value.is_array() {
            "a batch (JSON array); MCP takes one message at a time"
        } else {
            "not a JSON object"
        };
        return invalid_request(Value::Null, format!("the message is {what}"), false);
    };
    // Neither a notification nor a client's response to the server may be answered.
    let is_response = !object.contains_key("method")
        && (object.contains_key("result") || object.contains_key("error"));
    let notification = !object.contains_key("id") || is_response;
    let id = match object.get("id") {
        None => Value::Null,
        Some(id @ Value::String(_)) => id.clone(),
        Some(id @ Value::Number(n)) if n.is_i64() || n.is_u64() => id.clone(),
        Some(other) => {
            let message = format!("id must be a string or an integer, not {other}");
            return invalid_request(Value::Null, message, false);
        }
    };
    if let Some(problem) = shape_problem(&object) {
        return problem.into_malformed(id, notification);
    }
    let value = Value::Object(object);
    match serde_json::from_value::<ClientJsonRpcMessage>(value.clone()) {
        Ok(message) => match misread_params(&message, &value) {
            Some(problem) => problem.into_malformed(id, notification),
            None => Inbound::Message(Box::new(message)),
        },
        Err(e) => invalid_request(id, format!("not an MCP message: {e}"), notification),
    }
}

/// A problem found in a message, before the id is attached.
enum Problem {
    InvalidRequest(String),
    InvalidParams(String),
}

impl Problem {
    fn into_malformed(self, id: Value, notification: bool) -> Inbound {
        match self {
            Self::InvalidRequest(message) => invalid_request(id, message, notification),
            Self::InvalidParams(message) => {
                let error = ErrorData::invalid_params(format!("Invalid params: {message}"), None);
                malformed(id, error, notification)
            }
        }
    }
}

/// The envelope rules of JSON-RPC 2.0 that hold for every message.
fn shape_problem(object: &Map<String, Value>) -> Option<Problem> {
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Some(Problem::InvalidRequest(
            "\"jsonrpc\" must be \"2.0\"".to_owned(),
        ));
    }
    let is_response = object.contains_key("result") || object.contains_key("error");
    match object.get("method") {
        None if is_response => None,
        None => Some(Problem::InvalidRequest(
            "the message has no \"method\"".to_owned(),
        )),
        Some(Value::String(method)) => match object.get("params") {
            None | Some(Value::Object(_)) => None,
            Some(other) => Some(Problem::InvalidParams(format!(
                "params of {method} must be a JSON object, not {other}"
            ))),
        },
        Some(other) => Some(Problem::InvalidRequest(format!(
            "\"method\" must be a string, not {other}"
        ))),
    }
}

/// rmcp reads a served method whose params do not fit as a custom (unknown) request.
fn misread_params(message: &ClientJsonRpcMessage, value: &Value) -> Option<Problem> {
    let JsonRpcMessage::Request(request) = message else {
        return None;
    };
    let ClientRequest::CustomRequest(custom) = &request.request else {
        return None;
    };
    let method = custom.method.as_str();
    if !SERVED_METHODS.contains(&method) {
        return None;
    }
    let detail = match method {
        "initialize" => typed_error::<InitializeRequest>(value),
        "ping" => typed_error::<PingRequest>(value),
        "server/discover" => typed_error::<DiscoverRequest>(value),
        "tools/list" => typed_error::<ListToolsRequest>(value),
        _ => typed_error::<CallToolRequest>(value),
    };
    let detail = detail.unwrap_or_else(|| "they do not match the MCP schema".to_owned());
    Some(Problem::InvalidParams(format!("{method}: {detail}")))
}

fn typed_error<T: DeserializeOwned>(value: &Value) -> Option<String> {
    serde_json::from_value::<T>(value.clone())
        .err()
        .map(|e| e.to_string())
}

/// The answer to a message longer than [`MAX_MESSAGE_BYTES`], whose id was never read.
pub fn too_long() -> Malformed {
    let message = format!(
        "Invalid Request: the message is longer than {} MiB",
        MAX_MESSAGE_BYTES >> 20
    );
    Malformed {
        id: Value::Null,
        error: ErrorData::invalid_request(message, None),
        notification: false,
    }
}

fn invalid_request(id: Value, message: String, notification: bool) -> Inbound {
    let error = ErrorData::invalid_request(format!("Invalid Request: {message}"), None);
    malformed(id, error, notification)
}

fn malformed(id: Value, error: ErrorData, notification: bool) -> Inbound {
    Inbound::Malformed(Malformed {
        id,
        error,
        notification,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::ErrorCode;

    fn rejected(line: &str) -> Malformed {
        match classify(line.as_bytes()) {
            Inbound::Malformed(m) => m,
            Inbound::Message(m) => panic!("{line} was accepted as {m:?}"),
        }
    }

    #[test]
    fn each_malformed_request_gets_its_code_and_its_id() {
        let cases = [
            (r#"{"jsonrpc":"2.0","id":1,"method":"#, Value::Null, -32700),
            ("hello", Value::Null, -32700),
            (
                r#"[{"jsonrpc":"2.0","id":2,"method":"ping"}]"#,
                Value::Null,
                -32600,
            ),
            (r#""text""#, Value::Null, -32600),
            (r#"{"id":3,"method":"tools/list"}"#, json!(3), -32600),
            (
                r#"{"jsonrpc":"1.0","id":"a","method":"ping"}"#,
                json!("a"),
                -32600,
            ),
            (
                r#"{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}"#,
                Value::Null,
                -32600,
            ),
            (
                r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#,
                Value::Null,
                -32600,
            ),
            (r#"{"jsonrpc":"2.0","id":4,"method":7}"#, json!(4), -32600),
            (r#"{"jsonrpc":"2.0","id":5}"#, json!(5), -32600),
            (
                r#"{"jsonrpc":"2.0","id":6,"method":"tools/call","params":["x"]}"#,
                json!(6),
                -32602,
            ),
            (
                r#"{"jsonrpc":"2.0","id":7,"method":"tools/list","params":[1]}"#,
                json!(7),
                -32602,
            ),
            (
                r#"{"jsonrpc":"2.0","id":8,"method":"tools/call"}"#,
                json!(8),
                -32602,
            ),
            (
                r#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":5}}"#,
                json!(9),
                -32602,
            ),
            (
                r#"{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"x","arguments":[1]}}"#,
                json!(10),
                -32602,
            ),
            (
                r#"{"jsonrpc":"2.0","id":11,"method":"initialize","params":{}}"#,
                json!(11),
                -32602,
            ),
        ];
        for (line, id, code) in cases {
            let m = rejected(line);
            assert_eq!(
                (m.id.clone(), m.error.code),
                (id, ErrorCode(code)),
                "{line}"
            );
            assert!(m.wants_reply(), "{line}");
            let reply: Value = serde_json::from_str(&m.reply()).unwrap();
            assert_eq!(
                reply["id"], m.id,
                "{line}: the reply always has an id member"
            );
            assert_eq!(reply["jsonrpc"], "2.0");
        }
    }

    #[test]
    fn params_errors_say_what_is_wrong() {
        let m = rejected(r#"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{}}"#);
        assert!(
            m.error.message.contains("tools/call"),
            "{}",
            m.error.message
        );
        assert!(m.error.message.contains("name"), "{}", m.error.message);
    }

    #[test]
    fn malformed_notifications_want_no_reply() {
        for line in [
            r#"{"jsonrpc":"1.0","method":"notifications/initialized"}"#,
            r#"{"jsonrpc":"2.0","method":5}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":[1]}"#,
            r#"{"jsonrpc":"2.0","id":1,"result":7,"error":{}}"#,
        ] {
            assert!(!rejected(line).wants_reply(), "{line}");
        }
    }

    #[test]
    fn well_formed_messages_pass_unknown_methods_included() {
        for line in [
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
            r#"{"jsonrpc":"2.0","id":"x","method":"tools/call","params":{"name":"list_teams"}}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":3,"method":"foo/bar"}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            "\u{feff}{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}",
        ] {
            assert!(
                matches!(classify(line.as_bytes()), Inbound::Message(_)),
                "{line}"
            );
        }
    }

    /// Generators of JSON-RPC messages, good and bad, for the properties below.
    pub(crate) mod arbitrary {
        use proptest::prelude::*;
        use serde_json::{Map, Value, json};

        /// Any small JSON value.
        pub fn value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                any::<f64>().prop_map(|f| json!(f)),
                "[ -~]{0,8}".prop_map(Value::from),
            ];
            leaf.prop_recursive(3, 16, 4, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                    prop::collection::btree_map("[a-z_]{1,6}", inner, 0..4)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        /// An id JSON-RPC allows: a string or an integer.
        pub fn id() -> impl Strategy<Value = Value> {
            prop_oneof![
                any::<i64>().prop_map(Value::from),
                "[a-zA-Z0-9-]{0,12}".prop_map(Value::from),
            ]
        }

        /// A method: one the server serves, or any other name, or not a string at all.
        pub fn method() -> impl Strategy<Value = Value> {
            prop_oneof![
                prop_oneof![
                    Just("tools/call"),
                    Just("tools/list"),
                    Just("ping"),
                    Just("initialize"),
                    Just("notifications/initialized"),
                ]
                .prop_map(Value::from),
                "[a-z/]{1,12}".prop_map(Value::from),
                value(),
            ]
        }

        /// An object with a method and maybe jsonrpc and params, each possibly wrong.
        pub fn envelope() -> impl Strategy<Value = Map<String, Value>> {
            let jsonrpc =
                prop_oneof![3 => Just(Some(json!("2.0"))), 1 => prop::option::of(value())];
            let params = prop_oneof![
                Just(None),
                Just(Some(json!({"name": "list_teams", "arguments": {}}))),
                prop::option::of(value()),
            ];
            (jsonrpc, method(), params).prop_map(|(jsonrpc, method, params)| {
                let mut object = Map::new();
                if let Some(jsonrpc) = jsonrpc {
                    object.insert("jsonrpc".into(), jsonrpc);
                }
                object.insert("method".into(), method);
                if let Some(params) = params {
                    object.insert("params".into(), params);
                }
                object
            })
        }
    }

    mod properties {
        use super::arbitrary;
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_bytes_get_an_outcome_and_never_a_borrowed_id(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
                if let Inbound::Malformed(m) = classify(&bytes) {
                    let read: Option<Value> = serde_json::from_slice(&bytes).ok();
                    let own_id = read.as_ref().and_then(|v| v.get("id")).cloned();
                    prop_assert!(m.id.is_null() || Some(&m.id) == own_id.as_ref());
                    let reply: Value = serde_json::from_str(&m.reply()).unwrap();
                    prop_assert!(reply.get("id").is_some(), "a reply always has an id member");
                }
            }

            #[test]
            fn a_request_is_passed_on_or_answered_with_its_own_id(
                mut object in arbitrary::envelope(),
                id in arbitrary::id(),
            ) {
                object.insert("id".into(), id.clone());
                let line = Value::Object(object).to_string();
                if let Inbound::Malformed(m) = classify(line.as_bytes()) {
                    prop_assert_eq!(&m.id, &id, "{}", line);
                    prop_assert!(m.wants_reply(), "{}", line);
                    let code = m.error.code.0;
                    prop_assert!(code == -32600 || code == -32602, "{} gave {}", line, code);
                }
            }

            #[test]
            fn a_notification_is_never_answered(object in arbitrary::envelope()) {
                let line = Value::Object(object).to_string();
                if let Inbound::Malformed(m) = classify(line.as_bytes()) {
                    prop_assert!(!m.wants_reply(), "{}", line);
                }
            }

            #[test]
            fn an_id_that_is_not_a_string_or_integer_is_refused(
                object in arbitrary::envelope(),
                id in arbitrary::value().prop_filter("not a valid id", |v| {
                    !v.is_string() && !v.is_i64() && !v.is_u64()
                }),
            ) {
                let mut object = object;
                object.insert("id".into(), id);
                let line = Value::Object(object).to_string();
                match classify(line.as_bytes()) {
                    Inbound::Malformed(m) => {
                        prop_assert_eq!(m.error.code.0, -32600);
                        prop_assert!(m.id.is_null());
                        prop_assert!(m.wants_reply());
                    }
                    Inbound::Message(_) => prop_assert!(false, "{} was accepted", line),
                }
            }

            #[test]
            fn well_formed_calls_always_pass(
                id in arbitrary::id(),
                name in "[a-z_]{1,20}",
                arguments in prop::collection::btree_map("[a-z_]{1,8}", arbitrary::value(), 0..4),
            ) {
                let line = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                                  "params": {"name": name, "arguments": arguments}}).to_string();
                prop_assert!(matches!(classify(line.as_bytes()), Inbound::Message(_)), "{}", line);
            }
        }
    }
}
