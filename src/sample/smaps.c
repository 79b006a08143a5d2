/* SPDX-License-Identifier: GPL-2.0-or-later */
/* smaps.c - own parsers of /proc/PID/smaps and smaps_rollup (their readers: smapsread.c,
 * numa_maps's parsers: smapsnuma.c) */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "sample/smaps.h"

static const char deleted_suffix[] = " (deleted)";

/* ---- the map's strings ---------------------------------------------------------------- */

/*
 * The names and VmFlags of a map's VMAs are kept in blocks that never move, freed with the
 * map: no malloc and free for each. A text already kept in this parse is found again (a
 * library's name in its four or five mappings, a few sets of flags in a whole map) through
 * a small hash table, of the parse only.
 */
struct smaps_strings {
	struct smaps_strings *next;
	size_t used, cap;
	char text[];
};

#define STRINGS_BLOCK	(16u << 10)
#define INTERN_SLOTS	256	/* a power of two; interned until three quarters full */

struct intern {
	struct {
		const char *s;
		size_t len;
	} slot[INTERN_SLOTS];
	size_t n;
};

static void strings_free(struct smaps_strings *b)
{
	while (b) {
		struct smaps_strings *next = b->next;

		free(b);
		b = next;
	}
}

/* A copy of [s, s + n) with a NUL in the map's blocks, or NULL when out of memory */
static char *strings_put(struct smaps_map *m, const char *s, size_t n)
{
	struct smaps_strings *b = m->strings;
	char *d;

	if (!b || b->cap - b->used < n + 1) {
		size_t cap = n + 1 > STRINGS_BLOCK ? n + 1 : STRINGS_BLOCK;

		if (n > SIZE_MAX / 2)
			return NULL;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->used = 0;
		b->cap = cap;
		if (m->strings && n + 1 > STRINGS_BLOCK) {
			/* a long text alone in its block, behind the one being filled */
			b->next = m->strings->next;
			m->strings->next = b;
		} else {
			b->next = m->strings;
			m->strings = b;
		}
	}
	d = b->text + b->used;
	memcpy(d, s, n);
	d[n] = '\0';
	b->used += n + 1;
	return d;
}

/* The length and the first and last 8 bytes: enough to tell apart the names of one map */
static size_t intern_hash(const char *s, size_t n)
{
	uint64_t a = 0, z = 0;

	memcpy(&a, s, n < 8 ? n : 8);
	if (n > 8)
		memcpy(&z, s + n - 8, 8);
	a ^= z * 0x9e3779b97f4a7c15ull ^ n;
	a *= 0xff51afd7ed558ccdull;
	return (size_t)(a >> 32);
}

/* [s, s + n) kept once in the map's strings: the copy made before in this parse, or a
 * new one (NULL when out of memory) */
static char *intern_put(struct smaps_map *m, struct intern *t, const char *s, size_t n)
{
	size_t i = intern_hash(s, n) & (INTERN_SLOTS - 1);
	char *d;

	for (; t->slot[i].s; i = (i + 1) & (INTERN_SLOTS - 1))
		if (t->slot[i].len == n && !memcmp(t->slot[i].s, s, n))
			return (char *)t->slot[i].s;
	d = strings_put(m, s, n);
	if (d && t->n < INTERN_SLOTS / 4 * 3) {
		t->slot[i].s = d;
		t->slot[i].len = n;
		t->n++;
	}
	return d;
}

/* ---- field lines ----------------------------------------------------------------- */

/* The field lines of smaps and smaps_rollup in the kernel's order (smaps has no
 * Pss_Anon, Pss_File, Pss_Shmem; the rollup no KernelPageSize, MMUPageSize,
 * THPeligible, ProtectionKey, VmFlags): the lookup starts at the entry after the last
 * match, so nearly every line is found with one comparison. FIELD_SUM lines are
 * "Key: <blanks> N kB", summed into struct smaps_mem; FIELD_SKIP lines are not used,
 * whatever their value, as the keys the table does not have. */
