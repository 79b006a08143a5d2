#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sharerec.sh - taskscope share FILE[@TIME] on a recording (taskscope record -- CMD) of a job
# that, between two known moments, starts a thread and forks a child: at the first moment no
# task of the job shares with another; at the second, the main thread and the new thread
# share their address space (and file table, fs, signal handlers) and the child shares none;
# the page frames are said not recorded; a schema-1 recording has no groups: exit 1.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

need_python
command -v sqlite3 >/dev/null || skip "the sqlite3 command line is not installed (apt-get install sqlite3)"
"$PY" -c 'import threading; threading.get_native_id' 2>/dev/null || skip "python3 before 3.8 (no thread native IDs)"

d=$TS_TMP
cat >"$d/job.py" <<'PY'
import os, sys, threading, time
d = sys.argv[1]
from tsjob import Phases
wait_for, mark = Phases(d).wait_for, Phases(d).mark
mark("phase1", "%f %d" % (time.time(), os.getpid()))
wait_for("go")
ids = {}
def worker():
    ids["w"] = threading.get_native_id()
    wait_for("end")
t = threading.Thread(target=worker)
t.start()
while "w" not in ids:
    time.sleep(0.01)
child = os.fork()
if child == 0:
    wait_for("end")
    os._exit(0)
mark("phase2", "%f %d %d" % (time.time(), ids["w"], child))
wait_for("end")
t.join()
os.waitpid(child, 0)
PY

db=$d/job$TS_RUN.db
ts_bg record record -o "$db" -d 0.1 --memory-every 1 -- "$PY" "$d/job.py" "$d"

# the time (+1 ms) of the Nth sample after a marker's time: a task started before the
# marker is in the second sample after it
after() {
	sqlite3 -readonly "$db" "SELECT printf('%.6f', time + 0.001) FROM samples
		WHERE time > $1 ORDER BY time LIMIT 1 OFFSET $((${2:-1} - 1))" 2>/dev/null |
		grep -E '^[0-9]'
}
poll_until 30 test -e "$d/phase1" || die "the job did not reach phase 1" "$ERR"
read -r m1 pid <"$d/phase1"
poll_until 60 after "$m1" 2 >/dev/null || die "no samples after phase 1" "$ERR"
t1=$(after "$m1" 2)
touch "$d/go"
poll_until 30 test -e "$d/phase2" || die "the job did not reach phase 2" "$ERR"
read -r m2 tid child <"$d/phase2"
poll_until 60 after "$m2" 2 >/dev/null || die "no samples after phase 2" "$ERR"
t2=$(after "$m2" 2)
touch "$d/end"
ts_wait 60
check "record -- the job"
expect_rc 0 "record" || finish

# groups FILE: "RES:PID/TID,PID/TID ..." per group of the JSON, one a line
groups() {
	"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["page_frames_recorded"] is False
for g in d["groups"]:
    print("%s:%s" % (g["resource"], ",".join("%d/%d" % (t["pid"], t["tid"]) for t in g["tasks"])))' "$1"
}

ts at1 share -J "$db@@$t1"
check "share -J FILE@T1 (phase 1): no task of the job shares with another"
expect_rc 0 "share FILE@T1"
g1=$(groups "$OUT") || fail "not the JSON of share FILE" "$OUT"
if ! grep -qE "(:|,)($pid|$child)/" <<<"$g1"; then ok "none: '$(tr '\n' ' ' <<<"$g1")'"; else fail "groups of the job at phase 1: $g1"; fi

ts at2 share -J "$db@@$t2"
check "share -J FILE@T2 (phase 2): the main thread and thread $tid in one group per resource, the child $child in none"
expect_rc 0 "share FILE@T2"
g2=$(groups "$OUT") || fail "not the JSON of share FILE" "$OUT"
for res in VM FILES FS SIGHAND; do
	if grep -qx "$res:$pid/$pid,$pid/$tid" <<<"$g2"; then ok "$res: $pid/$pid,$pid/$tid"; else fail "$res: no group of $pid and $tid in '$(tr '\n' ' ' <<<"$g2")'"; fi
done
if grep -qE "(:|,)$child/" <<<"$g2"; then fail "the child $child is in a group: $g2"; else ok "the child in none"; fi

ts text share "$db@@$t2"
check "the text report: the page frames said not recorded, the VM row"
expect_rc 0 "share FILE@T2"
grep -q "^page frames (which pages each process maps): not recorded" "$OUT" && ok "page frames: not recorded" || fail "not said" "$OUT"
grep -qE "^VM +2 +1  PID $pid [^:]+: $pid,$tid\$" "$OUT" && ok "VM row" || fail "no VM row of $pid: $pid,$tid" "$OUT"

v1=$(dirname "$0")/fixtures/recording/v1.db
[ -r "$v1" ] || v1=${top_srcdir:-.}/tests/fixtures/recording/v1.db
cp "$v1" "$d/v1.db"
ts v1 share "$d/v1.db"
check "a recording of schema 1: no groups to show, exit 1"
if [ "$RC" = 1 ] && grep -q "is of schema 1: it holds no kcmp groups" "$ERR"; then ok "$(cat "$ERR")"; else fail "exit $RC" "$ERR" "$OUT"; fi

check "bad input: a bad time, live options with a recording (exit 2)"
for args in "$db@bogus" "-p 1 $db" "--after 1 $db"; do
	# shellcheck disable=SC2086
	ts usage share $args
	if [ "$RC" = 2 ] && grep -q '^taskscope: share: ' "$ERR"; then ok "share $args: '$(head -n1 "$ERR")'"; else fail "share $args: exit $RC" "$ERR"; fi
done
finish
