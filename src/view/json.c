/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json.c - a small streaming JSON writer for reports that are more than one table */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "view/json.h"

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 when invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	uint32_t c;
	size_t len;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, c = p[0] & 0x1fu;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, c = p[0] & 0x0fu;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, c = p[0] & 0x07u;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3fu);
	}
	/* overlong forms, surrogates and code points past U+10FFFF are not UTF-8 */
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return len;
}

void json_write_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	fputc('"', out);
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t l;

		switch (c) {
		case '"':
			fputs("\\\"", out);
			i++;
			continue;
		case '\\':
			fputs("\\\\", out);
			i++;
			continue;
		case '\n':
			fputs("\\n", out);
			i++;
			continue;
		case '\t':
			fputs("\\t", out);
			i++;
			continue;
		default:
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(out, "\\u%04x", c);
			i++;
			continue;
		}
		l = utf8_len(p + i, n - i);
		if (l == 0) {
			fputs("\\ufffd", out);
			i++;
			continue;
		}
		fwrite(p + i, 1, l, out);
		i += l;
	}
	fputc('"', out);
}

static void indent(struct json *j)
{
	fputc('\n', j->out);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

/* Separator, indentation and key before a member. */
static void member(struct json *j, const char *key)
{
	if (j->depth > 0) {
		bool inl = j->inl[j->depth - 1];

		if (!j->first[j->depth - 1])
			fputc(',', j->out);
		if (inl) {
			if (!j->first[j->depth - 1])
				fputc(' ', j->out);
		} else {
			indent(j);
		}
		j->first[j->depth - 1] = false;
	}
	if (key) {
		json_write_string(j->out, key);
		fputs(": ", j->out);
	}
}

static void open_container(struct json *j, const char *key, bool inl, char c)
{
	member(j, key);
	fputc(c, j->out);
	if (j->depth >= JSON_MAX_DEPTH) {
		j->overflow = true;
		return;
	}
	/* inside an inline container everything stays on the line */
	j->inl[j->depth] = inl || (j->depth > 0 && j->inl[j->depth - 1]);
	j->first[j->depth] = true;
	j->depth++;
}

static void close_container(struct json *j, char c)
{
	bool empty, inl;

	if (j->depth == 0) {
		j->overflow = true;
		return;
	}
	j->depth--;
	empty = j->first[j->depth];
	inl = j->inl[j->depth];
	if (!empty && !inl)
		indent(j);
	fputc(c, j->out);
}

void json_begin(struct json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
}

int json_end(struct json *j)
{
	fputc('\n', j->out);
	return (j->depth || j->overflow) ? -EINVAL : 0;
}

void json_open_object(struct json *j, const char *key, bool inl)
{
	open_container(j, key, inl, '{');
}

void json_close_object(struct json *j)
{
	close_container(j, '}');
}

void json_open_array(struct json *j, const char *key, bool inl)
{
	open_container(j, key, inl, '[');
}

void json_close_array(struct json *j)
{
	close_container(j, ']');
}

void json_string(struct json *j, const char *key, const char *s)
{
	member(j, key);
	if (s)
		json_write_string(j->out, s);
	else
		fputs("null", j->out);
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->out, "%" PRIu64, v);
}

void json_i64(struct json *j, const char *key, int64_t v)
{
	member(j, key);
	fprintf(j->out, "%" PRId64, v);
}

void json_double(struct json *j, const char *key, double v, int decimals)
{
	member(j, key);
	if (!isfinite(v)) {
		fputs("null", j->out);
		return;
	}
	if (decimals < 0)
		decimals = 0;
	if (decimals > 9)
		decimals = 9;
	/* by hand: printf's decimal point is the locale's, JSON's is always '.' */
	{
		double scale = 1;
		uint64_t units, whole, frac;
		bool neg = v < 0;

		for (int i = 0; i < decimals; i++)
			scale *= 10;
		if (fabs(v) * scale >= 9e18) {
			fprintf(j->out, "%.0f", v);	/* no decimals: no decimal point */
			return;
		}
		units = (uint64_t)llround(fabs(v) * scale);
		whole = units / (uint64_t)scale;
		frac = units % (uint64_t)scale;
		fprintf(j->out, "%s%" PRIu64, neg && units ? "-" : "", whole);
		if (decimals)
			fprintf(j->out, ".%0*" PRIu64, decimals, frac);
	}
}

void json_bool(struct json *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->out);
}

void json_null(struct json *j, const char *key)
{
	member(j, key);
	fputs("null", j->out);
}
