#!/usr/bin/env bash
# bench/send.sh -- throughput of 'etoolbox send' and 'etoolbox statements'
# against a local LRS (issue 5, section 5)
#
#   bench/send.sh [-n ROUNDS] [-c COUNT] [-x EXPORT_COUNT]
#
#   -n ROUNDS        rounds of the send comparison (default 5)
#   -c COUNT         statements sent per run (default 20000)
#   -x EXPORT_COUNT  statements in the LRS for the export test (default
#                    100000; 0 skips it)
#
# One run, side by side, same machine, same LRS (Learning Locker's
# xapi-statements from npm, in memory on 127.0.0.1, started fresh for every
# measurement and warmed with 500 other statements first):
#   1. the same COUNT statements (tools/lrs-gen.js) sent in batches of 100 by
#      - etoolbox send (default settings: validation, journal with fsync);
#      - npm @xapi/xapi 3.0.3, sendStatements() per batch, sequential;
#      - "raw": the batches serialized beforehand and posted by Node's http
#        module over one kept-alive socket: what the LRS itself ingests;
#      taking turns within each round. Medians of statements/s, the ratio
#      etoolbox / @xapi/xapi, and each as a share of raw.
#   2. EXPORT_COUNT statements loaded into one LRS, then 'etoolbox statements'
#      (JSON Lines and CSV) reads them all, and the newest fifth, three times
#      each: seconds, statements/s and peak RSS (GNU time).
# Results are printed and written to bench/results/send-YYYY-MM-DD.md. About
# 6 minutes on 2 cores with the defaults. It installs what is missing: GNU
# time (apt-get) and the npm packages (tools/lrs-install.sh).
set -eu
ROUNDS=5
COUNT=20000
EXPORT=100000
while getopts n:c:x: opt; do
	case $opt in
	n) ROUNDS=$OPTARG ;;
	c) COUNT=$OPTARG ;;
	x) EXPORT=$OPTARG ;;
	*) sed -n '2,12p' "$0"; exit 2 ;;
	esac
done
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
E=${ETOOLBOX:-$top/build/etoolbox}
[ -n "${ETOOLBOX:-}" ] || make -s build/etoolbox
tools/lrs-install.sh
if [ ! -x /usr/bin/time ] || ! command -v bc >/dev/null; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get install -y -qq time bc >/dev/null
fi

work=$(mktemp -d /tmp/etoolbox-bench-send-XXXXXX)
export XDG_STATE_HOME="$work/state"
lrs_pid=""
stop_lrs() {
	if [ -n "$lrs_pid" ]; then
		kill "$lrs_pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$lrs_pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$lrs_pid" 2>/dev/null || true
		lrs_pid=""
	fi
}
trap 'stop_lrs; rm -rf "$work"' EXIT
start_lrs() { # sets $lrs
	rm -f "$work/lrs.ready"
	node tools/lrs-start.js --ready-file "$work/lrs.ready" >"$work/lrs.log" 2>&1 &
	lrs_pid=$!
	for _ in $(seq 300); do [ -s "$work/lrs.ready" ] && break; sleep 0.1; done
	[ -s "$work/lrs.ready" ] || { echo "the LRS did not start"; cat "$work/lrs.log"; exit 1; }
	lrs=$(node -e "console.log(JSON.parse(require('fs').readFileSync('$work/lrs.ready','utf8')).lrs)")
	# warm up: JIT and the store, with statements the measured ones don't share
	"$E" send -q --no-journal --lrs "$lrs" "$work/warm.jsonl"
}
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

node tools/lrs-gen.js --count "$COUNT" --seed 101 > "$work/s.jsonl"
node tools/lrs-gen.js --count 500 --seed 999 > "$work/warm.jsonl"
bytes=$(wc -c < "$work/s.jsonl")
echo "send: $COUNT statements ($((bytes / 1024)) KiB of JSON Lines), batches of 100, $ROUNDS rounds"

: > "$work/etoolbox.t"; : > "$work/xapi.t"; : > "$work/raw.t"
run_tool() { # one measurement; a failed one is reported and made again
	local tool=$1 t0 t1 s stored try
	for try in 1 2; do
		start_lrs
		case $tool in
		etoolbox)
			rm -rf "$XDG_STATE_HOME"
			t0=$(now)
			"$E" send -q --lrs "$lrs" --batch 100 "$work/s.jsonl" || true
			t1=$(now)
			s=$(echo "$t1 - $t0" | bc -l) ;;
		xapi) s=$(node bench/xapi-send.js --client xapi --lrs "$lrs" --file "$work/s.jsonl" --batch 100) || s=0 ;;
		raw) s=$(node bench/xapi-send.js --client raw --lrs "$lrs" --file "$work/s.jsonl" --batch 100) || s=0 ;;
		esac
		stored=$("$E" statements -q --lrs "$lrs" --page-size 1000 | grep -c .) || true
		stop_lrs
		if [ "$stored" -eq $((COUNT + 500)) ] && [ "$s" != 0 ]; then
			echo "$s" >> "$work/$tool.t"
			printf '  %-9s %7.2f s  %6.0f statements/s\n' "$tool" "$s" "$(echo "$COUNT / $s" | bc -l)"
			return 0
		fi
		echo "  $tool: the LRS holds $stored statements, not $((COUNT + 500)) (try $try)"
	done
	exit 1
}
order="etoolbox xapi raw"
for r in $(seq "$ROUNDS"); do
	echo "round $r"
	for t in $order; do run_tool "$t"; done
	order="${order#* } ${order%% *}" # rotate who goes first
