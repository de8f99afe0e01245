//! `sourcemaps inject` and `sourcemaps upload`, end to end: real build shapes in temp dirs, the
//! injected files run in node where it is installed, and uploads against a local chunk server.

use crate::support::chunk_server::{ChunkServer, ChunkWorld, Fault, ORG};
use crate::support::sentry::{assert_no_token, binary};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Appends one base64 VLQ number.
fn vlq(value: i64, out: &mut String) {
    const DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut rest = if value < 0 {
        (-value << 1) | 1
    } else {
        value << 1
    };
    loop {
        let mut digit = rest & 31;
        rest >>= 5;
        if rest > 0 {
            digit |= 32;
        }
        out.push(DIGITS[digit as usize] as char);
        if rest == 0 {
            break;
        }
    }
}

/// A map whose only mapped spot is the `new Error` of `js`: it maps to line 11, column 5 (1-based)
/// of `src/STEM.ts`; the start of that line maps to line 10.
fn map_for(js: &str, stem: &str) -> String {
    let at = js.find("new Error").expect("the file throws");
    let line = js[..at].matches('\n').count();
    let column = (at - js[..at].rfind('\n').map_or(0, |i| i + 1)) as i64;
    let mut mappings = ";".repeat(line);
    mappings.push_str("AASA,");
    vlq(column, &mut mappings);
    mappings.push_str("ACI");
    json!({
        "version": 3,
        "file": null,
        "sources": [format!("src/{stem}.ts")],
        "names": [],
        "mappings": mappings,
    })
    .to_string()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

const ALREADY_ID: &str = "0b6a6c3e-1f6e-5c61-9d57-8a2d6b3c4e5f";

/// A build with every shape inject must handle. Returns the directory.
fn build() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let with_map = |name: &str, stem: &str, code: &str| {
        let js = format!("{code}\n//# sourceMappingURL={name}.map\n");
        write(d, name, &js);
        write(d, &format!("{name}.map"), &map_for(&js, stem));
    };
    with_map(
        "cli.js",
        "cli",
        "#!/usr/bin/env node\n'use strict';\nexports.boom=function(){throw new Error('boom')};",
    );
    with_map(
        "strict.js",
        "strict",
        "\"use strict\";exports.strict=function(){return this===undefined};exports.boom=function(){throw new Error('boom')};",
    );
    with_map(
        "esm.mjs",
        "esm",
        "export function boom(){throw new Error('boom')}",
    );
    with_map(
        "common.cjs",
        "common",
        "/*! license: MIT */\nmodule.exports.boom=function(){throw new Error('boom')};",
    );
    let inline_code = "exports.boom=function(){throw new Error('boom')};";
    let inline_map = map_for(inline_code, "inline");
    write(
        d,
        "inline.js",
        &format!(
            "{inline_code}\n//# sourceMappingURL=data:application/json;base64,{}\n",
            base64(inline_map.as_bytes())
        ),
    );
    let sectioned = "\"use strict\";exports.boom=function(){throw new Error('boom')};";
    let inner: Value = serde_json::from_str(&map_for(sectioned, "sections")).unwrap();
    write(
        d,
        "sections.js",
        &format!("{sectioned}\n//# sourceMappingURL=sections.js.map\n"),
    );
    write(
        d,
        "sections.js.map",
        &json!({"version":3,"sections":[{"offset":{"line":0,"column":0},"map":inner}]}).to_string(),
    );
    write(
        d,
        "nomap.js",
        "exports.boom=function(){throw new Error('boom')};\n",
    );
    write(
        d,
        "missing.js",
        "exports.boom=function(){throw new Error('boom')};\n//# sourceMappingURL=missing.js.map\n",
    );
    write(
        d,
        "already.js",
        &format!("exports.boom=function(){{throw new Error('boom')}};\n//# debugId={ALREADY_ID}\n"),
    );
    let empty_map = r#"{"version":3,"sources":[],"names":[],"mappings":""}"#;
    for twin in ["chunk-a", "chunk-b"] {
        write(
            d,
            &format!("chunks/{twin}.js"),
            &format!(
                "exports.{}=1;\n//# sourceMappingURL={twin}.js.map\n",
                twin.replace('-', "_")
            ),
        );
        write(d, &format!("chunks/{twin}.js.map"), empty_map);
    }
    write(d, "styles.css", "body{}");
    dir
}

fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(path).unwrap());
            }
        }
    }
    files
}

fn debug_id_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let last = text.lines().last().unwrap();
    last.strip_prefix("//# debugId=")
        .unwrap_or_else(|| {
            panic!(
                "{} does not end with a debugId comment: {last}",
                path.display()
            )
        })
        .to_owned()
}

fn map_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn inject(dir: &Path, extra: &[&str]) -> (std::process::Output, Value) {
    let output = binary("http://127.0.0.1:9")
        .args(["--output", "json", "sourcemaps", "inject"])
        .arg(dir)
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let report = serde_json::from_slice(&output.stdout).expect("one JSON document");
    (output, report)
}

fn action_of(report: &Value, name: &str) -> String {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("{name} in {report}"))["action"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn inject_handles_every_build_shape_and_a_second_run_changes_nothing() {
    let dir = build();
    let d = dir.path();
    let (_, report) = inject(d, &[]);
    assert_eq!(report["files_found"], 11, "{report}");
    for name in [
        "cli.js",
        "strict.js",
        "esm.mjs",
        "common.cjs",
        "inline.js",
        "sections.js",
        "chunks/chunk-a.js",
    ] {
        assert_eq!(action_of(&report, name), "injected", "{name}");
    }
    for name in ["nomap.js", "missing.js"] {
        assert_eq!(action_of(&report, name), "injected_at_end", "{name}");
    }
    assert_eq!(action_of(&report, "already.js"), "already_injected");

    let cli = std::fs::read_to_string(d.join("cli.js")).unwrap();
    assert!(
        cli.starts_with("#!/usr/bin/env node\n'use strict';\n;(function(){"),
        "{cli}"
    );
    let strict = std::fs::read_to_string(d.join("strict.js")).unwrap();
    assert!(
        strict.starts_with("\"use strict\";;(function(){"),
        "{strict}"
    );
    let common = std::fs::read_to_string(d.join("common.cjs")).unwrap();
    assert!(
        common.starts_with("/*! license: MIT */\n;(function(){"),
        "{common}"
    );
    for (js, map) in [
        ("cli.js", "cli.js.map"),
        ("strict.js", "strict.js.map"),
        ("esm.mjs", "esm.mjs.map"),
        ("sections.js", "sections.js.map"),
    ] {
        assert_eq!(
            map_json(&d.join(map))["debugId"],
            debug_id_of(&d.join(js)),
            "{js}"
        );
    }
    let missing = std::fs::read_to_string(d.join("missing.js")).unwrap();
    let tail: Vec<&str> = missing.lines().rev().take(2).collect();
    assert_eq!(tail[1], "//# sourceMappingURL=missing.js.map", "{missing}");
    assert_ne!(
        debug_id_of(&d.join("chunks/chunk-a.js")),
        debug_id_of(&d.join("chunks/chunk-b.js")),
        "byte-identical maps of different files must not share an id"
    );
    assert_eq!(debug_id_of(&d.join("already.js")), ALREADY_ID);
    assert_eq!(
        std::fs::read_to_string(d.join("styles.css")).unwrap(),
        "body{}"
    );

    let after_first = snapshot(d);
    let (_, again) = inject(d, &[]);
    assert_eq!(snapshot(d), after_first, "a second run changes no byte");
    assert_eq!(again["already_injected"], 11);
}

#[test]
fn ids_depend_only_on_content() {
    let first = build();
    let second = build();
    inject(first.path(), &[]);
    inject(second.path(), &[]);
    for name in ["cli.js", "inline.js", "nomap.js", "chunks/chunk-b.js"] {
        assert_eq!(
            debug_id_of(&first.path().join(name)),
            debug_id_of(&second.path().join(name)),
            "{name}"
        );
    }
}

#[test]
fn dry_run_writes_nothing_and_ignore_leaves_files_alone() {
    let dir = build();
    let before = snapshot(dir.path());
    let (_, report) = inject(dir.path(), &["--dry-run"]);
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["injected"], 8);
    assert_eq!(snapshot(dir.path()), before);

    inject(dir.path(), &["--ignore", "chunks/", "--ignore", "cli.js"]);
    assert_eq!(
        std::fs::read(dir.path().join("cli.js")).unwrap(),
        before[&dir.path().join("cli.js")]
    );
    assert_eq!(
        std::fs::read(dir.path().join("chunks/chunk-a.js")).unwrap(),
        before[&dir.path().join("chunks/chunk-a.js")]
    );
    assert_ne!(
        std::fs::read(dir.path().join("esm.mjs")).unwrap(),
        before[&dir.path().join("esm.mjs")]
    );
}

