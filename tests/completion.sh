#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# completion.sh - shell completion: bash (with bash-completion) completes commands, options,
# -o columns and comma lists, users, PIDs and names from /proc, files and commands after --,
# offers every command and option each --help names and nothing else; zsh loads _taskscope.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh" || exit 99

TS_TIMEOUT=15
BASHCOMP=$TS_SRCDIR/completion/bash/taskscope
ZSHCOMP=$TS_SRCDIR/completion/zsh/_taskscope

BC_MAIN=
for f in "${BASH_COMPLETION_MAIN:-}" \
	"$(pkg-config --variable=datadir bash-completion 2>/dev/null)/bash-completion/bash_completion" \
	/usr/share/bash-completion/bash_completion /usr/local/share/bash-completion/bash_completion; do
	if [ -n "$f" ] && [ -r "$f" ] && [ "${f#/}" != "$f" ]; then
		BC_MAIN=$f
		break
	fi
done
[ -n "$BC_MAIN" ] || skip "bash-completion is not installed (apt-get install bash-completion)"
[ -r "$BASHCOMP" ] || die "no bash completion at $BASHCOMP"
say "bash-completion: $BC_MAIN"

# `taskscope` in the completed command lines is the program under test
PATH=$(dirname "$TASKSCOPE"):$PATH
export PATH BC_MAIN BASHCOMP
CWD=$TS_TMP/cwd
mkdir -p "$CWD"

