#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# batchorder.sh - batch --sort (natural order per column, '-' reverses, unknown values last),
# --totals (the sums of the rows), --tree (children under their parent, threads under -H)
# and -p PID --children, on workloads this test starts.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need python

need_proc smaps_rollup "USS"

start_workload_as p8 --threads 1 --mem 8M --name "bo8m$$"
start_workload_as p128 --threads 1 --mem 128M --name "bo128m$$"
start_workload_as p64 --threads 1 --mem 64M --name "bo64m$$"
start_workload --procs 2 --name "botree$$"
tparent=$WL_PID tkids=$WL_TIDLIST
start_workload_as thr --threads 3 --name "bothr$$"

# py FILE SCRIPT [ARGS]: run SCRIPT with doc (the last JSON document of FILE) and argv
py() {
	local f=$1 s=$2
	shift 2
	"$PY" - "$f" "$@" <<PYEOF
import sys
from tsjson import last
doc = last(sys.argv[1])
args = sys.argv[2:]
$s
PYEOF
}

ORDER='
rows = doc["tasks"]
pos = {r["pid"]: i for i, r in enumerate(rows)}
want = [int(a) for a in args[1:]]
where = [pos.get(p) for p in want]
if None in where:
    print("missing: %r" % [p for p, w in zip(want, where) if w is None])
elif where != sorted(where):
    print("order: pids %r at rows %r" % (want, where))
key = args[0]
known = [i for i, r in enumerate(rows) if r.get(key) is not None]
unknown = [i for i, r in enumerate(rows) if r.get(key) is None]
if known and unknown and min(unknown) < max(known):
    print("a row without %s (row %d) comes before a known one (row %d)" % (key, min(unknown), max(known)))
vals = [rows[i][key] for i in known]
'

