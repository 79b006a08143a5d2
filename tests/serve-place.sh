#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# serve-place.sh - taskscope serve's thread metrics against tasks the test placed itself:
# threads per CPU and NUMA node (pinned with taskset and the workload's --pin), pinned and
# off-affinity threads, allowed CPUs, address spaces (CLONE_VM processes), --threads'
# bounded series per thread name, the /proc read time; every scrape linted by promtool
. "$(dirname "$0")/lib.sh"

for t in promtool curl taskset; do
	command -v "$t" >/dev/null 2>&1 || skip "$t not found (apt-get install prometheus curl util-linux)"
done
need_tshelper

# the online CPUs; two are needed to place tasks apart
ONLINE=()
for d in /sys/devices/system/cpu/cpu[0-9]*; do
	c=${d##*cpu}
	[ "$(cat "$d/online" 2>/dev/null || echo 1)" = 1 ] && ONLINE+=("$c")
done
[ "${#ONLINE[@]}" -ge 2 ] || skip "one CPU online: nothing to place apart"
C0=${ONLINE[0]}
C1=${ONLINE[1]}
NONLINE=${#ONLINE[@]}

# serve_start NAME ARGS...: taskscope serve on a free loopback port; SPORT, SPID
serve_start() {
	local name=$1
	shift
	ts_bg "$name" serve --listen 127.0.0.1:0 "$@"
	SPID=$TSPID
	poll_until 20 grep -q '^taskscope serve: http://' "$OUT" ||
		die "taskscope serve did not announce its address" "$OUT" "$ERR"
	SPORT=$(sed -n 's|^taskscope serve: http://127\.0\.0\.1:\([0-9]*\)/metrics$|\1|p' "$OUT")
	[ -n "$SPORT" ] || die "no port in the announcement" "$OUT"
}

# scrape: the served text into $TS_TMP/s.prom
scrape() { curl -sf -o "$TS_TMP/s.prom" "http://127.0.0.1:$SPORT/metrics"; }
# val SERIES: its value in the last scrape (exact match of name and labels)
val() { awk -v s="$1" '$1 == s { print $2; f = 1 } END { exit !f }' "$TS_TMP/s.prom"; }
# sum_of PREFIX: the sum of the series whose name and labels start with PREFIX
sum_of() { awk -v p="$1" 'index($1, p) == 1 { s += $2; f = 1 } END { print s + 0; exit !f }' "$TS_TMP/s.prom"; }
# scrape_until SECONDS SERIES VALUE: scrape until the series has the value; LAST its value
scrape_is() { scrape && LAST=$(val "$1") && [ "$LAST" = "$2" ]; }
scrape_until() { LAST=; poll_until "$1" scrape_is "$2" "$3"; }
lint() {
	if promtool check metrics <"$TS_TMP/s.prom" >"$TS_TMP/promtool.out" 2>&1; then
		ok "promtool check metrics: clean ($(wc -l <"$TS_TMP/s.prom") lines)"
	else
		fail "promtool check metrics complains" "$TS_TMP/promtool.out"
	fi
}
# cpus_allowed TID: the number of CPUs in the thread's affinity (from /proc, not taskscope)
cpus_allowed() {
	awk '/^Cpus_allowed_list:/ { n = 0; k = split($2, r, ","); for (i = 1; i <= k; i++) {
		if (split(r[i], ab, "-") == 2) n += ab[2] - ab[1] + 1; else n++ } print n }' \
		"/proc/$1/status"
}
last_cpu() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $37 }'; }

# ---- workloads the test places -------------------------------------------------------------

# A: three workers that pin themselves to C1 (--pin), the parent as the test shell left it
A=pa$TS_RUN
A=${A:0:15}
start_workload --threads 3 --pin "$C1" --name "$A"
APID=$WL_PID
# B: everything started under taskset -c C0
B=pb$TS_RUN
B=${B:0:15}
start_ready b taskset -c "$C0" "$TASKSCOPE" workload --threads 2 --name "$B"
BPID=$BG_PID
# C: stopped, then each thread's affinity set to a CPU it is not on: a stopped task stays on
# its CPU until it runs again, so its last CPU is outside its affinity
C=pc$TS_RUN
C=${C:0:15}
start_workload --threads 2 --name "$C"
CPID=$WL_PID
kill -STOP "$CPID"
all_stopped() {
	local t
	for t in /proc/"$CPID"/task/*; do
		[ "$(sed 's/.*) \(.\).*/\1/' "$t/stat")" = T ] || return 1
	done
}
poll_until 10 all_stopped || die "workload C did not stop"
COFF=0
for t in /proc/"$CPID"/task/*; do
	tid=${t##*/}
	cur=$(last_cpu "$tid")
	to=$C0
	[ "$cur" = "$C0" ] && to=$C1
	taskset -cp "$to" "$tid" >/dev/null || die "taskset -cp $to $tid failed"
	[ "$(last_cpu "$tid")" != "$to" ] && COFF=$((COFF + 1))
