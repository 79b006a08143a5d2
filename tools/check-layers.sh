#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# check-layers.sh - the layer rules of DESIGN §2, checked on the sources (make check-layers):
# sample includes nothing of model/view/cmd; model nothing of view/cmd; view nothing of
# sample/cmd or the top-level files; cmd nothing of sample; only src/sample opens /proc paths; only the TUI files
# include curses. Prints each break and how many; exits 1 when there is one.
src=${1:-$(dirname "$0")/../src}
n=0
brk() { printf '%s\n' "$*"; n=$((n + 1)); }

incl() {	# incl DIR PATTERN RULE: includes in DIR's files that match PATTERN
	for f in "$src"/$1/*.[ch]; do
		[ -e "$f" ] || continue
		grep -n "^#include \"$2" "$f" | while IFS= read -r l; do
			echo "${f#"$src"/}:$l"
		done
	done
}

# rule DIR PATTERN TEXT [SKIP]: a break named TEXT for each include in DIR's files that
# matches PATTERN, but for those that match SKIP (grep)
rule() {
	for l in $(incl "$1" "$2" | grep -v "${4:-^$}" | tr ' ' '\001'); do
		brk "$3: $(echo "$l" | tr '\001' ' ')"
	done
}

rule sample '\(model\|view\|cmd\)/' "sample -> upper layer"
rule model '\(view\|cmd\)/' "model -> view/cmd"
rule view '\(sample\|cmd\)/' "view -> sample/cmd"
rule cmd 'sample/' "cmd -> sample (commands go through the model)"
rule view '[a-z]*\.h"' "view -> top level" 'config\.h'
# an open of a /proc path (a path named in a message, or a name only compared, is not one)
for f in $(grep -rlE --include='*.c' '(open|openat|fopen|opendir|readlink|readlinkat|stat)\(.*"/proc' "$src" |
	   grep -v "/sample/"); do
	brk "/proc opened outside src/sample: ${f#"$src"/}"
done
for f in $(grep -rl --include='*.[ch]' '#include <n\?curses' "$src" | grep -v '/view/tui'); do
	brk "curses outside the TUI: ${f#"$src"/}"
done
echo "check-layers: $n break(s)"
[ "$n" -eq 0 ]
