#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tuihabits.sh - htop habits in the full-screen view (tmux): the F-keys, K, prompts that
# name their task, the selection following its task under a re-sort, search apart from
# filter, editable prompts, tree connectors (UTF-8 and ASCII) and folding, the column
# picker keeping and moving the order, F7/F8 nice, plurals in the header.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need tui

REAL=$TASKSCOPE
utf8=$(locale -a 2>/dev/null | grep -m1 -iE '^c\.utf-?8$')

# tui_env NAME COLS ROWS VAR=VALUE... -- ARGS...: tui_start with an environment
tui_env() {
	local name=$1 cols=$2 rows=$3 envs=()
	shift 3
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	TASKSCOPE=env tui_start "$name" "$cols" "$rows" "${envs[@]}" "$REAL" "$@"
}
titles() { screen "$1" | grep -m1 -E '^ *(PID|COMM)'; }
lastline() { screen "$1" | tail -n1; }

# ---- a process tree: parent and two children ------------------------------------------
start_workload --procs 2 --sleep --name thp$$
P=$WL_PID
read -r C1 C2 <<<"$(tr ' ' '\n' <<<"$WL_TIDLIST" | sort -n | tr '\n' ' ')"

for term in screen vt100; do
	if [ "$term" = screen ]; then
		[ -n "$utf8" ] || { say "no C.UTF-8 locale: UTF-8 connectors not checked"; continue; }
		mid='├─' end='└─' loc=$utf8
	else
		mid='|-' end='`-' loc=C
	fi
	check "F5 draws the tree with connectors at 80x24, TERM=$term, LC_ALL=$loc"
	TUI_TERM=$term tui_env tree$term 80 24 LC_ALL=$loc -- -d 0.5 -p "$P,$C1,$C2" -o pid,ppid,comm
	wait_screen tree$term 10 "^ *$C2 +$P " || { keep tree$term "$TS_TMP/tree$term.screen"; die "the view did not come up" "$TS_TMP/tree$term.screen"; }
	# vt100 has no F5 (its terminfo knows PF1-PF4): t there
	tmx send-keys -t tree$term N "$([ "$term" = vt100 ] && echo t || echo F5)"
	if wait_screen tree$term 5 "^ *$C1 +$P +\Q$mid\E thp$$" 2>/dev/null ||
	   poll_until 5 eval "screen tree$term | grep -qF -- ' $mid thp$$' && screen tree$term | grep -qF -- ' $end thp$$'"; then
		keep tree$term "$TS_TMP/tree$term.screen"
		if grep -E "^ *$C1 " "$TS_TMP/tree$term.screen" | grep -qF -- "$mid thp$$" &&
		   grep -E "^ *$C2 " "$TS_TMP/tree$term.screen" | grep -qF -- "$end thp$$" &&
		   grep -E "^ *$P " "$TS_TMP/tree$term.screen" | grep -qF -- "- thp$$"; then
			ok "$(grep -E "^ *($C1|$C2) " "$TS_TMP/tree$term.screen" | tr -s ' ' | tr '\n' ';')"
		else
			fail "connectors not as expected" "$TS_TMP/tree$term.screen"
		fi
	else
		keep tree$term "$TS_TMP/tree$term.screen"
		fail "no connectors" "$TS_TMP/tree$term.screen"
	fi
	check "- folds the subtree of the selected process, + unfolds it ($term)"
	# (vt100 has no Home key either: the parent, first row, is selected from the start)
	[ "$term" = vt100 ] || tmx send-keys -t tree$term Home
	tmx send-keys -t tree$term -
	if poll_until 5 eval "! screen tree$term | grep -Eq '^ *$C1 '" &&
	   screen tree$term | grep -E "^ *$P " | grep -qF -- "+ thp$$"; then
		ok "children hidden, the parent marked +"
	else
		keep tree$term "$TS_TMP/fold.screen"
		fail "- did not fold" "$TS_TMP/fold.screen"
	fi
	tmx send-keys -t tree$term +
	if poll_until 5 eval "screen tree$term | grep -Eq '^ *$C1 '"; then ok "children shown again"; else fail "+ did not unfold"; fi
	check "the bottom line at 80 columns: the letter keys"
	if [[ $(lastline tree$term) == "q quit"* ]]; then ok "$(lastline tree$term)"; else fail "bottom line: $(lastline tree$term)"; fi
	tmx send-keys -t tree$term "$([ "$term" = vt100 ] && echo q || echo F10)"
	if wait_rc tree$term 10 && [ "$RC" = 0 ]; then ok "F10 (q on vt100) quits, status 0"; else fail_screen tree$term "F10 did not quit with 0 (status '$RC')"; fi
