# SPDX-License-Identifier: GPL-2.0-or-later
# bench/lib.sh - helpers the benchmark scripts share: CPU of one run, medians, rounds, peaks
#
# Sourced (never run). The script sets BENCH (its name, for messages; default: the script's
# file name) and work (a temporary directory) first, and defines a function run_TOOL for each
# TOOL it measures.

BENCH=${BENCH:-${0##*/}}

# die MESSAGE: MESSAGE after the script's name on stderr, exit 1
die() {
	echo "$BENCH: $*" >&2
	exit 1
}

# exit_traps FN: FN cleans up at exit; INT, TERM and HUP end the script (status 130, 143,
# 129) through it
exit_traps() {
	trap "$1" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# value_options MAP ARG...: the options "--NAME VALUE" (or "--NAME=VALUE") in ARG into shell
# variables; MAP lists NAME or NAME=VARIABLE words (NAME alone: the variable NAME), and
# NAME! for a flag "--NAME" that sets the variable NAME to 1. -h and --help print `usage`
# and exit 0; anything else is named, with `usage`, on stderr, and exits 2.
value_options() {
	local map=$1 w n
	shift
	while [ $# -gt 0 ]; do
		case $1 in -h | --help) usage; exit 0 ;; esac
		n=0
		for w in $map; do
			case $w in
			*!)
				[ "$1" = "--${w%!}" ] && printf -v "${w%!}" 1 && n=1 ;;
			*)
				case $1 in
				"--${w%%=*}="*) printf -v "${w#*=}" '%s' "${1#*=}"; n=1 ;;
				"--${w%%=*}") [ $# -lt 2 ] || { printf -v "${w#*=}" '%s' "$2"; n=2; } ;;
				esac ;;
			esac
			[ "$n" = 0 ] || break
		done
		[ "$n" != 0 ] || { echo "$BENCH: unknown option or missing value: '$1'" >&2; usage >&2; exit 2; }
		shift "$n"
	done
}

# labels: the lines "TOOL<tab>LABEL" on stdin into label[TOOL] (the caller declares the
# associative array: declare -A label)
labels() {
	local t l
	while IFS=$'\t' read -r t l; do
		label[$t]=$l
	done
}

# cpu_us TOOL [ARG...]: the CPU (user + system, microseconds) of one `run_TOOL ARG...`, from
# its subshell's `times` (getrusage(RUSAGE_CHILDREN)). Its output goes to $work/out.TOOL
# when CPU_KEEP_OUT=1, else to /dev/null; its errors to $work/err.TOOL, with a warning when
# it fails.
cpu_us() {
	local out=/dev/null
	[ "${CPU_KEEP_OUT:-0}" = 1 ] && out=$work/out.$1
	(
		"run_$1" "${@:2}" >"$out" 2>"$work/err.$1"
		rc=$?
		[ "$rc" -eq 0 ] ||
			echo "$BENCH: warning: $1 exited with $rc: $(head -c 200 "$work/err.$1")" >&2
		times
	) | awk 'NR == 2 {
		n = split($0, f, /[ ms]+/)
		printf "%.0f\n", (f[1] * 60 + f[2]) * 1e6 + (f[3] * 60 + f[4]) * 1e6
	}'
}

# cpu_rounds [--no-warm-up] REPS TOOL...: one warm-up run of each tool (page cache,
# dentries), then REPS rounds of all of them in turn (A B A B), each run's cpu_us a line of
# $work/cpu.TOOL
cpu_rounds() {
	local warm=1 reps t r
	[ "$1" = --no-warm-up ] && { warm=0; shift; }
	reps=$1
	shift
	for t in "$@"; do
		: >"$work/cpu.$t"
		[ "$warm" = 0 ] || cpu_us "$t" >/dev/null
	done
	for ((r = 1; r <= reps; r++)); do
		for t in "$@"; do
			cpu_us "$t" >>"$work/cpu.$t"
		done
	done
}

# median: the median of the numbers on stdin, one a line ("nan" when there are none)
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2
	}'
}

