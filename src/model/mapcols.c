/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mapcols.c - the one table of columns of `taskscope maps` (a row per mapping or group) */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/util.h"
#include "model/coltable.h"
#include "model/mapcols.h"

/* The 8 lower-case hex digits of x, the first in the lowest byte (the first in memory) */
static uint64_t hex8(uint32_t x)
{
	uint64_t v = x;

	/* a nibble a byte, the lowest nibble in the lowest byte */
	v = (v | v << 16) & 0x0000ffff0000ffffull;
	v = (v | v << 8) & 0x00ff00ff00ff00ffull;
	v = (v | v << 4) & 0x0f0f0f0f0f0f0f0full;
	v = __builtin_bswap64(v);	/* the highest nibble first */
	/* '0' + d, and 'a' - '0' - 10 more for d >= 10 */
	return v + 0x3030303030303030ull +
	       ((v + 0x0606060606060606ull) >> 4 & 0x0101010101010101ull) * 0x27;
}

/* Lower-case hex of v, at least width digits (as the kernel prints maps), at buf+off:
 * written from its last digit back, with the length known first (two a row). */
static size_t put_hex(char *buf, size_t len, size_t off, uint64_t v, int width)
{
	int n = v ? (64 - __builtin_clzll(v) + 3) / 4 : 1;

	if (off >= len)
		return off;
	if (n < width)
		n = width < 16 ? width : 16;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if ((size_t)n < len - off) {
		/* all 16 digits, eight at a time, and the last n of them */
		uint64_t d[2] = { hex8((uint32_t)(v >> 32)), hex8((uint32_t)v) };

		memcpy(buf + off, (const char *)d + 16 - n, (size_t)n);
		buf[off + (size_t)n] = '\0';
		return off + (size_t)n;
	}
#endif
	if ((size_t)n >= len - off) {
		/* what fits of its leading digits */
		size_t keep = len - off - 1;

		v = n - (int)keep >= 16 ? 0 : v >> (4 * (n - (int)keep));
		n = (int)keep;
	}
	for (int i = n - 1; i >= 0; i--) {
		buf[off + (size_t)i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	}
	buf[off + (size_t)n] = '\0';
	return off + (size_t)n;
}

static size_t put_str(char *buf, size_t len, size_t off, const char *s)
{
	if (off >= len)
		return off;
	while (*s && off + 1 < len)
		buf[off++] = *s++;
	buf[off] = '\0';
	return off;
}

/* ---- getters ----------------------------------------------------------------------- */
#define GET(fn) static void fn(const struct memmap *mm, const struct memmap_row *r, \
			       struct mapcols_cell *c)
#define UNUSED_MM (void)mm

/* A column of one mapping has no value on a group row. */
static bool one(const struct memmap_row *r, struct mapcols_cell *c)
{
	if (r->vma)
		return true;
	c->av = TS_NA;
	return false;
}

