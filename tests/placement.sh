#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# placement.sh - where threads run: CPU, AFFINITY and NODE of a pinned worker, an affinity
# changed from outside (taskset), the NUMA node of every row.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

need_cpus 0 1
need_cmd taskset util-linux

allowed() { awk '$1 == "Cpus_allowed_list:" { print $2 }' "/proc/$1/task/$2/status"; }
laststat_cpu() { awk '{ sub(/.*\) /, ""); print $37 }' "/proc/$1/task/$2/stat"; }

# ---- a pinned worker -----------------------------------------------------------------------------

start_workload --threads 1 --spin --pin 1
wl=$WL_PID
w=$WL_TIDS

check "--pin 1: the worker row has CPU 1 and AFFINITY 1; the main thread's affinity is the full set"
ts pin -b -n 1 -d 0.2 -H -p "$wl" -o tid,cpu,affinity
if expect_rc 0 "-H -p $wl -o tid,cpu,affinity"; then
	read -r _ wcpu waff < <(last_table "$OUT" | awk -v t="$w" '$1 == t')
	read -r _ mcpu maff < <(last_table "$OUT" | awk -v t="$wl" '$1 == t')
	main_allowed=$(allowed "$wl" "$wl")
	if [ "${wcpu:-}" != 1 ] || [ "${waff:-}" != 1 ]; then
		fail "worker $w: CPU '${wcpu:-}' AFFINITY '${waff:-}', expected 1 and 1 (/proc: $(allowed "$wl" "$w"))" "$OUT"
	elif [ "${maff:-}" != "$main_allowed" ]; then
		fail "main thread $wl: AFFINITY '${maff:-}', /proc says '$main_allowed'" "$OUT"
	elif [ "$main_allowed" != "$MY_CPUS" ]; then
		fail "the main thread's affinity $main_allowed is not the inherited $MY_CPUS" "/proc/$wl/status"
	elif ! grep -qw "${mcpu:-x}" <<<"$(cpu_list "$main_allowed")"; then
		fail "main thread CPU '${mcpu:-}' outside its affinity $main_allowed" "$OUT"
	else
		ok "worker: CPU $wcpu AFFINITY $waff; main: CPU $mcpu AFFINITY $maff"
	fi
fi

# ---- affinity changed from outside ---------------------------------------------------------------------

check "taskset -p -c 0 WORKER: the next sample shows AFFINITY 0, and soon CPU 0"
if ! taskset -p -c 0 "$w" >"$TS_TMP/taskset.out" 2>&1; then
	fail "taskset -p -c 0 $w failed" "$TS_TMP/taskset.out"
else
	ts moved -b -n 1 -d 0.2 -H -p "$wl" -o tid,cpu,affinity
	read -r _ wcpu waff < <(last_table "$OUT" | awk -v t="$w" '$1 == t')
	if [ "$RC" -ne 0 ] || [ "${waff:-}" != 0 ]; then
		fail "after taskset: status $RC, AFFINITY '${waff:-}', expected 0 (/proc: $(allowed "$wl" "$w"))" "$OUT"
	else
		# the kernel moves it at once; a busy machine may take a while to show it running
		oncpu0() {
			ts moved -b -n 1 -d 0.1 -H -p "$wl" -o tid,cpu,affinity
			read -r _ wcpu waff < <(last_table "$OUT" | awk -v t="$w" '$1 == t')
			[ "$RC" -eq 0 ] && [ "${wcpu:-}" = 0 ] && [ "${waff:-}" = 0 ]
		}
		if poll_until 15 oncpu0; then
			ok "AFFINITY $waff, CPU $wcpu"
		else
			fail "the worker never showed CPU 0 (AFFINITY '${waff:-}', /proc stat CPU $(laststat_cpu "$wl" "$w"))" "$OUT"
		fi
	fi
fi
stop "$wl"

# ---- NUMA node of every row ---------------------------------------------------------------------------

# The node of each CPU from sysfs; without /sys/devices/system/node every CPU is on node 0.
declare -A node_of
if [ -d /sys/devices/system/node ] && ls /sys/devices/system/node/node[0-9]* >/dev/null 2>&1; then
	for d in /sys/devices/system/node/node[0-9]*; do
		n=${d##*node}
		for c in $(cpu_list "$(cat "$d/cpulist")"); do
			node_of[$c]=$n
		done
	done
else
	for ((c = 0; c < $(getconf _NPROCESSORS_CONF); c++)); do node_of[$c]=0; done
fi
say "CPU -> node: $(for c in "${!node_of[@]}"; do printf '%s:%s ' "$c" "${node_of[$c]}"; done)"

check "NODE is the NUMA node (from sysfs) of the row's CPU, for every thread of the system"
ts node -b -n 1 -d 0.2 -H -o tid,cpu,node
if expect_rc 0 "-H -o tid,cpu,node"; then
	last_table "$OUT" >"$TS_TMP/rows"
	map=$(for c in "${!node_of[@]}"; do printf '%s:%s ' "$c" "${node_of[$c]}"; done)
	bad=$(awk -v map="$map" '
		BEGIN { n = split(map, kv, " "); for (i = 1; i <= n; i++) { split(kv[i], p, ":"); node[p[1]] = p[2] } }
		$3 !~ /^[0-9]+$/ || !($2 in node) || node[$2] != $3 {
			if (bad++ < 10) printf "TID %s CPU %s NODE %s (sysfs: %s)\n", $1, $2, $3, ($2 in node) ? node[$2] : "none"
		}
		END { print bad + 0 > "/dev/stderr" }' "$TS_TMP/rows" 2>&1 >"$TS_TMP/badnodes")
	n=$(wc -l <"$TS_TMP/rows")
	if [ "$n" -lt 2 ]; then
		fail "only $n rows for the whole system" "$OUT"
	elif [ "$bad" -ne 0 ]; then
		fail "$bad of $n rows have a wrong NODE" "$TS_TMP/badnodes"
	else
		ok "$n rows, NODE right on each"
	fi
fi

finish
