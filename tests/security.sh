#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# security.sh - a spawned job cannot reach taskscope's terminal (issue: a --run-as job typed
# commands into root's shell with TIOCSTI): in every command that spawns, as root and as
# another user, a hostile job pushes "touch MARK" into every terminal it can reach, and the
# shell that ran taskscope must not run it; the job gets only fds 0-2, none of them the
# terminal, signals reset; an interactive batch job still gets what the user types; in the
# full-screen view keys reach the job only through its input prompt (i); the job dies with
# taskscope (SIGKILL); the terminal is restored after a fatal signal during a relay.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need tui

HJ=${HOSTILEJOB:-$(dirname "$TSHELPER")/hostilejob}
[ -x "$HJ" ] || die "the test helper $HJ is missing (make check builds it)"
need_root "the attack is a job spawned by root (and --run-as)"

if [ -r /proc/sys/dev/tty/legacy_tiocsti ] && [ "$(cat /proc/sys/dev/tty/legacy_tiocsti)" = 0 ]; then
	say "legacy_tiocsti is 0: only a root job can use TIOCSTI here; the user cases prove less"
fi
have_user=0
if (. "$TS_LIBDIR/testuser.sh" && need_test_user) >/dev/null 2>&1; then
	. "$TS_LIBDIR/testuser.sh"
	need_test_user
	have_user=1
else
	say "no test user: the --run-as cases are left out"
fi

# reports and markers in a directory the test user can reach and write to
D=$(mktemp -d /tmp/taskscope-security-w.XXXXXX) && chmod 1777 "$D" || die "cannot make a directory"
trap 'tui_cleanup; rm -rf "$D"' EXIT

# The interactive shell of the "user": taskscope runs in it as a foreground job.
tmx_new sh -x 160 -y 40 \
	"env -i PATH=$PATH HOME=$TS_TMP TERM=screen LC_ALL=C PS1='sh> ' bash --norc --noprofile -i" ||
	die "cannot start tmux"
poll_until 20 eval "screen sh | grep -q '^sh>'" || die "the shell in tmux did not start"
PANE_TTY=$(tmx display -p -t sh '#{pane_tty}')
say "the user's terminal is $PANE_TTY"

# type LINE: type a command line into the user's shell
type_line() { tmx send-keys -t sh -l "$1"; tmx send-keys -t sh Enter; }

# sync NAME: the shell has read everything queued before now (an injected line included)
sync_shell() {
	type_line "touch $D/sync.$1"
	poll_until 60 test -e "$D/sync.$1" || fail "$1: the shell did not come back" 
}

# case_script NAME ARGS...: a script that runs taskscope ARGS (HJ_ARGS stands for the job),
# with the exit status in $D/rc.NAME and a plain child's signal masks in $D/base.NAME
case_script() {
	local name=$1 s=$TS_TMP/case.$1.sh
	shift
	{
		echo '#!/bin/bash'
		printf '%q %q %q\n' "$HJ" "" "$D/base.$name"
		printf '%q ' "$TASKSCOPE" "$@"
		echo
		echo "echo \$? >$D/rc.$name"
	} >"$s"
	chmod 755 "$s"
}

