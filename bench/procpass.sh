#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# procpass.sh - CPU per refresh of the process view of two taskscope binaries, interleaved
#
#   bench/procpass.sh OLD NEW [SAMPLES] [REPS]
#
# For each binary and each column set it measures the CPU (user + system, GNU time) of a
# run of 1 sample and of 1+SAMPLES samples (-b -d 0) and prints (cpu(1+S) - cpu(1)) / S in
# ms, REPS times, then the median of each. It reads whatever the live /proc holds: run it
# with a quiet machine (or the same load for both), and note the process count it prints.
# Used to decide that the own process pass (threads.c) replaces libproc2's: bench/README.md.
set -u
old=${1:?usage: procpass.sh OLD NEW [SAMPLES] [REPS]}
new=${2:?usage: procpass.sh OLD NEW [SAMPLES] [REPS]}
n=${3:-100}
reps=${4:-5}
command -v /usr/bin/time >/dev/null || { echo "procpass.sh: needs GNU time" >&2; exit 1; }
t=$(mktemp)
trap 'rm -f "$t"' EXIT

cpu_ms() {
	/usr/bin/time -o "$t" -f "%U %S" "$@" >/dev/null 2>&1
	awk '{ printf "%.0f", ($1 + $2) * 1000 }' "$t"
}

declare -A all
sets=("default" "-o +cmd" "-u root")
echo "processes: $(ls /proc | grep -c '^[0-9]'), load: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 0; r < reps; r++)); do
	for b in old new; do
		bin=$old
		[ "$b" = new ] && bin=$new
		for s in "${sets[@]}"; do
			# shellcheck disable=SC2206
			o=(); [ "$s" != default ] && o=($s)
			one=$(cpu_ms "$bin" -b -d 0 -n 1 "${o[@]}")
			many=$(cpu_ms "$bin" -b -d 0 -n $((n + 1)) "${o[@]}")
			v=$(awk -v a="$one" -v b="$many" -v n="$n" 'BEGIN { printf "%.2f", (b - a) / n }')
			all[$b,$s]+="$v "
		done
	done
done
for s in "${sets[@]}"; do
	for b in old new; do
		# shellcheck disable=SC2086
		med=$(printf '%s\n' ${all[$b,$s]} | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
		printf '%-10s %-4s median %6s ms  (%s)\n' "$s" "$b" "$med" "${all[$b,$s]% }"
	done
done
echo "processes: $(ls /proc | grep -c '^[0-9]'), load: $(cut -d' ' -f1-3 /proc/loadavg)"
