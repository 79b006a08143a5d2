#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rssexact.sh - RSS is the kernel's exact figure: RSSANON + RSSFILE + RSSSHMEM of the same row,
# and smaps_rollup's Rss for every process whose memory did not change while it was read.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need python

need_proc smaps_rollup
need_root "it compares every process's RSS with its smaps_rollup"

name=rssx$$
start_workload --procs 2 --mem 24M --shared 8M --name "$name"
procs_pid=$WL_PID procs_tids=$WL_TIDLIST
start_workload --threads 3 --mem 8M --name "$name"
threads_pid=$WL_PID

# rollups FILE: "pid rss_bytes" of every process whose smaps_rollup has an Rss line
rollups() {
	"$PY" - >"$1" <<'PYEOF'
import os
for d in os.listdir("/proc"):
    if not d.isdigit():
        continue
    try:
        with open("/proc/%s/smaps_rollup" % d) as f:
            for line in f:
                if line.startswith("Rss:"):
                    print(d, int(line.split()[1]) * 1024)
                    break
    except OSError:
        pass
PYEOF
}

# verify JSON BEFORE AFTER MODE: every row of the last document against the rollups read
# before and after it; MODE "sum" also checks RSS = RSSANON + RSSFILE + RSSSHMEM.
# Prints "bad ..." lines, then one "summary ..." line; the test's own PIDs must be compared.
verify() {
	"$PY" - "$@" "$procs_pid $procs_tids $threads_pid" <<'PYEOF'
import sys, time
from tsjson import last
path, before, after, mode, ours = sys.argv[1:6]
doc = last(path)
def moves(pid, v):
    # another process of the system may go up and back down while it was read: read it
    # ten more times; any other value means it was not still
    for _ in range(10):
        try:
            with open("/proc/%d/smaps_rollup" % pid) as f:
                r = [int(l.split()[1]) * 1024 for l in f if l.startswith("Rss:")]
        except OSError:
            return True
        if r != [v]:
            return True
        time.sleep(0.01)
    return False
def load(p):
    return {int(a): int(b) for a, b in (l.split() for l in open(p))}
b, a = load(before), load(after)
ours = {int(x) for x in ours.split()}
rows = compared = changed = summed = 0
seen_ours = set()
for r in doc["tasks"]:
    pid = r["pid"]
    rows += 1
    rss = r.get("rss")
    if rss is None:
        continue
    if mode == "sum":
        parts = [r.get("rssanon"), r.get("rssfile"), r.get("rssshmem")]
        if None in parts:
            print("bad pid %d: RSS %d but a part is missing %r" % (pid, rss, parts))
        elif rss != sum(parts):
            print("bad pid %d: RSS %d != RSSANON+RSSFILE+RSSSHMEM %d (%r)" % (pid, rss, sum(parts), parts))
        else:
            summed += 1
    if pid not in b or pid not in a:
        continue
    if b[pid] != a[pid]:
        changed += 1	# its memory moved while we looked: no exact answer to hold it to
        continue
    if rss != b[pid] and pid not in ours and moves(pid, b[pid]):
        changed += 1	# same before and after, but it moves (and may have moved back)
        continue
    compared += 1
    if pid in ours:
        seen_ours.add(pid)
    if rss != b[pid]:
        if pid in ours:
            print("bad pid %d: RSS %d, smaps_rollup Rss %d (read before and after, unchanged)" % (pid, rss, b[pid]))
        else:
            # another run's process may move and move back between our reads (more often
            # on a busy machine): the shell reads it again alone (recheck)
            print("suspect %d %d %d" % (pid, rss, b[pid]))
missing = ours - seen_ours
if missing:
    print("bad: the test's own processes %s were not compared (changed or missing)" % sorted(missing))
print("summary rows=%d compared=%d changed=%d summed=%d" % (rows, compared, changed, summed))
PYEOF
}

# rollup_of PID: smaps_rollup's Rss of PID in bytes (empty when it is gone)
rollup_of() {
	awk '$1 == "Rss:" { print $2 * 1024; exit }' "/proc/$1/smaps_rollup" 2>/dev/null
}

