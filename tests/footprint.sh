#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# footprint.sh - the per-process footprint columns (PSS, USS, SHARED, ANON, FILE, SHMEM, THP,
# SWAPPSS, PTE) measured on real workloads and compared with the kernel's own smaps_rollup.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need python

need_proc smaps_rollup

# row FILE ID: the JSON row of that pid/tid in the last document, as "key=value" lines
row() { json_row "$1" "$2"; }
# rollup PID FIELD: the kernel's value in bytes
rollup() { awk -v f="$2:" '$1 == f { print $2 * 1024 }' "/proc/$1/smaps_rollup"; }
# near A B PCT: A within PCT % of B (or both below 64 KiB apart: pages move while we look)
near() { "$PY" -c "import sys; a,b,p=map(float,sys.argv[1:]); sys.exit(0 if abs(a-b) <= max(b*p/100, 65536) else 1)" "$1" "$2" "$3"; }

# ---- private memory: USS -----------------------------------------------------------------------
start_workload --procs 2 --mem 64M
check "--procs 2 --mem 64M: each worker's USS is at least 64 MiB, and agrees with smaps_rollup"
ts uss -b -J -n 1 -d 0.1 -p "$WL_TIDS" -o pid,pss,uss,shared,anon,file,shmem,thp,swappss
if expect_rc 0 "-J -p $WL_TIDS"; then
	for w in $WL_TIDLIST; do
		eval "$(row "$OUT" "$w" | sed 's/^/r_/')"
		kuss=$(($(rollup "$w" Private_Clean) + $(rollup "$w" Private_Dirty)))
		kpss=$(rollup "$w" Pss)
		if [ "${r_uss:-null}" = null ] || [ "$r_uss" -lt $((64 * MIB * 97 / 100)) ]; then
			fail "worker $w: USS '${r_uss:-}' below 64 MiB" "$OUT"
		elif ! near "$r_uss" "$kuss" 1 || ! near "$r_pss" "$kpss" 1; then
			fail "worker $w: USS $r_uss PSS $r_pss, kernel (read after) USS $kuss PSS $kpss" "$OUT"
		elif ! near $((r_anon + r_file + r_shmem)) "$r_pss" 1; then
			fail "worker $w: ANON+FILE+SHMEM $((r_anon + r_file + r_shmem)) is not PSS $r_pss" "$OUT"
		else
			ok "worker $w: USS $r_uss (kernel $kuss), PSS $r_pss (kernel $kpss)"
		fi
	done
fi
check "footprint columns alone (read without stat) give the same numbers as with stat columns"
w=${WL_TIDLIST%% *}
ts nostat -b -J -n 1 -p "$w" -o pid,pss,uss
cp "$OUT" "$TS_TMP/nostat.json"
ts withstat -b -J -n 1 -d 0.1 -p "$w" -o pid,comm,state,pss,uss
if expect_rc 0 "-o pid,comm,state,pss,uss" && [ -s "$TS_TMP/nostat.json" ]; then
	eval "$(row "$TS_TMP/nostat.json" "$w" | sed 's/^/a_/')"
	eval "$(row "$OUT" "$w" | sed 's/^/b_/')"
	if [ "${a_pss:-null}" = null ] || [ "${b_pss:-null}" = null ]; then
		fail "worker $w: PSS missing: '${a_pss:-}' alone, '${b_pss:-}' with stat" "$TS_TMP/nostat.json"
	elif ! near "$a_uss" "$b_uss" 1 || ! near "$a_pss" "$b_pss" 1; then
		fail "worker $w: PSS/USS $a_pss/$a_uss alone, $b_pss/$b_uss with stat columns" "$OUT"
	elif [ -z "${b_comm:-}" ]; then
		fail "worker $w: no COMM with stat columns" "$OUT"
	else
		ok "worker $w: PSS/USS $a_pss/$a_uss alone, $b_pss/$b_uss with stat"
	fi
else
	fail "-o pid,pss,uss: exit $RC or no output" "$ERR"
fi
stop "$WL_PID"

