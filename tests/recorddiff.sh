#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# recorddiff.sh - taskscope diff FILE@T1 FILE@T2 over a recorded job that, between the two
# moments, writes 48M more, ends a thread and starts another, starts a child process and pins
# its main thread: each change is in the report (JSON, and the table)
# shellcheck disable=SC2154 # job_phase and sample_after set the variables named to them
. "$(dirname "$0")/lib.sh"

need_python
command -v sqlite3 >/dev/null || skip "the sqlite3 command line is not installed (apt-get install sqlite3)"
"$PY" -c 'import threading; threading.get_native_id' 2>/dev/null || skip "python3 before 3.8 (no thread native IDs)"
ncpu=$(nproc)

d=$TS_TMP
cat >"$d/job.py" <<'PY'
import os, subprocess, sys, threading, time
d = sys.argv[1]
from tsjob import Phases, start_thread
wait_for, mark = Phases(d).wait_for, Phases(d).mark
stop1 = threading.Event()
t1, tid1 = start_thread(stop1.wait)
small = bytearray(1 << 20)
mark("phase1", "%f %d %d" % (time.time(), os.getpid(), tid1))
wait_for("go")
big = bytearray(48 << 20)
for i in range(0, len(big), 4096):
    big[i] = 1
stop1.set()
t1.join()
stop2 = threading.Event()
t2, tid2 = start_thread(stop2.wait)
child = subprocess.Popen(["sleep", "60"])
if len(sys.argv) > 2:
    os.sched_setaffinity(0, {0})
mark("phase2", "%f %d %d" % (time.time(), tid2, child.pid))
wait_for("end")
child.kill()
child.wait()
stop2.set()
t2.join()
PY

db=$d/job.db
pin=
[ "$ncpu" -ge 2 ] && pin=pin
ts_bg record record -o "$db" -d 0.2 --memory-every 1 -- "$PY" "$d/job.py" "$d" $pin

# the samples after each phase's mark (the second after phase 2: its processes)
job_phase "$d/phase1" m1 pid tid1
sample_after t1 "$db" "$m1"
touch "$d/go"
job_phase "$d/phase2" m2 tid2 child
sample_after t2 "$db" "$m2" 2
touch "$d/end"
ts_wait 60
check "record -- the job: exit 0"
expect_rc 0 "record"

ts diff diff -J "$db@@$t1" "$db@@$t2"
check "diff -J FILE@T1 FILE@T2: exit 0"
expect_rc 0 "diff -J"
check "the job grew by 40M at least (48M written) and leads the PSS growers; T1's thread is gone, T2's appeared, the child process appeared${pin:+, the affinity of the main thread went from 0-$((ncpu - 1)) to 0}"
cat >"$d/cmp.py" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
pid, tid1, tid2, child = (int(x) for x in sys.argv[2:6])
pin, last = sys.argv[6], sys.argv[7]
g = r["growers"]
assert g and g[0]["pid"] == pid, "growers: %r" % g[:2]
# 48M written; the ended thread's stack and the child's fork may move a few M either way
assert g[0]["pss_growth"] >= 40 << 20 and g[0]["uss_growth"] >= 40 << 20 \
    and g[0]["rss_growth"] >= 40 << 20, "growth: %r" % g[0]
assert [t["tid"] for t in r["threads_gone"] if t["pid"] == pid] == [tid1], r["threads_gone"]
assert [t["tid"] for t in r["threads_appeared"] if t["pid"] == pid] == [tid2], r["threads_appeared"]
assert any(p["pid"] == child and p["comm"] == "sleep" for p in r["processes_appeared"]), \
    r["processes_appeared"]
assert not any(p["pid"] == pid for p in r["processes_appeared"] + r["processes_gone"])
if pin:
    m = [t for t in r["placement"] if t["tid"] == pid]
    assert m and m[0]["affinity_before"] == "0-" + last and m[0]["affinity_after"] == "0", m
print("growth %d bytes; threads %d gone, %d appeared; child %d" %
      (g[0]["pss_growth"], tid1, tid2, child))
PY
if "$PY" "$d/cmp.py" "$OUT" "$pid" "$tid1" "$tid2" "$child" "$pin" "$((ncpu - 1))" >"$d/cmp.txt" 2>&1; then
	ok "$(cat "$d/cmp.txt")"
else
	fail "the diff misses a change" "$d/cmp.txt" "$OUT"
fi

ts diff-table diff "$db@@$t1" "$db@@$t2"
check "the table: the same changes under their headings"
if [ "$RC" = 0 ] && grep -q "^Processes that appeared" "$OUT" &&
   awk -v p="$pid" '/^Footprint growth/ { getline; getline; f = ($1 == p) } END { exit !f }' "$OUT" &&
   grep -Eq "^ +$tid2 +$pid " "$OUT" && grep -Eq "^ +$tid1 +$pid " "$OUT"; then
	ok "growers led by $pid, threads $tid1 and $tid2 listed"
else
	fail "the table misses a change" "$OUT" "$ERR"
fi

ts diff-bad diff "$db@nonsense" "$db"
check "a time that is no time: a usage error naming it"
[ "$RC" = 2 ] && grep -q "invalid time after '@'" "$ERR" && ok "$(cat "$ERR")" || fail "status $RC" "$ERR"

finish
