#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sanitize.sh - hostile task names (control bytes, escape sequences, C1, bidi overrides,
# invisible format and default-ignorable characters, invalid UTF-8, a fake stat field, a
# backslash that spells an escape) never reach the output raw: tables, raw and JSON are
# valid UTF-8 without control or invisible characters, rows stay one line each, the JSON
# parses, each invisible character shows as its escape and a literal backslash as "\\";
# error messages that echo user input are sanitized too; the sanitizer's table is what its
# generator makes of the Unicode data.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99
need tshelper python

NAMES=(
	$'x) R 1 (y'		# a fake end of the comm field in /proc/PID/stat
	$'a\nb'			# a newline: would make an extra row
	$'\e[31mred'		# ANSI colour
	$'bel\a'		# BEL
	$'\xc2\x9b'		# C1 CSI, as UTF-8
	$'\xe2\x80\xaeevil'	# U+202E right-to-left override
	$'\xff\xfe'		# invalid UTF-8
	$'cr\rtab\tdel\x7f'	# CR, TAB, DEL
	$'\e]0;title\a'		# OSC: set the terminal title
)

# Invisible characters (format or default-ignorable) and a backslash: each name is "i", a
# per-run part, the character and "e", with the escape taskscope must show for it.
u=$$
INVIS=(
	$'\xe2\x80\x8d|\\u200d'		# U+200D zero width joiner
	$'\xe2\x81\xa0|\\u2060'		# U+2060 word joiner
	$'\xc2\xad|\\u00ad'			# U+00AD soft hyphen
	$'\xf3\xa0\x81\x81|\\U000e0041'	# U+E0041 tag letter A
	$'\xe3\x85\xa4|\\u3164'		# U+3164 Hangul filler
	$'\xe1\x85\x9f|\\u115f'		# U+115F Hangul choseong filler
	$'\xef\xbe\xa0|\\uffa0'		# U+FFA0 halfwidth Hangul filler
	$'\xef\xbf\xb9|\\ufff9'		# U+FFF9 interlinear annotation anchor
	$'\xef\xbf\xbb|\\ufffb'		# U+FFFB interlinear annotation terminator
	$'\xe1\xa0\x8e|\\u180e'		# U+180E Mongolian vowel separator
	$'\xef\xb8\x8f|\\ufe0f'		# U+FE0F variation selector-16
	$'\e|\\x1b'				# ESC
	'\x1b|\\x1b'				# a backslash, then "x1b": not an ESC
)
for e in "${INVIS[@]}"; do
	NAMES+=("i$u${e%%|*}e")
done

# ---- start a process and a workload under every name ---------------------------------------------

helpers=()
workloads=()
nthreads() { [ "$(ls "/proc/$1/task" 2>/dev/null | wc -l)" -eq "$2" ]; }
for n in "${NAMES[@]}"; do
	start_helper "helper${#helpers[@]}" name "$n" 3600
	p=$HELPER_PID
	[ "$READY" = "$p" ] || die "tshelper's ready line says '$READY', not its PID $p"
	poll_until 5 nthreads "$p" 2 ||
		die "tshelper $p does not have its 2 threads" "/proc/$p/status"
	helpers+=("$p")
	start_workload --threads 1 --name "$n"
	workloads+=("$WL_PID")
done
pids=$(IFS=,; echo "${helpers[*]},${workloads[*]}")
say "helpers ${helpers[*]}; workloads ${workloads[*]}"

# ---- every output mode ------------------------------------------------------------------------------

# name|mode|rows per process (H: threads, P: one)|taskscope arguments
RUNS=(
	"tableH|table|H|-b -H"
	"tableHo|table|H|-b -H -o pid,tid,ppid,state,comm,cmd"
	"rawHo|raw|H|-r -H -o pid,tid,ppid,state,comm,cmd"
	"jsonHo|json|H|-J -H -o pid,tid,ppid,state,comm,cmd"
	"tableP|table|P|-b -o pid,tid,ppid,state,comm,cmd"
	"jsonP|json|P|-J"
)
# In the C locale libproc2 and libsmartcols escape every non-ASCII byte themselves; in a UTF-8
# locale (what users have) they pass printable UTF-8 through, and taskscope's own sanitizing
# is what counts: run both.
LOCALES=(C)
utf8=$(locale -a 2>/dev/null | grep -Eix 'c\.utf-?8|en_US\.utf-?8' | head -n 1)
if [ -n "$utf8" ]; then
	LOCALES+=("$utf8")