done

# ---- a single-threaded process: plurals, F-keys, prompts, nice ----------------------------
sleep 600 &
S=$!
track "$S"
check "the header counts in the singular: 1 process, 1 thread"
tui_start one 110 30 -d 0.5 -p "$S"
if wait_screen one 10 "Tasks 1 process, 1 thread "; then ok "$(screen one | grep -o 'Tasks[^ ]* [^ ]* [^ ]* [^ ]* [^ ]*')"; else keep one "$TS_TMP/one.screen"; fail "no 'Tasks 1 process, 1 thread'" "$TS_TMP/one.screen"; fi
check "the bottom line at 110 columns lists the F-keys"
if [[ $(lastline one) == F1Help*F10Quit* ]]; then ok "$(lastline one)"; else fail "bottom line: $(lastline one)"; fi
tui_quit one 0

tui_start keys 110 30 -d 0.5 -p "$S,$P" -o pid,ni,comm
wait_screen keys 10 "^ *$S " || { keep keys "$TS_TMP/keys.screen"; die "the view did not come up" "$TS_TMP/keys.screen"; }
for k in F1:'^Help: every key' F2:'^Columns:' F6:'^Sort by:'; do
	check "${k%%:*} opens ${k#*:}"
	tmx send-keys -t keys "${k%%:*}"
	if wait_screen keys 5 "${k#*:}"; then ok "shown"; else fail_screen keys "not shown"; fi
	tmx send-keys -t keys Escape
	wait_screen keys 5 "^ *PID" || fail "Esc did not return"
done

check "F6 picks the sort column: NI, then COMM"
tmx send-keys -t keys F6 Home Down Enter
if poll_until 5 eval "titles keys | grep -q 'NI[v^]'"; then ok "$(titles keys)"; else fail "sort not on NI: $(titles keys)"; fi
tmx send-keys -t keys F6 End Enter
if poll_until 5 eval "titles keys | grep -q 'COMM[v^]'"; then ok "$(titles keys)"; else fail "sort not on COMM: $(titles keys)"; fi

check "F3 searches: the selection goes to the match, the other rows stay; k names it"
# sorted by COMM ascending: sleep comes last, after thp
tmx send-keys -t keys F3
wait_screen keys 5 'Search \(F3: next\): *$' || fail_screen keys "no empty search prompt"
tmx send-keys -t keys s l e e Enter
tmx send-keys -t keys k
if wait_screen keys 5 "Send which signal to $S \\(sleep\\)\\?" && screen keys | grep -Eq "^ *$P "; then
	ok "$(lastline keys)"
else
	fail_screen keys "the search did not select $S, or hid the others"
fi
tmx send-keys -t keys Escape
check "F3 again shows the last search, editable"
tmx send-keys -t keys F3
if wait_screen keys 5 'Search \(F3: next\): slee'; then ok "$(lastline keys)"; else fail_screen keys "the search text is not shown again"; fi
tmx send-keys -t keys Escape

check "F4 filters; the prompt edits: Left, Backspace, Home, End, Ctrl-U, Esc cancels"
tmx send-keys -t keys F4 h Z p Left BSpace Home t End
tmx send-keys -t keys -l "$$"
wait_screen keys 5 "^Filter \\(hide the rest\\): thp$$" || fail_screen keys "the prompt does not read thp$$"
tmx send-keys -t keys Enter
if poll_until 5 eval "! screen keys | grep -Eq '^ *$S '" && screen keys | grep -Eq "^ *$P .*thp$$" &&
   screen keys | grep -q "filter: thp$$"; then
	ok "only thp$$ rows"
else
	fail_screen keys "the filter did not keep thp$$ alone"
fi
tmx send-keys -t keys F4
wait_screen keys 5 "^Filter \\(hide the rest\\): thp$$ *\$" || fail_screen keys "reopened prompt does not show thp$$"
tmx send-keys -t keys C-u
wait_screen keys 5 "^Filter \\(hide the rest\\): *\$" || fail_screen keys "Ctrl-U did not clear"
tmx send-keys -t keys z z z Escape
if poll_until 5 eval "screen keys | grep -q 'filter: thp$$'" && screen keys | grep -Eq "^ *$P "; then
	ok "Esc: the filter thp$$ as before"
