/* SPDX-License-Identifier: GPL-2.0-or-later */
/* taskstat.c - the parser of a task's stat line (/proc/PID/stat, /proc/PID/task/TID/stat) */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "lib/util.h"
#include "sample/taskfiles.h"

static const uint64_t pow10_u64[9] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
};

/* The number whose digits are the bytes of w, the first one (its lowest byte) the most
 * significant; bytes of 0 lead as zeros: eight ASCII digits combined two, four and eight
 * at a time with a multiply and a shift each. */
static uint64_t eight_digits(uint64_t w)
{
	w = ((w & 0x0f0f0f0f0f0f0f0fULL) * 2561) >> 8;
	w = ((w & 0x00ff00ff00ff00ffULL) * 6553601) >> 16;
	return ((w & 0x0000ffff0000ffffULL) * 42949672960001ULL) >> 32;
}

/* How many of w's bytes, from its lowest, are ASCII digits (0-8). */
static inline unsigned first_nondigit(uint64_t w)
{
	uint64_t bad = ((w & 0xf0f0f0f0f0f0f0f0ULL) ^ 0x3030303030303030ULL) |
		       (((w + 0x0606060606060606ULL) & 0xf0f0f0f0f0f0f0f0ULL) ^
			0x3030303030303030ULL);

	return bad ? (unsigned)__builtin_ctzll(bad) / 8 : 8;
}

/* Next space-separated field of stat; advances *p: a line not in the kernel's form (read by
 * stat_fields_fast), and fields longer than 16 digits. Read eight bytes at a time, a 20th
 * digit and more with an overflow check (as util_span_dec). */
static inline __attribute__((always_inline)) int stat_next(const char **p, const char *end,
							    uint64_t *v)
{
	const char *q = *p, *digits, *lim;
	bool neg = false;
	uint64_t x = 0;

	while (q < end && *q == ' ')
		q++;
	if (q >= end)
		return -EINVAL;
	if (*q == '-') {
		/* a negative field (e.g. prio of a real-time task): stored as the int64_t bits */
		neg = true;
		q++;
	}
	digits = q;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* eight bytes at a time while they are digits (start times, sizes and addresses are
	 * long), never more than 19 digits in all (no overflow) */
	while (end - q > 8) {
		uint64_t w;
		unsigned nd;

		memcpy(&w, q, 8);
		nd = first_nondigit(w);
		if (!nd || (size_t)(q - digits) + nd > 19)
			break;
		x = x * pow10_u64[nd] + eight_digits(nd == 8 ? w : w << (8 * (8 - nd)));
		q += nd;
		if (nd < 8)
			break;
	}
#endif
	lim = end - q > 19 - (q - digits) ? q + (19 - (q - digits)) : end;
	for (; q < lim && (unsigned)(*q - '0') < 10; q++)
		x = x * 10 + (unsigned)(*q - '0');
	if (q == digits)
		return -EINVAL;
	/* a 20th digit and more (rsslim is UINT64_MAX): x is exact, go on with the check */
	for (; q < end && (unsigned)(*q - '0') < 10; q++) {
		unsigned d = (unsigned)(*q - '0');

		if (x > UINT64_MAX / 10 || (x == UINT64_MAX / 10 && d > UINT64_MAX % 10))
			return -ERANGE;
		x = x * 10 + d;
	}
	if (neg) {
		if (x > (uint64_t)INT64_MAX)
			return -ERANGE;
		x = (uint64_t)(-(int64_t)x);
	}
	if (q < end && *q != ' ' && *q != '\n')
		return -EINVAL;
	*p = q;
	*v = x;
	return 0;
}

/* Past the next field without reading it (advances *p as stat_next does): a field the parser
 * does not keep is only delimited, not checked. */
static int stat_skip(const char **p, const char *end)
{
	const char *q = *p;

	while (q < end && *q == ' ')
		q++;
	if (q >= end || *q == '\n')
		return -EINVAL;
	while (q < end && *q != ' ' && *q != '\n')
		q++;
	*p = q;
	return 0;
}

