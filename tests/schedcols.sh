#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# schedcols.sh - the placement columns: MIGR, MIGR_TOTAL, RUN, RUNQ, AFFMISMATCH, CORE and
# PACKAGE, measured on real workloads and checked against the kernel's own files.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

need_cpus
need_cmd taskset util-linux
need python
need_proc sched CONFIG_SCHED_DEBUG
need_proc schedstat

# json_field FILE TID KEY: KEY of the row with that tid in the last JSON document
json_field() { json_row "$1" "$2" | sed -n "s/^$3=//p"; }

start_workload --threads 1 --spin --pin 1
wl=$WL_PID
w=$WL_TIDS

# interval_of FILE: the interval of the (last) table's header line, in seconds
interval_of() { awk '$1 == "taskscope" { for (i = 1; i <= NF; i++) if ($i == "interval") v = $(i + 1) } END { sub(/s$/, "", v); print v }' "$1"; }
# ms_to_ns 12.3ms -> 12300000
ms_to_ns() { "$PY" -c 'import sys; print(int(round(float(sys.argv[1].rstrip("ms")) * 1e6)))' "$1"; }

# agree RUN_NS PCPU SECONDS: RUN (schedstat) and PCPU (stat ticks) measure the same CPU time
# of one interval from two files: they agree within 3 clock ticks (30 ms) and 10%
agree() {
	"$PY" -c '
import sys
run, pcpu, secs = float(sys.argv[1]) / 1e9, float(sys.argv[2]), float(sys.argv[3])
ticks = pcpu / 100 * secs
sys.exit(0 if abs(run - ticks) <= 0.03 + 0.1 * max(run, ticks) else 1)' "$@"
}

check "a worker pinned to CPU 1: MIGR 0 in the interval, RUN is its CPU time, RUNQ a number"
ts pinned -b -n 1 -d 0.5 -H -p "$wl" -o tid,migr,migr_total,run,runq,pcpu
if expect_rc 0 "-H -p $wl"; then
	read -r _ migr total run runq pcpu < <(last_table "$OUT" | awk -v t="$w" '$1 == t')
	secs=$(interval_of "$OUT")
	run=$(ms_to_ns "${run:-x}" 2>/dev/null)
	runq=$(ms_to_ns "${runq:-x}" 2>/dev/null)
	kernel=$(awk '$1 == "se.nr_migrations" { print $3 }' "/proc/$wl/task/$w/sched")
	if [ "$migr" != 0 ]; then
		fail "MIGR of the pinned worker is '$migr', expected 0" "$OUT"
	elif ! [[ $run =~ ^[0-9]+$ ]] || [ "$run" -eq 0 ]; then
		fail "RUN of a spinning worker is '$run' ns, expected a positive number" "$OUT"
	elif ! agree "$run" "$pcpu" "$secs"; then
		fail "RUN $run ns and PCPU $pcpu% of the $secs s interval disagree" "$OUT"
	elif ! [[ $runq =~ ^[0-9]+$ ]]; then
		fail "RUNQ is '$runq', expected a number of nanoseconds" "$OUT"
	elif ! [[ $total =~ ^[0-9]+$ ]] || [ "$total" -gt "$kernel" ]; then
		fail "MIGR_TOTAL '$total' is not the kernel's se.nr_migrations ($kernel, read after)" "$OUT"
	else
		ok "MIGR 0, RUN $run ns (PCPU $pcpu), RUNQ $runq ns, MIGR_TOTAL $total (kernel now $kernel)"
	fi
fi

check "RUN in a table is milliseconds with a unit"
ts pinned-table -b -n 1 -d 0.3 -H -p "$wl" -o tid,run,runq
line=$(last_table "$OUT" | awk -v t="$w" '$1 == t { $1 = $1; print }')
if [[ $line =~ ^$w\ [0-9]+\.[0-9]ms\ [0-9]+\.[0-9]ms$ ]]; then
	ok "$line"