else
	fail_screen keys "Esc did not restore the filter"
fi
tmx send-keys -t keys Escape
poll_until 5 eval "screen keys | grep -Eq '^ *$S '" || fail "Esc in the list did not clear the filter"

# nice_becomes PID NI: the nice value of PID becomes NI (within 5 s)
nice_is() { [ "$(ps -o ni= -p "$1" | tr -d ' ')" = "$2" ]; }
nice_becomes() {
	if poll_until 5 nice_is "$1" "$2"; then
		ok "nice $2"
	else
		fail "nice is $(ps -o ni= -p "$1"), expected $2"
	fi
}

check "F8 and F7: nice +1 and back, after a prompt naming the task"
ni0=$(ps -o ni= -p "$S" | tr -d ' ')
tmx send-keys -t keys F3 C-u s l e e Enter
tmx send-keys -t keys F8
if wait_screen keys 5 "Set the nice value of $S \\(sleep\\) from $ni0 to $((ni0 + 1))\\? \\[y/N\\]"; then
	tmx send-keys -t keys y
	nice_becomes "$S" $((ni0 + 1))
else
	fail_screen keys "no nice prompt"
fi
if [ "$(id -u)" = 0 ]; then
	poll_until 5 eval "screen keys | grep -Eq '^ *$S +$((ni0 + 1)) '"
	tmx send-keys -t keys F7
	if wait_screen keys 5 "Set the nice value of $S \\(sleep\\) from $((ni0 + 1)) to $ni0\\?"; then
		tmx send-keys -t keys y
		nice_becomes "$S" "$ni0"
	else
		fail_screen keys "no nice prompt for F7"
	fi
else
	say "not root: F7 (nice -) not checked"
fi

check "F9 asks for the signal naming the task; the confirmation names it too"
tmx send-keys -t keys F9
wait_screen keys 5 "Send which signal to $S \\(sleep\\)\\?" || fail_screen keys "no signal prompt naming $S"
tmx send-keys -t keys T E R M Enter
if wait_screen keys 5 "Send signal 15 \\(Terminated\\) to $S \\(sleep\\)\\? \\[y/N\\]"; then ok "$(lastline keys)"; else fail_screen keys "confirmation"; fi
tmx send-keys -t keys y
if poll_until 10 gone "$S"; then ok "sleep $S ended"; else fail "sleep $S still there"; fi

check "K hides and shows kernel threads (shown at start with -p: named targets)"
tmx send-keys -t keys K
if wait_screen keys 5 "kernel threads hidden"; then ok "hidden"; else fail_screen keys "no message"; fi
tmx send-keys -t keys K
if wait_screen keys 5 "kernel threads shown"; then ok "shown"; else fail_screen keys "no message"; fi
tmx send-keys -t keys F10
{ wait_rc keys 10 && [ "$RC" = 0 ]; } || fail_screen keys "F10 did not quit with 0 (status '$RC')"

if [ "$(cat /proc/2/comm 2>/dev/null)" = kthreadd ]; then
	check "kernel threads hidden at start and counted in the header; K shows them"
	tui_start all 110 30 -d 1
	tmx send-keys -t all / k t h r e a d d Enter
	if wait_screen all 10 "kthreads? hidden \\(K\\)" && wait_screen all 5 "no task matches"; then
		tmx send-keys -t all K
		if wait_screen all 5 "^ +2 .*kthreadd"; then ok "kthreadd shown after K"; else fail_screen all "K did not show kthreadd"; fi
	else
		fail_screen all "kernel threads not hidden or not counted"
	fi
	tui_quit all 0
else
	say "PID 2 is not kthreadd here (a PID namespace?): K at start not checked"
fi

