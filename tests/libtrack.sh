#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# libtrack.sh - the tests' clean-up kills only the processes a test tracked, not a process that
# got a tracked PID after it ended (a busy machine wraps its PIDs within a test: busy-check saw
# keptfd.sh's workload killed by another test's clean-up)
. "$(dirname "$0")/lib.sh"

need_root
unshare -p -f --mount-proc -- true 2>"$TS_TMP/unshare.err" ||
	skip "unshare -p -f --mount-proc is not permitted here: $(head -n 1 "$TS_TMP/unshare.err")"

check "a tracked PID ended, reaped and taken by another process: the clean-up leaves that one"
# In a PID namespace of its own (ns_last_pid makes the PID come again): a process "test"
# tracks a sleep, stops it, a stranger gets the same PID, the test ends (its clean-up runs);
# then the stranger must still run.
cat >"$TS_TMP/inner.sh" <<'INNER'
. "$1/lib.sh"
sleep 1000 &
mine=$!
track "$mine"
stop "$mine"				# ended and reaped: the PID is free
echo $((mine - 1)) >/proc/sys/kernel/ns_last_pid
setsid sleep 1000 </dev/null >/dev/null 2>&1 &
stranger=$!
echo "$mine $stranger" >"$2"
exit 0					# ts_cleanup runs now
INNER
unshare -p -f --mount-proc --kill-child -- bash -c '
	bash "$1" "$2" "$3"
	read -r mine stranger <"$3"
	sleep 0.2
	if [ "$mine" != "$stranger" ]; then echo "not reused: $mine $stranger"; exit 3; fi
	if kill -0 "$stranger" 2>/dev/null; then echo "alive $stranger"; else echo "killed $stranger"; fi
	kill "$stranger" 2>/dev/null' _ "$TS_TMP/inner.sh" "$TS_LIBDIR" "$TS_TMP/pids" >"$TS_TMP/result" 2>&1
case $(cat "$TS_TMP/result") in
alive*) ok "PID $(cut -d' ' -f1 <"$TS_TMP/pids") came again for another process, which the clean-up left running" ;;
"not reused"*) skip "ns_last_pid did not give the PID again: $(cat "$TS_TMP/result")" ;;
*) fail "the clean-up killed the process that took a tracked PID" "$TS_TMP/result" ;;
esac

check "a tracked process still running at the end is stopped by the clean-up"
cat >"$TS_TMP/inner2.sh" <<'INNER'
. "$1/lib.sh"
setsid sleep 1000 </dev/null >/dev/null 2>&1 &
track $!
echo $! >"$2"
exit 0
INNER
bash "$TS_TMP/inner2.sh" "$TS_LIBDIR" "$TS_TMP/pid2"
p=$(cat "$TS_TMP/pid2")
if poll_until 10 gone "$p"; then
	ok "sleep $p stopped at the test's end"
else
	kill "$p" 2>/dev/null
	fail "sleep $p still runs after the test that tracked it ended"
fi
finish
