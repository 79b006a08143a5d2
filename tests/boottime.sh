#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# boottime.sh - the boot time that a task's START (boot + its start in ticks) and a
# recording's clock rest on is the machine's to the microsecond, not /proc/uptime's 10 ms
# steps: runs one after another agree, so no START moves a second between two runs
. "$(dirname "$0")/lib.sh"
need python
command -v sqlite3 >/dev/null || skip "the sqlite3 command line is not installed (apt-get install sqlite3)"

check "three recordings' boot_time each within 2 ms of CLOCK_REALTIME - CLOCK_BOOTTIME"
for i in 1 2 3; do
	ts rec$i record -o "$TS_TMP/b$i.db" -n 1 -p $$
	expect_rc 0 "record $i" || continue
	got=$(sqlite3 "$TS_TMP/b$i.db" "SELECT value FROM meta WHERE key = 'boot_time'")
	if d=$("$PY" -c '
import sys, time
want = time.clock_gettime(time.CLOCK_REALTIME) - time.clock_gettime(time.CLOCK_BOOTTIME)
d = abs(float(sys.argv[1]) - want)
print("%.6f" % d)
sys.exit(0 if d < 0.002 else 1)' "$got"); then
		ok "recording $i: boot_time $got, off by $d s"
	else
		fail "recording $i: boot_time '$got' is $d s off the machine's" "$ERR"
	fi
done
finish
