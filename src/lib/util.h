/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.h - checked number parsing, size/time formatting, cpu lists, string sanitizing
 * (the numbers are in numtext.c, sanitizing in sanitize.c, the rest in util.c) */
#ifndef TASKSCOPE_UTIL_H
#define TASKSCOPE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <sched.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* -1, 0 or 1 as x is below, equal to or above y (no overflow, unlike x - y); x and y are
 * read twice */
#define UTIL_CMP(x, y) (((x) > (y)) - ((x) < (y)))
/* by x1 against y1, then x2 against y2 */
#define UTIL_CMP2(x1, y1, x2, y2) ((x1) != (y1) ? UTIL_CMP(x1, y1) : UTIL_CMP(x2, y2))

/* Whole decimal number in [min, max]; no sign for unsigned, no spaces, no trailing bytes.
 * Returns 0, -EINVAL (not a number) or -ERANGE (out of range). */
int util_parse_u64(const char *s, uint64_t max, uint64_t *out);
int util_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/* Like util_parse_u64 but stops at the first byte that is not a digit; *end points there.
 * For /proc text, where fields are separated by spaces. */
int util_scan_u64(const char *s, const char **end, uint64_t *out);

/* Bounded scanners over [*p, end) for /proc text that need not be NUL-terminated: at least
 * one digit; advance *p past what they read. 0, -EINVAL (no digit) or -ERANGE (> 64 bits).
 * util_span_char: *p must be c, then skips it. */
int util_span_dec(const char **p, const char *end, uint64_t *v);
int util_span_hex(const char **p, const char *end, uint64_t *v);
/* Each hex digit's value plus one (0: not a hex digit), either case: util_span_hex's table */
extern const unsigned char util_hex1[256];
int util_span_char(const char **p, const char *end, char c);

/* "4096", "64K", "64M", "1.5G", "2T" (binary units, optional "iB"/"B"); bytes */
int util_parse_size(const char *s, uint64_t *out);
/* non-negative decimal seconds ("0", "0.1", "2"), at most max */
int util_parse_seconds(const char *s, double max, double *out);

/* Decimal text of v (with a '-' for negative i64) into buf; returns buf. Faster than
 * snprintf for the many numbers of a large table. len >= 21 (u64) / 22 (i64). */
char *util_u64_dec(uint64_t v, char *buf, size_t len);
char *util_i64_dec(int64_t v, char *buf, size_t len);
/* v with one decimal ("12.3"), rounded; negative or non-finite as "0.0" */
char *util_fixed1(double v, char *buf, size_t len);

/* "1.5M" style (binary units, like util-linux); buf of at least 16 bytes */
char *util_size_human(uint64_t bytes, char *buf, size_t len);
/* CPU time: "M:SS.hh" under an hour, "H:MM:SS" under a day, "D-HH:MM:SS" above */
char *util_cputime(double seconds, char *buf, size_t len);

/* Dynamic cpu sets, any number of CPUs. */
struct cpulist {
	cpu_set_t *set;
	size_t size;		/* bytes, for the CPU_*_S macros */
	int ncpus;		/* capacity in CPUs */
};
int util_cpulist_init(struct cpulist *cl, int ncpus);
void util_cpulist_free(struct cpulist *cl);
/* "0-3,8,10-11"; returns -EINVAL on syntax, -ERANGE when a CPU is >= max_cpus */
int util_cpulist_parse(const char *s, int max_cpus, struct cpulist *out);
/* formats as ranges; returns 0 or -ENOSPC */
int util_cpulist_format(const struct cpulist *cl, char *buf, size_t len);

/* Copy untrusted bytes into buf as safe, valid UTF-8 that shows every character it holds:
 * bytes that are not UTF-8 become "\xHH"; control characters (C0, DEL, C1), format
 * characters (Cf), line/paragraph separators and default-ignorable code points (invisible
 * ones: zero-width, bidi controls, tags, variation selectors, Hangul fillers...) become
 * "\xHH" (below U+0080), "\uHHHH" or "\UHHHHHHHH"; a backslash becomes "\\". Every
 * backslash of the output starts one of these escapes, so the output decodes back to the
 * input and two inputs never look the same. Lower-case hex digits. Output is always
 * NUL-terminated and truncated on a character boundary (an escape is never cut).
 * Returns the length written. */
size_t util_sanitize(const char *in, size_t inlen, char *buf, size_t len);
/* Where to cut sanitized text s to keep at most its first n bytes (n <= strlen(s)) without
 * cutting an escape or a UTF-8 character in two: n, or the start of the escape or
 * character that n falls into. A cut
 * "\\" would read as the start of an escape, a cut "\x1b" as something else. */
size_t util_escape_cut(const char *s, size_t n);
/* buf = prefix (plain ASCII) followed by sanitized text clean, cut where it does not fit
 * without splitting an escape or a character (snprintf's cut could leave "\x" or half
 * of a UTF-8 sequence, which is not clean text); the length written. */
