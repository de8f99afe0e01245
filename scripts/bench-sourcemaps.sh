#!/usr/bin/env bash
# Source maps benchmark: `sourcemaps inject` then `sourcemaps upload` (waiting for processing) over
# about 60 MB of real bundler output shipped in npm packages (pdf.js, MapLibre GL, Angular, jQuery,
# Bootstrap, Immer: minified bundles and their maps), sentry-companion side by side with sentry-cli
# 3.8.0, each against its own fresh local fake Sentry (scripts/fake-chunk-server.py, 127.0.0.1 only).
# Wall time and peak RSS come from GNU time; each step is run RUNS times (default 3) on a fresh copy
# of the build and the median is reported. A last row per tool re-uploads the unchanged build.
#
# Usage: scripts/bench-sourcemaps.sh [BINARY]   (default: target/release/sentry-companion)
# Needs: node/npm (the packages and sentry-cli come from the npm registry), python3, GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."

companion=$(realpath "${1:-target/release/sentry-companion}")
runs=${RUNS:-3}
cache=${SENTRY_COMPANION_BENCH_CACHE:-$HOME/.cache/sentry-companion-bench}/sourcemaps
packages=(
  @sentry/cli@3.8.0
  pdfjs-dist@4.10.38
  maplibre-gl@4.7.1
  @angular/core@19.2.25
  @angular/common@19.2.25
  jquery@3.8.0
  bootstrap@5.3.9
  immer@10.2.0
)
if [ ! -x "$companion" ]; then
  echo "no binary at $companion: run cargo build --release first" >&2
  exit 2
fi
if [ ! -x /usr/bin/time ]; then
  echo "GNU time (/usr/bin/time) is needed: apt-get install time" >&2
  exit 2
fi

mkdir -p "$cache"
if [ ! -f "$cache/installed" ]; then
  npm install --prefix "$cache" --no-audit --no-fund --ignore-scripts --silent "${packages[@]}"
  touch "$cache/installed"
fi
sentry_cli="$cache/node_modules/@sentry/cli-linux-x64/bin/sentry-cli"
modules="$cache/node_modules"

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2> /dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

corpus="$work/corpus"
mkdir -p "$corpus"
cp -r "$modules/pdfjs-dist/build" "$corpus/pdfjs"
cp -r "$modules/maplibre-gl/dist" "$corpus/maplibre"
cp -r "$modules/@angular/core/fesm2022" "$corpus/ng-core"
cp -r "$modules/@angular/common/fesm2022" "$corpus/ng-common"
cp -r "$modules/jquery/dist" "$corpus/jquery"
cp -r "$modules/bootstrap/dist/js" "$corpus/bootstrap"
cp -r "$modules/immer/dist" "$corpus/immer"
find "$corpus" -type f ! \( -name '*.js' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.map' \) -delete
files=$(find "$corpus" -type f | wc -l)
maps=$(find "$corpus" -type f -name '*.map' | wc -l)
bytes=$(find "$corpus" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
echo "corpus: $files files ($maps maps), $((bytes / 1000000)) MB"

start_server() {
  rm -f "$work/port"
  python3 scripts/fake-chunk-server.py "$work/port" 2>> "$work/server.log" &
  server_pid=$!
  for _ in $(seq 100); do
    if [ -s "$work/port" ]; then break; fi
    sleep 0.05
  done
  SENTRY_URL="http://127.0.0.1:$(cat "$work/port")"
  export SENTRY_URL
}

stop_server() {
  kill "$server_pid"
  wait "$server_pid" 2> /dev/null || true
  server_pid=
}

# Runs a command under GNU time; prints "seconds kilobytes".
measure() {
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" > "$work/out" 2>&1 || {
    echo "failed: $*" >&2
    tail -20 "$work/out" >&2
    exit 2
  }
  cat "$work/time"
}

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

export SENTRY_AUTH_TOKEN=sntryu_benchmark-not-a-real-token SENTRY_ORG=acme SENTRY_PROJECT=web
export SENTRY_CLI_NO_UPDATE_CHECK=1 SENTRY_LOG_LEVEL=warn

# One tool: RUNS times inject + upload on fresh copies and fresh servers, then one unchanged re-upload.
bench() {
  local name=$1 inject_cmd=$2 upload_cmd=$3
  : > "$work/inject.t"
  : > "$work/upload.t"
  for _ in $(seq "$runs"); do
    rm -rf "$work/build"
    cp -r "$corpus" "$work/build"
    start_server
    # shellcheck disable=SC2086 # the command strings are word lists
    measure $inject_cmd "$work/build" >> "$work/inject.t"
    # shellcheck disable=SC2086
    measure $upload_cmd "$work/build" >> "$work/upload.t"
    # shellcheck disable=SC2086
    measure $upload_cmd "$work/build" > "$work/reupload.t"
    stop_server
  done
  local inject_s inject_kb upload_s upload_kb again_s
  inject_s=$(cut -d ' ' -f 1 < "$work/inject.t" | median)
  inject_kb=$(cut -d ' ' -f 2 < "$work/inject.t" | median)
  upload_s=$(cut -d ' ' -f 1 < "$work/upload.t" | median)
  upload_kb=$(cut -d ' ' -f 2 < "$work/upload.t" | median)
  again_s=$(cut -d ' ' -f 1 < "$work/reupload.t")
  printf '%-16s %8s %9s %8s %9s %9s %9s %10s\n' "$name" "$inject_s" "$((inject_kb / 1024))" \
    "$upload_s" "$((upload_kb / 1024))" \
    "$(echo "$inject_s $upload_s" | awk '{printf "%.2f", $1 + $2}')" \
    "$(( (inject_kb > upload_kb ? inject_kb : upload_kb) / 1024 ))" "$again_s"
}

printf '\n%-16s %8s %9s %8s %9s %9s %9s %10s\n' tool inject_s inject_MB upload_s upload_MB total_s peak_MB reupload_s
bench sentry-companion "$companion sourcemaps inject" "$companion sourcemaps upload"
bench sentry-cli-3.8.0 "$sentry_cli sourcemaps inject" "$sentry_cli sourcemaps upload --wait"
echo
echo "median of $runs runs; the fake server log:"
grep -c assembled "$work/server.log" | xargs echo "bundles assembled:"
