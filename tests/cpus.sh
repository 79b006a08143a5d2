#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cpus.sh - taskscope cpus on live workloads: a pinned worker stays on its CPU, shares sum to
# 100%, an affinity changed from outside shows, SVG and JSON parse (hostile names too), a
# thread that ends keeps its samples, spawned jobs give their status, bad input is refused.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

need_cpus 0 1
need_cmd taskset util-linux
need python tshelper

# ---- usage ------------------------------------------------------------------------------------

check "bad options are usage errors (exit 2) with a taskscope: message"
bad=0
for args in "--rate 0" "--rate 1001" "--rate 1.5" "--rate x" "-t 0" "-t -1" "-t abc" \
	"--time 86401" "--bogus" "-J -r" "-p 0" "-p x" "-x" "--svg" "-- " "extra"; do
	# shellcheck disable=SC2086 # the options are split on purpose
	ts usage cpus $args
	if [ "$RC" -ne 2 ] || ! grep -q '^taskscope: cpus: ' "$ERR"; then
		fail "cpus $args: exit status $RC, expected 2 with a message" "$ERR"
		bad=1
	fi
done
[ "$bad" -eq 0 ] && ok "16 bad command lines refused"

check "a PID that does not exist, a name nothing has, an SVG file that cannot be made: exit 1"
ts nopid cpus -p "$(free_pid)" -t 0.2
expect_rc 1 "-p <free PID>" && grep -q 'no such process' "$ERR" && ok "says: $(cat "$ERR")"
ts noname cpus -C no-such-name-xq -t 0.2
expect_rc 1 "-C no-such-name-xq"
ts nosvg cpus -p $$ -t 0.2 --svg /nonexistent/dir/x.svg
expect_rc 1 "--svg /nonexistent/dir/x.svg"

check "cpus --help shows the options and exits 0"
ts help cpus --help
if expect_rc 0 "cpus --help"; then
	for o in --rate --time --svg --json --raw --output-file --pid --user --command; do
		grep -q -- "$o" "$OUT" || fail "--help does not mention $o" "$OUT"
	done
fi

# ---- a pinned worker ----------------------------------------------------------------------------

start_workload --threads 1 --spin --pin 1
pinned=$WL_TIDS
check "--pin 1: the worker's samples are 100% on CPU 1, MIGR 0 (JSON)"
ts pin-json cpus -p "$WL_PID" -t 1.5 -J
if expect_rc 0 "cpus -p $WL_PID -t 1.5 -J"; then
	if py_check pin "$OUT" '
t = thread(args[0])
print("samples", t["samples"], "cpus", t["cpus"], "migrations", t["migrations"],
      "affinity", t["affinity_start"], t["affinity_end"])
ok = (t["samples"] >= 20 and len(t["cpus"]) == 1 and t["cpus"][0]["cpu"] == 1 and
      t["cpus"][0]["samples"] == t["samples"] and t["cpus"][0]["share"] == 100.0 and
      t["migrations"] == 0 and t["distinct_cpus"] == 1 and t["affinity_start"] == "1" and
      t["affinity_end"] == "1" and len(t["runs"]) >= 1 and
      all(r["cpu"] == 1 for r in t["runs"]))	# slots the sampler missed under load split runs
sys.exit(0 if ok else 1)' "$pinned"; then
		ok "$(cat "$TS_TMP/pin.py.out")"
	else
		fail "the pinned worker left CPU 1 or migrated" "$TS_TMP/pin.py.out" "$OUT"
	fi
fi

