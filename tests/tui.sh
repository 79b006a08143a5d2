#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tui.sh - the full-screen view in tmux: a spawned workload's tasks, every view and back,
# the job's output in the log view and --child-log, its exit status, resizing, a small
# terminal, a monochrome terminal, and hostile task names kept off the terminal.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need tui tshelper

# ---- a spawned workload: its tasks and every view -----------------------------------------------
LOG=$TS_TMP/child.log
tui_start job 110 32 -d 0.5 --child-log "$LOG" -- "$TASKSCOPE" workload --threads 3 --sleep --duration 120
check "the job's output reaches --child-log (its ready line)"
if poll_until 10 grep -q '^ready ' "$LOG"; then
	ok "$(head -n1 "$LOG")"
else
	keep job "$TS_TMP/job.screen"
	die "no ready line in the child log" "$LOG" "$TS_TMP/job.screen"
fi
line=$(grep -m1 '^ready ' "$LOG")
[[ $line =~ pid=([0-9]+).*tids=([0-9,]+) ]] || die "malformed ready line" "$LOG"
P=${BASH_REMATCH[1]}
TIDS=${BASH_REMATCH[2]//,/ }
say "workload pid $P, threads $TIDS"

# a task shows as a row whose second column (TID) is its ID and whose first is the PID
has_task() { screen job | grep -Eq "^ *$P +$1 "; }
check "the job's 4 tasks are rows: the process $P and its threads $TIDS"
missing=
for t in $P $TIDS; do
	poll_until 10 has_task "$t" || missing="$missing $t"
done
keep job "$TS_TMP/list.screen"
if [ -z "$missing" ] && grep -q "spawned: " "$TS_TMP/list.screen"; then
	ok "4 task rows, header says spawned"
else
	fail "tasks missing:$missing" "$TS_TMP/list.screen"
fi

check "the header shows CPU bars, memory, load and task counts"
# (the count comes with a later sample than the rows when the job was still starting threads)
header_ok() {
	keep job "$TS_TMP/header.screen"
	grep -Eq '^ *0\[.*%\]' "$TS_TMP/header.screen" && grep -q '^Mem ' "$TS_TMP/header.screen" &&
		grep -Eq '^Load [0-9.]+ [0-9.]+ [0-9.]+ +Tasks 1 process, 4 threads' "$TS_TMP/header.screen"
}
if poll_until 10 header_ok; then
	ok "CPU 0 bar, Mem, Load and 1 process with 4 threads"
else
	fail "header incomplete" "$TS_TMP/header.screen"
fi

back_to_list() {
	tmx send-keys -t job Escape
	wait_screen job 5 "view processes"
}

# view KEY REGEX WHAT: the key opens a view showing REGEX; Esc returns to the list
view() {
	local key=$1 re=$2 what=$3
	check "key $key shows $what; Esc returns"
	tmx send-keys -t job "$key"
	# a long panel (the memory map of a sanitizer build) is paged through
	found=false
	for page in 1 2 3 4 5 6 7 8 9 10 11 12; do
		if wait_screen job $([ "$page" = 1 ] && echo 10 || echo 1) "$re"; then
			found=true
			break
		fi
		tmx send-keys -t job NPage
	done
	if $found; then
		keep job "$TS_TMP/view-$what.screen"
		ok "$what: $(grep -Em1 -- "$re" "$TS_TMP/view-$what.screen")"
	else
		keep job "$TS_TMP/view-$what.screen"
		fail "$what: no line matches '$re'" "$TS_TMP/view-$what.screen"
	fi
	if back_to_list; then
		ok "back in the task list"
	else
		fail_screen job "Esc did not return to the list"
	fi
}

first_tid=${TIDS%% *}
# H: a flat thread list (every row a thread, the header says so)
view H "view threads" "thread list"
view t "view tree" "process tree"
# the selection is the first row: the job's process
view m "\\[stack:$first_tid\\]" "memory map"
view c "^ *$first_tid taskscope |^ *$first_tid ts-worker" "placement timeline"
view s "PID $P \\(.*\\) against every other process" "sharing against every other process"
view '?' "Help: every key" "help"
view l "^ready pid=$P " "job log"

check "the help lists every key of the man page's INTERACTIVE COMMANDS"
tmx send-keys -t job '?'
wait_screen job 5 "Help: every key"
tmx resize-window -t job -x 110 -y 60
# redrawn at 60 rows when the help's last key is on screen (a loaded machine redraws late)
helpkeys() { keep job "$TS_TMP/help.screen"; nkeys=$(grep -cE '^  [^ ]' "$TS_TMP/help.screen"); [ "$nkeys" -ge 30 ]; }
poll_until 5 helpkeys
tmx resize-window -t job -x 110 -y 32
tmx send-keys -t job Escape
if [ "$nkeys" -ge 30 ]; then
	ok "$nkeys keys listed"
else
	fail "only $nkeys keys in the help" "$TS_TMP/help.screen"
fi

# ---- resizing -----------------------------------------------------------------------------------
for size in 70x20 40x10 120x40; do
	w=${size%x*} h=${size#*x}
	check "the window resized to $size: the screen is redrawn to it"
	tmx resize-window -t job -x "$w" -y "$h"
	# redrawn: poll for it (the outer limit scales with the load; a redraw is at once when quiet)
	redrawn() {
		keep job "$TS_TMP/resize-$size.screen"
		lines=$(wc -l <"$TS_TMP/resize-$size.screen")
		last=$(tail -n1 "$TS_TMP/resize-$size.screen")
		longest=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$TS_TMP/resize-$size.screen")
		[ "$lines" -eq "$h" ] && [[ $last == "q quit"* || $last == F1Help* ]] && [ "$longest" -le "$w" ] &&
			grep -Eq "^ *$P +$P " "$TS_TMP/resize-$size.screen"
	}
	if poll_until 5 redrawn; then
		ok "$lines lines, status line last, widest line $longest <= $w, the job's row shown"
	else
		fail "not redrawn to $size (lines $lines, widest $longest, last '$last')" "$TS_TMP/resize-$size.screen"
	fi
done
tmx resize-window -t job -x 110 -y 32

check "q leaves the screen while the job runs; taskscope follows the job to its end"
tmx send-keys -t job q
poll_until 10 eval '[ "$(alt_on job)" = 0 ]' || fail "the screen is still on after q"
sleep 0.5
[ -e "$TS_TMP/job.rc" ] && fail "taskscope did not wait for the job"
kill -TERM "$P"
if wait_rc job 20; then
	# the workload ends cleanly on SIGTERM
	if [ "$RC" -eq 0 ]; then ok "exit status 0 (the workload's, after its SIGTERM)"; else fail "exit status $RC, expected 0"; fi
else
	fail_screen job "no exit status recorded"
fi
check_sane job "q"

# ---- the job's end: exit status shown, kept until q, returned -----------------------------------
tui_start end 90 24 -d 0.3 -- sh -c 'echo to-stdout; echo to-stderr >&2; sleep 1; exit 7'
check "the end of a job: its status on screen, the screen stays until q"
if wait_screen end 15 "exited with status 7"; then
	sleep 1
	if [ ! -e "$TS_TMP/end.rc" ] && [ "$(alt_on end)" = 1 ]; then
		ok "status 7 shown, still on screen after the job ended"
	else
		fail "the screen did not stay"
	fi
else
	fail_screen end "no exit status on screen"
fi
check "stdout and stderr of the job both reach the log view"
tmx send-keys -t end l
if wait_screen end 5 "^to-stdout" && wait_screen end 5 "^to-stderr"; then
	ok "both lines in the log view"
else
	fail_screen end "the log view lacks a line"
fi
check "q returns the job's exit status"
tmx send-keys -t end q
if wait_rc end 10 && [ "$RC" -eq 7 ]; then
	ok "exit status 7"
else
	fail "exit status '${RC:-none}', expected 7"
fi
check_sane end "q after the job ended"

# ---- hostile names, a monochrome terminal -------------------------------------------------------
NAMES=(
	$'\e[2J\e[31mred'	# clear the screen, colour
	$'\e]2;pwned\a'		# OSC: set the window title
	$'\xc2\x9b7m'		# C1 CSI
	$'a\nb'			# a newline
)
pids=()
for n in "${NAMES[@]}"; do
	start_helper "helper${#pids[@]}" name "$n" 60
	pids+=("$HELPER_PID")
done
list=$(IFS=,; echo "${pids[*]}")
NO_COLOR=1 TUI_TERM=vt100 tui_start names 120 30 -d 0.3 -o pid,tid,comm,cmd -p "$list"
check "hostile names on a vt100 (monochrome) terminal are shown escaped, never raw"
tmx set-option -t names set-titles off >/dev/null 2>&1
if wait_screen names 10 '\\x1b\[2J' && wait_screen names 5 '\\x1b\]2;pwned\\x07' &&
   wait_screen names 5 '\\u009b7m' && wait_screen names 5 'a\\x0ab'; then
	keep names "$TS_TMP/names.screen"
	title=$(tmx display -p -t names '#{pane_title}')
	rows=$(grep -cE "^ *(${list//,/|}) " "$TS_TMP/names.screen")
	# a row for each process and one for its named thread (the main thread is the process
	# row): a newline in a name must not make a row of its own
	if [[ $title != *pwned* ]] && [ "$rows" -eq $((2 * ${#pids[@]})) ]; then
		ok "escaped names shown, one row per task ($rows), pane title '$title' untouched"
	else
		fail "title '$title', $rows rows for ${#pids[@]} processes of 2 threads" "$TS_TMP/names.screen"
	fi
else
	fail_screen names "a name is not shown escaped"
fi
check "NO_COLOR and TERM=vt100: q still restores the terminal"
tui_quit names
check_sane names "q on vt100"

finish
