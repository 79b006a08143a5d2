#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# layers.sh - the layer rules of DESIGN §2 hold on the sources (tools/check-layers.sh), and
# the checker sees a break planted in a copy of them; the size rules (tools/check-size.sh: no
# function over 100 lines, no file over 800) hold too, and a long function or file planted in
# a copy is named
. "$(dirname "$0")/lib.sh"

chk=$TS_SRCDIR/tools/check-layers.sh
[ -r "$chk" ] && [ -d "$TS_SRCDIR/src/view" ] || skip "no sources next to the tests ($TS_SRCDIR)"

check "no layer rule is broken in src/"
if sh "$chk" "$TS_SRCDIR/src" >"$TS_TMP/layers.out" 2>&1; then
	ok "$(tail -n 1 "$TS_TMP/layers.out")"
else
	fail "layer rules broken" "$TS_TMP/layers.out"
fi

check "a view that includes a /proc reader is a break the checker names"
cp -r "$TS_SRCDIR/src" "$TS_TMP/src"
printf '#include "sample/kcmp.h"\n' >>"$TS_TMP/src/view/json.c"
if sh "$chk" "$TS_TMP/src" >"$TS_TMP/planted.out" 2>&1; then
	fail "the planted include was not found" "$TS_TMP/planted.out"
elif grep -q 'view/json.c.*sample/kcmp.h' "$TS_TMP/planted.out"; then
	ok "$(grep 'view/json.c' "$TS_TMP/planted.out")"
else
	fail "the break is not named" "$TS_TMP/planted.out"
fi
size=$TS_SRCDIR/tools/check-size.sh
check "no function over 100 lines, no file over 800 in src/"
if sh "$size" "$TS_SRCDIR/src" >"$TS_TMP/size.out" 2>&1; then
	ok "$(tail -n 1 "$TS_TMP/size.out")"
else
	fail "size rules broken" "$TS_TMP/size.out"
fi

check "a function of 101 lines and a file of 801 are named"
rm -rf "$TS_TMP/src"
cp -r "$TS_SRCDIR/src" "$TS_TMP/src"
{
	printf 'int %s(void);\n\nint %s(void)\n{\n\tint v = 0;\n\n' "planted_long_$$" "planted_long_$$"
	for i in $(seq 95); do
		printf '\tv += %d;\n' "$i"
	done
	printf '\treturn v;\n}\n'
} >"$TS_TMP/src/view/planted.c"
for i in $(seq 801); do
	echo "/* $i */"
done >"$TS_TMP/src/lib/planted.h"
sh "$size" "$TS_TMP/src" >"$TS_TMP/size-planted.out" 2>&1
if grep -q "view/planted.c:3 planted_long_$$ (101 lines)" "$TS_TMP/size-planted.out" &&
   grep -q 'lib/planted.h (801 lines)' "$TS_TMP/size-planted.out"; then
	ok "$(grep planted "$TS_TMP/size-planted.out" | tr '\n' ';')"
else
	fail "the long function or file is not named" "$TS_TMP/size-planted.out"
fi

check "a function of 100 lines and a file of 800 are not"
for i in $(seq 800); do
	echo "/* $i */"
done >"$TS_TMP/src/lib/planted.h"
sed -i '/v += 95;/d' "$TS_TMP/src/view/planted.c"
sh "$size" "$TS_TMP/src" >"$TS_TMP/size-edge.out" 2>&1
if grep -q planted "$TS_TMP/size-edge.out"; then
	fail "a function or file at the limit is named" "$TS_TMP/size-edge.out"
else
	ok "neither is named"
fi
finish
