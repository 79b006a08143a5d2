#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# serve-churn.sh - taskscope serve while tests/churner forks processes with hostile names (each
# a group of its own) as fast as it can: scrapes keep coming, the text stays valid for
# promtool, the groups stay bounded, no fd is left behind
. "$(dirname "$0")/lib.sh"

need churner
command -v unshare >/dev/null 2>&1 || skip "unshare not found (util-linux)"
command -v curl >/dev/null 2>&1 || skip "curl not found (apt-get install curl)"
command -v promtool >/dev/null 2>&1 || skip "promtool not found (apt-get install prometheus)"
[ "$(id -u)" -eq 0 ] || skip "needs root: the churner runs in a PID namespace of its own"
no_exit_leak_check
SECS=${CHURN_SECONDS:-8}

ts_bg serve serve --listen 127.0.0.1:0 -d 0.2 --memory-every 3
SPID=$TSPID
poll_until 20 grep -q '^taskscope serve: http://' "$OUT" || die "taskscope serve did not start" "$OUT" "$ERR"
SPORT=$(sed -n 's|^taskscope serve: http://127\.0\.0\.1:\([0-9]*\)/metrics$|\1|p' "$OUT")
URL=http://127.0.0.1:$SPORT/metrics
fds() { other_fds "$SPID"; }
fd0=$(fds)

# the churner's processes are in a PID namespace of their own, and in the host's /proc too
unshare -p -f --mount-proc --kill-child -- nice -n 19 "$CHURNER" "$SECS" \
	>"$TS_TMP/churner.out" 2>"$TS_TMP/churner.err" </dev/null &
NSU=$!
track "$NSU"

check "scrapes while processes come and go: all answered, every one valid for promtool"
n=0
bad=0
t_end=$(($(now_ms) + SECS * 1000))
while [ "$(now_ms)" -lt "$t_end" ]; do
	if curl -sf -m 30 -o "$TS_TMP/s.prom" "$URL"; then
		n=$((n + 1))
		if [ $((n % 5)) -eq 1 ] && ! promtool check metrics <"$TS_TMP/s.prom" >"$TS_TMP/lint" 2>&1; then
			bad=$((bad + 1))
			cp "$TS_TMP/s.prom" "$TS_TMP/bad.prom"
		fi
	else
		fail "a scrape failed during the churn" "$ERR"
		break
	fi
done
wait "$NSU" 2>/dev/null
[ "$n" -gt 0 ] && [ "$bad" -eq 0 ] && ok "$n scrapes, every fifth linted: clean" ||
	fail "$bad of the linted scrapes are not valid" "$TS_TMP/lint"
grep -q 'group="c[0-9]' "$TS_TMP/s.prom" 2>/dev/null && ok "the churner's groups were served" ||
	say "no churner group in the last scrape (it may have ended before)"
cat "$TS_TMP/churner.out"

check "taskscope serve still runs, no fd left behind, the groups bounded"
alive "$SPID" || die "taskscope serve died" "$ERR"
idle_fds() { [ "$(fds)" -eq "$fd0" ]; }
if poll_until 20 idle_fds; then
	ok "$fd0 fds"
else
	fail "$fd0 fds before, $(fds) after"
fi
curl -sf -o "$TS_TMP/last.prom" "$URL" || fail "the last scrape failed"
groups=$(sed -n 's/^taskscope_groups //p' "$TS_TMP/last.prom")
procs=$(sed -n 's/^taskscope_scanned_processes //p' "$TS_TMP/last.prom")
if [ -n "$groups" ] && [ "$groups" -le $((5000 + procs)) ]; then
	ok "$groups groups for $procs processes"
else
	fail "groups '$groups' for '$procs' processes: more than 5,000 without a process"
fi
kill -TERM "$SPID"
ts_wait 20
expect_rc 0 "SIGTERM"

finish
