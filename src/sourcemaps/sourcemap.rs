//! A parsed source map: its debug ID, and the edits injection makes (shift, id), nothing else touched.

use super::debug_id::DebugId;
use super::mappings::{MalformedMappings, split_line};
use serde_json::{Map, Value};

/// Why a file cannot be used as a source map.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapProblem {
    /// Not JSON, or not a version 3 map.
    #[error("not a source map ({0})")]
    NotAMap(String),
    /// Its mappings do not decode.
    #[error(transparent)]
    Malformed(#[from] MalformedMappings),
    /// An index map whose sections point at other files.
    #[error("an index map with `url` sections, which cannot be rewritten")]
    UrlSections,
}

/// A source map. Plain maps stay the text they were read as, with injection's two edits (the
/// shifted `mappings`, the `debugId`) spliced in; index maps, maps with the older `debug_id` key
/// and maps whose sources are rewritten are handled as parsed JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceMap {
    repr: Repr,
    debug_id: Option<DebugId>,
    file: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Repr {
    /// The text as read, and the new `mappings` and `debugId`, if set.
    Text {
        text: Vec<u8>,
        mappings: Option<String>,
        debug_id: Option<DebugId>,
    },
    /// Parsed JSON, keys in their original order.
    Json(Map<String, Value>),
}

/// The fields read from every map; the rest (sources, their contents) is only validated.
#[derive(serde::Deserialize)]
struct Head<'a> {
    #[serde(default)]
    version: Option<u64>,
    #[serde(default, borrow)]
    mappings: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    sections: Option<serde::de::IgnoredAny>,
    #[serde(default, rename = "debugId")]
    debug_id: Option<String>,
    #[serde(default, rename = "debug_id")]
    legacy_debug_id: Option<String>,
    #[serde(default)]
    file: Option<String>,
}

impl SourceMap {
    /// Parses and checks the shape (version 3, with `mappings` or `sections`).
    pub fn parse(bytes: Vec<u8>) -> Result<Self, MapProblem> {
        let head = Summary::read(&bytes)?;
        let repr = if head.plain {
            Repr::Text {
                text: bytes,
                mappings: None,
                debug_id: None,
            }
        } else {
            Repr::Json(parse_json(&bytes)?)
        };
        Ok(Self {
            repr,
            debug_id: head.debug_id,
            file: head.file,
        })
    }

    /// Checks a map's shape and reads its debug ID, keeping nothing (for uploading it as it is).
    pub fn read_debug_id(bytes: &[u8]) -> Result<Option<DebugId>, MapProblem> {
        Summary::read(bytes).map(|head| head.debug_id)
    }

    /// The id the map carries (`debugId`, or the older `debug_id`), if valid.
    pub fn debug_id(&self) -> Option<DebugId> {
        self.debug_id
    }

    /// The `file` it says it maps, if any.
    pub fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }

    /// Follows a line break inserted at (`line`, `column`) of the generated file.
    pub fn split_line(&mut self, line: usize, column: i64) -> Result<(), MapProblem> {
        match &mut self.repr {
            Repr::Text { text, mappings, .. } => {
                let current = match mappings.take() {
                    Some(current) => current,
                    None => string_field(text, "mappings")
                        .ok_or(MapProblem::NotAMap("unreadable mappings".into()))?,
                };
                *mappings = Some(split_line(&current, line, column)?);
                Ok(())
            }
            Repr::Json(map) => split_map(map, line, column),
        }
    }

    /// Sets `debugId` (and drops the older `debug_id`, so readers never see two ids).
    pub fn set_debug_id(&mut self, id: DebugId) {
        self.debug_id = Some(id);
        match &mut self.repr {
            Repr::Text { debug_id, .. } => *debug_id = Some(id),
            Repr::Json(map) => {
                map.remove("debug_id");
                map.insert("debugId".into(), Value::String(id.to_string()));
            }
        }
    }

    /// Removes `prefixes` from the start of every `sources` entry; with `common`, also the
    /// directory prefix all entries share. Returns whether anything changed.
    pub fn strip_source_prefixes(&mut self, prefixes: &[String], common: bool) -> bool {
        if let Repr::Text { .. } = self.repr {
            let Ok(bytes) = self.to_bytes().map(std::borrow::Cow::into_owned) else {
                return false;
            };
            match parse_json(&bytes) {
                Ok(map) => self.repr = Repr::Json(map),
                Err(_) => return false,
            }
        }
        let Repr::Json(map) = &mut self.repr else {
            return false;
        };
        let Some(Value::Array(sources)) = map.get_mut("sources") else {
            return false;
        };
        let mut changed = false;
        for source in sources.iter_mut() {
            if let Value::String(text) = source
                && let Some(rest) = prefixes.iter().find_map(|p| text.strip_prefix(p.as_str()))
            {
                *text = rest.to_owned();
                changed = true;
            }
        }
        if common {
            let names: Vec<&str> = sources.iter().filter_map(Value::as_str).collect();
            let shared = common_directory(&names).len();
            if shared > 0 {
                for source in sources.iter_mut() {
                    if let Value::String(text) = source {
                        *text = text[shared..].to_owned();
                    }
                }
                changed = true;
            }
        }
        changed
    }

    /// The map as it is to be written: the text as read with the edits spliced in, or compact JSON.
    pub fn to_bytes(&self) -> Result<std::borrow::Cow<'_, [u8]>, MapProblem> {
        match &self.repr {
            Repr::Text {
                text,
                mappings: None,
                debug_id: None,
            } => Ok(std::borrow::Cow::Borrowed(text)),
            Repr::Text {
                text,
                mappings,
                debug_id,
            } => splice(text, mappings.as_deref(), *debug_id).map(std::borrow::Cow::Owned),
            Repr::Json(map) => Ok(std::borrow::Cow::Owned(
                serde_json::to_vec(map).expect("a JSON object serializes"),
            )),
        }
    }
}