/* The fields (proc(5) numbers) a taskfiles_stat keeps: the others are skipped. */
#define KEEP(k) (1ULL << (k))
static const uint64_t kept_fields = KEEP(4) | KEEP(9) | KEEP(10) | KEEP(12) | KEEP(14) |
	KEEP(15) | KEEP(18) | KEEP(19) | KEEP(20) | KEEP(22) | KEEP(23) | KEEP(24) | KEEP(26) |
	KEEP(27) | KEEP(28) | KEEP(39) | KEEP(41);
#undef KEEP

/* Fields 4.. of the line from p (the space after the state) into f[0..want-1], one at a time,
 * in any form the parser takes: *n of them, 0 or -errno. */
static int stat_fields(const char *p, const char *end, size_t want, uint64_t *f, size_t *n)
{
	size_t k;
	int rc;

	for (k = 0; k < want; k++) {
		bool kept = (kept_fields >> (k + 4)) & 1;

		if (p >= end || *p == '\n')
			break;
		rc = kept ? stat_next(&p, end, &f[k]) : stat_skip(&p, end);
		if (rc)
			return rc;
	}
	*n = k;
	return 0;
}

#if defined(__SSE2__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Bit i set: q[i] is a space, for the avail (at most 64) bytes from q. */
static uint64_t spaces64(const char *q, size_t avail)
{
	const __m128i sp = _mm_set1_epi8(' ');
	char pad[64];
	uint64_t bits = 0;

	if (avail < 64) {
		memset(pad, 0, sizeof(pad));
		memcpy(pad, q, avail);
		q = pad;
	}
	for (int i = 0; i < 4; i++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(q + 16 * i));

		bits |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, sp)) << (16 * i);
	}
	return bits;
}

/* A field longer than eight bytes, or at the end, from the space at q up to stop. */
static __attribute__((noinline)) bool long_field(const char *q, const char *end,
						 const char *stop, uint64_t *v)
{
	return !stat_next(&q, end, v) && q == stop;
}

/* The field between the spaces at a and b (offsets from p) as field k: a kept one read. */
static inline __attribute__((always_inline)) bool fast_field(const char *p, const char *end,
							     size_t a, size_t b, size_t k,
							     uint64_t *f)
{
	size_t flen = b - a - 1;
	const char *q = p + a;
	uint64_t w;

	if (!flen)
		return false;
	if (!((kept_fields >> (k + 4)) & 1))
		return true;
	if (end - q < 9 || flen > 16)
		return long_field(q, end, p + b, &f[k]);
	memcpy(&w, q + 1, 8);
	if (flen > 8) {
		/* nine to sixteen digits (start times, sizes, addresses): the last eight and
		 * the ones before them */
		uint64_t lo;

		memcpy(&lo, q + 1 + flen - 8, 8);
		if (first_nondigit(w) < flen - 8 || first_nondigit(lo) < 8)
			return false;
		f[k] = eight_digits(w << (64 - 8 * (flen - 8))) * 100000000ULL + eight_digits(lo);
		return true;
	}
	if (first_nondigit(w) < flen)
		return false;
	f[k] = eight_digits(flen == 8 ? w : w << (64 - 8 * flen));
	return true;
}

/*
 * The same for the kernel's form only: single spaces, kept fields of digits, the line's
 * end at its first newline. The spaces of 64 bytes are found at once (SSE2), then each kept
 * field is read from its known bounds, eight digits at a time. true when it was that form
 * (f and *n set), false for stat_fields to read it (f may have been written).
 */
