#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# compare.sh - taskscope compare on live workloads: N threads vs N processes of the built-in
# workload (address spaces by kcmp, PSS, B/A recomputed from the JSON sides), two shell
# command lines (both exit statuses), two running groups (-p twice), and bad input.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need python no_exit_leak_check

# the JSON expressions' A and B: the two sides' metrics
JSON_DEFS='A = d["sides"][0]["metrics"]; B = d["sides"][1]["metrics"]'

# ---- bad input -------------------------------------------------------------------------------

check "bad input: usage errors exit 2, a PID that does not exist exits 1, each with a message"
expect_usage_errors compare "--bogus" "--workers 0" "--workers x" "one-command-only" "-p 1" \
	    "--workers 2 -p 1 -p 1" "--mem 4M a b" ""
nopid=$(free_pid) || die "no free PID found"
expect_no_such_pid nopid "$nopid" compare -p "$nopid" -p $$

# ---- --workers 3: threads vs processes ----------------------------------------------------------

check "compare --workers 3 (JSON): 1 address space vs 4 (3 workers + their parent), PSS B > A"
# the run times are scaled with the load: the sampler must catch the workers while they run
t6=$(ts_secs 0.6)
ts workers compare --workers 3 --mem 1M --shared 4M -t "$t6" --sleep -J
if expect_rc 0 "compare --workers 3 -J"; then
	cp "$OUT" "$TS_TMP/workers.json"
	if [ "$(json_q "$OUT" 'A["address_spaces"] is None and B["address_spaces"] is None')" = True ]; then
		skip "kcmp(2) does not work here (seccomp or no CONFIG_KCMP): address spaces cannot be counted"
	fi
	expect_json "$OUT" '(A["processes"], A["threads"], A["address_spaces"])' "(1, 4, 1)" \
		"side A: one process of 4 tasks (main + 3 workers), one address space"
	expect_json "$OUT" '(B["processes"], B["threads"], B["address_spaces"])' "(4, 4, 4)" \
		"side B: the parent and 3 worker processes, 4 address spaces"
	expect_json "$OUT" '[A[k] for k in ("fd_tables", "fs_structs", "sighand_tables")]' "[1, 1, 1]" \
		"the threads share one fd table, fs and signal handler table"
	expect_json "$OUT" '[B[k] for k in ("fd_tables", "fs_structs", "sighand_tables")]' "[4, 4, 4]" \
		"every process has its own"
	# the sides run one after the other, and the pages of taskscope and its libraries count
	# in PSS divided by how many processes map them: other test runs' taskscope processes
	# come and go between the sides and move both sums by about the margin; once more then
	pssf=$OUT
	if [ "$(json_q "$OUT" 'B["pss_sum_peak"] > A["pss_sum_peak"] > 0')" != True ]; then
		say "PSS sum B <= A on the first run: running it once more (other runs share the libraries' pages; $(load_line))"
		wout=$OUT
		ts workers2 compare --workers 3 --mem 1M --shared 4M -t "$t6" --sleep -J
		pssf=$OUT
		OUT=$wout
	fi
	# an ASan build's workload carries ASan's shadow and per-thread allocator caches: its
	# threads' PSS comes within 3% of the processes' (19.2 vs 19.8 MB here), closer than
	# other runs' taskscope processes move it; there only both sums are checked
	if nm "$TASKSCOPE" 2>/dev/null | grep -q __asan_init; then
		expect_json "$pssf" 'B["pss_sum_peak"] > 0 and A["pss_sum_peak"] > 0' True \
			"both PSS sums measured (ASan build: their order is ASan's, not the workload's)"
	else
		expect_json "$pssf" 'B["pss_sum_peak"] > A["pss_sum_peak"] > 0' True \
			"the processes' PSS sum is above the threads'"
	fi
	expect_json "$OUT" 'B["page_tables_peak"] > A["page_tables_peak"] > 0' True \
		"the processes' page tables are above the threads'"
	expect_json "$OUT" 'B["rss_sum_peak"] > B["pss_sum_peak"]' True \
		"the naive RSS sum of the processes counts their shared pages again: above their PSS"
	expect_json "$OUT" '(A["exit_status"], B["exit_status"])' "(0, 0)" "both workloads exited 0"
	expect_json "$OUT" '0 < A["workers_ready"] < A["wall"] and 0 < B["workers_ready"] < B["wall"]' True \
		"the ready time is measured and inside the run"
	expect_json "$OUT" "A[\"wall\"] >= $t6 and B[\"wall\"] >= $t6" True "each side ran its -t $t6 s at least"
	# B/A as the JSON gives it must be B / A of the sides, for every metric
	got=$("$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
A = d["sides"][0]["metrics"]; B = d["sides"][1]["metrics"]; bad = []; n = 0
for k, r in d["b_over_a"].items():
    a, b = A[k], B[k]
    if a is None or b is None or a == 0:
        if r is not None: bad.append("%s: %r, expected null" % (k, r))
        continue
    n += 1
    if r is None or abs(r - b / a) > 1e-6 * max(1, abs(b / a)):
        bad.append("%s: %r, B/A is %r" % (k, r, b / a))
print("%d ratios checked" % n if not bad else "; ".join(bad))' "$OUT" 2>&1)
	if [[ $got =~ ^([0-9]+)\ ratios\ checked$ ]] && [ "${BASH_REMATCH[1]}" -ge 20 ]; then
		ok "b_over_a equals B / A of the sides: $got"
	else
		fail "b_over_a differs from B / A: $got" "$OUT"
	fi
	expect_json "$OUT" 'any("had" in s and "address spaces" in s and "4 vs 1" in s for s in d["summary"])' True \
		"the plain words say B had the address spaces, 4 vs 1"
fi

check "compare --workers 2 (table): rows and B/A as text"
ts table compare --workers 2 --mem 1M --shared 1M -t "$(ts_secs 0.3)" --sleep
if expect_rc 0 "compare --workers 2 --sleep"; then
	if grep -Eq '^address spaces \(kcmp VM\) +1 +3 +3\.00x$' "$OUT" &&
	   grep -Eq '^exit status +0 +0 +-$' "$OUT" && grep -q '^PSS sum, peak ' "$OUT" &&
	   grep -q '^B (2 processes) had 3.00x the address spaces of A: 3 vs 1\.$' "$OUT"; then
		ok "address spaces 1 vs 3 (3.00x), exit statuses, PSS row, plain words"
	else
		fail "the table lacks the expected rows" "$OUT" "$ERR"
	fi
	if grep -q '^ready ' "$OUT"; then
		fail "the workload's ready line leaked into the report" "$OUT"
	fi
fi

# ---- two command lines ---------------------------------------------------------------------------

work='i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done'
check "compare of two shell command lines returns both exit statuses"
ts cmds compare -J "$work; echo on-stdout; exit 3" "sleep 0.2; $work; exit 5"
if expect_rc 0 "compare of two commands (their statuses are data, not taskscope's)"; then
	expect_json "$OUT" '(A["exit_status"], B["exit_status"])' "(3, 5)" "exit statuses 3 and 5"
	expect_json "$OUT" 'B["wall"] >= 0.2 and A["cpu_user"] + A["cpu_system"] > 0' True \
		"B's wall time includes its sleep; A's loop used CPU"
	expect_json "$OUT" 'd["mode"]' commands "mode"
	if grep -q '^on-stdout$' "$ERR" && ! grep -q '^on-stdout$' "$OUT"; then
		ok "the commands' stdout went to stderr, not into the JSON"
	else
		fail "the commands' stdout should go to stderr" "$OUT" "$ERR"
	fi
fi
ts cmdtable compare "exit 3" "sleep 0.1; kill -9 \$\$"
if expect_rc 0 "compare 'exit 3' 'kill -9 self'" &&
   grep -Eq '^exit status +3 +137 \(signal 9\) +-$' "$OUT"; then
	ok "the table shows 3 and 137 (signal 9)"
else
	fail "exit status row" "$OUT" "$ERR"
fi
# side A ran no task that a sample saw: the footnote for "-" names its rows and side,
# starting with the first row where A has "-"
row=$(awk '/^METRIC/ { on = 1; next } on && NF >= 4 && $(NF - 2) == "-" {
	$NF = ""; $(NF - 1) = ""; $(NF - 2) = ""; sub(/ +$/, ""); print; exit }' "$OUT")
if [ -n "$row" ] && grep -qF "    in $row (A" "$OUT"; then
	ok "the '-' footnote names the rows and the side it explains: $row (A..."
else
	fail "no footnote naming '$row (A)'" "$OUT"
fi

# ---- a launcher script: the work is python3's, the wrapper is left out ----
check "compare through a wrapper script around python3: the wrapper is a launcher, not the workload"
# the interpreter itself (a python3 on PATH may be a launcher already, as pyenv's shims)
py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || true)
tp=$top_srcdir/examples/python/threads.py
[ -r "$tp" ] || tp=$(dirname "$0")/../examples/python/threads.py
if [ -z "$py" ] || [ ! -r "$tp" ]; then
	say "skipped: no python3 or no examples/python/threads.py"