check "--sort uss: the 128, 64 and 8 MiB workloads in that order, rows without USS last"
ts uss -b -J -n 1 -d 0 --sort uss -o pid,uss,comm
if expect_rc 0 "--sort uss"; then
	res=$(py "$OUT" "$ORDER"'
if vals != sorted(vals, reverse=True):
    print("USS values not descending")' uss "$p128" "$p64" "$p8")
	if [ -n "$res" ]; then fail "--sort uss: $res" "$OUT"; else ok "largest USS first"; fi
fi

check "--sort -uss reverses: 8, 64, 128 MiB; rows without USS still last"
ts ussrev -b -J -n 1 -d 0 --sort=-uss -o pid,uss,comm
if expect_rc 0 "--sort -uss"; then
	res=$(py "$OUT" "$ORDER"'
if vals != sorted(vals):
    print("USS values not ascending")' uss "$p8" "$p64" "$p128")
	if [ -n "$res" ]; then fail "--sort -uss: $res" "$OUT"; else ok "smallest USS first"; fi
fi

check "--sort comm,pid: names ascending, a name's PIDs ascending; a sort column need not be shown"
ts names -b -J -n 1 -d 0 --sort comm,pid -o pid,comm
ts byrss -b -J -n 1 -d 0 --sort rss -o pid
if expect_rc 0 "--sort comm,pid"; then
	res=$(py "$TS_TMP/names.out" '
rows = [(r["comm"], r["pid"]) for r in doc["tasks"]]
if rows != sorted(rows):
    print("not by name then PID")')
	res2=$(py "$TS_TMP/byrss.out" '
rows = doc["tasks"]
pos = {r["pid"]: i for i, r in enumerate(rows)}
if not (pos['"$p128"'] < pos['"$p64"'] < pos['"$p8"']):
    print("--sort rss without an RSS column: not 128 > 64 > 8 MiB")')
	if [ -n "$res$res2" ]; then fail "$res $res2" "$TS_TMP/names.out" "$TS_TMP/byrss.out"
	else ok "by name, then PID; by RSS without showing it"; fi
fi

check "--sort with an unknown column: a usage error naming it"
ts badsort -b -n 1 --sort "rss,nosuch$$"
if expect_rc 2 "--sort rss,nosuch"; then
	if grep -q "unknown column 'nosuch$$' in --sort" "$ERR"; then ok "message names it"
	else fail "no message naming the column" "$ERR"; fi
fi

# totals FILE COLS...: the totals object equals the sums of the rows (once a process with -H)
SUMS='
rows = doc["tasks"]
tot = doc.get("totals")
threads = args[0] == "H"
if tot is None:
    print("no totals object")
    sys.exit(0)
if tot.get("rows") != len(rows):
    print("totals rows %r, %d rows" % (tot.get("rows"), len(rows)))
for k in args[1:]:
    once = threads and k not in ("minflt",)
    s = sum(r[k] for r in rows if r.get(k) is not None and (not once or r["tid"] == r["pid"]))
    if tot.get(k) != s:
        print("total %s %r, rows sum to %r" % (k, tot.get(k), s))
'
check "--totals (JSON): a totals object whose values are the sums of the rows"
ts tot -b -J -n 1 -d 0 --totals -o pid,rss,pss,uss,nlwp,minflt,comm
if expect_rc 0 "-J --totals"; then
	res=$(py "$OUT" "$SUMS" P rss pss uss nlwp minflt)
	if [ -n "$res" ]; then fail "$res" "$OUT"; else ok "totals = sums of the rows"; fi
fi

check "--totals -H: a process's RSS/PSS once (its main thread), per-thread counts over all rows"
ts toth -b -H -J -n 1 -d 0 --totals -p "$p8,$p64,$thr" -o pid,tid,rss,pss,minflt
if expect_rc 0 "-H -J --totals"; then
	res=$(py "$OUT" "$SUMS" H rss pss minflt)
	if [ -n "$res" ]; then fail "$res" "$OUT"; else ok "totals = sums, processes once"; fi
fi

check "--totals (table): a TOTAL line and the note on RSS and PSS sums"
ts tottab -b -n 1 -d 0 --totals --bytes -p "$p8,$p64" -o pid,rss,pss,comm
if expect_rc 0 "--totals table"; then
	r8=$(awk -v p="$p8" '$1 == p { print $2 }' "$OUT")
	r64=$(awk -v p="$p64" '$1 == p { print $2 }' "$OUT")
	tl=$(awk '$NF == "TOTAL" { print $1 }' "$OUT")
	if [ -z "$r8" ] || [ -z "$r64" ] || [ "$tl" != $((r8 + r64)) ]; then
		fail "TOTAL RSS '$tl' is not $r8 + $r64" "$OUT"
	elif ! grep -q "RSS .*sum counts a page that several processes map once for each" "$OUT" ||
		! grep -q "PSS sum counts each page once" "$OUT"; then
		fail "no note on RSS and PSS sums" "$OUT"
	else
		ok "TOTAL $tl = $r8 + $r64, with the note"
	fi
fi

check "-p PARENT alone is the parent; --children adds its workers"
ts plainp -b -J -n 1 -d 0 -p "$tparent" -o pid,ppid,comm
ts kids -b -J -n 1 -d 0 -p "$tparent" --children -o pid,ppid,comm
if expect_rc 0 "-p $tparent --children"; then
	res=$(py "$TS_TMP/plainp.out" '
p = sorted(r["pid"] for r in doc["tasks"])
if p != [int(args[0])]:
    print("plain -p gives %r" % p)' "$tparent")
	res2=$(py "$OUT" '
p = sorted(r["pid"] for r in doc["tasks"])
want = sorted(int(a) for a in args)
if p != want:
    print("--children gives %r, want %r" % (p, want))' "$tparent" $tkids)
	if [ -n "$res$res2" ]; then fail "$res $res2" "$TS_TMP/plainp.out" "$OUT"
	else ok "parent alone; parent and workers $tkids"; fi
fi

check "--tree: the workers under their parent (JSON children, table tree lines)"
ts tree -b -J -n 1 -d 0 --tree -o pid,ppid,comm
ts treetab -b -n 1 -d 0 --tree -p "$tparent" --children -o pid,comm
if expect_rc 0 "-J --tree"; then
	res=$(py "$OUT" '
def walk(rows, parent, out):
    for r in rows:
        out[r["pid"]] = parent
        walk(r.get("children", []), r["pid"], out)
where = {}
walk(doc["tasks"], None, where)
par = int(args[0])
for k in args[1:]:
    if where.get(int(k)) != par:
        print("worker %s is under %r, not %d" % (k, where.get(int(k)), par))
if par not in where:
    print("parent %d missing" % par)' "$tparent" $tkids)
	# tree lines: "|-" and "`-" in the C locale the tests run in ("├─" "└─" in UTF-8)
	lines=$(grep -cE -- "(\|-|\`-|─)botree$$" "$TS_TMP/treetab.out")
	if [ -n "$res" ]; then fail "$res" "$OUT"
	elif [ "$lines" -ne 2 ]; then fail "table: expected 2 tree lines for the workers, got $lines" "$TS_TMP/treetab.out"
	else ok "workers $tkids under $tparent"; fi
fi

check "-H --tree: the threads nested under their process's main thread"
ts htree -b -H -J -n 1 -d 0 --tree -p "$thr" -o pid,tid,comm
if expect_rc 0 "-H -J --tree"; then
	res=$(py "$OUT" '
top = doc["tasks"]
pid = int(args[0])
if len(top) != 1 or top[0]["tid"] != pid:
    print("top level is not the main thread alone: %r" % [r["tid"] for r in top])
else:
    kids = top[0].get("children", [])
    if len(kids) != 3 or any(k["pid"] != pid or k["tid"] == pid for k in kids):
        print("the 3 worker threads are not its children: %r" % kids)' "$thr")
	if [ -n "$res" ]; then fail "$res" "$OUT"; else ok "3 threads under the main thread"; fi
fi

finish
