#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# share.sh - what `taskscope share` costs: MiB of RSS analysed per second of CPU
#
# Starts `taskscope workload --procs N --mem SIZE` (default 4 processes of 1 GiB), then
# measures the CPU (user + system) of: taskscope share as root (exact: pagemap PFNs,
# kpageflags, kpagecount), taskscope share as an unprivileged user (the estimate), a raw
# pagemap reader (bench/rawpagemap.c: every mapping's pagemap, nothing else), the same
# reader with kpagecount of every present frame (rawpagemap -k: the floor of the exact
# path) and reading each process's smaps (what an smaps-based tool pays for PSS). Each
# measurement is repeated --reps times, tools interleaved (A B A B); median, lowest and
# spread ((highest - lowest) / median) reported, and the peak RSS of each tool.
# Two processes sharing SIZE: --procs 1 --mem 0 --shared SIZE. See bench/README.md.
set -u
cd "$(dirname "$0")/.." || exit 1

usage() {
	cat <<EOF
Usage: bench/share.sh [options]
 --procs N         worker processes (default 4)
 --mem SIZE        private memory each worker writes (default 1G)
 --shared SIZE     memory the parent writes before forking, shared by all (default 0)
 --reps N          repetitions (default 5)
 --taskscope PATH  the binary to measure (default ./taskscope)
 --baseline PATH   also measure this binary's exact share (e.g. a build of main)
EOF
}

procs=4
mem=1G
shared=0
reps=5
ts=./taskscope
baseline=
BENCH=share.sh CPU_KEEP_OUT=1
. bench/lib.sh
value_options "procs mem shared reps taskscope=ts baseline" "$@"
[ -x "$ts" ] || { echo "share.sh: $ts not found: build taskscope first" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "share.sh: run as root (the exact path needs CAP_SYS_ADMIN)" >&2; exit 1; }
ts=$(cd "$(dirname "$ts")" && pwd)/$(basename "$ts")

bytes() { numfmt --from=iec "${1%B}"; }
need=$(( ($(bytes "$mem") * procs + $(bytes "$shared")) * 12 / 10 ))
avail=$(awk '/^MemAvailable:/ { printf "%.0f\n", $2 * 1024 }' /proc/meminfo)
if [ "$avail" -lt "$need" ]; then
	echo "share.sh: needs about $((need >> 20)) MiB of free memory, $((avail >> 20)) MiB available" >&2
	exit 1
fi

work=$(mktemp -d /tmp/share-bench.XXXXXX) || exit 1
chmod 755 "$work"
wlpid=
cleanup() {
	trap - EXIT INT TERM HUP
	if [ -n "$wlpid" ]; then
		kill "$wlpid" 2>/dev/null
		wait "$wlpid" 2>/dev/null
	fi
	rm -rf "$work"
}
exit_traps cleanup

cc -O2 -o "$work/rawpagemap" bench/rawpagemap.c || exit 1

# The workload runs as nobody, so that the unprivileged estimate may read it too.
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
owner=nobody
command -v setpriv >/dev/null 2>&1 || { nobody=(); owner=root; }
"${nobody[@]}" "$ts" workload --procs "$procs" --mem "$mem" --shared "$shared" \
	>"$work/wl.out" 2>"$work/wl.err" </dev/null &
wlpid=$!
for _ in $(seq 600); do
	grep -q '^ready ' "$work/wl.out" && break
	sleep 0.1
done
line=$(grep -m1 '^ready ' "$work/wl.out") || { echo "share.sh: the workload did not start" >&2; cat "$work/wl.err" >&2; exit 1; }
tids=${line##*tids=}
IFS=, read -ra workers <<<"$tids"
pids=("$wlpid" "${workers[@]}")
echo "taskscope share bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, kernel $(uname -r)"
echo "workload: --procs $procs --mem $mem --shared $shared (pids ${pids[*]}, as $owner)"

run_exact() { "$ts" share --bytes -J "${pids[@]}"; }
run_estimate() { "${nobody[@]}" "$ts" share --bytes -J "${pids[@]}"; }
run_base() { "$baseline" share --bytes -J "${pids[@]}"; }
run_raw() { "$work/rawpagemap" "${pids[@]}"; }
run_rawk() { "$work/rawpagemap" -k "${pids[@]}"; }
run_smaps() { for p in "${pids[@]}"; do cat "/proc/$p/smaps"; done; }

tools=(exact raw rawk smaps)
[ ${#nobody[@]} -gt 0 ] && tools=(exact estimate raw rawk smaps)
[ -n "$baseline" ] && tools=(exact base "${tools[@]:1}")
declare -A label
labels <<'EOF'
exact	taskscope share (root: exact)
estimate	taskscope share (nobody: estimate)
base	baseline share (root: exact)
raw	rawpagemap (bench/rawpagemap.c)
rawk	rawpagemap -k (+ kpagecount)
smaps	cat /proc/PID/smaps
EOF

cpu_rounds "$reps" "${tools[@]}"

# what taskscope analysed: the present pages of the address spaces, from its JSON
pages=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["memory"]["pages"])' "$work/out.exact")
rss_mib=$(awk -v p="$pages" -v ps="$(getconf PAGESIZE)" 'BEGIN { printf "%.1f", p * ps / 1048576 }')
echo "RSS analysed: $rss_mib MiB ($pages present pages); reps: $reps; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
raw=$(median <"$work/cpu.raw")
rawk=$(median <"$work/cpu.rawk")
printf '| %-36s | %9s | %9s | %7s | %12s | %6s | %7s | %9s |\n' tool "CPU ms" "lowest ms" spread "MiB RSS/CPU s" "x raw" "x raw+k" "peak KiB"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..38})" "----------:" "----------:" "--------:" "-------------:" "-------:" "--------:" "----------:"
for t in "${tools[@]}"; do
	read -r med low high <<<"$(cpu_stats "$t")"
	peak=$(peak_kib "$t" ts work pids nobody baseline)
	awk -v l="${label[$t]}" -v m="$med" -v lo="$low" -v hi="$high" -v r="$raw" -v rk="$rawk" \
		-v mib="$rss_mib" -v pk="$peak" 'BEGIN {
		printf "| %-36s | %9.1f | %9.1f | %6.0f%% | %13.0f | %6.2f | %7.2f | %9s |\n", l, m / 1000,
			lo / 1000, (m > 0 ? (hi - lo) * 100 / m : 0), (m > 0 ? mib / (m / 1e6) : 0),
			(r > 0 ? m / r : 0), (rk > 0 ? m / rk : 0), pk }'
done