else
	say "no UTF-8 locale installed (locale -a): the outputs are checked in the C locale only"
fi

# check_output.py FILE MODE PER PIDS: bytes, UTF-8, rows per PID, fields around the name
cat >"$TS_TMP/check_output.py" <<'EOF'
import json, os, re, sys, unicodedata
path, mode, per, pids = sys.argv[1], sys.argv[2], sys.argv[3], [int(p) for p in sys.argv[4].split(",")]
data = open(path, "rb").read()
errs = []

# bytes: no C0 control but newline, no DEL, no C1 (as UTF-8), no bidi controls, valid UTF-8
for m in re.finditer(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]", data):
    line = data.count(b"\n", 0, m.start()) + 1
    errs.append("byte(s) %r at offset %d, line %d" % (m.group(), m.start(), line))
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    errs.append("not valid UTF-8: %s" % e)
    text = data.decode("utf-8", "replace")

# control, format, line/paragraph separator (by Python's own Unicode data) and the
# default-ignorable code points that are letters or marks (Unicode's DerivedCoreProperties)
DI_EXTRA = [(0x34f, 0x34f), (0x115f, 0x1160), (0x17b4, 0x17b5), (0x180b, 0x180f), (0x3164, 0x3164),
            (0xfe00, 0xfe0f), (0xffa0, 0xffa0), (0xfff0, 0xfff8), (0xe0000, 0xe0fff)]
def invisible(c):
    o = ord(c)
    return unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") or any(a <= o <= b for a, b in DI_EXTRA)

def unsafe(s):
    return [c for c in s if invisible(c)]

for i, c in enumerate(text):
    if c != "\n" and invisible(c):
        errs.append("U+%04X at character %d, line %d" % (ord(c), i, text.count("\n", 0, i) + 1))

def status(pid, tid=None):
    base = "/proc/%d/task/%d" % (pid, tid or pid)
    st = {}
    for l in open(base + "/status", "rb"):
        k, _, v = l.partition(b":")
        st[k.decode()] = v.strip()
    return st

def kernel_comm(pid, tid):
    return open("/proc/%d/task/%d/comm" % (pid, tid), "rb").read().rstrip(b"\n")

want_rows = {p: (len(os.listdir("/proc/%d/task" % p)) if per == "H" else 1) for p in pids}
counts = {p: 0 for p in pids}
rows = []          # (pid, tid, ppid, state, comm) as far as the mode shows them

if mode == "json":
    try:
        doc = json.loads(text)
    except ValueError as e:
        sys.exit("\n".join(errs + ["the JSON does not parse: %s" % e]))
    for r in doc["tasks"]:
        for k, v in r.items():
            if isinstance(v, str) and unsafe(v):
                errs.append("pid %s: %s %r holds unsafe characters after JSON decoding" % (r.get("pid"), k, v))
        if r.get("pid") in counts:
            counts[r["pid"]] += 1
        else:
            errs.append("a row of an unexpected pid: %r" % r)
        rows.append((r.get("pid"), r.get("tid", r.get("pid")), r.get("ppid"), r.get("state"), r.get("comm")))
else:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if mode == "table":
        hdr = [i for i, l in enumerate(lines) if re.match(r"taskscope \d\d:\d\d:\d\d ", l)]
        if len(hdr) != 1:
            errs.append("%d header lines, expected 1" % len(hdr))
        body = [l for l in lines[hdr[0] + 2:] if l and not l.startswith("  - ")] if hdr else []
    else:
        body = lines[1:]
    heading = (lines[hdr[0] + 1] if mode == "table" and hdr else lines[0]).split()
    for l in body:
        f = l.split()
        try:
            pid = int(f[0])
        except (ValueError, IndexError):
            errs.append("a line that is not a row: %r" % l)
            continue
        if pid not in counts:
            errs.append("a row of an unexpected pid: %r" % l)
            continue
        counts[pid] += 1
        if heading[:4] == ["PID", "TID", "PPID", "STATE"] and len(f) >= 5:
            rows.append((pid, int(f[1]), int(f[2]), f[3], None))

for p in pids:
    if counts[p] != want_rows[p]:
        errs.append("pid %d: %d rows, expected %d" % (p, counts[p], want_rows[p]))

