#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# serve-textfile.sh - taskscope serve --textfile read by node_exporter's textfile collector,
# --compat process-exporter's names checked against a real prometheus-process-exporter, and
# the per-process series of -p
. "$(dirname "$0")/lib.sh"

need() {	# need COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "installing Debian's $2"
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$2" \
			>>"$TS_TMP/apt.log" 2>&1
	fi
	command -v "$1" >/dev/null 2>&1 ||
		skip "$1 not found and Debian's $2 could not be installed (apt-get install $2)"
}
need prometheus-node-exporter prometheus-node-exporter
need prometheus-process-exporter prometheus-process-exporter
need promtool prometheus
need curl curl
no_exit_leak_check

WL=tf$TS_RUN
WL=${WL:0:15}
start_workload --procs 2 --mem 4M --name "$WL"
nprocs=$(pgrep -cx "$WL")

check "--textfile writes DIR/taskscope.prom that node_exporter's textfile collector reads"
mkdir "$TS_TMP/tf"
ts textfile serve --textfile "$TS_TMP/tf" -n 2 -d 0.2
expect_rc 0 "serve --textfile -n 2"
[ -f "$TS_TMP/tf/taskscope.prom" ] || fail "no taskscope.prom" "$OUT" "$ERR"
ls -A "$TS_TMP/tf" >"$TS_TMP/tf.ls"
[ "$(cat "$TS_TMP/tf.ls")" = taskscope.prom ] || fail "temporary files left" "$TS_TMP/tf.ls"
start_server node metrics prometheus-node-exporter --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$TS_TMP/tf" \
	--web.listen-address=127.0.0.1:@PORT@
NPID=$SRV_PID
curl -sf -o "$TS_TMP/node.out" "http://127.0.0.1:$SRV_PORT/metrics" ||
	die "node_exporter did not answer" "$TS_TMP/node.log"
if grep -q "^taskscope_group_processes{group=\"$WL\"} $nprocs\$" "$TS_TMP/node.out" &&
	grep -q '^node_textfile_scrape_error 0$' "$TS_TMP/node.out"; then
	ok "node_exporter serves the workload's group ($nprocs processes), no textfile error"
else
	fail "node_exporter does not serve the group, or reports a textfile error" "$TS_TMP/node.log"
	grep -E "textfile|$WL" "$TS_TMP/node.out" | head -20 >"$TS_TMP/node.grep"
	show "$TS_TMP/node.grep"
fi
stop "$NPID"

check "--textfile refuses a symbolic link to a directory and a missing directory"
ln -s "$TS_TMP/tf" "$TS_TMP/tflink"
ts tflink serve --textfile "$TS_TMP/tflink" -n 1
expect_rc 1 "a symbolic link" && grep -q "cannot use --textfile" "$ERR" || fail "no message" "$ERR"
ts tfmissing serve --textfile "$TS_TMP/nonexistent" -n 1
expect_rc 1 "a missing directory"

check "--compat process-exporter: the names and labels a real process-exporter serves"
cat >"$TS_TMP/pe.yml" <<EOF
process_names:
  - name: "{{.Comm}}"
    comm:
    - $WL
EOF
start_server pe metrics prometheus-process-exporter -config.path "$TS_TMP/pe.yml" \
	-threads=false -web.listen-address 127.0.0.1:@PORT@
PEPID=$SRV_PID
curl -sf -o "$TS_TMP/pe.out" "http://127.0.0.1:$SRV_PORT/metrics" ||
	die "process-exporter did not answer" "$TS_TMP/pe.log"
stop "$PEPID"
mkdir "$TS_TMP/tfc"
ts compat serve --compat process-exporter --textfile "$TS_TMP/tfc" -n 2 -d 0.2 --memory-every 1
expect_rc 0 "serve --compat process-exporter"
# the series of the workload's group: metric name and label names, sorted (values aside)
shape() {
	local line labels
	grep "groupname=\"$WL\"" "$1" | sed 's/ [^ ]*$//; s/="[^"]*"//g' |
		while IFS= read -r line; do
			labels=${line#*\{}
			labels=$(tr ',' '\n' <<<"${labels%\}}" | sort | paste -sd,)
			echo "${line%%\{*}{$labels}"
		done | sort -u
}
shape "$TS_TMP/pe.out" >"$TS_TMP/pe.shape"
shape "$TS_TMP/tfc/taskscope.prom" | grep '^namedprocess_' >"$TS_TMP/ts.shape"
if [ -s "$TS_TMP/ts.shape" ] && comm -23 "$TS_TMP/ts.shape" "$TS_TMP/pe.shape" >"$TS_TMP/extra" &&
	[ ! -s "$TS_TMP/extra" ]; then
	ok "$(wc -l <"$TS_TMP/ts.shape") namedprocess_ series shapes, all also process-exporter's"
else
	fail "series process-exporter does not have" "$TS_TMP/extra" "$TS_TMP/pe.shape"
fi
for m in num_procs num_threads; do
	a=$(sed -n "s/^namedprocess_namegroup_$m{groupname=\"$WL\"} //p" "$TS_TMP/pe.out")
	b=$(sed -n "s/^namedprocess_namegroup_$m{groupname=\"$WL\"} //p" "$TS_TMP/tfc/taskscope.prom")
	[ -n "$a" ] && [ "$a" = "$b" ] && ok "$m $a in both" || fail "$m: process-exporter '$a', taskscope '$b'"
done
promtool check metrics <"$TS_TMP/tfc/taskscope.prom" >"$TS_TMP/pc.out" 2>&1 && ok "promtool: clean" ||
	fail "promtool check metrics complains" "$TS_TMP/pc.out"

check "-p PID: series of the process's own, with pid and comm labels"
ts pid serve --textfile "$TS_TMP/tf" -n 1 -p "$WL_PID"
expect_rc 0 "serve -p"
if grep -q "^taskscope_process_threads{pid=\"$WL_PID\",comm=\"$WL\"} 1\$" "$TS_TMP/tf/taskscope.prom"; then
	ok "taskscope_process_threads of $WL_PID"
else
	fail "no series of PID $WL_PID" "$TS_TMP/tf/taskscope.prom"
fi
ts top serve --textfile "$TS_TMP/tf" -n 1 --top 2 --memory-every 0
expect_rc 0 "serve --top 2"
sed -n 's/^taskscope_process_rss_bytes{pid="\([0-9]*\)",.*} \([0-9]*\)$/\1 \2/p' "$TS_TMP/tf/taskscope.prom" >"$TS_TMP/top"
if [ "$(wc -l <"$TS_TMP/top")" -eq 2 ] && [ "$(awk 'NR == 1 { a = $2 } NR == 2 { print (a >= $2) }' "$TS_TMP/top")" = 1 ]; then
	ok "--top 2: two processes, the larger RSS first"
else
	fail "--top 2 did not give two processes by RSS" "$TS_TMP/top"
fi
ts nopid serve --textfile "$TS_TMP/tf" -n 1
grep -q 'pid="' "$TS_TMP/tf/taskscope.prom" && fail "PID labels without -p or --top" "$TS_TMP/tf/taskscope.prom"

finish
