#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - build the libFuzzer targets with clang and run each for FUZZ_SECONDS (`make fuzz`)
#
# Called by `make fuzz` with the build's facts in the environment:
#   FUZZ_CC        clang (libFuzzer needs it; the normal build may use gcc)
#   FUZZ_SECONDS   seconds per target (default 30)
#   FUZZ_SRCDIR    the source tree; FUZZ_BUILDDIR: the build tree (config.h)
#   FUZZ_SOURCES   the library's sources (libtaskscope_a_SOURCES; headers are skipped)
#   FUZZ_CFLAGS    pkg-config flags of the libraries; FUZZ_LIBS: what to link with
# and the targets as arguments: NAME builds tests/fuzz/fuzz_NAME.c and seeds it from
# tests/fuzz/corpus/NAME/. Each target starts from a copy of its seeds in a temporary
# directory (the checked-in corpus is never written to). A crash, a sanitizer report, a
# leak or a failed property stops that target; the input is saved under
# $FUZZ_BUILDDIR/fuzz-out/crashes/NAME/ and the run fails at the end.
# FUZZ_BUILD_ONLY=1 builds without running; FUZZ_ARGS adds libFuzzer options to each run
# (e.g. FUZZ_ARGS=-max_len=65536).
set -u

: "${FUZZ_CC:=clang}" "${FUZZ_SECONDS:=30}" "${FUZZ_SRCDIR:=.}" "${FUZZ_BUILDDIR:=.}"
: "${FUZZ_SOURCES:=}" "${FUZZ_CFLAGS:=}" "${FUZZ_LIBS:=}" "${FUZZ_BUILD_ONLY:=0}" "${FUZZ_ARGS:=}"

say() { printf 'fuzz: %s\n' "$*"; }

if [ $# -eq 0 ]; then
	say "no targets given"
	exit 2
fi
case $FUZZ_SECONDS in
'' | *[!0-9]*) say "FUZZ_SECONDS must be a whole number of seconds, not '$FUZZ_SECONDS'"; exit 2 ;;
esac
if ! command -v "$FUZZ_CC" >/dev/null 2>&1; then
	say "$FUZZ_CC not found: apt-get install clang libclang-rt-14-dev"
	exit 1
fi
if [ ! -f "$FUZZ_BUILDDIR/config.h" ]; then
	say "$FUZZ_BUILDDIR/config.h is missing: run ./configure first"
	exit 1
fi

src=$(cd "$FUZZ_SRCDIR" && pwd)
bld=$(cd "$FUZZ_BUILDDIR" && pwd)
out=$bld/fuzz-out/build
crashes=$bld/fuzz-out/crashes
mkdir -p "$out/obj" "$crashes" || exit 1

san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cflags="-std=gnu11 -g -O1 -Wall -Wextra -Wno-unused-parameter"
cflags="$cflags -I$src/src -I$src/tests/fuzz -I$bld $FUZZ_CFLAGS"

# The library, instrumented for coverage (fuzzer-no-link) and the sanitizers. Rebuilt
# each run: about as long as one target's run, and never stale.
say "building the library with $FUZZ_CC"
objs=
jobs=
for f in $FUZZ_SOURCES; do
	case $f in *.c) ;; *) continue ;; esac
	o=$out/obj/$(printf '%s' "$f" | tr '/' '_' | sed 's/\.c$/.o/')
	objs="$objs $o"
	$FUZZ_CC $cflags -fsanitize=fuzzer-no-link $san -c "$src/$f" -o "$o" &
	jobs="$jobs $!"
	# two compilers at a time
	if [ "$(printf '%s\n' $jobs | wc -l)" -ge 2 ]; then
		for j in $jobs; do wait "$j" || { say "compiling failed"; exit 1; }; done
		jobs=
	fi
done
for j in $jobs; do wait "$j" || { say "compiling failed"; exit 1; }; done
rm -f "$out/libfuzzts.a"
ar rcs "$out/libfuzzts.a" $objs || exit 1

for t in "$@"; do
	say "building fuzz_$t"
	$FUZZ_CC $cflags -fsanitize=fuzzer $san "$src/tests/fuzz/fuzz_$t.c" \
		"$out/libfuzzts.a" $FUZZ_LIBS -o "$out/fuzz_$t" ||
		{ say "building fuzz_$t failed"; exit 1; }
done
[ "$FUZZ_BUILD_ONLY" = 1 ] && exit 0

work=$(mktemp -d "${TMPDIR:-/tmp}/taskscope-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
failed=0
summary=$work/summary
: >"$summary"
for t in "$@"; do
	mkdir -p "$work/$t/corpus" "$crashes/$t"
	if [ -d "$src/tests/fuzz/corpus/$t" ]; then
		cp "$src/tests/fuzz/corpus/$t"/* "$work/$t/corpus/" 2>/dev/null
	fi
	seeds=$(ls "$work/$t/corpus" | wc -l)
	say "running fuzz_$t for ${FUZZ_SECONDS}s from $seeds seeds"
	log=$crashes/$t/last.log
	"$out/fuzz_$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -error_exitcode=1 -artifact_prefix="$crashes/$t/" \
		$FUZZ_ARGS "$work/$t/corpus" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
	secs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log" | tail -n 1)
	corpus=$(ls "$work/$t/corpus" | wc -l)
	if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
		rate=$((runs / (secs > 0 ? secs : 1)))
		printf 'PASS fuzz_%s: %s executions in %ss (%s/s), corpus %s -> %s inputs\n' \
			"$t" "$runs" "$secs" "$rate" "$seeds" "$corpus" >>"$summary"
	else
		failed=$((failed + 1))
		art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
		printf 'FAIL fuzz_%s: exit %s; input saved as %s; log %s\n' "$t" "$rc" \
			"${art:-(none)}" "$log" >>"$summary"
		grep -E 'ERROR|SUMMARY|property failed|runtime error' "$log" | head -n 5 |
			sed 's/^/    /' >>"$summary"
	fi
done
say "results (${FUZZ_SECONDS}s per target):"
cat "$summary"
[ "$failed" -eq 0 ] || { say "$failed of $# targets failed"; exit 1; }
exit 0
