#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# golden.sh - fixture /proc trees rendered through --proc-root, byte for byte as the files
# in tests/expected/ say (each a page a reviewer reads to learn the output)
#
# The trees are tests/fixtures/golden/NAME/{1,2} (made by tests/fixtures/golden/make.py):
# state 1, then state 2 a moment later, so the interval columns have their values. A case
# NAME.VIEW runs taskscope on them and compares its standard output (then "--- stderr ---"
# and standard error, then "--- exit N ---" when these are not empty and 0) with
# tests/expected/NAME.VIEW.txt. Nothing of this machine may show: TZ=UTC and LC_ALL=C, the
# fixtures' users are 0 (root) and 65534 (nobody), and JSON's "hostname",
# "kernel_release" and "taskscope_version" are masked (HOST, KERNEL, VERSION), and so are
# the "time" and "unix_time" of maps's and cpus's JSON (TIME: they sample no tree time).
#
# GOLDEN_UPDATE=1 (or `make golden-update`) writes what taskscope prints now into
# tests/expected/ instead: review the diff before committing it.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

export TZ=UTC LC_ALL=C
unset TASKSCOPE_TOPOLOGY HWLOC_XMLFILE
src=$TS_SRCDIR
G=${FIXTURES:-$src/tests/fixtures}/golden
EXP=$src/tests/expected
TOPO=${FIXTURES:-$src/tests/fixtures}/topology
[ -d "$G" ] || die "no fixture trees in $G"
[ -n "${GOLDEN_UPDATE:-}" ] && mkdir -p "$EXP"

# pids NAME: the processes of NAME's first tree
pids() {
	local d l=()
	for d in "$G/$1/1"/[1-9]*; do
		l+=("${d##*/}")
	done
	echo "${l[*]}"
}

# golden NAME VIEW [ENV=VALUE...] -- ARGS...: one case (ARGS may say @1 and @2 for the trees)
golden() {
	local name=$1 view=$2 envs=() args=() a want got
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	for a in "$@"; do
		case $a in
		@1 | @2) args+=("$G/$name/${a#@}") ;;
		*) args+=("$a") ;;
		esac
	done
	want=$EXP/$name.$view.txt
	got=$TS_TMP/$name.$view.txt
	check "$name.$view: taskscope ${*//$G\//}"
	env "${envs[@]}" timeout -k 5 $((60 * TS_SLOW)) "$TASKSCOPE" "${args[@]}" \
		>"$got" 2>"$TS_TMP/err" </dev/null
	RC=$?
	sed -i -e 's/^\( *"hostname": \).*/\1"HOST",/' \
		-e 's/^\( *"kernel_release": \).*/\1"KERNEL",/' \
		-e 's/^\( *"taskscope_version": \).*/\1"VERSION",/' "$got"
	# maps and cpus take no sample of a tree's time: their JSON has this machine's clock
	case $view in
	maps* | cpus*) sed -i -e 's/^\(  "time": \).*/\1"TIME",/' \
			-e 's/^\(  "unix_time": \).*/\1"TIME",/' "$got" ;;
	esac
	if [ -s "$TS_TMP/err" ]; then
		echo "--- stderr ---" >>"$got"
		cat "$TS_TMP/err" >>"$got"
	fi
	[ "$RC" -ne 0 ] && echo "--- exit $RC ---" >>"$got"
	if [ -n "${GOLDEN_UPDATE:-}" ]; then
		cp "$got" "$want"
		ok "written: tests/expected/${want##*/}"
	elif [ ! -e "$want" ]; then
		fail "$name.$view: no tests/expected/${want##*/} (make golden-update writes it)" "$got"
	elif cmp -s "$want" "$got"; then
		ok "same as tests/expected/${want##*/}"
	else
		diff -u "$want" "$got" | cat -v | head -n 80 >"$TS_TMP/diff"
		fail "$name.$view differs from tests/expected/${want##*/}" "$TS_TMP/diff"
	fi
}

