#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# valgrind.sh - the batch paths under valgrind: no memory error, no definite leak
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

command -v valgrind >/dev/null 2>&1 || skip "valgrind is not installed"
if nm "$TASKSCOPE" 2>/dev/null | grep -q __asan_init; then
	skip "this build uses AddressSanitizer, which does not run under valgrind"
fi

# hwloc's x86 backend cannot run under valgrind and says so; it falls back to sysfs
export HWLOC_COMPONENTS=-x86

start_workload --threads 2 --mem 4M

# vg NAME ARGS...: taskscope under valgrind; a memory error or a definite leak exits 99
vg() {
	local name=$1
	shift
	check "valgrind: taskscope $*"
	OUT=$TS_TMP/$name.out
	ERR=$TS_TMP/$name.err
	timeout -k 5 $((120 * TS_SLOW)) valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite --show-leak-kinds=definite \
		"$TASKSCOPE" "$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	if [ "$RC" -eq 0 ] && [ -s "$OUT" ]; then
		ok "clean, $(wc -l <"$OUT") lines of output"
	else
		fail "exit status $RC (99: valgrind found an error)" "$ERR" "$OUT"
	fi
}

vg all-threads -b -H -n 2 -d 0.2 -o +PPID,CMD,AFFINITY,NODE,VCTX,ICTX,START,POLICY,VSZ,RSSANON,SWAP
vg all-procs-json -b -J -n 2 -d 0.2 -o +CMD,VCTX,ICTX,RSSFILE,RSSSHMEM
vg pid-raw -b -r -n 2 -d 0.2 -p "$WL_PID" -H -o +AFFINITY,NODE
vg command -b -n 2 -d 0.2 -C ts-worker,taskscope --bytes
vg user -b -n 1 -d 0.2 -u root -H
vg compare-pids compare -J -t 0.3 -p "$WL_PID" -p "$WL_PID"
vg compare-cmds compare --bytes 'exit 3' 'sleep 0.2; exit 5'
vg compare-workers compare --workers 2 -t 0.3 --mem 1M --shared 1M
vg demo demo -t 0.3 --rounds 10000

check "valgrind: a spawned job"
OUT=$TS_TMP/spawn.out
ERR=$TS_TMP/spawn.err
timeout -k 5 $((120 * TS_SLOW)) valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite \
	"$TASKSCOPE" -b -H -d 0.2 --output-file "$OUT" -- "$TSHELPER" exit 3 >/dev/null 2>"$ERR" </dev/null
RC=$?
if [ "$RC" -eq 3 ]; then
	ok "clean, the job's status 3 came through"
else
	fail "exit status $RC, expected the job's 3 (99: valgrind found an error)" "$ERR"
fi

finish
