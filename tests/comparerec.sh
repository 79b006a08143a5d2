#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# comparerec.sh - taskscope compare A.db B.db: two recorded jobs (taskscope record -- CMD),
# one with 3 worker threads and one with 3 worker processes forked after the parent wrote
# 32M: processes, threads and address spaces as the jobs made them, the memory sums (the
# processes' naive RSS counts the 32M in each, PSS divides it), peak and last with their
# times, B/A from the sides; the table says what is not recorded; --from narrows both; a
# schema-1 recording says its kcmp groups are not recorded; bad input exits 2 or 1.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

need_python
command -v sqlite3 >/dev/null || skip "the sqlite3 command line is not installed (apt-get install sqlite3)"

d=$TS_TMP
cat >"$d/job.py" <<'PY'
import os, sys, threading, time
d, mode = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.environ.get("TSJOB_DIR", "."))
from tsjob import Phases
ph = Phases(d)
big = bytearray(32 << 20)
for i in range(0, len(big), 4096):
    big[i] = 1
if mode == "threads":
    ts = [threading.Thread(target=ph.wait_for, args=("end",)) for _ in range(3)]
    for t in ts:
        t.start()
    ph.mark("ready-" + mode, "%f" % time.time())
    for t in ts:
        t.join()
else:
    kids = []
    for _ in range(3):
        pid = os.fork()
        if pid == 0:
            ph.wait_for("end")
            os._exit(0)
        kids.append(pid)
    ph.mark("ready-" + mode, "%f" % time.time())
    for pid in kids:
        os.waitpid(pid, 0)
PY

# samples_after DB TIME N: the recording has N samples after TIME
samples_after() {
	local got
	got=$(sqlite3 -readonly "$1" "SELECT count(*) FROM samples WHERE time > $2" 2>/dev/null)
	[ -n "$got" ] && [ "$got" -ge "$3" ]
}

# record_job MODE: record the job until two samples after it is ready, then end it
record_job() {
	local mode=$1 db=$d/$1.db m
	rm -f "$d/end"
	ts_bg "rec-$mode" record -o "$db" -d 0.1 --memory-every 1 -- "$PY" "$d/job.py" "$d" "$mode"
	poll_until 60 test -e "$d/ready-$mode" || die "the $mode job did not get ready" "$ERR"
	read -r m <"$d/ready-$mode"
	poll_until 60 samples_after "$db" "$m" 3 ||
		die "no 3 samples after the $mode job was ready" "$ERR"
	date +%s.%N >"$d/end-$mode"	# every sample up to this one saw the job whole
	touch "$d/end"
	ts_wait 60
	[ "$RC" = 0 ] || die "record of the $mode job exited with $RC" "$ERR"
}
record_job threads
record_job procs
A=$d/threads.db
B=$d/procs.db

ts json compare -J "$A" "$B"
check "compare -J A.db B.db: the jobs' processes, threads, address spaces and memory"
expect_rc 0 "compare -J"
if "$PY" - "$OUT" "$A" "$B" >"$d/json.py.out" 2>&1 <<'PYEOF'
import json, sqlite3, sys
d = json.load(open(sys.argv[1]))
assert d["mode"] == "recordings", d["mode"]
A, B = d["sides"][0]["metrics"], d["sides"][1]["metrics"]
M = 1 << 20
for k, v in (("processes", (1, 4)), ("threads", (4, 4)), ("address_spaces", (1, 4)),
             ("fd_tables", (1, 4))):
    assert (A[k], B[k]) == v, "%s: %s %s, expected %s" % (k, A[k], B[k], v)
assert A["pss_sum_peak"] >= 32 * M and A["uss_sum_peak"] >= 32 * M, A
assert B["rss_sum_peak"] >= 4 * 32 * M, "B's naive RSS sum %d" % B["rss_sum_peak"]
assert 32 * M <= B["pss_sum_peak"] < 2 * 32 * M, "B's PSS sum %d" % B["pss_sum_peak"]
for k in A:
    r = d["b_over_a"].get(k)
    if r is not None:
        assert abs(r - B[k] / A[k]) < 1e-6 * max(1, r), "%s: B/A %s" % (k, r)
for i, (side, path) in enumerate(zip(d["sides"], sys.argv[2:])):
    db = sqlite3.connect(path)
    n, t0, t1 = db.execute("SELECT count(*), min(time), max(time) FROM samples").fetchone()
    m = side["metrics"]
    # every sample is a memory sample, but the last may see the job's process gone
    assert m["samples"] == n and n - 1 <= m["memory_samples"] <= n, "%d samples, %s" % (n, m)
    assert abs(side["first_sample"] - t0) < 1e-5 and abs(side["last_sample"] - t1) < 1e-5
    at = side["at"]
    assert t0 - 1e-5 <= at["pss_sum_peak"] <= at["pss_sum_last"] <= t1 + 1e-5, (t0, at, t1)
    assert side["kcmp_recorded"] is True
    assert side["command"] and ("threads" if i == 0 else "procs") in side["command"], side["command"]
