/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_util.c - unit tests of src/lib/util.c: parsing, formatting, cpu lists, sanitizing */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "fuzz/fuzz.h"
#include "tap.h"

/* ---- util_parse_u64 / util_parse_i64 / util_scan_u64 ------------------------------------ */

static void u64_ok(const char *s, uint64_t max, uint64_t want)
{
	uint64_t v = 12345;
	int rc = util_parse_u64(s, max, &v);

	if (tap_is_rc(rc, 0, "parse_u64(\"%s\") accepted", tap_q(s)))
		tap_is_u64(v, want, "parse_u64(\"%s\") value", tap_q(s));
}

static void u64_bad(const char *s, uint64_t max, int want)
{
	uint64_t v = 12345;
	int rc = util_parse_u64(s, max, &v);

	tap_is_rc(rc, want, "parse_u64(\"%s\", max %" PRIu64 ") rejected", tap_q(s), max);
	tap_is_u64(v, 12345, "parse_u64(\"%s\") left *out alone on error", tap_q(s));
}

static void i64_ok(const char *s, int64_t min, int64_t max, int64_t want)
{
	int64_t v = 12345;
	int rc = util_parse_i64(s, min, max, &v);

	if (tap_is_rc(rc, 0, "parse_i64(\"%s\", [%" PRId64 ", %" PRId64 "]) accepted",
		      tap_q(s), min, max))
		tap_is_i64(v, want, "parse_i64(\"%s\") value", tap_q(s));
}

static void i64_bad(const char *s, int64_t min, int64_t max, int want)
{
	int64_t v = 12345;
	int rc = util_parse_i64(s, min, max, &v);

	tap_is_rc(rc, want, "parse_i64(\"%s\", [%" PRId64 ", %" PRId64 "]) rejected",
		  tap_q(s), min, max);
	tap_is_i64(v, 12345, "parse_i64(\"%s\") left *out alone on error", tap_q(s));
}

static void test_parse_int(void)
{
	uint64_t v;
	const char *end;
	int rc;

	u64_ok("0", UINT64_MAX, 0);
	u64_ok("4096", UINT64_MAX, 4096);
	u64_ok("007", UINT64_MAX, 7);
	u64_ok("18446744073709551615", UINT64_MAX, UINT64_MAX);
	u64_ok("99", 99, 99);
	u64_bad("100", 99, -ERANGE);
	u64_bad("18446744073709551616", UINT64_MAX, -ERANGE);
	u64_bad("99999999999999999999999", UINT64_MAX, -ERANGE);
	u64_bad("12x", UINT64_MAX, -EINVAL);
	u64_bad("99999999999999999999999x", UINT64_MAX, -EINVAL);
	u64_bad("", UINT64_MAX, -EINVAL);
	u64_bad("-1", UINT64_MAX, -EINVAL);
	u64_bad("+1", UINT64_MAX, -EINVAL);
	u64_bad(" 1", UINT64_MAX, -EINVAL);
	u64_bad("1 ", UINT64_MAX, -EINVAL);
	u64_bad("1\n", UINT64_MAX, -EINVAL);
	u64_bad("0x10", UINT64_MAX, -EINVAL);
	u64_bad(NULL, UINT64_MAX, -EINVAL);

	i64_ok("0", INT64_MIN, INT64_MAX, 0);
	i64_ok("-51", -100, 100, -51);
	i64_ok("100", -100, 100, 100);
	i64_ok("-100", -100, 100, -100);
	i64_ok("9223372036854775807", INT64_MIN, INT64_MAX, INT64_MAX);
	i64_ok("-9223372036854775808", INT64_MIN, INT64_MAX, INT64_MIN);
	i64_ok("-0", 0, 10, 0);
	i64_ok("7", 5, 10, 7);
	i64_ok("-9", -10, -8, -9);
	i64_bad("9223372036854775808", INT64_MIN, INT64_MAX, -ERANGE);
	i64_bad("-9223372036854775809", INT64_MIN, INT64_MAX, -ERANGE);
	i64_bad("18446744073709551616", INT64_MIN, INT64_MAX, -ERANGE);
	i64_bad("101", -100, 100, -ERANGE);
	i64_bad("-101", -100, 100, -ERANGE);
	/* the bound that is on the other side of zero from the value must hold too */
	i64_bad("3", 5, 10, -ERANGE);
	i64_bad("-5", -10, -8, -ERANGE);
	i64_bad("5", -10, -1, -ERANGE);
	i64_bad("-1", 0, 10, -ERANGE);
	i64_bad("", INT64_MIN, INT64_MAX, -EINVAL);
	i64_bad("-", INT64_MIN, INT64_MAX, -EINVAL);
	i64_bad("--1", INT64_MIN, INT64_MAX, -EINVAL);
	i64_bad("- 1", INT64_MIN, INT64_MAX, -EINVAL);
	i64_bad("+1", INT64_MIN, INT64_MAX, -EINVAL);
	i64_bad("12x", INT64_MIN, INT64_MAX, -EINVAL);
	i64_bad(" -1", INT64_MIN, INT64_MAX, -EINVAL);

	/* scan: stops at the first non-digit and says where */
	{
		static const char line[] = "123 456";

		rc = util_scan_u64(line, &end, &v);
		tap_is_rc(rc, 0, "scan_u64(\"123 456\")");
		tap_is_u64(v, 123, "scan_u64 value stops at the space");
		tap_is_i64(end - line, 3, "scan_u64 end points at the space");
	}
	{
		static const char line[] = "18446744073709551615) R";

		rc = util_scan_u64(line, &end, &v);
		tap_is_rc(rc, 0, "scan_u64 of UINT64_MAX followed by ')'");
		tap_is_u64(v, UINT64_MAX, "scan_u64 UINT64_MAX value");
		tap_is_i64(end - line, 20, "scan_u64 end after 20 digits");
	}
	rc = util_scan_u64("18446744073709551616 1", &end, &v);
	tap_is_rc(rc, -ERANGE, "scan_u64 of 2^64 overflows instead of wrapping");
	rc = util_scan_u64("x1", &end, &v);
	tap_is_rc(rc, -EINVAL, "scan_u64(\"x1\")");
	rc = util_scan_u64("", &end, &v);
	tap_is_rc(rc, -EINVAL, "scan_u64(\"\")");
	rc = util_scan_u64(" 1", &end, &v);
	tap_is_rc(rc, -EINVAL, "scan_u64(\" 1\")");
	v = 0;
	rc = util_scan_u64("42\n", NULL, &v);
	tap_ok(rc == 0 && v == 42, "scan_u64 with end == NULL gives 42 (rc %d, v %" PRIu64 ")",
	       rc, v);
}

/* ---- util_parse_size / util_parse_seconds ----------------------------------------------- */

static void size_ok(const char *s, uint64_t want)
{
	uint64_t v = 12345;
	int rc = util_parse_size(s, &v);

	if (tap_is_rc(rc, 0, "parse_size(\"%s\") accepted", tap_q(s)))
		tap_is_u64(v, want, "parse_size(\"%s\") bytes", tap_q(s));
}

