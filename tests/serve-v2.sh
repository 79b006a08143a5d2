#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# serve-v2.sh - taskscope serve end to end on a cgroup v2 host, through fixture trees:
# --proc-root (golden/shm/1 with the v2 cgroup files laid over it, as cgroup-v2.sh does) and
# --cgroup-root (cgroup-v2/sys/fs/cgroup): --group-by cgroup's groups, each cgroup's
# memory.current beside its processes' PSS, PSI where the file parses (a damaged one gives
# no series), the hostile name escaped, no kcmp on the tree's PIDs, over --textfile and
# HTTP, promtool clean; nothing planted in the cgroup tree (symlink, FIFO) is followed or
# opened; the options' usage errors.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

src=$TS_SRCDIR
fx=${FIXTURES:-$src/tests/fixtures}
tree=$TS_TMP/tree
cgfx=$fx/cgroup-v2/sys/fs/cgroup
svc=/system.slice/shm-demo.service
v2_tree "$tree"
mkdir "$TS_TMP/tf" || die "cannot make $TS_TMP/tf"
prom=$TS_TMP/tf/taskscope.prom

# in_cgroup CGROUP: the fixture's processes whose v2 path is CGROUP (not those below it:
# each cgroup is a group of its own)
in_cgroup() {
	local f
	for f in "$fx"/cgroup-v2/proc/*/cgroup; do
		grep -qxF "0::$1" "$f" && basename "$(dirname "$f")"
	done
}

# pss_sum PID...: their PSS in bytes from the tree's smaps_rollup (the main thread's
# directory, the one taskscope reads)
pss_sum() {
	local p sum=0 kb
	for p in "$@"; do
		kb=$(awk '$1 == "Pss:" { print $2 }' "$tree/$p/task/$p/smaps_rollup")
		[ -n "$kb" ] || die "no Pss: line in $tree/$p/task/$p/smaps_rollup"
		sum=$((sum + kb * 1024))
	done
	echo "$sum"
}

# value FILE METRIC LABELS: the value of the series METRIC{LABELS} in FILE (empty: none)
value() {	# (from the environment: awk -v would undo the label's backslash escapes)
	WANT="$2{$3} " awk 'index($0, ENVIRON["WANT"]) == 1 { print $NF }' "$1"
}

# psi_want FILE KIND: the total= of FILE's line KIND (some, full) in seconds as serve prints
# it (%.6f), empty without that line
psi_want() {
	awk -v k="$2" '$1 == k { for (i = 2; i <= NF; i++) if ($i ~ /^total=/) {
		printf "%.6f\n", substr($i, 7) / 1e6 } }' "$1"
}

check "serve --proc-root --cgroup-root --group-by cgroup --textfile: the groups of the tree's cgroups"
ts run serve --proc-root "$tree" --cgroup-root "$cgfx" --group-by cgroup --memory-every 1 \
	-n 2 -d 0.1 --textfile "$TS_TMP/tf"
expect_rc 0 "serve over the trees" || die "serve failed: nothing more to check" "$ERR"
[ -s "$prom" ] || die "no $prom" "$OUT" "$ERR"
good=1
for cg in "$svc" "$svc/worker"; do
	n=$(in_cgroup "$cg" | wc -l)
	[ "$n" -gt 0 ] || die "no fixture process in $cg"
	got=$(value "$prom" taskscope_group_processes "group=\"$cg\"")
	[ "$got" = "$n" ] || { good=0; say "$cg: '$got' processes, the fixture has $n"; }
done
verdict "$good" "$svc and $svc/worker: as many processes as the fixture puts in each" \
	"the cgroup groups' process counts differ from the fixture's" "$prom"

check "$svc: memory.current beside the sum of its processes' PSS (both from the fixture)"
cur=$(tr -d '\n' <"$cgfx$svc/memory.current")
mem=$(value "$prom" taskscope_cgroup_memory_bytes "group=\"$svc\"")
want_pss=$(pss_sum $(in_cgroup "$svc"))
pss=$(value "$prom" taskscope_group_pss_bytes "group=\"$svc\"")
wcur=$(tr -d '\n' <"$cgfx$svc/worker/memory.current")
wmem=$(value "$prom" taskscope_cgroup_memory_bytes "group=\"$svc/worker\"")
if [ -n "$mem" ] && [ "$mem" = "$cur" ] && [ -n "$pss" ] && [ "$pss" = "$want_pss" ] &&
	[ -n "$wmem" ] && [ "$wmem" = "$wcur" ]; then
	ok "cgroup memory $mem (memory.current $cur), group PSS $pss (smaps_rollup sum $want_pss); worker $wmem"
else
	fail "cgroup memory '$mem' (memory.current $cur), PSS '$pss' (sum $want_pss), worker '$wmem' ($wcur)" "$prom"
fi

check "PSI: each pressure file's some/full totals in seconds; cpu.pressure has no full line"
good=1
nseries=0
for r in cpu memory io; do
	f=$cgfx$svc/$r.pressure
	[ -f "$f" ] || die "fixture $f missing"
	for k in some full; do
		want=$(psi_want "$f" "$k")
		got=$(value "$prom" taskscope_cgroup_pressure_stalled_seconds_total \
			"group=\"$svc\",resource=\"$r\",kind=\"$k\"")
		if [ "$got" != "$want" ]; then
			good=0
			say "$r $k: '$got', the file says '$want'"
		fi
		[ -n "$want" ] && nseries=$((nseries + 1))
	done
done
[ -z "$(psi_want "$cgfx$svc/cpu.pressure" full)" ] || { good=0; say "the fixture's cpu.pressure has a full line"; }
verdict "$good" "$nseries series, each the file's total=; no cpu full series" \
	"the PSI series differ from the fixture's files" "$prom"

check "the worker's damaged memory.pressure gives no PSI series (its memory.current still one)"
if grep -q "^taskscope_cgroup_pressure_stalled_seconds_total{group=\"$svc/worker\"" "$prom"; then
	fail "a PSI series for $svc/worker" "$prom"
elif ! grep -q '^not a number' "$cgfx$svc/worker/memory.pressure"; then
	fail "the fixture's worker memory.pressure is not the damaged one" "$cgfx$svc/worker/memory.pressure"
else
	ok "no pressure series for $svc/worker"
fi

check "the hostile cgroup name: escaped in its label, no raw control byte; no cgroup files, no cgroup series"
hostile=$(in_cgroup $'/user.slice/odd\e[1mname' | wc -l)
got=$(value "$prom" taskscope_group_processes 'group="/user.slice/odd\\x1b[1mname"')
if [ "$hostile" -gt 0 ] && [ "$got" = "$hostile" ] && ! grep -q $'[\e\a]' "$prom" &&
	! grep -q '^taskscope_cgroup_[a-z_]*{group="/user.slice' "$prom"; then
	ok "group=\"/user.slice/odd\\\\x1b[1mname\" $got"
else
	fail "hostile group: '$got' processes (fixture: $hostile), or a raw byte or cgroup series" "$prom"
fi

check "address spaces: not counted by kcmp on the tree's PIDs (absent, not wrong)"
# by cgroup each group has one process (one address space, no kcmp); by comm the three
# forked gshm processes share their stat key, which only kcmp could tell apart
ts comm serve --proc-root "$tree" --group-by comm --memory-every 1 -n 1 -d 0.1 \
	--textfile "$TS_TMP/tf"
n=$(grep -c '^taskscope_group_address_spaces{' "$prom")
procs=$(value "$prom" taskscope_group_processes 'group="gshm"')
if [ "$RC" -eq 0 ] && [ "$procs" = 3 ] && [ "$n" -eq 0 ]; then
	ok "group gshm: 3 processes, no address-space series"
else
	fail "exit $RC; gshm '$procs' processes, $n address-space series" "$prom" "$ERR"
fi

check "promtool check metrics on the --group-by cgroup scrape"
ts run2 serve --proc-root "$tree" --cgroup-root "$cgfx" --group-by cgroup --memory-every 1 \
	-n 1 -d 0.1 --textfile "$TS_TMP/tf"
if ! command -v promtool >/dev/null 2>&1; then
	say "skipped: promtool not found (Debian's prometheus; .ci/run installs it)"
elif promtool check metrics <"$prom" >"$TS_TMP/promtool.out" 2>&1; then
	ok "promtool check metrics: clean"
else
	fail "promtool check metrics complains" "$TS_TMP/promtool.out"
fi

check "over HTTP (--listen 127.0.0.1:0, OpenMetrics): the same cgroup series"
if command -v curl >/dev/null 2>&1; then
	ts_bg http serve --listen 127.0.0.1:0 --proc-root "$tree" --cgroup-root "$cgfx" \
		--group-by cgroup --memory-every 1 -d 0.1
	poll_until 20 grep -q '^taskscope serve: http://' "$OUT" ||
		die "taskscope serve did not announce its address" "$OUT" "$ERR"
	port=$(sed -n 's|^taskscope serve: http://127\.0\.0\.1:\([0-9]*\)/metrics$|\1|p' "$OUT")
	curl -sf -H 'Accept: application/openmetrics-text; version=1.0.0' \
		-o "$TS_TMP/om.txt" "http://127.0.0.1:$port/metrics"
	crc=$?
	stop "$TSPID"
	grep '^taskscope_cgroup_' "$prom" | sort >"$TS_TMP/want.cg"
	grep '^taskscope_cgroup_' "$TS_TMP/om.txt" | sed 's/_total{/{/' | sort >"$TS_TMP/got.cg"
	sed 's/_total{/{/' "$TS_TMP/want.cg" | sort >"$TS_TMP/want2.cg"
	if [ "$crc" -eq 0 ] && [ -s "$TS_TMP/got.cg" ] && cmp -s "$TS_TMP/got.cg" "$TS_TMP/want2.cg" &&
		tail -n 1 "$TS_TMP/om.txt" | grep -qx '# EOF'; then
		ok "$(wc -l <"$TS_TMP/got.cg") cgroup series, as in the text file; OpenMetrics ends with # EOF"
	else
		fail "curl exit $crc; the HTTP cgroup series differ from the text file's" \
			"$TS_TMP/got.cg" "$TS_TMP/want2.cg" "$ERR"
	fi
else
	say "skipped: curl not found"
fi

check "a symlink and a FIFO planted in the cgroup tree: neither followed nor opened"
cg2=$TS_TMP/cg
cp -R "$cgfx" "$cg2" || die "cannot copy $cgfx"
echo 777 >"$TS_TMP/outside"
rm "$cg2$svc/memory.current" "$cg2$svc/worker/memory.current"
ln -s "$TS_TMP/outside" "$cg2$svc/memory.current"
mkfifo "$cg2$svc/worker/memory.current" || die "cannot make a FIFO"
# a writer's open of the FIFO sleeps in the kernel until a reader opens it: as long as it
# sleeps there, nobody opened the FIFO
bash -c 'exec 3>"$1"' writer "$cg2$svc/worker/memory.current" &
wpid=$!
track "$wpid"
in_fifo_open() { [ "$(cat "/proc/$wpid/wchan" 2>/dev/null)" = wait_for_partner ]; }
fifo_check=1
if ! poll_until 20 in_fifo_open; then
	say "the FIFO's writer is not seen waiting in the kernel (wchan '$(cat "/proc/$wpid/wchan" 2>/dev/null)'): the FIFO part is not checked"
	fifo_check=0
fi
ts planted serve --proc-root "$tree" --cgroup-root "$cg2" --group-by cgroup --memory-every 0 \
	-n 2 -d 0.1 --textfile "$TS_TMP/tf"
opened=no
[ "$fifo_check" -eq 1 ] && ! in_fifo_open && opened=yes
exec 4<>"$cg2$svc/worker/memory.current"	# lets the writer go
exec 4>&-
wait "$wpid" 2>/dev/null
if [ "$RC" -eq 0 ] && [ "$opened" = no ] &&
	! grep -q '^taskscope_cgroup_memory_bytes{' "$prom" &&
	[ -n "$(value "$prom" taskscope_cgroup_pressure_stalled_seconds_total \
		"group=\"$svc\",resource=\"cpu\",kind=\"some\"")" ]; then
	ok "no memory series for either (the rest still read); the FIFO was not opened"
else
	fail "exit $RC; FIFO opened: $opened; memory series:" "$prom" "$ERR"
fi

check "two trees (golden/numa2): per-CPU series for the tree's CPUs, not this machine's"
n2=$fx/golden/numa2
ts numa serve --proc-root "$n2/1" --proc-root "$n2/2" -n 2 -d 0.1 --textfile "$TS_TMP/tf"
online=$(cat "$n2/1/sys/devices/system/cpu/online")
want=$(($(echo "$online" | sed -n 's/^0-\([0-9]*\)$/\1/p') + 1))
n=$(grep -c '^taskscope_cpu_threads{' "$prom")
# with several trees the memory sample comes with each sample (each reads the next tree)
msamples=$(awk '$1 == "taskscope_memory_samples_total" { print $2 }' "$prom")
if [ "$RC" -eq 0 ] && [ "$want" -gt 1 ] && [ "$n" -eq "$want" ] && [ "$msamples" = 2 ]; then
	ok "$n taskscope_cpu_threads series (the tree's online CPUs: $online); 2 memory samples in 2"
else
	fail "exit $RC; $n per-CPU series (the tree has $online online); memory samples '$msamples' in 2" "$prom" "$ERR"
fi

check "usage and bad trees: clear errors"
expect_usage_errors serve "--cgroup-root $cgfx" "--cgroup-root $cgfx --group-by comm" \
	"--proc-root $tree --proc-root $tree --memory-every 2" \
	"--proc-root $tree --proc-root $tree --placement-every 3"
ts notcg serve --proc-root "$tree" --cgroup-root "$fx/cgroup-v2/sys" --group-by cgroup -n 1 \
	--textfile "$TS_TMP/tf"
if [ "$RC" -eq 1 ] && grep -q "^taskscope: serve: --cgroup-root '.*/cgroup-v2/sys': not a cgroup tree" "$ERR"; then
	ok "$(head -n 1 "$ERR")"
else
	fail "--cgroup-root of a directory above the cgroup root: exit $RC" "$ERR"
fi
ts missing serve --proc-root "$tree" --cgroup-root "$TS_TMP/nonexistent" --group-by cgroup \
	-n 1 --textfile "$TS_TMP/tf"
if [ "$RC" -eq 1 ] && grep -q "^taskscope: serve: --cgroup-root '.*nonexistent': No such file" "$ERR"; then
	ok "$(head -n 1 "$ERR")"
else
	fail "--cgroup-root of a missing directory: exit $RC" "$ERR"
fi
ts notproc serve --proc-root "$cgfx" -n 1 --textfile "$TS_TMP/tf"
if [ "$RC" -eq 1 ] && grep -q "not a /proc tree" "$ERR"; then
	ok "$(head -n 1 "$ERR")"
else
	fail "--proc-root of a directory without processes: exit $RC" "$ERR"
fi

finish
