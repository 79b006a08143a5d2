#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# targets.sh - what is watched: -p (threads and processes), -C, -u, several PIDs, threads
# that appear, targets that exit.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need tshelper

# sorted WORDS...: one per line, sorted, as a single line
sorted() { tr ', ' '\n\n' <<<"$*" | sed '/^$/d' | sort -n | tr '\n' ' ' | sed 's/ $//'; }

# ---- threads of one process -------------------------------------------------------------------

start_workload --threads 3
thr=$WL_PID
thr_tids=$WL_TIDS

check "-H -p PID of a 3-thread workload: 4 rows of that PID, 4 distinct TIDs, one is the PID, the others the ready line's"
ts h -b -n 1 -d 0.1 -H -p "$thr" -o pid,tid,comm
if expect_rc 0 "-H -p $thr"; then
	last_table "$OUT" >"$TS_TMP/rows"
	n=$(wc -l <"$TS_TMP/rows")
	npid=$(awk -v p="$thr" '$1 == p' "$TS_TMP/rows" | wc -l)
	tids=$(sorted "$(awk '{ print $2 }' "$TS_TMP/rows")")
	want=$(sorted "$thr,$thr_tids")
	if [ "$n" -ne 4 ] || [ "$npid" -ne 4 ]; then
		fail "$n rows, $npid of PID $thr; expected 4 of PID $thr" "$OUT"
	elif [ "$tids" != "$want" ]; then
		fail "TIDs '$tids', expected the PID and the ready line's: '$want'" "$OUT" "$WL_OUT"
	elif [ "$(sorted "$(ls "/proc/$thr/task")")" != "$want" ]; then
		fail "/proc/$thr/task disagrees: $(ls "/proc/$thr/task" | tr '\n' ' ')" "$OUT"
	else
		ok "TIDs $tids"
	fi
fi

check "-p PID without -H: exactly 1 row, NLWP 4 (= Threads in /proc/PID/status)"
ts p -b -n 1 -d 0.1 -p "$thr" -o pid,tid,nlwp
if expect_rc 0 "-p $thr"; then
	last_table "$OUT" >"$TS_TMP/rows"
	threads=$(awk '/^Threads:/ { print $2 }' "/proc/$thr/status")
	if [ "$(wc -l <"$TS_TMP/rows")" -ne 1 ]; then
		fail "$(wc -l <"$TS_TMP/rows") rows, expected 1" "$OUT"
	elif ! awk -v p="$thr" -v n="$threads" '$1 == p && $2 == p && $3 == n { f = 1 } END { exit !f }' "$TS_TMP/rows"; then
		fail "the row is not 'PID $thr TID $thr NLWP $threads'" "$OUT"
	else
		ok "$(cat "$TS_TMP/rows")"
	fi
fi

# ---- worker processes --------------------------------------------------------------------------

start_workload --procs 3
par=$WL_PID
kids=$WL_TIDS

check "-C ts-worker: the 3 worker processes of a --procs 3 workload, with PPID the parent"
ts c -b -n 1 -d 0.1 -C ts-worker -o pid,ppid,comm
if expect_rc 0 "-C ts-worker"; then
	last_table "$OUT" >"$TS_TMP/rows"
	mine=$(sorted "$(awk -v p="$par" '$2 == p { print $1 }' "$TS_TMP/rows")")
	others=$(awk '$3 != "ts-worker"' "$TS_TMP/rows" | wc -l)
	if [ "$mine" != "$(sorted "$kids")" ]; then
		fail "children of $par shown: '$mine', the ready line says '$kids'" "$OUT" "$WL_OUT"
	elif [ "$others" -ne 0 ]; then
		fail "$others rows are not named ts-worker" "$OUT"
	else
		ok "children $mine"
	fi
fi

wname=tsC$$
wname=${wname:0:15}
start_workload --procs 2 --name "$wname"
check "-C NAME with workload --name NAME: the parent and its 2 workers, nothing else"
ts c2 -b -n 1 -d 0.1 -C "$wname" -o pid,ppid,comm
if expect_rc 0 "-C $wname"; then
	last_table "$OUT" >"$TS_TMP/rows"
	got=$(sorted "$(awk '{ print $1 }' "$TS_TMP/rows")")
	want=$(sorted "$WL_PID,$WL_TIDS")
	if [ "$got" != "$want" ]; then
		fail "PIDs '$got', expected '$want'" "$OUT" "$WL_OUT"
	elif [ "$(awk -v p="$WL_PID" '$2 == p' "$TS_TMP/rows" | wc -l)" -ne 2 ]; then
		fail "not 2 rows with PPID $WL_PID" "$OUT"
	else
		ok "PIDs $got"
	fi
fi

# ---- a user ----------------------------------------------------------------------------------

me=$(id -un)
myuid=$(id -u)
for u in "$me" "$myuid"; do
	check "-u $u: the workload is there and every row is the user's"
	ts u -b -n 1 -d 0.1 -u "$u" -o pid,user
	if expect_rc 0 "-u $u"; then
		last_table "$OUT" >"$TS_TMP/rows"
		foreign=$(awk -v u="$me" '$2 != u' "$TS_TMP/rows" | wc -l)
		if ! awk -v p="$thr" '$1 == p { f = 1 } END { exit !f }' "$TS_TMP/rows"; then
			fail "the workload $thr (user $me) is not listed" "$OUT"
		elif [ "$foreign" -ne 0 ]; then
			fail "$foreign rows of other users" "$OUT"
		else
			ok "$(wc -l <"$TS_TMP/rows") processes of $me"
		fi
	fi
