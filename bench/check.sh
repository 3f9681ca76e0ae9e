#!/usr/bin/env bash
# bench/check.sh -- the 'etoolbox check' benchmark (issue 4, section 4)
#
#   bench/check.sh [-n ROUNDS] [-p PACKAGES] [-k]
#
#   -n ROUNDS    timed rounds of each measurement (default 5; median kept)
#   -p PACKAGES  how many packages to generate (default 1000)
#   -k           keep bench/work/check/ afterwards
#
# ETOOLBOX=/path/to/etoolbox benchmarks that binary instead of running
# `make` and using build/etoolbox.
#
# 1. Generates PACKAGES zips in bench/work/check/pkgs/: the packages that
#    `etoolbox build` makes of tests/fixtures/minimal (--single) and of
#    content/jmdi-etoolbox (each module, and --single) -- 8 bases -- each
#    with one of 13 variations (none; another mastery score; up to 40 more
#    listed files; an unlisted file; schemaversion 1.3; scormtype "SCO";
#    an adlcp element before <title>; a dangling identifierref; a missing
#    XSD; another title; the "adl:" prefix; <metadata> in <resources>; the
#    whole package in a folder). Package i gets base i mod 8 and variation
#    (i / 8) mod 13, so every run generates the same zips.
# 2. In one run, ROUNDS rounds, the three taking turns within each round so
#    that machine load hits them alike, each over all the packages:
#      A. etoolbox check pkgs/*.zip                  (one process)
#      B. for z in pkgs/*.zip; do etoolbox check $z; done
#      C. for z in pkgs/*.zip; do unzip -p $z imsmanifest.xml |
#           xmllint --noout --schema schemas/scorm12/scorm12_validate.xsd -; done
#    Wall time and peak RSS come from GNU time; every file is read from the
#    page cache (each runs once before the timed rounds). Prints the
#    medians, the ratios C/A and C/B (target: at least 5), the peak RSS of
#    A and of the largest single process of B and C, and how often the two
#    verdicts (exit status) differ, as a Markdown table, also written to
#    bench/work/check-results.md.
set -eu
BENCH=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$BENCH")
ROUNDS=5 COUNT=1000 KEEP=0
while getopts n:p:k o; do
	case $o in
	n) ROUNDS=$OPTARG ;;
	p) COUNT=$OPTARG ;;
	k) KEEP=1 ;;
	*) sed -n '2,9p' "$0" >&2; exit 2 ;;
	esac
done
cd "$TOP"
if [ -z "${ETOOLBOX:-}" ]; then
	make -s build/etoolbox >/dev/null
	ETOOLBOX=$TOP/build/etoolbox
fi
for t in zip unzip xmllint /usr/bin/time perl; do
	command -v "$t" >/dev/null || { echo "check.sh: needs $t (tools/install-deps.sh)" >&2; exit 2; }
done
XSD=$TOP/schemas/scorm12/scorm12_validate.xsd
W=$BENCH/work/check
rm -rf "$W"
mkdir -p "$W/bases" "$W/pkgs"
[ $KEEP = 1 ] || trap 'rm -rf "$W"' EXIT