# recheck VFILE TASKSCOPE-ARGS...: a process not ours whose RSS differed from smaps_rollup
# ("suspect" lines of verify) is read again alone, up to 3 times, between two reads of its
# smaps_rollup: once both agree while it is still, the first difference was its memory
# moving (and moving back) while it was read. Still different 3 times: a "bad" line.
recheck() {
	local v=$1 pid rss roll try r0 r1 got
	shift
	while read -r _ pid rss roll; do
		for try in 1 2 3; do
			r0=$(rollup_of "$pid")
			[ -n "$r0" ] || break	# gone
			got=$("$TASKSCOPE" -b -J -n 1 -d 0 -p "$pid" "$@" 2>/dev/null </dev/null |
				"$PY" -c 'import json,sys; print(json.load(sys.stdin)["tasks"][0]["rss"])' 2>/dev/null)
			r1=$(rollup_of "$pid")
			[ -n "$r1" ] || break
			if [ "$r0" = "$r1" ] && [ "$got" = "$r0" ]; then
				say "pid $pid (not ours): RSS $rss vs smaps_rollup $roll in the whole-system read, equal when read alone (try $try): it moved while read ($(load_line))"
				continue 2
			fi
		done
		if [ -n "$r0" ] && [ -n "$r1" ]; then
			echo "bad pid $pid (not ours): RSS $rss, smaps_rollup Rss $roll, and read alone 3 times still different (last: $got vs $r0/$r1)" >>"$v"
		else
			say "pid $pid (not ours): RSS $rss vs smaps_rollup $roll; it ended before a second read"
		fi
	done < <(grep '^suspect ' "$v")
}

check "process rows, RSS with its parts (status): RSS = RSSANON+RSSFILE+RSSSHMEM and = smaps_rollup Rss"
rollups "$TS_TMP/b1"
ts sum -b -J -n 1 -d 0 -o pid,rss,rssanon,rssfile,rssshmem,comm
rollups "$TS_TMP/a1"
if expect_rc 0 "-J -o pid,rss,rssanon,rssfile,rssshmem"; then
	verify "$OUT" "$TS_TMP/b1" "$TS_TMP/a1" sum >"$TS_TMP/v1"
	recheck "$TS_TMP/v1" -o pid,rss,rssanon,rssfile,rssshmem,comm
	if grep -q '^bad' "$TS_TMP/v1"; then
		fail "RSS is not exact" "$TS_TMP/v1"
	else
		ok "$(tail -n 1 "$TS_TMP/v1")"
	fi
fi

check "default columns (RSS alone, from statm): RSS = smaps_rollup Rss"
rollups "$TS_TMP/b2"
ts plain -b -J -n 1 -d 0
rollups "$TS_TMP/a2"
if expect_rc 0 "-J (default columns)"; then
	verify "$OUT" "$TS_TMP/b2" "$TS_TMP/a2" plain >"$TS_TMP/v2"
	recheck "$TS_TMP/v2"
	if grep -q '^bad' "$TS_TMP/v2"; then
		fail "RSS is not exact" "$TS_TMP/v2"
	else
		ok "$(tail -n 1 "$TS_TMP/v2")"
	fi
fi

check "RSS without stat columns (-o pid,rss): RSS = smaps_rollup Rss"
rollups "$TS_TMP/b4"
ts bare -b -J -n 1 -d 0 -o pid,rss
rollups "$TS_TMP/a4"
if expect_rc 0 "-J -o pid,rss"; then
	verify "$OUT" "$TS_TMP/b4" "$TS_TMP/a4" plain >"$TS_TMP/v4"
	recheck "$TS_TMP/v4" -o pid,rss
	if grep -q '^bad' "$TS_TMP/v4"; then
		fail "RSS is not exact" "$TS_TMP/v4"
	else
		ok "$(tail -n 1 "$TS_TMP/v4")"
	fi
fi

check "thread rows (-H): each thread shows its process's exact RSS"
rollups "$TS_TMP/b3"
ts threads -b -H -J -n 1 -d 0 -p "$threads_pid" -o pid,tid,rss,rssanon,rssfile,rssshmem
rollups "$TS_TMP/a3"
if expect_rc 0 "-H -J -p $threads_pid"; then
	procs_pid=$threads_pid procs_tids='' verify "$OUT" "$TS_TMP/b3" "$TS_TMP/a3" sum >"$TS_TMP/v3"
	n=$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["tasks"]))' "$OUT" 2>/dev/null)
	if grep -q '^bad' "$TS_TMP/v3"; then
		fail "thread rows' RSS is not exact" "$TS_TMP/v3" "$OUT"
	elif [ "${n:-0}" -lt 4 ]; then
		fail "expected the main thread and 3 workers, got ${n:-no} rows" "$OUT"
	else
		ok "$n thread rows: $(tail -n 1 "$TS_TMP/v3")"
	fi
fi

finish
