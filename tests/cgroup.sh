#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cgroup.sh - cgroup v1 live (as root): a workload moved into cgroups made for the run under
# the memory controller shows them in CGROUP, --cgroup selects exactly its processes (and
# below), a hostile cgroup name is shown escaped and matched by its bytes, bad paths are
# usage errors; serve --group-by cgroup groups by it and gives the cgroup's own memory.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

name=ts-cg-$TS_RUN
dir=$MEMCG/$name
odd=$'odd \e[31m'$name		# a name with a space and an escape sequence
v1_cgroups "a pure cgroup v2 host: tests/cgroup-v2.sh covers v2 with fixture trees" \
	"$dir" "$dir/sub" "$dir/$odd"

# sorted WORDS...: one per line, sorted, as a single line
sorted() { tr ', ' '\n\n' <<<"$*" | sed '/^$/d' | sort -n | tr '\n' ' ' | sed 's/ $//'; }


start_workload --procs 3 --name "cg$TS_RUN"
workers=($WL_TIDLIST)
cg_move "$WL_PID" "$dir"
cg_move "${workers[0]}" "$dir"
cg_move "${workers[1]}" "$dir/sub"
cg_move "${workers[2]}" "$dir/$odd"

check "CGROUP of the workload's processes: the memory controller's path of each (hybrid: the v1 path)"
ts col -b -n 1 -d 0.1 -p "$WL_PID,$WL_TIDS" -o PID,CGROUP
if expect_rc 0 "-o PID,CGROUP"; then
	last_table "$OUT" | sed 's/^ *//' >"$TS_TMP/rows"
	bad=
	for p in "$WL_PID" "${workers[0]}"; do
		grep -qxF "$p /$name" "$TS_TMP/rows" || bad="$bad $p"
	done
	grep -qxF "${workers[1]} /$name/sub" "$TS_TMP/rows" || bad="$bad ${workers[1]}"
	# the escape byte shown escaped, never raw
	grep -qxF "${workers[2]} /$name/odd \\x1b[31m$name" "$TS_TMP/rows" ||
		bad="$bad ${workers[2]}"
	if [ -n "$bad" ]; then
		fail "wrong CGROUP for:$bad" "$OUT"
	elif grep -q $'\e' "$OUT"; then
		fail "a raw escape byte in the table" "$OUT"
	else
		ok "$(tr '\n' ';' <"$TS_TMP/rows")"
	fi
fi

check "JSON: \"cgroup\" is the path as a string"
ts json -b -n 1 -d 0.1 -J -p "$WL_PID" -o PID,CGROUP
if expect_rc 0 "-J -o PID,CGROUP"; then
	if grep -qF "\"cgroup\": \"/$name\"" "$OUT"; then
		ok "\"cgroup\": \"/$name\""
	else
		fail "no \"cgroup\": \"/$name\" in the JSON" "$OUT"
	fi
fi

# select ARGS...: the PIDs taskscope shows with these target options
select_pids() {
	ts sel -b -n 1 -d 0.1 "$@" -o PID
	SEL=
	[ "$RC" -eq 0 ] && SEL=$(sorted "$(last_table "$OUT")")
}

# expect_selected PID: select_pids chose PID alone
expect_selected() {
	if [ "$RC" -eq 0 ] && [ "$SEL" = "$1" ]; then
		ok "$SEL"
	else
		fail "selected '$SEL' (exit $RC), expected $1" "$OUT" "$ERR"
	fi
}

check "--cgroup /$name: the workload's four processes (the cgroup and everything below it), nothing else"
select_pids --cgroup "/$name"
want=$(sorted "$WL_PID $WL_TIDS")
if [ "$RC" -ne 0 ]; then
	fail "exit status $RC" "$ERR"
elif [ "$SEL" != "$want" ]; then
	fail "selected '$SEL', expected '$want'" "$OUT"
else
	ok "$SEL"
fi

check "--cgroup memory:/$name/sub: only the process moved there"
select_pids --cgroup "memory:/$name/sub"
expect_selected "${workers[1]}"

