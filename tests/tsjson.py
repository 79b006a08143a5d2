# SPDX-License-Identifier: GPL-2.0-or-later
# tsjson.py - the documents of a taskscope JSON stream, for the python the shell tests run
#
# lib.sh puts this directory on PYTHONPATH: `from tsjson import docs, last, task_row`.
# taskscope -J writes one document per sample, one after the other in one file.

import json
import sys


def docs(path, encoding=None):
    """Every JSON document of the file at path, in order."""
    text = open(path, encoding=encoding).read()
    dec, pos, out = json.JSONDecoder(), 0, []
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        d, pos = dec.raw_decode(text, pos)
        out.append(d)
    return out


def last(path):
    """The last document of the file, None when it has none."""
    d = docs(path)
    return d[-1] if d else None


# need(cond, what) for each property a check wants; verdict() prints the ones that do not
# hold as "BAD: what" and exits 1 when there is one, else 0
bad = []


def need(cond, what):
    """Note what as a failed property unless cond."""
    if not cond:
        bad.append(what)


def verdict():
    """Print the failed properties, exit 1 when there is one, else 0."""
    for b in bad:
        print("BAD:", b)
    sys.exit(1 if bad else 0)


def task_row(doc, ident):
    """The row of doc's "tasks" whose tid (else pid) is ident, None when there is none."""
    for r in doc["tasks"]:
        if r.get("tid", r.get("pid")) == int(ident):
            return r
    return None