else
	fail "row of $w: '$line'" "$OUT"
fi

check "after taskset -p -c 0 on the worker: AFFMISMATCH 'differs' on it, 'no' on the main thread"
if ! taskset -p -c 0 "$w" >"$TS_TMP/taskset.out" 2>&1; then
	fail "taskset -p -c 0 $w failed" "$TS_TMP/taskset.out"
else
	ts moved -b -J -n 1 -d 0.2 -H -p "$wl" -o tid,cpu,affinity,affmismatch
	wm=$(json_field "$OUT" "$w" affmismatch)
	mm=$(json_field "$OUT" "$wl" affmismatch)
	case "$wm" in
	differs | differs,outside)
		if [ "$mm" = no ]; then
			ok "worker: '$wm', main thread: '$mm'"
		else
			fail "the main thread's AFFMISMATCH is '$mm', expected 'no'" "$OUT"
		fi
		;;
	*) fail "the worker's AFFMISMATCH is '$wm', expected 'differs'" "$OUT" ;;
	esac
fi
stop "$wl"

start_workload --threads 2 --spin
check "a process row sums its threads: its RUN is the process's CPU time in the interval"
ts sum -b -n 1 -d 0.5 -p "$WL_PID" -o pid,run,pcpu
read -r _ run pcpu < <(last_table "$OUT" | awk -v p="$WL_PID" '$1 == p')
secs=$(interval_of "$OUT")
run=$(ms_to_ns "${run:-x}" 2>/dev/null)
ts sum-h -b -J -n 1 -d 0.5 -H -p "$WL_PID" -o tid,migr_total
sumthreads=0
for t in $WL_PID $WL_TIDLIST; do
	v=$(json_field "$OUT" "$t" migr_total)
	[[ $v =~ ^[0-9]+$ ]] && sumthreads=$((sumthreads + v))
done
if ! [[ $run =~ ^[0-9]+$ ]]; then
	fail "process RUN is '$run'" "$OUT"
elif ! agree "$run" "$pcpu" "$secs"; then
	# PCPU of a process row comes from /proc/PID/stat, which sums all threads: so must RUN
	fail "process RUN $run ns and PCPU $pcpu% of the $secs s interval disagree" "$OUT"
else
	ok "process RUN $run ns, PCPU $pcpu%; thread MIGR_TOTAL sum $sumthreads"
fi
stop "$WL_PID"

check "CORE and PACKAGE are the sysfs core_id and physical_package_id of the row's CPU"
ts topo -b -n 1 -d 0.2 -H -o tid,cpu,core,package
if expect_rc 0 "-H -o tid,cpu,core,package"; then
	# sysfs read once per CPU: the rows are every thread of the system (tens of thousands on
	# a busy machine), two cats a row took minutes there
	bad=0
	declare -A syscore=() syspkg=()
	for sys in /sys/devices/system/cpu/cpu[0-9]*/topology; do
		[ -r "$sys/core_id" ] || continue
		c=${sys%/topology}
		c=${c##*/cpu}
		read -r syscore[$c] <"$sys/core_id"
		read -r syspkg[$c] <"$sys/physical_package_id"
	done
	while read -r tid cpu core pkg; do
		[ -n "${syscore[$cpu]+set}" ] || continue
		if [ "$core" != "${syscore[$cpu]}" ] || [ "$pkg" != "${syspkg[$cpu]}" ]; then
			bad=$((bad + 1))
			say "TID $tid CPU $cpu: CORE $core PACKAGE $pkg, sysfs ${syscore[$cpu]} ${syspkg[$cpu]}"
		fi
	done < <(last_table "$OUT")
	if [ "$bad" -eq 0 ]; then
		ok "$(last_table "$OUT" | wc -l) rows agree with sysfs"
	else
		fail "$bad rows disagree with sysfs" "$OUT"
	fi
fi

finish
