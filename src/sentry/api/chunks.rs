//! Chunked uploads: the server's upload options, chunk POSTs, and artifact-bundle assembly.

use crate::api_path;
use crate::sentry::{ApiError, ApiPath, SentryClient};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use url::Url;

/// How the server takes chunked uploads (`GET /organizations/{org}/chunk-upload/`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChunkUploadOptions {
    /// Where chunks go (absolute on current servers, relative on old ones).
    pub url: String,
    /// Bytes per chunk.
    pub chunk_size: u64,
    /// Most chunks in one request.
    pub chunks_per_request: usize,
    /// Largest file the organization may assemble, where the server says.
    #[serde(default)]
    pub max_file_size: Option<u64>,
    /// Largest request body.
    pub max_request_size: u64,
    /// Requests the server takes at once.
    pub concurrency: usize,
    /// The checksum algorithm (`sha1`).
    pub hash_algorithm: String,
    /// Encodings the server decodes (`gzip`).
    #[serde(default)]
    pub compression: Vec<String>,
    /// Kinds of upload the server assembles (`artifact_bundles`, ...).
    #[serde(default)]
    pub accept: Vec<String>,
}

impl ChunkUploadOptions {
    /// Whether the server assembles artifact bundles (Sentry 23.x and later).
    pub fn accepts_artifact_bundles(&self) -> bool {
        self.accept
            .iter()
            .any(|kind| kind == "artifact_bundles" || kind == "artifact_bundles_v2")
    }

    /// Whether chunks may be sent gzipped.
    pub fn offers_gzip(&self) -> bool {
        self.compression.iter().any(|c| c == "gzip")
    }
}

/// Reads the organization's chunk-upload options.
pub async fn upload_options(
    client: &SentryClient,
    org: &str,
) -> Result<ChunkUploadOptions, ApiError> {
    client
        .get(api_path!["organizations", org, "chunk-upload"]?)
        .json()
        .await
}

/// Where chunks are sent: the advertised `url` when it lies under the configured server's API root
/// (the token goes to that origin only), else the organization's chunk-upload path there.
pub fn chunk_upload_path(base: &Url, org: &str, advertised: &str) -> Result<ApiPath, ApiError> {
    let standard = || Ok(api_path!["organizations", org, "chunk-upload"]?);
    let Ok(url) = base.join(advertised) else {
        return standard();
    };
    let api_root = format!("{}/api/0/", base.path().trim_end_matches('/'));
    let same_origin = url.origin() == base.origin();
    let Some(rest) = url.path().strip_prefix(&api_root) else {
        return standard();
    };
    if !same_origin || url.query().is_some() {
        return standard();
    }
    let segments: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    match ApiPath::new(&segments) {
        Ok(path) if !segments.is_empty() => Ok(path),
        _ => standard(),
    }
}

/// Sends one multipart request of chunks. Chunks are named by their checksum, so a repeat is harmless.
pub async fn post_chunks(
    client: &SentryClient,
    path: ApiPath,
    content_type: String,
    body: Bytes,
) -> Result<(), ApiError> {
    client
        .post_bytes(path, content_type, body)
        .idempotent()
        .send()
        .await
        .map(drop)
}

/// What to assemble: the whole file's checksum, its chunks in order, and where it belongs.
#[derive(Debug, Clone, Serialize)]
pub struct AssembleRequest<'a> {
    /// SHA-1 of the whole bundle.
    pub checksum: &'a str,
    /// SHA-1 of each chunk, in order.
    pub chunks: &'a [String],
    /// Project slugs.
    pub projects: &'a [String],
    /// The release, when the bundle belongs to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<&'a str>,
    /// The distribution, with a release.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dist: Option<&'a str>,
}

/// Where an assembly stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssembleState {
    /// The server has not seen the file (some chunks are missing).
    NotFound,
    /// Assembly was queued.
    Created,
    /// Assembly is running.
    Assembling,
    /// Done.
    Ok,
    /// Failed; `detail` says why.
    Error,
}