assert d["not_recorded"], "nothing said not recorded"
print("A %d proc %d threads %d space; B %d procs %d spaces; RSS B %d PSS B %d" %
      (A["processes"], A["threads"], A["address_spaces"], B["processes"], B["address_spaces"],
       B["rss_sum_peak"], B["pss_sum_peak"]))
PYEOF
then
	ok "$(cat "$d/json.py.out")"
else
	fail "the JSON report is not the recorded jobs'" "$d/json.py.out" "$OUT" "$ERR"
fi

ts table compare "$A" "$B"
check "the table: side lines, AT columns, what is not recorded, plain words"
expect_rc 0 "compare"
grep -qE "^A: .*threads\.db  \[job: .*job\.py .*threads\]" "$OUT" && ok "side A's line" || fail "no side A line" "$OUT"
grep -qE "^METRIC +A +A AT +B +B AT +B/A$" "$OUT" && ok "the columns" || fail "not the columns" "$OUT"
grep -qE "^address spaces \(kcmp VM\) +1 +\+[0-9.]+s +4 +\+[0-9.]+s +4\.00x$" "$OUT" && ok "address spaces 1 and 4" || fail "no address spaces row" "$OUT"
grep -q "Not recorded, so not compared:" "$OUT" && grep -q "exit statuses" "$OUT" && ok "what is not recorded" || fail "not said what is not recorded" "$OUT"
grep -qE "^B \(procs\.db\) had 4\.00x the address spaces of A: 4 vs 1\.$" "$OUT" && ok "plain words" || fail "no plain words" "$OUT"

check "--to @TIME before the job ended: the last memory sums are the whole job's, at the last sample"
for side in threads procs; do
	read -r tend <"$d/end-$side"
	ts to compare -J --to "@$tend" "$d/$side.db" "$d/$side.db"
	last=$(sqlite3 -readonly "$d/$side.db" "SELECT printf('%.6f', max(time)) FROM samples WHERE time <= $tend")
	if [ "$RC" = 0 ] && "$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); s = d["sides"][0]
m, at, last = s["metrics"], s["at"], float(sys.argv[2])
assert abs(s["last_sample"] - last) < 1e-5, "last sample %s, expected %s" % (s["last_sample"], last)
for k in ("rss_sum_last", "pss_sum_last"):
    assert m[k] >= 32 << 20, "%s %s" % (k, m[k])
    assert abs(at[k] - last) < 1e-5, "%s at %s, expected %s" % (k, at[k], last)
print("PSS %d, RSS %d at %s" % (m["pss_sum_last"], m["rss_sum_last"], last))' "$OUT" "$last" >"$d/to.py.out" 2>&1; then
		ok "$side: $(cat "$d/to.py.out")"
	else
		fail "$side: --to @$tend: exit $RC" "$d/to.py.out" "$ERR"
	fi
done

n=$(sqlite3 -readonly "$A" "SELECT count(*) FROM samples WHERE time >= (SELECT min(time) FROM samples) + 0.25")
ts from compare -J --from +0.25 "$A" "$B"
check "--from +0.25: each recording from 0.25 s after its first sample"
expect_rc 0 "compare --from"
if "$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); n = d["sides"][0]["metrics"]["samples"]
assert n == int(sys.argv[2]), "%d samples, expected %s" % (n, sys.argv[2])' "$OUT" "$n" 2>"$d/from.err"; then
	ok "$n samples of A"
else
	fail "--from did not narrow A to $n samples" "$d/from.err" "$OUT"
fi

v1=$(dirname "$0")/fixtures/recording/v1.db
[ -r "$v1" ] || v1=${top_srcdir:-.}/tests/fixtures/recording/v1.db
cp "$v1" "$d/v1.db"
ts v1 compare "$d/v1.db" "$B"
check "a recording of schema 1: its kcmp groups are said not recorded"
expect_rc 0 "compare v1.db B.db"
grep -qE "^address spaces \(kcmp VM\) +- +4 " "$OUT" && ok "A's address spaces: -" || fail "A's address spaces not '-'" "$OUT"
grep -q "A: the kcmp groups (address spaces, fd tables, ...): a recording of schema 1" "$OUT" &&
	ok "said" || fail "not said" "$OUT"

check "bad input: usage errors exit 2, an unreadable recording 1"
printf 'true\n' >"$d/script.sh"
for args in "$A" "$A $d/script.sh" "--workers 2 $A $B" "--from bogus $A $B" "--from +1 a b" "$A $B $A"; do
	# shellcheck disable=SC2086
	ts usage compare $args
	if [ "$RC" = 2 ] && grep -q '^taskscope: compare: ' "$ERR"; then
		ok "compare $args: exit 2, '$(head -n1 "$ERR")'"
	else
		fail "compare $args: exit $RC, expected 2" "$ERR" "$OUT"
	fi
done
head -c 8192 "$A" >"$d/cut.db"
ts cut compare "$d/cut.db" "$B"
if [ "$RC" = 1 ] && grep -q "cannot read the recording '$d/cut.db'" "$ERR"; then
	ok "a truncated recording: exit 1, '$(head -n1 "$ERR")'"
else
	fail "a truncated recording: exit $RC" "$ERR" "$OUT"
fi
finish
