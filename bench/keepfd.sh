#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/keepfd.sh - kept-open stat files: taskscope -b -H per refresh and -n 1 against rawstat
# shellcheck disable=SC2317 # cleanup and run_* are called indirectly (trap, "run_$tool")
#
#   bench/keepfd.sh [--sizes "1000 10000 30000"] [--reps N] [--base PATH] [--taskscope PATH]
#
# For each population size (stopped `taskscope workload` processes, bench/population.sh)
# it measures, tools interleaved (A B A B ...) --reps times, the CPU (user + system) of
#   per refresh: (cpu(1 + S samples) - cpu(1 sample)) / S, as bench/run.sh does, of
#     raw       bench/rawstat.c, open + read + close of every task's stat (the floor)
#     kept      taskscope -b -H -d 0 (stat files kept open between samples)
#     fallback  the same under `ulimit -n 1024` (at most 768 kept, the rest open/read/close)
#     base      --base PATH, another build (e.g. main's) the same way, when given
#   one shot:  the CPU of a whole run, start-up included, of
#     raw1      rawstat 1
#     raw2      rawstat --twice 1: one listing, every stat read twice through a kept file
#               (the least an interval from two reads costs; `x floor` is against raw1)
#     once      taskscope -b -H -n 1 (a priming scan: PCPU needs an interval)
#     once_np   the same without PCPU, the only interval column of the defaults: one scan
#     base1     --base PATH -b -H -n 1
# and prints each one's median, its spread (lowest-highest) and the median's ratio to raw's
# (raw1's for one shot). Then the peak RSS (GNU time) of taskscope -b -H -d 0 with 3 and
# with 101 samples at the largest size, kept, under `ulimit -n 1024` and --base, twice
# each (A B A B): from the third sample on it must be flat.
# A report, not a test: exit 0 whatever it finds.
set -u

sizes="1000 10000 30000"
reps=4
base=
top_dir=$(cd "$(dirname "$0")/.." && pwd)
ts_bin=$top_dir/taskscope
usage() { sed -n '3,23p' "$0"; }
# shellcheck source=bench/lib.sh
. "$top_dir/bench/lib.sh"	# value_options, exit_traps, cpu_us
value_options "sizes reps base taskscope=ts_bin" "$@"

[ -x "$ts_bin" ] || die "$ts_bin not found: build it first, or pass --taskscope"
[ -z "$base" ] || [ -x "$base" ] || die "--base $base is not an executable"
command -v cc >/dev/null || die "no C compiler 'cc' to build bench/rawstat.c"
gnu_time=/usr/bin/time
"$gnu_time" -f %M -o /dev/null true 2>/dev/null || gnu_time=
read -r -a size_list <<<"$sizes"
max_size=0
for n in "${size_list[@]}"; do
	case $n in '' | *[!0-9]*) die "bad size '$n'" ;; esac
	[ "$n" -le "$max_size" ] || max_size=$n
done
[ "$(cat /proc/sys/kernel/pid_max)" -gt $((max_size + max_size / 20 + 300)) ] ||
	die "kernel.pid_max $(cat /proc/sys/kernel/pid_max) is too small for $max_size tasks"

awake=0
per_proc=50
# shellcheck source=bench/population.sh
. "$top_dir/bench/population.sh"
population_start keepfd
cc -O2 -o "$work/rawstat" "$top_dir/bench/rawstat.c" || die "cannot build bench/rawstat.c"

run_raw() { "$work/rawstat" "$1"; }
run_kept() { "$ts_bin" -b -H -d 0 -n "$1"; }
run_fallback() { ulimit -n 1024 && "$ts_bin" -b -H -d 0 -n "$1"; }
run_base() { "$base" -b -H -d 0 -n "$1"; }
run_raw1() { "$work/rawstat" 1; }
run_raw2() { "$work/rawstat" --twice 1; }
run_once() { "$ts_bin" -b -H -n 1; }
# the default columns but PCPU, the only interval one: a single scan, no priming
run_once_np() { "$ts_bin" -b -H -n 1 -o pid,tid,user,pri,ni,state,cpu,time,rss,comm; }
run_base1() { "$base" -b -H -n 1; }


