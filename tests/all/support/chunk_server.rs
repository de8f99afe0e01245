//! An in-process stand-in for Sentry's chunk-upload and artifact-bundle endpoints on 127.0.0.1,
//! behaving as Sentry does: options, multipart chunk POSTs checked against their checksums and the
//! advertised limits, assemble answering missing chunks first, then `created`, `assembling` polls,
//! and `ok` or `error` after opening the zip and reading its manifest. Faults can be injected, and
//! every other request can be passed on to a second fake (e.g. [`super::fake_sentry`]).

use super::served::Served;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Response, Uri};
use flate2::read::{DeflateDecoder, GzDecoder};
use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::Read;
use std::sync::{Arc, Mutex};

/// The organization served.
pub const ORG: &str = "acme";

/// A response forced onto the next requests whose path contains `path`.
#[derive(Debug, Clone)]
pub struct Fault {
    /// Part of the path it applies to.
    pub path: &'static str,
    /// The status answered.
    pub status: u16,
    /// How many requests it hits.
    pub times: usize,
}

/// One assembled bundle, as the server read it.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The assemble request that completed it.
    pub request: Value,
    /// `manifest.json`.
    pub manifest: Value,
    /// Every other entry, by name.
    pub files: BTreeMap<String, Vec<u8>>,
}

/// One chunk POST.
#[derive(Debug, Clone)]
pub struct ChunkPost {
    /// Part names (`file` / `file_gzip`).
    pub fields: Vec<String>,
    /// Body size.
    pub bytes: usize,
}

/// What the fake knows and records.
#[derive(Debug)]
pub struct ChunkWorld {
    /// The options document (its `url` is filled in when absent).
    pub options: Value,
    /// Projects that exist.
    pub projects: Vec<String>,
    /// Polls answered `assembling` before the final state.
    pub assembling_polls: usize,
    /// Makes every assembly end in `error` with this detail.
    pub assembly_error: Option<String>,
    /// Forced failures.
    pub faults: VecDeque<Fault>,
    /// Chunks held, by checksum.
    pub blobs: HashMap<String, Vec<u8>>,
    /// Assemblies, by checksum: remaining `assembling` polls, then the final state.
    pub assemblies: HashMap<String, (usize, Result<(), String>)>,
    /// Bundles assembled successfully.
    pub bundles: Vec<Bundle>,
    /// Chunk POSTs received.
    pub chunk_posts: Vec<ChunkPost>,
    /// Every request as `METHOD path`, in order, with whether it carried a bearer token.
    pub requests: Vec<(String, bool)>,
    /// Where other requests go, if anywhere.
    pub pass_on: Option<String>,
}

impl Default for ChunkWorld {
    fn default() -> Self {
        Self {
            options: json!({
                "chunkSize": 8 * 1024 * 1024,
                "chunksPerRequest": 64,
                "maxFileSize": 2u64 * 1024 * 1024 * 1024,
                "maxRequestSize": 32 * 1024 * 1024,
                "concurrency": 8,
                "hashAlgorithm": "sha1",
                "compression": ["gzip"],
                "accept": ["debug_files", "release_files", "artifact_bundles", "artifact_bundles_v2"],
            }),
            projects: vec!["web".into(), "api".into()],
            assembling_polls: 0,
            assembly_error: None,
            faults: VecDeque::new(),
            blobs: HashMap::new(),
            assemblies: HashMap::new(),
            bundles: Vec::new(),
            chunk_posts: Vec::new(),
            requests: Vec::new(),
            pass_on: None,
        }
    }
}

type Shared = Arc<Mutex<ChunkWorld>>;

/// A running fake; it stops when dropped.
pub type ChunkServer = Served<ChunkWorld>;

impl ChunkServer {
    /// Starts serving `world` on a free port of 127.0.0.1, on its own thread and runtime.
    pub fn start(world: ChunkWorld) -> Self {
        Served::serve(world, |shared| {
            Router::new().fallback(handle).with_state(shared)
        })
    }

    /// The paths of the requests seen, as `METHOD path`.
    pub fn requests(&self) -> Vec<String> {
        self.with(|w| w.requests.iter().map(|(r, _)| r.clone()).collect())
    }
}

fn answer(status: u16, body: Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("response")
}