static void size_bad(const char *s, int want)
{
	uint64_t v = 12345;
	int rc = util_parse_size(s, &v);

	tap_is_rc(rc, want, "parse_size(\"%s\") rejected", tap_q(s));
	tap_is_u64(v, 12345, "parse_size(\"%s\") left *out alone on error", tap_q(s));
}

static void secs_ok(const char *s, double max, double want)
{
	double v = -7;
	int rc = util_parse_seconds(s, max, &v);

	if (tap_is_rc(rc, 0, "parse_seconds(\"%s\", max %g) accepted", tap_q(s), max))
		tap_is_dbl(v, want, 1e-12, "parse_seconds(\"%s\") value", tap_q(s));
}

static void secs_bad(const char *s, double max, int want)
{
	double v = -7;
	int rc = util_parse_seconds(s, max, &v);

	tap_is_rc(rc, want, "parse_seconds(\"%s\", max %g) rejected", tap_q(s), max);
	tap_is_dbl(v, -7, 0, "parse_seconds(\"%s\") left *out alone on error", tap_q(s));
}

static void test_parse_size_seconds(void)
{
	size_ok("0", 0);
	size_ok("4096", 4096);
	size_ok("4096B", 4096);
	size_ok("64K", 65536);
	size_ok("64k", 65536);
	size_ok("1KB", 1024);
	size_ok("1KiB", 1024);
	size_ok("1.5K", 1536);
	size_ok("0.5K", 512);
	size_ok("64M", 67108864);
	size_ok("2.25M", 2359296);
	size_ok("1.5G", 1610612736);
	size_ok("2GiB", 2147483648ULL);
	size_ok("2T", 2199023255552ULL);
	size_ok("3P", 3377699720527872ULL);
	size_ok("1E", 1152921504606846976ULL);
	size_ok("15E", 17293822569102704640ULL);
	size_ok("18446744073709551615", UINT64_MAX);
	size_bad("1.5", -EINVAL);
	size_bad("1.5B", -EINVAL);
	size_bad("1Q", -EINVAL);
	size_bad("1iB", -EINVAL);
	size_bad("1KiBx", -EINVAL);
	size_bad("1 K", -EINVAL);
	size_bad("1.K", -EINVAL);
	size_bad(".5K", -EINVAL);
	size_bad("K", -EINVAL);
	size_bad("-1K", -EINVAL);
	size_bad("", -EINVAL);
	size_bad("16E", -ERANGE);
	size_bad("20000000000E", -ERANGE);
	size_bad("18446744073709551616", -ERANGE);
	size_bad("17179869184G", -ERANGE);	/* exactly 2^64 */

	secs_ok("0", 10, 0);
	secs_ok("0.1", 10, 0.1);
	secs_ok(".5", 10, 0.5);
	secs_ok("2", 10, 2);
	secs_ok("1.25", 10, 1.25);
	secs_ok("10", 10, 10);
	secs_ok("0.000000001", 10, 1e-9);
	secs_ok("86400", 1e9, 86400);
	secs_bad("10.5", 10, -ERANGE);
	secs_bad("11", 10, -ERANGE);
	secs_bad("-1", 10, -ERANGE);
	secs_bad("1e3", 1e9, -EINVAL);
	secs_bad("abc", 10, -EINVAL);
	secs_bad("", 10, -EINVAL);
	secs_bad(".", 10, -EINVAL);
	secs_bad("1.", 10, -EINVAL);
	secs_bad("1.5s", 10, -EINVAL);
	secs_bad(" 1", 10, -EINVAL);
	secs_bad("nan", 10, -EINVAL);
	secs_bad("inf", 10, -EINVAL);
}

/* ---- util_size_human / util_cputime ------------------------------------------------------ */

static void human_is(uint64_t bytes, const char *want)
{
	char buf[32];
	char *r;

	memset(buf, 'Z', sizeof(buf));
	r = util_size_human(bytes, buf, sizeof(buf));
	tap_ok(r == buf, "size_human(%" PRIu64 ") returns its buffer", bytes);
	tap_is_str(buf, want, "size_human(%" PRIu64 ")", bytes);
}

static void cputime_is(double secs, const char *want)
{
	char buf[32];
	char *r;

	memset(buf, 'Z', sizeof(buf));
	r = util_cputime(secs, buf, sizeof(buf));
	tap_ok(r == buf, "cputime(%g) returns its buffer", secs);
	tap_is_str(buf, want, "cputime(%g)", secs);
}

static void test_format(void)
{
	char small[4];

	human_is(0, "0B");
	human_is(1, "1B");
	human_is(1023, "1023B");
	human_is(1024, "1.0K");
	human_is(1536, "1.5K");
	human_is(10239, "10K");		/* 9.999K must not print as "10.0K" */
	human_is(10240, "10K");
	human_is(1048063, "1023K");	/* 1023.499K */
	human_is(1048064, "1.0M");	/* 1023.5K rounds up to the next unit, never "1024K" */
	human_is(1048575, "1.0M");
	human_is(1048576, "1.0M");
	human_is(1073741823ULL, "1.0G");	/* one byte short of 1G: not "1024M" */
	human_is(1099511627775ULL, "1.0T");
	human_is(1572864, "1.5M");
	human_is(10485760, "10M");
	human_is(123456789, "118M");
	human_is(5368709120ULL, "5.0G");
	human_is(1125899906842624ULL, "1.0P");
	human_is(1152921504606846976ULL, "1.0E");
	human_is(UINT64_MAX, "16E");

	memset(small, 'Z', sizeof(small));
	util_size_human(1536, small, sizeof(small));
	tap_is_mem(small, sizeof(small), "1.5", 4, "size_human into a 4-byte buffer is cut and "
		   "NUL-terminated");

	cputime_is(0, "0:00.00");
	cputime_is(0.01, "0:00.01");
	cputime_is(59.99, "0:59.99");
	cputime_is(59.999, "1:00.00");
	cputime_is(61.5, "1:01.50");
	cputime_is(3599.99, "59:59.99");
	cputime_is(3599.996, "1:00:00");
	cputime_is(3600, "1:00:00");
	cputime_is(86399, "23:59:59");
	cputime_is(86400, "1-00:00:00");
	cputime_is(90061, "1-01:01:01");
	cputime_is(100 * 86400 + 3723, "100-01:02:03");
	cputime_is(-5, "0:00.00");
	cputime_is(NAN, "0:00.00");
}

/* ---- cpu lists ---------------------------------------------------------------------------- */

