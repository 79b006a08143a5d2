#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pss.sh - CPU of per-process PSS for every process: taskscope -o pid,pss against smem -t and
# a raw smaps_rollup reader (bench/rawrollup.c), measured in the same run.
# Usage: bench/pss.sh [--procs N] [--reps N] [--steps S]
set -u
cd "$(dirname "$0")/.." || exit 1
procs=250 reps=5 steps=20
while [ $# -gt 0 ]; do
	case "$1" in
	--procs) procs=$2; shift 2 ;;
	--reps) reps=$2; shift 2 ;;
	--steps) steps=$2; shift 2 ;;
	*) echo "usage: bench/pss.sh [--procs N] [--reps N] [--steps S]" >&2; exit 2 ;;
	esac
done
[ -x ./taskscope ] || { echo "pss.sh: build taskscope first" >&2; exit 1; }
command -v smem >/dev/null || echo "pss.sh: smem not installed (apt-get install smem): not measured"
tmp=$(mktemp -d)
pids=()
cleanup() {
	[ ${#pids[@]} -gt 0 ] && kill -CONT "${pids[@]}" 2>/dev/null && kill "${pids[@]}" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
cc -O2 -o "$tmp/rawrollup" bench/rawrollup.c || exit 1

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

cpu_of() {	# cpu_of CMD...: user+sys seconds of the command's children
	local t
	t=$( ( "$@" >/dev/null 2>&1; times ) | tail -1)
	awk -v t="$t" 'BEGIN { split(t, a, " "); s = 0; for (i = 1; i <= 2; i++) { split(a[i], m, "m"); sub("s", "", m[2]); s += m[1] * 60 + m[2] } printf "%.4f", s }'
}
per_refresh() {	# per_refresh LABEL CMD-with-@N@: (cpu(1+S) - cpu(1)) / S in ms
	local label=$1 v=()
	shift
	for _ in $(seq "$reps"); do
		a=$(cpu_of "${@//@N@/1}")
		b=$(cpu_of "${@//@N@/$((steps + 1))}")
		v+=("$(awk -v a="$a" -v b="$b" -v s="$steps" 'BEGIN { printf "%.2f", (b - a) * 1000 / s }')")
	done
	printf '%s\n' "${v[@]}" | sort -n | awk -v l="$label" '{ a[NR] = $1 } END { printf "%-34s %8.2f ms (median of %d: %s)\n", l, a[int((NR + 1) / 2)], NR, a[1] "-" a[NR] }'
}
smem_loop() {	# smem -t, N times
	for _ in $(seq "$1"); do smem -t >/dev/null 2>&1; done
}
res=$tmp/res
per_refresh "rawrollup" "$tmp/rawrollup" @N@ | tee -a "$res"
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
