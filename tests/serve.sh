#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# serve.sh - taskscope serve scraped by a real Prometheus: up, a workload's group (processes,
# threads, threads by CPU, address spaces, PSS against smaps_rollup), both exposition formats linted, counters that stay
# monotonic while a group's processes exit, and HTTP robustness (concurrency, hang-ups,
# malformed requests, 1,000 scrapes without an fd leak)
. "$(dirname "$0")/lib.sh"

need_tools() {
	local t
	for t in prometheus promtool; do
		command -v "$t" >/dev/null 2>&1 && continue
		if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
			say "installing Debian's prometheus (for $t)"
			DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus \
				>"$TS_TMP/apt.log" 2>&1
		fi
		command -v "$t" >/dev/null 2>&1 ||
			skip "$t not found and Debian's prometheus package could not be installed (apt-get install prometheus)"
	done
	for t in curl jq nc; do
		command -v "$t" >/dev/null 2>&1 || skip "$t not found (apt-get install $t)"
	done
}
need_tools
need_python
no_exit_leak_check

# ---- usage -----------------------------------------------------------------------------------

check "bad options are usage errors (exit 2) that name the problem"
ts bad-listen serve --listen nowhere
expect_rc 2 "--listen nowhere" && grep -q "invalid --listen 'nowhere'" "$ERR" ||
	fail "no message naming --listen" "$ERR"
ts bad-group serve --group-by pid
expect_rc 2 "--group-by pid" && grep -q "invalid --group-by 'pid'" "$ERR" ||
	fail "no message naming --group-by" "$ERR"
ts bad-delay serve -d 0
expect_rc 2 "-d 0"

# ---- the server --------------------------------------------------------------------------

# serve_start NAME ARGS...: taskscope serve on a free loopback port; SPORT, SPID
serve_start() {
	local name=$1
	shift
	ts_bg "$name" serve --listen 127.0.0.1:0 "$@"
	SPID=$TSPID
	SOUT=$OUT
	SERR=$ERR
	poll_until 20 grep -q '^taskscope serve: http://' "$SOUT" ||
		die "taskscope serve did not announce its address" "$SOUT" "$SERR"
	SPORT=$(sed -n 's|^taskscope serve: http://127\.0\.0\.1:\([0-9]*\)/metrics$|\1|p' "$SOUT")
	[ -n "$SPORT" ] || die "no port in the announcement" "$SOUT"
}

WL=sv$TS_RUN
WL=${WL:0:15}
start_workload --procs 3 --mem 16M --name "$WL"
WLPIDS=$(pgrep -x "$WL" | sort -n | tr '\n' ' ')
serve_start serve -d 0.5 --memory-every 2

check "a port in use: exit 1 and a message that says so"
ts inuse serve --listen "127.0.0.1:$SPORT" -n 1
expect_rc 1 "--listen on taskscope serve's own port" && grep -q "cannot listen on 127.0.0.1:$SPORT: Address already in use" "$ERR" ||
	fail "no message naming the address" "$ERR"

# ---- Prometheus --------------------------------------------------------------------------------

PPORT=
PPID_=
start_prometheus() {
	cat >"$TS_TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: taskscope
    static_configs:
      - targets: ['127.0.0.1:$SPORT']
EOF
	start_server prometheus -/ready prometheus --config.file="$TS_TMP/prometheus.yml" \
		--storage.tsdb.path="$TS_TMP/prometheus-data" --web.listen-address=127.0.0.1:@PORT@
	PPORT=$SRV_PORT
	PPID_=$SRV_PID
}

# q PROMQL: the value of the query's first result (empty when none)
q() {
	curl -sf "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$1" >"$TS_TMP/q.json" ||
		return 1
	jq -r '.data.result[0].value[1] // empty' "$TS_TMP/q.json"
}
q_is() { [ "$(q "$1")" = "$2" ]; }
q_ge() { local v; v=$(q "$1"); [ -n "$v" ] && awk -v v="$v" -v w="$2" 'BEGIN { exit !(v >= w) }'; }

start_prometheus
say "Prometheus on 127.0.0.1:$PPORT scrapes taskscope serve on 127.0.0.1:$SPORT"