/* "A<sep>B" in hex, each of at least digits digits (sep empty: A alone). */
static void hex_cell(struct mapcols_cell *c, uint64_t a, const char *sep, uint64_t b,
		     int digits)
{
	size_t off = put_hex(c->buf, sizeof(c->buf), 0, a, digits);

	if (*sep) {
		off = put_str(c->buf, sizeof(c->buf), off, sep);
		put_hex(c->buf, sizeof(c->buf), off, b, digits);
	}
	c->s = c->buf;
}
GET(get_address)
{
	UNUSED_MM;
	if (one(r, c))
		hex_cell(c, r->vma->start, "-", r->vma->end, 8);
}
GET(get_start) { UNUSED_MM; if (one(r, c)) hex_cell(c, r->vma->start, "", 0, 8); }
GET(get_end) { UNUSED_MM; if (one(r, c)) hex_cell(c, r->vma->end, "", 0, 8); }
GET(get_perms) { UNUSED_MM; if (one(r, c)) c->s = r->vma->perms; }
GET(get_offset) { UNUSED_MM; if (one(r, c)) hex_cell(c, r->vma->offset, "", 0, 8); }
GET(get_device)
{
	UNUSED_MM;
	if (one(r, c))
		hex_cell(c, r->vma->dev_major, ":", r->vma->dev_minor, 2);
}
GET(get_inode) { UNUSED_MM; if (one(r, c)) c->u = r->vma->inode; }
GET(get_kind)
{
	size_t off = 0;

	UNUSED_MM;
	if (r->vma || !(r->kinds & (r->kinds - 1))) {
		c->s = memmap_kind_name(r->kind);
		return;
	}
	for (int k = 0; k < MEMMAP_NKINDS; k++) {
		if (!(r->kinds & (1u << k)))
			continue;
		if (off)
			off = put_str(c->buf, sizeof(c->buf), off, ",");
		off = put_str(c->buf, sizeof(c->buf), off, memmap_kind_name((enum memmap_kind)k));
	}
	c->s = c->buf;
}
GET(get_mappings) { UNUSED_MM; c->u = r->nmaps; }
GET(get_size) { UNUSED_MM; c->u = r->mem.size; }
GET(get_rss) { UNUSED_MM; c->u = r->mem.rss; }
GET(get_pss) { UNUSED_MM; c->u = r->mem.pss; }
GET(get_uss) { UNUSED_MM; c->u = memmap_uss(&r->mem); }
GET(get_shared) { UNUSED_MM; c->u = memmap_shared(&r->mem); }
GET(get_shared_clean) { UNUSED_MM; c->u = r->mem.shared_clean; }
GET(get_shared_dirty) { UNUSED_MM; c->u = r->mem.shared_dirty; }
GET(get_private_clean) { UNUSED_MM; c->u = r->mem.private_clean; }
GET(get_private_dirty) { UNUSED_MM; c->u = r->mem.private_dirty; }
GET(get_anon) { UNUSED_MM; c->u = r->mem.anonymous; }
GET(get_swap) { UNUSED_MM; c->u = r->mem.swap; }
GET(get_swappss) { UNUSED_MM; c->u = r->mem.swap_pss; }
GET(get_thp) { UNUSED_MM; c->u = memmap_thp(&r->mem); }
GET(get_hugetlb) { UNUSED_MM; c->u = r->mem.shared_hugetlb + r->mem.private_hugetlb; }
GET(get_locked) { UNUSED_MM; c->u = r->mem.locked; }
GET(get_nodes)
{
	size_t off = 0;
	bool any = false;

	if (!mm->numa) {
		c->av = mm->map.numa_rc == -EACCES || mm->map.numa_rc == -EPERM ? TS_DENIED
			: mm->map.numa_rc == -EOPNOTSUPP ? TS_UNSUPPORTED : TS_GONE;
		return;
	}
	if (!r->node_pages && !r->mem.rss) {
		/* nothing resident: on no node, whether numa_maps lists it or not (it never
		 * lists [vsyscall], which is no VMA of the process) */
		put_str(c->buf, sizeof(c->buf), 0, "0");
		c->s = c->buf;
		return;
	}
	if (!r->node_pages) {
		c->av = TS_GONE;	/* not in numa_maps: it changed between the reads */
		return;
	}
	for (int n = 0; n < r->nnodes; n++) {
		char num[24];

		if (!r->node_pages[n])
			continue;
		if (off + 1 + 4 + 11 + 21 + 4 >= sizeof(c->buf)) {
			off = put_str(c->buf, sizeof(c->buf), off, ",...");
			break;
		}
		off = put_str(c->buf, sizeof(c->buf), off, any ? ",N" : "N");
		off = put_str(c->buf, sizeof(c->buf), off, util_u64_dec((uint64_t)n, num, sizeof(num)));
		off = put_str(c->buf, sizeof(c->buf), off, "=");
		off = put_str(c->buf, sizeof(c->buf), off,
			      util_u64_dec(r->node_pages[n], num, sizeof(num)));
		any = true;
	}
	if (!any)
		put_str(c->buf, sizeof(c->buf), 0, "0");
	c->s = c->buf;
}
GET(get_vmflags)
{
	UNUSED_MM;
	if (!one(r, c))
		return;
	c->s = r->vma->vmflags;
	if (!c->s)
		c->av = TS_UNSUPPORTED;
}
GET(get_name) { UNUSED_MM; c->s = r->name; }

