# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - shared helpers of the live shell tests: verdicts, evidence, workloads, cleanup
#
# Sourced (never run) by tests/*.sh, which the automake harness runs with $(SHELL) from the
# build directory. The harness exports TASKSCOPE, TSHELPER, FIXTURES, PYTHON3, top_srcdir;
# run by hand (bash tests/usage.sh) the programs are looked up next to this file.
#
# Verdicts: a test calls check/ok/fail as it goes and ends with `finish`: exit 0 when every
# check passed, 1 when one failed; `skip REASON` exits 77 at once, `die` exits 1 at once.

# A test sources this as its first command: `. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
# || exit 99` (the harness may run it with a POSIX sh, which reaches this line before any bash
# syntax: the test then starts again under bash).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u

TS_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TS_SRCDIR=$(cd "$TS_LIBDIR/.." && pwd)	# the top source directory
TS_TEST=$(basename "$0" .sh)

# The programs under test; the build directory may differ from the source directory.
if [ -z "${TASKSCOPE:-}" ]; then
	for d in "${top_builddir:-}" "$TS_LIBDIR/.." "$PWD"; do
		if [ -n "$d" ] && [ -x "$d/taskscope" ]; then
			TASKSCOPE=$(cd "$d" && pwd)/taskscope
			break
		fi
	done
fi
if [ -z "${TSHELPER:-}" ]; then
	for d in "${top_builddir:-}" "$TS_LIBDIR/.." "$PWD"; do
		if [ -n "$d" ] && [ -x "$d/tests/tshelper" ]; then
			TSHELPER=$(cd "$d" && pwd)/tests/tshelper
			break
		fi
	done
fi
: "${TASKSCOPE:=taskscope}" "${TSHELPER:=tshelper}"
export TASKSCOPE TSHELPER

# Messages must be the C locale's, sizes the C locale's decimal point.
export LC_ALL=C

TS_FAILED=0
TS_FAIL_LIST=()
TS_T0=$SECONDS
TS_CHECKS=0
TS_PIDS=()
TS_STARTS=()
TS_CGROUPS=()	# v1_cgroups made them; ts_cleanup removes them

# TS_RUN: a part unique to this run of this test (two `make check` may run at once on one
# machine); tests put it into the names of the tasks they start and look for.
TS_RUN=${TS_RUN:-$$r$RANDOM}

# ---- load -----------------------------------------------------------------------------------

# load_line: the load average and the number of tasks on the system, for failure evidence
load_line() {
	local la nt
	la=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
	nt=$(cut -d' ' -f4 /proc/loadavg 2>/dev/null)
	printf 'load average %s on %s CPUs, runnable/total tasks %s' "${la:-?}" "$(nproc 2>/dev/null || echo ?)" "${nt:-?}"
}