done
# D: three processes in one address space (CLONE_VM), E: three of their own
D=pd$TS_RUN
D=${D:0:15}
start_helper d vmshare "$D" 3 600
DPID=$HELPER_PID
E=pe$TS_RUN
E=${E:0:15}
start_workload --procs 2 --name "$E"

serve_start place -d 0.3 --memory-every 1

check "threads per CPU: B's three threads on C$C0 only, A's three workers on C$C1"
if scrape_until 30 "taskscope_group_cpu_threads{group=\"$B\",cpu=\"$C0\"}" 3; then
	ok "B: 3 threads on CPU $C0"
else
	fail "taskscope_group_cpu_threads of B on CPU $C0 is '$LAST', expected 3" "$TS_TMP/s.prom"
fi
n=$(grep -c "^taskscope_group_cpu_threads{group=\"$B\"," "$TS_TMP/s.prom")
[ "$n" = 1 ] && ok "B has no series for another CPU" || fail "B has $n per-CPU series, expected 1"
v=$(val "taskscope_group_cpu_threads{group=\"$A\",cpu=\"$C1\"}")
[ "${v:-0}" -ge 3 ] && ok "A: $v threads on CPU $C1" || fail "A has '${v:-none}' threads on CPU $C1, expected 3 or 4"
s=$(sum_of "taskscope_group_cpu_threads{group=\"$A\",")
[ "$s" = 4 ] && ok "A's per-CPU series sum to its 4 threads" || fail "A's per-CPU series sum to $s, expected 4"
v=$(val "taskscope_cpu_threads{cpu=\"$C0\"}")
[ "${v:-0}" -ge 3 ] && ok "CPU $C0: $v threads in all" || fail "taskscope_cpu_threads on CPU $C0 is '${v:-none}'"
n=$(grep -c '^taskscope_cpu_threads{' "$TS_TMP/s.prom")
[ "$n" -ge "$NONLINE" ] && [ "$n" -le "$(getconf _NPROCESSORS_CONF)" ] &&
	ok "$n per-CPU series ($NONLINE CPUs online, $(getconf _NPROCESSORS_CONF) configured)" ||
	fail "$n per-CPU series, expected between $NONLINE and $(getconf _NPROCESSORS_CONF)"
if grep -q '^taskscope_group_node_threads{' "$TS_TMP/s.prom"; then
	s=$(sum_of "taskscope_group_node_threads{group=\"$B\",")
	[ "$s" = 3 ] && ok "B's per-node series sum to 3" || fail "B's per-node series sum to $s, expected 3"
else
	say "no NUMA node series: hwloc gave no topology here"
fi
lint

check "affinity: pinned threads and the CPUs a group may use, against /proc"
want=0
union=
for t in /proc/"$APID"/task/*; do
	[ "$(cpus_allowed "${t##*/}")" -lt "$NONLINE" ] && want=$((want + 1))
done
v=$(val "taskscope_group_pinned_threads{group=\"$A\"}")
[ "$v" = "$want" ] && ok "A: $v pinned" || fail "A: '$v' pinned, /proc says $want"
v=$(val "taskscope_group_pinned_threads{group=\"$B\"}")
[ "$v" = 3 ] && ok "B: 3 pinned" || fail "B: '$v' pinned, expected 3"
v=$(val "taskscope_group_allowed_cpus{group=\"$B\"}")
[ "$v" = 1 ] && ok "B may use 1 CPU" || fail "B: allowed CPUs '$v', expected 1"
want=$(cpus_allowed "$APID")
[ "$want" -lt 2 ] && want=2	# the parent's CPUs and C1
v=$(val "taskscope_group_allowed_cpus{group=\"$A\"}")
[ "$v" = "$want" ] && ok "A may use $v CPUs" || fail "A: allowed CPUs '$v', expected $want"

check "threads off their affinity: the stopped group C moved away from the CPUs it is on"
[ "$COFF" -eq 3 ] || say "only $COFF of C's 3 threads left off their CPU by taskset"
if scrape_until 20 "taskscope_group_off_affinity_threads{group=\"$C\"}" "$COFF"; then
	ok "C: $COFF threads off their affinity"
else
	fail "C: off-affinity '$LAST', expected $COFF" "$TS_TMP/s.prom"
fi
v=$(val "taskscope_group_off_affinity_threads{group=\"$B\"}")
[ "$v" = 0 ] && ok "B: none off its affinity" || fail "B: '$v' off its affinity, expected 0"
kill -CONT "$CPID"

