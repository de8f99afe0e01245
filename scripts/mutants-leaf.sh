#!/usr/bin/env bash
# Mutation testing of the leaf modules (they import nothing from the crate: the gate's statistics
# and the source-map VLQ code) in a scratch crate of their own, against their own unit tests only.
#
# A mutant of the whole crate costs ~10-15 s to build on 2 cores; in a crate of three files it
# costs about a second, which is what makes their ~650 arithmetic mutants affordable. The score is
# stricter than the whole crate's (only the module's own tests may catch a mutant).
#
#   scripts/mutants-leaf.sh            (MUTANTS_JOBS=2 for two at a time)
# Prints the table; the outcomes are in target/mutants-leaf/out/mutants.out/outcomes.json.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

leaves=(src/gate/stats.rs src/gate/rate_decision.rs src/sourcemaps/mappings.rs)
crate=target/mutants-leaf/crate
rm -rf "$crate/src"
mkdir -p "$crate/src/gate" "$crate/src/sourcemaps"
for file in "${leaves[@]}"; do cp "$file" "$crate/$file"; done
cat > "$crate/src/lib.rs" <<'RS'
//! The crate's leaf modules, alone (scripts/mutants-leaf.sh).
#![allow(dead_code)]
pub mod gate {
    pub mod rate_decision;
    pub mod stats;
}
pub mod sourcemaps {
    pub mod mappings;
}
RS
# The versions the main crate resolved, so nothing new is downloaded.
thiserror=$(sed -n 's/^thiserror = \(.*\)$/\1/p' Cargo.toml)
proptest=$(sed -n 's/^proptest = \(.*\)$/\1/p' Cargo.toml)
cat > "$crate/Cargo.toml" <<TOML
[package]
name = "sentry-companion"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
thiserror = $thiserror

[dev-dependencies]
proptest = $proptest

[profile.dev]
debug = false

[workspace]
TOML
cp Cargo.lock "$crate/Cargo.lock"
mkdir -p "$crate/.cargo" && cp .cargo/mutants.toml "$crate/.cargo/"
out="$root/target/mutants-leaf/out"
mkdir -p "$out"
(cd "$crate" && cargo mutants --output "$out" -j "${MUTANTS_JOBS:-1}" --cargo-arg=--lib \
  --timeout "${MUTANTS_TIMEOUT:-60}") || true
python3 scripts/mutants-table.py "$out/mutants.out/outcomes.json" --missed
