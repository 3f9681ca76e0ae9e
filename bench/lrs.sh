#!/usr/bin/env bash
# bench/lrs.sh -- etoolbox lrs (issue 6, section 5): ingest side by side with
# Learning Locker's xapi-statements (in memory), query latency at a million
# statements, and peak memory as the store grows.
#
#   bench/lrs.sh [-c COUNT] [-m TOTAL] [-t SECONDS] [-r RUNS]
#
#   -c COUNT    statements of the ingest comparison (default 100000)
#   -m TOTAL    statements in the store for the query test (default 1000000,
#               a multiple of COUNT; 0 skips it)
#   -t SECONDS  longest one-by-one run (default 900; 0: no limit): a run that
#               reaches it stops, and its rate is over what it sent
#   -r RUNS     runs of each query (default 21; the median and p95 are shown)
#
# One run, one machine, the same client (bench/lrs-client.js: the batches
# serialized before the clock starts, posted by Node's http module over one
# kept-alive socket, each after the previous answer) and the same COUNT
# statements (tools/lrs-gen.js, seed 101):
#   1. ingest in batches of 100, then one statement per request, into a
#      fresh Learning Locker xapi-statements 5.0.1 in memory
#      (tools/lrs-start.js) and a fresh etoolbox lrs (durability on: WAL,
#      synchronous=FULL), each warmed with 500 other statements first; the
#      LRSs take turns, and each ends with a check that it holds them all;
#   2. etoolbox lrs loaded to TOTAL statements (the COUNT statements, then
#      variants of them with other ids, learners and registrations), in
#      batches of 100, with its memory (VmRSS, VmHWM) and database size after
#      each COUNT;
#   3. filtered pages at TOTAL statements (bench/lrs-query.js).
# Prints Markdown and writes it to bench/results/lrs-YYYY-MM-DD.md. About
# 40 minutes with the defaults on 2 cores, and 4 GB of disk. It installs
# what is missing: the npm packages (tools/lrs-install.sh).
set -eu
COUNT=100000
TOTAL=1000000
CAP=900
RUNS=21
while getopts c:m:t:r: opt; do
	case $opt in
	c) COUNT=$OPTARG ;;
	m) TOTAL=$OPTARG ;;
	t) CAP=$OPTARG ;;
	r) RUNS=$OPTARG ;;
	*) sed -n '2,14p' "$0"; exit 2 ;;
	esac
done
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
E=${ETOOLBOX:-$top/build/etoolbox}
[ -n "${ETOOLBOX:-}" ] || make -s build/etoolbox
tools/lrs-install.sh >&2

work=$(mktemp -d /tmp/etoolbox-bench-lrs-XXXXXX)
pids=""
stop_all() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do
		for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null || true
	done
	pids=""
}
trap 'stop_all; rm -rf "$work"' EXIT
out="$work/results.md"
say() { echo "$@" | tee -a "$out"; }
log() { echo "$@" >&2; }

ready_field() { node -e "process.stdout.write(String(JSON.parse(require('fs').readFileSync('$1','utf8'))['$2']))"; }
wait_ready() { for _ in $(seq 300); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }
kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
mb() { awk -v k="$1" 'BEGIN {printf "%.0f", k / 1024}'; }

# start_et NAME: a fresh etoolbox lrs; sets url, pid, auth
start_et() {
	local d="$work/$1"
	mkdir -p "$d"
	auth=$("$E" lrs key add --db "$d/lrs.db" --scope admin --name bench 2>/dev/null)
	"$E" lrs --db "$d/lrs.db" --listen 127.0.0.1:0 --ready-file "$d/ready" -q > "$d/log" 2>&1 &
	pid=$!
	pids="$pids $pid"
	wait_ready "$d/ready" || { cat "$d/log"; exit 1; }
	url=$(ready_field "$d/ready" lrs)
}
# start_ll NAME: a fresh Learning Locker (any credentials are accepted)
start_ll() {
	local d="$work/$1"
	mkdir -p "$d"
	node tools/lrs-start.js --ready-file "$d/ready" > "$d/log" 2>&1 &
	pid=$!
	pids="$pids $pid"
	wait_ready "$d/ready" || { cat "$d/log"; exit 1; }
	url=$(ready_field "$d/ready" lrs)
	auth=bench:bench
}
# stored URL AUTH: how many statements the LRS gives back
stored() { "$E" statements -q --lrs "$1" --auth "$2" --page-size 1000 | grep -c . || true; }

