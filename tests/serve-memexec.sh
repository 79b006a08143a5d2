#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# serve-memexec.sh - taskscope serve's memory pass keeps each process's smaps_rollup open
# between passes, and such a file reads the address space it was opened on. A process
# that shares another's address space (clone CLONE_VM, as a vfork child does) and then
# execs gets one of its own, while the old one lives on in the other process: after the
# exec its PSS must be that of its new program, not the old address space's.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need tshelper

SLEEP=$(command -v sleep) || skip "no sleep(1)"
u=$$
NAME=vx$u EXEC=ve$u
cp "$SLEEP" "$TS_TMP/$EXEC" || die "cannot copy $SLEEP"
mkdir -p "$TS_TMP/tf"

check "a process sharing a 64 MiB address space execs: its PSS is then its own program's"
"$TSHELPER" vmexec "$NAME" 64 "$TS_TMP/go" "$TS_TMP/$EXEC" 600 >"$TS_TMP/helper.out" 2>&1 &
HP=$!
track "$HP"
poll_until 20 grep -q '^ready ' "$TS_TMP/helper.out" || die "tshelper vmexec did not start" "$TS_TMP/helper.out"
CHILD=$(sed -n 's/^ready \([0-9]*\)$/\1/p' "$TS_TMP/helper.out")
"$TASKSCOPE" serve --textfile "$TS_TMP/tf" -p "$CHILD" -d 0.2 --memory-every 1 \
	>"$TS_TMP/serve.out" 2>"$TS_TMP/serve.err" &
SP=$!
track "$SP"

# pss: the child's PSS in the last textfile, in bytes (empty when not there)
pss() {
	awk -v p="taskscope_process_pss_bytes{pid=\"$CHILD\"," 'index($1, p) == 1 { print $2 }' \
		"$TS_TMP/tf/taskscope.prom" 2>/dev/null
}
above() { local v; v=$(pss); [ -n "$v" ] && [ "$v" -gt $((32 << 20)) ]; }
below() { local v; v=$(pss); [ -n "$v" ] && [ "$v" -lt $((16 << 20)) ]; }
execd() { [ "$(cat "/proc/$CHILD/comm" 2>/dev/null)" = "$EXEC" ]; }

poll_until 30 above || die "the child's PSS never showed the shared 64 MiB ('$(pss)')" \
	"$TS_TMP/tf/taskscope.prom" "$TS_TMP/serve.err"
before=$(pss)
touch "$TS_TMP/go"
poll_until 20 execd || die "the child did not exec $EXEC" "$TS_TMP/helper.out"
alive "$HP" || die "the parent ended: its address space is gone"
if poll_until 30 below; then
	ok "PSS $before bytes in the shared address space, $(pss) after the exec"
else
	fail "the child's PSS is still $(pss) bytes after it exec'd $EXEC (before: $before)" \
		"$TS_TMP/tf/taskscope.prom"
fi
stop "$SP" "$HP"

finish
