#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stuckread.sh - a process whose memory is stuck (tests/stuckfuse: a reader in D state holds
# its mmap_lock on a FUSE page that never comes, a writer queues behind it, so every read of
# its cmdline or smaps blocks): the full-screen view keeps drawing and answering keys, says
# where sampling is stuck, recovers when the read returns and quits at once with the
# terminal restored while it does not; batch mode and `maps` block like ps but end on
# SIGINT and SIGTERM without partial output. Needs root and /dev/fuse.
#
# While a stuck process exists, anything on the machine that reads its cmdline or smaps
# (ps, pgrep, top, taskscope over all processes) waits too: each stuck period here is kept
# short (seconds), and the helper ends it by itself after HOLD_LIMIT seconds whatever
# happens to this script.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need tui tshelper

need_root "it mounts a FUSE file system in a private mount namespace"
[ -c /dev/fuse ] || skip "no /dev/fuse (modprobe fuse)"
STUCKFUSE=${STUCKFUSE:-$(dirname "$TSHELPER")/stuckfuse}
[ -x "$STUCKFUSE" ] || die "tests/stuckfuse not found or not executable: '$STUCKFUSE' (make tests/stuckfuse)"
HOLD_LIMIT=60

# Two runs of this test at once (two `make check` on one machine) would each see the other's
# stuck process in the views they check: they take turns on a lock.
exec 9>"${TMPDIR:-/tmp}/taskscope-stuckread.lock" || die "cannot open the lock file"
if ! flock -w $((300 * TS_SLOW)) 9; then
	skip "another stuckread.sh held the lock for $((300 * TS_SLOW)) s (busy machine?)"
fi

# hold_start NAME: a stuck process; sets TARGET (its PID), HOLDER (the reader in D state),
# WRITER (the target's thread queued for the lock) and HELPER
hold_start() {
	local name=$1 out=$TS_TMP/$1.hold err=$TS_TMP/$1.holderr line
	mkdir -p "$TS_TMP/$name.mnt"
	"$STUCKFUSE" "$TS_TMP/$name.mnt" "$HOLD_LIMIT" >"$out" 2>"$err" </dev/null &
	HELPER=$!
	track "$HELPER"
	if ! poll_until 20 grep -q '^ready ' "$out"; then
		if gone "$HELPER" && grep -Eq 'unshare|mount fuse|/dev/fuse' "$err"; then
			skip "cannot mount a FUSE file system here: $(head -n1 "$err")"
		fi
		die "stuckfuse did not get ready within 20 s" "$out" "$err"
	fi
	line=$(grep -m1 '^ready ' "$out")
	[[ $line =~ ^ready\ target=([0-9]+)\ holder=([0-9]+)\ writer=([0-9]+)$ ]] ||
		die "stuckfuse: malformed ready line" "$out"
	TARGET=${BASH_REMATCH[1]}
	HOLDER=${BASH_REMATCH[2]}
	WRITER=${BASH_REMATCH[3]}
	HOLD_T0=$(now_ms)
	say "stuck process $TARGET: holder $HOLDER in D state, writer thread $WRITER queued"
}

# state PID [TID]: the task's state letter from its stat (which does not block)
state() {
	local f=/proc/$1/stat
	[ -n "${2:-}" ] && f=/proc/$1/task/$2/stat
	sed 's/.*) \(.\).*/\1/' "$f" 2>/dev/null
}

# hold_stop: end the stuck period (the helper aborts the FUSE connection and kills its
# children); checks that nothing of it is left
hold_stop() {
	local held=$(($(now_ms) - HOLD_T0))
	stop "$HELPER"
	HELD_MS=$((HELD_MS + held))
	if poll_until 10 gone "$TARGET" && poll_until 10 gone "$HOLDER"; then
		ok "released after $held ms: the helper, the target and the holder are gone"
	else
		fail "the stuck process $TARGET or the holder $HOLDER is still there"
	fi
}
HELD_MS=0

# in_d PID: some thread of the process is in D state
in_d() {
	local t
	for t in /proc/"$1"/task/*; do
		[ "$(sed 's/.*) \(.\).*/\1/' "$t/stat" 2>/dev/null)" = D ] && return 0
	done
	return 1
}

