#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# nodemem.sh - CPU per process of a numa_maps read (NODEMEM) against a smaps_rollup read (PSS):
# raw readers (bench/rawnuma.c --ab) and taskscope -o pid,nodemem / -o pid,pss, A B A B, median.
# Usage: bench/nodemem.sh [--procs N] [--reps N] [--steps S]
set -u
cd "$(dirname "$0")/.." || exit 1
procs=200 reps=5 steps=20
. bench/lib.sh
population_bench "$@"
[ -r /proc/self/numa_maps ] || { echo "nodemem.sh: no /proc/PID/numa_maps here (no CONFIG_NUMA)" >&2; exit 1; }
cc -O2 -o "$work/rawnuma" bench/rawnuma.c || exit 1

# population: workloads of 4 worker processes with 2 MiB each (plus their parent)
stopped_population "$procs"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

# the raw readers: A B A B within one process, every round both files of every process
"$work/rawnuma" --ab $((2 * reps + 1)) | tee "$work/raw"
nmm=$(awk '/^numa_maps:/ { print $2 }' "$work/raw")
# taskscope, A B A B: each repetition measures both, in the same order
labels=("taskscope -o pid,pss" "taskscope -o pid,nodemem")
cmds=("./taskscope -b -d 0 -n @N@ -o pid,pss" "./taskscope -b -d 0 -n @N@ -o pid,nodemem")
for r in $(seq "$reps"); do
	for i in "${!cmds[@]}"; do
		# shellcheck disable=SC2086
		echo "$i $(step_ms "$steps" ${cmds[$i]})" >>"$work/res"
	done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-26s %10s %14s %s\n' tool "ms/refresh" "us/process" "(median of $reps; range; $nmm processes with an address space)"
for i in "${!cmds[@]}"; do
	awk -v i="$i" '$1 == i { print $2 }' "$work/res" | sort -n |
		awk -v l="${labels[$i]}" -v np="$nmm" '{ a[NR] = $1 }
			END { m = a[int((NR + 1) / 2)]; printf "%-26s %10.2f %14.1f (%s-%s)\n", l, m, m * 1000 / np, a[1], a[NR] }'
done | tee "$work/table"
awk 'NR == 1 { t = $(NF - 2) } NR == 2 { printf "NODEMEM / PSS, taskscope: %.2fx\n", $(NF - 2) / t }' "$work/table"
