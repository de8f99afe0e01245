#!/usr/bin/env python3
"""Mutation testing of self-contained parts of the crate, each in a scratch crate of its own.

A mutant of the whole crate costs 10-15 s to rebuild on 2 cores (37k lines, async code from tokio,
axum, reqwest and rmcp); most of the deciding code (the gate's rules and statistics, the Sentry
client's paths, retries and errors, git history, the source-map injector and chunk planner, the
HTTP guard) imports only a few of the crate's modules. Here each part is compiled with just the
modules it needs (the same files, a smaller lib.rs), so a mutant costs a second or two. Only the
unit tests of the modules present can catch a mutant, which makes the score stricter, not looser.

Usage: scripts/mutants-alone.py [PART ...] [--jobs N] [--iterate] [--in-diff DIFF]
(default: every part; --help says more).
Parts: see PARTS below. Outcomes: target/mutants-alone/PART/outcomes-all.json (every run of the part folded in); the table
of all parts is printed at the end (scripts/mutants-table.py).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What the core layers (everything but the faces, the tool registry and source maps) use.
CORE_DEPS = [
    "anyhow", "base64", "bytes", "chrono", "fastrand", "flate2", "futures-core", "git2",
    "percent-encoding", "reqwest", "rustls", "semver", "serde", "serde_json", "sha1", "thiserror",
    "tokio", "tokio-util", "toml", "url", "libc", "schemars",
]

# Each part: the files mutated, the lib.rs that declares the modules they need, and the crate's
# dependencies that those modules use (their versions are read from Cargo.toml).
PARTS = {
    "leaves": {
        "mutate": ["src/gate/stats.rs", "src/gate/rate_decision.rs", "src/sourcemaps/mappings.rs"],
        "lib": """
pub mod gate { pub mod rate_decision; pub mod stats; }
pub mod sourcemaps { pub mod mappings; }
""",
        "deps": ["thiserror"],
    },
    "gate-rules": {
        "mutate": ["src/gate/rules/", "src/gate/budget.rs", "src/gate/comparison.rs", "src/gate/judge.rs"],
        "lib": """
pub mod exit;
pub mod text;
pub mod time;
pub mod output { pub mod sanitize; }
pub mod ci { pub mod github; pub mod gitlab; }
pub mod sentry {
    pub mod error;
    pub mod models;
    pub mod path;
    pub use error::ApiError;
}
pub mod gate {
    pub mod acks;
    pub mod budget;
    pub mod comparison;
    pub mod error;
    pub mod judge;
    pub mod observations;
    pub mod policy;
    pub mod rate_decision;
    pub mod rules;
    pub mod stats;
    pub mod wording;
}
""",
        "deps": ["thiserror", "serde", "serde_json", "chrono", "toml", "percent-encoding", "url", "fastrand"],
    },
    "sentry": {
        "mutate": ["src/sentry/path.rs", "src/sentry/retry.rs", "src/sentry/pagination.rs", "src/sentry/error.rs"],
        "lib": """
pub mod text;
pub mod sentry {
    pub mod error;
    pub mod pagination;
    pub mod path;
    pub mod retry;
    pub use error::ApiError;
}
""",
        "deps": ["thiserror", "serde", "serde_json", "chrono", "percent-encoding", "url"],
    },
    "git": {
        "mutate": ["src/git/history.rs", "src/git/patchset.rs"],
        "lib": "pub mod git;\n",
        "deps": ["thiserror", "git2", "url", "percent-encoding", "chrono"],
    },
    "sourcemaps": {
        "mutate": ["src/sourcemaps/inject.rs", "src/sourcemaps/chunks.rs"],
        "lib": """
pub mod sourcemaps {
    pub mod chunks;
    pub mod debug_id;
    pub mod discover;
    pub mod inject;
    pub mod mappings;
    pub mod maps;
    pub mod snippet;
    pub mod sourcemap;
    pub mod work;
}
""",
        "deps": ["thiserror", "serde", "serde_json", "sha1", "ignore", "base64", "percent-encoding", "fastrand"],
    },
    "core": {
        "mutate": ["src/gate/timeline.rs", "src/release/limits.rs"],
        "lib": """
