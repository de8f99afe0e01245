//! `sourcemaps inject`: gives every generated file a debug ID (snippet, comment, and the id in its
//! map, with the map's mappings shifted to match), each rewrite atomic.

use super::debug_id::DebugId;
use super::discover::{FoundFile, Selection, discover};
use super::maps::{self, DEBUG_ID, MapSource, Reference, SOURCE_MAPPING_URL, Unpaired};
use super::snippet::{find_snippet, insertion_offset, position, snippet};
use super::sourcemap::SourceMap;
use super::work::{for_each_parallel, write_atomically};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Extensions `inject` works on by default.
pub const DEFAULT_EXTENSIONS: &[&str] = &["js", "cjs", "mjs"];

/// What `sourcemaps inject` is asked to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InjectRequest {
    /// The files to work on (maps are always collected, to be found).
    pub selection: Selection,
    /// Report what would change and write nothing.
    pub dry_run: bool,
}

/// What happened to one generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileOutcome {
    /// The generated file.
    pub path: PathBuf,
    /// Its debug ID (new, or the one it had).
    pub debug_id: DebugId,
    /// What was done.
    pub action: Action,
    /// Its map: a path, `inline`, or none.
    pub map: Option<String>,
    /// Why it has no usable map, or what else is worth knowing.
    pub note: Option<String>,
}

/// What inject did with a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Snippet first (after hashbang and directives), map shifted and given the id.
    Injected,
    /// No usable map: snippet at the end, where no mapping moves.
    InjectedAtEnd,
    /// It had an id already: left alone.
    AlreadyInjected,
    /// It had an id, but a run stopped before its map got it: the map was completed.
    MapCompleted,
}

impl Action {
    /// A short name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Injected => "injected",
            Self::InjectedAtEnd => "injected_at_end",
            Self::AlreadyInjected => "already_injected",
            Self::MapCompleted => "map_completed",
        }
    }
}

/// Everything inject did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectReport {
    /// One entry per generated file, in discovery order.
    pub files: Vec<FileOutcome>,
    /// Nothing was written.
    pub dry_run: bool,
}

/// Why inject stopped.
#[derive(Debug, thiserror::Error)]
pub enum InjectError {
    /// The files could not be listed.
    #[error(transparent)]
    Discover(#[from] super::discover::DiscoverError),
    /// No generated file was found.
    #[error(
        "no JavaScript files ({extensions}) found under {paths}: check the path, or pass --ext for other extensions"
    )]
    NothingFound {
        /// The extensions looked for.
        extensions: String,
        /// The paths walked.
        paths: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// What failed.
        reason: String,
    },
}

/// Runs `sourcemaps inject`.
pub fn inject(request: &InjectRequest) -> Result<InjectReport, InjectError> {
    let mut extensions: Vec<String> = if request.selection.extensions.is_empty() {
        DEFAULT_EXTENSIONS.iter().map(|e| (*e).to_owned()).collect()
    } else {
        request.selection.extensions.clone()
    };
    extensions.push("map".into());
    let selection = Selection {
        extensions,
        ..request.selection.clone()
    };
    let found = discover(&selection, &[])?;
    let (maps, scripts): (Vec<FoundFile>, Vec<FoundFile>) =
        found.into_iter().partition(|f| f.is_map());
    if scripts.is_empty() {
        return Err(InjectError::NothingFound {
            extensions: selection.extensions[..selection.extensions.len() - 1].join(", "),
            paths: describe_paths(&request.selection.paths),
        });
    }
    let references = for_each_parallel(&scripts, |file| {
        let js = read(&file.path)?;
        Ok::<_, InjectError>(
            maps::find_comment(&js, SOURCE_MAPPING_URL).map(|c| c.value.to_owned()),
        )
    })
    .into_iter()
    .zip(&scripts)
    .map(|(reference, file)| reference.map(|r| (file.path.clone(), r)))
    .collect::<Result<BTreeMap<_, _>, _>>()?;
    let map_paths: BTreeSet<PathBuf> = maps.into_iter().map(|f| f.path).collect();
    let pairs = maps::pair(&references, &map_paths);
    let shared = shared_maps(&pairs);
    let files = for_each_parallel(&scripts, |file| {
        let source = effective_source(&pairs[&file.path], &shared);
        inject_file(&file.path, source, request.dry_run)
    })
    .into_iter()
    .collect::<Result<Vec<_>, _>>()?;
    Ok(InjectReport {
        files,
        dry_run: request.dry_run,
    })
}

