#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# treetopo.sh - a tree made by tools/capture-proc.sh carries this machine's topology: cpus
# and the task view over it give each CPU the node, core and package hwloc gives live; and
# maps's per-node totals over the tree are the test's own sums of the process's numa_maps
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

src=$TS_SRCDIR
command -v jq >/dev/null || skip "jq is not installed"
[ -d /sys/devices/system/cpu/cpu0/topology ] || skip "no /sys/devices/system/cpu topology here"
unset TASKSCOPE_TOPOLOGY HWLOC_XMLFILE

start_workload --threads 1 --mem 4M --sleep --name "ttopo$$"
tree=$TS_TMP/tree
sh "$src/tools/capture-proc.sh" "$tree" "$WL_PID" || die "capture-proc.sh failed"

check "cpus: the tree's topology is the one hwloc gives live, CPU by CPU"
ts live cpus -p "$WL_PID" -t "$(ts_secs 0.2)" --rate 20 -J
cp "$OUT" "$TS_TMP/live.json"
ts tree cpus --proc-root "$tree" -p "$WL_PID" -J
expect_rc 0 "cpus --proc-root" || fail "cpus over the tree" "$ERR"
topo() { jq -c '.topology | del(.file)' "$1"; }
if [ -n "$(topo "$TS_TMP/live.json")" ] && [ "$(topo "$TS_TMP/live.json")" = "$(topo "$OUT")" ]; then
	ok "$(jq -c '.topology | {packages, cores, numa_nodes, cpus_online}' "$OUT")"
else
	fail "the topologies differ: live $(topo "$TS_TMP/live.json"), tree $(topo "$OUT")" "$ERR"
fi
check "cpus over one tree: the workload's threads, one sample each, at the CPU stat says"
n=$(jq '[.threads[] | select(.pid == '"$WL_PID"')] | length' "$OUT")
want=$(ls "$tree/$WL_PID/task" | wc -l)
bad=$(for t in "$tree/$WL_PID"/task/*; do
	cpu=$(sed 's/.*) //' "$t/stat" | awk '{ print $37 }')
	jq -e --argjson tid "${t##*/}" --argjson cpu "$cpu" \
		'.threads[] | select(.tid == $tid) | select(.samples == 1 and .last_cpu == $cpu)' \
		"$OUT" >/dev/null || echo "${t##*/}"
done)
if [ "$n" = "$want" ] && [ -z "$bad" ]; then
	ok "$n threads"
else
	fail "threads in the report: $n of $want; not as stat says: ${bad:-none}" "$OUT"
fi

check "the task view over the tree: NODE as live for the same CPU"
ts treeview --proc-root "$tree" -p "$WL_PID" -H -o tid,cpu,node,core,package -r
ts liveview -p "$WL_PID" -n 1 -H -o tid,cpu,node,core,package -r
# the live CPU can change between the two reads: compare the columns of each CPU seen
for f in "$TS_TMP/treeview.out" "$TS_TMP/liveview.out"; do
	awk 'NR > 1 && $2 ~ /^[0-9]+$/ { print $2, $3, $4, $5 }' "$f" | sort -u >"$f.cpus"
done
mism=$(join "$TS_TMP/treeview.out.cpus" "$TS_TMP/liveview.out.cpus" | awk '$2 != $5 || $3 != $6 || $4 != $7')
if [ -s "$TS_TMP/treeview.out.cpus" ] && [ -z "$mism" ]; then
	ok "$(tr '\n' ';' <"$TS_TMP/treeview.out.cpus")"
else
	fail "node/core/package over the tree differ from live: $mism" "$TS_TMP/treeview.out" \
		"$TS_TMP/liveview.out"
fi

check "maps -o +nodes over the tree: each node's total is numa_maps summed here"
[ -r "$tree/$WL_PID/numa_maps" ] || skip "no numa_maps captured (no CONFIG_NUMA)"
ts maps maps --proc-root "$tree" -J -o kind,rss,nodes "$WL_PID"
expect_rc 0 "maps over the tree" || fail "maps" "$ERR"
# numa_maps: each line's N<node>=pages times its kernelpagesize_kB, summed per node
sums=$(awk '{
		ps = 0; delete c
		for (i = 2; i <= NF; i++) {
			if ($i ~ /^kernelpagesize_kB=[0-9]+$/) { split($i, a, "="); ps = a[2] }
			if ($i ~ /^N[0-9]+=[0-9]+$/) { split(substr($i, 2), a, "="); c[a[1]] = a[2] }
		}
		for (n in c) { s[n] += c[n] * ps * 1024; if (n + 1 > top) top = n + 1 }
	}
	END { for (n = 0; n < top; n++) printf "%s%.0f", n ? "," : "", s[n] + 0; print "" }' \
	"$tree/$WL_PID/numa_maps")
got=$(jq -r '.processes[0].nodes.bytes | map(tostring) | join(",")' "$OUT")
if [ -n "$sums" ] && [ "$got" = "$sums" ]; then
	ok "bytes per node: $got"
else
	fail "maps's nodes: '$got', numa_maps summed: '$sums'" "$OUT"
fi
ts mapst maps --proc-root "$tree" --bytes -o kind,rss,nodes "$WL_PID"
total=$(awk '/^Resident memory per NUMA node/ { on = 1 } on && $1 == "total" { print $NF }' "$OUT")
if [ "$total" = "$(jq '.processes[0].nodes.total' "$TS_TMP/maps.out")" ]; then
	ok "the table's total: $total bytes"
else
	fail "the table's total '$total' is not JSON's" "$OUT"
fi

finish
