#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# serve-memreads.sh - what taskscope serve's memory pass asks of the kernel beyond
# smaps_rollup: no read of a process's stat (the rows are the sample's, /proc is not scanned
# again, and each process's status file, opened once through its checked directory, is kept
# open and read again with pread: it vouches for the process), smaps_rollup itself kept open
# and read again with pread too, and no kcmp call for processes that were started apart
# (their address spaces differ by stat's code and stack addresses). Counted with strace.
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

# traced NAME ARGS...: taskscope serve --textfile under strace (opens, reads and kcmp), into
# $TS_TMP/NAME.trace. LeakSanitizer cannot run under a tracer.
traced() {
	local name=$1
	shift
	mkdir -p "$TS_TMP/tf"
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		"$STRACE" -f -qq -y -e trace=openat,read,pread64,kcmp -o "$TS_TMP/$name.trace" \
		"$TASKSCOPE" serve --textfile "$TS_TMP/tf" -d 0.1 "$@" >"$TS_TMP/$name.out" \
		2>"$TS_TMP/$name.err" || die "taskscope serve $* failed under strace" "$TS_TMP/$name.err"
}
# count NAME SYSCALL FILE: calls of SYSCALL (read or pread64: those that gave bytes; openat:
# those that opened it) on process A's FILE, as a process or as its main thread
count() {
	local f="</proc/$A(/task/$A)?/$3>"

	if [ "$2" = openat ]; then
		grep -Ec "^[0-9]+ +openat\(.* = [0-9]+$f\$" "$TS_TMP/$1.trace"
	else
		grep -Ec "^[0-9]+ +$2\([0-9]+$f.* = [1-9][0-9]*\$" "$TS_TMP/$1.trace"
	fi
}

check "the memory pass reads no stat, opens status and smaps_rollup once and reads them again with pread"
for m in 0 1; do
	for n in 3 6; do
		traced "m$m.n$n" -p "$A" -n "$n" --memory-every "$m"
		eval "r$m$n=\$((\$(count m$m.n$n read stat) + \$(count m$m.n$n pread64 stat)))"
		eval "o$m$n=\$(count m$m.n$n openat status)"
		eval "p$m$n=\$(count m$m.n$n pread64 status)"
		eval "s$m$n=\$((\$(count m$m.n$n read smaps_rollup) + \$(count m$m.n$n pread64 smaps_rollup)))"
		eval "so$m$n=\$(count m$m.n$n openat smaps_rollup)"
	done
done
# what three more memory samples cost, beyond three more samples without memory
stat3=$((r16 - r13 - (r06 - r03)))
open3=$((o16 - o13 - (o06 - o03)))
pread3=$((p16 - p13 - (p06 - p03)))
rollup3=$((s16 - s13 - (s06 - s03)))
ropen3=$((so16 - so13 - (so06 - so03)))
if [ "$rollup3" -eq 3 ] && [ "$ropen3" -eq 0 ] && [ "$stat3" -eq 0 ] && [ "$open3" -eq 0 ] &&
	[ "$pread3" -eq 3 ] && [ "$so16" -ge 1 ]; then
	ok "3 more memory samples: 3 smaps_rollup reads, 3 status preads; no stat read, no open of status or smaps_rollup (opened $o16 and $so16 times in 6 memory samples)"
else
	fail "3 more memory samples: $rollup3 smaps_rollup reads (want 3), $ropen3 smaps_rollup opens (want 0), $stat3 stat reads (want 0), $open3 status opens (want 0), $pread3 status preads (want 3)" \
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
