//! Debug IDs: UUIDs derived from content, so the same build always gets the same ids.

use sha1::{Digest, Sha1};
use std::fmt;
use std::str::FromStr;

/// Domain separator for file ids: a different tool's hash of the same bytes never equals ours.
const FILE_DOMAIN: &[u8] = b"sentry-companion debug id v1\0";

/// A debug ID: 16 bytes written as a lower-case hyphenated UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DebugId([u8; 16]);

/// Text that is not a UUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a debug id (a UUID such as 6d3df8d7-9834-5af6-9b02-94bd0b97f2c9)")]
pub struct InvalidDebugId(pub String);

impl DebugId {
    /// The id of a generated file and its map, from both contents. Each part is length-prefixed,
    /// so two files with byte-identical maps (esbuild's empty helper maps) never share an id.
    pub fn for_file(js: &[u8], map: Option<&[u8]>) -> Self {
        let mut hasher = Sha1::new();
        hasher.update(FILE_DOMAIN);
        hasher.update((js.len() as u64).to_le_bytes());
        hasher.update(js);
        match map {
            Some(map) => {
                hasher.update([1]);
                hasher.update((map.len() as u64).to_le_bytes());
                hasher.update(map);
            }
            None => hasher.update([0]),
        }
        Self::from_sha1(hasher.finalize().into())
    }

    /// A name-based (version 5 shaped) UUID from the first 16 bytes of a SHA-1 digest.
    pub fn from_sha1(digest: [u8; 20]) -> Self {
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        bytes[6] = (bytes[6] & 0x0f) | 0x50;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        Self(bytes)
    }
}

impl fmt::Display for DebugId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, byte) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl FromStr for DebugId {
    type Err = InvalidDebugId;

    /// Reads a hyphenated or plain 32-digit UUID, in either case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidDebugId(text.to_owned());
        let hex: Vec<u8> = text.bytes().filter(|b| *b != b'-').collect();
        let hyphens_ok = match text.len() {
            32 => !text.contains('-'),
            36 => [8, 13, 18, 23].iter().all(|&i| text.as_bytes()[i] == b'-'),
            _ => false,
        };
        if !hyphens_ok || hex.len() != 32 {
            return Err(invalid());
        }
        let mut bytes = [0u8; 16];
        for (i, pair) in hex.chunks(2).enumerate() {
            let pair = std::str::from_utf8(pair).map_err(|_| invalid())?;
            bytes[i] = u8::from_str_radix(pair, 16).map_err(|_| invalid())?;
        }
        Ok(Self(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_content_gets_the_same_id() {
        let a = DebugId::for_file(b"console.log(1)", Some(b"{}"));
        assert_eq!(a, DebugId::for_file(b"console.log(1)", Some(b"{}")));
        assert_ne!(a, DebugId::for_file(b"console.log(2)", Some(b"{}")));
        assert_ne!(a, DebugId::for_file(b"console.log(1)", Some(b"{ }")));
        assert_ne!(a, DebugId::for_file(b"console.log(1)", None));
    }

    #[test]
    fn identical_maps_of_different_files_get_different_ids() {
        let empty = br#"{"version":3,"sources":[],"names":[],"mappings":""}"#;
        assert_ne!(
            DebugId::for_file(b"export{a};", Some(empty)),
            DebugId::for_file(b"export{b};", Some(empty))
        );
    }

    #[test]
    fn moving_bytes_between_file_and_map_changes_the_id() {
        assert_ne!(
            DebugId::for_file(b"ab", Some(b"c")),
            DebugId::for_file(b"a", Some(b"bc"))
        );
    }

    #[test]
    fn ids_are_version_5_shaped_uuids_that_round_trip() {
        let id = DebugId::for_file(b"x", None);
        let text = id.to_string();
        assert_eq!(text.len(), 36);
        assert_eq!(&text[14..15], "5");
        assert!(matches!(&text[19..20], "8" | "9" | "a" | "b"), "{text}");
        assert_eq!(text.parse::<DebugId>().unwrap(), id);
        assert_eq!(text.to_uppercase().parse::<DebugId>().unwrap(), id);
        assert_eq!(text.replace('-', "").parse::<DebugId>().unwrap(), id);
    }

    #[test]
    fn refuses_what_is_not_a_uuid() {
        for bad in [
            "",
            "xyz",
            "6d3df8d7-9834-5af6-9b02-94bd0b97f2c",
            "6d3df8d7-9834-5af6-9b02-94bd0b97f2cg",
            "6d3df8d79-834-5af6-9b02-94bd0b97f2c9",
            "6d3df8d7-9834-5af6-9b0294bd0b97f2c9--",
        ] {
            assert!(bad.parse::<DebugId>().is_err(), "{bad}");
        }
    }
}
