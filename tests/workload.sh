#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# workload.sh - taskscope workload: threads and processes as asked, memory really written,
# spinning and sleeping workers, --duration, stop signals, no workers left behind.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

sorted() { tr ', ' '\n\n' <<<"$*" | sed '/^$/d' | sort -n | tr '\n' ' ' | sed 's/ $//'; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }

# ---- threads -------------------------------------------------------------------------------------

check "--threads 3 --sleep --duration 2: /proc/PID/task has the PID and the 3 ready TIDs, named ts-worker"
start_workload --threads 3 --sleep --duration 2
# the ready line's own time: when the workload wrote its stdout file
t_ready=$(($(date -r "$WL_OUT" +%s%N) / 1000000))
tasks=$(sorted "$(ls "/proc/$WL_PID/task")")
want=$(sorted "$WL_PID,$WL_TIDS")
names=$(for t in $WL_TIDLIST; do cat "/proc/$WL_PID/task/$t/comm"; done | sort -u)
if [ "$tasks" != "$want" ]; then
	fail "/proc/$WL_PID/task has '$tasks', expected '$want'" "$WL_OUT"
elif [ "$WL_WORKERS" != 3 ] || [ "$WL_MODE" != threads ]; then
	fail "the ready line says workers=$WL_WORKERS mode=$WL_MODE" "$WL_OUT"
elif [ "$names" != ts-worker ]; then
	fail "worker thread names: $names" "$WL_OUT"
else
	ok "tasks $tasks"
fi

check "--duration 2 ends about 2 s after the ready line, with status 0"
if poll_until 10 gone "$WL_PID"; then
	t_end=$(now_ms)
	wait "$WL_BGPID"
	st=$?
	took=$((t_end - t_ready))
	if [ "$st" -ne 0 ]; then
		fail "exit status $st" "$WL_ERR"
	elif [ "$took" -lt 1950 ] || [ "$took" -gt $((8000 * TS_SLOW)) ]; then
		fail "ended $took ms after the ready line, expected about 2000" "$WL_OUT"
	else
		ok "ended after $took ms, status 0"
	fi
else
	fail "still running 10 s after the ready line" "$WL_OUT"
fi

# ---- processes -----------------------------------------------------------------------------------

check "--procs 3: 3 single-threaded children named ts-worker with PPid = the parent"
start_workload --procs 3
par=$WL_PID
kids=$WL_TIDLIST
children=$(sorted "$(cat "/proc/$par/task/$par/children")")
bad=
for k in $kids; do
	[ "$(status_kb "$k" PPid)" = "$par" ] || bad="$bad $k:ppid=$(status_kb "$k" PPid)"
	[ "$(status_kb "$k" Threads)" = 1 ] || bad="$bad $k:threads=$(status_kb "$k" Threads)"
	[ "$(cat "/proc/$k/comm")" = ts-worker ] || bad="$bad $k:comm=$(cat "/proc/$k/comm")"
done
if [ "$children" != "$(sorted "$WL_TIDS")" ]; then
	fail "children of $par: '$children', the ready line says '$WL_TIDS'" "$WL_OUT"
elif [ "$WL_MODE" != procs ]; then
	fail "mode=$WL_MODE" "$WL_OUT"
elif [ -n "$bad" ]; then
	fail "workers not as expected:$bad"
else
	ok "children $children"
fi

check "SIGTERM to a --procs workload: exit 0 and no worker left"
kill -TERM "$par"
if poll_until 10 gone "$par"; then
	wait "$WL_BGPID"
	st=$?
	left=
	for k in $kids; do
		poll_until 5 gone "$k" || left="$left $k"
	done
	good=1
	[ "$st" -eq 0 ] && [ -z "$left" ] || good=0
	verdict "$good" "status 0, workers gone" "exit status $st, workers still running:${left:- none}" "$WL_ERR"
else
	fail "still running 10 s after SIGTERM" "$WL_ERR"
fi

check "SIGKILL to the parent of a --procs workload: the workers go too"
start_workload --procs 2
kill -KILL "$WL_PID"
wait "$WL_BGPID" 2>/dev/null
left=
for k in $WL_TIDLIST; do
	poll_until 10 gone "$k" || left="$left $k"
done
if [ -n "$left" ]; then
	fail "workers outlived their killed parent:$left"
else
	ok "workers $WL_TIDS gone"
fi

# ---- memory --------------------------------------------------------------------------------------

check "--mem 32M --procs 2: each worker's RssAnon >= 32 MiB, the parent's is not"
start_workload --mem 32M --procs 2
bad=
for k in $WL_TIDLIST; do
	a=$(status_kb "$k" RssAnon)
	[ "${a:-0}" -ge $((32 * 1024)) ] || bad="$bad $k:${a}kB"
	say "worker $k RssAnon ${a} kB"
done
pa=$(status_kb "$WL_PID" RssAnon)
if [ -n "$bad" ]; then
	fail "workers with less than 32 MiB RssAnon:$bad" "/proc/$WL_PID/status"
elif [ "${pa:-0}" -ge $((32 * 1024)) ]; then
	fail "the parent has RssAnon $pa kB: the workers' memory is in the parent?" "/proc/$WL_PID/status"
