//! `sourcemaps upload`: the files as one artifact bundle over the chunk-upload protocol — ask
//! which chunks are missing, send only those, then have the server assemble and wait for it.

use super::bundle::{self, BundleFile, BundleMeta, Entry, FileType};
use super::chunks::{self, Chunk, Chunked, RequestLimits};
use super::debug_id::DebugId;
use super::discover::{FoundFile, Selection, discover, normalize, slash_path};
use super::maps::{self, DEBUG_ID, MapSource, SOURCE_MAPPING_URL};
use super::sourcemap::{MapProblem, SourceMap};
use super::work::{Progress, for_each_parallel};
use crate::sentry::api::chunks::{
    AssembleRequest, AssembleState, ChunkUploadOptions, assemble_artifact_bundle,
    chunk_upload_path, post_chunks, upload_options,
};
use crate::sentry::{ApiError, ApiPath, SentryClient};
use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// Extensions `upload` takes by default (as sentry-cli); `--ext` replaces them.
pub const DEFAULT_EXTENSIONS: &[&str] = &["js", "cjs", "mjs", "map", "jsbundle", "bundle"];
/// How long to wait for the server to process the bundle.
const MAX_WAIT: Duration = Duration::from_secs(300);
/// The first pause between assembly polls; it doubles up to [`MAX_POLL_INTERVAL`].
const FIRST_POLL_INTERVAL: Duration = Duration::from_millis(200);
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(2);

/// What `sourcemaps upload` is asked to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadRequest {
    /// The files to upload.
    pub selection: Selection,
    /// Organization slug.
    pub org: Option<String>,
    /// Project slugs (at least one).
    pub projects: Vec<String>,
    /// The release the files belong to, if any.
    pub release: Option<String>,
    /// The distribution (needs a release).
    pub dist: Option<String>,
    /// What URLs start with (default `~`).
    pub url_prefix: Option<String>,
    /// Prefixes removed from the `sources` inside maps.
    pub strip_prefixes: Vec<String>,
    /// Also remove the directory prefix all of a map's `sources` share.
    pub strip_common_prefix: bool,
    /// Wait until the server has processed the bundle.
    pub wait: bool,
}

/// One uploaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedFile {
    /// Where it was read.
    pub path: PathBuf,
    /// The URL it was uploaded as.
    pub url: String,
    /// Minified source or source map.
    pub kind: FileType,
    /// Its debug ID, if it has one.
    pub debug_id: Option<DebugId>,
    /// Its `sourcemap` header (generated files).
    pub sourcemap: Option<String>,
    /// Its size in bytes.
    pub size: u64,
}

/// Where the server's processing stands at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Processing {
    /// Assembled and stored.
    Done,
    /// Accepted, still processing (`--no-wait`).
    Pending,
}

/// Everything upload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadReport {
    /// The files in the bundle, sorted by URL.
    pub files: Vec<UploadedFile>,
    /// Files found but left out, with why.
    pub skipped: Vec<(PathBuf, String)>,
    /// Things worth knowing that did not stop the upload.
    pub warnings: Vec<String>,
    /// The bundle's id.
    pub bundle_id: DebugId,
    /// The bundle's size in bytes.
    pub bundle_size: u64,
    /// Chunks in the bundle.
    pub chunks: usize,
    /// Chunks sent (the server had the others).
    pub chunks_sent: usize,
    /// Where processing stands.
    pub processing: Processing,
    /// The organization.
    pub org: String,
    /// The projects.
    pub projects: Vec<String>,
    /// The release, if any.
    pub release: Option<String>,
    /// The distribution, if any.
    pub dist: Option<String>,
}

