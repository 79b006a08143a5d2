/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_sanitize.c - libFuzzer target: util_sanitize, checked for clean, valid UTF-8 output */
#include "config.h"

#include "lib/util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in;
	char *full, *dup, *small;
	size_t inlen, cap, smallcap, n, m;

	if (size < 1)
		return 0;
	/* the first byte picks a small output size, to exercise truncation */
	smallcap = data[0];
	in = (const char *)data + 1;
	inlen = size - 1;
	cap = inlen * 6 + 1;	/* the worst case: each byte becomes "\xHH" */
	full = malloc(cap);
	small = malloc(smallcap ? smallcap : 1);
	if (!full || !small)
		abort();

	n = util_sanitize(in, inlen, full, cap);
	FUZZ_ASSERT(n < cap && full[n] == '\0' && strlen(full) == n);
	/* the promise: valid UTF-8, no control byte (C0, DEL, C1), no bidi or invisible
	 * format character */
	FUZZ_ASSERT(fuzz_text_clean(full, n));
	/* text that is clean already comes out unchanged (up to an embedded NUL) */
	m = strnlen(in, inlen);
	if (fuzz_text_clean(in, m))
		FUZZ_ASSERT(n == m && memcmp(full, in, m) == 0);
	/* nothing is lost: n == 0 only for empty input (up to a NUL) */
	FUZZ_ASSERT((n == 0) == (m == 0));

	dup = util_sanitize_dup(in, inlen);
	FUZZ_ASSERT(dup && strcmp(dup, full) == 0);
	free(dup);

	/* a short buffer gets a clean prefix of the full output, cut at a character */
	m = util_sanitize(in, inlen, small, smallcap);
	if (smallcap) {
		FUZZ_ASSERT(m < smallcap && small[m] == '\0' && strlen(small) == m);
		FUZZ_ASSERT(m <= n && memcmp(small, full, m) == 0);
		FUZZ_ASSERT(fuzz_text_clean(small, m));
	} else {
		FUZZ_ASSERT(m == 0);
	}
	free(small);
	free(full);
	return 0;
}
