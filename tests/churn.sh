#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# churn.sh - taskscope under churn: in a private PID namespace with a low pid_max, tests/churner
# forks 4-thread processes with hostile names as fast as it can, while `taskscope -b -H -d 0.1`,
# `-J -H -d 0.1` and `maps`/`share` on churning PIDs run. No crash, no sanitizer report, a flat
# open-file count, no control byte in any output, no row that mixes two tasks.
# CHURN_SECONDS sets the duration (default 15).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need python churner

SECS=${CHURN_SECONDS:-15}
[[ $SECS =~ ^[0-9]+$ ]] && [ "$SECS" -ge 3 ] && [ "$SECS" -le 3600 ] ||
	die "CHURN_SECONDS='$SECS': a whole number of seconds from 3 to 3600"
PIDMAX=1024
[ "$(id -u)" -eq 0 ] || skip "needs root: unshare -p -f --mount-proc (a PID namespace with its own /proc)"
command -v nsenter >/dev/null || skip "nsenter not found (util-linux)"
unshare -p -f --mount-proc -- true 2>"$TS_TMP/unshare.err" ||
	skip "unshare -p -f --mount-proc is not permitted here: $(head -n 1 "$TS_TMP/unshare.err")"
T=$(cd "$(dirname "$TASKSCOPE")" && pwd)/$(basename "$TASKSCOPE")	# nsenter -m changes the cwd

# ---- the namespace and the churner ------------------------------------------------------------

# The churner runs as PID 1 of the namespace and sets its pid_max; the test ends it (SIGTERM)
# once its taskscope runs are done: when it ends, so does everything in the namespace, and a
# loaded machine takes longer than SECS for their samples (the limit is only a bound). It
# runs at nice 19: as fast as it can on idle CPUs, without starving the tests beside it.
unshare -p -f --mount-proc --kill-child -- nice -n 19 "$CHURNER" $((SECS * TS_SLOW + 60)) "$PIDMAX" \
	>"$TS_TMP/churner.out" 2>"$TS_TMP/churner.err" </dev/null &
NSU=$!
track "$NSU"
poll_until 5 grep -q '[0-9]' "/proc/$NSU/task/$NSU/children" || die "the PID namespace did not start"
NSINIT=$(awk '{ print $1 }' "/proc/$NSU/task/$NSU/children")
inns() { nsenter -t "$NSINIT" -p -m -- "$@"; }
# the churner (at nice 19: a loaded machine runs it late) sets pid_max first thing, or fails
pidmax_set() {
	nsmax=$(inns cat /proc/sys/kernel/pid_max 2>/dev/null)
	[ "$nsmax" = "$PIDMAX" ] || grep -q 'cannot set pid_max' "$TS_TMP/churner.err"
}
poll_until 10 pidmax_set || say "pid_max still '$nsmax' after $((10 * TS_SLOW)) s ($(load_line))"
if [ "$nsmax" = "$PIDMAX" ]; then
	say "pid_max in the namespace: $nsmax (per PID namespace on this kernel)"
elif grep -q 'cannot set pid_max' "$TS_TMP/churner.err"; then
	say "pid_max cannot be set in a PID namespace on this kernel ($(uname -r)): PIDs wrap only after the default pid_max, reuse is rarer"
	die "the churner could not start" "$TS_TMP/churner.err"
else
	die "the namespace's pid_max is '$nsmax', expected $PIDMAX" "$TS_TMP/churner.err"
fi

# hostpid_of NSENTER_PID: the process nsenter forked (the command it runs, in the namespace)
hostpid_of() {
	poll_until 5 grep -q '[0-9]' "/proc/$1/task/$1/children" || return 1
	awk '{ print $1 }' "/proc/$1/task/$1/children"
}
# open files other than the stat files kept open between samples (those follow the tasks alive)
# (the fewest of 10 looks 50 ms apart: a look in the middle of a scan also counts the
# directory and the file being read at that moment, which a leak does not explain)
fds() {
	local i n min=
	for i in 1 2 3 4 5 6 7 8 9 10; do
		n=$(other_fds "$1")
		[ -z "$min" ] || [ "$n" -lt "$min" ] && min=$n
		sleep 0.05
	done
	echo "$min"
}
kept() { ls -l "/proc/$1/fd" 2>/dev/null | grep -c '/task/[0-9]*/stat$'; }

# ---- taskscope under churn --------------------------------------------------------------------

