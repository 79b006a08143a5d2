#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# permmatrix.sh - the main commands as root and as an unprivileged user, against root's and
# the user's own workloads, on the normal /proc, on private proc mounts (hidepid=invisible,
# hidepid=noaccess, subset=pid) and inside a PID namespace: no crash, the documented exit
# status, "denied" distinct from "gone", nothing computed from files that cannot be read or
# from zeroed page frame numbers. Prints the matrix.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need testuser python

for t in unshare nsenter setpriv mount; do
	command -v "$t" >/dev/null || skip "$t not found (util-linux)"
done
unshare -m -- sh -c 'mount -t proc -o hidepid=invisible proc /proc' 2>"$TS_TMP/unshare.err" ||
	skip "cannot mount a private proc (unshare -m; mount -t proc -o hidepid=invisible): $(head -n 1 "$TS_TMP/unshare.err")"
unshare -p -f --mount-proc -- true 2>"$TS_TMP/unshare.err" ||
	skip "cannot make a PID namespace (unshare -p -f --mount-proc): $(head -n 1 "$TS_TMP/unshare.err")"

MATRIX=()
T=$TASKSCOPE

# ---- the workloads: root's and the user's, on the host and inside a PID namespace -----------

# ready_pid FILE: wait for a workload's ready line in FILE and print its pid
ready_pid() {
	poll_until 10 grep -q '^ready ' "$1" || return 1
	sed -n 's/^ready pid=\([0-9]*\) .*/\1/p' "$1" | head -n 1
}

WL=(workload --threads 2 --mem 8M --duration 300)
"$T" "${WL[@]}" >"$TS_TMP/r.out" 2>&1 </dev/null &
track $!
# setpriv itself in the background (not the as_user function, whose subshell would be
# the PID tracked): it execs the workload, so $! is the workload
setpriv --reuid="$TS_TUID" --regid="$TS_TGID" --init-groups -- "$T" "${WL[@]}" \
	>"$TS_TMP/u.out" 2>&1 </dev/null &
track $!
R=$(ready_pid "$TS_TMP/r.out") || die "root's workload did not start" "$TS_TMP/r.out"
W=$(ready_pid "$TS_TMP/u.out") || die "the user's workload did not start" "$TS_TMP/u.out"
say "host: root's workload $R, $TS_TUSER's workload $W"

unshare -p -f --mount-proc --kill-child -- sleep 600 </dev/null >/dev/null 2>&1 &
NSU=$!
track "$NSU"
poll_until 5 grep -q "[0-9]" "/proc/$NSU/task/$NSU/children" || die "the PID namespace did not start"
NSINIT=$(awk '{ print $1 }' "/proc/$NSU/task/$NSU/children")
inns() { nsenter -t "$NSINIT" -p -m -- "$@"; }
inns "$T" "${WL[@]}" >"$TS_TMP/nr.out" 2>&1 </dev/null &
track $!
inns setpriv --reuid="$TS_TUID" --regid="$TS_TGID" --init-groups -- "$T" "${WL[@]}" \
	>"$TS_TMP/nu.out" 2>&1 </dev/null &
track $!
NR=$(ready_pid "$TS_TMP/nr.out") || die "root's workload in the namespace did not start" "$TS_TMP/nr.out"
NW=$(ready_pid "$TS_TMP/nu.out") || die "the user's workload in the namespace did not start" "$TS_TMP/nu.out"
say "PID namespace (init $NSINIT on the host): root's workload $NR, $TS_TUSER's $NW (PIDs in the namespace)"

# ---- running one cell -----------------------------------------------------------------------

