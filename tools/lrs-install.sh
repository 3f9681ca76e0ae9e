#!/usr/bin/env bash
# lrs-install.sh -- install the npm packages of the LRS tests and the send
# benchmark into tests/lrs/node_modules (gitignored), exactly as
# tests/lrs/package-lock.json pins them: Learning Locker's xapi-statements
# 5.0.1 (the LRS, GPL-3.0: installed, never vendored), xapi-validation
# 2.1.4 and @learninglocker/xapi-validation 3.0.0 (validators) and
# @xapi/xapi 3.0.3 (a client to compare with). Does nothing when they are
# there. Node.js and npm come with the machine (README.md).
set -eu
dir=$(cd "$(dirname "$0")/../tests/lrs" && pwd)
stamp="$dir/node_modules/.etoolbox-installed"
if [ -f "$stamp" ] && [ "$stamp" -nt "$dir/package-lock.json" ] &&
	[ -d "$dir/node_modules/xapi-statements" ]; then
	exit 0
fi
command -v npm >/dev/null || { echo "lrs-install: npm is missing" >&2; exit 1; }
echo "lrs-install: npm ci in tests/lrs (about a minute)" >&2
cd "$dir"
# xapi-statements declares node 6-8; it runs on current Node (EBADENGINE
# is only a warning)
npm ci --no-audit --no-fund --loglevel=error >&2
touch "$stamp"
