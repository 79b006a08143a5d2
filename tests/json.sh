#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# json.sh - JSON output: one document per sample, "tasks" with lower-case column keys, typed
# values (numbers as numbers, sizes in bytes), a stream that jq reads, null for missing values.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need tshelper python

start_workload --threads 2 --mem 8M
wl=$WL_PID

# ---- one document -------------------------------------------------------------------------------

check "-J -n 1: exactly one JSON document with 'tasks', lower-case keys, typed values"
ts table -b -n 1 -d 0.1 -p "$wl"
heading=$(heading_of "$OUT")
ts one -J -n 1 -d 0.2 -p "$wl"
if expect_rc 0 "-J -n 1"; then
	"$PY" - "$OUT" "$wl" "$heading" "/proc/$wl" >"$TS_TMP/py.out" 2>&1 <<'EOF'
import json, sys
path, pid, heading, proc = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4]
text = open(path, encoding="utf-8").read()
doc = json.loads(text)          # raises on a second document ("Extra data")
def num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)
errs = []
STAMP = ["taskscope_version", "hostname", "kernel_release", "time", "unix_time", "interval"]
if not isinstance(doc, dict) or list(doc) != STAMP + ["tasks"] or not isinstance(doc["tasks"], list):
    sys.exit("top level is not {<stamp>, \"tasks\": [...]}: %r" % (list(doc) if isinstance(doc, dict) else type(doc)))
rows = [r for r in doc["tasks"] if r.get("pid") == pid]
if len(doc["tasks"]) != 1 or len(rows) != 1:
    sys.exit("expected exactly one row, for pid %d; got %d rows" % (pid, len(doc["tasks"])))
r = rows[0]
want_keys = [h.lower() for h in heading] + ["unavailable"]
if list(r) != want_keys:
    errs.append("keys %s, expected the table's headings in lower case %s" % (list(r), want_keys))
status = dict(l.split(":", 1) for l in open(proc + "/status") if ":" in l)
vmrss = int(status["VmRSS"].split()[0]) * 1024
threads = int(status["Threads"])
comm = open(proc + "/comm").read().rstrip("\n")
if type(r.get("pid")) is not int:
    errs.append("pid %r is not an integer" % (r.get("pid"),))
if type(r.get("rss")) is not int:
    errs.append("rss %r is not an integer" % (r.get("rss"),))
elif abs(r["rss"] - vmrss) > 0.05 * vmrss:
    errs.append("rss %d bytes, but VmRSS is %d bytes" % (r["rss"], vmrss))
if not num(r.get("pcpu")):
    errs.append("pcpu %r is not a number (the first printed sample has an interval)" % (r.get("pcpu"),))
if not num(r.get("time")):
    errs.append("time %r is not a number" % (r.get("time"),))
if type(r.get("nlwp")) is not int or r["nlwp"] != threads:
    errs.append("nlwp %r, /proc says Threads: %d" % (r.get("nlwp"), threads))
for k in ("user", "state", "comm"):
    if not isinstance(r.get(k), str):
        errs.append("%s %r is not a string" % (k, r.get(k)))
if r.get("comm") != comm:
    errs.append("comm %r, /proc/PID/comm is %r" % (r.get("comm"), comm))
for k, v in r.items():
    if v == "-":
        errs.append("%s is \"-\" in JSON" % k)
if errs:
    sys.exit("\n".join(errs))
print("row:", json.dumps(r))
EOF
	py_verdict $? "$TS_TMP/py.out" "the document is wrong" "$OUT"
fi

check "-J -n 1 -H of all tasks: one document, every row has an integer pid and tid, rss in bytes"
ts all -J -n 1 -d 0.2 -H -o pid,tid,comm,rss,pcpu,cmd
if expect_rc 0 "-J -n 1 -H (all tasks)"; then
	"$PY" - "$OUT" "$wl" >"$TS_TMP/py.out" 2>&1 <<'EOF'
import json, sys
doc = json.loads(open(sys.argv[1], encoding="utf-8").read())
wl = int(sys.argv[2])
rows = doc["tasks"]
errs = []
for r in rows:
    if list(r) != ["pid", "tid", "comm", "rss", "pcpu", "cmd", "unavailable"]:
        errs.append("keys %s" % list(r))
    # "unavailable" names exactly the null values of the row, each with why
    nulls = sorted(k for k, v in r.items() if v is None and k != "unavailable")
    why = r.get("unavailable")
    named = sorted(w.split(":")[0] for w in why.split(",")) if why else []
    if named != nulls or (why and not all(w.split(":")[1] in ("gone", "denied", "unsupported", "empty", "n/a")
                                          for w in why.split(","))):
        errs.append("unavailable %r does not name the null values %s: %r" % (why, nulls, r))
    # RSS is read from the process's statm after the scan: a process that ended between
    # the two is null with "rss:gone"; the test's own workload always has it
    gone = r["rss"] is None and "rss:gone" in (why or "").split(",") and r["pid"] != wl
    if type(r["pid"]) is not int or type(r["tid"]) is not int or (type(r["rss"]) is not int and not gone):
        errs.append("pid/tid/rss not integers: %r" % r)
    if r["pcpu"] is not None and (isinstance(r["pcpu"], bool) or not isinstance(r["pcpu"], (int, float))):
        errs.append("pcpu neither a number nor null: %r" % r)
    if not isinstance(r["comm"], str):
        errs.append("comm not a string: %r" % r)
    if r["cmd"] is not None and not isinstance(r["cmd"], str):
        errs.append("cmd neither a string nor null: %r" % r)