# run CTX WHO NAME ARGS...: run taskscope ARGS in context CTX (proc, invisible, noaccess,
# subset, pidns) as WHO (root, user); sets OUT, ERR, RC, CELL
run() {
	local ctx=$1 who=$2 name=$3
	shift 3
	local pre=() as=()
	CELL="$ctx/$who/$name"
	OUT=$TS_TMP/$ctx-$who-$name.out
	ERR=$TS_TMP/$ctx-$who-$name.err
	[ "$who" = user ] && as=(setpriv --reuid="$TS_TUID" --regid="$TS_TGID" --init-groups --)
	case $ctx in
	proc) ;;
	pidns) pre=(nsenter -t "$NSINIT" -p -m --) ;;
	invisible | noaccess) pre=(unshare -m -- sh -c 'mount -t proc -o "hidepid=$0" proc /proc && exec "$@"' "$ctx") ;;
	subset) pre=(unshare -m -- sh -c 'mount -t proc -o subset=pid proc /proc && exec "$@"' subset) ;;
	esac
	timeout -k 5 $((60 * TS_SLOW)) "${pre[@]}" "${as[@]}" "$T" "$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
}

# cell WANT_RC RESULT: record the cell; checks no crash, no sanitizer report, the exit status.
# RESULT is what the caller found (empty: as expected). Returns 1 when the cell failed.
cell() {
	local want=$1 res=${2:-} verdict=ok
	check "$CELL: exit $want${res:+; $res}"
	if [ "$RC" -ge 124 ]; then
		res="crashed or hung (exit $RC)"
	elif grep -qE 'runtime error|ERROR: AddressSanitizer|LeakSanitizer' "$ERR"; then
		res="sanitizer report"
	elif [ "$RC" -ne "$want" ]; then
		res="exit $RC, expected $want"
	else
		res=${FOUND:-}
	fi
	if [ -n "${BAD:-}" ] || [ "$RC" -ne "$want" ] || [[ $res == crashed* ]] || [[ $res == sanitizer* ]]; then
		verdict=FAIL
		fail "$CELL: ${BAD:-$res}" "$OUT" "$ERR"
	else
		ok "$CELL: $res"
	fi
	MATRIX+=("$(printf '%-28s %-4s exit %-3s %s' "$CELL" "$verdict" "$RC" "${BAD:-$res}")")
	BAD= FOUND=
}

# refused GREPFLAGS LINE FOUND [BADTEXT]: record a cell of exit 1 whose stderr must hold LINE
# (grep GREPFLAGS); BADTEXT (default: no 'LINE' on stderr) when it does not
refused() {
	grep "$1" -- "$2" "$ERR" || BAD=${4:-"no '${2#taskscope: }' on stderr"}
	FOUND=$3
	cell 1
}

# rows_of PID FILE: the table rows of process PID
rows_of() { last_table "$2" | awk -v p="$1" '$1 == p'; }

# jq-like reads of JSON with python: py_json FILE EXPR (EXPR uses d, the document)
py_json() {
	"$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null
}

