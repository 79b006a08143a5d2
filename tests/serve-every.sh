#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# serve-every.sh - taskscope serve --placement-every N: the thread sample (CPU, affinity) with
# every Nth sample, its last values served between (counted in samples, never in time)
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null 2>&1 || skip "curl not found (apt-get install curl)"

WL=ev$TS_RUN
WL=${WL:0:15}
start_workload --threads 3 --sleep --name "$WL"
NTHREADS=$(ls "/proc/$WL_PID/task" | wc -l)
ALLOWED=$(awk '/^Cpus_allowed_list:/ { n = 0; k = split($2, r, ","); for (i = 1; i <= k; i++) {
	if (split(r[i], ab, "-") == 2) n += ab[2] - ab[1] + 1; else n++ } print n }' "/proc/$WL_PID/status")

# val FILE SERIES: the value of the series (exact name and labels) in FILE
val() { awk -v s="$2" '$1 == s { print $2; f = 1 } END { exit !f }' "$1"; }
# placed FILE: the group's threads summed over its per-CPU series
placed() {
	awk -v p="taskscope_group_cpu_threads{group=\"$WL\"," 'index($1, p) == 1 { s += $2 }
		END { print s + 0 }' "$1"
}
# due_count SAMPLES N: thread samples in the first SAMPLES samples when the 1st, N+1th, ...
# take one
due_count() { echo $(((($1) - 1) / $2 + 1)); }

check "usage: --placement-every 0 and a word are refused"
for bad in 0 x; do
	ts bad serve --placement-every "$bad" -n 1
	expect_rc 2 "--placement-every $bad"
	grep -q "invalid --placement-every" "$ERR" || fail "no message naming the option" "$ERR"
done

check "--textfile -n 7 --placement-every 3: samples 1, 4 and 7 read the threads"
mkdir "$TS_TMP/tf"
ts tf serve --textfile "$TS_TMP/tf" -n 7 -d 0.1 --memory-every 0 --placement-every 3 -p "$WL_PID"
expect_rc 0 "serve --textfile --placement-every 3"
F=$TS_TMP/tf/taskscope.prom
s=$(val "$F" taskscope_samples_total) || fail "no taskscope_samples_total" "$F"
p=$(val "$F" taskscope_placement_samples_total) || fail "no taskscope_placement_samples_total" "$F"
[ "$s" = 7 ] && [ "$p" = 3 ] && ok "7 samples, 3 placement samples" ||
	fail "samples $s, placement samples $p (want 7 and 3)" "$F"
val "$F" taskscope_placement_sample_timestamp_seconds >/dev/null ||
	fail "no placement timestamp" "$F"

check "served between thread samples: every scrape has the last placement of the group"
ts_bg srv serve --listen 127.0.0.1:0 -d 0.1 --memory-every 0 --placement-every 3 -p "$WL_PID"
SPID=$TSPID
poll_until 20 grep -q '^taskscope serve: http://' "$OUT" ||
	die "taskscope serve did not announce its address" "$OUT" "$ERR"
SPORT=$(sed -n 's|^taskscope serve: http://127\.0\.0\.1:\([0-9]*\)/metrics$|\1|p' "$OUT")
[ -n "$SPORT" ] || die "no port in the announcement" "$OUT"
: >"$TS_TMP/seen"
bad=0
# scrape: one scrape checked; true once 10 samples or more were served
scrape() {
	local s p n a
	curl -sf -o "$TS_TMP/s.prom" "http://127.0.0.1:$SPORT/metrics" || return 1
	s=$(val "$TS_TMP/s.prom" taskscope_samples_total) || return 1
	p=$(val "$TS_TMP/s.prom" taskscope_placement_samples_total)
	n=$(placed "$TS_TMP/s.prom")
	a=$(val "$TS_TMP/s.prom" "taskscope_group_allowed_cpus{group=\"$WL\"}")
	echo "$s $p $n $a" >>"$TS_TMP/seen"
	if [ "$p" != "$(due_count "$s" 3)" ] || [ "$n" != "$NTHREADS" ] || [ "$a" != "$ALLOWED" ]; then
		[ "$bad" = 1 ] || cp "$TS_TMP/s.prom" "$TS_TMP/bad.prom"
		bad=1
	fi
	[ "$s" -ge 10 ]
}
poll_until 60 scrape || fail "fewer than 10 samples served" "$TS_TMP/seen" "$ERR"
stop "$SPID"
# samples that took no thread sample: 2, 3, 5, 6, 8, 9, ...
between=$(awk '$1 % 3 != 1' "$TS_TMP/seen" | wc -l)
[ "$between" -gt 0 ] || fail "no scrape fell between two thread samples" "$TS_TMP/seen"
if [ "$bad" = 0 ]; then
	ok "$(wc -l <"$TS_TMP/seen") scrapes ($between between thread samples): placement samples" \
		"1 + (samples - 1) / 3, $NTHREADS threads on CPUs, $ALLOWED allowed CPUs in each"
else
	fail "a scrape had the wrong placement count or lost the group's placement" \
		"$TS_TMP/seen" "$TS_TMP/bad.prom"
fi

finish
