#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# nodemem.sh - NODEMEM, a process's resident memory per NUMA node: node 0's bytes against the
# test's own sum of numa_maps, its table, raw, --bytes and JSON forms, --sort, thread rows,
# 'denied' for another user, and the full-screen view (on screen, and sorted by it).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need python

need_proc numa_maps "no CONFIG_NUMA"

# the big workload's two threads write 48 MiB each; the small one's thread 4 MiB
start_workload_as BIG --threads 2 --mem 48M --name "nmb$$"
start_workload_as SMALL --threads 1 --mem 4M --name "nms$$"
WROTE=$((2 * 48 * MIB))

# numa_sum PID NODE: the bytes numa_maps gives NODE in PID, summed here: on each line the
# count of the token "N<node>=" times kernelpagesize_kB, in KiB, times 1024
numa_sum() {
	awk -v node="$2" '
		{
			ps = 0; n = 0
			for (i = 2; i <= NF; i++) {
				if ($i ~ /^kernelpagesize_kB=[0-9]+$/) { split($i, a, "="); ps = a[2] }
				if ($i ~ ("^N" node "=[0-9]+$")) { split($i, a, "="); n = a[2] }
			}
			sum += n * ps * 1024
		}
		END { printf "%.0f\n", sum }' "/proc/$1/numa_maps"
}

# near GOT LOW HIGH: GOT is within 3% of [LOW, HIGH] (the sums read before and after a run)
near() {
	awk -v g="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(g >= lo * 0.97 && g <= hi * 1.03) }'
}

# node_bytes JSONFILE PID NODE: NODEMEM's bytes of NODE in PID's row of the last document,
# "null" when the value is null, "absent" when the list has no such node
node_bytes() {
	"$PY" - "$@" <<'PYEOF'
import sys
from tsjson import last
path, pid, node = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
doc = last(path)
for r in doc["tasks"]:
    if r["pid"] != pid:
        continue
    v = r["nodemem"]
    if v is None:
        print("null")
    else:
        assert isinstance(v, list), v
        for e in v:
            assert sorted(e) == ["bytes", "node"], e
        m = [e["bytes"] for e in v if e["node"] == node]
        print(m[0] if m else "absent")
    break
PYEOF
}

# ---- JSON: node 0 against the test's own sum ------------------------------------------------------
check "JSON: NODEMEM's node 0 of a workload that wrote $((WROTE / MIB)) MiB is within 3% of the sum of N0= in its numa_maps"
before=$(numa_sum "$BIG" 0)
ts json -J -n 1 -p "$BIG" -o PID,NODEMEM,RSS
after=$(numa_sum "$BIG" 0)
got=$(node_bytes "$OUT" "$BIG" 0)
lo=$before hi=$after
[ "$lo" -gt "$hi" ] && lo=$after hi=$before
if [ "$RC" -ne 0 ]; then
	fail "exit status $RC" "$OUT" "$ERR"
elif ! [[ $got =~ ^[0-9]+$ ]]; then
	fail "node 0: '$got', expected bytes" "$OUT"
elif [ "$lo" -lt "$WROTE" ]; then
	fail "the test's own sum of N0= is $lo bytes, less than the $WROTE the workload wrote" \
		"/proc/$BIG/numa_maps"
elif ! near "$got" "$lo" "$hi"; then
	fail "node 0: $got bytes; numa_maps' N0= pages sum to $before before, $after after" "$OUT"
else
	ok "node 0: $got bytes; the test's sum $before before, $after after"
fi

# ---- tables: the list's forms ---------------------------------------------------------------------
# cell FILE PID: the NODEMEM cell (the 2nd column) of PID's row in the last table
cell() { last_table "$1" | awk -v p="$2" '$1 == p { print $2; exit }'; }

check "--bytes table: NODE:BYTES pairs separated by commas, node 0 as in numa_maps"
before=$(numa_sum "$BIG" 0)
ts bytes -b -n 1 --bytes -p "$BIG" -o PID,NODEMEM,COMM
after=$(numa_sum "$BIG" 0)
v=$(cell "$OUT" "$BIG")
n0=$(tr ',' '\n' <<<"$v" | awk -F: '$1 == 0 { print $2 }')
lo=$before hi=$after
[ "$lo" -gt "$hi" ] && lo=$after hi=$before
if ! [[ $v =~ ^[0-9]+:[0-9]+(,[0-9]+:[0-9]+)*$ ]]; then
	fail "cell '$v' is not NODE:BYTES[,NODE:BYTES...]" "$OUT"
elif [ -z "$n0" ] || ! near "$n0" "$lo" "$hi"; then
	fail "node 0 '$n0'; numa_maps says $before before, $after after" "$OUT"
else
	ok "$v"
fi

check "table and -r: NODE:SIZE pairs with human sizes, one word each"
ts human -b -n 1 -p "$BIG" -o PID,NODEMEM,COMM
ts raw -r -n 1 -p "$BIG" -o PID,NODEMEM,COMM
h=$(cell "$TS_TMP/human.out" "$BIG")
r=$(awk -v p="$BIG" '$1 == p { print $2 }' "$TS_TMP/raw.out")
rw=$(awk -v p="$BIG" '$1 == p { print NF }' "$TS_TMP/raw.out")
re='^[0-9]+:[0-9.]+[KMGTPE]?B?(,[0-9]+:[0-9.]+[KMGTPE]?B?)*$'
if ! [[ $h =~ $re ]] || ! [[ $h == *0:* ]]; then
	fail "table cell '$h'" "$TS_TMP/human.out"
