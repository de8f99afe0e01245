#!/usr/bin/env bash
# Mutation testing of the newest change only, for CI: the mutants cargo-mutants finds in the Rust
# lines changed since BASE (default HEAD~1) among the deciding code (the parts of
# scripts/mutants-alone.py), with a time cap so CI keeps its budget. Prints the table and the
# surviving mutants; it informs the review and does not fail the build (the full run is
# scripts/mutants.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

base=${MUTANTS_BASE:-HEAD~1}
cap=${MUTANTS_TIME_CAP:-900}
out=target/mutants-diff
mkdir -p "$out"
if ! git rev-parse --verify --quiet "$base" > /dev/null; then
  echo "no $base to compare with (shallow clone?): mutation testing skipped"
  exit 0
fi
git diff "$base" -- 'src/*.rs' > "$out/change.diff"
if [ ! -s "$out/change.diff" ]; then
  echo "no Rust source changed since $base: nothing to mutate"
  exit 0
fi
echo "mutating the lines changed since $(git rev-parse --short "$base") (cap ${cap}s)"
timeout "$cap" python3 scripts/mutants-alone.py --in-diff "$out/change.diff" || true
