/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shareall.c - one process against every other: who maps the same pages, who shares its resources
 *
 * X's pages are read once and kept as a sorted set of keys (page frames as root, the
 * estimate's file/address keys otherwise). As root, kpagecount then says which of X's
 * frames anybody else maps at all: only those can be shared, and only those are kept (with
 * their kind, from kpageflags), so a process that shares little costs little. Every other
 * process's pagemap is then read once and each of its entries looked up in that set (a
 * bloom filter first, a binary search on a hit); the indices found, sorted and made
 * distinct, are the pages it shares with X. Memory: X's candidate pages and one process's
 * hits at a time, never every process's pages. kcmp(2) against X's main thread tells the
 * kernel resources each one shares with X. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "model/sharemem.h"
#include "model/sharing.h"
#include "sample/kcmp.h"
#include "sample/pagemap.h"
#include "sample/taskfiles.h"

#define PF_KTHREAD	0x00200000UL	/* stat flags: a kernel thread */
#define KPAGE_BATCH	65536		/* frames per kpage* lookup */

/* the kind byte of a candidate page */
enum { KIND_ANON, KIND_FILE, KIND_SHMEM };

struct candidates {
	uint64_t *keys;			/* X's pages others may map, sorted */
	unsigned char *kind;		/* KIND_* of each */
	size_t n;
	uint64_t mask;
	uint64_t *bloom;
	uint64_t bloom_mask;
};

static void count_kind(uint64_t *kind, int k, uint64_t bytes)
{
	if (k == KIND_ANON)
		kind[SHARING_ANON] += bytes;
	else if (k == KIND_SHMEM)
		kind[SHARING_SHMEM] += bytes;
	else
		kind[SHARING_FILE] += bytes;
}

/* Exact: keep the frames kpagecount says another mapping holds too, with their kind. */
static int exact_candidates(int rootfd, struct sharing_against *ag, struct sharemem_set *set,
			    struct candidates *cd)
{
	struct pagemap_kpage kp = { -1, -1 };
	uint64_t *pfn = NULL, *flags = NULL, *counts = NULL, ps = ag->page_size;
	size_t w = 0;
	int rc = 0;

	cd->kind = malloc(set->n ? set->n : 1);
	if (!cd->kind)
		return -ENOMEM;
	ag->kpage_rc = pagemap_kpage_open(rootfd, &kp);
	if (!ag->kpage_rc) {
		pfn = malloc(KPAGE_BATCH * sizeof(*pfn));
		flags = malloc(KPAGE_BATCH * sizeof(*flags));
		counts = malloc(KPAGE_BATCH * sizeof(*counts));
		if (!pfn || !flags || !counts) {
			rc = -ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < set->n; i += KPAGE_BATCH) {
		size_t m = set->n - i < KPAGE_BATCH ? set->n - i : KPAGE_BATCH;

		if (!ag->kpage_rc) {
			for (size_t k = 0; k < m; k++)
				pfn[k] = (set->v[i + k] & SHAREMEM_FRAME_MASK) >> 2;
			ag->kpage_rc = sharemem_read_kpage(&kp, pfn, m, flags, counts);
		}
		for (size_t k = 0; k < m; k++) {
			uint64_t key = set->v[i + k];
			unsigned mult = sharemem_mult(key) ? sharemem_mult(key) : 1;
			bool anon_excl = (key & (SHAREMEM_ANON | SHAREMEM_EXCL)) ==
					 (SHAREMEM_ANON | SHAREMEM_EXCL);
			int kind = key & SHAREMEM_ANON ? KIND_ANON : KIND_FILE;

			ag->rss += ps;
			if (!ag->kpage_rc) {
				uint64_t f = flags[k];

				if (f & (UINT64_C(1) << KPF_ZERO_PAGE)) {
					ag->rss -= ps;
					continue;
				}
				kind = f & (UINT64_C(1) << KPF_ANON) ? KIND_ANON :
				       f & (UINT64_C(1) << KPF_SWAPBACKED) ? KIND_SHMEM : KIND_FILE;
				if (counts[k] <= mult) {
					/* nobody else maps it */
					if (kind == KIND_ANON)
						ag->frees += ps;
					continue;
				}
			} else if (anon_excl && mult <= 1) {
				ag->frees += ps;	/* mapped once in the system */
				continue;
			}
			ag->shared += ps;
			count_kind(ag->kind, kind, ps);
			cd->keys[w] = key;
			cd->kind[w++] = (unsigned char)kind;
		}
	}
	ag->kinds_known = !ag->kpage_rc;
	cd->n = w;
out:
	pagemap_kpage_close(&kp);
	free(pfn);
	free(flags);
	free(counts);
	return rc;
}

/* Estimate: every key is a page another process may map (exclusive ones were not kept). */
static int estimate_candidates(struct sharing_against *ag, const struct sharemem_read *xr,
			       struct candidates *cd)
{
	uint64_t ps = ag->page_size;