elif ! [[ $r =~ $re ]] || [ "$rw" != 3 ]; then
	fail "raw cell '$r' ($rw fields, expected 3)" "$TS_TMP/raw.out"
else
	ok "table '$h', raw '$r'"
fi

# ---- sorting by the sum, thread rows ------------------------------------------------------------------
check "--sort NODEMEM puts the larger sum first, --sort -NODEMEM the smaller"
ts sort -b -n 1 --sort NODEMEM -p "$SMALL,$BIG" -o PID,NODEMEM
ts rsort -b -n 1 --sort -NODEMEM -p "$BIG,$SMALL" -o PID,NODEMEM
order=$(last_table "$TS_TMP/sort.out" | awk '{ printf "%s ", $1 }')
rorder=$(last_table "$TS_TMP/rsort.out" | awk '{ printf "%s ", $1 }')
if [ "$order" = "$BIG $SMALL " ] && [ "$rorder" = "$SMALL $BIG " ]; then
	ok "largest first: $order; reversed: $rorder"
else
	fail "order '$order' and reversed '$rorder', expected '$BIG $SMALL' and '$SMALL $BIG'" \
		"$TS_TMP/sort.out" "$TS_TMP/rsort.out"
fi

check "-H: each thread row repeats its process's NODEMEM"
ts threads -J -H -n 1 -p "$BIG" -o PID,TID,NODEMEM
res=$("$PY" - "$TS_TMP/threads.out" <<'PYEOF'
import json, sys
doc = json.loads(open(sys.argv[1]).read())
vals = {json.dumps(r["nodemem"]) for r in doc["tasks"]}
print(len(doc["tasks"]), len(vals), vals.pop() if len(vals) == 1 else "-")
PYEOF
)
if [[ $res =~ ^3\ 1\ \[ ]]; then
	ok "3 rows, one value: ${res#3 1 }"
else
	fail "rows, distinct values, value: '$res' (expected 3 rows with one list)" "$TS_TMP/threads.out"
fi

# ---- permissions ----------------------------------------------------------------------------------------
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	check "another user against root's process: NODEMEM null in JSON and 'nodemem:denied', '-' in a table"
	chmod 755 "$TS_TMP"
	timeout $((30 * TS_SLOW)) setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$TASKSCOPE" -J -n 1 -p "$BIG" -o PID,RSS,NODEMEM >"$TS_TMP/denied.json" 2>&1 </dev/null
	RC=$?
	timeout $((30 * TS_SLOW)) setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$TASKSCOPE" -b -n 1 -p "$BIG" -o PID,NODEMEM >"$TS_TMP/denied.out" 2>&1 </dev/null
	got=$(node_bytes "$TS_TMP/denied.json" "$BIG" 0)
	why=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["tasks"][0]["unavailable"])' \
		"$TS_TMP/denied.json" 2>&1)
	if [ "$RC" -ne 0 ] || [ "$got" != null ] || [ "$why" != nodemem:denied ]; then
		fail "exit status $RC, nodemem '$got', unavailable '$why'" "$TS_TMP/denied.json"
	elif [ "$(cell "$TS_TMP/denied.out" "$BIG")" != - ] || ! grep -q '^  - denied' "$TS_TMP/denied.out"; then
		fail "the table's cell is not '-' with a 'denied' footnote" "$TS_TMP/denied.out"
	else
		ok "null, unavailable '$why'; the table says '-' and: $(grep '^  - denied' "$TS_TMP/denied.out" | sed 's/^ *- //')"
	fi
else
	say "not root or no setpriv: the permission case is not run"
fi

# ---- the full-screen view -----------------------------------------------------------------------------
if command -v tmux >/dev/null 2>&1; then
	need tui
	check "the full-screen view shows NODEMEM of the processes on screen (read as PSS is)"
	tui_start nm 120 12 -d 0.3 -p "$BIG,$SMALL" -o PID,NODEMEM,PSS,COMM
	if wait_screen nm 10 "^ *$BIG +0:[0-9.]+[KMG] +[0-9.]+[KMG] +(- )?nmb$$"; then
		keep nm "$TS_TMP/tui.screen"
		ok "$(grep -m1 -E "^ *$BIG " "$TS_TMP/tui.screen" | sed 's/  */ /g')"
	else
		fail_screen nm "no row '$BIG 0:SIZE PSS nmb$$' on screen"
	fi
	check "the full-screen view sorted by NODEMEM (F6): read for every watched process, larger sum first"
	tmx send-keys -t nm F6 Home Down Enter
	row() { screen nm | grep -nE "^ *$1 " | head -n1 | cut -d: -f1; }
	sorted() {
		local b s
		b=$(row "$BIG") s=$(row "$SMALL")
		[ -n "$b" ] && [ -n "$s" ] && [ "$b" -lt "$s" ] &&
			screen nm | grep -qE "NODEMEM of every process read every [0-9]+s"
	}
	if poll_until 20 sorted; then
		ok "$BIG above $SMALL; the header: $(screen nm | grep -oE 'NODEMEM of every process read every [0-9]+s[^ ]*( [^ ]+)?')"
	else
		fail_screen nm "not sorted by NODEMEM with $BIG first, or no header note"
	fi
	tui_quit nm
else
	say "no tmux: the full-screen case is not run"
fi

stop "$BIG"
stop "$SMALL"
finish