enum field_what { FIELD_SUM, FIELD_SKIP, FIELD_VMFLAGS };

struct field {
	char key[17];		/* "Key:", zero-padded: compared 8 bytes at a time */
	unsigned char len;	/* without the colon */
	unsigned char what;
	unsigned short off;
	uint64_t mask[2];	/* the bytes of "Key:" in the two words */
};

/* the first n bytes in memory of a word loaded with memcpy (shift counts kept in 0-63, also in
 * the branches not taken: clang warns of them) */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LOW(n) ((n) <= 0 ? 0 : (n) >= 8 ? ~0ull : ~0ull >> ((64 - 8 * (n)) & 63))
#else
#define LOW(n) ((n) <= 0 ? 0 : (n) >= 8 ? ~0ull : ~(~0ull >> ((8 * (n)) & 63)))
#endif
#define ENTRY(k, w, o) { k ":", sizeof(k) - 1, w, o, { LOW((int)sizeof(k)), LOW((int)sizeof(k) - 8) } }
#define FIELD(k, m) ENTRY(k, FIELD_SUM, offsetof(struct smaps_mem, m))
#define SKIP(k) ENTRY(k, FIELD_SKIP, 0)
static const struct field fields[] = {
	FIELD("Size", size),
	SKIP("KernelPageSize"),
	SKIP("MMUPageSize"),
	FIELD("Rss", rss),
	FIELD("Pss", pss),
	SKIP("Pss_Dirty"),
	FIELD("Pss_Anon", pss_anon),
	FIELD("Pss_File", pss_file),
	FIELD("Pss_Shmem", pss_shmem),
	FIELD("Shared_Clean", shared_clean),
	FIELD("Shared_Dirty", shared_dirty),
	FIELD("Private_Clean", private_clean),
	FIELD("Private_Dirty", private_dirty),
	FIELD("Referenced", referenced),
	FIELD("Anonymous", anonymous),
	SKIP("KSM"),
	FIELD("LazyFree", lazyfree),
	FIELD("AnonHugePages", anon_huge),
	FIELD("ShmemPmdMapped", shmem_pmd),
	FIELD("FilePmdMapped", file_pmd),
	FIELD("Shared_Hugetlb", shared_hugetlb),
	FIELD("Private_Hugetlb", private_hugetlb),
	FIELD("Swap", swap),
	FIELD("SwapPss", swap_pss),
	FIELD("Locked", locked),
	SKIP("THPeligible"),
	SKIP("ProtectionKey"),
	ENTRY("VmFlags", FIELD_VMFLAGS, 0),
};
#undef FIELD
#undef SKIP
#undef ENTRY
#undef LOW

/* Is the line [p, end) field f's ("Key:" and then its value)? */
static bool is_field(const struct field *f, const char *p, const char *end)
{
	uint64_t a, b, k, l;

	if (end - p < 16) {
		/* too short to load two words: byte by byte (not a line the kernel writes) */
		return end - p > f->len && !memcmp(p, f->key, (size_t)f->len + 1);
	}
	memcpy(&a, p, 8);
	memcpy(&b, p + 8, 8);
	memcpy(&k, f->key, 8);
	memcpy(&l, f->key + 8, 8);
	return !((a ^ k) & f->mask[0]) && !((b ^ l) & f->mask[1]);
}

/* The table's entry of the line [p, end): the one at *hint first, then the ones after it
 * (a line the kernel does not write for this file was skipped), then the ones before it
 * (fields out of the usual order); NULL for a key the table does not have. */
