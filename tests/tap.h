/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap.h - a tiny TAP-like test harness for the C unit tests (header only) */
#ifndef TASKSCOPE_TAP_H
#define TASKSCOPE_TAP_H

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* exit codes understood by automake's parallel harness */
#define TAP_EXIT_PASS	0
#define TAP_EXIT_FAIL	1
#define TAP_EXIT_SKIP	77

#define TAP_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* In a variadic function whose last named parameter is fmt: run stmt, which may use ap,
 * the arguments after fmt; TAP_VA: res = call. */
#define TAP_VA_DO(stmt)					\
	do {						\
		va_list ap;				\
							\
		va_start(ap, fmt);			\
		stmt;					\
		va_end(ap);				\
	} while (0)
#define TAP_VA(res, call) TAP_VA_DO((res) = (call))

static int tap_count;
static int tap_failures;

/* Print "ok N - name" or "not ok N - name"; returns cond so callers can chain details. */
static inline bool tap_vreport(bool cond, const char *fmt, va_list ap) TAP_PRINTF(2, 0);
static inline bool tap_vreport(bool cond, const char *fmt, va_list ap)
{
	tap_count++;
	if (!cond)
		tap_failures++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	putchar('\n');
	return cond;
}

/* A line: prefix, then fmt with ap. */
static inline void tap_vline(const char *prefix, const char *fmt, va_list ap) TAP_PRINTF(2, 0);
static inline void tap_vline(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stdout);
	vprintf(fmt, ap);
	putchar('\n');
}

static inline void tap_diag(const char *fmt, ...) TAP_PRINTF(1, 2);
static inline void tap_diag(const char *fmt, ...)
{
	TAP_VA_DO(tap_vline("#   ", fmt, ap));
}

static inline bool tap_ok(bool cond, const char *fmt, ...) TAP_PRINTF(2, 3);
static inline bool tap_ok(bool cond, const char *fmt, ...)
{
	bool r;

	TAP_VA(r, tap_vreport(cond, fmt, ap));
	return r;
}

/* name(got, want, fmt, ...): got == want for whole numbers of type, both shown (printf
 * conversion pri) when they differ. */
#define TAP_IS_WHOLE(name, type, pri)						\
	static inline bool name(type got, type want, const char *fmt, ...) TAP_PRINTF(3, 4); \
	static inline bool name(type got, type want, const char *fmt, ...)	\
	{									\
		bool r;								\
										\
		TAP_VA(r, tap_vreport(got == want, fmt, ap));			\
		if (!r)								\
			tap_diag("got %" pri ", expected %" pri, got, want);	\
		return r;							\
	}

TAP_IS_WHOLE(tap_is_u64, uint64_t, PRIu64)
TAP_IS_WHOLE(tap_is_i64, int64_t, PRId64)

static inline bool tap_is_dbl(double got, double want, double eps, const char *fmt, ...)
	TAP_PRINTF(4, 5);
static inline bool tap_is_dbl(double got, double want, double eps, const char *fmt, ...)
{
	bool r;

	TAP_VA(r, tap_vreport(fabs(got - want) <= eps, fmt, ap));
	if (!r)
		tap_diag("got %.17g, expected %.17g (+-%g)", got, want, eps);
	return r;
}

/* Symbolic name of an errno value, for messages; covers the codes the tests expect. */
static inline const char *tap_errname(int e)
{
	switch (e < 0 ? -e : e) {
	case 0: return "0";
	case EINVAL: return "EINVAL";
	case ERANGE: return "ERANGE";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EFBIG: return "EFBIG";
	case ENOSPC: return "ENOSPC";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	default: return "?";
	}
}

/* Compare return codes (0 or -errno) and show them by name. */
static inline bool tap_is_rc(int got, int want, const char *fmt, ...) TAP_PRINTF(3, 4);
static inline bool tap_is_rc(int got, int want, const char *fmt, ...)
{
	bool r;

	TAP_VA(r, tap_vreport(got == want, fmt, ap));
	if (!r)
		tap_diag("got %d (%s%s), expected %d (%s%s)", got, got < 0 ? "-" : "",
			 tap_errname(got), want, want < 0 ? "-" : "", tap_errname(want));
	return r;
}