# --- 1. the packages -------------------------------------------------------
echo "check.sh: generating $COUNT packages in $W/pkgs" >&2
"$ETOOLBOX" build -q --single -o "$W/zips" tests/fixtures/minimal
"$ETOOLBOX" build -q -o "$W/zips" content/jmdi-etoolbox
"$ETOOLBOX" build -q --single -o "$W/zips1" content/jmdi-etoolbox
mv "$W"/zips1/*.zip "$W/zips/jmdi-etoolbox-single.zip"
nbase=0
for z in $(find "$W/zips" -name '*.zip' | LC_ALL=C sort); do
	mkdir -p "$W/bases/$nbase"
	(cd "$W/bases/$nbase" && unzip -q "$z")
	nbase=$((nbase + 1))
done
[ $nbase -eq 8 ] || { echo "check.sh: expected 8 base packages, got $nbase" >&2; exit 1; }

vary() { # vary DIR I V: change the unpacked package DIR by variation V
	local d=$1 i=$2 v=$3 m=$1/imsmanifest.xml
	case $v in
	0) ;;
	1) perl -pi -e "s|<adlcp:masteryscore>\\d+</adlcp:masteryscore>|<adlcp:masteryscore>$((i % 101))</adlcp:masteryscore>|" "$m" ;;
	2)
		mkdir -p "$d/extra"
		local k files=""
		for k in $(seq 1 $((1 + i % 40))); do
			printf 'extra file %d of package %d\n' "$k" "$i" > "$d/extra/f$k.txt"
			files="$files<file href=\"extra/f$k.txt\"/>"
		done
		perl -0pi -e "s|(<resource [^>]*adlcp:scormtype=\"asset\"[^>]*>)|\$1$files|" "$m" ;;
	3) printf 'notes\n' > "$d/notes.txt" ;;
	4) perl -pi -e 's|<schemaversion>1.2</schemaversion>|<schemaversion>1.3</schemaversion>|' "$m" ;;
	5) perl -0pi -e 's|adlcp:scormtype="sco"|adlcp:scormtype="SCO"|' "$m" ;;
	6) perl -0pi -e 's|(<item [^>]*>)|$1<adlcp:maxtimeallowed>00:30:00</adlcp:maxtimeallowed>|' "$m" ;;
	7) perl -0pi -e 's|identifierref="RES-|identifierref="GONE-|' "$m" ;;
	8) rm -f "$d/ims_xml.xsd" ;;
	9) perl -0pi -e "s|<title>([^<]*)</title>|<title>\$1, edition $i</title>|" "$m" ;;
	10) perl -0pi -e 's/adlcp:/adl:/g; s/xmlns:adlcp=/xmlns:adl=/' "$m" ;;
	11) perl -0pi -e 's|<resources>|<resources><metadata><schema>ADL SCORM</schema></metadata>|' "$m" ;;
	12) mkdir "$d.n" && mv "$d" "$d.n/course" && mv "$d.n" "$d" ;;
	esac
}

for i in $(seq 0 $((COUNT - 1))); do
	d=$W/tmp
	rm -rf "$d"
	cp -R "$W/bases/$((i % 8))" "$d"
	vary "$d" "$i" $(((i / 8) % 13))
	(cd "$d" && find . -type f | sed 's|^\./||' | LC_ALL=C sort |
		zip -q -X -D "$W/pkgs/$(printf 'p%04d' "$i").zip" -@)
done
rm -rf "$W/tmp"
bytes=$(du -sb "$W/pkgs" | cut -f1)

# --- 2. the runs -----------------------------------------------------------
cd "$W/pkgs"
# shellcheck disable=SC2016
A=("$ETOOLBOX" check ./p*.zip)
# shellcheck disable=SC2016
B=(bash -c 'for z in ./p*.zip; do "$0" check "$z"; done' "$ETOOLBOX")
# shellcheck disable=SC2016
C=(bash -c 'for z in ./p*.zip; do unzip -p "$z" imsmanifest.xml | xmllint --noout --schema "$0" - 2>/dev/null; done' "$XSD")
measure() { # measure NAME CMD...: append "wall_s cpu_s rss_kb" to $W/NAME
	local name=$1
	shift
	/usr/bin/time -f '%e %U %S %M' -o "$W/t" "$@" > /dev/null 2>&1 || true
	tail -1 "$W/t" | awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' >> "$W/$name"
}
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "check.sh: warming up" >&2
"${A[@]}" > /dev/null 2>&1 || true
"${B[@]}" > /dev/null 2>&1 || true
"${C[@]}" > /dev/null 2>&1 || true
for r in $(seq 1 "$ROUNDS"); do
	echo "check.sh: round $r of $ROUNDS" >&2
	measure A "${A[@]}"
	measure B "${B[@]}"
	measure C "${C[@]}"
done
median() { # median NAME FIELD
	cut -d' ' -f"$2" "$W/$1" | sort -n |
		awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
maxrss() { cut -d' ' -f3 "$W/$1" | sort -n | tail -1; }
ta=$(median A 1) tb=$(median B 1) tc=$(median C 1)
ca=$(median A 2) cb=$(median B 2) cc=$(median C 2)
ra=$(maxrss A) rb=$(maxrss B) rc=$(maxrss C)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }

# verdicts: exit status of each, per package (not timed)
agree=0 only_check=0 only_xmllint=0
for z in ./p*.zip; do
	e=0 x=0
	"$ETOOLBOX" check "$z" > /dev/null 2>&1 || e=1
	unzip -p "$z" imsmanifest.xml 2>/dev/null | xmllint --noout --schema "$XSD" - > /dev/null 2>&1 || x=1
	if [ $e = $x ]; then agree=$((agree + 1))
	elif [ $e = 1 ]; then only_check=$((only_check + 1))
	else only_xmllint=$((only_xmllint + 1)); fi
done
fails=$("$ETOOLBOX" check ./p*.zip 2>/dev/null | grep -Ec ': [1-9][0-9]* errors?, ' || true)

cd "$TOP"
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
{
	echo "| | median wall time | median CPU time (user+sys) | peak RSS |"
	echo "| --- | ---: | ---: | ---: |"
	echo "| A. \`etoolbox check\`, one process, $COUNT zips | $ta s | $ca s | $ra KB |"
	echo "| B. \`etoolbox check\`, $COUNT processes | $tb s | $cb s | $rb KB (largest process) |"
	echo "| C. \`unzip -p \| xmllint --schema\`, $COUNT pipelines | $tc s | $cc s | $rc KB (largest process) |"
	echo
	echo "- medians of $ROUNDS rounds; load average before the runs: $load"
	echo "- wall time ratio C/A: **$(ratio "$tc" "$ta")x**; C/B: **$(ratio "$tc" "$tb")x** (target: at least 5x)"
	echo "- CPU time ratio C/A: **$(ratio "$cc" "$ca")x**; C/B: **$(ratio "$cc" "$cb")x**"
	echo "- packages: $COUNT zips, $bytes bytes in all; 'etoolbox check' finds errors in $fails"
	echo "- verdicts (exit status): the same for $agree; only etoolbox check fails $only_check;" \
		"only the xmllint pipeline fails $only_xmllint"
	echo "- machine: ${cpu:-unknown CPU}, $(nproc) CPUs, $(free -g | awk '/^Mem:/ { print $2 }') GB;" \
		"$(. /etc/os-release && echo "$PRETTY_NAME"); $(date -u +%Y-%m-%d)"
	echo "- versions: etoolbox $("$ETOOLBOX" --version 2>/dev/null | head -1 | sed 's/^etoolbox //'), libzip" \
		"$(pkg-config --modversion libzip 2>/dev/null), $(xmllint --version 2>&1 | head -1 | sed 's/^xmllint: using //'), $(unzip -v | head -1 | cut -d' ' -f1-2)"
} | tee "$W/../check-results.md"
