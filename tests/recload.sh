#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# recload.sh - SQLite is loaded by the commands that make or read a recording only: a running
# batch view does not map it, record does, and record and replay without a usable library
# say which file could not be loaded and exit 1, leaving no recording behind
. "$(dirname "$0")/lib.sh"

command -v objdump >/dev/null 2>&1 || skip "objdump not found (apt-get install binutils)"

batch_view_maps_none sqlite

check "record maps SQLite while it records, and the recording replays"
db=$TS_TMP/rec.db
ts_bg rec record -o "$db" -d 0.5 -n 4 -p "$WL_PID"
RPID=$TSPID
poll_until 20 awk '$6 ~ /libsqlite3\.so/ { f = 1 } END { exit !f }' "/proc/$RPID/maps"
LIB=$(awk '$6 ~ /libsqlite3\.so/ { print $6; exit }' "/proc/$RPID/maps" 2>/dev/null)
ts_wait 60
RRC=$RC
ts replay replay -H "$db"
if [ -z "$LIB" ]; then
	fail "record does not map libsqlite3" "$ERR"
elif [ "$RRC" != 0 ]; then
	fail "record -n 4 exited with $RRC"
elif ! expect_rc 0 "replay -H of the recording"; then
	:
elif ! grep -q "$WL" "$OUT"; then
	fail "the replay has no row of $WL" "$OUT"
else
	ok "record maps $LIB; the replay shows $WL"
fi

check "without a loadable SQLite: record and replay say which library and exit 1, no file is made"
[ -n "$LIB" ] || die "no libsqlite3 path from the check before"
SONAME=$(objdump -p "$LIB" | sed -n 's/^ *SONAME *//p')
[ -n "$SONAME" ] || die "no SONAME in $LIB"
mkdir "$TS_TMP/lib"
echo "not a library" >"$TS_TMP/lib/$SONAME"
LD_LIBRARY_PATH=$TS_TMP/lib ts norec record -o "$TS_TMP/new.db" -n 1 -p "$WL_PID"
if expect_rc 1 "record without a loadable $SONAME"; then
	if ! grep -q "^taskscope: .*cannot load $SONAME" "$ERR"; then
		fail "the message does not name $SONAME" "$ERR"
	elif [ -e "$TS_TMP/new.db" ]; then
		fail "record left $TS_TMP/new.db behind" "$ERR"
	else
		ok "$(head -n 1 "$ERR")"
	fi
fi
LD_LIBRARY_PATH=$TS_TMP/lib ts norep replay "$db"
if expect_rc 1 "replay without a loadable $SONAME"; then
	grep -q "^taskscope: .*cannot load $SONAME" "$ERR" && ok "$(head -n 1 "$ERR")" ||
		fail "the message does not name $SONAME" "$ERR"
fi
finish