# TS_SLOW: how much longer than on a quiet machine things may take here: 1 + the load per
# CPU, rounded up, where the load is the larger of the 1-minute average and the tasks
# runnable now (the average lags when two test runs start together), at most 10. Set it to
# override.
# The outer limits of the waits (poll_until, ts, ts_wait, start_workload) are multiplied by
# it: they only bound a wait on a condition, so a large value costs time only when something
# is wrong.
ts_slow() {
	local la run ncpu
	read -r la _ _ run _ </proc/loadavg 2>/dev/null
	ncpu=$(nproc 2>/dev/null || echo 1)
	la=${la%%.*}
	run=${run%%/*}
	[[ $la =~ ^[0-9]+$ ]] || la=0
	[[ $run =~ ^[0-9]+$ ]] || run=1
	[ "$((run - 1))" -gt "$la" ] && la=$((run - 1))
	la=$((1 + (la + ncpu - 1) / ncpu))
	[ "$la" -gt 10 ] && la=10
	echo "$la"
}
: "${TS_SLOW:=$(ts_slow)}"
export TS_SLOW

TS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/taskscope-$TS_TEST.XXXXXX") || {
	echo "lib.sh: cannot create a temporary directory" >&2
	exit 99
}

# ---- verdicts and evidence --------------------------------------------------------------

# The log is read on a terminal: what a test prints shows control bytes as ^X / M-x.
# say TEXT: an informational line in the log
say() { printf '# %s\n' "$*" | cat -v; }

# check TEXT: announce what the next assertion checks
check() {
	TS_CHECKS=$((TS_CHECKS + 1))
	printf 'CHECK: %s\n' "$*" | cat -v
	printf '  (at %d s)\n' $((SECONDS - TS_T0))
}

ok() { printf '  ok: %s\n' "$*" | cat -v; }

# show FILE [LABEL]: the file's content as evidence, control bytes made visible
show() {
	local f=$1 label=${2:-$1} n
	if [ ! -e "$f" ]; then
		printf '  --- %s: (missing)\n' "$label"
		return
	fi
	n=$(wc -l <"$f")
	printf '  --- %s (%s lines, %s bytes):\n' "$label" "$n" "$(wc -c <"$f")"
	head -n 60 "$f" | cat -v | sed 's/^/  | /'
	[ "$n" -gt 60 ] && printf '  | ... (%s more lines)\n' $((n - 60))
	printf '  ---\n'
}

# fail TEXT [FILE...]: a failed assertion with the files that prove it; the test goes on
fail() {
	local msg=$1
	shift
	TS_FAILED=1
	TS_FAIL_LIST+=("$msg")
	printf 'FAIL: %s\n' "$msg" | cat -v
	printf '  (%s; TS_SLOW %s)\n' "$(load_line)" "$TS_SLOW"
	for f in "$@"; do
		show "$f"
	done
}

# verdict GOOD OKTEXT FAILTEXT [FILE...]: ok OKTEXT when GOOD is 1 (every property held), else
# fail FAILTEXT with the FILEs
verdict() {
	local good=$1 oktext=$2 failtext=$3
	shift 3
	if [ "$good" -eq 1 ]; then
		ok "$oktext"
	else
		fail "$failtext" "$@"
	fi
}

# expect_between VALUE MIN MAX OKTEXT FAILTEXT [FILE...]: VALUE must be a whole number from
# MIN to MAX (no upper bound when MAX is empty)
expect_between() {
	local v=$1 lo=$2 hi=$3 good=1
	shift 3
	[ "$v" -ge "$lo" ] 2>/dev/null || good=0
	[ -z "$hi" ] || [ "$v" -le "$hi" ] 2>/dev/null || good=0
	verdict "$good" "$@"
}

# die TEXT [FILE...]: a failure after which the test cannot go on
die() {
	fail "$@"
	exit 1
}

# skip REASON: the test cannot run here
skip() {
	printf 'SKIP: %s\n' "$*"
	printf '  (%s)\n' "$(load_line)"
	exit 77
}

# finish: the verdict of the whole file
finish() {
	if [ "$TS_FAILED" -ne 0 ]; then
		# the failures again at the end, where a log cut to its last lines still shows them
		local m
		for m in "${TS_FAIL_LIST[@]}"; do
			printf 'failed: %s\n' "$m" | cut -c1-300 | cat -v
		done
		printf '%s: FAILED (%d checks, %d s)\n' "$TS_TEST" "$TS_CHECKS" $((SECONDS - TS_T0))
		exit 1
	fi
	printf '%s: all %d checks passed (%d s)\n' "$TS_TEST" "$TS_CHECKS" $((SECONDS - TS_T0))
	exit 0
}

# ---- time and polling ---------------------------------------------------------------------

# now_ms: monotonic-enough wall clock in milliseconds
now_ms() {
	if [ -n "${EPOCHREALTIME:-}" ]; then
		local t=${EPOCHREALTIME/[.,]/}
		echo $((10#$t / 1000))
	else
		echo $(($(date +%s%N) / 1000000))
	fi
}

# poll_until SECONDS CMD [ARGS...]: run CMD every 50 ms until it succeeds; 1 on timeout.
# SECONDS is the limit on a quiet machine: it is multiplied by TS_SLOW.
poll_until() {
	local secs=$1 deadline
	shift
	deadline=$(($(now_ms) + secs * 1000 * TS_SLOW))
	while :; do
		"$@" && return 0
		[ "$(now_ms)" -ge "$deadline" ] && return 1
		sleep 0.05
	done
}

# ts_secs SECONDS: SECONDS times TS_SLOW, for how long a short-lived workload runs when a
# sampler must catch it at least once (on a loaded machine the sampler may not run at all
# in a fraction of a second)
ts_secs() { awk -v s="$1" -v k="$TS_SLOW" 'BEGIN { printf "%g\n", s * k }'; }

# ---- fixture trees ------------------------------------------------------------------------

# v2_tree DIR: golden/shm/1 copied to DIR with the cgroup-v2 fixture's /proc/PID/cgroup files
# laid over it, as PID/cgroup and PID/task/PID/cgroup (the main thread's, which taskscope
# reads: the directory it checked the identity of)
v2_tree() {
	local fx=${FIXTURES:-$TS_SRCDIR/tests/fixtures} f pid
	cp -R "$fx/golden/shm/1" "$1" || die "cannot copy golden/shm/1"
	for f in "$fx"/cgroup-v2/proc/*/cgroup; do
		pid=$(basename "$(dirname "$f")")
		[ -d "$1/$pid" ] || die "fixture $f: no process $pid in golden/shm/1"
		cp "$f" "$1/$pid/cgroup" && cp "$f" "$1/$pid/task/$pid/cgroup" || die "cannot copy $f"
	done
}

# ---- processes ----------------------------------------------------------------------------

# start_of PID: the start time of process PID (clock ticks after boot, stat's field 22);
# fails when there is no such process
start_of() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) && [ -n "$s" ] || return 1
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	echo "${20}"
}