#define SIZECOL(name, get, help) { name, CK_SIZE, 6, CF_RIGHT | MCF_ASCII, help, get }
static const struct maps_column table[] = {
	{ "ADDRESS", CK_STR, 25, MCF_MAPPING | MCF_ASCII, "start-end of the mapping (hex), as in /proc/PID/maps",
	  get_address },
	{ "START", CK_STR, 12, MCF_MAPPING | MCF_ASCII, "start address (hex)", get_start },
	{ "END", CK_STR, 12, MCF_MAPPING | MCF_ASCII, "end address (hex), the first byte past the mapping",
	  get_end },
	{ "PERMS", CK_STR, 4, MCF_MAPPING | MCF_ASCII,
	  "r read, w write, x execute; p private (copy-on-write) or s shared", get_perms },
	{ "OFFSET", CK_STR, 8, MCF_MAPPING | MCF_ASCII, "offset in the file (hex)", get_offset },
	{ "DEVICE", CK_STR, 5, MCF_MAPPING | MCF_ASCII, "device of the file, major:minor (hex)", get_device },
	{ "INODE", CK_COUNT, 8, CF_RIGHT | MCF_MAPPING | MCF_ASCII, "inode of the file (0: none)",
	  get_inode },
	{ "KIND", CK_STR, 6, MCF_STACKS | MCF_ASCII,
	  "code, data, heap, stack, thread-stack, anon, shm, file or kernel (see taskscope-maps(1))",
	  get_kind },
	{ "MAPPINGS", CK_COUNT, 4, CF_RIGHT | MCF_ASCII, "number of mappings in the row", get_mappings },
	SIZECOL("SIZE", get_size, "virtual size"),
	SIZECOL("RSS", get_rss, "resident: in RAM and mapped here (shared pages in full)"),
	SIZECOL("PSS", get_pss,
		"proportional set size: each resident page divided by the number of processes that map it"),
	SIZECOL("USS", get_uss,
		"unique set size: resident pages only this process maps (Private_Clean + Private_Dirty)"),
	SIZECOL("SHARED", get_shared,
		"resident pages other processes map too (Shared_Clean + Shared_Dirty)"),
	SIZECOL("SHARED_CLEAN", get_shared_clean, "shared pages not written since read (smaps)"),
	SIZECOL("SHARED_DIRTY", get_shared_dirty, "shared pages written (smaps)"),
	SIZECOL("PRIVATE_CLEAN", get_private_clean, "unshared pages not written (smaps)"),
	SIZECOL("PRIVATE_DIRTY", get_private_dirty, "unshared pages written (smaps)"),
	SIZECOL("ANON", get_anon, "anonymous pages, copies of file pages included (smaps Anonymous)"),
	SIZECOL("SWAP", get_swap, "swapped out"),
	SIZECOL("SWAPPSS", get_swappss, "swapped out, divided among the processes that share it"),
	SIZECOL("THP", get_thp,
		"in transparent huge pages (AnonHugePages + ShmemPmdMapped + FilePmdMapped)"),
	SIZECOL("HUGETLB", get_hugetlb, "in hugetlbfs pages (Shared_Hugetlb + Private_Hugetlb)"),
	SIZECOL("LOCKED", get_locked, "locked in RAM (mlock)"),
	{ "NODES", CK_STR, 8, MCF_NUMA | MCF_NODES | MCF_ASCII,
	  "resident pages per NUMA node, as N<node>=<pages> (numa_maps; JSON: pages by node)",
	  get_nodes },
	{ "VMFLAGS", CK_STR, 20, CF_TRUNC | MCF_MAPPING,
	  "the kernel's VMA flags (smaps VmFlags: rd wr ex sh mr mw me ms gd pf dw lo io...)",
	  get_vmflags },
	{ "NAME", CK_STR, 30, MCF_STACKS,
	  "file, [heap], [stack], [stack:TID] (a thread's stack), [anon:NAME], [vdso]...; "
	  "[anon]: anonymous memory without a name", get_name },
};
#undef SIZECOL

static const struct coltable_mark marks[] = {
	{ MCF_MAPPING, "[mapping]" },
	{ 0, NULL },
};
static const struct coltable tab = COLTABLE(table, struct maps_column, marks, 13);

COLTABLE_ACCESSORS(mapcols, struct maps_column, tab)

static const char *const defaults_none[] = {
	"ADDRESS", "PERMS", "KIND", "SIZE", "RSS", "PSS", "USS", "SWAP", "NAME",
};
static const char *const defaults_kind[] = {
	"KIND", "MAPPINGS", "SIZE", "RSS", "PSS", "USS", "SHARED", "SWAP",
};
static const char *const defaults_name[] = {
	"NAME", "KIND", "MAPPINGS", "SIZE", "RSS", "PSS", "USS", "SWAP",
};

