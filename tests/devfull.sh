#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# devfull.sh - write errors: every command with standard output on /dev/full (and with
# --output-file /dev/full where it takes one) says "write error", names the file, gives the
# real cause (ENOSPC, not EIO) and exits 1; a spawned job's failure status still wins.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
[ -c /dev/full ] || skip "no /dev/full here"

start_workload --threads 2 --mem 4M --duration 900
a=$WL_PID
start_workload --procs 1 --mem 4M --duration 900
b=$WL_PID
ENOSPC=$(python3 -c 'import os, errno; print(os.strerror(errno.ENOSPC))' 2>/dev/null ||
	echo "No space left on device")

# full NAME WANT_RC WHERE ARGS...: taskscope ARGS with standard output on /dev/full; WHERE
# is the file the message names
full() {
	local name=$1 want=$2 where=$3
	shift 3
	ERR=$TS_TMP/$name.err
	timeout -k 5 $((60 * TS_SLOW)) "$TASKSCOPE" "$@" >/dev/full 2>"$ERR" </dev/null
	RC=$?
	judge "$name" "$want" "$where" "$*"
}

# judge NAME WANT_RC WHERE WHAT: RC and the one message in ERR
judge() {
	local want=$2 where=$3 what=$4 msg="taskscope: write error: $3: $ENOSPC"
	if [ "$RC" -eq "$want" ] && grep -qxF "$msg" "$ERR" && [ "$(grep -c 'write error' "$ERR")" -eq 1 ]; then
		ok "$what: exit status $RC, '$msg'"
	else
		fail "$what: exit status $RC (expected $want), expected once: '$msg'" "$ERR"
	fi
}

cases=(
	"--help"
	"-V"
	"--version"
	"--list-columns"
	"-b -n1"
	"-b -H -n2 -d 0.1 -p $a,$b"
	"-J -n1"
	"-r -n1"
	"maps --help"
	"maps --list-columns"
	"maps $a"
	"maps -J $a $b"
	"share --help"
	"share $a $b"
	"share -J $a $b"
	"cpus --help"
	"cpus -t 0.3 -p $a"
	"cpus -J -t 0.3 -p $a"
	"compare --help"
	"compare -t 0.3 -p $a -p $b"
	"compare -J -t 0.3 -p $a -p $b"
	"demo --help"
	"workload --help"
	"help"
	"help --help"
	"help maps"
)
n=0
for c in "${cases[@]}"; do
	n=$((n + 1))
	check "taskscope $c >/dev/full"
	# shellcheck disable=SC2086
	full "stdout$n" 1 "standard output" $c
done

outs=(
	"-b -n1"
	"-J -n1"
	"-b -n2 -d 0.1 -p $a"
	"share $a $b"
	"share -J $a $b"
	"cpus -t 0.3 -p $a"
)
for c in "${outs[@]}"; do
	n=$((n + 1))
	check "taskscope $c --output-file /dev/full"
	# shellcheck disable=SC2086
	ts "file$n" $c --output-file /dev/full
	judge "file$n" 1 /dev/full "$c --output-file /dev/full"
done

check "taskscope cpus --svg /dev/full"
ts svgfull cpus -t 0.3 -p "$a" --svg /dev/full
judge svgfull 1 /dev/full "cpus --svg /dev/full"

# ---- a spawned job: its failure wins, its success does not hide the error ---------------------

check "a job that succeeds: the write error makes the exit status 1"
# (the job lives long enough to be reported on: share looks at it after 1 s)
ts jobok -b -n1 --output-file /dev/full -- sh -c 'sleep 2; exit 0'
judge jobok 1 /dev/full "-- exit 0"
ts shareok share --output-file /dev/full -- sh -c 'sleep 2; exit 0'
judge shareok 1 /dev/full "share -- exit 0"

check "a job that fails with 3: its status is returned, the write error still reported"
ts jobfail -b -n1 --output-file /dev/full -- sh -c 'sleep 2; exit 3'
judge jobfail 3 /dev/full "-- exit 3"
ts cpusfail cpus --output-file /dev/full -- sh -c 'sleep 1; exit 3'
judge cpusfail 3 /dev/full "cpus -- exit 3"

finish
