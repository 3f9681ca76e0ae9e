#!/usr/bin/env bash
# tests/lrs/run.sh -- 'etoolbox send' and 'etoolbox statements' against a
# real LRS, behind a fault-injecting proxy (tools/lrs-proxy.js) where a case
# needs faults. Prints TAP on stdout; details go to stderr. Every server
# this starts listens on 127.0.0.1 only and is stopped at the end (by pid);
# every wait is bounded.
#
#   tests/lrs/run.sh            ETOOLBOX=path overrides build/etoolbox
#   LRS_VALGRIND=0 skips the valgrind case
#   LRS_UNDER_TEST=ll           Learning Locker's xapi-statements (npm) in
#                               memory (the default)
#   LRS_UNDER_TEST=etoolbox     etoolbox lrs, each server with its own
#                               database, the clients with an admin key
#                               (ETOOLBOX_LRS_AUTH); the cases that don't
#                               touch an LRS (the validators) run with 'll'
#                               only
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top" || exit 2
E=${ETOOLBOX:-$top/build/etoolbox}
under=${LRS_UNDER_TEST:-ll}
case $under in ll | etoolbox) ;; *) echo "tests/lrs/run.sh: LRS_UNDER_TEST is ll or etoolbox" >&2; exit 2 ;; esac
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	[ $# -gt 1 ] && printf '%s\n' "$2" | head -20 | sed 's/^/#   /'
	return 0
}
check() { # check NAME COMMAND... : ok when the command succeeds
	local name=$1; shift
	local out
	if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi
}
bail() { echo "not ok $((n + 1)) - $1"; echo "1..$((n + 1))"; exit 1; }

tools/lrs-install.sh || bail "install the LRS's npm packages (tools/lrs-install.sh)"
[ -n "${ETOOLBOX:-}" ] || make -s build/etoolbox >&2 || bail "make build/etoolbox"

