#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pidreuse.sh - `-p PID` follows the process the PID named at start: when it ends and a new
# program gets its PID, taskscope says so and does not follow the new one (table footnote,
# JSON "reused", a message line in the full-screen view, standard error when nothing is left).
# The PID is handed out again on purpose in a private PID namespace (ns_last_pid).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

need_root "unshare -p -f --mount-proc and ns_last_pid"
unshare -p -f --mount-proc -- true 2>"$TS_TMP/unshare.err" ||
	skip "unshare -p -f --mount-proc is not permitted here: $(head -n 1 "$TS_TMP/unshare.err")"
SLEEP=$(command -v sleep) || skip "no sleep(1)"

# Programs with names of their own (comm comes from the file name): the watched one, a second
# one that keeps the run going, and the one that gets the first one's PID.
u=$$
for n in a b r; do
	cp "$SLEEP" "$TS_TMP/$n$u" || die "cannot copy $SLEEP"
done
OLD=a$u KEEP=b$u NEW=r$u

# inner.sh DIR MODE ARGS...: PID 1 of the namespace. A controller starts OLD and KEEP, writes
# their PIDs to DIR/pids, and when DIR/go appears ends OLD and starts NEW right after setting
# ns_last_pid (builtins only in between: nothing else forks), writing NEW's PID to DIR/newpid.
# Meanwhile taskscope ARGS -p OLD[,KEEP] runs (MODE batch1: -p OLD alone; tui: on the terminal).
cat >"$TS_TMP/inner.sh" <<'EOF'
dir=$1 mode=$2
shift 2
cd "$dir" || exit 1
ctl() {
	"$dir/$OLD" 600 & a=$!
	"$dir/$KEEP" 600 & b=$!
	echo "$a $b" >pids.tmp && mv pids.tmp pids
	while [ ! -e go ]; do sleep 0.05; done
	kill "$a"
	wait "$a"
	echo $((a - 1)) >/proc/sys/kernel/ns_last_pid
	"$dir/$NEW" 600 & n=$!
	echo "$n" >newpid.tmp && mv newpid.tmp newpid
	wait
}
ctl &
while [ ! -s pids ]; do sleep 0.05; done
read -r a b <pids
case $mode in
batch1) "$TASKSCOPE" "$@" -p "$a" >ts.out 2>ts.err; echo $? >ts.rc.tmp ;;
batch) "$TASKSCOPE" "$@" -p "$a,$b" >ts.out 2>ts.err; echo $? >ts.rc.tmp ;;
tui) "$TASKSCOPE" "$@" -p "$a,$b"; echo $? >ts.rc.tmp ;;
esac
mv ts.rc.tmp ts.rc
EOF
export OLD KEEP NEW

# run_inner NAME MODE ARGS...: a namespace running inner.sh in $TS_TMP/NAME/ (in the
# background); sets DIR, A (OLD's PID), B (KEEP's), NSPID (unshare's)
run_inner() {
	local name=$1 mode=$2
	shift 2
	DIR=$TS_TMP/$name
	mkdir -p "$DIR"
	cp "$TS_TMP/$OLD" "$TS_TMP/$KEEP" "$TS_TMP/$NEW" "$DIR/"
	unshare -p -f --mount-proc --kill-child -- bash "$TS_TMP/inner.sh" "$DIR" "$mode" "$@" \
		>"$DIR/unshare.out" 2>&1 </dev/null &
	NSPID=$!
	track "$NSPID"
	poll_until 10 test -s "$DIR/pids" || die "the namespace did not start its processes" "$DIR/unshare.out"
	read -r A B <"$DIR/pids"
}

# reuse: end OLD and start NEW with its PID; 0 when NEW got it (else the reason in SKIPPED)
reuse() {
	touch "$DIR/go"
	if ! poll_until 10 test -s "$DIR/newpid"; then
		SKIPPED="the controller did not start the new process"
		return 1
	fi
	if [ "$(cat "$DIR/newpid")" != "$A" ]; then
		SKIPPED="the new process got PID $(cat "$DIR/newpid"), not $A (ns_last_pid not honoured)"
		return 1
	fi
}

