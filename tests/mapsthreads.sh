#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapsthreads.sh - taskscope maps reads each thread's files (task/TID/syscall, task/TID/stat)
# only for an output that shows them: stack labels, kinds, groups, the threads' table, JSON;
# and every file once: a process's status and stat once a run, also when a TID names it
# again (its name comes from status, the same as stat's: checked on a hostile name).
#
# Behaviour, not timing: strace counts the opens of the task directory and of the threads'
# files. With TS_REF_TASKSCOPE=/path/to/another/taskscope (e.g. a build of main) the outputs
# that need the threads are also compared byte for byte with that build's.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
lib=$(dirname "$0")/lib.sh
[ -r "$lib" ] || lib=${top_srcdir:-.}/tests/lib.sh
. "$lib" || exit 99

command -v strace >/dev/null || skip "strace not found: it counts the files taskscope opens"
strace -f -o /dev/null true 2>/dev/null || skip "strace cannot trace here (ptrace not allowed)"
no_exit_leak_check	# LeakSanitizer cannot run under strace (ptrace)
need_python

# thread_opens NAME ARGS...: run taskscope maps under strace; THREAD_OPENS is the number
# of opens of the task directory or of a thread's syscall file (its stat is opened
# relative to the task directory, which must be opened first)
thread_opens() {
	local name=$1
	shift
	wrap_taskscope "$name.strace" strace -f -qq -e trace=open,openat,openat2 \
		-o "$TS_TMP/$name.trace"
	TASKSCOPE=$WRAPPED ts "$name" maps "$@"
	THREAD_OPENS=$(grep -cE '"([^"]*/)?task(/[^"]*)?"|syscall"' "$TS_TMP/$name.trace")
}

start_workload --threads 4 --sleep
kill -STOP "$WL_PID"	# stopped: the same map, stack pointers and faults for every run
nthreads=$((WL_WORKERS + 1))

check "maps -o without a column that needs the threads opens no task directory, no thread's file"
for cols in ADDRESS,PERMS,SIZE,RSS,PSS,USS,SWAP ADDRESS,RSS START,END,INODE,VMFLAGS; do
	for mode in aligned raw; do
		if [ "$mode" = raw ]; then
			thread_opens "o-$cols-raw" -r -o "$cols" "$WL_PID"
		else
			thread_opens "o-$cols" -o "$cols" "$WL_PID"
		fi
		expect_rc 0 "maps -o $cols ($mode)" || continue
		[ "$THREAD_OPENS" -eq 0 ] && ok "-o $cols ($mode): no thread's file opened" ||
			fail "-o $cols ($mode): $THREAD_OPENS opens of the task directory or threads' files" \
				"$TS_TMP/o-$cols${mode/aligned/}.trace"
	done
	# the aligned output shows no threads' table, and the header still counts them
	if grep -q "^ *TID COMM " "$TS_TMP/o-$cols.out"; then
		fail "-o $cols: a threads' table, but no thread was read" "$TS_TMP/o-$cols.out"
	else
		ok "-o $cols: no threads' table"
	fi
	grep -q "^PID $WL_PID (taskscope): .*; $nthreads threads share this address space$" \
		"$TS_TMP/o-$cols.out" && ok "-o $cols: header says $nthreads threads" ||
		fail "-o $cols: no header with $nthreads threads" "$TS_TMP/o-$cols.out"
done