# The driver: a fresh bash with bash-completion and our file sourced; the function that
# `complete -p taskscope` names is called as bash calls it for a <TAB> at the end of the
# line WORD... (the last word is the one being completed). It prints COMPREPLY, a line each.
cat >"$TS_TMP/drive.sh" <<'EOF'
. "$BC_MAIN" || exit 99
. "$BASHCOMP" || exit 99
spec=$(complete -p taskscope) || exit 98
fn=${spec#*-F }
fn=${fn%% *}
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMP_TYPE=9
COMPREPLY=()
"$fn" taskscope "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
EOF

# comp NAME WORD...: complete `WORD...<TAB>`; the replies in $TS_TMP/NAME.out, one a line
comp() {
	local name=$1
	shift
	OUT=$TS_TMP/$name.out
	(cd "$CWD" && timeout -k 5 "$TS_TIMEOUT" bash --norc --noprofile "$TS_TMP/drive.sh" "$@") \
		>"$OUT" 2>"$TS_TMP/$name.err" </dev/null
	RC=$?
	sed -i '/^$/d' "$OUT"
	[ "$RC" -eq 0 ] || fail "completing '$*': the driver exited $RC" "$TS_TMP/$name.err"
}

# offers TEXT WORD...: after comp, the replies include each WORD
offers() {
	local text=$1 w miss=()
	shift
	for w; do
		grep -qxF -- "$w" "$OUT" || miss+=("$w")
	done
	if [ "${#miss[@]}" -eq 0 ]; then
		ok "$text: offers $*"
	else
		fail "$text: does not offer ${miss[*]}" "$OUT"
	fi
}

# ---- commands, columns, comma lists, users ------------------------------------------------
check "taskscope ma<TAB> -> maps, and nothing else"
comp cmd taskscope ma
if [ "$(cat "$OUT")" = maps ]; then ok "maps"; else fail "taskscope ma<TAB>" "$OUT"; fi

check "taskscope help ma<TAB> -> maps, and nothing else"
comp help taskscope help ma
if [ "$(cat "$OUT")" = maps ]; then ok "maps"; else fail "taskscope help ma<TAB>" "$OUT"; fi

check "taskscope -o ps<TAB> -> pss; --output=ps<TAB> too"
comp o1 taskscope -o ps
offers "-o ps" pss
comp o2 taskscope --output=ps
offers "--output=ps" pss

check "taskscope -o pid,ps<TAB> -> pid,pss: the last item completed, pid not offered again"
comp o3 taskscope -o pid,ps
offers "-o pid,ps" pid,pss
if grep -qv '^pid,' "$OUT"; then
	fail "a reply does not keep 'pid,'" "$OUT"
fi
comp o4 taskscope -o pid,
grep -qxF pid,pid "$OUT" && fail "-o pid,<TAB> offers pid again" "$OUT"
offers "-o pid," pid,pss pid,tid

check "taskscope -o +pid,PS<TAB> -> +pid,pss: the + kept, column names in any case"
comp o5 taskscope -o +pid,PS
offers "-o +pid,PS" +pid,pss

check "a value joined to its option: -opid,ps<TAB> -> -opid,pss; -p1,<TAB> offers -p1,\$\$"
comp j1 taskscope -opid,ps
offers "-opid,ps" -opid,pss
comp j2 taskscope maps -ovmf
offers "maps -ovmf" -ovmflags
comp j3 taskscope -p1,
offers "-p1," "-p1,$$"

check "-o <TAB> offers as many columns as --list-columns lists (main and maps)"
comp o6 taskscope -o ''
want=$("$TASKSCOPE" --list-columns | wc -l)
got=$(wc -l <"$OUT")
if [ "$want" -gt 0 ] && [ "$got" -eq "$want" ]; then
	ok "$got columns"
else
	fail "-o <TAB>: $got replies, --list-columns lists $want" "$OUT"
fi
comp o7 taskscope maps -o ''
want=$("$TASKSCOPE" maps --list-columns | wc -l)
got=$(wc -l <"$OUT")
if [ "$want" -gt 0 ] && [ "$got" -eq "$want" ]; then
	ok "$got maps columns"
else
	fail "maps -o <TAB>: $got replies, maps --list-columns lists $want" "$OUT"
fi
comp o8 taskscope maps -o vmf
offers "maps -o vmf" vmflags
grep -qxF vmflags "$TS_TMP/o6.out" && fail "the main view offers the maps column vmflags" "$TS_TMP/o6.out"

check "taskscope --run-as ro<TAB> -> root; -u ro<TAB> and share -u ro<TAB> too"
comp u1 taskscope --run-as ro
offers "--run-as ro" root
comp u2 taskscope -u ro
offers "-u ro" root
comp u3 taskscope share -u ro
offers "share -u ro" root

check "taskscope maps --group <TAB> -> kind, name, none"
comp g1 taskscope maps --group ''
offers "--group" kind name none

# ---- PIDs and names from /proc ----------------------------------------------------------------
# a process of our own under a unique name (comm is the name of the file executed), and one
# whose name is shell syntax that would create a file if it were ever expanded
NAME=tscomp$$
HOSTILE='$(>tspwn'$$')'
ln -s "$(command -v sleep)" "$TS_TMP/$NAME" || die "cannot link sleep"
ln -s "$(command -v sleep)" "$TS_TMP/$HOSTILE" || die "cannot link sleep"
"$TS_TMP/$NAME" 300 &
P=$!
track "$P"
"$TS_TMP/$HOSTILE" 300 &
H=$!
track "$H"
comm_is() { [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]; }
poll_until 10 comm_is "$P" "$NAME" || die "process $P is not named $NAME"
poll_until 10 comm_is "$H" "$HOSTILE" || die "process $H is not named $HOSTILE"
say "processes: $P ($NAME), $H ($HOSTILE)"

check "taskscope -p <TAB> includes our PID $P; -p 1,<TAB> offers 1,$P; maps <TAB> offers $P"
comp p1 taskscope -p ''
offers "-p" "$P"
comp p2 taskscope -p 1,
offers "-p 1," "1,$P"
comp p3 taskscope maps ''
offers "maps" "$P"

check "taskscope -C <TAB> includes $NAME; -C ${NAME:0:5}<TAB> offers it; a comma list too"
comp c1 taskscope -C ''
offers "-C" "$NAME"
comp c2 taskscope -C "${NAME:0:5}"
offers "-C ${NAME:0:5}" "$NAME"
comp c3 taskscope cpus -C "init,$NAME"
offers "cpus -C init,$NAME" "init,$NAME"

check "a process named $HOSTILE is offered quoted and never expanded"
printf -v q '%q' "$HOSTILE"
OUT=$TS_TMP/c1.out
offers "-C (quoted for the shell)" "$q"
left=("$CWD"/*)
if [ -e "${left[0]}" ]; then
	fail "completing -C ran the name as a command: ${left[*]}"
else
	ok "nothing was created in the completion's working directory"
fi

# ---- files and commands after -- ----------------------------------------------------------------
check "--output-file, --child-log and cpus --svg complete file names"
: >"$TS_TMP/report$$.txt"
comp f1 taskscope --output-file "$TS_TMP/report"
offers "--output-file" "$TS_TMP/report$$.txt"
comp f2 taskscope --child-log "$TS_TMP/report"
offers "--child-log" "$TS_TMP/report$$.txt"
comp f3 taskscope cpus --svg "$TS_TMP/report"
offers "cpus --svg" "$TS_TMP/report$$.txt"

check "after --, a command is completed as bash does (also after options with values)"
comp d1 taskscope -- slee
offers "-- slee" sleep
comp d2 taskscope -n 1 -o pid -- slee
offers "-n 1 -o pid -- slee" sleep
comp d3 taskscope share --after 2 -- slee
offers "share --after 2 -- slee" sleep

# ---- every command and option of each --help, and nothing else -------------------------------
# help_options [CMD]: the options each line of the help defines, one a line
help_options() {
	local line
	"$TASKSCOPE" "$@" --help | while IFS= read -r line; do
		if [[ $line =~ ^\ {1,6}(-[[:alnum:]]),\ +(--[[:alnum:]][[:alnum:]-]*) ]]; then
			printf '%s\n%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
		elif [[ $line =~ ^\ {1,6}(--[[:alnum:]][[:alnum:]-]*) ]]; then
			printf '%s\n' "${BASH_REMATCH[1]}"
		fi
	done
}

check "taskscope <TAB> offers exactly the commands 'taskscope --help' lists"
"$TASKSCOPE" --help | sed -n '/^Commands:/,/^$/s/^ \([a-z][a-z-]*\) .*/\1/p' | sort >"$TS_TMP/cmds.help"
[ -s "$TS_TMP/cmds.help" ] || die "no commands found in taskscope --help"
comp cmds taskscope ''
sort "$OUT" >"$TS_TMP/cmds.comp"
if cmp -s "$TS_TMP/cmds.help" "$TS_TMP/cmds.comp"; then
	ok "$(tr '\n' ' ' <"$TS_TMP/cmds.comp")"
else
	fail "the commands differ (< --help, > completion)"
	diff "$TS_TMP/cmds.help" "$TS_TMP/cmds.comp" | sed 's/^/  | /'
fi

for cmd in '' $(cat "$TS_TMP/cmds.help"); do
	label=${cmd:-main view}
	check "taskscope ${cmd:+$cmd }-<TAB> offers exactly the options of its --help ($label)"
	help_options $cmd | sort -u >"$TS_TMP/opts.help"
	[ -s "$TS_TMP/opts.help" ] || { fail "no options found in taskscope $cmd --help"; continue; }
	comp "opts${cmd:+-$cmd}" taskscope $cmd -
	sort -u "$OUT" >"$TS_TMP/opts.comp"
	if cmp -s "$TS_TMP/opts.help" "$TS_TMP/opts.comp"; then
		ok "$(wc -l <"$TS_TMP/opts.comp") options"
	else
		fail "$label: the options differ (< --help, > completion)"
		diff "$TS_TMP/opts.help" "$TS_TMP/opts.comp" | sed 's/^/  | /'
	fi
done

# ---- bash-completion finds the file by the command's name -------------------------------------
check "bash-completion loads the file installed as completions/taskscope on first use"
mkdir -p "$TS_TMP/bcuser/completions"
cp "$BASHCOMP" "$TS_TMP/bcuser/completions/taskscope"
if BASH_COMPLETION_USER_DIR=$TS_TMP/bcuser timeout 30 bash --norc --noprofile -c '
	. "$BC_MAIN" || exit 99
	if declare -F _comp_load >/dev/null; then _comp_load taskscope
	else __load_completion taskscope; fi
	complete -p taskscope' >"$TS_TMP/load.out" 2>&1; then
	ok "$(cat "$TS_TMP/load.out")"
else
	fail "bash-completion did not load completions/taskscope" "$TS_TMP/load.out"
fi

# ---- zsh ----------------------------------------------------------------------------------------
check "zsh: _taskscope parses and loads with autoload (when zsh is installed)"
if ! command -v zsh >/dev/null; then
	say "zsh is not installed: not checked"
elif timeout 30 zsh -f -c '
	fpath=("$1" $fpath)
	autoload -Uz compinit && compinit -u -D || exit 2
	autoload -Uz +X _taskscope || exit 3
	[[ $(whence -w _taskscope) == "_taskscope: function" ]] || exit 4
	[[ $_comps[taskscope] == _taskscope ]] || exit 5' zsh "$(dirname "$ZSHCOMP")" \
	>"$TS_TMP/zsh.out" 2>&1; then
	ok "autoload _taskscope, compdef taskscope"
else
	fail "zsh could not load _taskscope (status $?)" "$TS_TMP/zsh.out"
fi

check "zsh: _taskscope names every long option of every --help"
miss=()
for cmd in '' $(cat "$TS_TMP/cmds.help"); do
	for o in $(help_options $cmd | grep -e '^--'); do
		grep -qE -- "$o(=|\[|\})" "$ZSHCOMP" || miss+=("${cmd:+$cmd }$o")
	done
done
if [ "${#miss[@]}" -eq 0 ]; then
	ok "all there"
else
	fail "_taskscope lacks: ${miss[*]}"
fi

finish
