#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# maps.sh - taskscope maps on live workloads: USS of worker processes, [stack:TID] labels,
# totals against the kernel's own smaps_rollup, groups and the side-by-side table, hostile
# file names, another user's process (denied, exit 0), missing PIDs and usage errors.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
lib=$(dirname "$0")/lib.sh
[ -r "$lib" ] || lib=${top_srcdir:-.}/tests/lib.sh
. "$lib" || exit 99
need_python

MIB=$((1024 * 1024))

# rollup PID FIELD: a field of /proc/PID/smaps_rollup, in bytes
rollup() {
	awk -v f="$2:" '$1 == f { print $2 * 1024; found = 1 } END { exit !found }' "/proc/$1/smaps_rollup"
}

# jpy FILE EXPR: evaluate a python expression over the JSON document d of FILE
jpy() {
	"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
r = eval(sys.argv[2])
print(r if not isinstance(r, bool) else int(r))' "$1" "$2"
}

# ---- worker processes: each one's USS holds its private 64 MiB -------------------------------
start_workload --procs 2 --mem 64M
check "workload --procs 2 --mem 64M: each worker's USS from maps is at least 64 MiB (-3%)"
# shellcheck disable=SC2086
ts procs maps -J $WL_TIDLIST
if expect_rc 0 "maps -J of the two workers"; then
	for w in $WL_TIDLIST; do
		uss=$(jpy "$OUT" "[p['total']['uss'] for p in d['processes'] if p['pid'] == $w][0]")
		if [ "$uss" -ge $((64 * MIB * 97 / 100)) ]; then
			ok "worker $w: USS $uss bytes ($((uss / MIB)) MiB)"
		else
			fail "worker $w: USS $uss bytes, less than 64 MiB" "$OUT"
		fi
	done
fi

check "the totals agree with the kernel's smaps_rollup (within 1%), and equal the sum of the rows"
for w in $WL_TIDLIST; do
	for f in rss:Rss pss:Pss swap:Swap; do
		key=${f%%:*}
		want=$(rollup "$w" "${f#*:}") || { fail "no ${f#*:} in /proc/$w/smaps_rollup"; continue; }
		got=$(jpy "$OUT" "[p['total']['$key'] for p in d['processes'] if p['pid'] == $w][0]")
		if awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= b / 100) }'; then
			ok "worker $w: $key $got, rollup $want"
		else
			fail "worker $w: $key $got, but smaps_rollup says $want" "$OUT"
		fi
	done
	want=$(($(rollup "$w" Private_Clean) + $(rollup "$w" Private_Dirty)))
	got=$(jpy "$OUT" "[p['total']['uss'] for p in d['processes'] if p['pid'] == $w][0]")
	if awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= b / 100) }'; then
		ok "worker $w: uss $got, rollup Private_Clean + Private_Dirty $want"
	else
		fail "worker $w: uss $got, rollup Private_Clean + Private_Dirty $want" "$OUT"
	fi
	for key in rss pss uss swap; do
		sum=$(jpy "$OUT" "[sum(m['$key'] for m in p['maps']) == p['total']['$key'] for p in d['processes'] if p['pid'] == $w][0]")
		[ "$sum" = 1 ] && ok "worker $w: the rows' $key add up to the total" ||
			fail "worker $w: the rows' $key do not add up to the total" "$OUT"
	done
done

check "--group kind: the groups add up to the same totals; the 64 MiB are anon"
w=${WL_TIDLIST%% *}
ts kind maps -J --group kind "$w"
if expect_rc 0 "maps --group kind -J"; then
	r=$(jpy "$OUT" "all(sum(m[k] for m in p['maps']) == p['total'][k] for p in d['processes'] for k in ('rss', 'pss', 'uss'))")
	[ "$r" = 1 ] && ok "the kinds add up to the totals" || fail "the kinds do not add up" "$OUT"
	anon=$(jpy "$OUT" "[m['uss'] for m in d['processes'][0]['maps'] if m['kind'] == 'anon'][0]")
	[ "$anon" -ge $((64 * MIB * 97 / 100)) ] && ok "anon USS $anon" || fail "anon USS $anon < 64 MiB" "$OUT"
fi