static const struct field *find_field(const char *p, const char *end, size_t *hint)
{
	const size_t n = ARRAY_SIZE(fields);
	size_t i = *hint < n ? *hint : 0;

	for (size_t k = 0; k < n; k++, i = i + 1 < n ? i + 1 : 0) {
		if (is_field(&fields[i], p, end)) {
			*hint = i + 1;
			return &fields[i];
		}
	}
	return NULL;
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* "Key:", blanks up to byte 16, a number right-aligned in 8 bytes, " kB": the kernel writes
 * every summed field of smaps (and most skipped ones) so, 28 bytes with the newline; a few
 * skipped ones (THPeligible, ProtectionKey) without " kB", 25 bytes. */
#define KERNEL_LINE 28
#define KERNEL_LINE_NOUNIT 25
#define KERNEL_AHEAD 4	/* entries tried after the expected one (rollup-only fields) */
#define BLANKS8 0x2020202020202020ull

/* The number in the 8 bytes w: blanks, then 1 to 8 digits and nothing else. */
static bool dec8(uint64_t w, uint64_t *v)
{
	uint64_t x = w ^ BLANKS8, d;

	if (!x)
		return false;			/* no digit */
	/* the leading blanks (first in memory: low bytes) to '0': the bits below x's lowest
	 * set one cover them, and not bit 4 of the first other byte (a digit has it set) */
	w |= 0x1010101010101010ull & ((x & -x) - 1);
	/* each byte '0'..'9': high nibble 3, and no carry out of the low one adding 6 */
	if ((w & 0xf0f0f0f0f0f0f0f0ull) != 0x3030303030303030ull ||
	    ((w + 0x0606060606060606ull) & 0xf0f0f0f0f0f0f0f0ull) != 0x3030303030303030ull)
		return false;
	d = w - 0x3030303030303030ull;	/* digit values, the first digit in the low byte */
	d = (d * 10 + (d >> 8)) & 0x00ff00ff00ff00ffull;
	d = (d * 100 + (d >> 16)) & 0x0000ffff0000ffffull;
	*v = (d * 10000 + (d >> 32)) & 0xffffffffull;
	return true;
}

/* The first 16 bytes of each field's kernel line: the key, then blanks */
static void kernel_keys(uint64_t pads[][2])
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		uint64_t k, l;

		memcpy(&k, fields[i].key, 8);
		memcpy(&l, fields[i].key + 8, 8);
		pads[i][0] = k | (BLANKS8 & ~fields[i].mask[0]);
		pads[i][1] = l | (BLANKS8 & ~fields[i].mask[1]);
	}
}

/*
 * Field f's line as the kernel writes it, at p (KERNEL_LINE bytes readable), pad its first
 * 16 bytes (kernel_keys): its length with the newline (0: not such a line), its value into
 * mem when f is summed. A line this accepts, parse_field reads the same way (the key f,
 * blanks, digits, " kB" or nothing for a skipped field, the newline); any other is left
 * to it.
 */
static size_t kernel_line(const struct field *f, const uint64_t pad[2], const char *p,
			  struct smaps_mem *mem)
{
	uint64_t a, b, w, v;
	uint32_t t;

	if (f->what == FIELD_VMFLAGS)
		return 0;	/* text, whatever it looks like */
	memcpy(&a, p, 8);
	memcpy(&b, p + 8, 8);
	if (a != pad[0] || b != pad[1])
		return 0;
	memcpy(&w, p + 16, 8);
	if (!dec8(w, &v))
		return 0;
	memcpy(&t, p + 24, 4);
	if (t == ((uint32_t)' ' | (uint32_t)'k' << 8 | (uint32_t)'B' << 16 | (uint32_t)'\n' << 24)) {
		if (f->what == FIELD_SUM)
			*(uint64_t *)((char *)mem + f->off) = v * 1024;
		return KERNEL_LINE;
	}
	return f->what == FIELD_SKIP && p[24] == '\n' ? KERNEL_LINE_NOUNIT : 0;
}
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Most lines: the field expected next (*hint), or one of the few after it (the keys of
 * smaps_rollup alone are left out), as the kernel writes it: its length, *hint moved past
 * it; 0 for a line left to parse_field. A line matches one key at most, so this is the
 * entry find_field would find. */
