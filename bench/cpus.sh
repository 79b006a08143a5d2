#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/cpus.sh - what the placement sampler of `taskscope cpus` costs
#
# 1. CPU per thread-sample of the sampler's kept-open pread path, and of the real sampler
#    thread, against a raw open/read/close reader of the same stat files (placement_bench,
#    built from bench/placement_bench.c against libtaskscope.a). Goal: at most 0.6x raw.
# 2. CPU (user + system) of a whole `taskscope cpus --rate 100 -t 10` watching 64 threads
#    of `taskscope workload`, sleeping and spinning, from bash's `times`, and the sampler
#    thread's own CPU from the report. Goal: at most 5% of one CPU.
#
# It is a report, not a test: it exits 0 whatever it finds (1/2 when it cannot run).

set -u

usage() {
	cat <<EOF
Usage: bench/cpus.sh [--threads N] [--time SECONDS] [--reps K] [--taskscope PATH]

 --threads N       threads watched (default 64)
 --time SECONDS    length of each taskscope cpus run (default 10)
 --reps K          repetitions; the median is kept (default 3)
 --taskscope PATH  the binary to measure (default: ./taskscope in the top directory)
EOF
}

top_dir=$(cd "$(dirname "$0")/.." && pwd)
ts_bin=$top_dir/taskscope
nthreads=64
secs=10
reps=3
BENCH=cpus.sh
. "$top_dir/bench/lib.sh"	# value_options, median, exit_traps
value_options "threads=nthreads time=secs reps taskscope=ts_bin" "$@"
for v in "$nthreads" "$secs" "$reps"; do
	[[ $v =~ ^[0-9]+$ ]] && [ "$v" -gt 0 ] || { usage >&2; exit 2; }
done
[ -x "$ts_bin" ] || { echo "cpus.sh: no taskscope at $ts_bin (build it first)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "cpus.sh: needs python3 (reads the JSON report)" >&2; exit 1; }

export LC_ALL=C
tmp=$(mktemp -d) || exit 1
wl=
cleanup() {
	[ -n "$wl" ] && kill "$wl" 2>/dev/null && wait "$wl" 2>/dev/null
	rm -rf "$tmp"
}
exit_traps cleanup

echo "== machine"
echo "$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), kernel $(uname -r)"
echo "taskscope $("$ts_bin" --version 2>/dev/null | awk '{ print $2 }') at $(git -C "$top_dir" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- 1. per thread-sample -----------------------------------------------------------------------

echo
echo "== 1. CPU per thread-sample, $nthreads threads"
if ! make -s -C "$top_dir" bench/placement_bench >"$tmp/make.out" 2>&1; then
	cat "$tmp/make.out" >&2
	echo "cpus.sh: cannot build bench/placement_bench" >&2
	exit 1
fi
for kind in sleep spin; do
	# with N spinning threads on a few CPUs the bench gets a small share of a CPU: the
	# same CPU-time measurement with fewer rounds, or it would take many minutes
	if [ "$kind" = spin ]; then
		args=(--spin --rounds 200 --reps 3 --seconds 3)
	else
		args=(--rounds 2000 --reps 5 --seconds 5)
	fi
	"$top_dir/bench/placement_bench" --threads "$nthreads" "${args[@]}" \
		2>/dev/null | tee "$tmp/bench-$kind.out"
	echo
done

# ---- 2. taskscope cpus at 100 Hz ------------------------------------------------------------------


# cpu_of_run OUT.json ARGS...: CPU seconds (user + system) of one taskscope run, from `times`
cpu_of_run() {
	local json=$1
	shift
	(
		"$ts_bin" "$@" -J --output-file "$json" >/dev/null 2>&1 </dev/null
		times
	) | awk 'NR == 2 {
		split($1, u, /[ms]/); split($2, s, /[ms]/)
		print u[1] * 60 + u[2] + s[1] * 60 + s[2] }'
}

echo "== 2. taskscope cpus --rate 100 -t $secs on $nthreads threads, $reps runs, median"
printf '%-9s %10s %10s %12s %10s %8s %8s\n' workers "CPU s" "% 1 CPU" "sampler s" "% 1 CPU" samples missed
for kind in sleep spin; do
	"$ts_bin" workload --threads "$nthreads" --"$kind" >"$tmp/wl.out" 2>&1 </dev/null &
	wl=$!
	for _ in $(seq 100); do grep -q '^ready' "$tmp/wl.out" && break; sleep 0.1; done
	grep -q '^ready' "$tmp/wl.out" || { echo "cpus.sh: the workload did not start" >&2; exit 1; }
	: >"$tmp/cpu.$kind"
	: >"$tmp/smp.$kind"
	for r in $(seq "$reps"); do
		cpu=$(cpu_of_run "$tmp/r.json" cpus -p "$wl" --rate 100 -t "$secs")
		python3 - "$tmp/r.json" >"$tmp/j.$kind.$r" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["sampler"]
print(s["cpu_time"], s["samples"], s["missed_slots"], len(d["threads"]))
EOF
		echo "$cpu" >>"$tmp/cpu.$kind"
		awk '{ print $1 }' "$tmp/j.$kind.$r" >>"$tmp/smp.$kind"
	done
	kill "$wl"
	wait "$wl" 2>/dev/null
	wl=
	c=$(median <"$tmp/cpu.$kind")
	s=$(median <"$tmp/smp.$kind")
	read -r _ samples missed nth <"$tmp/j.$kind.$reps"
	printf '%-9s %10.3f %10.2f %12.3f %10.2f %8s %8s\n' "$kind" "$c" \
		"$(awk -v c="$c" -v t="$secs" 'BEGIN { print 100 * c / t }')" "$s" \
		"$(awk -v c="$s" -v t="$secs" 'BEGIN { print 100 * c / t }')" "$samples" "$missed"
	echo "$kind $c $s $nth" >>"$tmp/summary"
	echo "  (each run: $(tr '\n' ' ' <"$tmp/cpu.$kind")s CPU; $nth threads watched incl. the main thread)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- goals ------------------------------------------------------------------------------------------

echo
echo "== goals"
for kind in sleep spin; do
	ratio=$(awk '/^sampler thread/ { for (i = 1; i <= NF; i++) if ($i == "raw") { print $(i - 1); exit } }' \
		"$tmp/bench-$kind.out" | tr -d x)
	verdict=$(awk -v r="$ratio" 'BEGIN { print (r != "" && r <= 0.6) ? "PASS" : "FAIL" }')
	echo "$verdict sampler cost per thread-sample ($kind): ${ratio}x raw (goal <= 0.6x)"
done
while read -r kind c _ _; do
	pct=$(awk -v c="$c" -v t="$secs" 'BEGIN { printf "%.2f", 100 * c / t }')
	verdict=$(awk -v p="$pct" 'BEGIN { print (p <= 5) ? "PASS" : "FAIL" }')
	echo "$verdict taskscope cpus --rate 100 on $nthreads $kind threads: $pct% of one CPU (goal <= 5%)"
done <"$tmp/summary"
exit 0
