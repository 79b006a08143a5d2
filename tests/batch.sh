#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# batch.sh - batch tables: one header and one heading per sample, -o picks and orders columns,
# raw output, --bytes against /proc, ending when the targets are gone, --output-file, and a
# reader that goes away.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

# vmrss_bytes PID: VmRSS of the process, in bytes, from /proc/PID/status
vmrss_bytes() { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"; }

# within PCT A B: A and B differ by at most PCT % of B
within() { awk -v p="$1" -v a="$2" -v b="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d * 100 <= p * b) }'; }

# human_bytes SIZE: "17M" -> bytes (1024-based units, as taskscope prints them)
human_bytes() {
	awk -v s="$1" 'BEGIN { u = substr(s, length(s)); v = substr(s, 1, length(s) - 1)
		m = index("BKMGTPE", u); if (m == 0) exit 1
		printf "%.0f\n", v * 1024 ^ (m - 1) }'
}

start_workload --threads 2 --mem 16M
wl=$WL_PID

# ---- headers and headings -------------------------------------------------------------------

check "-b -n 2 -d 0.2: exactly 2 samples, each a 'taskscope HH:MM:SS' line, then the headings"
ts two -b -n 2 -d 0.2
if expect_rc 0 "-b -n 2 -d 0.2"; then
	heading=$(heading_of "$OUT")
	nh=$(grep -cE "$HDR" "$OUT")
	nhead=$(awk -v h="$heading" '{ $1 = $1 } $0 == h' "$OUT" | wc -l)
	# the line after each header is the heading
	nafter=$(awk -v h="$heading" -v re="$HDR" '$0 ~ re { getline; $1 = $1; if ($0 == h) n++ } END { print n + 0 }' "$OUT")
	if [ "$nh" -ne 2 ]; then
		fail "$nh header lines, expected 2" "$OUT"
	elif [[ ! $heading =~ ^PID\  ]]; then
		fail "the heading does not start with PID: '$heading'" "$OUT"
	elif [ "$nhead" -ne 2 ] || [ "$nafter" -ne 2 ]; then
		fail "$nhead heading lines ($nafter right after a header), expected 2" "$OUT"
	else
		ok "2 headers, 2 headings: $heading"
	fi

	check "each header's process count equals the rows of its table"
	bad=$(awk -v re="$HDR" '
		function close_table() { if (seen && rows != want) { bad++; printf "table %d: %d rows, header says %d\n", seen, rows, want > "/dev/stderr" } }
		$0 ~ re { close_table(); seen++; rows = 0
			  if (match($0, /: [0-9]+ process/)) want = substr($0, RSTART + 2, RLENGTH - 10) + 0
			  getline; next }
		/^  - / || /^$/ { next }
		{ rows++ }
		END { close_table(); print bad + 0 }' "$OUT" 2>"$TS_TMP/count.err")
	if [ "$bad" -ne 0 ]; then
		fail "row counts differ from the headers" "$TS_TMP/count.err" "$OUT"
	else
		ok "rows = processes in both samples"
	fi
fi

check "-n 3 -d 0.5 honours the delay (three samples take at least 1.4 s)"
ts delay -b -n 3 -d 0.5 -p "$wl"
if expect_rc 0 "-n 3 -d 0.5" && expect_tables 3 samples "$OUT"; then
	expect_between "$ELAPSED_MS" 1400 "" "3 samples in $ELAPSED_MS ms" \
		"3 samples 0.5 s apart took only $ELAPSED_MS ms" "$OUT"
fi

check "-H -p WORKLOAD: the header counts 1 process and its threads (/proc/PID/task), one row each"
ts threads -b -n 1 -d 0.1 -H -p "$wl"
if expect_rc 0 "-H -p $wl"; then
	rows=$(last_table "$OUT" | wc -l)
	ntask=$(ls "/proc/$wl/task" | wc -l)
	if ! grep -qE "$HDR.*: 1 process, $ntask threads" "$OUT"; then
		fail "the header does not say '1 process, $ntask threads' (/proc/$wl/task has $ntask)" "$OUT"
	elif [ "$rows" -ne "$ntask" ]; then
		fail "$rows rows, /proc/$wl/task has $ntask" "$OUT"
	else
		ok "1 process, $ntask threads, $rows rows"
	fi
fi

# ---- -o ---------------------------------------------------------------------------------------

check "-o pid,tid,comm has exactly those headings, in that order"
ts cols -b -n 1 -d 0.1 -p "$wl" -o pid,tid,comm
if expect_rc 0 "-o pid,tid,comm"; then
	got=$(heading_of "$OUT")
	row=$(last_table "$OUT")
	if [ "$got" != "PID TID COMM" ]; then
		fail "headings '$got', expected 'PID TID COMM'" "$OUT"
	elif ! awk -v p="$wl" -v c="$(cat "/proc/$wl/comm")" '$1 == p && $2 == p && $3 == c { f = 1 } END { exit !f }' <<<"$row"; then
		fail "the row is not '$wl $wl $(cat "/proc/$wl/comm")'" "$OUT"
	else
		ok "PID TID COMM: $row"
	fi
fi

check "-o COMM,PID keeps the order given"
ts cols2 -b -n 1 -d 0.1 -p "$wl" -o COMM,PID
if expect_rc 0 "-o COMM,PID"; then
	got=$(heading_of "$OUT")
	if [ "$got" != "COMM PID" ]; then
		fail "headings '$got', expected 'COMM PID'" "$OUT"
	else
		ok "COMM PID"
	fi
fi

check "-o +CMD appends CMD to the default columns; CMD is the process's command line"
ts defaults -b -n 1 -d 0.1 -p "$wl"
def=$(heading_of "$OUT")
ts plus -b -n 1 -d 0.1 -p "$wl" -o +CMD
if expect_rc 0 "-o +CMD"; then
	got=$(heading_of "$OUT")
	cmdline=$(tr '\0' ' ' <"/proc/$wl/cmdline" | sed 's/ $//')
	if [ -z "$def" ] || [ "$got" != "$def CMD" ]; then
		fail "headings '$got', expected the defaults '$def' then CMD" "$TS_TMP/defaults.out" "$OUT"
	elif [[ $(last_table "$OUT") != *" $cmdline" ]]; then
		fail "the row does not end with the command line '$cmdline'" "$OUT"
	else
		ok "$got"
	fi
fi

# ---- raw ----------------------------------------------------------------------------------------

check "-r: no header line; the heading first; every row has as many fields as the heading"
ts raw -r -n 1 -d 0.1 -H -o +cmd,affinity
if expect_rc 0 "-r"; then
	first=$(head -n 1 "$OUT")
	nf=$(awk 'NR == 1 { print NF }' "$OUT")
	badrows=$(awk -v n="$nf" 'NF != n' "$OUT" | wc -l)
	rows=$(($(wc -l <"$OUT") - 1))
	if grep -qE "$HDR" "$OUT"; then
		fail "raw output has a 'taskscope HH:MM:SS' header" "$OUT"
	elif [[ ! $first =~ ^PID\ TID\  ]] || [[ $first != *" CMD AFFINITY" ]]; then
		fail "the first line is not the heading: '$first'" "$OUT"
	elif [ "$rows" -lt 2 ]; then
		fail "raw output of all tasks has only $rows rows" "$OUT"
	elif [ "$badrows" -ne 0 ]; then
		awk -v n="$nf" 'NF != n' "$OUT" >"$TS_TMP/badrows"
		fail "$badrows of $rows rows do not have $nf fields (values with spaces not escaped?)" "$TS_TMP/badrows"
	elif grep -q '^  - ' "$OUT"; then
		fail "raw output has footnotes" "$OUT"
	else
		ok "$rows rows of $nf fields"
	fi
fi

# ---- sizes ----------------------------------------------------------------------------------------

check "--bytes: RSS is a plain integer within 5% of VmRSS from /proc/$wl/status"
before=$(vmrss_bytes "$wl")
ts bytes -b -n 1 -d 0.1 -p "$wl" -o pid,rss --bytes
after=$(vmrss_bytes "$wl")
if expect_rc 0 "--bytes"; then
	rss=$(last_table "$OUT" | awk -v p="$wl" '$1 == p { print $2 }')
	if [[ ! $rss =~ ^[0-9]+$ ]]; then
		fail "RSS '$rss' is not a plain integer" "$OUT"
	elif [ "$before" -lt $((16 << 20)) ]; then
		fail "the workload with --mem 16M has VmRSS $before bytes: less than 16 MiB" "/proc/$wl/status"
	elif ! within 5 "$rss" "$before" || ! within 5 "$rss" "$after"; then
		fail "RSS $rss bytes, VmRSS $before then $after bytes" "$OUT"
	else
		ok "RSS $rss, VmRSS $before/$after"
	fi
fi

check "without --bytes RSS has a unit letter and means the same size"
before=$(vmrss_bytes "$wl")
ts human -b -n 1 -d 0.1 -p "$wl" -o pid,rss,vsz
if expect_rc 0 "human sizes"; then
	read -r _ rss vsz < <(last_table "$OUT" | awk -v p="$wl" '$1 == p')
	if [[ ! $rss =~ ^[0-9]+(\.[0-9])?[BKMGTPE]$ ]] || [[ ! $vsz =~ ^[0-9]+(\.[0-9])?[BKMGTPE]$ ]]; then
		fail "RSS '$rss' or VSZ '$vsz' is not a number with a unit" "$OUT"
	elif ! within 10 "$(human_bytes "$rss")" "$before"; then
		fail "RSS $rss is not VmRSS $before bytes" "$OUT"
	else
		ok "RSS $rss (VmRSS $before bytes), VSZ $vsz"
	fi
fi

# ---- the end of the targets -----------------------------------------------------------------------

check "-p PID of a workload that ends: taskscope ends by itself with 0"
start_workload --threads 1 --duration 1
short=$WL_PID
t0=$(now_ms)
TS_TIMEOUT=20 ts ends -b -d 0.2 -p "$short" -o pid,comm
t1=$(now_ms)
if expect_rc 0 "-p $short until it ends"; then
	n=$(grep -cE "$HDR" "$OUT")
	if alive "$short"; then
		fail "taskscope ended while its target $short still runs" "$OUT"
	elif [ $((t1 - t0)) -gt $((10000 * TS_SLOW)) ]; then
		fail "taskscope took $((t1 - t0)) ms to notice a 1 s workload ended" "$OUT"
	elif [ "$n" -lt 1 ] || ! last_table "$OUT" | grep -q "^ *$short "; then
		fail "no sample shows the workload $short" "$OUT"
	else
		ok "ended after $((t1 - t0)) ms, $n samples"
	fi
fi
wait "$short" 2>/dev/null

# ---- --output-file ------------------------------------------------------------------------------

check "--output-file F: the report goes to F, nothing to stdout or stderr"
f=$TS_TMP/report.txt
ts outfile -b -n 1 -d 0.1 -p "$wl" --output-file "$f"
if expect_rc 0 "--output-file"; then
	if [ -s "$OUT" ] || [ -s "$ERR" ]; then
		fail "something was written to stdout or stderr" "$OUT" "$ERR"
	elif [ "$(grep -cE "$HDR" "$f")" -ne 1 ] || ! last_table "$f" | grep -q "^ *$wl "; then
		fail "F does not hold one sample with the workload $wl" "$f"
	else
		ok "$(wc -l <"$f") lines in F"
	fi
fi

# ---- a reader that goes away -----------------------------------------------------------------------

# taskscope ignores SIGPIPE on purpose and treats EPIPE as "the reader is done": it stops
# quietly with status 0. A status of 141 would mean it died of SIGPIPE instead: not accepted.
check "taskscope -d 0 | head -1: taskscope stops quietly with status 0 when head exits"
timeout -k 5 $((20 * TS_SLOW)) "$TASKSCOPE" -d 0 2>"$TS_TMP/pipe.err" </dev/null | head -n 1 >"$TS_TMP/pipe.out"
st=("${PIPESTATUS[@]}")
if [ "${st[0]}" -ne 0 ]; then
	fail "taskscope exited with ${st[0]} (124: still running after 20 s), expected 0" \
		"$TS_TMP/pipe.err" "$TS_TMP/pipe.out"
elif [ -s "$TS_TMP/pipe.err" ]; then
	fail "taskscope wrote to stderr" "$TS_TMP/pipe.err"
elif ! grep -qE "$HDR" "$TS_TMP/pipe.out"; then
	fail "head did not get the header line" "$TS_TMP/pipe.out"
else
	ok "status 0, stderr empty"
fi

finish
