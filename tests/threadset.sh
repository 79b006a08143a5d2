#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# threadset.sh - the thread view lists a process's task directory again only when its threads
# may have changed (its main thread counts another number, or one of them no longer reads),
# and shows every change: threads added, ended, and swapped for as many others.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need_python
need_cmd strace "to count the task directory's listings"

NAME=tset$$
FIFO=$TS_TMP/cmd.fifo
STATUS=$TS_TMP/status
mkfifo "$FIFO" || die "cannot make a FIFO in $TS_TMP"
: >"$STATUS"
start_ready threadset python3 "$TS_LIBDIR/threadset.py" "$NAME" "$FIFO" "$STATUS" 6
WL=${READY#pid=}
SEQ=0

# order WORDS: give the process a command, wait until it says it is done; TIDS gets its
# tasks (sorted, one line)
order() {
	SEQ=$((SEQ + 1))
	echo "$*" >"$FIFO"
	poll_until 30 grep -q "^done $SEQ " "$STATUS" ||
		die "the process did not do '$*'" "$STATUS" "$TS_TMP/threadset.ready"
	TIDS=$(sed -n "s/^done $SEQ tids=//p" "$STATUS" | tr , ' ')
}

samples() { grep -c "$HDR" "$1"; }
# at_least FILE N: FILE has N samples or more
at_least() { [ "$(samples "$1")" -ge "$2" ]; }

# table N FILE: the TIDs of the Nth sample's table, sorted, one line
table() {
	awk -v n="$1" -v hdr="$HDR" '$0 ~ hdr { k++; getline; next }
		k == n && /^ *[0-9]/ { print $1 }' "$2" | sort -n | tr '\n' ' ' | sed 's/ $//'
}

# after FILE: wait for two more samples of FILE than now, and give the TIDs of the second
# (taken after the first was written, so after anything done before this call)
after() {
	local n
	n=$(samples "$1")
	poll_until 60 at_least "$1" $((n + 3)) ||
		die "taskscope wrote no new samples" "$1" "$ERR"
	table $((n + 2)) "$1"
}

check "every change of the threads shows in the next samples"
ts_bg watch -b -H -d 0.05 -n 1000000 -p "$WL" -o tid
watch=$OUT
order add 0
for step in "add 3" "end 2" "swap 1" "swap 4" "end 4" "add 1" "swap 2"; do
	order $step
	got=$(after "$watch")
	if [ "$got" = "$TIDS" ]; then
		ok "$step: $(echo "$got" | wc -w) threads, the process's own"
	else
		fail "$step: taskscope shows [$got], the process has [$TIDS]" "$ERR"
	fi
done
stop "$TSPID"

check "the task directory is listed again only after a change"
out_err traced
strace -f -qq -e trace=openat,open -o "$TS_TMP/strace" \
	"$TASKSCOPE" -b -H -d 0.05 -n 1000000 -p "$WL" -o tid >"$OUT" 2>"$ERR" </dev/null &
tracer=$!
track "$tracer"
poll_until 60 at_least "$OUT" 12 || die "no 12 samples under strace" "$ERR"
listed() { grep -c "\"$WL/task\", .*O_DIRECTORY" "$TS_TMP/strace"; }
before=$(listed)
n=$(samples "$OUT")
if [ "$before" -ge 1 ] && [ "$before" -le 2 ]; then
	ok "$n samples, $before listing(s) of /proc/$WL/task"
else
	fail "$n samples listed /proc/$WL/task $before times (want 1 or 2: the first samples only)" \
		"$TS_TMP/strace"
fi
order swap 1
got=$(after "$OUT")
n=$(samples "$OUT")
poll_until 60 at_least "$OUT" $((n + 5)) || die "no new samples" "$ERR"
again=$(listed)
if [ "$got" = "$TIDS" ] && [ "$again" -gt "$before" ] && [ "$again" -le $((before + 2)) ]; then
	ok "after a swap: listed again ($before -> $again listings), the new threads shown"
else
	fail "after a swap: [$got] shown for [$TIDS]; listings $before -> $again (want 1 or 2 more)" \
		"$TS_TMP/strace"
fi
stop "$tracer"
echo quit >"$FIFO"
finish
