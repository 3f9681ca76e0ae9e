#!/bin/sh
# gen-synthetic-course.sh -- write a large synthetic course for the benchmark
#
#   tools/gen-synthetic-course.sh OUTDIR [SIZE_MB]
#
# OUTDIR gets a complete etoolbox course (see docs/source-format.md):
# 10 modules of 50 topics (500 topics), 20 questions per module (200
# questions, the four types in turn), and about SIZE_MB MiB (default 300)
# of media, every file referenced from a topic page as an image:
#
#   - half already compressed: .jpg, .png and .mp4 files of pseudo-random
#     bytes (AES-CTR keystream from openssl: incompressible, and the same
#     bytes on every run);
#   - half compressible: .svg drawings (SVG markup) and .bmp bitmaps
#     (a real 24-bit BMP header over text-like pixel rows), which deflate
#     about 4x.
#
# Every byte is a function of the arguments (a Park-Miller PRNG in awk and
# fixed openssl keys), so two runs give identical courses and benchmark
# runs are comparable. Needs only POSIX sh, awk (mawk or gawk), head, tail
# and openssl. The counts can be changed with the environment variables
# MODULES, TOPICS_PER_MODULE and QUESTIONS_PER_MODULE.
set -eu

usage() {
	echo "usage: $0 OUTDIR [SIZE_MB]" >&2
	exit 2
}
[ $# -ge 1 ] && [ $# -le 2 ] || usage
OUT=$1
SIZE_MB=${2:-300}
case $SIZE_MB in '' | *[!0-9]*) usage ;; esac
MODULES=${MODULES:-10}
TPM=${TOPICS_PER_MODULE:-50}
QPM=${QUESTIONS_PER_MODULE:-20}

command -v openssl >/dev/null 2>&1 || {
	echo "$0: openssl is needed (apt-get install openssl)" >&2
	exit 1
}
if [ -e "$OUT" ] && [ -n "$(ls -A "$OUT" 2>/dev/null)" ]; then
	echo "$0: '$OUT' exists and is not empty" >&2
	exit 1
fi
mkdir -p "$OUT"
m=1
while [ "$m" -le "$MODULES" ]; do
	d=$(printf '%s/modules/m%02d' "$OUT" "$m")
	mkdir -p "$d/topics" "$d/images"
	m=$((m + 1))
done

POOL=$OUT/.pool.tmp
PLAN=$OUT/.plan.tmp
trap 'rm -f "$POOL" "$PLAN"' EXIT INT TERM

# 1. The text: course.yml, resources.md, module.yml and topic pages, the
#    pool of SVG lines the compressible media are cut from, and the media
#    plan (one line per file: kind size path key).
awk -v out="$OUT" -v size_mb="$SIZE_MB" -v nmod="$MODULES" -v tpm="$TPM" \
    -v qpm="$QPM" -v pool="$POOL" -v plan="$PLAN" '
