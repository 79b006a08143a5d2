#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# serve-memreuse.sh - a PID reused between taskscope serve's sample and its memory pass: the
# pass reads smaps_rollup by path and keeps each process's status file open to vouch for it,
# so the row of the process that ended gets no memory values, never those of the new
# process on its PID. The window is made wide on purpose: in a PID namespace of its own, a
# stuck process (tests/stuckfuse: its mmap_lock held) with a PID below the watched one makes
# the pass wait on its smaps_rollup; meanwhile the watched process ends and a new program
# gets its PID (ns_last_pid); then the stuck read is let go. Needs root and /dev/fuse.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

need_root "unshare -p -f --mount-proc, ns_last_pid and a FUSE mount"
[ -c /dev/fuse ] || skip "no /dev/fuse (modprobe fuse)"
unshare -p -f --mount-proc -- true 2>"$TS_TMP/unshare.err" ||
	skip "unshare -p -f --mount-proc is not permitted here: $(head -n 1 "$TS_TMP/unshare.err")"
STUCKFUSE=${STUCKFUSE:-$(dirname "$TSHELPER")/stuckfuse}
[ -x "$STUCKFUSE" ] || die "tests/stuckfuse not found or not executable: '$STUCKFUSE' (make tests/stuckfuse)"
SLEEP=$(command -v sleep) || skip "no sleep(1)"

# While the stuck process exists, whatever reads its smaps or cmdline waits: stuckread.sh
# and this test take turns on its lock, and the helper ends the stuck period by itself
# after 60 s whatever happens here.
exec 9>"${TMPDIR:-/tmp}/taskscope-stuckread.lock" || die "cannot open the lock file"
flock -w $((300 * TS_SLOW)) 9 || skip "another stuck-process test held the lock for $((300 * TS_SLOW)) s"

u=$$
OLD=o$u NEW=n$u
DIR=$TS_TMP/ns
mkdir -p "$DIR/tf" "$DIR/mnt"
for f in "$OLD" "$NEW"; do
	cp "$SLEEP" "$DIR/$f" || die "cannot copy $SLEEP"
done