# ---- shared memory: SHARED and PSS -----------------------------------------------------------------
start_workload --procs 2 --shared 32M
check "--procs 2 --shared 32M: each worker has at least 32 MiB SHARED; PSS counts it in part"
ts shared -b -J -n 1 -d 0.1 -p "$WL_PID,$WL_TIDS" -o pid,pss,uss,shared
if expect_rc 0 "-J -p $WL_PID,$WL_TIDS"; then
	for w in $WL_TIDLIST; do
		eval "$(row "$OUT" "$w" | sed 's/^/r_/')"
		if [ "${r_shared:-null}" = null ] || [ "$r_shared" -lt $((32 * MIB)) ]; then
			fail "worker $w: SHARED '${r_shared:-}' below 32 MiB" "$OUT"
		elif [ "$r_pss" -ge $((r_uss + 32 * MIB * 3 / 4)) ]; then
			# parent and two workers map the 32 MiB: each pays about a third of it
			fail "worker $w: PSS $r_pss charges most of the shared 32 MiB to it (USS $r_uss)" "$OUT"
		elif [ "$r_pss" -le $((r_uss + 32 * MIB / 5)) ]; then
			fail "worker $w: PSS $r_pss charges almost none of the shared 32 MiB (USS $r_uss)" "$OUT"
		else
			ok "worker $w: SHARED $r_shared, PSS $r_pss = USS $r_uss + part of the shared"
		fi
	done
fi
stop "$WL_PID"

# ---- threads: one address space -----------------------------------------------------------------------
start_workload --threads 3 --mem 8M
check "--threads 3: the 4 thread rows show the process's one footprint"
ts threads -b -J -n 1 -d 0.1 -H -p "$WL_PID" -o tid,pss,uss,pte
if expect_rc 0 "-J -H -p $WL_PID"; then
	vals=$("$PY" -c '
import json, sys
d = json.loads(open(sys.argv[1]).read())
print(" ".join(sorted({"%s/%s/%s" % (r["pss"], r["uss"], r["pte"]) for r in d["tasks"]})), len(d["tasks"]))' "$OUT")
	kpte=$(awk '$1 == "VmPTE:" { print $2 * 1024 }' "/proc/$WL_PID/status")
	set -- $vals
	if [ $# -ne 2 ] || [ "$2" -ne 4 ]; then
		fail "expected one footprint on 4 rows, got: $vals" "$OUT"
	elif [ "${1##*/}" != "$kpte" ]; then
		fail "PTE ${1##*/}, status VmPTE $kpte" "$OUT"
	else
		uss=${1#*/}
		uss=${uss%/*}
		if [ "$uss" -lt $((3 * 8 * MIB)) ]; then
			fail "USS $uss: less than the 3 x 8 MiB the threads wrote" "$OUT"
		else
			ok "4 rows, PSS/USS/PTE $1"
		fi
	fi
fi

# ---- permissions -----------------------------------------------------------------------------------------
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	check "an unprivileged user against root's process: PSS '-' marked denied, exit 0"
	OUT=$TS_TMP/denied.out
	ERR=$TS_TMP/denied.err
	chmod 755 "$TS_TMP"
	timeout $((30 * TS_SLOW)) setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$TASKSCOPE" -b -n 1 -d 0.1 -p "$WL_PID" -o pid,rss,pss,uss >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	line=$(last_table "$OUT" | awk -v p="$WL_PID" '$1 == p { $1 = $1; print }')
	if [ "$RC" -ne 0 ]; then
		fail "exit status $RC" "$OUT" "$ERR"
	elif ! [[ $line =~ ^$WL_PID\ [0-9.]+[KMG]\ -\ -$ ]]; then
		fail "row '$line', expected RSS and then '-' for PSS and USS" "$OUT"
	elif ! grep -q 'denied' "$OUT"; then
		fail "no 'denied' footnote" "$OUT"
	else
		ok "$line, with the footnote: $(grep denied "$OUT" | sed 's/^ *//')"
	fi
else
	say "not root or no setpriv: the permission case is not run"
fi
stop "$WL_PID"

finish
