#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# usage.sh - command line: usage errors exit 2, runtime errors exit 1, each with a message
# that starts with "taskscope:" and names the problem; --help, --version, --list-columns.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

TS_TIMEOUT=15

# start_error RC WHAT WORD ARGS...: taskscope ARGS must exit RC, print nothing on stdout, and
# say on stderr, in a first line starting "taskscope:", something that contains WORD; WHAT
# names the kind of error. A bounded run (-n 1 -d 0) comes first so that a wrongly accepted
# input cannot hang.
start_error() {
	local rc=$1 what=$2 word=$3 first
	shift 3
	check "taskscope $* -> $what ($rc) naming '$word'"
	ts "error$rc" -b -n 1 -d 0 "$@"
	expect_rc "$rc" "taskscope $*" || return
	first=$(head -n 1 "$ERR")
	if [[ $first != "taskscope: "* ]]; then
		fail "taskscope $*: the message does not start with 'taskscope:'" "$ERR"
	elif ! grep -qF -- "$word" "$ERR"; then
		fail "taskscope $*: the message does not name '$word'" "$ERR"
	elif [ -s "$OUT" ]; then
		fail "taskscope $*: a $what printed a report on stdout" "$OUT"
	else
		ok "message: $first"
	fi
}

# usage_error WORD ARGS...: exit 2, message starting "taskscope:" naming WORD
usage_error() { start_error 2 "usage error" "$@"; }

usage_error "'0'" -n 0
usage_error "'-1'" -n -1
usage_error "'abc'" -n abc
usage_error "'99999999999999999999'" -n 99999999999999999999
usage_error "'-1'" -d -1
usage_error "'x'" -d x
usage_error "'1,,2'" -p 1,,2
usage_error "'abc'" -p abc
usage_error "'-5'" -p -5
usage_error "'0'" -p 0
usage_error "'99999999999'" -p 99999999999
usage_error "NOSUCH" -o NOSUCH
usage_error "NOSUCH" -o pid,NOSUCH,comm
usage_error "--raw" --json --raw
usage_error "-p" -p 1 -- true
usage_error "-u" -u root -- true
usage_error "--bogus-option" --bogus-option
usage_error "Z" -Z
usage_error "stray_arg" stray_arg
usage_error "command" --

# ---- runtime errors: exit 1 ------------------------------------------------------------------

# runtime_error WORD ARGS...: exit 1, message starting "taskscope:" naming WORD
runtime_error() { start_error 1 "runtime failure" "$@"; }

nopid=$(free_pid) || die "cannot find a free PID"
say "PID $nopid is not in use"
runtime_error "$nopid" -p "$nopid"
runtime_error "nosuchuser_xyz" -u nosuchuser_xyz
runtime_error "no_such_name_xyz" -C no_such_name_xyz
runtime_error "$TS_TMP/no/such/dir/report" --output-file "$TS_TMP/no/such/dir/report" -p $$

# ---- --help ------------------------------------------------------------------------------------

check "--help exits 0, prints the usage on stdout and lists the options"
ts help --help
if expect_rc 0 "--help"; then
	missing=
	for o in --pid --user --command --batch --iterations --delay --threads --output \
		--list-columns --json --raw --bytes --output-file --help --version; do
		grep -qE -- "(^|[ ,])$o([ ,=]|$)" "$OUT" || missing="$missing $o"
	done
	if [ -n "$missing" ]; then
		fail "--help does not list:$missing" "$OUT"
	elif [ -s "$ERR" ]; then
		fail "--help wrote to stderr" "$ERR"
	else
		ok "--help lists every option"
	fi
fi

# Every long option the help lists must be one taskscope accepts: give each a sample value
# of the kind the help names, then --version, which must end the run with 0.
check "every long option in --help is accepted"
bad=
nopts=0
while read -r opt arg; do
	nopts=$((nopts + 1))
	case $arg in
	PID*) val=1 ;;
	USER) val=0 ;;
	NAME*) val=init ;;
	CGROUP) val=/ ;;
	N) val=1 ;;
	SECONDS) val=1 ;;
	LIST) val=pid ;;
	FILE) val=/dev/null ;;
	"") val= ;;
	*) val=1 ;;
	esac
	case $opt in --help | --version) continue ;; esac
	if [ -n "$arg" ]; then
		ts helpopt "$opt" "$val" --version
	else
		ts helpopt "$opt" --version
	fi
	if [ "$RC" -ne 0 ] || ! grep -q '^taskscope ' "$OUT"; then
		bad="$bad $opt"
		show "$ERR" "taskscope $opt $val --version: stderr (status $RC)"
	fi
done < <(sed -nE 's/^ +(-[a-zA-Z], +)?(--[a-z][a-z-]*)( ([A-Z][A-Z,.[]*))?.*/\2 \4/p' "$TS_TMP/help.out")
if [ "$nopts" -lt 15 ]; then
	fail "found only $nopts long options in --help (expected at least 15)" "$TS_TMP/help.out"