check "Prometheus scrapes taskscope serve three times, and up is 1"
if poll_until 60 q_ge "count_over_time(up{job=\"taskscope\"}[10m])" 3; then
	ok "$(q "count_over_time(up{job=\"taskscope\"}[10m])") scrapes"
else
	fail "fewer than three scrapes" "$TS_TMP/q.json" "$TS_TMP/prometheus.log"
fi
[ "$(q 'up{job="taskscope"}')" = 1 ] && ok "up 1" || fail "up is not 1" "$TS_TMP/q.json"
curl -sf "http://127.0.0.1:$PPORT/api/v1/targets" >"$TS_TMP/targets.json"
# Prometheus 2.42 asks for OpenMetrics first: its own parser read that format
if [ "$(jq -r '.data.activeTargets[0].lastError' "$TS_TMP/targets.json")" = "" ] &&
	[ "$(jq -r '.data.activeTargets[0].health' "$TS_TMP/targets.json")" = up ]; then
	ok "the target is healthy, no scrape error"
else
	fail "the target has a scrape error" "$TS_TMP/targets.json"
fi

check "the workload's group shows the processes and threads the test started"
nprocs=0
nthreads=0
for p in $WLPIDS; do
	nprocs=$((nprocs + 1))
	nthreads=$((nthreads + $(awk '/^Threads:/ { print $2 }' "/proc/$p/status")))
done
[ "$nprocs" -ge 4 ] || fail "expected the workload's parent and 3 workers, found $nprocs ($WLPIDS)"
if poll_until 20 q_is "taskscope_group_processes{group=\"$WL\"}" "$nprocs"; then
	ok "processes $nprocs"
else
	fail "taskscope_group_processes{group=\"$WL\"} is '$(q "taskscope_group_processes{group=\"$WL\"}")', expected $nprocs" "$TS_TMP/q.json"
fi
if poll_until 20 q_is "taskscope_group_threads{group=\"$WL\"}" "$nthreads"; then
	ok "threads $nthreads"
else
	fail "taskscope_group_threads is '$(q "taskscope_group_threads{group=\"$WL\"}")', expected $nthreads" "$TS_TMP/q.json"
fi

check "through Prometheus: the group's threads by CPU sum to its threads, an address space per process"
if poll_until 20 q_is "sum(taskscope_group_cpu_threads{group=\"$WL\"})" "$nthreads"; then
	ok "threads by CPU sum to $nthreads"
else
	fail "sum(taskscope_group_cpu_threads{group=\"$WL\"}) is '$(q "sum(taskscope_group_cpu_threads{group=\"$WL\"})")', expected $nthreads" "$TS_TMP/q.json"
fi
if poll_until 20 q_is "taskscope_group_address_spaces{group=\"$WL\"}" "$nprocs"; then
	ok "$nprocs address spaces"
else
	fail "taskscope_group_address_spaces is '$(q "taskscope_group_address_spaces{group=\"$WL\"}")', expected $nprocs" "$TS_TMP/q.json"
fi

check "the group's PSS is within 1% of the sum of its processes' smaps_rollup Pss"
pss_sum() {
	local p s=0 v
	for p in $WLPIDS; do
		v=$(awk '/^Pss:/ { print $2 * 1024 }' "/proc/$p/smaps_rollup") || return 1
		s=$((s + v))
	done
	echo "$s"
}
pss_close() {
	local want got
	want=$(pss_sum)
	got=$(q "taskscope_group_pss_bytes{group=\"$WL\"}")
	LAST_PSS="served $got, smaps_rollup $want"
	[ -n "$got" ] && awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= b / 100) }'
}
if poll_until 30 pss_close; then
	ok "$LAST_PSS"
else
	fail "PSS not within 1%: $LAST_PSS" "$TS_TMP/q.json"
fi

check "promtool check metrics finds nothing in the Prometheus text format"
curl -sf -D "$TS_TMP/prom.hdr" -o "$TS_TMP/scrape.prom" "http://127.0.0.1:$SPORT/metrics" ||
	fail "the scrape failed"
if promtool check metrics <"$TS_TMP/scrape.prom" >"$TS_TMP/promtool.out" 2>&1; then
	ok "clean ($(wc -l <"$TS_TMP/scrape.prom") lines)"
else
	fail "promtool check metrics complains" "$TS_TMP/promtool.out"
