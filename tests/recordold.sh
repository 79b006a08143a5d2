#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# recordold.sh - recordings of older schemas replay as the taskscope that wrote them showed
# them: the fixture of schema 2 (made by taskscope 0.1.0 before schema 3) gives the thread
# and process tables and the JSON kept beside it, byte for byte
. "$(dirname "$0")/lib.sh"

fx=$(dirname "$0")/fixtures/recording
[ -r "$fx/v2.db" ] || fx=${top_srcdir:-.}/tests/fixtures/recording
d=$TS_TMP
cp "$fx/v2.db" "$d/v2.db"
# START shows the local time: the expected files were made in UTC
export TZ=UTC
cols=PID,TID,PPID,USER,STATE,PRI,NI,POLICY,NLWP,CPU,NODE,CORE,PACKAGE,AFFINITY,AFFMISMATCH
cols=$cols,MIGR,MIGR_TOTAL,RUN,RUNQ,PCPU,TIME,MINFLT,MAJFLT,VCTX,ICTX,START,VSZ,RSS,RSSANON
cols=$cols,RSSFILE,RSSSHMEM,SWAP,PTE,PSS,USS,SHARED,SWAPPSS,ANON,FILE,SHMEM,THP,COMM,CMD

(cd "$d" && "$TASKSCOPE" replay -r -H --bytes -o "$cols" v2.db) >"$d/threads" 2>"$d/threads.err"
rc=$?
check "schema 2: the thread rows of its 4 samples"
if [ "$rc" = 0 ] && cmp -s "$d/threads" "$fx/v2-threads.txt"; then
	ok "as taskscope 0.1.0 showed them"
else
	fail "they differ" "$d/threads.err" "$d/threads"
	diff "$fx/v2-threads.txt" "$d/threads" | head -20 | cat -v
fi

(cd "$d" && "$TASKSCOPE" replay -r --bytes -o "$cols" v2.db) >"$d/procs" 2>"$d/procs.err"
rc=$?
check "schema 2: the process rows"
if [ "$rc" = 0 ] && cmp -s "$d/procs" "$fx/v2-procs.txt"; then
	ok "the same"
else
	fail "they differ" "$d/procs.err" "$d/procs"
	diff "$fx/v2-procs.txt" "$d/procs" | head -20 | cat -v
fi

(cd "$d" && "$TASKSCOPE" replay -J -H v2.db) >"$d/json" 2>"$d/json.err"
rc=$?
grep -v '"taskscope_version"' "$d/json" >"$d/json.cut"
check "schema 2: the JSON of each sample"
if [ "$rc" = 0 ] && cmp -s "$d/json.cut" "$fx/v2-threads.json"; then
	ok "the same"
else
	fail "it differs (status $rc)" "$d/json.err" "$d/json.cut"
	diff "$fx/v2-threads.json" "$d/json.cut" | head -20 | cat -v
fi
finish