log "generating $COUNT statements"
node tools/lrs-gen.js --count "$COUNT" --seed 101 > "$work/s.jsonl"
node tools/lrs-gen.js --count 500 --seed 999 > "$work/warm.jsonl"
bytes=$(wc -c < "$work/s.jsonl")

say "## Results of $(date -u +%Y-%m-%d)"
say ""
say "Machine: $(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(. /etc/os-release; echo "$PRETTY_NAME"), Node $(node --version), SQLite $(pkg-config --modversion sqlite3), load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)."
say "The statements: $COUNT from tools/lrs-gen.js (seed 101), $((bytes / COUNT)) bytes each on average."
say ""

# ---- 1. ingest ------------------------------------------------------------------------
ingest() { # ingest LRS BATCH: one measurement on a fresh LRS; prints a table row
	local lrs=$1 batch=$2 label secs sent rate held rss cap=0
	[ "$batch" = 1 ] && cap=$CAP
	if [ "$lrs" = ll ]; then start_ll "ll-$batch"; label="Learning Locker xapi-statements (memory)"
	else start_et "et-$batch"; label="etoolbox lrs (SQLite, synchronous=FULL)"; fi
	node bench/lrs-client.js --lrs "$url" --auth "$auth" --file "$work/warm.jsonl" --batch 100 >/dev/null
	log "ingest: $label, batches of $batch"
	node bench/lrs-client.js --lrs "$url" --auth "$auth" --file "$work/s.jsonl" --batch "$batch" --seconds "$cap" > "$work/t"
	read -r secs sent < "$work/t"
	rss=$(kb "$pid" VmHWM)
	held=$(stored "$url" "$auth")
	stop_all
	rate=$(awk -v n="$sent" -v s="$secs" 'BEGIN {printf "%.0f", n / s}')
	if [ "$held" -ne $((sent + 500)) ]; then
		log "the LRS holds $held statements, not $((sent + 500))"; exit 1
	fi
	echo "$rate" > "$work/rate-$lrs-$batch"
	printf '| %s | %s | %s | %.1f s | **%s** | %s MiB |\n' "$label" \
		"$([ "$batch" = 1 ] && echo "one per request" || echo "batches of $batch")" "$sent" "$secs" "$rate" "$(mb "$rss")" | tee -a "$out"
}
say "### Ingest: the same $COUNT statements, the same client"
say ""
say "| LRS | requests | statements | time | statements/s | peak RSS |"
say "|---|---|---:|---:|---:|---:|"
ingest ll 100
ingest et 100
ingest ll 1
ingest et 1
ratio_b=$(awk -v a="$(cat "$work/rate-et-100")" -v b="$(cat "$work/rate-ll-100")" 'BEGIN {printf "%.1f", a / b}')
ratio_1=$(awk -v a="$(cat "$work/rate-et-1")" -v b="$(cat "$work/rate-ll-1")" 'BEGIN {printf "%.1f", a / b}')
say ""
say "etoolbox lrs / Learning Locker: **${ratio_b}×** in batches of 100 (target: at least 10×), ${ratio_1}× one by one."
say ""