/// Map files that several generated files reference: none of them may shift it.
fn shared_maps(pairs: &BTreeMap<PathBuf, MapSource>) -> BTreeSet<PathBuf> {
    let mut seen = BTreeSet::new();
    let mut shared = BTreeSet::new();
    for source in pairs.values() {
        if let MapSource::Referenced {
            target: Reference::File(path),
            ..
        } = source
            && !seen.insert(path.clone())
        {
            shared.insert(path.clone());
        }
    }
    shared
}

/// Where a file's map is, as far as injection goes.
enum Found {
    /// A map file.
    File { path: PathBuf, guessed: bool },
    /// Inline in the file's own comment.
    Inline(Vec<u8>),
    /// None usable, and why.
    None(String),
}

fn effective_source(source: &MapSource, shared: &BTreeSet<PathBuf>) -> Found {
    match source {
        MapSource::Referenced { target, url } => match target {
            Reference::File(path) if shared.contains(path) => Found::None(format!(
                "its map {} is referenced by several files, so it cannot be shifted for one",
                path.display()
            )),
            Reference::File(path) if !path.is_file() => Found::None(format!(
                "its map {} (sourceMappingURL={url}) does not exist",
                path.display()
            )),
            Reference::File(path) => Found::File {
                path: path.clone(),
                guessed: false,
            },
            Reference::Inline(bytes) => Found::Inline(bytes.clone()),
            Reference::Remote(url) => Found::None(format!("its map is not a local file ({url})")),
            Reference::InvalidInline => {
                Found::None("its inline map is not valid base64 JSON".into())
            }
        },
        MapSource::Guessed(path) => Found::File {
            path: path.clone(),
            guessed: true,
        },
        MapSource::Unpaired(Unpaired::NoMap) => {
            Found::None("no sourceMappingURL and no map with a matching name".into())
        }
        MapSource::Unpaired(Unpaired::TakenBy(owner)) => Found::None(format!(
            "the map that matches its name belongs to {}",
            owner.display()
        )),
        MapSource::Unpaired(Unpaired::Ambiguous(map)) => Found::None(format!(
            "{} matches several files by name; add a sourceMappingURL to say which",
            map.display()
        )),
    }
}

/// A map read and parsed, with where it lives.
struct LoadedMap {
    map: SourceMap,
    /// The id its content gives, with the generated file's.
    content_id: DebugId,
    location: Option<PathBuf>,
}

fn inject_file(path: &Path, source: Found, dry_run: bool) -> Result<FileOutcome, InjectError> {
    let js = read(path)?;
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let (loaded, note) = load_map(source, &js, file_name.as_deref())?;
    let map_label = loaded.as_ref().map(|l| match &l.location {
        Some(path) => path.display().to_string(),
        None => "inline".to_owned(),
    });
    if let Some(existing) = maps::find_comment(&js, DEBUG_ID).and_then(|c| c.value.parse().ok()) {
        return complete_map(path, &js, existing, loaded, map_label, dry_run);
    }
    let id = match &loaded {
        Some(loaded) => loaded.map.debug_id().unwrap_or(loaded.content_id),
        None => DebugId::for_file(&js, None),
    };
    let outcome = |action, note| FileOutcome {
        path: path.to_owned(),
        debug_id: id,
        action,
        map: map_label.clone(),
        note,
    };
    let Some(LoadedMap {
        mut map, location, ..
    }) = loaded
    else {
        if !dry_run {
            write_atomically(path, &append_snippet(&js, id))?;
        }
        return Ok(outcome(Action::InjectedAtEnd, note));
    };
    let offset = insertion_offset(&js);
    let (line, column) = position(&js, offset);
    if let Err(problem) = map.split_line(line, column) {
        if !dry_run {
            write_atomically(path, &append_snippet(&js, id))?;
        }
        return Ok(outcome(
            Action::InjectedAtEnd,
            Some(format!("its map was left alone: {problem}")),
        ));
    }
    map.set_debug_id(id);
    if !dry_run {
        // The file first: a run stopped before the map is written is completed by the next one.
        let bytes = map.to_bytes().map_err(|problem| InjectError::File {
            path: map_label.clone().unwrap_or_default(),
            reason: problem.to_string(),
        })?;
        let inline = location.is_none().then_some(bytes.as_ref());
        write_atomically(path, &prepend_snippet(&js, offset, id, inline))?;
        if let Some(location) = &location {
            write_atomically(location, &bytes)?;
        }
    }
    Ok(outcome(Action::Injected, note))
}

