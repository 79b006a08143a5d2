# SPDX-License-Identifier: GPL-2.0-or-later
# bench/population.sh - a population of sleeping tasks for the benchmarks (sourced)
#
# Sourced by bench/run.sh and bench/tui.sh after they set: ts_bin (the taskscope binary),
# work (a temporary directory), awake (0: stop the population with SIGSTOP once it is
# ready), per_proc (tasks per workload process), an array wl_pids=() and a function die.
# grow_to N starts `taskscope workload --threads per_proc-1 --sleep` processes until /proc
# holds about N tasks; population_stop (for the caller's clean-up) ends the processes in
# wl_pids, population_cleanup also removes $work.

count_tasks() {
	local t=(/proc/[0-9]*/task/[0-9]*)

	echo "${#t[@]}"
}

# Start workload processes of $per_proc tasks until about $1 tasks exist in all.
grow_to() {
	local target=$1 now add i p f deadline first=${#wl_pids[@]}

	now=$(count_tasks)
	add=$(((target - now + per_proc / 2) / per_proc))
	[ "$add" -gt 0 ] || return 0
	for ((i = 0; i < add; i++)); do
		"$ts_bin" workload --threads $((per_proc - 1)) --sleep \
			>"$work/wl.$((first + i))" 2>&1 </dev/null &
		wl_pids+=($!)
	done
	deadline=$((SECONDS + 60))
	for ((i = first; i < ${#wl_pids[@]}; i++)); do
		f=$work/wl.$i
		until grep -q '^ready pid=' "$f" 2>/dev/null; do
			p=${wl_pids[$i]}
			kill -0 "$p" 2>/dev/null ||
				die "workload $p exited before it was ready: $(head -c 300 "$f")"
			[ "$SECONDS" -lt "$deadline" ] || die "workload $p not ready within 60 s"
			sleep 0.05
		done
	done
	if [ "$awake" = 0 ]; then
		for ((i = first; i < ${#wl_pids[@]}; i++)); do
			kill -STOP "${wl_pids[$i]}"
		done
		deadline=$((SECONDS + 30))
		until [ "$(running_workers)" = 0 ]; do
			[ "$SECONDS" -lt "$deadline" ] || die "the population did not stop within 30 s"
			sleep 0.05
		done
	fi
}

# How many tasks of the population are not stopped (state other than T).
running_workers() {
	local p n=0 st

	for p in "${wl_pids[@]}"; do
		for st in /proc/"$p"/task/*/stat; do
			read -r st <"$st" 2>/dev/null || continue
			st=${st##*) }
			[ "${st%% *}" = T ] || n=$((n + 1))
		done
	done
	echo "$n"
}

# End every process in wl_pids: TERM (and CONT, since a stopped workload runs its handler
# only then), up to 10 s for them to go, then KILL; reap them all.
population_stop() {
	local p left deadline=$((SECONDS + 10))

	for p in "${wl_pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
		kill -CONT "$p" 2>/dev/null
	done
	while :; do
		left=0
		for p in "${wl_pids[@]}"; do
			kill -0 "$p" 2>/dev/null && left=1
		done
		if [ "$left" = 0 ] || [ "$SECONDS" -ge "$deadline" ]; then
			break
		fi
		sleep 0.1
	done
	for p in "${wl_pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
}

# population_start NAME: work a new temporary directory (taskscope-NAME.XXXXXX), wl_pids
# empty, population_cleanup the clean-up at exit (exit_traps, bench/lib.sh)
population_start() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/taskscope-$1.XXXXXX") || die "mktemp failed"
	wl_pids=()
	exit_traps population_cleanup
}

# population_cleanup: the clean-up at exit of a script with a population (exit_traps
# population_cleanup): the traps off, the population ended, $work removed
population_cleanup() {
	trap - EXIT INT TERM HUP
	population_stop
	rm -rf "$work"
}
