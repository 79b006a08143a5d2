#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pidlist.sh - -p lists of 100,000 PIDs: the right rows, the first missing PID named, and
# no quadratic cost (the ASan build of main did not finish; no time is asserted here).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

N=100000	# entries of each list
CHUNK=15000	# entries of one -p option (8 bytes each at most; an argument holds 128 KiB)

# -p options for the IDs in FILE (one a line): sets PARGS
pargs() {
	local ids
	mapfile -t ids <"$1"
	PARGS=()
	for ((s = 0; s < ${#ids[@]}; s += CHUNK)); do
		PARGS+=(-p "$(IFS=,; echo "${ids[*]:s:CHUNK}")")
	done
}

# ---- 100,000 entries naming the test's own tasks --------------------------------------------------

# A thread's ID selects its process: the list holds the IDs of every thread of one workload and
# of every process of another, each many times, shuffled. Expected: one row per process.
start_workload --threads 100
thr=$WL_PID
thr_tids=$WL_TIDS
start_workload --procs 20
procs="$WL_PID,$WL_TIDS"
tr ',' '\n' <<<"$thr,$thr_tids,$procs" | sort -un >"$TS_TMP/ids"
nids=$(wc -l <"$TS_TMP/ids")
for ((k = 0; k * nids < N; k++)); do cat "$TS_TMP/ids"; done | head -n "$N" | shuf >"$TS_TMP/list"
pargs "$TS_TMP/list"
want=$(tr ',' '\n' <<<"$thr,$procs" | sort -n | tr '\n' ' ')
say "$(wc -l <"$TS_TMP/list") entries of $nids IDs in ${#PARGS[@]} arguments; processes: $want"

# rows_of_want NAME WHAT ARGS...: taskscope -b -n 1 -d 0 -o pid ARGS exits 0 with one row for
# each process in want
rows_of_want() {
	local name=$1 what=$2 got
	shift 2
	TS_TIMEOUT=120 ts "$name" -b -n 1 -d 0 -o pid "$@"
	expect_rc 0 "taskscope $what" || return
	got=$(last_table "$OUT" | awk '{ print $1 }' | sort -n | tr '\n' ' ')
	if [ "$got" = "$want" ]; then
		ok "rows: $got"
	else
		fail "rows '$got', expected '$want'" "$OUT" "$ERR"
	fi
}

check "-p with $N entries (the IDs of 2 workloads' $nids tasks): one row for each of their 22 processes"
rows_of_want many "-p <$N entries>" "${PARGS[@]}"

# The same list with -C: every process is then matched against the PID list (a lookup each).
check "-p <$N entries> -C <a name nothing has>: the same 22 processes"
rows_of_want manyC "-p <$N entries> -C nosuch$$" "${PARGS[@]}" -C "nosuch$$"

# ---- 100,000 distinct PIDs, most of them not there --------------------------------------------------

# The test's IDs, then PIDs above pid_max (no process can have them) in ascending order: the
# first of those is the one to be named.
max=$(cat /proc/sys/kernel/pid_max)
if [ $((max + N)) -gt 4194304 ]; then
	say "pid_max is $max: no room above it for $N PIDs that cannot exist; skipped the distinct list"
else
	{ cat "$TS_TMP/ids"; seq $((max + 1)) $((max + N - nids)); } >"$TS_TMP/distinct"
	pargs "$TS_TMP/distinct"
	check "-p with $N distinct PIDs, all but $nids above pid_max $max: exit 1 naming PID $((max + 1))"
	TS_TIMEOUT=120 ts distinct -b -n 1 -d 0 -o pid "${PARGS[@]}"
	if expect_rc 1 "taskscope -p <$N distinct PIDs>"; then
		if grep -qx "taskscope: no such process: $((max + 1))" "$ERR"; then
			ok "$(cat "$ERR")"
		else
			fail "the message does not name PID $((max + 1))" "$ERR"
		fi
	fi
fi

stop "$thr" "$WL_PID"
finish
