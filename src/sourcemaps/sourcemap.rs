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

/// A source map held as JSON, keys in their original order.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceMap(Map<String, Value>);

impl SourceMap {
    /// Parses and checks the shape (version 3, with `mappings` or `sections`).
    pub fn parse(bytes: &[u8]) -> Result<Self, MapProblem> {
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| MapProblem::NotAMap(e.to_string()))?;
        let Value::Object(map) = value else {
            return Err(MapProblem::NotAMap("not a JSON object".into()));
        };
        check_shape(&map)?;
        Ok(Self(map))
    }

    /// The id the map carries (`debugId`, or the older `debug_id`), if valid.
    pub fn debug_id(&self) -> Option<DebugId> {
        ["debugId", "debug_id"]
            .iter()
            .find_map(|key| self.0.get(*key)?.as_str()?.parse().ok())
    }

    /// The `file` it says it maps, if any.
    pub fn file(&self) -> Option<&str> {
        self.0.get("file")?.as_str()
    }

    /// Follows a line break inserted at (`line`, `column`) of the generated file.
    pub fn split_line(&mut self, line: usize, column: i64) -> Result<(), MapProblem> {
        split_map(&mut self.0, line, column)
    }

    /// Sets `debugId` (and drops the older `debug_id`, so readers never see two ids).
    pub fn set_debug_id(&mut self, id: DebugId) {
        self.0.remove("debug_id");
        self.0
            .insert("debugId".into(), Value::String(id.to_string()));
    }

    /// Removes `prefixes` from the start of every `sources` entry; with `common`, also the
    /// directory prefix all entries share. Returns whether anything changed.
    pub fn strip_source_prefixes(&mut self, prefixes: &[String], common: bool) -> bool {
        let Some(Value::Array(sources)) = self.0.get_mut("sources") else {
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

    /// The map as compact JSON.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&self.0).expect("a JSON object serializes")
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
        SourceMap::parse(value.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn checks_the_shape() {
        assert!(SourceMap::parse(b"not json").is_err());
        assert!(SourceMap::parse(b"[]").is_err());
        assert!(SourceMap::parse(br#"{"version":2,"mappings":""}"#).is_err());
        let url_sections =
            json!({"version":3,"sections":[{"offset":{"line":0,"column":0},"url":"a.map"}]});
        assert_eq!(
            SourceMap::parse(url_sections.to_string().as_bytes()),
            Err(MapProblem::UrlSections)
        );
    }

    #[test]
    fn reads_either_id_key_and_writes_only_debug_id() {
        let id = DebugId::for_file(b"x", None);
        let mut old = map(json!({"version":3,"mappings":"","debug_id": id.to_string()}));
        assert_eq!(old.debug_id(), Some(id));
        old.set_debug_id(id);
        let written: Value = serde_json::from_slice(&old.to_bytes()).unwrap();
        assert_eq!(written["debugId"], id.to_string());
        assert!(written.get("debug_id").is_none());
    }

    #[test]
    fn keeps_key_order_and_unknown_fields() {
        let text = r#"{"version":3,"file":"a.js","x_google_ignoreList":[0],"sources":["a"],"mappings":"AAAA"}"#;
        let parsed = SourceMap::parse(text.as_bytes()).unwrap();
        assert_eq!(parsed.to_bytes(), text.as_bytes());
    }

    #[test]
    fn index_maps_move_later_sections_and_split_the_containing_one() {
        let mut indexed = map(json!({"version":3,"sections":[
            {"offset":{"line":0,"column":0},"map":{"version":3,"mappings":"AAAA,KAAK"}},
            {"offset":{"line":0,"column":20},"map":{"version":3,"mappings":"AAAA"}},
            {"offset":{"line":2,"column":0},"map":{"version":3,"mappings":"AAAA"}}
        ]}));
        indexed.split_line(0, 3).unwrap();
        let value: Value = serde_json::from_slice(&indexed.to_bytes()).unwrap();
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
        let value: Value = serde_json::from_slice(&m.to_bytes()).unwrap();
        assert_eq!(value["sources"][0], "src/strict.js");
        let mut common = map(json!({"version":3,"mappings":"","sources":[
            "/home/ci/app/src/a.js", "/home/ci/app/src/lib/b.js"]}));
        assert!(common.strip_source_prefixes(&[], true));
        let value: Value = serde_json::from_slice(&common.to_bytes()).unwrap();
        assert_eq!(value["sources"], json!(["a.js", "lib/b.js"]));
        assert_eq!(common_directory(&["a/b.js"]), "");
        assert_eq!(common_directory(&["ab/c.js", "ab.js"]), "");
    }
}