/* Check that cl holds exactly the CPUs listed in want (ascending, terminated by -1). */
static void cpus_are(const struct cpulist *cl, const int *want, const char *what)
{
	int i, w = 0, bad = -1;

	for (i = 0; i < cl->ncpus; i++) {
		bool in = CPU_ISSET_S((size_t)i, cl->size, cl->set);
		bool expect = want[w] == i;

		if (expect)
			w++;
		if (in != expect && bad < 0)
			bad = i;
	}
	if (want[w] != -1 && bad < 0)
		bad = want[w];	/* expected a CPU beyond the set's capacity */
	if (!tap_ok(bad < 0, "%s: exactly the expected CPUs", what))
		tap_diag("first difference at CPU %d (set has %d CPUs, capacity %d)", bad,
			 CPU_COUNT_S(cl->size, cl->set), cl->ncpus);
}

static void cpulist_ok(const char *s, int max, const int *want, const char *formatted)
{
	struct cpulist cl = { 0 };
	char buf[256];
	int rc = util_cpulist_parse(s, max, &cl);

	if (!tap_is_rc(rc, 0, "cpulist_parse(\"%s\", %d) accepted", tap_q(s), max))
		return;
	tap_ok(cl.ncpus >= max, "cpulist_parse(\"%s\") capacity %d >= %d", tap_q(s), cl.ncpus,
	       max);
	cpus_are(&cl, want, tap_q(s));
	rc = util_cpulist_format(&cl, buf, sizeof(buf));
	tap_is_rc(rc, 0, "cpulist_format of \"%s\"", tap_q(s));
	tap_is_str(buf, formatted, "cpulist_format of \"%s\" text", tap_q(s));
	util_cpulist_free(&cl);
}

static void cpulist_bad(const char *s, int max, int want)
{
	struct cpulist cl = { 0 };
	int rc = util_cpulist_parse(s, max, &cl);

	tap_is_rc(rc, want, "cpulist_parse(\"%s\", %d) rejected", tap_q(s), max);
	if (rc == 0)
		util_cpulist_free(&cl);
}

static void test_cpulist(void)
{
	static const int l1[] = { 0, 1, 2, 3, 8, 10, 11, -1 };
	static const int l2[] = { 0, 2, 4, 6, -1 };
	static const int l3[] = { 1, 5, 9, -1 };
	static const int l4[] = { 0, 1, 2, 3, -1 };
	static const int l5[] = { 5, -1 };
	static const int l6[] = { 1, -1 };
	static const int l7[] = { 7, -1 };
	static const int big[] = { 0, 1023, 1024, 1025, 4095, -1 };
	struct cpulist cl = { 0 };
	char buf[64];
	int rc;

	cpulist_ok("0-3,8,10-11", 64, l1, "0-3,8,10-11");
	cpulist_ok("0-7:2", 64, l2, "0,2,4,6");
	cpulist_ok("1-9:4", 16, l3, "1,5,9");
	cpulist_ok("0-3\n", 4, l4, "0-3");		/* sysfs files end with a newline */
	cpulist_ok("3,2,1,0", 8, l4, "0-3");
	cpulist_ok("5", 8, l5, "5");
	cpulist_ok("5-5", 8, l5, "5");
	cpulist_ok("7", 8, l7, "7");
	cpulist_ok("1-3:18446744073709551615", 8, l6, "1");	/* a stride past the range */
	cpulist_ok("1-3:9223372036854775808", 8, l6, "1");
	cpulist_ok("0,1023-1025,4095", 4096, big, "0,1023-1025,4095");

	rc = util_cpulist_parse("0-4095", 4096, &cl);
	if (tap_is_rc(rc, 0, "cpulist_parse(\"0-4095\", 4096)")) {
		tap_is_i64(CPU_COUNT_S(cl.size, cl.set), 4096, "0-4095 has 4096 CPUs");
		rc = util_cpulist_format(&cl, buf, sizeof(buf));
		tap_ok(rc == 0 && !strcmp(buf, "0-4095"), "0-4095 formats back (rc %d, \"%s\")",
		       rc, buf);
		util_cpulist_free(&cl);
		tap_ok(cl.set == NULL && cl.ncpus == 0, "cpulist_free clears the struct");
	}

	cpulist_bad("5-3", 8, -EINVAL);
	cpulist_bad("0,,1", 8, -EINVAL);
	cpulist_bad("1-", 8, -EINVAL);
	cpulist_bad("-1", 8, -EINVAL);
	cpulist_bad(",", 8, -EINVAL);
	cpulist_bad("0,", 8, -EINVAL);
	cpulist_bad(",0", 8, -EINVAL);
	cpulist_bad("", 8, -EINVAL);
	cpulist_bad(NULL, 8, -EINVAL);
	cpulist_bad("0-3:0", 8, -EINVAL);
	cpulist_bad("0-3:", 8, -EINVAL);
	cpulist_bad("0:2", 8, -EINVAL);
	cpulist_bad("a", 8, -EINVAL);
	cpulist_bad(" 0", 8, -EINVAL);
	cpulist_bad("0 ", 8, -EINVAL);
	cpulist_bad("0-3\n\n", 8, -EINVAL);
	cpulist_bad("0-3\n1", 8, -EINVAL);
	cpulist_bad("0", 0, -EINVAL);
	cpulist_bad("8", 8, -ERANGE);
	cpulist_bad("0-8", 8, -ERANGE);
	cpulist_bad("1,4096", 4096, -ERANGE);
	cpulist_bad("99999999999999999999", 8, -ERANGE);

	/* format: empty set, tiny buffers */
	rc = util_cpulist_init(&cl, 1030);
	if (tap_is_rc(rc, 0, "cpulist_init(1030)")) {
		tap_ok(cl.ncpus >= 1030, "cpulist_init capacity %d >= 1030", cl.ncpus);
		tap_is_i64(CPU_COUNT_S(cl.size, cl.set), 0, "cpulist_init gives an empty set");
		strcpy(buf, "junk");
		rc = util_cpulist_format(&cl, buf, sizeof(buf));
		tap_ok(rc == 0 && buf[0] == '\0', "empty set formats as \"\" (rc %d, \"%s\")",
		       rc, buf);
		CPU_SET_S(1029, cl.size, cl.set);
		CPU_SET_S(3, cl.size, cl.set);
		CPU_SET_S(4, cl.size, cl.set);
		rc = util_cpulist_format(&cl, buf, sizeof(buf));
		tap_ok(rc == 0 && !strcmp(buf, "3-4,1029"), "{3,4,1029} formats as \"3-4,1029\" "
		       "(rc %d, \"%s\")", rc, buf);
		memset(buf, 'Z', sizeof(buf));
		rc = util_cpulist_format(&cl, buf, 6);
		tap_is_rc(rc, -ENOSPC, "format into 6 bytes does not fit \"3-4,1029\"");
		tap_is_str(buf, "3-4", "format into 6 bytes keeps whole items, NUL-terminated");
		rc = util_cpulist_format(&cl, buf, 9);
		tap_is_rc(rc, 0, "format into exactly strlen+1 bytes fits");
		tap_is_str(buf, "3-4,1029", "format into exactly strlen+1 bytes text");
		rc = util_cpulist_format(&cl, buf, 8);
		tap_is_rc(rc, -ENOSPC, "format into strlen bytes does not fit");
		buf[0] = 'Z';
		rc = util_cpulist_format(&cl, buf, 0);
		tap_ok(rc == -ENOSPC && buf[0] == 'Z', "format into 0 bytes: -ENOSPC, buffer "
		       "untouched (rc %d)", rc);
		util_cpulist_free(&cl);
	}
}