fi
grep -qi '^content-type: text/plain; version=0.0.4' "$TS_TMP/prom.hdr" && ok "text/plain 0.0.4" ||
	fail "wrong content type" "$TS_TMP/prom.hdr"
grep -q "^taskscope_group_processes{group=\"$WL\"} $nprocs\$" "$TS_TMP/scrape.prom" ||
	fail "the scrape lacks the workload's group" "$TS_TMP/scrape.prom"

check "the OpenMetrics text (asked by Accept) parses with promtool's OpenMetrics parser"
curl -sf -D "$TS_TMP/om.hdr" -o "$TS_TMP/scrape.om" \
	-H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' \
	"http://127.0.0.1:$SPORT/metrics" || fail "the scrape failed"
grep -qi '^content-type: application/openmetrics-text; version=1.0.0' "$TS_TMP/om.hdr" ||
	fail "wrong content type" "$TS_TMP/om.hdr"
[ "$(tail -n 1 "$TS_TMP/scrape.om")" = "# EOF" ] || fail "no # EOF at the end" "$TS_TMP/scrape.om"
grep -q '^# UNIT taskscope_group_cpu_seconds seconds$' "$TS_TMP/scrape.om" ||
	fail "no UNIT for the CPU seconds" "$TS_TMP/scrape.om"
# promtool reads OpenMetrics only as backfill, whose samples need a timestamp: add one
om_lint() {
	rm -rf "$TS_TMP/omblocks"
	awk -v t="$(date +%s)" '/^#/ { print; next } { print $0 " " t }' "$1" >"$TS_TMP/om.ts"
	promtool tsdb create-blocks-from openmetrics "$TS_TMP/om.ts" "$TS_TMP/omblocks" >"$TS_TMP/omlint.out" 2>&1
}
if om_lint "$TS_TMP/scrape.om"; then
	ok "parsed ($(wc -l <"$TS_TMP/scrape.om") lines)"
else
	fail "promtool's OpenMetrics parser refuses it" "$TS_TMP/omlint.out"
fi
grep -v '^# EOF$' "$TS_TMP/scrape.om" >"$TS_TMP/noeof.om"
om_lint "$TS_TMP/noeof.om" && fail "the OpenMetrics check passes without # EOF: it checks nothing"

check "gzip when the scraper accepts it: the text and this request's lines, both formats"
for fmt in prom om; do
	acc='text/plain;version=0.0.4'
	[ "$fmt" = om ] && acc='application/openmetrics-text;version=1.0.0'
	curl -sf -D "$TS_TMP/gz.hdr" -o "$TS_TMP/gz.$fmt" -H "Accept: $acc" \
		-H 'Accept-Encoding: gzip' "http://127.0.0.1:$SPORT/metrics" || fail "the scrape failed"
	grep -qi '^content-encoding: gzip' "$TS_TMP/gz.hdr" || fail "$fmt: not gzip" "$TS_TMP/gz.hdr"
	if gzip -dc <"$TS_TMP/gz.$fmt" >"$TS_TMP/gunzip.$fmt" 2>"$TS_TMP/gunzip.err" &&
		grep -q "^taskscope_group_processes{group=\"$WL\"} $nprocs\$" "$TS_TMP/gunzip.$fmt" &&
		grep -q '^taskscope_scrapes_total ' "$TS_TMP/gunzip.$fmt"; then
		ok "$fmt: $(wc -c <"$TS_TMP/gz.$fmt") bytes for $(wc -c <"$TS_TMP/gunzip.$fmt")"
	else
		fail "$fmt: the gzip body does not give the text" "$TS_TMP/gunzip.err" "$TS_TMP/gunzip.$fmt"
	fi
done
[ "$(tail -n 1 "$TS_TMP/gunzip.om")" = "# EOF" ] || fail "gzip OpenMetrics does not end with # EOF"

check "counters stay monotonic while the processes of a group exit and others start"
CH=ch$TS_RUN
CH=${CH:0:15}
start_workload --procs 2 --mem 8M --name "$CH"
first=$WL_BGPID
poll_until 30 q_is "taskscope_group_processes{group=\"$CH\"}" 3 ||
	fail "the first generation never showed up" "$TS_TMP/q.json"
before=$(q "taskscope_group_minor_page_faults_total{group=\"$CH\"}")
stop "$first"
poll_until 30 q_is "taskscope_group_processes{group=\"$CH\"}" 0 ||
	fail "the group did not go to 0 processes" "$TS_TMP/q.json"
