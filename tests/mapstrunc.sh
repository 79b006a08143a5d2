#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapstrunc.sh - taskscope maps on a process of 64,000 mappings that is killed, or executes
# another program, while its map is read: every report is the whole map, or is marked
# incomplete (table and JSON) with exit status 1; never a part of it shown as the whole.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
lib=$(dirname "$0")/lib.sh
[ -r "$lib" ] || lib=${top_srcdir:-.}/tests/lib.sh
. "$lib" || exit 99
need python tshelper

NMAPS=64000
MINTRIES=3	# runs of each kind at least, caught mid-read or not
MAXTRIES=25	# runs of each kind at most, to catch one mid-read

max=$(cat /proc/sys/vm/max_map_count 2>/dev/null || echo 0)
[ "$max" -ge $((NMAPS + 500)) ] ||
	skip "vm.max_map_count is $max: a process cannot have $NMAPS mappings here"

# start_target N: a tshelper with NMAPS mappings (SIGUSR1 makes it exec another program);
# sets TP and WANT, its number of mappings
start_target() {
	local f=$TS_TMP/target$1.out
	: >"$f"
	"$TSHELPER" maps "$NMAPS" 600 >"$f" 2>&1 </dev/null &
	TP=$!
	track "$TP"
	disown "$TP"	# no "Killed" notice from bash when a run kills it
	poll_until 30 grep -q '^ready ' "$f" || die "tshelper maps $NMAPS did not get ready" "$f"
	WANT=$(wc -l <"/proc/$TP/maps")
	[ "$WANT" -ge "$NMAPS" ] || die "the target has $WANT mappings, fewer than $NMAPS"
}