function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
function ri(n) { return int(rnd() * n) }
function word() { return W[ri(nw)] }
function sentence(   n, s, i) {
	n = 8 + ri(12)
	s = word(); s = toupper(substr(s, 1, 1)) substr(s, 2)
	for (i = 1; i < n; i++) s = s " " word()
	return s "."
}
function para(   n, s, i) {
	n = 3 + ri(4); s = sentence()
	for (i = 1; i < n; i++) s = s " " sentence()
	return s
}
function title(   n, s, i) {
	n = 3 + ri(4)
	s = word(); s = toupper(substr(s, 1, 1)) substr(s, 2)
	for (i = 1; i < n; i++) s = s " " word()
	return s
}
BEGIN {
	seed = 20240601
	nw = split("migration development local authority community partner " \
	    "policy diaspora remittance planning coherence dialogue territory " \
	    "return integration gender rights service capacity network data " \
	    "municipal regional national cycle origin destination transit " \
	    "actor programme project budget governance participation inclusion " \
	    "skills labour market health education housing coordination " \
	    "mainstreaming monitoring evaluation indicator learning practice", W0, " ")
	for (i = 1; i <= nw; i++) W[i - 1] = W0[i]

	f = out "/course.yml"
	print "# A synthetic course for the etoolbox benchmark" > f
	print "# (tools/gen-synthetic-course.sh; every byte is generated)." > f
	print "id: synthetic" > f
	print "version: \"1.0\"" > f
	print "title: A synthetic benchmark course" > f
	print "description: " sentence() " " sentence() > f
	print "languages:\n  - en" > f
	print "xapi_base: https://example.org/xapi/synthetic" > f
	print "keywords:\n  - benchmark\n  - synthetic" > f
	print "audience:\n  intro: " sentence() "\n  groups:\n    - testers\n    - machines" > f
	print "objectives:\n  - " sentence() "\n  - " sentence() > f
	print "outcomes:\n  - " sentence() > f
	print "resources: resources.md" > f
	print "modules:" > f
	for (m = 1; m <= nmod; m++) printf "  - modules/m%02d/module.yml\n", m > f
	close(f)

	f = out "/resources.md"
	print "## Publications\n\n" para() "\n" > f
	for (i = 1; i <= 5; i++)
		printf "- [%s](https://example.org/publications/%d)\n", title(), i > f
	close(f)

	# media sizes: weights 0.2..1.8 (mp4 x3), scaled to half of the total each
	half = size_mb * 1048576 / 2
	nt = nmod * tpm
	sa = 0; sb = 0
	for (t = 0; t < nt; t++) {
		wa[t] = 0.2 + 1.6 * rnd(); if (t % 3 == 2) wa[t] *= 3
		wb[t] = 0.2 + 1.6 * rnd()
		sa += wa[t]; sb += wb[t]
	}
	split("jpg png mp4", EA, " ")
	split("svg bmp", EB, " ")

	t = 0
	for (m = 1; m <= nmod; m++) {
		md = sprintf("%s/modules/m%02d", out, m)
		f = md "/module.yml"
		printf "id: m%02d\n", m > f
		printf "title: \"Module %d: %s\"\n", m, title() > f
		print "description: " para() > f
		print "objectives:" > f
		for (i = 0; i < 3; i++) print "  - " sentence() > f
		print "keywords:\n  - " word() "\n  - " word() > f
		print "topics:" > f
		for (k = 1; k <= tpm; k++) {
			id = sprintf("t%03d", t + 1)
			printf "  - id: %s\n    title: %s\n    file: topics/%s.md\n",
			    id, title(), id > f

			ea = EA[t % 3 + 1]; eb = EB[int(t / 3) % 2 + 1]
			na = sprintf("%s-a.%s", id, ea); nb = sprintf("%s-b.%s", id, eb)
			printf "%s %d %s/images/%s %d\n", ea, int(half * wa[t] / sa), md, na, t + 1 > plan
			printf "%s %d %s/images/%s %d\n", eb, int(half * wb[t] / sb), md, nb, ri(1000000000) > plan

			p = md "/topics/" id ".md"
			print para() "\n" > p
			print "## " title() "\n\n" para() "\n" > p
			printf "![%s](../images/%s)\n\n", sentence(), na > p
			print para() "\n" > p
			for (i = 0; i < 4; i++) print "- " sentence() > p
			print "\n## " title() "\n\n" para() "\n" > p
			printf "![%s](../images/%s)\n\n", sentence(), nb > p
			printf "%s See [the reference](https://example.org/ref/%s).\n", para(), id > p
			close(p)
			t++
		}
		print "knowledge_check:\n  mastery_score: " 60 + 5 * (m % 5) "\n  questions:" > f
		for (q = 1; q <= qpm; q++) {
			printf "    - id: q%02d\n", q > f
			ty = (q - 1) % 4
			if (ty == 0) {
				print "      type: single_choice" > f
				print "      prompt: " sentence() > f
				print "      choices:" > f
				nc = 2 + ri(4); c = ri(nc)
				for (i = 0; i < nc; i++) {
					print "        - text: " title() > f
					if (i == c) print "          correct: true" > f
					else print "          feedback: " sentence() > f
				}
			} else if (ty == 1) {
				print "      type: multiple_choice" > f
				print "      prompt: " sentence() > f
				print "      choices:" > f
				nc = 3 + ri(4)
				for (i = 0; i < nc; i++) {
					print "        - text: " title() > f
					if (i == 0 || rnd() < 0.4) print "          correct: true" > f
				}
			} else if (ty == 2) {
				print "      type: true_false" > f
				print "      prompt: " sentence() > f
				print "      answer: " (rnd() < 0.5 ? "true" : "false") > f
			} else {
				print "      type: matching" > f
				print "      prompt: " sentence() > f
				print "      pairs:" > f
				nc = 2 + ri(5)
				for (i = 0; i < nc; i++)
					print "        - left: " title() "\n          right: " title() > f
			}
			print "      feedback:\n        correct: " sentence() "\n        incorrect: " sentence() > f
		}
		close(f)
	}
	close(plan)

	# 131072 SVG elements of exactly 72 bytes each (9 MiB)
	for (i = 0; i < 131072; i++) {
		if (i % 3 == 0)
			s = sprintf("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#%06x\"/>",
			    ri(2000), ri(2000), 1 + ri(300), 1 + ri(300), ri(16777216))
		else if (i % 3 == 1)
			s = sprintf("<circle cx=\"%d\" cy=\"%d\" r=\"%d\" stroke=\"#%06x\"/>",
			    ri(2000), ri(2000), 1 + ri(200), ri(16777216))
		else
			s = sprintf("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#%06x\"/>",
			    ri(2000), ri(2000), ri(2000), ri(2000), ri(16777216))
		while (length(s) < 71) s = s " "
		print s > pool
	}
	close(pool)
}'

