//! Which map belongs to which generated file: the `sourceMappingURL` comment (a path or an inline
//! `data:` map), else a guess by name among the maps found, with safeguards against wrong pairs.

use super::discover::normalize;
use base64::Engine;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The comment key of a map reference.
pub const SOURCE_MAPPING_URL: &str = "sourceMappingURL";
/// The comment key of a debug ID.
pub const DEBUG_ID: &str = "debugId";

/// A `//# key=value` comment among a file's last lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment<'a> {
    /// The value after `=`, trimmed.
    pub value: &'a str,
    /// The comment's whole line, its line break included.
    pub line: Range<usize>,
}

/// Finds the last `//# key=value` (or legacy `//@ key=value`) comment, looking only at the block
/// of blank lines and `//` comments that ends the file: the same words inside code do not count.
pub fn find_comment<'a>(js: &'a [u8], key: &str) -> Option<Comment<'a>> {
    let mut end = js.len();
    while end > 0 {
        let start = js[..end]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line_end = if end < js.len() { end + 1 } else { end };
        let text = js[start..end].trim_ascii();
        if let Some(rest) = text
            .strip_prefix(b"//# ")
            .or_else(|| text.strip_prefix(b"//@ "))
            && let Some(value) = rest.strip_prefix(key.as_bytes())
            && let Some(value) = value.strip_prefix(b"=")
        {
            let value = std::str::from_utf8(value.trim_ascii()).ok()?;
            return Some(Comment {
                value,
                line: start..line_end,
            });
        }
        if !text.is_empty() && !text.starts_with(b"//") {
            return None;
        }
        end = start.saturating_sub(1);
        if start == 0 {
            break;
        }
    }
    None
}

/// What a `sourceMappingURL` points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// An inline `data:` map, decoded.
    Inline(Vec<u8>),
    /// A file, resolved against the generated file's directory.
    File(PathBuf),
    /// Something not on this disk: an `http(s)://` URL, or a server path that is not a file here.
    Remote(String),
    /// A `data:` URL that does not decode.
    InvalidInline,
}

/// Resolves a `sourceMappingURL` value found in `js_path`.
pub fn resolve_reference(js_path: &Path, url: &str) -> Reference {
    if let Some(data) = url.strip_prefix("data:") {
        return decode_data_url(data).map_or(Reference::InvalidInline, Reference::Inline);
    }
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || url.starts_with("//") {
        return Reference::Remote(url.to_owned());
    }
    let local = url.strip_prefix("file://").unwrap_or(url);
    let local = local.split(['?', '#']).next().unwrap_or_default();
    let decoded = percent_encoding::percent_decode_str(local).decode_utf8_lossy();
    let path = Path::new(decoded.as_ref());
    if path.is_absolute() {
        return if path.is_file() {
            Reference::File(normalize(path))
        } else {
            Reference::Remote(url.to_owned())
        };
    }
    let dir = js_path.parent().unwrap_or(Path::new(""));
    Reference::File(normalize(&dir.join(path)))
}

/// Decodes the part of a `data:` URL after `data:`: base64 or percent-encoded JSON.
pub fn decode_data_url(data: &str) -> Option<Vec<u8>> {
    let (meta, payload) = data.split_once(',')?;
    if meta.split(';').any(|p| p.eq_ignore_ascii_case("base64")) {
        let trimmed = payload.trim_end_matches('=');
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(trimmed)
            .ok()
    } else {
        Some(percent_encoding::percent_decode_str(payload).collect())
    }
}

/// Encodes a map as the `data:` URL of an inline reference.
pub fn encode_data_url(map: &[u8]) -> String {
    format!(
        "data:application/json;charset=utf-8;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(map)
    )
}

/// How sure a name-based guess is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Strength {
    /// `foo.min.js` → `foo.min.map`, `foo.js.map`, `foo.map`.
    Loose,
    /// `foo.js` → `foo.js.map`.
    Exact,
}

/// The map files a guess for `js_path` may pick, best first.
fn guesses(js_path: &Path) -> Vec<(PathBuf, Strength)> {
    let (Some(name), Some(dir)) = (
        js_path.file_name().and_then(|n| n.to_str()),
        js_path.parent(),
    ) else {
        return Vec::new();
    };
    let mut out = vec![(dir.join(format!("{name}.map")), Strength::Exact)];
    let Some((stem, extension)) = name.rsplit_once('.') else {
        return out;
    };
    out.push((dir.join(format!("{stem}.map")), Strength::Loose));
    if let Some(base) = stem.strip_suffix(".min") {
        out.push((dir.join(format!("{base}.{extension}.map")), Strength::Loose));
        out.push((dir.join(format!("{base}.map")), Strength::Loose));
    }
    out
}

/// Where a generated file's map comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MapSource {
    /// Its own `sourceMappingURL` comment.
    Referenced {
        /// The comment's value, verbatim.
        url: String,
        /// What it resolves to.
        target: Reference,
    },
    /// A guess by name.
    Guessed(PathBuf),
    /// None: the reason says why.
    Unpaired(Unpaired),
}

