/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sanitize.c - strings from tasks made safe to show: UTF-8 checked, control and invisible
 * characters escaped, display widths */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>
#include <wctype.h>
#include <ctype.h>

#include "lib/invisible.h"
#include "lib/util.h"

size_t util_utf8_seq(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;
	size_t len, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* The code points shown escaped: control characters (Cc), format characters (Cf), line and
 * paragraph separators (Zl, Zp) and every default-ignorable code point, from the table that
 * src/lib/gen-invisible.py made of the Unicode data. Printable ASCII is never in it. */
bool util_codepoint_escaped(uint32_t c)
{
	size_t lo = 0, hi = ARRAY_SIZE(invisible_ranges);

	if (c >= 0x20 && c < 0x7f)
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c < invisible_ranges[mid].first)
			hi = mid;
		else if (c > invisible_ranges[mid].last)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* The width of s from its first byte that is not printable ASCII, counted character by
 * character as libsmartcols does (lib/mbsalign.c, mbs_nwidth): a control byte counts 0,
 * and a control byte followed by "[...m" (a colour sequence) is skipped whole. */
static size_t slow_width(const unsigned char *p, const unsigned char *end)
{
	mbstate_t st;
	size_t w = 0;

	memset(&st, 0, sizeof(st));
	while (p < end) {
		wchar_t wc;
		size_t n;

		if (iscntrl(*p)) {
			p++;
			if (p < end && *p == '[') {
				const unsigned char *e = p;

				while (e < end - 1 && *e != 'm')
					e++;
				if (*e == 'm')
					p = e + 1;
			}
			continue;
		}
		n = mbrtowc(&wc, (const char *)p, (size_t)(end - p), &st);
		if (n == 0)
			break;
		if (n == (size_t)-1 || n == (size_t)-2) {
			/* not text of this locale (sanitized strings never are): 0 columns */
			memset(&st, 0, sizeof(st));
			p++;
			continue;
		}
		if (iswprint((wint_t)wc)) {
			int cw = wcwidth(wc);

			if (cw > 0)
				w += (size_t)cw;
		}
		p += n;
	}
	return w;
}

/* 1 when every printable ASCII character is one column in this locale (all locales in
 * use: the multibyte decoder can then be skipped for them), 0 when not, -1 unknown. */
static int ascii_narrow = -1;

static bool ascii_is_narrow(void)
{
	if (ascii_narrow < 0) {
		ascii_narrow = 1;
		for (int c = 0x20; c < 0x7f; c++) {
			char ch = (char)c;
			wchar_t wc;
			mbstate_t st;

			memset(&st, 0, sizeof(st));
			if (iscntrl(c) || mbrtowc(&wc, &ch, 1, &st) != 1 || !iswprint((wint_t)wc) ||
			    wcwidth(wc) != 1) {
				ascii_narrow = 0;
				break;
			}
		}
	}
	return ascii_narrow == 1;
}

size_t util_text_width(const char *s, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s, *q = p, *end;

	if (ascii_is_narrow())
		while (*q >= 0x20 && *q < 0x7f)
			q++;
	if (!*q) {
		*len = (size_t)(q - p);
		return *len;
	}
	/* the printable ASCII before the first other byte is one column a byte */
	end = q + strlen((const char *)q);
	*len = (size_t)(end - p);
	return (size_t)(q - p) + slow_width(q, end);
}

/* Off: UTF-8 out. On (a locale that is not UTF-8): ASCII out, everything else escaped. */
static bool sanitize_ascii;

void util_sanitize_ascii_only(bool on)
{
	sanitize_ascii = on;
}

static size_t put_hex(char *tmp, const char *prefix, uint32_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(prefix);

	memcpy(tmp, prefix, n);
	for (int d = digits - 1; d >= 0; d--)
		tmp[n++] = hex[(v >> (4 * d)) & 0xf];
	return n;
}

size_t util_sanitize(const char *in, size_t inlen, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, off = 0;

	if (len == 0)
		return 0;
	while (i < inlen && p[i]) {
		char tmp[12];
		size_t n, tl;
		uint32_t cp;

		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
			/* a run of printable ASCII (most names are one) is copied as it is */
			size_t end = i + 1;

			while (end < inlen && p[end] >= 0x20 && p[end] < 0x7f && p[end] != '\\')
				end++;
			n = end - i < len - 1 - off ? end - i : len - 1 - off;
			memcpy(buf + off, in + i, n);
			off += n;
			i += n;
			if (i < end)
				break;	/* the buffer is full */
			continue;
		}
		n = util_utf8_seq(in + i, inlen - i, &cp);
		if (n == 0) {
			tl = put_hex(tmp, "\\x", p[i], 2);	/* not UTF-8: the byte */
			n = 1;
		} else if (cp == '\\') {
			memcpy(tmp, "\\\\", 2);	/* a backslash of the text is doubled */
			tl = 2;
		} else if (!util_codepoint_escaped(cp) && (cp < 0x80 || !sanitize_ascii)) {
			memcpy(tmp, p + i, n);
			tl = n;
		} else if (cp < 0x80) {
			tl = put_hex(tmp, "\\x", cp, 2);
		} else if (cp < 0x10000) {
			tl = put_hex(tmp, "\\u", cp, 4);
		} else {
			tl = put_hex(tmp, "\\U", cp, 8);
		}
		if (off + tl >= len)
			break;
		memcpy(buf + off, tmp, tl);
		off += tl;
		i += n;
	}
	buf[off] = '\0';
	return off;
}

size_t util_escape_cut(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t l = 1;

		unsigned char c = (unsigned char)s[i];

		if (c == '\\')
			l = s[i + 1] == '\\' ? 2 : s[i + 1] == 'x' ? 4 : s[i + 1] == 'u' ? 6 :
			    s[i + 1] == 'U' ? 10 : 1;
		else if (c >= 0xc0)	/* a character of 2-4 bytes is kept whole too */
			l = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (i + l > n)
			return i;
		i += l;
	}
	return n;
}

size_t util_clean_join(char *buf, size_t len, const char *prefix, const char *clean)
{
	size_t p, n;

	if (!len)
		return 0;
	p = strnlen(prefix, len - 1);
	memcpy(buf, prefix, p);
	n = strlen(clean);
	if (n > len - 1 - p)
		n = util_escape_cut(clean, len - 1 - p);
	memcpy(buf + p, clean, n);
	buf[p + n] = '\0';
	return p + n;
}

char *util_sanitize_dup(const char *in, size_t inlen)
{
	size_t cap;
	char *buf;

	if (inlen > (SIZE_MAX - 1) / 6)
		return NULL;
	cap = inlen * 6 + 1;	/* more than the worst case: every byte becomes \xHH */
	buf = malloc(cap);
	if (!buf)
		return NULL;
	util_sanitize(in, inlen, buf, cap);
	return buf;
}

