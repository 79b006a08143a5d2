#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tuisort.sh - the full-screen view sorted by a costly column (USS: a smaps_rollup read per
# process) reads it for every process, not only the rows on screen: three workloads of 8,
# 64 and 128 MiB private memory started among all the system's processes come out on top
# in that order, with no unknown value above them, and the header says how often it is read.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need tui

for m in 8 64 128; do
	start_workload --threads 1 --sleep --mem ${m}M --name "tsu$m-$$" --duration 900
	eval "P$m=\$WL_PID"
done

# every process (the default target), USS second so that F6 Home Down picks it
tui_start sort 160 45 -d 0.5 -o pid,uss,comm
wait_screen sort 10 "^ *PID" || { keep sort "$TS_TMP/sort.screen"; die "the view did not come up" "$TS_TMP/sort.screen"; }

check "F6 sorts by USS: read for every process, largest first"
tmx send-keys -t sort F6 Home Down Enter
titles() { screen sort | grep -m1 -E '^ +PID'; }
poll_until 5 eval "titles | grep -q 'USS[v^]'" || fail "sort not on USS: $(titles)"
row() { screen sort | grep -nE "^ *$1 " | head -n1 | cut -d: -f1; }
order_ok() {
	local a b c
	a=$(row "$P128") b=$(row "$P64") c=$(row "$P8")
	[ -n "$a" ] && [ -n "$b" ] && [ -n "$c" ] && [ "$a" -lt "$b" ] && [ "$b" -lt "$c" ]
}
# the selection follows its task through the re-sort: back to the top of the list
tmx send-keys -t sort Home
# the first reading of every process's USS comes with the next pass
if poll_until 20 eval 'tmx send-keys -t sort Home; order_ok'; then
	ok "128, 64 and 8 MiB workloads in that order (rows $(row "$P128"), $(row "$P64"), $(row "$P8"))"
else
	fail_screen sort "the workloads are not in the order 128, 64, 8 MiB on screen"
fi
# no process whose USS is unknown ("-") is sorted above the smallest of them
above=$(screen sort | awk -v p="$P8" '/^ +PID/ { on = 1; next } on && $1 == p { exit }
	on && $2 == "-" { n++ } END { print n + 0 }')
if [ "$above" = 0 ]; then
	ok "no unknown USS above the 8 MiB workload"
else
	fail_screen sort "$above rows with an unknown USS above the 8 MiB workload"
fi
if wait_screen sort 10 "USS of every process read every [0-9]+s"; then
	ok "the header says how often: $(screen sort | grep -oE 'USS of every process read every [0-9]+s[^ ]*( [^ ]+)?')"
else
	fail_screen sort "the header does not say how often USS is read"
fi
tui_quit sort
finish