start_workload --procs 2 --mem 8M --name "$CH"
poll_until 30 q_is "taskscope_group_processes{group=\"$CH\"}" 3 ||
	fail "the second generation never showed up" "$TS_TMP/q.json"
for m in minor_page_faults_total cpu_seconds_total context_switches_total migrations_total runqueue_wait_seconds_total; do
	r=$(q "sum(resets(taskscope_group_${m}{group=\"$CH\"}[10m]))")
	[ "$r" = 0 ] && ok "$m: no reset" || fail "$m went down $r times" "$TS_TMP/q.json"
done
# both generations' faults: at least 2 x 8 MiB of 4 KiB pages each
if poll_until 20 q_ge "taskscope_group_minor_page_faults_total{group=\"$CH\"}" $((before + 4096)); then
	ok "minor faults $before before the exits, $(q "taskscope_group_minor_page_faults_total{group=\"$CH\"}") now"
else
	fail "minor faults did not carry the first generation's: $before then $(q "taskscope_group_minor_page_faults_total{group=\"$CH\"}")"
fi
stop "$PPID_"

# ---- HTTP robustness ------------------------------------------------------------------------

URL=http://127.0.0.1:$SPORT
fds() { other_fds "$SPID"; }
# no more descriptors than before: a leak grows with the connections; fewer is no leak
# (one that was open for an earlier check may have closed since)
idle_fds() { [ "$(fds)" -le "$1" ]; }
# the descriptors other than kept /proc files, for a failure's report
other_fd_list() {
	ls -l "/proc/$SPID/fd" 2>/dev/null |
		grep -Ev ' -> /proc/[0-9]+(/task/[0-9]+)?/(stat|status|smaps_rollup)$'
}
fd0=$(fds)
other_fd_list >"$TS_TMP/fds0.txt"

check "8 concurrent scrapes all get the whole text"
cpids=()
for i in 1 2 3 4 5 6 7 8; do
	curl -sf -m 60 -o "$TS_TMP/c$i.prom" "$URL/metrics" &
	cpids+=($!)
done
n=0
for i in 1 2 3 4 5 6 7 8; do
	wait "${cpids[$((i - 1))]}" &&
		grep -q '^taskscope_scrape_duration_seconds ' "$TS_TMP/c$i.prom" && n=$((n + 1))
done
[ "$n" -eq 8 ] && ok "8 of 8" || fail "$n of 8 scrapes complete"

check "a client that hangs up in the middle of the response"
for i in 1 2 3 4 5; do
	exec 3<>"/dev/tcp/127.0.0.1/$SPORT" || die "cannot connect"
	printf 'GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n' >&3
	head -c 200 <&3 >/dev/null
	exec 3<&- 3>&-
done
curl -sf -o /dev/null "$URL/metrics" && alive "$SPID" && ok "still serving" ||
	fail "not serving after the hang-ups" "$SERR"

