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

for l in $(incl sample '\(model\|view\|cmd\)/' | tr ' ' '\001'); do
	brk "sample -> upper layer: $(echo "$l" | tr '\001' ' ')"
done
for l in $(incl model '\(view\|cmd\)/' | tr ' ' '\001'); do
	brk "model -> view/cmd: $(echo "$l" | tr '\001' ' ')"
done
for l in $(incl view '\(sample\|cmd\)/' | tr ' ' '\001'); do
	brk "view -> sample/cmd: $(echo "$l" | tr '\001' ' ')"
done
for l in $(incl cmd 'sample/' | tr ' ' '\001'); do
	brk "cmd -> sample (commands go through the model): $(echo "$l" | tr '\001' ' ')"
done
for l in $(incl view '[a-z]*\.h"' | grep -v 'config\.h' | tr ' ' '\001'); do
	brk "view -> top level: $(echo "$l" | tr '\001' ' ')"
done
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
