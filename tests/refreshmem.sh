#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# refreshmem.sh - a refresh makes its rows and its table in the memory the sample before last
# left (lib/spare.h), not in new pages: more samples of the same 600 threads fault in next
# to no pages, where rows made anew would fault in about 60 pages a sample. And the sampler
# keeps only the counters of its last sample for the next one's deltas, not its rows: a
# one-shot table with PCPU (a priming sample first) makes its rows where the priming
# sample's were.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need python
# AddressSanitizer's allocator holds freed blocks in quarantine and makes new ones: the
# page faults this test counts are those of glibc's malloc
nm "$TASKSCOPE" 2>/dev/null | grep -q __asan_init &&
	skip "an AddressSanitizer build: its allocator, not glibc's, decides which pages are new"

start_workload --threads 600 --sleep --name "rm$RANDOM"
page=$(getconf PAGESIZE)

# faults N [OPTION...]: the minor page faults of one run of
# `taskscope -b -H -d 0 -n N -p workload OPTION...`
faults() {
	"$PY" - "$TASKSCOPE" "$WL_PID" "$@" <<'PYEOF'
import resource, subprocess, sys
ts, pid, n = sys.argv[1:4]
before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt
rc = subprocess.run([ts, "-b", "-H", "-d", "0", "-n", n, "-p", pid] + sys.argv[4:],
                    stdout=subprocess.DEVNULL).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt - before if rc == 0 else -1)
PYEOF
}

check "20 more refreshes of 601 thread rows fault in fewer than a third of one sample's rows"
# the rows of one sample: 601 tasks of the struct a row is (392 bytes, task.h): 57 pages
rows_pages=$((601 * 392 / page))
few=$(faults 3)
many=$(faults 23)
if [ "$few" -lt 0 ] || [ "$many" -lt 0 ]; then
	fail "taskscope -b -H -d 0 -n 3/23 -p $WL_PID failed"
else
	per=$(((many - few) / 20))
	if [ "$per" -lt $((rows_pages / 3)) ]; then
		ok "$few faults with 3 samples, $many with 23: $per a refresh (rows: $rows_pages pages)"
	else
		fail "$few faults with 3 samples, $many with 23: $per a refresh, the rows are $rows_pages pages"
	fi
fi

check "a one-shot table with PCPU faults in fewer than a third of its rows more than without"
# -n 1 with PCPU takes a priming sample first; without an interval column it does not
primed=$(faults 1 -o pid,tid,state,time,pcpu,comm)
single=$(faults 1 -o pid,tid,state,time,comm)
if [ "$primed" -lt 0 ] || [ "$single" -lt 0 ]; then
	fail "taskscope -b -H -n 1 -p $WL_PID failed"
elif [ $((primed - single)) -lt $((rows_pages / 3)) ]; then
	ok "$primed faults with a priming sample, $single without (rows: $rows_pages pages)"
else
	fail "$primed faults with a priming sample, $single without: its rows ($rows_pages pages) were made twice"
fi
finish
