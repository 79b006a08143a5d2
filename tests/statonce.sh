#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# statonce.sh - the task view with -p PID reads the process's stat once per sample: the
# identity check of the PID (is it still the process it named?) uses what the sample read.
# Counted with strace: the reads of a run of 6 samples minus those of a run of 3 (read or
# pread, whether the file is opened each time or kept open between samples).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

STRACE=$(command -v strace) || skip "no strace(1) to count the reads"
"$STRACE" -f -qq -y -e trace=read -o /dev/null true 2>"$TS_TMP/strace.err" ||
	skip "strace cannot trace here: $(head -n 1 "$TS_TMP/strace.err")"

start_workload --threads 2 --name "stat1$TS_RUN"
pid=$WL_PID

# reads N: how many times `taskscope -b -d 0.05 -p PID -n N` read the process's stat file
# (strace -y names the file of each fd), into READS. LeakSanitizer cannot run under a
# tracer: a sanitizer build checks for leaks in the other tests.
reads() {
	local n=$1 out=$TS_TMP/trace.$1
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		"$STRACE" -f -qq -y -e trace=read,pread64 -o "$out" \
		"$TASKSCOPE" -b -d 0.05 -p "$pid" -n "$n" >"$TS_TMP/ts.out" 2>"$TS_TMP/ts.err" ||
		die "taskscope -p $pid -n $n failed under strace" "$TS_TMP/ts.err"
	READS=$(grep -Ec "^[0-9]+ +(pread64|read)\([0-9]+</proc/$pid/stat>" "$out")
}

check "the task view -p PID: one read of the process's stat per sample"
reads 3
a=$READS
reads 6
b=$READS
if [ $((b - a)) -eq 3 ]; then
	ok "$a reads for 3 samples, $b for 6: one per sample"
else
	fail "$a reads of stat for 3 samples, $b for 6: $(((b - a) / 3)) per sample, expected 1" \
		"$TS_TMP/trace.6"
fi

finish
