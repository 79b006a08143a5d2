#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# serve-config.sh - taskscope serve --group-config: rules name groups (first match wins, the
# rest by --group-by); a bad file is a usage error naming the line; --group-by user and exe
. "$(dirname "$0")/lib.sh"
no_exit_leak_check

WL=gc$TS_RUN
WL=${WL:0:15}
start_workload --procs 2 --name "$WL"
nprocs=$(pgrep -cx "$WL")
me=$(id -un)

# metric FILE NAME GROUP: the value of NAME{group="GROUP"} in FILE
metric() { sed -n "s/^$2{group=\"$3\"} //p" "$1"; }

check "rules name groups; the first that matches wins; the rest are grouped by --group-by"
cat >"$TS_TMP/groups.conf" <<EOF
# a comment, then a blank line

first$TS_RUN   comm     ^$WL\$
second$TS_RUN  comm     $WL
	cmd$TS_RUN	cmdline  workload .*--name $WL
EOF
mkdir "$TS_TMP/tf"
ts good serve --group-config "$TS_TMP/groups.conf" --textfile "$TS_TMP/tf" -n 1 --memory-every 0
expect_rc 0 "a good file"
f=$TS_TMP/tf/taskscope.prom
v=$(metric "$f" taskscope_group_processes "first$TS_RUN")
[ "$v" = "$nprocs" ] && ok "first$TS_RUN has the workload's $nprocs processes" ||
	fail "first$TS_RUN has '$v' processes, expected $nprocs" "$f"
grep -q "group=\"second$TS_RUN\"" "$f" && fail "a later rule matched too" "$f"
grep -q "group=\"$WL\"" "$f" && fail "the workload still has its comm group" "$f"
[ -n "$(metric "$f" taskscope_group_processes bash)" ] && ok "unmatched processes keep their comm groups" ||
	fail "no bash group for the processes no rule matches" "$f"

check "a cmdline rule matches the command line"
printf 'cmd%s cmdline workload .*--name %s$\n' "$TS_RUN" "$WL" >"$TS_TMP/cmd.conf"
ts cmd serve --group-config "$TS_TMP/cmd.conf" --textfile "$TS_TMP/tf" -n 1 --memory-every 0
expect_rc 0 "cmdline rule"
v=$(metric "$f" taskscope_group_processes "cmd$TS_RUN")
[ "$v" = "$nprocs" ] && ok "cmd$TS_RUN: $v processes" || fail "cmd$TS_RUN has '$v' processes" "$f"

check "--group-by user and exe"
ts user serve --group-by user --textfile "$TS_TMP/tf" -n 1 --memory-every 0 -p "$WL_PID"
expect_rc 0 "--group-by user"
v=$(metric "$f" taskscope_group_processes "$me")
[ "$v" = 1 ] && ok "the workload's parent in group $me" || fail "group $me has '$v' processes" "$f"
ts exe serve --group-by exe --textfile "$TS_TMP/tf" -n 1 --memory-every 0 -p "$WL_PID"
expect_rc 0 "--group-by exe"
v=$(metric "$f" taskscope_group_processes taskscope)
[ "$v" = 1 ] && ok "the workload's parent in group taskscope (its argv[0]'s base name)" ||
	fail "group taskscope has '$v' processes" "$f"

check "a bad file: exit 2 and a message that names the line"
bad() {	# bad NAME LINE TEXT CONTENT
	printf '%b' "$4" >"$TS_TMP/$1.conf"
	ts "$1" serve --group-config "$TS_TMP/$1.conf" --textfile "$TS_TMP/tf" -n 1
	if [ "$RC" -eq 2 ] && grep -q "line $2: $3" "$ERR"; then
		ok "$1: $(head -n 1 "$ERR")"
	else
		fail "$1: exit status $RC, expected 2 with 'line $2: $3'" "$ERR"
	fi
}
bad key 3 "unknown key 'pid'" '# rules\nok comm x\nweb pid 1\n'
bad regex 2 "bad regular expression" 'a comm x\nb comm (unclosed\n'
bad short 1 "expected NAME KEY PATTERN" 'lonely comm\n'
bad control 1 "a control character" 'a\001b comm x\n'
ts missing serve --group-config "$TS_TMP/nonexistent" -n 1
expect_rc 2 "a missing file" && grep -q "No such file" "$ERR" || fail "no reason given" "$ERR"

finish
