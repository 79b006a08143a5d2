#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/run.sh - CPU per refresh of taskscope, top and ps against a raw /proc reader
# shellcheck disable=SC2317 # cleanup and run_* are called indirectly (trap, "run_$tool")
#
# Builds populations of sleeping tasks with `taskscope workload`, then measures for each
# tool the CPU time (user + system) of one refresh in steady state:
#     (cpu(1 + S samples) - cpu(1 sample)) / S
# which removes start-up, library loading and the first scan's set-up. Each measurement is
# repeated --reps times, tools interleaved, and the median is reported. See bench/README.md.
#
# It is a report, not a test: it always exits 0 unless it cannot run at all (exit 1/2).

set -u

usage() {
	cat <<EOF
Usage: bench/run.sh [--sizes "1000 10000"] [--reps N] [--steps S] [--awake] [--taskscope PATH]

 --sizes LIST      task populations to build, about this many tasks each (default "1000 10000")
 --reps N          repetitions of each measurement; the median is kept (default 3)
 --steps S         refreshes measured (the run with 1+S samples minus the run with 1);
                   default: 100000 / tasks, clamped to 10..200 (100 at 1,000, 10 at 10,000)
 --awake           leave the population running while measuring; by default it is
                   stopped (SIGSTOP): a --sleep worker wakes every 100 ms, and 10,000
                   of them would keep the CPUs busy and disturb the measurement
 --taskscope PATH  the binary to measure (default: ./taskscope in the top directory)
EOF
}

sizes="1000 10000"
reps=3
steps_opt=
awake=0
top_dir=$(cd "$(dirname "$0")/.." && pwd)
ts_bin=$top_dir/taskscope

. "$top_dir/bench/lib.sh"	# value_options, exit_traps, cpu_us, median, ratio, labels
value_options "sizes reps steps=steps_opt awake! taskscope=ts_bin" "$@"

isnum() {
	case $1 in '' | *[!0-9]*) return 1 ;; esac
	[ "$1" -gt 0 ]
}

isnum "$reps" || { echo "run.sh: --reps must be a positive number" >&2; exit 2; }
[ -z "$steps_opt" ] || isnum "$steps_opt" ||
	{ echo "run.sh: --steps must be a positive number" >&2; exit 2; }
read -r -a size_args <<<"$sizes"
[ "${#size_args[@]}" -gt 0 ] || { echo "run.sh: --sizes is empty" >&2; exit 2; }
for n in "${size_args[@]}"; do
	isnum "$n" || { echo "run.sh: bad size '$n' in --sizes" >&2; exit 2; }
