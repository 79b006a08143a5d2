#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# runas.sh - --run-as USER: the spawned job runs with the user's uid, gid and supplementary
# groups (read from its /proc status by root), in the task view, share and cpus; bad user
# names, non-root use and --run-as without a command are clear errors; -u still selects.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need testuser

need_cmd setpriv util-linux

# ids_of FILE: "uid gid groups" from a /proc status file: every Uid and Gid field and the
# sorted Groups line
ids_of() {
	awk '/^Uid:/ { u = $2 " " $3 " " $4 " " $5 }
	     /^Gid:/ { g = $2 " " $3 " " $4 " " $5 }
	     /^Groups:/ { $1 = ""; gr = $0 }
	     END { print u "|" g "|" gr }' "$1" |
		awk -F'|' '{ n = split($3, a, " "); s = "";
			     # sort the groups numerically
			     for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
				     if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
			     for (i = 1; i <= n; i++) s = s (i > 1 ? " " : "") a[i];
			     print $1 "|" $2 "|" s }'
}
want="$TS_TUID $TS_TUID $TS_TUID $TS_TUID|$TS_TGID $TS_TGID $TS_TGID $TS_TGID|$TS_TGIDS"
say "test user $TS_TUSER: uid $TS_TUID, gid $TS_TGID, groups $TS_TGIDS"

# ---- the task view: the job's own /proc status, read from outside ---------------------------

check "taskscope --run-as $TS_TUSER -- workload --threads 2: every task's Uid/Gid/Groups are the user's"
ts_bg view -d 0.2 -H -o pid,tid,user,comm --run-as "$TS_TUSER" -- "$TASKSCOPE" workload --threads 2 --duration "$(ts_secs 3)"
VOUT=$OUT VERR=$ERR VPID=$TSPID
# the workload's ready line is the job's stdout, which is OUT
if ! poll_until 10 grep -q '^ready ' "$OUT"; then
	fail "the workload did not get ready" "$OUT" "$ERR"