/* ---- util_sanitize ------------------------------------------------------------------------ */

static void sanitize_is(const char *in, size_t inlen, const char *want, const char *what)
{
	char buf[512];
	size_t n;
	char *dup;

	memset(buf, 'Z', sizeof(buf));
	n = util_sanitize(in, inlen, buf, sizeof(buf));
	tap_is_str(buf, want, "sanitize %s", what);
	tap_is_u64(n, strlen(want), "sanitize %s returns the length", what);
	dup = util_sanitize_dup(in, inlen);
	tap_is_str(dup, want, "sanitize_dup %s", what);
	free(dup);
}

/* string literals: the length is the literal's, so embedded escapes are counted right */
#define SANITIZE_IS(lit, want, what) sanitize_is(lit, sizeof(lit) - 1, want, what)

/* Decode one UTF-8 sequence strictly (RFC 3629); 0 if malformed. Independent of util.c. */
static size_t test_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, c = s[0] & 0x1fu, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, c = s[0] & 0x0fu, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, c = s[0] & 0x07u, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3fu);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Valid UTF-8 with no C0, DEL, C1 or bidirectional control characters. */
static bool safe_text(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		uint32_t c;
		size_t l = test_utf8_decode(p + i, n - i, &c);

		if (l == 0)
			return false;
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200e ||
		    c == 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
			return false;
		i += l;
	}
	return true;
}

static uint32_t rng_state = 0x2545f491u;

static uint32_t rng_next(void)
{
	uint32_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	rng_state = x;
	return x;
}

/* Random hostile strings: the output must always be safe text, and a short buffer must get
 * the longest whole-character prefix of the full output. */
static void test_sanitize_random(void)
{
	static const char *const pieces[] = {
		"a", "Z", " ", "\\", "\xc3\xa9", "\xe2\x9c\x93", "\xe6\x97\xa5", "\xf0\x9f\x98\x80",
		"\x1b", "\x07", "\n", "\t", "\x7f", "\xc2\x9b", "\xc2\x85", "\xff", "\xfe", "\xc0",
		"\xaf", "\x80", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xed\xbf\xbf",
		"\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\xe2\x80\xae", "\xe2\x81\xa6",
		"\xd8\x9c", "\xe2", "\x9c", "\xf0\x9f", "\xf0\x9f\x98",
		"\\x1b", "\\u202e", "\\\\", "\xe2\x80\x8d", "\xc2\xad", "\xf3\xa0\x81\x81",
		"\xe3\x85\xa4", "\xef\xb8\x8f", "\xf3\xa0\x81", "\\U000e0041",
	};
	int iter, bad_safe = 0, bad_len = 0, bad_trunc = 0, bad_dup = 0, bad_back = 0;
	char first[160] = "";

	for (iter = 0; iter < 3000; iter++) {
		char in[64], full[512], part[512], back[512];
		size_t inlen = 0, flen, k, bounds[65], nb = 0;
		int npieces = (int)(rng_next() % 9);
		char *dup;

		for (int j = 0; j < npieces; j++) {
			const char *pc;
			size_t pl;

			if (rng_next() % 5 == 0) {
				in[inlen++] = (char)(1 + rng_next() % 255);
				continue;
			}
			pc = pieces[rng_next() % ARRAY_SIZE(pieces)];
			pl = strlen(pc);
			memcpy(in + inlen, pc, pl);
			inlen += pl;
		}
		flen = util_sanitize(in, inlen, full, sizeof(full));
		if (flen != strlen(full))
			bad_len++;
		if (!safe_text(full, strlen(full)) || !fuzz_text_clean(full, strlen(full))) {
			if (!bad_safe++)
				snprintf(first, sizeof(first), "iteration %d output not safe", iter);
		}
		/* the output decodes back to the input up to a NUL: distinct inputs give
		 * distinct outputs */
		if (fuzz_unsanitize(full, flen, back) != (long)strnlen(in, inlen) ||
		    memcmp(back, in, strnlen(in, inlen))) {
			if (!bad_back++)
				snprintf(first, sizeof(first), "iteration %d: the output does not "
					 "decode back to the input", iter);
		}
		dup = util_sanitize_dup(in, inlen);
		if (!dup || strcmp(dup, full))
			bad_dup++;
		free(dup);
		/* whole-unit boundaries of the output: outputs of input prefixes that are
		 * prefixes of the full output */
		for (k = 0; k <= inlen; k++) {
			size_t pl = util_sanitize(in, k, part, sizeof(part));

			if (pl <= flen && !memcmp(part, full, pl) &&
			    (nb == 0 || bounds[nb - 1] != pl))
				bounds[nb++] = pl;
		}
		for (size_t cap = 1; cap <= flen + 2; cap++) {
			size_t want = 0, got;

			for (k = 0; k < nb; k++)
				if (bounds[k] <= cap - 1)
					want = bounds[k];
			memset(part, 'Z', sizeof(part));
			got = util_sanitize(in, inlen, part, cap);
			if (got != want || part[got] != '\0' || memcmp(part, full, got) ||
			    !safe_text(part, got)) {
				if (!bad_trunc++)
					snprintf(first, sizeof(first), "iteration %d cap %zu: got %zu "
						 "bytes, expected %zu", iter, cap, got, want);
			}
		}
	}
	tap_is_i64(bad_safe, 0, "random hostile input always gives valid UTF-8 without controls");
	tap_is_i64(bad_len, 0, "random input: the return value is the output's length");
	tap_is_i64(bad_dup, 0, "random input: sanitize_dup equals sanitize into a big buffer");
	tap_is_i64(bad_back, 0, "random input: every backslash of the output starts an escape "
		   "and the output decodes back to the input");
	tap_is_i64(bad_trunc, 0, "random input: a short buffer gets the longest whole-unit "
		   "prefix, NUL-terminated");
	if (bad_safe || bad_trunc || bad_back)
		tap_diag("%s", first);
}