# the fields around the name are right: stat was split at the last ')'
for pid, tid, ppid, state, comm in rows:
    try:
        st = status(pid, tid)
    except OSError:
        errs.append("pid %d tid %d is gone" % (pid, tid))
        continue
    if ppid is not None and ppid != int(st["PPid"]):
        errs.append("pid %d tid %d: PPID %r, /proc says %s" % (pid, tid, ppid, st["PPid"].decode()))
    if state is not None and (not isinstance(state, str) or len(state) != 1 or state not in "RSDTtZXIPKW"):
        errs.append("pid %d tid %d: STATE %r" % (pid, tid, state))
    if mode == "json" and comm is not None:
        kc = kernel_comm(pid, tid)
        printable = all(0x20 <= b < 0x7f for b in kc)
        # printable ASCII is shown as it is, but for a backslash, which is doubled
        if printable and comm != kc.decode().replace("\\", "\\\\"):
            errs.append("pid %d tid %d: comm %r, the kernel's is the printable %r" % (pid, tid, comm, kc))
        if not comm:
            errs.append("pid %d tid %d: empty comm" % (pid, tid))
if errs:
    sys.exit("\n".join(errs[:30]))
print("%d rows of %d processes" % (sum(counts.values()), len(pids)))
EOF

for r in "${RUNS[@]}"; do
	IFS='|' read -r name mode per args <<<"$r"
	for loc in "${LOCALES[@]}"; do
		check "LC_ALL=$loc taskscope $args -p <${#NAMES[@]} hostile names x 2 processes>: clean bytes, valid UTF-8, one row per task"
		# shellcheck disable=SC2086
		LC_ALL=$loc ts "$name" -n 1 -d 0.1 -p "$pids" $args
		expect_rc 0 "taskscope $args" || continue
		if ! "$PY" "$TS_TMP/check_output.py" "$OUT" "$mode" "$per" "$pids" >"$TS_TMP/$name.py" 2>&1; then
			fail "LC_ALL=$loc $args: unsafe output" "$TS_TMP/$name.py" "$OUT"
		else
			ok "$(cat "$TS_TMP/$name.py")"
		fi
	done
done

# ---- invisible characters and backslashes show as their escapes -----------------------------------

# The command line (argv, which holds the name) is sanitized by taskscope alone: its CMD shows
# each character as its escape. libproc2 turns COMM's unprintable characters into '?' or '.'
# first; the check above already made sure nothing invisible gets through there.
ipids=()
iwant=()
for e in "${INVIS[@]}"; do
	for k in "${!NAMES[@]}"; do
		if [ "${NAMES[$k]}" = "i$u${e%%|*}e" ]; then
			ipids+=("${helpers[$k]}")
			iwant+=("i$u${e#*|}e")
		fi
	done
done
[ "${#ipids[@]}" -eq "${#INVIS[@]}" ] || die "the invisible names' helpers are not all found"
printf '%s\n' "${ipids[@]}" >"$TS_TMP/ipids"
printf '%s\n' "${iwant[@]}" >"$TS_TMP/iwant"
cat >"$TS_TMP/check_escapes.py" <<'EOF2'
import json, sys
path, mode = sys.argv[1], sys.argv[2]
pids = [int(l) for l in open(sys.argv[3])]
want = [l.rstrip("\n") for l in open(sys.argv[4], encoding="utf-8")]
text = open(path, "rb").read().decode("utf-8")
cmds = {}
if mode == "json":
    for r in json.loads(text)["tasks"]:
        cmds[r["pid"]] = r["cmd"]
else:
    for l in text.split("\n"):
        f = l.split(None, 2)
        if len(f) == 3 and f[0].isdigit():
            cmds[int(f[0])] = f[2]
errs = []
for p, w in zip(pids, want):
    c = cmds.get(p)
    if c is None:
        errs.append("pid %d: no row" % p)
    elif not c.endswith(" name %s 3600" % w):
        errs.append("pid %d: CMD %r does not end with ' name %s 3600'" % (p, c, w))
if len(set(cmds.get(p) for p in pids)) != len(pids):
    errs.append("two names look the same: %r" % sorted(cmds.values()))
if errs:
    sys.exit("\n".join(errs))
