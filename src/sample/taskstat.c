/* SPDX-License-Identifier: GPL-2.0-or-later */
/* taskstat.c - the parser of a task's stat line (/proc/PID/stat, /proc/PID/task/TID/stat) */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

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

/* Next space-separated field of stat; advances *p. Every task's stat has about 40 of
 * them, half of them one digit; longer ones are read eight bytes at a time, a 20th digit
 * and more with an overflow check (as util_span_dec). Inlined: it is most of a parse. */
static inline __attribute__((always_inline)) int stat_next(const char **p, const char *end,
							    uint64_t *v)
{
	const char *q = *p, *digits, *lim;
	bool neg = false;
	uint64_t x = 0;

	if (end - q > 2 && q[0] == ' ' && (unsigned)(q[1] - '0') < 10 &&
	    (q[2] == ' ' || q[2] == '\n')) {
		*v = (unsigned)(q[1] - '0');	/* a one-digit field: half of them are "0" */
		*p = q + 2;
		return 0;
	}
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
		uint64_t w, bad;
		unsigned nd;

		memcpy(&w, q, 8);
		bad = ((w & 0xf0f0f0f0f0f0f0f0ULL) ^ 0x3030303030303030ULL) |
		      (((w + 0x0606060606060606ULL) & 0xf0f0f0f0f0f0f0f0ULL) ^
		       0x3030303030303030ULL);
		nd = bad ? (unsigned)__builtin_ctzll(bad) / 8 : 8;
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

int taskfiles_parse_stat(const char *buf, size_t len, struct taskfiles_stat *st)
{
	return taskfiles_parse_stat_upto(buf, len, 41, st);
}

int taskfiles_parse_stat_upto(const char *buf, size_t len, int last, struct taskfiles_stat *st)
{
	const char *end = buf + len, *open, *close = NULL, *p;
	uint64_t f[41 - 3] = { 0 };	/* fields 4 to 41: the last one used is the policy */
	const size_t want = last < 22 ? 22 - 3 : last > 41 ? 41 - 3 : (size_t)last - 3;
	size_t n = 0, clen;
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
	while (n < want && p < end && *p != '\n') {
		rc = stat_next(&p, end, &f[n]);
		if (rc)
			return rc;
		n++;
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