# ---- 2. a million statements -----------------------------------------------------------
if [ "$TOTAL" -gt 0 ]; then
	start_et million
	d="$work/million"
	say "### etoolbox lrs growing to $TOTAL statements (batches of 100)"
	say ""
	say "| statements stored | this $COUNT: statements/s | VmRSS | peak RSS (VmHWM) | database + WAL |"
	say "|---:|---:|---:|---:|---:|"
	v=0
	while [ $((v * COUNT)) -lt "$TOTAL" ]; do
		log "loading variant $v"
		node bench/lrs-client.js --lrs "$url" --auth "$auth" --file "$work/s.jsonl" --batch 100 --variant "$v" > "$work/t"
		read -r secs sent < "$work/t"
		v=$((v + 1))
		size=$(du -cb "$d"/lrs.db* | tail -1 | cut -f1)
		printf '| %s | %.0f | %s MiB | %s MiB | %s MiB |\n' "$((v * COUNT))" "$(awk -v n="$sent" -v s="$secs" 'BEGIN {print n / s}')" \
			"$(mb "$(kb "$pid" VmRSS)")" "$(mb "$(kb "$pid" VmHWM)")" "$((size / 1048576))" | tee -a "$out"
	done
	say ""

	# ---- 3. queries ---------------------------------------------------------------------------
	node - "$work/s.jsonl" > "$work/queries.json" <<'JS'
const fs = require('fs');
const lines = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n');
const a = JSON.parse(lines[Math.floor(lines.length / 2)]);
const V = 'http://adlnet.gov/expapi/verbs/';
const mod = 'https://w3id.org/etoolbox/jmdi-etoolbox/core';
const agent = { objectType: 'Agent', account: a.actor.account };
const q = [
  ['no filter (the newest)', {}],
  ['verb = responded', { verb: V + 'responded' }],
  ['verb = responded, page 2 (its more link)', { verb: V + 'responded' }, true],
  ['agent = one learner', { agent }],
  ['registration = one attempt', { registration: a.context.registration }],
  ['activity = the module, related_activities', { activity: mod, related_activities: 'true' }],
  ['verb = passed, activity = the module', { verb: V + 'passed', activity: mod }],
  ['agent = one learner, verb = experienced', { agent, verb: V + 'experienced' }],
  ['verb = completed, since = an hour ago', { verb: V + 'completed', since: new Date(Date.now() - 3600e3).toISOString() }],
  ['verb = responded, ascending (the oldest)', { verb: V + 'responded', ascending: 'true' }],
];
const out = [];
for (const limit of [100, 1000])
  for (const [name, query, more] of q) out.push({ name: `${name}, limit ${limit}`, query: Object.assign({ limit: String(limit) }, query), more: !!more });
console.log(JSON.stringify(out));
JS
	log "queries at $TOTAL statements"
	say "### Filtered pages at $TOTAL statements"
	say ""
	say "Each query $RUNS times after one warm-up run, one kept-alive connection, the time to the last byte of the answer."
	say ""
	say "| query | statements on the page | median | p95 | max |"
	say "|---|---:|---:|---:|---:|"
	node bench/lrs-query.js --lrs "$url" --auth "$auth" --queries "$work/queries.json" --runs "$RUNS" > "$work/q.jsonl"
	node -e "
for (const l of require('fs').readFileSync('$work/q.jsonl','utf8').trim().split('\n')) {
  const r = JSON.parse(l);
  console.log('| ' + r.name + ' | ' + r.count + ' | ' + r.ms.median + ' ms | ' + r.ms.p95 + ' ms | ' + r.ms.max + ' ms |');
}" | tee -a "$out"
	worst=$(node -e "let w=0; for (const l of require('fs').readFileSync('$work/q.jsonl','utf8').trim().split('\n')) { const r=JSON.parse(l); if (r.name.endsWith('limit 100')) w=Math.max(w,r.ms.p95); } console.log(w)")
	say ""
	say "Slowest p95 of a 100-statement page: **$worst ms** (target: under 50 ms). Peak RSS after the queries: $(mb "$(kb "$pid" VmHWM)") MiB."
	stop_all
fi

mkdir -p bench/results
cp "$out" "bench/results/lrs-$(date -u +%Y-%m-%d).md"
log "written to bench/results/lrs-$(date -u +%Y-%m-%d).md"