/// What [`Head`] says, owned.
struct Summary {
    debug_id: Option<DebugId>,
    file: Option<String>,
    /// `mappings` and no sections or older id key: the text can be edited in place.
    plain: bool,
}

impl Summary {
    fn read(bytes: &[u8]) -> Result<Self, MapProblem> {
        let head: Head =
            serde_json::from_slice(bytes).map_err(|e| MapProblem::NotAMap(e.to_string()))?;
        if head.version != Some(3) {
            return Err(MapProblem::NotAMap("no \"version\": 3".into()));
        }
        if head.mappings.is_none() && head.sections.is_none() {
            return Err(MapProblem::NotAMap("neither mappings nor sections".into()));
        }
        Ok(Self {
            debug_id: [&head.debug_id, &head.legacy_debug_id]
                .into_iter()
                .find_map(|id| id.as_deref()?.parse().ok()),
            plain: head.mappings.is_some()
                && head.sections.is_none()
                && head.legacy_debug_id.is_none(),
            file: head.file,
        })
    }
}

fn parse_json(bytes: &[u8]) -> Result<Map<String, Value>, MapProblem> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| MapProblem::NotAMap(e.to_string()))?;
    let Value::Object(map) = value else {
        return Err(MapProblem::NotAMap("not a JSON object".into()));
    };
    check_shape(&map)?;
    Ok(map)
}

/// Writes `text` with the `mappings` value and the `debugId` value replaced (or `debugId` added
/// before the closing brace), everything else byte for byte.
fn splice(
    text: &[u8],
    mappings: Option<&str>,
    debug_id: Option<DebugId>,
) -> Result<Vec<u8>, MapProblem> {
    let unreadable = || MapProblem::NotAMap("unreadable top-level fields".into());
    let fields = top_level_fields(text).ok_or_else(unreadable)?;
    let span = |key: &[u8]| {
        fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, s)| s.clone())
    };
    let mut edits: Vec<(std::ops::Range<usize>, Vec<u8>)> = Vec::new();
    if let Some(mappings) = mappings {
        let at = span(b"mappings").ok_or_else(unreadable)?;
        edits.push((
            at,
            serde_json::to_vec(mappings).expect("a string serializes"),
        ));
    }
    if let Some(id) = debug_id {
        let value = format!("\"{id}\"").into_bytes();
        match span(b"debugId") {
            Some(at) => edits.push((at, value)),
            None => {
                let close = text
                    .iter()
                    .rposition(|&b| b == b'}')
                    .ok_or_else(unreadable)?;
                let separator = if fields.is_empty() { "" } else { "," };
                let field = format!("{separator}\"debugId\":\"{id}\"").into_bytes();
                edits.push((close..close, field));
            }
        }
    }
    edits.sort_by_key(|(at, _)| at.start);
    let mut out = Vec::with_capacity(text.len() + 64);
    let mut copied = 0;
    for (at, replacement) in edits {
        out.extend_from_slice(&text[copied..at.start]);
        out.extend_from_slice(&replacement);
        copied = at.end;
    }
    out.extend_from_slice(&text[copied..]);
    Ok(out)
}

/// The value of a top-level string field without escapes (mappings never have any).
fn string_field(text: &[u8], key: &str) -> Option<String> {
    let fields = top_level_fields(text)?;
    let (_, at) = fields.iter().find(|(k, _)| k == key.as_bytes())?;
    let raw = text.get(at.start + 1..at.end.checked_sub(1)?)?;
    if raw.contains(&b'\\') {
        return serde_json::from_slice(&text[at.clone()]).ok();
    }
    String::from_utf8(raw.to_vec()).ok()
}