# 2. The media.
LW=72 # bytes per pool line, newline included
POOL_LINES=131072
le32() { # print the 4 bytes of $1, little-endian
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) \
	    $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)))"
}
pool_cut() { # $1 bytes (rounded down to whole pool lines), from line $2 on
	rem=$(($1 / $LW * $LW))
	k=$2
	while [ "$rem" -gt 0 ]; do
		lines=$((rem / $LW))
		[ "$lines" -lt "$POOL_LINES" ] || lines=$((POOL_LINES - 1))
		start=$((k % (POOL_LINES - lines)))
		tail -c +$((start * $LW + 1)) "$POOL" | head -c $((lines * $LW))
		rem=$((rem - lines * $LW))
		k=$((k + 7919))
	done
}
while read -r kind size path key; do
	case $kind in
	jpg | png | mp4)
		openssl enc -aes-128-ctr -nosalt -K 0123456789abcdef0123456789abcdef \
		    -iv "$(printf '%032x' "$key")" -in /dev/zero 2>/dev/null |
		    head -c "$size" >"$path"
		;;
	svg)
		{
			printf '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2000 2000">\n'
			pool_cut $((size - 80)) "$key"
			printf '</svg>\n'
		} >"$path"
		;;
	bmp)
		w=1024
		h=$(((size - 54) / (w * 3)))
		[ "$h" -ge 1 ] || h=1
		img=$((h * w * 3))
		{
			printf 'BM'
			le32 $((54 + img))
			le32 0
			le32 54
			le32 40
			le32 $w
			le32 $h
			printf '\001\000\030\000'
			le32 0
			le32 $img
			le32 2835
			le32 2835
			le32 0
			le32 0
			pool_cut "$img" "$key"
			head -c $((img - img / LW * LW)) /dev/zero
		} >"$path"
		;;
	esac
done <"$PLAN"

n=$(wc -l <"$PLAN")
bytes=$(du -sk "$OUT/modules" | cut -f1)
echo "$OUT: $MODULES modules, $((MODULES * TPM)) topics, $((MODULES * QPM)) questions, $n media files, $((bytes / 1024)) MiB on disk"
