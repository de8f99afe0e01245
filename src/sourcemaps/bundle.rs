//! The artifact bundle: a deterministic zip of the files and a `manifest.json` that says what each
//! one is (its `~/` URL, `minified_source` or `source_map`, and its `debug-id`/`sourcemap` headers).
//!
//! Same files in, same bytes out (sorted entries, fixed timestamps, fixed compression), so an
//! unchanged re-upload finds every chunk already on the server.

use super::debug_id::DebugId;
use flate2::Compression;
use flate2::write::DeflateEncoder;
use serde_json::{Map, Value, json};
use sha1::{Digest, Sha1};
use std::collections::BTreeMap;
use std::io::Write;

/// What a bundled file is to Sentry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileType {
    /// Generated JavaScript.
    MinifiedSource,
    /// A source map.
    SourceMap,
}

impl FileType {
    /// The manifest's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MinifiedSource => "minified_source",
            Self::SourceMap => "source_map",
        }
    }
}

/// A file ready for the bundle: its description and its compressed bytes.
#[derive(Debug, Clone)]
pub struct BundleFile {
    /// The URL Sentry matches (`~/static/app.js`).
    pub url: String,
    /// Minified source or source map.
    pub kind: FileType,
    /// `debug-id` and `sourcemap`, keys lower-case.
    pub headers: BTreeMap<String, String>,
    /// The file's bytes, compressed for the zip.
    pub entry: Entry,
}

/// One file's bytes as they go into the zip.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Raw DEFLATE data.
    data: Vec<u8>,
    crc32: u32,
    size: u64,
    /// SHA-1 of the uncompressed bytes, for the bundle id.
    sha1: [u8; 20],
}

impl Entry {
    /// Compresses `bytes` (the level is fixed: the bytes must not depend on the machine).
    pub fn compress(bytes: &[u8]) -> Self {
        let mut encoder =
            DeflateEncoder::new(Vec::with_capacity(bytes.len() / 3), Compression::default());
        encoder.write_all(bytes).expect("writing to memory");
        let mut crc = flate2::Crc::new();
        crc.update(bytes);
        Self {
            data: encoder.finish().expect("writing to memory"),
            crc32: crc.sum(),
            size: bytes.len() as u64,
            sha1: Sha1::digest(bytes).into(),
        }
    }

    /// The uncompressed size.
    pub fn size(&self) -> u64 {
        self.size
    }
}

/// Who the bundle is for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BundleMeta {
    /// Organization slug.
    pub org: String,
    /// The project, when there is exactly one.
    pub project: Option<String>,
    /// The release, if given.
    pub release: Option<String>,
    /// The distribution, if given.
    pub dist: Option<String>,
}

/// A finished bundle.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The zip.
    pub bytes: Vec<u8>,
    /// Its id (the manifest's `debug_id`), from the files alone.
    pub debug_id: DebugId,
}

/// Why a bundle cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// Two files would have the same URL.
    #[error(
        "two files would be uploaded as {url}: upload the directories in separate runs, or give them different --url-prefix values"
    )]
    DuplicateUrl {
        /// The URL.
        url: String,
    },
    /// Beyond the plain zip format's limits.
    #[error(
        "the bundle is too large for one upload ({what}): upload the build in parts, one directory per run"
    )]
    TooLarge {
        /// Which limit.
        what: String,
    },
}

/// The zip entry name Sentry expects for a URL: `files/_/_/path` for `~/path`,
/// `files/scheme/host/path` for an absolute URL.
pub fn entry_name(url: &str) -> String {
    if let Some(path) = url.strip_prefix("~/") {
        return format!("files/_/_/{path}");
    }
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
            let host = if host.is_empty() { "_" } else { host };
            format!("files/{scheme}/{host}/{path}")
        }
        None => format!("files/_/_/{}", url.trim_start_matches(['~', '/'])),
    }
}

