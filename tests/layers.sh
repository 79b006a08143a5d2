#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# layers.sh - the layer rules of DESIGN §2 hold on the sources (tools/check-layers.sh), and
# the checker sees a break planted in a copy of them
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
finish
