//! Splitting a file into checksummed chunks, and grouping the chunks to send into requests
//! within the server's limits.

use sha1::{Digest, Sha1};
use std::ops::Range;

/// One chunk of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Where it is in the file.
    pub range: Range<usize>,
    /// SHA-1 of its bytes, lower-case hex (the chunk's name on the server).
    pub checksum: String,
}

/// A file cut into chunks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunked {
    /// SHA-1 of the whole file, lower-case hex.
    pub checksum: String,
    /// The chunks, in order.
    pub chunks: Vec<Chunk>,
}

impl Chunked {
    /// The chunk checksums, in order.
    pub fn checksums(&self) -> Vec<String> {
        self.chunks.iter().map(|c| c.checksum.clone()).collect()
    }
}

/// Cuts `bytes` into `chunk_size` pieces, hashing each piece and the whole in one pass.
pub fn split(bytes: &[u8], chunk_size: usize) -> Chunked {
    let chunk_size = chunk_size.max(1);
    let mut whole = Sha1::new();
    let chunks = bytes
        .chunks(chunk_size)
        .enumerate()
        .map(|(index, piece)| {
            whole.update(piece);
            let start = index * chunk_size;
            Chunk {
                range: start..start + piece.len(),
                checksum: hex(&Sha1::digest(piece)),
            }
        })
        .collect();
    Chunked {
        checksum: hex(&whole.finalize()),
        chunks,
    }
}

/// What one request may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLimits {
    /// Most chunks.
    pub chunks: usize,
    /// Most bytes of body.
    pub bytes: u64,
}

/// Multipart headers and boundaries around one chunk, at most.
const PART_OVERHEAD: u64 = 512;

/// Groups chunks into requests: at most `limits.chunks` each and at most `limits.bytes` of body,
/// counting gzip's worst-case growth; a chunk larger than the byte limit goes alone.
pub fn batches<'a>(chunks: &[&'a Chunk], limits: RequestLimits) -> Vec<Vec<&'a Chunk>> {
    let mut out: Vec<Vec<&Chunk>> = Vec::new();
    let mut current: Vec<&Chunk> = Vec::new();
    let mut current_bytes = 0u64;
    for chunk in chunks {
        let len = chunk.range.len() as u64;
        let cost = len + len / 1000 + PART_OVERHEAD;
        let full = current.len() >= limits.chunks.max(1) || current_bytes + cost > limits.bytes;
        if full && !current.is_empty() {
            out.push(std::mem::take(&mut current));
            current_bytes = 0;
        }
        current.push(chunk);
        current_bytes += cost;
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_file_and_hash_like_sha1() {
        let data: Vec<u8> = (0..25u8).collect();
        let chunked = split(&data, 10);
        let ranges: Vec<_> = chunked.chunks.iter().map(|c| c.range.clone()).collect();
        assert_eq!(ranges, [0..10, 10..20, 20..25]);
        assert_eq!(chunked.chunks[2].checksum, hex(&Sha1::digest(&data[20..])));
        assert_eq!(chunked.checksum, hex(&Sha1::digest(&data)));
        assert_eq!(
            split(b"abc", 10).checksum,
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert!(split(b"", 10).chunks.is_empty());
    }

    #[test]
    fn batches_respect_count_and_size() {
        let chunked = split(&[0u8; 100], 10);
        let all: Vec<&Chunk> = chunked.chunks.iter().collect();
        let by_count = batches(
            &all,
            RequestLimits {
                chunks: 4,
                bytes: u64::MAX,
            },
        );
        assert_eq!(by_count.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4, 2]);
        let by_size = batches(
            &all,
            RequestLimits {
                chunks: 64,
                bytes: 3 * (10 + PART_OVERHEAD),
            },
        );
        assert_eq!(
            by_size.iter().map(Vec::len).collect::<Vec<_>>(),
            [3, 3, 3, 1]
        );
        let alone = batches(
            &all[..2],
            RequestLimits {
                chunks: 64,
                bytes: 1,
            },
        );
        assert_eq!(alone.len(), 2);
    }

    #[test]
    fn a_chunks_cost_counts_gzips_worst_growth_and_the_part_headers() {
        let chunked = split(&[7u8; 6000], 2000);
        assert_eq!(
            chunked.checksums(),
            chunked
                .chunks
                .iter()
                .map(|c| c.checksum.clone())
                .collect::<Vec<_>>()
        );
        assert_eq!(chunked.checksums().len(), 3);
        let all: Vec<&Chunk> = chunked.chunks.iter().collect();
        // Each 2000-byte chunk costs 2000 + 2 (gzip's 0.1%) + the part overhead.
        let cost = 2000 + 2 + PART_OVERHEAD;
        let sizes = |bytes: u64| -> Vec<usize> {
            let limits = RequestLimits { chunks: 64, bytes };
            batches(&all, limits).iter().map(Vec::len).collect()
        };
        assert_eq!(sizes(2 * cost), [2, 1]);
        assert_eq!(sizes(2 * cost - 1), [1, 1, 1]);
    }
}