done
mapfile -t size_list < <(printf '%s\n' "${size_args[@]}" | sort -n | uniq)
small=${size_list[0]}
max_size=${size_list[${#size_list[@]} - 1]}

[ -x "$ts_bin" ] || die "$ts_bin not found: build it first (see README.md), or pass --taskscope"
command -v cc >/dev/null || die "no C compiler 'cc' to build bench/rawstat.c"
command -v top >/dev/null || die "top not found (Debian: apt-get install procps)"
command -v ps >/dev/null || die "ps not found (Debian: apt-get install procps)"
gnu_time=/usr/bin/time
if ! "$gnu_time" -f %M -o /dev/null true 2>/dev/null; then
	echo "run.sh: note: GNU time not found (Debian: apt-get install time): no peak RSS" >&2
	gnu_time=
fi

# ---- limits: can this machine hold the largest population? --------------------------
per_proc=50				# taskscope workload --threads 49: 49 workers + the leader
need=$((max_size + max_size / 5 + 200))	# the population, the base system, 20% headroom
pid_max=$(cat /proc/sys/kernel/pid_max)
[ "$pid_max" -ge "$need" ] ||
	die "kernel.pid_max is $pid_max; $max_size tasks need about $need (sysctl kernel.pid_max=$need)"
threads_max=$(cat /proc/sys/kernel/threads-max)
[ "$threads_max" -ge "$need" ] ||
	die "kernel.threads-max is $threads_max; $max_size tasks need about $need"
if [ "$(id -u)" != 0 ]; then
	nproc_lim=$(ulimit -u)
	[ "$nproc_lim" = unlimited ] || [ "$nproc_lim" -ge "$need" ] ||
		die "ulimit -u is $nproc_lim; $max_size tasks need about $need"
fi
# the pids controller of our cgroup (v2 "0::PATH", or v1 "N:pids:PATH")
cg_pids=
while IFS=: read -r _ ctl path; do
	if [ "$ctl" = pids ]; then
		cg_pids=/sys/fs/cgroup/pids$path/pids.max
	elif [ -z "$ctl" ] && [ -z "$cg_pids" ]; then
		cg_pids=/sys/fs/cgroup$path/pids.max
	fi
done </proc/self/cgroup
if [ -n "$cg_pids" ] && [ -r "$cg_pids" ]; then
	lim=$(cat "$cg_pids")
	[ "$lim" = max ] || [ "$lim" -ge "$need" ] ||
		die "the cgroup's pids.max ($cg_pids) is $lim; $max_size tasks need about $need"
fi

# ---- set-up and clean-up ---------------------------------------------------------------
. "$top_dir/bench/population.sh"
population_start bench

rawstat=$work/rawstat
cc -O2 -o "$rawstat" "$top_dir/bench/rawstat.c" || die "cannot build bench/rawstat.c"

# ---- the tools, each doing $1 refreshes -----------------------------------------------
# With GNU time each run is wrapped to get its peak RSS (file rss.TOOL); the wrapper's own
# CPU is the same in the 1-sample and the 1+S-sample run, so it cancels out.
wrap() {
	local tool=$1

	shift
	if [ -n "$gnu_time" ]; then
		"$gnu_time" -f %M -o "$work/rss.$tool" "$@"
	else
		"$@"
	fi
}

run_raw() { wrap raw "$rawstat" "$1"; }
run_ts_H() { wrap ts_H "$ts_bin" -b -H -d 0 -n "$1"; }
run_ts_P() { wrap ts_P "$ts_bin" -b -d 0 -n "$1"; }
run_ts_aff() { wrap ts_aff "$ts_bin" -b -H -o +AFFINITY -d 0 -n "$1"; }
run_top_H() { wrap top_H top -b -H -d 0 -n "$1"; }
run_top_P() { wrap top_P top -b -d 0 -n "$1"; }
run_ps_L() {	# only the last run under GNU time: its cost must not count per refresh
	local i

	for ((i = 1; i < $1; i++)); do
		ps -eLo pid,tid,stat,psr,time,comm
	done
	wrap ps_L ps -eLo pid,tid,stat,psr,time,comm
}

tools=(raw ts_H ts_P ts_aff top_H top_P ps_L)
declare -A label
labels <<'EOF'
raw	rawstat (bench/rawstat.c)
ts_H	taskscope -b -H
ts_P	taskscope -b (processes)
ts_aff	taskscope -b -H -o +AFFINITY
top_H	top -b -H
top_P	top -b (processes)
ps_L	ps -eLo pid,tid,stat,psr,time,comm
EOF

kernel=$(uname -r)
ncpu=$(nproc)
p2ver=$(dpkg-query -W -f='${Version}' libproc2-0 2>/dev/null || echo unknown)
echo "taskscope bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $ncpu CPUs, kernel $kernel," \
	"libproc2 $p2ver, $(top -V 2>&1 | head -n 1)"
echo "sizes: ${size_list[*]}  reps: $reps  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$awake" = 0 ]; then
	echo "population: stopped with SIGSTOP while measuring (--awake to leave it running)"
else
	echo "population: running (--awake): each worker wakes every 100 ms"
fi
[ -n "$gnu_time" ] || echo "peak RSS: not measured (no GNU time)"

# CPU ticks of the whole machine: "busy total" from /proc/stat
machine_ticks() {
	awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i
		print t - $5 - $6, t; exit }' /proc/stat
}

declare -A ms mn rss tasks steps_of
for size in "${size_list[@]}"; do
	grow_to "$size"
	n=$(count_tasks)
	tasks[$size]=$n
	if [ -n "$steps_opt" ]; then
		steps=$steps_opt
	else
		steps=$(((100000 + n / 2) / n))
		[ "$steps" -ge 10 ] || steps=10
		[ "$steps" -le 200 ] || steps=200
	fi
	steps_of[$size]=$steps
	echo
	echo "== about $size tasks: $n tasks in /proc (${#wl_pids[@]} workload processes" \
		"of $per_proc); cost of $((steps + 1)) samples minus 1, / $steps"
	for tool in "${tools[@]}"; do
		: >"$work/d.$tool"
		: >"$work/m.$tool"
	done
	read -r busy0 total0 < <(machine_ticks)
	for ((r = 1; r <= reps; r++)); do
		for tool in "${tools[@]}"; do
			c1=$(cpu_us "$tool" 1)
			cn=$(cpu_us "$tool" $((steps + 1)))
			echo "$(((cn - c1) / steps))" >>"$work/d.$tool"
			[ -z "$gnu_time" ] || cat "$work/rss.$tool" >>"$work/m.$tool"
		done
		printf '   rep %d/%d done (tasks now %s)\n' "$r" "$reps" "$(count_tasks)"
	done
	read -r busy1 total1 < <(machine_ticks)
	echo "   machine busy $(ratio $((100 * (busy1 - busy0))) $((total1 - total0)))% of" \
		"$ncpu CPUs while measuring (the bench alone keeps one CPU busy:" \
		"$((100 / ncpu))%; more means other load)"
	for tool in "${tools[@]}"; do
		ms[$size,$tool]=$(median <"$work/d.$tool" | awk '{ printf "%.2f", $1 / 1000 }')
		mn[$size,$tool]=$(sort -n "$work/d.$tool" | head -n 1 | awk '{ printf "%.2f", $1 / 1000 }')
		if [ -n "$gnu_time" ]; then
			rss[$size,$tool]=$(sort -n "$work/m.$tool" | tail -n 1)
		else
			rss[$size,$tool]=
		fi
		printf '   %-36s %s\n' "${label[$tool]}" \
			"$(tr '\n' ' ' <"$work/d.$tool" | awk '{ for (i = 1; i <= NF; i++)
				printf "%.2f ", $i / 1000; print "ms per refresh (each rep)" }')"
	done