for n in threads hostile pinned shm; do
	golden "$n" table -- --proc-root @1 --proc-root @2
	golden "$n" raw -- --proc-root @1 --proc-root @2 -r
	golden "$n" json -- --proc-root @1 --proc-root @2 -J
	golden "$n" threads -- --proc-root @1 --proc-root @2 -H \
		-o pid,tid,user,state,cpu,pcpu,time,vctx,ictx,migr,affinity,affmismatch,comm,cmd
done
golden threads tree -- --proc-root @1 --proc-root @2 -H --tree -o pid,tid,ppid,state,pcpu,comm
golden threads pcpu-one-tree -- --proc-root @1 -o pid,pcpu,time,comm
golden shm memory -- --proc-root @1 --totals \
	-o pid,rss,rssanon,rssfile,rssshmem,pss,uss,shared,swap,anon,file,comm
golden numa topology TASKSCOPE_TOPOLOGY="$TOPO/2pkg-4node-smt.xml" -- \
	--proc-root @1 -H -o pid,tid,cpu,node,core,package,comm
golden numa no-topology -- --proc-root @1 -H -o pid,tid,cpu,node,core,package,comm
for n in threads shm; do
	# shellcheck disable=SC2046
	golden "$n" maps -- maps --proc-root @1 $(pids "$n")
	# shellcheck disable=SC2046
	golden "$n" maps-kind -- maps --proc-root @1 --group kind $(pids "$n")
done
# shellcheck disable=SC2046
golden shm maps-json -- maps --proc-root @1 -J $(pids shm)
# numa2: the shm processes on a 2-node machine; maps's NODES and its per-node totals
# shellcheck disable=SC2046
golden numa2 maps -- maps --proc-root @1 -o +nodes $(pids numa2)
# shellcheck disable=SC2046
golden numa2 maps-raw -- maps --proc-root @1 -r -o kind,rss,pss,nodes,name $(pids numa2)
# shellcheck disable=SC2046
golden numa2 maps-kind -- maps --proc-root @1 --group kind --bytes -o kind,rss,nodes $(pids numa2)
# shellcheck disable=SC2046
golden numa2 maps-json -- maps --proc-root @1 -J -o kind,rss,nodes,name $(pids numa2)
# numa2's topology from its trees' sys/devices/system: the task view and cpus's node bands
golden numa2 topology -- --proc-root @1 --proc-root @2 -H \
	-o pid,tid,state,cpu,node,core,package,affinity,comm
golden numa2 cpus -- cpus --proc-root @1 --proc-root @2
golden numa2 cpus-json -- cpus --proc-root @1 --proc-root @2 -J
# numa4: 4 nodes, one of them memory without CPUs, and an offline CPU; a thread that moves
# from node 1 to node 2 (XNODE)
golden numa4 topology -- --proc-root @1 --proc-root @2 -H \
	-o pid,tid,state,cpu,node,core,package,affinity,comm
golden numa4 cpus -- cpus --proc-root @1 --proc-root @2
golden numa4 cpus-json -- cpus --proc-root @1 --proc-root @2 -J
# numa2x2: 2 packages of 2 nodes each (sub-NUMA clustering), 8 cores with SMT; a thread that
# moves to the other package's node, one pinned to a core's second hardware thread
golden numa2x2 topology -- --proc-root @1 --proc-root @2 -H \
	-o pid,tid,state,cpu,node,core,package,affinity,comm
golden numa2x2 cpus -- cpus --proc-root @1 --proc-root @2
# a tree without sys/devices/system: cpus says why the topology is unknown
golden threads cpus -- cpus --proc-root @1 --proc-root @2
golden threads target-comm -- --proc-root @1 -C gthreads -o pid,comm
golden hostile target-user -- --proc-root @1 -u nobody -o pid,user,comm
golden hostile target-pid -- --proc-root @1 -p "$(pids hostile)" -o pid,user,comm

finish
