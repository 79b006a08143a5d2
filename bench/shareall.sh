#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# shareall.sh - what `taskscope share PID` (one process against every other) costs on a
# population of about 10,000 tasks in 300 processes, against a bare reader of every
# process's pagemap (bench/rawpagemap.c over all of /proc): CPU (user + system), A B A B,
# median, lowest and spread, and the peak RSS of each. Run it as root. See bench/README.md.
set -u
cd "$(dirname "$0")/.." || exit 1

tasks=10000
per_proc=33
reps=5
ts_bin=./taskscope
usage() {
	echo "Usage: bench/shareall.sh [--tasks N (10000)] [--per-proc N (33)] [--reps N (5)] [--taskscope PATH]"
}
CPU_KEEP_OUT=1
. bench/lib.sh	# value_options, exit_traps, cpu_rounds, labels
value_options "tasks per-proc=per_proc reps taskscope=ts_bin" "$@"
[ -x "$ts_bin" ] || { echo "shareall.sh: $ts_bin not found: build taskscope first" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "shareall.sh: run as root (the exact path)" >&2; exit 1; }
ts_bin=$(cd "$(dirname "$ts_bin")" && pwd)/$(basename "$ts_bin")

work=$(mktemp -d /tmp/shareall-bench.XXXXXX) || exit 1
awake=0
wl_pids=()
. bench/population.sh
exit_traps population_cleanup

cc -O2 -o "$work/rawpagemap" bench/rawpagemap.c || exit 1
grow_to "$tasks"
# X is one of ours, even when other processes already make up the population
[ ${#wl_pids[@]} -gt 0 ] || grow_to $(($(count_tasks) + per_proc))
x=${wl_pids[0]}
procs=$(a=(/proc/[0-9]*); echo ${#a[@]})
echo "taskscope share PID bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, kernel $(uname -r)"
echo "population: $(count_tasks) tasks in $procs processes (/proc entries, kernel threads included); X = PID $x"

run_share() { "$ts_bin" share -J --bytes "$x"; }
run_raw() { local a=(/proc/[0-9]*); "$work/rawpagemap" "${a[@]#/proc/}"; }
run_rawk() { local a=(/proc/[0-9]*); "$work/rawpagemap" -k "${a[@]#/proc/}"; }
tools=(share raw rawk)
declare -A label
labels <<'EOF'
share	taskscope share -J PID (against all)
raw	rawpagemap, every process
rawk	rawpagemap -k, every process
EOF

cpu_rounds "$reps" "${tools[@]}"
echo "share: $(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["processes"], "processes looked at,", d["compared"], "read,", d["npartners"], "partners")' "$work/out.share"); raw: $(cat "$work/out.raw")"
echo "reps: $reps; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
raw=$(median <"$work/cpu.raw")
printf '| %-38s | %9s | %9s | %7s | %6s | %9s |\n' tool "CPU ms" "lowest ms" spread "x raw" "peak KiB"
printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..40})" "----------:" "----------:" "--------:" "-------:" "----------:"
for t in "${tools[@]}"; do
	read -r med low high <<<"$(cpu_stats "$t")"
	peak=$(peak_kib "$t" ts_bin work x)
	awk -v l="${label[$t]}" -v m="$med" -v lo="$low" -v hi="$high" -v r="$raw" -v pk="$peak" 'BEGIN {
		printf "| %-38s | %9.1f | %9.1f | %6.0f%% | %6.2f | %9s |\n", l, m / 1000, lo / 1000,
			(m > 0 ? (hi - lo) * 100 / m : 0), (r > 0 ? m / r : 0), pk }'
done