/* Print bytes with C escapes so control bytes in a failure message stay readable. */
static inline void tap_put_escaped(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Quote a string for a test name: control and non-ASCII bytes as \xHH, NULL as (null).
 * Uses one of four rotating static buffers, so up to four can appear in one message. */
static inline const char *tap_q(const char *s)
{
	static char bufs[4][160];
	static int next;
	char *b = bufs[next++ & 3];
	size_t o = 0;

	if (!s)
		return "(null)";
	for (; *s && o + 5 < sizeof(bufs[0]); s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f)
			o += (size_t)snprintf(b + o, sizeof(bufs[0]) - o, "\\x%02x", c);
		else
			b[o++] = (char)c;
	}
	b[o] = '\0';
	return b;
}

static inline bool tap_vis_mem(const char *got, size_t glen, const char *want, size_t wlen,
			       const char *fmt, va_list ap) TAP_PRINTF(5, 0);
static inline bool tap_vis_mem(const char *got, size_t glen, const char *want, size_t wlen,
			       const char *fmt, va_list ap)
{
	bool r = got && glen == wlen && memcmp(got, want, wlen) == 0;

	r = tap_vreport(r, fmt, ap);
	if (!r) {
		fputs("#   got      ", stdout);
		if (got)
			tap_put_escaped(got, glen);
		else
			fputs("NULL", stdout);
		printf(" (%zu bytes)\n#   expected ", got ? glen : 0);
		tap_put_escaped(want, wlen);
		printf(" (%zu bytes)\n", wlen);
	}
	return r;
}

/* Exact byte comparison of two buffers (want may hold any bytes). */
static inline bool tap_is_mem(const char *got, size_t glen, const char *want, size_t wlen,
			      const char *fmt, ...) TAP_PRINTF(5, 6);
static inline bool tap_is_mem(const char *got, size_t glen, const char *want, size_t wlen,
			      const char *fmt, ...)
{
	bool r;

	TAP_VA(r, tap_vis_mem(got, glen, want, wlen, fmt, ap));
	return r;
}

/* NUL-terminated strings; got may be NULL (a failure). */
static inline bool tap_is_str(const char *got, const char *want, const char *fmt, ...)
	TAP_PRINTF(3, 4);
static inline bool tap_is_str(const char *got, const char *want, const char *fmt, ...)
{
	bool r;

	TAP_VA(r, tap_vis_mem(got, got ? strlen(got) : 0, want, strlen(want), fmt, ap));
	return r;
}

/* What write(f, ctx) prints, NUL-terminated and malloc'ed; NULL when it fails. */
static inline char *tap_capture(int (*write)(FILE *f, const void *ctx), const void *ctx)
{
	char *t = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&t, &len);
	int rc;

	if (!f)
		return NULL;
	rc = write(f, ctx);
	if (fclose(f) || rc) {
		free(t);
		return NULL;
	}
	return t;
}

/* Skip the whole program: prints the reason, returns the harness's skip code. */
static inline int tap_skip_all(const char *fmt, ...) TAP_PRINTF(1, 2);
static inline int tap_skip_all(const char *fmt, ...)
{
	TAP_VA_DO(tap_vline("1..0 # SKIP ", fmt, ap));
	fflush(stdout);
	return TAP_EXIT_SKIP;
}

/* Skip one test point, counted as passing (TAP "# SKIP" directive). */
static inline void tap_skip(const char *fmt, ...) TAP_PRINTF(1, 2);
static inline void tap_skip(const char *fmt, ...)
{
	tap_count++;
	printf("ok %d # SKIP ", tap_count);
	TAP_VA_DO(tap_vline("", fmt, ap));
}

/* Print the plan and a summary; returns the exit code for main. */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failures)
		printf("# %d of %d tests failed\n", tap_failures, tap_count);
	fflush(stdout);
	return tap_failures ? TAP_EXIT_FAIL : TAP_EXIT_PASS;
}

#endif
