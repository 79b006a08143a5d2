# SPDX-License-Identifier: GPL-2.0-or-later
# taskscope.bash - bash completion for taskscope (installed as "taskscope"), needs bash-completion 2
#
# Column names for -o come from `taskscope [maps] --list-columns` of the program being
# completed, so they follow that build. PIDs and process names come from /proc, which other
# users control: they are compared as plain strings (never passed to compgen -W, which would
# expand them) and inserted quoted. The option lists below follow each command's --help;
# tests/completion.sh fails when a --help names an option or a command that is not here.

_taskscope_commands='compare cpus demo maps share workload'

# _taskscope_options CMD: the options of CMD ("" for the main view)
_taskscope_options()
{
	case $1 in
	'')
		echo -p --pid -u --user -C --command --run-as -b --batch -n --iterations \
			-d --delay -H --threads -o --output --list-columns -J --json -r --raw \
			--bytes --output-file --child-log -h --help -V --version ;;
	compare)
		echo --workers --mem --shared --spin --sleep -p --pid -t --time -d --delay \
			-J --json --bytes -h --help ;;
	cpus)
		echo -p --pid -u --user -C --command --run-as --rate -t --time --svg \
			-J --json -r --raw --output-file -h --help ;;
	demo)
		echo --workers -t --time --rounds --bytes -h --help ;;
	maps)
		echo -p --pid --group -o --output --list-columns -J --json -r --raw --bytes \
			-h --help ;;
	share)
		echo -p --pid -u --user -C --command --run-as --after -J --json --bytes \
			--output-file -h --help ;;
	workload)
		echo --threads --procs --mem --shared --spin --sleep --pin --name --duration \
			-h --help ;;
	esac
}

# _taskscope_takes_arg CMD OPTION: whether OPTION of CMD takes the next word as its value
_taskscope_takes_arg()
{
	case $2 in
	-p | --pid | -u | --user | -C | --command | --run-as | -n | --iterations | -d | \
	--delay | -o | --output | --output-file | --child-log | -t | --time | --rate | --svg | \
	--workers | --mem | --shared | --rounds | --group | --after | --procs | --pin | \
	--name | --duration)
		return 0 ;;
	--threads)
		[[ $1 == workload ]] ;;
	*)
		return 1 ;;
	esac
}

# _taskscope_offer LEAD PART WORD...: add LEAD and the shell-quoted WORD to COMPREPLY for
# each WORD that starts with PART (case-insensitively when TS_COMP_ICASE is set)
_taskscope_offer()
{
	local lead=$1 part=$2 w q
	shift 2
	for w; do
		if [[ -n ${TS_COMP_ICASE-} ]]; then
			[[ ${w,,} == "${part,,}"* ]] || continue
		else
			[[ $w == "$part"* ]] || continue
		fi
		printf -v q '%q' "$w"
		COMPREPLY+=("$lead$q")
	done
}

# _taskscope_list CUR WORD...: complete the last item of the comma-separated list CUR (a
# leading + kept) from the WORDs, leaving out those already in the list
_taskscope_list()
{
	local cur=$1 lead= body last w i dup
	local -a items=() fresh=()
	shift
	body=$cur
	if [[ $body == +* ]]; then
		lead=+
		body=${body#+}
	fi
	last=${body##*,}
	lead+=${body%"$last"}
	IFS=, read -r -a items <<<"${body%"$last"}"
	for w; do
		dup=
		for i in "${items[@]}"; do
			[[ ${i,,} == "${w,,}" ]] && dup=1 && break
		done
		[[ -z $dup ]] && fresh+=("$w")
	done
	_taskscope_offer "$lead" "$last" "${fresh[@]}"
}

# _taskscope_columns PROGRAM [maps]: the column names the program lists, in lower case
_taskscope_columns()
{
	local prog=$1 name rest
	[[ $prog == '~/'* ]] && prog=$HOME/${prog#'~/'}
	"$prog" ${2:+"$2"} --list-columns 2>/dev/null </dev/null |
		while read -r name rest; do
			[[ $name == *[![:alnum:]_]* || -z $name ]] || printf '%s\n' "${name,,}"
		done
}

# _taskscope_pids: the IDs of the processes in /proc
_taskscope_pids()
{
	local d
	for d in /proc/[0-9]*; do
		printf '%s\n' "${d#/proc/}"
	done
}

# _taskscope_names: the process names in /proc/PID/comm, each once; names with control
# characters or commas (which cannot be given in a -C list) left out
_taskscope_names()
{
	local f n
	for f in /proc/[0-9]*/comm; do
		{ IFS= read -r n <"$f"; } 2>/dev/null || continue
		[[ -z $n || $n == *[[:cntrl:],]* ]] && continue
		printf '%s\n' "$n"
	done | LC_ALL=C sort -u
}

_taskscope()
{
	local cur prev words cword split cmd= first=1 i
	local -a list=()

	# a command as the first argument, and "--" ending the options: the rest is a command
	# line of its own (main view, cpus, share)
	if [[ " $_taskscope_commands " == *" ${COMP_WORDS[1]-} "* ]] && ((COMP_CWORD > 1)); then
		cmd=${COMP_WORDS[1]}
		first=2
	fi
	if [[ -z $cmd || $cmd == cpus || $cmd == share ]]; then
		for ((i = first; i < COMP_CWORD; i++)); do
			[[ ${COMP_WORDS[i]} == -- ]] || continue
			((i > first)) && _taskscope_takes_arg "$cmd" "${COMP_WORDS[i - 1]}" &&
				continue
			if declare -F _comp_command_offset >/dev/null; then
				_comp_command_offset $((i + 1))
			else
				_command_offset $((i + 1))
			fi
			return
		done
	fi

	_init_completion -s || return

	case $prev in
	-p | --pid)
		mapfile -t list < <(_taskscope_pids)
		_taskscope_list "$cur" "${list[@]}"
		return ;;
	-u | --user | --run-as)
		mapfile -t list < <(compgen -u -- "$cur")
		_taskscope_offer '' "$cur" "${list[@]}"
		return ;;
	-C | --command)
		mapfile -t list < <(_taskscope_names)
		_taskscope_list "$cur" "${list[@]}"
		return ;;
	-o | --output)
		mapfile -t list < <(_taskscope_columns "${words[0]}" ${cmd:+"$cmd"})
		TS_COMP_ICASE=1 _taskscope_list "$cur" "${list[@]}"
		return ;;
	--output-file | --child-log | --svg)
		_filedir
		return ;;
	--group)
		_taskscope_offer '' "$cur" kind name none
		return ;;
	esac
	# the value of any other option: a number, a size, a CPU list or a name
	_taskscope_takes_arg "$cmd" "$prev" && return
	$split && return

	if [[ $cur == -* ]]; then
		mapfile -t list < <(printf '%s\n' $(_taskscope_options "$cmd"))
		_taskscope_offer '' "$cur" "${list[@]}"
		return
	fi
	if ((cword == 1)); then
		mapfile -t list < <(printf '%s\n' $_taskscope_commands)
		_taskscope_offer '' "$cur" "${list[@]}"
		return
	fi
	case $cmd in
	maps | share)
		# PID arguments, one a word
		mapfile -t list < <(_taskscope_pids)
		_taskscope_offer '' "$cur" "${list[@]}"
		;;
	esac
} &&
	complete -F _taskscope taskscope