#[test]
fn a_stopped_run_that_wrote_the_file_but_not_its_map_is_completed() {
    let dir = build();
    let d = dir.path();
    let original_map = std::fs::read(d.join("strict.js.map")).unwrap();
    inject(d, &[]);
    let injected_map = std::fs::read(d.join("strict.js.map")).unwrap();
    // The state a kill between the two renames leaves: new file, old map.
    std::fs::write(d.join("strict.js.map"), &original_map).unwrap();
    let (_, report) = inject(d, &[]);
    assert_eq!(action_of(&report, "strict.js"), "map_completed");
    assert_eq!(
        std::fs::read(d.join("strict.js.map")).unwrap(),
        injected_map
    );
}

#[test]
fn missing_paths_and_empty_builds_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let output = binary("http://127.0.0.1:9")
        .args(["sourcemaps", "inject"])
        .arg(dir.path().join("dist"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not exist"));
    let output = binary("http://127.0.0.1:9")
        .args(["sourcemaps", "inject"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no JavaScript files"));
}

const NODE_CHECK: &str = r#"
import { SourceMap } from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { basename } from 'node:path';
const out = {};
for (const file of process.argv.slice(2)) {
  const mod = await import(pathToFileURL(file).href);
  const api = mod.boom ? mod : mod.default;
  let stack = '';
  try { api.boom(); } catch (e) { stack = e.stack; }
  const frame = stack.split('\n').find((l) => l.includes(basename(file)));
  const position = frame && frame.match(/:(\d+):(\d+)\)?$/);
  const text = readFileSync(file, 'utf8');
  const reference = [...text.matchAll(/\/\/# sourceMappingURL=(\S+)/g)].pop();
  let original = null;
  if (position && reference) {
    const url = reference[1];
    let json = null;
    if (url.startsWith('data:')) json = Buffer.from(url.split(',')[1], 'base64').toString();
    else { try { json = readFileSync(new URL(url, pathToFileURL(file)), 'utf8'); } catch {} }
    if (json) original = new SourceMap(JSON.parse(json)).findEntry(Number(position[1]) - 1, Number(position[2]) - 1);
  }
  const ids = Object.entries(globalThis._sentryDebugIds || {})
    .filter(([stackKey]) => stackKey.includes(basename(file)))
    .map(([, id]) => id);
  out[basename(file)] = { registered: [...new Set(ids)], original, strict: api.strict ? (0, api.strict)() : null };
}
console.log(JSON.stringify(out));
"#;

#[test]
fn injected_files_register_their_id_and_still_map_in_node() {
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: node is not on PATH, so the injected files were not run");
        return;
    }
    let dir = build();
    let d = dir.path();
    inject(d, &[]);
    let script = write(d, "check.mjs", NODE_CHECK);
    let files = [
        "cli.js",
        "strict.js",
        "esm.mjs",
        "common.cjs",
        "inline.js",
        "sections.js",
        "nomap.js",
    ];
    let output = std::process::Command::new("node")
        .arg(&script)
        .args(files.iter().map(|f| d.join(f)))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Value = serde_json::from_slice(&output.stdout).unwrap();
    for file in files {
        let result = &results[file];
        assert_eq!(
            result["registered"],
            json!([debug_id_of(&d.join(file))]),
            "{file}: the snippet registers the file's id under its own stack: {result}"
        );
        if file == "nomap.js" {
            continue;
        }
        let stem = file.split('.').next().unwrap();
        assert_eq!(
            (
                result["original"]["originalSource"]
                    .as_str()
                    .map(|s| s.ends_with(&format!("src/{stem}.ts"))),
                &result["original"]["originalLine"],
                &result["original"]["originalColumn"],
            ),
            (Some(true), &json!(10), &json!(4)),
            "{file}: the throw still maps to its original position: {result}"
        );
    }
    assert_eq!(
        results["strict.js"]["strict"], true,
        "still strict after injection"
    );
}

// ---- upload ----

fn upload(server: &ChunkServer, args: &[&str]) -> std::process::Output {
    let output = binary(&server.url)
        .args([
            "--org",
            ORG,
            "--project",
            "web",
            "--output",
            "json",
            "sourcemaps",
            "upload",
        ])
        .args(args)
        .output()
        .unwrap();
    assert_no_token(&output);
    output
}

fn injected_build() -> tempfile::TempDir {
    let dir = build();
    inject(dir.path(), &[]);
    std::fs::remove_file(dir.path().join("styles.css")).unwrap();
    dir
}

fn ok_report(output: &std::process::Output) -> Value {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON document")
}

#[test]
fn uploads_one_artifact_bundle_sentry_can_read() {
    let server = ChunkServer::start(ChunkWorld::default());
    let dir = injected_build();
    let d = dir.path().to_str().unwrap();
    let report = ok_report(&upload(
        &server,
        &[d, "--release", "web@1.0", "--dist", "7"],
    ));
    assert_eq!(report["processing"], "done");
    assert_eq!(report["chunks_sent"], report["chunks"]);

    let bundles = server.with(|w| w.bundles.clone());
    assert_eq!(bundles.len(), 1);
    let bundle = &bundles[0];
    let manifest = &bundle.manifest;
    assert_eq!(manifest["org"], ORG);
    assert_eq!(manifest["project"], "web");
    assert_eq!(manifest["release"], "web@1.0");
    assert_eq!(manifest["dist"], "7");
    assert_eq!(manifest["debug_id"], report["bundle_id"]);
    assert_eq!(bundle.request["projects"], json!(["web"]));
    assert_eq!(bundle.request["version"], "web@1.0");
    let cli_id = debug_id_of(&dir.path().join("cli.js"));
    assert_eq!(
        manifest["files"]["files/_/_/cli.js"],
        json!({"url": "~/cli.js", "type": "minified_source",
               "headers": {"debug-id": cli_id, "sourcemap": "cli.js.map"}})
    );
    assert_eq!(
        manifest["files"]["files/_/_/cli.js.map"],
        json!({"url": "~/cli.js.map", "type": "source_map", "headers": {"debug-id": cli_id}})
    );
    assert_eq!(
        manifest["files"]["files/_/_/chunks/chunk-a.js"]["url"],
        "~/chunks/chunk-a.js"
    );
    assert!(
        manifest["files"]["files/_/_/nomap.js"]["headers"]
            .get("sourcemap")
            .is_none()
    );
    assert_eq!(
        bundle.files["files/_/_/esm.mjs"],
        std::fs::read(dir.path().join("esm.mjs")).unwrap(),
        "generated files go up unchanged"
    );
    let posts = server.with(|w| w.chunk_posts.clone());
    assert!(
        posts
            .iter()
            .all(|p| p.fields.iter().all(|f| f == "file_gzip"))
    );
    let requests = server.with(|w| w.requests.clone());
    assert!(requests.iter().all(|(_, authorized)| *authorized));
}

#[test]
fn an_unchanged_re_upload_sends_no_chunk() {
    let server = ChunkServer::start(ChunkWorld::default());
    let dir = injected_build();
    let d = dir.path().to_str().unwrap();
    let first = ok_report(&upload(&server, &[d]));
    let posts = server.with(|w| w.chunk_posts.len());
    let second = ok_report(&upload(&server, &[d]));
    assert_eq!(second["chunks_sent"], 0);
    assert_eq!(second["bundle_id"], first["bundle_id"]);
    assert_eq!(server.with(|w| w.chunk_posts.len()), posts);
}

#[test]
fn many_chunks_stay_within_the_servers_limits() {
    let mut world = ChunkWorld::default();
    world.options["chunkSize"] = json!(512);
    world.options["chunksPerRequest"] = json!(3);
    world.options["maxRequestSize"] = json!(4000);
    world.options["concurrency"] = json!(2);
    world.options["compression"] = json!([]);
    let server = ChunkServer::start(world);
    let dir = injected_build();
    let report = ok_report(&upload(&server, &[dir.path().to_str().unwrap()]));
    let chunks = report["chunks"].as_u64().unwrap();
    assert!(chunks > 6, "{report}");
    let posts = server.with(|w| w.chunk_posts.clone());
    assert!(posts.len() >= (chunks as usize).div_ceil(3));
    assert!(posts.iter().all(|p| p.fields.len() <= 3 && p.bytes <= 4000));
    assert!(posts.iter().all(|p| p.fields.iter().all(|f| f == "file")));
    assert_eq!(server.with(|w| w.bundles.len()), 1);
}

#[test]
fn rate_limits_and_gateway_errors_are_retried() {
    let mut world = ChunkWorld::default();
    world.faults.extend([
        Fault {
            path: "chunk-upload",
            status: 429,
            times: 1,
        },
        Fault {
            path: "assemble",
            status: 502,
            times: 1,
        },
    ]);
    world.assembling_polls = 2;
    let server = ChunkServer::start(world);
    let dir = injected_build();
    let report = ok_report(&upload(&server, &[dir.path().to_str().unwrap()]));
    assert_eq!(report["processing"], "done");
    let faults_left: usize = server.with(|w| w.faults.iter().map(|f| f.times).sum());
    assert_eq!(faults_left, 0, "both faults were met and retried past");
    let assembles = server
        .requests()
        .iter()
        .filter(|r| r.contains("assemble"))
        .count();
    assert!(
        assembles >= 4,
        "missing-chunks call, created, two assembling polls, ok"
    );
}

#[test]
fn no_wait_stops_once_the_server_accepted_the_bundle() {
    let world = ChunkWorld {
        assembling_polls: 100,
        ..ChunkWorld::default()
    };
    let server = ChunkServer::start(world);
    let dir = injected_build();
    let report = ok_report(&upload(
        &server,
        &[dir.path().to_str().unwrap(), "--no-wait"],
    ));
    assert_eq!(report["processing"], "pending");
}

#[test]
fn a_failed_assembly_exits_2_with_the_servers_reason() {
    let world = ChunkWorld {
        assembly_error: Some("File bundle.zip exceeds maximum size".into()),
        ..ChunkWorld::default()
    };
    let server = ChunkServer::start(world);
    let dir = injected_build();
    let output = upload(&server, &[dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("could not process") && stderr.contains("exceeds maximum size"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_project_exits_2_with_the_servers_reason() {
    let server = ChunkServer::start(ChunkWorld::default());
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.js",
        "x()\n//# debugId=6d3df8d7-9834-5af6-9b02-94bd0b97f2c9\n",
    );
    let output = upload(
        &server,
        &[dir.path().to_str().unwrap(), "--project", "nope"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("One or more projects are invalid"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn an_old_server_without_artifact_bundles_is_told_what_it_needs() {
    let mut world = ChunkWorld::default();
    world.options["accept"] = json!(["debug_files", "release_files"]);
    let server = ChunkServer::start(world);
    let dir = injected_build();
    let output = upload(&server, &[dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("artifact bundles") && stderr.contains("23.x"),
        "{stderr}"
    );
    assert_eq!(
        server.requests(),
        [format!("GET /api/0/organizations/{ORG}/chunk-upload/")]
    );
}

#[test]
fn chunks_go_to_the_configured_origin_only() {
    let elsewhere = ChunkServer::start(ChunkWorld::default());
    let mut world = ChunkWorld::default();
    world.options["url"] = json!(format!(
        "{}/api/0/organizations/{ORG}/chunk-upload/",
        elsewhere.url
    ));
    let server = ChunkServer::start(world);
    let dir = injected_build();
    ok_report(&upload(&server, &[dir.path().to_str().unwrap()]));
    assert!(
        elsewhere.requests().is_empty(),
        "the token went to another origin"
    );
    assert!(server.with(|w| !w.chunk_posts.is_empty()));
}

#[test]
fn nothing_to_upload_or_nothing_findable_exits_2() {
    let server = ChunkServer::start(ChunkWorld::default());
    let empty = tempfile::tempdir().unwrap();
    let output = upload(&server, &[empty.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nothing to upload"));

    let missing = empty.path().join("dist");
    let output = upload(&server, &[missing.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not exist"));

    let plain = tempfile::tempdir().unwrap();
    write(
        plain.path(),
        "app.js",
        "run();\n//# sourceMappingURL=app.js.map\n",
    );
    write(
        plain.path(),
        "app.js.map",
        r#"{"version":3,"sources":[],"names":[],"mappings":""}"#,
    );
    let output = upload(&server, &[plain.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("sourcemaps inject") && stderr.contains("--release"),
        "{stderr}"
    );
    assert!(server.requests().iter().all(|r| !r.contains("assemble")));
}

#[test]
fn a_minified_twin_is_not_given_another_files_map() {
    let server = ChunkServer::start(ChunkWorld::default());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "pdf.mjs",
        "export const a=1;\n//# sourceMappingURL=pdf.mjs.map\n",
    );
    write(
        d,
        "pdf.mjs.map",
        r#"{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA"}"#,
    );
    write(d, "pdf.min.mjs", "export const a=1;");
    inject(d, &[]);
    ok_report(&upload(&server, &[d.to_str().unwrap()]));
    let manifest = server.with(|w| w.bundles[0].manifest.clone());
    assert_eq!(
        manifest["files"]["files/_/_/pdf.mjs"]["headers"]["sourcemap"],
        "pdf.mjs.map"
    );
    assert!(
        manifest["files"]["files/_/_/pdf.min.mjs"]["headers"]
            .get("sourcemap")
            .is_none(),
        "{manifest}"
    );
}

#[test]
fn url_prefix_and_strip_prefix_shape_urls_and_sources() {
    let server = ChunkServer::start(ChunkWorld::default());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "app.js", "run();\n//# sourceMappingURL=app.js.map\n");
    write(
        d,
        "app.js.map",
        r#"{"version":3,"sources":["../../tools/src/app.ts"],"names":[],"mappings":"AAAA"}"#,
    );
    inject(d, &[]);
    let report = ok_report(&upload(
        &server,
        &[
            d.to_str().unwrap(),
            "--url-prefix",
            "~/static/js/",
            "--strip-prefix",
            "../../tools/",
        ],
    ));
    assert_eq!(report["files"][0]["url"], "~/static/js/app.js");
    let bundle = server.with(|w| w.bundles[0].clone());
    let map: Value =
        serde_json::from_slice(&bundle.files["files/_/_/static/js/app.js.map"]).unwrap();
    assert_eq!(map["sources"], json!(["src/app.ts"]));
    assert!(map["debugId"].is_string());
}

#[test]
fn text_output_says_what_went_up() {
    let server = ChunkServer::start(ChunkWorld::default());
    let dir = injected_build();
    let output = binary(&server.url)
        .args(["--org", ORG, "--project", "web", "sourcemaps", "upload"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_no_token(&output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.starts_with("Uploaded 18 files (11 minified sources, 7 source maps"),
        "{stdout}"
    );
    assert!(stdout.contains("~/cli.js "), "{stdout}");
    assert!(
        stdout.contains("~/nomap.js ") && stdout.contains("processed"),
        "{stdout}"
    );
}
