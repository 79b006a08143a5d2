/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_util.c - unit tests of src/lib/util.c and numtext.c: parsing, formatting, cpu lists, lists, arrays */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/spare.h"
#include "lib/util.h"
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

static void test_spare(void)
{
	size_t mib = 1024 * 1024, got = 0;
	char *a = spare_get(mib, &got), *b, *c, *d, *small;
	char *many[12], *back[12];
	int same = 0;

	tap_ok(a && got >= mib, "spare: a new block holds what was asked (%zu of %zu)", got, mib);
	memset(a, 0x5a, mib);
	spare_put(a);
	b = spare_get(mib - 4096, &got);
	tap_ok(b == a && got >= mib, "spare: a kept block comes back for a slightly smaller ask");
	spare_put(b);
	c = spare_get(mib / 4, NULL);
	tap_ok(c != a, "spare: a block over twice the ask is not given (it stays for its size)");
	d = spare_get(mib, NULL);
	tap_ok(d == a, "spare: ... and is there for the next ask of its size");
	free(c);
	spare_put(d);
	b = spare_get(2 * mib, NULL);
	tap_ok(b && b != a, "spare: a larger ask than any kept block gets a new one");
	free(b);
	small = malloc(64);
	spare_put(small);	/* freed: valgrind and ASan would see it otherwise */
	c = spare_get(64, NULL);
	tap_ok(c != NULL, "spare: a small ask is malloc's");
	free(c);
	/* more blocks than slots: the smallest go, each larger one is kept */
	spare_drain();
	for (size_t i = 0; i < 12; i++)
		many[i] = spare_get(SPARE_MIN + i * 65536, NULL);
	for (size_t i = 0; i < 12; i++)
		spare_put(many[i]);
	for (size_t i = 12; i-- > 0;)	/* the largest first: each ask's best fit is its own */
		back[i] = spare_get(SPARE_MIN + i * 65536, NULL);
	for (size_t i = 4; i < 12; i++)
		same += back[i] == many[i];
	for (size_t i = 0; i < 12; i++)
		free(back[i]);
	tap_is_i64(same, 8, "spare: of 12 blocks put, the 8 largest were kept and come back");
	spare_drain();
	d = spare_get(mib, NULL);
	tap_ok(d != NULL, "spare: after spare_drain, asks are malloc's again");
	free(d);
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
	big = SIZE_MAX / 4 + 1;	/* twice that in 4-byte elements is past SIZE_MAX */
	tap_is_rc(util_grow(&v, &big, big, 4, sizeof(*v)), -ENOMEM,
		  "grow: a size in bytes that would overflow is -ENOMEM");
	free(v);
	{
		char *b = NULL;
		size_t bc = 0;

		tap_is_rc(util_reserve(&b, &bc, 0, 256, 1), 0, "reserve: room for nothing is there");
		tap_ok(!b && bc == 0, "reserve: nothing allocated for it");
		tap_is_rc(util_reserve(&b, &bc, 300, 256, 1), 0, "reserve: 300 bytes");
		tap_ok(b && bc == 512, "reserve: 256 doubled once to hold 300 (cap %zu)", bc);
		memset(b, 'x', 300);
		tap_is_rc(util_reserve(&b, &bc, 5000, 256, 1), 0, "reserve: 5000 bytes");
		tap_ok(bc == 8192 && b[299] == 'x', "reserve: doubled to 8192, contents kept (cap %zu)", bc);
		bc = SIZE_MAX / 2 + 1;
		tap_is_rc(util_reserve(&b, &bc, SIZE_MAX, 256, 1), -ENOMEM,
			  "reserve: a capacity that would overflow is -ENOMEM");
		free(b);
	}
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

static void test_write_full(void)
{
	char big[200000], back[16];
	int pfd[2];
	size_t done = 99, got;
	pid_t pid;

	if (pipe(pfd)) {
		tap_skip("write_full: no pipe");
		return;
	}
	/* more than a pipe holds: written in parts while a child reads them */
	memset(big, 'x', sizeof(big));
	pid = fork();
	if (pid == 0) {
		close(pfd[1]);
		while (read(pfd[0], back, sizeof(back)) > 0)
			;
		_exit(0);
	}
	close(pfd[0]);
	tap_is_rc(pid > 0 ? util_write_full(pfd[1], big, sizeof(big), &done) : -EAGAIN, 0,
		  "write_full: 200000 bytes into a pipe");
	tap_is_u64(done, sizeof(big), "write_full: ... all of them");
	close(pfd[1]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	if (pipe(pfd)) {
		tap_skip("write_full: no second pipe");
		return;
	}
	close(pfd[0]);
	signal(SIGPIPE, SIG_IGN);
	tap_is_rc(util_write_full(pfd[1], "abc", 3, &got), -EPIPE,
		  "write_full: a pipe nobody reads is -EPIPE");
	tap_is_u64(got, 0, "write_full: ... with nothing written");
	signal(SIGPIPE, SIG_DFL);
	close(pfd[1]);
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
	tap_ok(UTIL_CMP2(1, 2, 9, 0) == -1 && UTIL_CMP2(2, 1, 0, 9) == 1 &&
	       UTIL_CMP2(5, 5, 9, 0) == 1 && UTIL_CMP2(5, 5, 7, 7) == 0,
	       "UTIL_CMP2: the first keys decide unless equal, then the second");
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
	test_list_next();
	test_pidlist();
	test_join_argv();
	test_grow();
	test_spare();
	test_read_full();
	test_write_full();
	test_list_has();
	test_cmp();

	t0 = util_monotonic();
	t1 = util_monotonic();
	tap_ok(t0 > 0 && t1 >= t0, "util_monotonic is positive and does not go back (%f, %f)",
	       t0, t1);
	return tap_done();
}
