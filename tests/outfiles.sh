#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# outfiles.sh - files written as root: --output-file (task view, share, cpus), --svg and
# --child-log refuse a symbolic link planted by another user, a file of another user, a
# hard link and a FIFO nobody reads; create new files with the documented mode; truncate and
# write the user's own file; accept /dev/null and /dev/stdout.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need testuser tui

umask 022

# The attacker's directory: the test user's, not sticky, so that fs.protected_symlinks (which
# only guards sticky world-writable directories) never protects what is planted in it.
chmod 0711 "$TS_TMP"
D=$TS_TMP/userdir
mkdir "$D" && chown "$TS_TUID:$TS_TGID" "$D" && chmod 0755 "$D" || die "cannot make $D"
# root's secret, which a planted link points to
SECRET=$TS_TMP/secret
printf 'secret-%s\n' "$$" >"$SECRET" && chmod 0600 "$SECRET"
say "protected_symlinks=$(cat /proc/sys/fs/protected_symlinks 2>/dev/null), $D is $(stat -c '%U %a' "$D")"

# attempt KIND NAME FILE: let taskscope write KIND's output to FILE; sets RC and MSG (what it
# said on stderr, or on the screen for the full-screen view)
attempt() {
	local kind=$1 name=$2 f=$3
	case $kind in
	output-file) ts "$name" -b -n1 -p $$ --output-file "$f" ;;
	share) ts "$name" share $$ --output-file "$f" ;;
	cpus) ts "$name" cpus -t 0.2 -p $$ --output-file "$f" ;;
	svg) ts "$name" cpus -t 0.2 -p $$ --svg "$f" ;;
	child-log)
		# the job's line goes to the log; a refused file ends taskscope before the screen
		tui_start "$name" 400 30 -d 0.3 --child-log "$f" -- sh -c "echo logged-$$"
		if poll_until 20 eval "[ -s '$TS_TMP/$name.rc' ] || screen '$name' | grep -q 'exited with status'"; then
			[ -s "$TS_TMP/$name.rc" ] || tmx send-keys -t "$name" q
			wait_rc "$name" 10 || RC=124
		else
			RC=124
		fi
		keep "$name" "$TS_TMP/$name.err"
		ERR=$TS_TMP/$name.err
		OUT=$ERR
		;;
	esac
	MSG=$(cat "$ERR")
}

# written KIND FILE: FILE holds what KIND writes
written() {
	case $1 in
	output-file) head -n1 "$2" | grep -q '^taskscope [0-9][0-9]:' ;;
	share) grep -q "$$" "$2" ;;
	cpus) grep -qi 'cpu' "$2" ;;
	svg) grep -q '<svg' "$2" ;;
	child-log) grep -qx "logged-$$" "$2" ;;
	esac
}

# refused KIND WHAT FILE REASON ORIG: taskscope failed, said why naming FILE, left ORIG as it was
refused() {
	local kind=$1 what=$2 f=$3 reason=$4 orig=$5
	if [ "$RC" -ne 0 ] && [ "$RC" -ne 124 ] && grep -q "cannot write to '$f': $reason" <<<"$MSG" &&
		cmp -s "$orig" "$TS_TMP/orig"; then
		ok "$kind, $what: exit status $RC, $(grep -m1 "cannot write" <<<"$MSG")"
	else
		fail "$kind, $what: exit status $RC, message or content not as expected" "$ERR" "$orig"
	fi
}

