#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# recordshare.sh - kcmp groups in a recording and diff's sharing part: between two known
# samples a thread of the recorded job unshares its file table (FILES sharing broke) and the
# job clones a process that shares its file table (FILES sharing appeared); the recording of
# schema 1 kept in tests/fixtures (made by taskscope 0.1.0) still opens, and says its
# sharing was not recorded
# shellcheck disable=SC2154 # job_phase and sample_after set the variables named to them
. "$(dirname "$0")/lib.sh"

need_python
command -v sqlite3 >/dev/null || skip "the sqlite3 command line is not installed (apt-get install sqlite3)"
"$PY" -c 'import threading; threading.get_native_id' 2>/dev/null || skip "python3 before 3.8 (no thread native IDs)"
case $(uname -m) in
x86_64) sys_clone=56 ;;
aarch64) sys_clone=220 ;;
*) skip "no clone syscall number for $(uname -m) in this test" ;;
esac

d=$TS_TMP
cat >"$d/job.py" <<'PY'
import ctypes, os, signal, sys, threading
d, sys_clone = sys.argv[1], int(sys.argv[2])
libc = ctypes.CDLL(None, use_errno=True)
from tsjob import Phases, start_thread
wait_for, mark = Phases(d).wait_for, Phases(d).mark
go, done, stop = threading.Event(), threading.Event(), threading.Event()
ids = {}
def worker():
    go.wait()
    if libc.unshare(0x400):	# CLONE_FILES: a file table of its own
        ids["err"] = ctypes.get_errno()
    done.set()
    stop.wait()
t, tid = start_thread(worker)
mark("phase1", "%d %d" % (os.getpid(), tid))
wait_for("go")
go.set()
done.wait()
# a process that shares this file table (CLONE_FILES | SIGCHLD); it waits for its end
# without giving up the interpreter's lock (it is no fork Python knows of)
child = libc.syscall(sys_clone, 0x400 | 17, 0, 0, 0, 0)
if child == 0:
    ctypes.PyDLL(None).pause()
    ctypes.PyDLL(None)._exit(0)
mark("phase2", "%d %d" % (child, ids.get("err", 0)))
wait_for("end")
os.kill(child, signal.SIGKILL)
os.waitpid(child, 0)
stop.set()
t.join()
PY

db=$d/job.db
ts_bg record record -o "$db" -d 0.2 --memory-every 1 -- "$PY" "$d/job.py" "$d" "$sys_clone"

job_phase "$d/phase1" pid tid
sample_after t1 "$db" "$(date +%s.%N)" 2
touch "$d/go"
job_phase "$d/phase2" child err
[ "$err" = 0 ] || { touch "$d/end"; ts_wait 60; skip "unshare(CLONE_FILES) failed: errno $err"; }
sample_after t2 "$db" "$(date +%s.%N)" 2
touch "$d/end"
ts_wait 60
check "record -- the job: exit 0"
expect_rc 0 "record"

check "the sharing view: the thread $tid's FILES group is its own from a sample on"
q=$(sqlite3 -readonly "$db" "SELECT count(*) FROM sharing WHERE tid = $tid AND
	resource = 'FILES' AND grp_tid = $tid" 2>&1)
[ "$q" = 1 ] && ok "one row: FILES of $tid in a group of its own" || fail "sharing view: '$q'"

ts diff diff -J "$db@@$t1" "$db@@$t2"
check "diff -J: FILES sharing broke for thread $tid (from $pid), appeared for process $child (with $pid)"
expect_rc 0 "diff -J"
cat >"$d/cmp.py" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
pid, tid, child = (int(x) for x in sys.argv[2:5])
s = r["sharing"]
mine = [c for c in s if c["pid"] in (pid, child) or c["with_pid"] in (pid, child)]
want = [("FILES", "broke", tid, pid), ("FILES", "appeared", child, pid)]
got = sorted((c["resource"], c["change"], c["tid"], c["with_pid"]) for c in mine)
assert got == sorted(want), "sharing: %r" % mine
PY
"$PY" "$d/cmp.py" "$OUT" "$pid" "$tid" "$child" 2>"$d/cmp.err" && ok "as expected" ||
	fail "diff's sharing" "$d/cmp.err" "$OUT"

ts difft diff "$db@@$t1" "$db@@$t2"
check "diff's table: the two lines"
if grep -qE "^  FILES +broke +$tid +$pid " "$OUT" && grep -qE "^  FILES +appeared +$child +$child "  "$OUT"; then
	ok "both"
else
	fail "the table lacks them" "$OUT"
fi

# ---- a recording of schema 1 ----
v1=$(dirname "$0")/fixtures/recording/v1.db
[ -r "$v1" ] || v1=${top_srcdir:-.}/tests/fixtures/recording/v1.db
cp "$v1" "$d/v1.db"
ts v1replay replay -J "$d/v1.db"
check "a recording of schema 1 (taskscope 0.1.0) replays"
n=$(grep -c '"replay"' "$OUT")
[ "$RC" = 0 ] && [ "$n" = 4 ] && ok "4 samples" || fail "replay of schema 1: status $RC, $n samples" "$ERR"
ts v1diff diff -J "$d/v1.db@+0" "$d/v1.db"
check "diff over it: its sharing is said not recorded"
if [ "$RC" = 0 ] && "$PY" -c 'import json, sys; r = json.load(open(sys.argv[1]));
assert r["sharing"] == [] and r["sharing_recorded"] is False' "$OUT"; then
	ok "sharing_recorded: false"
else
	fail "diff of schema 1: status $RC" "$ERR" "$OUT"
fi
ts v1difft diff "$d/v1.db@+0" "$d/v1.db"
grep -q "not recorded (a recording of schema 1)" "$OUT" && ok "the table says so" ||
	fail "the table does not say so" "$OUT"
finish