# rows_of FILE PID COMM: table rows (PID COMM) of that PID and name
rows_of() { awk -v p="$2" -v c="$3" '$1 == p && $2 == c' "$1" | wc -l; }

# ---- table: the note, then no row of the new process ---------------------------------------------

# table_check NAME WHAT ARGS...: the table check with more taskscope ARGS
table_check() {
	local name=$1 what=$2
	shift 2
	check "-b -p OLD,KEEP$what: OLD's PID reused by NEW: a footnote names it, NEW never shows, KEEP stays"
	run_inner "$name" batch -b -d 0.2 -n 40 -o pid,comm "$@"
	poll_until 20 grep -q "^ *$A $OLD\$" "$DIR/ts.out" || die "taskscope never showed $OLD ($A)" "$DIR/ts.out" "$DIR/ts.err"
	if ! reuse; then
		say "$SKIPPED: not tested"
	else
		poll_until 60 test -s "$DIR/ts.rc" || die "taskscope -n 40 -d 0.2 did not end" "$DIR/ts.out"
		note="  - PID $A is now another process ("
		nnote=$(grep -cF -- "$note" "$DIR/ts.out")
		after=$(awk -v n="$note" 'index($0, n) == 1 { f = 1; next } f' "$DIR/ts.out")
		if [ "$(cat "$DIR/ts.rc")" != 0 ]; then
			fail "exit status $(cat "$DIR/ts.rc")" "$DIR/ts.err"
		elif [ "$(rows_of "$DIR/ts.out" "$A" "$NEW")" -ne 0 ]; then
			fail "the new process $NEW ($A) is shown: the PID was followed to another program" "$DIR/ts.out"
		elif [ "$nnote" -ne 1 ]; then
			fail "$nnote footnotes '$note...', expected 1" "$DIR/ts.out"
		elif [ "$(awk -v p="$A" '$1 == p' <<<"$after" | wc -l)" -ne 0 ]; then
			fail "PID $A has rows after the footnote" "$DIR/ts.out"
		elif [ "$(awk -v p="$B" -v c="$KEEP" '$1 == p && $2 == c' <<<"$after" | wc -l)" -lt 1 ]; then
			fail "$KEEP ($B) is not shown after the footnote" "$DIR/ts.out"
		else
			ok "$(grep -F -- "$note" "$DIR/ts.out"); $(rows_of "$DIR/ts.out" "$A" "$OLD") rows of $OLD before, none of $NEW"
		fi
	fi
	stop "$NSPID"
}
table_check table ""
# with -C each sample lists every process: the identity comes from that list, not a stat read
table_check tableC " -C <no such name>" -C "nosuch$u"

# ---- JSON: "reused" --------------------------------------------------------------------------------

need_python
check "-J -p OLD,KEEP: a document with \"reused\": [{\"pid\": OLD's PID, ...}], no task of NEW"
run_inner json batch -J -d 0.2 -n 40 -o pid,comm
poll_until 20 grep -q "\"comm\": \"$OLD\"" "$DIR/ts.out" || die "taskscope never showed $OLD ($A)" "$DIR/ts.out" "$DIR/ts.err"
if ! reuse; then
	say "$SKIPPED: not tested"
else
	poll_until 60 test -s "$DIR/ts.rc" || die "taskscope -J -n 40 -d 0.2 did not end" "$DIR/ts.out"
	if "$PY" - "$DIR/ts.out" "$A" "$NEW" "$B" >"$TS_TMP/json.py" 2>&1 <<'EOF'
import json, sys
from tsjson import docs as stream
a, new, b = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
docs = stream(sys.argv[1])
noted = [k for k, d in enumerate(docs) if any(r.get("pid") == a for r in d.get("reused", []))]
if len(noted) != 1:
    sys.exit("%d documents name PID %d as reused, expected 1" % (len(noted), a))
if any(t["comm"] == new for d in docs for t in d["tasks"]):
    sys.exit("a task of the new process %s is shown" % new)
if any(t["pid"] == a for d in docs[noted[0]:] for t in d["tasks"]):
    sys.exit("PID %d has rows from the document with the note on" % a)
if not all(any(t["pid"] == b for t in d["tasks"]) for d in docs):
    sys.exit("PID %d is not in every document" % b)
