#!/usr/bin/env bash
# Benchmark: `release create --dry-run` over a ~10,000-commit range against `git log --name-status`
# on the same range, in a generated repository of 50,000+ commits (several files per commit).
#
# Usage: scripts/bench-release.sh [COMMITS] [RANGE]   (defaults 50000 and 10000)
# Env:   BIN=path/to/sentry-companion (default: target/release/sentry-companion, built if missing)
#        WORK=dir to keep the generated repository in (default: a temporary directory)
#        RUNS=timed runs per command, the best is reported (default 3)
# Target: the companion within 1.0x git's time and under 100 MiB peak memory.
set -euo pipefail

commits=${1:-50000}
range=${2:-10000}
runs=${RUNS:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BIN:-$root/target/release/sentry-companion}

if [[ ! -x $bin ]]; then
    echo "building $bin" >&2
    (cd "$root" && cargo build --release --quiet)
fi

work=${WORK:-}
if [[ -z $work ]]; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi
repo=$work/repo

# A fast-import stream: COMMITS commits, each modifying four of 1,000 files in 50 directories,
# adding a file every 7th commit and deleting one every 13th. Dates and authors are fixed.
generate() {
    awk -v commits="$commits" '
    function blob(path, text) {
        printf "M 100644 inline %s\ndata %d\n%s\n", path, length(text), text
    }
    BEGIN {
        seed = 12345
        for (i = 1; i <= commits; i++) {
            message = sprintf("Change %d\n\nTouches several modules.", i)
            printf "commit refs/heads/main\n"
            printf "mark :%d\n", i
            printf "author Bench Author %d <author%d@example.com> %d +0000\n", i % 17, i % 17, 1700000000 + i * 60
            printf "committer Bench <bench@example.com> %d +0000\n", 1700000000 + i * 60
            printf "data %d\n%s\n", length(message), message
            if (i > 1) printf "from :%d\n", i - 1
            for (f = 0; f < 4; f++) {
                seed = (seed * 1103515245 + 12345) % 2147483648
                n = int(seed / 65536) % 1000
                blob(sprintf("src/mod%02d/file%03d.txt", n % 50, n), sprintf("commit %d file %d", i, n))
            }
            if (i % 7 == 0) blob(sprintf("added/batch%03d/new%05d.txt", int(i / 700), i), sprintf("new %d", i))
            gone = (i - 700) - (i - 700) % 7
            if (i % 13 == 0 && gone > 0) printf "D added/batch%03d/new%05d.txt\n", int(gone / 700), gone
            printf "\n"
        }
    }'
}

if [[ ! -d $repo/.git ]]; then
    echo "generating $commits commits with git fast-import in $repo" >&2
    git init -q -b main "$repo"
    generate | git -C "$repo" fast-import --quiet
    git -C "$repo" checkout -q main
    git -C "$repo" gc -q
fi

total=$(git -C "$repo" rev-list --count HEAD)
previous=$(git -C "$repo" rev-parse "HEAD~$range")
echo "repository: $total commits; range HEAD~$range..HEAD ($(git -C "$repo" rev-list --count "$previous..HEAD") commits)"

# Prints "SECONDS KIB" for one run of the command: elapsed time and peak resident memory.
measure() {
    if [[ -x /usr/bin/time ]]; then
        /usr/bin/time -f "%e %M" -o "$work/time.out" "$@" >/dev/null 2>"$work/stderr.out"
        cat "$work/time.out"
        return
    fi
    # Without GNU time: bash's clock, and the peak (VmHWM) read from /proc while the process runs.
    local start end pid peak=0 hwm
    start=$(date +%s.%N)
    "$@" >/dev/null 2>"$work/stderr.out" &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
        [[ -n $hwm && $hwm -gt $peak ]] && peak=$hwm
        sleep 0.01
    done
    wait "$pid"
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" -v p="$peak" 'BEGIN { printf "%.2f %d\n", e - s, p }'
}

# Runs a command RUNS times; prints the best time and the largest peak memory.
best_of() {
    local best="" most=0 seconds kib
    for _ in $(seq "$runs"); do
        read -r seconds kib < <(measure "$@")
        if [[ -z $best ]] || awk -v a="$seconds" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=$seconds
        fi
        ((kib > most)) && most=$kib
    done
    echo "$best $most"
}

cd "$repo"
read -r git_s git_kib < <(best_of git log --name-status --no-renames \
    --format='%H%x00%an%x00%ae%x00%aI%x00%B' "$previous..HEAD")
read -r ours_s ours_kib < <(best_of "$bin" release create bench-1.0 --dry-run \
    --from "$previous" --max-commits 1000000)

sent=$("$bin" release create bench-1.0 --dry-run --from "$previous" --max-commits 1000000 2>/dev/null \
    | grep -c '"id"')
echo "commits in the printed body: $sent"
printf '%-28s %8s s %8s MiB\n' "git log --name-status" "$git_s" "$((git_kib / 1024))"
printf '%-28s %8s s %8s MiB\n' "release create --dry-run" "$ours_s" "$((ours_kib / 1024))"
awk -v a="$ours_s" -v b="$git_s" 'BEGIN { printf "time ratio (companion / git): %.2fx (target <= 1.0x)\n", a / b }'
echo "peak memory target: <= 100 MiB"