elif [ -n "$bad" ]; then
	fail "options listed by --help but rejected:$bad"
else
	ok "all $nopts accepted"
fi

# ---- --version -------------------------------------------------------------------------------

check "--version and -V exit 0 and print 'taskscope VERSION' (the configured version)"
want=
for d in "${top_builddir:-}" "$TS_LIBDIR/.."; do
	if [ -n "$d" ] && [ -r "$d/config.h" ]; then
		want=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$d/config.h")
		break
	fi
done
for opt in --version -V; do
	ts version "$opt"
	expect_rc 0 "$opt" || continue
	got=$(cat "$OUT")
	if [[ ! $got =~ ^taskscope\ [0-9]+(\.[0-9]+)+ ]]; then
		fail "$opt: not 'taskscope VERSION'" "$OUT"
	elif [ -n "$want" ] && [ "$got" != "taskscope $want" ]; then
		fail "$opt: says '$got', config.h has version '$want'" "$OUT"
	else
		ok "$opt: $got"
	fi
done

# ---- --list-columns --------------------------------------------------------------------------

check "--list-columns exits 0 and lists every column with a help text"
ts listcols --list-columns
if expect_rc 0 "--list-columns"; then
	names=$(awk '{ print $1 }' "$OUT")
	missing=
	for c in PID TID PPID USER STATE NLWP CPU NODE AFFINITY PCPU TIME RSS COMM CMD; do
		grep -qx "$c" <<<"$names" || missing="$missing $c"
	done
	nohelp=$(awk 'NF < 3 { print $1 }' "$OUT")
	if [ -n "$missing" ]; then
		fail "--list-columns does not list:$missing" "$OUT"
	elif [ -n "$nohelp" ]; then
		fail "columns without a help text: $nohelp" "$OUT"
	elif [ "$(sort <<<"$names" | uniq -d)" != "" ]; then
		fail "--list-columns lists a column twice" "$OUT"
	else
		ok "$(wc -l <"$OUT") columns"
	fi

	# every listed column works with -o, in lower case too, in the listed order
	check "-o with every listed column (lower case) gives exactly those headings"
	list=$(tr '\n' ',' <<<"$names" | sed 's/,$//' | tr 'A-Z' 'a-z')
	ts allcols -b -n 1 -d 0 -p $$ -o "$list"
	if expect_rc 0 "-o $list"; then
		got=$(heading_of "$OUT")
		want=$(tr '\n' ' ' <<<"$names" | sed 's/ $//')
		if [ "$got" != "$want" ]; then
			fail "headings are '$got', expected '$want'" "$OUT"
		elif [ "$(last_table "$OUT" | wc -l)" -ne 1 ]; then
			fail "-p $$ (this shell) should give exactly one row" "$OUT"
		else
			ok "headings match the list"
		fi
	fi
fi

# ---- workload's command line -----------------------------------------------------------------

# workload_error WORD ARGS...: `taskscope workload ARGS` exits 2 naming WORD and starts
# nothing (no ready line). --duration 1 first keeps a wrongly accepted input short.
workload_error() {
	local word=$1 first
	shift
	check "taskscope workload $* -> usage error (2) naming '$word'"
	ts wlusage workload --duration 1 "$@"
	expect_rc 2 "workload $*" || return
	first=$(head -n 1 "$ERR")
	if [[ $first != "taskscope: "* ]]; then
		fail "workload $*: the message does not start with 'taskscope:'" "$ERR"
	elif ! grep -qF -- "$word" "$ERR"; then
		fail "workload $*: the message does not name '$word'" "$ERR"
	elif grep -q '^ready' "$OUT"; then
		fail "workload $*: started workers despite the error" "$OUT"
	else
		ok "message: $first"
	fi
}

workload_error "--threads" --threads 0
workload_error "--procs" --threads 1 --procs 1
workload_error "12Q" --mem 12Q
workload_error "99999" --pin 99999
workload_error "--bogus-option" --bogus-option
workload_error "stray_arg" stray_arg
workload_error "'x'" --duration x

check "workload --help exits 0 and lists its options"
ts wlhelp workload --help
if expect_rc 0 "workload --help"; then
	missing=
	for o in --threads --procs --mem --shared --spin --sleep --pin --name --duration; do
		grep -qF -- "$o" "$OUT" || missing="$missing $o"
	done
	if [ -n "$missing" ]; then
		fail "workload --help does not list:$missing" "$OUT"
	else
		ok "workload --help lists every option"
	fi
fi