static const char *const *defaults(enum memmap_group g, size_t *n)
{
	switch (g) {
	case MEMMAP_GROUP_KIND:
		*n = ARRAY_SIZE(defaults_kind);
		return defaults_kind;
	case MEMMAP_GROUP_NAME:
		*n = ARRAY_SIZE(defaults_name);
		return defaults_name;
	default:
		*n = ARRAY_SIZE(defaults_none);
		return defaults_none;
	}
}

/* The entries of the indices idx (freed), after rc of the parse: rc, or -ENOMEM. */
COLTABLE_ENTRIES(entries, struct maps_column, table)

int mapcols_defaults(enum memmap_group g, const struct maps_column ***cols, size_t *ncols)
{
	size_t nd, *idx = NULL, n = 0;
	const char *const *names = defaults(g, &nd);
	int rc;

	rc = coltable_names(&tab, names, nd, &idx, &n);
	return entries(rc, idx, n, cols, ncols);
}

int mapcols_parse_list(const char *list, enum memmap_group g,
		       const struct maps_column ***cols, size_t *ncols, char **bad)
{
	size_t nd, *idx = NULL, n = 0;
	const char *const *names = defaults(g, &nd);
	int rc;

	rc = coltable_parse_list(&tab, list, names, nd, &idx, &n, bad);
	return entries(rc, idx, n, cols, ncols);
}

static bool need(const struct maps_column *const *cols, size_t ncols, unsigned flag)
{
	for (size_t i = 0; i < ncols; i++)
		if (cols[i]->flags & flag)
			return true;
	return false;
}

bool mapcols_need_numa(const struct maps_column *const *cols, size_t ncols)
{
	return need(cols, ncols, MCF_NUMA);
}

bool mapcols_need_stacks(const struct maps_column *const *cols, size_t ncols)
{
	return need(cols, ncols, MCF_STACKS);
}

const char *mapcols_json_key(const char *name, char *buf, size_t len)
{
	return coltable_json_key(name, buf, len);
}

/* util_size_human's text of bytes, remembered: a map's sizes repeat (pages of 4K, 8K, the
 * same library's pieces in each process), and each costs it a few divisions in floating
 * point. A slot per value's hash; a value not in its slot is written and put there. */
#define HUMAN_SLOTS 256
struct human_slot {
	uint64_t bytes;
	char text[16];		/* NUL-padded; "" when empty */
};

const char *mapcols_size_human(uint64_t bytes, char *buf, size_t len)
{
	static _Thread_local struct human_slot cache[HUMAN_SLOTS];
	struct human_slot *h = &cache[(bytes >> 10 ^ bytes >> 20) % HUMAN_SLOTS];
	size_t n;

	if (h->text[0] && h->bytes == bytes && len >= sizeof(h->text)) {
		memcpy(buf, h->text, sizeof(h->text));	/* one 16-byte copy, its NUL within */
		return buf;
	}
	util_size_human(bytes, buf, len);
	n = strlen(buf);
	if (n < sizeof(h->text) && n + 1 < len) {	/* whole, not cut to len */
		memset(h->text, 0, sizeof(h->text));
		memcpy(h->text, buf, n);
		h->bytes = bytes;
	}
	return buf;
}

const char *mapcols_format(const struct maps_column *col, const struct mapcols_cell *c,
			   bool json, bool bytes, char *buf, size_t len)
{
	if (c->av != TS_OK)
		return NULL;
	/* what util_size_human writes for 0, without its floating point: about half the
	 * sizes of a map (SWAP, and RSS, PSS, USS of what is not resident) */
	if (col->kind == CK_SIZE && !c->u && !json && !bytes)
		return "0B";
	if (col->kind == CK_SIZE && !json && !bytes)
		return mapcols_size_human(c->u, buf, len);
	if (col->kind == CK_COUNT || col->kind == CK_SIZE)
		return columns_format_u64(col->kind, c->u, json, bytes, buf, len);
	return c->s;	/* sanitized at the source */
}

const char *mapcols_avail_text(enum ts_avail av)
{
	static const char *const texts[] = {	/* TS_EMPTY is not a mapping's */
		[TS_GONE] = "gone: the mapping changed between the reads of smaps and numa_maps",
		[TS_DENIED] = "denied: no permission to read it "
			      "(numa_maps needs ptrace read access)",
		[TS_UNSUPPORTED] = "not supported by this kernel (no NUMA, or no VmFlags)",
		[TS_NA] = "does not apply to a group of mappings",
	};

	return coltable_avail_text(texts, ARRAY_SIZE(texts), av);
}
