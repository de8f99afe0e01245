#!/usr/bin/env bash
# Installs the prebuilt sentry-companion binary for this runner from the project's GitHub release,
# after checking its SHA-256. Never compiles. Inputs arrive only through the environment.
set -euo pipefail

repository=${ACTION_REPOSITORY:-sentry-companion/sentry-companion}
version=${CLI_VERSION:-}
if [ -z "$version" ]; then
  case "${ACTION_REF:-}" in
    v[0-9]*) version=$ACTION_REF ;;
    *) version=latest ;;
  esac
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
