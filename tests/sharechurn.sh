#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sharechurn.sh - share with short-lived processes among its targets: the ones that end are
# named in the report, the rest is compared, exit 0; exit 1 only when no target is left.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need python churner

start_workload --procs 2 --shared 4M --name "shc$TS_RUN"
stable="$WL_PID $WL_TIDLIST"

# the churner forks processes that live a few milliseconds, 32 at a time, for a long while;
# it is stopped at the end
nice -n 10 "$CHURNER" $((300 * TS_SLOW)) >"$TS_TMP/churner.out" 2>"$TS_TMP/churner.err" </dev/null &
CH=$!
track "$CH"
kids() { cat /proc/"$CH"/task/*/children 2>/dev/null; }
has_kids() { [ -n "$(kids)" ]; }
poll_until 10 has_kids || die "the churner did not start" "$TS_TMP/churner.err"

check "share with churning PIDs among its targets: exit 0, the report names the ones that ended"
# Runs until one run has met a process that ended (a PID that named no task, or a task
# that ended while being compared): a few runs on any machine, at most 400.
runs=0 bad=0 seen=0
while [ "$runs" -lt 400 ] && [ "$seen" -eq 0 ]; do
	runs=$((runs + 1))
	# shellcheck disable=SC2046,SC2086
	ts "run$runs" share -J --bytes $stable $(kids)
	if [ "$RC" -ne 0 ]; then
		bad=$((bad + 1))
		fail "run $runs: exit status $RC" "$OUT" "$ERR"
		break
	fi
	# our long-lived processes are all there, each in its own address space
	got=$(json_q "$OUT" "sorted(p for s in d['spaces'] for p in s['pids'] if p in ($WL_PID,${WL_TIDS}))")
	want=$(json_q "$OUT" "sorted([$WL_PID,${WL_TIDS}])")
	if [ "$got" != "$want" ]; then
		bad=$((bad + 1))
		fail "run $runs: the workload's processes are $got in the report, expected $want" "$OUT"
		break
	fi
	if [ "$(json_q "$OUT" "len(d['vanished']) + sum(1 for s in d['memory'].get('spaces', []) if s['error'] == 'gone')")" != 0 ] ||
		grep -q 'ended while being compared' "$OUT"; then
		seen=$runs
	fi
done
if [ "$bad" -eq 0 ] && [ "$seen" -gt 0 ]; then
	ok "run $seen of $runs met a process that had ended; every run exited 0 with the workload compared"
	vanished=$(json_q "$OUT" "d['vanished']")
	say "ended before they were read: $vanished"
elif [ "$bad" -eq 0 ]; then
	fail "in $runs runs no target ended while share read it: the churn did not reach share" "$OUT"
fi

check "the text report names them too, and still compares the workload's memory"
for i in $(seq 200); do
	# shellcheck disable=SC2046,SC2086
	ts text share --bytes $stable $(kids)
	grep -q 'no such process' "$OUT" && break
done
# up to 12 address spaces get matrices; more (the churner's children alive at that moment
# under load) get the ranked pairs, where the workload's processes share their 4 MiB
compared() {
	grep -q '^Memory mapped by both' "$OUT" ||
		{ grep -q '^Pairs of address spaces: memory both map' "$OUT" && grep -qw "$WL_PID" "$OUT"; }
}
if [ "$RC" -eq 0 ] && grep -q 'no such process' "$OUT" && compared; then
	ok "the note names the PIDs that ended; the memory is compared ($i runs)"
else
	fail "text report with churning PIDs (exit status $RC, $i runs)" "$OUT" "$ERR"
fi

check "only PIDs that have all ended: exit 1, 'no such process'"
ended=$(free_pid) || die "no free PID found"
expect_no_such_pid allgone "$ended" share "$ended"

stop "$CH"
finish
