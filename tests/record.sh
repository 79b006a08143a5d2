#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# record.sh - taskscope record and replay: replay's JSON of each sample is the JSON the
# recorder's own batch sink printed live for it; the schema, the views, a job's status, the
# files record refuses, a newer schema
. "$(dirname "$0")/lib.sh"

need_python
command -v sqlite3 >/dev/null || skip "the sqlite3 command line is not installed (apt-get install sqlite3)"

name=rec$TS_RUN
start_workload --threads 3 --spin --mem 4M --name "$name"

# ---- record with the live JSON beside it, replay, compare ----
db=$TS_TMP/a.db
ts record record -o "$db" -d 0.3 -n 6 --memory-every 2 --json-copy "$TS_TMP/live.json" -p "$WL_PID"
check "record -p PID -n 6 --json-copy: exits 0 and says how many samples it kept"
expect_rc 0 "record" && grep -q "6 samples in '$db'" "$ERR" && ok "it says 6 samples" ||
	fail "no '6 samples' line" "$ERR"

ts replay replay -J -H "$db"
check "replay -J -H exits 0"
expect_rc 0 "replay -J -H"

check "each sample's replay JSON is the live JSON of that sample, apart from the replay key"
if "$PY" - "$TS_TMP/live.json" "$OUT" "$WL_PID" "$db" >"$TS_TMP/cmp.txt" 2>&1 <<'EOF'
import json, sys
from tsjson import docs
live, rep = docs(sys.argv[1]), docs(sys.argv[2])
pid = int(sys.argv[3])
assert len(live) == 6, "live: %d documents" % len(live)
assert len(rep) == len(live), "replay: %d documents, live %d" % (len(rep), len(live))
for n, (a, b) in enumerate(zip(live, rep), 1):
    assert "replay" not in a, "the live JSON has a replay key"
    r = b.pop("replay", None)
    assert r and r["file"] == sys.argv[4], "sample %d: replay key %r" % (n, r)
    tids = [t["tid"] for t in a["tasks"] if t["pid"] == pid]
    assert len(tids) == 4, "sample %d: %d rows of the workload" % (n, len(tids))
    if a != b:
        for k in a:
            if a[k] != b.get(k):
                print("sample %d key %s differs:\nlive   %s\nreplay %s" % (n, k, a[k], b.get(k)))
        sys.exit(1)
# the interval columns are there from the second sample on, and they are not all zero
assert any(t["pcpu"] for d in live[1:] for t in d["tasks"]), "no PCPU in the live JSON"
print("%d samples equal" % len(live))
EOF
then
	ok "$(cat "$TS_TMP/cmp.txt")"
else
	fail "replay's JSON is not the live JSON" "$TS_TMP/cmp.txt"
fi

ts replay-proc replay "$db"
check "replay (process rows): a table per sample with the workload's process, its 4 threads summed"
expect_rc 0 "replay"
if [ "$(grep -c "^taskscope .*replay of '$db'" "$OUT")" = 6 ] &&
   awk -v p="$WL_PID" '$1 == p && $6 == 4 { f = 1 } END { exit !f }' "$OUT"; then
	ok "6 tables, PID $WL_PID with NLWP 4"
else
	fail "not 6 replay tables with the workload's row" "$OUT" "$ERR"
fi

ts replay-range replay -J -H --from +0.0001 "$db"
check "replay --from after the first sample: 5 samples"
[ "$RC" = 0 ] && [ "$(grep -c '"replay":' "$OUT")" = 5 ] && ok "5 documents" ||
	fail "--from did not leave 5 samples" "$OUT" "$ERR"