check "--pin 1: the table says SHARES 1:100.0 and MIGR 0; the strip chart is all 1 (or '.', slots a late sampler skipped under load)"
ts pin-table cpus -p "$WL_PID" -t 1
if expect_rc 0 "cpus -p $WL_PID -t 1"; then
	# PID TID COMM SAMPLES RUNNING RUNQ CPUS MIGR XNODE LONGEST NODES AFFINITY SHARES ENDED
	row=$(awk -v t="$pinned" '$2 == t && $1 ~ /^[0-9]+$/ { print; exit }' "$OUT")
	strip=$(awk -v t="$pinned" '$1 == t && /\|/ { print; exit }' "$OUT" | sed 's/.*|\(.*\)|.*/\1/')
	read -r _ _ _ samples _ _ cpus migr _ _ _ aff shares ended <<<"$row"
	if [ "${cpus:-}" = 1 ] && [ "${migr:-}" = 0 ] && [ "${aff:-}" = 1 ] &&
		[ "${shares:-}" = 1:100.0 ] && [ "${ended:-}" = - ] && [[ $strip =~ ^[1.]+$ ]] &&
		[[ $strip == *1* ]]; then
		ok "row: $row; strip: $strip"
	else
		fail "pinned worker row '$row', strip '$strip'" "$OUT"
	fi
	grep -q '^topology: [0-9]* package.*, [0-9]* core.*, [0-9]* NUMA node.*, [0-9]* CPUs* online$' "$OUT" ||
		fail "no topology header line" "$OUT"
fi

# ---- affinity changed from outside -------------------------------------------------------------

check "taskset -p -c 0 during the run: AFFINITY 1->0 and the timeline moves from 1 to 0"
"$TASKSCOPE" cpus -p "$WL_PID" -t 4 -J --svg "$TS_TMP/move.svg" >"$TS_TMP/move.json" \
	2>"$TS_TMP/move.err" </dev/null &
mj=$!
"$TASKSCOPE" cpus -p "$WL_PID" -t 4 >"$TS_TMP/move.txt" 2>"$TS_TMP/move-t.err" </dev/null &
mt=$!
track "$mj" "$mt"
# the change must come well inside both runs: 1.2 s after both samplers started (their
# thread is made just after the clock of slot 0 is read), however long the start took
sampling() { [ "$(ls "/proc/$1/task" 2>/dev/null | wc -l)" -ge 2 ]; }
poll_until 10 sampling "$mj" && poll_until 10 sampling "$mt" ||
	say "a cpus run has no sampler thread after $((10 * TS_SLOW)) s ($(load_line))"
sleep 1.2
if ! taskset -p -c 0 "$pinned" >"$TS_TMP/taskset.out" 2>&1; then
	fail "taskset -p -c 0 $pinned failed" "$TS_TMP/taskset.out"
fi
wait "$mj"
rj=$?
wait "$mt"
rt=$?
if [ "$rj" -ne 0 ] || [ "$rt" -ne 0 ]; then
	fail "the runs exited $rj and $rt" "$TS_TMP/move.err" "$TS_TMP/move-t.err"
else
	if py_check move "$TS_TMP/move.json" '
t = thread(args[0])
ch = t["affinity_changes"]
runs = t["runs"]
print("affinity", t["affinity_start"], "->", t["affinity_end"], "changes", ch)
print("runs", [(r["slot"], r["samples"], r["cpu"]) for r in runs])
# taskset ran at about 1.2 s; the change is seen at the next refresh (every 0.5 s), and
# the kernel moves the thread at once: its first sample on CPU 0 is before that refresh
first0 = min(r["slot"] for r in runs if r["cpu"] == 0) if any(r["cpu"] == 0 for r in runs) else -1
ok = (t["affinity_start"] == "1" and t["affinity_end"] == "0" and len(ch) == 1 and
      ch[0]["cpus"] == "0" and runs[0]["cpu"] == 1 and runs[-1]["cpu"] == 0 and
      ch[0]["time"] > 0.5 and 50 <= first0 <= ch[0]["slot"] + 50)