done

# ---- several PIDs ------------------------------------------------------------------------------

for form in "-p $thr -p $par" "-p $thr,$par"; do
	check "$form: both processes and nothing else"
	# shellcheck disable=SC2086
	ts pp -b -n 1 -d 0.1 $form -o pid
	if expect_rc 0 "$form"; then
		got=$(sorted "$(last_table "$OUT")")
		if [ "$got" != "$(sorted "$thr $par")" ]; then
			fail "PIDs '$got', expected '$(sorted "$thr $par")'" "$OUT"
		else
			ok "$got"
		fi
	fi
done

# ---- many matching processes -----------------------------------------------------------------------

# A user or a name easily matches hundreds of processes: 300 sleeps under a name of their own
# (a symlink: comm is the basename of the executable).
check "-C NAME and -p LIST matching 300 processes: all 300 shown"
mname=tsmany$$
many=$TS_TMP/$mname
ln -s "$(command -v sleep)" "$many"
mpids=()
for ((i = 0; i < 300; i++)); do
	"$many" 3600 &	# killed below; 60 s ran out before the check on a loaded machine
	mpids+=($!)
	track $!
done
named300() { [ "$(grep -lx "$mname" /proc/[0-9]*/comm 2>/dev/null | wc -l)" -ge 300 ]; }
poll_until 20 named300 || die "the 300 sleeps did not all start"
ts many -b -n 1 -d 0.1 -C "$mname" -o pid,comm
if expect_rc 0 "-C $mname (300 processes)"; then
	n=$(last_table "$OUT" | awk -v c="$mname" '$2 == c' | wc -l)
	[ "$n" -eq 300 ] && ok "300 rows" || fail "$n rows, expected 300" "$OUT"
fi
ts manyp -b -n 1 -d 0.1 -p "$(IFS=,; echo "${mpids[*]}")" -o pid
if expect_rc 0 "-p <300 PIDs>"; then
	n=$(last_table "$OUT" | wc -l)
	[ "$n" -eq 300 ] && ok "300 rows" || fail "$n rows, expected 300" "$OUT"
fi
kill "${mpids[@]}" 2>/dev/null
wait "${mpids[@]}" 2>/dev/null

# ---- threads that appear, targets that go --------------------------------------------------------

# A subshell that becomes a 3-thread workload (exec keeps its PID) once taskscope has printed
# a sample: watched with -H -p from before, its rows go from 1 to 4. A second target, a plain
# sleep, is ended only after taskscope has shown two samples without the first; then
# taskscope must end by itself with 0. The steps wait for each other: no timing guesses.
check "-H -p: threads created after the start appear; a target that exits disappears; all gone -> exit 0"
go=$TS_TMP/go
(while [ ! -e "$go" ]; do sleep 0.05; done
 exec "$TASKSCOPE" workload --threads 3 --duration "$(ts_secs 1)" >"$TS_TMP/late.out") &
late=$!
track "$late"
sleep 60 &
long=$!
track "$long"
ts_bg grow -b -d 0.25 -H -p "$late,$long" -o pid,tid
headers() { [ "$(grep -cE "$HDR" "$OUT")" -ge "$1" ]; }
if ! poll_until 20 headers 1; then
	fail "no sample within 20 s" "$OUT" "$ERR"
else
	touch "$go"
	if ! poll_until 20 gone "$late"; then
		fail "the late workload $late did not end" "$TS_TMP/late.out"
	fi
	wait "$late"
	lst=$?
	n=$(grep -cE "$HDR" "$OUT")
	poll_until 20 headers $((n + 2)) || fail "taskscope stopped sampling while $long lives" "$OUT" "$ERR"
	kill "$long"
	ts_wait 20
	if expect_rc 0 "-H -p $late,$long"; then
		# per sample: rows of each target
		awk -v re="$HDR" -v a="$late" -v b="$long" '
			function flush() { if (s) print s, na + 0, nb + 0 }
			$0 ~ re { flush(); s++; na = nb = 0; getline; next }
			$1 == a { na++ } $1 == b { nb++ }
			END { flush() }' "$OUT" >"$TS_TMP/counts"
		seq=$(awk '{ printf "%s%s", (NR > 1 ? " " : ""), $2 }' "$TS_TMP/counts")
		if [ "$lst" -ne 0 ] || ! grep -q '^ready ' "$TS_TMP/late.out"; then
			fail "the late workload failed (status $lst)" "$TS_TMP/late.out"
		elif ! awk '$2 == 1 && !one { one = NR } $2 == 4 && one && !four { four = NR } END { exit !(one && four && one < four) }' "$TS_TMP/counts"; then
			fail "rows of $late per sample: '$seq'; expected 1 and later 4" "$TS_TMP/counts" "$OUT"
		elif ! awk '$2 == 0 && $3 == 1 { f = 1 } END { exit !f }' "$TS_TMP/counts"; then
			fail "no sample shows $long without $late after $late ended: '$seq'" "$TS_TMP/counts" "$OUT"
		elif awk '$2 == 0 { gone = 1 } gone && $2 > 0 { back = 1 } END { exit !back }' "$TS_TMP/counts"; then
			fail "$late came back after it was gone" "$TS_TMP/counts"
		elif [ "$ELAPSED_MS" -gt $((5000 * TS_SLOW)) ]; then
			fail "taskscope needed $ELAPSED_MS ms to end after its last target" "$OUT"
		else
			ok "rows of $late per sample: $seq; ended $ELAPSED_MS ms after the last target"
		fi
	fi
fi
stop "$late" "$long"

finish
