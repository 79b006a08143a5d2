#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# share.sh - taskscope share on live workloads: kcmp matrices of threads and processes,
# exact page sharing from PFNs (root) that falls when a worker writes, the unprivileged
# paths (denied marks; the labelled estimate), a spawned job, hostile names in JSON.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need python

# the JSON expressions' space_of(PID): the index of the address space of that PID
JSON_DEFS='
def space_of(pid):
    return [i for i, s in enumerate(d["spaces"]) if pid in s["pids"]][0]'

# both PID1 PID2: the bytes both address spaces map, in the JSON report $OUT
both() { json_q "$OUT" "d['memory']['both'][space_of($1)][space_of($2)]"; }

# ---- usage -----------------------------------------------------------------------------------

check "share without targets is a usage error; an unknown PID a runtime error"
ts none share
expect_rc 2 "share without targets"
nopid=$(free_pid) || die "no free PID found"
expect_no_such_pid nopid "$nopid" share "$nopid"

# ---- threads: one address space ----------------------------------------------------------------

start_workload --threads 3
check "--threads 3: the four tasks are one address space sharing VM, FILES, SIGHAND"
# the process and one of its threads (a PID alone compares it with every other process)
tid=${WL_TIDLIST%% *}
ts threads share -J "$WL_PID" "$tid"
if expect_rc 0 "share of a threaded process"; then
	expect_json "$OUT" 'len(d["spaces"])' 1 "one address space"
	expect_json "$OUT" 'd["spaces"][0]["ntasks"]' 4 "with four tasks"
	expect_json "$OUT" '[d["resources"][r][0][0] for r in ("vm", "files", "sighand", "fs")]' \
		"['shared', 'shared', 'shared', 'shared']" "VM, FILES, SIGHAND and FS shared"
	expect_json "$OUT" 'd["memory"]["method"]' None "memory: nothing to compare"
fi
ts threads-text share "$WL_PID" "$tid"
if grep -q "nothing to compare" "$OUT" && awk '$1 == "A" && $2 == 4' "$OUT" | grep -q .; then
	ok "the table says 1 space of 4 tasks, and that memory has nothing to compare"
else
	fail "text report of one address space" "$OUT"
fi

check "a thread's TID selects that thread alone"
tid2=$(echo "$WL_TIDLIST" | awk '{ print $2 }')
ts onetid share -J "$tid" "$tid2"
expect_rc 0 "share $tid $tid2" && expect_json "$OUT" '[t["tid"] for t in d["spaces"][0]["tasks"]]' "[$tid, $tid2]" \
	"only threads $tid and $tid2"
stop "$WL_PID"

# ---- kernel threads: no address space -----------------------------------------------------------

