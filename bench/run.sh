#!/bin/sh
# bench/run.sh -- the etoolbox build benchmark (issue 2, section 9)
#
#   bench/run.sh [-n REPS] [-s SIZE_MB] [-b BIG_MB] [-k]
#
#   -n REPS     repetitions of each synthetic-course measurement (default 5)
#   -s SIZE_MB  media in the synthetic course (default 300)
#   -b BIG_MB   media in the larger course used for the RSS check (default
#               600; 0 skips it)
#   -k          keep bench/work/build/ afterwards
#
# ETOOLBOX=/path/to/etoolbox benchmarks that binary instead of running
# `make` and using build/etoolbox.
#
# One run, side by side:
#   1. `etoolbox build` of content/jmdi-etoolbox (hyperfine, 30 runs), and
#      `zip -r -X -6` over the same rendered files (the unzipped packages);
#   2. the synthetic course (tools/gen-synthetic-course.sh) built with
#      `etoolbox build --single`, against `zip -r -X -6` and npm
#      simple-scorm-packager (bench/ssp.js) over the same rendered files
#      (etoolbox's package, unzipped once), REPS rounds, the tools taking
#      turns within each round so machine load hits them alike; etoolbox
#      also with --level 1 (fastest deflate), reported beside the default;
#   3. `etoolbox build --single` of a larger synthetic course, for peak RSS.
# Wall time and peak RSS come from GNU time (`/usr/bin/time -f '%e %U %S
# %M'`); medians and ratios are printed and written to
# bench/results/YYYY-MM-DD.md. All files are read from the page cache
# (each tool runs once before the timed rounds).
#
# It installs what is missing: Debian's time, zip, unzip, hyperfine and
# openssl (apt-get, through sudo when not root), and simple-scorm-packager
# (npm ci in bench/). About 8-10 minutes on 2 cores.
set -eu

REPS=5
SIZE_MB=300
BIG_MB=600
KEEP=0
while getopts n:s:b:k opt; do
	case $opt in
	n) REPS=$OPTARG ;;
	s) SIZE_MB=$OPTARG ;;
	b) BIG_MB=$OPTARG ;;
	k) KEEP=1 ;;
	*) sed -n '2,13s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done

BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
W=$BENCH/work/build # only this: bench/work/ is shared with other bench scripts
ET=${ETOOLBOX:-$ROOT/build/etoolbox}
JMDI=$ROOT/content/jmdi-etoolbox

say() { printf '%s\n' "$*" >&2; }

