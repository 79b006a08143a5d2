#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# recordold.sh - recordings of older schemas replay as the taskscope that wrote them showed
# them: the fixtures of schema 2 (made by taskscope 0.1.0 before schema 3) and schema 3
# (before schema 4: a job with spinning threads, its cgroup recorded) give the thread and
# process tables and the JSON kept beside them, byte for byte
. "$(dirname "$0")/lib.sh"

fx=$(dirname "$0")/fixtures/recording
[ -r "$fx/v2.db" ] || fx=${top_srcdir:-.}/tests/fixtures/recording
d=$TS_TMP
cp "$fx/v2.db" "$fx/v3.db" "$d/"
# START shows the local time: the expected files were made in UTC
export TZ=UTC
cols=PID,TID,PPID,USER,STATE,PRI,NI,POLICY,NLWP,CPU,NODE,CORE,PACKAGE,AFFINITY,AFFMISMATCH
cols=$cols,MIGR,MIGR_TOTAL,RUN,RUNQ,PCPU,TIME,MINFLT,MAJFLT,VCTX,ICTX,START,VSZ,RSS,RSSANON
cols=$cols,RSSFILE,RSSSHMEM,SWAP,PTE,PSS,USS,SHARED,SWAPPSS,ANON,FILE,SHMEM,THP,COMM,CMD

# replay_old V OUT ARG...: `replay ARG... vV.db` into $d/OUT (errors: OUT.err), its status
# in rc
replay_old() {
	local db=v$1.db out=$d/$2
	shift 2
	(cd "$d" && "$TASKSCOPE" replay "$@" "$db") >"$out" 2>"$out.err"
	rc=$?
}

# same_as CHECK OK-TEXT EXPECTED GOT: replay_old succeeded and $d/GOT is $fx/EXPECTED byte
# for byte
same_as() {
	check "$1"
	if [ "$rc" = 0 ] && cmp -s "$d/$4" "$fx/$3"; then
		ok "$2"
	else
		fail "they differ (status $rc)" "$d/${4%.cut}.err" "$d/$4"
		diff "$fx/$3" "$d/$4" | head -20 | cat -v
	fi
}

replay_old 2 threads -r -H --bytes -o "$cols"
same_as "schema 2: the thread rows of its 4 samples" "as taskscope 0.1.0 showed them" \
	v2-threads.txt threads
replay_old 2 procs -r --bytes -o "$cols"
same_as "schema 2: the process rows" "the same" v2-procs.txt procs
replay_old 2 json -J -H
grep -v '"taskscope_version"' "$d/json" >"$d/json.cut"
same_as "schema 2: the JSON of each sample" "the same" v2-threads.json json.cut

cols=${cols%,COMM,CMD},CGROUP,COMM,CMD
replay_old 3 threads3 -r -H --bytes -o "$cols"
same_as "schema 3: the thread rows of its 7 samples" "as schema 3's taskscope showed them" \
	v3-threads.txt threads3
replay_old 3 procs3 -r --bytes -o "$cols"
same_as "schema 3: the process rows" "the same" v3-procs.txt procs3
replay_old 3 json3 -J -H
grep -v '"taskscope_version"' "$d/json3" >"$d/json3.cut"
same_as "schema 3: the JSON of each sample" "the same" v3-threads.json json3.cut
finish
