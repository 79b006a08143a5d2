#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# keptfd.sh - stat files kept open between samples: held, bounded by RLIMIT_NOFILE, the same
# rows with few descriptors as with many, a reused TID never read through the old task's file,
# and a spawned job neither sees them nor inherits the raised descriptor limit.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need_python

T=$(cd "$(dirname "$TASKSCOPE")" && pwd)/$(basename "$TASKSCOPE")
LOW=64		# ulimit -n: the budget is a quarter of it, far below the workload's tasks
NAME=kf$RANDOM
start_workload --threads 199 --sleep --name "$NAME"
ntids=$(ls "/proc/$WL_PID/task" | wc -l)

# stat files of the workload that taskscope process $1 holds open
kept_of() {
	ls -l "/proc/$1/fd" 2>/dev/null | grep -c " -> /proc/$WL_PID/task/[0-9]*/stat\$"
}
# the sorted rows (pid tid start comm) of the last table in $1
rows_of() { last_table "$1" | awk '{ print $1, $2, $3, $4 }' | sort; }

# ---- held open, and bounded -------------------------------------------------------------

check "taskscope -b -H -p WORKLOAD keeps each of its $ntids tasks' stat open between samples"
ts_bg held -b -H -d 0.2 -n 100000 -p "$WL_PID" -o pid,tid,start,comm
held_pid=$TSPID
if poll_until 20 eval '[ "$(kept_of "$held_pid")" -ge "$ntids" ]'; then
	ok "$(kept_of "$held_pid") of its stat files open in taskscope $held_pid"
else
	fail "only $(kept_of "$held_pid") of $ntids stat files held open by $held_pid" "$ERR"
fi
stop "$held_pid"

check "under ulimit -n $LOW: at most a quarter of the limit held, the rest read and closed"
(ulimit -n "$LOW" && exec "$T" -b -H -d 0.2 -n 100000 -p "$WL_PID" -o pid,tid,start,comm) \
	>"$TS_TMP/lowheld.out" 2>"$TS_TMP/lowheld.err" </dev/null &
low_pid=$!
track "$low_pid"
if ! poll_until 20 grep -q '^taskscope .* read without a kept-open file' "$TS_TMP/lowheld.out"; then
	fail "no header saying tasks were read without a kept-open file" "$TS_TMP/lowheld.out" \
		"$TS_TMP/lowheld.err"
else
	k=$(kept_of "$low_pid")
	if [ "$k" -gt $((LOW / 4)) ] || [ "$k" -lt 1 ]; then
		fail "$k stat files held, expected 1 to $((LOW / 4))"
	else
		ok "$k held; header: $(grep -m1 -o '[0-9]* tasks read without.*' "$TS_TMP/lowheld.out")"
	fi
fi
stop "$low_pid"

# ---- the same rows either way --------------------------------------------------------------

check "the same rows with ulimit -n $LOW (fallback) as with the raised limit"
ts many -b -H -d 0.2 -n 3 -p "$WL_PID" -o pid,tid,start,comm
many_rc=$RC
(ulimit -n "$LOW" && exec timeout -k 5 $((60 * TS_SLOW)) "$T" -b -H -d 0.2 -n 3 -p "$WL_PID" \
	-o pid,tid,start,comm) >"$TS_TMP/few.out" 2>"$TS_TMP/few.err" </dev/null
few_rc=$?
rows_of "$TS_TMP/many.out" >"$TS_TMP/many.rows"
rows_of "$TS_TMP/few.out" >"$TS_TMP/few.rows"
ls "/proc/$WL_PID/task" | sort >"$TS_TMP/tids"
if [ "$many_rc" -ne 0 ] || [ "$few_rc" -ne 0 ]; then
	fail "exit statuses $many_rc and $few_rc" "$TS_TMP/many.err" "$TS_TMP/few.err"
elif ! cmp -s "$TS_TMP/many.rows" "$TS_TMP/few.rows"; then
	diff "$TS_TMP/many.rows" "$TS_TMP/few.rows" >"$TS_TMP/rows.diff"
	fail "the rows differ" "$TS_TMP/rows.diff"
elif ! awk '{ print $2 }' "$TS_TMP/few.rows" | sort | cmp -s - "$TS_TMP/tids"; then
	fail "the rows are not the workload's tasks" "$TS_TMP/few.rows" "$TS_TMP/tids"
elif grep -q 'read without a kept-open file' "$TS_TMP/many.out"; then
	fail "with the raised limit the header still names a fallback" "$TS_TMP/many.out"
