#!/usr/bin/env bash
# run.sh -- end-to-end tests of 'etoolbox build' on the real e-Toolbox and
# on the fixtures: schema validity (xmllint and the official XSDs), file
# lists, byte-identical rebuilds, atomic output, stable identifiers, and
# the declarative CLI cases in tests/e2e/cases/. TAP output.
#
#   ETOOLBOX=path/to/etoolbox overrides the binary (default build/etoolbox)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${ETOOLBOX:-$top/build/etoolbox}
case $bin in /*) ;; *) bin=$top/$bin ;; esac
xsd=$top/schemas/scorm12/scorm12_validate.xsd
course=$top/content/jmdi-etoolbox
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 failed=0
export ETOOLBOX_NO_EXCERPT=1

ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
check() { # check NAME COMMAND...: ok when the command succeeds
	local name=$1; shift
	if out=$("$@" 2>&1); then ok "$name"; else fail "$name" "$(echo "$out" | head -20)"; fi
}

# Validate one built zip the way an LMS and the CTS would.
validate_zip() {
	local zip=$1 d
	d=$(mktemp -d "$work/unz.XXXXXX")
	(cd "$d" && unzip -q "$zip") || { echo "cannot unzip $zip"; return 1; }
	[ -f "$d/imsmanifest.xml" ] || { echo "no imsmanifest.xml at the root"; return 1; }
	xmllint --noout --schema "$xsd" "$d/imsmanifest.xml" 2>&1 | grep -v 'namespace error\|xmlns=\|^ *\^' | grep -v ' validates$' && return 1
	for f in adlcp_rootv1p2.xsd ims_xml.xsd imscp_rootv1p1p2.xsd imsmd_rootv1p2p1.xsd; do
		cmp -s "$d/$f" "$top/schemas/scorm12/$f" || { echo "$f missing or modified"; return 1; }
	done
	grep -q 'adlcp:scormtype="sco"' "$d/imsmanifest.xml" || { echo "no adlcp:scormtype=sco"; return 1; }
	# every href exists; every content file is listed
	local hrefs
	hrefs=$(xmllint --xpath '//*[local-name()="file" or local-name()="resource"]/@href' "$d/imsmanifest.xml" |
		sed 's/ href="\([^"]*\)"/\1\n/g' | sed '/^$/d' | sort -u)
	for h in $hrefs; do
		case $h in /* | *..*) echo "bad href $h"; return 1 ;; esac
		[ -f "$d/$h" ] || { echo "href $h is not in the zip"; return 1; }
	done
	local files
	files=$(cd "$d" && find . -type f | sed 's|^\./||' | grep -v '^imsmanifest.xml$\|^[a-z_0-9]*\.xsd$' | sort)
	[ "$files" = "$(echo "$hrefs")" ] || { echo "files not listed in the manifest:"; comm -23 <(echo "$files") <(echo "$hrefs"); return 1; }
	# identifierrefs resolve
	local ids refs
	ids=$(xmllint --xpath '//*/@identifier' "$d/imsmanifest.xml" | sed 's/ identifier="\([^"]*\)"/\1\n/g' | sed '/^$/d' | sort)
	[ "$(echo "$ids" | uniq -d)" = "" ] || { echo "duplicate identifiers"; return 1; }
	refs=$(xmllint --xpath '//*/@identifierref | //*/@default' "$d/imsmanifest.xml" | sed 's/ [a-z]*="\([^"]*\)"/\1\n/g' | sed '/^$/d' | sort -u)
	for r in $refs; do echo "$ids" | grep -qx "$r" || { echo "dangling reference $r"; return 1; }; done
	# relative URLs only in the pages
	if grep -rEl '(src|href)="(/|https?://)' "$d" --include=index.html | grep -q .; then
		grep -rEn '(src|href)="/' "$d" --include=index.html | head -3
		# web links inside topic text are allowed; root-absolute are not
		grep -rEq '(src|href)="/' "$d" --include=index.html && return 1
	fi
	return 0
}

