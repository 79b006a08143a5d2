#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# nodemem.sh - CPU per process of a numa_maps read (NODEMEM) against a smaps_rollup read (PSS):
# raw readers (bench/rawnuma.c --ab) and taskscope -o pid,nodemem / -o pid,pss, A B A B, median.
# Usage: bench/nodemem.sh [--procs N] [--reps N] [--steps S]
set -u
cd "$(dirname "$0")/.." || exit 1
procs=200 reps=5 steps=20
while [ $# -gt 0 ]; do
	case "$1" in
	--procs) procs=$2; shift 2 ;;
	--reps) reps=$2; shift 2 ;;
	--steps) steps=$2; shift 2 ;;
	*) echo "usage: bench/nodemem.sh [--procs N] [--reps N] [--steps S]" >&2; exit 2 ;;
	esac
done
[ -x ./taskscope ] || { echo "nodemem.sh: build taskscope first" >&2; exit 1; }
[ -r /proc/self/numa_maps ] || { echo "nodemem.sh: no /proc/PID/numa_maps here (no CONFIG_NUMA)" >&2; exit 1; }
tmp=$(mktemp -d)
pids=()
cleanup() {
	[ ${#pids[@]} -gt 0 ] && kill -CONT "${pids[@]}" 2>/dev/null && kill "${pids[@]}" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
cc -O2 -o "$tmp/rawnuma" bench/rawnuma.c || exit 1

# population: workloads of 4 worker processes with 2 MiB each (plus their parent)
n=0
while [ "$n" -lt "$procs" ]; do
	./taskscope workload --procs 4 --mem 2M --sleep >"$tmp/wl$n" 2>/dev/null </dev/null &
	pids+=($!)
	n=$((n + 5))
done
for f in "$tmp"/wl*; do
	for _ in $(seq 100); do grep -q '^ready' "$f" && break; sleep 0.1; done
done
all=$(pgrep -f 'taskscope workload --procs 4 --mem 2M' | tr '\n' ' ')
# shellcheck disable=SC2086
kill -STOP $all
nproc_now=$(ls -d /proc/[0-9]* | wc -l)
echo "population: $(echo $all | wc -w) workload processes, $nproc_now processes in /proc (stopped while measuring)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

cpu_of() {	# cpu_of CMD...: user+sys seconds of the command's children
	local t
	t=$( ( "$@" >/dev/null 2>&1; times ) | tail -1)
	awk -v t="$t" 'BEGIN { split(t, a, " "); s = 0; for (i = 1; i <= 2; i++) { split(a[i], m, "m"); sub("s", "", m[2]); s += m[1] * 60 + m[2] } printf "%.4f", s }'
}
one() {	# one CMD-with-@N@: (cpu(1+S) - cpu(1)) / S in ms
	local a b
	a=$(cpu_of "${@//@N@/1}")
	b=$(cpu_of "${@//@N@/$((steps + 1))}")
	awk -v a="$a" -v b="$b" -v s="$steps" 'BEGIN { printf "%.2f", (b - a) * 1000 / s }'
}
# the raw readers: A B A B within one process, every round both files of every process
"$tmp/rawnuma" --ab $((2 * reps + 1)) | tee "$tmp/raw"
nmm=$(awk '/^numa_maps:/ { print $2 }' "$tmp/raw")
# taskscope, A B A B: each repetition measures both, in the same order
labels=("taskscope -o pid,pss" "taskscope -o pid,nodemem")
cmds=("./taskscope -b -d 0 -n @N@ -o pid,pss" "./taskscope -b -d 0 -n @N@ -o pid,nodemem")
for r in $(seq "$reps"); do
	for i in "${!cmds[@]}"; do
		# shellcheck disable=SC2086
		echo "$i $(one ${cmds[$i]})" >>"$tmp/res"
	done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-26s %10s %14s %s\n' tool "ms/refresh" "us/process" "(median of $reps; range; $nmm processes with an address space)"
for i in "${!cmds[@]}"; do
	awk -v i="$i" '$1 == i { print $2 }' "$tmp/res" | sort -n |
		awk -v l="${labels[$i]}" -v np="$nmm" '{ a[NR] = $1 }
			END { m = a[int((NR + 1) / 2)]; printf "%-26s %10.2f %14.1f (%s-%s)\n", l, m, m * 1000 / np, a[1], a[NR] }'
done | tee "$tmp/table"
awk 'NR == 1 { t = $(NF - 2) } NR == 2 { printf "NODEMEM / PSS, taskscope: %.2fx\n", $(NF - 2) / t }' "$tmp/table"