	cd->kind = malloc(cd->n ? cd->n : 1);
	if (!cd->kind)
		return -ENOMEM;
	for (size_t i = 0; i < cd->n; i++)
		cd->kind[i] = cd->keys[i] >> SHAREMEM_KEY_PAGE_BITS ? KIND_FILE : KIND_ANON;
	ag->rss = xr->present * ps;
	ag->frees = xr->excl_anon * ps;
	ag->kind[SHARING_ANON] = xr->nonexcl_anon * ps;
	ag->kind[SHARING_FILE] = xr->nonexcl_file * ps;
	ag->shared = ag->kind[SHARING_ANON] + ag->kind[SHARING_FILE];
	ag->kinds_known = true;
	return 0;
}

static int build_bloom(struct candidates *cd)
{
	size_t bits = 1u << 12;

	while (bits < cd->n * 8 && bits < ((size_t)1 << 34))
		bits <<= 1;
	cd->bloom = calloc(bits / 64, sizeof(*cd->bloom));
	if (!cd->bloom)
		return -ENOMEM;
	cd->bloom_mask = bits - 1;
	for (size_t i = 0; i < cd->n; i++) {
		uint64_t h = sharemem_hash(cd->keys[i] & cd->mask) & cd->bloom_mask;

		cd->bloom[h >> 6] |= UINT64_C(1) << (h & 63);
	}
	return 0;
}

static int cmp_partner(const void *a, const void *b)
{
	const struct sharing_partner *x = a, *y = b;
	int rx = __builtin_popcount(x->res), ry = __builtin_popcount(y->res);

	if (x->shared != y->shared)
		return x->shared > y->shared ? -1 : 1;
	if (rx != ry)
		return rx > ry ? -1 : 1;
	return UTIL_CMP(x->pid, y->pid);
}

static int partner_push(struct sharing_against *ag, size_t *cap, const struct sharing_partner *p)
{
	if (util_grow(&ag->partners, cap, ag->npartners, 32, sizeof(*ag->partners)))
		return -ENOMEM;
	ag->partners[ag->npartners++] = *p;
	return 0;
}

/* The kcmp resources process pid shares with X (bit per resource). */
static int kcmp_with(const struct sharing_against *ag, pid_t pid, unsigned *res)
{
	*res = 0;
	for (int r = 0; r < KCMP_RES_COUNT; r++) {
		int c;

		if (ag->none & (1u << r))
			continue;
		c = kcmp_compare(ag->pid, pid, (enum kcmp_res)r);
		if (c < 0)
			return c;
		if (c == 0)
			*res |= 1u << r;
	}
	return 0;
}

/* Which kcmp resources X lacks (IO, SYSVSEM): kcmp calls two tasks without one "the same". */
static void x_lacks(struct sharing_against *ag)
{
	struct kcmp_ref ref;

	if (kcmp_compare(getpid(), getpid(), KCMP_RES_VM) == -ENOSYS) {
		ag->kcmp_rc = -ENOSYS;
		return;
	}
	if (kcmp_ref_start(&ref))
		return;
	ag->none_known[KCMP_RES_IO] = ref.none_io;
	ag->none_known[KCMP_RES_SYSVSEM] = ref.none_sysvsem;
	if (ref.none_io && kcmp_compare(ag->pid, ref.tid[0], KCMP_RES_IO) == 0)
		ag->none |= 1u << KCMP_RES_IO;
	if (ref.none_sysvsem && kcmp_compare(ag->pid, ref.tid[0], KCMP_RES_SYSVSEM) == 0)
		ag->none |= 1u << KCMP_RES_SYSVSEM;
	kcmp_ref_stop(&ref);
}

/* One other process: its kcmp resources, and the pages of X it maps. */
static int against_one(int rootfd, struct sharing_against *ag, struct sharemem_reader *rd,
		       const struct candidates *cd, struct sharemem_read *hr, uint64_t **tmp,
		       size_t *tmpcap, pid_t pid, size_t *cap)
{
	struct sharing_partner p = { .pid = pid };
	struct taskfiles_stat st;
	bool scanned = true;
	int rc;

	rc = taskfiles_process_stat(rootfd, pid, &st);
	if (rc == -ENOENT || rc == -ESRCH) {
		ag->gone++;
		return 0;
	}
	if (rc == -ENOMEM)
		return rc;
	if (rc) {
		ag->processes++;
		ag->denied++;
		return 0;
	}
	if (st.flags & PF_KTHREAD) {
		ag->kthreads++;
		return 0;
	}
	if (st.state == 'Z' || st.state == 'X') {
		ag->zombies++;
		return 0;
	}
	ag->processes++;
	p.nthreads = st.nlwp;
	p.kcmp_rc = ag->kcmp_rc ? ag->kcmp_rc : kcmp_with(ag, pid, &p.res);
	if (p.kcmp_rc == -ESRCH) {
		ag->gone++;
		return 0;
	}
	if (p.res & (1u << KCMP_RES_VM)) {
		/* a CLONE_VM or vfork child: X's address space itself, every page */
		p.shared = ag->mem_rc ? 0 : ag->rss;
		p.same_vm = true;
		ag->compared++;
	} else if (!ag->mem_rc && cd->n) {
		hr->keys.n = 0;
		hr->present = 0;
		rc = sharemem_read_task(rootfd, rd, pid, pid, st.start, hr, &scanned);
		if (!scanned)
			ag->scanned = false;
		if (rc == -ENOMEM)
			return rc;
		if (rc == -ENOENT || rc == -ESRCH) {
			ag->gone++;
			return 0;
		}
		if (rc == -EACCES || rc == -EPERM)
			ag->denied++;
		else if (!rc)
			ag->compared++;
		if (!rc && hr->keys.n) {
			size_t n = hr->keys.n, w = 0;

			if (n > *tmpcap) {
				uint64_t *nt = realloc(*tmp, n * sizeof(*nt));

				if (!nt)
					return -ENOMEM;
				*tmp = nt;
				*tmpcap = n;
			}
			if (n > 64)
				sharemem_sort(hr->keys.v, n, *tmp);
			else
				qsort(hr->keys.v, n, sizeof(*hr->keys.v), util_cmp_u64);
			for (size_t i = 0; i < n; i++) {
				uint64_t at = hr->keys.v[i];

				if (w && hr->keys.v[w - 1] == at)
					continue;
				hr->keys.v[w++] = at;
				p.shared += ag->page_size;
				count_kind(p.kind, cd->kind[at], ag->page_size);
			}
		}
	}
	if (!p.shared && !p.res)
		return 0;
	p.comm = util_sanitize_dup(st.comm, strlen(st.comm));
	if (!p.comm)
		return -ENOMEM;
	rc = partner_push(ag, cap, &p);
	if (rc)
		free(p.comm);
	return rc;
}

/* The process id belongs to, and its stat: -ESRCH gone (or a zombie), -EOPNOTSUPP a kernel
 * thread (no address space). */
static int against_target(int rootfd, pid_t id, pid_t *tgid, struct taskfiles_stat *st)
{
	int rc = taskfiles_tgid(rootfd, id, tgid);

	if (!rc)
		rc = taskfiles_process_stat(rootfd, *tgid, st);
	if (rc == -ENOENT)
		return -ESRCH;
	if (rc)
		return rc;
	if (st->state == 'Z' || st->state == 'X')
		return -ESRCH;
	return (st->flags & PF_KTHREAD) ? -EOPNOTSUPP : 0;
}

int sharing_against_all(int rootfd, pid_t id, struct sharing_against *ag)
{
	struct sharemem_reader rd;
	struct sharemem_read xr, hr;
	struct sharemem_probe probe;
	struct candidates cd;
	struct taskfiles_stat st;
	uint64_t *tmp = NULL;
	size_t tmpcap = 0, cap = 0, nprocs = 0;
	pid_t *procs = NULL, tgid;
	bool exact;
	int rc;

	memset(ag, 0, sizeof(*ag));
	memset(&xr, 0, sizeof(xr));
	memset(&hr, 0, sizeof(hr));
	memset(&cd, 0, sizeof(cd));
	ag->page_size = (size_t)sysconf(_SC_PAGESIZE);
	ag->scanned = true;
	rc = against_target(rootfd, id, &tgid, &st);
	if (rc)
		return rc;
	ag->pid = tgid;
	ag->nthreads = st.nlwp;
	ag->comm = util_sanitize_dup(st.comm, strlen(st.comm));
	if (!ag->comm)
		return -ENOMEM;
	exact = pagemap_pfns_visible(rootfd) == 1;
	ag->method = exact ? SHARING_EXACT : SHARING_ESTIMATE;
	rc = sharemem_reader_init(&rd, exact, ag->page_size);
	if (rc)
		goto fail;
	x_lacks(ag);

	/* X's pages: sorted, distinct, then only those another process may map */
	ag->mem_rc = sharemem_read_task(rootfd, &rd, tgid, tgid, st.start, &xr, &ag->scanned);
	if (ag->mem_rc == -ENOMEM) {
		rc = -ENOMEM;
		goto fail;
	}
	if (ag->mem_rc == -ENOENT || ag->mem_rc == -ESRCH) {
		rc = -ESRCH;
		goto fail;
	}
	if (!ag->mem_rc) {
		tmp = malloc((xr.keys.n ? xr.keys.n : 1) * sizeof(*tmp));
		if (!tmp) {
			rc = -ENOMEM;
			goto fail;
		}
		tmpcap = xr.keys.n;
		sharemem_sort(xr.keys.v, xr.keys.n, tmp);
		cd.mask = exact ? SHAREMEM_FRAME_MASK : UINT64_MAX;
		xr.keys.n = sharemem_dedup(xr.keys.v, xr.keys.n, cd.mask, exact);
		cd.keys = xr.keys.v;
		cd.n = xr.keys.n;
		rc = exact ? exact_candidates(rootfd, ag, &xr.keys, &cd)
			   : estimate_candidates(ag, &xr, &cd);
		if (!rc)
			rc = build_bloom(&cd);
		if (rc)
			goto fail;
		probe = (struct sharemem_probe){ .keys = cd.keys, .n = cd.n, .mask = cd.mask,
						 .bloom = cd.bloom, .bloom_mask = cd.bloom_mask };
		rd.probe = &probe;
	}

	rc = pagemap_list_processes(rootfd, &procs, &nprocs);
	if (rc)
		goto fail;
	for (size_t i = 0; i < nprocs && !rc; i++)
		if (procs[i] != tgid && procs[i] != getpid())
			rc = against_one(rootfd, ag, &rd, &cd, &hr, &tmp, &tmpcap, procs[i], &cap);
	if (rc)
		goto fail;
	if (ag->npartners > 1)
		qsort(ag->partners, ag->npartners, sizeof(*ag->partners), cmp_partner);
	goto out;
fail:
	sharing_against_free(ag);
out:
	free(procs);
	free(tmp);
	free(xr.keys.v);
	free(hr.keys.v);
	free(cd.kind);
	free(cd.bloom);
	sharemem_reader_free(&rd);
	return rc;
}

void sharing_against_free(struct sharing_against *ag)
{
	for (size_t i = 0; i < ag->npartners; i++)
		free(ag->partners[i].comm);
	free(ag->partners);
	free(ag->comm);
	memset(ag, 0, sizeof(*ag));
}
