#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# jsonstamp.sh - every JSON document (task view, cpus, maps, share, compare) says when and where it
# was taken: time (RFC 3339) and unix_time agree, the interval of a task view sample, host,
# kernel and version; and "taskscope -J -- CMD" keeps stdout for the JSON.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need python

host=$(uname -n) kernel=$(uname -r)
version=$("$TASKSCOPE" -V | sed -n 's/^taskscope //p')
start_workload --threads 2 --name "jst$$"
wl=$WL_PID

# stamp FILE INTERVAL T0 T1: every document of FILE carries the stamp first, in this order;
# INTERVAL "yes": each has an interval key (a number > 0 from the second document on),
# "no": none. Its time lies between T0 and T1 (the test's clock around the run).
stamp() {
	"$PY" - "$@" "$host" "$kernel" "$version" <<'PYEOF'
import datetime, re, sys, tsjson
path, interval, t0, t1, host, kernel, version = sys.argv[1:8]
t0, t1 = float(t0), float(t1)
docs = tsjson.docs(path)
if not docs:
    print("no document")
keys = ["taskscope_version", "hostname", "kernel_release", "time", "unix_time"]
if interval == "yes":
    keys.append("interval")
for n, d in enumerate(docs):
    got = list(d)[:len(keys)]
    if got != keys:
        print("doc %d starts with %r, not %r" % (n, got, keys))
        continue
    if "interval" in d and interval == "no":
        print("doc %d has an interval" % n)
    if (d["taskscope_version"], d["hostname"], d["kernel_release"]) != (version, host, kernel):
        print("doc %d: %r %r %r, not %r %r %r" % (n, d["taskscope_version"], d["hostname"],
              d["kernel_release"], version, host, kernel))
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})Z", d["time"])
    if not m:
        print("doc %d: time %r is not RFC 3339 UTC with microseconds" % (n, d["time"]))
        continue
    ts = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc).timestamp() + int(m.group(2)) / 1e6
    if abs(ts - d["unix_time"]) > 1.5e-6:
        print("doc %d: time %s is %.6f, unix_time %.6f" % (n, d["time"], ts, d["unix_time"]))
    if not (t0 - 1 <= d["unix_time"] <= t1 + 1):
        print("doc %d: unix_time %.6f outside the run %.6f..%.6f" % (n, d["unix_time"], t0, t1))
    if interval == "yes" and n > 0:
        iv = d["interval"]
        if not isinstance(iv, (int, float)) or iv <= 0:
            print("doc %d: interval %r" % (n, iv))
        elif abs((d["unix_time"] - docs[n - 1]["unix_time"]) - iv) > 0.05:
            print("doc %d: interval %r, %.6f s since the previous" % (n, iv,
                  d["unix_time"] - docs[n - 1]["unix_time"]))
PYEOF
}

run_stamped() {
	local name=$1 iv=$2 t0 t1
	shift 2
	t0=$EPOCHREALTIME
	ts "$name" "$@"
	t1=$EPOCHREALTIME
	if expect_rc 0 "$*"; then
		res=$(stamp "$OUT" "$iv" "$t0" "$t1")
		if [ -n "$res" ]; then fail "$res" "$OUT"; else ok "stamped"; fi
	fi
}

check "task view -J: each sample's time, unix_time, interval, host, kernel, version"
run_stamped task yes -J -n 3 -d 0.2 -p "$wl" -o pid,comm

check "maps -J is stamped (no interval)"
run_stamped maps no maps -J "$wl"

check "share -J is stamped (no interval)"
run_stamped share no share -J "$wl" "$wl"

check "cpus -J is stamped, its interval the run's duration"
run_stamped cpus yes cpus -J -t 0.3 -p "$wl"
if [ "$RC" -eq 0 ]; then
	if "$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(abs(d["interval"] - d["duration"]) > 1e-3)' "$OUT"; then
		ok "interval = duration"
	else
		fail "cpus: interval is not the duration" "$OUT"
	fi
fi

check "compare -J is stamped (no interval)"
TS_TIMEOUT=60 run_stamped compare no compare -J -t 0.3 -p "$wl" -p "$$"

check "-J -- CMD: stdout is the JSON alone, the command's stdout goes to stderr"
t0=$EPOCHREALTIME
ts job -J -d 0.1 -o pid,comm -- sh -c "echo joboutput$$; sleep 0.5"
t1=$EPOCHREALTIME
if expect_rc 0 "-J -- sh"; then
	res=$(stamp "$OUT" yes "$t0" "$t1")
	good=1
	grep -q "joboutput$$" "$OUT" && good=0
	grep -q "joboutput$$" "$ERR" || good=0
	[ -z "$res" ] || good=0
	verdict "$good" "JSON on stdout, the command's line on stderr" \
		"the command's line is not on stderr alone (and not in the JSON)${res:+; $res}" "$OUT" "$ERR"
fi

finish
