#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tuishare.sh - the full-screen view's s: the selected process alone against every other
# (as `taskscope share PID`): the two worker processes that share its 32 MiB come first;
# with one mark and another selected row, those two are compared pair by pair.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need tui
need_root "the ranking by shared bytes needs exact PFNs"

start_workload --procs 2 --shared 32M --sleep --name "tssh$$" --duration 900
P=$WL_PID
W1=${WL_TIDS%%,*}
W2=${WL_TIDS##*,}
start_workload --threads 1 --sleep --name "tsun$$" --duration 900
U=$WL_PID

tui_start share 140 45 -d 0.5 -p "$P,$U" -o pid,tid,comm
wait_screen share 10 "^ *$U " || { keep share "$TS_TMP/share.screen"; die "the view did not come up" "$TS_TMP/share.screen"; }

check "s on one process: it against every other process, its workers first"
# sorted by PID, the parent (lower PID) is the first row
tmx send-keys -t share N Home s
if wait_screen share 20 "PID $P .* against every other process"; then
	ok "$(screen share | grep -m1 'against every other process')"
else
	keep share "$TS_TMP/all.screen"
	die "no 'against every other process' panel for $P" "$TS_TMP/all.screen"
fi
ranks=$(screen share | awk '$1 == "1" || $1 == "2" { print $2 }' | sort -n | tr '\n' ' ')
want=$(printf '%s\n' "$W1" "$W2" | sort -n | tr '\n' ' ')
if [ "$ranks" = "$want" ]; then
	ok "ranks 1 and 2 are the workers $W1 and $W2"
else
	fail_screen share "ranks 1 and 2 are '$ranks', expected the workers '$want'"
fi
tmx send-keys -t share Escape
wait_screen share 10 "^ *PID" || fail "Esc did not return to the list"

check "Space marks $P, s on $U: the two compared pair by pair"
tmx send-keys -t share Home Space
poll_until 10 eval "tmx send-keys -t share Down; screen share | grep -qE '^ *$U '" || true
tmx send-keys -t share End s
if wait_screen share 20 "the marked and the selected processes"; then
	if screen share | grep -q "$P" && screen share | grep -q "$U"; then
		ok "both $P and $U in the pair report"
	else
		fail_screen share "the pair report does not name both $P and $U"
	fi
else
	fail_screen share "no pair report of the marked and the selected process"
fi
tui_quit share
finish
