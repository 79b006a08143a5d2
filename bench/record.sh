#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/record.sh - taskscope record against atop -w: bytes per sample and CPU, and the CPU
# of the live batch view with the same readers, at populations of 1,000 and 10,000 tasks
#
# For each size, the population of bench/population.sh (sleeping workload threads) is grown
# to about that many tasks on the whole machine (with --pidns: in a PID namespace of its
# own, whose /proc holds only the bench's tasks, so that other tasks on the machine do not
# count), then measured twice: idle (the population stopped with SIGSTOP: nothing changes)
# and busy (running: each --sleep worker naps 5 s, and the threads started together nap in
# step: every 4 or 5 samples nearly all of them wake and change their counters). Each run
# takes --samples samples --delay apart of all tasks:
#   record   taskscope record -o FILE -d D -n N (footprints every 10 samples, the default)
#   live     taskscope -b -H -d D -n N -o COLS >/dev/null, COLS what record reads
#   atop     atop -w FILE D N
# and reports the file's bytes per sample (its size over N: the first sample, which holds
# every task, included) and the user+system CPU seconds of the run (/usr/bin/time); with
# --tables, the bytes of each table of the recording (SQLite's dbstat); with --keep DIR,
# each recording and atop file is kept there as SIZE-STATE.db and SIZE-STATE.atop.
# In the background, start it with setsid: a stopped population in an orphaned process
# group gets SIGHUP from the kernel, which ends the workers and the runs after one sample.
# A report, not a test: exit 0 unless it cannot run.

set -u

usage() {
	cat <<EOF
Usage: bench/record.sh [--sizes "1000 10000"] [--samples N] [--delay S] [--taskscope PATH]
                       [--pidns] [--tables] [--keep DIR]
EOF
}

sizes="1000 10000"
samples=30
delay=1
top_dir=$(cd "$(dirname "$0")/.." && pwd)
ts_bin=$top_dir/taskscope
per_proc=50
awake=1
wl_pids=()
pidns=0
tables=0
keep=
args=("$@")

. "$top_dir/bench/lib.sh"	# value_options
value_options "sizes samples delay taskscope=ts_bin pidns! tables! keep" "$@"

[ -x "$ts_bin" ] || die "no taskscope binary at $ts_bin"
[ -z "$keep" ] || [ -d "$keep" ] || die "--keep: no directory '$keep'"
command -v atop >/dev/null || die "atop is not installed (apt-get install atop)"
[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (apt-get install time)"
if [ "$pidns" = 1 ] && [ -z "${TS_BENCH_PIDNS:-}" ]; then
	command -v unshare >/dev/null || die "--pidns needs unshare (util-linux)"
	# PID 1 of the namespace is this script again: its end ends every task in it
	exec unshare --pid --fork --mount-proc env TS_BENCH_PIDNS=1 "$0" "${args[@]}"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/taskscope-benchrec.XXXXXX") || exit 1
# shellcheck source=bench/population.sh
. "$top_dir/bench/population.sh"
cleanup() { population_stop; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# cpu CMD...: run it, print "user+system seconds"
cpu() {
	/usr/bin/time -f '%U %S' -o "$work/time" "$@" >/dev/null 2>"$work/err" ||
		die "$* failed: $(head -c 300 "$work/err")"
	awk '{ printf "%.2f", $1 + $2 }' "$work/time"
}

# bytes FILE...: the sizes summed
bytes() { stat -c %s "$@" 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }

cols=pid,tid,ppid,user,state,cpu,affinity,pri,ni,policy,time,minflt,majflt,vctx,ictx,vsz,rss
cols=$cols,migr,run,runq,cgroup,comm,cmd

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs," \
	"$([ -n "${TS_BENCH_PIDNS:-}" ] && echo "own PID namespace" || echo "all tasks")"
printf '%-7s %-5s %12s %12s %6s  %8s %8s %6s %8s\n' tasks state "record B/s" "atop B/s" \
	ratio "record s" "live s" ratio "atop s"
for size in $sizes; do
	grow_to "$size"
	for state in idle busy; do
		for p in "${wl_pids[@]}"; do
			kill -"$([ "$state" = idle ] && echo STOP || echo CONT)" "$p" 2>/dev/null
		done
		sleep 1
		n=$(count_tasks)
		rm -f "$work"/r.db* "$work/a.raw"
		c_rec=$(cpu "$ts_bin" record -o "$work/r.db" -d "$delay" -n "$samples")
		b_rec=$(bytes "$work"/r.db*)
		c_live=$(cpu "$ts_bin" -b -H -d "$delay" -n "$samples" -o "$cols")
		c_atop=$(cpu atop -w "$work/a.raw" "$delay" "$samples")
		b_atop=$(bytes "$work/a.raw")
		printf '%-7s %-5s %12d %12d %6.2f  %8s %8s %6.2f %8s\n' "$n" "$state" \
			$((b_rec / samples)) $((b_atop / samples)) \
			"$(echo "$b_rec $b_atop" | awk '{ print $2 ? $1 / $2 : 0 }')" \
			"$c_rec" "$c_live" \
			"$(echo "$c_rec $c_live" | awk '{ print $2 ? $1 / $2 : 0 }')" "$c_atop"
		[ "$tables" = 1 ] && command -v sqlite3 >/dev/null &&
			sqlite3 "$work/r.db" "SELECT '#   ' || name || ' ' || sum(pgsize) FROM dbstat
				GROUP BY name ORDER BY sum(pgsize) DESC LIMIT 6"
		if [ -n "$keep" ]; then
			cp "$work/r.db" "$keep/$size-$state.db" &&
				cp "$work/a.raw" "$keep/$size-$state.atop" || die "cannot copy into $keep"
		fi
	done
done
echo "# end $(date -u '+%H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