async fn handle(
    State(world): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response<Body> {
    let path = uri.path().to_owned();
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "));
    let pass_on = {
        let mut world = world.lock().expect("world lock");
        world
            .requests
            .push((format!("{method} {path}"), authorized));
        if let Some(index) = world
            .faults
            .iter()
            .position(|f| path.contains(f.path) && f.times > 0)
        {
            let fault = &mut world.faults[index];
            fault.times -= 1;
            let status = fault.status;
            return Response::builder()
                .status(status)
                .header("retry-after", "0")
                .body(Body::from(json!({"detail": "injected fault"}).to_string()))
                .expect("response");
        }
        let chunk_path = format!("/api/0/organizations/{ORG}/chunk-upload/");
        let assemble_path = format!("/api/0/organizations/{ORG}/artifactbundle/assemble/");
        match (method.as_str(), path.as_str()) {
            ("GET", p) if p == chunk_path => {
                let mut options = world.options.clone();
                if options.get("url").is_none() {
                    let host = headers
                        .get("host")
                        .and_then(|h| h.to_str().ok())
                        .unwrap_or("");
                    options["url"] = json!(format!("http://{host}{chunk_path}"));
                }
                return answer(200, options);
            }
            ("POST", p) if p == chunk_path => return receive_chunks(&mut world, &headers, &body),
            ("POST", p) if p == assemble_path => {
                let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                return assemble(&mut world, request);
            }
            _ => world.pass_on.clone(),
        }
    };
    match pass_on {
        Some(base) => forward(&base, &method, &uri, &headers, body).await,
        None => answer(
            404,
            json!({"detail": "The requested resource does not exist"}),
        ),
    }
}

async fn forward(
    base: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: axum::body::Bytes,
) -> Response<Body> {
    let target = format!(
        "{base}{}",
        uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
    );
    let _ = rustls::crypto::ring::default_provider().install_default();
    let method = reqwest::Method::from_bytes(method.as_str().as_bytes()).expect("method");
    let mut request = reqwest::Client::new()
        .request(method, target)
        .body(body.to_vec());
    for name in ["authorization", "content-type"] {
        if let Some(value) = headers.get(name).and_then(|v| v.to_str().ok()) {
            request = request.header(name, value);
        }
    }
    let response = request.send().await.expect("pass the request on");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("read the answer");
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(bytes))
        .expect("response")
}

fn option(world: &ChunkWorld, name: &str) -> usize {
    world.options[name].as_u64().unwrap_or(u64::MAX) as usize
}

fn receive_chunks(world: &mut ChunkWorld, headers: &HeaderMap, body: &[u8]) -> Response<Body> {
    if body.len() > option(world, "maxRequestSize") {
        return answer(400, json!({"error": "Request too large"}));
    }
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(boundary) = content_type.split("boundary=").nth(1) else {
        return answer(400, json!({"error": "not a multipart body"}));
    };
    let parts = multipart_parts(body, boundary.trim_matches('"'));
    if parts.len() > option(world, "chunksPerRequest") {
        return answer(400, json!({"error": "Too many chunks"}));
    }
    let mut fields = Vec::new();
    for (field, checksum, data) in parts {
        let data = match field.as_str() {
            "file_gzip" => {
                let mut out = Vec::new();
                if GzDecoder::new(data.as_slice())
                    .read_to_end(&mut out)
                    .is_err()
                {
                    return answer(400, json!({"error": "not gzip"}));
                }
                out
            }
            "file" => data,
            _ => return answer(400, json!({"error": format!("unknown field {field}")})),
        };
        if data.len() > option(world, "chunkSize") {
            return answer(400, json!({"error": "Chunk size too large"}));
        }
        if hex(&Sha1::digest(&data)) != checksum {
            return answer(400, json!({"error": "Checksum mismatch"}));
        }
        world.blobs.insert(checksum, data);
        fields.push(field);
    }
    world.chunk_posts.push(ChunkPost {
        fields,
        bytes: body.len(),
    });
    Response::builder()
        .status(200)
        .body(Body::empty())
        .expect("response")
}

