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

#include "lib/util.h"

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

/* Code points that must never reach a terminal unescaped: C0, DEL, C1, and the format and
 * default-ignorable characters that reorder, hide or fake text (bidi controls, zero-width
 * characters, soft hyphen, tags, variation selectors, Hangul fillers, interlinear
 * annotation, line/paragraph separators, BOM). The list written here is checked on its
 * own and together with the library's table (util_codepoint_escaped, made from the Unicode
 * data), so a table that lost a range does not pass. */
static inline bool fuzz_unsafe_cp(uint32_t c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0xad ||
	       c == 0x034f || c == 0x061c || c == 0x115f || c == 0x1160 || c == 0x180e ||
	       (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
	       (c >= 0x2060 && c <= 0x206f) || c == 0x3164 || (c >= 0xfe00 && c <= 0xfe0f) ||
	       c == 0xfeff || c == 0xffa0 || (c >= 0xfff9 && c <= 0xfffb) ||
	       (c >= 0xe0000 && c <= 0xe0fff) || util_codepoint_escaped(c);
}

static inline int fuzz_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;	/* upper case is not what util_sanitize writes */
}

/* The escape of util_sanitize at p (p[0] is a backslash): its length, with the bytes it
 * stands for in out[0..*outlen) (at most 4); 0 when it is not one util_sanitize writes:
 * "\\" (a backslash), "\xHH" (a byte that is not UTF-8, or a C0 control or DEL),
 * "\uHHHH" (U+0080 to U+FFFF) or "\UHHHHHHHH" (above U+FFFF), for escaped code points
 * only, so that each text has exactly one escaped form. */
static inline size_t fuzz_escape(const unsigned char *p, size_t n, unsigned char *out,
				 size_t *outlen)
{
	size_t digits, len;
	uint32_t v = 0;

	if (n < 2)
		return 0;
	if (p[1] == '\\') {
		out[0] = '\\';
		*outlen = 1;
		return 2;
	}
	digits = p[1] == 'x' ? 2 : p[1] == 'u' ? 4 : p[1] == 'U' ? 8 : 0;
	if (!digits || n < 2 + digits)
		return 0;
	for (size_t i = 0; i < digits; i++) {
		int h = fuzz_hexval(p[2 + i]);

		if (h < 0)
			return 0;
		v = v << 4 | (uint32_t)h;
	}
	len = 2 + digits;
	if (digits == 2) {
		if (v < 0x80 && !fuzz_unsafe_cp(v))
			return 0;	/* printable ASCII is never escaped */
		out[0] = (unsigned char)v;
		*outlen = 1;
		return len;
	}
	if ((digits == 4 && v < 0x80) || (digits == 8 && (v < 0x10000 || v > 0x10ffff)) ||
	    (v >= 0xd800 && v <= 0xdfff) || !fuzz_unsafe_cp(v))
		return 0;
	if (v < 0x800) {
		out[0] = (unsigned char)(0xc0 | v >> 6);
		out[1] = (unsigned char)(0x80 | (v & 0x3f));
		*outlen = 2;
	} else if (v < 0x10000) {
		out[0] = (unsigned char)(0xe0 | v >> 12);
		out[1] = (unsigned char)(0x80 | (v >> 6 & 0x3f));
		out[2] = (unsigned char)(0x80 | (v & 0x3f));
		*outlen = 3;
	} else {
		out[0] = (unsigned char)(0xf0 | v >> 18);
		out[1] = (unsigned char)(0x80 | (v >> 12 & 0x3f));
		out[2] = (unsigned char)(0x80 | (v >> 6 & 0x3f));
		out[3] = (unsigned char)(0x80 | (v & 0x3f));
		*outlen = 4;
	}
	return len;
}

/* The sanitizer's promise, checked on its output: valid UTF-8, no unsafe code point, no
 * NUL inside the first n bytes, and every backslash starts an escape util_sanitize
 * writes. */
static inline bool fuzz_text_clean(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned char tmp[4];
		uint32_t cp;
		size_t l, tl;

		if (p[i] == '\\') {
			l = fuzz_escape(p + i, n - i, tmp, &tl);
			if (l == 0)
				return false;
			i += l;
			continue;
		}
		l = fuzz_utf8(p + i, n - i, &cp);
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

/* Text the sanitizer leaves as it is: clean and without a backslash. */
static inline bool fuzz_text_plain(const char *s, size_t n)
{
	return !memchr(s, '\\', n) && fuzz_text_clean(s, n);
}

/* Decode sanitized text s[0..n) into out (room for n bytes: no escape is shorter than
 * what it stands for); the decoded length, or -1 when s is not clean. */
static inline long fuzz_unsanitize(const char *s, size_t n, char *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0;

	if (!fuzz_text_clean(s, n))
		return -1;
	while (i < n) {
		size_t tl;

		if (p[i] == '\\') {
			i += fuzz_escape(p + i, n - i, (unsigned char *)out + o, &tl);
			o += tl;
		} else {
			out[o++] = s[i++];
		}
	}
	return (long)o;
}

#endif
