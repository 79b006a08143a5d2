#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# busy-check.sh - issue 12's acceptance: two clones run `make check -j2` at once beside a spinning hog, N rounds
#
# Usage: tools/busy-check.sh [-n ROUNDS] [-d SCRATCH] [-l LIMIT] [COMMIT]
#   COMMIT   what to test (default HEAD of the repository this is run from; commit first:
#            the clones see only committed work)
#   -n       rounds (default 10)
#   -d       scratch directory (default a new /tmp/busy-check.XXXXXX; kept afterwards)
#   -l       outer limit in minutes of one clone's `make check` in one round (default 45)
# Each clone is built once (autoreconf -fi, configure -q, make -j2, and the check programs).
# The hog is `taskscope workload --procs 2 --spin` from clone a's build, killed by its PID at
# the end. Per round it records each clone's verdict, the failing tests, the wall time and
# the load average, and copies the failing tests' .log files to SCRATCH/round-R/CLONE/.
# Prints a table (also in SCRATCH/summary.txt); exits 1 if any round failed, 2 on a set-up error.

set -u
rounds=10
scratch=
limit=45
while getopts n:d:l:h opt; do
	case $opt in
	n) rounds=$OPTARG ;;
	d) scratch=$OPTARG ;;
	l) limit=$OPTARG ;;
	*) sed -n '4,10s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "busy-check: -n wants a positive number, not '$rounds'" >&2; exit 2; }
[[ $limit =~ ^[1-9][0-9]*$ ]] || { echo "busy-check: -l wants minutes, not '$limit'" >&2; exit 2; }

repo=$(git rev-parse --show-toplevel 2>/dev/null) || { echo "busy-check: run it inside a taskscope git tree" >&2; exit 2; }
commit=$(git -C "$repo" rev-parse --verify "${1:-HEAD}^{commit}" 2>/dev/null) ||
	{ echo "busy-check: '${1:-HEAD}' is not a commit of $repo" >&2; exit 2; }
if [ -z "$scratch" ]; then
	scratch=$(mktemp -d /tmp/busy-check.XXXXXX) || exit 2
else
	mkdir -p "$scratch" || exit 2
fi
scratch=$(cd "$scratch" && pwd)
ncpu=$(nproc)
log() { printf '%s busy-check: %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$scratch/progress.txt" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

log "commit $(git -C "$repo" log -1 --format='%h %s' "$commit" | cut -c1-70); scratch $scratch; $ncpu CPUs"
for c in a b; do
	rm -rf "${scratch:?}/$c"
	git clone -q --no-checkout "$repo" "$scratch/$c" && git -C "$scratch/$c" checkout -q --detach "$commit" ||
		{ log "cannot clone $commit into $scratch/$c"; exit 2; }
done
hog=
build=
trap 'kill -TERM -- "-$build" 2>/dev/null; exit 130' INT TERM HUP
for c in a b; do
	log "building $c (log in $scratch/build-$c.log)"
	# in a process group of its own (setsid), so that a signal to this script ends it too
	setsid bash -c 'cd "$1" && autoreconf -fi && ./configure -q && make -j2 && make -j2 check TESTS=' \
		build "$scratch/$c" >"$scratch/build-$c.log" 2>&1 &
	build=$!
	wait "$build" || { log "build of $c failed: see $scratch/build-$c.log"; exit 2; }
done
build=

stop_hog() {
	[ -n "$hog" ] || return 0
	kill -TERM "$hog" 2>/dev/null
	wait "$hog" 2>/dev/null
	hog=
}
trap stop_hog EXIT
# stopped: the make checks of the round too (timeout leads a process group of its own)
stop_all() {
	local f
	for f in "$scratch"/round-*/?/pid; do
		[ -f "$f" ] && [ ! -f "${f%pid}status" ] && kill -TERM -- "-$(cat "$f")" 2>/dev/null
	done
	stop_hog
	exit 130
}
trap stop_all INT TERM HUP
"$scratch/a/taskscope" workload --procs 2 --spin >"$scratch/hog.out" 2>&1 </dev/null &
hog=$!
for _ in $(seq 100); do
	grep -q '^ready ' "$scratch/hog.out" && break
	sleep 0.1
done
grep -q '^ready ' "$scratch/hog.out" || { log "the hog did not get ready"; cat "$scratch/hog.out" >&2; exit 2; }
log "hog: $(head -1 "$scratch/hog.out")"

# run_check CLONE ROUND: make check -j2 in CLONE; writes its status, time and failures
run_check() {
	local c=$1 r=$2 t0 rc d=$scratch/round-$2/$1
	mkdir -p "$d"
	t0=$(date +%s)
	(cd "$scratch/$c" && exec timeout -k 30 $((limit * 60)) make -j2 check) >"$d/make.out" 2>&1 &
	echo $! >"$d/pid"
	wait $!
	rc=$?
	echo "$rc $(($(date +%s) - t0))" >"$d/status"
	# the failing tests: FAIL, XPASS and ERROR lines of the automake harness
	sed -n 's/^\(FAIL\|XPASS\|ERROR\): \([^ ]*\).*/\2/p' "$d/make.out" | sort -u >"$d/failed"
	[ "$rc" -eq 124 ] && echo "(timeout)" >>"$d/failed"
	while read -r t; do
		[ -f "$scratch/$c/${t%.sh}.log" ] && cp "$scratch/$c/${t%.sh}.log" "$d/"
	done <"$d/failed"
	[ -f "$scratch/$c/test-suite.log" ] && cp "$scratch/$c/test-suite.log" "$d/"
	return 0
}

bad=0
table=$scratch/summary.txt
printf '%-5s %-8s %-5s %-5s %-6s %-6s %-7s %-17s %-17s %s\n' round start a b a-time b-time wall \
	load-start load-end failed >"$table"
for r in $(seq "$rounds"); do
	l0=$(loadavg)
	s0=$(date +%s)
	start=$(date -u +%H:%M:%S)
	log "round $r: start, load $l0"
	run_check a "$r" &
	pa=$!
	run_check b "$r" &
	pb=$!
	wait "$pa" "$pb"
	l1=$(loadavg)
	wall=$(($(date +%s) - s0))
	row=()
	failed=
	for c in a b; do
		read -r rc secs <"$scratch/round-$r/$c/status"
		if [ "$rc" -eq 0 ]; then
			row+=(pass)
		else
			row+=(FAIL)
			bad=$((bad + 1))
			failed+="$c:$(tr '\n' ',' <"$scratch/round-$r/$c/failed" | sed 's/,$//; s,tests/,,g') "
		fi
		row+=("${secs}s")
	done
	printf '%-5s %-8s %-5s %-5s %-6s %-6s %-7s %-17s %-17s %s\n' "$r" "$start" "${row[0]}" "${row[2]}" \
		"${row[1]}" "${row[3]}" "${wall}s" "${l0// /,}" "${l1// /,}" "${failed:--}" >>"$table"
	log "round $r: a ${row[0]} b ${row[2]} in ${wall}s, load $l1 ${failed:+(failed: $failed)}"
done
stop_hog

echo
echo "busy-check: $commit, $rounds rounds, $ncpu CPUs, hog $(head -1 "$scratch/hog.out" | cut -d' ' -f2-4)"
cat "$table"
echo "failed runs: $bad of $((2 * rounds)); logs of failing tests in $scratch/round-*/{a,b}/"
[ "$bad" -eq 0 ]
