#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cpusrun.sh - taskscope cpus tells running from waiting: a sleeping main thread never ran
# and has no CPU share; workers pinned to one CPU and spinning ran only there; per thread the
# shares of running samples sum to 100; JSON, the table, the strip chart and the SVG agree.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

need_cpus 1
need python

# The workload's main thread waits in poll(2) for signals: it never runs after its ready
# line. Its two workers spin, both pinned to CPU 1, so each also waits for the other on
# that CPU's run queue (still state R: runnable).
start_workload --threads 2 --spin --pin 1 --name "tsrun$$"
main=$WL_PID
workers=$WL_TIDS

check "JSON: the sleeping main thread has 0% running, no CPU share, its samples waiting"
ts json cpus -p "$main" -t 1.5 -J --svg "$TS_TMP/run.svg"
if expect_rc 0 "cpus -p $main -t 1.5 -J --svg"; then
	"$PY" - "$OUT" "$main" "$workers" "$TS_TMP/run.svg" >"$TS_TMP/json.py.out" 2>&1 <<'EOF'
import json, sys
from tsjson import need, verdict
import xml.etree.ElementTree as ET
d = json.load(open(sys.argv[1], encoding='utf-8'))
main, workers = int(sys.argv[2]), [int(t) for t in sys.argv[3].split(',')]
th = {t['tid']: t for t in d['threads']}

m = th.get(main)
need(m is not None, 'main thread %d not in the report' % main)
if m:
    print('main: samples', m['samples'], 'running', m['running_samples'], m['running'],
          'cpus', m['cpus'], 'waiting', m['waiting_cpus'], 'states',
          sorted({r['state'] for r in m['runs']}))
    need(m['samples'] >= 10, 'main: too few samples to say anything')
    need(m['running_samples'] == 0 and m['running'] == 0.0, 'main: it ran')
    need(m['cpus'] == [] and m['distinct_cpus'] == 0, 'main: it has a CPU share')
    need(sum(c['samples'] for c in m['waiting_cpus']) == m['samples'],
         'main: its waiting samples are not all its samples')
    need(all(not r['running'] and r['state'] != 'R' for r in m['runs']),
         'main: a run is marked running')
# per CPU: the main thread is never among the threads that ran, only among the waiting
for c in d['cpus']:
    need(all(t['tid'] != main for t in c['threads']), 'cpu%d lists main as running' % c['cpu'])
need(any(t['tid'] == main for c in d['cpus'] for t in c['waiting_threads']),
     'main is listed as waiting on no CPU')
need(sum(c['samples'] for c in d['cpus']) == d['sampler']['running_samples'],
     'per-CPU occupancy is not the running samples')

for w in workers:
    t = th.get(w)
    need(t is not None, 'worker %d not in the report' % w)
    if not t:
        continue
    print('worker', w, 'samples', t['samples'], 'running', t['running_samples'],
          'cpus', t['cpus'], 'runq_wait', t['runq_wait'], 'window', t['schedstat_window'])
    # what was sampled, not the wall time: under load a pass may be late and skip slots
    need(t['running_samples'] >= 10, 'worker %d: too few running samples' % w)
    need(len(t['cpus']) == 1 and t['cpus'][0]['cpu'] == 1 and t['cpus'][0]['share'] == 100.0
         and t['cpus'][0]['samples'] == t['running_samples'],
         'worker %d: not 100%% of its running samples on CPU 1' % w)
    need(all(r['cpu'] == 1 for r in t['runs'] if r['running']),
         'worker %d: a running run off CPU 1' % w)
    # two spinning threads on one CPU wait for each other in its run queue
    need(t['runq_wait'] is None or t['runq_wait'] > 0, 'worker %d: no run-queue wait' % w)

# every thread that ran: its shares of running samples sum to 100
for t in d['threads']:
    if t['running_samples']:
        need(round(sum(c['share'] for c in t['cpus']), 1) == 100.0 and
             sum(c['samples'] for c in t['cpus']) == t['running_samples'],
             'thread %d: shares do not sum to 100' % t['tid'])

