#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# procroot.sh - --proc-root's errors and its fences: a bad DIR is a clear error (exit 1);
# nothing below a tree leads out of it (symlinks, FIFOs); the commands that need live
# memory refuse it (exit 2)
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

G=${FIXTURES:-$TS_SRCDIR/tests/fixtures}/golden

# bad NAME DIR WANT_TEXT: the task view and maps both refuse DIR with WANT_TEXT, exit 1
bad() {
	local name=$1 dir=$2 want=$3
	check "--proc-root $name: '$want', exit 1, nothing on standard output"
	ts "$name" --proc-root "$dir" -n 1
	if expect_rc 1 "task view, $name" && grep -q "^taskscope: --proc-root '.*': $want" "$ERR" &&
	   [ ! -s "$OUT" ]; then
		ok "task view: $(head -n 1 "$ERR")"
	else
		fail "task view, $name: not the message" "$ERR" "$OUT"
	fi
	ts "$name-maps" maps --proc-root "$dir" 1
	if expect_rc 1 "maps, $name" && grep -q "^taskscope: maps: --proc-root '.*': $want" "$ERR"; then
		ok "maps: $(head -n 1 "$ERR")"
	else
		fail "maps, $name: not the message" "$ERR" "$OUT"
	fi
}

mkdir -p "$TS_TMP/empty" "$TS_TMP/nonumeric/self" "$TS_TMP/onlyfile"
: >"$TS_TMP/afile"
: >"$TS_TMP/onlyfile/123"
bad missing "$TS_TMP/no-such-dir" "No such file or directory"
bad file "$TS_TMP/afile" "not a directory"
bad empty "$TS_TMP/empty" "no process directories in it"
bad nonumeric "$TS_TMP/nonumeric" "no process directories in it"
bad numeric-file "$TS_TMP/onlyfile" "no process directories in it"

check "a second bad tree is named, not the first good one"
ts second --proc-root "$G/threads/1" --proc-root "$TS_TMP/empty"
if expect_rc 1 "second tree" && grep -q "'$TS_TMP/empty'" "$ERR"; then
	ok "$(cat "$ERR")"
else
	fail "the second tree's error" "$ERR"
fi

check "share refuses --proc-root as a usage error that says why"
for c in share; do
	ts "$c" "$c" --proc-root "$G/threads/1" 1
	if expect_rc 2 "$c --proc-root" && grep -q "cannot be used with $c: " "$ERR"; then
		ok "$(head -n 1 "$ERR")"
	else
		fail "$c --proc-root" "$ERR"
	fi
done
check "cpus --proc-root: not with a command or --time (usage, exit 2); a bad tree, exit 1"
ts cpus-cmd cpus --proc-root "$G/threads/1" -- true
expect_rc 2 "cpus --proc-root -- true" && grep -q 'cannot be used with a command' "$ERR" ||
	fail "cpus --proc-root -- true" "$ERR"
ts cpus-time cpus --proc-root "$G/threads/1" -t 1
expect_rc 2 "cpus --proc-root -t 1" && grep -q 'cannot be used with --time' "$ERR" ||
	fail "cpus --proc-root -t 1" "$ERR"
ts cpus-empty cpus --proc-root "$TS_TMP/empty"
if expect_rc 1 "cpus, empty tree" &&
   grep -q "^taskscope: cpus: --proc-root '.*': no process directories in it" "$ERR"; then
	ok "$(head -n 1 "$ERR")"
else
	fail "cpus, empty tree: not the message" "$ERR" "$OUT"
fi
check "--proc-root with a command to run is a usage error"
ts cmd --proc-root "$G/threads/1" -- true
expect_rc 2 "--proc-root -- true" && grep -q 'cannot be used with a command' "$ERR" ||
	fail "--proc-root -- true" "$ERR"

# A hostile tree: copies of a fixture process whose files are symlinks to files outside,
# a FIFO, and a process directory that is a symlink. None is followed or opened: the rows
# that need them are left out, and taskscope neither hangs on the FIFO nor shows the
# outside file's numbers.
h=$TS_TMP/hostile
mkdir -p "$h"
pid=$(cd "$G/threads/1" && ls -d [1-9]* | head -n 1)
cp -r "$G/threads/1/." "$h/"
mkdir -p "$TS_TMP/outside/task/777"
cp "$G/threads/1/$pid/stat" "$TS_TMP/outside/stat"
sed 's/^\([0-9]*\) (gthreads)/777 (outside)/' "$G/threads/1/$pid/stat" >"$TS_TMP/outside/task/777/stat"
cp "$G/threads/1/$pid/status" "$TS_TMP/outside/status"
ln -s "$TS_TMP/outside" "$h/777"			# a process directory that leads out
mkdir -p "$h/778/task/778"
ln -s "$TS_TMP/outside/stat" "$h/778/stat"		# a file that leads out
ln -s "$TS_TMP/outside/task/777/stat" "$h/778/task/778/stat"
cp "$G/threads/1/$pid/status" "$h/778/status"
ln -s ../../../"$pid"/task/"$pid"/stat "$h/778/task/778/stat2" # relative, stays inside
mkdir -p "$h/779/task/779"
mkfifo "$h/779/stat" "$h/779/task/779/stat"		# would block an open(2) for ever
cp "$G/threads/1/$pid/status" "$h/779/status"
check "a hostile tree: symlinks and FIFOs are not opened; the real process is shown"
ts hostile --proc-root "$h" -o pid,comm
ts hostile-h --proc-root "$h" -H -o pid,tid,comm
if [ "$RC" -eq 124 ]; then
	fail "taskscope hung on the hostile tree" "$ERR"
elif expect_rc 0 "hostile tree, -H" && grep -qw "$pid" "$OUT" && ! grep -qE '77[789]|outside' "$OUT" \
	&& ! grep -qE '77[789]|outside' "$TS_TMP/hostile.out"; then
	ok "only $pid shown, by process and by thread"
else
	fail "the hostile tree's rows" "$TS_TMP/hostile.out" "$OUT" "$ERR"
fi
# the topology of a hostile tree: its sys/devices/system files a FIFO and a symlink out
mkdir -p "$h/sys/devices/system/cpu" "$h/sys/devices/system/node"
mkfifo "$h/sys/devices/system/cpu/online"
echo 0-3 >"$TS_TMP/outside/online"
ln -s "$TS_TMP/outside/online" "$h/sys/devices/system/node/online"
check "a hostile tree's sys/devices/system: not opened, no topology; cpus does not hang"
ts hostile-topo --proc-root "$h" -H -o pid,tid,cpu,node,comm
ts hostile-cpus cpus --proc-root "$h"
if [ "$RC" -eq 124 ]; then
	fail "cpus hung on the hostile tree's topology" "$ERR"
elif expect_rc 0 "cpus, hostile tree" && grep -q '^topology: unknown' "$OUT" &&
     grep -qw "$pid" "$TS_TMP/hostile-topo.out"; then
	ok "the topology is unknown, the threads are shown"
else
	fail "cpus, hostile tree's topology" "$OUT" "$ERR" "$TS_TMP/hostile-topo.out"
fi
check "maps of a process reached through a symlink: no such process"
ts hostile-maps maps --proc-root "$h" 777
expect_rc 1 "maps 777" && grep -q 'no such process: 777' "$ERR" || fail "maps 777" "$OUT" "$ERR"

finish