# attack NAME TUI ARGS...: run taskscope ARGS with the hostile job; TUI=1 presses q once the
# job is over (and first checks that the view is still there)
attack() {
	local name=$1 tui=$2 mark=$D/mark.$1 rep=$D/rep.$1 payload
	shift 2
	payload=$'touch '"$mark"$'\n'
	[ "$tui" = 1 ] && payload=$'q\n'"$payload"
	local args=() a
	for a in "$@"; do
		case $a in
		JOB) args+=("$HJ" "$payload" "$rep") ;;
		JOBLINE) args+=("$(printf '%q %q %q' "$HJ" "$payload" "$rep")") ;;
		*) args+=("$a") ;;
		esac
	done
	check "$name: the job's TIOCSTI reaches no terminal of taskscope's"
	: >"$rep"
	chmod 666 "$rep"
	case_script "$name" "${args[@]}"
	type_line "$TS_TMP/case.$name.sh"
	if ! poll_until 90 grep -q '^pushed' "$rep"; then
		keep sh "$TS_TMP/screen.$name"
		fail "$name: the job did not run" "$TS_TMP/screen.$name" "$rep"
		return
	fi
	if [ "$tui" = 1 ]; then
		if ! poll_until 30 eval "screen sh | grep -q 'q quits'"; then
			keep sh "$TS_TMP/screen.$name"
			fail "$name: the view is gone after the job ended (did it get the job's q?)" \
				"$TS_TMP/screen.$name"
		fi
		tmx send-keys -t sh q
	fi
	poll_until 90 test -e "$D/rc.$name" || { fail "$name: taskscope did not end"; return; }
	sync_shell "$name"
	if [ -e "$mark" ]; then
		fail "$name: the shell ran the command the job pushed" "$rep"
	else
		ok "$name: nothing reached the shell (exit status $(cat "$D/rc.$name"))"
	fi
	if grep -q " -> $PANE_TTY\$" "$rep"; then
		fail "$name: the job was given the user's terminal" "$rep"
	else
		ok "$name: no fd of the job is the user's terminal"
	fi
	if grep '^fd ' "$rep" | grep -qv '^fd [012] '; then
		fail "$name: the job inherited descriptors beyond 0-2" "$rep"
	else
		ok "$name: the job has fds 0-2 only"
	fi
	if [ "$(grep '^Sig' "$rep")" != "$(grep '^Sig' "$D/base.$name")" ]; then
		fail "$name: the job's signal masks differ from a plain child's" "$rep" "$D/base.$name"
	else
		ok "$name: signal masks as a plain child's ($(grep '^SigIgn' "$rep" | tr -d '\t'))"
	fi
}

attack batch 0 -b -d 0.2 -o pid,comm -- JOB
attack json 0 -J -d 0.2 -- JOB
attack share 0 share -- JOB
attack cpus 0 cpus -- JOB
attack compare 0 compare JOBLINE true
attack tui 1 -d 0.3 -- JOB
if [ "$have_user" = 1 ]; then
	attack batch-runas 0 -b -d 0.2 -o pid,comm --run-as "$TS_TUSER" -- JOB
	attack share-runas 0 share --run-as "$TS_TUSER" -- JOB
	attack cpus-runas 0 cpus --run-as "$TS_TUSER" -- JOB
	attack tui-runas 1 -d 0.3 --run-as "$TS_TUSER" -- JOB
fi

# ---- taskscope's own 0-2 closed: the job's are /dev/null, not a file of taskscope's ------
check "taskscope started with fds 0-2 closed: the job gets /dev/null, nothing else"
rep=$D/rep.closed
: >"$rep"
"$TASKSCOPE" -b -d 0.2 -o pid --output-file "$TS_TMP/closed.out" -- "$HJ" x "$rep" <&- >&- 2>&-
if grep '^fd ' "$rep" | grep -qv '^fd [012] -> /dev/null$'; then
	fail "the job got other descriptors" "$rep"
else
	ok "fds 0-2 are /dev/null, no other"
fi

# ---- an interactive batch job gets what the user types -----------------------------------
check "taskscope -b -- sh -c 'read x; echo \$x': the job reads what the user types, at the terminal's size"
case_script interactive -b -d 5 -o pid -- sh -c \
	"stty size >$D/size1; read x; stty size >$D/size2; echo \"typed:\$x\" >$D/typed"
type_line "$TS_TMP/case.interactive.sh"
poll_until 30 test -s "$D/size1" || fail "the job did not start"
if [ "$(cat "$D/size1")" = "40 160" ]; then
	ok "the job's terminal has the user's size (40 160)"
else
	fail "the job's terminal size is not 40 160" "$D/size1"
fi
tmx resize-window -t sh -x 100 -y 30
tmx send-keys -t sh -l "hello-$$"
tmx send-keys -t sh Enter
if poll_until 30 test -s "$D/typed" && [ "$(cat "$D/typed")" = "typed:hello-$$" ]; then
	ok "the job read 'hello-$$'"
else
	keep sh "$TS_TMP/screen.interactive"
	fail "the job did not get the line" "$TS_TMP/screen.interactive" "$D/typed"
fi
if [ "$(cat "$D/size2" 2>/dev/null)" = "30 100" ]; then
	ok "the job's terminal followed the resize (30 100)"
else
	fail "the job's terminal did not follow the resize to 30 100" "$D/size2"
fi
poll_until 30 test -e "$D/rc.interactive" && [ "$(cat "$D/rc.interactive")" = 0 ] ||
	fail "exit status '$(cat "$D/rc.interactive" 2>/dev/null)', expected 0"
