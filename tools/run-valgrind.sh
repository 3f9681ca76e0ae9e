#!/usr/bin/env bash
# run-valgrind.sh -- memcheck over the unit tests, a full build of the
# e-Toolbox, a failing build, and the fuzz corpus replay. TAP output; a
# case fails on any memory error or leak.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
make -s build/etoolbox build/unit-tests build/fuzz-replay >/dev/null || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"
n=0 failed=0
run() { # run NAME EXPECTED_EXIT COMMAND...
	local name=$1 want=$2; shift 2
	n=$((n + 1))
	$vg "$@" > "$work/out" 2> "$work/err"
	local rc=$?
	if [ $rc -eq "$want" ] && ! grep -q '==[0-9]*==' "$work/err"; then
		echo "ok $n - valgrind: $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - valgrind: $name (exit $rc, expected $want)"
		grep '==[0-9]*==' "$work/err" | head -30 | sed 's/^/#   /'
	fi
}
run "unit tests" 0 build/unit-tests
SOURCE_DATE_EPOCH=1700000000 run "build the e-Toolbox" 0 build/etoolbox build -q -o "$work/d" content/jmdi-etoolbox
run "build --single" 0 build/etoolbox build -q --single -o "$work/s" content/jmdi-etoolbox
cp -R tests/fixtures/minimal "$work/bad"
printf 'extra: [1\n' >> "$work/bad/course.yml"
printf '# Title\n<div>x</div>\n![](nope.png)\n' > "$work/bad/modules/basics/topics/parts.md"
run "a failing build" 1 build/etoolbox build -q -o "$work/b" "$work/bad"
run "fuzz corpus replay" 0 build/fuzz-replay tests/fuzz/corpus
echo "1..$n"
[ $failed -eq 0 ]
