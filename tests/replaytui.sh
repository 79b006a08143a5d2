#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# replaytui.sh - taskscope replay FILE in tmux: the full-screen view over a recorded job that
# grows by 48M and starts a named thread between two known samples; ] and [ step to those
# samples and back, g goes to a time, } and { a minute, Space plays (+ faster: x8) to the end;
# the header says "replay", the recorded time and sample, and the memory's age. With --from
# and --to, the view opens at --from, never goes past --to, and says the range.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
lib=$(dirname "$0")/lib.sh
[ -r "$lib" ] || lib=${top_srcdir:-.}/tests/lib.sh
. "$lib" || exit 99
. "$(dirname "$lib")/tuilib.sh" || exit 99

need_python
command -v sqlite3 >/dev/null || skip "the sqlite3 command line is not installed (apt-get install sqlite3)"
"$PY" -c 'import threading; threading.get_native_id' 2>/dev/null || skip "python3 before 3.8 (no thread native IDs)"
export XDG_CONFIG_HOME=$TS_TMP/config

d=$TS_TMP
job=ttj$$
worker=ttw$$
ln -s "$(command -v "$PY")" "$d/$job" || die "cannot link python"
cat >"$d/job.py" <<'PY'
import ctypes, os, sys, threading, time
d, wname = sys.argv[1], sys.argv[2]
from tsjob import Phases
wait_for, mark = Phases(d).wait_for, Phases(d).mark
mark("phase1", "%f" % time.time())
wait_for("go")
big = bytearray(48 << 20)
for i in range(0, len(big), 4096):
    big[i] = 1
ids = {}
stop = threading.Event()
def worker():
    ctypes.CDLL(None).prctl(15, wname.encode(), 0, 0, 0)
    ids["w"] = threading.get_native_id()
    stop.wait()
t = threading.Thread(target=worker)
t.start()
while "w" not in ids:
    time.sleep(0.01)
mark("phase2", "%f %d" % (time.time(), ids["w"]))
wait_for("end")
stop.set()
t.join()
PY

db=$d/job.db
ts_bg record record -o "$db" -d 0.2 --memory-every 1 -- "$d/$job" "$d/job.py" "$d" "$worker"

# the position (1, 2, ...) of the Nth sample (default 1st) later than a time
after() {
	sqlite3 -readonly "$db" "SELECT (SELECT count(*) FROM samples s2 WHERE s2.seq <= s.seq)
		FROM samples s WHERE time > $1 ORDER BY time LIMIT 1 OFFSET $((${2:-1} - 1))" \
		2>/dev/null | grep -E '^[0-9]+$'
}
poll_until 30 test -e "$d/phase1" || die "the job did not reach phase 1" "$ERR"
read -r m1 <"$d/phase1"
poll_until 60 after "$m1" 2 >/dev/null || die "no samples after phase 1" "$ERR"
k1=$(after "$m1" 2)
touch "$d/go"
poll_until 30 test -e "$d/phase2" || die "the job did not reach phase 2" "$ERR"
read -r m2 wtid <"$d/phase2"
# a thread started before the marker is in the second sample after it
poll_until 60 after "$m2" 2 >/dev/null || die "no second sample after phase 2" "$ERR"
k2=$(after "$m2" 2)
# more samples than the view keeps for stepping back (32): going back to phase 1 from the
# end reads the recording again from its start
poll_until 120 after "$m2" 40 >/dev/null || die "no 40 samples after phase 2" "$ERR"
touch "$d/end"
ts_wait 60
[ "$RC" = 0 ] || die "record exited with $RC" "$ERR"
n=$(sqlite3 -readonly "$db" "SELECT count(*) FROM samples")
say "samples: $n; phase 1 at sample $k1, phase 2 at sample $k2 (thread $wtid)"
[ "$k2" -gt "$k1" ] || die "phase 2's sample $k2 is not after phase 1's $k1"

# the recorded time (local HH:MM:SS) of sample K
clock_of() {
	sqlite3 -readonly "$db" "SELECT strftime('%H:%M:%S', time, 'unixepoch', 'localtime')
		FROM samples ORDER BY seq LIMIT 1 OFFSET $(($1 - 1))"
}

