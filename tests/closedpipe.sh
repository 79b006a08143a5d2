#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# closedpipe.sh - output into a closed pipe (taskscope ... | head -1) ends taskscope quietly:
# exit status 0, nothing on stderr, no crash, for the task view, maps, share, cpus and --help,
# with SIGPIPE at its default or ignored by whoever started taskscope.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need python

start_workload --threads 2 --mem 8M --duration 900
a=$WL_PID
start_workload --procs 1 --mem 8M --duration 900
b=$WL_PID

# ---- a reader that is gone before taskscope writes ---------------------------------------------

# closed SIGPIPE ARGS...: run taskscope ARGS with stdout a pipe whose reader is closed, and
# SIGPIPE "default" or "ignored"; prints "exit STATUS" and stderr's first 300 bytes
closed() {
	"$PY" - "$@" <<'EOF'
import os, signal, subprocess, sys
mode, argv = sys.argv[1], sys.argv[2:]
r, w = os.pipe()
os.close(r)
if mode == "ignored":
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
try:
    p = subprocess.run(argv, stdout=w, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                       timeout=60 * int(os.environ.get("TS_SLOW", "1")), restore_signals=(mode == "default"))
except subprocess.TimeoutExpired:
    print("exit timeout")
    sys.exit(0)
print("exit %d %r" % (p.returncode, p.stderr[:300]))
EOF
}

cases=(
	"-b -n 3 -d 0.1"
	"-b -H -n 3 -d 0.1"
	"-J -n 3 -d 0.1"
	"-r -H -n 3 -d 0.1"
	"-b -n 2 -d 0.1 -o +PSS,USS,CMD -p $a,$b"
	"maps $a"
	"maps -J $a"
	"maps -r $a $b"
	"share $a $b"
	"share -J $a $b"
	"cpus -p $a -t 0.3"
	"cpus -J -p $a -t 0.3"
	"cpus -r -p $a -t 0.3"
	"--list-columns"
	"--help"
	"maps --help"
	"share --help"
	"cpus --help"
	"workload --help"
)
for mode in default ignored; do
	for c in "${cases[@]}"; do
		check "taskscope $c > closed pipe (SIGPIPE $mode): exit 0, stderr empty"
		# shellcheck disable=SC2086
		got=$(closed "$mode" "$TASKSCOPE" $c)
		if [ "$got" = "exit 0 b''" ]; then
			ok "$got"
		else
			fail "$got"
		fi
	done
done

# ---- | head -1 on output that does not end by itself --------------------------------------------

for c in "-b -H -d 0.1" "-J -d 0.1" "-r -d 0.1" "-b -d 0.1 -p $a"; do
	check "taskscope $c | head -1: taskscope ends within 10 s (times TS_SLOW), exit 0, stderr empty, one line read"
	t0=$(now_ms)
	# shellcheck disable=SC2086
	line=$(timeout -k 5 $((60 * TS_SLOW)) "$TASKSCOPE" $c 2>"$TS_TMP/head.err" </dev/null | head -n 1; echo "rc=${PIPESTATUS[0]}")
	t1=$(now_ms)
	rc=${line##*rc=}
	if [ "$rc" != 0 ]; then
		fail "exit status $rc" "$TS_TMP/head.err"
	elif [ -s "$TS_TMP/head.err" ]; then
		fail "stderr is not empty" "$TS_TMP/head.err"
	elif [ $((t1 - t0)) -gt $((10000 * TS_SLOW)) ]; then
		fail "it took $((t1 - t0)) ms to end"
	elif [ "$(printf '%s\n' "$line" | wc -l)" -ne 2 ]; then
		fail "head did not get one line: '$line'"
	else
		ok "ended after $((t1 - t0)) ms; read: $(head -n 1 <<<"$line" | cut -c1-60)"
	fi
done

for c in "maps -J $a $b" "share -J $a $b" "cpus -J -p $a -t 0.5"; do
	check "taskscope $c | head -1: exit 0, stderr empty"
	# shellcheck disable=SC2086
	line=$(timeout -k 5 $((60 * TS_SLOW)) "$TASKSCOPE" $c 2>"$TS_TMP/head.err" </dev/null | head -n 1; echo "rc=${PIPESTATUS[0]}")
	rc=${line##*rc=}
	if [ "$rc" != 0 ] || [ -s "$TS_TMP/head.err" ]; then
		fail "exit status $rc" "$TS_TMP/head.err"
	else
		ok "read: $(head -n 1 <<<"$line")"
	fi
done

finish
