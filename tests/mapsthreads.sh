#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapsthreads.sh - taskscope maps reads each thread's files (task/TID/syscall, task/TID/stat)
# only for an output that shows them: stack labels, kinds, groups, the threads' table, JSON.
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
