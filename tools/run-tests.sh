#!/usr/bin/env bash
# run-tests.sh -- run every test suite and end with "N passed, N failed"
#
# usage: tools/run-tests.sh [suite...]
# suites: unit diag e2e fuzz asan valgrind browser lrs lrsd (default: all)
#
# Each suite prints TAP; this counts "ok" and "not ok" lines. A suite that
# exits non-zero without reporting a failure counts as one failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
suites=${*:-unit diag e2e check fuzz asan valgrind browser lrs lrsd}
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
passed=0 failed=0

run_suite() { # run_suite NAME COMMAND...
	local name=$1; shift
	local start=$SECONDS
	echo "=== $name"
	"$@" > "$log/$name" 2>&1
	local rc=$?
	grep "^not ok" "$log/$name" | sed "s/^/[$name] /"
	grep -A8 '^not ok' "$log/$name" | grep '^#' | head -60
	local p f
	p=$(grep -c '^ok ' "$log/$name")
	f=$(grep -c '^not ok ' "$log/$name")
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "[$name] suite failed (exit $rc) without a test failure:"
		tail -20 "$log/$name" | sed 's/^/#   /'
	fi
	echo "=== $name: $p passed, $f failed ($((SECONDS - start)) s)"
	passed=$((passed + p))
	failed=$((failed + f))
}

for s in $suites; do
	case $s in
	unit)
		make -s build/etoolbox build/unit-tests >/dev/null &&
			run_suite unit build/unit-tests ;;
	diag)
		run_suite diag tools/run-diag.sh ;;
	e2e)
		run_suite e2e tests/e2e/run.sh ;;
	check)
		make -s build/etoolbox >/dev/null &&
			run_suite check tools/run-check-cases.sh ;;
	fuzz)
		make -s build/fuzz-replay >/dev/null &&
			run_suite fuzz tools/run-fuzz-corpus.sh build/fuzz-replay ;;
	asan)
		# the same suites on a build with AddressSanitizer and UBSan
		if make -s asan >/dev/null 2>"$log/asan-build"; then
			export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
			export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
			run_suite asan-unit build/asan/unit-tests
			ETOOLBOX=build/asan/etoolbox run_suite asan-diag tools/run-diag.sh
			ETOOLBOX=build/asan/etoolbox run_suite asan-e2e tests/e2e/run.sh
			ETOOLBOX=build/asan/etoolbox run_suite asan-check tools/run-check-cases.sh
			run_suite asan-fuzz tools/run-fuzz-corpus.sh build/asan/fuzz-replay
			ETOOLBOX=build/asan/etoolbox run_suite asan-lrsd tests/lrsd/run.sh
			unset ASAN_OPTIONS UBSAN_OPTIONS
		else
			echo "[asan] build failed"; cat "$log/asan-build"; failed=$((failed + 1))
		fi ;;
	valgrind)
		run_suite valgrind tools/run-valgrind.sh ;;
	browser)
		run_suite browser tests/browser/run.sh ;;
	lrs)
		# send and statements against Learning Locker's LRS, then against ours
		run_suite lrs tests/lrs/run.sh
		LRS_UNDER_TEST=etoolbox LRS_VALGRIND=0 run_suite lrs-etoolbox tests/lrs/run.sh ;;
	lrsd)
		run_suite lrsd tests/lrsd/run.sh ;;
	*)
		echo "unknown suite '$s'"; failed=$((failed + 1)) ;;
	esac
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
