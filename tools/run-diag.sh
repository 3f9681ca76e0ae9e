#!/usr/bin/env bash
# run-diag.sh -- run the diagnostic cases in tests/diag/*.test (TAP output)
#
# usage: tools/run-diag.sh [CASE.test...]
#   ETOOLBOX=path/to/etoolbox overrides the binary (default build/etoolbox)
#
# A case starts from the complete course in tests/fixtures/minimal/, changes
# it, runs 'etoolbox build', and asserts the exact standard error, exit
# status 1, and that nothing was written. Its sections:
#
#   # comment lines before the first section say what the case breaks
#   %%FILE <path>     the lines up to the next section replace that file
#   %%BYTES <path>    the next line, with printf %b escapes, is the file
#   %%DELETE <path>   remove that file
#   %%ARGS <args>     extra arguments for 'etoolbox build'
#   %%EXPECT          the exact standard error, to the end of the case
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${ETOOLBOX:-$top/build/etoolbox}
case $bin in /*) ;; *) bin=$top/$bin ;; esac
[ $# -gt 0 ] || set -- "$top"/tests/diag/*.test
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 failed=0
echo "1..$#"
for t in "$@"; do
	n=$((n + 1))
	name=$(basename "$t" .test)
	d="$work/$name"
	mkdir -p "$d"
	cp -R "$top/tests/fixtures/minimal" "$d/course"
	# split the case into files; BYTES and DELETE become shell steps
	awk -v dir="$d" '
	function flush() { if (out != "") close(out); out = "" }
	/^%%FILE / { flush(); out = dir "/course/" substr($0, 8);
		     system("mkdir -p \"$(dirname \"" out "\")\""); printf "" > out; mode = "f"; next }
	/^%%BYTES / { flush(); bpath = substr($0, 9); mode = "b"; next }
	/^%%DELETE / { flush(); print substr($0, 10) >> (dir "/deletes"); mode = ""; next }
	/^%%ARGS / { flush(); print substr($0, 8) > (dir "/args"); mode = ""; next }
	/^%%EXPECT$/ { flush(); out = dir "/expect"; printf "" > out; mode = "f"; next }
	mode == "f" { print >> out; next }
	mode == "b" { print bpath >> (dir "/bytes"); print >> (dir "/bytes"); mode = ""; next }
	' "$t"
	if [ -f "$d/bytes" ]; then
		while IFS= read -r p && IFS= read -r content; do
			mkdir -p "$(dirname "$d/course/$p")"
			printf '%b' "$content" > "$d/course/$p"
		done < "$d/bytes"
	fi
	if [ -f "$d/deletes" ]; then
		while IFS= read -r p; do rm -rf "${d:?}/course/$p"; done < "$d/deletes"
	fi
	args=$(cat "$d/args" 2>/dev/null || true)
	# shellcheck disable=SC2086
	(cd "$d/course" && ETOOLBOX_NO_EXCERPT=1 "$bin" build -q -o ../out $args . \
		>"$d/stdout" 2>"$d/stderr")
	rc=$?
	problem=""
	if [ ! -f "$d/expect" ]; then
		problem="case has no %%EXPECT section"
	elif [ $rc -ne 1 ]; then
		problem="exit status $rc, expected 1"
	elif ! diff -u "$d/expect" "$d/stderr" > "$d/diff"; then
		problem="standard error differs"
	elif [ -e "$d/out" ] && [ -n "$(ls -A "$d/out")" ]; then
		problem="files were written to the output folder"
	fi
	if [ -z "$problem" ]; then
		echo "ok $n - diag $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - diag $name: $problem"
		sed 's/^/#   /' "$d/diff" 2>/dev/null | head -40
		[ -s "$d/diff" ] || sed 's/^/#   stderr: /' "$d/stderr" | head -20
	fi
done
[ $failed -eq 0 ]
