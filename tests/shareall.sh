#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# shareall.sh - `share PID` alone: that process against every other. As root the partners'
# bytes are checked against the test's own intersection of physical frames (pagemap), the
# workers that share the parent's copy-on-write memory rank first, an unrelated process
# shares no anonymous page with it; --top, a thread group, JSON and text, errors.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need python

# the JSON expressions' partner(PID): the entry of that PID in "partners", or None
JSON_DEFS='
def partner(pid):
    m = [p for p in d["partners"] if p["pid"] == pid]
    return m[0] if m else None'

check "share of a PID that names no process: exit 1; of a kernel thread: exit 1, said why"
nopid=$(free_pid) || die "no free PID found"
expect_no_such_pid nopid "$nopid" share "$nopid"
kt=$(for f in /proc/[0-9]*/stat; do
	p=${f#/proc/}; p=${p%/stat}
	sed 's/.*) //' "$f" 2>/dev/null | awk -v p="$p" 'int($7 / 2097152) % 2 { print p; exit 0 }'
done | head -n 1)
if [ -n "$kt" ]; then
	ts kthread share "$kt"
	if [ "$RC" -eq 1 ] && grep -q "kernel thread" "$ERR"; then
		ok "share $kt (a kernel thread): exit 1, '$(cat "$ERR")'"
	else
		fail "share of kernel thread $kt: exit status $RC" "$OUT" "$ERR"
	fi
fi

check "a threaded process: its thread group is named, JSON and text agree"
start_workload --threads 3 --name "sa$TS_RUN"
ts threads share -J "$WL_PID"
if expect_rc 0 "share -J $WL_PID"; then
	expect_json "$OUT" 'd["mode"]' against-all "the against-all document"
	expect_json "$OUT" 'd["threads"]' 4 "four threads in its group"
	expect_json "$OUT" '[p["pid"] for p in d["partners"] if p["pid"] in (['"${WL_TIDS}"'])]' "[]" \
		"its own threads are not partners"
fi
ts threads-text share "$WL_PID"
if expect_rc 0 "share $WL_PID" && grep -q "^taskscope share: PID $WL_PID (sa$TS_RUN, 4 threads) against every other process" "$OUT" &&
	grep -q "own 4 threads are one thread group" "$OUT"; then
	ok "the text names the process and its thread group"
else
	fail "the text report of a threaded process" "$OUT"
fi
stop "$WL_PID"

check "a CLONE_VM child: the same address space, every page of X, VM among its resources"
# python clones a child with CLONE_VM (not a thread: its own process) that runs pause()
cat >"$TS_TMP/clonevm.py" <<'EOF2'
import ctypes, os, signal, sys, time
libc = ctypes.CDLL(None, use_errno=True)
stack = ctypes.create_string_buffer(1 << 16)
top = ctypes.c_void_p(ctypes.addressof(stack) + (1 << 16) - 64)
libc.clone.restype = ctypes.c_int
libc.clone.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
pid = libc.clone(ctypes.cast(libc.pause, ctypes.c_void_p), top, 0x100 | signal.SIGCHLD, None)
if pid < 0:
    sys.exit("clone: %s" % os.strerror(ctypes.get_errno()))
print("ready", os.getpid(), pid, flush=True)
try:
    time.sleep(float(sys.argv[1]))
finally:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
EOF2
"$PY" "$TS_TMP/clonevm.py" $((60 * TS_SLOW)) >"$TS_TMP/clonevm.out" 2>"$TS_TMP/clonevm.err" </dev/null &
track $!
clonevm_ready() { grep -q '^ready ' "$TS_TMP/clonevm.out" 2>/dev/null; }
if ! poll_until 10 clonevm_ready; then
	fail "the CLONE_VM helper did not start" "$TS_TMP/clonevm.err"
else
	read -r _ cx cc <"$TS_TMP/clonevm.out"
	track "$cc"
	ts clonevm share -J --bytes "$cx"
	if expect_rc 0 "share -J $cx"; then
		expect_json "$OUT" "partner($cc)['same_vm']" True "child $cc shares X's address space"
		expect_json "$OUT" "'vm' in partner($cc)['resources']" True "VM among its resources"
		expect_json "$OUT" "partner($cc)['shared'] == d['memory']['rss'] > 0" True \
			"it maps every page of X"
		expect_json "$OUT" "d['partners'][0]['pid']" "$cc" "it ranks first"
	fi
	ts clonevm-text share "$cx"
	if grep -qE "^ *1 +$cc .*VM \(same address space\)" "$OUT"; then
		ok "the text says 'same address space'"
	else
		fail "the text does not say 'same address space' for $cc" "$OUT"
	fi
	stop "$cc" "$cx"
fi

if [ "$(id -u)" -ne 0 ]; then
	say "not root: the exact (PFN) checks are skipped"
	finish
fi

# frames PID...: for each process, the physical frames it maps (present, not the zero page),
# then for the first against each other: the bytes both map and how many of them anonymous,
# as "PID BYTES ANON_BYTES" lines: the test's own intersection, from pagemap and kpageflags
frames() {
	"$PY" - "$@" <<'EOF'
import os, struct, sys
ps = os.sysconf("SC_PAGE_SIZE")
def frames(pid):
    out = {}
    with open("/proc/%s/pagemap" % pid, "rb") as pm:
        for line in open("/proc/%s/maps" % pid):
            s, e = (int(x, 16) for x in line.split()[0].split("-"))
            if s >> 63:
                continue
            pm.seek(s // ps * 8)
            data = pm.read((e - s) // ps * 8)
            for (v,) in struct.iter_unpack("<Q", data):
                if v >> 63 and v & ((1 << 55) - 1):
                    out[v & ((1 << 55) - 1)] = True
    return out
x = frames(sys.argv[1])
with open("/proc/kpageflags", "rb") as kf:
    for pid in sys.argv[2:]:
        both = set(x) & set(frames(pid))
        n = anon = 0
        for f in both:
            kf.seek(f * 8)
            (fl,) = struct.unpack("<Q", kf.read(8))
            if (fl >> 24) & 1:	# KPF_ZERO_PAGE
                continue
            n += 1
            anon += (fl >> 12) & 1	# KPF_ANON
        print(pid, n * ps, anon * ps)
EOF
}

check "root: the workers that share the parent's 32 MiB rank first, bytes as the test counts them"
start_workload --procs 2 --shared 32M --name "sa$TS_RUN"
x=$WL_PID
w1=${WL_TIDLIST%% *}
w2=${WL_TIDLIST##* }
start_workload --procs 1 --mem 8M --name "sb$TS_RUN"
other=$WL_PID
ts exact share -J --bytes "$x"
if nm "$TASKSCOPE" 2>/dev/null | grep -q __asan_init; then
	# the workloads are ASan builds too: terabytes of shadow mappings, too many pagemap
	# entries for the test's own count in python
	say "an AddressSanitizer build: the test's own frame count is skipped"
	: >"$TS_TMP/frames"
else
	frames "$x" "$w1" "$w2" "$other" >"$TS_TMP/frames" 2>"$TS_TMP/frames.err" ||
		die "the test's own frame count failed" "$TS_TMP/frames.err"
fi
if expect_rc 0 "share -J $x as root"; then
	expect_json "$OUT" 'd["memory"]["method"]' exact "exact, from PFNs"
	expect_json "$OUT" 'sorted(p["pid"] for p in d["partners"][:2])' "[$w1, $w2]" \
		"the two workers are the first two"
	while read -r pid bytes anon; do
		got=$(json_q "$OUT" "partner($pid)['shared']")
		gota=$(json_q "$OUT" "partner($pid)['anon']")
		# the processes idle; the machine may still move a page (compaction): 1% or 16 pages
		slack=$((bytes / 100 + 16 * 4096))
		if [ -n "$got" ] && [ "$got" != None ] && [ $((got - bytes)) -le "$slack" ] &&
			[ $((bytes - got)) -le "$slack" ] && [ $((gota - anon)) -le "$slack" ] &&
			[ $((anon - gota)) -le "$slack" ]; then
			ok "PID $pid: taskscope says $got bytes ($gota anonymous), the test counted $bytes ($anon)"
		else
			fail "PID $pid: taskscope says '$got' bytes ('$gota' anonymous), the test counted $bytes ($anon)" "$OUT" "$TS_TMP/frames"
		fi
	done <"$TS_TMP/frames"
	wanon=$(json_q "$OUT" "partner($w1)['anon']")
	if [ "${wanon:-0}" -ge $((32 * MIB)) ]; then
		ok "worker $w1 shares $wanon anonymous bytes with its parent (>= the 32 MiB it chose)"
	else
		fail "worker $w1 shares only '$wanon' anonymous bytes with its parent" "$TS_TMP/frames"
	fi
	# an unrelated process maps the same libraries (page cache) but none of X's anonymous pages
	expect_json "$OUT" "partner($other) is None or (partner($other)['anon'], partner($other)['shmem']) == (0, 0)" \
		True "the unrelated workload shares no anonymous or shmem page with it"
	expect_json "$OUT" "d['npartners'] >= 2 and len(d['partners']) == d['npartners']" True \
		"JSON lists every partner without --top"
fi

check "--top 1: one partner listed, the count of all kept"
ts top share -J --top 1 "$x"
if expect_rc 0 "share -J --top 1"; then
	expect_json "$OUT" 'len(d["partners"])' 1 "one partner"
	expect_json "$OUT" 'd["partners"][0]["pid"] in ('"$w1, $w2"')' True "a worker"
	expect_json "$OUT" 'd["npartners"] > 1' True "npartners still counts all"
fi
ts toptext share --top 2 "$x"
rows=$(awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/' "$OUT" | wc -l)
if [ "$RC" -eq 0 ] && [ "$rows" -eq 2 ] && grep -q "2 of [0-9]* processes shown (--top)" "$OUT"; then
	ok "the text lists two and says how many there are"
else
	fail "share --top 2: $rows rows, exit status $RC" "$OUT"
fi
ts badtop share --top x "$x"
expect_rc 2 "--top x is a usage error"
stop "$x" "$other"

if command -v setpriv >/dev/null 2>&1; then
	check "nobody against its own processes: the estimate, labelled; the workers rank first"
	NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	wrap_taskscope asnobody "${NOBODY[@]}"
	real=$TASKSCOPE
	TASKSCOPE=$WRAPPED
	start_workload --procs 2 --shared 16M --name "sc$TS_RUN"
	ts estimate share -J --bytes "$WL_PID"
	TASKSCOPE=$real
	w1=${WL_TIDLIST%% *}
	w2=${WL_TIDLIST##* }
	if expect_rc 0 "share -J as nobody"; then
		expect_json "$OUT" 'd["memory"]["method"]' estimate "method estimate"
		expect_json "$OUT" 'sorted(p["pid"] for p in d["partners"][:2])' "[$w1, $w2]" \
			"the two workers are the first two"
		expect_json "$OUT" "partner($w1)['anon'] >= 16 * $MIB" True "worker $w1 shares at least the 16 MiB"
		expect_json "$OUT" 'd["denied"] > 0' True "other users' processes counted as denied"
		expect_json "$OUT" 'any("run as root" in n for n in d["notes"])' True "the hint to run as root"
	fi
	stop "$WL_PID"
fi
finish
