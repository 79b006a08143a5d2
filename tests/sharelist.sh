#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sharelist.sh - the shape of share's report: matrices for a few address spaces; for many
# (more than 12, or -u/-C) a ranked list of pairs and the groups that map the same pages.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need python

# the JSON expressions' ours: the set of our PIDs (OURS)
export OURS=
JSON_DEFS='ours = set(int(p) for p in os.environ["OURS"].split())'

name="sl$TS_RUN"
name=${name:0:15}
start_workload --procs 13 --shared 8M --name "$name"
OURS="$WL_PID $WL_TIDLIST"
w1=${WL_TIDLIST%% *}

check "14 address spaces: ranked pairs and groups, no matrix"
# shellcheck disable=SC2086
ts many share $OURS
if expect_rc 0 "share of 14 processes"; then
	if grep -q '^Pairs of address spaces' "$OUT" && grep -q '^Groups of three or more' "$OUT" &&
		! grep -q '^Kernel resources (kcmp)' "$OUT" && ! grep -q '^Memory mapped by both' "$OUT"; then
		ok "pairs and groups, no matrix"
	else
		fail "the report of 14 address spaces is not the ranked list" "$OUT"
	fi
	# the group of all 14 (they all map the 8 MiB the parent wrote before forking)
	row=$(awk -v n=14 '$1 ~ /^[0-9]+$/ && $6 == n' "$OUT" | head -n 1)
	if [ -n "$row" ]; then
		ok "a group of the 14 address spaces: $row"
	else
		fail "no group of 14 address spaces" "$OUT"
	fi
	width=$(awk '{ print length($0) }' "$OUT" | sort -n | tail -n 1)
	if [ "$width" -le 200 ]; then
		ok "the longest line has $width characters"
	else
		fail "a line of $width characters" "$OUT"
	fi
fi

check "JSON: the segment of all 14 maps at least the 8 MiB; every pair of them is ranked"
# shellcheck disable=SC2086
ts manyj share -J --bytes $OURS
if expect_rc 0 "share -J of 14 processes"; then
	expect_json "$OUT" 'max([g["shared"] for g in d["segments"] if set(g["pids"]) == ours] or [0]) >= 8 * '$MIB True \
		"a segment of exactly our 14 processes with >= 8 MiB"
	expect_json "$OUT" 'len([p for p in d["pairs"] if p["pid_a"] in ours and p["pid_b"] in ours and p["shared"] >= 8 * '$MIB'])' 91 \
		"the 91 pairs of the 14 each share >= 8 MiB"
	expect_json "$OUT" '[p["shared"] for p in d["pairs"]] == sorted([p["shared"] for p in d["pairs"]], reverse=True)' True \
		"pairs ranked by bytes"
fi

check "--top 5: five pairs"
# shellcheck disable=SC2086
ts top share --top 5 $OURS
rows=$(awk '/^Pairs of/ { on = 1; next } /^$/ { on = 0 } on && $1 ~ /^[0-9]+$/' "$OUT" | wc -l)
if [ "$RC" -eq 0 ] && [ "$rows" -eq 5 ] && grep -q "5 of [0-9]* pairs shown" "$OUT"; then
	ok "five pairs, and how many there are"
else
	fail "share --top 5: $rows pair rows, exit status $RC" "$OUT"
fi

check "-C NAME: the ranked list even for a few address spaces"
stop "$WL_PID"
start_workload --procs 2 --shared 4M --name "$name"
OURS="$WL_PID $WL_TIDLIST"
ts bycmd share -C "$name"
if expect_rc 0 "share -C $name" && grep -q '^Pairs of address spaces' "$OUT" &&
	! grep -q '^Kernel resources (kcmp)' "$OUT"; then
	ok "the ranked list for -C"
else
	fail "share -C: not the ranked list" "$OUT"
fi

check "three PIDs: the matrices stay"
# shellcheck disable=SC2086
ts few share $OURS
if expect_rc 0 "share of 3 processes" && grep -q '^Kernel resources (kcmp)' "$OUT" &&
	grep -q '^Memory mapped by both' "$OUT" && ! grep -q '^Pairs of address spaces' "$OUT"; then
	ok "matrices for three address spaces"
else
	fail "share of three PIDs: no matrices" "$OUT"
fi
stop "$WL_PID"
finish
