#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# maps.sh - CPU of `taskscope maps` over a population's processes, against `pmap -X` on
# the same PIDs, against a raw reader of their smaps (bench/rawsmaps.c) and against a
# floor that also reads every thread's stack pointer (bench/rawstacks.c)
#
# It builds the population of bench/run.sh (processes of `taskscope workload --threads 49
# --sleep`, 50 tasks each), stops it with SIGSTOP, and measures the CPU time (user +
# system, from bash's `times`) of one run of each tool over all its PIDs, --reps times,
# tools interleaved; it reports the median, the lowest and the highest, as ratios to the
# raw reader, and checks the goals of issue 14: aligned `maps` at most 1.3x the floor with
# the stacks, `maps -o` without a column that needs the threads at most 1.3x rawsmaps
# (PASS or MISS when the medians and the lowest times agree, NOISY when they do not).
# A report, not a test: it exits 0 whatever it finds (1/2 when it cannot run).

set -u

usage() {
	cat <<EOF
Usage: bench/maps.sh [--procs N] [--threads T] [--reps N] [--awake] [--taskscope PATH]
                     [--ref PATH]

 --procs N         workload processes (default 200: about 10,000 tasks with 49 threads)
 --threads T       worker threads per process (default 49)
 --reps N          repetitions; the median is kept (default 5)
 --awake           leave the population running (default: stopped with SIGSTOP)
 --taskscope PATH  the binary to measure (default: ./taskscope in the top directory)
 --ref PATH        also measure this build (e.g. main's) in the same run, as "ref ..."
EOF
}

procs=200
threads=49
reps=5
awake=0
top_dir=$(cd "$(dirname "$0")/.." && pwd)
ts_bin=$top_dir/taskscope
ref_bin=

. "$top_dir/bench/lib.sh"	# value_options, exit_traps, cpu_us, median, ratio, labels
value_options "procs threads reps awake! taskscope=ts_bin ref=ref_bin" "$@"

for v in "$procs" "$threads" "$reps"; do
	case $v in '' | *[!0-9]* | 0) echo "maps.sh: counts must be positive numbers" >&2; exit 2 ;; esac
done
[ -x "$ts_bin" ] || die "$ts_bin not found: build it first, or pass --taskscope"
[ -z "$ref_bin" ] || [ -x "$ref_bin" ] || die "--ref $ref_bin is not an executable"
command -v cc >/dev/null || die "no C compiler 'cc' to build bench/rawsmaps.c"
command -v pmap >/dev/null || die "pmap not found (Debian: apt-get install procps)"

need=$((procs * (threads + 1) + procs * (threads + 1) / 5 + 200))
[ "$(cat /proc/sys/kernel/pid_max)" -ge "$need" ] ||
	die "kernel.pid_max is $(cat /proc/sys/kernel/pid_max); the population needs about $need"
[ "$(cat /proc/sys/kernel/threads-max)" -ge "$need" ] ||
	die "kernel.threads-max is too small for about $need tasks"

. "$top_dir/bench/population.sh"
population_start mapsbench

rawsmaps=$work/rawsmaps
cc -O2 -o "$rawsmaps" "$top_dir/bench/rawsmaps.c" || die "cannot build bench/rawsmaps.c"
rawstacks=$work/rawstacks
cc -O2 -o "$rawstacks" "$top_dir/bench/rawstacks.c" || die "cannot build bench/rawstacks.c"

# ---- the population ----------------------------------------------------------------------
for ((i = 0; i < procs; i++)); do
	"$ts_bin" workload --threads "$threads" --sleep >"$work/wl.$i" 2>&1 </dev/null &
	wl_pids+=($!)
done
deadline=$((SECONDS + 120))
for ((i = 0; i < procs; i++)); do
	until grep -q '^ready pid=' "$work/wl.$i" 2>/dev/null; do
		kill -0 "${wl_pids[$i]}" 2>/dev/null ||
			die "workload ${wl_pids[$i]} exited before it was ready: $(head -c 300 "$work/wl.$i")"
		[ "$SECONDS" -lt "$deadline" ] || die "workload ${wl_pids[$i]} not ready within 120 s"
		sleep 0.05
	done
done
if [ "$awake" = 0 ]; then
	for p in "${wl_pids[@]}"; do
		kill -STOP "$p"
	done
	sleep 0.5
fi
pids=("${wl_pids[@]}")
ntasks=$(for p in "${pids[@]}"; do ls "/proc/$p/task"; done | wc -l)
nmaps=$(for p in "${pids[@]}"; do cat "/proc/$p/maps"; done 2>/dev/null | wc -l)
smaps_kib=$(($(for p in "${pids[@]}"; do cat "/proc/$p/smaps"; done 2>/dev/null | wc -c) / 1024))

