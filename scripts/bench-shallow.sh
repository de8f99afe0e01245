#!/usr/bin/env bash
# Benchmark: what the shallow-clone checks of `release create` cost, and what `--deepen` costs when
# the clone cuts the range. A generated history of COMMITS first-parent commits, ten minutes apart,
# where every 20th commit merges a 3-commit branch forked 30 commits earlier. Three cases of
# `release create --dry-run --from HEAD~RANGE`, each timed (best of RUNS):
#   full     a full clone (the checks are skipped: no shallow boundary)
#   whole    a clone of depth DEPTH that holds the range (the checks run and pass)
#   deepen   a clone of depth RANGE*2/5: the start is in it, its history is cut within a day of the
#            range's branch commits, so without --deepen the command refuses (exit 2); with --deepen
#            it fetches until the range is whole
#
# Usage: scripts/bench-shallow.sh [COMMITS] [RANGE] [DEPTH]   (defaults 20000, 500, 1000)
# Env:   BIN=path/to/sentry-companion (default target/release/sentry-companion, built if missing)
#        RUNS=timed runs per case (default 3)
set -euo pipefail

commits=${1:-20000}
range=${2:-500}
depth=${3:-1000}
runs=${RUNS:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BIN:-$root/target/release/sentry-companion}
if [[ ! -x $bin ]]; then
  (cd "$root" && cargo build --release --quiet)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# fast-import: main commit i has mark i; every 20th (from 40 on) merges side commits forked at i-30.
awk -v commits="$commits" '
  function commit(ref, mark, time, text, parent, merge) {
    printf "commit %s\nmark :%d\n", ref, mark
    printf "author A <a@example.com> %d +0000\ncommitter A <a@example.com> %d +0000\n", time, time
    printf "data %d\n%s\n", length(text), text
    if (parent) printf "from :%d\n", parent
    if (merge) printf "merge :%d\n", merge
    printf "M 100644 inline f%d.txt\ndata %d\n%s\n\n", mark % 500, length(text), text
  }
  BEGIN {
    for (i = 1; i <= commits; i++) {
      side = 0
      if (i % 20 == 0 && i > 40) {
        base = 1000000 + 3 * i
        for (k = 1; k <= 3; k++) {
          commit("refs/heads/side", base + k, 1700000000 + (i - 30) * 600 + k, "side " i "." k, k == 1 ? i - 30 : base + k - 1, 0)
        }
        side = base + 3
      }
      commit("refs/heads/main", i, 1700000000 + i * 600, "main " i, i > 1 ? i - 1 : 0, side)
    }
  }' > "$work/stream"
git init -q -b main "$work/source"
git -C "$work/source" fast-import --quiet < "$work/stream"
git -C "$work/source" checkout -q main

git clone -q --no-local "file://$work/source" "$work/full"
git clone -q --no-local --depth "$depth" "file://$work/source" "$work/whole"

best_of() {
  local best=""
  for _ in $(seq "$runs"); do
    local start end
    "$@" --setup
    start=$(date +%s%N)
    "$@" --run
    end=$(date +%s%N)
    local ms=$(((end - start) / 1000000))
    if [[ -z $best || $ms -lt $best ]]; then best=$ms; fi
  done
  echo "$best"
}

from=$(git -C "$work/source" rev-parse "HEAD~$range")
count=$(git -C "$work/source" rev-list --count "$from..HEAD")
create() { (cd "$1" && "$bin" release create 1.0.0 --dry-run --from "$from" "${@:2}" > "$work/body.json" 2> "$work/stderr"); }

case_full() { [[ $1 == --setup ]] || create "$work/full"; }
case_whole() { [[ $1 == --setup ]] || create "$work/whole"; }
case_deepen() {
  if [[ $1 == --setup ]]; then
    rm -rf "$work/cut"
    git clone -q --no-local --depth "$((range * 2 / 5))" "file://$work/source" "$work/cut"
  else
    create "$work/cut" --deepen
  fi
}

echo "history: $commits first-parent commits with merged side branches; range HEAD~$range..HEAD = $count commits"
echo "depth-$depth clone: shallow, $(wc -l < "$work/whole/.git/shallow") cut commits"
case_deepen --setup
echo "depth-$((range * 2 / 5)) clone: a plain walk gives $(git -C "$work/cut" rev-list --count "$from..HEAD") commits;" \
  "without --deepen the command $(create "$work/cut" > /dev/null 2>&1 && echo 'sent them' || echo "refused (exit $?)")"
printf '%-8s %10s  %s\n' case ms commits-sent
for name in full whole deepen; do
  ms=$(best_of "case_$name")
  sent=$(grep -c '"id"' "$work/body.json" || true)
  printf '%-8s %10s  %s\n' "$name" "$ms" "$sent"
done