# opened PID TARGET: process PID has TARGET's smaps open
opened() {
	local l
	for l in /proc/"$1"/fd/*; do
		[ "$(readlink "$l" 2>/dev/null)" = "/proc/$2/smaps" ] && return 0
	done
	return 1
}

# wait_open PID TARGET: poll (every few ms, up to 60 s) until PID opened TARGET's smaps;
# 1 when PID ended first
wait_open() {
	local deadline=$(($(now_ms) + 60000 * TS_SLOW))
	while [ "$(now_ms)" -lt "$deadline" ]; do
		opened "$1" "$2" && return 0
		alive "$1" || return 1
		sleep 0.002
	done
	return 1
}

# jfacts FILE: "mappings truncated reason threads" of the one process of a maps -J document
jfacts() {
	"$PY" -c 'import json, sys
p = json.load(open(sys.argv[1]))["processes"][0]
print(p["mappings"], int(p["truncated"]), (p.get("truncated_reason") or "-").replace(" ", "_"),
      len(p["thread_stacks"]))' "$1" 2>/dev/null
}

# one_run MODE FORMAT N: start a target, run maps on it and, once maps has its smaps open,
# kill it (MODE kill) or make it exec (MODE exec). Judges the report; CAUGHT=1 when it
# was marked incomplete with fewer mappings than the target had.
one_run() {
	local mode=$1 fmt=$2 n=$3 reason word got marked nthr line
	start_target "$n"
	if [ "$fmt" = json ]; then
		ts_bg "$mode-$fmt-$n" maps -J "$TP"
	else
		ts_bg "$mode-$fmt-$n" maps "$TP"
	fi
	if wait_open "$TSPID" "$TP"; then
		if [ "$mode" = kill ]; then
			kill -KILL "$TP"
		else
			kill -USR1 "$TP"
		fi
	fi
	ts_wait 120
	kill -KILL "$TP" 2>/dev/null
	CAUGHT=0
	if [ "$mode" = kill ]; then
		reason=exited word="the process exited while it was read"
	else
		reason=exec word="the process executed another program while it was read"
	fi
	if [ "$fmt" = json ]; then
		read -r got marked line nthr <<<"$(jfacts "$OUT")"
		if [ -z "$nthr" ]; then
			fail "run $n ($mode, JSON): no JSON document" "$OUT" "$ERR"
			return
		fi
		if [ "$marked" = 0 ]; then
			if [ "$RC" -eq 0 ] && [ "$got" -eq "$WANT" ]; then
				ok "run $n ($mode, JSON): the whole map, $got of $WANT mappings, exit 0"
			else
				fail "run $n ($mode, JSON): $got of $WANT mappings, not marked truncated, exit $RC" "$OUT" "$ERR"
			fi
			return
		fi
		if [ "$RC" -eq 1 ] && [ "$line" = "$reason" ] && [ "$nthr" = 0 ] &&
		   grep -q "^taskscope: maps: PID $TP: the map is incomplete: $word$" "$ERR"; then
			ok "run $n ($mode, JSON): $got of $WANT mappings, truncated ($line), no threads, exit 1"
			[ "$got" -lt "$WANT" ] && CAUGHT=1
		else
			fail "run $n ($mode, JSON): truncated, but reason '$line', $nthr threads, exit $RC" "$OUT" "$ERR"
		fi
		return
	fi
	line=$(grep -m1 "^PID $TP (tshelper): " "$OUT")
	if [[ ! $line =~ ^PID\ [0-9]+\ \(tshelper\):\ ([0-9]+)\ mappings(\ \(incomplete\))?, ]]; then
		fail "run $n ($mode, table): no header line" "$OUT" "$ERR"
		return
	fi
	got=${BASH_REMATCH[1]}
	if [ -z "${BASH_REMATCH[2]}" ]; then
		if [ "$RC" -eq 0 ] && [ "$got" -eq "$WANT" ] && ! grep -q '^  - incomplete' "$OUT"; then
			ok "run $n ($mode, table): the whole map, $got of $WANT mappings, exit 0"
		else
			fail "run $n ($mode, table): $got of $WANT mappings, not marked incomplete, exit $RC" "$OUT" "$ERR"
		fi
		return
	fi
	if [ "$RC" -eq 1 ] && grep -q "^  - incomplete: $word: " "$OUT" && ! grep -Eq '^ *TID +COMM' "$OUT"; then
		ok "run $n ($mode, table): $got of $WANT mappings, marked incomplete, no threads' table, exit 1"
		[ "$got" -lt "$WANT" ] && CAUGHT=1
	else
		fail "run $n ($mode, table): marked incomplete in the header, but no note, a threads' table or exit $RC" "$OUT" "$ERR"
	fi
}

check "a read left alone: the whole map of $NMAPS+ mappings, not truncated, exit 0"
start_target 0
ts whole maps -J "$TP"
read -r got marked line nthr <<<"$(jfacts "$OUT")"
if [ "$RC" -eq 0 ] && [ "${got:-0}" -eq "$WANT" ] && [ "$marked" = 0 ] && [ "$nthr" = 1 ]; then
	ok "$got of $WANT mappings, truncated false, 1 thread"
else
	fail "$got of $WANT mappings, truncated $marked, $nthr threads, exit $RC" "$OUT" "$ERR"
fi
stop "$TP"

for mode in kill exec; do
	for fmt in json table; do
		if [ "$mode" = kill ]; then
			check "$fmt: the process SIGKILLed while maps reads it: whole, or marked incomplete with exit 1"
		else
			check "$fmt: the process executes another program while maps reads it: whole, or marked incomplete with exit 1"
		fi
		caught=0 failed=$TS_FAILED
		TS_FAILED=0
		for ((i = 1; i <= MAXTRIES; i++)); do
			one_run "$mode" "$fmt" "$i"
			caught=$((caught + CAUGHT))
			[ "$TS_FAILED" -ne 0 ] && break	# one wrong report is evidence enough
			[ "$caught" -gt 0 ] && [ "$i" -ge "$MINTRIES" ] && break
		done
		[ "$TS_FAILED" -ne 0 ] && continue
		TS_FAILED=$failed
		if [ "$caught" -gt 0 ]; then
			ok "$caught of $((i > MAXTRIES ? MAXTRIES : i)) runs caught mid-read, each marked"
		else
			fail "no run of $MAXTRIES was caught mid-read: the case is not tested"
		fi
	done
done

finish