mine = [r for r in rows if r["pid"] == wl]
if len(mine) != 3:
    errs.append("the workload %d has %d rows, expected 3 (main + 2 workers)" % (wl, len(mine)))
if errs:
    sys.exit("\n".join(errs[:20]))
print("%d rows" % len(rows))
EOF
	py_verdict $? "$TS_TMP/py.out" "the all-tasks document is wrong" "$OUT"
fi

# ---- a stream -----------------------------------------------------------------------------------

check "-J -n 3 -d 0.1: a stream of exactly 3 documents"
ts stream -J -n 3 -d 0.1 -p "$wl"
if expect_rc 0 "-J -n 3"; then
	"$PY" - "$OUT" "$wl" >"$TS_TMP/py.out" 2>&1 <<'EOF'
import sys, tsjson
wl = int(sys.argv[2])
docs = tsjson.docs(sys.argv[1], encoding="utf-8")
if len(docs) != 3:
    sys.exit("%d documents, expected 3" % len(docs))
for n, d in enumerate(docs):
    if [r["pid"] for r in d["tasks"]] != [wl]:
        sys.exit("document %d does not have exactly the workload's row" % (n + 1))
print("3 documents")
EOF
	if [ $? -ne 0 ]; then
		fail "the stream is wrong" "$TS_TMP/py.out" "$OUT"
	else
		ok "python reads 3 documents"
	fi
	if command -v jq >/dev/null 2>&1; then
		n=$(jq -s length "$OUT" 2>"$TS_TMP/jq.err")
		if [ "$n" != 3 ]; then
			fail "jq -s length says '$n', expected 3" "$TS_TMP/jq.err" "$OUT"
		else
			ok "jq -s length: 3"
		fi
	else
		say "jq not installed: the jq check is not run (apt-get install jq)"
	fi
fi

# ---- null for what cannot be known ----------------------------------------------------------------

# A process that starts matching -C NAME only later (it execs and renames itself) was not in
# the previous sample although it is older than it: its interval columns cannot be computed
# on the sample it first appears in. JSON must say null there, not "-" or 0.
check "an interval value that cannot be computed is null in JSON"
name=tsnull$$
name=${name:0:15}
go=$TS_TMP/go
"$TSHELPER" name "$name" 600 >/dev/null &
a=$!
track "$a"
# b starts now, but takes the name only once taskscope has printed a document
(while [ ! -e "$go" ]; do sleep 0.05; done; exec "$TSHELPER" name "$name" 600 >/dev/null) &
b=$!
track "$b"
poll_until 5 grep -qx "$name" "/proc/$a/comm" || die "tshelper did not rename itself" "/proc/$a/comm"
ts_bg nulls -J -n $((10 * TS_SLOW)) -d 0.3 -C "$name" -o pid,comm,pcpu,minflt,vctx
poll_until 20 grep -q '"tasks"' "$OUT" || fail "no document within 20 s" "$OUT" "$ERR"
touch "$go"
ts_wait 60
if expect_rc 0 "-J -C $name"; then
	"$PY" - "$OUT" "$a" "$b" >"$TS_TMP/py.out" 2>&1 <<'EOF'
import json, sys, tsjson
text = open(sys.argv[1], encoding="utf-8").read()
a, b = int(sys.argv[2]), int(sys.argv[3])
docs = tsjson.docs(sys.argv[1], encoding="utf-8")
first = None
for n, d in enumerate(docs):
    rows = {r["pid"]: r for r in d["tasks"]}
    ra = rows.get(a)
    if ra is None or not all(isinstance(ra[k], (int, float)) for k in ("pcpu", "minflt", "vctx")):
        sys.exit("document %d: the long-running %d lacks numbers: %r" % (n + 1, a, ra))
    if b in rows and first is None:
        first = (n, rows[b])
if first is None:
    sys.exit("%d never appeared in %d documents" % (b, len(docs)))
n, rb = first
if n == 0:
    sys.exit("%d was there from the first document: the case was not produced" % b)
for k in ("pcpu", "minflt", "vctx"):
    if rb[k] is not None:
        sys.exit("document %d: %s of the newly matching %d is %r, expected null" % (n + 1, k, b, rb[k]))
if rb.get("unavailable") != "pcpu:n/a,minflt:n/a,vctx:n/a":
    sys.exit("document %d: unavailable of %d is %r, expected the three as n/a" % (n + 1, b, rb.get("unavailable")))
if '"-"' in text:
    sys.exit('"-" appears in the JSON')
print("document %d: %s" % (n + 1, json.dumps(rb)))
EOF
	py_verdict $? "$TS_TMP/py.out" "missing values are not null" "$OUT"
	if ! grep -qE '"pcpu": ?null' "$OUT"; then
		fail "the text has no literal '\"pcpu\": null'" "$OUT"
	fi
fi
stop "$a" "$b"

finish