done
me=$(median < "$work/etoolbox.t"); mx=$(median < "$work/xapi.t"); mr=$(median < "$work/raw.t")
re=$(echo "$COUNT / $me" | bc -l); rx=$(echo "$COUNT / $mx" | bc -l); rr=$(echo "$COUNT / $mr" | bc -l)

if [ "$EXPORT" -gt 0 ]; then
	echo "statements: loading $EXPORT statements"
	node tools/lrs-gen.js --count "$EXPORT" --seed 202 > "$work/x.jsonl"
	rm -f "$work/lrs.ready"
	node tools/lrs-start.js --ready-file "$work/lrs.ready" >"$work/lrs.log" 2>&1 &
	lrs_pid=$!
	for _ in $(seq 300); do [ -s "$work/lrs.ready" ] && break; sleep 0.1; done
	lrs=$(node -e "console.log(JSON.parse(require('fs').readFileSync('$work/lrs.ready','utf8')).lrs)")
	t0=$(now)
	"$E" send -q --no-journal --lrs "$lrs" --batch 100 "$work/x.jsonl"
	load=$(echo "$(now) - $t0" | bc -l)
	# the stored time of the statement at 80%: --since it gives the newest fifth
	since=$("$E" statements -q --lrs "$lrs" --page-size 1000 | sed -n "$((EXPORT * 4 / 5))p" |
		node -e "console.log(JSON.parse(require('fs').readFileSync(0,'utf8')).stored)")
	: > "$work/export.txt"
	for fmt in jsonl csv; do
		for part in all fifth; do
			: > "$work/t"; : > "$work/m"
			for i in 1 2 3; do
				extra=""
				[ $part = fifth ] && extra="--since $since"
				# shellcheck disable=SC2086
				/usr/bin/time -f '%e %M' -o "$work/time" "$E" statements -q --lrs "$lrs" \
					--format $fmt $extra > "$work/out"
				n=$(grep -c . "$work/out")
				[ $fmt = csv ] && n=$((n - 1))
				read -r secs kb < "$work/time"
				echo "$secs" >> "$work/t"; echo "$kb" >> "$work/m"
			done
			s=$(median < "$work/t"); m=$(median < "$work/m")
			printf '%s %s %s %s %s\n' $fmt $part "$n" "$s" "$m" >> "$work/export.txt"
			printf '  %-5s %-5s %6d statements  %6.2f s  %7.0f statements/s  peak RSS %6.1f MiB\n' \
				$fmt $part "$n" "$s" "$(echo "$n / $s" | bc -l)" "$(echo "$m / 1024" | bc -l)"
		done
	done
	lrs_rss=$(awk '/VmHWM/ {print $2}' "/proc/$lrs_pid/status" 2>/dev/null || echo 0)
	stop_lrs
fi

mkdir -p bench/results
out="bench/results/send-$(date -u +%Y-%m-%d).md"
{
	echo "# bench/send.sh, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), Node $(node --version), $("$E" --version)."
	echo
	echo "## send: $COUNT statements in batches of 100, medians of $ROUNDS rounds"
	echo
	echo "| client | seconds | statements/s | share of the LRS's own rate |"
	echo "|---|---|---|---|"
	printf '| etoolbox send | %.2f | %.0f | %.0f%% |\n' "$me" "$re" "$(echo "100 * $re / $rr" | bc -l)"
	printf '| @xapi/xapi 3.0.3 | %.2f | %.0f | %.0f%% |\n' "$mx" "$rx" "$(echo "100 * $rx / $rr" | bc -l)"
	printf '| raw (pre-serialized, the LRS alone) | %.2f | %.0f | 100%% |\n' "$mr" "$rr"
	echo
	printf 'etoolbox send / @xapi/xapi: %.2f\n' "$(echo "$re / $rx" | bc -l)"
	echo
	echo "Every round: $(paste -sd' ' "$work/etoolbox.t") (etoolbox), $(paste -sd' ' "$work/xapi.t") (@xapi/xapi), $(paste -sd' ' "$work/raw.t") (raw) seconds."
	if [ "$EXPORT" -gt 0 ]; then
		echo
		echo "## statements: export from an LRS holding $EXPORT statements (medians of 3)"
		echo
		printf 'Loading them with etoolbox send took %.1f s (%.0f statements/s).\n\n' "$load" "$(echo "$EXPORT / $load" | bc -l)"
		echo "| format | statements | seconds | statements/s | peak RSS |"
		echo "|---|---|---|---|---|"
		while read -r fmt part n s m; do
			printf '| %s | %d | %.2f | %.0f | %.1f MiB |\n' "$fmt" "$n" "$s" "$(echo "$n / $s" | bc -l)" "$(echo "$m / 1024" | bc -l)"
		done < "$work/export.txt"
		printf '\nThe LRS process peaked at %.0f MiB.\n' "$(echo "${lrs_rss:-0} / 1024" | bc -l)"
	fi
} > "$out"
echo
cat "$out"
echo
echo "written to $out"
