#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cgroup-v2.sh - cgroup v2 through fixture trees (--proc-root): CGROUP shows the "0::" path,
# a hostile name escaped; --cgroup selects by it; on a hybrid or v1 host's file the memory
# controller's path (else cpu's) is shown; a damaged file shows '-'.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

tree=$TS_TMP/tree
v2_tree "$tree"

# rows ARGS...: the last table's rows of the task view over the tree, leading blanks off
rows() {
	ts rows -b -n 1 --proc-root "$tree" "$@"
	last_table "$OUT" | sed 's/^ *//' >"$TS_TMP/rows"
}

check "CGROUP: each process's v2 path, the hostile name escaped"
rows -o PID,CGROUP
if expect_rc 0 "-o PID,CGROUP"; then
	printf '%s\n' "22807 /system.slice/shm-demo.service" \
		"22809 /system.slice/shm-demo.service/worker" \
		'22810 /user.slice/odd\x1b[1mname' >"$TS_TMP/want"
	if cmp -s "$TS_TMP/rows" "$TS_TMP/want"; then
		ok "$(tr '\n' ';' <"$TS_TMP/rows")"
	else
		fail "CGROUP rows differ" "$TS_TMP/rows" "$TS_TMP/want"
	fi
fi

check "--cgroup /system.slice/shm-demo.service: that cgroup and the one below it"
rows --cgroup /system.slice/shm-demo.service -o PID
if [ "$RC" -eq 0 ] && [ "$(tr '\n' ' ' <"$TS_TMP/rows")" = "22807 22809 " ]; then
	ok "22807 22809"
else
	fail "exit $RC, rows: $(tr '\n' ' ' <"$TS_TMP/rows")" "$OUT" "$ERR"
fi

check "--cgroup with the raw bytes of the hostile name; --cgroup /system.slice/shm-demo (a prefix) matches nothing (exit 1)"
rows --cgroup $'/user.slice/odd\e[1mname' -o PID
if [ "$RC" -eq 0 ] && [ "$(tr '\n' ' ' <"$TS_TMP/rows")" = "22810 " ]; then
	ok "22810"
else
	fail "exit $RC, rows: $(tr '\n' ' ' <"$TS_TMP/rows")" "$OUT" "$ERR"
fi
rows --cgroup /system.slice/shm-demo -o PID
if [ "$RC" -eq 1 ] && grep -qF "no process in cgroup '/system.slice/shm-demo'" "$ERR"; then
	ok "$(head -n 1 "$ERR")"
else
	fail "exit $RC" "$OUT" "$ERR"
fi

check "a hybrid host's file: the memory controller's path; a v1 one without memory: cpu's; damaged: '-'"
printf '%s\n' "12:name=systemd:/system.slice/a.service" "9:cpu,cpuacct:/cpu-path" \
	"4:memory:/mem-path" "0::/system.slice/a.service" >"$tree/22807/task/22807/cgroup"
printf '%s\n' "3:pids:/p" "2:cpu,cpuacct:/cpu-only" "1:name=systemd:/s" >"$tree/22809/task/22809/cgroup"
printf '%s\n' "0::/ok" "garbage line" >"$tree/22810/task/22810/cgroup"
rows -o PID,CGROUP
printf '%s\n' "22807 /mem-path" "22809 /cpu-only" "22810 -" >"$TS_TMP/want"
if [ "$RC" -eq 0 ] && cmp -s "$TS_TMP/rows" "$TS_TMP/want"; then
	ok "$(tr '\n' ';' <"$TS_TMP/rows")"
else
	fail "exit $RC; rows differ" "$TS_TMP/rows" "$TS_TMP/want" "$ERR"
fi
rows --cgroup name=systemd:/system.slice -o PID
if [ "$RC" -eq 0 ] && [ "$(tr '\n' ' ' <"$TS_TMP/rows")" = "22807 " ]; then
	ok "name=systemd:/system.slice selects 22807"
else
	fail "name=systemd:/system.slice: exit $RC, rows: $(tr '\n' ' ' <"$TS_TMP/rows")" "$OUT" "$ERR"
fi

finish
