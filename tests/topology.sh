#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# topology.sh - TASKSCOPE_TOPOLOGY: reports on the topology of a machine this one is not
# (tests/fixtures/topology): NUMA nodes, packages and cores of the CPUs sampled here, moves
# across nodes in cpus (table, node strip, JSON, SVG band), an offline CPU, a node without
# CPUs, the task view's NODE/CORE/PACKAGE, and a file that cannot be loaded.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

fixtures=${FIXTURES:-$TS_LIBDIR/fixtures}/topology
SMT=$fixtures/2pkg-4node-smt.xml
OFF=$fixtures/4node-offline-memonly.xml
[ -r "$SMT" ] && [ -r "$OFF" ] || die "fixture topologies not found in $fixtures"

need_cpus 0 1
need python

# A job whose one thread spins on CPU 0, then on CPU 1: it moves by itself, so the move is
# inside the sampled time whatever the load. It spins on CPU time, not wall time.
MOVER='
import os, time
def spin(s):
    end = time.thread_time() + s
    while time.thread_time() < end:
        pass
os.sched_setaffinity(0, {0}); spin(0.4)
os.sched_setaffinity(0, {1}); spin(0.4)'

# ---- 2 packages x 2 nodes x 8 cores x 2 threads: CPU 0 is node 0, CPU 1 node 2 ----------

check "JSON: the file's topology, and a move from CPU 0 to CPU 1 counted as a move across NUMA nodes"
TASKSCOPE_TOPOLOGY=$SMT ts smt-json cpus -J --svg "$TS_TMP/smt.svg" --output-file "$TS_TMP/smt.json" -- "$PY" -c "$MOVER"
if expect_rc 0 "TASKSCOPE_TOPOLOGY=2pkg-4node-smt.xml cpus -J --svg -- python3 mover"; then
	"$PY" - "$TS_TMP/smt.json" "$SMT" "$TS_TMP/smt.svg" >"$TS_TMP/smt.py.out" 2>&1 <<'EOF'
import json, sys
import xml.etree.ElementTree as ET
from tsjson import need, verdict
d = json.load(open(sys.argv[1], encoding='utf-8'))
topo = d['topology']
cpu = {c['cpu']: c for c in topo['cpus']}
print('topology', {k: topo[k] for k in topo if k != 'cpus'})
# what the fixture says: 2 packages, 32 cores, 4 nodes, 64 CPUs, CPU n and n+32 siblings
need(topo['file'] == sys.argv[2], 'file')
need((topo['packages'], topo['cores'], topo['numa_nodes'], topo['cpus_online']) == (2, 32, 4, 64),
     'counts')
need(cpu[0]['node'] == 0 and cpu[0]['package'] == 0 and cpu[1]['node'] == 2 and
     cpu[1]['package'] == 1 and cpu[32]['core'] == cpu[0]['core'] and
     cpu[33]['core'] == cpu[1]['core'] and cpu[2]['node'] == 1, 'CPU 0, 1, 2, 32, 33')
th = [t for t in d['threads'] if t['running_samples']]
need(len(th) == 1, 'one thread ran')
t = th[0] if th else None
if t:
    ran = [r for r in t['runs'] if r['running']]
    print('thread', t['tid'], 'migrations', t['migrations'], 'node_migrations',
          t['node_migrations'], 'cpus', [(c['cpu'], c['node']) for c in t['cpus']],
          'runs', [(r['cpu'], r['samples'], r['state']) for r in t['runs']])
    need(ran and ran[-1]['cpu'] == 1 and any(r['cpu'] == 0 for r in ran), 'ran on 0, ended on 1')
    # here every move between CPU 0 and CPU 1 crosses from node 0 to node 2
    need(t['node_migrations'] >= 1 and t['node_migrations'] == t['migrations'], 'node moves')
    need(sorted(c['node'] for c in t['cpus']) == [0, 2], 'nodes of its CPUs')
    # the SVG: its node band has a node 0 and a node 2 stretch, and a mark for the move
    ns = '{http://www.w3.org/2000/svg}'
    root = ET.parse(sys.argv[3]).getroot()
    g = [g for g in root.iter(ns + 'g') if g.get('data-tid') == str(t['tid'])][0]
    band = [r.get('data-node') for r in g.iter(ns + 'rect') if r.get('class') == 'node']
    marks = [p.find(ns + 'title').text for p in g.iter(ns + 'path') if p.get('class') == 'xnode']
    print('svg band', band, 'marks', marks)
    need('0' in band and '2' in band, 'svg band nodes')
    need(len(marks) == t['node_migrations'] and
         any(m.startswith('from node 0 to node 2 at ') for m in marks), 'svg marks')
    need(any('not this machine' in (e.text or '') for e in root.iter(ns + 'text')), 'svg says file')
verdict()
EOF
	py_verdict $? "$TS_TMP/smt.py.out" "the fixture topology is not what the report says" "$TS_TMP/smt.json"
fi

