#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# recordsafe.sh - a recording is read while it is written (sqlite3 and replay), and a
# kill -9 of the recorder loses no committed sample: the file passes PRAGMA integrity_check
# and replays
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null || skip "the sqlite3 command line is not installed (apt-get install sqlite3)"

start_workload --threads 2 --spin --name "safe$TS_RUN"
db=$TS_TMP/live.db
ts_bg record record -o "$db" -d 0.1 --memory-every 3 -p "$WL_PID"
REC=$TSPID

# -readonly: a read before record created the file must not create it
samples() { sqlite3 -readonly "$db" 'SELECT count(*) FROM samples' 2>/dev/null; }
at_least() { local n; n=$(samples); [ -n "$n" ] && [ "$n" -ge "$1" ]; }

check "sqlite3 reads the recording while it is written, and sees it grow"
if poll_until 30 at_least 3; then
	a=$(samples)
	if poll_until 30 at_least $((a + 2)); then
		ok "$a samples, then $(samples)"
	else
		fail "the count stayed at $a" "$ERR"
	fi
else
	fail "no 3 samples readable within $((30 * TS_SLOW)) s (now '$(samples)')" "$ERR"
fi

check "taskscope replay reads it while it is written"
ts replay-live replay -J -H "$db"
n=$(grep -c '"replay":' "$OUT")
[ "$RC" = 0 ] && [ "$n" -ge 3 ] && ok "$n samples replayed" || fail "replay: status $RC, $n documents" "$OUT" "$ERR"

# kill -9 right after a read: every sample seen committed then must be there after
before=$(samples)
kill -KILL "$REC"
wait "$REC" 2>/dev/null
after=$(samples)
check "after kill -9: every sample committed before it is there ($before seen before the kill)"
[ -n "$after" ] && [ "$after" -ge "$before" ] && ok "$after samples" ||
	fail "$after samples after the kill, $before before"

check "after kill -9: PRAGMA integrity_check says ok"
q=$(sqlite3 "$db" 'PRAGMA integrity_check' 2>&1)
[ "$q" = ok ] && ok "ok" || fail "integrity_check: $q"

check "after kill -9: replay gives each sample, the workload's tasks in the last one"
ts replay-after replay -J -H "$db"
if [ "$RC" = 0 ] && [ "$(grep -c '"replay":' "$OUT")" = "$after" ] &&
   "$PY" -c '
import json, sys
dec, s, i, last = json.JSONDecoder(), open(sys.argv[1]).read(), 0, None
while True:
    while i < len(s) and s[i].isspace():
        i += 1
    if i >= len(s):
        break
    last, i = dec.raw_decode(s, i)
sys.exit(0 if sum(t["pid"] == int(sys.argv[2]) for t in last["tasks"]) == 3 else 1)
' "$OUT" "$WL_PID"; then
	ok "$after samples, the last with the workload's 3 threads"
else
	fail "replay after the kill: status $RC" "$OUT" "$ERR"
fi

# SIGINT: a clean end (the WAL checkpointed into the file, every task's end written)
db=$TS_TMP/int.db
ts_bg record-int record -o "$db" -d 0.1 -p "$WL_PID"
poll_until 30 at_least 2 || fail "no 2 samples in $db" "$ERR"
kill -INT "$TSPID"
ts_wait 30
check "record ends cleanly on SIGINT: exit 0, one file, every task's last sample written"
q=$(sqlite3 "$db" "PRAGMA journal_mode; SELECT count(*) FROM task WHERE last_seq IS NULL" 2>&1)
[ "$RC" = 0 ] && [ "$q" = $'delete\n0' ] && [ ! -e "$db-wal" ] && ok "status 0, $(echo $q)" ||
	fail "status $RC, the file says $(echo $q)" "$ERR"


# stopped_starts NAME N STEP -- ARG...: N starts of `taskscope record -o FILE ARG...`, start i
# sent SIGTERM i x STEP microseconds in; sets files (the files left), bad (those replay
# refuses) and before (the starts that said no job was started)
stopped_starts() {
	local name=$1 n=$2 step=$3 i sdb p
	shift 4
	bad=0 files=0 before=0
	for ((i = 0; i < n; i++)); do
		sdb=$TS_TMP/$name$i.db
		"$TASKSCOPE" record -o "$sdb" "$@" >/dev/null 2>"$TS_TMP/$name$i.err" &
		p=$!
		sleep "$(printf '0.%06d' $((i * step)))"
		kill -TERM "$p" 2>/dev/null
		wait "$p"
		grep -q 'before the job started' "$TS_TMP/$name$i.err" && before=$((before + 1))
		[ -e "$sdb" ] || continue
		files=$((files + 1))
		if ! "$TASKSCOPE" replay "$sdb" >"$TS_TMP/$name$i.out" 2>&1; then
			bad=$((bad + 1))
			say "after $((i * step)) us: $(head -n 1 "$TS_TMP/$name$i.out")"
		fi
	done
}

check "a stop signal at any moment of the start: no file, or a recording replay reads"
# SIGTERM 0-29 ms after the start, across the making of the file: before the fix a signal
# while the file was made killed record and left a file without its tables ("damaged")
stopped_starts start 30 1000 -- -d 0.2 -n 1000 -p "$WL_PID"
[ "$bad" = 0 ] && ok "30 starts stopped: $files files, each one replays" ||
	fail "$bad of $files files left by a stopped start do not replay"

check "with a job: a stop signal at any moment of the start leaves no file, or one replay reads"
# the same with a job, every 0.5 ms over the first 30: the file is made before the job
# starts, and a signal then killed record (the job's forwarding starts with the job); now
# no job is started after it, and the recording ends with no sample
stopped_starts job 60 500 -- -d 0.2 -- sleep 5
[ "$bad" = 0 ] && ok "60 starts stopped: $files files ($before stopped before the job), each one replays" ||
	fail "$bad of $files files left by a stopped start with a job do not replay"

finish