/// Why upload stopped. Nothing is registered on the server before the final assemble call.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The files could not be listed.
    #[error(transparent)]
    Discover(#[from] super::discover::DiscoverError),
    /// Missing or contradictory settings.
    #[error("{0}")]
    Input(String),
    /// Nothing to upload.
    #[error(
        "nothing to upload: no {extensions} files found under {paths}. Check the path (build first?), --ext and --ignore; sentry-cli would exit 0 here and ship no source maps"
    )]
    NothingFound {
        /// The extensions looked for.
        extensions: String,
        /// The paths walked.
        paths: String,
    },
    /// A file could not be read.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// What failed.
        reason: String,
    },
    /// The bundle cannot be written.
    #[error(transparent)]
    Bundle(#[from] bundle::BundleError),
    /// The server refused or failed.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The server is too old for artifact bundles.
    #[error(
        "{0}: uploading source maps with debug IDs needs artifact bundles, which Sentry has accepted since self-hosted 23.x and on sentry.io. Upgrade the server; until then only an older sentry-cli (2.x, release files) can upload to it"
    )]
    OldServer(String),
    /// The server could not process the bundle.
    #[error("Sentry could not process the uploaded bundle: {0}")]
    Processing(String),
}

/// Runs `sourcemaps upload`.
pub async fn upload(
    client: &SentryClient,
    request: &UploadRequest,
) -> Result<UploadReport, UploadError> {
    let org = settle(request)?;
    let prefix = url_prefix(request.url_prefix.as_deref())?;
    let found = discover(&request.selection, DEFAULT_EXTENSIONS)?;
    if found.is_empty() {
        return Err(nothing_found(request));
    }
    let options = server_options(client, &org).await?;
    let strip = (request.strip_prefixes.clone(), request.strip_common_prefix);
    let prepared = tokio::task::spawn_blocking(move || prepare_all(&found, &strip))
        .await
        .expect("preparing files does not panic")?;
    let described = describe(prepared, &prefix, request)?;
    let meta = BundleMeta {
        org: org.clone(),
        project: (request.projects.len() == 1).then(|| request.projects[0].clone()),
        release: request.release.clone(),
        dist: request.dist.clone(),
    };
    let bundle = bundle::write(described.bundle_files, &meta)?;
    let bundle_size = bundle.bytes.len() as u64;
    if let Some(max) = options.max_file_size
        && bundle_size > max
    {
        return Err(UploadError::Input(format!(
            "the bundle is {bundle_size} bytes, over the server's limit of {max} bytes per file: upload the build in parts, one directory per run"
        )));
    }
    let chunk_size = usize::try_from(options.chunk_size).unwrap_or(usize::MAX);
    let chunked = chunks::split(&bundle.bytes, chunk_size);
    let assemble = AssembleRequest {
        checksum: &chunked.checksum,
        chunks: &chunked.checksums(),
        projects: &request.projects,
        version: request.release.as_deref(),
        dist: request.dist.as_deref(),
    };
    let first = assemble_artifact_bundle(client, &org, &assemble).await?;
    let (chunks_sent, processing) =
        if first.state == AssembleState::NotFound && !first.missing_chunks.is_empty() {
            let missing: BTreeSet<&str> = first.missing_chunks.iter().map(String::as_str).collect();
            let upload = ChunkUpload {
                client,
                target: chunk_upload_path(client.base_url(), &org, &options.url)?,
                bundle: Bytes::from(bundle.bytes),
                options: &options,
            };
            let sent = upload.send(&chunked, &missing).await?;
            (
                sent,
                wait_for_assembly(client, &org, &assemble, request.wait).await?,
            )
        } else {
            match follow(first.state, first.detail, first.missing_chunks.len())? {
                Processing::Pending if request.wait => {
                    (0, wait_for_assembly(client, &org, &assemble, true).await?)
                }
                processing => (0, processing),
            }
        };
    Ok(UploadReport {
        files: described.files,
        skipped: described.skipped,
        warnings: described.warnings,
        bundle_id: bundle.debug_id,
        bundle_size,
        chunks: chunked.chunks.len(),
        chunks_sent,
        processing,
        org,
        projects: request.projects.clone(),
        release: request.release.clone(),
        dist: request.dist.clone(),
    })
}