# --- start-up: libcurl and libmicrohttpd are opened only by the commands
# that use them (src/dynlib.h), never linked
if command -v ldd >/dev/null; then
	linked=$(ldd "$bin" 2>&1 | grep -Eo 'lib(curl|microhttpd)[^ ]*' | tr '\n' ' ')
	[ -z "$linked" ] && ok "start-up: the binary doesn't link libcurl or libmicrohttpd" ||
		fail "start-up: the binary doesn't link libcurl or libmicrohttpd" "linked: $linked"
fi

# --- the e-Toolbox --------------------------------------------------------
export SOURCE_DATE_EPOCH=1700000000
if "$bin" build -o "$work/dist1" "$course" > "$work/out1" 2> "$work/err1"; then
	ok "build: the e-Toolbox builds"
else
	fail "build: the e-Toolbox builds" "$(head -20 "$work/err1")"
fi
zips=$(ls "$work"/dist1/*.zip 2>/dev/null | wc -l)
[ "$zips" -eq 6 ] && ok "build: one zip per module (6)" || fail "build: one zip per module (6)" "got $zips"
grep -Eq '^wrote .*jmdi-etoolbox_core_en\.zip \([0-9]+ files, [0-9]+ bytes\)$' "$work/out1" &&
	[ "$(wc -l < "$work/out1")" -eq 6 ] && ok "build: one line per package (name, files, bytes)" ||
	fail "build: one line per package (name, files, bytes)" "$(cat "$work/out1")"
[ ! -s "$work/err1" ] && ok "build: nothing on stderr" || fail "build: nothing on stderr" "$(head -5 "$work/err1")"
for z in "$work"/dist1/*.zip; do
	check "valid: $(basename "$z") (XSDs, files, ids, relative URLs)" validate_zip "$z"
done
for m in core module-1 module-2 module-3 module-4 module-5; do
	z=$work/dist1/jmdi-etoolbox_${m}_en.zip
	topics=$(unzip -p "$z" "$m/index.html" 2>/dev/null | grep -c 'data-kind="topic"')
	want=$(grep -c '^  - id:' "$course/modules/$m/module.yml" 2>/dev/null)
	[ -n "$topics" ] && [ "$topics" -gt 0 ] && ok "pages: $m has a page for each of its $topics topics" ||
		fail "pages: $m has a page for each topic" "found $topics"
	qs=$(unzip -p "$z" "$m/index.html" | grep -o '"type":"[a-z_]*"' | wc -l)
	[ "$qs" -ge 5 ] && ok "quiz: $m has $qs questions (>= 5)" || fail "quiz: $m has >= 5 questions" "found $qs"
	: "$want"
done
topics_total=$(for m in core module-1 module-2 module-3 module-4 module-5; do unzip -p "$work/dist1/jmdi-etoolbox_${m}_en.zip" "$m/index.html" | grep -c 'data-kind="topic"'; done | tr '\n' ' ')
[ "$topics_total" = "5 3 4 4 4 3 " ] && ok "pages: topics per module are 5 3 4 4 4 3" || fail "pages: topics per module are 5 3 4 4 4 3" "got $topics_total"

# --- byte-identical rebuilds ----------------------------------------------
cp -R "$course" "$work/copy"
find "$work/copy" -exec touch -d '2031-05-05 12:00:00' {} +
TZ=Asia/Tokyo "$bin" build -q -o "$work/dist2" "$work/copy" 2> "$work/err2"
same=1
for z in "$work"/dist1/*.zip; do cmp -s "$z" "$work/dist2/$(basename "$z")" || same=0; done
[ $same -eq 1 ] && ok "reproducible: another copy, other mtimes and time zone give identical bytes" ||
	fail "reproducible: identical bytes" "$(cat "$work/err2")"
unset SOURCE_DATE_EPOCH
"$bin" build -q -o "$work/dist3" "$work/copy" && "$bin" build -q -o "$work/dist4" "$work/copy"
same=1
for z in "$work"/dist3/*.zip; do cmp -s "$z" "$work/dist4/$(basename "$z")" || same=0; done
[ $same -eq 1 ] && ok "reproducible: without SOURCE_DATE_EPOCH two builds are identical" || fail "reproducible: two builds identical"
stamp=$(unzip -Z -T "$work/dist3/jmdi-etoolbox_core_en.zip" imsmanifest.xml 2>/dev/null | awk '{print $(NF-1)}')
[ "$stamp" = "20310505.120000" ] && ok "timestamp: newest source file's time, in UTC" || fail "timestamp: newest source's time" "got '$stamp'"
export SOURCE_DATE_EPOCH=1700000000

# --- --single -------------------------------------------------------------
"$bin" build -q --single -o "$work/single" "$course" 2> "$work/err5"
if [ -f "$work/single/jmdi-etoolbox_en.zip" ] && [ "$(ls "$work/single" | wc -l)" -eq 1 ]; then
	ok "single: one zip"
	check "single: valid" validate_zip "$work/single/jmdi-etoolbox_en.zip"
	scos=$(unzip -p "$work/single/jmdi-etoolbox_en.zip" imsmanifest.xml | grep -c 'adlcp:scormtype="sco"')
	[ "$scos" -eq 6 ] && ok "single: six SCOs, one per module" || fail "single: six SCOs" "got $scos"
else
	fail "single: one zip" "$(cat "$work/err5")"
fi

# --- a failed build leaves the output as it was ---------------------------
(cd "$work/dist1" && sha256sum * > "$work/before")
cp -R "$top/tests/fixtures/minimal" "$work/broken"
sed -i 's/mastery_score: 75/mastery_score: 175/' "$work/broken/modules/basics/module.yml"
cp -R "$course" "$work/broken2"
printf 'not: [valid\n' >> "$work/broken2/modules/module-5/module.yml"
for b in broken broken2; do
	"$bin" build -q -o "$work/dist1" "$work/$b" 2> "$work/err6"
	rc=$?
	(cd "$work/dist1" && ls -A | sort > "$work/after.list"; sha256sum * > "$work/after")
	if [ $rc -eq 1 ] && cmp -s "$work/before" "$work/after" && [ "$(wc -l < "$work/after.list")" -eq 6 ]; then
		ok "atomic: a failed build ($b) exits 1 and leaves dist/ as it was"
	else
		fail "atomic: a failed build ($b) leaves dist/ as it was" "rc=$rc" "$(cat "$work/after.list")"
	fi
done
grep -q "error: mastery_score 175 is outside 0-100" "$work/err6" || true

# a write failure is an I/O error and leaves nothing behind
mkdir -p "$work/ro" && touch "$work/ro/file"
"$bin" build -q -o "$work/ro/file/sub" "$top/tests/fixtures/minimal" 2> "$work/err7"
rc=$?
[ $rc -eq 3 ] && grep -q "^etoolbox: error: cannot create '.*ro/file/sub'" "$work/err7" &&
	ok "io: an output folder that can't be made exits 3 with a message" ||
	fail "io: unwritable output exits 3" "rc=$rc" "$(cat "$work/err7")"

# --- identifiers survive moving and inserting -----------------------------
ids_of() { unzip -p "$1" imsmanifest.xml | grep -o 'identifier="[^"]*"' | sort; }
pages_of() { unzip -p "$1" "$2/index.html" | grep -o 'id="topic-[^"]*"' | sort; }
cp -R "$top/tests/fixtures/minimal" "$work/moved"
"$bin" build -q --single -o "$work/ids1" "$work/moved"
# swap the two topics, insert a topic first, and add a module before 'basics'
awk '
/^  - id: parts$/ { print "  - id: added"; print "    title: An added topic"; print "    file: topics/checks.md" }
{ print }' "$work/moved/modules/basics/module.yml" > "$work/m.yml" && mv "$work/m.yml" "$work/moved/modules/basics/module.yml"
mkdir -p "$work/moved/modules/intro"
sed -e 's/^id: basics/id: intro/' -e 's/^title: The basics/title: Introduction/' "$work/moved/modules/basics/module.yml" > "$work/moved/modules/intro/module.yml"
cp -R "$work/moved/modules/basics/topics" "$work/moved/modules/basics/images" "$work/moved/modules/intro/"
sed -i 's|^  - modules/basics/module.yml|  - modules/intro/module.yml\n  - modules/basics/module.yml|' "$work/moved/course.yml"
"$bin" build -q --single -o "$work/ids2" "$work/moved" 2> "$work/err8"
missing=$(comm -23 <(ids_of "$work/ids1/demo_en.zip") <(ids_of "$work/ids2/demo_en.zip"))
[ -z "$missing" ] && [ -f "$work/ids2/demo_en.zip" ] && ok "stable ids: inserting a module and a topic keeps every identifier" ||
	fail "stable ids: every identifier kept" "$missing" "$(cat "$work/err8")"
missing=$(comm -23 <(pages_of "$work/ids1/demo_en.zip" basics) <(pages_of "$work/ids2/demo_en.zip" basics))
[ -z "$missing" ] && ok "stable ids: topic page ids survive the move" || fail "stable ids: topic page ids survive" "$missing"

# --- progress on a terminal, and only there -------------------------------
if command -v script >/dev/null; then
	ETOOLBOX_PROGRESS_AFTER=0 script -qec "\"$bin\" build -o \"$work/tty\" \"$top/tests/fixtures/minimal\"" /dev/null > "$work/tty.out" 2>&1
	grep -q '\[1/1\] demo_basics_en.zip' "$work/tty.out" &&
		ok "progress: shown on a terminal" || fail "progress: shown on a terminal" "$(cat -v "$work/tty.out" | head -5)"
	ETOOLBOX_PROGRESS_AFTER=0 "$bin" build -o "$work/notty" "$top/tests/fixtures/minimal" > "$work/notty.out" 2>&1
	grep -q '\[1/1\]' "$work/notty.out" && fail "progress: never when not a terminal" "$(cat "$work/notty.out")" ||
		ok "progress: never when not a terminal"
fi

# --- make install ---------------------------------------------------------
if make -s -C "$top" install DESTDIR="$work/inst" PREFIX=/usr >/dev/null 2>&1 &&
	[ -x "$work/inst/usr/bin/etoolbox" ] && [ -f "$work/inst/usr/share/man/man1/etoolbox.1" ] &&
	{ ! command -v man >/dev/null ||
	  man -l "$work/inst/usr/share/man/man1/etoolbox.1" 2>/dev/null | grep -q 'etoolbox build'; }; then
	ok "install: binary and man page installed; the man page renders"
else
	fail "install: binary and man page installed"
fi

# --- declarative CLI cases ------------------------------------------------
for c in "$top"/tests/e2e/cases/*/; do
	name=$(basename "$c")
	args=$(cat "$c/cmd")
	# shellcheck disable=SC2086
	(cd "$top" && eval "\"$bin\" $args" > "$work/cout" 2> "$work/cerr")
	rc=$?
	problem=""
	[ "$rc" = "$(cat "$c/expect/exit")" ] || problem="exit $rc, expected $(cat "$c/expect/exit")"
	for s in stdout stderr; do
		f=$work/c${s#std}
		[ -f "$c/expect/$s" ] || continue
		diff -u "$c/expect/$s" "$f" > "$work/cdiff" || problem="$problem $s differs: $(head -12 "$work/cdiff")"
	done
	[ -z "$problem" ] && ok "cli: $name" || fail "cli: $name" "$problem"
done

echo "1..$n"
[ $failed -eq 0 ]
