#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# recordcgroup.sh - a recording keeps each task's cgroup (issue 16): a workload recorded
# while it is moved from one cgroup made for the run into another (one with an escape
# sequence in its name) replays with the CGROUP the live view showed at each moment; each
# path is stored once, and a task's row only when its cgroup changed
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
lib=$(dirname "$0")/lib.sh
[ -r "$lib" ] || lib=${top_srcdir:-.}/tests/lib.sh
. "$lib" || exit 99

command -v sqlite3 >/dev/null || skip "the sqlite3 command line is not installed (apt-get install sqlite3)"
name=ts-rcg-$TS_RUN
a=$MEMCG/$name
b=$MEMCG/$name/$'odd \e[31m'$name
v1_cgroups "this test moves a task between v1 cgroups" "$a" "$b"


start_workload --threads 2 --name "rcg$TS_RUN"
cg_move "$WL_PID" "$a"

db=$TS_TMP/cg.db
# -readonly: a read before record created the file must not create it
samples() { sqlite3 -readonly "$db" "SELECT max(seq) FROM samples" 2>/dev/null; }
at_least() { local n; n=$(samples); [ -n "$n" ] && [ "$n" -ge "$1" ]; }
ts_bg record record -o "$db" -d 0.1 -p "$WL_PID"
poll_until 30 at_least 2 || die "no 2 samples in $db" "$ERR"
moved_after=$(samples)
cg_move "$WL_PID" "$b"
poll_until 30 at_least $((moved_after + 3)) || die "no samples after the move in $db" "$ERR"
kill -INT "$TSPID"
ts_wait 30
check "record ends with status 0"
expect_rc 0 "record"

# the CGROUP of each of the workload's rows, per sample, against the live raw view's now
ts live-raw -r -H -o PID,TID,CGROUP -n 1 -p "$WL_PID"
shown_b=$(awk -v p="$WL_PID" '$1 == p { print substr($0, length($1 " " $2 " ") + 1); exit }' "$OUT")
case $shown_b in
"/$name/odd"*) ;;
*) die "the live view shows the cgroup '$shown_b'" "$OUT" "$ERR" ;;
esac
ts replay replay -r -H -o PID,TID,CGROUP "$db"
check "replay -o CGROUP: every row of the workload in a cgroup of the run, first /$name, then the other"
CG_A=/$name CG_B=$shown_b awk -v p="$WL_PID" '
	BEGIN { a = ENVIRON["CG_A"]; b = ENVIRON["CG_B"] }
	$1 == "PID" { n++; next }
	$1 == p { c = substr($0, length($1 " " $2 " ") + 1)
		  if (c == a) { if (seen_b) bad = 1; na++ }
		  else if (c == b) { seen_b = 1; nb++ }
		  else bad = 1 }
	END { exit !(!bad && na >= 3 && nb >= 2 * 3) }' "$OUT" && ok "the first, then the second" ||
	fail "CGROUP wrong or missing" "$OUT" "$ERR"

ts live -J -H -o PID,TID,CGROUP -n 1 -p "$WL_PID"
cp "$OUT" "$TS_TMP/live.json"
ts replay-json replay -J -H -o PID,TID,CGROUP "$db"
check "replay -J: the cgroup of the last sample's rows is the one the live JSON shows now"
need_python
if "$PY" - "$OUT" "$TS_TMP/live.json" "$WL_PID" >"$TS_TMP/cmp.txt" 2>&1 <<'PY'
import sys
from tsjson import docs
pid = int(sys.argv[3])
rep = [(t["tid"], t["cgroup"]) for t in docs(sys.argv[1])[-1]["tasks"] if t["pid"] == pid]
live = [(t["tid"], t["cgroup"]) for t in docs(sys.argv[2])[-1]["tasks"] if t["pid"] == pid]
assert len(rep) == 3 and rep == live, "replay %r, live %r" % (rep, live)
assert "rcg" in rep[0][1] and "odd" in rep[0][1], rep
print(rep[0][1])
PY
then
	ok "$(cat "$TS_TMP/cmp.txt")"
else
	fail "the JSON's cgroup" "$TS_TMP/cmp.txt" "$OUT"
fi

check "each path stored once; a thread's cgroup row only when it changed (2 each)"
q=$(sqlite3 "$db" "SELECT count(*) FROM text WHERE text = '/$name';
	SELECT count(*) FROM val v JOIN task t ON t.id = v.task WHERE t.pid = $WL_PID
	GROUP BY t.id" 2>&1)
[ "$q" = $'1\n2\n2\n2' ] && ok "$(echo $q)" || fail "sqlite3 says $(echo $q)"

check "the changes view has the cgroup"
q=$(sqlite3 "$db" "SELECT count(DISTINCT cgroup) FROM changes WHERE pid = $WL_PID" 2>&1)
[ "$q" = 2 ] && ok "2 cgroups" || fail "sqlite3 says $q"

# cpus FILE --cgroup: a process is selected in the samples that recorded it in or below PATH
total=$(samples)
cpus_samples() {
	"$PY" - "$OUT" "$WL_PID" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
th = [t for t in d["threads"] if t["pid"] == int(sys.argv[2])]
others = [t for t in d["threads"] if t["pid"] != int(sys.argv[2])]
print(len(th), len(others), " ".join(sorted(set(str(t["samples"]) for t in th))))
PY
}
ts cg-parent cpus -J --cgroup "/$name" "$db"
check "cpus FILE --cgroup /$name (the first cgroup, the second is below it): 3 threads in all $total samples"
expect_rc 0 "cpus --cgroup FILE" && got=$(cpus_samples) &&
	{ [ "$got" = "3 0 $total" ] && ok "$got" || fail "threads, others, samples: '$got'" "$OUT"; }
ts cg-child cpus -J --cgroup "${b#"$MEMCG"}" "$db"
check "cpus FILE --cgroup with the escape in the name: only the samples after the move"
if expect_rc 0 "cpus --cgroup FILE (the second)" && got=$(cpus_samples); then
	read -r nt no ns <<<"$got"
	# sample moved_after was read before the move; the next one may have been read before
	# it too (it was being taken while the test moved the process); all later ones after
	if [ "$nt" = 3 ] && [ "$no" = 0 ] && [ "$ns" -ge $((total - moved_after - 1)) ] &&
	   [ "$ns" -le $((total - moved_after)) ]; then
		ok "3 threads in $ns of $total samples (moved after sample $moved_after)"
	else
		fail "threads, others, samples: '$got' of $total, moved after $moved_after" "$OUT"
	fi
fi
ts cg-ctrl cpus --cgroup "memory:/$name" "$db"
check "cpus FILE --cgroup CONTROLLER:PATH: a usage error (a recording has one path a process)"
expect_rc 2 "cpus --cgroup memory:PATH FILE" && { grep -q "without a controller" "$ERR" &&
	ok "$(head -n1 "$ERR")" || fail "the message does not say why" "$ERR"; }
ts cg-old cpus --cgroup "/$name" "$TS_SRCDIR/tests/fixtures/recording/v1.db"
check "cpus FILE --cgroup on a recording of schema 1: it has no cgroups, said so"
expect_rc 1 "cpus --cgroup v1.db" && { grep -q "has no cgroups" "$ERR" &&
	ok "$(head -n1 "$ERR")" || fail "the message does not say why" "$ERR"; }
finish