# pane_ts NAME: the taskscope process of the pane, from the wrapper's children (pgrep would
# read every process's cmdline and wait on the stuck one)
pane_ts() {
	local sh c
	sh=$(tmx display -p -t "$1" '#{pane_pid}')
	for c in $(cat "/proc/$sh/task/$sh/children" 2>/dev/null); do
		[ "$(cat "/proc/$c/comm" 2>/dev/null)" = taskscope ] && { echo "$c"; return; }
	done
}

check "the stuck process holds: its holder and its writer thread are in D state"
hold_start tui
if [ "$(state "$HOLDER")" = D ] && [ "$(state "$TARGET" "$WRITER")" = D ]; then
	ok "holder $HOLDER: D, writer $WRITER: D"
else
	fail "holder state '$(state "$HOLDER")', writer state '$(state "$TARGET" "$WRITER")'"
fi

# ---- the full-screen view while sampling is stuck --------------------------------------------
start_helper normal name "sr$$" 300
NORMAL=$READY

tui_start view 120 30 -d 0.5 -o PID,TID,STATE,PSS,COMM,CMD -p "$TARGET,$NORMAL"
STUCK_RE="sampling stuck [0-9]+s reading /proc/$TARGET/[a-z_]+ \(a task in D state\?\)"
check "-p of the stuck process and a normal one: the status line says where sampling is stuck"
if wait_screen view 20 "$STUCK_RE"; then
	keep view "$TS_TMP/note.screen"
	ok "$(grep -Eo "$STUCK_RE" "$TS_TMP/note.screen")"
else
	fail_screen view "no note about the stuck read"
fi
tsp=$(pane_ts view)
check "the sampling thread of taskscope ($tsp) is the one in D state"
if [ -n "$tsp" ] && in_d "$tsp"; then ok "a thread of $tsp is in D state"; else fail "no thread of '$tsp' in D state"; fi

# key KEY REGEX WHAT: the key's effect shows while sampling is stuck
key() {
	check "while stuck, key $1: $3"
	tmx send-keys -t view "$1"
	if wait_screen view 5 "$2"; then
		ok "$(screen view | grep -Em1 -- "$2")"
	else
		fail_screen view "key $1: no '$2' on the screen"
	fi
}
key H "view threads" "the flat thread list"
key H "view processes" "back to processes"
key N "^ *PID[v^] +TID " "sort by PID (the title marks it)"
mark=$(screen view | sed -n 's/^ *PID\([v^]\) .*/\1/p' | head -n1)
[ "$mark" = v ] && other='\^' || other=v
key R "^ *PID$other +TID " "reverse the order (the mark turns)"
key h "pick the columns" "the help"
key Escape "Watching PIDs $TARGET,$NORMAL" "back to the list"
check "the stuck note stays while the read does not return"
if wait_screen view 5 "$STUCK_RE"; then ok "still: $(screen view | grep -Eo "$STUCK_RE")"; else fail "the note went away"; fi

check "the read returns (the FUSE page is answered): the rows come, the note goes"
kill -USR1 "$HELPER"
has_rows() {
	screen view >"$TS_TMP/back.screen"
	grep -Eq "^ *$TARGET +$TARGET .*stuck-target" "$TS_TMP/back.screen" &&
		grep -Eq "^ *$NORMAL +$NORMAL .*sr$$" "$TS_TMP/back.screen" &&
		! grep -q "sampling stuck" "$TS_TMP/back.screen"
}
if poll_until 20 has_rows; then
	ok "rows of $TARGET and $NORMAL, no note"
else
	fail "no recovery after the release" "$TS_TMP/back.screen"
fi
tui_quit view
tmx kill-session -t view
hold_stop