# ---- the column picker keeps the order ------------------------------------------------------
check "f: a column shown goes next to its neighbour, the order is kept; Left moves; W saves"
tui_start cols 110 30 -d 0.5 -p "$P" -o comm,pid
wait_screen cols 10 "^ *COMM" || { keep cols "$TS_TMP/cols.screen"; die "the view did not come up" "$TS_TMP/cols.screen"; }
# the picker lists the table: PID, TID, ...
tmx send-keys -t cols f Home Down Space
if wait_screen cols 5 "^Order: COMM PID TID *\$"; then ok "$(lastline cols)"; else fail "order after adding TID: $(lastline cols)"; fi
tmx send-keys -t cols Left Left
if wait_screen cols 5 "^Order: TID COMM PID *\$"; then ok "$(lastline cols)"; else fail "order after Left Left: $(lastline cols)"; fi
tmx send-keys -t cols Enter W
if poll_until 5 grep -qx 'columns = TID,COMM,PID' "$TUI_CONF" && wait_screen cols 5 "^ *TID +COMM +PID"; then
	ok "saved: $(grep '^columns' "$TUI_CONF")"
else
	keep cols "$TS_TMP/cols.screen"; fail "not saved in this order" "$TUI_CONF" "$TS_TMP/cols.screen"
fi
tui_quit cols 0

# ---- the maps panel: NAME takes the width left, elided in the middle ------------------------
check "m at 80 columns: the file name shown, elided in the middle; Right and Left scroll"
dir=$TS_TMP/a_rather_long_directory_name_for_this_test
mkdir -p "$dir"
cp "$(command -v sleep)" "$dir/sleeper_with_a_long_name_end$$"
"$dir/sleeper_with_a_long_name_end$$" 600 &
L=$!
track "$L"
tui_start maps 80 24 -d 1 -p "$L"
wait_screen maps 10 "^ *$L " || { keep maps "$TS_TMP/maps.screen"; die "the view did not come up" "$TS_TMP/maps.screen"; }
tmx send-keys -t maps m
if wait_screen maps 10 "^[0-9a-f]+ .* [^ ]*[~…][a-z_]*end$$\$"; then
	keep maps "$TS_TMP/maps.screen"
	longest=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$TS_TMP/maps.screen")
	if [ "$longest" -le 80 ] && grep -q "^ADDRESS .* NAME$" "$TS_TMP/maps.screen"; then
		ok "$(grep -m1 "end$$\$" "$TS_TMP/maps.screen")"
	else
		fail "lines wider than 80 or no NAME title" "$TS_TMP/maps.screen"
	fi
else
	fail_screen maps "the file name is not shown elided"
fi
tmx send-keys -t maps Right
if poll_until 5 eval "! screen maps | grep -q '^ADDRESS'"; then ok "Right scrolls"; else fail_screen maps "Right did not scroll"; fi
tmx send-keys -t maps Left
if wait_screen maps 5 "^ADDRESS"; then ok "Left scrolls back"; else fail_screen maps "Left did not scroll back"; fi
tui_quit maps 0

# ---- the selection follows its task when the list re-sorts ---------------------------------
check "the selection follows its task under a re-sort; k names it"
rm -f "$TUI_CONF"
start_workload --threads 1 --spin --name tsa$$
A=$WL_PID
start_workload --threads 1 --spin --name tsb$$
B=$WL_PID
kill -STOP "$B"
tui_start sel 110 30 -d 0.5 -p "$A,$B" -o pid,tid,pcpu,comm
first() { screen sel | awk '/^ +PID[v^]? +TID/ { getline; print $1; exit }'; }
wait_screen sel 10 "^ *$B " || { keep sel "$TS_TMP/sel.screen"; die "the view did not come up" "$TS_TMP/sel.screen"; }
# PCPU descending is the default sort; P again would reverse it
screen sel | grep -q 'PCPUv' || tmx send-keys -t sel P
poll_until 10 eval '[ "$(first)" = "$A" ]' || { keep sel "$TS_TMP/sel0.screen"; fail "$A is not first when sorted by CPU" "$TS_TMP/sel0.screen"; }
tmx send-keys -t sel Home
kill -STOP "$A"
kill -CONT "$B"
if poll_until 15 eval '[ "$(first)" = "$B" ]'; then
	tmx send-keys -t sel k
	if wait_screen sel 5 "Send which signal to $A \\(tsa$$\\)\\?"; then
		ok "$B now first; the prompt names $A: $(lastline sel)"
	else
		fail_screen sel "the prompt does not name $A"
	fi
	tmx send-keys -t sel Escape
else
	fail_screen sel "the list did not re-sort"
fi
kill -CONT "$A" "$B"
tui_quit sel 0

finish