check "outputs that show the threads read every thread's syscall file, and the table its stat"
# name, arguments, what must be in the output
while IFS='|' read -r name args want; do
	# shellcheck disable=SC2086
	thread_opens "$name" $args "$WL_PID"
	expect_rc 0 "maps $args" || continue
	[ "$THREAD_OPENS" -ge "$nthreads" ] && ok "maps $args: $THREAD_OPENS thread opens" ||
		fail "maps $args: $THREAD_OPENS thread opens, expected at least $nthreads" "$TS_TMP/$name.trace"
	for t in $WL_TIDLIST; do
		w=${want//TID/$t}
		grep -qE -- "$w" "$OUT" || fail "maps $args: no '$w' in the output" "$OUT"
	done
done <<'EOF'
default||^ +TID ts-worker +\[stack:TID\]
o-name|-o ADDRESS,RSS,NAME|^ +TID ts-worker +\[stack:TID\]
o-kind|-o ADDRESS,KIND|thread-stack
plus|-o +VMFLAGS|\[stack:TID\]
group-kind|--group kind -o MAPPINGS,RSS|^ +TID ts-worker
group-name|--group name|\[stack:\*\]
raw-name|-r -o ADDRESS,NAME|\[stack:TID\]
json-o|-J -o ADDRESS|"tid": TID, "comm": "ts-worker", "stack": "\[stack:TID\]"
EOF

# ---- each file once ---------------------------------------------------------------------------
# a second process, single-threaded, whose name has a backslash, a newline and a ')': the
# name of the symlink it was started by
mkdir -p "$TS_TMP/bin" || die "cannot make $TS_TMP/bin"
odd=$(printf 'm\\%s\n)x.' $$)
odd=${odd:0:15}		# what the kernel keeps of it (TASK_COMM_LEN)
ln -s "$(command -v sleep)" "$TS_TMP/bin/$odd" || die "cannot make a symlink named like that"
"$TS_TMP/bin/$odd" 600 </dev/null >/dev/null 2>&1 &
odd_pid=$!
track "$odd_pid"
poll_until 10 grep -q "^Name:.*)x" "/proc/$odd_pid/status" ||
	die "the process started by the symlink does not have its name" "/proc/$odd_pid/status"
kill -STOP "$odd_pid"
worker=${WL_TIDLIST%% *}

# reads NAME ARGS...: run taskscope maps under strace (-y: each fd with its path);
# $TS_TMP/NAME.opened lists the paths it opened under the /proc directories of the workload,
# its first worker and the odd process, one a line, as often as they were opened
reads() {
	local name=$1
	shift
	wrap_taskscope "$name.strace" strace -f -qq -y -e trace=open,openat,openat2 \
		-o "$TS_TMP/$name.trace"
	TASKSCOPE=$WRAPPED ts "$name" maps "$@"
	sed -nE 's/.* = [0-9]+<(\/proc\/[0-9]+(\/[^>]*)?)>$/\1/p' "$TS_TMP/$name.trace" |
		grep -E "^/proc/($WL_PID|$worker|$odd_pid)(/|\$)" >"$TS_TMP/$name.opened"
}

check "maps PID TID PID2 PID: each file opened once, each process's status and stat once"
while IFS='|' read -r name args; do
	# shellcheck disable=SC2086
	reads "once-$name" $args "$WL_PID" "$worker" "$odd_pid" "$WL_PID"
	expect_rc 0 "maps $args (the workload named twice, and by a TID)" || continue
	opened=$TS_TMP/once-$name.opened
	twice=$(sort "$opened" | uniq -d | tr '\n' ' ')
	[ -z "$twice" ] && ok "maps $args: no file opened twice ($(wc -l <"$opened") opens)" ||
		fail "maps $args: opened more than once: $twice" "$opened"
	for p in "$WL_PID" "$odd_pid"; do
		for f in status stat smaps; do
			n=$(grep -cx "/proc/$p/$f" "$opened")
			[ "$n" -eq 1 ] || fail "maps $args: /proc/$p/$f opened $n times, not once" "$opened"
		done
	done
	# the TID is taken to its process by its status: nothing else of /proc/TID is read
	n=$(grep -c "^/proc/$worker/" "$opened")
	[ "$n" -le 1 ] || fail "maps $args: $n files of /proc/$worker opened (its status at most)" "$opened"
	[ "$(grep -c "^PID $WL_PID " "$OUT")" -le 1 ] ||
		fail "maps $args: process $WL_PID shown more than once" "$OUT"
done <<'EOF'
default|
raw|-r
json|-J
kind|--group kind
name|--group name
cols|-o ADDRESS,RSS
EOF

check "a name from status is stat's: the header's is the threads' table's, JSON's the same"
ts odd-json maps -J -o ADDRESS "$odd_pid"
if expect_rc 0 "maps -J of the odd process"; then
	if "$PY" - "$OUT" "$odd_pid" <<'PY'; then
import json, sys
d = json.load(open(sys.argv[1]))
p = [p for p in d["processes"] if p["pid"] == int(sys.argv[2])][0]
lead = [t for t in p["thread_stacks"] if t["tid"] == p["pid"]][0]
print("# process comm %r, its thread's (from its stat) %r" % (p["comm"], lead["comm"]))
sys.exit(0 if p["comm"] == lead["comm"] and "\\x0a" in p["comm"] and "\\\\" in p["comm"] else 1)
PY
		ok "JSON: the process's name is its thread's, newline and backslash escaped"
	else
		fail "JSON: the process's name of $odd_pid is not its thread's" "$OUT"
	fi
fi
ts odd-aligned maps "$odd_pid"
if expect_rc 0 "maps of the odd process"; then
	head=$(sed -n "s/^PID $odd_pid (\(.*\)): .*/\1/p" "$OUT")
	row=$(awk -v t="$odd_pid" '$1 == t { print $2 }' "$OUT")
	[ -n "$head" ] && [ "$head" = "$row" ] && ok "header name '$head' is the threads' table's" ||
		fail "header name '$head', threads' table '$row'" "$OUT"
fi
kill -CONT "$odd_pid"

if [ -n "${TS_REF_TASKSCOPE:-}" ]; then
	check "the outputs that show the threads are byte-identical to $TS_REF_TASKSCOPE's"
	# no PSS or USS columns: they change with the processes that map the same files
	# (taskscope itself); the workload is stopped, so the rest is fixed
	while IFS='|' read -r name args; do
		# shellcheck disable=SC2086
		ts "cmp-$name" maps $args "$WL_PID"
		# shellcheck disable=SC2086
		timeout 60 "$TS_REF_TASKSCOPE" maps $args "$WL_PID" >"$TS_TMP/ref-$name.out" 2>&1
		# the header's and JSON total's PSS and USS, and the JSON stamp, are left out
		sed -i -e 's/PSS [^,;]*, USS [^,;]*/PSS -, USS -/' \
			-e '/"time":\|"unix_time":\|"taskscope_version":\|"total":/d' \
			"$OUT" "$TS_TMP/ref-$name.out"
		cmp -s "$OUT" "$TS_TMP/ref-$name.out" && ok "maps $args: identical" ||
			fail "maps $args: differs from the reference" "$OUT" "$TS_TMP/ref-$name.out"
	done <<'EOF'
default|-o ADDRESS,PERMS,KIND,SIZE,RSS,SWAP,NAME
name|--group name -o NAME,KIND,MAPPINGS,SIZE,RSS
kind|--group kind -o KIND,MAPPINGS,SIZE,RSS
raw|-r -o ADDRESS,KIND,NAME
json|-J -o ADDRESS,KIND,NAME
EOF
fi

kill -CONT "$WL_PID"
finish