# ---- the tools ---------------------------------------------------------------------------
run_raw() { "$rawsmaps" "${pids[@]}"; }
run_floor() { "$rawstacks" "${pids[@]}"; }
run_floor_s() { "$rawstacks" -s "${pids[@]}"; }
run_pmap() { pmap -X "${pids[@]}"; }
run_ts() { "$ts_bin" maps "${pids[@]}"; }
run_ts_r() { "$ts_bin" maps -r "${pids[@]}"; }
run_ts_J() { "$ts_bin" maps -J "${pids[@]}"; }
run_ts_kind() { "$ts_bin" maps --group kind "${pids[@]}"; }
nostk=ADDRESS,PERMS,SIZE,RSS,PSS,USS,SWAP	# no column that needs the threads' stacks
run_ts_nostk() { "$ts_bin" maps -r -o "$nostk" "${pids[@]}"; }
run_ts_o() { "$ts_bin" maps -o "$nostk" "${pids[@]}"; }
run_ref_ts() { "$ref_bin" maps "${pids[@]}"; }
run_ref_o() { "$ref_bin" maps -o "$nostk" "${pids[@]}"; }
run_ref_J() { "$ref_bin" maps -J "${pids[@]}"; }

tools=(raw floor floor_s pmap ts ts_r ts_J ts_kind ts_nostk ts_o)
[ -n "$ref_bin" ] && tools+=(ref_ts ref_o ref_J)
declare -A label
labels <<'EOF'
raw	rawsmaps (bench/rawsmaps.c)
floor	rawstacks (+ each syscall file)
floor_s	rawstacks -s (+ each thread's stat)
pmap	pmap -X
ts	taskscope maps
ts_r	taskscope maps -r
ts_J	taskscope maps -J
ts_kind	taskscope maps --group kind
ts_nostk	taskscope maps -r -o (no NAME/KIND)
ts_o	taskscope maps -o (no NAME/KIND)
ref_ts	ref: taskscope maps
ref_o	ref: taskscope maps -o (no NAME/KIND)
ref_J	ref: taskscope maps -J
EOF

echo "taskscope maps bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, kernel $(uname -r)," \
	"$(pmap -V 2>&1 | head -n 1)"
echo "population: $procs processes, $ntasks tasks, $nmaps mappings, smaps text $smaps_kib KiB;" \
	"$([ "$awake" = 0 ] && echo "stopped with SIGSTOP" || echo running)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

cpu_rounds --no-warm-up "$reps" "${tools[@]}"

declare -A ms mn mx
for t in "${tools[@]}"; do
	read -r ms[$t] mn[$t] mx[$t] <<<"$(cpu_stats "$t" | awk '{ printf "%.1f %.1f %.1f", $1 / 1000, $2 / 1000, $3 / 1000 }')"
done
echo
echo "== CPU (user + system) of one run over the $procs PIDs: median of $reps, lowest, highest"
printf '%-40s %10s %7s %8s %7s %8s\n' tool "median ms" "x raw" "x floor" "lowest" "highest"
for t in "${tools[@]}"; do
	printf '%-40s %10s %7s %8s %7s %8s\n' "${label[$t]}" "${ms[$t]}" "$(ratio "${ms[$t]}" "${ms[raw]}")" \
		"$(ratio "${ms[$t]}" "${ms[floor]}")" "${mn[$t]}" "${mx[$t]}"
done
echo
# goal NAME TOOL BASE LIMIT TEXT: TOOL against BASE by the medians and by the lowest times.
# On a virtual machine the times of one command can fall in two groups far apart, and a
# median of a few runs can come from either: a verdict needs both ratios on its side.
goal() {
	local rm rl

	rm=$(ratio "${ms[$2]}" "${ms[$3]}")
	rl=$(ratio "${mn[$2]}" "${mn[$3]}")
	if awk -v a="$rm" -v b="$rl" -v l="$4" 'BEGIN { exit !(a <= l && b <= l) }'; then
		echo "PASS  $1: ${rm}x $5 (lowest times: ${rl}x; goal <= ${4}x)"
	elif awk -v a="$rm" -v b="$rl" -v l="$4" 'BEGIN { exit !(a > l && b > l) }'; then
		echo "MISS  $1: ${rm}x $5 (lowest times: ${rl}x; goal <= ${4}x)"
	else
		echo "NOISY $1: ${rm}x $5 by the medians, ${rl}x by the lowest times" \
			"(goal <= ${4}x): run it again with more --reps"
	fi
}
goal "taskscope maps" ts floor 1.3 \
	"the floor that labels stacks (rawstacks: smaps + every thread's syscall file)"
goal "taskscope maps -o $nostk" ts_o raw 1.3 "the raw smaps reader"
echo "      what the aligned output reads at least (rawstacks -s, with the threads' table's" \
	"stat files): $(ratio "${ms[floor_s]}" "${ms[floor]}")x the floor; taskscope maps" \
	"$(ratio "${ms[ts]}" "${ms[floor_s]}")x that"
echo "      rawstacks is $(ratio "${ms[floor]}" "${ms[raw]}")x rawsmaps; pmap -X" \
	"$(ratio "${ms[pmap]}" "${ms[raw]}")x; taskscope maps $(ratio "${ms[ts]}" "${ms[raw]}")x rawsmaps"
if [ -n "$ref_bin" ]; then
	echo "      ref ($ref_bin): maps $(ratio "${ms[ref_ts]}" "${ms[floor]}")x the floor," \
		"maps -o $(ratio "${ms[ref_o]}" "${ms[raw]}")x rawsmaps; this build against it:" \
		"maps $(ratio "${ms[ts]}" "${ms[ref_ts]}")x, -J $(ratio "${ms[ts_J]}" "${ms[ref_J]}")x"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
