/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json.c - a small streaming JSON writer for reports that are more than one table */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "lib/util.h"
#include "view/json.h"

void json_write_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	fputc('"', out);
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		uint32_t cp;
		size_t l;

		/* printable ASCII that needs no escape: the whole run in one write */
		for (l = i; l < n && p[l] >= 0x20 && p[l] < 0x7f && p[l] != '"' &&
			    p[l] != '\\'; l++)
			;
		if (l > i) {
			fwrite(p + i, 1, l - i, out);
			i = l;
			continue;
		}
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
		l = util_utf8_seq((const char *)p + i, n - i, &cp);
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

void json_stamp_init(struct json_stamp *s, double wall, bool has_interval, double interval)
{
	struct utsname u;
	struct tm tm;
	time_t sec;
	long usec;

	memset(s, 0, sizeof(*s));
	if (wall <= 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		wall = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	}
	/* one rounding to microseconds for both keys, so they name the same instant */
	s->unix_us = (uint64_t)llround(wall * 1e6);
	s->unix_time = (double)s->unix_us / 1e6;
	sec = (time_t)(s->unix_us / 1000000);
	usec = (long)(s->unix_us % 1000000);
	if (gmtime_r(&sec, &tm)) {
		size_t n = strftime(s->time, sizeof(s->time), "%Y-%m-%dT%H:%M:%S", &tm);

		snprintf(s->time + n, sizeof(s->time) - n, ".%06ldZ", usec);
	}
	s->has_interval = has_interval;
	s->interval = interval;
	if (!uname(&u)) {
		snprintf(s->host, sizeof(s->host), "%s", u.nodename);
		snprintf(s->kernel, sizeof(s->kernel), "%s", u.release);
	}
}

void json_stamp_write(struct json *j, const struct json_stamp *s)
{
	json_string(j, "taskscope_version", PACKAGE_VERSION);
	json_string(j, "hostname", s->host[0] ? s->host : NULL);
	json_string(j, "kernel_release", s->kernel[0] ? s->kernel : NULL);
	json_string(j, "time", s->time[0] ? s->time : NULL);
	json_double(j, "unix_time", s->unix_time, 6);
	if (!s->has_interval)
		return;
	if (s->interval > 0)
		json_double(j, "interval", s->interval, 6);
	else
		json_null(j, "interval");
}

static void raw_string(FILE *out, const char *key, const char *v)
{
	fprintf(out, "   \"%s\": ", key);
	if (v && v[0])
		json_write_string(out, v);
	else
		fputs("null", out);
	fputs(",\n", out);
}

/* A non-negative number with 6 decimals, '.' whatever the locale says. */
static void raw_fixed6(FILE *out, const char *key, double v)
{
	uint64_t units = (uint64_t)llround(v * 1e6);

	fprintf(out, "   \"%s\": %" PRIu64 ".%06" PRIu64 ",\n", key, units / 1000000,
		units % 1000000);
}

void json_stamp_raw(FILE *out, const struct json_stamp *s)
{
	raw_string(out, "taskscope_version", PACKAGE_VERSION);
	raw_string(out, "hostname", s->host);
	raw_string(out, "kernel_release", s->kernel);
	raw_string(out, "time", s->time);
	fprintf(out, "   \"unix_time\": %" PRIu64 ".%06" PRIu64 ",\n", s->unix_us / 1000000,
		s->unix_us % 1000000);
	if (!s->has_interval)
		return;
	if (s->interval > 0)
		raw_fixed6(out, "interval", s->interval);
	else
		fputs("   \"interval\": null,\n", out);
}
