#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# serve-memreads.sh - what taskscope serve's memory pass asks of the kernel beyond
# smaps_rollup: one read of each process's stat (its identity check; the rows are the
# sample's, /proc is not scanned again), and no kcmp call for processes that were started
# apart (their address spaces differ by stat's code and stack addresses). Counted with strace.
. "$(dirname "$0")/lib.sh"

STRACE=$(command -v strace) || skip "no strace(1) to count the reads"
"$STRACE" -f -qq -y -e trace=read -o /dev/null true 2>"$TS_TMP/strace.err" ||
	skip "strace cannot trace here: $(head -n 1 "$TS_TMP/strace.err")"

WL=mr$TS_RUN
WL=${WL:0:15}
start_workload --threads 2 --sleep --name "$WL"
A=$WL_PID
start_workload --threads 2 --sleep --name "$WL"
B=$WL_PID

# traced NAME ARGS...: taskscope serve --textfile under strace (reads and kcmp), into
# $TS_TMP/NAME.trace. LeakSanitizer cannot run under a tracer.
traced() {
	local name=$1
	shift
	mkdir -p "$TS_TMP/tf"
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		"$STRACE" -f -qq -y -e trace=read,pread64,kcmp -o "$TS_TMP/$name.trace" \
		"$TASKSCOPE" serve --textfile "$TS_TMP/tf" -d 0.1 "$@" >"$TS_TMP/$name.out" \
		2>"$TS_TMP/$name.err" || die "taskscope serve $* failed under strace" "$TS_TMP/$name.err"
}
# stat_reads NAME: reads of process A's stat (as a process or as its main thread) that gave
# bytes (not the read that finds the end)
stat_reads() {
	grep -Ec "^[0-9]+ +(pread64|read)\([0-9]+</proc/$A(/task/$A)?/stat>.* = [1-9][0-9]*\$" \
		"$TS_TMP/$1.trace"
}

check "the memory pass reads a process's stat once (its identity check)"
for m in 0 1; do
	for n in 3 6; do
		traced "m$m.n$n" -p "$A" -n "$n" --memory-every "$m"
		eval "r$m$n=\$(stat_reads m$m.n$n)"
	done
done
# the memory pass's reads over three more samples: with memory, less without
per=$(((r16 - r13 - (r06 - r03)) / 3))
if [ "$per" -eq 1 ] && [ $(((r16 - r13 - (r06 - r03)) % 3)) -eq 0 ]; then
	ok "1 read a memory sample (stat reads: $r03, $r06 without memory; $r13, $r16 with)"
else
	fail "the memory pass read stat $((r16 - r13 - (r06 - r03))) times in 3 samples, want 3" \
		"$TS_TMP/m1.n6.trace"
fi

check "two processes started apart in one group: two address spaces, no kcmp call"
traced kc -C "$WL" -n 2 --memory-every 1
calls=$(grep -c '^[0-9]* *kcmp(' "$TS_TMP/kc.trace")
spaces=$(awk -v s="taskscope_group_address_spaces{group=\"$WL\"}" '$1 == s { print $2 }' \
	"$TS_TMP/tf/taskscope.prom")
if [ "$calls" = 0 ] && [ "$spaces" = 2 ]; then
	ok "2 address spaces, 0 kcmp calls"
else
	fail "$calls kcmp calls, address spaces '$spaces' (want 0 and 2)" "$TS_TMP/tf/taskscope.prom"
fi

finish