# the SVG marks the change with a vertical line in the row of the worker
import xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
row = [g for g in ET.parse(args[1]).getroot().iter(ns + "g") if g.get("data-tid") == args[0]]
lines = [l for g in row for l in g.iter(ns + "line") if l.get("class") == "affinity"]
print("svg affinity marks", [(l.get("x1"), l.get("y1"), l.get("x2"), l.get("y2")) for l in lines])
ok = ok and len(lines) == 1 and float(lines[0].get("y2")) > float(lines[0].get("y1"))
sys.exit(0 if ok else 1)' "$pinned" "$TS_TMP/move.svg"; then
		ok "JSON: $(tr '\n' ' ' <"$TS_TMP/move.py.out")"
	else
		fail "the affinity change does not show in the JSON" "$TS_TMP/move.py.out"
	fi
	row=$(awk -v t="$pinned" '$2 == t && $1 ~ /^[0-9]+$/ { print; exit }' "$TS_TMP/move.txt")
	strip=$(awk -v t="$pinned" '$1 == t && /\|/ { print; exit }' "$TS_TMP/move.txt" | sed 's/.*|\(.*\)|.*/\1/')
	read -r _ _ _ _ _ _ _ migr _ _ _ aff _ <<<"$row"
	if [ "${aff:-}" = "1->0" ] && [ "${migr:-0}" -ge 1 ] && [[ $strip =~ ^1+[01.]*0+$ ]]; then
		ok "table: AFFINITY $aff, MIGR $migr, strip $strip"
	else
		fail "table: AFFINITY '${aff:-}', MIGR '${migr:-}', strip '$strip'" "$TS_TMP/move.txt"
	fi
fi
stop "$WL_PID"

# ---- two spinning workers, unpinned: shares, SVG ---------------------------------------------------

start_workload --threads 2 --spin
check "two --spin workers on 2 CPUs: the shares of every thread that ran sum to 100%; JSON and SVG parse"
ts spin cpus -p "$WL_PID" -t 2 -J --svg "$TS_TMP/spin.svg"
if expect_rc 0 "cpus -p $WL_PID -t 2 -J --svg"; then
	if py_check spin "$OUT" '
import xml.etree.ElementTree as ET
bad = 0
for t in d["threads"]:
    s = sum(c["samples"] for c in t["cpus"])
    w = sum(c["samples"] for c in t["waiting_cpus"])
    p = round(sum(c["share"] for c in t["cpus"]), 1)
    print(t["tid"], t["comm"], t["samples"], "samples,", t["running_samples"], "running;", " ".join("%d:%.1f" % (c["cpu"], c["share"]) for c in t["cpus"]), "sum", p)
    # the shares are of running samples; the main thread sleeps and has none
    if t["samples"] < 20 or s != t["running_samples"] or s + w != t["samples"]:
        bad += 1
    if t["running_samples"] and p != 100.0:
        bad += 1
total = sum(c["samples"] for c in d["cpus"])
if total != d["sampler"]["running_samples"] or round(sum(c["share"] for c in d["cpus"]), 1) != 100.0:
    print("per-CPU samples", total, "!= all running samples", d["sampler"]["running_samples"]); bad += 1
root = ET.parse(args[0]).getroot()
ns = "{http://www.w3.org/2000/svg}"
rows = [g for g in root.iter(ns + "g") if g.get("class") == "thread"]
tids = sorted(int(g.get("data-tid")) for g in rows)
runs = [r for r in root.iter(ns + "rect") if "run" in r.get("class", "").split()]
print("svg:", len(rows), "thread rows", tids, len(runs), "runs")
if tids != sorted(t["tid"] for t in d["threads"]): bad += 1
if len(runs) != sum(len(t["runs"]) for t in d["threads"]): bad += 1
for g in rows:
    if not any(c.tag == ns + "text" and c.get("class") == "label" for c in g): bad += 1
sys.exit(1 if bad else 0)' "$TS_TMP/spin.svg"; then
		ok "$(tr '\n' ';' <"$TS_TMP/spin.py.out")"
	else
		fail "shares, per-CPU totals or SVG rows are wrong" "$TS_TMP/spin.py.out" "$TS_TMP/spin.svg"
	fi
fi

check "raw output (-r): no header, the tables and the strip lines, one line each"
ts raw cpus -p "$WL_PID" -t 0.5 -r
if expect_rc 0 "cpus -r"; then
	if head -1 "$OUT" | grep -q '^PID TID COMM SAMPLES RUNNING RUNQ CPUS MIGR XNODE LONGEST NODES AFFINITY SHARES ENDED$' &&
		grep -q '^CPU TID COMM NODE CORE PKG RUNNING SHARE WAITING$' "$OUT" &&
		! grep -q '^taskscope cpus' "$OUT" &&
		[ "$(grep -cE "^($(tr ',' '|' <<<"$WL_TIDS")|$WL_PID) [0-9.-]+\$" "$OUT")" -eq 3 ]; then
		ok "$(wc -l <"$OUT") raw lines"
	else
		fail "raw output is not as expected" "$OUT"
	fi
