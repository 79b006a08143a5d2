#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# statonce.sh - the task view with -p PID opens the process's stat once per sample: the
# identity check of the PID (is it still the process it named?) uses what the sample read.
# Counted with strace: the opens of a run of 6 samples minus those of a run of 3.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
lib=$(dirname "$0")/lib.sh
[ -r "$lib" ] || lib=${top_srcdir:-.}/tests/lib.sh
. "$lib" || exit 99

STRACE=$(command -v strace) || skip "no strace(1) to count the opens"
"$STRACE" -f -qq -e trace=openat -o /dev/null true 2>"$TS_TMP/strace.err" ||
	skip "strace cannot trace here: $(head -n 1 "$TS_TMP/strace.err")"

start_workload --threads 2 --name "stat1$TS_RUN"
pid=$WL_PID

# opens N: how many times `taskscope -b -d 0.05 -p PID -n N` opened a process's "stat"
# (relative to its directory: /proc/stat is opened by its path), into OPENS. LeakSanitizer
# cannot run under a tracer: a sanitizer build checks for leaks in the other tests.
opens() {
	local n=$1 out=$TS_TMP/trace.$1
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		"$STRACE" -f -qq -e trace=openat,open -o "$out" \
		"$TASKSCOPE" -b -d 0.05 -p "$pid" -n "$n" >"$TS_TMP/ts.out" 2>"$TS_TMP/ts.err" ||
		die "taskscope -p $pid -n $n failed under strace" "$TS_TMP/ts.err"
	OPENS=$(grep -c '"stat"' "$out")
}

check "the task view -p PID: one open of the process's stat per sample"
opens 3
a=$OPENS
opens 6
b=$OPENS
if [ $((b - a)) -eq 3 ]; then
	ok "$a opens for 3 samples, $b for 6: one per sample"
else
	fail "$a opens of stat for 3 samples, $b for 6: $(((b - a) / 3)) per sample, expected 1" \
		"$TS_TMP/trace.6"
fi

finish
