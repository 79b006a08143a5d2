/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pagemap.c - readers of /proc/PID/maps, /proc/PID/pagemap, /proc/kpagecount, /proc/kpageflags
 *
 * pagemap has one 64-bit entry per virtual page; reading it walks the target's page
 * tables under its mmap lock, like smaps but without smaps' per-VMA text. The cost is per
 * entry read, so the callers read only what holds present pages: the PAGEMAP_SCAN ioctl
 * (Linux 6.7+) lists those ranges in one call, and each range is then read with large
 * preads. kpageflags and kpagecount have one entry per physical frame; they are read in
 * runs of adjacent frames, one pread per run. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/util.h"
#include "sample/pagemap.h"
#include "sample/source.h"
#include "sample/taskfiles.h"

/* The PAGEMAP_SCAN ioctl of include/uapi/linux/fs.h (Linux 6.7); Debian 12's headers are
 * older, so the layout is declared here under our own names. */
struct pagemap_scan_region {
	uint64_t start, end, categories;
};

struct pagemap_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};

#define PAGEMAP_SCAN_IOCTL	_IOWR('f', 16, struct pagemap_scan_arg)
#define PAGE_IS_PRESENT		(1 << 3)
#define PAGE_IS_PFNZERO		(1 << 5)
#define SCAN_VEC_LEN		1024

#define MAPS_MAX	(256u << 20)	/* a maps file larger than this is refused */

void pagemap_decode(uint64_t e, struct pagemap_entry *out)
{
	memset(out, 0, sizeof(*out));
	out->present = (e & PAGEMAP_PRESENT) != 0;
	out->swapped = (e & PAGEMAP_SWAP) != 0;
	out->file = (e & PAGEMAP_FILE) != 0;
	out->exclusive = (e & PAGEMAP_EXCLUSIVE) != 0;
	out->soft_dirty = (e & PAGEMAP_SOFT_DIRTY) != 0;
	out->uffd_wp = (e & PAGEMAP_UFFD_WP) != 0;
	out->guard = (e & PAGEMAP_GUARD) != 0;
	if (out->present) {
		out->pfn = e & PAGEMAP_PFN_MASK;
	} else if (out->swapped) {
		out->swap_type = (unsigned)(e & 0x1f);
		out->swap_offset = (e & PAGEMAP_PFN_MASK) >> 5;
	}
}

/* ---- maps ---------------------------------------------------------------------------- */

static uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h ? h : 1;
}

static bool name_is(const char *name, size_t n, const char *lit)
{
	return n == strlen(lit) && !memcmp(name, lit, n);
}

/* "start-end perms offset major:minor inode [name]" */
static int parse_maps_line(const char *p, const char *end, struct pagemap_vma *v)
{
	uint64_t major, minor;
	const char *name;
	size_t nlen;
	int rc;

	memset(v, 0, sizeof(*v));
	if ((rc = util_span_hex(&p, end, &v->start)) || (rc = util_span_char(&p, end, '-')) ||
	    (rc = util_span_hex(&p, end, &v->end)) || (rc = util_span_char(&p, end, ' ')))
		return rc;
	if (end - p < 5 || p[4] != ' ')
		return -EINVAL;
	memcpy(v->perms, p, 4);
	v->perms[4] = '\0';
	p += 5;
	if ((rc = util_span_hex(&p, end, &v->offset)) || (rc = util_span_char(&p, end, ' ')) ||
	    (rc = util_span_hex(&p, end, &major)) || (rc = util_span_char(&p, end, ':')) ||
	    (rc = util_span_hex(&p, end, &minor)) || (rc = util_span_char(&p, end, ' ')) ||
	    (rc = util_span_dec(&p, end, &v->inode)))
		return rc;
	if (v->end <= v->start || major > 0xfff || minor > 0xfffff)
		return -EINVAL;
	if (p < end && *p != ' ')
		return -EINVAL;
	v->dev_major = (unsigned)major;
	v->dev_minor = (unsigned)minor;
	while (p < end && *p == ' ')
		p++;
	name = p;
	nlen = (size_t)(end - p);
	v->name_hash = nlen ? fnv1a(name, nlen) : 0;
	if (v->inode)
		v->kind = PAGEMAP_VMA_FILE;
	else if (name_is(name, nlen, "[vsyscall]") || (v->start >> 63))
		v->kind = PAGEMAP_VMA_GATE;
	else if (!nlen || name_is(name, nlen, "[heap]") || name_is(name, nlen, "[stack]") ||
		 (nlen > 6 && !memcmp(name, "[anon:", 6)) ||
		 (nlen > 7 && !memcmp(name, "[stack:", 7)))
		v->kind = PAGEMAP_VMA_ANON;
	else
		v->kind = PAGEMAP_VMA_SPECIAL;
	return 0;
}

