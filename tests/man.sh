#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# man.sh - the man pages format without warnings; taskscope.1 and taskscope-maps.1 document
# every column with its --list-columns help; each page every long option of its --help
#
# Run by the automake harness with TASKSCOPE (the binary) and top_srcdir set.
# Exit 0 pass, 1 fail, 77 skip (no groff).

LC_ALL=C
export LC_ALL
top_srcdir=${top_srcdir:-.}
TASKSCOPE=${TASKSCOPE:-${top_builddir:-.}/taskscope}
page="$top_srcdir/man/taskscope.1"

if ! command -v groff >/dev/null 2>&1; then
	echo "SKIP: groff is not installed (Debian: apt-get install groff-base)"
	exit 77
fi
if [ ! -r "$page" ]; then
	echo "FAIL: no man page at $page"
	exit 1
fi
if [ ! -x "$TASKSCOPE" ]; then
	echo "FAIL: no taskscope binary at $TASKSCOPE"
	exit 1
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT HUP INT TERM
fail=0

# 1. groff formats every page in man/ without a single warning, and (1b) mandoc's linter
#    finds nothing either, style notes included (where mandoc is installed).
pages=$(ls "$top_srcdir"/man/*.[1-9] 2>/dev/null)
if [ -z "$pages" ]; then
	echo "FAIL: no man page in $top_srcdir/man"
	fail=1
fi
command -v mandoc >/dev/null 2>&1 ||
	echo "note: mandoc is not installed (Debian: apt-get install mandoc): its lint is skipped"
for p in $pages; do
	if ! groff -ww -man -z "$p" >"$tmp/groff.out" 2>&1; then
		echo "FAIL: groff exited with an error on $p"
		fail=1
	fi
	if [ -s "$tmp/groff.out" ]; then
		echo "FAIL: groff -ww -man -z prints warnings on $p:"
		sed 's/^/  /' "$tmp/groff.out"
		fail=1
	fi
	command -v mandoc >/dev/null 2>&1 || continue
	mandoc -Tlint -W style "$p" >"$tmp/mandoc.out" 2>&1
	if [ -s "$tmp/mandoc.out" ]; then
		echo "FAIL: mandoc -Tlint -W style reports on $p:"
		sed 's/^/  /' "$tmp/mandoc.out"
		fail=1
	else
		echo "ok: mandoc -Tlint -W style: nothing to report on ${p##*/}"
	fi
done

# 1c. A path with a placeholder is one word: \fI inside the word (or .IR), never .I with
#     spaces, which renders "/proc/ pid /stat".
for p in $pages; do
	groff -Tutf8 -man -P-c -rLL=200n "$p" 2>/dev/null | sed 's/.\x08//g' |
		grep -nE '[A-Za-z]/ +[A-Za-z]+ +/[A-Za-z]' >"$tmp/paths"
	if [ -s "$tmp/paths" ]; then
		echo "FAIL: ${p##*/}: a path rendered with spaces in it:"
		sed 's/^/  /' "$tmp/paths"
		fail=1
	fi
done