# cpu_stats TOOL: "MEDIAN LOWEST HIGHEST" of $work/cpu.TOOL
cpu_stats() {
	echo "$(median <"$work/cpu.$1") $(sort -n "$work/cpu.$1" | head -n 1) $(sort -n "$work/cpu.$1" | tail -n 1)"
}

# ratio A B: A / B with two decimals, "nan" when B is not above 0
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "nan" }'; }

# peak_kib TOOL VAR...: the peak RSS (KiB, GNU time's %M) of one `run_TOOL` in a new bash
# that gets the function and the variables VAR; "-" without /usr/bin/time
peak_kib() {
	local t=$1
	shift
	if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o "$work/rss.$t" bash -c "
		$(declare -f "run_$t"); $(declare -p "$@"); run_$t" >/dev/null 2>&1; then
		cat "$work/rss.$t"
	else
		echo -
	fi
}

# cpu_of CMD...: the user + system seconds of CMD (its children's, from `times`)
cpu_of() {
	local t
	t=$( ( "$@" >/dev/null 2>&1; times ) | tail -1)
	awk -v t="$t" 'BEGIN { split(t, a, " "); s = 0; for (i = 1; i <= 2; i++) { split(a[i], m, "m"); sub("s", "", m[2]); s += m[1] * 60 + m[2] } printf "%.4f", s }'
}

# step_ms STEPS CMD...: the CPU ms of one sample: (cpu(CMD with @N@ = 1 + STEPS) -
# cpu(CMD with @N@ = 1)) / STEPS, so that start-up and the first sample cancel out
step_ms() {
	local s=$1 a b
	shift
	a=$(cpu_of "${@//@N@/1}")
	b=$(cpu_of "${@//@N@/$((s + 1))}")
	awk -v a="$a" -v b="$b" -v s="$s" 'BEGIN { printf "%.2f", (b - a) * 1000 / s }'
}

# procs_reps_steps ARG...: the options --procs N, --reps N and --steps S, into procs, reps
# and steps (value_options, with a usage line of them)
procs_reps_steps() {
	usage() { echo "usage: bench/$BENCH [--procs N] [--reps N] [--steps S]"; }
	value_options "procs reps steps" "$@"
}

# population_bench ARG...: the start of a script that measures a stopped_population from
# the top source directory: its options (procs_reps_steps), ./taskscope built, work a new
# temporary directory, pids empty, stopped_population_end its clean-up at exit
population_bench() {
	procs_reps_steps "$@"
	[ -x ./taskscope ] || { echo "$BENCH: build taskscope first" >&2; exit 1; }
	work=$(mktemp -d) || exit 1
	pids=()
	trap stopped_population_end EXIT INT TERM
}

# stopped_population PROCS: about PROCS processes of ./taskscope workload (4 worker
# processes of 2 MiB each and their parent), stopped with SIGSTOP once ready; their PIDs in
# the array pids (the caller's clean-up sends them SIGCONT and SIGTERM)
stopped_population() {
	local n=0 f all
	while [ "$n" -lt "$1" ]; do
		: >"$work/wl$n"	# here, not in the child: the wait below must find every file
		./taskscope workload --procs 4 --mem 2M --sleep >"$work/wl$n" 2>/dev/null </dev/null &
		pids+=($!)
		n=$((n + 5))
	done
	for f in "$work"/wl*; do
		for _ in $(seq 100); do grep -q '^ready' "$f" && break; sleep 0.1; done
	done
	# ours only (the parents in pids and their workers), not another run's workloads
	all="${pids[*]} $(pgrep -P "$(IFS=,; echo "${pids[*]}")" | tr '\n' ' ')"
	# shellcheck disable=SC2086
	kill -STOP $all
	echo "population: $(echo $all | wc -w) workload processes, $(ls -d /proc/[0-9]* | wc -l) processes in /proc (stopped while measuring)"
}

# stopped_population_end: the clean-up (trap) of a script that made one: the processes in
# pids continued and ended, $work removed
stopped_population_end() {
	[ ${#pids[@]} -gt 0 ] && kill -CONT "${pids[@]}" 2>/dev/null && kill "${pids[@]}" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
}