int pagemap_parse_maps(const char *buf, size_t len, struct pagemap_vma **out, size_t *n)
{
	const char *p = buf, *end = buf + len;
	struct pagemap_vma *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		struct pagemap_vma vma;

		if (!nl)
			break;	/* a truncated last line: leave it out */
		rc = parse_maps_line(p, le, &vma);
		if (rc)
			break;
		/* a racy read can repeat or overlap a VMA: keep the address order strict */
		if (!cnt || vma.start >= v[cnt - 1].end) {
			if (util_grow(&v, &cap, cnt, 64, sizeof(*v))) {
				free(v);
				return -ENOMEM;
			}
			v[cnt++] = vma;
		}
		p = nl + 1;
	}
	*out = v;
	*n = cnt;
	return rc;
}

/* ---- one task ------------------------------------------------------------------------ */

int pagemap_open(int rootfd, pid_t tgid, pid_t tid, uint64_t start_ticks,
		 struct pagemap_task *t)
{
	struct taskfiles_stat st;
	char buf[1024];
	size_t len;
	int rc;

	t->dirfd = t->pmfd = -1;
	t->no_scan = false;
	rc = taskfiles_open_task(rootfd, tgid, tid);
	if (rc < 0)
		return rc;
	t->dirfd = rc;
	rc = taskfiles_read(t->dirfd, "stat", buf, sizeof(buf), &len);
	if (!rc)
		rc = taskfiles_parse_stat(buf, len, &st);
	if (!rc && st.start != start_ticks)
		rc = -ESRCH;
	if (!rc) {
		t->pmfd = source_openat(t->dirfd, "pagemap", O_RDONLY | O_CLOEXEC);
		if (t->pmfd < 0)
			rc = -errno;
	}
	if (rc)
		pagemap_close(t);
	return rc;
}

void pagemap_close(struct pagemap_task *t)
{
	if (t->pmfd >= 0)
		close(t->pmfd);
	if (t->dirfd >= 0)
		close(t->dirfd);
	t->pmfd = t->dirfd = -1;
}

int pagemap_read_maps(struct pagemap_task *t, struct pagemap_vma **out, size_t *n)
{
	size_t cap = 64 << 10, off = 0, got;
	char *buf = NULL, *nb;
	int fd, rc = 0;

	*out = NULL;
	*n = 0;
	fd = source_openat(t->dirfd, "maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		/* first the buffer, then twice it each time the file filled it */
		if (buf && cap >= MAPS_MAX) {
			rc = -EFBIG;
			break;
		}
		if (buf)
			cap *= 2;
		nb = realloc(buf, cap);
		if (!nb) {
			rc = -ENOMEM;
			break;
		}
		buf = nb;
		rc = util_read_full(fd, buf + off, cap - off, -1, &got);
		off += got;
		if (rc || off < cap)
			break;	/* failed, or the end of the file */
	}
	close(fd);
	if (!rc) {
		rc = pagemap_parse_maps(buf, off, out, n);
		/* a zombie or exiting task reads as an empty file */
	}
	free(buf);
	return rc;
}

int pagemap_scan_present(struct pagemap_task *t, uint64_t lo, uint64_t hi,
			 struct pagemap_range **out, size_t *n, size_t *cap)
{
	struct pagemap_scan_region vec[SCAN_VEC_LEN];
	uint64_t at = lo;

	if (t->no_scan)
		return -EOPNOTSUPP;
	while (at < hi) {
		struct pagemap_scan_arg a = {
			.size = sizeof(a),
			.start = at,
			.end = hi,
			.vec = (uint64_t)(uintptr_t)vec,
			.vec_len = SCAN_VEC_LEN,
			.category_inverted = PAGE_IS_PFNZERO,
			.category_mask = PAGE_IS_PRESENT | PAGE_IS_PFNZERO,
			.return_mask = PAGE_IS_PRESENT,
		};
		int r;

		/* the kernel writes vec through a pointer in a; tools such as valgrind do not
		 * know this ioctl, and would take the regions for uninitialised memory */
		memset(vec, 0, sizeof(vec));
		r = ioctl(t->pmfd, PAGEMAP_SCAN_IOCTL, &a);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOTTY || errno == EINVAL || errno == EOPNOTSUPP) {
				t->no_scan = true;
				return -EOPNOTSUPP;
			}
			return -errno;
		}
		for (int i = 0; i < r && i < SCAN_VEC_LEN; i++) {
			if (util_grow(out, cap, *n, 256, sizeof(**out)))
				return -ENOMEM;
			(*out)[*n].start = vec[i].start;
			(*out)[*n].end = vec[i].end;
			(*n)++;
		}
		if (a.walk_end <= at)
			return -EIO;	/* no progress: never loop forever */
		at = a.walk_end;
	}
	return 0;
}