/// (field name, filename, data) of each part.
fn multipart_parts(body: &[u8], boundary: &str) -> Vec<(String, String, Vec<u8>)> {
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(start) = find(rest, delimiter.as_bytes()) {
        rest = &rest[start + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let Some(head_end) = find(rest, b"\r\n\r\n") else {
            break;
        };
        let head = String::from_utf8_lossy(&rest[..head_end]).into_owned();
        let data_start = head_end + 4;
        let Some(data_len) = find(&rest[data_start..], format!("\r\n{delimiter}").as_bytes())
        else {
            break;
        };
        let quoted = |key: &str| {
            head.split(&format!("{key}=\""))
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap_or_default()
                .to_owned()
        };
        parts.push((
            quoted(" name"),
            quoted("filename"),
            rest[data_start..data_start + data_len].to_vec(),
        ));
        rest = &rest[data_start + data_len + 2..];
    }
    parts
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn assemble(world: &mut ChunkWorld, request: Value) -> Response<Body> {
    let checksum = request["checksum"].as_str().unwrap_or_default().to_owned();
    if checksum.len() != 40 || !checksum.bytes().all(|b| b.is_ascii_hexdigit()) {
        return answer(
            400,
            json!({"error": "The checksum field is required and must be a 40-character hexadecimal string."}),
        );
    }
    let projects: Vec<String> = request["projects"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if projects.is_empty() {
        return answer(
            400,
            json!({"error": "You need to specify at least one project"}),
        );
    }
    if projects.iter().any(|p| !world.projects.contains(p)) {
        return answer(400, json!({"error": "One or more projects are invalid"}));
    }
    if request.get("dist").is_some() && request.get("version").is_none() {
        return answer(
            400,
            json!({"error": "You need to specify a release together with a dist"}),
        );
    }
    let chunks: Vec<String> = request["chunks"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if let Some((polls, state)) = world.assemblies.get_mut(&checksum) {
        if *polls > 0 {
            *polls -= 1;
            return answer(200, json!({"state": "assembling", "missingChunks": []}));
        }
        return match state {
            Ok(()) => answer(
                200,
                json!({"state": "ok", "missingChunks": [], "detail": null}),
            ),
            Err(detail) => answer(
                200,
                json!({"state": "error", "missingChunks": [], "detail": detail}),
            ),
        };
    }
    let missing: Vec<&String> = chunks
        .iter()
        .filter(|c| !world.blobs.contains_key(*c))
        .collect();
    if chunks.is_empty() || !missing.is_empty() {
        return answer(200, json!({"state": "not_found", "missingChunks": missing}));
    }
    let joined: Vec<u8> = chunks.iter().flat_map(|c| world.blobs[c].clone()).collect();
    let state = if let Some(detail) = &world.assembly_error {
        Err(detail.clone())
    } else if hex(&Sha1::digest(&joined)) != checksum {
        Err("Reported checksum mismatch".to_owned())
    } else {
        read_bundle(&joined, &request).map(|bundle| world.bundles.push(bundle))
    };
    world
        .assemblies
        .insert(checksum, (world.assembling_polls, state));
    answer(200, json!({"state": "created", "missingChunks": []}))
}

/// Opens the zip as Sentry's assemble task does and applies its rules.
fn read_bundle(zip: &[u8], request: &Value) -> Result<Bundle, String> {
    let mut files = read_zip(zip).ok_or("the bundle is invalid")?;
    let manifest = files
        .remove("manifest.json")
        .and_then(|m| serde_json::from_slice::<Value>(&m).ok())
        .ok_or("the bundle is invalid: no manifest")?;
    let has_debug_ids = manifest["files"]
        .as_object()
        .is_some_and(|f| f.values().any(|e| e["headers"].get("debug-id").is_some()));
    let has_release = request.get("version").is_some() || manifest.get("release").is_some();
    if !has_debug_ids && !has_release {
        return Err("uploading a bundle without debug ids or release is prohibited".into());
    }
    Ok(Bundle {
        request: request.clone(),
        manifest,
        files,
    })
}

/// Every entry of a zip by name, CRCs checked; `None` if it is not a valid zip.
pub fn read_zip(zip: &[u8]) -> Option<BTreeMap<String, Vec<u8>>> {
    let u16_at = |at: usize| Some(u16::from_le_bytes(zip.get(at..at + 2)?.try_into().ok()?));
    let u32_at = |at: usize| Some(u32::from_le_bytes(zip.get(at..at + 4)?.try_into().ok()?));
    let end = zip.len().checked_sub(22)?;
    if u32_at(end)? != 0x0605_4b50 {
        return None;
    }
    let count = u16_at(end + 10)? as usize;
    let mut at = u32_at(end + 16)? as usize;
    let mut files = BTreeMap::new();
    for _ in 0..count {
        if u32_at(at)? != 0x0201_4b50 {
            return None;
        }
        let method = u16_at(at + 10)?;
        let crc = u32_at(at + 16)?;
        let compressed = u32_at(at + 20)? as usize;
        let name_length = u16_at(at + 28)? as usize;
        let extra_length = u16_at(at + 30)? as usize;
        let comment_length = u16_at(at + 32)? as usize;
        let local = u32_at(at + 42)? as usize;
        let name = String::from_utf8(zip.get(at + 46..at + 46 + name_length)?.to_vec()).ok()?;
        let data_start = local + 30 + u16_at(local + 26)? as usize + u16_at(local + 28)? as usize;
        let data = zip.get(data_start..data_start + compressed)?;
        let content = match method {
            0 => data.to_vec(),
            8 => {
                let mut out = Vec::new();
                DeflateDecoder::new(data).read_to_end(&mut out).ok()?;
                out
            }
            _ => return None,
        };
        let mut check = flate2::Crc::new();
        check.update(&content);
        if check.sum() != crc {
            return None;
        }
        files.insert(name, content);
        at += 46 + name_length + extra_length + comment_length;
    }
    Some(files)
}
