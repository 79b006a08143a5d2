# SPDX-License-Identifier: GPL-2.0-or-later
# tsjson.py - the documents of a taskscope JSON stream, for the python the shell tests run
#
# lib.sh puts this directory on PYTHONPATH: `from tsjson import docs, last, task_row`.
# taskscope -J writes one document per sample, one after the other in one file.

import json


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


def task_row(doc, ident):
    """The row of doc's "tasks" whose tid (else pid) is ident, None when there is none."""
    for r in doc["tasks"]:
        if r.get("tid", r.get("pid")) == int(ident):
            return r
    return None