else
	wpid=$(sed -n 's/^ready pid=\([0-9]*\) .*/\1/p' "$OUT" | head -n 1)
	bad=
	ntask=0
	for st in /proc/"$wpid"/task/*/status; do
		got=$(ids_of "$st")
		ntask=$((ntask + 1))
		[ "$got" = "$want" ] || bad="$bad ${st}: '$got';"
	done
	cp "/proc/$wpid/status" "$TS_TMP/wl.status" 2>/dev/null
	# -u keeps selecting targets: the user's processes, the job among them
	ts sel -b -n 1 -d 0.1 -u "$TS_TUSER" -o pid,user
	if [ "$ntask" -ne 3 ]; then
		fail "the workload $wpid has $ntask tasks, expected 3" "$OUT"
	elif [ -n "$bad" ]; then
		fail "ids differ from '$want':$bad" "$TS_TMP/wl.status"
	elif [ "$RC" -ne 0 ] || ! last_table "$OUT" | awk -v p="$wpid" '$1 == p { f = 1 } END { exit !f }'; then
		fail "-u $TS_TUSER (exit $RC) does not select the job's process $wpid" "$OUT" "$ERR"
	else
		ok "3 tasks of $wpid: $(grep -E '^(Uid|Gid|Groups):' "$TS_TMP/wl.status" | tr -s '\t ' ' ' | tr '\n' ';'); -u $TS_TUSER selects it"
	fi
fi
OUT=$VOUT ERR=$VERR TSPID=$VPID
ts_wait 20
check "the job's exit status, and the report names the user on its rows"
if expect_rc 0 "--run-as -- workload"; then
	# USER is the name, or the number when the name is too long for the column
	# (every row of the job's process, in every table)
	rows=$(awk -v p="$wpid" '$1 == p' "$ERR" | wc -l)
	badrows=$(awk -v p="$wpid" -v u="$TS_TUSER" -v n="$TS_TUID" \
		'$1 == p && !($3 == u || $3 == n)' "$ERR" | wc -l)
	if [ "$rows" -lt 3 ] || [ "$badrows" -ne 0 ]; then
		fail "$rows rows of $wpid, $badrows not showing user $TS_TUSER" "$ERR"
	else
		ok "$rows rows, all of user $TS_TUSER: $(awk -v p="$wpid" '$1 == p' "$ERR" | head -n 1)"
	fi
fi

# ---- share and cpus: what the job itself says about its ids ------------------------------

idscmd='printf "%s %s %s|%s|" "$(id -u)" "$(id -ru)" "$HOME" "$(id -g)"; id -G | tr " " "\n" | sort -n | tr "\n" " "; echo; sleep 1'
wantself="$TS_TUID $TS_TUID /nonexistent|$TS_TGID|$TS_TGIDS "
for cmd in "share --after 0.3" "cpus -t 0.5" ""; do
	check "taskscope $cmd --run-as $TS_TUSER -- sh: id -u, -ru, -g, -G and HOME are the user's"
	# shellcheck disable=SC2086
	ts "self${cmd%% *}" $cmd --run-as "$TS_TUSER" -- sh -c "$idscmd"
	if expect_rc 0 "$cmd --run-as"; then
		got=$(head -n 1 "$OUT")
		[ "$got" = "$wantself" ] && ok "$got" || fail "the job says '$got', expected '$wantself'" "$OUT" "$ERR"
	fi
done

check "the job's status comes back: --run-as -- sh -c 'exit 3' -> 3"
ts st3 --run-as "$TS_TUSER" -d 0.2 -- sh -c 'exit 3'
expect_rc 3 "--run-as -- sh -c 'exit 3'"

check "the user is switched before exec: a script only root may run -> 126 Permission denied"
priv=$TS_TMP/rootonly.sh
printf '#!/bin/sh\nexit 0\n' >"$priv"
chmod 0700 "$priv"
ts priv -d 0.2 -- "$priv"
rc_root=$RC
ts privu --run-as "$TS_TUSER" -d 0.2 -- "$priv"
if [ "$rc_root" -ne 0 ]; then
	fail "as root the script exits $rc_root, not 0" "$ERR"
elif expect_rc 126 "--run-as -- $priv"; then
	grep -qxF "taskscope: cannot run '$priv' as user '$TS_TUSER': Permission denied" "$ERR" &&
		ok "$(head -n 1 "$ERR")" || fail "not the expected message" "$ERR"
fi

# ---- errors -------------------------------------------------------------------------------------

check "an unknown user -> exit 1, 'unknown user', nothing run"
mark=$TS_TMP/ran
ts nouser --run-as no-such-user-$$ -- touch "$mark"
if expect_rc 1 "--run-as no-such-user"; then
	if [ -e "$mark" ]; then
		fail "the command ran anyway" "$ERR"
	elif ! grep -qxF "taskscope: --run-as: unknown user 'no-such-user-$$'" "$ERR"; then
		fail "not the expected message" "$ERR"
	else
		ok "$(cat "$ERR")"
	fi
fi
for sub in share cpus; do
	check "$sub --run-as an unknown user -> exit 1"
	ts "nouser$sub" "$sub" --run-as no-such-user-$$ -- touch "$mark"
	expect_rc 1 "$sub --run-as no-such-user" && { [ ! -e "$mark" ] || fail "the command ran anyway"; }
done

check "--run-as without a command -> usage error 2"
ts nocmd --run-as "$TS_TUSER" -n 1
if expect_rc 2 "--run-as without --"; then
	grep -qF -- "--run-as needs a command to run" "$ERR" && ok "$(head -n 1 "$ERR")" ||
		fail "not the expected message" "$ERR"
fi

check "taskscope run by a user (not root) with --run-as -> exit 1, 'needs root', nothing run"
mark2=/tmp/taskscope-runas-$$.mark
rm -f "$mark2"
OUT=$TS_TMP/nonroot.out ERR=$TS_TMP/nonroot.err
as_user timeout $((20 * TS_SLOW)) "$TASKSCOPE" --run-as "$TS_TUSER" -- touch "$mark2" >"$OUT" 2>"$ERR" </dev/null
RC=$?
if expect_rc 1 "as $TS_TUSER: --run-as $TS_TUSER"; then
	if [ -e "$mark2" ]; then
		fail "the command ran anyway"
	elif ! grep -qxF "taskscope: --run-as needs root: only root can start a command as another user" "$ERR"; then
		fail "not the expected message" "$ERR"
	else
		ok "$(cat "$ERR")"
	fi
fi
rm -f "$mark2"

check "the help and the man page mention --run-as for the task view, share and cpus"
miss=
for sub in "" share cpus; do
	# shellcheck disable=SC2086
	"$TASKSCOPE" $sub --help 2>&1 | grep -qF -- "--run-as USER" || miss="$miss '$sub --help'"
done
[ -z "$miss" ] && ok "all three" || fail "no --run-as in:$miss"

finish