/// A file that has an id: left alone, unless its map still lacks the id after a stopped run.
fn complete_map(
    path: &Path,
    js: &[u8],
    id: DebugId,
    loaded: Option<LoadedMap>,
    map_label: Option<String>,
    dry_run: bool,
) -> Result<FileOutcome, InjectError> {
    let mut outcome = FileOutcome {
        path: path.to_owned(),
        debug_id: id,
        action: Action::AlreadyInjected,
        map: map_label,
        note: None,
    };
    let Some(LoadedMap {
        mut map,
        location: Some(location),
        ..
    }) = loaded
    else {
        return Ok(outcome);
    };
    match map.debug_id() {
        Some(map_id) if map_id != id => {
            outcome.note = Some(format!("its map has another debug id ({map_id})"));
        }
        Some(_) => {}
        None => match find_snippet(js, id) {
            // Prepended snippets sit exactly where injection puts them; appended ones moved nothing.
            Some(offset) if offset == insertion_offset(js) => {
                let (line, column) = position(js, offset);
                if map.split_line(line, column).is_ok() {
                    map.set_debug_id(id);
                    if let (false, Ok(bytes)) = (dry_run, map.to_bytes()) {
                        write_atomically(&location, &bytes)?;
                    }
                    outcome.action = Action::MapCompleted;
                }
            }
            _ => outcome.note = Some("its map has no debug id".into()),
        },
    }
    Ok(outcome)
}

fn load_map(
    source: Found,
    js: &[u8],
    js_name: Option<&str>,
) -> Result<(Option<LoadedMap>, Option<String>), InjectError> {
    let (bytes, location, guessed) = match source {
        Found::None(reason) => return Ok((None, Some(reason))),
        Found::Inline(bytes) => (bytes, None, false),
        Found::File { path, guessed } => (read(&path)?, Some(path), guessed),
    };
    let label = location
        .as_ref()
        .map_or("its inline map".to_owned(), |p| p.display().to_string());
    let content_id = DebugId::for_file(js, Some(&bytes));
    let map = match SourceMap::parse(bytes) {
        Ok(map) => map,
        Err(problem) => return Ok((None, Some(format!("{label} is {problem}")))),
    };
    if guessed
        && let (Some(file), Some(js_name)) = (map.file(), js_name)
        && file.rsplit('/').next() != Some(js_name)
    {
        return Ok((
            None,
            Some(format!("{label} matches by name but maps {file:?}")),
        ));
    }
    let note = guessed.then(|| format!("map found by name: {label}"));
    Ok((
        Some(LoadedMap {
            map,
            content_id,
            location,
        }),
        note,
    ))
}

/// The snippet at `offset` on a line of its own start, and the `debugId` comment last; the
/// inline map, if given, replaces the data URL of the `sourceMappingURL` comment.
fn prepend_snippet(js: &[u8], offset: usize, id: DebugId, inline: Option<&[u8]>) -> Vec<u8> {
    let snippet = snippet(id);
    let mut out = Vec::with_capacity(js.len() + snippet.len() + 64);
    out.extend_from_slice(&js[..offset]);
    out.extend_from_slice(snippet.as_bytes());
    out.push(b'\n');
    let rest = &js[offset..];
    match (inline, maps::find_comment(rest, SOURCE_MAPPING_URL)) {
        (Some(map), Some(comment)) => {
            out.extend_from_slice(&rest[..comment.line.start]);
            out.extend_from_slice(
                format!("//# sourceMappingURL={}\n", maps::encode_data_url(map)).as_bytes(),
            );
            out.extend_from_slice(&rest[comment.line.end..]);
        }
        _ => out.extend_from_slice(rest),
    }
    end_with_id(&mut out, id);
    out
}