# kthread_pid: a kernel thread (PF_KTHREAD in its stat flags)
kthread_pid() {
	local f p
	for f in /proc/[0-9]*/stat; do
		p=${f#/proc/}
		p=${p%/stat}
		[ "$p" = 1 ] && continue
		# the flags are field 9, the 7th after the ')' that ends the name
		if sed 's/.*) //' "$f" 2>/dev/null | awk '{ exit !(int($7 / 2097152) % 2) }'; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

if kt=$(kthread_pid); then
	start_workload --procs 1
	check "a kernel thread among the targets: left out of the spaces, counted in a note"
	ts kthread share -J "$kt" "$WL_PID" $WL_TIDLIST
	if expect_rc 0 "share of kernel thread $kt and a workload"; then
		expect_json "$OUT" "d['kernel_threads']" 1 "one kernel thread counted"
		expect_json "$OUT" "[p for s in d['spaces'] for p in s['pids'] if p == $kt]" "[]" \
			"no address space holds it"
		expect_json "$OUT" "len(d['spaces'])" 2 "the workload's two address spaces"
		expect_json "$OUT" "any('kernel thread' in n for n in d['resources']['notes'])" True \
			"a note says why"
	fi
	stop "$WL_PID"
else
	say "no kernel thread found (a container's /proc?): the kernel-thread check is skipped"
fi

# ---- processes: separate address spaces --------------------------------------------------------

start_workload --procs 3
check "--procs 3: four address spaces that share no VM and no FILES"
# shellcheck disable=SC2086
ts procs share -J "$WL_PID" $WL_TIDLIST
if expect_rc 0 "share of four processes"; then
	expect_json "$OUT" 'len(d["spaces"])' 4 "four address spaces"
	expect_json "$OUT" 'sorted(set(d["resources"]["vm"][a][b] for a in range(4) for b in range(4) if a != b))' \
		"['separate']" "VM not shared between any two"
	expect_json "$OUT" 'sorted(set(d["resources"]["files"][a][b] for a in range(4) for b in range(4) if a != b))' \
		"['separate']" "FILES not shared between any two"
	expect_json "$OUT" 'sorted(set(d["resources"]["vm"][a][a] for a in range(4)))' "['shared']" \
		"each shares VM with itself"
fi
# shellcheck disable=SC2086
ts procs-text share "$WL_PID" $WL_TIDLIST
if awk '/^Kernel resources/ { getline; getline; getline; print; exit }' "$OUT" | grep -q '^A  =\.\.\.'; then
	ok "the VM row of the parent reads =..."
else
	fail "the text matrix" "$OUT"
fi
stop "$WL_PID"

# ---- exact page sharing (root) ----------------------------------------------------------------

if [ "$(id -u)" -ne 0 ]; then
	say "not root: the exact (PFN) checks and the unprivileged-user checks are skipped"
else
	start_workload --procs 2 --shared 32M
	w1=${WL_TIDLIST%% *}
	w2=${WL_TIDLIST##* }
	check "--procs 2 --shared 32M: at least 32 MiB shared between the workers, from PFNs"
	ts exact share --bytes -J "$WL_PID" "$w1" "$w2"
	if expect_rc 0 "share as root"; then
		expect_json "$OUT" 'd["memory"]["method"]' exact "method exact"
		before=$(both "$w1" "$w2")
		parent=$(both "$WL_PID" "$w2")
		anon=$(json_q "$OUT" "d['memory']['spaces'][space_of($w1)]['anon']")
		good=1
		[ "${before:-0}" -ge $((32 * MIB)) ] && [ "${parent:-0}" -ge $((32 * MIB)) ] || good=0
		verdict "$good" "workers share $before bytes, parent and worker $parent bytes" \
			"workers share '$before' bytes, parent and worker '$parent' (want >= 32 MiB)" "$OUT"
		expect_between "${anon:-0}" $((32 * MIB)) "" "kpageflags: $anon bytes of worker 1's shared pages are anonymous" \
			"worker 1's shared anonymous pages: '$anon' bytes (want >= 32 MiB)" "$OUT"
	fi

	check "a worker writes 16 MiB of the shared area: sharing falls by 16 MiB"
	# 16 MiB of copy-on-write pages in the worker: the first run of present pages that are
	# not exclusively mapped (pagemap bit 56) in its private anonymous mappings
	addr=$("$PY" - "$w1" $((16 * MIB)) <<'EOF' 2>"$TS_TMP/find.err"
import os, struct, sys
pid, want = sys.argv[1], int(sys.argv[2])
ps = os.sysconf("SC_PAGE_SIZE")
with open("/proc/%s/pagemap" % pid, "rb") as pm:
    for line in open("/proc/%s/maps" % pid):
        f = line.split()
        if len(f) != 5 or f[1] != "rw-p" or f[3] != "00:00":
            continue
        s, e = (int(x, 16) for x in f[0].split("-"))
        if e - s < want or e - s > 1 << 30:
            continue
        pm.seek(s // ps * 8)
        run = 0
        for i, (v,) in enumerate(struct.iter_unpack("<Q", pm.read((e - s) // ps * 8))):
            run = run + 1 if v >> 63 and not (v >> 56) & 1 else 0
            if run * ps >= want:
                print(s + (i + 1 - run) * ps)
                sys.exit(0)
EOF
)
	if [ -z "$addr" ]; then
		fail "no 16 MiB of copy-on-write pages found in worker $w1" "/proc/$w1/maps" "$TS_TMP/find.err"
	elif dd if=/dev/zero of="/proc/$w1/mem" bs=4096 seek=$((addr / 4096)) count=4096 \
		conv=notrunc status=none 2>"$TS_TMP/dd.err"; then
		ts written share --bytes -J "$WL_PID" "$w1" "$w2"
		after=$(both "$w1" "$w2")
		parent2=$(both "$WL_PID" "$w2")
		drop=$((before - ${after:-0}))
		expect_between "$drop" $((16 * MIB)) $((17 * MIB)) "the workers now share $after bytes: $drop bytes fewer" \
			"the workers share '$after' bytes after the write, before $before (drop $drop)" "$OUT"
		expect_between "${parent2:-0}" $((32 * MIB)) "" "parent and the other worker still share $parent2 bytes" \
			"parent and worker 2 share '$parent2' bytes after worker 1 wrote" "$OUT"
	else
		fail "cannot write worker $w1's memory through /proc/$w1/mem" "$TS_TMP/dd.err"
	fi

	# ---- an unprivileged user -----------------------------------------------------------------
	if ! command -v setpriv >/dev/null 2>&1; then
		say "setpriv not found: the unprivileged checks are skipped"
	else
		NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
		check "nobody against root's processes: no crash, denied marks, exit 0"
		OUT=$TS_TMP/nobody.out
		ERR=$TS_TMP/nobody.err
		"${NOBODY[@]}" "$TASKSCOPE" share -J "$WL_PID" "$w1" "$w2" >"$OUT" 2>"$ERR" </dev/null
		RC=$?
		if expect_rc 0 "share as nobody"; then
			expect_json "$OUT" 'sorted(set(s["kcmp"] for s in d["spaces"]))' "['permission denied']" \
				"kcmp denied for every space"
			expect_json "$OUT" 'd["resources"]["files"][0][1]' unknown "FILES between two: unknown"
			expect_json "$OUT" 'sorted(set(s["error"] for s in d["memory"]["spaces"]))' \
				"['permission denied']" "pagemap denied for every space"
		fi
		"${NOBODY[@]}" "$TASKSCOPE" share "$WL_PID" "$w1" "$w2" >"$OUT" 2>"$ERR" </dev/null
		RC=$?
		if expect_rc 0 "text as nobody" && grep -q '?' "$OUT" && grep -q 'denied' "$OUT"; then
			ok "the text shows '?' cells and says denied"
		else
			fail "no '?' or 'denied' in the text report" "$OUT"
		fi
		stop "$WL_PID"

		check "nobody against its own processes: the estimate, labelled as such"
		wrap_taskscope asnobody "${NOBODY[@]}"
		real=$TASKSCOPE
		TASKSCOPE=$WRAPPED
		start_workload --procs 2 --shared 16M
		TASKSCOPE=$real
		w1=${WL_TIDLIST%% *}
		w2=${WL_TIDLIST##* }
		OUT=$TS_TMP/estimate.out
		ERR=$TS_TMP/estimate.err
		"${NOBODY[@]}" "$TASKSCOPE" share --bytes -J "$WL_PID" "$w1" "$w2" >"$OUT" 2>"$ERR" </dev/null
		RC=$?
		if expect_rc 0 "share as nobody of nobody's processes"; then
			expect_json "$OUT" 'd["memory"]["method"]' estimate "method estimate"
			expect_json "$OUT" 'any("run as root for exact numbers" in n for n in d["memory"]["notes"])' \
				True "the hint to run as root"
			expect_json "$OUT" 'sorted(set(s["kcmp"] for s in d["spaces"]))' "['ok']" \
				"kcmp works on one's own tasks"
			est=$(json_q "$OUT" "d['memory']['both'][space_of($w1)][space_of($w2)]")
			if [ "${est:-0}" -ge $((16 * MIB)) ]; then
				ok "estimated $est bytes shared by the workers"
			else
				fail "estimate of the workers' sharing: '$est' bytes (want >= 16 MiB)" "$OUT"
			fi
		fi
		"${NOBODY[@]}" "$TASKSCOPE" share "$WL_PID" "$w1" "$w2" >"$OUT" 2>"$ERR" </dev/null
		if grep -q 'ESTIMATE' "$OUT" && grep -q 'run as root for exact numbers' "$OUT"; then
			ok "the text labels the estimate and gives the hint"
		else
			fail "the text does not label the estimate" "$OUT"
		fi
		stop "$WL_PID"
	fi
fi

# ---- a spawned job -----------------------------------------------------------------------------

check "share -- CMD: looks at the job's tasks after --after, exits with the job's status"
# --after and the job's run scale with the load: the threads must be there by then
ts spawn share --after "$(ts_secs 0.3)" -J --output-file "$TS_TMP/spawn.json" -- \
	"$TASKSCOPE" workload --threads 2 --duration "$(ts_secs 1)"
if expect_rc 0 "the job's status"; then
	expect_json "$TS_TMP/spawn.json" 'd["ntasks"]' 3 "the job's three tasks"
fi
ts spawn3 share --after 0.2 -- sh -c 'sleep 0.6; exit 3'
if expect_rc 3 "a job that exits 3" && grep -q '^taskscope share: spawned job' "$ERR"; then
	ok "the report went to stderr"
else
	fail "no report on stderr" "$ERR" "$OUT"
fi

# ---- hostile names ------------------------------------------------------------------------------

check "hostile task names: valid JSON, no control bytes in the text"
start_workload --threads 1 --name $'q"\\\e[31m\x01\xff'
tid=${WL_TIDLIST%% *}
ts hostile share -J "$WL_PID" "$tid"
if expect_rc 0 "share of a hostile name" && json_q "$OUT" 'd["spaces"][0]["command"]' >/dev/null; then
	ok "python parses the JSON: $(json_q "$OUT" 'ascii(d["spaces"][0]["command"])')"
else
	fail "the JSON does not parse" "$OUT" "$TS_TMP/q.err"
fi
ts hostile-all share -J "$WL_PID"
if expect_rc 0 "share of a hostile name against all" && json_q "$OUT" 'd["command"]' >/dev/null; then
	ok "python parses the against-all JSON: $(json_q "$OUT" 'ascii(d["command"])')"
else
	fail "the against-all JSON does not parse" "$OUT" "$TS_TMP/q.err"
fi
for args in "$WL_PID $tid" "$WL_PID"; do
	# shellcheck disable=SC2086
	ts hostile-text share $args
	if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$OUT"; then
		fail "control bytes in the text report of share $args" "$OUT"
	else
		ok "no control bytes in the text report of share $args"
	fi
done
stop "$WL_PID"

# ---- valgrind ------------------------------------------------------------------------------------

vg_why=$(no_valgrind)
if [ -n "$vg_why" ]; then
	say "$vg_why: the valgrind checks are skipped"
else
	start_workload --procs 2 --shared 4M
	check "valgrind: share (text, JSON, a spawned job): no error, no definite leak"
	for args in "$WL_PID ${WL_TIDLIST}" "-J $WL_PID ${WL_TIDLIST} $$" "--top 5 $WL_PID" "--after 0.2 -- sleep 0.5"; do
		OUT=$TS_TMP/vg.out
		ERR=$TS_TMP/vg.err
		# shellcheck disable=SC2086
		timeout -k 5 $((120 * TS_SLOW)) valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite --show-leak-kinds=definite \
			"$TASKSCOPE" share $args >"$OUT" 2>"$ERR" </dev/null
		RC=$?
		expect_rc 0 "valgrind taskscope share $args"
	done
	stop "$WL_PID"
fi

finish