static bool stat_fields_fast(const char *p, const char *end, size_t want, uint64_t *f,
			     size_t *n)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t len = (size_t)((nl ? nl : end) - p), prev = 0, k = 0;

	if (!len || *p != ' ')
		return false;
	for (size_t base = 0; base < len && k < want; base += 64) {
		uint64_t bits = spaces64(p + base, len - base < 64 ? len - base : 64);

		if (!base)
			bits &= bits - 1;	/* the space before field 4 */
		for (; bits && k < want; bits &= bits - 1, k++) {
			size_t at = base + (size_t)__builtin_ctzll(bits);

			if (!fast_field(p, end, prev, at, k, f))
				return false;
			prev = at;
		}
	}
	/* the last field ends the line */
	if (k < want && prev + 1 <= len) {
		if (!fast_field(p, end, prev, len, k, f))
			return false;
		k++;
	}
	*n = k;
	return true;
}
#else
static bool stat_fields_fast(const char *p, const char *end, size_t want, uint64_t *f,
			     size_t *n)
{
	(void)p;
	(void)end;
	(void)want;
	(void)f;
	(void)n;
	return false;
}
#endif

int taskfiles_parse_stat(const char *buf, size_t len, struct taskfiles_stat *st)
{
	return taskfiles_parse_stat_upto(buf, len, 41, st);
}

int taskfiles_parse_stat_upto(const char *buf, size_t len, int last, struct taskfiles_stat *st)
{
	const char *end = buf + len, *open, *close = NULL, *p;
	uint64_t f[41 - 3] = { 0 };	/* fields 4 to 41: the last one used is the policy */
	const size_t want = last < 22 ? 22 - 3 : last > 41 ? 41 - 3 : (size_t)last - 3;
	size_t n, clen;
	uint64_t pid;
	int rc;

	memset(st, 0, sizeof(*st));
	st->cpu = -1;
	open = memchr(buf, '(', len);
	if (!open)
		return -EINVAL;
	close = memrchr(open + 1, ')', (size_t)(end - open - 1));	/* the last one */
	if (!close)
		return -EINVAL;
	/* pid before the comm */
	{
		char tmp[24];
		size_t tl = (size_t)(open - buf);

		while (tl && buf[tl - 1] == ' ')
			tl--;
		if (tl == 0 || tl >= sizeof(tmp))
			return -EINVAL;
		memcpy(tmp, buf, tl);
		tmp[tl] = '\0';
		rc = util_parse_u64(tmp, 4194304, &pid);
		if (rc)
			return rc;
		st->pid = (pid_t)pid;
	}
	clen = (size_t)(close - open - 1);
	if (clen >= sizeof(st->comm))
		clen = sizeof(st->comm) - 1;
	memcpy(st->comm, open + 1, clen);
	st->comm[clen] = '\0';

	p = close + 1;
	while (p < end && *p == ' ')
		p++;
	if (p >= end || *p < 'A' || *p > 'z')
		return -EINVAL;
	st->state = *p++;
	/* fields 4.. from the kernel's proc(5) numbering; f[0] is field 4 (ppid) */
	if (!stat_fields_fast(p, end, want, f, &n)) {
		memset(f, 0, sizeof(f));
		rc = stat_fields(p, end, want, f, &n);
		if (rc)
			return rc;
	}
	/* need at least up to field 23 (vsize) and 24 (rss), or all the fields asked for */
	if (n < (want < 21 ? want : 21))
		return -EINVAL;
#define F(k) f[(k) - 4]
	st->ppid = (pid_t)F(4);
	st->flags = (unsigned long)F(9);
	st->minflt = F(10);
	st->majflt = F(12);
	st->utime = F(14);
	st->stime = F(15);
	st->prio = (long)(int64_t)F(18);
	st->nice = (long)(int64_t)F(19);
	st->nlwp = (long)(int64_t)F(20);
	st->start = F(22);
	st->vsize = F(23);
	st->rss_pages = F(24);
	if (n >= 28 - 3)	/* one mm's values: never equal keys for different mms */
		st->mm_key = (F(26) * 0x9e3779b97f4a7c15ULL ^ F(27)) * 0xff51afd7ed558ccdULL ^ F(28) ^
			     1;
	if (n >= 39 - 3)
		st->cpu = (int)F(39);
	if (n >= 41 - 3)
		st->policy = (unsigned)F(41);
#undef F
	return 0;
}