fn settle(request: &UploadRequest) -> Result<String, UploadError> {
    let Some(org) = request.org.clone() else {
        return Err(UploadError::Input(
            "sourcemaps upload needs an organization: pass --org or set SENTRY_ORG".into(),
        ));
    };
    if request.projects.is_empty() {
        return Err(UploadError::Input(
            "sourcemaps upload needs at least one project: pass --project or set SENTRY_PROJECT"
                .into(),
        ));
    }
    if request.dist.is_some() && request.release.is_none() {
        return Err(UploadError::Input(
            "--dist needs --release: a distribution belongs to a release".into(),
        ));
    }
    Ok(org)
}

/// `~` unless given; one trailing `/` dropped. It must be `~...` or an absolute URL.
fn url_prefix(given: Option<&str>) -> Result<String, UploadError> {
    let prefix = given.unwrap_or("~");
    if !prefix.starts_with('~') && !prefix.contains("://") {
        return Err(UploadError::Input(format!(
            "--url-prefix {prefix:?} must start with ~ (any host) or be an absolute URL: e.g. ~/static/js or https://cdn.example.com/js"
        )));
    }
    Ok(prefix.strip_suffix('/').unwrap_or(prefix).to_owned())
}

fn nothing_found(request: &UploadRequest) -> UploadError {
    let extensions = if request.selection.extensions.is_empty() {
        DEFAULT_EXTENSIONS.join(", ")
    } else {
        request.selection.extensions.join(", ")
    };
    UploadError::NothingFound {
        extensions,
        paths: request
            .selection
            .paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

async fn server_options(
    client: &SentryClient,
    org: &str,
) -> Result<ChunkUploadOptions, UploadError> {
    let options = match upload_options(client, org).await {
        Ok(options) => options,
        Err(ApiError::NotFound { .. }) => {
            return Err(UploadError::OldServer(
                "this Sentry server has no chunk-upload endpoint (404), or the organization does not exist".into(),
            ));
        }
        Err(error) => return Err(error.into()),
    };
    if !options.accepts_artifact_bundles() {
        return Err(UploadError::OldServer(
            "this Sentry server does not accept artifact bundles (its chunk-upload options do not list them)".into(),
        ));
    }
    if options.hash_algorithm != "sha1" {
        return Err(UploadError::OldServer(format!(
            "this Sentry server wants {} checksums, not sha1",
            options.hash_algorithm
        )));
    }
    Ok(options)
}

/// A file read, understood and compressed.
struct Prepared {
    file: FoundFile,
    kind: FileType,
    debug_id: Option<DebugId>,
    /// A generated file's `sourceMappingURL` value.
    reference: Option<String>,
    entry: Entry,
}

/// A file ready for the bundle, or left out with why.
type Readied = Result<Prepared, (PathBuf, String)>;

fn prepare_all(
    found: &[FoundFile],
    strip: &(Vec<String>, bool),
) -> Result<Vec<Readied>, UploadError> {
    for_each_parallel(found, |file| prepare(file, strip))
        .into_iter()
        .collect()
}

thread_local! {
    /// Each worker reads every file into one buffer that only grows, instead of allocating and
    /// freeing a block of up to several megabytes per file (peak RSS 77 MB to 66 MB on the 61 MB
    /// benchmark build).
    static READ_BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Reads one file. `Ok(Err(..))` is a file left out with a reason; `Err` stops the upload.
fn prepare(file: &FoundFile, strip: &(Vec<String>, bool)) -> Result<Readied, UploadError> {
    READ_BUFFER.with_borrow_mut(|buffer| {
        buffer.clear();
        std::fs::File::open(&file.path)
            .and_then(|mut f| f.read_to_end(buffer))
            .map_err(|e| UploadError::File {
                path: file.path.display().to_string(),
                reason: format!("cannot read: {e}"),
            })?;
        Ok(prepare_bytes(file, buffer, strip))
    })
}

/// Reads one file's bytes: a generated file's id and reference, or a map's id (its sources
/// rewritten when asked); `Err` is a file left out with a reason.
fn prepare_bytes(
    file: &FoundFile,
    bytes: &[u8],
    (prefixes, common): &(Vec<String>, bool),
) -> Readied {
    let left_out = |problem: MapProblem| (file.path.clone(), problem.to_string());
    if !file.is_map() {
        let debug_id = maps::find_comment(bytes, DEBUG_ID).and_then(|c| c.value.parse().ok());
        let reference = maps::find_comment(bytes, SOURCE_MAPPING_URL).map(|c| c.value.to_owned());
        return Ok(Prepared {
            entry: Entry::compress(bytes),
            file: file.clone(),
            kind: FileType::MinifiedSource,
            debug_id,
            reference,
        });
    }
    let (debug_id, entry) = if prefixes.is_empty() && !common {
        let debug_id = SourceMap::read_debug_id(bytes).map_err(left_out)?;
        (debug_id, Entry::compress(bytes))
    } else {
        let mut map = SourceMap::parse(bytes.to_vec()).map_err(left_out)?;
        map.strip_source_prefixes(prefixes, *common);
        let rewritten = map.to_bytes().map_err(left_out)?;
        (map.debug_id(), Entry::compress(&rewritten))
    };
    Ok(Prepared {
        file: file.clone(),
        kind: FileType::SourceMap,
        debug_id,
        reference: None,
        entry,
    })
}

/// The files as they go into the bundle and into the report.
struct Described {
    files: Vec<UploadedFile>,
    skipped: Vec<(PathBuf, String)>,
    warnings: Vec<String>,
    bundle_files: Vec<BundleFile>,
}

/// Pairs generated files with their maps for the `sourcemap` headers, and checks that Sentry can
/// find the bundle's files (debug IDs or a release).
fn describe(
    prepared: Vec<Readied>,
    prefix: &str,
    request: &UploadRequest,
) -> Result<Described, UploadError> {
    let mut skipped = Vec::new();
    let mut kept = Vec::new();
    for item in prepared {
        match item {
            Ok(file) => kept.push(file),
            Err(left_out) => skipped.push(left_out),
        }
    }
    if kept.is_empty() {
        return Err(nothing_found(request));
    }
    let references: BTreeMap<PathBuf, Option<String>> = kept
        .iter()
        .filter(|p| p.kind == FileType::MinifiedSource)
        .map(|p| (p.file.path.clone(), p.reference.clone()))
        .collect();
    let map_paths: BTreeSet<PathBuf> = kept
        .iter()
        .filter(|p| p.kind == FileType::SourceMap)
        .map(|p| p.file.path.clone())
        .collect();
    let pairs = maps::pair(&references, &map_paths);
    let without_id: Vec<String> = kept
        .iter()
        .filter(|p| p.kind == FileType::MinifiedSource && p.debug_id.is_none())
        .map(|p| p.file.path.display().to_string())
        .collect();
    let with_id = kept.iter().any(|p| p.debug_id.is_some());
    let mut warnings = Vec::new();
    if !with_id && request.release.is_none() {
        return Err(UploadError::Input(
            "none of these files has a debug ID and no --release was given, so Sentry could not match them to any error: run `sentry-companion sourcemaps inject` on the build first, or pass --release".into(),
        ));
    }
    if with_id && !without_id.is_empty() {
        warnings.push(format!(
            "{} generated files have no debug ID (run `sourcemaps inject` on them): {}",
            without_id.len(),
            list_some(&without_id)
        ));
    }
    let mut files = Vec::new();
    let mut uploaded = Vec::new();
    for item in kept {
        let url = format!("{prefix}/{}", item.file.relative);
        let sourcemap = match (&item.kind, pairs.get(&item.file.path)) {
            (FileType::MinifiedSource, Some(MapSource::Referenced { url, .. })) => {
                Some(url.clone())
            }
            (FileType::MinifiedSource, Some(MapSource::Guessed(map))) => {
                Some(relative_reference(&item.file.path, map))
            }
            _ => None,
        };
        let mut headers = BTreeMap::new();
        if let Some(id) = item.debug_id {
            headers.insert("debug-id".to_owned(), id.to_string());
        }
        if let Some(reference) = &sourcemap {
            headers.insert("sourcemap".to_owned(), reference.clone());
        }
        uploaded.push(UploadedFile {
            path: item.file.path,
            url: url.clone(),
            kind: item.kind,
            debug_id: item.debug_id,
            sourcemap,
            size: item.entry.size(),
        });
        files.push(BundleFile {
            url,
            kind: item.kind,
            headers,
            entry: item.entry,
        });
    }
    uploaded.sort_by(|a, b| a.url.cmp(&b.url));
    Ok(Described {
        files: uploaded,
        skipped,
        warnings,
        bundle_files: files,
    })
}

/// A guessed map as the generated file would reference it: relative to the file's directory.
fn relative_reference(js: &std::path::Path, map: &std::path::Path) -> String {
    let dir = normalize(js.parent().unwrap_or(std::path::Path::new("")));
    match map.strip_prefix(&dir) {
        Ok(relative) => slash_path(relative),
        Err(_) => slash_path(map),
    }
}

fn list_some(items: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = items
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        text.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    text
}

/// Sends chunks the server is missing.
struct ChunkUpload<'a> {
    client: &'a SentryClient,
    target: ApiPath,
    bundle: Bytes,
    options: &'a ChunkUploadOptions,
}

impl ChunkUpload<'_> {
    /// Sends each missing chunk once, in batches, up to the server's concurrency at a time.
    async fn send(
        &self,
        chunked: &Chunked,
        missing: &BTreeSet<&str>,
    ) -> Result<usize, UploadError> {
        let mut seen = BTreeSet::new();
        let wanted: Vec<&Chunk> = chunked
            .chunks
            .iter()
            .filter(|c| missing.contains(c.checksum.as_str()) && seen.insert(&c.checksum))
            .collect();
        if wanted.len() < missing.len() {
            return Err(UploadError::Processing(format!(
                "the server asked for {} chunks that are not part of this bundle",
                missing.len() - wanted.len()
            )));
        }
        let limits = RequestLimits {
            chunks: self.options.chunks_per_request,
            bytes: self.options.max_request_size,
        };
        let batches = chunks::batches(&wanted, limits);
        let progress = Progress::new("uploading chunks", wanted.len());
        let gzip = self.options.offers_gzip();
        let mut running = JoinSet::new();
        let mut sent = 0;
        for batch in batches {
            while running.len() >= self.options.concurrency.max(1) {
                sent += joined(running.join_next().await)?;
                progress.update(sent);
            }
            let parts: Vec<(String, Bytes)> = batch
                .iter()
                .map(|c| (c.checksum.clone(), self.bundle.slice(c.range.clone())))
                .collect();
            let client = self.client.clone();
            let target = self.target.clone();
            running.spawn(async move {
                let count = parts.len();
                let (content_type, body) =
                    tokio::task::spawn_blocking(move || multipart(&parts, gzip))
                        .await
                        .expect("building a request body does not panic");
                post_chunks(&client, target, content_type, body.into()).await?;
                Ok::<_, ApiError>(count)
            });
        }
        while let Some(done) = running.join_next().await {
            sent += joined(Some(done))?;
            progress.update(sent);
        }
        progress.finish();
        Ok(sent)
    }
}

fn joined(
    done: Option<Result<Result<usize, ApiError>, tokio::task::JoinError>>,
) -> Result<usize, UploadError> {
    match done {
        Some(Ok(result)) => Ok(result?),
        Some(Err(error)) => Err(UploadError::Processing(format!(
            "a chunk upload task failed: {error}"
        ))),
        None => Ok(0),
    }
}

/// A `multipart/form-data` body: one part per chunk, named by its checksum; `file_gzip` parts
/// are gzipped, `file` parts raw.
fn multipart(parts: &[(String, Bytes)], gzip: bool) -> (String, Vec<u8>) {
    let boundary = format!(
        "sentry-companion-{:016x}{:016x}",
        fastrand::u64(..),
        fastrand::u64(..)
    );
    let field = if gzip { "file_gzip" } else { "file" };
    // Room for gzip's worst case (incompressible input grows slightly), so the body never moves.
    let mut body = Vec::with_capacity(
        parts
            .iter()
            .map(|(_, b)| b.len() + b.len() / 500 + 1024)
            .sum(),
    );
    for (checksum, data) in parts {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{checksum}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        if gzip {
            // The bundle's entries are deflated already: the fastest level loses nothing.
            let mut encoder = GzEncoder::new(&mut body, Compression::fast());
            encoder.write_all(data).expect("writing to memory");
            encoder.finish().expect("writing to memory");
        } else {
            body.extend_from_slice(data);
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Polls the assembly until it is done, fails, or (without `wait`) is under way.
async fn wait_for_assembly(
    client: &SentryClient,
    org: &str,
    request: &AssembleRequest<'_>,
    wait: bool,
) -> Result<Processing, UploadError> {
    let started = Instant::now();
    let mut pause = FIRST_POLL_INTERVAL;
    loop {
        let answer = assemble_artifact_bundle(client, org, request).await?;
        let processing = follow(answer.state, answer.detail, answer.missing_chunks.len())?;
        if processing == Processing::Done || !wait {
            return Ok(processing);
        }
        if started.elapsed() > MAX_WAIT {
            return Err(UploadError::Processing(format!(
                "still processing after {} s; it may yet finish (see the project's Source Maps settings), or upload again with --no-wait",
                MAX_WAIT.as_secs()
            )));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(MAX_POLL_INTERVAL);
    }
}

/// What an assemble answer means once every chunk was offered.
fn follow(
    state: AssembleState,
    detail: Option<String>,
    missing: usize,
) -> Result<Processing, UploadError> {
    match state {
        AssembleState::Ok => Ok(Processing::Done),
        AssembleState::Created | AssembleState::Assembling => Ok(Processing::Pending),
        AssembleState::Error => Err(UploadError::Processing(
            detail.unwrap_or_else(|| "no reason given".into()),
        )),
        AssembleState::NotFound => Err(UploadError::Processing(format!(
            "the server still misses {missing} chunks after they were sent (with several Sentry web containers, check that they share file storage)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_prefixes_default_to_tilde_and_lose_one_slash() {
        assert_eq!(url_prefix(None).unwrap(), "~");
        assert_eq!(url_prefix(Some("~/static/")).unwrap(), "~/static");
        assert_eq!(
            url_prefix(Some("https://cdn.example.com/js")).unwrap(),
            "https://cdn.example.com/js"
        );
        assert!(url_prefix(Some("/static")).is_err());
    }

    #[test]
    fn multipart_parts_are_named_by_checksum_and_gzipped_when_asked() {
        let parts = vec![("abc".to_owned(), Bytes::from_static(b"hello"))];
        let (content_type, body) = multipart(&parts, false);
        let boundary = content_type.split("boundary=").nth(1).unwrap();
        let text = String::from_utf8(body).unwrap();
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.contains("name=\"file\"; filename=\"abc\"\r\n"));
        assert!(text.contains("\r\n\r\nhello\r\n"));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
        let (_, gzipped) = multipart(&parts, true);
        assert!(gzipped.windows(9).any(|w| w == b"file_gzip".as_slice()));
    }

    #[test]
    fn assembly_states_end_or_continue() {
        assert_eq!(
            follow(AssembleState::Ok, None, 0).unwrap(),
            Processing::Done
        );
        assert_eq!(
            follow(AssembleState::Assembling, None, 0).unwrap(),
            Processing::Pending
        );
        let error = follow(
            AssembleState::Error,
            Some("the bundle is invalid".into()),
            0,
        );
        assert!(
            error
                .unwrap_err()
                .to_string()
                .contains("the bundle is invalid")
        );
        assert!(follow(AssembleState::NotFound, None, 2).is_err());
    }

    #[test]
    fn a_release_or_a_dist_without_one_is_checked_first() {
        let request = UploadRequest {
            org: Some("acme".into()),
            projects: vec!["web".into()],
            dist: Some("d".into()),
            ..UploadRequest::default()
        };
        assert!(
            settle(&request)
                .unwrap_err()
                .to_string()
                .contains("--dist needs --release")
        );
        let no_project = UploadRequest {
            org: Some("acme".into()),
            ..UploadRequest::default()
        };
        assert!(
            settle(&no_project)
                .unwrap_err()
                .to_string()
                .contains("project")
        );
    }
}
