#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/serve.sh - CPU per scrape of taskscope serve against prometheus-process-exporter on
# the same population, and taskscope's memory pass against a raw smaps_rollup reader
#
# Usage: bench/serve.sh [TASKS...]   (default: 1000 10000; run from the source tree, as root,
# after make). For each population size (grown with bench/population.sh; a size below what
# the machine already runs is measured at what it runs), rounds of A B A B:
#   A  taskscope serve -n K: its CPU time (user + system, from /usr/bin/time) over K samples
#      (each sample makes the text a scrape is answered with, so it is the CPU a scrape
#      costs); with --memory-every 0 (no memory values) and with --memory-every 1 (PSS etc.
#      with every sample);
#   B  prometheus-process-exporter (every process grouped by comm, as taskscope groups): its
#      CPU time (from /proc/PID/stat) over K scrapes, without smaps (-gather-smaps=false)
#      and with (the default);
#   and bench/rawrollup.c reading every process's smaps_rollup K times.
# Prints the median and the spread (min-max) of each per-scrape figure, and the ratios: of
# the medians, and the median (min-max) of each round's own ratio (the runs of a round are
# seconds apart: on a machine whose load changes, the per-round ratio is the steadier one).
# The date, the load and the population go with the figures. GROUP_BY=user groups both by
# user instead of by name: process-exporter 0.7.10 panics on a process name that is not
# UTF-8, which another program on a shared machine may well have (its restarts would then
# never end).
set -u
cd "$(dirname "$0")/.." || exit 1
ts_bin=$PWD/taskscope
K=${K:-20}
ROUNDS=${ROUNDS:-6}
per_proc=${PER_PROC:-50}
group_by=${GROUP_BY:-comm}
awake=0
wl_pids=()
work=$(mktemp -d) || exit 1
pe_pid=

die() { echo "bench/serve.sh: $*" >&2; exit 1; }
cleanup() {
	[ -n "$pe_pid" ] && kill "$pe_pid" 2>/dev/null
	population_stop
	rm -rf "$work"
}
trap cleanup EXIT
. bench/population.sh

[ -x "$ts_bin" ] || die "build taskscope first (make)"
command -v prometheus-process-exporter >/dev/null || die "apt-get install prometheus-process-exporter"
command -v curl >/dev/null || die "apt-get install curl"
cc -O2 -o "$work/rawrollup" bench/rawrollup.c || die "cannot build bench/rawrollup.c"
hz=$(getconf CLK_TCK)

cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

# ts_per_scrape MEMORY_EVERY: CPU seconds of taskscope serve per sample
ts_per_scrape() {
	/usr/bin/time -f '%U %S' -o "$work/time" "$ts_bin" serve --listen 127.0.0.1:0 -d 0.1 \
		-n "$K" --memory-every "$1" --group-by "$group_by" >/dev/null 2>"$work/ts.err" || die "taskscope serve failed: $(cat "$work/ts.err")"
	awk -v k="$K" '{ printf "%.6f\n", ($1 + $2) / k }' "$work/time"
}

# pe_once SMAPS(true|false): CPU seconds of process-exporter per scrape; 1 when it died
pe_once() {
	local port t0 t1 i
	for i in $(seq 20); do
		port=$((30000 + RANDOM % 20000))
		ss -ltn | grep -q ":$port " || break
	done
	prometheus-process-exporter -config.path "$work/pe.yml" -threads=false -gather-smaps="$1" \
		-web.listen-address "127.0.0.1:$port" >"$work/pe.log" 2>&1 &
	pe_pid=$!
	for i in $(seq 600); do
		curl -sf -o /dev/null "http://127.0.0.1:$port/metrics" && break
		kill -0 "$pe_pid" 2>/dev/null || break
		sleep 0.1
	done
	t0=$(cpu_ticks "$pe_pid" 2>/dev/null) || t0=
	for ((i = 0; i < K; i++)); do
		[ -n "$t0" ] && curl -sf -o /dev/null "http://127.0.0.1:$port/metrics" || break
	done
	t1=$(cpu_ticks "$pe_pid" 2>/dev/null) || t1=
	kill "$pe_pid" 2>/dev/null
	wait "$pe_pid" 2>/dev/null
	pe_pid=
	[ "$i" = "$K" ] && [ -n "$t1" ] || return 1
	awk -v a="$t0" -v b="$t1" -v hz="$hz" -v k="$K" 'BEGIN { printf "%.6f\n", (b - a) / hz / k }'
}

