#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sharenodes.sh - share (exact, as root): which NUMA node the shared pages sit on. Each
# space's and each segment's bytes by node add up to their shared bytes, the node count is
# this machine's, and on one node the text report says they are all on node 0. (Several
# nodes are tested on the numa2 fixture's sysfs by tests/test_physnode.)
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

[ "$(id -u)" -eq 0 ] || skip "not root: share's exact (PFN) memory part needs CAP_SYS_ADMIN"
command -v jq >/dev/null || skip "jq is not installed"
[ -d /sys/devices/system/node/node0 ] || skip "no /sys/devices/system/node here"
nodes=$(ls -d /sys/devices/system/node/node[0-9]* | sed 's/.*node//' | sort -n | tail -n 1)
nodes=$((nodes + 1))
if [ "$nodes" -gt 1 ] && ! [ -r /sys/devices/system/memory/block_size_bytes ]; then
	skip "$nodes nodes without memory blocks: the pages' nodes are unknown here"
fi

# a parent that wrote 8 MiB and two workers that share it copy-on-write
start_workload --procs 2 --shared 8M --sleep --name "shn$$"
# shellcheck disable=SC2086
ts json share -J "$WL_PID" $WL_TIDLIST
expect_rc 0 "share -J" || die "share -J failed" "$ERR"
cp "$OUT" "$TS_TMP/share.json"
J=$TS_TMP/share.json

check "the method is exact and the node count is this machine's ($nodes)"
got=$(jq -c '.memory | [.method, .numa_nodes]' "$J")
if [ "$got" = "[\"exact\",$nodes]" ]; then
	ok "$got"
else
	fail "method and nodes: $got" "$J"
fi

check "each space's shared bytes by node add up to its shared bytes"
bad=$(jq -r '.memory.spaces[] | select(.nodes == null or ((.nodes | add) != .shared)) | .space' "$J")
big=$(jq '[.memory.spaces[] | .shared] | min' "$J")
if [ -z "$bad" ] && [ "$(jq '.memory.node_unknown' "$J")" = 0 ] && [ "$big" -ge $((8 << 20)) ]; then
	ok "$(jq -c '[.memory.spaces[] | {space, shared, nodes}]' "$J")"
else
	fail "spaces whose nodes do not add up: ${bad:-none}; smallest shared $big" "$J"
fi

check "each segment's bytes by node add up to its bytes"
bad=$(jq -r '.segments[] | select(.nodes == null or ((.nodes | add) != .shared)) | .spaces | join("")' "$J")
if [ -z "$bad" ] && [ "$(jq '.segments | length' "$J")" -ge 1 ]; then
	ok "$(jq -c '[.segments[] | {spaces, shared, nodes}]' "$J")"
else
	fail "segments whose nodes do not add up: ${bad:-none}" "$J"
fi

check "the text report says where the shared pages are"
# shellcheck disable=SC2086
ts text share "$WL_PID" $WL_TIDLIST
if [ "$nodes" -eq 1 ]; then
	grep -qx 'Shared pages by NUMA node: all on node 0' "$OUT" && ok "all on node 0" ||
		fail "no 'all on node 0' line" "$OUT"
else
	grep -q '^Shared pages by NUMA node (where their frames are):' "$OUT" &&
		ok "a table of $nodes nodes" || fail "no table of the nodes" "$OUT"
fi

finish