/* Input (no NUL byte in it), the sanitized text expected, what the case is */
static const struct {
	const char *in, *want, *what;
} sanitize_cases[] = {
	{ "plain", "plain", "ASCII" },
	{ "h\xc3\xa9llo \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac",
	  "h\xc3\xa9llo \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac",
	  "valid multibyte text" },
	{ "\xf0\x9f\x98\x80!", "\xf0\x9f\x98\x80!", "a 4-byte character" },
	{ "a\x1b[31mb", "a\\x1b[31mb", "ESC" },
	{ "\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07", "OSC title sequence with BEL" },
	{ "a\nb", "a\\x0ab", "newline" },
	{ "a\tb\rc", "a\\x09b\\x0dc", "tab and CR" },
	{ "x\x7fy", "x\\x7fy", "DEL" },
	{ "\xc2\x9b" "31m", "\\u009b31m", "C1 CSI (U+009B)" },
	{ "\xc2\x85", "\\u0085", "C1 NEL (U+0085)" },
	{ "a\xff" "b", "a\\xffb", "invalid byte 0xff" },
	{ "\xc0\xaf", "\\xc0\\xaf", "overlong 2-byte '/'" },
	{ "\xe0\x80\xaf", "\\xe0\\x80\\xaf", "overlong 3-byte '/'" },
	{ "\xed\xa0\x80", "\\xed\\xa0\\x80", "UTF-16 surrogate U+D800" },
	{ "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80", "code point above U+10FFFF" },
	{ "\x80z", "\\x80z", "lone continuation byte" },
	{ "abc\xe2\x80\xae" "cba", "abc\\u202ecba", "bidi override U+202E" },
	{ "\xe2\x81\xa6x\xe2\x81\xa9", "\\u2066x\\u2069", "bidi isolates U+2066/9" },
	{ "\xd8\x9c", "\\u061c", "Arabic letter mark U+061C" },
	{ "ab\xe2\x9c", "ab\\xe2\\x9c", "truncated 3-byte sequence at the end" },
	{ "ab\xc3", "ab\\xc3", "truncated 2-byte sequence at the end" },
	{ "\xf0\x9f\x98", "\\xf0\\x9f\\x98", "truncated 4-byte sequence at the end" },
	{ "\xe2\x9c" "a", "\\xe2\\x9ca", "truncated sequence before ASCII" },
	/* invisible characters: every format (Cf) and default-ignorable code point is escaped,
	 * so that names differing by one never look the same */
	{ "a\xe2\x80\x8d" "b", "a\\u200db", "zero width joiner U+200D" },
	{ "a\xe2\x81\xa0" "b", "a\\u2060b", "word joiner U+2060" },
	{ "a\xc2\xad" "b", "a\\u00adb", "soft hyphen U+00AD" },
	{ "a\xf3\xa0\x81\x81" "b", "a\\U000e0041b", "tag letter A U+E0041" },
	{ "\xf3\xa0\x80\x81\xf3\xa0\x81\xbf", "\\U000e0001\\U000e007f",
	  "language tag U+E0001 and cancel tag U+E007F" },
	{ "a\xe3\x85\xa4" "b", "a\\u3164b", "Hangul filler U+3164" },
	{ "\xe1\x85\x9f\xe1\x85\xa0\xef\xbe\xa0", "\\u115f\\u1160\\uffa0",
	  "Hangul choseong, jungseong and halfwidth fillers" },
	{ "\xef\xbf\xb9\xef\xbf\xba\xef\xbf\xbb", "\\ufff9\\ufffa\\ufffb",
	  "interlinear annotation U+FFF9 to U+FFFB" },
	{ "a\xe1\xa0\x8e" "b", "a\\u180eb", "Mongolian vowel separator U+180E" },
	{ "\xe2\x9d\xa4\xef\xb8\x8f", "\xe2\x9d\xa4\\ufe0f",
	  "variation selector-16 after a heart" },
	{ "a\xcd\x8f" "b", "a\\u034fb", "combining grapheme joiner U+034F" },
	{ "\xd8\x80" "1", "\\u06001", "Arabic number sign U+0600 (format)" },
	{ "\xe2\x80\xa8", "\\u2028", "line separator U+2028" },
	{ "\xf0\x9d\x85\xb3", "\\U0001d173", "musical symbol begin beam U+1D173" },
	/* their neighbours are ordinary characters */
	{ "\xc2\xac\xc2\xae", "\xc2\xac\xc2\xae", "U+00AC and U+00AE beside the soft hyphen" },
	{ "\xe2\x81\xb0", "\xe2\x81\xb0", "superscript zero U+2070 after U+206F" },
	{ "\xf3\xa1\x80\x80", "\xf3\xa1\x80\x80", "U+E1000 after U+E0FFF" },
	{ "\xf0\x9d\x85\xb2", "\xf0\x9d\x85\xb2", "U+1D172 before U+1D173" },
	{ "\xe3\x85\xa3\xe3\x85\xa5", "\xe3\x85\xa3\xe3\x85\xa5",
	  "U+3163 and U+3165 beside the filler" },
	/* a backslash of the text is doubled: text that spells an escape is not one */
	{ "a\\b", "a\\\\b", "a backslash" },
	{ "\\x1b[31m", "\\\\x1b[31m", "the text \\x1b, unlike ESC" },
	{ "\\\xe2\x80\xae", "\\\\\\u202e", "a backslash before U+202E" },
	{ "", "", "empty input" },
};

