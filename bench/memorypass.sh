#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/memorypass.sh - serve's memory pass against a raw smaps_rollup reader, on a population
# of its own
#
# Usage: bench/memorypass.sh [--rounds N] [--samples K] [--base PATH] [SIZE...]
#   (default: 10 rounds, 20 samples, sizes 1000 10000; run from the source tree, as root,
#   after make). For each size it starts its own processes, named for this run so that
#   nobody else's are counted: `taskscope workload --threads 49 --sleep` copies (50 tasks
#   each) and copies of sleep(1), about SIZE tasks in all. Each round then runs, for this
#   tree's taskscope (B) and, with --base, another build (A, e.g. main's), `taskscope serve
#   -C WL,SL -d 0.1 -n K` with --memory-every 0 and with 1: the memory pass is the
#   difference of their CPU time (user + system) over K samples; then bench/rawrollup.c
#   reading the same processes' smaps_rollup K times. A and B take turns at going first
#   (A B, B A, ...). Prints each figure's median (min-max) in ms a sample, and the ratio of
#   the pass to the raw reader: of the medians, and the median (min-max) of each round's
#   own. The date and load go with the figures.
set -u
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh

usage() {
	echo "usage: bench/memorypass.sh [--rounds N] [--samples K] [--base PATH] [SIZE...]"
}

rounds=10 samples=20 base=
sizes=()
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=${2:?}; shift 2 ;;
	--samples) samples=${2:?}; shift 2 ;;
	--base) base=${2:?}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	-*) usage >&2; exit 2 ;;
	*) sizes+=("$1"); shift ;;
	esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
ts_bin=$PWD/taskscope
[ -x "$ts_bin" ] || die "build taskscope first (make)"
[ -z "$base" ] || [ -x "$base" ] || die "--base: '$base' is not an executable"
SLEEP=$(command -v sleep) || die "no sleep(1)"

work=$(mktemp -d) || exit 1
res=$work/res
pids=()
cleanup() {
	[ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
}
exit_traps cleanup
cc -O2 -o "$work/rawrollup" bench/rawrollup.c || die "cannot build bench/rawrollup.c"

# names of this run's processes (comm is at most 15 bytes)
wl=mpw$$ sl=mps$$
wl=${wl:0:15} sl=${sl:0:15}
cp "$SLEEP" "$work/$sl" || die "cannot copy $SLEEP"

# populate SIZE: workload processes of 50 tasks and single-task sleeps, about SIZE tasks
populate() {
	local size=$1 nsl nwl i deadline
	nsl=$((size < 2000 ? 170 : 200))
	nwl=$(((size - nsl + 25) / 50))
	for ((i = 0; i < nsl; i++)); do
		"$work/$sl" 100000 </dev/null >/dev/null 2>&1 &
		pids+=($!)
	done
	for ((i = 0; i < nwl; i++)); do
		"$ts_bin" workload --threads 49 --sleep --name "$wl" </dev/null >/dev/null 2>&1 &
		pids+=($!)
	done
	deadline=$((SECONDS + 120))
	until [ "$(count_own)" = $((nsl + nwl * 50)) ]; do
		[ "$SECONDS" -lt "$deadline" ] || die "the population did not start within 120 s ($(count_own) tasks)"
		sleep 0.2
	done
}

count_own() {
	local n=0 p t
	for p in $(pgrep -x "$wl|$sl"); do
		t=(/proc/"$p"/task/*)
		n=$((n + ${#t[@]}))
	done
	echo "$n"
}

# cpu_of OUT CMD...: the CPU seconds (user + system) of CMD, divided by the samples, into OUT
# (bash's `times` in a subshell of its own: its children's, to the millisecond; time(1)
# prints them to 10 ms, as much as the pass costs in a few samples)
cpu_of() {
	local out=$1
	shift
	( "$@" >/dev/null 2>"$work/err" || exit 1; times >"$work/time" ) ||
		die "$* failed: $(head -c 300 "$work/err")"
	awk -v k="$samples" 'NR == 2 {
		for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] }
		printf "%.6f\n", s / k }' "$work/time" >>"$out"
}

# pass TASKSCOPE NAME: memory - no memory for that build, into $work/NAME (and its parts)
pass() {
	local bin=$1 name=$2 m0 m1
	cpu_of "$res/$name.0" "$bin" serve --listen 127.0.0.1:0 -C "$wl,$sl" -d 0.1 -n "$samples" \
		--memory-every 0
	cpu_of "$res/$name.1" "$bin" serve --listen 127.0.0.1:0 -C "$wl,$sl" -d 0.1 -n "$samples" \
		--memory-every 1
	m0=$(tail -n 1 "$res/$name.0") m1=$(tail -n 1 "$res/$name.1")
	awk -v a="$m0" -v b="$m1" 'BEGIN { printf "%.6f\n", b - a }' >>"$res/$name"
}

# stats: "median min max" in milliseconds of the numbers on stdin (x1000)
stats() {
	sort -g | awk '{ v[NR] = $1 * 1000 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
		printf "%.2f %.2f %.2f\n", m, v[1], v[NR] }'
}

for size in "${sizes[@]}"; do
	populate "$size"
	own=$(pgrep -x "$wl|$sl" | tr '\n' ' ')
	nproc=$(echo "$own" | wc -w)
	rm -rf "$work/res" && mkdir "$work/res" || die "cannot make $work/res"
	echo "# $(date -u '+%F %T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg): $(count_own) tasks in $nproc processes, $rounds rounds, $samples samples"
	for ((r = 0; r < rounds; r++)); do
		if [ -n "$base" ] && [ $((r % 2)) = 0 ]; then
			pass "$base" A
			pass "$ts_bin" B
		else
			pass "$ts_bin" B
			[ -z "$base" ] || pass "$base" A
		fi
		# shellcheck disable=SC2086 # the PIDs, one word each
		cpu_of "$res/raw" "$work/rawrollup" "$samples" $own
		for b in A B; do
			[ -s "$res/$b" ] || continue
			awk -v p="$(tail -n 1 "$res/$b")" -v r="$(tail -n 1 "$res/raw")" \
				'BEGIN { printf "%.6f\n", p / r / 1000 }' >>"$res/ratio$b"
		done
	done
	echo "# $(date -u '+%F %T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
	read -r rmed rlo rhi < <(stats <"$res/raw")
	printf '%-34s %8s ms  (%s-%s)\n' "raw smaps_rollup reader" "$rmed" "$rlo" "$rhi"
	for b in A B; do
		[ -s "$res/$b" ] || continue
		[ "$b" = A ] && what="A ${base}" || what="B ${ts_bin}"
		read -r med lo hi < <(stats <"$res/$b")
		read -r med0 _ _ < <(stats <"$res/$b.0")
		printf '%-34s %8s ms  (%s-%s), no memory %s ms\n' "memory pass, $b" "$med" "$lo" "$hi" "$med0"
		read -r q qlo qhi < <(stats <"$res/ratio$b")
		awk -v m="$med" -v r="$rmed" -v q="$q" -v lo="$qlo" -v hi="$qhi" -v w="$what" 'BEGIN {
			printf "  %s: %.2fx the raw reader (medians); by round %.2fx (%.2f-%.2f)\n", w, m / r, q, lo, hi }'
	done
	kill "${pids[@]}" 2>/dev/null
	wait 2>/dev/null
	pids=()
done
