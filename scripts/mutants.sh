#!/usr/bin/env bash
# Mutation testing of the code that decides: the gate's rules, statistics and timeline; the Sentry
# client's paths, retries, pagination and error classification; git history and patch sets; the
# release payload limits; the source-map injector and chunk planner; the HTTP server's auth checks.
#
# cargo-mutants changes one operator or branch at a time and reruns the tests; a change no test
# notices is a gap. Each part of the crate is mutated in a scratch crate holding only the modules
# it needs (scripts/mutants-alone.py), against their unit tests: ~1-3 s a mutant instead of
# 10-15 s for the whole crate, about 25 minutes for all ~1,500 mutants on 2 cores. Prints the
# score per file (timeouts count as caught; exclusions, each with its reason, are in
# .cargo/mutants.toml and counted apart) and the surviving mutants.
#
#   scripts/mutants.sh                       every part
#   scripts/mutants.sh gate-rules leaves     only these parts (see PARTS in mutants-alone.py)
#   scripts/mutants.sh --iterate             retest only what the last run did not catch
#   MUTANTS_TIMEOUT=30 scripts/mutants.sh    a longer per-mutant test timeout (seconds, default 10)
#
# CI runs scripts/mutants-diff.sh instead: the lines of the newest change only, time-capped.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/mutants-alone.py "$@"
