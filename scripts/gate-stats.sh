#!/usr/bin/env bash
# Statistics benchmark of the deploy gate's error-rate rule (issue 9): simulated watches judged by
# the gate's own rule code (src/gate/judge.rs, src/gate/rules/, src/gate/rate_decision.rs) at ~20,
# ~500 and ~20,000 baseline errors/h, for true increases of 0 to +300%, on the default schedule
# (10m soak, 15m timeout) and on a longer one (30m soak, 35m timeout). Prints a Markdown table of
# pass / fail / inconclusive rates per row and whether the targets are met.
#
# Usage: scripts/gate-stats.sh [OPTIONS]   e.g. --check (exit 1 when a target is missed),
#        --trials 10000, --seed 7, --min-errors 0; see benches/gate_stats.rs for all of them.
# It measures rates, not speed; the `stats` profile optimises this crate (the rules' exact
# intervals are arithmetic-heavy) and builds the dependencies as for `dev`.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
for schedule in "10m 15m" "30m 35m"; do
    read -r soak timeout <<< "$schedule"
    printf '\n## Soak %s, timeout %s\n\n' "$soak" "$timeout"
    cargo bench --quiet --profile stats --bench gate_stats -- \
        --soak "$soak" --timeout "$timeout" "$@" || status=$?
done
exit "$status"