# pe_per_scrape SMAPS: pe_once, again when process-exporter died (0.7.10 panics on a
# process name that is not UTF-8, as the hostile-name tests of taskscope start)
pe_per_scrape() {
	local try
	for try in 1 2 3 4 5 6 7 8 9 10; do
		pe_once "$1" && return 0
		echo "process-exporter died ($(grep -m1 panic "$work/pe.log")): again" >&2
		sleep 1
	done
	die "process-exporter died ten times: $(cat "$work/pe.log")"
}

raw_per_pass() {
	/usr/bin/time -f '%U %S' -o "$work/time" "$work/rawrollup" "$K" >/dev/null || die "rawrollup failed"
	awk -v k="$K" '{ printf "%.6f\n", ($1 + $2) / k }' "$work/time"
}

# stats: "median min max" in milliseconds of the numbers on stdin
stats() {
	sort -g | awk '{ v[NR] = $1 * 1000 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
		printf "%.2f %.2f %.2f\n", m, v[1], v[NR] }'
}

case $group_by in
comm) pe_name='{{.Comm}}' ;;
user) pe_name='{{.Username}}' ;;
*) die "GROUP_BY is comm or user" ;;
esac
cat >"$work/pe.yml" <<EOF
process_names:
  - name: "$pe_name"
    cmdline:
    - '.+'
EOF

printf '%-8s %-6s %-28s %12s %20s\n' tasks procs what "ms/scrape" "spread (min-max)"
for size in "${@:-1000 10000}"; do
	for n in $size; do
		grow_to "$n"
		tasks=$(count_tasks)
		procs=$(ls -d /proc/[0-9]* | wc -l)
		: >"$work/ts0" >"$work/ts1" >"$work/pe0" >"$work/pe1" >"$work/raw"
		: >"$work/r_def" >"$work/r_mem"
		echo "# $(date -u '+%F %T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg), K=$K, $ROUNDS rounds"
		for ((r = 0; r < ROUNDS; r++)); do
			# in this shell, not in $(...): die must end the script
			ts_per_scrape 0 >>"$work/ts0"
			pe_per_scrape false >>"$work/pe0"
			ts_per_scrape 1 >>"$work/ts1"
			pe_per_scrape true >>"$work/pe1"
			raw_per_pass >>"$work/raw"
			a=$(tail -n 1 "$work/ts0") c=$(tail -n 1 "$work/ts1") e=$(tail -n 1 "$work/raw")
			b=$(tail -n 1 "$work/pe0")
			# ratios of the round (x1000: stats prints milli-units)
			awk -v a="$a" -v b="$b" 'BEGIN { printf "%.6f\n", a / b / 1000 }' >>"$work/r_def"
			awk -v a="$a" -v c="$c" -v e="$e" 'BEGIN { printf "%.6f\n", (c - a) / e / 1000 }' >>"$work/r_mem"
		done
		echo "# $(date -u '+%F %T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg), tasks $(count_tasks)"
		for f in ts0:"taskscope serve, no memory" pe0:"process-exporter, no smaps" \
			ts1:"taskscope serve, memory" pe1:"process-exporter, smaps" raw:"raw smaps_rollup reader"; do
			read -r med lo hi < <(stats <"$work/${f%%:*}")
			printf '%-8s %-6s %-28s %12s %20s\n' "$tasks" "$procs" "${f#*:}" "$med" "$lo-$hi"
			eval "med_${f%%:*}=$med"
		done
		awk -v a="$med_ts0" -v b="$med_pe0" -v c="$med_ts1" -v d="$med_pe1" -v r="$med_raw" 'BEGIN {
			printf "  ratios: no memory %.2fx process-exporter; memory %.2fx process-exporter;", a / b, c / d
			printf " memory pass (memory - no memory) %.2fx the raw reader\n", (c - a) / r }'
		read -r med lo hi < <(stats <"$work/r_def")
		printf '  per round: no memory %sx process-exporter (%s-%s);' "$med" "$lo" "$hi"
		read -r med lo hi < <(stats <"$work/r_mem")
		printf ' memory pass %sx the raw reader (%s-%s)\n' "$med" "$lo" "$hi"
	done
done