else
	ok "parent RssAnon $pa kB"
fi
stop "$WL_PID"

# anon_at_least PID MIB: the process's RssAnon is MIB MiB or more
anon_at_least() {
	local a
	a=$(status_kb "$1" RssAnon)
	if [ "${a:-0}" -lt $(($2 * 1024)) ]; then
		fail "RssAnon $a kB" "/proc/$1/status"
	else
		ok "RssAnon $a kB"
	fi
}

check "--mem 16M --threads 2: the one address space holds both workers' memory (RssAnon >= 32 MiB)"
start_workload --mem 16M --threads 2
anon_at_least "$WL_PID" 32
stop "$WL_PID"

check "--shared 16M: the parent wrote it (RssAnon >= 16 MiB) before the ready line"
start_workload --shared 16M --threads 1
anon_at_least "$WL_PID" 16
stop "$WL_PID"

# ---- CPU -----------------------------------------------------------------------------------------

# On a machine this busy a spinning thread may get little CPU: up to 3 tries; a try counts
# when taskscope shows PCPU > 20 for it. When it never does, the thread's own tick count in
# /proc over the run tells whether it was starved (then taskscope must at least agree with
# /proc) or taskscope is wrong.
check "--spin workers use CPU (PCPU > 20), --sleep workers do not (PCPU < 5)"
start_workload --threads 1 --spin
spin=$WL_PID
spin_tid=$WL_TIDS
start_workload --threads 1 --sleep
idle=$WL_PID
idle_tid=$WL_TIDS
hz=$(getconf CLK_TCK)
ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$spin/task/$spin_tid/stat"; }
for try in 1 2 3; do
	k0=$(ticks)
	w0=$(now_ms)
	ts pcpu -b -H -p "$spin,$idle" -n 2 -d 0.5 -o pid,tid,pcpu
	w1=$(now_ms)
	k1=$(ticks)
	real=$(awk -v k="$((k1 - k0))" -v hz="$hz" -v ms="$((w1 - w0))" 'BEGIN { printf "%.1f", 100 * k / hz / (ms / 1000) }')
	smax=$(awk -v t="$spin_tid" '$2 == t && $3 + 0 > m { m = $3 + 0 } END { print m + 0 }' "$OUT")
	imax=$(awk -v t="$idle_tid" '$2 == t && $3 + 0 > m { m = $3 + 0 } END { print m + 0 }' "$OUT")
	ns=$(awk -v t="$spin_tid" '$2 == t' "$OUT" | wc -l)
	ni=$(awk -v t="$idle_tid" '$2 == t' "$OUT" | wc -l)
	say "try $try: spinning worker PCPU up to $smax (/proc: ${real}% over the run), sleeping worker up to $imax"
	[ "$RC" -eq 0 ] && [ "$ns" -eq 2 ] && [ "$ni" -eq 2 ] || break
	awk -v m="$smax" 'BEGIN { exit !(m > 20) }' && break
done
if expect_rc 0 "-H -p $spin,$idle -n 2 -d 0.5"; then
	if [ "$ns" -ne 2 ] || [ "$ni" -ne 2 ]; then
		fail "expected 2 samples of each worker, got $ns and $ni" "$OUT"
	elif ! awk -v m="$imax" 'BEGIN { exit !(m < 5) }'; then
		fail "the sleeping worker $idle_tid has PCPU up to $imax" "$OUT"
	elif awk -v m="$smax" 'BEGIN { exit !(m > 20) }'; then
		ok "spinning worker up to $smax%, sleeping worker up to $imax%"
	elif awk -v r="$real" 'BEGIN { exit !(r >= 30) }'; then
		fail "the spinning worker $spin_tid used ${real}% of a CPU by /proc, taskscope shows at most $smax" "$OUT"
	elif awk -v r="$real" -v m="$smax" 'BEGIN { exit !(m > 0 && m >= r / 3 && m <= 3 * r + 10) }'; then
		ok "the machine starves the spinner (${real}% by /proc); taskscope agrees: up to $smax%"
	else
		fail "the spinning worker $spin_tid: PCPU up to $smax, /proc says ${real}% over the run" "$OUT"
	fi
fi

# ---- stop signals ----------------------------------------------------------------------------------

for sig in TERM INT HUP; do
	check "SIG$sig ends a threads workload promptly with status 0"
	start_workload --threads 2 --spin
	t0=$(now_ms)
	kill -"$sig" "$WL_PID"
	if poll_until 10 gone "$WL_PID"; then
		took=$(($(now_ms) - t0))
		wait "$WL_BGPID"
		st=$?
		if [ "$st" -ne 0 ]; then
			fail "SIG$sig: exit status $st" "$WL_ERR"
		elif [ "$took" -gt $((5000 * TS_SLOW)) ]; then
			fail "SIG$sig: took $took ms"
		else
			ok "status 0 after $took ms"
		fi
	else
		fail "SIG$sig: still running after $((10 * TS_SLOW)) s" "$WL_ERR"
	fi
done
stop "$spin" "$idle"

finish