/// Writes the zip: file entries sorted by name, then `manifest.json` (last, so a change of release
/// or dist only changes the final chunk).
pub fn write(files: Vec<BundleFile>, meta: &BundleMeta) -> Result<Bundle, BundleError> {
    let mut named: BTreeMap<String, BundleFile> = BTreeMap::new();
    for file in files {
        let name = entry_name(&file.url);
        if named.contains_key(&name) {
            return Err(BundleError::DuplicateUrl { url: file.url });
        }
        named.insert(name, file);
    }
    if named.len() + 1 > usize::from(u16::MAX) {
        return Err(BundleError::TooLarge {
            what: format!("{} files; at most 65,534", named.len()),
        });
    }
    let debug_id = bundle_id(&named);
    let manifest = Entry::compress(manifest(&named, meta, debug_id).as_bytes());
    let sizes = named
        .iter()
        .map(|(name, file)| (name.len(), file.entry.data.len()))
        .chain([("manifest.json".len(), manifest.data.len())]);
    let mut zip = ZipWriter::with_capacity(sizes);
    // Each entry is dropped once copied: the bundle is never held twice.
    for (name, file) in named {
        zip.add(&name, &file.entry)?;
    }
    zip.add("manifest.json", &manifest)?;
    Ok(Bundle {
        bytes: zip.finish()?,
        debug_id,
    })
}

/// A v5-shaped id over every file's URL, type, headers and content.
fn bundle_id(named: &BTreeMap<String, BundleFile>) -> DebugId {
    let mut hasher = Sha1::new();
    hasher.update(b"sentry-companion artifact bundle v1\0");
    for file in named.values() {
        hasher.update(file.url.as_bytes());
        hasher.update([0]);
        hasher.update(file.kind.as_str().as_bytes());
        hasher.update([0]);
        for (key, value) in &file.headers {
            hasher.update(key.as_bytes());
            hasher.update([b'=']);
            hasher.update(value.as_bytes());
            hasher.update([0]);
        }
        hasher.update(file.entry.sha1);
    }
    DebugId::from_sha1(hasher.finalize().into())
}

fn manifest(named: &BTreeMap<String, BundleFile>, meta: &BundleMeta, id: DebugId) -> String {
    let files: Map<String, Value> = named
        .iter()
        .map(|(name, file)| {
            let entry =
                json!({"url": file.url, "type": file.kind.as_str(), "headers": file.headers});
            (name.clone(), entry)
        })
        .collect();
    let mut manifest = json!({"files": files, "debug_id": id.to_string(), "org": meta.org});
    for (key, value) in [
        ("project", &meta.project),
        ("release", &meta.release),
        ("dist", &meta.dist),
    ] {
        if let Some(value) = value {
            manifest[key] = Value::String(value.clone());
        }
    }
    manifest.to_string()
}

/// DOS date 1980-01-01, time 00:00: the same in every bundle.
const DOS_DATE: u16 = (1 << 5) | 1;
/// Bit 11: names are UTF-8.
const UTF8_NAMES: u16 = 1 << 11;
const DEFLATE: u16 = 8;
const VERSION: u16 = 20;

/// A zip writer for the plain (not zip64) format.
struct ZipWriter {
    out: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
}

/// Fixed sizes of a local header, a central directory header and the end record.
const LOCAL_HEADER: usize = 30;
const CENTRAL_HEADER: usize = 46;
const END_RECORD: usize = 22;

impl ZipWriter {
    /// A writer with room for entries of these (name, data) lengths, so the zip is never moved.
    fn with_capacity(sizes: impl Iterator<Item = (usize, usize)>) -> Self {
        let (mut data, mut central) = (END_RECORD, 0);
        for (name, bytes) in sizes {
            data += LOCAL_HEADER + name + bytes;
            central += CENTRAL_HEADER + name;
        }
        Self {
            out: Vec::with_capacity(data + central),
            central: Vec::with_capacity(central),
            entries: 0,
        }
    }