# Every page in man/ is installed, and the section of its name is the one of its .TH line.
for p in $pages; do
	base=${p##*/}
	grep -qE "(^|[[:space:]])man/$base([[:space:]\\]|\$)" "$top_srcdir/Makefile.am" || {
		echo "FAIL: $base is not installed: not in Makefile.am (dist_man_MANS)"
		fail=1
	}
	sec=$(awk '$1 == ".TH" { print $3; exit }' "$p")
	[ "$sec" = "${base##*.}" ] || {
		echo "FAIL: $base: .TH gives section '$sec'"
		fail=1
	}
done

# The man source with the usual escapes undone: "\-" is "-", font changes are dropped.
plain() {
	sed -e 's/\\-/-/g' \
	    -e 's/\\f[BIRP]//g' -e 's/\\f([A-Z][A-Z]//g' -e 's/\\f\[[^]]*\]//g' \
	    -e 's/\\&//g' -e 's/\\%//g' -e 's/\\e/\\/g' "$1"
}

# 2. check_columns PAGE ARGS...: every column `taskscope ARGS --list-columns` lists has an entry
#    (the tag of a .TP paragraph) in the COLUMNS section of PAGE (before its first .SS), marked as the list marks it
#    ([process], [interval], [mapping]), whose text starts with the column's one-line help,
#    word for word, and a full stop; every entry there that looks like a column name is a
#    real column; the entries are in the table's order.
check_columns() {
	local page=$1 name
	shift
	name=${page##*/}
	if ! "$TASKSCOPE" "$@" --list-columns >"$tmp/list" 2>"$tmp/list.err"; then
		echo "FAIL: 'taskscope ${*:+$* }--list-columns' failed:"
		sed 's/^/  /' "$tmp/list.err"
		fail=1
		return
	fi
	# NAME<TAB>MARKS<TAB>HELP, marks sorted and joined by spaces
	awk '{
		name = $1; line = $0
		sub(/^[ \t]*[^ \t]+[ \t]+/, "", line)
		marks = ""
		while (match(line, / \[(process|interval|mapping)\]/)) {
			marks = marks (marks == "" ? "" : " ") substr(line, RSTART + 1, RLENGTH - 1)
			line = substr(line, 1, RSTART - 1) substr(line, RSTART + RLENGTH)
		}
		print name "\t" marks "\t" line
	}' "$tmp/list" | sort >"$tmp/list.tsv"
	if [ ! -s "$tmp/list.tsv" ]; then
		echo "FAIL: taskscope $* --list-columns printed no column"
		fail=1
		return
	fi
	plain "$page" | awk '
		/^\.SH/ { insec = ($0 ~ /^\.SH[ \t]+"?COLUMNS"?[ \t]*$/); next }
		/^\.SS/ { insec = 0 }
		insec { print }
	' >"$tmp/colsec"
	if [ ! -s "$tmp/colsec" ]; then
		echo "FAIL: $name has no COLUMNS section"
		fail=1
		return
	fi
	# the entries: NAME<TAB>MARKS<TAB>TEXT (the text's lines joined, macros left as they are)
	awk '
		function flush() { if (tag != "") print tag "\t" marks "\t" text; tag = "" }
		/^\.(TP|SS|SH|PP)/ { flush(); want = ($0 ~ /^\.TP/); next }
		want {
			t = $0; sub(/^\.(B|BR|BI|I|IR|IB|RB|RI)[ \t]+/, "", t); gsub(/"/, "", t)
			n = split(t, w, /[ \t]+/); tag = w[1]; marks = ""
			for (i = 2; i <= n; i++) marks = marks (marks == "" ? "" : " ") w[i]
			text = ""; want = 0; next
		}
		tag != "" { text = text (text == "" ? "" : " ") $0 }
		END { flush() }
	' "$tmp/colsec" >"$tmp/entries.raw"
	sort "$tmp/entries.raw" >"$tmp/entries.tsv"
	cut -f1 "$tmp/list.tsv" >"$tmp/columns"
	cut -f1 "$tmp/entries.tsv" | sort -u >"$tmp/tags"
	missing=$(comm -23 "$tmp/columns" "$tmp/tags")
	if [ -n "$missing" ]; then
		echo "FAIL: $name: columns of 'taskscope ${*:+$* }--list-columns' without an entry in COLUMNS:"
		printf '%s\n' "$missing" | sed 's/^/  /'
		fail=1
	fi
	stale=$(grep -E '^[A-Z][A-Z0-9_]*$' "$tmp/tags" | comm -13 "$tmp/columns" -)
	if [ -n "$stale" ]; then
		echo "FAIL: $name: COLUMNS entries that 'taskscope ${*:+$* }--list-columns' does not know:"
		printf '%s\n' "$stale" | sed 's/^/  /'
		fail=1
	fi
	# the same marks and the same help, column by column
	join -t "$(printf '\t')" "$tmp/list.tsv" "$tmp/entries.tsv" | awk -F '\t' -v page="$name" '
		$2 != $4 {
			printf "FAIL: %s: %s is marked \"%s\" in --list-columns, \"%s\" in COLUMNS\n",
				page, $1, $2, $4
			bad = 1
		}
		substr($5, 1, length($3) + 1) != $3 "." {
			printf "FAIL: %s: the entry of %s does not start with its --list-columns help:\n", page, $1
			printf "  help:  %s.\n  entry: %s\n", $3, substr($5, 1, length($3) + 1)
			bad = 1
		}
		END { exit bad }
	' || fail=1
	# in the order of the table (the order of --list-columns), so the page reads as the list
	awk '{ print $1 }' "$tmp/list" >"$tmp/order.list"
	cut -f1 "$tmp/entries.raw" | grep -E '^[A-Z][A-Z0-9_]*$' >"$tmp/order.page"
	if ! cmp -s "$tmp/order.list" "$tmp/order.page"; then
		echo "FAIL: $name: the COLUMNS entries are not in the order of 'taskscope ${*:+$* }--list-columns':"
		diff "$tmp/order.list" "$tmp/order.page" | sed 's/^/  /'
		fail=1
	fi
	[ "$fail" -eq 0 ] &&
		echo "ok: $name: $(wc -l <"$tmp/columns") columns of 'taskscope ${*:+$* }--list-columns'," \
		     "each with its marks and help, in the table's order"
}
check_columns "$top_srcdir/man/taskscope.1"
check_columns "$top_srcdir/man/taskscope-maps.1" maps
# 2b. replay lists the task view's columns (one table): the same names and help, unmarked
"$TASKSCOPE" --list-columns | sed 's/ \[\(process\|interval\)\]//g' >"$tmp/view.cols"
"$TASKSCOPE" replay --list-columns >"$tmp/replay.cols" 2>&1
if cmp -s "$tmp/view.cols" "$tmp/replay.cols"; then
	echo "ok: replay --list-columns lists the task view's $(wc -l <"$tmp/view.cols") columns"
else
	echo "FAIL: replay --list-columns differs from the task view's list (without marks):"
	diff "$tmp/view.cols" "$tmp/replay.cols" | head -n 20 | sed 's/^/  /'
	fail=1
fi

# 3. Every long option of --help is in taskscope(1), and every long option of a command's
#    --help in that command's page, as itself (--output must not be satisfied by
#    --output-file); every command of --help has a page (help excepted: taskscope(1) is it).
# long_options PAGE ARGS...: the long options of `taskscope ARGS --help` missing from PAGE
long_options() {
	local page=$1 opt
	shift
	if ! "$TASKSCOPE" "$@" --help >"$tmp/help" 2>"$tmp/help.err"; then
		echo "FAIL: 'taskscope ${*:+$* }--help' failed:"
		sed 's/^/  /' "$tmp/help.err"
		fail=1
		return
	fi
	if [ ! -r "$page" ]; then
		echo "FAIL: taskscope $* has no manual page ${page##*/}"
		fail=1
		return
	fi
	plain "$page" >"$tmp/plain"
	# the options the help defines: lines that start with one (after "-x, ")
	sed -n 's/^ \{1,6\}\(-[[:alnum:]], *\)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p' "$tmp/help" |
		sort -u >"$tmp/longopts"
	if [ ! -s "$tmp/longopts" ]; then
		echo "FAIL: no long option found in 'taskscope ${*:+$* }--help'"
		fail=1
		return
	fi
	nopts=$((nopts + $(wc -l <"$tmp/longopts")))
	while read -r opt; do
		grep -qE -- "${opt}([^a-z-]|\$)" "$tmp/plain" || printf '%s\n' "$opt"
	done <"$tmp/longopts" >"$tmp/optmissing"
	if [ -s "$tmp/optmissing" ]; then
		echo "FAIL: long options of 'taskscope ${*:+$* }--help' missing from ${page##*/}:"
		sed 's/^/  /' "$tmp/optmissing"
		fail=1
	fi
}
nopts=0
long_options "$top_srcdir/man/taskscope.1"
cmds=$("$TASKSCOPE" --help | sed -n '/^Commands:/,/^$/s/^ \([a-z][a-z-]*\) .*/\1/p')
if [ -z "$cmds" ]; then
	echo "FAIL: no command found in taskscope --help"
	fail=1
fi
for cmd in $cmds; do
	[ "$cmd" = help ] && continue
	long_options "$top_srcdir/man/taskscope-$cmd.1" "$cmd"
done

if [ "$fail" -eq 0 ]; then
	echo "PASS: the man pages format cleanly; every column has its entry and help;" \
	     "$nopts long options documented"
fi
exit "$fail"
