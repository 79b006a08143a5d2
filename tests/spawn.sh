#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# spawn.sh - taskscope -- CMD: the job's exit status (128+N for a signal), exec failures
# (127/126), the job's output untouched, orphans followed and waited for, the summary line,
# signals forwarded to the job, -n that stops the report but not the wait.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need tshelper
# the summaries count the processes of `taskscope workload` jobs
no_exit_leak_check

SUM='^taskscope: job '

# summary FILE: the summary line of a job (from taskscope's stderr)
summary() { grep -E "$SUM" "$1" | tail -n 1; }

# ---- exit status --------------------------------------------------------------------------------

for c in "exit 0:0:exited with status 0" "exit 3:3:exited with status 3" \
	 "exit 127:127:exited with status 127" \
	 "signal 9:137:killed by signal 9" "signal 15:143:killed by signal 15"; do
	job=${c%%:*}
	rest=${c#*:}
	want=${rest%%:*}
	says=${rest#*:}
	check "taskscope -- tshelper $job -> exit $want, summary '$says'"
	# shellcheck disable=SC2086
	ts st -d 0.2 -- "$TSHELPER" $job
	expect_rc "$want" "-- tshelper $job" || continue
	s=$(summary "$ERR")
	if [[ $s != *"'$TSHELPER' $says;"* ]] && [[ $s != *"'$TSHELPER' $says ("* ]]; then
		fail "the summary line does not say \"'$TSHELPER' $says\"" "$ERR"
	elif [ -s "$OUT" ]; then
		fail "taskscope wrote to stdout, which is the job's" "$OUT"
	else
		ok "$s"
	fi
done

# ---- exec failures ---------------------------------------------------------------------------------

check "-- /nonexistent/cmd -> 127, 'cannot run ... No such file or directory'"
ts enoent -d 0.2 -- /nonexistent/cmd
if expect_rc 127 "-- /nonexistent/cmd"; then
	if ! grep -qxF "taskscope: cannot run '/nonexistent/cmd': No such file or directory" "$ERR"; then
		fail "not the expected message" "$ERR"
	else
		ok "$(head -n 1 "$ERR")"
	fi
fi

check "-- a name not in PATH -> 127"
ts enoent2 -d 0.2 -- no_such_command_xyz_$$
if expect_rc 127 "-- no_such_command_xyz_$$"; then
	grep -qF "taskscope: cannot run 'no_such_command_xyz_$$': No such file or directory" "$ERR" &&
		ok "$(head -n 1 "$ERR")" || fail "not the expected message" "$ERR"
fi

noexec=$TS_TMP/not-executable
printf '#!/bin/sh\nexit 0\n' >"$noexec"
chmod 0644 "$noexec"
check "-- a file without execute permission -> 126, 'Permission denied'"
if [ "$(id -u)" -eq 0 ] && [ -x "$noexec" ]; then
	say "root may execute any file here: the check cannot be made"
else
	ts eacces -d 0.2 -- "$noexec"
	if expect_rc 126 "-- $noexec"; then
		grep -qxF "taskscope: cannot run '$noexec': Permission denied" "$ERR" &&
			ok "$(head -n 1 "$ERR")" || fail "not the expected message" "$ERR"
	fi
fi

check "-- a directory -> 126"
ts eisdir -d 0.2 -- "$TS_TMP"
if expect_rc 126 "-- $TS_TMP"; then
	grep -qF "taskscope: cannot run '$TS_TMP'" "$ERR" &&
		ok "$(head -n 1 "$ERR")" || fail "the message does not name the directory" "$ERR"
fi

# ---- the job's output -----------------------------------------------------------------------------

# The job prints TEXT on stdout and "TEXT on stderr" on stderr, then lives until taskscope
# has printed two tables into FILE (with an outer limit of 10 s times TS_SLOW: a loaded
# machine delays the samples; without them the check fails).
# job_args FILE: the job and its arguments
job_args() {
	printf '%s\0' bash -c '"$1" echo "$2"
		for i in $(seq "$5"); do [ "$(grep -cE "$4" "$3")" -ge 2 ] && exit 0; sleep 0.1; done' \
		job "$TSHELPER" "$text" "$1" "$HDR" $((100 * TS_SLOW))
}
# (bytes a report would sanitize: the job's own output must pass through unchanged)
text=$'hello, world: 1 2 3 %s \\n \e[1mbold\e[0m \xff\xfe \xe2\x80\xae'

check "the job's stdout reaches stdout untouched; taskscope's tables go to stderr"
mapfile -d '' job < <(job_args "$TS_TMP/echo.err")
ts echo -d 0.2 -- "${job[@]}"
if expect_rc 0 "-- tshelper echo"; then
	printf '%s\n' "$text" >"$TS_TMP/want.out"
	if ! cmp -s "$OUT" "$TS_TMP/want.out"; then
		fail "stdout is not exactly the job's output" "$OUT" "$TS_TMP/want.out"
	elif ! grep -qxF "$text on stderr" "$ERR"; then
		fail "the job's stderr line is not on stderr" "$ERR"
	elif [ "$(grep -cE "$HDR" "$ERR")" -lt 2 ]; then
		fail "stderr does not have the tables (2 samples or more)" "$ERR"
	elif [ -z "$(summary "$ERR")" ]; then
		fail "no summary line on stderr" "$ERR"
	else
		ok "stdout exact, $(grep -cE "$HDR" "$ERR") tables on stderr"
	fi
fi

check "with --output-file F the tables go to F; stdout and stderr have only the job's output and the summary"
f=$TS_TMP/job-report.txt
mapfile -d '' job < <(job_args "$f")
ts echof -d 0.2 --output-file "$f" -- "${job[@]}"
if expect_rc 0 "--output-file -- tshelper echo"; then
	others=$(grep -vxF "$text on stderr" "$ERR" | grep -vE "$SUM")
	if ! cmp -s "$OUT" "$TS_TMP/want.out"; then
		fail "stdout is not exactly the job's output" "$OUT"
	elif [ -n "$others" ]; then
		fail "stderr has more than the job's line and the summary" "$ERR"
	elif ! grep -qxF "$text on stderr" "$ERR" || [ -z "$(summary "$ERR")" ]; then
		fail "the job's stderr line or the summary is missing" "$ERR"
	elif [ "$(grep -cE "$HDR" "$f")" -lt 2 ]; then
		fail "F does not have the tables" "$f"
	else
		ok "$(grep -cE "$HDR" "$f") tables in F"
	fi
fi

# ---- orphans ---------------------------------------------------------------------------------------

check "an orphaned grandchild is followed: reported with PPID = taskscope, and waited for"
pidfile=$TS_TMP/orphan.pid
t0=$(now_ms)
ts_bg orphan -d 0.25 -H -o pid,tid,ppid,comm -- "$TSHELPER" orphan 2 "$pidfile"
ts_wait 20
t1=$(now_ms)
if expect_rc 0 "-- tshelper orphan 2"; then
	read -r opid oppid <"$pidfile" 2>/dev/null
	wall=$(summary "$ERR" | sed -n 's/.*; wall \([0-9.]*\)s,.*/\1/p')
	if [ -z "${opid:-}" ]; then
		fail "the orphan did not write its PID" "$pidfile" "$ERR"
	elif [ "$oppid" != "$TSPID" ]; then
		fail "the orphan's parent was $oppid, not taskscope ($TSPID): not a subreaper?" "$pidfile"
	elif ! last_table "$ERR" | awk -v p="$opid" -v t="$TSPID" '$1 == p && $2 == p && $3 == t { f = 1 } END { exit !f }'; then
		fail "no row of the orphan $opid with PPID $TSPID" "$ERR"
	elif [ $((t1 - t0)) -lt 1900 ]; then
		fail "taskscope ended after $((t1 - t0)) ms: it did not wait for the 2 s orphan" "$ERR"
	elif [ -z "$wall" ] || ! awk -v w="$wall" 'BEGIN { exit !(w >= 1.9) }'; then
		fail "the summary's wall time '$wall' is not the orphan's 2 s" "$ERR"
	elif alive "$opid"; then
		fail "taskscope ended before the orphan $opid" "$ERR"
	else
		ok "orphan $opid, PPID $oppid = taskscope; $((t1 - t0)) ms; wall ${wall}s"
	fi
fi

# ---- the summary -----------------------------------------------------------------------------------

check "summary of -- workload --threads 3: status 0, seen 1 process and 4 threads"
# the workers live 1 s times TS_SLOW: the sampler must catch them (a loaded machine delays it)
ts sumt -d 0.2 -- "$TASKSCOPE" workload --threads 3 --duration "$(ts_secs 1)"
if expect_rc 0 "-- workload --threads 3"; then
	s=$(summary "$ERR")
	if [[ ! $s =~ exited\ with\ status\ 0\;\ wall\ [0-9.]+s.*\;\ seen\ 1\ process,\ 4\ threads\;\ peak\ RSS\ sum\ [0-9.]+[BKMGTPE]$ ]]; then
		fail "the summary is not 'exited with status 0; wall ...; seen 1 process, 4 threads; peak RSS sum ...': $s" "$ERR"
	else
		ok "$s"
	fi
fi

check "summary of -- workload --procs 2 --mem 32M: seen 3 processes, 3 threads, peak RSS sum >= 64 MiB"
ts sump -d 0.2 -- "$TASKSCOPE" workload --procs 2 --mem 32M --duration "$(ts_secs 1.5)"
if expect_rc 0 "-- workload --procs 2"; then
	s=$(summary "$ERR")
	peak=$(sed -n 's/.*peak RSS sum \([0-9.]*\)\([BKMGTPE]\)$/\1 \2/p' <<<"$s")
	bytes=$(awk -v v="${peak% *}" -v u="${peak#* }" 'BEGIN { printf "%.0f", v * 1024 ^ (index("BKMGTPE", u) - 1) }')
	if [[ ! $s =~ exited\ with\ status\ 0\;.*\;\ seen\ 3\ processes,\ 3\ threads\; ]]; then
		fail "the summary does not say 'exited with status 0 ... seen 3 processes, 3 threads': $s" "$ERR"
	elif [ -z "$peak" ] || [ "$bytes" -lt $((64 << 20)) ]; then
		fail "peak RSS sum '$peak' is less than the 2 x 32 MiB the workers wrote" "$ERR"
	else
		ok "$s"
	fi
fi

# ---- signals ------------------------------------------------------------------------------------------

# taskscope is started in its own session (setsid) so that only the signal sent to it by PID
# matters. A background command of a non-interactive shell inherits SIGINT ignored; taskscope
# installs its own handlers and gives the job default ones, so the job must still die of it.
ts_exe=$(readlink -f "$TASKSCOPE")
is_taskscope() { [ "$(readlink -f "/proc/$1/exe" 2>/dev/null)" = "$ts_exe" ]; }
getchild() {
	child=$(awk '{ print $1 }' "/proc/$TSPID/task/$TSPID/children" 2>/dev/null)
	[ -n "$child" ] && grep -qx sleep "/proc/$child/comm" 2>/dev/null
}
for c in TERM:15:143 INT:2:130 HUP:1:129; do
	sig=${c%%:*}
	rest=${c#*:}
	num=${rest%%:*}
	want=${rest#*:}
	check "kill -$sig taskscope: forwarded to the job (sleep 30), which dies of it; exit $want within 5 s"
	OUT=$TS_TMP/sig$sig.out
	ERR=$TS_TMP/sig$sig.err
	setsid "$TASKSCOPE" -d 0.2 -- sleep 30 >"$OUT" 2>"$ERR" </dev/null &
	TSPID=$!
	track "$TSPID"
	if ! poll_until 5 is_taskscope "$TSPID"; then
		fail "$TSPID is not taskscope (setsid forked?): $(readlink -f "/proc/$TSPID/exe")"
		stop "$TSPID"
		continue
	fi
	child=
	if ! poll_until 10 getchild; then
		fail "taskscope $TSPID did not start sleep within 10 s" "$ERR"
		stop "$TSPID"
		continue
	fi
	track "$child"
	# the signal must come in the wait loop: after the first sample is printed
	poll_until 10 grep -q '^taskscope [0-9]' "$OUT" "$ERR" ||
		say "no sample printed after $((10 * TS_SLOW)) s; the signal goes now ($(load_line))"
	kill -"$sig" "$TSPID"
	ts_wait 10
	s=$(summary "$ERR")
	if [ "$RC" -ne "$want" ]; then
		fail "kill -$sig: taskscope exited with $RC, expected $want" "$ERR"
	elif [ "$ELAPSED_MS" -gt $((5000 * TS_SLOW)) ]; then
		fail "kill -$sig: taskscope needed $ELAPSED_MS ms to end" "$ERR"
	elif [[ $s != *"'sleep' killed by signal $num "* ]]; then
		fail "kill -$sig: the summary does not say the job was killed by signal $num" "$ERR"
	elif alive "$child"; then
		fail "kill -$sig: the job $child still runs" "/proc/$child/status"
	else
		ok "exit $RC after $ELAPSED_MS ms; $s"
	fi
done

# ---- -n and a longer job ------------------------------------------------------------------------------

check "-n 1 with a 1.5 s job: one table, then taskscope waits for the job and returns its status (5)"
ts n1 -n 1 -d 0.2 -- bash -c 'sleep 1.5; exit 5'
if expect_rc 5 "-n 1 -- (sleep 1.5; exit 5)" && expect_tables 1 tables "$ERR"; then
	if [ "$ELAPSED_MS" -lt 1400 ]; then
		fail "taskscope ended after $ELAPSED_MS ms, before the job" "$ERR"
	elif [[ $(summary "$ERR") != *"exited with status 5;"* ]]; then
		fail "the summary does not say status 5" "$ERR"
	else
		ok "1 table, ended after $ELAPSED_MS ms"
	fi
fi

finish
