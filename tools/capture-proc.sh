#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# capture-proc.sh - copy what taskscope reads of some live processes into a /proc-like tree
#
#   tools/capture-proc.sh [--uid N] DEST PID...
#
# DEST gets, for each PID, the files the task view and `maps` read (stat, status, statm,
# comm, cmdline, smaps, smaps_rollup, numa_maps, sched, schedstat, cgroup; and per thread under
# task/TID: stat, status, comm, sched, schedstat, syscall, cgroup), the system files that give
# a tree its time (stat, uptime) and, under DEST/sys/devices/system, the machine's topology
# (CPUs online, each CPU's core and package, each NUMA node's CPUs), which taskscope takes
# as the tree's (NODE, CORE, PACKAGE, cpus's node bands). --uid N writes N as every
# Uid:/Gid: value of the status files, so that USER does not depend on this machine's
# users (0 root and 65534 nobody exist everywhere). Files that cannot be read are left out.
# Run it twice a moment apart into DIR/1 and DIR/2 for the interval columns; the golden
# fixtures of tests/fixtures/golden were made this way (tests/fixtures/golden/make.sh).
set -eu

uid=
if [ "${1:-}" = --uid ]; then
	uid=$2
	shift 2
fi
[ $# -ge 2 ] || { echo "usage: $0 [--uid N] DEST PID..." >&2; exit 2; }
dest=$1
shift
mkdir -p "$dest"

# copy SRC DST: a /proc file (size 0 to stat(2)) by reading it; nothing if it cannot be read
copy() {
	cat "$1" > "$2.tmp" 2>/dev/null && mv "$2.tmp" "$2" || rm -f "$2.tmp"
}

for f in stat uptime; do
	copy "/proc/$f" "$dest/$f"
done
sys=/sys/devices/system
mkdir -p "$dest$sys/cpu" "$dest$sys/node"
for f in cpu/online cpu/possible cpu/present node/online node/possible node/has_cpu \
	node/has_memory; do
	copy "$sys/$f" "$dest$sys/$f"
done
for c in "$sys"/cpu/cpu[0-9]*; do
	[ -d "$c/topology" ] || continue
	mkdir -p "$dest$c/topology"
	for f in physical_package_id core_id die_id thread_siblings_list core_cpus_list \
		package_cpus_list; do
		copy "$c/topology/$f" "$dest$c/topology/$f"
	done
done
for n in "$sys"/node/node[0-9]*; do
	[ -d "$n" ] || continue
	mkdir -p "$dest$n"
	for f in cpulist meminfo distance; do
		copy "$n/$f" "$dest$n/$f"
	done
done
for pid in "$@"; do
	d=$dest/$pid
	mkdir -p "$d/task"
	for f in stat status statm comm cmdline smaps smaps_rollup numa_maps sched schedstat cgroup; do
		copy "/proc/$pid/$f" "$d/$f"
	done
	for t in /proc/"$pid"/task/*; do
		tid=${t##*/}
		mkdir -p "$d/task/$tid"
		for f in stat status comm sched schedstat syscall cgroup; do
			copy "$t/$f" "$d/task/$tid/$f"
		done
	done
	# the process's memory files are read through its main thread's directory too
	for f in statm smaps_rollup; do
		copy "/proc/$pid/task/$pid/$f" "$d/task/$pid/$f"
	done
done
if [ -n "$uid" ]; then
	find "$dest" -name status -type f | while read -r s; do
		sed -i -e "s/^Uid:.*/Uid:\t$uid\t$uid\t$uid\t$uid/" \
			-e "s/^Gid:.*/Gid:\t$uid\t$uid\t$uid\t$uid/" "$s"
	done
fi