/// The answer to an assemble call.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssembleResponse {
    /// Where the assembly stands.
    pub state: AssembleState,
    /// Chunks the server still needs.
    #[serde(default)]
    pub missing_chunks: Vec<String>,
    /// Why it failed, on `error`.
    #[serde(default)]
    pub detail: Option<String>,
}

/// Asks the server to assemble an artifact bundle (or how far it got). Repeating it is harmless.
pub async fn assemble_artifact_bundle(
    client: &SentryClient,
    org: &str,
    request: &AssembleRequest<'_>,
) -> Result<AssembleResponse, ApiError> {
    let body = serde_json::to_value(request).expect("assemble requests are plain data");
    client
        .post(
            api_path!["organizations", org, "artifactbundle", "assemble"]?,
            body,
        )
        .idempotent()
        .json()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(url: &str) -> Url {
        Url::parse(url).unwrap()
    }

    #[test]
    fn uses_the_advertised_url_only_under_the_configured_api_root() {
        let sentry = base("https://sentry.example.com");
        let path = chunk_upload_path(
            &sentry,
            "acme",
            "https://sentry.example.com/api/0/organizations/acme/chunk-upload/",
        )
        .unwrap();
        assert_eq!(path.encoded(), "organizations/acme/chunk-upload/");
        let relative = chunk_upload_path(&sentry, "acme", "/api/0/chunks/upload/").unwrap();
        assert_eq!(relative.encoded(), "chunks/upload/");
    }

    #[test]
    fn another_origin_gets_the_standard_path_on_the_configured_server() {
        let sentry = base("https://sentry.io");
        for advertised in [
            "https://us.sentry.io/api/0/organizations/acme/chunk-upload/",
            "http://sentry.io/api/0/elsewhere/",
            "https://sentry.io.evil.example/api/0/x/",
            "https://sentry.io/not-api/x/",
            "https://sentry.io/api/0/x/?redirect=1",
            "https://sentry.io/api/0/",
        ] {
            let path = chunk_upload_path(&sentry, "acme", advertised).unwrap();
            assert_eq!(
                path.encoded(),
                "organizations/acme/chunk-upload/",
                "{advertised}"
            );
        }
    }

    #[test]
    fn a_server_below_a_path_keeps_its_prefix() {
        let sentry = base("https://example.com/sentry/");
        let path = chunk_upload_path(
            &sentry,
            "acme",
            "https://example.com/sentry/api/0/organizations/acme/chunk-upload/",
        )
        .unwrap();
        assert_eq!(path.encoded(), "organizations/acme/chunk-upload/");
        let outside =
            chunk_upload_path(&sentry, "acme", "https://example.com/api/0/other/").unwrap();
        assert_eq!(outside.encoded(), "organizations/acme/chunk-upload/");
    }

    #[test]
    fn reads_options_and_what_they_allow() {
        let options: ChunkUploadOptions = serde_json::from_str(
            r#"{"url":"https://x/api/0/organizations/a/chunk-upload/","chunkSize":8388608,
                "chunksPerRequest":64,"maxFileSize":2147483648,"maxRequestSize":33554432,
                "concurrency":8,"hashAlgorithm":"sha1","compression":["gzip"],
                "accept":["debug_files","artifact_bundles_v2"],"maxWait":60}"#,
        )
        .unwrap();
        assert!(options.accepts_artifact_bundles() && options.offers_gzip());
        let old: ChunkUploadOptions = serde_json::from_str(
            r#"{"url":"/api/0/x/","chunkSize":1,"chunksPerRequest":1,"maxRequestSize":1,
                "concurrency":1,"hashAlgorithm":"sha1","accept":["debug_files","release_files"]}"#,
        )
        .unwrap();
        assert!(!old.accepts_artifact_bundles() && !old.offers_gzip());
    }
}