# PID 1 of the namespace: OLD at a high PID, serve, then the stuck process at a low PID;
# when the pass waits on it, OLD ends and NEW gets its PID; the stuck read is let go, and
# the textfile serve writes next (that sample's) is kept as k.prom. It writes "result":
# "ok ...", "skip REASON" or "fail REASON", and its steps to "steps".
cat >"$TS_TMP/inner.sh" <<'EOF'
dir=$1
cd "$dir" || exit 1
slow=${TS_SLOW:-1}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
# wait_for SECONDS CMD...: every 50 ms until CMD succeeds (SECONDS times TS_SLOW)
wait_for() {
	local n=$(($1 * 20 * slow))
	shift
	until "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.05
	done
}
result() {
	echo "$*" >result.tmp && mv result.tmp result
	exit 0
}
pss_of() { awk -v s="taskscope_group_pss_bytes{group=\"$2\"}" '$1 == s { print $2 }' "$1" 2>/dev/null; }
has_pss() { [ "$(pss_of tf/taskscope.prom "$1")" -gt 0 ] 2>/dev/null; }
inode() { stat -c %i tf/taskscope.prom 2>/dev/null; }
rewritten() { [ "$(inode)" != "$1" ]; }
# blocked: a thread of serve waits in a system call (read or pread: the only ones it makes
# on that file that can wait) whose first argument is its file of the stuck process's
# smaps_rollup
blocked() {
	local t sc fd
	for t in /proc/"$s"/task/*; do
		read -r sc fd _ <"$t/syscall" 2>/dev/null || continue
		[[ $sc =~ ^[0-9]+$ && $fd =~ ^0x[0-9a-f]+$ ]] || continue
		[[ $(readlink "/proc/$s/fd/$((fd))") =~ ^/proc/$target(/task/$target)?/smaps_rollup$ ]] &&
			return 0
	done
	return 1
}

echo 5000 >/proc/sys/kernel/ns_last_pid || result "skip cannot write ns_last_pid"
"./$OLD" 600 & a=$!
pids+=("$a")
"$TASKSCOPE" serve --textfile "$dir/tf" -d 0.3 -C "$OLD,$NEW,stuck-target" --memory-every 1 \
	>serve.out 2>serve.err & s=$!
pids+=("$s")
wait_for 30 has_pss "$OLD" || result "fail serve never showed $OLD's PSS"
echo "$OLD ($a) has its PSS" >>steps
echo 100 >/proc/sys/kernel/ns_last_pid
"$STUCKFUSE" "$dir/mnt" 60 >hold.out 2>hold.err & h=$!
pids+=("$h")
if ! wait_for 20 grep -q '^ready ' hold.out; then
	grep -Eq 'unshare|mount fuse|/dev/fuse' hold.err &&
		result "skip cannot mount a FUSE file system here: $(head -n 1 hold.err)"
	result "fail stuckfuse did not get ready"
fi
target=$(sed -n 's/^ready target=\([0-9]*\) .*/\1/p' hold.out)
[ "$target" -lt "$a" ] 2>/dev/null || result "skip the stuck process got PID $target, not one below $a"
wait_for 30 blocked || result "fail serve's memory pass did not wait on the stuck process $target"
echo "serve waits on $target's smaps_rollup" >>steps
kill "$a"
wait "$a"
echo $((a - 1)) >/proc/sys/kernel/ns_last_pid
"./$NEW" 600 & n=$!
pids+=("$n")
[ "$n" = "$a" ] || result "skip the new process got PID $n, not $a (ns_last_pid not honoured)"
echo "$OLD ended, $NEW has its PID $a" >>steps
i0=$(inode)
kill -USR1 "$h"
wait_for 30 rewritten "$i0" || result "fail serve wrote nothing after the stuck read returned"
cp tf/taskscope.prom k.prom
echo "the sample that waited is written" >>steps
wait_for 30 has_pss "$NEW" || result "fail serve never showed $NEW's PSS"
cp tf/taskscope.prom later.prom
result "ok"
EOF

check "a PID reused between the sample and the memory pass: the old row gets no memory values"
TS_SLOW=$TS_SLOW OLD=$OLD NEW=$NEW STUCKFUSE=$STUCKFUSE TASKSCOPE=$TASKSCOPE \
	unshare -p -f --mount-proc --kill-child -- bash "$TS_TMP/inner.sh" "$DIR" \
	>"$DIR/unshare.out" 2>&1 </dev/null &
NSPID=$!
track "$NSPID"
poll_until 180 test -s "$DIR/result" ||
	die "the namespace's script did not finish" "$DIR/steps" "$DIR/unshare.out" "$DIR/serve.err"
stop "$NSPID"
read -r verdict why <"$DIR/result"
case $verdict in
skip) skip "$why" ;;
fail) fail "$why" "$DIR/steps" "$DIR/serve.err" ;;
ok)
	pss() { awk -v s="taskscope_group_pss_bytes{group=\"$2\"}" '$1 == s { print $2 }' "$1"; }
	old=$(pss "$DIR/k.prom" "$OLD") new=$(pss "$DIR/k.prom" "$NEW")
	later=$(pss "$DIR/later.prom" "$NEW")
	if [ -n "$new" ]; then
		fail "$NEW is in the sample taken before it started" "$DIR/k.prom"
	elif [ -n "$old" ] && [ "$old" != 0 ]; then
		fail "$OLD's row got $old bytes of PSS after it ended ($NEW's is $later)" "$DIR/k.prom"
	elif ! [ "$later" -gt 0 ] 2>/dev/null; then
		fail "$NEW's PSS is not known later ('$later')" "$DIR/later.prom"
	else
		ok "$OLD's PSS '${old:-none}' in the sample that waited, $NEW's $later bytes later"
	fi
	;;
*) die "the namespace's script wrote '$verdict $why'" "$DIR/steps" ;;
esac

finish