pub mod ci;
pub mod exit;
pub mod gate;
pub mod git;
pub mod output;
pub mod release;
pub mod sentry;
pub mod text;
pub mod time;
pub use exit::Exit;
""",
        "deps": CORE_DEPS,
        # The watch's loop needs a Sentry to talk to: what its unit tests miss is tried again in
        # the whole crate against the end-to-end gate tests (tests/all/gate, a fake Sentry).
        "then_whole_crate": "gate::",
    },
    "http-guard": {
        "mutate": ["src/mcp/guard.rs"],
        "lib": "pub mod mcp { pub mod guard; }\n",
        "deps": ["axum"],
    },
}

DEV_DEPS = ["proptest", "tempfile"]


def dependency_lines(kind, names):
    """The lines of Cargo.toml that declare `names` as `kind` (dependencies or dev-dependencies),
    platform-specific sections included (the scratch crates build on unix only)."""
    text = (ROOT / "Cargo.toml").read_text()
    lines = {}
    for header, body in re.findall(r"^\[([^\]]+)\]\n(.*?)(?=^\[|\Z)", text, re.S | re.M):
        if header == kind or header.endswith("." + kind):
            for line in body.splitlines():
                if "=" in line:
                    lines.setdefault(line.split("=")[0].strip(), line)
    return "\n".join(lines[name] for name in names)


def prepare(name, part):
    crate = ROOT / "target" / "mutants-alone" / name / "crate"
    shutil.rmtree(crate, ignore_errors=True)
    shutil.copytree(ROOT / "src", crate / "src")
    (crate / "src" / "lib.rs").write_text(
        f"//! Part {name} of the crate, alone (scripts/mutants-alone.py).\n"
        "#![allow(dead_code, unused_imports)]\n" + part["lib"]
    )
    (crate / "src" / "main.rs").unlink()
    (crate / "Cargo.toml").write_text(
        '[package]\nname = "sentry-companion"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n'
        f"[dependencies]\n{dependency_lines('dependencies', part['deps'])}\n\n"
        f"[dev-dependencies]\n{dependency_lines('dev-dependencies', DEV_DEPS)}\n\n"
        '[profile.dev]\ndebug = false\n\n[workspace]\n'
    )
    shutil.copy(ROOT / "Cargo.lock", crate / "Cargo.lock")
    (crate / ".cargo").mkdir()
    shutil.copy(ROOT / ".cargo" / "mutants.toml", crate / ".cargo" / "mutants.toml")
    return crate


def run(name, part, jobs, extra):
    crate = prepare(name, part)
    out = crate.parent
    if not extra:
        # A fresh run starts a fresh record.
        (out / "outcomes-all.json").unlink(missing_ok=True)
    files = []
    for path in part["mutate"]:
        files += ["--file", path + ("*.rs" if path.endswith("/") else "")]
    timeout = os.environ.get("MUTANTS_TIMEOUT", "10")
    # One target directory for every part: the dependencies are built once.
    # Incremental builds are what make a mutant cost a second (CI turns them off for itself).
    env = dict(
        os.environ,
        CARGO_TARGET_DIR=str(ROOT / "target" / "mutants-alone" / "shared"),
        CARGO_INCREMENTAL="1",
    )
    subprocess.run(
        ["cargo", "mutants", *files, "--output", str(out), "-j", str(jobs),
         "--timeout", timeout, "--cargo-arg=--lib", *extra],
        cwd=crate, env=env, check=False,
    )
    record = remember(out)
    if "then_whole_crate" in part and record.is_file():
        record = whole_crate(name, part, record, jobs)
    return record


def whole_crate(name, part, record, jobs):
    """Retries a part's missed mutants in the whole crate, against the integration tests whose
    names start with the part's filter, and folds the outcomes into the part's record."""
    missed = [
        o["scenario"]["Mutant"]["name"]
        for o in json.loads(record.read_text())["outcomes"]
        if o["summary"] == "MissedMutant"
    ]
    if not missed:
        return record
    out = ROOT / "target" / "mutants-alone" / name / "whole"
    out.mkdir(parents=True, exist_ok=True)
    examine = "^(" + "|".join(re.escape(m) for m in missed) + ")$"
    # cargo-mutants 27 lets "delete field" mutants through --re: --file keeps to the files, and
    # only the missed mutants' outcomes are kept from this run.
    files = sorted({m.split(":")[0] for m in missed})
    env = dict(
        os.environ,
        CARGO_TARGET_DIR=str(ROOT / "target" / "mutants-alone" / "whole-crate"),
        CARGO_INCREMENTAL="1",
    )
    subprocess.run(
        ["cargo", "mutants", "--re", examine, *(a for f in files for a in ("--file", f)),
         "--output", str(out), "-j", str(jobs),
         "--timeout", os.environ.get("MUTANTS_WHOLE_TIMEOUT", "90"),
         "--cargo-arg=--test=all", f"--cargo-test-arg={part['then_whole_crate']}"],
        cwd=ROOT, env=env, check=False,
    )
    return remember(out, record, only=set(missed))


def remember(out, record=None, only=None):
    """Folds the run's outcomes in `out` into the part's record (a later outcome of a mutant
    wins), so an --iterate run, or the whole-crate retry, still yields the whole table."""
    record = record or out / "outcomes-all.json"
    latest = out / "mutants.out" / "outcomes.json"
    if not latest.is_file():
        return record
    merged = {}
    for path in (record, latest):
        if path.is_file():
            for outcome in json.loads(path.read_text())["outcomes"]:
                scenario = outcome["scenario"]
                key = scenario["Mutant"]["name"] if isinstance(scenario, dict) else str(scenario)
                if path == latest and only is not None and key not in only:
                    continue
                merged[key] = outcome
    record.write_text(json.dumps({"outcomes": list(merged.values())}))
    return record


def main():
    parser = argparse.ArgumentParser(description="Mutation testing, part by part.")
    parser.add_argument("parts", nargs="*", metavar="PART",
                        help=f"parts to mutate (default: all): {', '.join(PARTS)}")
    parser.add_argument("--jobs", type=int, default=1, help="mutants tested at once")
    parser.add_argument("--iterate", action="store_true",
                        help="test only what an earlier run of the part did not catch")
    parser.add_argument("--in-diff", type=Path, metavar="DIFF",
                        help="only the mutants on lines this diff touches (CI)")
    args = parser.parse_args()
    unknown = [name for name in args.parts if name not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; the parts are {', '.join(PARTS)}")
    extra = ["--iterate"] if args.iterate else []
    if args.in_diff:
        extra += ["--in-diff", str(args.in_diff.resolve())]
    names = args.parts or list(PARTS)
    outcomes = [run(name, PARTS[name], args.jobs, extra) for name in names]
    table = [str(ROOT / "scripts" / "mutants-table.py")]
    table += [str(o) for o in outcomes if o.is_file()] + ["--missed"]
    subprocess.run(["python3", *table], check=False)


if __name__ == "__main__":
    main()
