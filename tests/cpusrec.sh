#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cpusrec.sh - taskscope cpus FILE: the placement timeline of a recording (taskscope record)
# of a pinned spinning worker and its sleeping main thread, as live cpus reports it
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

need_cpus 0 1
need python

name=cr$TS_RUN
start_workload --threads 1 --spin --pin 1 --name "$name"
worker=$WL_TIDS
db=$TS_TMP/rec.db

ts record record -o "$db" -d 0.2 -n 8 -p "$WL_PID"
check "record -p PID -n 8 of the workload"
expect_rc 0 "record" || finish

ts json cpus -J "$db"
check "cpus -J FILE: the worker ran 100% of its 8 samples on CPU 1, the main thread waited"
expect_rc 0 "cpus -J FILE"
if py_check json "$OUT" '
w, m = thread(args[0]), thread(args[1])
assert w["samples"] == 8, "worker: %d samples" % w["samples"]
assert w["running"] == 100.0, "worker running %s%%" % w["running"]
assert [c["cpu"] for c in w["cpus"]] == [1], "worker CPUs %s" % w["cpus"]
assert w["affinity_end"] == "1", "worker affinity %s" % w["affinity_end"]
assert m["samples"] == 8 and m["running_samples"] == 0, "main: %s" % m
assert m["comm"] == args[2] and w["comm"] == args[2], "names %s %s" % (m["comm"], w["comm"])
assert w["runq_wait"] is not None, "no run-queue time from the recording"
# a sample the loaded recorder took late leaves a slot without samples: 8 slots or more
span = d["recorded_to"] - d["recorded_from"]
assert d["slots"] >= 8 and abs(d["period"] - 0.2) < 1e-9, "slots %s period %s" % (d["slots"], d["period"])
assert abs(d["slots"] - (span / d["period"] + 1)) < 1, "slots %s for %.3f s" % (d["slots"], span)
assert d["topology"] and d["topology"]["cpus_online"] >= 2, "topology %s" % d["topology"]
assert d["recorded_from"] < d["recorded_to"], "times %s %s" % (d["recorded_from"], d["recorded_to"])
assert abs(d["unix_time"] - d["recorded_to"]) < 0.001, "stamped %s, the last sample %s" % (d["unix_time"], d["recorded_to"])
print("worker 100%% on CPU 1 in 8 samples, main waiting; %s to %s" % (d["recorded_from"], d["recorded_to"]))
' "$worker" "$WL_PID" "$name"; then
	ok "$(cat "$TS_TMP/json.py.out")"
else
	fail "the report is not the recorded placement" "$TS_TMP/json.py.out" "$OUT" "$ERR"
fi

ts range cpus -J --recording "$db" --from +0.0001 -p "$WL_PID"
check "--recording FILE --from after the first sample -p PID: 7 samples of the 2 threads"
expect_rc 0 "cpus --from"
if py_check range "$OUT" '
assert len(d["threads"]) == 2, "%d threads" % len(d["threads"])
assert thread(args[0])["samples"] == 7, "worker: %d samples" % thread(args[0])["samples"]
print("7 samples")
' "$worker"; then
	ok "$(cat "$TS_TMP/range.py.out")"
else
	fail "--from did not leave 7 samples" "$TS_TMP/range.py.out" "$OUT" "$ERR"
fi

ts byname cpus -r -C "$name" "$db"
check "-C NAME selects the recorded process by its name: its 2 threads"
expect_rc 0 "cpus -C NAME FILE"
n=$(grep -Ec "^$WL_PID ($WL_PID|$worker) " "$OUT")
[ "$n" = 2 ] && ok "2 thread rows" || fail "$n thread rows of PID $WL_PID" "$OUT" "$ERR"

ts table cpus "$db" --svg "$TS_TMP/rec.svg"
check "the table names the recording and its times, the timeline shows the worker on CPU 1"
expect_rc 0 "cpus FILE --svg"
if grep -q "recording '$db'" "$OUT" && grep -q '^recorded: ' "$OUT" &&
   grep -Eq "^ *$worker $name +\|\.*(1\.*){8}\|" "$OUT" && [ -s "$TS_TMP/rec.svg" ]; then
	ok "header, recorded line, eight 1s in the timeline and an SVG"
