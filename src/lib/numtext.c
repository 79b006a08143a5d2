/* SPDX-License-Identifier: GPL-2.0-or-later */
/* numtext.c - numbers as text: checked parsing of numbers, sizes and seconds, and their
 * formatting (decimal, sizes, CPU times) */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

int util_scan_u64(const char *s, const char **end, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (end)
		*end = p;
	*out = v;
	return 0;
}

int util_span_dec(const char **p, const char *end, uint64_t *v)
{
	const uint64_t limit = UINT64_MAX / 10;
	const char *q = *p;
	uint64_t x = 0;

	if (q >= end || *q < '0' || *q > '9')
		return -EINVAL;
	for (; q < end && *q >= '0' && *q <= '9'; q++) {
		unsigned d = (unsigned)(*q - '0');

		if (x > limit || (x == limit && d > UINT64_MAX % 10))
			return -ERANGE;
		x = x * 10 + d;
	}
	*p = q;
	*v = x;
	return 0;
}

/* Each hex digit's value plus one (0: not a hex digit), either case */
#define HEX1(c, v) [c] = (v) + 1
const unsigned char util_hex1[256] = {
	HEX1('0', 0), HEX1('1', 1), HEX1('2', 2), HEX1('3', 3), HEX1('4', 4),
	HEX1('5', 5), HEX1('6', 6), HEX1('7', 7), HEX1('8', 8), HEX1('9', 9),
	HEX1('a', 10), HEX1('b', 11), HEX1('c', 12), HEX1('d', 13), HEX1('e', 14), HEX1('f', 15),
	HEX1('A', 10), HEX1('B', 11), HEX1('C', 12), HEX1('D', 13), HEX1('E', 14), HEX1('F', 15),
};
#undef HEX1

int util_span_hex(const char **p, const char *end, uint64_t *v)
{
	const char *q = *p;
	uint64_t x = 0;
	unsigned d;

	for (; q < end && (d = util_hex1[(unsigned char)*q]); q++) {
		if (x >> 60)
			return -ERANGE;
		x = x << 4 | (d - 1);
	}
	if (q == *p)
		return -EINVAL;
	*p = q;
	*v = x;
	return 0;
}

int util_span_char(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return -EINVAL;
	(*p)++;
	return 0;
}

int util_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	const char *end;
	uint64_t v;
	int rc;

	if (!s)
		return -EINVAL;
	rc = util_scan_u64(s, &end, &v);
	if (rc == -EINVAL || (rc == 0 && *end))
		return -EINVAL;
	if (rc == -ERANGE) {
		/* too big: a range error if it is all digits, else a syntax error */
		for (end = s; *end >= '0' && *end <= '9'; end++)
			;
		return *end ? -EINVAL : -ERANGE;
	}
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int util_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	uint64_t v;
	int64_t val;
	bool neg = false;
	int rc;

	if (!s)
		return -EINVAL;
	if (*s == '-') {
		neg = true;
		s++;
	}
	rc = util_parse_u64(s, (uint64_t)INT64_MAX + 1, &v);
	if (rc)
		return rc;
	if (neg)
		val = v ? -(int64_t)(v - 1) - 1 : 0;	/* v <= 2^63: no overflow */
	else if (v > (uint64_t)INT64_MAX)
		return -ERANGE;
	else
		val = (int64_t)v;
	if (val < min || val > max)
		return -ERANGE;
	*out = val;
	return 0;
}

/* An optional ".digits" at *p: the fraction is frac / fracdiv (digits past 1e-9 ignored).
 * Advances *p; -EINVAL for a '.' without a digit. */
static int scan_fraction(const char **p, uint64_t *frac, uint64_t *fracdiv)
{
	const char *q = *p;

	*frac = 0;
	*fracdiv = 1;
	if (*q != '.')
		return 0;
	q++;
	if (*q < '0' || *q > '9')
		return -EINVAL;
	for (; *q >= '0' && *q <= '9'; q++) {
		if (*fracdiv >= 1000000000ULL)
			continue;
		*frac = *frac * 10 + (uint64_t)(*q - '0');
		*fracdiv *= 10;
	}
	*p = q;
	return 0;
}

int util_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGTPE";
	uint64_t whole, frac = 0, fracdiv = 1, mult = 1;
	const char *p, *u;
	int rc;

	if (!s || !*s)
		return -EINVAL;
	rc = util_scan_u64(s, &p, &whole);
	if (rc)
		return rc;
	rc = scan_fraction(&p, &frac, &fracdiv);
	if (rc)
		return rc;
	if (*p) {
		char c = *p;

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		u = c == 'B' ? NULL : strchr(units, c);
		if (c != 'B' && !u)
			return -EINVAL;
		if (u) {
			for (const char *q = units; q <= u; q++)
				mult *= 1024;
			p++;
			if (*p == 'i')
				p++;
			if (*p == 'B' || *p == 'b')
				p++;
		} else {
			p++;
		}
		if (*p)
			return -EINVAL;
	}
	if (fracdiv > 1 && mult == 1)
		return -EINVAL;		/* "1.5" bytes makes no sense */
	if (whole > UINT64_MAX / mult)
		return -ERANGE;
	whole *= mult;
	if (frac) {
		/* mult <= 2^60 and frac < fracdiv <= 1e9: use long double */
		long double add = (long double)frac * (long double)mult / (long double)fracdiv;

		if ((long double)(UINT64_MAX - whole) < add)
			return -ERANGE;
		whole += (uint64_t)add;
	}
	*out = whole;
	return 0;
}

