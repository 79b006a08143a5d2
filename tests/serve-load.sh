#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# serve-load.sh - libmicrohttpd (and its TLS stack) is loaded by serve's HTTP server only: no
# other command maps it, serve does, and serve without a usable library says so and exits 1
# while --textfile alone still works
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null 2>&1 || skip "curl not found (apt-get install curl)"

batch_view_maps_none 'microhttpd|gnutls'

check "serve --listen maps libmicrohttpd once it serves, and answers"
ts_bg srv serve --listen 127.0.0.1:0 -d 0.2 --memory-every 0 -p "$WL_PID"
SPID=$TSPID
poll_until 20 grep -q '^taskscope serve: http://' "$OUT" ||
	die "taskscope serve did not announce its address" "$OUT" "$ERR"
SPORT=$(sed -n 's|^taskscope serve: http://127\.0\.0\.1:\([0-9]*\)/metrics$|\1|p' "$OUT")
LIB=$(awk '$6 ~ /libmicrohttpd\.so/ { print $6; exit }' "/proc/$SPID/maps")
if [ -z "$LIB" ]; then
	fail "serve does not map libmicrohttpd" "/proc/$SPID/maps"
elif ! curl -sf -o "$TS_TMP/m.prom" "http://127.0.0.1:$SPORT/metrics"; then
	fail "no answer from serve on port $SPORT" "$ERR"
elif ! grep -q '^taskscope_build_info' "$TS_TMP/m.prom"; then
	fail "the scrape has no taskscope_build_info" "$TS_TMP/m.prom"
else
	ok "maps $LIB; a scrape of $(wc -l <"$TS_TMP/m.prom") lines"
fi
stop "$SPID"

check "a library that cannot be loaded: serve --listen says which and exits 1; --textfile works"
command -v objdump >/dev/null 2>&1 || skip "objdump not found (apt-get install binutils)"
[ -n "$LIB" ] || die "no libmicrohttpd path from the check before"
SONAME=$(objdump -p "$LIB" | sed -n 's/^ *SONAME *//p')
[ -n "$SONAME" ] || die "no SONAME in $LIB"
mkdir "$TS_TMP/lib" "$TS_TMP/tf"
echo "not a library" >"$TS_TMP/lib/$SONAME"
LD_LIBRARY_PATH=$TS_TMP/lib ts nolib serve --listen 127.0.0.1:0 -n 1 -p "$WL_PID"
if expect_rc 1 "serve --listen without a loadable $SONAME"; then
	if grep -q "^taskscope: .*cannot load $SONAME" "$ERR"; then
		ok "$(head -n 1 "$ERR")"
	else
		fail "the message does not name $SONAME" "$ERR"
	fi
fi
LD_LIBRARY_PATH=$TS_TMP/lib ts tf serve --textfile "$TS_TMP/tf" -n 1 --memory-every 0 -p "$WL_PID"
if expect_rc 0 "serve --textfile with a broken $SONAME in the library path"; then
	grep -q '^taskscope_build_info' "$TS_TMP/tf/taskscope.prom" &&
		ok "$TS_TMP/tf/taskscope.prom written" ||
		fail "no metrics in the text file" "$TS_TMP/tf/taskscope.prom"
fi
finish