/// The snippet after the code; the `sourceMappingURL` comment (if any) stays after it, so it is
/// still among the last lines, and the `debugId` comment comes last.
fn append_snippet(js: &[u8], id: DebugId) -> Vec<u8> {
    let mut out = Vec::with_capacity(js.len() + 400);
    let comment = maps::find_comment(js, SOURCE_MAPPING_URL);
    match &comment {
        Some(c) => {
            out.extend_from_slice(&js[..c.line.start]);
            out.extend_from_slice(&js[c.line.end..]);
        }
        None => out.extend_from_slice(js),
    }
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    out.extend_from_slice(snippet(id).as_bytes());
    out.push(b'\n');
    if let Some(c) = &comment {
        out.extend_from_slice(format!("//# sourceMappingURL={}\n", c.value).as_bytes());
    }
    end_with_id(&mut out, id);
    out
}

fn end_with_id(out: &mut Vec<u8>, id: DebugId) {
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    out.extend_from_slice(format!("//# debugId={id}\n").as_bytes());
}

fn read(path: &Path) -> Result<Vec<u8>, InjectError> {
    std::fs::read(path).map_err(|e| InjectError::File {
        path: path.display().to_string(),
        reason: format!("cannot read: {e}"),
    })
}

impl From<super::work::WriteError> for InjectError {
    fn from(error: super::work::WriteError) -> Self {
        Self::File {
            path: error.path,
            reason: error.reason,
        }
    }
}

