#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# recnotrec.sh - taskscope maps FILE on a recording (taskscope record): mappings are not
# recorded; it says so on one line that names what the recording holds and what to run
# instead, and exits 1. A file that is not a recording (text, a FIFO: never opened) stays
# the PID usage error it was, for maps and share.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

d=$TS_TMP
db=$d/rec$TS_RUN.db
ts record record -o "$db" -d 0.1 -n 4 --memory-every 2 -p $$
check "record -n 4 --memory-every 2 -p \$\$"
expect_rc 0 "record" || finish

ts maps maps "$db"
check "maps FILE: mappings not recorded, said on one line, exit 1"
expect_rc 1 "maps FILE"
if [ "$(wc -l <"$ERR")" = 1 ] && [ ! -s "$OUT" ] &&
   grep -qF "taskscope: maps: '$db' is a recording: mappings are not recorded" "$ERR" &&
   grep -qF "memory totals every 2 samples" "$ERR" &&
   grep -qF "try taskscope replay -o PID,COMM,RSS,PSS,USS,SWAP '$db'" "$ERR"; then
	ok "$(cat "$ERR")"
else
	fail "maps FILE did not say what is not recorded on one line" "$ERR" "$OUT"
fi

check "a file that is not a recording, and a FIFO, stay PID usage errors (exit 2)"
printf 'SQLite format 2\n' >"$d/text.db"
mkfifo "$d/fifo"
for f in "$d/text.db" "$d/fifo"; do
	for cmd in maps share; do
		ts plain "$cmd" "$f"
		if [ "$RC" = 2 ] && grep -q "invalid PID" "$ERR"; then
			ok "$cmd $(basename "$f"): exit 2, invalid PID"
		else
			fail "$cmd $(basename "$f"): exit $RC" "$ERR"
		fi
	done
done
finish