static size_t kernel_field(const char *p, const char *end, const uint64_t pads[][2],
			   size_t *hint, struct smaps_mem *mem)
{
	if (end - p < KERNEL_LINE)
		return 0;
	for (size_t h = *hint; h < ARRAY_SIZE(fields) && h <= *hint + KERNEL_AHEAD; h++) {
		size_t n = kernel_line(&fields[h], pads[h], p, mem);

		if (n) {
			*hint = h + 1;
			return n;
		}
	}
	return 0;
}
#endif

enum line_kind { LINE_FIELD, LINE_VMFLAGS, LINE_OTHER };

static bool key_char(char c)
{
	/* a bit per byte value: A-Z a-z 0-9 _ (one load instead of seven comparisons) */
	static const uint32_t set[8] = { 0, 0x03ff0000, 0x87fffffe, 0x07fffffe };
	unsigned char u = (unsigned char)c;

	return set[u >> 5] >> (u & 31) & 1;
}

/*
 * One field line [p, end) (no newline) into mem. "VmFlags:" hands its value back in
 * *val and *vlen. Unknown keys are skipped whatever their value (the kernel adds fields);
 * a key whose value is summed must be "Key: <blanks> N kB".
 */
static int parse_field(const char *p, const char *end, struct smaps_mem *mem, size_t *hint,
		       const char **val, size_t *vlen, enum line_kind *kind)
{
	const struct field *f;
	const char *q;
	uint64_t v = 0;
	int rc;

	*kind = LINE_OTHER;
	f = find_field(p, end, hint);
	if (!f) {
		const char *colon = p;

		/* not a key of the table: skipped, if it is a key */
		while (colon < end && key_char(*colon))
			colon++;
		return colon == p || colon == end || *colon != ':' ? -EINVAL : 0;
	}
	p += f->len + 1;
	if (f->what == FIELD_SKIP)
		return 0;
	if (f->what == FIELD_VMFLAGS) {
		const char *e = end;

		while (p < e && *p == ' ')
			p++;
		while (e > p && e[-1] == ' ')
			e--;
		*val = p;
		*vlen = (size_t)(e - p);
		*kind = LINE_VMFLAGS;
		return 0;
	}
	/* the kernel right-aligns the number: eight blanks at a time first */
	for (uint64_t w; end - p >= 8; p += 8) {
		memcpy(&w, p, 8);
		if (w != 0x2020202020202020ull)
			break;
	}
	while (p < end && *p == ' ')
		p++;
	/* up to 19 digits cannot overflow: no check a digit */
	for (q = p; q < end && q - p < 19 && *q >= '0' && *q <= '9'; q++)
		v = v * 10 + (uint64_t)(*q - '0');
	if (q == p || (q < end && *q >= '0' && *q <= '9')) {
		rc = util_span_dec(&p, end, &v);	/* none, or 20 and more */
		if (rc)
			return rc;
		q = p;
	}
	if (end - q != 3 || q[0] != ' ' || q[1] != 'k' || q[2] != 'B')
		return -EINVAL;
	if (v > UINT64_MAX / 1024)
		return -ERANGE;
	*(uint64_t *)((char *)mem + f->off) = v * 1024;
	*kind = LINE_FIELD;
	return 0;
}

/* ---- entry header lines ------------------------------------------------------------ */

/* A header line starts with the start address in hex, then '-'. Field keys start with
 * an upper-case letter, so the two cannot be confused. */
static bool is_header(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f')))
		q++;
	return q > p && q < end && *q == '-';
}

/* "start-end perms offset major:minor inode [name]" (the name kept in m's strings) */
static int parse_header(const char *p, const char *end, struct smaps_vma *v,
			struct smaps_map *m, struct intern *names)
{
	uint64_t maj, min;
	int rc;

