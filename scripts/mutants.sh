#!/usr/bin/env bash
# Mutation testing of the code that decides: the gate's rules, statistics and timeline; the Sentry
# client's paths, retries, pagination and error classification; git history and patch sets; the
# release payload limits; the source-map injector and chunk planner; the HTTP server's auth checks.
#
# cargo-mutants changes one operator or branch at a time and reruns the tests; a change no test
# notices is a gap. Prints the score per file (timeouts count as caught). Takes hours on 2 cores:
# run it by hand, not in CI (.ci/run runs scripts/mutants-diff.sh on the newest change only).
#
#   scripts/mutants.sh                 every listed file
#   scripts/mutants.sh src/sentry/retry.rs ...   only these
#   MUTANTS_TIMEOUT=300 scripts/mutants.sh       a longer per-mutant test timeout (seconds)
#   MUTANTS_JOBS=2 scripts/mutants.sh            two mutants at a time (each in its own copy)
#
# Exclusions, each with its reason, are in .cargo/mutants.toml; the table counts them apart.
set -euo pipefail
cd "$(dirname "$0")/.."

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  files=(
    src/gate/rules/*.rs
    src/gate/stats.rs
    src/gate/rate_decision.rs
    src/gate/budget.rs
    src/gate/comparison.rs
    src/gate/judge.rs
    src/gate/timeline.rs
    src/sentry/path.rs
    src/sentry/retry.rs
    src/sentry/pagination.rs
    src/sentry/error.rs
    src/git/history.rs
    src/git/patchset.rs
    src/release/limits.rs
    src/sourcemaps/inject.rs
    src/sourcemaps/mappings.rs
    src/sourcemaps/chunks.rs
    src/mcp/guard.rs
  )
fi
args=()
for file in "${files[@]}"; do
  if [ -f "$file" ]; then args+=(--file "$file"); fi
done

out=${MUTANTS_OUT:-target/mutants}
jobs=${MUTANTS_JOBS:-1}
mkdir -p "$out"
# Pass 1, unit tests only: the deciding code is pinned by its own module's tests, and building the
# one unit-test binary (--cargo-arg applies to the build as well as the test phase) takes a third
# of the time of building every test target.
cargo mutants "${args[@]}" --output "$out" --timeout "${MUTANTS_TIMEOUT:-180}" -j "$jobs" \
  --cargo-arg=--lib || true
cp "$out/mutants.out/outcomes.json" "$out/outcomes-unit.json"
# Pass 2, the whole suite, only for what pass 1 missed (--iterate skips the caught): a mutant the
# end-to-end tests notice is caught too.
cargo mutants "${args[@]}" --output "$out" --timeout "${MUTANTS_TIMEOUT:-180}" -j "$jobs" \
  --iterate || true
python3 scripts/mutants-table.py "$out/outcomes-unit.json" "$out/mutants.out/outcomes.json" --missed