else
	ok "$(wc -l <"$TS_TMP/few.rows") rows, identical"
fi

check "-J under ulimit -n $LOW: kept_files says how many tasks were read without one"
(ulimit -n "$LOW" && exec timeout -k 5 $((60 * TS_SLOW)) "$T" -J -H -n 1 -p "$WL_PID" \
	-o pid,tid,comm) >"$TS_TMP/few.json" 2>"$TS_TMP/few.jerr" </dev/null
"$PY" - "$TS_TMP/few.json" "$ntids" "$LOW" >"$TS_TMP/json.check" 2>&1 <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
n, low = int(sys.argv[2]), int(sys.argv[3])
k = d.get("kept_files")
if not isinstance(k, dict) or set(k) != {"open", "fallback"}:
    sys.exit("kept_files is %r" % (k,))
if not (0 < k["open"] <= low // 4) or k["open"] + k["fallback"] < n or len(d["tasks"]) != n:
    sys.exit("kept_files %r with %d rows of %d tasks, limit %d" % (k, len(d["tasks"]), n, low))
print("kept_files %r, %d rows" % (k, len(d["tasks"])))
EOF
[ $? -eq 0 ] && ok "$(cat "$TS_TMP/json.check")" || fail "bad JSON" "$TS_TMP/json.check" "$TS_TMP/few.jerr"

# ---- the last sample ----------------------------------------------------------------------

check "the last sample closes each stat file right after reading it (-n 2: kept by the first)"
if ! command -v strace >/dev/null; then
	say "no strace: not checked"
else
	strace -qq -e trace=pread64,close -o "$TS_TMP/last.strace" "$T" -b -H -n 2 -d 0.1 \
		-p "$WL_PID" -o pid,tid,comm >"$TS_TMP/last.out" 2>"$TS_TMP/last.err" </dev/null
	# a pread of a descriptor followed at once by its close
	pairs=$(awk -F'[(,)]' '$1 == "pread64" { fd = $2; next }
			       $1 == "close" && $2 == fd { n++ } { fd = "" }
			       END { print n + 0 }' "$TS_TMP/last.strace")
	rows=$(last_table "$TS_TMP/last.out" | wc -l)
	if [ "$rows" -eq "$ntids" ] && [ "$pairs" -ge "$ntids" ]; then
		ok "$rows rows; $pairs stat files closed just after their last read"
	else
		fail "$rows rows of $ntids; $pairs files closed right after a read (want $ntids)" \
			"$TS_TMP/last.err"
	fi
fi

# ---- a spawned job -----------------------------------------------------------------------

check "a spawned job gets the soft descriptor limit taskscope was given, and none of its files"
(ulimit -Sn 200 && exec timeout -k 5 $((60 * TS_SLOW)) "$T" -b -n 2 -d 0.2 -- \
	sh -c 'ulimit -Sn >"$1/job.limit"; ls /proc/self/fd >"$1/job.fds"' job "$TS_TMP") \
	>"$TS_TMP/job.out" 2>"$TS_TMP/job.err" </dev/null
job_rc=$?
if [ "$job_rc" -ne 0 ] || [ ! -s "$TS_TMP/job.limit" ]; then
	fail "exit status $job_rc, no limit written" "$TS_TMP/job.err"
elif [ "$(cat "$TS_TMP/job.limit")" != 200 ]; then
	fail "the job's soft limit is $(cat "$TS_TMP/job.limit"), expected 200"
elif [ "$(wc -l <"$TS_TMP/job.fds")" -gt 4 ]; then
	fail "the job holds descriptors beyond 0-2 and ls's own" "$TS_TMP/job.fds"
else
	ok "soft limit 200, descriptors $(tr '\n' ' ' <"$TS_TMP/job.fds")"
fi

# ---- a reused TID --------------------------------------------------------------------------

check "a TID reused while its old task's stat is held open shows the new task"
if [ "$(id -u)" -ne 0 ] || ! unshare -p -f --mount-proc -- true 2>/dev/null; then
	say "skipped: needs root and unshare -p -f --mount-proc (a PID namespace of our own)"
else
	# In a PID namespace of its own: task A (named $NAME-a) is seen and its stat held;
	# A ends, ns_last_pid makes the next fork get A's PID: task B (named $NAME-b).
	cp /bin/sleep "$TS_TMP/$NAME-a" && cp /bin/sleep "$TS_TMP/$NAME-b" || die "cannot copy sleep"
	cat >"$TS_TMP/inner.sh" <<'EOF'
d=$1 t=$2 name=$3 lim=$4
until_do() {	# until_do SECONDS CMD...: poll every 50 ms
	local end=$((SECONDS + $1)); shift
	until "$@"; do [ "$SECONDS" -lt "$end" ] || return 1; sleep 0.05; done
}
seen() { grep -q " $1\$" "$d/reuse.out"; }
"$d/$name-a" 600 & a=$!
"$t" -b -H -d 0.1 -n 1000000 -o pid,tid,start,comm >"$d/reuse.out" 2>"$d/reuse.err" </dev/null &
tp=$!
until_do "$lim" seen "$name-a" || { echo "A never seen" >"$d/inner.err"; exit 1; }
until_do "$lim" eval '[ -n "$(ls -l /proc/$tp/fd | grep " -> /proc/$a/task/$a/stat\$")" ]'
ls -l "/proc/$tp/fd" | grep -c " -> /proc/$a/task/$a/stat\$" >"$d/held.a"
kill "$a"; wait "$a"
echo $((a - 1)) >/proc/sys/kernel/ns_last_pid
"$d/$name-b" 600 & b=$!
echo "$a $b" >"$d/pids"
until_do "$lim" seen "$name-b" || echo "B never seen" >"$d/inner.err"
# two more tables after B was first shown
n=$(grep -c '^taskscope ' "$d/reuse.out")
until_do "$lim" eval '[ "$(grep -c "^taskscope " "$d/reuse.out")" -ge $((n + 2)) ]'
kill "$tp" "$b"; wait
EOF
	timeout -k 5 $((120 * TS_SLOW)) unshare -p -f --mount-proc -- bash "$TS_TMP/inner.sh" \
		"$TS_TMP" "$T" "$NAME" $((30 * TS_SLOW)) >"$TS_TMP/inner.out" 2>&1 </dev/null
	read -r pa pb <"$TS_TMP/pids" 2>/dev/null
	"$PY" - "$TS_TMP/reuse.out" "$NAME" "${pa:-0}" >"$TS_TMP/reuse.check" 2>&1 <<'EOF'
import re, sys
path, name, pid = sys.argv[1], sys.argv[2], sys.argv[3]
tables, cur = [], None
for line in open(path, encoding="utf-8"):
    if re.match(r"taskscope \d\d:\d\d:\d\d ", line):
        cur = []
        tables.append(cur)
    elif cur is not None:
        f = line.split()
        if len(f) >= 4 and f[0] == pid:
            cur.append((f[2], f[3]))
names = [t[0][1] if t else None for t in tables]
if name + "-b" not in names:
    sys.exit("PID %s never shown as %s-b: %s" % (pid, name, names[-10:]))
first_b = names.index(name + "-b")
after = [n for n in names[first_b:] if n is not None]
starts = {s for t in tables for (s, c) in t if c == name + "-a"}
bstarts = {s for t in tables for (s, c) in t if c == name + "-b"}
if name + "-a" not in names[:first_b]:
    sys.exit("A was not shown at PID %s before B" % pid)
if any(n != name + "-b" for n in after):
    sys.exit("after B showed, PID %s was shown as %s" % (pid, after))
print("PID %s: %s-a in %d tables, then %s-b in %d (started %s, then %s)" %
      (pid, name, names.count(name + "-a"), name, len(after), sorted(starts), sorted(bstarts)))
EOF
	rc=$?
	if [ -s "$TS_TMP/inner.err" ]; then
		fail "$(cat "$TS_TMP/inner.err")" "$TS_TMP/inner.out" "$TS_TMP/reuse.err"
	elif [ -z "${pa:-}" ] || [ "$pa" != "$pb" ]; then
		fail "ns_last_pid did not hand A's PID '${pa:-}' to B '${pb:-}'" "$TS_TMP/inner.out"
	elif [ "$(cat "$TS_TMP/held.a" 2>/dev/null)" != 1 ]; then
		fail "taskscope did not hold A's stat open ('$(cat "$TS_TMP/held.a" 2>/dev/null)')" \
			"$TS_TMP/inner.out"
	elif [ "$rc" -ne 0 ]; then
		fail "$(cat "$TS_TMP/reuse.check")" "$TS_TMP/reuse.err"
	else
		ok "$(cat "$TS_TMP/reuse.check"); A's stat was held open when it ended"
	fi
fi

finish