done

echo
echo "== results: CPU (user+sys) per refresh, median of $reps (and the lowest, with its" \
	"ratio: other load on the machine can only add); peak RSS = max over reps"
printf '%8s  %-36s %10s %7s %9s %7s %12s\n' tasks tool "ms/refresh" "x raw" \
	"lowest ms" "x raw" "peak RSS KiB"
for size in "${size_list[@]}"; do
	for tool in "${tools[@]}"; do
		printf '%8s  %-36s %10s %7s %9s %7s %12s\n' "${tasks[$size]}" "${label[$tool]}" \
			"${ms[$size,$tool]}" "$(ratio "${ms[$size,$tool]}" "${ms[$size,raw]}")" \
			"${mn[$size,$tool]}" "$(ratio "${mn[$size,$tool]}" "${mn[$size,raw]}")" \
			"${rss[$size,$tool]:--}"
	done
done

# ---- verdicts ----------------------------------------------------------------------
big=$max_size
r_big=$(ratio "${ms[$big,ts_H]}" "${ms[$big,raw]}")
r_small=$(ratio "${ms[$small,ts_H]}" "${ms[$small,raw]}")
verdict() {	# verdict CONDITION-AS-AWK TEXT...
	local cond=$1

	shift
	if awk "BEGIN { exit !($cond) }"; then
		echo "PASS  $*"
	else
		echo "MISS  $*"
	fi
}
echo
echo "== goals (taskscope -b -H; largest size ${tasks[$big]} tasks, smallest ${tasks[$small]})"
verdict "$r_big <= 1.5" "CPU per refresh at ${tasks[$big]} tasks: ${r_big}x raw (goal <= 1.5x;" \
	"top -H $(ratio "${ms[$big,top_H]}" "${ms[$big,raw]}")x," \
	"ps -eL $(ratio "${ms[$big,ps_L]}" "${ms[$big,raw]}")x)"
if [ "$small" != "$big" ]; then
	drift=$(awk -v a="$r_big" -v b="$r_small" 'BEGIN { printf "%+.1f", (a / b - 1) * 100 }')
	verdict "($r_big / $r_small - 1) <= 0.10 && ($r_big / $r_small - 1) >= -0.10" \
		"ratio at ${tasks[$big]} tasks ${r_big}x vs ${r_small}x at ${tasks[$small]}: ${drift}% (goal within 10%)"
else
	echo "n/a   scaling: needs two sizes (--sizes \"1000 10000\")"
fi
if [ -n "$gnu_time" ]; then
	kib=${rss[$big,ts_H]}
	verdict "$kib <= 20480" "peak RSS of taskscope -b -H -n $((steps_of[$big] + 1)) at" \
		"${tasks[$big]} tasks: $kib KiB = $(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }') MiB (goal <= 20 MiB)"
else
	echo "n/a   peak RSS: GNU time is missing"
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