tui_start rp 160 40 replay -o PID,TID,RSS,PSS,COMM "$db"
if wait_screen rp 15 "^replay .* sample 1/$n "; then
	ok "the view opens at sample 1 of $n"
else
	keep rp "$TS_TMP/open.screen"
	die "the view did not come up at sample 1" "$TS_TMP/open.screen"
fi

check "the header: replay, the recorded time, the job, the memory's age"
c1=$(clock_of 1)
if screen rp | grep -qE "^replay [0-9-]+ $c1 .*memory of [0-9:]+ \([0-9.]+s old\).* job: .*$job"; then
	ok "recorded time $c1, the job, the memory's age"
else
	keep rp "$TS_TMP/header.screen"
	fail "the header lacks the recorded time $c1, the job or the memory's age" "$TS_TMP/header.screen"
fi

# rss_of: the RSS column (bytes, from its unit) of the job's process row
rss_of() {
	screen rp | awk -v j="$job" '$2 == $1 && $NF ~ j {
		v = $3; u = substr(v, length(v)); n = v + 0
		m = u == "K" ? 1024 : u == "M" ? 1048576 : u == "G" ? 1073741824 : 1
		printf "%d\n", n * m; exit }'
}
# goto K: ] pressed until sample K is shown (from a lower one)
goto_fwd() {
	local cur
	cur=$(screen rp | sed -nE 's/^replay .* sample ([0-9]+)\/.*/\1/p')
	while [ "$cur" -lt "$1" ]; do
		tmx send-keys -t rp ']'
		cur=$((cur + 1))
	done
	wait_screen rp 10 "^replay .* sample $1/$n "
}

check "] steps to phase 1's sample: the job without its thread, RSS under 48M"
if goto_fwd "$k1"; then ok "sample $k1 shown, at $(clock_of "$k1")"; else keep rp "$TS_TMP/k1.screen"; fail "] did not reach sample $k1" "$TS_TMP/k1.screen"; fi
if screen rp | grep -qE "^replay [0-9-]+ $(clock_of "$k1") "; then ok "its recorded time"; else fail "not the recorded time $(clock_of "$k1")"; fi
if screen rp | grep -qE " $worker\$"; then fail "the thread $worker is shown before it started"; else ok "no thread $worker"; fi
r1=$(rss_of)
if [ -n "$r1" ] && [ "$r1" -lt $((48 << 20)) ]; then ok "RSS $r1 bytes"; else keep rp "$TS_TMP/k1rss.screen"; fail "RSS '$r1' at phase 1" "$TS_TMP/k1rss.screen"; fi

check "] steps on to phase 2's sample: the thread $wtid ($worker), RSS 48M more"
if goto_fwd "$k2"; then ok "sample $k2 shown"; else keep rp "$TS_TMP/k2.screen"; fail "] did not reach sample $k2" "$TS_TMP/k2.screen"; fi
if screen rp | grep -qE "^ *[0-9]+ +$wtid .* $worker\$"; then ok "thread $wtid $worker shown"; else keep rp "$TS_TMP/k2t.screen"; fail "no row of thread $wtid" "$TS_TMP/k2t.screen"; fi
r2=$(rss_of)
if [ -n "$r2" ] && [ -n "$r1" ] && [ "$r2" -ge $((r1 + (46 << 20))) ]; then ok "RSS $r2 bytes"; else keep rp "$TS_TMP/k2rss.screen"; fail "RSS '$r2' at phase 2 (phase 1: $r1)" "$TS_TMP/k2rss.screen"; fi

check "[ steps back: from phase 2's sample back to phase 1's, the thread gone again"
for ((i = k2; i > k1; i--)); do tmx send-keys -t rp '['; done
if wait_screen rp 10 "^replay .* sample $k1/$n "; then ok "sample $k1 again"; else keep rp "$TS_TMP/back.screen"; fail "[ did not go back to sample $k1" "$TS_TMP/back.screen"; fi
if screen rp | grep -qE " $worker\$"; then fail "the thread $worker is still shown at sample $k1"; else ok "no thread $worker"; fi
rb=$(rss_of)
if [ "$rb" = "$r1" ]; then ok "RSS as before ($rb)"; else fail "RSS $rb, was $r1 at the same sample"; fi