check "table: the header names the file; XNODE, NODES 0,2, a node strip, cpu1 on node 2 package 1"
TASKSCOPE_TOPOLOGY=$SMT ts smt-table cpus --output-file "$TS_TMP/smt.txt" -- "$PY" -c "$MOVER"
if expect_rc 0 "TASKSCOPE_TOPOLOGY=2pkg-4node-smt.xml cpus -- python3 mover"; then
	t=$TS_TMP/smt.txt
	# PID TID COMM SAMPLES RUNNING RUNQ CPUS MIGR XNODE LONGEST NODES AFFINITY SHARES ENDED
	read -r _ tid _ _ _ _ _ migr xnode _ nodes _ <<<"$(awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ && $5 != "0.0" { print; exit }' "$t")"
	nodeline=$(awk -v t="${tid:-x}" '$1 == t && /\|/ { getline; print; exit }' "$t")
	good=1
	grep -q '^topology: 2 packages, 32 cores, 4 NUMA nodes, 64 CPUs online$' "$t" || good=0
	grep -qF "note: the topology is from $SMT (TASKSCOPE_TOPOLOGY), not this machine's" "$t" || good=0
	[ "${xnode:-}" = "${migr:-x}" ] && [ "${xnode:-0}" -ge 1 ] && [ "${nodes:-}" = 0,2 ] || good=0
	# the node line under the thread's: node 0 (running on CPU 0), later node 2
	[[ $nodeline =~ ^\ +node\ \|[^|]*0[^|]*2[.2-]*\|$ ]] || good=0
	grep -Eq '^cpu1 +2 +16 +1 ' "$t" || good=0
	verdict "$good" "TID $tid MIGR $migr XNODE $xnode NODES $nodes; $(grep -E '^cpu1 ' "$t")" \
		"the table does not show the fixture's nodes" "$t"
fi

check "the task view: NODE, CORE and PACKAGE of a thread pinned to CPU 1 come from the file"
start_workload --threads 1 --spin --pin 1
TASKSCOPE_TOPOLOGY=$SMT ts view -b -n 1 -d 0.2 -H -p "$WL_PID" -o tid,cpu,node,core,package
if expect_rc 0 "TASKSCOPE_TOPOLOGY=... -b -H -o tid,cpu,node,core,package"; then
	read -r _ c n co pk < <(last_table "$OUT" | awk -v t="$WL_TIDS" '$1 == t')
	if [ "${c:-}" = 1 ] && [ "${n:-}" = 2 ] && [ "${co:-}" = 16 ] && [ "${pk:-}" = 1 ]; then
		ok "CPU $c NODE $n CORE $co PACKAGE $pk"
	else
		fail "worker row: CPU '${c:-}' NODE '${n:-}' CORE '${co:-}' PACKAGE '${pk:-}'" "$OUT"
	fi
fi

# ---- 4 nodes, CPU 1 offline, node 4 without CPUs ------------------------------------------

check "an offline CPU and a node without CPUs: counted; a CPU the file does not know is said so"
TASKSCOPE_TOPOLOGY=$OFF ts off cpus -p "$WL_PID" -t 0.5
if expect_rc 0 "TASKSCOPE_TOPOLOGY=4node-offline-memonly.xml cpus -p $WL_PID"; then
	read -r _ _ _ _ _ _ _ _ _ _ wnodes _ <<<"$(awk -v t="$WL_TIDS" '$2 == t && $1 ~ /^[0-9]+$/' "$OUT")"
	if grep -q '^topology: 1 package, 15 cores, 5 NUMA nodes (1 without CPUs), 15 CPUs online (1 offline)$' "$OUT" &&
		grep -q '^note: CPUs in the samples that the topology does not know .*: cpu1$' "$OUT" &&
		[ "${wnodes:-}" = - ] && grep -Eq '^cpu1 +- +- +- ' "$OUT"; then
		ok "$(sed -n 2p "$OUT"); worker NODES $wnodes"
	else
		fail "the offline CPU or the node without CPUs is not reported" "$OUT"
	fi
fi
TASKSCOPE_TOPOLOGY=$OFF ts off-json cpus -p "$WL_PID" -t 0.3 -J
if expect_rc 0 "... -J"; then
	if "$PY" -c '
import json, sys
t = json.load(open(sys.argv[1]))["topology"]
cpus = {c["cpu"]: c["node"] for c in t["cpus"]}
print({k: t[k] for k in t if k != "cpus"}, "cpu->node", cpus)
sys.exit(0 if t["numa_nodes"] == 5 and t["numa_nodes_without_cpus"] == 1 and t["cpus_offline"] == 1
         and 1 not in cpus and len(cpus) == 15 and all(cpus[c] == c % 4 for c in cpus) else 1)' "$OUT" >"$TS_TMP/off.py.out" 2>&1; then
		ok "$(cat "$TS_TMP/off.py.out")"
	else
		fail "JSON topology of the 4-node file" "$TS_TMP/off.py.out"
	fi
fi
stop "$WL_PID"

# ---- a file that is no topology ------------------------------------------------------------

check "TASKSCOPE_TOPOLOGY naming a missing file or no topology: exit 1, the message names it"
TASKSCOPE_TOPOLOGY=$TS_TMP/none.xml ts missing cpus -p $$ -t 0.2
if expect_rc 1 "a missing file" && grep -q "^taskscope: cpus: cannot load the topology file '$TS_TMP/none.xml' (TASKSCOPE_TOPOLOGY): No such file" "$ERR"; then
	ok "$(cat "$ERR")"
else
	fail "no clear message" "$ERR"
fi
echo 'not a topology' >"$TS_TMP/bad.xml"
TASKSCOPE_TOPOLOGY=$TS_TMP/bad.xml ts bad cpus -p $$ -t 0.2
if expect_rc 1 "a file that is no topology" && grep -q "hwloc cannot read it as a topology" "$ERR"; then
	ok "$(cat "$ERR")"
else
	fail "no clear message" "$ERR"
fi
TASKSCOPE_TOPOLOGY= ts empty cpus -p $$ -t 0.2
if expect_rc 0 "an empty TASKSCOPE_TOPOLOGY is this machine's" && ! grep -q 'not this machine' "$OUT"; then
	ok "$(sed -n 2p "$OUT")"
else
	fail "an empty value was not ignored" "$OUT"
fi

finish