BAD= FOUND=
for ctx in proc invisible noaccess subset pidns; do
	if [ "$ctx" = pidns ]; then r=$NR w=$NW; else r=$R w=$W; fi
	for who in root user; do
		# which of root's tasks the user may see in this context
		hidden=no denied=no
		if [ "$who" = user ]; then
			case $ctx in
			invisible) hidden=yes ;;
			noaccess) denied=yes ;;
			esac
		fi

		# -- the task view, every task
		run "$ctx" "$who" view -b -H -n 1 -d 0.1
		nr=$(rows_of "$r" "$OUT" | wc -l)
		nw=$(rows_of "$w" "$OUT" | wc -l)
		if [ "$hidden" = yes ] || [ "$denied" = yes ]; then
			[ "$nr" -eq 0 ] || BAD="root's workload shows ($nr rows) though /proc hides it"
			FOUND="root's tasks not shown, own: $nw rows"
		else
			[ "$nr" -eq 3 ] || BAD="root's workload has $nr rows, expected 3"
			FOUND="root's: $nr rows, own: $nw rows"
		fi
		[ "$nw" -eq 3 ] || BAD="${BAD:+$BAD; }the user's workload has $nw rows, expected 3"
		hdr=$(grep -m1 '^taskscope [0-9]' "$OUT")
		# hidepid=noaccess lists what it hides: the header counts those processes as denied
		if [ "$denied" = yes ]; then
			if [[ $hdr =~ \(([0-9]+)\ more\ process(es)?\ denied:\ hidepid=noaccess\) ]]; then
				FOUND="$FOUND; header: ${BASH_REMATCH[1]} more denied"
			else
				BAD="${BAD:+$BAD; }the header does not count the denied processes: $hdr"
			fi
		elif [[ $hdr == *denied* ]]; then
			BAD="${BAD:+$BAD; }the header speaks of denied processes: $hdr"
		fi
		if [ "$ctx" = subset ]; then
			# no /proc/stat: CPU busy is unknown, so it is not shown (never 0)
			[[ $hdr == *"CPU busy"* ]] && BAD="${BAD:+$BAD; }subset=pid has no /proc/stat, yet the header shows CPU busy: $hdr"
			FOUND="$FOUND; no CPU busy (no /proc/stat)"
		elif [[ $hdr != *"CPU busy"* ]]; then
			BAD="${BAD:+$BAD; }the header lacks CPU busy: $hdr"
		fi
		cell 0

		# -- the footprint columns: a table with footnotes, and JSON with reasons
		for fmt in table json; do
			if [ "$fmt" = json ]; then
				run "$ctx" "$who" foot-json -J -n 1 -d 0.1 -o pid,pss,uss -p "$r,$w"
			else
				run "$ctx" "$who" foot -b -n 1 -d 0.1 -o pid,pss,uss -p "$r,$w"
			fi
			if [ "$hidden" = yes ]; then
				refused -qxF "taskscope: no such process: $r" "no such process"
				continue
			fi
			if [ "$denied" = yes ]; then
				refused -qF "taskscope: PID $r: permission denied" "permission denied"
				continue
			fi
			if [ "$fmt" = table ]; then
				rr=$(rows_of "$r" "$OUT")
				rw=$(rows_of "$w" "$OUT")
				read -r _ rpss russ <<<"$rr"
				read -r _ wpss wuss <<<"$rw"
				case $wpss$wuss in *-*|'') BAD="the user's own process has no PSS/USS: '$rw'" ;; esac
				if [ "$who" = root ]; then
					case $rpss$russ in *-*|'') BAD="root has no PSS/USS of its own process: '$rr'" ;; esac
					FOUND="PSS $rpss / $wpss"
				else
					if [ "$rpss $russ" != "- -" ]; then
						BAD="root's process shows '$rpss $russ' to the user, expected '- -'"
					elif ! grep -qx '  - denied: no permission to read it' "$OUT"; then
						BAD="no 'denied' footnote"
					elif grep -q '  - gone' "$OUT"; then
						BAD="a 'gone' footnote for a denied value"
					fi
					FOUND="root's '- -' (footnote denied), own PSS $wpss"
				fi
			else
				got=$(py_json "$OUT" '"|".join("%s %s %s %s" % (t["pid"], t["pss"], t["uss"], t["unavailable"]) for t in d["tasks"])')
				rrow=$(tr '|' '\n' <<<"$got" | awk -v p="$r" '$1 == p')
				wrow=$(tr '|' '\n' <<<"$got" | awk -v p="$w" '$1 == p')
				[[ $wrow =~ ^$w\ [0-9]+\ [0-9]+\ None$ ]] || BAD="the user's own row is '$wrow'"
				if [ "$who" = root ]; then
					[[ $rrow =~ ^$r\ [0-9]+\ [0-9]+\ None$ ]] || BAD="root's row is '$rrow'"
					FOUND="both rows have numbers"
				else
					[ "$rrow" = "$r None None pss:denied,uss:denied" ] ||
						BAD="root's row is '$rrow', expected null pss/uss, unavailable pss:denied,uss:denied"
					FOUND="root's null, unavailable pss:denied,uss:denied"
				fi
			fi
			cell 0
		done

		# -- maps of root's process and of the user's own
		run "$ctx" "$who" maps-root maps "$r"
		if [ "$hidden" = yes ]; then
			refused -qxF "taskscope: no such process: $r" "no such process" "no 'no such process'"
		else
			if [ "$who" = root ]; then
				grep -qE "^PID $r \([^)]*\): [0-9]+ mappings" "$OUT" || BAD="no map of $r"
				FOUND="the map"
			else
				if ! grep -qE "^PID $r( \([^)]+\))?: denied: " "$OUT"; then
					BAD="no 'denied' line"
				elif grep -qE '^[0-9a-f]+-[0-9a-f]+ ' "$OUT"; then
					BAD="mappings shown for a denied process"
				fi
				FOUND="$(grep -m1 -oE '^PID [0-9]+( \([^)]*\))?: denied' "$OUT")"
			fi
			cell 0
		fi
		run "$ctx" "$who" maps-own maps "$w"
		grep -qE "^PID $w \([^)]*\): [0-9]+ mappings" "$OUT" || BAD="no map of the user's own $w"
		FOUND="the map"
		cell 0

		# -- share: exact only with PFNs, never from zeroed ones
		run "$ctx" "$who" share share -J "$r" "$w"
		# a target that cannot be read is named and the others compared (exit 0)
		if [ "$hidden" = yes ]; then
			[ "$(py_json "$OUT" 'd["vanished"]')" = "[$r]" ] || BAD="$r not listed as vanished"
			FOUND="$r: no such process, $w compared"
			cell 0
		elif [ "$denied" = yes ]; then
			[ "$(py_json "$OUT" 'd["unreadable"]')" = "[$r]" ] || BAD="$r not listed as unreadable"
			FOUND="$r: permission denied, $w compared"
			cell 0
		else
			method=$(py_json "$OUT" 'd["memory"]["method"]')
			# each space as "PID error rss", root's process first
			sp=$(py_json "$OUT" '"|".join("%s %s %s" % (p, s["error"], s["rss"]) for p in ('"$r, $w"') for sp in d["spaces"] if sp["pids"] == [p] for s in d["memory"]["spaces"] if s["space"] == sp["space"])')
			if [ "$who" = root ]; then
				[ "$method" = exact ] || BAD="root gets method '$method', expected exact"
				[[ $sp =~ ^$r\ None\ [0-9]+\|$w\ None\ [0-9]+$ ]] || BAD="${BAD:+$BAD; }spaces '$sp'"
				if [ "$ctx" = subset ] && ! grep -qF 'not on this /proc mount' "$OUT"; then
					BAD="${BAD:+$BAD; }subset=pid has no kpagecount, but no note says so"
				fi
			else
				[ "$method" = estimate ] || BAD="the user gets method '$method', expected estimate (no PFNs)"
				# root's process: denied, no numbers; the user's own: numbers
				[[ $sp =~ ^$r\ permission\ denied\ None\|$w\ None\ [0-9]+$ ]] ||
					BAD="${BAD:+$BAD; }spaces '$sp', expected $r denied with null rss, $w with a number"
			fi
			FOUND="method $method; spaces ${sp//|/, }"
			cell 0
		fi

		# -- cpus: placement of root's process
		run "$ctx" "$who" cpus cpus -p "$r" -t 0.3
		if [ "$hidden" = yes ]; then
			refused -qxF "taskscope: cpus: no such process: $r" "no such process" "no 'no such process'"
		elif [ "$denied" = yes ]; then
			refused -qF "taskscope: cpus: PID $r: permission denied" "permission denied" "no 'permission denied'"
		else
			n=$(grep -cE "^ *$r +[0-9]+ [^ ]+ +[0-9]+ " "$OUT")
			[ "$n" -eq 3 ] || BAD="$n thread rows of $r, expected 3"
			FOUND="$n threads sampled"
			cell 0
		fi
	done
done

# A PID outside the namespace does not exist inside it.
run pidns root outside maps "$R"
refused -qxF "taskscope: no such process: $R" "no such process (host PID $R)" "no 'no such process: $R'"

# the namespace's init ignores TERM: end the namespace (and what runs in it) at once
kill -KILL "$NSINIT" 2>/dev/null

echo "# ---- the matrix (context/user/command, verdict, exit status, what was seen) ----"
for m in "${MATRIX[@]}"; do
	printf '# %s\n' "$m"
done
finish
