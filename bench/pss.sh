#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pss.sh - CPU of per-process PSS for every process: taskscope -o pid,pss against smem -t and
# a raw smaps_rollup reader (bench/rawrollup.c), measured in the same run.
# Usage: bench/pss.sh [--procs N] [--reps N] [--steps S]
set -u
cd "$(dirname "$0")/.." || exit 1
procs=250 reps=5 steps=20
. bench/lib.sh
population_bench "$@"
command -v smem >/dev/null || echo "pss.sh: smem not installed (apt-get install smem): not measured"
cc -O2 -o "$work/rawrollup" bench/rawrollup.c || exit 1

# population: workloads of 4 worker processes with 2 MiB each (plus their parent)
stopped_population "$procs"

per_refresh() {	# per_refresh LABEL CMD-with-@N@: (cpu(1+S) - cpu(1)) / S in ms
	local label=$1 v=()
	shift
	for _ in $(seq "$reps"); do
		v+=("$(step_ms "$steps" "$@")")
	done
	printf '%s\n' "${v[@]}" | sort -n | awk -v l="$label" '{ a[NR] = $1 } END { printf "%-34s %8.2f ms (median of %d: %s)\n", l, a[int((NR + 1) / 2)], NR, a[1] "-" a[NR] }'
}
smem_loop() {	# smem -t, N times
	for _ in $(seq "$1"); do smem -t >/dev/null 2>&1; done
}
res=$work/res
per_refresh "rawrollup" "$work/rawrollup" @N@ | tee -a "$res"
per_refresh "taskscope -b -o pid,pss" ./taskscope -b -d 0 -n @N@ -o pid,pss | tee -a "$res"
per_refresh "taskscope -b -r -o pid,pss" ./taskscope -b -r -d 0 -n @N@ -o pid,pss | tee -a "$res"
# with a stat column: the stat read, and both files read through one checked directory fd
per_refresh "taskscope -b -o pid,comm,pss" ./taskscope -b -d 0 -n @N@ -o pid,comm,pss | tee -a "$res"
if command -v smem >/dev/null; then
	steps_saved=$steps
	steps=4
	per_refresh "smem -t" smem_loop @N@ | tee -a "$res"
	steps=$steps_saved
fi
raw=$(awk '$1 == "rawrollup" { print $2 }' "$res")
echo "== ratios to the raw smaps_rollup reader"
awk -v raw="$raw" '{ ms = $(NF - 5); name = $0; sub(/ +[0-9.]+ ms.*/, "", name); printf "%-34s %6.2fx\n", name, ms / raw }' "$res"