int pagemap_read(struct pagemap_task *t, uint64_t addr, uint64_t *entries, size_t n,
		 size_t *got)
{
	long ps = sysconf(_SC_PAGESIZE);
	long long off = (long long)((addr / (uint64_t)ps) * sizeof(uint64_t));
	size_t done;
	int rc = util_read_full(t->pmfd, entries, n * sizeof(uint64_t), off, &done);

	*got = done / sizeof(uint64_t);
	return rc;
}

struct pid_list {
	pid_t *v;
	size_t n, cap;
};

static int pid_add(void *ctx, pid_t pid)
{
	struct pid_list *l = ctx;

	if (util_grow(&l->v, &l->cap, l->n, 256, sizeof(*l->v)))
		return -ENOMEM;
	l->v[l->n++] = pid;
	return 0;
}

int pagemap_list_processes(int rootfd, pid_t **out, size_t *n)
{
	struct pid_list l = { 0 };
	int rc = source_each_pid(rootfd, pid_add, &l);

	*out = NULL;
	*n = 0;
	if (rc) {
		free(l.v);
		return rc;
	}
	qsort(l.v, l.n, sizeof(*l.v), util_cmp_int);
	*out = l.v;
	*n = l.n;
	return 0;
}

int pagemap_pfns_visible(int rootfd)
{
	volatile uint64_t probe = 1;	/* a page of our stack: present */
	long ps = sysconf(_SC_PAGESIZE);
	uint64_t e = 0, addr = (uint64_t)(uintptr_t)&probe;
	int fd, rc = 0;
	ssize_t r;

	fd = openat(rootfd, "self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		r = pread(fd, &e, sizeof(e), (off_t)(addr / (uint64_t)ps * sizeof(e)));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		rc = -errno;
	else if (r != (ssize_t)sizeof(e) || !(e & PAGEMAP_PRESENT))
		rc = -EIO;
	else
		rc = (e & PAGEMAP_PFN_MASK) != 0;
	close(fd);
	(void)probe;
	return rc;
}

/* ---- physical frames ------------------------------------------------------------------ */

int pagemap_kpage_open(int rootfd, struct pagemap_kpage *k)
{
	int rc;

	k->count_fd = -1;
	k->flags_fd = source_openat(rootfd, "kpageflags", O_RDONLY | O_CLOEXEC);
	if (k->flags_fd < 0)
		return -errno;
	k->count_fd = source_openat(rootfd, "kpagecount", O_RDONLY | O_CLOEXEC);
	if (k->count_fd < 0) {
		rc = -errno;
		pagemap_kpage_close(k);
		return rc;
	}
	return 0;
}

void pagemap_kpage_close(struct pagemap_kpage *k)
{
	if (k->flags_fd >= 0)
		close(k->flags_fd);
	if (k->count_fd >= 0)
		close(k->count_fd);
	k->flags_fd = k->count_fd = -1;
}

static int kpage_pread(int fd, uint64_t pfn, size_t n, uint64_t *out)
{
	size_t done, want = n * sizeof(uint64_t);
	int rc = util_read_full(fd, out, want, (long long)(pfn * sizeof(uint64_t)), &done);

	if (rc)
		return rc;
	memset((char *)out + done, 0, want - done);	/* past the last frame */
	return 0;
}

int pagemap_kpage_read(const struct pagemap_kpage *k, uint64_t pfn, size_t n,
		       uint64_t *flags, uint64_t *counts)
{
	int rc = 0;

	if (pfn > PAGEMAP_PFN_MASK || n > PAGEMAP_PFN_MASK - pfn)
		return -ERANGE;
	if (flags)
		rc = kpage_pread(k->flags_fd, pfn, n, flags);
	if (!rc && counts)
		rc = kpage_pread(k->count_fd, pfn, n, counts);
	return rc;
}