work=$(mktemp -d /tmp/etoolbox-lrs-XXXXXX)
export XDG_STATE_HOME="$work/state" # journals of this run only
unset ETOOLBOX_LRS ETOOLBOX_LRS_AUTH
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# wait_file FILE SECONDS
wait_file() {
	local i=0
	while [ ! -s "$1" ] && [ $i -lt $(($2 * 10)) ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$1" ]
}
json_field() { node -e "process.stdout.write(String(JSON.parse(require('fs').readFileSync('$1','utf8'))['$2']))"; }

if [ "$under" = etoolbox ]; then
	# one admin key for every server (a shared credentials file), in the
	# environment of every client
	ETOOLBOX_LRS_AUTH=$("$E" lrs key add --credentials "$work/lrs.keys" --scope admin --name tests) ||
		bail "etoolbox lrs key add"
	export ETOOLBOX_LRS_AUTH
fi
# start_lrs NAME [--credentials FILE]: sets $lrs to the endpoint
start_lrs() {
	local name=$1; shift
	if [ "$under" = etoolbox ]; then
		[ $# -gt 0 ] || set -- --credentials "$work/lrs.keys"
		"$E" lrs -q --db "$work/$name.db" --listen 127.0.0.1:0 --ready-file "$work/$name.ready" "$@" >"$work/$name.log" 2>&1 &
	else
		node tools/lrs-start.js --ready-file "$work/$name.ready" "$@" >"$work/$name.log" 2>&1 &
	fi
	pids="$pids $!"
	wait_file "$work/$name.ready" 30 || bail "start the LRS '$name' (see $work/$name.log)"
	lrs=$(json_field "$work/$name.ready" lrs)
}
# start_proxy NAME LRS_URL [PLAN]: sets $proxy to the endpoint
start_proxy() {
	local name=$1 target=${2%/xAPI/}
	node tools/lrs-proxy.js --target "$target" --ready-file "$work/$name.ready" \
		${3:+--plan "$3"} >"$work/$name.log" 2>&1 &
	pids="$pids $!"
	wait_file "$work/$name.ready" 10 || bail "start the proxy '$name'"
	proxy=$(json_field "$work/$name.ready" proxy)
}
# read back everything an LRS holds, as JSON Lines
dump() { "$E" statements -q --lrs "$1" --page-size 200 > "$2"; }
lines() { grep -c . "$1"; }

# ---------------------------------------------------------------------------
# fixtures and validators
node tools/lrs-gen.js --count 1000 > "$work/s1000.jsonl"
node tools/lrs-gen.js --count 400 --seed 2 --format array > "$work/s400.json"
node tools/lrs-gen.js --kind one-each --format array > "$work/one-each.json"
if [ "$under" = ll ]; then
node tests/lrs/util.js doc-examples docs/xapi-statements.md > "$work/doc.json" 2>"$work/doc.err" ||
	echo '[]' > "$work/doc.json"

check "xapi-validation accepts 1000 generated statements of the design (--strict)" \
	node tools/lrs-validate.js --strict "$work/s1000.jsonl" "$work/s400.json" "$work/one-each.json"
ndoc=$(node -e "console.log(require('$work/doc.json').length)")
if [ "$ndoc" -ge 9 ]; then
	check "xapi-validation accepts the $ndoc example statements of docs/xapi-statements.md" \
		node tools/lrs-validate.js --strict "$work/doc.json"
	check "etoolbox's validator accepts the examples of docs/xapi-statements.md" \
		"$E" send -n "$work/doc.json"
else
	not_ok "docs/xapi-statements.md has an example of each of the 9 verbs (found $ndoc)" "$(cat "$work/doc.err")"
fi
check "etoolbox's validator accepts the generated statements" \
	"$E" send -q -n "$work/s1000.jsonl"

# every invalid fixture statement is invalid for Learning Locker too
head -8 tests/lrs/fixtures/invalid.jsonl > "$work/invalid-ll.jsonl"
out=$(node tools/lrs-validate.js "$work/invalid-ll.jsonl")
if echo "$out" | grep -q '^1 passed, 6 failed$'; then
	ok "xapi-validation rejects the 6 invalid fixture statements"
else
	not_ok "xapi-validation rejects the 6 invalid fixture statements" "$out"
fi

# differential: etoolbox and Learning Locker agree on mutated statements
node tools/lrs-gen.js --count 300 --seed 5 > "$work/base.jsonl"
node tools/lrs-gen.js --kind one-each >> "$work/base.jsonl"
for seed in 11 12; do
	node tests/lrs/mutate.js --count 2000 --seed $seed < "$work/base.jsonl" > "$work/mut.jsonl"
	node tools/lrs-validate.js "$work/mut.jsonl" | grep -o '^INVALID [^[]*\[[0-9]*\]' |
		sed 's/.*\[\([0-9]*\)\]/\1/' | sort -u > "$work/ll.bad"
	"$E" send -n --max-errors 0 "$work/mut.jsonl" 2>&1 >/dev/null | grep ': error: statement at line' |
		sed 's/.*statement at line \([0-9]*\):.*/\1/' | awk '{print $1 - 1}' | sort -u > "$work/et.bad"
	bad=$(wc -l < "$work/ll.bad")
	if cmp -s "$work/ll.bad" "$work/et.bad" && [ "$bad" -gt 500 ]; then
		ok "validators agree on 2000 mutated statements (seed $seed, $bad invalid)"
	else
		not_ok "validators agree on 2000 mutated statements (seed $seed)" \
			"$(diff "$work/ll.bad" "$work/et.bad" | head -10)"
	fi
done
fi # validators

# ---------------------------------------------------------------------------
# invalid statements: reported with their position, nothing sent
start_lrs A
lrsA=$lrs
start_proxy PA "$lrsA"
pa=$proxy
"$E" send --lrs "$pa" tests/lrs/fixtures/invalid.jsonl >"$work/inv.out" 2>"$work/inv.err"
rc=$?
writes=$(node tests/lrs/util.js writes "$pa")
if [ $rc -eq 1 ] && [ "$writes" -eq 0 ] &&
	grep -q "invalid.jsonl:5:1: error: statement at line 5: 'result.score.scaled' must be between -1 and 1" "$work/inv.err" &&
	grep -q "invalid.jsonl:2:1: error: statement at line 2: 'actor.mbox'" "$work/inv.err" &&
	grep -q "nothing was sent" "$work/inv.err"; then
	ok "invalid statements: each reported with its line, exit 1, no request sent"
else
	not_ok "invalid statements: each reported with its line, exit 1, no request sent" \
		"rc=$rc writes=$writes $(cat "$work/inv.err")"
fi
node -e "const a=require('$work/s400.json'); a[7].result={score:{scaled:2}}; a[250].actor={}; console.log(JSON.stringify(a,null,1))" > "$work/bad-array.json"
"$E" send --lrs "$pa" "$work/bad-array.json" >/dev/null 2>"$work/inv2.err"
rc=$?
if [ $rc -eq 1 ] && grep -q "error: statement \[7\]: 'result.score.scaled' must be between -1 and 1" "$work/inv2.err" &&
	grep -q "error: statement \[250\]: 'actor' has no identifier" "$work/inv2.err" &&
	[ "$(node tests/lrs/util.js writes "$pa")" -eq 0 ]; then
	ok "invalid statements in an array: reported by index, nothing sent"
else
	not_ok "invalid statements in an array: reported by index, nothing sent" "rc=$rc $(cat "$work/inv2.err")"
fi

# ---------------------------------------------------------------------------
# round trips
if "$E" send -q --lrs "$lrsA" "$work/s1000.jsonl" && dump "$lrsA" "$work/A.jsonl" &&
	node tests/lrs/util.js same-ids "$work/s1000.jsonl" "$work/A.jsonl" >&2; then
	ok "send 1000 (JSON Lines), statements reads back exactly those ids"
else
	not_ok "send 1000 (JSON Lines), statements reads back exactly those ids"
fi
cat "$work/s1000.jsonl" > "$work/all.jsonl"
if "$E" send -q --lrs "$lrsA" --batch 37 "$work/s400.json" && dump "$lrsA" "$work/A.jsonl" &&
	node tests/lrs/util.js ids "$work/s400.json" >> "$work/all.ids" &&
	node -e "" && cat "$work/s400.json" | node -e "for (const s of JSON.parse(require('fs').readFileSync(0,'utf8'))) console.log(JSON.stringify(s))" >> "$work/all.jsonl" &&
	node tests/lrs/util.js same-ids "$work/all.jsonl" "$work/A.jsonl" >&2; then
	ok "send 400 more (a JSON array, batches of 37): the LRS holds the 1400"
else
	not_ok "send 400 more (a JSON array, batches of 37): the LRS holds the 1400"
fi
out=$("$E" send --lrs "$lrsA" "$work/s1000.jsonl" 2>&1)
if echo "$out" | grep -q "0 sent to .*, 1000 already sent earlier"; then
	ok "the same send again: the journal knows all 1000 were stored, nothing resent"
else
	not_ok "the same send again: the journal knows all 1000 were stored, nothing resent" "$out"
fi
# statements without ids get deterministic ones: two sends store them once
node tools/lrs-gen.js --count 300 --seed 3 --no-ids > "$work/noids.jsonl"
start_lrs G
lrsG=$lrs
if "$E" send -q --no-journal --lrs "$lrsG" "$work/noids.jsonl" &&
	"$E" send -q --no-journal --lrs "$lrsG" - < "$work/noids.jsonl" && dump "$lrsG" "$work/G.jsonl" &&
	[ "$(lines "$work/G.jsonl")" -eq 300 ]; then
	ok "statements without ids, sent twice without a journal: stored once (300)"
else
	not_ok "statements without ids, sent twice without a journal: stored once (300)" "$(lines "$work/G.jsonl" 2>&1)"
fi

# copy an LRS to another
start_lrs B
lrsB=$lrs
"$E" statements -q --lrs "$lrsA" | "$E" send -q --lrs "$lrsB" -
rc=$?
dump "$lrsB" "$work/B.jsonl"
if [ $rc -eq 0 ] && node tests/lrs/util.js same-ids "$work/A.jsonl" "$work/B.jsonl" >&2; then
	ok "statements --lrs A | send --lrs B -: B holds A's 1400 statements"
else
	not_ok "statements --lrs A | send --lrs B -: B holds A's 1400 statements" "rc=$rc"
fi
"$E" statements -q --lrs "$lrsA" | "$E" send -q --no-journal --lrs "$lrsB" -
dump "$lrsB" "$work/B2.jsonl"
check "copying again changes nothing (same ids and content: 200, not 409)" \
	node tests/lrs/util.js same-ids "$work/A.jsonl" "$work/B2.jsonl"

# ---------------------------------------------------------------------------
# CSV and filters
"$E" statements -q --lrs "$lrsA" --format csv -o "$work/A.csv"
head -1 "$work/A.csv" | tr -d '\r' > "$work/csv.head"
if [ "$(cat "$work/csv.head")" = "timestamp,learner,verb,activity_id,activity_name,module,response,success,score,completion,duration,registration,statement_id" ] &&
	[ "$(lines "$work/A.csv")" -eq 1401 ]; then
	ok "CSV export: the analyst's columns and one row per statement"
else
	not_ok "CSV export: the analyst's columns and one row per statement" "$(cat "$work/csv.head"; lines "$work/A.csv")"
fi
row=$(grep -m1 ',responded,.*/interactions/q-tf,' "$work/A.csv" | tr -d '\r')
if echo "$row" | grep -Eq '^20[0-9-]+T[0-9:.]+Z,learner-[0-9]+,responded,https://w3id.org/etoolbox/jmdi-etoolbox/core/interactions/q-tf,Local authorities can act on migration\.,https://w3id.org/etoolbox/jmdi-etoolbox/core,(true|false),(true|false),,,,[0-9a-f-]{36},[0-9a-f-]{36}$'; then
	ok "CSV export: a responded row has learner, verb, activity, name, module, response, success, registration"
else
	not_ok "CSV export: a responded row has learner, verb, activity, name, module, response, success, registration" "$row"
fi
want=$(grep -c '/verbs/responded"' "$work/A.jsonl")
got=$("$E" statements -q --lrs "$lrsA" --verb http://adlnet.gov/expapi/verbs/responded | grep -c .)
[ "$got" -eq "$want" ] && [ "$got" -gt 0 ] && ok "--verb responded: $got statements" ||
	not_ok "--verb responded" "got $got want $want"
reg=$(head -1 "$work/s1000.jsonl" | node -e "console.log(JSON.parse(require('fs').readFileSync(0,'utf8')).context.registration)")
want=$(grep -c "\"registration\":\"$reg\"" "$work/s1000.jsonl")
got=$("$E" statements -q --lrs "$lrsA" --registration "$reg" | grep -c .)
[ "$got" -eq "$want" ] && [ "$got" -gt 0 ] && ok "--registration: the attempt's $got statements" ||
	not_ok "--registration" "got $got want $want"
want=$(grep -c '"id":"https://w3id.org/etoolbox/jmdi-etoolbox/core"' "$work/A.jsonl")
got=$("$E" statements -q --lrs "$lrsA" --activity https://w3id.org/etoolbox/jmdi-etoolbox/core --related-activities | grep -c .)
got0=$("$E" statements -q --lrs "$lrsA" --activity https://w3id.org/etoolbox/jmdi-etoolbox/core | grep -c .)
[ "$got" -eq "$want" ] && [ "$got0" -lt "$got" ] && ok "--activity with and without --related-activities ($got0 < $got)" ||
	not_ok "--activity with --related-activities" "got $got/$got0 want $want"
want=$(grep -c '"name":"learner-00002"' "$work/A.jsonl")
got=$("$E" statements -q --lrs "$lrsA" --agent '{"account":{"homePage":"https://lms.example.org","name":"learner-00002"}}' | grep -c .)
[ "$got" -eq "$want" ] && [ "$got" -gt 0 ] && ok "--agent (account): $got statements" ||
	not_ok "--agent" "got $got want $want"
got=$("$E" statements -q --lrs "$lrsA" --since 2999-01-01T00:00:00Z | grep -c .)
[ "$got" -eq 0 ] && ok "--since in the future: nothing" || not_ok "--since" "got $got"

# ---------------------------------------------------------------------------
# faults: every statement stored exactly once
fault_case() { # NAME SEED PLAN [send options]
	local name=$1 seed=$2 plan=$3; shift 3
	start_lrs "F$seed"
	local l=$lrs
	start_proxy "PF$seed" "$l" "$plan"
	node tools/lrs-gen.js --count 1000 --seed "$seed" > "$work/f$seed.jsonl"
	local t0=$SECONDS
	"$E" send --lrs "$proxy" --retry-for 60 "$@" "$work/f$seed.jsonl" >"$work/f$seed.out" 2>"$work/f$seed.err"
	local rc=$?
	dump "$l" "$work/F$seed.jsonl"
	local faults
	faults=$(node tests/lrs/util.js proxy-log "$proxy" | node -e "const l=JSON.parse(require('fs').readFileSync(0,'utf8'));console.log(l.filter(e=>e.fault).length)")
	if [ $rc -eq 0 ] && [ "$faults" -gt 0 ] &&
		node tests/lrs/util.js same-ids "$work/f$seed.jsonl" "$work/F$seed.jsonl" >&2; then
		ok "faults, $name: all 1000 stored exactly once ($faults faults, $((SECONDS - t0)) s)"
	else
		not_ok "faults, $name: all 1000 stored exactly once" \
			"rc=$rc faults=$faults $(tail -5 "$work/f$seed.err")"
	fi
}
fault_case "503 with Retry-After on every 3rd write" 21 '{"status":{"every":3,"code":503,"retryAfter":1}}'
fault_case "429 with Retry-After on every 4th write" 22 '{"status":{"every":4,"code":429,"retryAfter":1}}'
fault_case "500 without Retry-After on every 2nd write" 23 '{"status":{"every":2,"code":500}}'
fault_case "connection cut before every 4th write" 24 '{"dropBefore":{"every":4}}'
fault_case "stored but the answer lost on every 3rd write" 25 '{"dropAfter":{"every":3}}'
fault_case "the LRS down for 3 s after the 3rd write" 26 '{"down":{"afterWrites":3,"ms":3000}}'
fault_case "413 above 30 statements per request" 27 '{"maxStatements":30}'
grep -q "retrying in" "$work/f21.err" && ok "faults: retries are reported on stderr" ||
	not_ok "faults: retries are reported on stderr" "$(head -3 "$work/f21.err")"
# gives up after --retry-for, exit 4, and the rerun finishes the job
start_lrs H
lrsH=$lrs
start_proxy PH "$lrsH" '{"status":{"every":1,"code":503}}'
ph=$proxy
node tools/lrs-gen.js --count 200 --seed 31 > "$work/h.jsonl"
"$E" send --lrs "$ph" --retry-for 2 "$work/h.jsonl" >/dev/null 2>"$work/h.err"
rc=$?
if [ $rc -eq 4 ] && grep -q "gave up after" "$work/h.err" && grep -q "run the same command again" "$work/h.err"; then
	ok "an LRS that stays down: gives up after --retry-for with exit 4"
else
	not_ok "an LRS that stays down: gives up after --retry-for with exit 4" "rc=$rc $(cat "$work/h.err")"
fi
node tests/lrs/util.js plan "$ph" '{}'
"$E" send -q --lrs "$ph" "$work/h.jsonl" && dump "$lrsH" "$work/H.jsonl"
check "... and the same command later sends them all" node tests/lrs/util.js same-ids "$work/h.jsonl" "$work/H.jsonl"

# ---------------------------------------------------------------------------
# kill -9 in the middle, then rerun: nothing lost, nothing duplicated, no
# acknowledged batch resent beyond the one in flight
start_lrs K
lrsK=$lrs
start_proxy PK "$lrsK" '{"delayMs":60}'
pk=$proxy
node tools/lrs-gen.js --count 4000 --seed 41 > "$work/k.jsonl"
"$E" send -q --lrs "$pk" "$work/k.jsonl" >/dev/null 2>"$work/k1.err" &
kpid=$!
if node tests/lrs/util.js wait-acked "$pk" 12 60; then
	kill -9 "$kpid" 2>/dev/null
	wait "$kpid" 2>/dev/null
	node tests/lrs/util.js acked "$pk" | sort > "$work/k.acked1"
	n1=$(node tests/lrs/util.js writes "$pk")
	"$E" send -q --lrs "$pk" "$work/k.jsonl" >/dev/null 2>"$work/k2.err"
	rc=$?
	node tests/lrs/util.js proxy-log "$pk" | node -e "
		const l=JSON.parse(require('fs').readFileSync(0,'utf8'));
		for (const e of l.filter(e=>e.write>$n1)) for (const id of e.ids||[]) console.log(id)" | sort > "$work/k.posted2"
	resent=$(comm -12 "$work/k.acked1" "$work/k.posted2" | wc -l)
	dump "$lrsK" "$work/K.jsonl"
	if [ $rc -eq 0 ] && node tests/lrs/util.js same-ids "$work/k.jsonl" "$work/K.jsonl" >&2; then
		ok "kill -9 after $(wc -l < "$work/k.acked1") acknowledged, rerun: all 4000 stored exactly once"
	else
		not_ok "kill -9 then rerun: all 4000 stored exactly once" "rc=$rc $(cat "$work/k2.err")"
	fi
	if [ "$resent" -le 100 ] && [ "$(wc -l < "$work/k.posted2")" -lt 4000 ]; then
		ok "kill -9 then rerun: $resent acknowledged statements sent again (at most the batch in flight)"
	else
		not_ok "kill -9 then rerun: at most the batch in flight is sent again" "resent=$resent"
	fi
else
	kill -9 "$kpid" 2>/dev/null
	not_ok "kill -9 then rerun: send got 12 batches acknowledged within 60 s" "$(cat "$work/k1.err")"
	not_ok "kill -9 then rerun: (skipped)"
fi

# ---------------------------------------------------------------------------
# 400: bisection puts exactly the bad statements, with the LRS's message, in
# the dead-letter file. The LRS itself rejects them: a voiding statement
# that voids another voiding statement, and attachments whose content was
# not sent.
start_lrs D
lrsD=$lrs
start_proxy PD "$lrsD"
pd=$proxy
node tools/lrs-gen.js --count 100 --seed 51 > "$work/d.jsonl"
node -e "
const fs=require('fs');
const a=fs.readFileSync('$work/d.jsonl','utf8').trim().split('\n').map(JSON.parse);
const actor={objectType:'Agent',account:{homePage:'https://lms.example.org',name:'admin'}};
const voider={id:'0e7f4c41-0000-4000-8000-000000000001',actor,verb:{id:'http://adlnet.gov/expapi/verbs/voided',display:{'en-US':'voided'}},object:{objectType:'StatementRef',id:a[0].id},timestamp:'2024-06-01T00:00:00.000Z'};
fs.writeFileSync('$work/d-first.jsonl',[a[0],voider].map(s=>JSON.stringify(s)).join('\n')+'\n');
const bad1={id:'0e7f4c41-0000-4000-8000-000000000002',actor,verb:voider.verb,object:{objectType:'StatementRef',id:voider.id},timestamp:'2024-06-01T00:00:01.000Z'};
const bad2=Object.assign({},a[50],{id:'0e7f4c41-0000-4000-8000-000000000003',attachments:[{usageType:'http://id.tincanapi.com/attachment/certificate',display:{en:'certificate'},contentType:'application/pdf',length:3,sha2:'abc'}]});
const rest=a.slice(1);
rest.splice(17,0,bad1); rest.splice(63,0,bad2);
fs.writeFileSync('$work/d-main.jsonl',rest.map(s=>JSON.stringify(s)).join('\n')+'\n');
// a[0] is voided, so queries no longer show it
fs.writeFileSync('$work/d-good.jsonl',[voider].concat(a.slice(1)).map(s=>JSON.stringify(s)).join('\n')+'\n');
"
"$E" send -q --lrs "$lrsD" "$work/d-first.jsonl"
"$E" send --lrs "$pd" --dead-letter "$work/dead.jsonl" "$work/d-main.jsonl" >"$work/d.out" 2>"$work/d.err"
rc=$?
node tests/lrs/util.js field "$work/dead.jsonl" statement | node -e "for (const l of require('fs').readFileSync(0,'utf8').trim().split('\n')) console.log(JSON.parse(l).id)" | sort > "$work/dead.ids"
printf '0e7f4c41-0000-4000-8000-000000000002\n0e7f4c41-0000-4000-8000-000000000003\n' > "$work/dead.want"
if [ $rc -eq 1 ] && cmp -s "$work/dead.ids" "$work/dead.want"; then
	ok "400: bisection dead-letters exactly the 2 statements the LRS rejects, exit 1"
else
	not_ok "400: bisection dead-letters exactly the 2 statements the LRS rejects, exit 1" "rc=$rc $(cat "$work/dead.ids") $(tail -3 "$work/d.err")"
fi
if [ "$under" = etoolbox ]; then
	msg_voider="statement '0e7f4c41-0000-4000-8000-000000000002': 'object' targets '0e7f4c41-0000-4000-8000-000000000001', a voiding statement, which can't be voided"
	msg_attach="statement: 'attachments\[0\]' has no fileUrl and its content (sha2 abc) was not sent"
else
	msg_voider='Voider cannot void another voider' msg_attach='Received missing attachments'
fi
if grep -q "\"position\":\"statement at line 18\",\"line\":18,\"status\":400,\"error\":\"$msg_voider" "$work/dead.jsonl" &&
	grep -q "\"status\":400,\"error\":\"$msg_attach" "$work/dead.jsonl"; then
	ok "400: each dead letter has its position, the status and the LRS's message"
else
	not_ok "400: each dead letter has its position, the status and the LRS's message" "$(cut -c1-300 "$work/dead.jsonl")"
fi
dump "$lrsD" "$work/D.jsonl"
check "400: every other statement is in the LRS, once" node tests/lrs/util.js same-ids "$work/d-good.jsonl" "$work/D.jsonl"
w400=$(node tests/lrs/util.js writes "$pd" 400)
w=$(node tests/lrs/util.js writes "$pd")
# k bad statements among n cost at most 1 + 2k*ceil(log2 n) requests
[ "$w" -le 29 ] && ok "400: bisection took $w requests ($w400 answered 400; bound 1 + 2*2*7)" || not_ok "400: bisection is bounded" "$w requests"

# 409: a different statement under a stored id is dropped with a warning
node -e "const fs=require('fs');const s=JSON.parse(fs.readFileSync('$work/d-first.jsonl','utf8').split('\n')[0]);s.timestamp='2030-01-01T00:00:00.000Z';console.log(JSON.stringify(s))" > "$work/conflict.jsonl"
"$E" send --lrs "$lrsD" "$work/conflict.jsonl" >/dev/null 2>"$work/c.err"
rc=$?
if [ $rc -eq 1 ] && grep -q "already has a different statement with this id (409); dropped" "$work/c.err" &&
	[ "$("$E" statements -q --lrs "$lrsD" | grep -c '2030-01-01')" -eq 0 ]; then
	ok "409: dropped with a warning, the stored statement unchanged"
else
	not_ok "409: dropped with a warning, the stored statement unchanged" "rc=$rc $(cat "$work/c.err")"
fi

# ---------------------------------------------------------------------------
# secrets: never printed
if [ "$under" = etoolbox ]; then
	# a key of its own (etoolbox makes the secret), on a server that knows only it
	cred=$("$E" lrs key add --credentials "$work/S.keys" --scope admin --name secrets) || bail "etoolbox lrs key add (S)"
	etkey=${cred%%:*} secret=${cred#*:}
	start_lrs S --credentials "$work/S.keys"
else
	etkey=etkey secret=S3cret-Do-Not-Print-7f1
	start_lrs S --auth "$etkey:$secret"
fi
lrsS=$lrs
node tools/lrs-gen.js --count 50 --seed 61 > "$work/sec.jsonl"
printf '%s:%s\n' "$etkey" "$secret" > "$work/auth"
chmod 644 "$work/auth"
: > "$work/sec.all"
ETOOLBOX_LRS_AUTH="$etkey:$secret" "$E" send --lrs "$lrsS" "$work/sec.jsonl" >>"$work/sec.all" 2>&1
rc1=$?
"$E" send --no-journal --lrs "$lrsS" --auth-file "$work/auth" "$work/sec.jsonl" >>"$work/sec.all" 2>"$work/sec.err2"
rc2=$?
cat "$work/sec.err2" >> "$work/sec.all"
"$E" statements --lrs "$lrsS" --auth "$etkey:$secret" --format csv >>"$work/sec.all" 2>&1
rc3=$?
ETOOLBOX_LRS_AUTH="$etkey:wrong-$secret" "$E" send --no-journal --lrs "$lrsS" "$work/sec.jsonl" >>"$work/sec.all" 2>"$work/sec.err4"
rc4=$?
cat "$work/sec.err4" >> "$work/sec.all"
"$E" send --no-journal --lrs "http://$etkey:$secret@127.0.0.1:9/xAPI/" --retry-for 1 "$work/sec.jsonl" >>"$work/sec.all" 2>&1
rc5=$?
"$E" statements --lrs "http://$etkey:$secret@127.0.0.1:1/xAPI/" --retry-for 1 >>"$work/sec.all" 2>&1
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ $rc3 -eq 0 ] && [ $rc4 -eq 4 ] && [ $rc5 -eq 4 ] &&
	grep -q "refused the credentials (401)" "$work/sec.err4"; then
	ok "auth: env, --auth-file and --auth work; a wrong secret is a 401 error (exit 4)"
else
	not_ok "auth: env, --auth-file and --auth work; a wrong secret is a 401 error (exit 4)" "$rc1 $rc2 $rc3 $rc4 $rc5 $(cat "$work/sec.err4")"
fi
if ! grep -q "$secret" "$work/sec.all" && grep -q "etoolbox" "$work/sec.all"; then
	ok "secrets never appear on stdout or stderr ($(wc -l < "$work/sec.all") lines checked)"
else
	not_ok "secrets never appear on stdout or stderr" "$(grep -n "$secret" "$work/sec.all" | head -3)"
fi
grep -q "auth-file-mode" "$work/sec.err2" && grep -q "chmod 600" "$work/sec.err2" &&
	ok "an auth file readable by others gets a warning" ||
	not_ok "an auth file readable by others gets a warning" "$(cat "$work/sec.err2")"

# ---------------------------------------------------------------------------
# valgrind: the C side against the real LRS, leak-free
if [ "${LRS_VALGRIND:-1}" != 0 ] && command -v valgrind >/dev/null; then
	vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"
	start_lrs V
	lrsV=$lrs
	start_proxy PV "$lrsV" '{"status":{"every":3,"code":503,"retryAfter":0},"maxStatements":40}'
	head -300 "$work/s1000.jsonl" > "$work/v.jsonl"
	$vg "$E" send -q --lrs "$proxy" --batch 64 "$work/v.jsonl" 2>"$work/v1.err"
	r1=$?
	$vg "$E" statements -q --lrs "$lrsV" --page-size 70 --format csv -o "$work/v.csv" 2>"$work/v2.err"
	r2=$?
	$vg "$E" send -q -n tests/lrs/fixtures/invalid.jsonl 2>"$work/v3.err"
	r3=$?
	if [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && [ $r3 -eq 1 ] && ! grep -q '==[0-9]*==' "$work/v1.err" "$work/v2.err" "$work/v3.err"; then
		ok "valgrind: send (with 503 and 413), statements (csv) and invalid input are clean"
	else
		not_ok "valgrind: send, statements and invalid input are clean" "$r1 $r2 $r3 $(grep -h '==' "$work/v1.err" "$work/v2.err" "$work/v3.err" | head)"
	fi
fi

echo "1..$n"
[ $failed -eq 0 ]
