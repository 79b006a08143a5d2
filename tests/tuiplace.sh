#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tuiplace.sh - the full-screen view's placement panel (c) runs the placement engine of
# `taskscope cpus` on the selected process: a worker pinned to CPU 0 that spins shows
# running samples on CPU 0 only; a sleeping main thread shows no running sample.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need tui

name=tsplace$$
start_workload --threads 1 --spin --pin 0 --name "$name" --duration 900
A=$WL_PID
W=${WL_TIDS##*,}	# the worker (the list starts with the main thread)

tui_start place 140 40 -d 0.5 -p "$A" -o pid,tid,comm
wait_screen place 10 "^ *$A +$A " || { keep place "$TS_TMP/place.screen"; die "the view did not come up" "$TS_TMP/place.screen"; }

check "c on the workload: its threads' placement and a live timeline"
tmx send-keys -t place Home c
if wait_screen place 10 "Threads of PID $A: where they run"; then
	ok "the panel names PID $A"
else
	keep place "$TS_TMP/c.screen"
	die "no placement panel" "$TS_TMP/c.screen"
fi
# the timeline row of a thread: "    TID name |strip| tail"
strip() { screen place | awk -v t="$1" '$1 == t && /\|/ { split($0, a, "|"); print a[2]; exit }'; }
# wait until the worker has running samples (digits) in its strip: the engine samples it
if poll_until 20 eval '[ -n "$(strip "$W" | tr -cd 0-9)" ]'; then
	ok "worker $W has running samples: |$(strip "$W")|"
else
	fail_screen place "no running sample of worker $W in the timeline"
fi
if [ -n "$(strip "$W" | tr -cd 1-9)" ]; then
	fail "worker $W, pinned to CPU 0, shows another CPU: |$(strip "$W")|"
else
	ok "worker $W ran on CPU 0 only"
fi
if [ -n "$(strip "$A")" ] && [ -z "$(strip "$A" | tr -cd 0-9)" ]; then
	ok "the sleeping main thread $A has no running sample: |$(strip "$A")|"
else
	keep place "$TS_TMP/main.screen"
	fail "main thread $A: |$(strip "$A")| (expected waiting marks only)" "$TS_TMP/main.screen"
fi
tui_quit place
finish
