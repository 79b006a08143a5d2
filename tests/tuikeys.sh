#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tuikeys.sh - the full-screen view's keys in tmux: sort (N, P, <, >), filter (/), column
# picker (f), delay (d), pause (p), a signal through a pidfd (k), settings saved with W
# and read at the next start, a malformed settings file, and keys answered while the
# sampler is busy with thousands of threads.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need tui


start_workload --threads 2 --sleep --name tsalpha
A=$WL_PID
start_workload --threads 1 --spin --name tsbeta --duration 900
B=$WL_PID
lo=$((A < B ? A : B))
hi=$((A < B ? B : A))

tui_start keys 100 30 -d 0.5 -p "$A,$B" -o pid,tid,pcpu,time,comm
wait_screen keys 10 "^ *$B +$B " || { keep keys "$TS_TMP/keys.screen"; die "the view did not come up" "$TS_TMP/keys.screen"; }

# first_pid: the PID of the first task row (the line after the column titles)
first_pid() { screen keys | awk '/^ +PID[v^]? +TID/ { getline; print $1; exit }'; }
titles() { screen keys | grep -m1 -E '^ +PID[v^]? +TID'; }

check "N sorts by PID ascending, N again descending"
tmx send-keys -t keys N
if poll_until 5 eval '[ "$(first_pid)" = "$lo" ]'; then ok "first row $lo"; else keep keys "$TS_TMP/n.screen"; fail "first row $(first_pid), expected $lo" "$TS_TMP/n.screen"; fi
tmx send-keys -t keys N
if poll_until 5 eval '[ "$(first_pid)" = "$hi" ]'; then ok "first row $hi"; else fail "first row $(first_pid), expected $hi"; fi

check "Enter hides the threads of the selected process, Enter again shows them"
# sorted by PID descending: the selection (first row) is the process $hi
nrows() { screen keys | grep -cE "^ *$hi "; }
tmx send-keys -t keys Home Enter
if poll_until 5 eval '[ "$(nrows)" = 1 ]'; then ok "one row for $hi"; else fail "$(nrows) rows for $hi after Enter"; fi
tmx send-keys -t keys Enter
if poll_until 5 eval '[ "$(nrows)" -gt 1 ]'; then ok "$(nrows) rows for $hi again"; else fail "threads of $hi not shown again"; fi

check "P sorts by CPU use: the spinning workload $B first"
tmx send-keys -t keys P
if poll_until 10 eval '[ "$(first_pid)" = "$B" ]' && titles | grep -q 'PCPUv'; then
	ok "first row $B, PCPU marked descending"
else
	fail_screen keys "first row $(first_pid)"
fi

check "< and > move the sort column"
tmx send-keys -t keys '<'
if poll_until 5 eval "titles | grep -q 'TIDv\\|TID^'"; then ok "$(titles)"; else fail "sort mark not on TID: $(titles)"; fi
tmx send-keys -t keys '>'
if poll_until 5 eval "titles | grep -q 'PCPU[v^]'"; then ok "back on PCPU"; else fail "sort mark not on PCPU: $(titles)"; fi

check "/ filters by name as typed; Esc clears the filter"
tmx send-keys -t keys / t s b e Enter
if poll_until 5 eval "! screen keys | grep -Eq '^ *$A '" && screen keys | grep -Eq "^ *$B "; then
	ok "only tsbeta's rows"
else
	fail_screen keys "the filter did not keep tsbeta alone"
fi
tmx send-keys -t keys Escape
if poll_until 5 eval "screen keys | grep -Eq '^ *$A '"; then ok "both again"; else fail "Esc did not clear the filter"; fi

check "d sets the delay, p pauses"
tmx send-keys -t keys d 2 Enter
if wait_screen keys 5 "delay 2.0s"; then ok "delay 2.0s"; else fail "delay not shown as 2.0s"; fi
tmx send-keys -t keys p
if wait_screen keys 5 "PAUSED"; then ok "PAUSED"; else fail "no PAUSED"; fi
tmx send-keys -t keys p d 0 . 5 Enter

check "f picks columns: STATE shown after Space on it"
tmx send-keys -t keys f
wait_screen keys 5 "^Columns:" || fail "no column picker"
# the picker lists the columns in table order: PID TID PPID USER STATE
tmx send-keys -t keys Down Down Down Down Space Enter
if poll_until 5 eval "titles | grep -q 'STATE'"; then ok "$(titles)"; else fail "no STATE column: $(titles)"; fi