/// The raw key and value span of each top-level field of a JSON object (already validated).
fn top_level_fields(text: &[u8]) -> Option<Vec<(Vec<u8>, std::ops::Range<usize>)>> {
    let mut at = skip_blank(text, 0);
    if text.get(at) != Some(&b'{') {
        return None;
    }
    at += 1;
    let mut fields = Vec::new();
    loop {
        at = skip_blank(text, at);
        match text.get(at)? {
            b'}' => return Some(fields),
            b',' => {
                at += 1;
                continue;
            }
            b'"' => {}
            _ => return None,
        }
        let key_end = skip_string(text, at)?;
        let key = text[at + 1..key_end - 1].to_vec();
        at = skip_blank(text, key_end);
        if text.get(at) != Some(&b':') {
            return None;
        }
        let start = skip_blank(text, at + 1);
        let end = skip_value(text, start)?;
        fields.push((key, start..end));
        at = end;
    }
}

fn skip_blank(text: &[u8], from: usize) -> usize {
    from + text[from.min(text.len())..]
        .iter()
        .take_while(|b| b.is_ascii_whitespace())
        .count()
}

/// The end (exclusive) of the string starting at `at` (its opening quote).
fn skip_string(text: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    loop {
        match text.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// The end (exclusive) of the value starting at `at`.
fn skip_value(text: &[u8], at: usize) -> Option<usize> {
    match text.get(at)? {
        b'"' => skip_string(text, at),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = at;
            loop {
                match text.get(i)? {
                    b'"' => {
                        i = skip_string(text, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => Some(
            at + text[at..]
                .iter()
                .take_while(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
                .count(),
        ),
    }
}

fn check_shape(map: &Map<String, Value>) -> Result<(), MapProblem> {
    if map.get("version").and_then(Value::as_u64) != Some(3) {
        return Err(MapProblem::NotAMap("no \"version\": 3".into()));
    }
    match (map.get("mappings"), map.get("sections")) {
        (Some(Value::String(_)), _) => Ok(()),
        (_, Some(Value::Array(sections))) => sections.iter().try_for_each(|section| match section
            .get("map")
        {
            Some(Value::Object(inner)) => check_shape(inner),
            _ if section.get("url").is_some() => Err(MapProblem::UrlSections),
            _ => Err(MapProblem::NotAMap("a section without a map".into())),
        }),
        _ => Err(MapProblem::NotAMap("neither mappings nor sections".into())),
    }
}

/// Splits a plain map's mappings, or moves an index map's later sections and splits the one the
/// line break falls in (its own positions are relative to its offset).
fn split_map(map: &mut Map<String, Value>, line: usize, column: i64) -> Result<(), MapProblem> {
    if let Some(Value::String(mappings)) = map.get("mappings") {
        let split = split_line(mappings, line, column)?;
        map.insert("mappings".into(), Value::String(split));
        return Ok(());
    }
    let Some(Value::Array(sections)) = map.get_mut("sections") else {
        return Err(MapProblem::NotAMap("neither mappings nor sections".into()));
    };
    let offsets: Vec<(usize, i64)> = sections.iter().map(section_offset).collect();
    let containing = offsets.iter().rposition(|&o| o < (line, column));
    for (index, section) in sections.iter_mut().enumerate() {
        let (at_line, at_column) = offsets[index];
        if (at_line, at_column) >= (line, column) {
            let moved = if at_line == line {
                (line + 1, at_column - column)
            } else {
                (at_line + 1, at_column)
            };
            section["offset"] = serde_json::json!({"line": moved.0, "column": moved.1});
        } else if Some(index) == containing {
            let inner_column = if at_line == line {
                column - at_column
            } else {
                column
            };
            let Some(Value::Object(inner)) = section.get_mut("map") else {
                return Err(MapProblem::UrlSections);
            };
            split_map(inner, line - at_line, inner_column)?;
        }
    }
    Ok(())
}

fn section_offset(section: &Value) -> (usize, i64) {
    let field = |name: &str| section["offset"][name].as_i64().unwrap_or(0);
    (field("line").max(0) as usize, field("column"))
}

/// The longest `/`-ended prefix every name shares (empty with fewer than two names).
fn common_directory<'a>(names: &[&'a str]) -> &'a str {
    let [first, rest @ ..] = names else {
        return "";
    };
    if rest.is_empty() {
        return "";
    }
    let mut shared = first.len();
    for name in rest {
        shared = first
            .bytes()
            .zip(name.bytes())
            .take(shared)
            .take_while(|(a, b)| a == b)
            .count();
    }
    first[..shared].rfind('/').map_or("", |end| &first[..=end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> SourceMap {
        SourceMap::parse(value.to_string().into_bytes()).unwrap()
    }

    fn json_of(map: &SourceMap) -> Value {
        serde_json::from_slice(&map.to_bytes().unwrap()).unwrap()
    }

    #[test]
    fn checks_the_shape() {
        assert!(SourceMap::parse(b"not json".to_vec()).is_err());
        assert!(SourceMap::parse(b"[]".to_vec()).is_err());
        assert!(SourceMap::parse(br#"{"version":2,"mappings":""}"#.to_vec()).is_err());
        assert!(SourceMap::parse(br#"{"version":3,"mappings":5}"#.to_vec()).is_err());
        let url_sections =
            json!({"version":3,"sections":[{"offset":{"line":0,"column":0},"url":"a.map"}]});
        assert_eq!(
            SourceMap::parse(url_sections.to_string().into_bytes()),
            Err(MapProblem::UrlSections)
        );
    }

    #[test]
    fn reads_either_id_key_and_writes_only_debug_id() {
        let id = DebugId::for_file(b"x", None);
        let mut old = map(json!({"version":3,"mappings":"","debug_id": id.to_string()}));
        assert_eq!(old.debug_id(), Some(id));
        old.set_debug_id(id);
        let written = json_of(&old);
        assert_eq!(written["debugId"], id.to_string());
        assert!(written.get("debug_id").is_none());
    }

    #[test]
    fn keeps_key_order_and_unknown_fields() {
        let text = r#"{"version":3,"file":"a.js","x_google_ignoreList":[0],"sources":["a"],"mappings":"AAAA"}"#;
        let parsed = SourceMap::parse(text.as_bytes().to_vec()).unwrap();
        assert_eq!(parsed.to_bytes().unwrap().as_ref(), text.as_bytes());
    }

    #[test]
    fn plain_maps_are_edited_in_place_byte_for_byte() {
        let text = "{ \"version\": 3,\n  \"sourcesContent\": [\"a \\\" {[ b\"],\n  \"mappings\": \"AAAA;AACA\",\n  \"names\": [] }\n";
        let mut parsed = SourceMap::parse(text.as_bytes().to_vec()).unwrap();
        let id = DebugId::for_file(b"x", None);
        parsed.split_line(1, 0).unwrap();
        parsed.set_debug_id(id);
        let written = String::from_utf8(parsed.to_bytes().unwrap().into_owned()).unwrap();
        assert_eq!(
            written,
            format!(
                "{{ \"version\": 3,\n  \"sourcesContent\": [\"a \\\" {{[ b\"],\n  \"mappings\": \"AAAA;;AACA\",\n  \"names\": [] ,\"debugId\":\"{id}\"}}\n"
            )
        );
        let mut again = SourceMap::parse(written.into_bytes()).unwrap();
        assert_eq!(again.debug_id(), Some(id));
        let other = DebugId::for_file(b"y", None);
        again.set_debug_id(other);
        assert_eq!(json_of(&again)["debugId"], other.to_string());
    }

    #[test]
    fn index_maps_move_later_sections_and_split_the_containing_one() {
        let mut indexed = map(json!({"version":3,"sections":[
            {"offset":{"line":0,"column":0},"map":{"version":3,"mappings":"AAAA,KAAK"}},
            {"offset":{"line":0,"column":20},"map":{"version":3,"mappings":"AAAA"}},
            {"offset":{"line":2,"column":0},"map":{"version":3,"mappings":"AAAA"}}
        ]}));
        indexed.split_line(0, 3).unwrap();
        let value = json_of(&indexed);
        assert_eq!(value["sections"][0]["map"]["mappings"], "AAAA;EAAK");
        assert_eq!(
            value["sections"][1]["offset"],
            json!({"line":1,"column":17})
        );
        assert_eq!(value["sections"][2]["offset"], json!({"line":3,"column":0}));
    }

    #[test]
    fn strips_given_and_common_prefixes_from_sources() {
        let mut m = map(json!({"version":3,"mappings":"","sources":[
            "../../tools/src/strict.js", "webpack:///src/a.js", "webpack:///src/b.js"]}));
        assert!(m.strip_source_prefixes(&["../../tools/".into()], false));
        let value = json_of(&m);
        assert_eq!(value["sources"][0], "src/strict.js");
        let mut common = map(json!({"version":3,"mappings":"","sources":[
            "/home/ci/app/src/a.js", "/home/ci/app/src/lib/b.js"]}));
        assert!(common.strip_source_prefixes(&[], true));
        let value = json_of(&common);
        assert_eq!(value["sources"], json!(["a.js", "lib/b.js"]));
        assert_eq!(common_directory(&["a/b.js"]), "");
        assert_eq!(common_directory(&["ab/c.js", "ab.js"]), "");
    }
}
