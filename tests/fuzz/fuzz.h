/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz.h - what the libFuzzer targets share: a checked assertion and text property checks */
#ifndef TASKSCOPE_FUZZ_H
#define TASKSCOPE_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libFuzzer calls this for every input; 0 means the input was taken (never -1 here). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property that does not hold is a crash: libFuzzer saves the input that broke it. */
#define FUZZ_ASSERT(cond)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: property failed: %s\n",		\
				__FILE__, __LINE__, #cond);			\
			abort();						\
		}								\
	} while (0)

/* The input as a NUL-terminated string (bytes after an embedded NUL are ignored by the
 * parsers that take C strings); free() it. */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The input in a buffer of exactly its size, so that ASan sees any read past its end
 * (libFuzzer's own buffer is exact too, but the parsers get a copy they may not keep). */
static inline char *fuzz_dup_exact(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	return s;
}

/* Length of the valid UTF-8 sequence at p (1-4) with its code point, or 0 when invalid
 * (overlong forms, surrogates and code points past U+10FFFF are invalid). */
static inline size_t fuzz_utf8(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0)
		len = 2, c = p[0] & 0x1fu;
	else if ((p[0] & 0xf0) == 0xe0)
		len = 3, c = p[0] & 0x0fu;
	else if ((p[0] & 0xf8) == 0xf0)
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
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Code points that must never reach a terminal: C0, DEL, C1, and the format characters
 * that reorder or hide text (bidi embeddings, overrides and isolates, zero-width space,
 * line/paragraph separators, BOM). */
static inline bool fuzz_unsafe_cp(uint32_t c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0x061c ||
	       c == 0x200b || c == 0x200e || c == 0x200f || (c >= 0x2028 && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

/* The sanitizer's promise, checked on its output: valid UTF-8, no unsafe code point,
 * no NUL inside the first n bytes. */
static inline bool fuzz_text_clean(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t l = fuzz_utf8(p + i, n - i, &cp);

		if (l == 0 || cp == 0 || fuzz_unsafe_cp(cp))
			return false;
		i += l;
	}
	return true;
}

/* A sanitized C string: clean up to its NUL. */
static inline bool fuzz_str_clean(const char *s)
{
	return s && fuzz_text_clean(s, strlen(s));
}

#endif
