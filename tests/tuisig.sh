#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tuisig.sh - the full-screen view leaves the terminal sane (stty -a as before, alternate
# screen left) however it ends: q, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGSEGV, SIGABRT, every
# other signal whose default action terminates (USR1, ALRM, XCPU, IO, PWR, TRAP, SYS, STKFLT,
# a real-time one, ...), and
# Ctrl-Z then fg; a SIGTERM in spawn mode reaches the job, whose status comes back; after q
# the job is followed to its end and a hangup still reaches it.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need tui

start_workload --threads 2 --sleep

# SIGNAL EXPECTED-STATUS: taskscope -p the workload, killed by SIGNAL
run_signal() {
	local sig=$1 want=$2 name=sig$1 pid
	check "SIG$sig sent to taskscope: the terminal restored, exit status $want"
	tui_start "$name" 80 24 -d 0.3 -p "$WL_PID"
	if ! wait_screen "$name" 10 "^ *$WL_PID +$WL_PID "; then
		keep "$name" "$TS_TMP/$name.screen"
		fail "the view did not come up" "$TS_TMP/$name.screen"
		return
	fi
	pid=$(ts_pid "$name")
	[ -n "$pid" ] || { fail "no taskscope process in the pane"; return; }
	kill -"$sig" "$pid"
	if ! wait_rc "$name" 10; then
		keep "$name" "$TS_TMP/$name.screen"
		fail "taskscope did not end" "$TS_TMP/$name.screen"
		return
	fi
	if [ "$RC" -eq "$want" ]; then ok "exit status $RC"; else fail "exit status $RC, expected $want"; fi
	check_sane "$name" "SIG$sig"
	tmx kill-session -t "$name"
}

run_signal TERM 143
run_signal INT 130
run_signal HUP 129
run_signal QUIT 131
run_signal SEGV 139
run_signal ABRT 134
# every other signal whose default action ends a process restores the terminal too
for sig in USR1 USR2 ALRM VTALRM PROF XCPU XFSZ IO PWR TRAP SYS STKFLT BUS; do
	run_signal "$sig" $((128 + $(kill -l "$sig")))
done
run_signal RTMIN+3 $((128 + $(kill -l RTMIN+3)))

# ---- q ----------------------------------------------------------------------------------------
check "q: the terminal restored, exit status 0"
tui_start q 80 24 -d 0.3 -p "$WL_PID"
wait_screen q 10 "^ *$WL_PID +$WL_PID " || fail "the view did not come up"
tmx send-keys -t q q
if wait_rc q 10 && [ "$RC" -eq 0 ]; then ok "exit status 0"; else fail "exit status '${RC:-none}'"; fi
check_sane q "q"

# ---- Ctrl-Z, then fg --------------------------------------------------------------------------
check "Ctrl-Z stops taskscope with the terminal restored; fg brings the view back"
TUI_NOSLEEP=1 tui_wrapper ctlz -d 0.3 -p "$WL_PID"
tmx_new ctlz -x 80 -y 24 "TERM=screen PS1='sh> ' exec bash --norc --noprofile -i"
wait_screen ctlz 10 '^sh>' || say "no shell prompt after $((10 * TS_SLOW)) s; typing anyway ($(load_line))"
tmx send-keys -t ctlz "TUI_NOSLEEP=1 sh $TS_TMP/ctlz.sh" Enter
if ! wait_screen ctlz 10 "^ *$WL_PID +$WL_PID "; then
	fail_screen ctlz "the view did not come up"
