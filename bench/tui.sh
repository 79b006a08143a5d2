#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/tui.sh - CPU per refresh of the full-screen view against htop and top -H, each
# running on a pseudo-terminal (tmux) over the same population of tasks
#
# For each size, each tool runs in a detached tmux session of 120x40 with a 1-second
# refresh; after a warm-up the script reads the tool's utime+stime from /proc/PID/stat,
# waits --window seconds, reads it again: CPU per refresh = CPU used / (window / delay).
# All tools are measured the same way in the same run, interleaved, --reps times; the
# median is kept. It is a report, not a test (exit 0 unless it cannot run). See
# bench/README.md.

set -u

usage() {
	cat <<EOF
Usage: bench/tui.sh [--sizes "1000 10000"] [--reps N] [--window SECONDS] [--awake]

 --sizes LIST      task populations (default "1000 10000")
 --reps N          repetitions, the median is kept (default 3)
 --window SECONDS  measured time per tool and repetition (default 20)
 --awake           leave the population running (default: stopped with SIGSTOP)
EOF
}

sizes="1000 10000"
reps=3 window=20 awake=0 delay=1
top_dir=$(cd "$(dirname "$0")/.." && pwd)
ts_bin=$top_dir/taskscope
per_proc=50
wl_pids=()

. "$top_dir/bench/lib.sh"	# value_options, exit_traps, labels
value_options "sizes reps window awake!" "$@"

[ -x "$ts_bin" ] || die "$ts_bin not found: build it first"
command -v tmux >/dev/null || die "tmux not found (apt-get install tmux)"
command -v top >/dev/null || die "top not found (apt-get install procps)"
if ! command -v htop >/dev/null; then
	echo "tui.sh: installing htop (apt-get install htop)" >&2
	apt-get install -y htop >/dev/null 2>&1 ||
		{ apt-get update >/dev/null 2>&1 && apt-get install -y htop >/dev/null 2>&1; } ||
		die "htop not found and not installable"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/taskscope-tuibench.XXXXXX") || die "mktemp failed"
sock=$work/tmux.sock
tmx() { tmux -S "$sock" -f /dev/null "$@"; }

. "$top_dir/bench/population.sh"
cleanup() {
	tmx kill-server >/dev/null 2>&1
	population_cleanup
}
exit_traps cleanup

# one session stays for the whole run: a server that exits with its last session and is
# started again at once on the same socket can fail ("server exited unexpectedly")
tmx new-session -d -s keep -x 80 -y 24 "sleep 86400" || die "cannot start tmux"

hz=$(getconf CLK_TCK)
# htop and taskscope's view must not read or write the user's settings
mkdir -p "$work/home"

# the tools: the command run in the pane (a 1-second refresh everywhere)
declare -A cmd=(
	[taskscope]="$ts_bin -d $delay"
	[taskscope_H]="$ts_bin -d $delay -H"
	[htop]="htop -d $((delay * 10))"
	[top_H]="top -H -d $delay"
)
tools=(taskscope taskscope_H htop top_H)
declare -A label
labels <<'EOF'
taskscope	taskscope (processes, threads folded)
taskscope_H	taskscope, H (every thread)
htop	htop (its default: threads shown)
top_H	top -H
EOF

# cpu_ticks PID: utime + stime of the process (all its threads), in clock ticks
cpu_ticks() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	# after the ')': state is field 1, utime field 12, stime field 13
	awk '{ print $12 + $13 }' <<<"$s"
}

# measure TOOL: ms of CPU per refresh
measure() {
	local tool=$1 pid t0 t1
	tmx new-session -d -s m -x 120 -y 40 \
		"cd '$work' && HOME='$work/home' XDG_CONFIG_HOME='$work/home/.config' TERM=screen exec ${cmd[$tool]}" ||
		die "cannot start tmux"
	pid=$(tmx display -p -t m '#{pane_pid}')
	sleep 3	# start-up and the first samples
	t0=$(cpu_ticks "$pid") || die "$tool ended early"
	sleep "$window"
	t1=$(cpu_ticks "$pid") || die "$tool ended early"
	tmx kill-session -t m
	awk -v d=$((t1 - t0)) -v hz="$hz" -v w="$window" -v dl="$delay" \
		'BEGIN { printf "%.2f\n", d / hz * 1000 / (w / dl) }'
}

echo "taskscope TUI bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, kernel $(uname -r)," \
	"$(htop --version | head -n1), $(top -V | head -n1)"
echo "window ${window}s per measurement, delay ${delay}s, reps $reps, 120x40 tmux pane," \
	"CPU tick $((1000 / hz)) ms"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"

declare -A res
for size in $sizes; do
	grow_to "$size"
	n=$(count_tasks)
	echo
	echo "== about $size tasks: $n in /proc (${#wl_pids[@]} workload processes)"
	for tool in "${tools[@]}"; do : >"$work/r.$tool"; done
	for ((r = 1; r <= reps; r++)); do
		for tool in "${tools[@]}"; do
			measure "$tool" >>"$work/r.$tool"
		done
	done
	for tool in "${tools[@]}"; do
		res[$size,$tool]=$(median <"$work/r.$tool")
		printf '   %-40s %8s ms per refresh (reps: %s)\n' "${label[$tool]}" \
			"${res[$size,$tool]}" "$(tr '\n' ' ' <"$work/r.$tool")"
	done
	res[$size,n]=$n
done

echo
echo "== ratios in this run (lower is cheaper)"
for size in $sizes; do
	for tool in taskscope taskscope_H; do
		printf '%8s tasks  %-40s %6sx htop  %6sx top -H\n' "${res[$size,n]}" \
			"${label[$tool]}" "$(ratio "${res[$size,$tool]}" "${res[$size,htop]}")" \
			"$(ratio "${res[$size,$tool]}" "${res[$size,top_H]}")"
	done
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
