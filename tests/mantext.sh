#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# mantext.sh - what the man pages quote of the program's output is what the program prints:
# every "quoted" or “quoted” text, every footnote line ("  - ...") and every line that starts
# with "taskscope:", "note:" or "PID n (" in a display of any page in man/ must match a string
# literal of src/ (its printf conversions match any text; the page's italic placeholders and
# "..." match any text), so that a footnote or message reworded in the code cannot leave the
# manual behind.
#
# Run by the automake harness with top_srcdir set. Exit 0 pass, 1 fail, 77 skip.

LC_ALL=C.UTF-8
export LC_ALL
top_srcdir=${top_srcdir:-.}
PYTHON3=${PYTHON3:-python3}

if ! command -v groff >/dev/null 2>&1; then
	echo "SKIP: groff is not installed (Debian: apt-get install groff-base)"
	exit 77
fi
if ! command -v "$PYTHON3" >/dev/null 2>&1; then
	echo "SKIP: no python3 to compare the texts with"
	exit 77
fi
pages=$(ls "$top_srcdir"/man/*.[1-9] 2>/dev/null)
srcs=$(find "$top_srcdir/src" -name '*.c' 2>/dev/null)
if [ -z "$pages" ] || [ -z "$srcs" ]; then
	echo "FAIL: no man pages or no sources under $top_srcdir"
	exit 1
fi

# Texts a page quotes that are not in the sources as such, each with the reason.
#   pss:denied,uss:denied - JSON's "unavailable", built from column names and reasons
ALLOWED='pss:denied,uss:denied'
export ALLOWED

# shellcheck disable=SC2086
exec "$PYTHON3" - $pages -- $srcs <<'PYEOF'
import functools, os, re, subprocess, sys
argv = sys.argv[1:]
sep = argv.index('--')
pages, srcs = argv[:sep], argv[sep + 1:]
allowed = set(os.environ.get('ALLOWED', '').split('\n')) - {''}
W = '\x01'	# a placeholder of the man page (italic text, "...")
V = '\x02'	# a conversion of a printf format

def norm(s):
	for a, b in (('\u2010', '-'), ('\u2212', '-'), ('\u2011', '-'), ('\u2019', "'"),
		     ('\u2018', "'"), ('\u00a0', ' '), ('\u2026', W), ('...', W)):
		s = s.replace(a, b)
	return re.sub(r'\s+', ' ', s).strip()

def render(page, displays):
	"""the page as text, only its displays (.EX to .EE) or only the rest"""
	src, keep, inex = [], [], False
	for line in open(page, encoding='utf-8').read().split('\n'):
		if line.startswith('.EX'):
			inex = True
		if inex == displays or line.startswith('.T') or line.startswith('.S'):
			keep.append(line)
		if line.startswith('.EE'):
			inex = False
	out = subprocess.run(['groff', '-Tutf8', '-man', '-P-c', '-rLL=2000n', '-rHY=0'],
			     input='\n'.join(keep), capture_output=True, text=True,
			     check=True).stdout
	# overstrike: _\bX is italic X (a placeholder), X\bX is bold X
	out = re.sub(r'(?:_\x08[^\x08\n])+', W, out)
	out = re.sub(r'([^\x08\n])\x08\1', r'\1', out)
	return re.sub(W + r'(?:[ ]?' + W + ')+', W, out)

def quoted(page):
	"""(kind, string): the strings in quotes in the text, the footnote lines of displays"""
	found = []
	flat = re.sub(r'\s+', ' ', render(page, False))
	for m in re.finditer(r'"([^"]{3,200}?)"|\u201c([^\u201d]{3,300}?)\u201d', flat):
		found.append(('quote', m.group(1) or m.group(2)))
	for line in render(page, True).split('\n'):
		m = re.match(r'^ +- (\S.*)$', line)
		if m:
			found.append(('footnote', m.group(1)))
		m = re.match(r'^ +((?:taskscope|note): .*|PID \S+ \(.*)$', line)
		if m:
			found.append(('output line', m.group(1)))
	return found

# ---- the string literals of the sources, adjacent ones joined, split at newlines ----
lits = []
conv = re.compile(r'%(?:\d+\$)?[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|h|ll|l|z|j|t|L)?[diouxXeEfgGcsp]')
for f in srcs:
	code = open(f, encoding='utf-8', errors='replace').read()
	code = re.sub(r'/\*.*?\*/', ' ', code, flags=re.S)
	code = re.sub(r'//[^\n]*', ' ', code)
	# a run of literals, with macros (PRIu64, WORKLOAD_WORKER_NAME) between them
	for run in re.finditer(r'"(?:[^"\\\n]|\\.)*"(?:\s*(?:[A-Z][A-Za-z0-9_]*\s*)?"(?:[^"\\\n]|\\.)*")*', code):
		parts = re.findall(r'"((?:[^"\\\n]|\\.)*)"|([A-Z][A-Za-z0-9_]*)', run.group(0))
		# PRIu64 and its kind end a conversion; another macro is some text
		s = ''.join(p[0] if not p[1] else 'd' if p[1].startswith('PRI') else '%s'
			    for p in parts)
		s = s.replace('\\n', '\n').replace('\\t', ' ').replace('\\"', '"').replace("\\'", "'")
		s = s.replace('\\\\', '\\')
		for piece in s.split('\n'):
			piece = conv.sub(V, piece).replace('%%', '%')
			piece = norm(piece)
			if piece:
				lits.append(piece)

litwords = [set(re.findall(r'[A-Za-z]{4,}', c)) for c in lits]

def best(S, C):
	"""the most literal characters of S matched when S is matched against part of C"""
	sys.setrecursionlimit(10000)
	@functools.lru_cache(maxsize=None)
	def M(i, j):
		if i == len(S):
			return 0
		r = -1
		if S[i] == W:
			r = max(r, M(i + 1, j))
			if j < len(C):
				r = max(r, M(i, j + 1))
			return r
		if j == len(C):
			return -1
		if C[j] == V:
			r = max(r, M(i, j + 1))			# empty
			r = max(r, M(i + 1, j + 1))		# one character
			r = max(r, M(i + 1, j))			# more
			return r
		if C[j] == S[i]:
			m = M(i + 1, j + 1)
			if m >= 0:
				r = max(r, m + 1)
		return r
	return max((M(0, j) for j in range(len(C))), default=-1)

bad = 0
checked = 0
seen = set()
for page in pages:
	for kind, s in quoted(page):
		S = norm(s)
		key = (page, S)
		if key in seen:
			continue
		seen.add(key)
		if S in allowed:
			print('  allowed: %s: %s "%s"' % (page.rsplit('/', 1)[-1], kind, S))
			continue
		literal = len(S.replace(W, ''))
		words = sorted(re.findall(r'[A-Za-z]{4,}', S), key=len, reverse=True)
		if literal < 4 or not words:
			continue
		got = -1
		# messages get "taskscope: " and "taskscope: CMD: " from a helper of their own
		for T in (S, re.sub(r'^taskscope: (?:[a-z]+: )?', '', S), re.sub(r'^- ', '', S)):
			# the literals that hold most of its words are the candidates
			words = set(re.findall(r'[A-Za-z]{4,}', T))
			score = sorted(((sum(w in c for w in words), i) for i, c in enumerate(lits)),
				       reverse=True)
			cands = [lits[i] for n, i in score[:25] if n > 0]
			# and the literals whose every word is in it, most words first: a message
			# put together from a format of few words ("invalid %s '%s': %s")
			whole = sorted(((len(litwords[i]), i) for i in range(len(lits))
					if litwords[i] and litwords[i] <= words), reverse=True)
			cands += [lits[i] for n, i in whole[:25]]
			got = max([got] + [best(T, c) for c in cands])
			literal = min(literal, len(T.replace(W, '')))
		checked += 1
		name = page.rsplit('/', 1)[-1]
		shown = S.replace(W, '<...>')
		if got >= min(literal, 12):
			print('  ok: %s: %s "%s"' % (name, kind, shown))
		else:
			print('FAIL: %s: the %s "%s" is in no string of the sources' % (name, kind, shown))
			bad += 1
print('%s: %d texts checked against the string literals of %d files, %d not found'
      % ('FAIL' if bad else 'PASS', checked, len(srcs), bad))
sys.exit(1 if bad else 0)
PYEOF
