/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_sanitize.c - unit tests of util_sanitize and its helpers (escape cut, clean join) */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "fuzz/fuzz.h"
#include "tap.h"

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

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_sanitize();
	return tap_done();
}