else
	shpid=$(pgrep -P "$(tmx display -p -t ctlz '#{pane_pid}')" | head -n1)
	tspid=$(pgrep -P "$shpid" -x taskscope | head -n1)
	stopped() { [ "$(awk '{ print $3 }' "/proc/$tspid/stat" 2>/dev/null)" = T ]; }
	tmx send-keys -t ctlz C-z
	# (the shell's "Stopped" line can land on the alternate screen: the wrapper shell
	# of the job stops at once, taskscope only after restoring the terminal)
	if poll_until 10 stopped && poll_until 5 eval '[ "$(alt_on ctlz)" = 0 ]'; then
		ok "taskscope $tspid stopped, alternate screen left"
	else
		fail_screen ctlz "not stopped cleanly (alternate_on $(alt_on ctlz))"
	fi
	tmx send-keys -t ctlz "fg" Enter
	if wait_screen ctlz 10 "^ *$WL_PID +$WL_PID " && [ "$(alt_on ctlz)" = 1 ]; then
		ok "fg: the view is back"
	else
		fail_screen ctlz "fg did not bring the view back"
	fi
	check "after fg, keys still work: ? opens the help, q quits with status 0"
	tmx send-keys -t ctlz '?'
	wait_screen ctlz 5 "Help: every key" && ok "help shown" || fail "no help after fg"
	tmx send-keys -t ctlz q
	if wait_rc ctlz 10 && [ "$RC" -eq 0 ]; then ok "exit status 0"; else fail "exit status '${RC:-none}'"; fi
	check_sane ctlz "Ctrl-Z, fg, q"
fi

# ---- the terminal goes away ------------------------------------------------------------------
check "the terminal goes away (its tmux session killed): taskscope ends instead of spinning"
tui_start hup 80 24 -d 0.3 -p "$WL_PID"
if wait_screen hup 10 "^ *$WL_PID +$WL_PID "; then
	pid=$(ts_pid hup)
	tmx kill-session -t hup
	if poll_until 10 gone "$pid"; then
		ok "taskscope $pid ended"
	else
		fail "taskscope $pid still runs: $(grep -E '^State' "/proc/$pid/status")"
		kill -KILL "$pid" 2>/dev/null
	fi
else
	fail "the view did not come up"
fi

# ---- spawn mode: SIGTERM goes to the job ------------------------------------------------------
check "spawn mode: SIGTERM to taskscope reaches the job; taskscope returns its status (143)"
tui_start spawnterm 80 24 -d 0.3 -- sleep 60
if wait_screen spawnterm 10 "spawned: sleep, 1 task"; then
	kill -TERM "$(ts_pid spawnterm)"
	if wait_rc spawnterm 15 && [ "$RC" -eq 143 ]; then ok "exit status 143"; else fail "exit status '${RC:-none}', expected 143"; fi
	check_sane spawnterm "SIGTERM in spawn mode"
else
	fail_screen spawnterm "the job's 4 tasks did not show"
fi

# ---- spawn mode: q while the job runs, then the terminal goes away -----------------------------
check "spawn mode: q while the job runs, then SIGHUP to taskscope (a shell passes on a closing terminal's): it reaches the job, taskscope ends"
tui_start spawnhup 80 24 -d 0.3 -- sh -c "echo \$\$ >$TS_TMP/hup.pid; exec sleep 600"
if wait_screen spawnhup 10 "spawned: " && poll_until 10 test -s "$TS_TMP/hup.pid"; then
	job=$(cat "$TS_TMP/hup.pid")
	tspid=$(ts_pid spawnhup)
	tmx send-keys -t spawnhup q
	# taskscope left the screen and follows the job to its end
	poll_until 10 eval "[ \"\$(alt_on spawnhup)\" = 0 ]" || fail "q did not leave the screen"
	kill -HUP "$tspid"
	if poll_until 20 gone "$job"; then
		ok "the job ended with the hangup"
	else
		track "$job"
		fail "the job (PID $job) lives on after the hangup"
	fi
	if wait_rc spawnhup 20 && [ "$RC" -eq 129 ]; then
		ok "taskscope ended with the job's status 129"
	else
		track "$tspid"
		fail "taskscope: exit status '${RC:-none}', expected 129"
	fi
	tmx kill-session -t spawnhup
else
	fail_screen spawnhup "the job did not show"
fi

finish
