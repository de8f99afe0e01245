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

set_commits=${INPUT_SET_COMMITS:-local}
case "$set_commits" in
  local | skip) ;;
  *)
    echo "::error title=sentry-companion::set_commits must be 'local' or 'skip', not '$set_commits'"
    exit 2
    ;;
esac
if [ "$set_commits" = local ] && [ "$(git rev-parse --is-shallow-repository 2> /dev/null || echo false)" = true ]; then
  echo "::warning title=Shallow checkout::The checkout is shallow, so the commits since the previous release may be missing. Use actions/checkout with 'fetch-depth: 0'."
fi

version=${INPUT_VERSION:-}
if [ -z "$version" ]; then
  version=$("$bin" release propose-version)
fi

create=(release create "$version")
if [ "$set_commits" = skip ]; then
  create+=(--no-commits)
else
  if [ -n "${INPUT_FROM:-}" ]; then create+=(--from "$INPUT_FROM"); fi
  while IFS= read -r path; do
    path=${path#"${path%%[![:space:]]*}"}
    path=${path%"${path##*[![:space:]]}"}
    if [ -n "$path" ]; then create+=(--path "$path"); fi
  done < <(printf '%s\n' "${INPUT_PATHS:-}" | tr ',' '\n')
fi
# Lists an input's items, one a line: split on commas and newlines (and on spaces too, with "words").
items() {
  local separators=$'\n,'
  if [ "${2:-}" = words ]; then separators=$'\n, '; fi
  printf '%s\n' "$1" | tr -s "$separators" '\n' | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d'
}

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
if [ -n "$environment" ] && [ "${INPUT_DEPLOY:-true}" = true ]; then
  "$bin" release deploy "$version" --env "$environment"
fi

if [ "${INPUT_GATE:-false}" = true ]; then
  if [ -z "$environment" ]; then
    echo "::error title=sentry-companion::the gate needs the 'environment' input"
    exit 2
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