	memset(v, 0, sizeof(*v));
	if ((rc = util_span_hex(&p, end, &v->start)) || (rc = util_span_char(&p, end, '-')) ||
	    (rc = util_span_hex(&p, end, &v->end)) || (rc = util_span_char(&p, end, ' ')))
		return rc;
	if (v->end <= v->start)
		return -EINVAL;
	if (end - p < 5)
		return -EINVAL;
	if ((p[0] != 'r' && p[0] != '-') || (p[1] != 'w' && p[1] != '-') ||
	    (p[2] != 'x' && p[2] != '-') || (p[3] != 'p' && p[3] != 's'))
		return -EINVAL;
	memcpy(v->perms, p, 4);
	v->perms[4] = '\0';
	p += 4;
	if ((rc = util_span_char(&p, end, ' ')) || (rc = util_span_hex(&p, end, &v->offset)) ||
	    (rc = util_span_char(&p, end, ' ')) || (rc = util_span_hex(&p, end, &maj)) ||
	    (rc = util_span_char(&p, end, ':')) || (rc = util_span_hex(&p, end, &min)) ||
	    (rc = util_span_char(&p, end, ' ')) || (rc = util_span_dec(&p, end, &v->inode)))
		return rc;
	if (maj > 0xffffffffu || min > 0xffffffffu)
		return -ERANGE;
	v->dev_major = (unsigned)maj;
	v->dev_minor = (unsigned)min;
	if (p < end && *p != ' ')
		return -EINVAL;
	while (p < end && *p == ' ')
		p++;
	if (p == end)
		return 0;	/* anonymous */
	if ((size_t)(end - p) > sizeof(deleted_suffix) - 1 &&
	    !memcmp(end - (sizeof(deleted_suffix) - 1), deleted_suffix,
		    sizeof(deleted_suffix) - 1)) {
		v->deleted = true;
		end -= sizeof(deleted_suffix) - 1;
	}
	v->name = intern_put(m, names, p, (size_t)(end - p));
	return v->name ? 0 : -ENOMEM;
}

/* ---- the whole map ----------------------------------------------------------------- */

/* What a VMA holds of its own (its name and VmFlags are the map's strings) */
static void vma_release(struct smaps_vma *v)
{
	free(v->node_pages);
	v->name = v->vmflags = NULL;
	v->node_pages = NULL;
}

void smaps_map_free(struct smaps_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		vma_release(&m->vma[i]);
	free(m->vma);
	strings_free(m->strings);
	memset(m, 0, sizeof(*m));
}

/* Room for one more VMA; the first time for about as many as len bytes of smaps hold (an
 * entry is some 24 lines of 28 bytes: 700 bytes; 512 a VMA leaves room for short names). */
static int vma_push(struct smaps_map *m, size_t *cap, size_t len)
{
	if (m->n == *cap) {
		size_t nc = *cap ? *cap * 2 : len / 512 + 16;
		struct smaps_vma *v;

		if (nc > SIZE_MAX / sizeof(*v))
			return -ENOMEM;
		v = realloc(m->vma, nc * sizeof(*v));
		if (!v)
			return -ENOMEM;
		m->vma = v;
		*cap = nc;
	}
	return 0;
}

/* By start, and the longest first of those that start together */
static int cmp_vma(const void *a, const void *b)
{
	const struct smaps_vma *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->end < y->end) - (x->end > y->end);
}

/*
 * The kernel lists VMAs in address order, but when the target maps, unmaps or changes
 * protections between two read()s, the next read starts at the VMA that holds the end of
 * the last one shown: a VMA shown again, or one that merged with pieces already shown.
 * In address order (longest first), keep a VMA and leave out those that start inside it:
 * the same VMA again, or the pieces that it now covers. Each address is counted once; a
 * VMA that reaches past the one kept (a split or a move in between) is left out too.
 */
