#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# recordtrim.sh - record --max-age and --max-size drop the oldest samples, and what is kept
# still replays as it was recorded (each kept sample but the first, which lost the sample
# its interval values were counted from, equals the live JSON)
. "$(dirname "$0")/lib.sh"

need_python
command -v sqlite3 >/dev/null || skip "the sqlite3 command line is not installed (apt-get install sqlite3)"

start_workload --threads 24 --spin --name "trim$TS_RUN"

cat >"$TS_TMP/cmp.py" <<'PY'
import json, sys
from tsjson import docs
live, rep = docs(sys.argv[1]), docs(sys.argv[2])
kept = int(sys.argv[3])
assert len(rep) == kept, "replay: %d samples, the file %d" % (len(rep), kept)
assert 1 < kept < len(live), "kept %d of %d" % (kept, len(live))
for a, b in zip(live[len(live) - kept + 1:], rep[1:]):
    b.pop("replay")
    assert a == b, "a kept sample differs from its live JSON: %s" % a["time"]
print("%d of %d samples kept, the last %d as recorded" % (kept, len(live), kept - 1))
PY

# ---- --max-age ----
db=$TS_TMP/age.db
ts age record -o "$db" -d 0.1 -n 40 --max-age 1 --json-copy "$TS_TMP/age.json" -p "$WL_PID"
check "record --max-age 1 -n 40: the samples older than 1 s before the last trim are gone"
expect_rc 0 "record --max-age"
q=$(sqlite3 "$db" "SELECT count(*), min(time) >= max(time) - 1.0 FROM samples;
	PRAGMA integrity_check" 2>&1)
kept=${q%%|*}
[ "${q#*|}" = $'1\nok' ] && [ "$kept" -lt 40 ] && ok "$kept samples kept" ||
	fail "the file says: $(echo $q)"
check "what --max-age kept replays as it was recorded"
ts age-replay replay -J -H "$db"
"$PY" "$TS_TMP/cmp.py" "$TS_TMP/age.json" "$OUT" "$kept" >"$TS_TMP/cmp.txt" 2>&1 &&
	ok "$(cat "$TS_TMP/cmp.txt")" || fail "replay after --max-age" "$TS_TMP/cmp.txt" "$ERR"

# ---- --max-size ----
db=$TS_TMP/size.db
ts size record -o "$db" -d 0.05 -n 120 --max-size 96K --json-copy "$TS_TMP/size.json" -p "$WL_PID"
check "record --max-size 96K: the oldest samples are dropped, the pages in use stay near 96K (13 pages of 4 KiB are the empty schema)"
expect_rc 0 "record --max-size"
q=$(sqlite3 "$db" "SELECT count(*) FROM samples; PRAGMA integrity_check" 2>&1)
kept=${q%%$'\n'*}
used=$(sqlite3 "$db" "SELECT (p.page_count - f.freelist_count) * s.page_size FROM
	pragma_page_count p, pragma_freelist_count f, pragma_page_size s" 2>&1)
# trimmed every 8 samples: up to 8 samples' rows above the limit
per=$(( (used + kept - 1) / kept ))
[ "${q#*$'\n'}" = ok ] && [ "$kept" -lt 120 ] && [ "$used" -le $((98304 + 8 * per + 16384)) ] &&
	ok "$kept samples kept, $used bytes of pages in use" ||
	fail "the file says: $(echo $q); $used bytes in use"
check "what --max-size kept replays as it was recorded"
ts size-replay replay -J -H "$db"
"$PY" "$TS_TMP/cmp.py" "$TS_TMP/size.json" "$OUT" "$kept" >"$TS_TMP/cmp.txt" 2>&1 &&
	ok "$(cat "$TS_TMP/cmp.txt")" || fail "replay after --max-size" "$TS_TMP/cmp.txt" "$ERR"

finish
