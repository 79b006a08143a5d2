#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# settingsfile.sh - the full-screen view's settings file is hostile input: a FIFO, a device
# or a symbolic link there gives a warning and the defaults (no hang at start); saving with W
# never writes through a planted temporary file's symbolic link or a linked directory.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need tui

CONF=$TUI_CONF
DIR=$(dirname "$CONF")
mkdir -p "$DIR" || die "cannot make $DIR"

start_workload --threads 1 --sleep --duration 900
A=$WL_PID

# starts NAME WHAT WARNING: the view comes up with the task list of $A, the warning and the
# default delay (a settings file read would say 0.7 s), and q ends it with status 0
starts() {
	local name=$1 what=$2 warn=$3
	tui_start "$name" 200 30 -p "$A"
	if wait_screen "$name" 15 "^ *$A +$A " && wait_screen "$name" 5 "ignoring the settings file .*$warn" &&
		wait_screen "$name" 5 "delay 1.0s"; then
		keep "$name" "$TS_TMP/$name.screen"
		tmx send-keys -t "$name" q
		if wait_rc "$name" 10 && [ "$RC" -eq 0 ]; then
			ok "$what: the list, the default delay and '$(grep -om1 "ignoring the settings file.*$warn" "$TS_TMP/$name.screen")', q ends it"
		else
			fail "$what: exit status '${RC:-none}' after q"
		fi
	else
		keep "$name" "$TS_TMP/$name.screen"
		fail "$what: no list of $A, no warning or not the defaults within 25 s (a hang at start?)" \
			"$TS_TMP/$name.screen"
	fi
}

check "a FIFO as the settings file: the view starts with a warning, q quits"
mkfifo "$CONF" || die "mkfifo failed"
starts fifo "FIFO" "not a regular file"
rm -f "$CONF"

check "a character device (/dev/zero's numbers) as the settings file: a warning, the defaults"
if mknod "$CONF" c 1 5 2>/dev/null; then
	starts device "device" "not a regular file"
	rm -f "$CONF"
else
	say "mknod is not permitted here: device case not run"
fi

check "a symbolic link as the settings file is not followed"
printf 'delay = 0.7\n' >"$TS_TMP/elsewhere"
ln -s "$TS_TMP/elsewhere" "$CONF"
starts link "symbolic link" "symbolic link"
rm -f "$CONF"

check "a file larger than 64 KiB: a warning, the defaults"
{ printf 'delay = 0.7\n'; head -c 70000 /dev/zero | tr '\0' '#'; } >"$CONF"
starts big "70,000 bytes" "larger than 65536 bytes"
rm -f "$CONF"

# ---- saving ----------------------------------------------------------------------------------

# save NAME: start the view, press W, wait for its message, quit; MSG is the message line
save() {
	local name=$1
	tui_start "$name" 200 30 -d 0.5 -p "$A"
	if ! wait_screen "$name" 15 "^ *$A +$A "; then
		keep "$name" "$TS_TMP/$name.screen"
		die "the view did not come up" "$TS_TMP/$name.screen"
	fi
	tmx send-keys -t "$name" W
	wait_screen "$name" 5 "settings saved to|cannot save the settings" || say "no message after W"
	MSG=$(screen "$name" | grep -Eo "(settings saved to|cannot save the settings).*" | head -n1)
	tmx send-keys -t "$name" q
	wait_rc "$name" 10 || say "no exit status after q"
}

check "W does not write through a symbolic link planted where the temporary file goes"
printf 'victim-%s\n' "$$" >"$TS_TMP/victim"
cp "$TS_TMP/victim" "$TS_TMP/victim.orig"
ln -s "$TS_TMP/victim" "$CONF.new"
save plantedtmp
if cmp -s "$TS_TMP/victim" "$TS_TMP/victim.orig" && [ -f "$CONF" ] && [ ! -L "$CONF" ] &&
	grep -q '^sort = ' "$CONF"; then
	ok "the linked file unchanged, $CONF a new regular file ($MSG)"
else
	fail "the linked file changed or no settings saved ($MSG)" "$TS_TMP/victim" "$CONF"
fi
rm -f "$CONF" "$CONF".new*

check "W replaces a symbolic link at the settings file's name, not the file it points to"
cp "$TS_TMP/victim.orig" "$TS_TMP/victim"
ln -s "$TS_TMP/victim" "$CONF"
save linkedconf
if cmp -s "$TS_TMP/victim" "$TS_TMP/victim.orig" && [ -f "$CONF" ] && [ ! -L "$CONF" ]; then
	ok "the linked file unchanged ($MSG)"
else
	fail "the linked file changed ($MSG)" "$TS_TMP/victim" "$CONF"
fi
rm -f "$CONF"

check "W refuses a settings directory that is a symbolic link"
mkdir "$TS_TMP/otherdir"
rmdir "$DIR" && ln -s "$TS_TMP/otherdir" "$DIR" || die "cannot link $DIR"
save linkeddir
if [ -z "$(ls -A "$TS_TMP/otherdir")" ] && [[ $MSG == "cannot save the settings"* ]]; then
	ok "nothing written in the linked directory: $MSG"
else
	ls -la "$TS_TMP/otherdir" >"$TS_TMP/otherdir.ls"
	fail "written through the linked directory or no message ($MSG)" "$TS_TMP/otherdir.ls"
fi

finish