check "address spaces: CLONE_VM processes are one, forked ones each their own (kcmp)"
if scrape_until 30 "taskscope_group_processes{group=\"$D\"}" 4; then
	v=$(val "taskscope_group_address_spaces{group=\"$D\"}")
	[ "$v" = 1 ] && ok "D: 4 processes, 1 address space" || fail "D: '$v' address spaces, expected 1" "$TS_TMP/s.prom"
else
	fail "D: processes '$LAST', expected 4" "$TS_TMP/s.prom"
fi
if scrape_until 30 "taskscope_group_address_spaces{group=\"$E\"}" 3; then
	ok "E: 3 processes, 3 address spaces"
else
	fail "E: address spaces '$LAST', expected 3" "$TS_TMP/s.prom"
fi

check "/proc read time: a counter per pass that grows"
scrape
r1=$(val 'taskscope_proc_read_seconds_total{pass="tasks"}')
m1=$(val 'taskscope_proc_read_seconds_total{pass="memory"}')
t1=$(val 'taskscope_proc_read_seconds_total{pass="threads"}')
grows() { scrape && awk -v a="$(val 'taskscope_proc_read_seconds_total{pass="tasks"}')" -v b="$r1" 'BEGIN { exit !(a > b) }'; }
if [ -n "$r1" ] && poll_until 20 grows; then
	ok "tasks: $r1 s, then $(val 'taskscope_proc_read_seconds_total{pass="tasks"}') s"
else
	fail "the tasks pass's read time '$r1' does not grow" "$TS_TMP/s.prom"
fi
awk -v m="$m1" -v t="$t1" 'BEGIN { exit !(m > 0 && t > 0) }' && ok "memory $m1 s, threads $t1 s" ||
	fail "memory '$m1' s, threads '$t1' s: expected both above 0"
stop "$SPID"

check "--threads: a series per thread name, at most 32 names a group, the rest as (other)"
T=pt$TS_RUN
T=${T:0:10}
"$TSHELPER" threads "$T" 40 600 >"$TS_TMP/t.out" 2>&1 &
track $!
poll_until 10 grep -q '^ready ' "$TS_TMP/t.out" || die "tshelper threads did not get ready" "$TS_TMP/t.out"
serve_start threads --threads -d 0.3 --memory-every 0
scrape_until 30 "taskscope_threadname_threads{group=\"$T\",thread=\"$T\"}" 1 ||
	fail "no series for the main thread of $T: '$LAST'" "$TS_TMP/s.prom"
n=$(grep -c "^taskscope_threadname_threads{group=\"$T\"," "$TS_TMP/s.prom")
o=$(val "taskscope_threadname_threads{group=\"$T\",thread=\"(other)\"}")
s=$(sum_of "taskscope_threadname_threads{group=\"$T\",")
[ "$n" = 33 ] && ok "33 series (32 names and (other))" || fail "$n thread-name series, expected 33" "$TS_TMP/s.prom"
[ "$o" = 9 ] && [ "$s" = 41 ] && ok "(other) holds 9 threads, 41 in all" ||
	fail "(other) '$o' threads (expected 9), sum $s (expected 41)"
n=$(grep -c "^taskscope_threadname_cpu_seconds_total{group=\"$T\",thread=\"$T-1\",mode=" "$TS_TMP/s.prom")
[ "$n" = 2 ] && ok "CPU seconds of a thread name: user and system" || fail "$n CPU series for $T-1"
lint
stop "$SPID"

check "--threads --compat process-exporter: process-exporter's names and labels"
serve_start compat --threads --compat process-exporter -d 0.3 --memory-every 0
scrape_until 30 "namedprocess_namegroup_thread_count{groupname=\"$T\",threadname=\"$T\"}" 1 &&
	ok "namedprocess_namegroup_thread_count{groupname,threadname}" ||
	fail "no process-exporter thread series: '$LAST'" "$TS_TMP/s.prom"
grep -q "^namedprocess_namegroup_thread_context_switches_total{groupname=\"$T\",threadname=\"$T\",ctxswitchtype=\"nonvoluntary\"} " "$TS_TMP/s.prom" &&
	ok "ctxswitchtype" || fail "no ctxswitchtype label on the thread context switches" "$TS_TMP/s.prom"
# promtool's one complaint is about process-exporter's own name (a gauge ending in _count)
promtool check metrics <"$TS_TMP/s.prom" >"$TS_TMP/promtool.out" 2>&1
if grep -v '^namedprocess_namegroup_thread_count non-histogram and non-summary metrics should not have "_count" suffix$' \
	"$TS_TMP/promtool.out" | grep -q .; then
	fail "promtool check metrics complains of more than process-exporter's own name" "$TS_TMP/promtool.out"
else
	ok "promtool check metrics: only process-exporter's own thread_count name"
fi
stop "$SPID"

finish