    fn add(&mut self, name: &str, entry: &Entry) -> Result<(), BundleError> {
        let too_large = |what: &str| BundleError::TooLarge {
            what: what.to_owned(),
        };
        let offset = u32::try_from(self.out.len()).map_err(|_| too_large("over 4 GiB"))?;
        let compressed =
            u32::try_from(entry.data.len()).map_err(|_| too_large("a file over 4 GiB"))?;
        let size = u32::try_from(entry.size).map_err(|_| too_large("a file over 4 GiB"))?;
        let name_length = u16::try_from(name.len()).map_err(|_| too_large("a path too long"))?;
        let common = |out: &mut Vec<u8>| {
            for field in [VERSION, UTF8_NAMES, DEFLATE, 0, DOS_DATE] {
                out.extend_from_slice(&field.to_le_bytes());
            }
            for field in [entry.crc32, compressed, size] {
                out.extend_from_slice(&field.to_le_bytes());
            }
            out.extend_from_slice(&name_length.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
        };
        self.out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common(&mut self.out);
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(&entry.data);

        self.central
            .extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        self.central.extend_from_slice(&VERSION.to_le_bytes());
        common(&mut self.central);
        // Comment length, disk, internal and external attributes, then where the entry starts.
        for field in [0u16, 0, 0] {
            self.central.extend_from_slice(&field.to_le_bytes());
        }
        self.central.extend_from_slice(&0u32.to_le_bytes());
        self.central.extend_from_slice(&offset.to_le_bytes());
        self.central.extend_from_slice(name.as_bytes());
        self.entries += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<u8>, BundleError> {
        let too_large = || BundleError::TooLarge {
            what: "over 4 GiB".into(),
        };
        let offset = u32::try_from(self.out.len()).map_err(|_| too_large())?;
        let size = u32::try_from(self.central.len()).map_err(|_| too_large())?;
        self.out.append(&mut self.central);
        self.out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        for field in [0u16, 0, self.entries, self.entries] {
            self.out.extend_from_slice(&field.to_le_bytes());
        }
        self.out.extend_from_slice(&size.to_le_bytes());
        self.out.extend_from_slice(&offset.to_le_bytes());
        self.out.extend_from_slice(&0u16.to_le_bytes());
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(url: &str, kind: FileType, content: &str, id: Option<&str>) -> BundleFile {
        BundleFile {
            url: url.into(),
            kind,
            headers: id
                .map(|id| BTreeMap::from([("debug-id".to_owned(), id.to_owned())]))
                .unwrap_or_default(),
            entry: Entry::compress(content.as_bytes()),
        }
    }

    fn meta() -> BundleMeta {
        BundleMeta {
            org: "acme".into(),
            project: Some("web".into()),
            ..BundleMeta::default()
        }
    }

    #[test]
    fn names_entries_the_way_sentry_reads_them() {
        assert_eq!(entry_name("~/static/app.js"), "files/_/_/static/app.js");
        assert_eq!(
            entry_name("https://cdn.example.com/js/app.js"),
            "files/https/cdn.example.com/js/app.js"
        );
        assert_eq!(entry_name("app:///main.js"), "files/app/_/main.js");
    }

    #[test]
    fn the_same_files_give_the_same_bytes_in_any_order() {
        let a = || file("~/a.js", FileType::MinifiedSource, "a()", Some("x"));
        let b = || file("~/a.js.map", FileType::SourceMap, "{}", Some("x"));
        let one = write(vec![a(), b()], &meta()).unwrap();
        let two = write(vec![b(), a()], &meta()).unwrap();
        assert_eq!(one.bytes, two.bytes);
        assert_eq!(one.debug_id, two.debug_id);
        let changed = write(
            vec![
                a(),
                file("~/a.js.map", FileType::SourceMap, "{ }", Some("x")),
            ],
            &meta(),
        )
        .unwrap();
        assert_ne!(changed.debug_id, one.debug_id);
    }

    #[test]
    fn a_release_changes_only_the_manifest_at_the_end() {
        let files = || {
            vec![file(
                "~/a.js",
                FileType::MinifiedSource,
                &"x".repeat(5000),
                None,
            )]
        };
        let plain = write(files(), &meta()).unwrap();
        let released = write(
            files(),
            &BundleMeta {
                release: Some("1.0".into()),
                ..meta()
            },
        )
        .unwrap();
        let shared = plain
            .bytes
            .iter()
            .zip(&released.bytes)
            .take_while(|(a, b)| a == b)
            .count();
        let manifest_at = plain
            .bytes
            .windows(13)
            .position(|w| w == b"manifest.json")
            .unwrap();
        assert!(shared >= manifest_at - 30, "{shared} < {manifest_at}");
        assert_eq!(plain.debug_id, released.debug_id);
    }

    #[test]
    fn refuses_two_files_at_one_url() {
        let error = write(
            vec![
                file("~/a.js", FileType::MinifiedSource, "1", None),
                file("~/a.js", FileType::MinifiedSource, "2", None),
            ],
            &meta(),
        )
        .unwrap_err();
        assert!(matches!(error, BundleError::DuplicateUrl { .. }));
    }
}