fn describe_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> DebugId {
        DebugId::for_file(b"test", None)
    }

    #[test]
    fn appending_keeps_the_reference_among_the_last_lines() {
        let js = b"run();\n//# sourceMappingURL=gone.js.map\n";
        let out = String::from_utf8(append_snippet(js, id())).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "run();");
        assert!(lines[1].starts_with(";(function(){"));
        assert_eq!(lines[2], "//# sourceMappingURL=gone.js.map");
        assert_eq!(lines[3], format!("//# debugId={}", id()));
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn prepending_replaces_an_inline_map_and_ends_with_the_id() {
        let js = b"'use strict';x()\n//# sourceMappingURL=data:application/json;base64,e30=";
        let out = String::from_utf8(prepend_snippet(js, 13, id(), Some(b"[1]"))).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("'use strict';;(function(){"), "{out}");
        assert_eq!(lines[1], "x()");
        assert_eq!(
            lines[2],
            "//# sourceMappingURL=data:application/json;charset=utf-8;base64,WzFd"
        );
        assert_eq!(lines[3], format!("//# debugId={}", id()));
    }

    /// A map of `file` whose one segment maps line 1 column 0 to `src/a.ts`.
    const MAP: &str =
        r#"{"version":3,"file":"a.js","sources":["src/a.ts"],"names":[],"mappings":"AAAA"}"#;

    /// A directory holding `files`.
    fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, content) in files {
            std::fs::write(dir.path().join(name), content).unwrap();
        }
        dir
    }

    fn run(dir: &Path, dry_run: bool) -> InjectReport {
        let request = InjectRequest {
            selection: Selection {
                paths: vec![dir.to_owned()],
                ..Selection::default()
            },
            dry_run,
        };
        inject(&request).unwrap()
    }

    fn text(dir: &Path, name: &str) -> String {
        std::fs::read_to_string(dir.join(name)).unwrap()
    }

    fn map_id(dir: &Path, name: &str) -> Option<String> {
        let map: serde_json::Value = serde_json::from_str(&text(dir, name)).unwrap();
        map["debugId"].as_str().map(str::to_owned)
    }

    fn outcome<'r>(report: &'r InjectReport, name: &str) -> &'r FileOutcome {
        let found = report.files.iter().find(|f| f.path.ends_with(name));
        found.unwrap_or_else(|| panic!("{name} in {report:?}"))
    }

    #[test]
    fn actions_have_report_names() {
        let names = [
            Action::Injected,
            Action::InjectedAtEnd,
            Action::AlreadyInjected,
            Action::MapCompleted,
        ]
        .map(Action::as_str);
        assert_eq!(
            names,
            [
                "injected",
                "injected_at_end",
                "already_injected",
                "map_completed"
            ]
        );
    }

    #[test]
    fn a_referenced_map_is_shifted_and_given_the_files_id() {
        let js = "run()\n//# sourceMappingURL=a.js.map\n";
        let dir = dir_with(&[("a.js", js), ("a.js.map", MAP)]);
        let report = run(dir.path(), false);
        let a = outcome(&report, "a.js");
        assert_eq!(a.action, Action::Injected);
        assert_eq!(
            a.map.as_deref(),
            Some(dir.path().join("a.js.map").to_str().unwrap())
        );
        let written = text(dir.path(), "a.js");
        assert!(written.starts_with(&snippet(a.debug_id)), "{written}");
        assert!(
            written.ends_with(&format!("//# debugId={}\n", a.debug_id)),
            "{written}"
        );
        assert!(written.contains("\nrun()\n"), "{written}");
        assert_eq!(map_id(dir.path(), "a.js.map"), Some(a.debug_id.to_string()));
        assert!(
            text(dir.path(), "a.js.map").contains(r#""mappings":";AAAA""#),
            "shifted a line"
        );

        // A second run finds everything done and changes nothing.
        let before = (text(dir.path(), "a.js"), text(dir.path(), "a.js.map"));
        let again = run(dir.path(), false);
        assert_eq!(outcome(&again, "a.js").action, Action::AlreadyInjected);
        assert_eq!(outcome(&again, "a.js").debug_id, a.debug_id);
        assert_eq!(
            outcome(&again, "a.js").note,
            None,
            "its map has the same id"
        );
        assert_eq!(
            (text(dir.path(), "a.js"), text(dir.path(), "a.js.map")),
            before
        );
    }

    #[test]
    fn a_dry_run_reports_and_writes_nothing() {
        let files = [
            ("a.js", "run()\n//# sourceMappingURL=a.js.map\n"),
            ("a.js.map", MAP),
            ("b.js", "alone()"),
        ];
        let dir = dir_with(&files);
        let report = run(dir.path(), true);
        assert!(report.dry_run);
        assert_eq!(outcome(&report, "a.js").action, Action::Injected);
        assert_eq!(outcome(&report, "b.js").action, Action::InjectedAtEnd);
        for (name, content) in files {
            assert_eq!(text(dir.path(), name), content, "{name}");
        }
    }

    #[test]
    fn without_a_usable_map_the_snippet_goes_last_on_lines_of_its_own() {
        let dir = dir_with(&[
            ("alone.js", "alone()"),
            ("missing.js", "m()\n//# sourceMappingURL=missing.js.map"),
            ("one.js", "one()\n//# sourceMappingURL=shared.map\n"),
            ("two.js", "two()\n//# sourceMappingURL=shared.map\n"),
            ("shared.map", MAP),
        ]);
        let report = run(dir.path(), false);
        let alone = outcome(&report, "alone.js");
        assert_eq!(alone.action, Action::InjectedAtEnd);
        assert_eq!(
            alone.note.as_deref(),
            Some("no sourceMappingURL and no map with a matching name")
        );
        let expected = format!(
            "alone()\n{}\n//# debugId={}\n",
            snippet(alone.debug_id),
            alone.debug_id
        );
        assert_eq!(text(dir.path(), "alone.js"), expected);
        let missing = outcome(&report, "missing.js");
        assert_eq!(missing.action, Action::InjectedAtEnd);
        assert!(
            missing
                .note
                .as_ref()
                .unwrap()
                .ends_with("(sourceMappingURL=missing.js.map) does not exist")
        );
        for shared in ["one.js", "two.js"] {
            let file = outcome(&report, shared);
            assert_eq!(file.action, Action::InjectedAtEnd, "{shared}");
            assert!(
                file.note
                    .as_ref()
                    .unwrap()
                    .contains("referenced by several files"),
                "{shared}"
            );
        }
        assert_eq!(
            map_id(dir.path(), "shared.map"),
            None,
            "a shared map is left alone"
        );
    }

    #[test]
    fn a_map_whose_mappings_cannot_be_shifted_is_left_alone() {
        let broken = MAP.replace(r#""mappings":"AAAA""#, r#""mappings":"!!""#);
        let js = "run()\n//# sourceMappingURL=a.js.map\n";
        let dir = dir_with(&[("a.js", js), ("a.js.map", &broken)]);
        let dry = run(dir.path(), true);
        assert_eq!(outcome(&dry, "a.js").action, Action::InjectedAtEnd);
        assert_eq!(text(dir.path(), "a.js"), js, "a dry run writes nothing");
        let report = run(dir.path(), false);
        let a = outcome(&report, "a.js");
        assert_eq!(a.action, Action::InjectedAtEnd);
        assert!(
            a.note
                .as_ref()
                .unwrap()
                .starts_with("its map was left alone: "),
            "{:?}",
            a.note
        );
        assert!(text(dir.path(), "a.js").ends_with(&format!("//# debugId={}\n", a.debug_id)));
        assert_eq!(text(dir.path(), "a.js.map"), broken);
    }

    #[test]
    fn a_map_found_by_name_must_name_the_file() {
        let other = MAP.replace(r#""file":"a.js""#, r#""file":"other.js""#);
        let dir = dir_with(&[
            ("a.js", "a()"),
            ("a.js.map", MAP),
            ("b.js", "b()"),
            ("b.js.map", &other),
        ]);
        let report = run(dir.path(), false);
        let a = outcome(&report, "a.js");
        assert_eq!(a.action, Action::Injected);
        assert!(a.note.as_ref().unwrap().starts_with("map found by name: "));
        let written = text(dir.path(), "a.js");
        assert!(
            written.ends_with(&format!("a()\n//# debugId={}\n", a.debug_id)),
            "{written}"
        );
        let b = outcome(&report, "b.js");
        assert_eq!(b.action, Action::InjectedAtEnd);
        assert!(
            b.note
                .as_ref()
                .unwrap()
                .ends_with(r#"matches by name but maps "other.js""#)
        );
    }

    #[test]
    fn a_run_stopped_before_the_map_is_completed_by_the_next() {
        let js = "run()\n//# sourceMappingURL=a.js.map\n";
        let dir = dir_with(&[("a.js", js), ("a.js.map", MAP)]);
        let first = run(dir.path(), false);
        let finished_map = text(dir.path(), "a.js.map");
        std::fs::write(dir.path().join("a.js.map"), MAP).unwrap();
        let dry = run(dir.path(), true);
        assert_eq!(outcome(&dry, "a.js").action, Action::MapCompleted);
        assert_eq!(
            text(dir.path(), "a.js.map"),
            MAP,
            "a dry run writes nothing"
        );
        let second = run(dir.path(), false);
        assert_eq!(outcome(&second, "a.js").action, Action::MapCompleted);
        assert_eq!(
            outcome(&second, "a.js").debug_id,
            outcome(&first, "a.js").debug_id
        );
        assert_eq!(text(dir.path(), "a.js.map"), finished_map);
    }

    #[test]
    fn a_map_with_another_id_or_none_after_an_appended_snippet_is_reported() {
        let dir = dir_with(&[
            ("a.js", "a()\n//# sourceMappingURL=a.js.map\n"),
            ("a.js.map", MAP),
        ]);
        run(dir.path(), false);
        let foreign = text(dir.path(), "a.js.map").replace(
            &map_id(dir.path(), "a.js.map").unwrap(),
            "00000000-0000-0000-0000-000000000001",
        );
        std::fs::write(dir.path().join("a.js.map"), foreign).unwrap();
        let report = run(dir.path(), false);
        let a = outcome(&report, "a.js");
        assert_eq!(a.action, Action::AlreadyInjected);
        assert_eq!(
            a.note.as_deref(),
            Some("its map has another debug id (00000000-0000-0000-0000-000000000001)")
        );

        // Injected at the end (no map then), and a map appears later: nothing moved, so the map
        // cannot be completed by shifting it.
        let late = dir_with(&[("b.js", "b()\n")]);
        run(late.path(), false);
        std::fs::write(late.path().join("b.js.map"), MAP.replace("a.js", "b.js")).unwrap();
        let report = run(late.path(), false);
        let b = outcome(&report, "b.js");
        assert_eq!(b.action, Action::AlreadyInjected);
        assert_eq!(b.note.as_deref(), Some("its map has no debug id"));
        assert_eq!(map_id(late.path(), "b.js.map"), None);
    }

    #[test]
    fn nothing_to_inject_names_the_extensions_and_paths() {
        let dir = dir_with(&[("a.css", "a{}"), ("a.css.map", MAP)]);
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        let request = InjectRequest {
            selection: Selection {
                paths: vec![dir.path().to_owned(), empty.clone()],
                ..Selection::default()
            },
            dry_run: false,
        };
        let error = inject(&request).unwrap_err().to_string();
        let paths = format!("{}, {}", dir.path().display(), empty.display());
        assert_eq!(
            error,
            format!(
                "no JavaScript files (js, cjs, mjs) found under {paths}: check the path, or pass --ext for other extensions"
            )
        );
    }
}