check "W saves the settings; the next start reads them"
tmx send-keys -t keys W
if poll_until 5 test -s "$TUI_CONF" && grep -qx 'columns = PID,TID,STATE,PCPU,TIME,COMM' "$TUI_CONF" &&
   grep -qx 'sort = PCPU' "$TUI_CONF" && grep -qx 'delay = 0.5' "$TUI_CONF"; then
	ok "$(grep -v '^#' "$TUI_CONF" | tr '\n' ' ')"
else
	keep keys "$TS_TMP/w.screen"
	fail "settings file not as expected" "$TUI_CONF" "$TS_TMP/w.screen"
fi

check "k sends a signal through a pidfd after asking which and a confirmation"
tmx send-keys -t keys / t s b e Enter
poll_until 5 eval '[ "$(first_pid)" = "$B" ]' || fail "tsbeta is not the first row"
tmx send-keys -t keys k
wait_screen keys 5 "Send which signal to $B " || fail "no signal prompt"
tmx send-keys -t keys T E R M Enter
wait_screen keys 5 "Send signal 15 .* to $B \\(tsbeta\\)\\?" || fail "no confirmation for PID $B"
tmx send-keys -t keys y
if poll_until 10 gone "$B" && wait_screen keys 5 "sent signal 15"; then
	ok "workload $B ended after SIGTERM; message shown"
else
	fail_screen keys "workload $B still there or no message"
fi
tui_quit keys

tui_start again 100 30 -p "$A"
check "a new start uses the saved columns, sort and delay"
if wait_screen again 10 "^ *$A +$A " && titles_again=$(screen again | grep -m1 -E '^ +PID[v^]? +TID') &&
   [[ $titles_again == *STATE*PCPUv*TIME*COMM* ]] && screen again | grep -q "delay 0.5s"; then
	ok "$titles_again"
else
	fail_screen again "settings not used"
fi
tmx send-keys -t again q
wait_rc again 10

check "a malformed settings file: a warning, and the defaults"
printf 'columns = PID,NOSUCH\n' >"$TUI_CONF"
tui_start bad 100 30 -p "$A"
if wait_screen bad 10 "ignoring the settings file .*line 1" &&
   screen bad | grep -Eq '^ +PID +TID +USER +PRI +NI +STATE +CPU +PCPU'; then
	ok "warning shown, default columns"
else
	fail_screen bad "no warning or not the defaults"
fi
tmx send-keys -t bad q
wait_rc bad 10
rm -f "$TUI_CONF"

# ---- keys while the sampler is busy ----------------------------------------------------------
# 2 x 1500 sleeping threads, the flat thread list of everything, no delay to speak of: the
# sampler thread is busy all the time; the keys must still be answered at once (the UI
# does not wait for a sample).
start_workload --threads 1500 --sleep
start_workload --threads 1500 --sleep
tui_start busy 160 30 -d 0.1 -H	# wide: the header line grows with the counts
check "keys answered while the sampler is busy (3,000+ threads, -d 0.1, thread list)"
if wait_screen busy 20 "sampled in [0-9]+ ms"; then
	sleep 1
	took=$(screen busy | sed -nE 's/.*sampled in ([0-9]+) ms.*/\1/p' | head -n1)
	worst=0
	for i in 1 2 3 4 5; do
		t0=$(now_ms)
		tmx send-keys -t busy '?'
		wait_screen busy 5 "Help: every key" || { fail "no help"; break; }
		t1=$(now_ms)
		tmx send-keys -t busy Escape
		wait_screen busy 5 "view threads" || { fail "Esc did not return"; break; }
		t2=$(now_ms)
		for d in $((t1 - t0)) $((t2 - t1)); do [ "$d" -gt "$worst" ] && worst=$d; done
	done
	say "a sample takes ${took} ms; the slowest of 10 key answers (tmux round trip and 50 ms polling included): ${worst} ms"
	if [ "$worst" -lt $((1000 * TS_SLOW)) ]; then
		ok "slowest answer ${worst} ms (sample ${took} ms)"
	else
		fail "a key took ${worst} ms"
	fi
else
	fail_screen busy "the view did not come up"
fi
tmx send-keys -t busy q
wait_rc busy 10

finish