# ---- a mistyped command: "did you mean" ---------------------------------------------------
for pair in mpas:maps shar:share cpu:cpus wrkload:workload compaer:compare demoo:demo; do
	typo=${pair%%:*} want=${pair#*:}
	check "taskscope $typo 1 -> usage error (2) suggesting '$want'"
	ts typo "$typo" 1
	expect_rc 2 "taskscope $typo 1" || continue
	if grep -qF "'$typo' is not a command; did you mean '$want'?" "$ERR"; then
		ok "$(head -n 1 "$ERR")"
	else
		fail "no suggestion of '$want'" "$ERR"
	fi
done
check "a word far from every command is not taken for one"
ts notacommand frobnicate
if expect_rc 2 "taskscope frobnicate" && ! grep -q 'did you mean' "$ERR"; then
	ok "$(head -n 1 "$ERR")"
else
	fail "a suggestion for 'frobnicate'" "$ERR"
fi

# ---- replay and diff: the common option parser, with FILE operands --------------------------

# cmd_error CMD WORD ARGS...: `taskscope CMD ARGS` exits 2, prints nothing on stdout and
# says "taskscope: CMD: ..." naming WORD with the --help hint
cmd_error() {
	local cmd=$1 word=$2 first
	shift 2
	check "taskscope $cmd $* -> usage error (2) naming '$word'"
	ts cmdusage "$cmd" "$@"
	expect_rc 2 "$cmd $*" || return
	first=$(head -n 1 "$ERR")
	if [[ $first != "taskscope: $cmd: "* ]]; then
		fail "$cmd $*: the message does not start with 'taskscope: $cmd:'" "$ERR"
	elif ! grep -qF -- "$word" <<<"$first"; then
		fail "$cmd $*: the message does not name '$word'" "$ERR"
	elif ! grep -qxF "Try 'taskscope $cmd --help' for more information." "$ERR"; then
		fail "$cmd $*: no --help hint" "$ERR"
	elif [ -s "$OUT" ]; then
		fail "$cmd $*: a usage error printed something on stdout" "$OUT"
	else
		ok "message: $first"
	fi
}

rec=$TS_TMP/opts$$.db
cmd_error replay "'--bogus-option'" --bogus-option "$rec"
cmd_error replay "'-Z'" -Z "$rec"
cmd_error replay "'--pid'" --pid 1 "$rec"	# a common option replay does not take: no '1'
cmd_error replay "'--run-as'" "$rec" --run-as=nobody
cmd_error replay "'stray_arg'" "$rec" stray_arg
cmd_error replay "'stray_arg'" -- "$rec" stray_arg
cmd_error replay "no recording" -J
cmd_error replay "'--from'" "$rec" --from
cmd_error diff "'-o'" -o pid "$rec" "$rec"
cmd_error diff "'c_arg' (two moments" "$rec" "$rec" c_arg
cmd_error diff "two moments" "$rec"
cmd_error diff "'--top'" "$rec" "$rec" --top

check "replay and diff: -V and --version print the version, -h and --help the usage"
for cmd in replay diff; do
	for opt in -V --version -h --help; do
		ts cmdver "$cmd" "$opt"
		expect_rc 0 "$cmd $opt" || continue
		case $opt in
		-V|--version) want="^taskscope [0-9]" ;;
		*) want="^ taskscope $cmd \[options\]" ;;
		esac
		if grep -q -- "$want" "$OUT" && [ ! -s "$ERR" ]; then
			ok "$cmd $opt: $(head -n 1 "$OUT")"
		else
			fail "$cmd $opt: not the expected output" "$OUT" "$ERR"
		fi
	done
done

# a recording to read: the FILE operands before, between and after options, and after "--"
# (a file name that starts with '-')
check "replay and diff take their FILE operands among the options and after '--'"
ts cmdrec record -o "$rec" -n 2 -d 0.1 -p $$
if expect_rc 0 "record -n 2 -p $$ (this shell)"; then
	dash=$TS_TMP/-opts$$.db
	ln -s "$rec" "$dash"	# a symlink made here, in our own directory
	for args in "replay -b $rec" "replay $rec -b" "replay -b -- $rec" \
		    "replay -J -- -opts$$.db" \
		    "diff $rec -r $rec" "diff -r -- $rec $rec" "diff -- -opts$$.db $rec"; do
		(cd "$TS_TMP" && ts cmdfile $args)
		# ts ran in a subshell: read its status from the files it wrote
		if [ -s "$TS_TMP/cmdfile.out" ] && [ ! -s "$TS_TMP/cmdfile.err" ]; then
			ok "taskscope $args: $(wc -l <"$TS_TMP/cmdfile.out") lines"
		else
			fail "taskscope $args: no report, or a message" "$TS_TMP/cmdfile.out" \
				"$TS_TMP/cmdfile.err"
		fi
	done
	# after '--' every argument is a FILE: '-r' is a second recording, not --raw
	cmd_error replay "'-r'" -- "$rec" -r
fi

finish
