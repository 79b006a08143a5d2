#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# check-size.sh - the size rules of the sources (make check-layers): no function over 100
# lines, no file over 800, in src/. Prints each one that is over and how many; exits 1 when
# there is one.
#
# A function is counted in the kernel style the sources keep: from the line that names it
# (a declaration at the start of a line) to its closing brace at the start of a line.
src=${1:-$(dirname "$0")/../src}
fmax=100
lmax=800
n=0

list=$(find "$src" -name '*.[ch]' | LC_ALL=C sort)
[ -n "$list" ] || { echo "check-size: no C sources in $src" >&2; exit 2; }
out=$(
	for f in $list; do
		awk -v fmax=$fmax -v lmax=$lmax -v name="${f#"$src"/}" '
		# a declaration at the start of a line: remember where it starts and its name
		/^[A-Za-z_][^;]*[A-Za-z0-9_][ \t]*\(/ && !/^(if|for|while|switch|return)[ \t(]/ {
			s = $0
			sub(/[ \t]*\(.*/, "", s)
			sub(/.*[^A-Za-z0-9_]/, "", s)
			decl = NR
			fn = s
		}
		/^\{/ { start = decl ? decl : NR }
		/^\}/ && start {
			if (NR - start + 1 > fmax)
				printf "function over %d lines: %s:%d %s (%d lines)\n", fmax, name,
				       start, fn, NR - start + 1
			start = 0
			decl = 0
		}
		END {
			if (NR > lmax)
				printf "file over %d lines: %s (%d lines)\n", lmax, name, NR
		}' "$f"
	done
)
if [ -n "$out" ]; then
	printf '%s\n' "$out"
	n=$(printf '%s\n' "$out" | wc -l)
fi
echo "check-size: $n over the limits (functions $fmax lines, files $lmax)"
[ "$n" -eq 0 ]