# track PID...: kill these at exit, if they are still the processes they were (with their
# start time: a PID ended and reaped is soon another test's process on a busy machine)
track() {
	local p
	for p in "$@"; do
		TS_PIDS+=("$p")
		TS_STARTS+=("$(start_of "$p")")
	done
}

# alive PID: the process exists and is not a zombie
alive() {
	local st
	[ -r "/proc/$1/stat" ] || return 1
	st=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

gone() { ! alive "$1"; }

# stop PID...: SIGTERM, up to 5 s to go, then SIGKILL; reaps our own children
stop() {
	local p
	for p in "$@"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "$@"; do
		if ! poll_until 5 gone "$p"; then
			kill -KILL "$p" 2>/dev/null
			poll_until 2 gone "$p"
		fi
	done
	for p in "$@"; do
		wait "$p" 2>/dev/null
	done
	return 0
}

ts_cleanup() {
	local i p live=()
	trap - EXIT INT TERM HUP
	for i in "${!TS_PIDS[@]}"; do
		p=${TS_PIDS[i]}
		[ -n "${TS_STARTS[i]}" ] && [ "$(start_of "$p")" = "${TS_STARTS[i]}" ] &&
			alive "$p" && live+=("$p")
	done
	[ "${#live[@]}" -gt 0 ] && stop "${live[@]}"
	for ((p = ${#TS_CGROUPS[@]} - 1; p >= 0; p--)); do	# children first; now empty
		rmdir "${TS_CGROUPS[p]}" 2>/dev/null
	done
	rm -rf "$TS_TMP"
}
trap ts_cleanup EXIT
trap 'echo "$TS_TEST: interrupted" >&2; exit 130' INT
trap 'echo "$TS_TEST: terminated" >&2; exit 143' TERM
trap 'echo "$TS_TEST: hangup" >&2; exit 129' HUP

# free_pid: print a PID no process (or thread) uses now
free_pid() {
	local max p i start=$RANDOM
	max=$(cat /proc/sys/kernel/pid_max 2>/dev/null || echo 32768)
	# random tries in the upper half first, then every PID from a random start: with the
	# PID space nearly full (another run's 30,000 threads) the tries alone did not find one
	for ((i = 0; i < 1000 + max; i++)); do
		if [ "$i" -lt 1000 ]; then
			p=$((max - 1 - (RANDOM * 32768 + RANDOM) % (max / 2)))
		else
			p=$((300 + (i + start) % (max - 300)))
		fi
		if [ ! -e "/proc/$p" ] && ! kill -0 "$p" 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# free_port: a loopback port nothing listens on now (another run may take it before it is
# used: start_server tries again then)
free_port() {
	local p
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		p=$((20000 + (RANDOM * 7) % 30000))
		ss -ltn 2>/dev/null | grep -q ":$p " || { echo "$p"; return 0; }
	done
	return 1
}

# other_fds PID: how many fds PID holds besides the stat files taskscope keeps open between
# samples, and the status and smaps_rollup files serve's memory pass keeps (their number
# follows the tasks on the machine, not a leak)
other_fds() {
	ls -l "/proc/$1/fd" 2>/dev/null |
		grep -Evc ' -> /proc/[0-9]+(/task/[0-9]+)?/(stat|status|smaps_rollup)$'
}

# start_server NAME URLPATH CMD...: start a server (Prometheus, an exporter) on a free
# loopback port, every @PORT@ in CMD replaced by it, and wait until
# http://127.0.0.1:PORT/URLPATH answers. One that lost its port to another run ("address
# already in use": tests run side by side) starts again on another. Sets SRV_PID and
# SRV_PORT; its output is in $TS_TMP/NAME.log.
start_server() {
	local name=$1 path=$2 try a args
	shift 2
	for try in 1 2 3 4 5; do
		SRV_PORT=$(free_port) || die "no free loopback port for $name"
		args=()
		for a in "$@"; do
			args+=("${a//@PORT@/$SRV_PORT}")
		done
		"${args[@]}" >"$TS_TMP/$name.log" 2>&1 </dev/null &
		SRV_PID=$!
		track "$SRV_PID"
		poll_until 30 server_up_or_gone "$name" "$path"
		if grep -q 'address already in use' "$TS_TMP/$name.log"; then
			stop "$SRV_PID"
			continue
		fi
		alive "$SRV_PID" && curl -sf -o /dev/null "http://127.0.0.1:$SRV_PORT/$path" && return 0
		die "$name did not answer on 127.0.0.1:$SRV_PORT/$path" "$TS_TMP/$name.log"
	done
	die "$name lost its port to another program $try times" "$TS_TMP/$name.log"
}
server_up_or_gone() {
	! alive "$SRV_PID" || grep -q 'address already in use' "$TS_TMP/$1.log" ||
		curl -sf -o /dev/null "http://127.0.0.1:$SRV_PORT/$2"
}

# ---- running taskscope ----------------------------------------------------------------------

# out_err NAME: OUT and ERR name the files of a run called NAME: $TS_TMP/NAME.out and .err
out_err() {
	OUT=$TS_TMP/$1.out
	ERR=$TS_TMP/$1.err
}

# ts NAME [ARGS...]: run taskscope with a time limit (TS_TIMEOUT, default 60 s, times
# TS_SLOW); stdout to $TS_TMP/NAME.out, stderr to $TS_TMP/NAME.err, exit status in RC, files
# in OUT and ERR, how long it ran in ELAPSED_MS.
ts() {
	local lim t0
	out_err "$1"
	shift
	lim=$((${TS_TIMEOUT:-60} * TS_SLOW))
	t0=$(now_ms)
	timeout -k 5 "$lim" "$TASKSCOPE" "$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	ELAPSED_MS=$(($(now_ms) - t0))
	[ "$RC" -eq 124 ] && say "taskscope $* did not end within $lim s: killed ($(load_line))"
	return 0
}

# wrap_taskscope NAME CMD...: write $TS_TMP/NAME, a script that runs `CMD... taskscope ARGS`
# (e.g. setpriv to run it as another user), and set WRAPPED to its path
wrap_taskscope() {
	WRAPPED=$TS_TMP/$1
	shift
	{
		echo '#!/bin/sh'
		printf 'exec '
		printf '%q ' "$@" "$TASKSCOPE"
		echo '"$@"'
	} >"$WRAPPED" && chmod 755 "$WRAPPED"
}

# ts_bg NAME [ARGS...]: like ts, but in the background (as our own child, so that its PID
# is known): sets TSPID, OUT, ERR. Collect it with ts_wait.
ts_bg() {
	out_err "$1"
	shift
	"$TASKSCOPE" "$@" >"$OUT" 2>"$ERR" </dev/null &
	TSPID=$!
	track "$TSPID"
}

# ts_wait SECONDS: wait up to SECONDS for the background taskscope TSPID; RC gets its exit
# status (124 if it had to be killed); ELAPSED_MS the time waited
ts_wait() {
	local t0
	t0=$(now_ms)
	if ! poll_until "$1" gone "$TSPID"; then
		say "taskscope $TSPID still runs after $(($1 * TS_SLOW)) s: killing it ($(load_line))"
		stop "$TSPID"
		RC=124
	else
		wait "$TSPID"
		RC=$?
	fi
	ELAPSED_MS=$(($(now_ms) - t0))
	return 0
}

# expect_rc WANT TEXT: RC must be WANT; shows the output otherwise
expect_rc() {
	if [ "$RC" -eq "$1" ]; then
		ok "$2: exit status $RC"
		return 0
	fi
	fail "$2: exit status $RC, expected $1" "$OUT" "$ERR"
	return 1
}

# expect_usage_errors CMD ARGS...: each ARGS (a string split into words) makes `taskscope CMD
# ARGS` a usage error: exit 2 with a message that starts "taskscope: CMD: "
expect_usage_errors() {
	local cmd=$1 args
	shift
	for args in "$@"; do
		# shellcheck disable=SC2086
		ts usage "$cmd" $args
		if [ "$RC" -eq 2 ] && grep -q "^taskscope: $cmd: " "$ERR"; then
			ok "$cmd $args: exit 2, '$(head -n1 "$ERR")'"
		else
			fail "$cmd $args: exit $RC, expected 2 with a 'taskscope: $cmd:' message" "$ERR"
		fi
	done
}

# expect_tables N WHAT FILE: FILE (a table report) holds N samples; else fail "n WHAT,
# expected N" and return 1
expect_tables() {
	local n
	n=$(grep -cE "$HDR" "$3")
	[ "$n" -eq "$1" ] && return 0
	fail "$n $2, expected $1" "$3"
	return 1
}

# expect_no_such_pid NAME PID ARGS...: taskscope ARGS, in which PID names no process, must
# exit 1 with the message "taskscope: no such process: PID"
expect_no_such_pid() {
	local name=$1 pid=$2
	shift 2
	ts "$name" "$@"
	if [ "$RC" -eq 1 ] && grep -qx "taskscope: no such process: $pid" "$ERR"; then
		ok "taskscope $*: exit 1, no such process: $pid"
	else
		fail "taskscope $*: exit status $RC, expected 1 and 'taskscope: no such process: $pid'" "$OUT" "$ERR"
	fi
}

# ---- workloads ------------------------------------------------------------------------------

# start_workload ARGS...: run `taskscope workload ARGS` in the background and wait (10 s)
# (times TS_SLOW) for its ready line. Sets and exports WL_PID, WL_TIDS (comma list), WL_TIDLIST (spaces),
# WL_MODE, WL_WORKERS, WL_OUT (its stdout), WL_ERR. Dies when it does not get ready.
WL_SEQ=0
# mapped PID: the shared libraries PID maps (base names, one a line)
mapped() { awk '$6 ~ /\.so/ { n = split($6, p, "/"); print p[n] }' "/proc/$1/maps" | sort -u; }

# batch_view_maps_none REGEX: start a sleeping workload (WL, WL_PID...) and a batch view of
# it, and check that neither maps a library whose name matches REGEX (a library taskscope
# loads only for some commands)
batch_view_maps_none() {
	local wl=bv$TS_RUN pid
	WL=${wl:0:15}
	start_workload --threads 1 --sleep --name "$WL"
	check "a running workload and a running batch view map no library matching '$1'"
	ts_bg bv -b -d 0.2 -n 100000 -p "$WL_PID"
	poll_until 20 grep -q "$WL" "$OUT" || die "the batch view printed no row of $WL" "$OUT" "$ERR"
	for pid in "$WL_PID" "$TSPID"; do
		mapped "$pid" >"$TS_TMP/libs.$pid"
		if grep -E "$1" "$TS_TMP/libs.$pid" >"$TS_TMP/bad.$pid"; then
			fail "process $pid maps $(tr '\n' ' ' <"$TS_TMP/bad.$pid")" "$TS_TMP/libs.$pid"
		else
			ok "process $pid: $(wc -l <"$TS_TMP/libs.$pid") libraries, none of them"
		fi
	done
	stop "$TSPID"
}

start_workload() {
	local line pid
	WL_SEQ=$((WL_SEQ + 1))
	WL_OUT=$TS_TMP/workload$WL_SEQ.out
	WL_ERR=$TS_TMP/workload$WL_SEQ.err
	: >"$WL_OUT"
	"$TASKSCOPE" workload "$@" >"$WL_OUT" 2>"$WL_ERR" </dev/null &
	pid=$!
	track "$pid"
	if ! poll_until 10 grep -q '^ready ' "$WL_OUT"; then
		local st=running
		if ! alive "$pid"; then
			wait "$pid"
			st="exit status $?"
		fi
		die "workload $* did not print its ready line within $((10 * TS_SLOW)) s ($st)" "$WL_OUT" "$WL_ERR"
	fi
	line=$(grep -m1 '^ready ' "$WL_OUT")
	if [[ ! $line =~ ^ready\ pid=([0-9]+)\ workers=([0-9]+)\ mode=(threads|procs)\ tids=([0-9,]+)$ ]]; then
		die "workload $*: malformed ready line" "$WL_OUT"
	fi
	WL_PID=${BASH_REMATCH[1]}
	WL_WORKERS=${BASH_REMATCH[2]}
	WL_MODE=${BASH_REMATCH[3]}
	WL_TIDS=${BASH_REMATCH[4]}
	WL_TIDLIST=${WL_TIDS//,/ }
	WL_BGPID=$pid
	[ "$WL_PID" = "$pid" ] || die "workload ready line says pid=$WL_PID, but it runs as $pid" "$WL_OUT"
	if [ "$WL_MODE" = procs ]; then
		# PDEATHSIG ends them with the parent, but a test killed hard should not leak
		# shellcheck disable=SC2086
		track $WL_TIDLIST
	fi
	export WL_PID WL_TIDS WL_TIDLIST WL_MODE WL_WORKERS WL_OUT WL_ERR WL_BGPID
	say "workload $*: pid $WL_PID, $WL_MODE $WL_TIDS"
}

# start_workload_as VAR ARGS...: start_workload ARGS, then VAR = its PID
start_workload_as() {
	local var=$1
	shift
	start_workload "$@"
	printf -v "$var" '%s' "$WL_PID"
}

# start_ready NAME CMD...: run CMD in the background (stopped at exit) and wait (10 s, times
# TS_SLOW) for its ready line, which goes with the rest of its output to $TS_TMP/NAME.ready;
# BG_PID gets its PID, READY the words after "ready". Dies when it does not get ready.
start_ready() {
	local name=$1 f
	shift
	f=$TS_TMP/$name.ready
	: >"$f"
	"$@" >"$f" 2>&1 </dev/null &
	BG_PID=$!
	track "$BG_PID"
	poll_until 10 grep -q '^ready ' "$f" || die "$(printf '%q ' "$@")did not get ready" "$f"
	READY=$(sed -n 's/^ready //p' "$f")
}

# start_helper NAME ARGS...: start_ready NAME tests/tshelper ARGS; HELPER_PID gets its PID
start_helper() {
	start_ready "$1" "$TSHELPER" "${@:2}"
	HELPER_PID=$BG_PID
}

# ---- parsing reports -----------------------------------------------------------------------

MIB=1048576
# HDR: the header line of each sample of a table report (grep -E)
HDR='^taskscope [0-2][0-9]:[0-5][0-9]:[0-6][0-9] '

# heading_of FILE: the first column heading line of a table report (the one after the
# "taskscope HH:MM:SS" line), words separated by one space
heading_of() {
	awk '/^taskscope [0-9][0-9]:[0-9][0-9]:[0-9][0-9] / { getline; $1 = $1; print; exit }' "$1"
}

# last_table FILE: the rows of the last sample of a table report (no header or heading,
# no footnotes)
last_table() {
	awk '/^taskscope [0-9][0-9]:[0-9][0-9]:[0-9][0-9] / { n = 0; getline; next }
	     /^  - / { next }
	     /^$/ { next }
	     { rows[n++] = $0 }
	     END { for (i = 0; i < n; i++) print rows[i] }' "$1"
}

# ---- JSON ------------------------------------------------------------------------------------

# the tests' python reads JSON streams with tests/tsjson.py
export PYTHONPATH=$TS_LIBDIR${PYTHONPATH:+:$PYTHONPATH}

# JSON_DEFS: python that json_q runs before the expression: names the test's expressions use
# besides the document d (os and sys are imported)
JSON_DEFS=

# json_q FILE EXPR: print the python expression EXPR over the JSON document d of FILE (one
# document); python's complaints go to $TS_TMP/q.err
json_q() {
	"$PY" -c 'import json, os, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
exec(sys.argv[3])
print(eval(sys.argv[2]))' "$1" "$2" "$JSON_DEFS" 2>>"$TS_TMP/q.err"
}

# expect_json FILE EXPR WANT TEXT: json_q FILE EXPR must print WANT
expect_json() {
	local got
	got=$(json_q "$1" "$2")
	if [ "$got" = "$3" ]; then
		ok "$4 ($2 = $got)"
	else
		fail "$4: $2 is '$got', expected '$3'" "$1" "$TS_TMP/q.err"
	fi
}

# py_verdict STATUS OUT TEXT [FILE...]: the verdict of a python check that wrote what it
# found to OUT: ok with it when STATUS is 0, else fail TEXT with OUT and the FILEs
py_verdict() {
	local st=$1 out=$2 text=$3
	shift 3
	verdict $((st == 0)) "$(tr '\n' ' ' <"$out")" "$text" "$out" "$@"
}

# py_check NAME FILE CODE [ARGS...]: run the python CODE with d = the JSON document of FILE,
# args = ARGS and thread(TID) = the entry of that tid in d["threads"] (it exits 1 when there
# is none); CODE prints what it found to $TS_TMP/NAME.py.out and exits 1 on a failed
# property. Returns python's exit status.
py_check() {
	local name=$1 file=$2 code=$3
	shift 3
	"$PY" - "$file" "$@" >"$TS_TMP/$name.py.out" 2>&1 <<PYEOF
import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
args = sys.argv[2:]
def thread(tid):
    for t in d['threads']:
        if t['tid'] == int(tid):
            return t
    print('thread %s is not in the report' % tid)
    sys.exit(1)
$code
PYEOF
}

# json_row FILE ID: the row of that tid (else pid) in the last JSON document of FILE, as
# "key=value" lines (null for a null value); nothing when it has no such row
json_row() {
	"$PY" - "$1" "$2" <<'PYEOF'
import sys
from tsjson import last, task_row
r = task_row(last(sys.argv[1]), sys.argv[2])
for k, v in (r or {}).items():
    print("%s=%s" % (k, "null" if v is None else v))
PYEOF
}

# python: PY is a usable python3 (the interpreter itself, not a slow pyenv shim), or empty
PY=
for py in "${PYTHON3:-}" python3; do
	[ -n "$py" ] || continue
	PY=$("$py" -c 'import sys; assert sys.version_info >= (3, 5); print(sys.executable)' 2>/dev/null) &&
		[ -x "$PY" ] && break
	PY=
done
unset py

# need_python: skip the test when there is no python3
# no_exit_leak_check: for tests that count a spawned workload's processes. In an ASan build
# LeakSanitizer's check at exit clones a tracer task that shares the exiting process's
# address space (CLONE_VM without CLONE_THREAD): taskscope rightly sees one process more than
# there are address spaces. Such tests turn the exit-time check off (for taskscope too);
# valgrind.sh checks the same paths for leaks in the normal build.
no_exit_leak_check() {
	if nm "$TASKSCOPE" 2>/dev/null | grep -q __asan_init; then
		export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
		say "ASan build: LeakSanitizer's exit check is off here (its tracer task would count)"
	fi
}

# no_valgrind: why valgrind cannot check taskscope here (not installed, an AddressSanitizer
# build), or nothing when it can
no_valgrind() {
	if ! command -v valgrind >/dev/null 2>&1; then
		echo "valgrind is not installed"
	elif nm "$TASKSCOPE" 2>/dev/null | grep -q __asan_init; then
		echo "an AddressSanitizer build"
	fi
}

need_python() {
	[ -n "$PY" ] || skip "python3 not found (configure's PYTHON3 is '${PYTHON3:-}'): it parses the JSON and checks UTF-8"
}

# need_tshelper: the test spawns tests/tshelper (make check builds it)
need_tshelper() {
	[ -x "$TSHELPER" ] || die "tests/tshelper not found or not executable: '$TSHELPER' (make tests/tshelper)"
}

# ---- what a test needs ---------------------------------------------------------------------

# cpu_list LIST: a CPU list as the kernel writes it ("0-2,5") as words ("0 1 2 5")
cpu_list() {
	local r out= a b i
	for r in ${1//,/ }; do
		a=${r%-*}
		b=${r#*-}
		for ((i = a; i <= b; i++)); do out="$out $i"; done
	done
	echo "${out# }"
}

# need_cpus [CPU...]: skip unless this machine has 2 CPUs or more and each CPU named is in
# this test's affinity; MY_CPUS gets that affinity (the Cpus_allowed_list)
need_cpus() {
	local ncpu c
	MY_CPUS=$(awk '$1 == "Cpus_allowed_list:" { print $2 }' /proc/self/status)
	ncpu=$(nproc 2>/dev/null || echo 1)
	[ "$ncpu" -ge 2 ] || skip "needs 2 CPUs, this test may use $ncpu (Cpus_allowed_list $MY_CPUS)"
	for c in "$@"; do
		grep -qw "$c" <<<"$(cpu_list "$MY_CPUS")" ||
			skip "CPU $c is not in this test's affinity ($MY_CPUS)"
	done
}

# need_cmd PROGRAM [PACKAGE]: skip when PROGRAM is not on PATH
need_cmd() {
	command -v "$1" >/dev/null 2>&1 || skip "$1 not found${2:+ (install $2)}"
}

# need_proc FILE [CONFIG]: skip when this kernel has no /proc/PID/FILE
need_proc() {
	[ -r "/proc/self/$1" ] || skip "this kernel has no /proc/PID/$1${2:+ ($2)}"
}

# need_root WHY: skip unless the test runs as root
need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root: $*"
}

# job_phase FILE VAR...: wait (30 s) until a job (tsjob.py's Phases) marks its phase with
# FILE, then read the file's words into VAR...
job_phase() {
	local f=$1
	shift
	poll_until 30 test -e "$f" || die "the job did not reach ${f##*/}" "$ERR"
	read -r "$@" <"$f"
}

# sample_time DB TIME [N]: the time of the recording DB's Nth sample (default 1st) after
# TIME, +1 ms (the time printed in full); fails while there is none. A sample's time is when
# its read began, and its processes were listed just before: a process started before TIME
# is sure to be in the second sample after it.
sample_time() {
	sqlite3 -readonly "$1" "SELECT printf('%.6f', time + 0.001) FROM samples
		WHERE time > $2 ORDER BY time LIMIT 1 OFFSET $((${3:-1} - 1))" 2>/dev/null |
		grep -E '^[0-9]'
}

# sample_after VAR DB TIME [N]: wait (60 s) for sample_time DB TIME N, into VAR
sample_after() {
	local var=$1
	shift
	poll_until 60 sample_time "$@" >/dev/null ||
		die "no sample ${3:-1} after $2 in $1" "$ERR"
	printf -v "$var" '%s' "$(sample_time "$@")"
}

# v1_cgroups WHY DIR...: as root, the cgroups DIR... (paths below $MEMCG, the cgroup v1
# memory controller; parents first) made for this test and removed at exit, once the tasks
# it started are gone. Skips (saying WHY the test wants v1) without such a controller.
MEMCG=/sys/fs/cgroup/memory
v1_cgroups() {
	local d
	need_root "to make cgroups"
	[ "$(stat -f -c %T "$MEMCG" 2>/dev/null)" = cgroupfs ] ||
		skip "no cgroup v1 memory controller mounted at $MEMCG ($1)"
	grep -qE '^[0-9]+:([^:]*,)?memory(,[^:]*)?:/' /proc/self/cgroup ||
		skip "/proc/self/cgroup has no memory line"
	shift
	for d in "$@"; do
		mkdir "$d" || skip "cannot make cgroups under $MEMCG (read-only or delegated?)"
		TS_CGROUPS+=("$d")
	done
}

# cg_move PID DIR: the process (all its threads) into the v1 cgroup DIR, and wait until
# /proc says it is there
cg_move() {
	echo "$1" >"$2/cgroup.procs" || die "cannot move $1 into $2"
	poll_until 10 grep -qF ":memory:/${2#"$MEMCG"/}" "/proc/$1/cgroup" ||
		die "/proc/$1/cgroup does not show ${2#"$MEMCG"/}" "/proc/$1/cgroup"
}

# need_churner: the test spawns tests/churner (make check builds it next to tshelper); sets
# CHURNER
need_churner() {
	need_tshelper
	CHURNER=$(dirname "$TSHELPER")/churner
	[ -x "$CHURNER" ] || die "tests/churner not found next to tshelper: '$CHURNER' (make tests/churner)"
}

# need WHAT...: the test's prerequisites in one line, each WHAT one of python, tshelper,
# churner, tui (tests/tuilib.sh: tmux), testuser (tests/testuser.sh: root and the test
# user), no_exit_leak_check
need() {
	local w
	for w in "$@"; do
		case $w in
		python | tshelper | churner) "need_$w" ;;
		tui) . "$TS_LIBDIR/tuilib.sh" || exit 99 ;;
		testuser) . "$TS_LIBDIR/testuser.sh" && need_test_user || exit 99 ;;
		no_exit_leak_check) no_exit_leak_check ;;
		*) die "lib.sh: need: unknown prerequisite '$w'" ;;
		esac
	done
}

[ -x "$TASKSCOPE" ] || die "taskscope not found or not executable: '$TASKSCOPE'"
