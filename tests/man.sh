#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# man.sh - the man pages format without warnings; taskscope.1 documents every column and long option
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

# The rest checks taskscope.1 alone.
# The man source with the usual escapes undone: "\-" is "-", font changes are dropped.
sed -e 's/\\-/-/g' \
    -e 's/\\f[BIRP]//g' -e 's/\\f([A-Z][A-Z]//g' -e 's/\\f\[[^]]*\]//g' \
    -e 's/\\&//g' -e 's/\\%//g' \
    "$page" >"$tmp/plain"

# 2. Every column of --list-columns has an entry (the tag of a .TP paragraph) in COLUMNS,
#    and every entry there that looks like a column name is a real column.
if ! "$TASKSCOPE" --list-columns >"$tmp/list" 2>"$tmp/list.err"; then
	echo "FAIL: '$TASKSCOPE --list-columns' failed:"
	sed 's/^/  /' "$tmp/list.err"
	fail=1
fi
awk '{ print $1 }' "$tmp/list" | sort -u >"$tmp/columns"
if [ ! -s "$tmp/columns" ]; then
	echo "FAIL: --list-columns printed no column"
	fail=1
fi
awk '
	/^\.SH/ { insec = ($0 ~ /^\.SH[ \t]+"?COLUMNS"?[ \t]*$/); next }
	insec { print }
' "$tmp/plain" >"$tmp/colsec"
if [ ! -s "$tmp/colsec" ]; then
	echo "FAIL: the man page has no COLUMNS section"
	fail=1
fi
# the line after each .TP is the tag; its first word (after a font macro) is the name
awk '
	tag { sub(/^\.(B|BR|BI|I|IR|IB|RB|RI)[ \t]+/, ""); gsub(/"/, "");
	      split($0, w, /[ \t]+/); if (w[1] != "") print w[1]; tag = 0; next }
	/^\.TP/ { tag = 1 }
' "$tmp/colsec" | sort -u >"$tmp/tags"
missing=$(comm -23 "$tmp/columns" "$tmp/tags")
if [ -n "$missing" ]; then
	echo "FAIL: columns without an entry in the COLUMNS section of the man page:"
	printf '%s\n' "$missing" | sed 's/^/  /'
	fail=1
fi
stale=$(grep -E '^[A-Z][A-Z0-9_]*$' "$tmp/tags" | comm -13 "$tmp/columns" -)
if [ -n "$stale" ]; then
	echo "FAIL: COLUMNS entries that --list-columns does not know:"
	printf '%s\n' "$stale" | sed 's/^/  /'
	fail=1
fi

# 3. Every long option of --help and of every command's --help is in the page, as itself
#    (--output must not be satisfied by --output-file).
{
	"$TASKSCOPE" --help &&
	for cmd in workload maps share cpus compare demo; do
		"$TASKSCOPE" "$cmd" --help || exit 1
	done
} >"$tmp/help" 2>"$tmp/help.err" || {
	echo "FAIL: --help or a command's --help failed:"
	sed 's/^/  /' "$tmp/help.err"
	fail=1
}
grep -oE -- '--[a-z][a-z-]*' "$tmp/help" | sort -u >"$tmp/longopts"
if [ ! -s "$tmp/longopts" ]; then
	echo "FAIL: no long option found in the help texts"
	fail=1
fi
while read -r opt; do
	grep -qE -- "${opt}([^a-z-]|\$)" "$tmp/plain" || printf '%s\n' "$opt"
done <"$tmp/longopts" >"$tmp/optmissing"
if [ -s "$tmp/optmissing" ]; then
	echo "FAIL: long options missing from the man page:"
	sed 's/^/  /' "$tmp/optmissing"
	fail=1
fi

if [ "$fail" -eq 0 ]; then
	echo "PASS: man page formats cleanly; $(wc -l <"$tmp/columns") columns and" \
	     "$(wc -l <"$tmp/longopts") long options documented"
fi
exit "$fail"
