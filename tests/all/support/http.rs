//! Small HTTP endpoints on 127.0.0.1 for transport tests: a scripted server that records what it receives,
//! a forward proxy that records that it was used, and a TLS server with a certificate made in the test.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a [`RawServer`] does with each request.
#[derive(Clone)]
pub enum Behaviour {
    /// Answers with these raw bytes (status line, headers, body), then closes.
    Respond(String),
    /// Reads the request and never answers (holds the connection for a minute).
    Hang,
    /// Reads the request, then closes the connection without a word.
    Close,
    /// Reads the request and asks the script: raw bytes to answer with, or `None` to close.
    Script(Script),
}

/// Given a request (head and body), the raw answer, or `None` to close the connection.
pub type Script = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// A JSON answer with the given status line (e.g. `200 OK`) and extra header lines.
pub fn answer(status: &str, headers: &[&str], body: &str) -> Behaviour {
    Behaviour::Respond(raw_answer(status, headers, body))
}

/// The raw bytes of a JSON answer, for scripts.
pub fn raw_answer(status: &str, headers: &[&str], body: &str) -> String {
    let extra: String = headers.iter().map(|h| format!("{h}\r\n")).collect();
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{body}",
        body.len()
    )
}

/// A scripted HTTP/1.1 server that records every request it receives (head and body).
pub struct RawServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The address it listens on.
    pub address: std::net::SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
}

impl RawServer {
    /// Starts a server that treats every connection as `behaviour` says.
    pub fn start(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let behaviour = behaviour.clone();
                let seen = Arc::clone(&seen);
                std::thread::spawn(move || serve(stream, &behaviour, &seen));
            }
        });
        Self {
            url: format!("http://{address}"),
            address,
            requests,
        }
    }

    /// Every request received so far, head and body as text.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("lock").clone()
    }
}

fn serve(mut stream: TcpStream, behaviour: &Behaviour, seen: &Mutex<Vec<String>>) {
    let Some(request) = read_request(&mut stream) else {
        return;
    };
    seen.lock().expect("lock").push(request.clone());
    match behaviour {
        Behaviour::Respond(raw) => {
            let _ = stream.write_all(raw.as_bytes());
        }
        Behaviour::Hang => std::thread::sleep(Duration::from_secs(60)),
        Behaviour::Close => {}
        Behaviour::Script(script) => {
            if let Some(raw) = script(&request) {
                let _ = stream.write_all(raw.as_bytes());
            }
        }
    }
}

/// Reads one request's head and body (by Content-Length).
pub fn read_request(stream: &mut impl Read) -> Option<String> {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(head + &String::from_utf8_lossy(&body))
}

/// A forward proxy (plain HTTP requests and CONNECT tunnels) that records each request and sends it to
/// `upstream`.
pub struct ForwardProxy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl ForwardProxy {
    /// Starts a proxy that sends everything to `upstream` (whatever host the request names).
    pub fn start(upstream: std::net::SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let seen = Arc::clone(&seen);
                std::thread::spawn(move || forward(stream, upstream, &seen));
            }
        });
        Self { url, requests }
    }

    /// The request heads the proxy received.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("lock").clone()
    }
}

fn forward(mut client: TcpStream, upstream: std::net::SocketAddr, seen: &Mutex<Vec<String>>) {
    let Some(request) = read_request(&mut client) else {
        return;
    };
    seen.lock().expect("lock").push(request.clone());
    if request.starts_with("CONNECT ") {
        tunnel(client, upstream);
        return;
    }
    // `GET http://host:port/path HTTP/1.1` becomes `GET /path HTTP/1.1`, with the proxy's own headers dropped.
    let mut lines = request.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.splitn(3, ' ');
    let (method, target, version) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let path = target
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|at| &rest[at..]))
        .unwrap_or("/");
    let mut rewritten = format!("{method} {path} {version}\r\n");
    for line in lines {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("proxy-") || lower.starts_with("connection:") {
            continue;
        }
        if line.is_empty() {
            rewritten.push_str("Connection: close\r\n\r\n");
            continue;
        }
        rewritten.push_str(line);
        rewritten.push_str("\r\n");
    }
    let Ok(mut server) = TcpStream::connect(upstream) else {
        return;
    };
    if server.write_all(rewritten.as_bytes()).is_ok() {
        let _ = std::io::copy(&mut server, &mut client);
    }
}

/// Answers a CONNECT and relays bytes both ways between the client and `upstream`.
fn tunnel(mut client: TcpStream, upstream: std::net::SocketAddr) {
    let Ok(server) = TcpStream::connect(upstream) else {
        return;
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .is_err()
    {
        return;
    }
    let (Ok(mut client_reader), Ok(mut server_writer)) = (client.try_clone(), server.try_clone())
    else {
        return;
    };
    std::thread::spawn(move || std::io::copy(&mut client_reader, &mut server_writer));
    let mut server_reader = server;
    let _ = std::io::copy(&mut server_reader, &mut client);
}

/// A TLS server with a self-signed certificate for 127.0.0.1 and localhost, made when it starts.
pub struct TlsServer {
    /// `https://127.0.0.1:PORT`.
    pub url: String,
    /// The address it listens on.
    pub address: std::net::SocketAddr,
    /// Its certificate, PEM-encoded (to trust it through SSL_CERT_FILE).
    pub certificate_pem: String,
    connections: Arc<AtomicUsize>,
}

impl TlsServer {
    /// Starts a server that answers every request with `200 []`.
    pub fn start() -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let certified = rcgen::generate_simple_self_signed(vec![
            "127.0.0.1".to_owned(),
            "localhost".to_owned(),
        ])
        .expect("certificate");
        let certificate_pem = certified.cert.pem();
        let key =
            rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
        let config = Arc::new(
            rustls::ServerConfig::builder()
                .with_no_client_auth()
                .with_single_cert(vec![certified.cert.der().clone()], key)
                .expect("server config"),
        );
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        let url = format!("https://{address}");
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&connections);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                counted.fetch_add(1, Ordering::SeqCst);
                let config = Arc::clone(&config);
                std::thread::spawn(move || {
                    let connection = rustls::ServerConnection::new(config).expect("connection");
                    let mut tls = rustls::StreamOwned::new(connection, stream);
                    if read_request(&mut tls).is_some() {
                        let body = "[]";
                        let _ = write!(
                            tls,
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        );
                        tls.conn.send_close_notify();
                        let _ = tls.flush();
                    }
                });
            }
        });
        Self {
            url,
            address,
            certificate_pem,
            connections,
        }
    }

    /// How many TCP connections it accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}