print("%d names shown as %s" % (len(pids), " ".join(want)))
EOF2
ilist=$(IFS=,; echo "${ipids[*]}")
for loc in "${LOCALES[@]}"; do
	for mode in table json; do
		check "LC_ALL=$loc $mode: each invisible character's escape in CMD, a literal backslash as \\\\, no two names alike"
		if [ "$mode" = json ]; then
			LC_ALL=$loc ts "esc-$mode" -J -n 1 -d 0.1 -p "$ilist" -o pid,comm,cmd
		else
			LC_ALL=$loc ts "esc-$mode" -b -n 1 -d 0.1 -p "$ilist" -o pid,comm,cmd
		fi
		expect_rc 0 "taskscope $mode" || continue
		if "$PY" "$TS_TMP/check_escapes.py" "$OUT" "$mode" "$TS_TMP/ipids" "$TS_TMP/iwant" >"$TS_TMP/esc.py" 2>&1; then
			ok "$(cat "$TS_TMP/esc.py")"
		else
			fail "LC_ALL=$loc $mode: names not shown as their escapes" "$TS_TMP/esc.py" "$OUT"
		fi
	done
done

# ---- printable non-ASCII names in a locale that is not UTF-8 --------------------------------------

# libsmartcols loops forever on text it cannot decode in the locale: in the C locale a thread
# named with any non-ASCII character hung `taskscope -b -H`. There taskscope writes ASCII,
# the rest escaped; in a UTF-8 locale the characters themselves.
wide="w$u"$'\xe4\xb8\xad\xc3\xa9'
start_helper wide name "$wide" 3600
wp=$HELPER_PID
poll_until 5 nthreads "$wp" 2 || die "tshelper $wp does not have its 2 threads" "/proc/$wp/status"
for loc in C "${LOCALES[@]:1}"; do
	if [ "$loc" = C ]; then
		want="w$u\\u4e2d\\u00e9"
	else
		want=$wide
	fi
	check "LC_ALL=$loc taskscope -b -H on a thread named $(printf %q "$wide") ends and shows '$want'"
	LC_ALL=$loc TS_TIMEOUT=20 ts "wide-$loc" -b -H -n 1 -d 0.1 -p "$wp" -o pid,tid,comm,cmd
	expect_rc 0 "LC_ALL=$loc taskscope -b -H" || continue
	# (awk -v would take the backslashes for escapes: the environment does not)
	rows=$(last_table "$OUT" | W=$want awk '$3 == ENVIRON["W"] && $NF == "3600" && $(NF - 1) == ENVIRON["W"]' | wc -l)
	if [ "$rows" -eq 2 ]; then
		ok "both threads show '$want' in COMM and CMD"
	else
		fail "$rows of the 2 rows show '$want' in COMM and CMD" "$OUT"
	fi
done
stop "$wp"

# ---- the table of invisible code points is the Unicode data's ------------------------------------

gen=${top_srcdir:-$TS_LIBDIR/..}/src/lib/gen-invisible.py
hdr=${top_srcdir:-$TS_LIBDIR/..}/src/lib/invisible.h
ucd=/usr/share/unicode
have=$(sed -n 's/^#define INVISIBLE_UNICODE_VERSION "\(.*\)"$/\1/p' "$hdr")
there=$(sed -n '1s/^# DerivedCoreProperties-\(.*\)\.txt.*/\1/p' "$ucd/DerivedCoreProperties.txt" 2>/dev/null)
if [ -z "$there" ] || [ ! -r "$ucd/UnicodeData.txt" ]; then
	say "no Unicode data in $ucd (Debian: unicode-data): the table is not compared with it"
elif [ "$there" != "$have" ]; then
	say "$ucd holds Unicode $there, src/lib/invisible.h was made from $have: not compared"
else
	check "src/lib/invisible.h is what src/lib/gen-invisible.py makes of Unicode $have in $ucd"
	if "$PY" "$gen" "$ucd" >"$TS_TMP/invisible.h" 2>"$TS_TMP/gen.err" &&
	   diff -u "$hdr" "$TS_TMP/invisible.h" >"$TS_TMP/gen.diff" 2>&1; then
		ok "$(grep -c '^	{ 0x' "$hdr") ranges, the same"
	else
		fail "the committed table differs from the generator's output" "$TS_TMP/gen.err" "$TS_TMP/gen.diff"
	fi
fi

# ---- -C with a hostile name --------------------------------------------------------------------

