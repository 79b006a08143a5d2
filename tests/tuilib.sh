# SPDX-License-Identifier: GPL-2.0-or-later
# tuilib.sh - helpers of the TUI tests: taskscope in a detached tmux session of a fixed size
#
# Sourced after lib.sh. Each test gets its own tmux server (a socket in its temporary
# directory), so it never touches a user's sessions or another test's.

command -v tmux >/dev/null 2>&1 || skip "tmux is not installed (apt-get install tmux)"

# the view's settings file: in a directory of the test's own, never the user's
export XDG_CONFIG_HOME=$TS_TMP/config
TUI_CONF=$XDG_CONFIG_HOME/taskscope/config

TMUX_SOCK=$TS_TMP/tmux.sock
unset TMUX
tmx() { tmux -S "$TMUX_SOCK" -f /dev/null "$@"; }
tui_cleanup() { tmx kill-server >/dev/null 2>&1; ts_cleanup; }
trap tui_cleanup EXIT

# tui_start NAME COLS ROWS ARGS...: run taskscope ARGS in a new session NAME through a
# wrapper that saves `stty -a` before and after, and taskscope's exit status in NAME.rc;
# the pane stays open after it (a sleep) so the screen can be read.
tui_start() {
	local name=$1 cols=$2 rows=$3
	shift 3
	tui_wrapper "$name" "$@"
	tmx_new "$name" -x "$cols" -y "$rows" "TERM=${TUI_TERM:-screen} exec sh '$TS_TMP/$name.sh'" ||
		die "cannot start a tmux session" "$TS_TMP/$name.tmux.err"
}

# tmx_new NAME ARGS...: tmux new-session -d -s NAME ARGS. A loaded machine can make the
# first client give up on a server that is still starting: it tries again (3 times), unless
# the session is there after all; 1 when it never started (the error in NAME.tmux.err).
tmx_new() {
	local name=$1 try
	shift
	for try in 1 2 3; do
		tmx new-session -d -s "$name" "$@" 2>"$TS_TMP/$name.tmux.err" && return 0
		tmx has-session -t "$name" 2>/dev/null && return 0
		say "tmux new-session failed (try $try): $(head -c 200 "$TS_TMP/$name.tmux.err")"
		sleep 1
	done
	return 1
}

# tui_wrapper NAME ARGS...: write the wrapper script $TS_TMP/NAME.sh (see tui_start)
tui_wrapper() {
	local name=$1 w=$TS_TMP/$1.sh
	shift
	{
		echo '#!/bin/sh'
		echo "trap 'true' INT QUIT HUP"
		# the tmux server does not hand its clients' environment to new panes
		[ -n "${XDG_CONFIG_HOME:-}" ] && printf 'export XDG_CONFIG_HOME=%q\n' "$XDG_CONFIG_HOME"
		[ -n "${NO_COLOR:-}" ] && printf 'export NO_COLOR=%q\n' "$NO_COLOR"
		echo "stty -a >'$TS_TMP/$name.before'"
		printf '%q ' "$TASKSCOPE" "$@"
		echo
		echo "echo \$? >'$TS_TMP/$name.rc.tmp'"
		echo "stty -a >'$TS_TMP/$name.after'"
		echo "mv '$TS_TMP/$name.rc.tmp' '$TS_TMP/$name.rc'"
		echo "[ -n \"\${TUI_NOSLEEP:-}\" ] || exec sleep 300"
	} >"$w"
	rm -f "$TS_TMP/$name.rc"
}

# screen NAME: the pane's text now
screen() { tmx capture-pane -p -t "$1" 2>/dev/null; }

# wait_screen NAME SECONDS REGEX: poll until the screen matches (grep -E)
wait_screen() {
	local name=$1 secs=$2 re=$3
	poll_until "$secs" eval "screen '$name' | grep -Eq -- \"\$re\""
}

# keep NAME FILE: save the screen as evidence
keep() { screen "$1" >"$2"; }

# fail_screen NAME TEXT: fail TEXT with the screen of NAME now as the evidence
fail_screen() {
	keep "$1" "$TS_TMP/$1.screen"
	fail "$2" "$TS_TMP/$1.screen"
}

# tui_quit NAME [STATUS]: q to the view in NAME; it must end within 10 s (times TS_SLOW),
# with exit status STATUS when one is given. RC gets its exit status.
tui_quit() {
	local name=$1 want=${2:-}
	tmx send-keys -t "$name" q
	if ! wait_rc "$name" 10; then
		fail_screen "$name" "$name: the view did not quit on q"
	elif [ -n "$want" ] && [ "$RC" != "$want" ]; then
		fail_screen "$name" "$name: exit status '$RC', expected $want"
	fi
}

# ts_pid NAME: the taskscope process of the session (the wrapper's child)
ts_pid() {
	local sh
	sh=$(tmx display -p -t "$1" '#{pane_pid}')
	pgrep -P "$sh" -x taskscope | head -n1
}

# alt_on NAME: 1 when the pane shows the alternate screen
alt_on() { tmx display -p -t "$1" '#{alternate_on}'; }

# wait_rc NAME SECONDS: wait for the wrapper to record the exit status; sets RC
wait_rc() {
	RC=
	poll_until "$2" test -s "$TS_TMP/$1.rc" || return 1
	RC=$(cat "$TS_TMP/$1.rc")
}

# check_sane NAME WHAT: the terminal as before (stty -a) and the alternate screen left
check_sane() {
	local name=$1 what=$2
	if ! cmp -s "$TS_TMP/$name.before" "$TS_TMP/$name.after"; then
		diff "$TS_TMP/$name.before" "$TS_TMP/$name.after" >"$TS_TMP/$name.diff"
		fail "$what: the terminal settings differ after taskscope" "$TS_TMP/$name.diff"
	elif [ "$(alt_on "$name")" != 0 ]; then
		keep "$name" "$TS_TMP/$name.screen"
		fail "$what: the alternate screen is still on" "$TS_TMP/$name.screen"
	else
		ok "$what: stty -a as before, alternate screen left"
	fi
}
