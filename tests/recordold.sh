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

# schema V SFX SAMPLES SHOWN COLS: replay vV.db's thread rows, process rows and JSON with
# COLS; each must be the fixture vV-threads.txt, vV-procs.txt, vV-threads.json byte for byte
schema() {
	replay_old "$1" "threads$2" -r -H --bytes -o "$5"
	same_as "schema $1: the thread rows of its $3 samples" "as $4 showed them" \
		"v$1-threads.txt" "threads$2"
	replay_old "$1" "procs$2" -r --bytes -o "$5"
	same_as "schema $1: the process rows" "the same" "v$1-procs.txt" "procs$2"
	replay_old "$1" "json$2" -J -H
	grep -v '"taskscope_version"' "$d/json$2" >"$d/json$2.cut"
	same_as "schema $1: the JSON of each sample" "the same" "v$1-threads.json" "json$2.cut"
}

schema 2 "" 4 "taskscope 0.1.0" "$cols"
schema 3 3 7 "schema 3's taskscope" "${cols%,COMM,CMD},CGROUP,COMM,CMD"
finish
