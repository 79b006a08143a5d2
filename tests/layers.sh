#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# layers.sh - the layer rules of DESIGN §2 hold on the sources (tools/check-layers.sh), and
# the checker sees a break planted in a copy of them; the size rules (tools/check-size.sh: no
# function over 100 lines, no file over 800) hold too, and a long function or file planted in
# a copy is named, one at the limit is not
. "$(dirname "$0")/lib.sh"

chk=$TS_SRCDIR/tools/check-layers.sh
size=$TS_SRCDIR/tools/check-size.sh
[ -r "$chk" ] && [ -d "$TS_SRCDIR/src/view" ] || skip "no sources next to the tests ($TS_SRCDIR)"

# holds CHECKER WHAT: the checker finds nothing to say of src/
holds() {
	check "$2"
	if sh "$1" "$TS_SRCDIR/src" >"$TS_TMP/holds.out" 2>&1; then
		ok "$(tail -n 1 "$TS_TMP/holds.out")"
	else
		fail "broken: $2" "$TS_TMP/holds.out"
	fi
}

# copy_src: a fresh copy of src/ in $TS_TMP/src to plant things in
copy_src() {
	rm -rf "$TS_TMP/src"
	cp -r "$TS_SRCDIR/src" "$TS_TMP/src"
}

# named CHECKER PATTERN...: the checker fails on the copy and says each PATTERN (grep)
named() {
	local chkr=$1 p said=()
	shift
	if sh "$chkr" "$TS_TMP/src" >"$TS_TMP/planted.out" 2>&1; then
		fail "the planted break was not found" "$TS_TMP/planted.out"
		return
	fi
	for p in "$@"; do
		grep -q "$p" "$TS_TMP/planted.out" || { fail "not named: $p" "$TS_TMP/planted.out"; return; }
		said+=(-e "$p")
	done
	ok "$(grep "${said[@]}" "$TS_TMP/planted.out" | tr '\n' ';')"
}

holds "$chk" "no layer rule is broken in src/"

check "a view that includes a /proc reader is a break the checker names"
copy_src
printf '#include "sample/kcmp.h"\n' >>"$TS_TMP/src/view/json.c"
named "$chk" 'view/json.c.*sample/kcmp.h'

holds "$size" "no function over 100 lines, no file over 800 in src/"

# plant_function N: view/planted.c holds a function of N lines (N >= 6), from the line
# that names it (3) to its closing brace
plant_function() {
	local i
	{
		printf 'int %s(void);\n\nint %s(void)\n{\n\tint v = 0;\n\n' "planted_long_$$" "planted_long_$$"
		for i in $(seq $(($1 - 6))); do
			printf '\tv += %d;\n' "$i"
		done
		printf '\treturn v;\n}\n'
	} >"$TS_TMP/src/view/planted.c"
}

# plant_file N: lib/planted.h holds N lines
plant_file() {
	seq "$1" | sed 's|.*|/* & */|' >"$TS_TMP/src/lib/planted.h"
}

check "a function of 101 lines and a file of 801 are named"
copy_src
plant_function 101
plant_file 801
named "$size" "view/planted.c:3 planted_long_$$ (101 lines)" 'lib/planted.h (801 lines)'

check "a function of 100 lines and a file of 800 are not"
plant_function 100
plant_file 800
sh "$size" "$TS_TMP/src" >"$TS_TMP/edge.out" 2>&1
if grep -q planted "$TS_TMP/edge.out"; then
	fail "a function or file at the limit is named" "$TS_TMP/edge.out"
else
	ok "neither is named"
fi
finish