int util_parse_seconds(const char *s, double max, double *out)
{
	uint64_t whole, frac = 0, fracdiv = 1;
	const char *p;
	double v;
	int rc;

	if (!s || !*s)
		return -EINVAL;
	if (*s == '-')
		return -ERANGE;
	rc = util_scan_u64(s, &p, &whole);
	if (rc == -EINVAL && *s == '.')
		p = s, whole = 0, rc = 0;
	if (rc)
		return rc;
	rc = scan_fraction(&p, &frac, &fracdiv);
	if (rc)
		return rc;
	if (*p)
		return -EINVAL;
	v = (double)whole + (double)frac / (double)fracdiv;
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

char *util_u64_dec(uint64_t v, char *buf, size_t len)
{
	char tmp[24];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (n + 1 > len) {
		if (len)
			buf[0] = '\0';
		return buf;
	}
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return buf;
}

char *util_i64_dec(int64_t v, char *buf, size_t len)
{
	if (v >= 0)
		return util_u64_dec((uint64_t)v, buf, len);
	if (len < 2) {
		if (len)
			buf[0] = '\0';
		return buf;
	}
	buf[0] = '-';
	/* -(v + 1) + 1 avoids negating INT64_MIN */
	util_u64_dec((uint64_t)(-(v + 1)) + 1, buf + 1, len - 1);
	return buf;
}

char *util_fixed1(double v, char *buf, size_t len)
{
	uint64_t tenths;
	size_t n;

	if (!(v >= 0) || v > 1e15)
		v = 0;	/* NaN, negative, absurd: callers never pass them */
	tenths = (uint64_t)(v * 10.0 + 0.5);
	util_u64_dec(tenths / 10, buf, len);
	n = strlen(buf);
	if (n + 3 > len)
		return buf;
	buf[n] = '.';
	buf[n + 1] = (char)('0' + tenths % 10);
	buf[n + 2] = '\0';
	return buf;
}

/* Append text to buf at *off (bounded); the large-table paths avoid snprintf. */
static void put(char *buf, size_t len, size_t *off, const char *text)
{
	size_t n = strlen(text);

	if (*off + n + 1 > len)
		n = *off + 1 < len ? len - *off - 1 : 0;
	memcpy(buf + *off, text, n);
	*off += n;
	buf[*off] = '\0';
}

/* One character, as put() adds text. */
static void put1(char *buf, size_t len, size_t *off, char c)
{
	if (*off + 2 <= len)
		buf[(*off)++] = c;
	buf[*off] = '\0';
}

/* v in decimal with zeros before it to width digits, as put() adds text (its first bytes
 * when len cuts it); the digits made in place: through util_u64_dec, strlen and a put() for
 * each zero, a TIME cell took 700 instructions */
static void put_u64(char *buf, size_t len, size_t *off, uint64_t v, int width)
{
	char tmp[24];
	size_t n = 0, k, room = *off + 1 < len ? len - *off - 1 : 0;

	do {
		tmp[sizeof(tmp) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while ((int)n < width && n < sizeof(tmp))
		tmp[sizeof(tmp) - ++n] = '0';
	k = n < room ? n : room;
	memcpy(buf + *off, tmp + sizeof(tmp) - n, k);
	*off += k;
	if (len)
		buf[*off] = '\0';
}

char *util_size_human(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	char unit[2] = { 0, 0 };
	size_t off = 0;
	int i = 0;
	double v = (double)bytes;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	while (v >= 1024.0 && i < 6) {
		v /= 1024.0;
		i++;
	}
	unit[0] = units[i];
	if (i == 0) {
		put_u64(buf, len, &off, bytes, 0);
	} else if (v < 10.0 && floor(v * 10.0 + 0.5) < 100.0) {
		util_fixed1(v, buf, len);
		off = strlen(buf);
	} else if (floor(v + 0.5) >= 1024.0 && i < 6) {
		/* from 1023.5 of a unit up: "1.0" of the next, never "1024K" */
		unit[0] = units[i + 1];
		util_fixed1(v / 1024.0, buf, len);
		off = strlen(buf);
	} else {
		put_u64(buf, len, &off, (uint64_t)floor(v + 0.5), 0);
	}
	put(buf, len, &off, unit);
	return buf;
}

char *util_cputime(double seconds, char *buf, size_t len)
{
	uint64_t cs, s;
	size_t off = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (!(seconds >= 0) || seconds > 1e15)
		seconds = 0;
	cs = (uint64_t)(seconds * 100.0 + 0.5);
	s = cs / 100;
	if (s < 3600) {
		put_u64(buf, len, &off, s / 60, 0);
		put1(buf, len, &off, ':');
		put_u64(buf, len, &off, s % 60, 2);
		put1(buf, len, &off, '.');
		put_u64(buf, len, &off, cs % 100, 2);
	} else if (s < 86400) {
		put_u64(buf, len, &off, s / 3600, 0);
		put1(buf, len, &off, ':');
		put_u64(buf, len, &off, s / 60 % 60, 2);
		put1(buf, len, &off, ':');
		put_u64(buf, len, &off, s % 60, 2);
	} else {
		put_u64(buf, len, &off, s / 86400, 0);
		put1(buf, len, &off, '-');
		put_u64(buf, len, &off, s / 3600 % 24, 2);
		put1(buf, len, &off, ':');
		put_u64(buf, len, &off, s / 60 % 60, 2);
		put1(buf, len, &off, ':');
		put_u64(buf, len, &off, s % 60, 2);
	}
	return buf;
}