stats() {	# values on stdin (us) -> "median lowest highest" in ms
	sort -n | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.2f %.2f %.2f\n", m / 1000, v[1] / 1000, v[NR] / 1000 }'
}

declare -A floor
refresh=(raw kept fallback)
oneshot=(raw1 raw2 once once_np)
if [ -n "$base" ]; then
	refresh+=(base)
	oneshot+=(base1)
fi
echo "keepfd bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, kernel $(uname -r)," \
	"RLIMIT_NOFILE $(ulimit -Sn)/$(ulimit -Hn), reps $reps, load $(cut -d' ' -f1-3 /proc/loadavg)"
for size in "${size_list[@]}"; do
	grow_to "$size"
	n=$(count_tasks)
	steps=$(((100000 + n / 2) / n))
	[ "$steps" -ge 10 ] || steps=10
	[ "$steps" -le 100 ] || steps=100
	for t in "${refresh[@]}" "${oneshot[@]}"; do : >"$work/d.$t"; done
	for ((r = 1; r <= reps; r++)); do
		for t in "${refresh[@]}"; do
			c1=$(cpu_us "$t" 1)
			cn=$(cpu_us "$t" $((steps + 1)))
			echo $(((cn - c1) / steps)) >>"$work/d.$t"
		done
		for t in "${oneshot[@]}"; do
			cpu_us "$t" 1 >>"$work/d.$t"
		done
	done
	echo
	echo "== $n tasks (asked $size), $steps refreshes, load $(cut -d' ' -f1-3 /proc/loadavg)"
	printf '   %-10s %10s %17s %8s\n' tool "median ms" "lowest-highest" "x floor"
	for t in "${refresh[@]}" "${oneshot[@]}"; do
		read -r med lo hi < <(stats <"$work/d.$t")
		case $t in raw | raw1) floor[$t]=$med ;; esac
		f=${floor[raw]}
		case $t in *1 | once*) f=${floor[raw1]} ;; esac
		printf '   %-10s %10s %8s-%-8s %8s\n' "$t" "$med" "$lo" "$hi" \
			"$(awk -v a="$med" -v b="$f" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')"
		case $t in raw2) floor[raw2]=$med ;; once) once_med=$med ;; esac
	done
	awk -v a="$once_med" -v b="${floor[raw2]}" \
		'BEGIN { printf "   once / raw2 (the two-read floor): %.2f\n", (b > 0) ? a / b : 0 }'
done
# peak RSS (KiB) of one run: $1 = kept, fallback or base, $2 = samples
peak_rss() {
	case $1 in
	kept) "$gnu_time" -f %M -o "$work/rss" "$ts_bin" -b -H -d 0 -n "$2" ;;
	fallback) (ulimit -n 1024 && "$gnu_time" -f %M -o "$work/rss" "$ts_bin" -b -H -d 0 -n "$2") ;;
	base) "$gnu_time" -f %M -o "$work/rss" "$base" -b -H -d 0 -n "$2" ;;
	esac >/dev/null 2>&1
	cat "$work/rss"
}
if [ -n "$gnu_time" ]; then
	rss_tools=(kept fallback)
	[ -z "$base" ] || rss_tools+=(base)
	echo
	echo "== peak RSS (KiB) of taskscope -b -H -d 0 -n K at $(count_tasks) tasks, A B A B"
	for k in 3 101; do
		for t in "${rss_tools[@]}"; do : >"$work/m.$t.$k"; done
	done
	for ((r = 1; r <= 2; r++)); do
		for k in 3 101; do
			for t in "${rss_tools[@]}"; do
				peak_rss "$t" "$k" >>"$work/m.$t.$k"
			done
		done
	done
	for t in "${rss_tools[@]}"; do
		printf '   %-10s -n 3: %s   -n 101: %s\n' "$t" "$(tr '\n' ' ' <"$work/m.$t.3")" \
			"$(tr '\n' ' ' <"$work/m.$t.101")"
	done
fi
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