# the SVG: the main thread's runs are all hatched "waiting" rects whose tooltip says so;
# the workers' running runs are solid in CPU 1's colour
ns = '{http://www.w3.org/2000/svg}'
root = ET.parse(sys.argv[4]).getroot()
rows = {int(g.get('data-tid')): g for g in root.iter(ns + 'g') if g.get('class') == 'thread'}
mr = [r for r in rows[main].iter(ns + 'rect') if 'run' in r.get('class', '').split()]
need(mr and all(r.get('class') == 'run waiting' and r.get('fill', '').startswith('url(#wait')
                and r.get('data-state') != 'R' for r in mr), 'svg: main has a solid run')
need(all('waiting (' in r.find(ns + 'title').text and 'TID %d' % main in r.find(ns + 'title').text
         for r in mr), 'svg: a tooltip of main does not say waiting')
for w in workers:
    wr = [r for r in rows[w].iter(ns + 'rect') if r.get('class') == 'run']
    need(wr and all(r.get('data-cpu') == '1' and not r.get('fill').startswith('url(')
                    and 'running (R) on CPU 1' in r.find(ns + 'title').text for r in wr),
         'svg: worker %d has no solid CPU 1 run' % w)
print('svg:', len(mr), 'main runs,', 'legend:',
      [t.text for t in root.iter(ns + 'text') if t.text and t.text.startswith(('running', 'waiting'))])
verdict()
EOF
	py_verdict $? "$TS_TMP/json.py.out" "running and waiting are not told apart" "$OUT"
fi

check "table: main RUNNING 0.0 and SHARES -, its strip all '-' and 'never ran'; workers 1:100.0"
ts table cpus -p "$main" -t 1
if expect_rc 0 "cpus -p $main -t 1"; then
	# PID TID COMM SAMPLES RUNNING RUNQ CPUS MIGR XNODE LONGEST NODES AFFINITY SHARES ENDED
	head=$(awk '$1 == "PID" && $2 == "TID" { $1 = $1; print; exit }' "$OUT")
	read -r _ _ _ msamples mrun _ mcpus _ _ mlong _ _ mshares _ < <(awk -v t="$main" '$2 == t && $1 ~ /^[0-9]+$/' "$OUT")
	mstrip=$(awk -v t="$main" '$1 == t && /\|/ { print; exit }' "$OUT")
	good=1
	[ "$head" = "PID TID COMM SAMPLES RUNNING RUNQ CPUS MIGR XNODE LONGEST NODES AFFINITY SHARES ENDED" ] || good=0
	[ "${mrun:-}" = 0.0 ] && [ "${mcpus:-}" = 0 ] && [ "${mshares:-}" = - ] && [ "${mlong:-}" = - ] || good=0
	# (a column of slots the sampler skipped, being late, is '.')
	[[ $mstrip =~ \|[-.]*-[-.]*\|\ never\ ran$ ]] || good=0
	for w in ${workers//,/ }; do
		read -r _ _ _ _ wrun _ wcpus _ _ _ _ _ wshares _ < <(awk -v t="$w" '$2 == t && $1 ~ /^[0-9]+$/' "$OUT")
		wstrip=$(awk -v t="$w" '$1 == t && /\|/ { print; exit }' "$OUT" | sed 's/.*|\(.*\)|.*/\1/')
		[ "${wcpus:-}" = 1 ] && [ "${wshares:-}" = 1:100.0 ] || good=0
		# a column is running when at least half of it ran: spinning, every column is 1
		[[ $wstrip =~ ^[1.]*1[1.]*$ ]] || good=0
	done
	# the per-CPU tree lists main apart, as waiting
	grep -q "^[^ ].*$main tsrun$$ (waiting) " "$OUT" || good=0
	verdict "$good" "main: RUNNING $mrun SHARES $mshares of $msamples samples; $(grep -c '(waiting)' "$OUT") waiting line(s)" \
		"the table does not tell running from waiting" "$OUT"
fi

check "raw output: the new columns, in order"
ts raw cpus -p "$main" -t 0.3 -r
if expect_rc 0 "cpus -r"; then
	if head -1 "$OUT" | grep -q '^PID TID COMM SAMPLES RUNNING RUNQ CPUS MIGR XNODE LONGEST NODES AFFINITY SHARES ENDED$' &&
		grep -q '^CPU TID COMM NODE CORE PKG RUNNING SHARE WAITING$' "$OUT" &&
		grep -qE "^$main [-.]*-[-.]*\$" "$OUT"; then
		ok "$(wc -l <"$OUT") raw lines"
	else
		fail "raw output is not as expected" "$OUT"
	fi
fi
stop "$main"

finish