# -C NAME takes the name as in /proc/PID/comm: the exact (raw) name must find the process.
for i in 0 3; do
	n=${NAMES[$i]}
	kc=$(cat "/proc/${helpers[$i]}/comm")
	check "-C $(printf %q "$kc") (the exact /proc/PID/comm) finds the helper ${helpers[$i]} and the workload ${workloads[$i]}"
	ts cname -b -n 1 -d 0.1 -C "$kc" -o pid
	if expect_rc 0 "-C $(printf %q "$kc")"; then
		got=$(last_table "$OUT" | awk '{ print $1 }' | sort -n | tr '\n' ' ')
		want=$(printf '%s\n' "${helpers[$i]}" "${workloads[$i]}" | sort -n | tr '\n' ' ')
		# another test run at the same time has processes of the same names: they may
		# be found too, but only processes of exactly that name
		bad=
		for p in $got; do
			[[ " $want " == *" $p "* ]] && continue
			c=$(cat "/proc/$p/comm" 2>/dev/null) || continue	# gone since
			[ "$c" = "$kc" ] || bad="$bad $p"
		done
		miss=
		for p in $want; do
			[[ " $got " == *" $p "* ]] || miss="$miss $p"
		done
		if [ -n "$miss" ] || [ -n "$bad" ]; then
			fail "PIDs '$got', expected '$want' (missing:${miss:- none}; other names:${bad:- none})" "$OUT"
		else
			ok "PIDs $got"
		fi
	fi
done

# ---- error messages that echo user input ----------------------------------------------------------

# clean FILE: no control byte but newline, no C1, no bidi control, valid UTF-8
UNSAFE='[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]'
clean() {
	local hit
	hit=$(LC_ALL=C grep -naP "$UNSAFE" "$1")
	case $? in
	0) echo "unsafe bytes on line ${hit%%:*}"; return 1 ;;
	1) ;;
	*) echo "grep -P failed"; return 1 ;;
	esac
	iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1 || { echo "invalid UTF-8"; return 1; }
}
clean /dev/null || die "the byte checker itself does not work here: $(clean /dev/null)"
printf 'a\033b\n' >"$TS_TMP/esc" && ! clean "$TS_TMP/esc" >/dev/null || die "the byte checker misses ESC"
printf 'a\xc2\x9bb\n' >"$TS_TMP/c1" && ! clean "$TS_TMP/c1" >/dev/null || die "the byte checker misses C1"
printf 'a\xffb\n' >"$TS_TMP/bad" && ! clean "$TS_TMP/bad" >/dev/null || die "the byte checker misses invalid UTF-8"

E=$'\e[31m'
RLO=$'\xe2\x80\xae'
C1=$'\xc2\x9b'

# errcase WANT ARGS...: taskscope ARGS exits WANT with a message, and the message is clean
errcase() {
	local want=$1
	shift
	check "taskscope $(printf '%q ' "$@")-> exit $want, the message on stderr is sanitized"
	ts err "$@"
	if [ "$RC" -ne "$want" ]; then
		fail "exit status $RC, expected $want" "$ERR"
	elif [ ! -s "$ERR" ]; then
		fail "no message" "$ERR"
	elif ! clean "$ERR" >"$TS_TMP/clean.out" 2>&1; then
		fail "the message is not sanitized: $(cat "$TS_TMP/clean.out")" "$ERR"
	else
		ok "$(head -n 1 "$ERR")"
	fi
}

errcase 2 -b -n 1 -d 0 -o "$E"
errcase 2 -b -n 1 -d 0 -o "pid,$E"
errcase 2 -b -d 0 -n "$E"
errcase 2 -b -n 1 -d "$E"
errcase 2 -b -n 1 -d 0 -p "$E"
errcase 2 -b -n 1 -d 0 -p "${RLO}1"
errcase 1 -b -n 1 -d 0 -u "$E"
errcase 1 -b -n 1 -d 0 -u $'\xff'
errcase 1 -b -n 1 -d 0 -C "$E"
errcase 1 -b -n 1 -d 0 -C "${C1}x"
errcase 1 -b -n 1 -d 0 -p $$ --output-file "/nonexistent/$E/x"
errcase 2 -b -n 1 -d 0 "$E"
errcase 2 -b -n 1 -d 0 "--$E"
errcase 2 -b -n 1 -d 0 "-$E"
errcase 127 -d 0 -- "/nonexistent/$E"
errcase 2 workload "--mem=$E"
errcase 2 workload "--pin=$RLO"
errcase 2 workload "--$E"
errcase 2 workload "-$E"
errcase 2 workload "$E"

stop "${helpers[@]}" "${workloads[@]}"
finish