else
	wrap=$TS_TMP/py-wrap$$
	# a wrapper as pyenv's shims: it runs python3 and waits (no exec), then exits with it
	printf '#!/bin/sh\n"%s" "$@"\nexit $?\n' "$py" >"$wrap"
	chmod +x "$wrap"
	# long enough for samples after the wrapper's child became python: 3 million rounds
	# (about 0.4 s here when quiet) times TS_SLOW, as a loaded sampler may take one sample
	# in 0.4 s (one such run saw only the wrapper and its fork before the exec)
	n=$((3000000 * TS_SLOW))
	ts wrapped compare -J "$wrap $tp 2 $n" "$py $tp 2 $n"
	if expect_rc 0 "compare through a wrapper"; then
		expect_json "$OUT" '(A["processes"], A["address_spaces"], B["processes"], B["address_spaces"])' \
			"(1, 1, 1, 1)" "threads.py is one process, one address space on both sides"
		expect_json "$OUT" 'd["sides"][0]["launchers"] >= 1 and d["sides"][0]["work"].startswith("python")' True \
			"side A's wrapper counted as a launcher, the work python's"
	fi
fi

# ---- two running groups --------------------------------------------------------------------------

check "compare -p with two running groups: each PID with its threads and descendants"
start_workload --threads 2 --duration 300
tpid=$WL_PID
start_workload --procs 2 --duration 300
ppid=$WL_PID
ts groups compare -J -t 0.5 -p "$tpid" -p "$ppid"
if expect_rc 0 "compare -p $tpid -p $ppid"; then
	expect_json "$OUT" '(A["processes"], A["threads"], A["address_spaces"])' "(1, 3, 1)" \
		"group A: 1 process, 3 tasks, 1 address space"
	expect_json "$OUT" '(B["processes"], B["threads"], B["address_spaces"])' "(3, 3, 3)" \
		"group B: the parent and its 2 children, 3 address spaces"
	expect_json "$OUT" '(A["exit_status"], A["last_task_started"], d["mode"])' "(None, None, 'pids')" \
		"no exit status or start-up for groups that were not spawned"
	expect_json "$OUT" '0.5 <= A["wall"] < 5' True "watched for -t 0.5 s"
fi
name=tscmp$$
start_workload --threads 1 --name "$name" --duration 300
npid=$WL_PID
ts gtable compare -t 0.3 -p "$npid" -p "$ppid"
if expect_rc 0 "compare -p $npid -p $ppid (table)"; then
	if grep -qx "A: $name (PID $npid and descendants)" "$OUT"; then
		ok "side A is labelled by its command: $(head -n1 "$OUT")"
	else
		fail "side A is not labelled 'A: $name (PID $npid and descendants)'" "$OUT"
	fi
	if grep -Eq '^(wall time|exit status|last task started after|all workers ready after) ' "$OUT"; then
		fail "a row about a run's start or end for watched groups" "$OUT"
	else
		ok "no start-up, wall time or exit status rows for watched groups"
	fi
fi
stop "$tpid" "$ppid" "$npid"

finish
