#!/usr/bin/env bash
# tests/browser/run.sh -- the learner's side, end to end: builds the e-Toolbox packages
# with build/etoolbox, unzips each, and runs a scripted learner through every module in
# headless Chromium against scorm-again's SCORM 1.2 API (tests/browser/run.js).
# Prints TAP on stdout (everything else goes to stderr); exits non-zero on any failure.
#
#   tests/browser/run.sh [--screenshots docs/screenshots] [--only REGEX]
#
# Installs what is missing first (tools/install-browser-deps.sh): Chromium and unzip from
# Debian, the npm packages from tests/browser/package-lock.json.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top"

tap_fail() { echo "not ok 1 - $1"; echo "1..1"; exit 1; }

"$top/tools/install-browser-deps.sh" || tap_fail "install Chromium and the npm packages of tests/browser"
# the runtime is embedded in the binary: make rebuilds it when src/runtime/ changed
make -s build/etoolbox >&2 || tap_fail "make build/etoolbox"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/zips" "$tmp/pkgs"
build/etoolbox build -o "$tmp/zips" content/jmdi-etoolbox >&2 || tap_fail "etoolbox build -o DIR content/jmdi-etoolbox"
for z in "$tmp"/zips/*.zip; do
	[ -e "$z" ] || tap_fail "etoolbox build wrote no zip"
	unzip -q "$z" -d "$tmp/pkgs/$(basename "$z" .zip)" || tap_fail "unzip $(basename "$z")"
done

node "$here/run.js" --pkgs "$tmp/pkgs" "$@"
