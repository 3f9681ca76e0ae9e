#!/usr/bin/env bash
# tests/browser/run.sh -- the learner's side, end to end: builds the e-Toolbox packages
# with build/etoolbox, unzips each, and runs a scripted learner through every module in
# headless Chromium against scorm-again's SCORM 1.2 API (tests/browser/run.js); then the
# xAPI tests (tests/browser/xapi.js): the Core Module built with --lrs-endpoint, played
# against a real LRS (tools/lrs-start.js) behind the fault proxy (tools/lrs-proxy.js).
# Prints TAP on stdout (everything else goes to stderr); exits non-zero on any failure.
#
#   tests/browser/run.sh [--screenshots docs/screenshots] [--only REGEX]
#
# Installs what is missing first (tools/install-browser-deps.sh): Chromium and unzip from
# Debian, the npm packages from tests/browser/package-lock.json; and the LRS's npm packages
# (tools/lrs-install.sh, tests/lrs/package-lock.json).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top"

tap_fail() { echo "not ok 1 - $1"; echo "1..1"; exit 1; }

"$top/tools/install-browser-deps.sh" || tap_fail "install Chromium and the npm packages of tests/browser"
# the LRS for the xAPI tests (tests/browser/xapi.js): without it those tests fail, the others run
"$top/tools/lrs-install.sh" >&2 || echo "run.sh: tools/lrs-install.sh failed: the xAPI tests will fail" >&2
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
