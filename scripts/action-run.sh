#!/usr/bin/env bash
# The action's main step: release create, source maps (inject, upload), finalize, then deploy and gate
# as the inputs ask. Reads only INPUT_*
# variables (set by action.yml from its inputs) and SENTRY_* variables. The binary writes the step
# outputs, the job summary and the annotations itself (GITHUB_ACTIONS=true).
set -euo pipefail

bin=${SENTRY_COMPANION_BIN:-sentry-companion}
cd "${INPUT_WORKING_DIRECTORY:-.}"

if [ -n "${INPUT_AUTH_TOKEN:-}" ]; then
  # Secrets are masked already; a token typed into a workflow file is not, so mask it too.
  echo "::add-mask::$INPUT_AUTH_TOKEN"
  export SENTRY_AUTH_TOKEN=$INPUT_AUTH_TOKEN
fi
if [ -n "${INPUT_URL:-}" ]; then export SENTRY_URL=$INPUT_URL; fi
if [ -n "${INPUT_ORG:-}" ]; then export SENTRY_ORG=$INPUT_ORG; fi
if [ -n "${INPUT_PROJECTS:-}" ]; then
  projects=$(printf '%s' "$INPUT_PROJECTS" | tr ' \n' ',,')
  export SENTRY_PROJECT=$projects
fi

fail() {
  echo "::error title=sentry-companion::$1"
  exit 2
}
is_true() { [ "${1:-false}" = true ]; }
# Lists an input's items, one a line: split on commas and newlines (and on spaces too, with "words").
items() {
  local separators=$'\n,'
  if [ "${2:-}" = words ]; then separators=$'\n, '; fi
  printf '%s\n' "$1" | tr -s "$separators" '\n' | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d'
}

# `version`, or action-release's `release` (a tag ref is taken as its name); then the prefix.
version=${INPUT_VERSION:-}
release=${INPUT_RELEASE:-}
release=${release#refs/tags/}
if [ -n "$version" ] && [ -n "$release" ] && [ "$version" != "$release" ]; then
  fail "the inputs 'version' ($version) and 'release' ($release) name different releases: give one of them"
fi
version=${version:-$release}
if [ -z "$version" ]; then
  version=$("$bin" release propose-version)
fi
version="${INPUT_RELEASE_PREFIX:-${INPUT_VERSION_PREFIX:-}}$version"

set_commits=${INPUT_SET_COMMITS:-local}
create=(release create "$version")
case "$set_commits" in
  skip) create+=(--no-commits) ;;
  auto)
    # Only a --from tag the clone lacks is fetched: Sentry reads the commits itself.
    create+=(--auto --deepen)
    if [ -n "${INPUT_FROM:-}" ]; then create+=(--from "$INPUT_FROM"); fi
    ;;
  manual)
    if [ -z "${INPUT_REPO:-}" ] || [ -z "${INPUT_COMMIT:-}" ]; then
      fail "set_commits: manual needs the 'repo' and 'commit' inputs (and optionally 'previous_commit')"
    fi
    create+=(--commit "$INPUT_REPO@${INPUT_PREVIOUS_COMMIT:+$INPUT_PREVIOUS_COMMIT..}$INPUT_COMMIT")
    ;;
  local)
    # A shallow checkout is deepened until the range is whole (a no-op on a full clone).
    create+=(--deepen)
    if [ -n "${INPUT_FROM:-}" ]; then create+=(--from "$INPUT_FROM"); fi
    while IFS= read -r path; do create+=(--path "$path"); done < <(items "${INPUT_PATHS:-}")
    ;;
  *) fail "set_commits must be 'local', 'auto', 'manual' or 'skip', not '$set_commits'" ;;
esac
if is_true "${INPUT_IGNORE_MISSING:-}"; then create+=(--ignore-missing); fi
if is_true "${INPUT_IGNORE_EMPTY:-}"; then create+=(--ignore-empty); fi

sourcemap_paths=()
while IFS= read -r path; do sourcemap_paths+=("$path"); done < <(items "${INPUT_SOURCEMAPS:-}" words)
finalize=${INPUT_FINALIZE:-true}
# With source maps the release is finalized only once they are up.
if [ "$finalize" = true ] && [ ${#sourcemap_paths[@]} -eq 0 ]; then create+=(--finalize); fi
"$bin" "${create[@]}"

if [ ${#sourcemap_paths[@]} -gt 0 ]; then
  selection=()
  while IFS= read -r ext; do selection+=(--ext "$ext"); done < <(items "${INPUT_SOURCEMAPS_EXT:-}" words)
  while IFS= read -r glob; do selection+=(--ignore "$glob"); done < <(items "${INPUT_SOURCEMAPS_IGNORE:-}")
  if [ "${INPUT_INJECT:-true}" = true ]; then
    "$bin" sourcemaps inject "${sourcemap_paths[@]}" "${selection[@]}"
  fi
  upload=(sourcemaps upload "${sourcemap_paths[@]}" "${selection[@]}" --release "$version")
  if [ -n "${INPUT_DIST:-}" ]; then upload+=(--dist "$INPUT_DIST"); fi
  if [ -n "${INPUT_URL_PREFIX:-}" ]; then upload+=(--url-prefix "$INPUT_URL_PREFIX"); fi
  if [ "${INPUT_STRIP_COMMON_PREFIX:-false}" = true ]; then upload+=(--strip-common-prefix); fi
  "$bin" "${upload[@]}"
  if [ "$finalize" = true ]; then "$bin" release finalize "$version"; fi
fi

environment=${INPUT_ENVIRONMENT:-}
if [ -n "$environment" ] && is_true "${INPUT_DEPLOY:-true}"; then
  deploy=(release deploy "$version" --env "$environment")
  if [ -n "${INPUT_STARTED_AT:-}" ]; then deploy+=(--started "$INPUT_STARTED_AT"); fi
  "$bin" "${deploy[@]}"
fi

if is_true "${INPUT_GATE:-false}"; then
  if [ -z "$environment" ]; then
    fail "the gate needs the 'environment' input"
  fi
  if [ -n "${INPUT_GATE_AUTH_TOKEN:-}" ]; then
    # The gate reads issues, counts and sessions, which an org token (org:ci) cannot.
    echo "::add-mask::$INPUT_GATE_AUTH_TOKEN"
    export SENTRY_AUTH_TOKEN=$INPUT_GATE_AUTH_TOKEN
  fi
  "$bin" release gate "$version" --env "$environment" \
    --soak "${INPUT_GATE_SOAK:-10m}" \
    --max-new-issues "${INPUT_GATE_MAX_NEW_ISSUES:-0}" \
    --on-inconclusive "${INPUT_GATE_ON_INCONCLUSIVE:-neutral}"
fi