static void drop_repeats(struct smaps_map *m)
{
	bool sorted = true;
	size_t w;

	for (size_t i = 1; i < m->n && sorted; i++)
		sorted = m->vma[i - 1].start < m->vma[i].start;
	if (!sorted)
		qsort(m->vma, m->n, sizeof(*m->vma), cmp_vma);
	for (w = 0; w < m->n; w++)
		if (w && m->vma[w].start < m->vma[w - 1].end)
			break;
	for (size_t i = w; i < m->n; i++) {
		if (w && m->vma[i].start < m->vma[w - 1].end) {
			vma_release(&m->vma[i]);
			m->dropped_repeats++;
			continue;
		}
		m->vma[w++] = m->vma[i];
	}
	m->n = w;
}

int smaps_parse(const char *buf, size_t len, struct smaps_map *out)
{
	const char *p = buf, *end = buf + len;
	bool any_vmflags = false, complete = false;
	size_t cap = 0, hint = 0, nfields = 0, prev_nfields = 0;
	struct smaps_vma *cur = NULL;
	struct intern *names;
	int rc = 0;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t pads[ARRAY_SIZE(fields)][2];

	kernel_keys(pads);
#endif

	memset(out, 0, sizeof(*out));
	names = calloc(1, sizeof(*names));	/* names and VmFlags alike */
	if (!names)
		return -ENOMEM;
	while (p < end) {
		const char *nl, *val;
		enum line_kind kind;
		size_t vlen;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		if (cur) {
			size_t n = kernel_field(p, end, pads, &hint, &cur->mem);

			if (n) {
				nfields++;
				p += n;
				continue;
			}
		}
#endif
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			out->truncated = true;	/* a line cut short: the file was cut */
			break;
		}
		/* field keys start with an upper-case letter, headers with a hex digit */
		if ((*p < 'A' || *p > 'Z') && is_header(p, nl)) {
			rc = vma_push(out, &cap, len);
			if (rc)
				break;
			cur = &out->vma[out->n];
			rc = parse_header(p, nl, cur, out, names);
			if (rc) {
				vma_release(cur);
				break;
			}
			out->n++;
			complete = false;
			hint = 0;
			prev_nfields = nfields;
			nfields = 0;
		} else if (!cur) {
			rc = -EINVAL;	/* a field before any entry */
			break;
		} else {
			rc = parse_field(p, nl, &cur->mem, &hint, &val, &vlen, &kind);
			if (rc)
				break;
			nfields++;
			if (kind == LINE_VMFLAGS) {
				cur->vmflags = intern_put(out, names, val, vlen);
				if (!cur->vmflags) {
					rc = -ENOMEM;
					break;
				}
				any_vmflags = complete = true;
			}
		}
		p = nl + 1;
	}
	free(names);
	if (rc) {
		smaps_map_free(out);
		return rc;
	}
	/* VmFlags ends every entry (since Linux 3.8): a last entry without it was cut. Before
	 * 3.8, every entry has the same fields: one with fewer than the one before was cut. */
	if (out->n && !complete &&
	    (any_vmflags || out->truncated || out->n == 1 || nfields < prev_nfields)) {
		out->n--;
		vma_release(&out->vma[out->n]);
		out->truncated = true;
	}
	if (out->truncated && out->n == 0) {
		smaps_map_free(out);
		return -EINVAL;
	}
	drop_repeats(out);
	out->numa_rc = -ENODATA;
	return 0;
}

int smaps_parse_rollup(const char *buf, size_t len, struct smaps_mem *out)
{
	const char *p = buf, *end = buf + len, *nl;
	size_t hint = 0;

	memset(out, 0, sizeof(*out));
	nl = memchr(p, '\n', len);
	if (!nl || !is_header(p, nl))
		return -EINVAL;
	for (p = nl + 1; p < end; p = nl + 1) {
		const char *val;
		enum line_kind kind;
		size_t vlen;
		int rc;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return -EINVAL;	/* cut short */
		rc = parse_field(p, nl, out, &hint, &val, &vlen, &kind);
		if (rc)
			return rc;
	}
	return 0;
}