check "--group name with two PIDs: the side-by-side table has RSS and PSS of each process"
# shellcheck disable=SC2086
ts cmp maps --group name $WL_TIDLIST
w1=${WL_TIDLIST%% *}
w2=${WL_TIDLIST##* }
if expect_rc 0 "maps --group name PID PID"; then
	if grep -q "^Side by side" "$OUT" && grep -Eq "RSS_$w1 +PSS_$w1 +RSS_$w2 +PSS_$w2" "$OUT" &&
	   grep -q '^/usr/lib/.*libc\.so' "$OUT"; then
		ok "side-by-side table with libc in it"
	else
		fail "no side-by-side table, or no libc row" "$OUT"
	fi
fi
# shellcheck disable=SC2086
ts cmpj maps -J --group name $WL_TIDLIST
if expect_rc 0 "maps -J --group name PID PID"; then
	r=$(jpy "$OUT" "[c['rss_$w1'] > 0 and c['rss_$w2'] > 0 for c in d['comparison'] if c['name'] == '[anon]'][0]")
	[ "$r" = 1 ] && ok "JSON comparison: [anon] in both" || fail "JSON comparison lacks [anon]" "$OUT"
fi
stop "$WL_PID"

# ---- threads: each worker's stack labelled with its TID -------------------------------------
start_workload --threads 3
check "workload --threads 3: three [stack:TID] mappings, with the workers' TIDs"
ts thr maps "$WL_PID"
if expect_rc 0 "maps PID"; then
	got=$(grep -o '\[stack:[0-9,]*\]' "$OUT" | sort -u | tr '\n' ' ')
	want=$(for t in $WL_TIDLIST; do printf '[stack:%s]\n' "$t"; done | sort -u | tr '\n' ' ')
	if [ "$got" = "$want" ]; then
		ok "labels: $got"
	else
		fail "labels '$got', expected '$want'" "$OUT"
	fi
	if grep -q "^PID $WL_PID (taskscope): .*; 4 threads share this address space$" "$OUT"; then
		ok "header: 4 threads share this address space"
	else
		fail "no header line with '4 threads share this address space'" "$OUT"
	fi
	n=$(grep -c 'thread-stack' "$OUT")
	[ "$n" -ge 3 ] && ok "KIND thread-stack on the labelled rows" ||
		fail "$n rows of KIND thread-stack, expected 3" "$OUT"
fi
ts thrj maps -J "$WL_PID"
if expect_rc 0 "maps -J PID"; then
	for t in $WL_TIDLIST; do
		r=$(jpy "$OUT" "[s['stack'] for s in d['processes'][0]['thread_stacks'] if s['tid'] == $t][0]")
		[ "$r" = "[stack:$t]" ] && ok "threads' table: $t's stack is $r" ||
			fail "threads' table: $t's stack is '$r'" "$OUT"
	done
	r=$(jpy "$OUT" "[s['stack'] for s in d['processes'][0]['thread_stacks'] if s['tid'] == $WL_PID][0]")
	[ "$r" = "[stack]" ] && ok "the main thread's stack is [stack]" ||
		fail "the main thread's stack is '$r'" "$OUT"
fi

check "maps PID TID TID: a process named by its PID and its threads' IDs is shown once"
t1=${WL_TIDLIST%% *}
t2=${WL_TIDLIST##* }
ts dedupe maps "$WL_PID" "$t1" "$t2"
if expect_rc 0 "maps PID TID TID"; then
	n=$(grep -c "^PID $WL_PID " "$OUT")
	[ "$n" -eq 1 ] && ok "one header line for PID $WL_PID" ||
		fail "$n header lines for PID $WL_PID, expected 1" "$OUT"
	n=$(grep -Ec '^ *TID +COMM' "$OUT")
	[ "$n" -eq 1 ] && ok "one threads' table" || fail "$n threads' tables, expected 1" "$OUT"
fi
ts dedupej maps -J -p "$t1,$t2" "$t1" "$WL_PID"
if expect_rc 0 "maps -J -p TID,TID TID PID"; then
	r=$(jpy "$OUT" "[p['pid'] for p in d['processes']]")
	[ "$r" = "[$WL_PID]" ] && ok "JSON: one process, $WL_PID" ||
		fail "JSON processes $r, expected [$WL_PID]" "$OUT"
fi
ts dedupeg maps --group name "$t1" "$WL_PID"
if expect_rc 0 "maps --group name TID PID"; then
	grep -q '^Side by side' "$OUT" && fail "a side-by-side table of one process with itself" "$OUT" ||
		ok "no side-by-side table of the process with itself"
fi

check "-r: only the table, no header line; -o with NODES and VMFLAGS"
ts raw maps -r -o ADDRESS,KIND,RSS,NODES,VMFLAGS,NAME "$WL_PID"
if expect_rc 0 "maps -r -o ..."; then
	if head -n 1 "$OUT" | grep -q '^ADDRESS KIND RSS NODES VMFLAGS NAME$' &&
	   ! grep -q '^PID ' "$OUT" && grep -q ' N0=' "$OUT"; then
		ok "raw table with node counts"
	else
		fail "raw output not as expected" "$OUT"
	fi
fi

check "a PID that does not exist: exit 1 with a message; the others are still shown"
nopid=$(free_pid) || die "no free PID found"
ts missing maps "$WL_PID" "$nopid"
expect_rc 1 "maps PID MISSING"
grep -q "^taskscope: no such process: $nopid$" "$ERR" && ok "message names the PID" ||
	fail "no 'no such process' message" "$ERR"
grep -q "^PID $WL_PID " "$OUT" && ok "the existing PID is shown" || fail "no table for $WL_PID" "$OUT"

check "usage errors exit 2"
for args in "" "abc" "0" "--group bogus $WL_PID" "-o NOPE $WL_PID" "-J -r $WL_PID" "--bogus"; do
	# shellcheck disable=SC2086
	ts usage maps $args
	expect_rc 2 "maps $args" && grep -q '^taskscope: maps: ' "$ERR" ||
		fail "maps $args: no 'taskscope: maps:' message" "$ERR"
done

# ---- hostile file names ---------------------------------------------------------------------
check "a mapped file with control bytes in its name is shown escaped"
evil=$TS_TMP/$'evil\e]0;title\a name'
"$PY" -c 'import mmap, sys, time
f = open(sys.argv[1], "w+b"); f.write(b"x" * 4096); f.flush()
m = mmap.mmap(f.fileno(), 4096, prot=mmap.PROT_READ)
print("ready", flush=True); time.sleep(60)' "$evil" >"$TS_TMP/mapper.log" 2>&1 </dev/null &
evpid=$!
track "$evpid"
if poll_until 10 grep -q ready "$TS_TMP/mapper.log"; then
	ts evil maps "$evpid"
	if grep -qF 'evil\x1b]0;title\x07 name' "$OUT" && ! grep -q $'\e' "$OUT"; then
		ok "escaped in the table, no raw ESC"
	else
		fail "the name is not escaped in the table" "$OUT"
	fi
	ts evilj maps -J "$evpid"
	r=$(jpy "$OUT" "any(m['name'].endswith(r'/evil\\x1b]0;title\\x07 name') for m in d['processes'][0]['maps'])")
	if [ "$r" = 1 ] && ! grep -q $'\e' "$OUT"; then
		ok "escaped in the JSON, which parses"
	else
		fail "the name is not escaped in the JSON" "$OUT"
	fi
else
	fail "the python mapper did not start" "$TS_TMP/mapper.log"
fi

# ---- a process that splits and merges its mappings while it is read ---------------------
check "racy reads: a process that splits and merges mappings: rows never overlap, size exact"
"$PY" -c 'import ctypes, random, sys, time
libc = ctypes.CDLL(None)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
regions = []
for i in range(1000):
    a = libc.mmap(None, 64 * 4096, 3, 0x22, -1, 0)
    libc.mprotect(a + 32 * 4096, 4096, 1)
    regions.append(a)
print("ready", flush=True)
end = time.time() + 20
while time.time() < end:
    a = random.choice(regions)
    libc.mprotect(a + 32 * 4096, 4096, 3)
    libc.mprotect(a + 32 * 4096, 4096, 1)' >"$TS_TMP/churn.log" 2>&1 </dev/null &
chpid=$!
track "$chpid"
if poll_until 10 grep -q ready "$TS_TMP/churn.log"; then
	sizes=
	for i in 1 2 3 4 5; do
		ts churn maps -J "$chpid"
		[ "$RC" -eq 0 ] || { fail "maps -J of the churning process: exit status $RC" "$ERR"; break; }
		r=$(jpy "$OUT" "(lambda p: '%d %d %d' % (all(int(a['address'].split('-')[0], 16) >= int(b['address'].split('-')[1], 16) for b, a in zip(p['maps'], p['maps'][1:])), p['total']['size'], p['dropped_repeats']))(d['processes'][0])")
		read -r inorder size dropped <<<"$r"
		say "read $i: rows in order $inorder, total size $size, repeats left out $dropped"
		[ "$inorder" = 1 ] || fail "read $i: overlapping rows" "$OUT"
		sizes="$sizes $size"
	done
	n=$(printf '%s\n' $sizes | sort -u | wc -l)
	if [ "$n" -eq 1 ]; then
		ok "5 reads, rows in order, the same total size each time"
	else
		fail "the total size changed between reads:$sizes"
	fi
else
	fail "the churning process did not start" "$TS_TMP/churn.log"
fi
stop "$chpid"

# ---- another user's process ------------------------------------------------------------------
check "as an unprivileged user against root's process: denied, exit 0"
if [ "$(id -u)" != 0 ]; then
	say "not root: cannot start a root process to be denied"
	ok "skipped (needs root)"
elif command -v setpriv >/dev/null 2>&1; then
	NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
elif command -v runuser >/dev/null 2>&1; then
	NOBODY=(runuser -u nobody --)
else
	say "neither setpriv nor runuser: the unprivileged case is not tested"
	ok "skipped (no setpriv or runuser)"
fi
if [ "$(id -u)" = 0 ] && [ -n "${NOBODY+set}" ]; then
	"${NOBODY[@]}" sleep 60 </dev/null >/dev/null 2>&1 &
	nbpid=$!
	track "$nbpid"
	# runuser may stay as the parent of the command: take its child then
	if ! poll_until 5 grep -qx sleep "/proc/$nbpid/comm" 2>/dev/null; then
		child=$(pgrep -P "$nbpid" -x sleep | head -n 1)
		[ -n "$child" ] && nbpid=$child && track "$nbpid"
	fi
	poll_until 5 grep -q '^Uid:.*65534' "/proc/$nbpid/status" 2>/dev/null
	OUT=$TS_TMP/denied.out ERR=$TS_TMP/denied.err
	"${NOBODY[@]}" "$TASKSCOPE" maps "$WL_PID" "$nbpid" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	expect_rc 0 "nobody: maps ROOTPID OWNPID"
	if grep -q "^PID $WL_PID (taskscope): denied" "$OUT" &&
	   grep -q "^taskscope: maps: PID $WL_PID: permission denied$" "$ERR"; then
		ok "root's process marked denied, with a message"
	else
		fail "no denied mark or message" "$OUT" "$ERR"
	fi
	if grep -q "^PID $nbpid (sleep): [0-9]* mappings" "$OUT"; then
		ok "its own process is shown"
	else
		fail "its own process is not shown" "$OUT"
	fi
	OUT=$TS_TMP/deniedj.out
	"${NOBODY[@]}" "$TASKSCOPE" maps -J "$WL_PID" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	expect_rc 0 "nobody: maps -J ROOTPID"
	[ "$(jpy "$OUT" "d['processes'][0]['error']")" = denied ] && ok "JSON error: denied" ||
		fail "JSON has no error 'denied'" "$OUT"
fi

# ---- valgrind ---------------------------------------------------------------------------------
check "valgrind: taskscope maps with every column, groups and the side-by-side table"
vg_why=$(no_valgrind)
if [ -n "$vg_why" ]; then
	ok "skipped: $vg_why"
else
	cols=$("$TASKSCOPE" maps --list-columns | awk '{ print $1 }' | paste -sd, -)
	for args in "-o $cols $WL_PID" "--group name -J $WL_PID $$" "--group kind $WL_PID 1"; do
		# shellcheck disable=SC2086
		timeout -k 5 $((120 * TS_SLOW)) valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite --show-leak-kinds=definite \
			"$TASKSCOPE" maps $args >"$TS_TMP/vg.out" 2>"$TS_TMP/vg.err" </dev/null
		RC=$?
		if [ "$RC" -eq 0 ] || { [ "$RC" -eq 1 ] && ! grep -q '==[0-9]*==' "$TS_TMP/vg.err"; }; then
			ok "valgrind maps $args: clean"
		else
			fail "valgrind maps $args: exit status $RC" "$TS_TMP/vg.err"
		fi
	done
fi

finish