fi
stop "$WL_PID"

# ---- hostile names --------------------------------------------------------------------------------

name=$'q"\\<&>\e[31m\x01\xff'
start_helper name name "$name" 3600
hp=$HELPER_PID
check "a name with quotes, markup, ESC, a control byte and invalid UTF-8: JSON, SVG and table are safe"
ts hostile-json cpus -p "$hp" -t 0.5 -J --svg "$TS_TMP/hostile.svg"
if expect_rc 0 "cpus -J --svg on hostile names"; then
	if py_check hostile "$OUT" '
import re
import xml.etree.ElementTree as ET
names = [t["comm"] for t in d["threads"]]
print("names", names)
want = "q\"\\\\<&>\\x1b[31m\\x01\\xff"	# the backslash doubled, ESC, 0x01, 0xff escaped
root = ET.parse(args[0]).getroot()
labels = [e.text for e in root.iter("{http://www.w3.org/2000/svg}text") if e.get("class") == "label"]
print("svg labels", labels)
# a label is "TID comm" cut to 30 characters, never inside an escape: the comm part is want
# up to a place between two escapes or characters
cuts = {m.end() for m in re.finditer(r"\\(\\|x..|u.{4}|U.{8})|.", want)} | {0}
def label_ok(l):
    tid, _, comm = l.strip().partition(" ")
    return tid.isdigit() and comm != "" and want.startswith(comm) and len(comm) in cuts
ok = len(names) == 2 and all(n == want for n in names) and all(label_ok(l) for l in labels)
sys.exit(0 if ok else 1)' "$TS_TMP/hostile.svg"; then
		ok "$(tr '\n' ' ' <"$TS_TMP/hostile.py.out")"
	else
		fail "hostile names are not escaped as expected" "$TS_TMP/hostile.py.out" "$OUT"
	fi
fi
ts hostile-table cpus -p "$hp" -t 0.3
if expect_rc 0 "cpus (table) on hostile names"; then
	if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$OUT" || ! iconv -f UTF-8 -t UTF-8 "$OUT" >/dev/null 2>&1; then
		fail "the table has control bytes or invalid UTF-8" "$OUT"
	else
		ok "no control byte, valid UTF-8"
	fi
fi
stop "$hp"

# libsmartcols 2.38 loops forever measuring non-ASCII text it was told not to encode in a C
# locale (lib.sh exports LC_ALL=C): a valid UTF-8 name must not hang the table
uname=$'\xc3\xa9t\xc3\xa9-w'
start_helper uname name "$uname" 3600
hp=$HELPER_PID
check "a UTF-8 name in a C locale: the table is printed at once, the name as \\uHHHH escapes"
TS_TIMEOUT=10 ts utf8-c cpus -p "$hp" -t 0.3
if expect_rc 0 "LC_ALL=C cpus on a UTF-8 name"; then
	if grep -qF "$hp \u00e9t\u00e9-w " "$OUT"; then
		ok "$(grep -F "$hp \u" "$OUT" | head -1)"
	else
		fail "the name is not shown escaped" "$OUT"
	fi
fi
LC_ALL=C.UTF-8 TS_TIMEOUT=10 ts utf8-u cpus -p "$hp" -t 0.3
if [ "$RC" -eq 0 ] && grep -qF "$hp $uname " "$OUT"; then
	ok "in C.UTF-8: $(grep -F "$hp $uname " "$OUT" | head -1)"
elif locale -a 2>/dev/null | grep -qix 'c.utf-\?8'; then
	fail "C.UTF-8: exit status $RC, the name not shown as is" "$OUT" "$ERR"
else
	say "no C.UTF-8 locale here: the UTF-8 side is not checked"
fi
stop "$hp"

# ---- threads that end -----------------------------------------------------------------------------