for kind in output-file share cpus svg child-log; do
	k=${kind//-/}

	check "$kind: a symbolic link planted by another user to root's 0600 file is refused"
	cp -p "$SECRET" "$TS_TMP/orig"
	as_user ln -s "$SECRET" "$D/link-$k" || die "the test user cannot make a link in $D"
	attempt "$kind" "link$k" "$D/link-$k"
	refused "$kind" "symlink" "$D/link-$k" "it is a symbolic link" "$SECRET"

	check "$kind: a dangling symbolic link is refused, nothing created where it points"
	as_user ln -s "$TS_TMP/created-$k" "$D/dangling-$k"
	: >"$TS_TMP/orig"
	attempt "$kind" "dangling$k" "$D/dangling-$k"
	if [ ! -e "$TS_TMP/created-$k" ]; then
		refused "$kind" "dangling symlink" "$D/dangling-$k" "it is a symbolic link" "$TS_TMP/orig"
	else
		fail "$kind: $TS_TMP/created-$k was created through the link" "$ERR"
	fi

	check "$kind: a file owned by another user is refused and left as it was"
	as_user sh -c "echo theirs-$$ >'$D/theirs-$k'"
	cp -p "$D/theirs-$k" "$TS_TMP/orig"
	attempt "$kind" "theirs$k" "$D/theirs-$k"
	refused "$kind" "another user's file" "$D/theirs-$k" "it is not owned by you but by UID $TS_TUID" \
		"$D/theirs-$k"

	check "$kind: a hard link to root's file (as protected_hardlinks=0 allows) is refused"
	ln "$SECRET" "$D/hard-$k" || die "cannot make a hard link in $D"
	cp -p "$SECRET" "$TS_TMP/orig"
	attempt "$kind" "hard$k" "$D/hard-$k"
	refused "$kind" "hard link" "$D/hard-$k" "it has 2 hard links" "$SECRET"
	rm -f "$D/hard-$k"

	check "$kind: a new file is created with the documented mode and written"
	want=644
	[ "$kind" = child-log ] && want=600
	attempt "$kind" "new$k" "$TS_TMP/new-$k"
	mode=$(stat -c %a "$TS_TMP/new-$k" 2>/dev/null)
	if [ "$RC" -eq 0 ] && [ "$mode" = "$want" ] && written "$kind" "$TS_TMP/new-$k"; then
		ok "$kind: mode $mode, written"
	else
		fail "$kind: exit status $RC, mode '$mode' (expected $want with umask 022)" "$ERR" \
			"$TS_TMP/new-$k"
	fi

	check "$kind: an existing file of root's own is truncated and written"
	yes old-content-old-content | head -n 5000 >"$TS_TMP/own-$k"
	attempt "$kind" "own$k" "$TS_TMP/own-$k"
	if [ "$RC" -eq 0 ] && written "$kind" "$TS_TMP/own-$k" && ! grep -q old-content "$TS_TMP/own-$k"; then
		ok "$kind: rewritten, $(wc -c <"$TS_TMP/own-$k") bytes"
	else
		fail "$kind: exit status $RC, old content left or nothing written" "$ERR" "$TS_TMP/own-$k"
	fi

	check "$kind: /dev/null is accepted"
	attempt "$kind" "null$k" /dev/null
	if [ "$RC" -eq 0 ] && [ -c /dev/null ]; then
		ok "$kind: /dev/null, exit status 0"
	else
		fail "$kind: /dev/null: exit status $RC" "$ERR"
	fi
done

check "a FIFO planted by another user is refused at once, even with a reader"
as_user mkfifo "$D/fifo"
as_user sh -c "exec cat '$D/fifo' >/dev/null" </dev/null &
track $!
poll_until 10 eval "pgrep -u $TS_TUID -x cat >/dev/null" || say "the reader did not show up"
: >"$TS_TMP/orig"
cp "$TS_TMP/orig" "$TS_TMP/orig.fifo"
attempt output-file fifotheirs "$D/fifo"
refused output-file "another user's FIFO" "$D/fifo" "it is not owned by you" "$TS_TMP/orig.fifo"
stop $!

check "a FIFO of one's own that no process reads is refused at once (no hang)"
mkfifo "$TS_TMP/ownfifo"
attempt output-file fifonoreader "$TS_TMP/ownfifo"
refused output-file "FIFO without a reader" "$TS_TMP/ownfifo" "it is a FIFO that no process reads" \
	"$TS_TMP/orig.fifo"

check "a FIFO of one's own with a reader gets the report"
cat "$TS_TMP/ownfifo" >"$TS_TMP/fifo.read" &
rpid=$!
track $rpid
# the reader opens the FIFO when it runs: until then the FIFO has none
for try in $(seq 1 $((100 * TS_SLOW))); do
	attempt output-file "fiforeader$try" "$TS_TMP/ownfifo"
	grep -q "no process reads" <<<"$MSG" || break
	sleep 0.1
done
wait $rpid
if [ "$RC" -eq 0 ] && written output-file "$TS_TMP/fifo.read"; then
	ok "report read through the FIFO"
else
	fail "exit status $RC" "$ERR" "$TS_TMP/fifo.read"
fi

check "/dev/stdout is taskscope's standard output (not refused as a symbolic link)"
attempt output-file devstdout /dev/stdout
if [ "$RC" -eq 0 ] && written output-file "$OUT"; then
	ok "the report on standard output"
else
	fail "exit status $RC" "$ERR" "$OUT"
fi

check "a directory is refused"
attempt output-file dir "$D"
refused output-file "directory" "$D" "it is a directory" "$TS_TMP/orig.fifo"

finish