check "g goes to a time: phase 2's sample's second, the last sample at or before it"
c2=$(clock_of "$k2")
want=$(sqlite3 -readonly "$db" "SELECT count(*) FROM samples WHERE time <=
	(SELECT CAST(time AS INTEGER) FROM samples ORDER BY seq LIMIT 1 OFFSET $((k2 - 1)))")
[ "$want" -ge 1 ] || want=1
tmx send-keys -t rp g
wait_screen rp 5 "^Go to" || fail "g did not open its prompt"
tmx send-keys -t rp "$c2" Enter
if wait_screen rp 10 "^replay .* sample $want/$n "; then ok "g $c2: sample $want"; else keep rp "$TS_TMP/g.screen"; fail "g $c2 did not show sample $want" "$TS_TMP/g.screen"; fi
t2=$(sqlite3 -readonly "$db" "SELECT printf('%.6f', time + 0.0005) FROM samples ORDER BY seq LIMIT 1 OFFSET $((k2 - 1))")
tmx send-keys -t rp g "@$t2" Enter
if wait_screen rp 10 "^replay .* sample $k2/$n "; then ok "g @$t2: sample $k2"; else keep rp "$TS_TMP/g2.screen"; fail "g @$t2 did not show sample $k2" "$TS_TMP/g2.screen"; fi
back=$(sqlite3 -readonly "$db" "SELECT count(*) FROM samples WHERE time <= $t2 - 0.3")
[ "$back" -ge 1 ] || back=1
tmx send-keys -t rp g "-0.3s" Enter
if wait_screen rp 10 "^replay .* sample $back/$n "; then ok "g -0.3s: sample $back"; else keep rp "$TS_TMP/g3.screen"; fail "g -0.3s from sample $k2 did not show sample $back" "$TS_TMP/g3.screen"; fi
tmx send-keys -t rp g "-99h" Enter
if wait_screen rp 10 "outside the recording"; then ok "g -99h: outside the recording, said"; else fail "g -99h: nothing said"; fi

check "} goes a minute on (the last sample of this short recording), { a minute back"
tmx send-keys -t rp '}'
if wait_screen rp 10 "^replay .* sample $n/$n "; then ok "} to sample $n"; else fail "} did not reach the last sample"; fi
tmx send-keys -t rp '{'
if wait_screen rp 10 "^replay .* sample 1/$n "; then ok "{ to sample 1"; else fail "{ did not reach the first sample"; fi

check "Space plays (+ faster: x8) to the end of the recording and stops there"
tmx send-keys -t rp + + + ' '
if wait_screen rp 10 "^replay .* PLAYING x8 "; then ok "playing at x8"; else keep rp "$TS_TMP/play.screen"; fail "Space + + + did not play at x8" "$TS_TMP/play.screen"; fi
if wait_screen rp 60 "^replay .* sample $n/$n +PAUSED"; then ok "stopped at the last sample"; else keep rp "$TS_TMP/end.screen"; fail "play did not stop at the last sample" "$TS_TMP/end.screen"; fi

check "from the end back to phase 1's sample (beyond the samples kept: read again)"
t1=$(sqlite3 -readonly "$db" "SELECT printf('%.6f', time + 0.0005) FROM samples ORDER BY seq LIMIT 1 OFFSET $((k1 - 1))")
tmx send-keys -t rp g "@$t1" Enter
if wait_screen rp 10 "^replay .* sample $k1/$n "; then ok "g @$t1: sample $k1"; else keep rp "$TS_TMP/g4.screen"; fail "g @$t1 did not show sample $k1" "$TS_TMP/g4.screen"; fi
if screen rp | grep -qE " $worker\$"; then fail "the thread $worker is shown at sample $k1"; else ok "no thread $worker"; fi
rb=$(rss_of)
if [ "$rb" = "$r1" ]; then ok "RSS as before ($rb)"; else fail "RSS $rb, was $r1 at the same sample"; fi
tmx send-keys -t rp ']'
if wait_screen rp 10 "^replay .* sample $((k1 + 1))/$n "; then ok "] from there"; else fail "] after going back did not step on"; fi

check "live-only keys are refused in a replay; q quits with 0"
tmx send-keys -t rp k
if wait_screen rp 5 "not signalled or reniced"; then ok "k refused"; else fail "k not refused"; fi
tmx send-keys -t rp h
if wait_screen rp 5 "one sample back, forward"; then ok "h: the replay's keys in the help"; else fail "h: no replay keys in the help"; fi
tmx send-keys -t rp Escape q
if wait_rc rp 15 && [ "$RC" = 0 ]; then ok "exit status 0"; else fail "exit status '$RC'"; fi
check_sane rp "replay"

check "--from and --to: the view opens at --from (phase 1's sample), stays within --to (phase 2's), the header says the range"
f1=$(sqlite3 -readonly "$db" "SELECT printf('%.6f', time - 0.0005) FROM samples ORDER BY seq LIMIT 1 OFFSET $((k1 - 1))")
f2=$(sqlite3 -readonly "$db" "SELECT printf('%.6f', time + 0.0005) FROM samples ORDER BY seq LIMIT 1 OFFSET $((k2 - 1))")
m=$((k2 - k1 + 1))
c1=$(clock_of "$k1")
c2=$(clock_of "$k2")
tui_start rg 200 40 replay -o PID,TID,RSS,PSS,COMM --from "@$f1" --to "@$f2" "$db"
if wait_screen rg 15 "^replay [0-9-]+ $c1  sample 1/$m  range [0-9-]+ $c1 to $c2 "; then
	ok "sample 1/$m at $c1, the range $c1 to $c2"
else
	keep rg "$TS_TMP/range.screen"
	fail "the view did not open at --from with the range in the header" "$TS_TMP/range.screen"
fi
if screen rg | grep -qE " $worker\$"; then fail "the thread $worker is shown at --from (phase 1)"; else ok "no thread $worker at --from"; fi
tmx send-keys -t rg '}'
if wait_screen rg 10 "^replay [0-9-]+ $c2  sample $m/$m "; then ok "} stops at --to's sample ($c2)"; else keep rg "$TS_TMP/rangeend.screen"; fail "} did not stop at sample $m/$m" "$TS_TMP/rangeend.screen"; fi
if screen rg | grep -qE "^ *[0-9]+ +$wtid .* $worker\$"; then ok "thread $wtid shown at --to (phase 2)"; else fail "no thread $wtid at --to"; fi
tmx send-keys -t rg ']'
if wait_screen rg 10 "the last sample of the recording up to --to" && screen rg | grep -qE "^replay .* sample $m/$m "; then
	ok "] at --to: said, not past it"
else
	keep rg "$TS_TMP/rangepast.screen"
	fail "] went past --to or said nothing" "$TS_TMP/rangepast.screen"
fi
tmx send-keys -t rg ' '
if wait_screen rg 10 "the last sample of the recording up to --to: \[ or g"; then ok "Space at --to: not played past it"; else fail "Space at --to did not say so"; fi
tmx send-keys -t rg '{'
if wait_screen rg 10 "^replay [0-9-]+ $c1  sample 1/$m "; then ok "{ back to --from's sample"; else fail "{ did not go back to sample 1/$m"; fi
tmx send-keys -t rg '['
if wait_screen rg 10 "the first sample of the recording from --from"; then ok "[ at --from: said"; else fail "[ at --from said nothing"; fi
tmx send-keys -t rg q
if wait_rc rg 15 && [ "$RC" = 0 ]; then ok "exit status 0"; else fail "exit status '$RC'"; fi

check "an unreadable recording is named before any screen opens"
printf 'not a database' >"$d/bad.db"
tui_start bad 100 20 replay "$d/bad.db"
if wait_rc bad 15 && [ "$RC" = 1 ] && screen bad | grep -q "taskscope: replay: cannot read the recording"; then
	ok "exit 1, the reason said"
else
	keep bad "$TS_TMP/bad.screen"
	fail "exit '$RC' for a file that is not a recording" "$TS_TMP/bad.screen"
fi
finish