check "malformed and unexpected requests get an error status or a closed connection, never a crash"
# raw NAME BYTES: send BYTES (printf %b escapes), the answer in $TS_TMP/NAME.raw, its status
# line printed. The answer ends where the server closes, where its Content-Length is complete,
# or 1 s after a head without one: a server that keeps the connection open is not waited for
# (nc waited its -q time on each: 170 s of the test)
raw() {
	printf '%b' "$2" >"$TS_TMP/$1.req"
	"$PY" -c 'import re, socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
s.sendall(open(sys.argv[2], "rb").read())
s.shutdown(socket.SHUT_WR)
buf, end = b"", time.monotonic() + 20
while time.monotonic() < end:
    s.settimeout(max(0.05, end - time.monotonic()))
    try:
        d = s.recv(65536)
    except OSError:
        break
    if not d:
        break
    buf += d
    h = buf.find(b"\r\n\r\n")
    if h >= 0:
        m = re.search(rb"(?im)^content-length:[ \t]*([0-9]+)", buf[:h])
        if m and len(buf) - h - 4 >= int(m.group(1)):
            break
        if not m:
            end = min(end, time.monotonic() + 1)
sys.stdout.buffer.write(buf[:4096])' "$SPORT" "$TS_TMP/$1.req" >"$TS_TMP/$1.raw" 2>/dev/null
	head -n 1 "$TS_TMP/$1.raw" | tr -d '\r'
}
expect_status() {	# expect_status NAME BYTES STATUS
	local got
	got=$(raw "$1" "$2")
	[[ $got == "HTTP/1.1 $3"* ]] && ok "$1: $got" || fail "$1: '$got', expected $3" "$TS_TMP/$1.raw"
}
expect_status post 'POST /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello' 405
expect_status delete 'DELETE / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' 405
expect_status notfound 'GET /nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' 404
expect_status root 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' 200
grep -q 'href="/metrics"' "$TS_TMP/root.raw" || fail "/ does not link /metrics" "$TS_TMP/root.raw"
expect_status head 'HEAD /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' 200
grep -q '^taskscope_' "$TS_TMP/head.raw" && fail "HEAD sent a body" "$TS_TMP/head.raw"
expect_status badversion 'GET /metrics HTTP/9.9\r\nHost: t\r\n\r\n' 505
long=$(head -c 20000 /dev/zero | tr '\0' a)
for req in 'GARBAGE\r\n\r\n' 'GET /metrics HTTP/1.1\r\nConnection: close\r\n\r\n' 'GET\r\n\r\n' 'GET /metrics\r\n\r\n' "GET /$long HTTP/1.1\r\nHost: t\r\n\r\n" \
	'GET /metrics HTTP/1.1\r\nHost t\r\nNoColon\r\n\r\n' '\x00\x01\x02\xff\xfe\r\n\r\n' \
	'GET /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n' \
	'GET /metrics HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n' \
	'GET /m%00etrics HTTP/1.1\r\nHost: t\r\n\r\n' '\r\n\r\n\r\n'; do
	raw fuzz "$req" >/dev/null
done
if alive "$SPID" && curl -sf -o /dev/null "$URL/metrics"; then
	ok "still serving after twelve malformed requests"
else
	fail "taskscope serve died or stopped serving" "$SERR"
fi

check "1,000 scrapes, each on its own connection: no fd leak"
urls=()
for i in $(seq 100); do urls+=("$URL/metrics"); done
for j in $(seq 10); do
	curl -sf -H 'Connection: close' "${urls[@]}" >/dev/null || fail "scrape batch $j failed"
done
got=$(curl -sf "$URL/metrics" | sed -n 's/^taskscope_scrapes_total //p')
[ "${got:-0}" -ge 1000 ] && ok "$got scrapes served" || fail "only ${got:-?} scrapes counted"
if poll_until 20 idle_fds "$fd0"; then
	ok "$fd0 fds before, $(fds) after"
else
	other_fd_list >"$TS_TMP/fds.txt"
	fail "$fd0 fds before, $(fds) after" "$TS_TMP/fds0.txt" "$TS_TMP/fds.txt"
fi

check "memory stays flat over scrapes (a server that samples once: only the scrapes allocate)"
first_spid=$SPID
# an ASan build keeps freed memory in its quarantine (256 MiB) instead of reusing it: that
# would read as growth, so this server reuses it at once
saved_asan=${ASAN_OPTIONS-}
if nm "$TASKSCOPE" 2>/dev/null | grep -q __asan_init; then
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
fi
serve_start flat -d 3600 --memory-every 1
export ASAN_OPTIONS=$saved_asan
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$SPID/status"; }
burst() {
	local j u=()
	for j in $(seq 100); do u+=("http://127.0.0.1:$SPORT/metrics"); done
	for j in 1 2 3 4 5; do
		curl -sf -H 'Connection: close' -H 'Accept-Encoding: gzip' "${u[@]}" >/dev/null
		curl -sf -H 'Connection: close' -H 'Accept: application/openmetrics-text' "${u[@]}" >/dev/null
	done
}
burst
r0=$(rss)
burst
burst
r1=$(rss)
[ $((r1 - r0)) -le 64 ] && ok "VmRSS $r0 kB after 1,000 scrapes, $r1 kB after 2,000 more" ||
	fail "VmRSS grew from $r0 to $r1 kB over 2,000 scrapes"
stop "$SPID"
SPID=$first_spid

check "SIGTERM ends taskscope serve with status 0"
kill -TERM "$SPID"
TSPID=$SPID
ts_wait 20
expect_rc 0 "after SIGTERM"

finish
