/* SPDX-License-Identifier: GPL-2.0-or-later */
/* childlog.c - a spawned job's output as a bounded list of sanitized lines */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/childlog.h"

int childlog_init(struct childlog *l, size_t max_lines)
{
	memset(l, 0, sizeof(*l));
	if (!max_lines)
		return -EINVAL;
	l->lines = calloc(max_lines, sizeof(*l->lines));
	if (!l->lines)
		return -ENOMEM;
	l->max = max_lines;
	return 0;
}

void childlog_free(struct childlog *l)
{
	for (size_t i = 0; l->lines && i < l->max; i++)
		free(l->lines[i]);
	free(l->lines);
	memset(l, 0, sizeof(*l));
}

/* raw[0..len) sanitized; the sanitizer ends at a NUL, so the pieces between NULs are
 * sanitized one by one and each NUL is written as the escape \x00 (a NUL is never part of
 * a UTF-8 sequence: the pieces give what the whole would). */
static char *sanitize_line(const char *raw, size_t len)
{
	size_t cap = len * 4 + 1, off = 0;	/* at most 4 bytes for a byte, "\x00" too */
	char *s = malloc(cap);

	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < len; i++) {
		const char *nul = memchr(raw + i, '\0', len - i);
		size_t seg = nul ? (size_t)(nul - (raw + i)) : len - i;

		off += util_sanitize(raw + i, seg, s + off, cap - off);
		i += seg;
		if (nul) {
			memcpy(s + off, "\\x00", 5);
			off += 4;
		}
	}
	return s;
}

static int childlog_push(struct childlog *l, const char *raw, size_t len)
{
	char *s = sanitize_line(raw, len);
	size_t at;

	if (!s)
		return -ENOMEM;
	if (l->n < l->max) {
		at = (l->first + l->n) % l->max;
		l->n++;
	} else {
		at = l->first;
		free(l->lines[at]);
		l->first = (l->first + 1) % l->max;
	}
	l->lines[at] = s;
	l->total++;
	return 0;
}

int childlog_append(struct childlog *l, const char *buf, size_t len)
{
	int rc;

	l->bytes += len;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n' || l->plen + 1 > sizeof(l->part)) {
			rc = childlog_push(l, l->part, l->plen);
			l->plen = 0;
			if (rc)
				return rc;
			if (buf[i] == '\n')
				continue;
		}
		l->part[l->plen++] = buf[i];
	}
	return 0;
}

int childlog_flush(struct childlog *l)
{
	int rc = 0;

	if (l->plen)
		rc = childlog_push(l, l->part, l->plen);
	l->plen = 0;
	return rc;
}

size_t childlog_count(const struct childlog *l)
{
	return l->n;
}

const char *childlog_line(const struct childlog *l, size_t i)
{
	if (i >= l->n)
		return NULL;
	return l->lines[(l->first + i) % l->max];
}
