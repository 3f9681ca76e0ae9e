#!/usr/bin/env bash
# tests/lrsd/run.sh -- tests of the server 'etoolbox lrs' over HTTP:
# statements (POST/PUT/GET, every filter, voiding, conflicts, 400s that
# name the field, versions, paging), Activity State, CORS, keys and scopes,
# limits and timeouts, durability across kill -9, 10,000 hostile requests,
# 'etoolbox send' and 'etoolbox statements' against it, and a run under
# valgrind. Prints TAP. Node.js only (no npm packages). Every server it
# starts listens on 127.0.0.1 and is stopped by it.
#
#   tests/lrsd/run.sh            ETOOLBOX=path overrides build/etoolbox
#   LRSD_VALGRIND=0              skips the valgrind case (it is skipped
#                                for an ASan build, too)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top" || exit 2
bail() { echo "not ok 1 - $1"; echo "1..1"; exit 1; }
command -v node >/dev/null || bail "node is needed"
if [ -z "${ETOOLBOX:-}" ]; then
	make -s build/etoolbox >&2 || bail "make build/etoolbox"
fi
E=$(cd "$(dirname "${ETOOLBOX:-build/etoolbox}")" && pwd)/$(basename "${ETOOLBOX:-build/etoolbox}")
vg=${LRSD_VALGRIND:-1}
command -v valgrind >/dev/null || vg=0
sanitized=0
case $E in */asan/*) vg=0 sanitized=1 ;; esac
work=$(mktemp -d /tmp/etoolbox-lrsd-XXXXXX)
trap 'rm -rf "$work"' EXIT
node "$here/run.js" --etoolbox "$E" --work "$work" --valgrind "$vg" --sanitized "$sanitized"
