#!/usr/bin/env bash
# install-browser-deps.sh -- install what the browser tests (tests/browser) need, and only
# what is missing: Debian's chromium and unzip, and the exact npm packages of
# tests/browser/package-lock.json. Idempotent. Uses sudo when not root. Runs
# 'apt-get update' only when a package is missing and apt has no package lists (or the
# first install attempt fails). Node.js 20 and npm come with the machine.
# Everything it prints goes to stderr.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
exec 1>&2

missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v unzip >/dev/null 2>&1 || missing="$missing unzip"
if [ -n "$missing" ]; then
	echo "install-browser-deps: installing$missing"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then
		$sudo apt-get update -qq
	fi
	# shellcheck disable=SC2086
	if ! $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
		$sudo apt-get update -qq
		# shellcheck disable=SC2086
		$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
	fi
fi

command -v node >/dev/null 2>&1 || { echo "install-browser-deps: node (20 or later) is needed"; exit 1; }
cd "$top/tests/browser"
need=0
for m in playwright-core scorm-again axe-core; do
	[ -f "node_modules/$m/package.json" ] || need=1
done
# a lock file newer than the installed tree: install again
if [ $need -eq 0 ] && ! cmp -s package-lock.json node_modules/.package-lock.json 2>/dev/null; then
	node -e '
	  const a = require("./package-lock.json").packages, b = require("./node_modules/.package-lock.json").packages;
	  for (const k of Object.keys(a)) if (k && (!b[k] || b[k].version !== a[k].version)) process.exit(1);
	' || need=1
fi
if [ $need -eq 1 ]; then
	echo "install-browser-deps: npm ci in tests/browser"
	npm ci --no-audit --no-fund --loglevel=error
fi