static void test_sanitize(void)
{
	char buf[16];
	size_t n;
	char *dup, *in;

	for (size_t i = 0; i < ARRAY_SIZE(sanitize_cases); i++)
		sanitize_is(sanitize_cases[i].in, strlen(sanitize_cases[i].in), sanitize_cases[i].want,
			    sanitize_cases[i].what);
	sanitize_is("abcdef", 3, "abc", "only inlen bytes are read");

	/* output buffer too small: cut on a character boundary, NUL-terminated */
	memset(buf, 'Z', sizeof(buf));
	n = util_sanitize("h\xc3\xa9llo", 6, buf, 3);
	tap_ok(n == 1 && !memcmp(buf, "h", 2), "3-byte buffer: \"h\" and not half of \xc3\xa9 "
	       "(n %zu)", n);
	n = util_sanitize("h\xc3\xa9llo", 6, buf, 4);
	tap_ok(n == 3 && !memcmp(buf, "h\xc3\xa9", 4), "4-byte buffer: \"h\xc3\xa9\" (n %zu)", n);
	n = util_sanitize("\xe6\x97\xa5\xe6\x9c\xac", 6, buf, 6);
	tap_ok(n == 3 && !memcmp(buf, "\xe6\x97\xa5", 4), "6-byte buffer holds one of two "
	       "3-byte characters (n %zu)", n);
	n = util_sanitize("\xe6\x97\xa5", 3, buf, 3);
	tap_ok(n == 0 && buf[0] == '\0', "3-byte buffer cannot hold a 3-byte character (n %zu)",
	       n);
	n = util_sanitize("a\x1b", 2, buf, 5);
	tap_ok(n == 1 && !memcmp(buf, "a", 2), "an escape is never cut: 5 bytes give \"a\" "
	       "(n %zu)", n);
	n = util_sanitize("a\x1b", 2, buf, 6);
	tap_ok(n == 5 && !memcmp(buf, "a\\x1b", 6), "6 bytes give \"a\\x1b\" (n %zu)", n);
	n = util_sanitize("a\xe2\x80\xae", 4, buf, 7);
	tap_ok(n == 1 && !memcmp(buf, "a", 2), "a \\u escape is never cut (n %zu)", n);
	n = util_sanitize("a\xf3\xa0\x81\x81", 5, buf, 11);
	tap_ok(n == 1 && !memcmp(buf, "a", 2), "a \\U escape is never cut (n %zu)", n);
	n = util_sanitize("a\xf3\xa0\x81\x81", 5, buf, 12);
	tap_ok(n == 11 && !memcmp(buf, "a\\U000e0041", 12), "12 bytes hold \"a\\U000e0041\" "
	       "(n %zu)", n);
	n = util_sanitize("a\\", 2, buf, 3);
	tap_ok(n == 1 && !memcmp(buf, "a", 2), "a doubled backslash is never cut (n %zu)", n);
	n = util_sanitize("abc", 3, buf, 1);
	tap_ok(n == 0 && buf[0] == '\0', "1-byte buffer gives \"\" (n %zu)", n);
	buf[0] = 'Z';
	n = util_sanitize("abc", 3, buf, 0);
	tap_ok(n == 0 && buf[0] == 'Z', "0-byte buffer is not written (n %zu)", n);

	/* sanitize_dup never truncates, even at the worst expansion */
	in = malloc(3000);
	if (in) {
		memset(in, 0x01, 1000);
		dup = util_sanitize_dup(in, 1000);
		tap_ok(dup && strlen(dup) == 4000 && !memcmp(dup, "\\x01\\x01", 8),
		       "sanitize_dup of 1000 control bytes is 4000 bytes of \\x01 (%zu)",
		       dup ? strlen(dup) : 0);
		free(dup);
		for (int i = 0; i < 1000; i++)
			memcpy(in + 3 * i, "\xe2\x80\xae", 3);
		dup = util_sanitize_dup(in, 3000);
		tap_ok(dup && strlen(dup) == 6000 && !memcmp(dup + 5994, "\\u202e", 7),
		       "sanitize_dup of 1000 bidi overrides is 6000 bytes (%zu)",
		       dup ? strlen(dup) : 0);
		free(dup);
		for (int i = 0; i < 1000; i++)
			memcpy(in + 2 * i, "\xc2\x9b", 2);
		dup = util_sanitize_dup(in, 2000);
		tap_ok(dup && strlen(dup) == 6000 && !memcmp(dup + 5994, "\\u009b", 7),
		       "sanitize_dup of 1000 C1 CSIs is 6000 bytes (%zu)", dup ? strlen(dup) : 0);
		free(dup);
		for (int i = 0; i < 750; i++)
			memcpy(in + 4 * i, "\xf3\xa0\x81\x81", 4);
		dup = util_sanitize_dup(in, 3000);
		tap_ok(dup && strlen(dup) == 7500 && !memcmp(dup + 7490, "\\U000e0041", 11),
		       "sanitize_dup of 750 tag characters is 7500 bytes (%zu)",
		       dup ? strlen(dup) : 0);
		free(dup);
		free(in);
	} else {
		tap_skip("out of memory for the expansion test");
	}

	/* cutting sanitized text keeps escapes whole */
	tap_is_u64(util_escape_cut("a\\\\b", 2), 1, "escape_cut: not between the two backslashes of \\\\");
	tap_is_u64(util_escape_cut("a\\\\b", 3), 3, "escape_cut: after \\\\");
	tap_is_u64(util_escape_cut("a\\x1bz", 4), 1, "escape_cut: not inside \\x1b");
	tap_is_u64(util_escape_cut("a\\x1bz", 5), 5, "escape_cut: after \\x1b");
	tap_is_u64(util_escape_cut("\\u200dz", 3), 0, "escape_cut: not inside \\u200d");
	tap_is_u64(util_escape_cut("\\U000e0041", 9), 0, "escape_cut: not inside \\U000e0041");
	tap_is_u64(util_escape_cut("\\U000e0041", 10), 10, "escape_cut: the whole \\U000e0041");
	tap_is_u64(util_escape_cut("abc", 2), 2, "escape_cut: plain text anywhere");
	tap_is_u64(util_escape_cut("a\xc3\xa9z", 2), 1, "escape_cut: not inside a 2-byte character");
	tap_is_u64(util_escape_cut("a\xe2\x82\xacz", 3), 1, "escape_cut: not inside a 3-byte character");
	tap_is_u64(util_escape_cut("\xf0\x9f\x98\x80z", 4), 4, "escape_cut: after a 4-byte character");
	{
		char j[12];

		tap_is_u64(util_clean_join(j, sizeof(j), "damaged: ", "\\x01"), 9,
			   "clean_join: an escape that does not fit is left out whole");
		tap_is_str(j, "damaged: ", "clean_join: the prefix alone");
		util_clean_join(j, sizeof(j), "ab: ", "x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
		tap_is_str(j, "ab: x\xc3\xa9\xc3\xa9\xc3\xa9", "clean_join: a character cut whole");
		util_clean_join(j, sizeof(j), "", "short");
		tap_is_str(j, "short", "clean_join: what fits is copied");
	}

	/* a locale that is not UTF-8: ASCII only, every other character escaped */
	util_sanitize_ascii_only(true);
	SANITIZE_IS("i\xe4\xb8\xad\xc3\xa9\xf0\x9f\x98\x80" "e", "i\\u4e2d\\u00e9\\U0001f600e",
		    "ASCII only: printable non-ASCII escaped too");
	SANITIZE_IS("a\\b\x1b\xff\xe2\x80\x8d", "a\\\\b\\x1b\\xff\\u200d",
		    "ASCII only: backslash, ESC, invalid byte and U+200D as in UTF-8 mode");
	util_sanitize_ascii_only(false);
	SANITIZE_IS("\xc3\xa9", "\xc3\xa9", "UTF-8 mode again: \xc3\xa9 kept");

	test_sanitize_random();
}

/* ---- util_list_next ------------------------------------------------------------------------ */
/* the items of list, as "a|b|" with long ones (not copied) shown as "<N>" */
static void list_items(const char *list, size_t cap, char *out, size_t outlen)
{
	const char *p = list, *item;
	char buf[8];
	size_t len, off = 0;

	out[0] = '\0';
	while (util_list_next(&p, buf, cap, &item, &len) && off < outlen) {
		if (len < cap && (strlen(buf) != len || memcmp(buf, item, len)))
			snprintf(out + off, outlen - off, "?|");
		else if (len < cap)
			snprintf(out + off, outlen - off, "%s|", buf);
		else
			snprintf(out + off, outlen - off, "<%zu%s>|", len, buf[0] ? "!" : "");
		off = strlen(out);
	}
}

static void test_list_next(void)
{
	static const struct {
		const char *list, *want;
	} cases[] = {
		{ "a,bc,d", "a|bc|d|" },
		{ "", "|" },
		{ "a,", "a||" },
		{ ",a", "|a|" },
		{ "a,,b", "a||b|" },
		{ "abcdefgh,x", "<8>|x|" },	/* does not fit in 8 bytes: buf is "" */
		{ "abcdefg", "abcdefg|" },
	};
	char out[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		list_items(cases[i].list, 8, out, sizeof(out));
		tap_ok(!strcmp(out, cases[i].want), "util_list_next '%s' -> '%s' (want '%s')",
		       cases[i].list, out, cases[i].want);
	}
}

/* ---- util_parse_pidlist ------------------------------------------------------------------- */

static void pids_are(const char *s, const int *want, size_t nwant)
{
	int *pids = NULL;
	size_t n = 0;
	int rc = util_parse_pidlist(s, &pids, &n);

	if (tap_is_rc(rc, 0, "parse_pidlist(\"%s\") accepted", tap_q(s))) {
		bool same = n == nwant && !memcmp(pids, want, nwant * sizeof(int));

		if (!tap_ok(same, "parse_pidlist(\"%s\") gives %zu PIDs in order", tap_q(s),
			    nwant)) {
			tap_diag("got %zu PIDs:", n);
			for (size_t i = 0; i < n; i++)
				tap_diag("  %d", pids[i]);
		}
	}
	free(pids);
}

static void pids_bad(const char *s, int want)
{
	int *pids = NULL;
	size_t n = 0;
	int rc = util_parse_pidlist(s, &pids, &n);

	tap_is_rc(rc, want, "parse_pidlist(\"%s\") rejected", tap_q(s));
	free(pids);
}

static void test_pidlist(void)
{
	static const int p123[] = { 1, 2, 3 };
	static const int pdup[] = { 5, 3, 7 };
	static const int pmax[] = { 4194304 };
	static const int pall[] = { 1, 2, 3, 9 };
	int *pids = NULL;
	size_t n = 0;
	int rc;

	pids_are("1,2,3", p123, 3);
	pids_are("5,3,5,3,7", pdup, 3);
	pids_are("4194304", pmax, 1);
	pids_are("01,2,3", p123, 3);

	/* the array grows across calls (repeated -p options), still without duplicates */
	rc = util_parse_pidlist("1,2", &pids, &n);
	if (rc == 0)
		rc = util_parse_pidlist("3,2,9,1", &pids, &n);
	tap_ok(rc == 0 && n == 4 && !memcmp(pids, pall, sizeof(pall)),
	       "two calls append: 1,2 then 3,2,9,1 give 1,2,3,9 (rc %d, n %zu)", rc, n);
	free(pids);

	/* a long list with a pattern (multiples of 4096, each twice, reversed the second
	 * time): every PID once, in the order first given */
	{
		size_t len = 2 * 1024 * 9 + 1, off = 0, m = 0;
		char *list = malloc(len);
		bool good;

		pids = NULL;
		n = 0;
		if (list) {
			for (int k = 1; k <= 1024; k++)
				off += (size_t)snprintf(list + off, len - off, "%d,", k * 4096);
			for (int k = 1024; k >= 1; k--)
				off += (size_t)snprintf(list + off, len - off, "%s%d", k < 1024 ? "," : "",
							k * 4096);
			rc = util_parse_pidlist(list, &pids, &n);
			good = rc == 0 && n == 1024;
			for (m = 0; good && m < n; m++)
				good = pids[m] == (int)(m + 1) * 4096;
			tap_ok(good, "2048 entries of 1024 multiples of 4096: each once, in order "
			       "(rc %d, n %zu)", rc, n);
			free(pids);
			free(list);
		} else {
			tap_skip("out of memory for the long list");
		}
	}

	pids_bad("0", -ERANGE);
	pids_bad("1,0", -ERANGE);
	pids_bad("-5", -ERANGE);
	pids_bad("4194305", -ERANGE);
	pids_bad("99999999999", -ERANGE);
	pids_bad("1,,2", -EINVAL);
	pids_bad("abc", -EINVAL);
	pids_bad("1,abc", -EINVAL);
	pids_bad("-x", -EINVAL);
	pids_bad("", -EINVAL);
	pids_bad(NULL, -EINVAL);
	pids_bad("1,", -EINVAL);
	pids_bad(",1", -EINVAL);
	pids_bad(" 1", -EINVAL);
	pids_bad("1 2", -EINVAL);
	pids_bad("1;2", -EINVAL);
}

/* ---- fast number formatting of large tables ----------------------------------------------- */
static void test_dec(void)
{
	char buf[32], small[4];

	tap_is_str(util_u64_dec(0, buf, sizeof(buf)), "0", "u64_dec 0");
	tap_is_str(util_u64_dec(18446744073709551615ULL, buf, sizeof(buf)),
		   "18446744073709551615", "u64_dec max");
	tap_is_str(util_i64_dec(-42, buf, sizeof(buf)), "-42", "i64_dec -42");
	tap_is_str(util_i64_dec(INT64_MIN, buf, sizeof(buf)), "-9223372036854775808",
		   "i64_dec INT64_MIN");
	tap_is_str(util_u64_dec(12345, small, sizeof(small)), "", "u64_dec too long for buf: empty");
	tap_is_str(util_fixed1(0.0, buf, sizeof(buf)), "0.0", "fixed1 0");
	tap_is_str(util_fixed1(12.34, buf, sizeof(buf)), "12.3", "fixed1 12.34");
	tap_is_str(util_fixed1(99.96, buf, sizeof(buf)), "100.0", "fixed1 rounds up into 100");
	tap_is_str(util_fixed1(199.5, buf, sizeof(buf)), "199.5", "fixed1 199.5");
	tap_is_str(util_fixed1(-3.0, buf, sizeof(buf)), "0.0", "fixed1 negative");
}

/* ---- util_join_argv --------------------------------------------------------------------- */

static void test_join_argv(void)
{
	char *const args[] = { "python3", "-c", "print(1)", "a b", "\x1b[2J\x07", NULL };
	char *const empty_first[] = { "", "x", NULL };
	char *const none[] = { NULL };
	/* "postgres: idle" written over a longer argv: NULs (empty arguments) after it */
	char *const title[] = { "postgres: idle", "", "", "", "", NULL };
	char *const blanks[] = { "sh", "-c", "x  ", " ", "", NULL };
	char *const inner[] = { "a", "", "b", NULL };
	char *const spaces[] = { "   ", "", NULL };
	char *got;

	got = util_join_argv(args);
	tap_is_str(got, "python3 -c print(1) a b \\x1b[2J\\x07",
		   "join_argv joins with single spaces and sanitizes");
	free(got);
	got = util_join_argv(title);
	tap_is_str(got, "postgres: idle", "join_argv: the NUL padding of a title is left out");
	free(got);
	got = util_join_argv(blanks);
	tap_is_str(got, "sh -c x", "join_argv: trailing blanks are left out");
	free(got);
	got = util_join_argv(inner);
	tap_is_str(got, "a  b", "join_argv: an empty argument inside stays");
	free(got);
	tap_ok(util_join_argv(spaces) == NULL, "join_argv: only blanks gives NULL");
	tap_ok(util_join_argv(empty_first) == NULL, "join_argv: empty first argument gives NULL");
	tap_ok(util_join_argv(none) == NULL, "join_argv: no argument gives NULL");
	tap_ok(util_join_argv(NULL) == NULL, "join_argv: NULL vector gives NULL");
}

static void test_grow(void)
{
	uint32_t *v = NULL, *keep;
	size_t cap = 0, n, big;
	int rc, bad = 0;

	tap_is_rc(util_grow(&v, &cap, 0, 4, sizeof(*v)), 0, "grow: an empty array gets room");
	tap_ok(v && cap == 4, "grow: the first allocation holds 'first' elements (cap %zu)", cap);
	for (n = 0; n < 1000; n++) {
		rc = util_grow(&v, &cap, n, 4, sizeof(*v));
		if (rc || n >= cap || (cap & (cap - 1)))
			bad++;
		if (!rc)
			v[n] = (uint32_t)n * 7u;
	}
	tap_is_i64(bad, 0, "grow: 1000 elements, always room for one more, cap doubles");
	tap_is_u64(cap, 1024, "grow: 4 doubled up to 1024");
	for (n = 0; n < 1000 && v[n] == (uint32_t)n * 7u; n++)
		;
	tap_is_u64(n, 1000, "grow: the elements stay as they were written");
	keep = v;
	tap_is_rc(util_grow(&v, &cap, 10, 4, sizeof(*v)), 0, "grow: no change while n < cap");
	tap_ok(v == keep && cap == 1024, "grow: the array is not moved while there is room");
	big = SIZE_MAX / 2 + 1;
	tap_is_rc(util_grow(&v, &big, big, 4, sizeof(*v)), -ENOMEM,
		  "grow: a capacity that would overflow is -ENOMEM");
	tap_ok(v == keep && big == SIZE_MAX / 2 + 1, "grow: on failure array and cap unchanged");
	big = SIZE_MAX / 8;
	tap_is_rc(util_grow(&v, &big, big, 4, sizeof(*v)), -ENOMEM,
		  "grow: a size in bytes that would overflow is -ENOMEM");
	free(v);
}

static void test_read_full(void)
{
	char tmpl[] = "/tmp/ts-readfull-XXXXXX", buf[64];
	const char text[] = "0123456789abcdefghij";
	int fd = mkstemp(tmpl), pfd[2];
	size_t done = 99;

	if (fd < 0 || pipe(pfd)) {
		tap_skip("read_full: no temporary file or pipe");
		return;
	}
	unlink(tmpl);
	tap_ok(write(fd, text, 20) == 20, "read_full: a 20-byte file");
	tap_is_rc(util_read_full(fd, buf, 8, 4, &done), 0, "read_full: pread at offset 4");
	tap_is_mem(buf, done, "456789ab", 8, "read_full: 8 bytes from offset 4");
	tap_is_rc(util_read_full(fd, buf, sizeof(buf), 15, &done), 0,
		  "read_full: past the end is not an error");
	tap_is_mem(buf, done, "fghij", 5, "read_full: the 5 bytes up to the end");
	/* a pipe gives what was written in pieces: read until the end */
	tap_ok(write(pfd[1], text, 7) == 7 && write(pfd[1], text + 7, 13) == 13,
	       "read_full: 20 bytes into a pipe in two writes");
	close(pfd[1]);
	tap_is_rc(util_read_full(pfd[0], buf, 12, -1, &done), 0, "read_full: read 12 of 20");
	tap_is_mem(buf, done, text, 12, "read_full: the first 12 bytes");
	tap_is_rc(util_read_full(pfd[0], buf, sizeof(buf), -1, &done), 0,
		  "read_full: read on to the end");
	tap_is_mem(buf, done, text + 12, 8, "read_full: the last 8 bytes, then the end");
	close(pfd[0]);
	close(fd);
	done = 99;
	tap_is_rc(util_read_full(fd, buf, 4, -1, &done), -EBADF, "read_full: a closed fd fails");
	tap_is_u64(done, 0, "read_full: ... having read nothing");
}

static void test_list_has(void)
{
	const char *o = "rw,nosuid,hidepid=noaccess,x";

	tap_ok(util_list_has(o, strlen(o), "rw") && util_list_has(o, strlen(o), "x") &&
	       util_list_has(o, strlen(o), "hidepid=noaccess"), "list_has: first, last, middle");
	tap_ok(!util_list_has(o, strlen(o), "hidepid") && !util_list_has(o, strlen(o), "r") &&
	       !util_list_has(o, strlen(o), "nosuid,hidepid=noaccess"),
	       "list_has: only whole items");
	tap_ok(!util_list_has(o, 9, "hidepid=noaccess") && util_list_has(o, 9, "nosuid"),
	       "list_has: only the first n bytes count");
	tap_ok(!util_list_has(o, 1, "rw"), "list_has: an item cut by n is not there");
	tap_ok(!util_list_has("", 0, "") && util_list_has("a,", 2, "a"),
	       "list_has: an empty list holds nothing; a trailing comma ends the list");
}

static void test_cmp(void)
{
	int iv[] = { 3, -7, 0, 2147483647, -2147483647 - 1, 3 };
	uint64_t uv[] = { UINT64_MAX, 0, 1ull << 63, 5 };
	size_t sv[] = { 9, SIZE_MAX, 0, 9 };
	bool sorted = true;

	qsort(iv, ARRAY_SIZE(iv), sizeof(iv[0]), util_cmp_int);
	qsort(uv, ARRAY_SIZE(uv), sizeof(uv[0]), util_cmp_u64);
	qsort(sv, ARRAY_SIZE(sv), sizeof(sv[0]), util_cmp_size);
	for (size_t i = 1; i < ARRAY_SIZE(iv); i++)
		sorted &= iv[i - 1] <= iv[i];
	tap_ok(sorted && iv[0] == -2147483647 - 1, "cmp_int: ascending, no overflow at the ends");
	tap_ok(uv[0] == 0 && uv[1] == 5 && uv[2] == 1ull << 63 && uv[3] == UINT64_MAX,
	       "cmp_u64: ascending across the top bit");
	tap_ok(sv[0] == 0 && sv[1] == 9 && sv[2] == 9 && sv[3] == SIZE_MAX,
	       "cmp_size: ascending, equal ones together");
	tap_is_i64(util_cmp_int(&iv[1], &iv[1]), 0, "cmp_int: equal is 0");
	tap_ok(UTIL_CMP(INT64_MIN, (int64_t)1) == -1 && UTIL_CMP(UINT64_MAX, (uint64_t)1) == 1 &&
	       UTIL_CMP(-0.0, 0.0) == 0, "UTIL_CMP: -1, 1 and 0 where a subtraction overflows");
}

int main(void)
{
	test_dec();
	double t0, t1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	test_parse_int();
	test_parse_size_seconds();
	test_format();
	test_cpulist();
	test_sanitize();
	test_list_next();
	test_pidlist();
	test_join_argv();
	test_grow();
	test_read_full();
	test_list_has();
	test_cmp();

	t0 = util_monotonic();
	t1 = util_monotonic();
	tap_ok(t0 > 0 && t1 >= t0, "util_monotonic is positive and does not go back (%f, %f)",
	       t0, t1);
	return tap_done();
}