/// Why a generated file has no map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unpaired {
    /// No reference and no map with a matching name.
    NoMap,
    /// The map that fits by name belongs to another file.
    TakenBy(PathBuf),
    /// Several files fit the same map equally well.
    Ambiguous(PathBuf),
}

/// Pairs every generated file with its map. `references` holds each file's `sourceMappingURL`
/// value, if any; `maps` the map files found. A guessed map must be among `maps`, not referenced
/// by any file, and the one best guess of a single file.
pub fn pair(
    references: &BTreeMap<PathBuf, Option<String>>,
    maps: &BTreeSet<PathBuf>,
) -> BTreeMap<PathBuf, MapSource> {
    let mut paired = BTreeMap::new();
    let mut referenced = BTreeMap::new();
    for (js, url) in references {
        if let Some(url) = url {
            let target = resolve_reference(js, url);
            if let Reference::File(path) = &target {
                referenced.insert(path.clone(), js.clone());
            }
            paired.insert(
                js.clone(),
                MapSource::Referenced {
                    url: url.clone(),
                    target,
                },
            );
        }
    }
    let mut claims: BTreeMap<PathBuf, Vec<(Strength, PathBuf)>> = BTreeMap::new();
    let unreferenced = references.iter().filter(|(_, url)| url.is_none());
    for (js, _) in unreferenced {
        let pick = guesses(js)
            .into_iter()
            .map(|(map, strength)| (normalize(&map), strength))
            .find(|(map, _)| maps.contains(map));
        match pick {
            Some((map, _)) if referenced.contains_key(&map) => {
                paired.insert(
                    js.clone(),
                    MapSource::Unpaired(Unpaired::TakenBy(referenced[&map].clone())),
                );
            }
            Some((map, strength)) => claims.entry(map).or_default().push((strength, js.clone())),
            None => {
                paired.insert(js.clone(), MapSource::Unpaired(Unpaired::NoMap));
            }
        }
    }
    for (map, mut claimants) in claims {
        claimants.sort_by_key(|(strength, _)| std::cmp::Reverse(*strength));
        let tied = claimants
            .iter()
            .filter(|(s, _)| *s == claimants[0].0)
            .count();
        let winner = claimants[0].1.clone();
        for (index, (_, js)) in claimants.into_iter().enumerate() {
            let source = match (tied, index) {
                (1, 0) => MapSource::Guessed(map.clone()),
                (1, _) => MapSource::Unpaired(Unpaired::TakenBy(winner.clone())),
                _ => MapSource::Unpaired(Unpaired::Ambiguous(map.clone())),
            };
            paired.insert(js, source);
        }
    }
    paired
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn refs(entries: &[(&str, Option<&str>)]) -> BTreeMap<PathBuf, Option<String>> {
        entries
            .iter()
            .map(|(js, url)| (PathBuf::from(js), url.map(str::to_owned)))
            .collect()
    }

    fn maps(paths: &[&str]) -> BTreeSet<PathBuf> {
        paths.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn finds_the_last_reference_among_the_closing_comments() {
        let js = b"code();\n//# sourceMappingURL=old.map\n//# sourceMappingURL=app.js.map\n//# debugId=x\n\n";
        let comment = find_comment(js, SOURCE_MAPPING_URL).unwrap();
        assert_eq!(comment.value, "app.js.map");
        assert_eq!(
            &js[comment.line.clone()],
            b"//# sourceMappingURL=app.js.map\n"
        );
        assert_eq!(find_comment(js, DEBUG_ID).unwrap().value, "x");
        let legacy = b"a()\n//@ sourceMappingURL=legacy.map";
        assert_eq!(
            find_comment(legacy, SOURCE_MAPPING_URL).unwrap().value,
            "legacy.map"
        );
    }

    #[test]
    fn ignores_references_inside_code() {
        let js = b"var s = \"//# sourceMappingURL=fake.map\";\n";
        assert_eq!(find_comment(js, SOURCE_MAPPING_URL), None);
        let before_code = b"//# sourceMappingURL=early.map\nrun();\n";
        assert_eq!(find_comment(before_code, SOURCE_MAPPING_URL), None);
        assert_eq!(find_comment(b"", SOURCE_MAPPING_URL), None);
    }

    #[test]
    fn resolves_references_relative_to_the_file() {
        let js = Path::new("dist/js/app.js");
        assert_eq!(
            resolve_reference(js, "../maps/app.js.map?v=1"),
            Reference::File(PathBuf::from("dist/maps/app.js.map"))
        );
        assert_eq!(
            resolve_reference(js, "app%20x.js.map"),
            Reference::File(PathBuf::from("dist/js/app x.js.map"))
        );
        assert_eq!(
            resolve_reference(js, "https://cdn.example.com/app.js.map"),
            Reference::Remote("https://cdn.example.com/app.js.map".into())
        );
        assert_eq!(
            resolve_reference(js, "/static/app.js.map"),
            Reference::Remote("/static/app.js.map".into())
        );
        assert_eq!(
            resolve_reference(js, "data:application/json;base64,e30="),
            Reference::Inline(b"{}".to_vec())
        );
        assert_eq!(
            resolve_reference(js, "data:application/json,%7B%7D"),
            Reference::Inline(b"{}".to_vec())
        );
        assert_eq!(
            resolve_reference(js, "data:application/json;base64,@@@"),
            Reference::InvalidInline
        );
    }

    #[test]
    fn a_referenced_map_is_never_guessed_for_another_file() {
        // pdf.mjs names pdf.mjs.map; pdf.min.mjs would guess it by name (sentry-cli pairs them).
        let paired = pair(
            &refs(&[("b/pdf.mjs", Some("pdf.mjs.map")), ("b/pdf.min.mjs", None)]),
            &maps(&["b/pdf.mjs.map"]),
        );
        assert_eq!(
            paired[Path::new("b/pdf.min.mjs")],
            MapSource::Unpaired(Unpaired::TakenBy("b/pdf.mjs".into()))
        );
        assert!(matches!(
            paired[Path::new("b/pdf.mjs")],
            MapSource::Referenced { .. }
        ));
    }

    #[test]
    fn an_exact_name_beats_a_loose_guess() {
        let paired = pair(
            &refs(&[("pdf.mjs", None), ("pdf.min.mjs", None)]),
            &maps(&["pdf.mjs.map"]),
        );
        assert_eq!(
            paired[Path::new("pdf.mjs")],
            MapSource::Guessed("pdf.mjs.map".into())
        );
        assert_eq!(
            paired[Path::new("pdf.min.mjs")],
            MapSource::Unpaired(Unpaired::TakenBy("pdf.mjs".into()))
        );
    }

    #[test]
    fn equal_guesses_leave_the_map_unpaired() {
        let paired = pair(
            &refs(&[("jquery.min.js", None), ("jquery.min.mjs", None)]),
            &maps(&["jquery.min.map"]),
        );
        for js in ["jquery.min.js", "jquery.min.mjs"] {
            assert_eq!(
                paired[Path::new(js)],
                MapSource::Unpaired(Unpaired::Ambiguous("jquery.min.map".into()))
            );
        }
        let single = pair(
            &refs(&[("jquery.min.js", None)]),
            &maps(&["jquery.min.map"]),
        );
        assert_eq!(
            single[Path::new("jquery.min.js")],
            MapSource::Guessed("jquery.min.map".into())
        );
        let none = pair(&refs(&[("a.js", None)]), &maps(&["b.js.map"]));
        assert_eq!(
            none[Path::new("a.js")],
            MapSource::Unpaired(Unpaired::NoMap)
        );
    }

    proptest! {
        #[test]
        fn a_closing_reference_is_found_whatever_comes_before(
            code in "[a-z(){};=\"'/ \n]{0,200}",
            url in "[A-Za-z0-9._~/-]{1,60}",
            trailing in prop::sample::select(vec!["", "\n", "\r\n", "\n//# debugId=abc\n", "\n\n  \n"]),
        ) {
            let js = format!("{code}\n//# sourceMappingURL={url}{trailing}");
            let comment = find_comment(js.as_bytes(), SOURCE_MAPPING_URL).unwrap();
            prop_assert_eq!(comment.value, url.as_str());
            let line = &js.as_bytes()[comment.line];
            prop_assert!(line.starts_with(b"//# sourceMappingURL="));
        }

        #[test]
        fn inline_maps_round_trip(map in proptest::collection::vec(any::<u8>(), 0..400)) {
            let url = encode_data_url(&map);
            prop_assert_eq!(
                resolve_reference(Path::new("a.js"), &url),
                Reference::Inline(map)
            );
        }

        #[test]
        fn guesses_never_pick_a_referenced_map(
            names in proptest::collection::btree_set("[a-c]{1,2}(\\.min)?\\.(js|mjs)", 1..6),
            map_names in proptest::collection::btree_set("[a-c]{1,2}(\\.min)?(\\.(js|mjs))?\\.map", 0..6),
            referencing in any::<proptest::sample::Index>(),
        ) {
            let names: Vec<String> = names.into_iter().collect();
            let owner = referencing.get(&names).clone();
            let mut references = BTreeMap::new();
            let mut found: BTreeSet<PathBuf> = map_names.iter().map(PathBuf::from).collect();
            found.insert(PathBuf::from(format!("{owner}.map")));
            for name in &names {
                let url = (name == &owner).then(|| format!("{name}.map"));
                references.insert(PathBuf::from(name), url);
            }
            let paired = pair(&references, &found);
            let owned = PathBuf::from(format!("{owner}.map"));
            let mut taken = BTreeSet::new();
            for (js, source) in &paired {
                if let MapSource::Guessed(map) = source {
                    prop_assert_ne!(map, &owned, "{:?} guessed a referenced map", js);
                    prop_assert!(taken.insert(map.clone()), "{:?} was given twice", map);
                }
            }
        }
    }
}
