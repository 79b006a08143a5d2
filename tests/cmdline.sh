#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cmdline.sh - the CMD column on processes the test starts: a title rewritten in place with
# NUL padding is shown without trailing blanks; an empty command line (a blanked argv,
# argc 0, a zombie) is "-" with a footnote in tables and null with "cmd:empty" in JSON; an
# argument that really is "-" stays a string.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need python tshelper

# jrow FILE PID EXPR: EXPR over the JSON row r of PID
jrow() {
	"$PY" -c 'import json, sys
rows = [r for r in json.load(open(sys.argv[1]))["tasks"] if r["pid"] == int(sys.argv[2])]
r = rows[0] if rows else None
print(eval(sys.argv[3]))' "$1" "$2" "$3"
}

title="ts-title-$$: idle"
pad=$(printf 'x%.0s' $(seq 100))
start_helper title title "$title" 3600 "$pad"
tpid=$READY
start_helper blank blank 3600 "ts-blank-$$"
bpid=$READY
start_helper argc0 argc0 3600
apid=$READY
start_helper zombie zombie 3600
read -r zparent zpid <<<"$READY"
track "$zparent"
f=$TS_TMP/dash.ready
(export TSHELPER_ARGC0=3600; exec -a - "$TSHELPER") >"$f" 2>&1 </dev/null &
track "$!"
poll_until 10 grep -q '^ready ' "$f" || die "tshelper as '-' did not get ready" "$f"
dpid=$(sed -n 's/^ready //p' "$f")
track "$dpid"
say "title $tpid, blank $bpid, argc 0 $apid, zombie $zpid, argument '-' $dpid"

check "the test's processes are what they should be"
nuls=$(tr -cd '\0' <"/proc/$tpid/cmdline" | wc -c)
text=$(tr -d '\0' <"/proc/$tpid/cmdline")
if [ "$text" = "$title" ] && [ "$nuls" -ge 100 ]; then
	ok "$tpid: cmdline is the title and $nuls NULs"
else
	fail "$tpid: cmdline '$text' with $nuls NULs"
fi
for p in "$bpid" "$apid" "$zpid"; do
	n=$(tr -d '\0' <"/proc/$p/cmdline" | wc -c)
	[ "$n" -eq 0 ] && ok "$p: cmdline has no text ($(wc -c <"/proc/$p/cmdline") bytes)" ||
		fail "$p: cmdline has $n bytes of text"
done
grep -q ' Z' <(sed 's/.*)//' "/proc/$zpid/stat") && ok "$zpid is a zombie" || fail "$zpid is not a zombie"
[ "$(tr '\0' '|' <"/proc/$dpid/cmdline")" = "-|" ] && ok "$dpid: cmdline is '-'" ||
	fail "$dpid: cmdline is not '-'"

check "JSON: the padded title without trailing blanks; empty command lines null with cmd:empty"
ts json -J -n 1 -o pid,cmd -p "$tpid,$bpid,$apid,$zpid,$dpid"
if expect_rc 0 "-J -o pid,cmd"; then
	r=$(jrow "$OUT" "$tpid" 'repr((r["cmd"], r["unavailable"]))')
	want=$("$PY" -c 'import sys; print(repr((sys.argv[1], None)))' "$title")
	[ "$r" = "$want" ] && ok "title: $r" || fail "title: $r, expected $want" "$OUT"
	for p in "$bpid" "$apid" "$zpid"; do
		r=$(jrow "$OUT" "$p" 'repr((r["cmd"], r["unavailable"]))')
		[ "$r" = "(None, 'cmd:empty')" ] && ok "$p: $r" ||
			fail "$p: $r, expected (None, 'cmd:empty')" "$OUT"
	done
	r=$(jrow "$OUT" "$dpid" 'repr((r["cmd"], r["unavailable"]))')
	[ "$r" = "('-', None)" ] && ok "argument '-': $r" || fail "argument '-': $r" "$OUT"
fi

check "table: the title without trailing blanks; '-' and a footnote for the empty ones"
ts table -b -n 1 -o pid,cmd -p "$tpid,$bpid,$apid,$zpid"
if expect_rc 0 "-b -o pid,cmd"; then
	row=$(grep -E "^ *$tpid " "$OUT")
	[ "$row" = "$(printf '%6s %s' "$tpid" "$title")" ] && ok "title row: '$row'" ||
		fail "title row '$row' (trailing blanks?)" "$OUT"
	for p in "$bpid" "$apid" "$zpid"; do
		grep -Eq "^ *$p -$" "$OUT" && ok "$p: -" || fail "$p: not '-'" "$OUT"
	done
	grep -q '^  - empty: no command line' "$OUT" && ok "footnote: empty" ||
		fail "no footnote for the empty command lines" "$OUT"
fi
ts dash -b -n 1 -o pid,cmd -p "$dpid,$tpid"
if expect_rc 0 "-b -o pid,cmd of the '-' argument"; then
	grep -q '^  - ' "$OUT" && fail "a footnote for an argument '-'" "$OUT" || ok "no footnote"
fi

finish
