#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# demo.sh - taskscope demo runs to its end and prints the five claims with the numbers it
# measured; without python3 on PATH it skips the Python part and says why; bad input.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need no_exit_leak_check

# claim_line FILE N: the evidence line of claim N ("   shown: ..." or "   not shown: ...")
claim_line() {
	awk -v n="$2" '$0 ~ "^" n "\\. " { getline; print; exit }' "$1"
}

# expect_claims FILE: the five claims, each with a verdict and a number
expect_claims() {
	local n line bad=0
	grep -q '^== The lesson, measured now ==$' "$1" || { fail "no lesson heading" "$1"; return; }
	for n in 1 2 3 4 5; do
		line=$(claim_line "$1" "$n")
		if [[ $line =~ ^\ \ \ (shown|not\ shown):\ .*[0-9] ]]; then
			ok "claim $n: ${line#   }"
		elif [[ $line =~ ^\ \ \ not\ shown:\ python3\ was\ not\ found ]]; then
			ok "claim $n: ${line#   }"
		else
			fail "claim $n has no verdict with a number: '$line'" "$1"
			bad=1
		fi
	done
	return $bad
}

# ---- bad input ---------------------------------------------------------------------------------

check "demo: bad input is a usage error (exit 2)"
expect_usage_errors demo "--bogus" "--workers 0" "--time 0" "extra"

# ---- the whole demo ------------------------------------------------------------------------------

check "demo with python3 on PATH: both parts, five claims, claims 1, 2 and 4 shown"
if [ -z "$PY" ]; then
	say "python3 not found: only the run without it below"
else
	pydir=$TS_TMP/pybin
	mkdir -p "$pydir" && ln -s "$PY" "$pydir/python3"
	t0=$(now_ms)
	# the C workers' run time scales with the load: the sampler must catch them while they run
	# the Python rounds times TS_SLOW: a loaded sampler may catch the threads side only
	# before its threads start (one run saw python3 with 1 kernel task)
	PATH=$pydir:$PATH ts full demo --time "$(ts_secs 0.5)" --rounds $((1500000 * TS_SLOW))
	took=$(($(now_ms) - t0))
	if expect_rc 0 "demo"; then
		say "demo took $took ms"
		grep -q 'kcmp could not compare' "$OUT" &&
			skip "kcmp(2) does not work here (seccomp or no CONFIG_KCMP): claims 1 and 2 cannot be shown"
		grep -q '^== C: ' "$OUT" && grep -q '^== Python: threading vs multiprocessing' "$OUT" ||
			fail "the two comparison tables are missing" "$OUT"
		expect_claims "$OUT"
		for n in 1 2 4; do
			line=$(claim_line "$OUT" "$n")
			[[ $line == "   shown: "* ]] && ok "claim $n shown" ||
				fail "claim $n not shown on this run: '$line'" "$OUT"
		done
		# claim 3 follows compare's rule: PSS within 10% of the threads' is "about the
		# same", so the claim cannot be shown on it
		r=$(sed -n '/^3\. /,/^4\. /s/^ *PSS .* (\([0-9.]*\)x),$/\1/p' "$OUT" | head -n1)
		line=$(claim_line "$OUT" 3)
		if [ -z "$r" ]; then
			fail "claim 3 gives no PSS ratio" "$OUT"
		elif awk -v r="$r" 'BEGIN { exit !(r < 1.10 && r > 1 / 1.10) }'; then
			[[ $line == "   not shown: "* ]] && ok "claim 3 not shown with PSS ${r}x (about the same)" ||
				fail "claim 3 shown with PSS only ${r}x: '$line'" "$OUT"
		else
			ok "claim 3 with PSS ${r}x: $line"
		fi
		# claim 1's numbers are those of the table: 2 workers + parent = 3 address spaces
		w=$(sed -n 's/.*, \([0-9]*\) workers on each side.*/\1/p' "$OUT")
		if grep -q "^   shown: $((w + 1)) processes (a parent and $w workers) had $((w + 1)) distinct address spaces" "$OUT"; then
			ok "claim 1 counts $((w + 1)) address spaces for $w worker processes and their parent"
		else
			fail "claim 1 does not count $((w + 1)) address spaces for $w workers" "$OUT"
		fi
		# claim 4: the TIDs it names are python3's tasks, one more than the workers
		line=$(sed -n '/^4\. /,/^5\. /p' "$OUT" | tr '\n' ' ')
		if [[ $line =~ process\ ([0-9]+)\ with\ ([0-9]+)\ kernel\ tasks ]] &&
		   [ "${BASH_REMATCH[2]}" -ge $((w + 1)) ]; then
			ok "claim 4: python3 process ${BASH_REMATCH[1]} had ${BASH_REMATCH[2]} kernel tasks"
		else
			fail "claim 4 does not name python3's tasks" "$OUT"
		fi
	fi
fi

check "demo without python3 on PATH: the Python part is skipped with the reason, demo exits 0"
nopy=$TS_TMP/nopybin
mkdir -p "$nopy"
for tool in sh bash cat env sleep ls timeout; do
	p=$(command -v "$tool") && ln -s "$p" "$nopy/$tool"
done
PATH=$nopy ts nopython demo --time 0.5
if expect_rc 0 "demo without python3"; then
	if grep -q '^== Python: skipped: python3 was not found on PATH ==$' "$OUT"; then
		ok "the Python part says it was skipped because python3 is not on PATH"
	else
		fail "no skip line for the Python part" "$OUT"
	fi
	expect_claims "$OUT"
	line=$(claim_line "$OUT" 4)
	[ "$line" = "   not shown: python3 was not found on PATH" ] &&
		ok "claim 4 is not shown, with the reason" || fail "claim 4: '$line'" "$OUT"
	grep -q 'CPython not measured: python3 was not found on PATH' "$OUT" &&
		ok "claim 5 says CPython was not measured" || fail "claim 5 without CPython" "$OUT"
fi

check "demo on one CPU (taskset): claim 5 is not shown, with the reason; the rest runs"
if ! command -v taskset >/dev/null 2>&1; then
	say "taskset not found (util-linux): the one-CPU run is left out"
else
	OUT=$TS_TMP/onecpu.out
	ERR=$TS_TMP/onecpu.err
	timeout -k 5 $((60 * TS_SLOW)) taskset -c 0 "$TASKSCOPE" demo --time "$(ts_secs 0.3)" --rounds 100000 >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	if expect_rc 0 "demo on CPU 0 only"; then
		grep -q '^(1 CPU usable, ' "$OUT" && ok "it says 1 CPU is usable" ||
			fail "no '1 CPU usable' line" "$OUT"
		line=$(claim_line "$OUT" 5)
		[ "$line" = "   not shown: taskscope may use one CPU only: nothing runs in parallel here" ] &&
			ok "claim 5: ${line#   }" || fail "claim 5 on one CPU: '$line'" "$OUT"
		line=$(claim_line "$OUT" 1)
		[[ $line == "   shown: "* ]] && ok "claim 1 is still shown" || fail "claim 1: '$line'" "$OUT"
	fi
fi

finish
