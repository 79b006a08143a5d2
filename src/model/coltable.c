/* SPDX-License-Identifier: GPL-2.0-or-later */
/* coltable.c - lookup, -o lists and --list-columns for every column table */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/util.h"
#include "model/coltable.h"

static const char *entry(const struct coltable *t, size_t i)
{
	return (const char *)t->cols + i * t->size;
}

const char *coltable_name(const struct coltable *t, size_t i)
{
	const char *name;

	memcpy(&name, entry(t, i) + t->name_off, sizeof(name));
	return name;
}

const char *coltable_help(const struct coltable *t, size_t i)
{
	const char *help;

	memcpy(&help, entry(t, i) + t->help_off, sizeof(help));
	return help;
}

unsigned coltable_flags(const struct coltable *t, size_t i)
{
	unsigned flags;

	memcpy(&flags, entry(t, i) + t->flags_off, sizeof(flags));
	return flags;
}

long coltable_index(const struct coltable *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcasecmp(coltable_name(t, i), name))
			return (long)i;
	return -1;
}

const void *coltable_get(const struct coltable *t, size_t i)
{
	return i < t->n ? entry(t, i) : NULL;
}

const void *coltable_find(const struct coltable *t, const char *name)
{
	long k = coltable_index(t, name);

	return k < 0 ? NULL : entry(t, (size_t)k);
}

/* Add column i unless it is there already: 0 or -ENOMEM. */
static int push(size_t **idx, size_t *n, size_t i)
{
	size_t *v;

	for (size_t k = 0; k < *n; k++)
		if ((*idx)[k] == i)
			return 0;	/* once is enough (e.g. +PID) */
	v = realloc(*idx, (*n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	v[(*n)++] = i;
	*idx = v;
	return 0;
}

int coltable_names(const struct coltable *t, const char *const *names, size_t n,
		   size_t **idx, size_t *nidx)
{
	*idx = NULL;
	*nidx = 0;
	for (size_t i = 0; i < n; i++) {
		long k = coltable_index(t, names[i]);

		if (k >= 0 && push(idx, nidx, (size_t)k)) {
			free(*idx);
			*idx = NULL;
			*nidx = 0;
			return -ENOMEM;
		}
	}
	return 0;
}

int coltable_parse_list(const struct coltable *t, const char *list,
			const char *const *defaults, size_t ndefaults, size_t **idx,
			size_t *nidx, char **bad)
{
	const char *p = list, *item;
	char name[32];
	size_t len;
	int rc = 0;

	*bad = NULL;
	*idx = NULL;
	*nidx = 0;
	if (*p == '+') {
		rc = coltable_names(t, defaults, ndefaults, idx, nidx);
		if (rc)
			return rc;
		p++;
	}
	while (util_list_next(&p, name, sizeof(name), &item, &len)) {
		long k = len ? coltable_index(t, name) : -1;

		if (k < 0) {
			*bad = util_sanitize_dup(item, len);
			rc = -EINVAL;
			break;
		}
		rc = push(idx, nidx, (size_t)k);
		if (rc)
			break;
	}
	if (rc) {
		free(*idx);
		*idx = NULL;
		*nidx = 0;
	}
	return rc;
}

void coltable_print(const struct coltable *t, FILE *out, bool marks)
{
	for (size_t i = 0; i < t->n; i++) {
		unsigned flags = coltable_flags(t, i);

		fprintf(out, "%*s  %s", t->list_width, coltable_name(t, i), coltable_help(t, i));
		for (const struct coltable_mark *m = t->marks; marks && m && m->text; m++)
			if (flags & m->flag)
				fprintf(out, " %s", m->text);
		fputc('\n', out);
	}
}

const char *coltable_avail_text(const char *const *texts, size_t n, unsigned av)
{
	if (!av)
		return "";
	return av < n && texts[av] ? texts[av] : texts[n - 1];
}

const char *coltable_json_key(const char *name, char *buf, size_t len)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++) {
		char ch = name[i];

		buf[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
	}
	buf[i] = '\0';
	return buf;
}
