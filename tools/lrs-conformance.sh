#!/usr/bin/env bash
# lrs-conformance.sh -- run ADL's LRS conformance test suite against
# 'etoolbox lrs' (xAPI 1.0.3, HTTP Basic), and print pass/fail counts by
# section as a Markdown table.
#
#   tools/lrs-conformance.sh CHECKOUT [-g PATTERN] [-k]
#
# CHECKOUT is a local copy of github.com/adlnet/lrs-conformance-test-suite
# (any folder outside this repository; its code is never committed here).
# When CHECKOUT/node_modules is missing, 'npm install' runs there first.
# -g runs only the tests whose title matches PATTERN (the suite's grep);
# -k keeps the server's folder (database, log) and prints where it is.
#
# Not run in CI: CI can't fetch GitHub. docs/lrs.md has the last results.
#
# It builds build/etoolbox (ETOOLBOX=path overrides), starts a fresh
# server on 127.0.0.1 (a free port) with a new database and an admin key,
# runs the suite's console runner with -x 1.0.3, stops the server and
# summarizes the suite's JSON log (CHECKOUT/logs/<uuid>.log; that log
# holds the throwaway key of this run). Exit status: 0 when every test
# passed, 1 when some failed, 2 on usage or setup errors.
set -u
usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
cts=$(cd "$1" 2>/dev/null && pwd) || { echo "lrs-conformance: no folder '$1'" >&2; exit 2; }
shift
grep_pat="" keep=0
while [ $# -gt 0 ]; do
	case $1 in
	-g) grep_pat=${2:-}; shift 2 ;;
	-k) keep=1; shift ;;
	*) usage ;;
	esac
done
top=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$cts/bin/console_runner.js" ] || { echo "lrs-conformance: '$cts' is not a checkout of lrs-conformance-test-suite" >&2; exit 2; }
case $cts/ in "$top"/*) echo "lrs-conformance: keep the suite outside this repository" >&2; exit 2 ;; esac
if [ ! -d "$cts/node_modules" ]; then
	(cd "$cts" && npm install --no-audit --no-fund >&2) || { echo "lrs-conformance: npm install failed in '$cts'" >&2; exit 2; }
fi
E=${ETOOLBOX:-$top/build/etoolbox}
if [ -z "${ETOOLBOX:-}" ]; then
	make -s -C "$top" build/etoolbox >&2 || exit 2
fi

work=$(mktemp -d /tmp/etoolbox-cts-XXXXXX)
pid=""
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null
	fi
	if [ $keep = 1 ]; then echo "lrs-conformance: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM

"$E" lrs key add --db "$work/lrs.db" --scope admin --name conformance > "$work/admin.auth" 2>/dev/null ||
	{ echo "lrs-conformance: cannot make a key" >&2; exit 2; }
"$E" lrs --db "$work/lrs.db" --listen 127.0.0.1:0 --ready-file "$work/ready" -q > "$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$work/ready" ] && break; sleep 0.1; done
[ -s "$work/ready" ] || { echo "lrs-conformance: the server did not start:" >&2; cat "$work/server.log" >&2; exit 2; }
endpoint=$(sed 's/.*"lrs":"\([^"]*\)".*/\1/' "$work/ready")
endpoint=${endpoint%/}
user=$(cut -d: -f1 "$work/admin.auth")
pass=$(cut -d: -f2- "$work/admin.auth")
echo "lrs-conformance: $(cd "$cts" && git rev-parse --short HEAD 2>/dev/null || echo "suite") against $endpoint" >&2

before=$(ls "$cts/logs" 2>/dev/null | sort)
(cd "$cts" && node bin/console_runner.js -x 1.0.3 -e "$endpoint" -a -u "$user" -p "$pass" \
	${grep_pat:+-g "$grep_pat"}) > "$work/suite.out" 2>&1
log=""
for f in $(ls -t "$cts/logs" 2>/dev/null); do
	echo "$before" | grep -qx "$f" || { log="$cts/logs/$f"; break; }
done
[ -n "$log" ] || { echo "lrs-conformance: the suite wrote no log:" >&2; tail -20 "$work/suite.out" >&2; exit 2; }

node - "$log" <<'EOF'
// Counts by top-level section, then the failures, from the suite's log.
const fs = require('fs');
const l = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const rows = [];
let failures = [];
function leaves(n, path, acc) {
  const kids = n.tests || [];
  if (!kids.length) {
    if (n.status === 'passed') acc.passed++;
    else if (n.status === 'failed') { acc.failed++; failures.push(path.join(' > ') + '\n    ' + String(n.error || '').split('\n')[0]); }
    return;
  }
  for (const k of kids) leaves(k, path.concat([k.title]), acc);
}
for (const top of l.log.tests || []) {
  const acc = { passed: 0, failed: 0 };
  leaves(top, [top.title], acc);
  rows.push([top.title, acc.passed, acc.failed]);
}
console.log('| section | passed | failed |');
console.log('|---|---:|---:|');
for (const r of rows) console.log(`| ${r[0]} | ${r[1]} | ${r[2]} |`);
const s = l.summary || {};
console.log(`| **total** (${s.version || '?'}) | **${s.passed}** | **${s.failed}** |`);
if (failures.length) {
  console.log('\nfailures:');
  for (const f of failures) console.log('- ' + f.slice(0, 600));
}
process.exit(s.failed ? 1 : 0);
EOF