sync_shell interactive
tmx send-keys -t sh -l "stty -a >$D/stty.after"
tmx send-keys -t sh Enter
poll_until 30 test -s "$D/stty.after"
if grep -q -- '-icanon\|-echo ' "$D/stty.after"; then
	fail "the terminal is left without icanon/echo" "$D/stty.after"
else
	ok "the terminal has icanon and echo again"
fi

# ---- the full-screen view: keys go to the view, the job gets only what i sends ----------
check "full-screen view: the job reading stdin gets no keys meant for the view; i sends a line"
# the job becomes its sleep (exec), so that killing it by its PID ends the whole job: a sleep
# left behind as an orphan would keep taskscope (its subreaper) waiting for a minute
case_script tuikeys -d 0.3 -- sh -c "echo \$\$ >$D/tuikeys.pid; read x; echo \"read:\$x\" >$D/tuiread; exec sleep 60"
type_line "$TS_TMP/case.tuikeys.sh"
if poll_until 30 eval "screen sh | grep -Eq 'q quit|F10Quit'"; then
	for k in H x y H t t 1 2; do tmx send-keys -t sh "$k"; done
	tmx send-keys -t sh Enter
	tmx send-keys -t sh i
	poll_until 10 eval "screen sh | grep -q 'Input for the job'" || fail "no input prompt after i"
	tmx send-keys -t sh -l "first-$$"
	tmx send-keys -t sh Enter
	if poll_until 30 test -s "$D/tuiread" && [ "$(cat "$D/tuiread")" = "read:first-$$" ]; then
		ok "the job read only the line sent with i"
	else
		fail "the job read something else" "$D/tuiread"
	fi
else
	fail "the view did not come up"
fi
tmx send-keys -t sh q
[ -s "$D/tuikeys.pid" ] && kill "$(cat "$D/tuikeys.pid")" 2>/dev/null
poll_until 60 test -e "$D/rc.tuikeys" || fail "taskscope did not end after q and the job's end"
sync_shell tuikeys

# ---- taskscope killed with SIGKILL: the job does not live on -----------------------------
check "taskscope killed with SIGKILL: its job is killed too (PR_SET_PDEATHSIG)"
"$TASKSCOPE" -b -d 0.5 -o pid -- sh -c "echo \$\$ >$D/orphan.pid; exec sleep 1000" \
	>/dev/null 2>&1 </dev/null &
tspid=$!
track "$tspid"
if poll_until 30 test -s "$D/orphan.pid"; then
	job=$(cat "$D/orphan.pid")
	kill -KILL "$tspid"
	if poll_until 30 gone "$job"; then
		ok "the job (PID $job) ended with taskscope"
	else
		track "$job"
		fail "the job (PID $job) lives on after taskscope was killed"
	fi
else
	fail "the job did not start"
fi

# ---- a fatal signal during an interactive relay restores the terminal ------------------
check "SIGUSR1 to taskscope while it relays the terminal: the terminal restored, the job killed"
case_script usr1 -b -d 5 -o pid -- sh -c "echo \$\$ >$D/usr1.pid; read x"
type_line "stty -a >$D/usr1.before; $TS_TMP/case.usr1.sh; stty -a >$D/usr1.after"
if poll_until 30 test -s "$D/usr1.pid"; then
	ts=$(pgrep -P "$(pgrep -f "$TS_TMP/case.usr1.sh" | head -n1)" -x taskscope | head -n1)
	sleep 0.2
	[ -n "$ts" ] && kill -USR1 "$ts"
	poll_until 30 test -s "$D/usr1.after" || fail "the shell did not come back"
	if cmp -s "$D/usr1.before" "$D/usr1.after"; then
		ok "stty -a as before"
	else
		diff "$D/usr1.before" "$D/usr1.after" >"$TS_TMP/usr1.diff"
		fail "the terminal settings differ" "$TS_TMP/usr1.diff"
	fi
	[ "$(cat "$D/rc.usr1" 2>/dev/null)" = 138 ] || fail "exit status '$(cat "$D/rc.usr1")', expected 138"
	poll_until 30 gone "$(cat "$D/usr1.pid")" && ok "the job ended" || fail "the job lives on"
else
	fail "the job did not start"
fi

finish