check "--cgroup with the hostile name's raw bytes selects that process"
select_pids --cgroup "/$name/$odd/"
expect_selected "${workers[2]}"

check "--cgroup /$name/su (a prefix, not a cgroup): no process, exit 1 naming it"
ts pre -b -n 1 -d 0.1 --cgroup "/$name/su" -o PID
if [ "$RC" -eq 1 ] && grep -qF "no process in cgroup '/$name/su'" "$ERR"; then
	ok "$(head -n 1 "$ERR")"
else
	fail "exit $RC" "$OUT" "$ERR"
fi

check "bad --cgroup paths are usage errors (exit 2) that name the path"
for bad in "$name" "/$name/../x" "//x" "/a/./b" "" "memory:x" $'/a\nb'; do
	ts badpath -b -n 1 -d 0.1 --cgroup "$bad" -o PID
	if [ "$RC" -eq 2 ] && grep -qF "invalid --cgroup '${bad//$'\n'/\\x0a}'" "$ERR"; then
		ok "'$bad': exit 2"
	else
		fail "--cgroup '$bad': exit $RC" "$ERR"
	fi
done

check "serve --group-by cgroup: the cgroup's group has its two processes, its cgroup memory is memory.usage_in_bytes"
mkdir "$TS_TMP/tf"
ts serve serve --textfile "$TS_TMP/tf" --group-by cgroup --memory-every 0 -n 2 -d 0.2 --cgroup "/$name"
usage=$(cat "$dir/memory.usage_in_bytes")
prom=$TS_TMP/tf/taskscope.prom
if expect_rc 0 "serve --group-by cgroup" && [ -f "$prom" ]; then
	got=$(sed -n "s|^taskscope_group_processes{group=\"/$name\"} ||p" "$prom")
	sub=$(sed -n "s|^taskscope_group_processes{group=\"/$name/sub\"} ||p" "$prom")
	mem=$(sed -n "s|^taskscope_cgroup_memory_bytes{group=\"/$name\"} ||p" "$prom")
	if [ "$got" != 2 ] || [ "$sub" != 1 ]; then
		fail "group /$name has '$got' processes (expected 2), /$name/sub '$sub' (expected 1)" "$prom"
	elif [ -z "$mem" ]; then
		fail "no taskscope_cgroup_memory_bytes for /$name" "$prom"
	elif ! awk -v a="$mem" -v b="$usage" 'BEGIN { d = a - b; if (d < 0) d = -d;
		exit !(d <= 1048576 || d <= b / 10) }'; then
		fail "cgroup memory $mem, memory.usage_in_bytes $usage: more than 1 MiB and 10% apart" "$prom"
	else
		ok "2 + 1 processes; memory $mem (usage_in_bytes after: $usage)"
	fi
	# the hostile name: escaped (its backslash escaped again in the label), one line
	if grep -qF "group=\"/$name/odd \\\\x1b[31m$name\"} 1" "$prom" && ! grep -q $'\e' "$prom"; then
		ok "hostile cgroup name escaped in its label"
	else
		fail "the hostile cgroup's label is not the escaped name" "$prom"
	fi
	if command -v promtool >/dev/null 2>&1; then
		if promtool check metrics <"$prom" >"$TS_TMP/promtool.out" 2>&1; then
			ok "promtool check metrics: clean"
		else
			fail "promtool check metrics complains" "$TS_TMP/promtool.out"
		fi
	fi
else
	fail "serve wrote no $prom" "$ERR"
fi

check "--group-config rule with the key cgroup names the group"
printf 'mine cgroup ^/%s/sub$\n' "$name" >"$TS_TMP/groups.conf"
ts serve2 serve --textfile "$TS_TMP/tf" --group-config "$TS_TMP/groups.conf" --memory-every 0 -n 1 -d 0.2 --cgroup "/$name"
if [ "$RC" -eq 0 ] && grep -qx 'taskscope_group_processes{group="mine"} 1' "$prom"; then
	ok "group mine: 1 process"
else
	fail "no group mine with 1 process (exit $RC)" "$prom" "$ERR"
fi

finish