# ---- the file itself ----
check "the file passes PRAGMA integrity_check, holds 6 samples, the memory ones 1,3,5"
q=$(sqlite3 "$db" "PRAGMA integrity_check; SELECT count(*) FROM samples;
	SELECT group_concat(seq) FROM (SELECT seq FROM samples WHERE memory = 1 ORDER BY seq);
	SELECT value FROM meta WHERE key = 'schema'; PRAGMA journal_mode;" 2>&1)
want=$'ok\n6\n1,3,5\n4.0\ndelete'
[ "$q" = "$want" ] && ok "$(echo $q)" || fail "sqlite3 says: $(echo $q), want $(echo $want)"

check "the views: the workload's 4 tasks by name, its footprint, its CPU changes"
q=$(sqlite3 "$db" "SELECT count(*) FROM tasks WHERE comm = '$name';
	SELECT count(*) > 0 FROM memory WHERE pid = $WL_PID AND pss > 0 AND uss > 0;
	SELECT count(DISTINCT seq) > 1 FROM changes WHERE pid = $WL_PID;" 2>&1)
[ "$q" = $'4\n1\n1' ] && ok "$(echo $q)" || fail "views say: $(echo $q)"

check "a sleeping task's values are stored once, not every sample (compact)"
q=$(sqlite3 "$db" "SELECT count(*) FROM run r JOIN task t ON t.id = r.task
	WHERE t.tid = $WL_PID; SELECT count(*) FROM val v JOIN task t ON t.id = v.task
	WHERE t.tid = $WL_PID" 2>&1)
[ "$q" = $'1\n1' ] && ok "the workload's main thread (it sleeps): 1 row of each" ||
	fail "the main thread has these run and val rows: $q"

check "schema 4: the spinning threads' times are work rows, each beside its run row; the changes view sums both as replay shows them"
hz=$(sqlite3 "$db" "SELECT value FROM meta WHERE key = 'hertz'" 2>&1)
q=$(sqlite3 "$db" "SELECT count(*) > 0 FROM work k JOIN task t ON t.id = k.task
	WHERE t.pid = $WL_PID AND t.tid != $WL_PID AND k.seq > 1;
	SELECT count(*) FROM work k WHERE NOT EXISTS (SELECT 1 FROM run u
	WHERE u.seq = k.seq AND u.task = k.task)" 2>&1)
# each workload thread's last changes row: its totals at the last sample
sqlite3 -separator ' ' "$db" "SELECT c.tid, c.cpu_ticks, c.migrations, c.state FROM changes c
	WHERE c.pid = $WL_PID AND c.seq = (SELECT max(seq) FROM changes d WHERE d.task = c.task)
	ORDER BY c.tid" >"$TS_TMP/view.txt" 2>&1
# ... and replay's TIME (M:SS.cc in ticks), MIGR_TOTAL and STATE at the last sample
"$TASKSCOPE" replay -r -H -o PID,TID,TIME,MIGR_TOTAL,STATE "$db" 2>&1 |
	awk -v p="$WL_PID" -v hz="$hz" '$1 == "PID" { n = 0; delete row; next }
		$1 == p { split($3, t, ":"); row[n++] = sprintf("%s %.0f %s %s", $2,
			(t[1] * 60 + t[2]) * hz, $4, $5) }
		END { for (i = 0; i < n; i++) print row[i] }' | sort -n >"$TS_TMP/replay.txt"
if [ "$q" = $'1\n0' ] && [ "$(wc -l <"$TS_TMP/view.txt")" = 4 ] &&
   cmp -s "$TS_TMP/view.txt" "$TS_TMP/replay.txt"; then
	ok "work rows of the spinning threads, none alone; 4 threads' totals as replay shows them"
else
	fail "work rows: $(echo $q); the view and replay differ" "$TS_TMP/view.txt" \
		"$TS_TMP/replay.txt"
fi

# ---- a job ----
ts job record -o "$TS_TMP/job.db" -d 0.1 -- sh -c 'sleep 0.5; exit 7'
check "record -- CMD exits with the job's status and recorded it"
expect_rc 7 "record -- sh -c 'sleep 0.5; exit 7'"
q=$(sqlite3 "$TS_TMP/job.db" "SELECT count(*) > 0 FROM tasks WHERE comm = 'sleep';
	SELECT value FROM meta WHERE key = 'command'" 2>&1)
[ "$q" = $'1\nsh -c sleep 0.5; exit 7' ] && ok "sleep recorded, the command in meta" ||
	fail "job.db: $(echo $q)"

# ---- files it refuses ----
echo keep >"$TS_TMP/victim"
ln -s "$TS_TMP/victim" "$TS_TMP/link.db"
ts link record -o "$TS_TMP/link.db" -n 1 -p "$WL_PID"
check "a symbolic link is refused and its target untouched"
[ "$RC" = 1 ] && grep -q "cannot create the recording.*exists" "$ERR" &&
	[ "$(cat "$TS_TMP/victim")" = keep ] && ok "refused: $(cat "$ERR")" ||
	fail "record through a symlink: status $RC" "$ERR"

ts exists record -o "$db" -n 1 -p "$WL_PID"
check "an existing recording is not overwritten"
[ "$RC" = 1 ] && grep -q "exists" "$ERR" &&
	[ "$(sqlite3 "$db" 'SELECT count(*) FROM samples')" = 6 ] && ok "refused" ||
	fail "record over an existing file: status $RC" "$ERR"

touch "$TS_TMP/side.db-wal"
ts side record -o "$TS_TMP/side.db" -n 1 -p "$WL_PID"
check "a leftover -wal beside the name is refused"
[ "$RC" = 1 ] && grep -q "wal" "$ERR" && ok "refused" || fail "status $RC" "$ERR"

# ---- files replay refuses ----
cp "$db" "$TS_TMP/newer.db"
sqlite3 "$TS_TMP/newer.db" "UPDATE meta SET value = 99 WHERE key = 'schema'"
ts newer replay -J "$TS_TMP/newer.db"
check "a recording of a newer schema: a clear error"
[ "$RC" = 1 ] && grep -q "newer taskscope (recording schema 99" "$ERR" && ok "$(cat "$ERR")" ||
	fail "newer schema: status $RC" "$ERR" "$OUT"

printf 'not a database at all, just text\n%.0s' $(seq 200) >"$TS_TMP/text.db"
ts text replay "$TS_TMP/text.db"
check "a file that is no database: a clear error"
[ "$RC" = 1 ] && grep -q "cannot read the recording.*not a database" "$ERR" && ok "$(cat "$ERR")" ||
	fail "text file: status $RC" "$ERR"

sqlite3 "$TS_TMP/other.db" "CREATE TABLE t(x)"
ts other replay "$TS_TMP/other.db"
check "another program's database: 'not a taskscope recording'"
[ "$RC" = 1 ] && grep -q "not a taskscope recording" "$ERR" && ok "$(cat "$ERR")" ||
	fail "other database: status $RC" "$ERR"

if [ "$(sqlite3 "$db" 'SELECT count(*) FROM cpus')" -gt 0 ]; then
	ts node replay -o pid,node,core "$db"
	check "NODE and CORE from the recorded topology, which is this machine's"
	expect_rc 0 "replay -o pid,node,core"
	cp "$db" "$TS_TMP/topo.db"
	sqlite3 "$TS_TMP/topo.db" "UPDATE cpus SET node = node + 7 WHERE cpu = 0"
	ts topo replay -o pid,node "$TS_TMP/topo.db"
	check "another machine's topology: NODE refused, clearly"
	[ "$RC" = 1 ] && grep -q "topology is not this machine's" "$ERR" && ok "$(cat "$ERR")" ||
		fail "topology: status $RC" "$ERR" "$OUT"
else
	say "no topology recorded (hwloc cannot read it here): NODE not checked"
fi

ts dir replay "$TS_TMP"
check "a directory: 'it is a directory'"
[ "$RC" = 1 ] && grep -q "cannot read the recording.*: it is a directory" "$ERR" && ok "$(cat "$ERR")" ||
	fail "directory: status $RC" "$ERR"

# ---- the default name ----
mkdir "$TS_TMP/here"
(cd "$TS_TMP/here" && "$TASKSCOPE" record -n 1 -p "$WL_PID" >/dev/null 2>&1)
check "without -o: taskscope-HOST-YYYYMMDD-HHMMSS.db in the current directory"
f=$(ls "$TS_TMP/here")
[[ $f =~ ^taskscope-[A-Za-z0-9.-]+-[0-9]{8}-[0-9]{6}\.db$ ]] && ok "$f" || fail "files there: '$f'"

finish