# ---- quitting while stuck: q and SIGTERM -----------------------------------------------------
# quit_stuck NAME HOW WANT: all processes with CMD shown; quit while the read is stuck
quit_stuck() {
	local name=$1 how=$2 want=$3 t0 ms pid
	hold_start "$name"
	tui_start "$name" 120 30 -d 0.5 -o PID,STATE,COMM,CMD
	check "all processes: the note names a /proc file of the stuck process"
	if wait_screen "$name" 20 "sampling stuck [0-9]+s reading /proc/$TARGET/"; then
		ok "$(screen "$name" | grep -Eo "sampling stuck .*")"
	else
		keep "$name" "$TS_TMP/$name.screen"
		fail "$how: no note about the stuck read" "$TS_TMP/$name.screen"
	fi
	pid=$(pane_ts "$name")
	check "$how while a read is stuck: taskscope ends at once with status $want, terminal restored"
	t0=$(now_ms)
	if [ "$how" = q ]; then
		tmx send-keys -t "$name" q
	else
		kill -TERM "$pid"
	fi
	if wait_rc "$name" 10; then
		ms=$(($(now_ms) - t0))
		if [ "$RC" -eq "$want" ]; then ok "exit status $RC after $ms ms"; else fail "exit status $RC, expected $want"; fi
	else
		keep "$name" "$TS_TMP/$name.screen"
		fail "$how: taskscope did not end within 10 s" "$TS_TMP/$name.screen"
	fi
	if [ -n "$pid" ] && gone "$pid"; then ok "process $pid gone (its stuck thread too)"; else fail "process '$pid' still there"; fi
	check_sane "$name" "$how"
	if [ "$how" = q ]; then
		check "q: the message on stderr names the stuck read"
		keep "$name" "$TS_TMP/$name.screen"
		if grep -Eq "^taskscope: a read of /proc/[0-9]+/[a-z_]+ was stuck for [0-9]+s" "$TS_TMP/$name.screen"; then
			ok "$(grep -m1 '^taskscope: a read' "$TS_TMP/$name.screen")"
		else
			fail "no message naming the read" "$TS_TMP/$name.screen"
		fi
	fi
	tmx kill-session -t "$name"
	hold_stop
}
quit_stuck quitq q 0
quit_stuck quitterm SIGTERM 143

# ---- batch mode and maps: they block like ps; SIGINT and SIGTERM end them ----------------------
have_default_signal=false
env --default-signal=INT true 2>/dev/null && have_default_signal=true

# batch NAME SIG WANT ARGS...: taskscope ARGS waits in D state on the stuck process; SIG ends it
batch() {
	local name=$1 sig=$2 want=$3 pid
	shift 3
	check "taskscope $* blocks on the stuck process; SIG$sig ends it ($want), nothing half-written"
	OUT=$TS_TMP/$name.out
	ERR=$TS_TMP/$name.err
	# a background job of a script starts with SIGINT ignored, and under nohup SIGHUP is
	# ignored too (then maps waited for the stuck read and failed): the defaults back
	if $have_default_signal; then
		env --default-signal=INT,HUP,TERM "$TASKSCOPE" "$@" >"$OUT" 2>"$ERR" </dev/null &
	else
		"$TASKSCOPE" "$@" >"$OUT" 2>"$ERR" </dev/null &
	fi
	pid=$!
	track "$pid"
	if ! poll_until 20 in_d "$pid"; then
		fail "taskscope $* is not waiting in D state" "$OUT" "$ERR"
		stop "$pid"
		return
	fi
	kill -"$sig" "$pid"
	if poll_until 10 gone "$pid"; then
		wait "$pid"
		RC=$?
		if [ "$RC" -eq "$want" ]; then ok "ended by SIG$sig: status $RC"; else fail "status $RC, expected $want" "$OUT" "$ERR"; fi
	else
		fail "SIG$sig did not end it within 10 s"
		stop "$pid"
	fi
	if [ -s "$OUT" ]; then fail "output written before the read returned" "$OUT"; else ok "no partial output"; fi
}

hold_start batch
batch tabterm TERM 143 -b -n 1 -o PID,CMD -p "$TARGET"
batch jsonterm TERM 143 -J -n 1 -o PID,PSS -p "$TARGET"
batch mapsterm TERM 143 maps "$TARGET"
if $have_default_signal; then
	batch tabint INT 130 -b -n 1 -o PID,CMD -p "$TARGET"
	batch mapsint INT 130 maps "$TARGET"
else
	say "env --default-signal is missing: SIGINT cases skipped"
fi
batch maphup HUP 129 maps "$TARGET"

check "a batch run that waits finishes normally when the read returns"
ts_bg released -b -n 1 -o PID,COMM,CMD -p "$TARGET"
poll_until 20 in_d "$TSPID" || fail "taskscope -b is not waiting in D state"
kill -USR1 "$HELPER"
ts_wait 20
if [ "$RC" -eq 0 ] && grep -Eq "^ *$TARGET +stuck-target " "$OUT"; then
	ok "exit 0: $(grep -E "^ *$TARGET " "$OUT")"
else
	fail "status $RC after the release" "$OUT" "$ERR"
fi
hold_stop

say "stuck periods held in all: $HELD_MS ms"
finish
