#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# help.sh - `taskscope help`: the command list; `help CMD` runs man(1) on a terminal when man
# finds taskscope-CMD, else prints `CMD --help`; unknown commands are usage errors with a
# "did you mean"; every command's --help ends by naming its manual page.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

TS_TIMEOUT=15

# the commands of `taskscope --help`, as completion.sh reads them
"$TASKSCOPE" --help | sed -n '/^Commands:/,/^$/s/^ \([a-z][a-z-]*\) .*/\1/p' >"$TS_TMP/cmds"
grep -qx help "$TS_TMP/cmds" || die "taskscope --help does not list the command help" "$TS_TMP/cmds"

check "taskscope help prints the Commands block of taskscope --help, word for word"
ts list help
expect_rc 0 "taskscope help"
"$TASKSCOPE" --help | sed -n '/^Commands:/,/^$/p' | sed '/^$/d' >"$TS_TMP/list.want"
sed -n '/^Commands:/,/^$/p' "$OUT" | sed '/^$/d' >"$TS_TMP/list.got"
if [ -s "$TS_TMP/list.got" ] && cmp -s "$TS_TMP/list.want" "$TS_TMP/list.got"; then
	ok "$(($(wc -l <"$TS_TMP/list.got") - 1)) lines"
else
	fail "taskscope help and taskscope --help list the commands differently" \
		"$TS_TMP/list.want" "$TS_TMP/list.got"
fi

check "each command's --help ends with 'See taskscope-CMD(1).', and that page is in man/"
for cmd in $(grep -vx help "$TS_TMP/cmds"); do
	last=$("$TASKSCOPE" "$cmd" --help | tail -n 1)
	if [[ $last != *"See taskscope-$cmd(1)." ]]; then
		fail "taskscope $cmd --help ends with: $last"
	elif [ ! -r "$TS_SRCDIR/man/taskscope-$cmd.1" ]; then
		fail "taskscope $cmd --help names taskscope-$cmd(1), which is not in man/"
	else
		ok "$cmd: $last"
	fi
done

check "without a terminal, taskscope help CMD prints exactly taskscope CMD --help"
for cmd in $(cat "$TS_TMP/cmds"); do
	ts "h-$cmd" help "$cmd"
	"$TASKSCOPE" "$cmd" --help >"$TS_TMP/want-$cmd" 2>&1
	if [ "$RC" -eq 0 ] && [ -s "$OUT" ] && cmp -s "$OUT" "$TS_TMP/want-$cmd"; then
		ok "help $cmd"
	else
		fail "taskscope help $cmd (exit $RC) differs from taskscope $cmd --help" \
			"$OUT" "$ERR"
	fi
done

# usage_error WORD ARGS...: exit 2, nothing on stdout, a first line "taskscope: help: ..."
# that contains WORD
usage_error() {
	local word=$1
	shift
	ts usage "$@"
	if [ "$RC" -ne 2 ]; then
		fail "taskscope $*: exit status $RC, expected 2" "$OUT" "$ERR"
	elif [ -s "$OUT" ]; then
		fail "taskscope $*: a usage error printed on stdout" "$OUT"
	elif ! head -n 1 "$ERR" | grep -q '^taskscope: help: '; then
		fail "taskscope $*: the message does not start with 'taskscope: help:'" "$ERR"
	elif ! grep -qF -- "$word" "$ERR"; then
		fail "taskscope $*: the message does not say '$word'" "$ERR"
	else
		ok "taskscope $*: $(head -n 1 "$ERR")"
	fi
}

check "taskscope help of a mistyped or unknown command: usage error, with 'did you mean'"
usage_error "did you mean 'maps'?" help mpas
usage_error "did you mean 'share'?" help shrae
usage_error "'nosuch$$' is not a command" help "nosuch$$"
usage_error "not 'share' too" help maps share
usage_error "unknown option" help --frobnicate

# ---- on a terminal, with a man(1) of our own on PATH -----------------------------------
# The fake man logs its arguments; with -w it finds only the pages listed in $FAKEMAN_HAS.
command -v script >/dev/null || skip "script(1) (util-linux) is not installed: no terminal to test with"
mkdir -p "$TS_TMP/bin"
cat >"$TS_TMP/bin/man" <<'FAKE'
#!/bin/sh
printf '%s\n' "$*" >>"$FAKEMAN_LOG"
if [ "$1" = -w ]; then
	case " $FAKEMAN_HAS " in *" $2 "*) echo "/fake/$2.1"; exit 0 ;; esac
	exit 16
fi
echo "FAKE MAN PAGE $1"
FAKE
chmod +x "$TS_TMP/bin/man"
export FAKEMAN_LOG=$TS_TMP/man.log

# on_tty NAME [VAR=VALUE...] ARGS...: taskscope ARGS in that environment, with a terminal as
# its stdout; the session in NAME.out, without carriage returns in NAME.out.txt
on_tty() {
	local name=$1 q
	shift
	local -a envs=()
	while [[ $# -gt 0 && $1 == [A-Z]*=* ]]; do
		envs+=("$1")
		shift
	done
	printf -v q '%q ' env "${envs[@]}" "$TASKSCOPE" "$@"
	OUT=$TS_TMP/$name.out
	: >"$FAKEMAN_LOG"
	timeout -k 5 $((TS_TIMEOUT * TS_SLOW)) script -qec "$q" /dev/null >"$OUT" 2>&1 </dev/null
	RC=$?
	tr -d '\r' <"$OUT" >"$OUT.txt"
}

check "on a terminal, taskscope help maps runs 'man taskscope-maps' when man finds the page"
on_tty tty1 "PATH=$TS_TMP/bin:$PATH" FAKEMAN_HAS=taskscope-maps help maps
if [ "$RC" -eq 0 ] && grep -qx 'FAKE MAN PAGE taskscope-maps' "$OUT.txt" &&
	grep -qx 'taskscope-maps' "$FAKEMAN_LOG"; then
	ok "man ran: $(tr '\n' ';' <"$FAKEMAN_LOG")"
else
	fail "taskscope help maps on a terminal did not show the man page (exit $RC)" \
		"$OUT.txt" "$FAKEMAN_LOG"
fi

check "on a terminal, a page man does not find: taskscope CMD --help instead"
on_tty tty2 "PATH=$TS_TMP/bin:$PATH" FAKEMAN_HAS=none help share
"$TASKSCOPE" share --help >"$TS_TMP/share.want"
if [ "$RC" -eq 0 ] && ! grep -q 'FAKE MAN PAGE' "$OUT.txt" &&
	diff -q "$TS_TMP/share.want" "$OUT.txt" >/dev/null; then
	ok "share --help printed after: $(tr '\n' ';' <"$FAKEMAN_LOG")"
else
	fail "taskscope help share on a terminal without the page (exit $RC)" "$OUT.txt" "$FAKEMAN_LOG"
fi

check "on a terminal without man on PATH: taskscope CMD --help instead"
mkdir -p "$TS_TMP/noman"
on_tty tty3 "PATH=$TS_TMP/noman" help cpus
"$TASKSCOPE" cpus --help >"$TS_TMP/cpus.want"
if [ "$RC" -eq 0 ] && diff -q "$TS_TMP/cpus.want" "$OUT.txt" >/dev/null; then
	ok "cpus --help printed"
else
	fail "taskscope help cpus on a terminal without man (exit $RC)" "$OUT.txt"
fi

finish
