#!/usr/bin/env bash
# sentry-companion in any CI (Jenkins, Buildkite, CircleCI, a deploy script): create the release from
# git history, record the deploy, then gate. Needs SENTRY_AUTH_TOKEN, SENTRY_ORG and SENTRY_PROJECT in
# the environment and a checkout with full history (no shallow clone). SENTRY_SOURCEMAPS (build output
# paths, space separated) adds source maps.
set -euo pipefail

environment=${1:?usage: ci.sh ENVIRONMENT}
version=${SENTRY_RELEASE:-$(sentry-companion release propose-version)}

if [ -n "${SENTRY_SOURCEMAPS:-}" ]; then
  # Source maps between create and finalize: the release is complete once they are up.
  sentry-companion release create "$version"
  read -r -a build <<< "$SENTRY_SOURCEMAPS"
  sentry-companion sourcemaps inject "${build[@]}"
  sentry-companion sourcemaps upload "${build[@]}" --release "$version"
  sentry-companion release finalize "$version"
else
  sentry-companion release create "$version" --finalize
fi
sentry-companion release deploy "$version" --env "$environment"

# Exit codes: 0 passed, 1 regression found, 2 error, 3 inconclusive.
status=0
sentry-companion release gate "$version" --env "$environment" --soak 10m || status=$?
case "$status" in
  0) echo "Release $version is healthy." ;;
  1) echo "Release $version regressed: roll back." >&2 ;;
  3) echo "Not enough data to judge $version." >&2 ;;
  *) echo "The gate could not run (exit $status)." >&2 ;;
esac
exit "$status"