check "a thread that exits mid-run (-p): it keeps its samples and is marked ended; the rest goes on"
# The thread spins until told to stop, and is told once cpus keeps its stat file open (it is
# being sampled): under load, a thread on a timer could end before cpus takes its first sample.
stopf=$TS_TMP/thread.stop
"$PY" -c '
import os, threading, time, sys
def work():
    end = time.time() + 120
    while time.time() < end and not os.path.exists(sys.argv[1]):
        pass
t = threading.Thread(target=work); t.start()
print("ready", t.native_id, flush=True)
t.join()
time.sleep(600)' "$stopf" >"$TS_TMP/py.out" 2>&1 </dev/null &
pp=$!
track "$pp"
poll_until 5 grep -qE '^ready [0-9]+$' "$TS_TMP/py.out" || die "the python helper did not start" "$TS_TMP/py.out"
ptid=$(awk '/^ready/ { print $2 }' "$TS_TMP/py.out")
# sampled_by PATTERN FILE: a process whose command line matches PATTERN keeps FILE open
sampled_by() {
	local p
	for p in $(pgrep -f -- "$1"); do
		[ "$(readlink "/proc/$p/fd/"* 2>/dev/null | grep -cxF "$2")" -gt 0 ] && return 0
	done
	return 1
}
(poll_until 60 sampled_by "cpus -p $pp -t 6 -J" "/proc/$pp/task/$ptid/stat"; touch "$stopf") &
watcher=$!
ts ending cpus -p "$pp" -t 6 -J
wait "$watcher"
if expect_rc 0 "cpus -p $pp -t 6 -J"; then
	if py_check ending "$OUT" '
w = thread(args[0]); m = thread(args[1])
print("worker: samples", w["samples"], "ended", w["ended"], "at", w["end"], "last run", w["runs"][-1] if w["runs"] else None)
print("main: samples", m["samples"], "ended", m["ended"])
last = w["runs"][-1]["slot"] + w["runs"][-1]["samples"] if w["runs"] else -1
ok = (w["ended"] and w["samples"] >= 1 and w["end"] < 5.99 and last <= w["end_slot"] and
      not m["ended"] and m["samples"] > w["samples"] and sum(c["samples"] for c in w["cpus"]) == w["samples"])
sys.exit(0 if ok else 1)' "$ptid" "$pp"; then
		ok "$(tr '\n' ' ' <"$TS_TMP/ending.py.out")"
	else
		fail "the ended thread was not reported right" "$TS_TMP/ending.py.out" "$OUT"
	fi
fi
stop "$pp"

check "a spawned job whose thread ends early: the report goes to --output-file, the job's status comes back"
ts job cpus -J -t 20 --output-file "$TS_TMP/job.json" -- "$PY" -c '
import threading, time, sys
t = threading.Thread(target=time.sleep, args=(0.6,)); t.start(); t.join()
time.sleep(0.8)
sys.exit(3)'
if expect_rc 3 "cpus -- python (exits 3)"; then
	if py_check job "$TS_TMP/job.json" '
ts = d["threads"]
print([(t["tid"], t["samples"], t["ended"], t["end"]) for t in ts], "duration", d["duration"])
ok = (len(ts) >= 2 and all(t["ended"] for t in ts) and all(t["samples"] > 0 for t in ts) and
      min(t["end"] for t in ts) < max(t["end"] for t in ts) and d["duration"] < 10)
sys.exit(0 if ok else 1)'; then
		ok "$(cat "$TS_TMP/job.py.out")"
	else
		fail "the job's report is wrong" "$TS_TMP/job.py.out" "$TS_TMP/job.json"
	fi
	if [ -s "$OUT" ] || [ "$(grep -vc "^taskscope: job '.*' exited with status 3\$" "$ERR")" -ne 0 ]; then
		fail "expected nothing on stdout and only the job line on stderr" "$OUT" "$ERR"
	fi
fi

check "spawned jobs: exit status passes through, exec failures give 127"
ts job3 cpus -t 0.3 -- "$TSHELPER" exit 3
expect_rc 3 "cpus -- tshelper exit 3" && grep -q '^taskscope cpus ' "$ERR" && ok "report on stderr"
ts job127 cpus -t 0.3 -- /nonexistent/command
expect_rc 127 "cpus -- /nonexistent/command"