N=$((SECS * 10))
inns "$T" -b -H -d 0.1 -n "$N" >"$TS_TMP/table.out" 2>"$TS_TMP/table.err" </dev/null &
tab_ns=$!
track "$tab_ns"
inns "$T" -J -H -d 0.1 -n "$N" -o pid,tid,start,state,comm >"$TS_TMP/json.out" 2>"$TS_TMP/json.err" </dev/null &
json_ns=$!
track "$json_ns"
# the function's subshell runs nsenter, which forks taskscope into the namespace
tab=$(hostpid_of "$tab_ns") && tab=$(hostpid_of "$tab") || die "taskscope -b -H did not start"
[ "$(cat "/proc/$tab/comm" 2>/dev/null)" = taskscope ] ||
	die "process $tab is '$(cat "/proc/$tab/comm" 2>/dev/null)', not taskscope -b -H"
# the baseline once two samples are out (what it opens for its first samples is there): a
# fixed second was not enough on a loaded machine (8 files then, 11 from the third sample)
poll_until 30 eval '[ "$(grep -c "^taskscope [0-9]" "$TS_TMP/table.out")" -ge 3 ]' ||
	die "taskscope -b -H printed no 3 tables" "$TS_TMP/table.out" "$TS_TMP/table.err"
fd0=$(fds "$tab")

