#!/usr/bin/env bash
# run-check-cases.sh -- the 'etoolbox check' corpus in tests/check/ (TAP)
#
# usage: tools/run-check-cases.sh [CASE.case...]
#   ETOOLBOX=path      the binary under test (default build/etoolbox)
#   CHECK_WRAPPER=cmd  run it through cmd, e.g. "valgrind -q --error-exitcode=99"
#                      (then the time limit is x20 and memory is not measured;
#                      for an ASan build, both limits are x4)
#   CHECK_TIMEOUT=s    the time limit of every run (default 5 seconds)
#   CHECK_MAX_RSS_KB=k the peak RSS limit (default 102400; 0 = not measured)
#   CHECK_SAVE=dir     save each case's actual standard output as dir/CASE.out
#                      (to write a new case's %%EXPECT, then review it)
#
# Zips are never committed: each case says how to make its zip from a base
# package, the runner makes it in a temporary folder, runs
#   etoolbox check [ARGS] course.zip
# from inside that folder (so the output names the zip 'course.zip'), and
# asserts the exact standard output, the exit status, an empty standard
# error, that the run ends within the time limit and peak RSS limit, and
# that it wrote nothing to its folder.
# Besides the cases, it checks that every package 'etoolbox build' makes of
# content/jmdi-etoolbox (per module and --single) passes with no finding.
#
# A case, tests/check/cases/NNN-what-it-breaks.case, is plain text. Lines
# before the first section are comments (say what the case breaks and why).
# Sections run in the order written:
#
#   %%BASE minimal       start from 'etoolbox build --single' of
#                        tests/fixtures/minimal, unzipped (the default)
#   %%BASE multi-sco     start from tests/check/valid/multi-sco/ plus the four
#                        XSDs from schemas/scorm12/
#   %%BASE empty         start from nothing
#   %%SED <file> <expr>  sed -i -e '<expr>' on a file of the package
#   %%FILE <path>        the lines up to the next section become that file
#   %%BYTES <path>       the next line, with printf %b escapes, is the file
#   %%DELETE <path>      remove a file or folder of the package
#   %%SYMLINK <path> <target>   make <path> a symbolic link (zipped as a link)
#   %%SH <command>       a shell command run in the package folder ($TOP is
#                        the repository, for tests/check/lib/ helpers)
#
# How the zip is made (default: every file and link of the package, sorted
# by name, no folder entries, deflated by 'zip -X -y'):
#
#   %%ZIP nested <dir>   every entry under <dir>/, as when one zips a folder
#   %%ZIP dirs           with folder entries too ('zip -r' style)
#   %%ZIP store          stored, not deflated ('zip -0')
#   %%ZIP encrypt <path> that file is added last, encrypted ('zip -P')
#   %%ZIP bzip2 <path>   that file is added last, compressed with bzip2
#   %%ZIP none           no zip: %%POSTSH makes the file
#   %%NAME <name>        the zip's file name (default course.zip)
#
# Then, on the zip's bytes:
#
#   %%RENAME <from> <to> rename an entry by patching its name in the local
#                        and central headers (same length; <from> must occur
#                        exactly twice in the zip); <to> is the rest of the
#                        line, with \xHH escapes for any byte
#   %%SIZE <entry> <n>   patch the entry's declared uncompressed size (local
#                        and central headers) to n (decimal or 0x...)
#   %%TRUNCATE <n>       keep the first n bytes; -n drops the last n
#   %%POSTSH <command>   a shell command run in the folder of the zip (where
#                        check runs), with $ZIP and $TOP set
#
# And the run:
#
#   %%ARGS <args>        arguments before the zip (--json, --strict, more files)
#   %%NOOPEN <path>      run it once more under strace: it must not open <path>
#                        nor create any socket (skipped with a wrapper)
#   %%EXIT <status>      the expected exit status (required)
#   %%EXPECT             the exact standard output, to the end of the case
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${ETOOLBOX:-$top/build/etoolbox}
case $bin in /*) ;; *) bin=$top/$bin ;; esac
wrap=${CHECK_WRAPPER:-}
limit=${CHECK_TIMEOUT:-5}
maxrss=${CHECK_MAX_RSS_KB:-102400}
if [ -n "$wrap" ]; then
	limit=$((limit * 20))
	maxrss=0
fi
# AddressSanitizer builds are slower and bigger
if grep -q __asan_init "$bin" 2>/dev/null; then
	limit=$((limit * 4))
	maxrss=$((maxrss * 4))
fi
[ $# -gt 0 ] || set -- "$top"/tests/check/cases/*.case
work=$(mktemp -d)
export TOP=$top
trap 'rm -rf "$work"' EXIT
n=0 failed=0
schemas="adlcp_rootv1p2.xsd ims_xml.xsd imscp_rootv1p1p2.xsd imsmd_rootv1p2p1.xsd"

echo "1..$(($# + 2))"

ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { # notok NAME PROBLEM [DETAIL FILE]
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1: $2"
	[ $# -lt 3 ] || [ ! -f "$3" ] || sed 's/^/#   /' "$3" | head -60
}

# --- the bases --------------------------------------------------------------
mkdir -p "$work/bases/minimal" "$work/bases/empty"
if ! "$bin" build -q --single -o "$work/bases/out" "$top/tests/fixtures/minimal" \
	> "$work/bases/log" 2>&1 ||
	! (cd "$work/bases/minimal" && unzip -q "$work"/bases/out/*.zip); then
	echo "Bail out! cannot build the minimal base package"
	sed 's/^/#   /' "$work/bases/log"
	exit 1
fi
cp -R "$top/tests/check/valid/multi-sco" "$work/bases/multi-sco"
for s in $schemas; do cp "$top/schemas/scorm12/$s" "$work/bases/multi-sco/"; done

# --- helpers on zip bytes ---------------------------------------------------
zip_rename() { # zip_rename ZIP FROM TO
	perl -e '
		my ($f, $from, $to) = @ARGV;
		$to =~ s/\\x([0-9a-fA-F]{2})/chr(hex($1))/ge;
		length($from) == length($to) or die "RENAME: names differ in length\n";
		open(my $h, "<:raw", $f) or die "$f: $!\n";
		local $/; my $b = <$h>; close $h;
		my $c = () = $b =~ /\Q$from\E/g;
		$c == 2 or die "RENAME: \"$from\" occurs $c times in the zip, not 2\n";
		$b =~ s/\Q$from\E/$to/g;
		open($h, ">:raw", $f) or die "$f: $!\n"; print $h $b; close $h;
	' "$@"
}

zip_size() { # zip_size ZIP ENTRY SIZE
	perl -e '
		my ($f, $name, $size) = @ARGV;
		$size = oct($size) if $size =~ /^0/;
		open(my $h, "<:raw", $f) or die "$f: $!\n";
		local $/; my $b = <$h>; close $h;
		my $e = rindex($b, "PK\x05\x06");
		$e >= 0 or die "SIZE: no end of central directory\n";
		my ($count, $off) = (unpack("v", substr($b, $e + 10, 2)),
				     unpack("V", substr($b, $e + 16, 4)));
		my $p = $off; my $hit = 0;
		for (1 .. $count) {
			substr($b, $p, 4) eq "PK\x01\x02" or die "SIZE: bad central header\n";
			my ($nl, $xl, $cl) = unpack("vvv", substr($b, $p + 28, 6));
			my $lo = unpack("V", substr($b, $p + 42, 4));
			if (substr($b, $p + 46, $nl) eq $name) {
				substr($b, $p + 24, 4) = pack("V", $size);
				substr($b, $lo, 4) eq "PK\x03\x04" or die "SIZE: bad local header\n";
				substr($b, $lo + 22, 4) = pack("V", $size);
				$hit++;
			}
			$p += 46 + $nl + $xl + $cl;
		}
		$hit or die "SIZE: no entry \"$name\"\n";
		open($h, ">:raw", $f) or die "$f: $!\n"; print $h $b; close $h;
	' "$@"
}

# make_zip PKGDIR ZIP MODE... : the zip as the %%ZIP lines say
make_zip() {
	local pkg=$1 zip=$2 nested="" dirs=0 none=0 store="" special="" m a
	shift 2
	for m in "$@"; do
		a=${m#* }
		case $m in
		"nested "*) nested=$a ;;
		dirs) dirs=1 ;;
		store) store=-0 ;;
		none) none=1 ;;
		"encrypt "* | "bzip2 "*) special="$special$a"$'\n' ;;
		*) echo "unknown %%ZIP '$m'"; return 1 ;;
		esac
	done
	[ $none -eq 0 ] || return 0
	local from=$pkg
	if [ -n "$nested" ]; then
		from=$(dirname "$pkg")/nest
		mkdir -p "$from"
		cp -R "$pkg" "$from/$nested"
	fi
	(
		cd "$from" || exit 1
		nodirs=-D
		[ $dirs -eq 0 ] || nodirs=""
		if [ $dirs -eq 1 ]; then
			find . -mindepth 1 \( -type f -o -type l -o -type d \)
		else
			find . \( -type f -o -type l \)
		fi | sed 's|^\./||' | LC_ALL=C sort |
			{ if [ -n "$special" ]; then grep -vxF "$special"; else cat; fi; } > ../list
		if [ -s ../list ]; then
			zip -q -X -y $nodirs $store "$zip" -@ < ../list || exit 1
		fi
		for m in "$@"; do
			case $m in
			"encrypt "*) zip -q -X -y -P secret "$zip" "${m#* }" || exit 1 ;;
			"bzip2 "*) zip -q -X -y -Z bzip2 "$zip" "${m#* }" || exit 1 ;;
			esac
		done
		# no file at all: the 22-byte empty zip
		[ -f "$zip" ] || printf 'PK\005\006\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0' > "$zip"
	)
}

# --- one case ---------------------------------------------------------------
run_case() { # run_case FILE -> sets $problem; leaves files in $d
	local t=$1 line mode="" target="" base="" name=course.zip args="" want="" noopen=""
	local -a zipmodes=() post=()
	problem=""
	d=$work/$(basename "$t" .case)
	mkdir -p "$d"
	pkg=$d/pkg
	: > "$d/expect"
	set_base() {
		base=$1
		[ -d "$work/bases/$base" ] || { problem="unknown %%BASE '$base'"; return 1; }
		rm -rf "$pkg" && cp -R "$work/bases/$base" "$pkg"
	}
	need_base() { [ -n "$base" ] || set_base minimal; }
	end_section() {
		if [ "$mode" = file ]; then
			mkdir -p "$(dirname "$pkg/$target")" && cp "$d/content" "$pkg/$target"
		fi
		mode=""
	}
	while IFS= read -r line || [ -n "$line" ]; do
		if [ "$mode" = expect ]; then
			printf '%s\n' "$line" >> "$d/expect"
			continue
		fi
		if [ "$mode" = bytes ]; then
			mkdir -p "$(dirname "$pkg/$target")" && printf '%b' "$line" > "$pkg/$target"
			mode=""
			continue
		fi
		case $line in
		%%*) end_section ;;
		*)
			if [ "$mode" = file ]; then printf '%s\n' "$line" >> "$d/content"; fi
			continue ;;
		esac
		local kw=${line%% *} rest=""
		[ "$kw" = "$line" ] || rest=${line#* }
		case $kw in
		%%BASE) set_base "$rest" || return ;;
		%%SED)
			need_base || return
			sed -i -e "${rest#* }" "$pkg/${rest%% *}" || { problem="%%SED failed: $rest"; return; } ;;
		%%FILE) need_base || return; mode="file"; target=$rest; : > "$d/content" ;;
		%%BYTES) need_base || return; mode=bytes; target=$rest ;;
		%%DELETE)
			need_base || return
			[ -e "$pkg/$rest" ] || { problem="%%DELETE: no $rest"; return; }
			rm -rf "${pkg:?}/$rest" ;;
		%%SYMLINK)
			need_base || return
			mkdir -p "$(dirname "$pkg/${rest%% *}")"
			rm -f "$pkg/${rest%% *}" && ln -s "${rest#* }" "$pkg/${rest%% *}" ;;
		%%SH)
			need_base || return
			(cd "$pkg" && eval "$rest") > "$d/sh.log" 2>&1 ||
				{ problem="%%SH failed: $rest"; return; } ;;
		%%ZIP) zipmodes+=("$rest") ;;
		%%NAME) name=$rest ;;
		%%RENAME | %%SIZE | %%TRUNCATE | %%POSTSH) post+=("$line") ;;
		%%ARGS) args=$rest ;;
		%%EXIT) want=$rest ;;
		%%NOOPEN) noopen=$rest ;;
		%%EXPECT) mode=expect ;;
		*) problem="unknown section '$line'"; return ;;
		esac
	done < "$t"
	end_section
	need_base || return
	[ -n "$want" ] || { problem="the case has no %%EXIT"; return; }
	mkdir -p "$d/run"
	local zip=$d/run/$name
	make_zip "$pkg" "$zip" "${zipmodes[@]}" > "$d/zip.log" 2>&1 ||
		{ problem="cannot make the zip: $(head -3 "$d/zip.log")"; return; }
	local p
	for p in "${post[@]}"; do
		local kw=${p%% *} rest=${p#* }
		case $kw in
		%%RENAME) zip_rename "$zip" "${rest%% *}" "${rest#* }" ;;
		%%SIZE) zip_size "$zip" "${rest%% *}" "${rest#* }" ;;
		%%TRUNCATE) head -c "$rest" "$zip" > "$zip.tmp" && mv "$zip.tmp" "$zip" ;;
		%%POSTSH) (cd "$d/run" && export ZIP="$zip" && eval "$rest") ;;
		esac > "$d/post.log" 2>&1 || { problem="$p failed: $(head -3 "$d/post.log")"; return; }
	done
	# the run: time-limited, peak RSS measured by GNU time
	local -a timer=()
	[ "$maxrss" -eq 0 ] || timer=(/usr/bin/time -f %M -o "$d/rss")
	(cd "$d/run" && find . | LC_ALL=C sort) > "$d/before"
	# shellcheck disable=SC2086
	(cd "$d/run" && "${timer[@]}" timeout -k 1 "$limit" $wrap "$bin" check $args "$name" \
		> "$d/stdout" 2> "$d/stderr")
	local rc=$?
	(cd "$d/run" && find . | LC_ALL=C sort) > "$d/after"
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		problem="did not finish within $limit s"
	elif ! diff -u "$d/expect" "$d/stdout" > "$d/diff"; then
		problem="standard output differs (exit $rc)"
	elif [ "$rc" != "$want" ]; then
		problem="exit status $rc, expected $want"
	elif [ -s "$d/stderr" ]; then
		problem="standard error is not empty"
		cp "$d/stderr" "$d/diff"
	elif [ "$maxrss" -ne 0 ] && [ "$(tail -1 "$d/rss")" -gt "$maxrss" ]; then
		problem="peak RSS $(tail -1 "$d/rss") KB, over $maxrss KB"
	elif ! diff -u "$d/before" "$d/after" > "$d/diff"; then
		problem="check wrote to its working folder"
	elif [ -n "$noopen" ] && [ -z "$wrap" ]; then
		# shellcheck disable=SC2086
		(cd "$d/run" && strace -f -qq -e trace=open,openat,socket,connect -o "$d/trace" \
			"$bin" check $args "$name" > /dev/null 2>&1)
		if ! [ -s "$d/trace" ]; then
			problem="strace failed"
		elif grep -F -e "\"$noopen\"" -e "socket(" -e "connect(" "$d/trace" > "$d/diff"; then
			problem="it opened $noopen or a socket"
		fi
	fi
}

for t in "$@"; do
	case_name=$(basename "$t" .case)
	run_case "$t"
	[ -z "${CHECK_SAVE:-}" ] || cp "$d/stdout" "$CHECK_SAVE/$case_name.out" 2>/dev/null
	if [ -z "$problem" ]; then
		ok "check $case_name"
	else
		notok "check $case_name" "$problem" "$d/diff"
		[ -s "$d/diff" ] || sed 's/^/#   stderr: /' "$d/stderr" 2>/dev/null | head -20
	fi
done

# --- every package etoolbox builds of the e-Toolbox passes ----------------
for how in modules single; do
	out=$work/etoolbox-$how
	flag=""
	[ $how = single ] && flag=--single
	name="check the e-Toolbox packages from 'etoolbox build${flag:+ $flag}': all ok, no finding"
	if ! "$bin" build -q $flag -o "$out" "$top/content/jmdi-etoolbox" > "$out.log" 2>&1; then
		notok "$name" "etoolbox build failed" "$out.log"
		continue
	fi
	zips=$(cd "$out" && find . -name "*.zip" | sed 's|^\./||' | LC_ALL=C sort)
	# shellcheck disable=SC2086
	(cd "$out" && timeout "$limit" $wrap "$bin" check $zips > "$out.stdout" 2> "$out.stderr")
	rc=$?
	bad=$(grep -Evc '^[A-Za-z0-9_.-]+\.zip: ok \([0-9]+ files, [0-9]+ SCOs?\)$' "$out.stdout")
	if [ $rc -ne 0 ] || [ "$bad" -ne 0 ] || [ -s "$out.stderr" ] ||
		[ "$(wc -l < "$out.stdout")" -ne "$(echo "$zips" | wc -l)" ]; then
		cat "$out.stdout" "$out.stderr" > "$out.diff"
		notok "$name" "exit $rc, or findings" "$out.diff"
	else
		ok "$name"
	fi
done
[ $failed -eq 0 ]
