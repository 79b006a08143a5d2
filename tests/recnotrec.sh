#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# recnotrec.sh - taskscope maps FILE and share FILE on a recording (taskscope record): what
# they need (mappings, page frames) is not recorded; each says so on one line that names
# what the recording holds and what to run instead, and exits 1. A file that is not a
# recording (text, a FIFO: never opened) stays the PID usage error it was.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
lib=$(dirname "$0")/lib.sh
[ -r "$lib" ] || lib=${top_srcdir:-.}/tests/lib.sh
. "$lib" || exit 99

d=$TS_TMP
db=$d/rec$TS_RUN.db
ts record record -o "$db" -d 0.1 -n 4 --memory-every 2 -p $$
check "record -n 4 --memory-every 2 -p \$\$"
expect_rc 0 "record" || finish

# one_line CMD WHAT HINT: CMD FILE exits 1 with one line naming the file, what is not
# recorded, the cadence of the memory samples and the hint
one_line() {
	local cmd=$1 what=$2 hint=$3
	ts "$cmd" "$cmd" "$db"
	check "$cmd FILE: '$what' not recorded, said on one line, exit 1"
	expect_rc 1 "$cmd FILE"
	if [ "$(wc -l <"$ERR")" = 1 ] && [ ! -s "$OUT" ] &&
	   grep -qF "taskscope: $cmd: '$db' is a recording: $what not recorded" "$ERR" &&
	   grep -qF "memory totals every 2 samples" "$ERR" && grep -qF "try $hint" "$ERR"; then
		ok "$(cat "$ERR")"
	else
		fail "$cmd FILE did not say what is not recorded on one line" "$ERR" "$OUT"
	fi
}
one_line maps "mappings are" "taskscope replay -o PID,COMM,RSS,PSS,USS,SWAP '$db'"
one_line share "page frames (which pages each process maps) are" "sqlite3 '$db' 'select * from sharing'"

ts sharep share -J -p 1 "$db"
check "share -J -p 1 FILE: the recording is said not recorded as well"
expect_rc 1 "share -J -p 1 FILE"
grep -qF "is a recording: page frames" "$ERR" && ok "said" || fail "not said" "$ERR"

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
