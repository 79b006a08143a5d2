#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# recordfull.sh - a recording on a disk that fills: a clear error naming the full disk, the
# samples committed kept (the file passes PRAGMA integrity_check and replays), exit 1
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null || skip "the sqlite3 command line is not installed (apt-get install sqlite3)"
[ "$(id -u)" = 0 ] || skip "mounting a small tmpfs needs root"
mnt=$TS_TMP/small
mkdir "$mnt"
mount -t tmpfs -o size=1m,mode=0755 tmpfs "$mnt" 2>"$TS_TMP/mount.err" ||
	skip "cannot mount a tmpfs here: $(cat "$TS_TMP/mount.err")"
umount_small() { umount "$mnt" 2>/dev/null; }
trap 'umount_small; ts_cleanup' EXIT

# leave about 200K: a few dozen samples of one small process fit
dd if=/dev/zero of="$mnt/filler" bs=1k count=800 2>/dev/null

start_workload --threads 2 --spin --name "full$TS_RUN"
ts full record -o "$mnt/r.db" -d 0.05 --memory-every 1 -p "$WL_PID"
check "record on a disk that fills: exit 1 and 'the disk is full (N samples kept)'"
expect_rc 1 "record"
kept=$(sed -n 's/.*the disk is full (\([0-9]*\) samples\? kept).*/\1/p' "$ERR")
[ -n "$kept" ] && [ "$kept" -ge 1 ] && ok "$(cat "$ERR")" || fail "no such message" "$ERR"

# read it where there is room (the WAL may hold the samples that were not checkpointed)
cp "$mnt"/r.db* "$TS_TMP/"
check "the file holds the $kept samples committed and passes PRAGMA integrity_check"
q=$(sqlite3 "$TS_TMP/r.db" 'PRAGMA integrity_check; SELECT count(*) FROM samples' 2>&1)
[ "$q" = "ok"$'\n'"$kept" ] && ok "$(echo $q)" || fail "sqlite3 says: $(echo $q)"

check "it replays: $kept samples"
ts replay replay -J -H "$TS_TMP/r.db"
[ "$RC" = 0 ] && [ "$(grep -c '"replay":' "$OUT")" = "$kept" ] && ok "$kept samples" ||
	fail "replay: status $RC" "$OUT" "$ERR"

finish