print("document %d of %d: \"reused\": %s" % (noted[0] + 1, len(docs), json.dumps(docs[noted[0]]["reused"])))
EOF
	then
		ok "$(cat "$TS_TMP/json.py")"
	else
		fail "$(cat "$TS_TMP/json.py")" "$DIR/ts.out"
	fi
fi
stop "$NSPID"

# ---- the only PID reused: taskscope ends and says why ----------------------------------------------

check "-b -p OLD alone: when its PID is reused taskscope ends (exit 0) with the note on stderr"
run_inner alone batch1 -b -d 0.2 -n 200 -o pid,comm
poll_until 20 grep -q "^ *$A $OLD\$" "$DIR/ts.out" || die "taskscope never showed $OLD ($A)" "$DIR/ts.out" "$DIR/ts.err"
if ! reuse; then
	say "$SKIPPED: not tested"
elif ! poll_until 20 test -s "$DIR/ts.rc"; then
	fail "taskscope still runs 20 s after its only process ended (-n 200)" "$DIR/ts.out"
elif [ "$(cat "$DIR/ts.rc")" != 0 ]; then
	fail "exit status $(cat "$DIR/ts.rc")" "$DIR/ts.err"
elif ! grep -q "^taskscope: PID $A is now another process (" "$DIR/ts.err"; then
	fail "no note on stderr" "$DIR/ts.err" "$DIR/ts.out"
elif [ "$(rows_of "$DIR/ts.out" "$A" "$NEW")" -ne 0 ]; then
	fail "the new process is shown" "$DIR/ts.out"
else
	ok "$(cat "$DIR/ts.err")"
fi
stop "$NSPID"

# ---- the full-screen view: a message line ------------------------------------------------------

if ! command -v tmux >/dev/null 2>&1; then
	say "tmux is not installed: the full-screen view is not tested"
	finish
fi
need tui
check "the full-screen view -p OLD,KEEP: a message line names the reused PID, NEW is never listed"
DIR=$TS_TMP/tui
mkdir -p "$DIR"
cp "$TS_TMP/$OLD" "$TS_TMP/$KEEP" "$TS_TMP/$NEW" "$DIR/"
{
	echo '#!/bin/sh'
	printf 'export OLD=%q KEEP=%q NEW=%q TASKSCOPE=%q\n' "$OLD" "$KEEP" "$NEW" "$TASKSCOPE"
	printf 'exec unshare -p -f --mount-proc --kill-child -- bash %q %q tui -d 0.2\n' "$TS_TMP/inner.sh" "$DIR"
} >"$TS_TMP/tuins.sh"
tmx_new reuse -x 160 -y 30 "TERM=screen exec sh '$TS_TMP/tuins.sh'" || die "cannot start a tmux session"
poll_until 10 test -s "$DIR/pids" || die "the namespace did not start its processes" "$DIR/unshare.out"
read -r A B <"$DIR/pids"
if ! wait_screen reuse 20 "$OLD"; then
	fail_screen reuse "the view never listed $OLD"
elif ! reuse; then
	say "$SKIPPED: not tested"
elif ! wait_screen reuse 20 "PID $A is now another process"; then
	fail_screen reuse "no message line about PID $A"
else
	keep reuse "$TS_TMP/tui.screen"
	# a few more refreshes, then the new process must still not be listed
	sleep 1
	keep reuse "$TS_TMP/tui2.screen"
	if cat "$TS_TMP/tui.screen" "$TS_TMP/tui2.screen" | grep -v "is now another process" | grep -q "$NEW"; then
		fail "the new process $NEW is listed" "$TS_TMP/tui.screen" "$TS_TMP/tui2.screen"
	elif ! grep -q "$KEEP" "$TS_TMP/tui2.screen"; then
		fail "$KEEP is no longer listed" "$TS_TMP/tui2.screen"
	else
		ok "$(grep -o "PID $A is now another process.*" "$TS_TMP/tui.screen" | head -n 1)"
	fi
fi
tmx send-keys -t reuse q
poll_until 10 test -s "$DIR/ts.rc" || say "the view did not quit on q"
finish