else
	fail "the table lacks the recording, its times or the worker's line" "$OUT" "$ERR"
fi

if command -v sqlite3 >/dev/null; then
	check "a recording without its topology: the report says the topology is unknown"
	cp "$db" "$TS_TMP/notopo.db" && sqlite3 "$TS_TMP/notopo.db" "DELETE FROM cpus;"
	ts notopo cpus "$TS_TMP/notopo.db"
	expect_rc 0 "cpus FILE without topology" &&
	grep -q '^topology: unknown (the recording has no CPU topology)' "$OUT" &&
	grep -Eq "^ *$worker $name +\|\.*(1\.*){8}\|" "$OUT" && ok "topology unknown, the timeline there" ||
		fail "no 'topology: unknown' line or no timeline" "$OUT" "$ERR"
	check "the JSON stamp names the recording's machine"
	sqlite3 "$TS_TMP/notopo.db" "UPDATE meta SET value = 'elsewhere$TS_RUN' WHERE key = 'host';"
	ts otherhost cpus -J "$TS_TMP/notopo.db"
	if [ "$RC" = 0 ] && py_check otherhost "$OUT" '
assert d["hostname"] == args[0], "hostname %s" % d["hostname"]
assert d["topology"] is None, "topology %s" % d["topology"]
print("hostname %s, topology null" % d["hostname"])
' "elsewhere$TS_RUN"; then
		ok "$(cat "$TS_TMP/otherhost.py.out")"
	else
		fail "not the recorded host" "$TS_TMP/otherhost.py.out" "$OUT" "$ERR"
	fi
else
	say "sqlite3 is not installed: the recording without topology is not tried"
fi

check "a process not in the recording, a missing file, not a recording: exit 1 with a message"
ts gone cpus -p 1 "$db"
[ "$RC" = 1 ] && grep -q "^taskscope: cpus: no thread to show" "$ERR" && ok "-p 1: $(cat "$ERR")" ||
	fail "-p 1: exit $RC" "$OUT" "$ERR"
ts missing cpus --recording "$TS_TMP/nonesuch.db"
[ "$RC" = 1 ] && grep -q "^taskscope: cpus: cannot read the recording '$TS_TMP/nonesuch.db'" "$ERR" &&
	ok "missing: $(cat "$ERR")" || fail "missing file: exit $RC" "$OUT" "$ERR"
ts notrec cpus "$TS_TMP/rec.svg"
[ "$RC" = 1 ] && grep -q "^taskscope: cpus: cannot read the recording '$TS_TMP/rec.svg': " "$ERR" &&
	ok "not a recording: $(cat "$ERR")" || fail "an SVG file as the recording: exit $RC" "$OUT" "$ERR"
ts barenone cpus "$TS_TMP/nonesuch.db"
[ "$RC" = 2 ] && grep -q "unexpected argument '$TS_TMP/nonesuch.db'" "$ERR" &&
	ok "a bare name that is no file stays a usage error" ||
	fail "cpus MISSING-FILE: exit $RC" "$OUT" "$ERR"

check "what a recording cannot take is a usage error (exit 2)"
for args in "-t 1" "--rate 10" "--proc-root /" "-u root" "-- true"; do
	# shellcheck disable=SC2086
	ts usage cpus "$db" $args
	[ "$RC" = 2 ] && grep -q "^taskscope: cpus: " "$ERR" && ok "$args: $(head -1 "$ERR")" ||
		fail "cpus FILE $args: exit $RC" "$OUT" "$ERR"
done
ts usage cpus --from +1 -t 1
[ "$RC" = 2 ] && ok "--from without a recording: $(head -1 "$ERR")" ||
	fail "--from without a recording: exit $RC" "$OUT" "$ERR"

finish
