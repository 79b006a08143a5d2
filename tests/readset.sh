#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# readset.sh - a sample reads what its columns need and no more: no statm without RSS (and
# without a job), and with RSS one statm per process and sample, read beside the kept stat
# files (no second opening of the main thread's stat); every thread row shows its process's
# exact RSS
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need_cmd strace

T=$(cd "$(dirname "$TASKSCOPE")" && pwd)/$(basename "$TASKSCOPE")
start_workload --threads 7 --sleep --name "rs$RANDOM"
page=$(getconf PAGESIZE)

# trace NAME ARGS...: taskscope ARGS under strace (its opens), the trace in $TS_TMP/NAME.st
# (LeakSanitizer cannot run under ptrace: off for a sanitizer build)
trace() {
	local name=$1
	shift
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -qq -e trace=openat -o "$TS_TMP/$name.st" "$T" "$@" \
		>"$TS_TMP/$name.out" 2>"$TS_TMP/$name.err" </dev/null
	RC=$?
}
# opens NAME REGEX: how many openat calls of the trace name a path matching REGEX
opens() { grep -cE "^openat\([^\"]*\"$2\"" "$TS_TMP/$1.st"; }

check "without an RSS column and without a job, no statm is read"
trace nors -b -H -n 2 -d 0.1 -p "$WL_PID" -o pid,tid,comm
n=$(opens nors '[^"]*statm')
if [ "$RC" != 0 ]; then
	fail "taskscope exited with $RC" "$TS_TMP/nors.err"
elif [ "$n" = 0 ]; then
	ok "no statm opened in 2 samples"
else
	fail "$n statm files opened" "$TS_TMP/nors.st"
fi

check "with RSS: one statm a sample, and the main thread's stat is not opened again for it"
trace rss -b -H -n 3 -d 0.1 -p "$WL_PID"
n=$(opens rss '[^"]*statm')
dirs=$(opens rss "$WL_PID/task/$WL_PID")
# a bare "stat" beside a process's directory: -p's check at the start, once
bare=$(opens rss stat)
if [ "$RC" != 0 ]; then
	fail "taskscope exited with $RC" "$TS_TMP/rss.err"
elif [ "$n" = 3 ] && [ "$dirs" = 0 ] && [ "$bare" -le 1 ]; then
	ok "3 statm for 3 samples; no $WL_PID/task/$WL_PID directory, $bare bare stat"
else
	fail "$n statm opened (3 expected), $dirs $WL_PID/task/$WL_PID (0), $bare stat (1)" \
		"$TS_TMP/rss.st"
fi

check "every thread row shows its process's RSS, statm's resident pages"
got= want=
for try in 1 2 3 4 5; do
	read -r _ res _ <"/proc/$WL_PID/statm"
	ts rows -b -H -n 1 --bytes -p "$WL_PID" -o tid,rss
	read -r _ res2 _ <"/proc/$WL_PID/statm"
	[ "$res" = "$res2" ] || continue	# it changed meanwhile: try again
	want=$((res * page))
	got=$(last_table "$OUT" | awk '{ print $2 }' | sort -u | tr '\n' ' ')
	break
done
rows=$(last_table "$TS_TMP/rows.out" | wc -l)
if [ -z "$want" ]; then
	fail "the workload's statm changed during each of 5 runs"
elif [ "$got" = "$want " ] && [ "$rows" = 8 ]; then
	ok "$rows rows, each $want bytes"
else
	fail "rows ($rows, 8 expected) show '$got', statm says $want" "$TS_TMP/rows.out"
fi

finish
