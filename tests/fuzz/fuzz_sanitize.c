/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_sanitize.c - libFuzzer target: util_sanitize, checked for clean output that decodes back */
#include "config.h"

#include "lib/util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in;
	char *full, *dup, *small, *back;
	long bl;
	size_t inlen, cap, smallcap, n, m;

	if (size < 1)
		return 0;
	/* the first byte picks a small output size, to exercise truncation */
	smallcap = data[0];
	in = (const char *)data + 1;
	inlen = size - 1;
	cap = inlen * 4 + 1;	/* the worst case: each byte becomes "\xHH" */
	full = malloc(cap);
	small = malloc(smallcap ? smallcap : 1);
	if (!full || !small)
		abort();

	n = util_sanitize(in, inlen, full, cap);
	FUZZ_ASSERT(n < cap && full[n] == '\0' && strlen(full) == n);
	/* the promise: valid UTF-8, no control character (C0, DEL, C1), no format (Cf) or
	 * default-ignorable code point, and every backslash starts one of its escapes */
	FUZZ_ASSERT(fuzz_text_clean(full, n));
	/* the output decodes back to the input (up to an embedded NUL): two inputs never
	 * give the same output, whatever a process names itself */
	m = strnlen(in, inlen);
	back = malloc(n + 1);
	if (!back)
		abort();
	bl = fuzz_unsanitize(full, n, back);
	FUZZ_ASSERT(bl >= 0 && (size_t)bl == m && memcmp(back, in, m) == 0);
	free(back);
	/* text with nothing to escape comes out unchanged */
	if (fuzz_text_plain(in, m))
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