# ---- under valgrind --------------------------------------------------------------------------------

vg_why=$(no_valgrind)
if [ -n "$vg_why" ]; then
	say "$vg_why: the valgrind checks are skipped"
else
	# hwloc's x86 backend cannot run under valgrind; it falls back to sysfs
	export HWLOC_COMPONENTS=-x86
	start_workload --threads 3 --spin
	check "valgrind: the sampler thread, the timeline, tables, JSON and SVG: no error, no leak"
	for mode in table json raw; do
		case $mode in
		table) args=() ;;
		json) args=(-J --svg "$TS_TMP/vg.svg") ;;
		raw) args=(-r) ;;
		esac
		timeout -k 5 $((120 * TS_SLOW)) valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite --show-leak-kinds=definite \
			"$TASKSCOPE" cpus -p "$WL_PID" -t 1 --rate 200 "${args[@]}" \
			>"$TS_TMP/vg-$mode.out" 2>"$TS_TMP/vg-$mode.err" </dev/null
		RC=$?
		if [ "$RC" -eq 0 ] && [ -s "$TS_TMP/vg-$mode.out" ]; then
			ok "$mode: clean"
		else
			fail "$mode: exit status $RC (99: valgrind found an error)" "$TS_TMP/vg-$mode.err"
		fi
	done
	stop "$WL_PID"
	check "valgrind: a spawned job whose threads end"
	timeout -k 5 $((120 * TS_SLOW)) valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite --show-leak-kinds=definite \
		"$TASKSCOPE" cpus -J --output-file "$TS_TMP/vg-job.json" -- "$TSHELPER" name vg 0.5 \
		>/dev/null 2>"$TS_TMP/vg-job.err" </dev/null
	RC=$?
	expect_rc 0 "valgrind taskscope cpus -- tshelper name vg 0.5" || show "$TS_TMP/vg-job.err"
fi

# ---- every task -----------------------------------------------------------------------------------

check "no target: every thread of the system (or a clear error past the thread limit)"
nthreads=$(find /proc -maxdepth 3 -path '/proc/[0-9]*/task/[0-9]*' 2>/dev/null | wc -l)
ts all cpus -t 0.3 --rate 20
if [ "$RC" -eq 1 ] && grep -q 'more than the' "$ERR" && [ "$nthreads" -gt 3000 ]; then
	# near the limit another test run's tasks can cross it between the count and the run
	ok "$nthreads threads counted: $(cat "$ERR")"
elif [ "$nthreads" -gt 5000 ]; then
	expect_rc 1 "cpus on $nthreads threads" && grep -q 'more than the' "$ERR" && ok "$(cat "$ERR")"
elif expect_rc 0 "cpus with no target ($nthreads threads)"; then
	n=$(awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ { n++ } END { print n + 0 }' "$OUT")
	if [ "$n" -ge 2 ]; then
		ok "$n thread rows"
	else
		fail "only $n thread rows for the whole system" "$OUT"
	fi
fi

# ---- a bare PID, as maps and share take it --------------------------------------------------
check "cpus PID (no -p) watches the same threads as cpus -p PID; a word is a usage error"
start_helper bare name "bare-$$" 3600
WL_PID=$HELPER_PID
ts bare cpus -r -t 0.3 "$WL_PID"
if expect_rc 0 "cpus -r -t 0.3 $WL_PID"; then
	got=$(awk 'NR > 1 && /^$/ { exit } NR > 1 { print $1, $2 }' "$OUT" | sort -u)
	want=$(ls "/proc/$WL_PID/task" | sed "s/^/$WL_PID /" | sort -u)
	if [ -n "$got" ] && [ "$got" = "$want" ]; then
		ok "the workload's $(wc -l <<<"$got") threads"
	else
		fail "threads '$got', expected '$want'" "$OUT"
	fi
fi
ts bareword cpus -t 0.3 notapid
if expect_rc 2 "cpus notapid" && grep -q "unexpected argument 'notapid'" "$ERR"; then
	ok "$(head -n 1 "$ERR")"
else
	fail "no usage error naming 'notapid'" "$ERR"
fi

finish
