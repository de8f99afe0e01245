#!/usr/bin/env bash
# Installs the prebuilt sentry-companion binary for this runner from the project's GitHub release,
# after checking its SHA-256. Never compiles. Inputs arrive only through the environment. The
# release is the one the action is pinned to: its tag, or the release tag at a pinned commit SHA
# (or at a moving tag such as v0), so a pinned workflow always runs the same binary.
set -euo pipefail

repository=${ACTION_REPOSITORY:-sentry-companion/sentry-companion}
api="${GITHUB_API_URL:-https://api.github.com}/repos/$repository"

fail() {
  echo "::error title=sentry-companion::$1"
  exit 2
}

# A GET from the GitHub API, authenticated with the job's token when there is one (rate limits).
github_api() {
  local auth=()
  if [ -n "${GITHUB_TOKEN:-}" ]; then auth=(-H "Authorization: Bearer $GITHUB_TOKEN"); fi
  curl --fail --silent --show-error --location --retry 3 "${auth[@]}" \
    -H "Accept: application/vnd.github+json" "$api/$1"
}

# "NAME SHA" per tag, from the API's JSON list.
tag_lines() {
  if command -v jq > /dev/null; then
    jq -r '.[] | "\(.name) \(.commit.sha)"'
  else
    python3 -c 'import json, sys; [print(t["name"], t["commit"]["sha"]) for t in json.load(sys.stdin)]'
  fi
}

# Every tag of the action's repository (100 a page, at most 10 pages).
all_tags() {
  local page lines
  for page in 1 2 3 4 5 6 7 8 9 10; do
    lines=$(github_api "tags?per_page=100&page=$page" | tag_lines)
    if [ -z "$lines" ]; then break; fi
    printf '%s\n' "$lines"
    if [ "$(printf '%s\n' "$lines" | wc -l)" -lt 100 ]; then break; fi
  done
}

# The release (vX.Y.Z) built from the commit REF names (a commit SHA, or a moving tag such as v0);
# nothing when there is none.
release_at() {
  local ref=$1 tags sha
  tags=$(all_tags)
  if [[ "$ref" =~ ^[0-9a-f]{40}$ ]]; then
    sha=$ref
  else
    sha=$(awk -v ref="$ref" '$1 == ref { print $2; exit }' <<< "$tags")
  fi
  awk -v sha="$sha" '$2 == sha && $1 ~ /^v[0-9]+\.[0-9]+\.[0-9]+/ { print $1; exit }' <<< "$tags"
}

# The binary built for the ref the workflow pinned the action to, never silently another one.
version=${CLI_VERSION:-}
ref=${ACTION_REF:-}
if [ -z "$version" ]; then
  if [[ "$ref" =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]]; then
    version=$ref
  elif [[ "$ref" =~ ^[0-9a-f]{40}$ ]] || [[ "$ref" =~ ^v[0-9]+(\.[0-9]+)?$ ]]; then
    version=$(release_at "$ref")
    if [ -z "$version" ]; then
      fail "no release of $repository was built from $ref: prebuilt binaries exist for release tags only. Pin the action to a release tag (vX.Y.Z) or its commit SHA, or set the cli_version input"
    fi
  elif [ -z "$ref" ]; then
    version=latest # `uses: ./`, a local copy of the action
  else
    echo "::warning title=sentry-companion::the action is used at '$ref', a branch: installing the latest release. Pin a release tag or its commit SHA to install a fixed binary"
    version=latest
  fi
fi

case "${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}" in
  Linux-X64 | Linux-x86_64) target=x86_64-unknown-linux-musl ;;
  Linux-ARM64 | Linux-aarch64) target=aarch64-unknown-linux-musl ;;
  macOS-X64 | Darwin-x86_64) target=x86_64-apple-darwin ;;
  macOS-ARM64 | Darwin-arm64) target=aarch64-apple-darwin ;;
  Windows-X64) target=x86_64-pc-windows-msvc ;;
  *)
    echo "::error title=sentry-companion::no prebuilt binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}; supported: Linux x64/arm64, macOS x64/arm64, Windows x64"
    exit 2
    ;;
esac

case "$target" in
  *windows*) archive="sentry-companion-$target.zip" ;;
  *) archive="sentry-companion-$target.tar.gz" ;;
esac
if [ "$version" = latest ]; then
  base="https://github.com/$repository/releases/latest/download"
else
  base="https://github.com/$repository/releases/download/$version"
fi

install_dir="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}}/sentry-companion/$version/$target"
if [ ! -x "$install_dir/sentry-companion" ] && [ ! -x "$install_dir/sentry-companion.exe" ]; then
  work=$(mktemp -d)
  curl --fail --silent --show-error --location --retry 3 -o "$work/$archive" "$base/$archive"
  curl --fail --silent --show-error --location --retry 3 -o "$work/$archive.sha256" "$base/$archive.sha256"
  expected=$(cut -d ' ' -f 1 < "$work/$archive.sha256")
  if command -v sha256sum > /dev/null; then
    actual=$(sha256sum "$work/$archive" | cut -d ' ' -f 1)
  else
    actual=$(shasum -a 256 "$work/$archive" | cut -d ' ' -f 1)
  fi
  if [ "$expected" != "$actual" ]; then
    echo "::error title=sentry-companion::checksum mismatch for $archive (expected $expected, got $actual)"
    exit 2
  fi
  mkdir -p "$install_dir"
  case "$archive" in
    *.zip) unzip -q -o "$work/$archive" -d "$install_dir" ;;
    *) tar -xzf "$work/$archive" -C "$install_dir" ;;
  esac
  rm -rf "$work"
fi
echo "$install_dir" >> "$GITHUB_PATH"
echo "sentry-companion $version ($target) installed in $install_dir"