size_t util_clean_join(char *buf, size_t len, const char *prefix, const char *clean);
/* malloc'ed sanitized copy; NULL on allocation failure */
char *util_sanitize_dup(const char *in, size_t inlen);
/* For a locale whose character set is not UTF-8 (main calls it after setlocale): util_sanitize
 * then writes ASCII only, every other character escaped as well. Tables, the TUI and JSON
 * stay readable there, and libsmartcols, which loops forever on text it cannot decode in
 * such a locale, never gets any. */
void util_sanitize_ascii_only(bool on);
/* Length of the valid UTF-8 sequence at s (1-4; n >= 1 bytes there), or 0 if it is not
 * one (overlong, surrogate, past U+10FFFF, cut); *cp gets the code point. */
size_t util_utf8_seq(const char *s, size_t n, uint32_t *cp);
/* True for the code points util_sanitize escapes (the backslash aside) */
bool util_codepoint_escaped(uint32_t c);
/* Display width of s as libsmartcols counts it for an aligned table in the current locale
 * (control bytes and "ESC[...m" count 0, each character its wcwidth), and its length in
 * *len. Printable ASCII, which is most cells, is counted without a multibyte decoder. */
size_t util_text_width(const char *s, size_t *len);

/* A command line's arguments (a NULL-terminated vector, as split at its NUL bytes) joined
 * by single spaces and sanitized, malloc'ed, without trailing empty arguments and blanks
 * (the NUL padding of a rewritten title); NULL when there is no argument, the first is
 * empty (kernel threads, zombies, a blanked argv) or all is blank, or on allocation failure */
char *util_join_argv(char *const *v);

/* A set of positive PIDs (a hash table sized for n of them: never add more) */
struct util_pidset {
	int *slot;
	size_t mask;
};
int util_pidset_init(struct util_pidset *set, size_t n);
/* true when pid (> 0) was not in the set yet */
bool util_pidset_add(struct util_pidset *set, int pid);
void util_pidset_free(struct util_pidset *set);

/* "1,2,3" (commas) appended to a growing array of positive PIDs in the order given;
 * duplicates (also of PIDs already there) kept out. Linear in the list's length, however
 * long. -EINVAL on syntax, -ERANGE for 0, negative or > pid_max-ish (4194304), -ENOMEM;
 * the PIDs before a bad one are kept. */
int util_parse_pidlist(const char *s, int **pids, size_t *npids);
/* Comma-separated lists (-p, -C, -o): the next item after *p, which starts at the list and
 * is NULL after the last item (a list, even an empty one, has at least one item; "a,"
 * has "a" and ""). The item is [*item, *item + *len); when *len < cap it is also copied to
 * buf as a string, else buf is "". Returns false when the list is done. */
bool util_list_next(const char **p, char *buf, size_t cap, const char **item, size_t *len);

/* The message for a getopt_long() error (c is ':' or '?'; call with getopt's optind and
 * optopt, opterr off): "option '--x' needs an argument", "option '--x' takes no argument",
 * "unknown option '-Z'". The option text is sanitized. Returns msg. */
const char *util_getopt_error(int c, char *const argv[], int optind, int optopt, char *msg,
			      size_t len);

/* Room for one more element in a growing array: when n (the elements in use) has reached
 * *cap, the array at *(T **)arr (elements of size bytes) is reallocated to twice *cap, or to
 * first elements when it has none yet. 0, or -ENOMEM (also when the size would overflow),
 * and then the array and *cap are as they were. Call as
 * util_grow(&v->items, &v->cap, v->n, 64, sizeof(*v->items)). */
int util_grow(void *arr, size_t *cap, size_t n, size_t first, size_t size);
/* The same for room for need elements in all: *cap doubled (from first when it is 0) until
 * it holds them. 0 or -ENOMEM, the array and *cap then as they were. */
int util_reserve(void *arr, size_t *cap, size_t need, size_t first, size_t size);

/* Read len bytes from fd into buf (at offset off with pread, or at the file position
 * when off < 0), again after EINTR, until they are all there or the file ends. *done
 * gets the bytes read, also on failure. 0 (*done < len: the end of the file), or -errno. */
int util_read_full(int fd, void *buf, size_t len, long long off, size_t *done);
/* Write len bytes of buf to fd, again after EINTR and after a short write; *done gets the
 * bytes written, also on failure. 0, or -errno (-EIO when write wrote nothing).
 * Async-signal-safe (a fatal signal's handler restores the terminal with it). */
int util_write_full(int fd, const void *buf, size_t len, size_t *done);
/* Does the comma-separated list [s, s + n) hold the item w exactly? */
bool util_list_has(const char *s, size_t n, const char *w);

/* qsort/bsearch comparators, ascending: int (also pid_t), uint64_t, size_t */
int util_cmp_int(const void *a, const void *b);
int util_cmp_u64(const void *a, const void *b);
int util_cmp_size(const void *a, const void *b);

double util_monotonic(void);

#endif