# ---- what the benchmark needs ------------------------------------------
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
APT_UPDATED=0
apt_install() { # apt_install DEBIAN_PACKAGE
	say "installing $1"
	if [ $APT_UPDATED = 0 ]; then
		$SUDO apt-get update -qq >&2
		APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
	    --no-install-recommends "$1" >&2
}
need() { # need COMMAND DEBIAN_PACKAGE
	command -v "$1" >/dev/null 2>&1 || apt_install "$2"
}
[ -x /usr/bin/time ] || apt_install time
need zip zip
need unzip unzip
need hyperfine hyperfine
need openssl openssl
need node nodejs
if ! [ -d "$BENCH/node_modules/simple-scorm-packager" ]; then
	say "npm ci in bench/"
	(cd "$BENCH" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
if [ -z "${ETOOLBOX:-}" ]; then
	say "make"
	make -C "$ROOT" -s >&2
	ET_FROM="build/etoolbox, made from $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')"
else
	ET_FROM="ETOOLBOX=$ETOOLBOX"
fi

rm -rf "$W"
mkdir -p "$W"
[ $KEEP = 1 ] || trap 'rm -rf "$W"' EXIT
trap 'exit 130' INT TERM

# ---- helpers -------------------------------------------------------------
# measure TAG DIR CMD...: run CMD in DIR under GNU time, append
# "TAG wall user sys maxrss_kib load1" to $W/times.
measure() {
	tag=$1 dir=$2
	shift 2
	(cd "$dir" && /usr/bin/time -f '%e %U %S %M' -o "$W/one.time" "$@" \
	    >"$W/one.out" 2>&1) || {
		say "FAILED: $*"
		cat "$W/one.out" >&2
		exit 1
	}
	printf '%s %s %s\n' "$tag" "$(tail -n 1 "$W/one.time")" \
	    "$(cut -d' ' -f1 /proc/loadavg)" >>"$W/times"
}
# med TAG COL: median of column COL (2 wall, 3 user, 4 sys, 5 rss, 6 cpu)
med() {
	awk -v t="$1" -v c="$2" '$1 == t { v = (c == 6) ? $3 + $4 : $c; print v }' \
	    "$W/times" | sort -g | awk '{ a[NR] = $1 }
	    END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2];
	          else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
calc() { awk "BEGIN { printf \"$1\n\", $2 }"; }
mib() { calc '%.1f' "$1 / 1024"; }
fsize() { wc -c <"$1" | tr -d ' '; }
hf() { # hf JSON INDEX FIELD: hyperfine's figure, in ms (cpu: user+system mean)
	node -e 'const r = require(process.argv[1]).results[+process.argv[2]];
		const f = process.argv[3];
		const v = f === "cpu" ? r.user + r.system : r[f];
		console.log((v * 1000).toFixed(1))' "$1" "$2" "$3"
}

# ---- the machine ---------------------------------------------------------
DATE=$(date -u +%Y-%m-%d)
NPROC=$(nproc)
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
SSP_V=$(node -p "require('$BENCH/node_modules/simple-scorm-packager/package.json').version")
ARCH_V=$(node -p "require('$BENCH/node_modules/archiver/package.json').version")
VERS="$($ET --version) ($ET_FROM), libzip $(pkg-config --modversion libzip 2>/dev/null || echo '?'), zlib $(pkg-config --modversion zlib 2>/dev/null || echo '?'); $(zip -v | sed -n '2s/^This is \(Zip [0-9.]*\).*/\1 (Info-ZIP)/p'); node $(node --version), simple-scorm-packager $SSP_V (archiver $ARCH_V); $(hyperfine --version)"
say "machine: $NPROC x $CPU, $MEM, load $LOAD0"
: >"$W/times"

# ---- 1. the e-Toolbox ----------------------------------------------------
say "1. e-Toolbox: hyperfine, etoolbox build vs zip -r -X -6"
"$ET" build -q -o "$W/jmdi-out" "$JMDI"
NJZ=$(ls "$W/jmdi-out"/*.zip | wc -l)
mkdir -p "$W/jmdi-rend" "$W/jmdi-zip"
for z in "$W/jmdi-out"/*.zip; do
	n=$(basename "$z" .zip)
	mkdir "$W/jmdi-rend/$n"
	(cd "$W/jmdi-rend/$n" && unzip -q "$z")
done
cat >"$W/jmdi-zip.sh" <<EOF
set -e
rm -f "$W"/jmdi-zip/*.zip
for d in "$W"/jmdi-rend/*/; do
	n=\$(basename "\$d")
	(cd "\$d" && zip -q -r -X -6 "$W/jmdi-zip/\$n.zip" .)
done
EOF
JET_CMD="$ET build -q -o $W/jmdi-out content/jmdi-etoolbox"
(cd "$ROOT" && hyperfine -N --style basic --warmup 3 --runs 30 \
    --export-json "$W/jmdi.json" \
    -n 'etoolbox build' --prepare "rm -rf $W/jmdi-out" "$JET_CMD" \
    -n "zip -r -X -6 (x$NJZ)" "sh $W/jmdi-zip.sh" >&2)
J_ET=$(hf "$W/jmdi.json" 0 median)
J_ETSD=$(hf "$W/jmdi.json" 0 stddev)
J_ETMIN=$(hf "$W/jmdi.json" 0 min)
J_ETCPU=$(hf "$W/jmdi.json" 0 cpu)
J_ZIP=$(hf "$W/jmdi.json" 1 median)
J_ZIPSD=$(hf "$W/jmdi.json" 1 stddev)
J_ZIPMIN=$(hf "$W/jmdi.json" 1 min)
J_ZIPCPU=$(hf "$W/jmdi.json" 1 cpu)
for i in 1 2 3 4 5; do
	rm -rf "$W/jmdi-out"
	measure jmdi-et "$ROOT" "$ET" build -q -o "$W/jmdi-out" "$JMDI"
done
J_RSS=$(mib "$(med jmdi-et 5)")
J_BYTES=$(cat "$W"/jmdi-out/*.zip | wc -c)
J_ZBYTES=$(cat "$W"/jmdi-zip/*.zip | wc -c)

# ---- 2. the synthetic course ---------------------------------------------
say "2. synthetic course, $SIZE_MB MiB of media"
GEN_T0=$(date +%s)
"$ROOT/tools/gen-synthetic-course.sh" "$W/syn" "$SIZE_MB" >"$W/gen.txt"
GEN_S=$(($(date +%s) - GEN_T0))
GEN_INFO=$(sed 's|^.*: ||' "$W/gen.txt")
say "   $GEN_INFO (generated in ${GEN_S}s)"
"$ET" build -q --single -o "$W/syn-out" "$W/syn"
mkdir "$W/rend"
(cd "$W/rend" && unzip -q "$W/syn-out/synthetic_en.zip")
REND_FILES=$(find "$W/rend" -type f | wc -l)
REND_MB=$(du -sm "$W/rend" | cut -f1)
# simple-scorm-packager rewrites imsmanifest.xml and the XSDs in its source
# folder: give it hard links to the same media, with those files its own.
cp -al "$W/rend" "$W/ssp-src"
rm "$W/ssp-src/imsmanifest.xml" "$W"/ssp-src/*.xsd
cp "$W/rend/imsmanifest.xml" "$W"/rend/*.xsd "$W/ssp-src/"

S_ET_CMD="etoolbox build -q --single -o OUT COURSE"
S_ET1_CMD="etoolbox build -q --single --level 1 -o OUT COURSE"
S_ZIP_CMD="cd RENDERED && zip -q -r -X -6 ../zip-out.zip ."
S_SSP_CMD="node bench/ssp.js SSP_SRC OUT"
round() { # round TAGSUFFIX
	rm -rf "$W/syn-out"
	measure "et$1" "$ROOT" "$ET" build -q --single -o "$W/syn-out" "$W/syn"
	rm -rf "$W/syn-out1"
	measure "et1$1" "$ROOT" "$ET" build -q --single --level 1 -o "$W/syn-out1" "$W/syn"
	rm -f "$W/zip-out.zip"
	measure "zip$1" "$W/rend" zip -q -r -X -6 ../zip-out.zip .
	rm -rf "$W/ssp-out"
	measure "ssp$1" "$ROOT" node "$BENCH/ssp.js" "$W/ssp-src" "$W/ssp-out"
}
say "   warm-up round"
round -warm
i=1
while [ $i -le "$REPS" ]; do
	say "   round $i/$REPS"
	round ""
	i=$((i + 1))
done
S_ETB=$(fsize "$W/syn-out/synthetic_en.zip")
S_ET1B=$(fsize "$W/syn-out1/synthetic_en.zip")
rm -rf "$W/syn-out1"
S_ZIPB=$(fsize "$W/zip-out.zip")
S_SSPB=$(fsize "$W"/ssp-out/*.zip)
rm -rf "$W/rend" "$W/ssp-src" "$W/zip-out.zip" "$W/ssp-out"

# ---- 3. a larger course: does the RSS grow? --------------------------------
if [ "$BIG_MB" -gt 0 ]; then
	say "3. larger synthetic course, $BIG_MB MiB of media"
	rm -rf "$W/syn-out"
	# the per-module build of the first course, for reference
	measure etmod "$ROOT" "$ET" build -q -o "$W/syn-out" "$W/syn"
	rm -rf "$W/syn" "$W/syn-out"
	"$ROOT/tools/gen-synthetic-course.sh" "$W/big" "$BIG_MB" >"$W/gen-big.txt"
	BIG_INFO=$(sed 's|^.*: ||' "$W/gen-big.txt")
	"$ET" build -q --single -o "$W/big-out" "$W/big" # warm-up
	for i in 1 2 3; do
		rm -rf "$W/big-out"
		measure etbig "$ROOT" "$ET" build -q --single -o "$W/big-out" "$W/big"
	done
	B_BYTES=$(fsize "$W/big-out/synthetic_en.zip")
	rm -rf "$W/big" "$W/big-out"
fi
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- figures ----------------------------------------------------------
ET_W=$(med et 2) ZIP_W=$(med zip 2) SSP_W=$(med ssp 2)
ET_C=$(med et 6) ZIP_C=$(med zip 6) SSP_C=$(med ssp 6)
ET_R=$(mib "$(med et 5)") ZIP_R=$(mib "$(med zip 5)") SSP_R=$(mib "$(med ssp 5)")
R_ZIP=$(calc '%.2f' "$ET_W / $ZIP_W")
R_ZIPC=$(calc '%.2f' "$ET_C / $ZIP_C")
R_SSP=$(calc '%.2f' "$SSP_W / $ET_W")
R_SSPC=$(calc '%.2f' "$SSP_C / $ET_C")
ET1_W=$(med et1 2) ET1_C=$(med et1 6) ET1_R=$(mib "$(med et1 5)")
R_SSP1=$(calc '%.2f' "$SSP_W / $ET1_W")
R_SSP1C=$(calc '%.2f' "$SSP_C / $ET1_C")
R_B1=$(calc '%.3f' "$S_ET1B / $S_ETB")
J_RATIO=$(calc '%.2f' "$J_ET / $J_ZIP")
verdict() { awk "BEGIN { print ($1) ? \"met\" : \"MISSED\" }"; }
T1=$(verdict "$J_ET < 100")
T2=$(verdict "$R_ZIP <= 1.0")
T3=$(verdict "$R_SSP >= 10")
RSS_MAX=$ET_R
if [ "$BIG_MB" -gt 0 ]; then
	BIG_W=$(med etbig 2) BIG_R=$(mib "$(med etbig 5)")
	MOD_W=$(med etmod 2) MOD_R=$(mib "$(med etmod 5)")
	RSS_MAX=$(printf '%s\n' "$ET_R" "$MOD_R" "$BIG_R" | sort -g | tail -n 1)
fi
T4=$(verdict "$RSS_MAX < 64 && $J_RSS < 64")

RES=$BENCH/results/$DATE.md
mkdir -p "$BENCH/results"
{
	echo "# etoolbox build benchmark, $DATE"
	echo
	echo "Machine: $NPROC x $CPU, $MEM, $(uname -sr). Load average $LOAD0 at the"
	echo "start, $LOAD1 at the end. $VERS."
	echo "Command: \`bench/run.sh -n $REPS -s $SIZE_MB -b $BIG_MB\`. Warm page cache;"
	echo "medians of $REPS interleaved runs (the e-Toolbox: hyperfine, 30 runs)."
	echo
	echo "## 1. The e-Toolbox (content/jmdi-etoolbox, $NJZ packages)"
	echo
	echo "| command | wall median | σ | min | CPU user+sys (mean) | peak RSS |"
	echo "|---|---:|---:|---:|---:|---:|"
	echo "| \`$JET_CMD\` | $J_ET ms | $J_ETSD ms | $J_ETMIN ms | $J_ETCPU ms | $J_RSS MiB |"
	echo "| \`zip -r -X -6\` over the $NJZ unzipped packages, one after another | $J_ZIP ms | $J_ZIPSD ms | $J_ZIPMIN ms | $J_ZIPCPU ms | |"
	echo
	echo "etoolbox/zip: $J_RATIO (wall medians), $(calc '%.2f' "$J_ETCPU / $J_ZIPCPU") (CPU). Zip bytes: etoolbox $J_BYTES, zip $J_ZBYTES."
	echo
	echo "## 2. Synthetic course, --single ($GEN_INFO; rendered: $REND_FILES files, $REND_MB MiB)"
	echo
	echo "| command | wall (median) | CPU user+sys | peak RSS | zip bytes |"
	echo "|---|---:|---:|---:|---:|"
	echo "| \`$S_ET_CMD\` | $ET_W s | $ET_C s | $ET_R MiB | $S_ETB |"
	echo "| \`$S_ET1_CMD\` | $ET1_W s | $ET1_C s | $ET1_R MiB | $S_ET1B |"
	echo "| \`$S_ZIP_CMD\` | $ZIP_W s | $ZIP_C s | $ZIP_R MiB | $S_ZIPB |"
	echo "| \`$S_SSP_CMD\` | $SSP_W s | $SSP_C s | $SSP_R MiB | $S_SSPB |"
	echo
	echo "- etoolbox/zip: $R_ZIP wall ($R_ZIPC CPU)"
	echo "- simple-scorm-packager/etoolbox: $R_SSP× wall ($R_SSPC× CPU)"
	echo "- simple-scorm-packager/etoolbox --level 1: $R_SSP1× wall ($R_SSP1C× CPU); its zip is $R_B1× the size of level 6's"
	if [ "$BIG_MB" -gt 0 ]; then
		echo
		echo "## 3. Peak RSS against media size"
		echo
		echo "| build | media | wall (median) | peak RSS |"
		echo "|---|---:|---:|---:|"
		echo "| \`--single\` | $SIZE_MB MiB | $ET_W s | $ET_R MiB |"
		echo "| per module (10 zips), 1 run | $SIZE_MB MiB | $MOD_W s | $MOD_R MiB |"
		echo "| \`--single\`, 3 runs ($BIG_INFO) | $BIG_MB MiB | $BIG_W s | $BIG_R MiB |"
	fi
	echo
	echo "## Targets"
	echo
	echo "| target | figure | |"
	echo "|---|---|---|"
	echo "| e-Toolbox builds in under 100 ms | $J_ET ms wall median ($J_ETMIN ms min, $J_ETCPU ms CPU) | $T1 |"
	echo "| synthetic course no slower than zip -6 (ratio ≤ 1.0) | $R_ZIP | $T2 |"
	echo "| ≥ 10× faster than simple-scorm-packager | $R_SSP× | $T3 |"
	echo "| peak RSS under 64 MB whatever the media size | max $RSS_MAX MiB | $T4 |"
	echo
	echo "<details><summary>raw runs: tag wall_s user_s sys_s maxrss_kib loadavg_1min_after</summary>"
	echo
	echo '```'
	cat "$W/times"
	echo '```'
	echo "</details>"
} >"$RES"
cat "$RES"
say "written: ${RES#$ROOT/}"