# maps and share on whatever PIDs are there, over and over, until the end
inns bash -c '
	end=$(($(date +%s) + $2))
	while [ "$(date +%s)" -lt "$end" ]; do
		pids=(/proc/[0-9]*)
		pids=("${pids[@]#/proc/}")
		n=${#pids[@]}
		a=${pids[RANDOM % n]} b=${pids[RANDOM % n]}
		"$1" maps "$a" >>"$3/maps.out" 2>>"$3/maps.err" </dev/null
		echo "maps $a $?" >>"$3/rcs"
		"$1" share "$a" "$b" >>"$3/share.out" 2>>"$3/share.err" </dev/null
		echo "share $a $b $?" >>"$3/rcs"
		"$1" share -J "$a" "$b" >>"$3/sharej.out" 2>>"$3/sharej.err" </dev/null
		echo "share-J $a $b $?" >>"$3/rcs"
	done' probe "$T" $((SECS - 1)) "$TS_TMP" </dev/null &
probe=$!
track "$probe"

sleep $((SECS - 2))
fd1=$(fds "$tab")
kept1=$(kept "$tab")
OUT=$TS_TMP/table.out ERR=$TS_TMP/table.err TSPID=$tab_ns
ts_wait $((SECS * 4 + 30))
rc_tab=$RC
TSPID=$json_ns
ts_wait 30
rc_json=$RC
wait "$probe"
kill -TERM "$NSINIT" 2>/dev/null
TSPID=$NSU
ts_wait 30
churn=$(grep '^churn ' "$TS_TMP/churner.out")
say "churner: $churn"

# ---- verdicts -----------------------------------------------------------------------------------

check "taskscope -b -H -d 0.1 -n $N and -J -H -d 0.1 -n $N under churn exit 0"
if [ "$rc_tab" -ne 0 ] || [ "$rc_json" -ne 0 ]; then
	fail "exit statuses $rc_tab (table) and $rc_json (JSON)" "$TS_TMP/table.err" "$TS_TMP/json.err"
else
	ok "both exit 0; $(grep -c '^taskscope [0-9]' "$TS_TMP/table.out") tables"
fi

check "maps and share on churning PIDs: every run exits 0 (shown) or 1 (the process ended)"
nruns=$(wc -l <"$TS_TMP/rcs" 2>/dev/null || echo 0)
bad=$(awk '$NF != 0 && $NF != 1' "$TS_TMP/rcs" 2>/dev/null)
if [ "$nruns" -lt 10 ]; then
	fail "only $nruns runs of maps/share" "$TS_TMP/rcs"
elif [ -n "$bad" ]; then
	printf '%s\n' "$bad" >"$TS_TMP/bad.rcs"
	fail "runs with another exit status" "$TS_TMP/bad.rcs" "$TS_TMP/maps.err" "$TS_TMP/share.err"
else
	ok "$nruns runs: $(awk '$NF == 0' "$TS_TMP/rcs" | wc -l) exit 0, $(awk '$NF == 1' "$TS_TMP/rcs" | wc -l) exit 1"
fi

check "no sanitizer report in any stderr"
reports=$(cat "$TS_TMP"/*.err 2>/dev/null | grep -cE 'runtime error|ERROR: AddressSanitizer|LeakSanitizer')
[ "$reports" -eq 0 ] && ok "0 reports" || fail "$reports sanitizer lines" "$TS_TMP/table.err" "$TS_TMP/maps.err" "$TS_TMP/share.err"

check "the open-file count of taskscope -b -H is flat (start vs end, slack 2)"
if [ -z "$fd0" ] || [ -z "$fd1" ] || [ "$fd0" -eq 0 ]; then
	fail "could not count the open files of $tab: '$fd0' '$fd1'"
elif [ "$fd1" -gt $((fd0 + 2)) ]; then
	fail "open files grew from $fd0 to $fd1"
else
	ok "$fd0 open files after 3 samples, $fd1 near the end"
fi

# the files of the tasks of the last sample stay open until the next one: at most the
# churner's 32 processes of 4 tasks alive at once, plus the test's own tasks in the namespace
check "stat files kept open between samples: bounded by the tasks alive at once (4 x 32 + 32)"
if [ -z "$kept1" ] || [ "$kept1" -gt 160 ]; then
	fail "'$kept1' stat files kept open"
else
	ok "$kept1 kept open near the end"
fi

check "no control byte, C1 control or bidi control in any output, and valid UTF-8"
"$PY" - "$TS_TMP" >"$TS_TMP/bytes.out" 2>&1 <<'EOF'
import os, re, sys
d = sys.argv[1]
bad = []
total = 0
for f in sorted(os.listdir(d)):
    if not (f.endswith(".out") or f.endswith(".err")) or f.startswith(("churner", "bytes", "unshare")):
        continue
    data = open(os.path.join(d, f), "rb").read()
    total += len(data)
    for i, b in enumerate(data):
        if (b < 0x20 and b not in (0x0a, 0x09)) or b == 0x7f:
            bad.append("%s: byte 0x%02x at %d: %r" % (f, b, i, data[max(0, i - 20):i + 20]))
            break
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        bad.append("%s: invalid UTF-8 at %d: %r" % (f, e.start, data[max(0, e.start - 20):e.start + 20]))
        continue
    m = re.search("[\u0080-\u009f\u202a-\u202e\u2066-\u2069]", text)
    if m:
        bad.append("%s: U+%04X at %d: %r" % (f, ord(m.group()), m.start(), text[max(0, m.start() - 20):m.start() + 20]))
print("%d bytes of output checked" % total)
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF
py_verdict $? "$TS_TMP/bytes.out" "unsafe bytes in the output"

check "no row mixes two tasks: a churn task named c<ID> is on the row of TID ID (table and JSON)"
"$PY" - "$TS_TMP/table.out" "$TS_TMP/json.out" >"$TS_TMP/mix.out" 2>&1 <<'EOF'
import re, sys
import tsjson
name = re.compile(r"c(\d+)(\D|$)")
mixed, churn_rows, rows = [], 0, 0
# the table: COMM is the last column; its text starts under its heading
off = None
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    if re.match(r"taskscope \d\d:\d\d:\d\d ", line):
        off = None
        continue
    if off is None:
        if "COMM" in line.split():
            off = line.index("COMM")
        continue
    if not line or line.startswith("  - "):
        continue
    f = line.split()
    rows += 1
    m = name.match(line[off:])
    if m:
        churn_rows += 1
        if m.group(1) != f[1]:
            mixed.append("table: TID %s named %r" % (f[1], line[off:]))
# the JSON stream
docs = 0
starts = {}
for d in tsjson.docs(sys.argv[2], encoding="utf-8"):
    docs += 1
    for r in d["tasks"]:
        rows += 1
        m = name.match(r["comm"] or "")
        if m:
            churn_rows += 1
            if int(m.group(1)) != r["tid"]:
                mixed.append("json: TID %d named %r" % (r["tid"], r["comm"]))
        if r["pid"] == r["tid"] and r["start"]:
            starts.setdefault(r["pid"], set()).add(r["start"])
reused = sum(1 for s in starts.values() if len(s) > 1)
print("%d rows (%d JSON documents), %d of churn tasks; %d PIDs seen with two or more start times" %
      (rows, docs, churn_rows, reused))
for m in mixed[:20]:
    print(m)
if churn_rows < 100:
    print("too few rows of churn tasks: the churn was not seen")
    sys.exit(1)
sys.exit(1 if mixed else 0)
EOF
py_verdict $? "$TS_TMP/mix.out" "mixed or missing rows"

check "the churner forked and PIDs were reused"
if [[ $churn =~ forks=([0-9]+)\ seconds=([0-9.]+)\ rate=([0-9]+)\ pid_max=([0-9]+)\ reused=([0-9]+) ]] &&
	[ "${BASH_REMATCH[1]}" -gt 0 ] && [ "${BASH_REMATCH[5]}" -gt 0 ]; then
	ok "${BASH_REMATCH[1]} forks of 4-thread processes in ${BASH_REMATCH[2]} s: ${BASH_REMATCH[3]}/s; pid_max ${BASH_REMATCH[4]}; ${BASH_REMATCH[5]} PIDs handed out by fork() more than once; taskscope saw $(sed -n 's/.*; \([0-9]*\) PIDs seen with two.*/\1/p' "$TS_TMP/mix.out") PIDs with two or more start times"
else
	fail "the churner says '$churn'" "$TS_TMP/churner.out" "$TS_TMP/churner.err"
fi

finish
