/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_pagemap.c - unit tests of the pagemap/maps parsers, the sorted-set merge and kcmp grouping */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"
#include "model/comparison.h"
#include "model/sharing.h"
#include "model/snapshot.h"
#include "sample/kcmp.h"
#include "sample/pagemap.h"
#include "tap.h"

/* ---- pagemap entries ------------------------------------------------------------------------ */

static void test_decode(void)
{
	struct pagemap_entry e;
	uint64_t v;

	v = PAGEMAP_PRESENT | PAGEMAP_EXCLUSIVE | UINT64_C(0x123456789);
	pagemap_decode(v, &e);
	tap_ok(e.present && !e.swapped && !e.file && e.exclusive, "decode: present, exclusive");
	tap_is_u64(e.pfn, 0x123456789, "decode: PFN from bits 0-54");
	tap_is_u64(pagemap_pfn(v), 0x123456789, "pagemap_pfn of a present entry");

	v = PAGEMAP_PRESENT | PAGEMAP_FILE | PAGEMAP_SOFT_DIRTY | PAGEMAP_PFN_MASK;
	pagemap_decode(v, &e);
	tap_ok(e.present && e.file && e.soft_dirty && !e.exclusive && !e.uffd_wp,
	       "decode: file page, soft-dirty (bits 61, 55)");
	tap_is_u64(e.pfn, PAGEMAP_PFN_MASK, "decode: the largest PFN keeps all 55 bits");

	/* swap type in bits 0-4, offset in 5-54 */
	v = PAGEMAP_SWAP | (UINT64_C(0xabcde) << 5) | 3;
	pagemap_decode(v, &e);
	tap_ok(!e.present && e.swapped, "decode: swapped, not present");
	tap_is_u64(e.swap_type, 3, "decode: swap type");
	tap_is_u64(e.swap_offset, 0xabcde, "decode: swap offset");
	tap_is_u64(e.pfn, 0, "decode: no PFN for a swapped page");
	tap_is_u64(pagemap_pfn(v), 0, "pagemap_pfn of a swapped entry is 0");

	v = PAGEMAP_UFFD_WP | PAGEMAP_GUARD;
	pagemap_decode(v, &e);
	tap_ok(!e.present && e.uffd_wp && e.guard, "decode: uffd-wp (57) and guard (58)");

	pagemap_decode(PAGEMAP_PRESENT, &e);
	tap_ok(e.present && e.pfn == 0, "decode: PFN hidden (no CAP_SYS_ADMIN) reads 0");
	tap_is_u64(KPF_ANON, 12, "KPF_ANON is bit 12");
	tap_is_u64(KPF_SWAPBACKED, 14, "KPF_SWAPBACKED is bit 14");
	tap_is_u64(KPF_KSM, 21, "KPF_KSM is bit 21");
	tap_is_u64(KPF_THP, 22, "KPF_THP is bit 22");
	tap_is_u64(KPF_ZERO_PAGE, 24, "KPF_ZERO_PAGE is bit 24");
}

/* ---- maps ------------------------------------------------------------------------------------- */

static void test_maps(void)
{
	static const char text[] =
		"55d0c8a00000-55d0c8a04000 r--p 00000000 fe:00 5308490                    /usr/bin/x y\n"
		"55d0c8a04000-55d0c8a10000 r-xp 00004000 fe:00 5308490                    /usr/bin/x y\n"
		"55d0ca000000-55d0ca021000 rw-p 00000000 00:00 0                          [heap]\n"
		"7f0000000000-7f0002000000 rw-p 00000000 00:00 0 \n"
		"7f0002000000-7f0002001000 rw-s 00000000 00:01 1234                       /dev/zero (deleted)\n"
		"7f0002001000-7f0002002000 rw-p 00000000 00:00 0                          [anon:my\\012thing]\n"
		/* a racy read repeated the line above: left out */
		"7f0002001000-7f0002002000 rw-p 00000000 00:00 0                          [anon:my\\012thing]\n"
		"7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n"
		"7ffd00100000-7ffd00102000 r-xp 00000000 00:00 0                          [vdso]\n"
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";
	struct pagemap_vma *v = NULL;
	size_t n = 0;
	int rc;

	rc = pagemap_parse_maps(text, sizeof(text) - 1, &v, &n);
	tap_is_rc(rc, 0, "maps: parses");
	if (!tap_is_u64(n, 9, "maps: 9 VMAs (a repeated one left out)") || !v) {
		free(v);
		return;
	}
	tap_is_u64(v[0].start, 0x55d0c8a00000, "maps: start");
	tap_is_u64(v[0].end, 0x55d0c8a04000, "maps: end");
	tap_is_str(v[1].perms, "r-xp", "maps: perms");
	tap_is_u64(v[1].offset, 0x4000, "maps: offset (hex)");
	tap_is_u64(v[1].dev_major, 0xfe, "maps: device major (hex)");
	tap_is_u64(v[1].inode, 5308490, "maps: inode (decimal)");
	tap_ok(v[0].kind == PAGEMAP_VMA_FILE, "maps: a file");
	tap_ok(v[2].kind == PAGEMAP_VMA_ANON, "maps: [heap] is anonymous");
	tap_ok(v[3].kind == PAGEMAP_VMA_ANON && v[3].name_hash == 0,
	       "maps: no name is anonymous (trailing space)");
	tap_ok(v[4].kind == PAGEMAP_VMA_FILE && v[4].dev_minor == 1,
	       "maps: shared anonymous memory has a shmem inode");
	tap_ok(v[5].kind == PAGEMAP_VMA_ANON, "maps: [anon:NAME] is anonymous");
	tap_ok(v[6].kind == PAGEMAP_VMA_ANON, "maps: [stack] is anonymous");
	tap_ok(v[7].kind == PAGEMAP_VMA_SPECIAL && v[7].name_hash != 0,
	       "maps: [vdso] is special, told apart by its name");
	tap_ok(v[8].kind == PAGEMAP_VMA_GATE, "maps: [vsyscall] is outside the user range");
	free(v);

	/* a truncated last line is left out; a malformed line stops with -EINVAL */
	rc = pagemap_parse_maps(text, 80, &v, &n);
	tap_ok(rc == 0 && n == 0, "maps: a truncated single line gives nothing");
	free(v);
	{
		static const char bad[] =
			"1000-2000 r--p 00000000 fe:00 1 /a\n"
			"3000-2000 r--p 00000000 fe:00 1 /b\n";

		rc = pagemap_parse_maps(bad, sizeof(bad) - 1, &v, &n);
		tap_ok(rc == -EINVAL && n == 1, "maps: end before start is malformed; "
		       "the lines before it are kept");
		free(v);
	}
	{
		static const char huge[] =
			"11112222333344445-fffff r--p 00000000 fe:00 1 /a\n";

		rc = pagemap_parse_maps(huge, sizeof(huge) - 1, &v, &n);
		tap_ok(rc == -ERANGE && n == 0, "maps: an address past 64 bits is out of range");
		free(v);
	}
	{
		static const char nodig[] = "1000-2000 r--p 0000000g fe:00 1 /a\n";

		rc = pagemap_parse_maps(nodig, sizeof(nodig) - 1, &v, &n);
		tap_ok(rc == -EINVAL && n == 0, "maps: a bad offset is malformed");
		free(v);
	}
}

/* ---- sorted sets ---------------------------------------------------------------------------- */

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_sort(void)
{
	static const size_t sizes[] = { 0, 1, 2, 7, 1000, 100000 };
	static const uint64_t masks[] = { 0xff, 0xffffff, PAGEMAP_PFN_MASK, UINT64_MAX };

	for (size_t si = 0; si < ARRAY_SIZE(sizes); si++) {
		for (size_t mi = 0; mi < ARRAY_SIZE(masks); mi++) {
			size_t n = sizes[si];
			uint64_t *a = malloc((n + 1) * sizeof(*a)), *b = malloc((n + 1) * sizeof(*b));
			uint64_t *tmp = malloc((n + 1) * sizeof(*tmp));

			for (size_t i = 0; i < n; i++)
				a[i] = b[i] = rng() & masks[mi];
			sharemem_sort(a, n, tmp);
			qsort(b, n, sizeof(*b), util_cmp_u64);
			tap_ok(n == 0 || !memcmp(a, b, n * sizeof(*a)),
			       "radix sort of %zu values under mask %#llx matches qsort", n,
			       (unsigned long long)masks[mi]);
			free(a);
			free(b);
			free(tmp);
		}
	}
}

static void test_dedup(void)
{
	uint64_t v[] = { 1, 1, 1, 5, 9, 9, 12 };
	uint64_t w[] = { 4, 4, 4, 20, 36, 36, 48 };
	uint64_t f[] = { sharemem_frame_key(7, true, true), sharemem_frame_key(7, true, false),
			 sharemem_frame_key(8, true, true) };
	uint64_t big[600];
	size_t n;

	n = sharemem_dedup(v, ARRAY_SIZE(v), UINT64_MAX, false);
	tap_ok(n == 4 && v[0] == 1 && v[1] == 5 && v[2] == 9 && v[3] == 12,
	       "dedup: repeats dropped, order kept");
	n = sharemem_dedup(w, ARRAY_SIZE(w), SHAREMEM_FRAME_MASK, true);
	tap_ok(n == 4 && (w[0] & SHAREMEM_FRAME_MASK) == 4 && sharemem_mult(w[0]) == 3 &&
	       sharemem_mult(w[1]) == 1 && sharemem_mult(w[2]) == 2 &&
	       (w[3] & SHAREMEM_FRAME_MASK) == 48, "dedup: multiplicity in bits 55-63");
	n = sharemem_dedup(f, ARRAY_SIZE(f), SHAREMEM_FRAME_MASK, true);
	tap_ok(n == 2 && (f[0] & 3) == SHAREMEM_ANON && (f[1] & 3) == 3,
	       "dedup: a frame keeps the flags all its entries have");
	for (size_t i = 0; i < ARRAY_SIZE(big); i++)
		big[i] = 77 << 2;
	n = sharemem_dedup(big, ARRAY_SIZE(big), SHAREMEM_FRAME_MASK, true);
	tap_ok(n == 1 && sharemem_mult(big[0]) == 511 && (big[0] & SHAREMEM_FRAME_MASK) == 77 << 2,
	       "dedup: multiplicity saturates at 511");
	tap_is_u64(sharemem_dedup(big, 0, UINT64_MAX, true), 0, "dedup: empty");
	tap_is_u64(sharemem_frame_key(PAGEMAP_PFN_MASK >> 2, true, true) & SHAREMEM_FRAME_MASK,
		   (PAGEMAP_PFN_MASK >> 2) << 2, "frame key: a 53-bit frame number fits");
}

/* the merge's view of the pairs, and a count of keys per number of holders */
struct merge_check {
	size_t nsets;
	uint64_t *pair;		/* nsets x nsets */
	uint64_t keys;
	bool ascending, who_sorted, mult_ok;
	uint64_t last;
};

static void merge_visit(void *p, uint64_t key, const size_t *who, const uint64_t *raw, size_t k)
{
	struct merge_check *c = p;

	if (c->keys && key <= c->last)
		c->ascending = false;
	c->last = key;
	c->keys++;
	for (size_t i = 0; i < k; i++) {
		if (i && who[i] <= who[i - 1])
			c->who_sorted = false;
		if (sharemem_mult(raw[i]) != 1 + (key % 3 == 0) ||
		    (raw[i] & PAGEMAP_PFN_MASK) != key)
			c->mult_ok = false;
		for (size_t j = 0; j < k; j++)
			c->pair[who[i] * c->nsets + who[j]]++;
	}
}

/* two sorted distinct arrays: how many values both hold */
static uint64_t intersect(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	size_t i = 0, j = 0;
	uint64_t n = 0;

	while (i < na && j < nb) {
		uint64_t x = a[i] & PAGEMAP_PFN_MASK, y = b[j] & PAGEMAP_PFN_MASK;

		if (x == y) {
			n++;
			i++;
			j++;
		} else if (x < y) {
			i++;
		} else {
			j++;
		}
	}
	return n;
}

static void test_merge(void)
{
	static const size_t nsets_v[] = { 1, 2, 3, 5, 17 };

	for (size_t t = 0; t < ARRAY_SIZE(nsets_v); t++) {
		size_t ns = nsets_v[t];
		struct sharemem_set *sets = calloc(ns, sizeof(*sets));
		struct merge_check c = { .nsets = ns, .ascending = true, .who_sorted = true,
					 .mult_ok = true };
		uint64_t *tmp = malloc(8000 * sizeof(*tmp)), distinct = 0;
		bool pairs_ok = true;
		uint64_t *all = malloc(ns * 8000 * sizeof(*all));
		size_t nall = 0;
		int rc;

		c.pair = calloc(ns * ns, sizeof(*c.pair));
		for (size_t s = 0; s < ns; s++) {
			size_t n = 200 + rng() % 3000;

			sets[s].v = malloc(n * 2 * sizeof(uint64_t));
			/* keys from a small range, so that sets overlap; multiplicity 2 for
			 * keys divisible by 3 */
			for (size_t i = 0; i < n; i++) {
				uint64_t k = rng() % 5000;

				sets[s].v[sets[s].n++] = k;
				if (k % 3 == 0)
					sets[s].v[sets[s].n++] = k;
			}
			sharemem_sort(sets[s].v, sets[s].n, tmp);
			/* dedup counts repeats; the keys drawn twice by chance: keep 1-2 */
			{
				size_t w = 0;

				for (size_t i = 0; i < sets[s].n;) {
					size_t j = i + 1;

					while (j < sets[s].n && sets[s].v[j] == sets[s].v[i])
						j++;
					sets[s].v[w++] = sets[s].v[i] |
						(uint64_t)(1 + (sets[s].v[i] % 3 == 0)) << 55;
					i = j;
				}
				sets[s].n = w;
			}
			for (size_t i = 0; i < sets[s].n; i++)
				all[nall++] = sets[s].v[i] & PAGEMAP_PFN_MASK;
		}
		rc = sharemem_merge(sets, ns, PAGEMAP_PFN_MASK, merge_visit, &c);
		tap_is_rc(rc, 0, "merge of %zu sets: runs", ns);
		qsort(all, nall, sizeof(*all), util_cmp_u64);
		for (size_t i = 0; i < nall; i++)
			distinct += !i || all[i] != all[i - 1];
		tap_is_u64(c.keys, distinct, "merge of %zu sets: every distinct key once", ns);
		tap_ok(c.ascending && c.who_sorted, "merge of %zu sets: keys ascending, holders "
		       "in set order", ns);
		tap_ok(c.mult_ok, "merge of %zu sets: multiplicities from bits 55-63", ns);
		for (size_t a = 0; a < ns; a++)
			for (size_t b = 0; b < ns; b++)
				if (c.pair[a * ns + b] != intersect(sets[a].v, sets[a].n, sets[b].v,
								    sets[b].n))
					pairs_ok = false;
		tap_ok(pairs_ok, "merge of %zu sets: each pair's count is the sorted-merge "
		       "intersection of the two arrays", ns);
		for (size_t s = 0; s < ns; s++)
			free(sets[s].v);
		free(sets);
		free(c.pair);
		free(tmp);
		free(all);
	}
	{
		struct merge_check c = { .nsets = 1, .ascending = true, .who_sorted = true,
					 .mult_ok = true };
		uint64_t one = 0;

		c.pair = &one;
		tap_is_rc(sharemem_merge(NULL, 0, UINT64_MAX, merge_visit, &c), 0,
			  "merge of no sets");
		tap_is_u64(c.keys, 0, "merge of no sets visits nothing");
	}
}

/* ---- grouping --------------------------------------------------------------------------------- */

struct fake {
	const int *val;		/* items equal when their values are */
	size_t calls;
	bool unordered;		/* answer 3 for "different" */
	size_t fail_after;	/* fail with -ESRCH after this many calls (0: never) */
};

static int fake_cmp(void *p, size_t a, size_t b)
{
	struct fake *f = p;

	f->calls++;
	if (f->fail_after && f->calls > f->fail_after)
		return -ESRCH;
	if (f->val[a] == f->val[b])
		return 0;
	if (f->unordered)
		return 3;
	/* a scrambled but total order, like kcmp's obfuscated pointers */
	return ((unsigned)f->val[a] * 2654435761u) < ((unsigned)f->val[b] * 2654435761u) ? 1 : 2;
}

static bool groups_match(const int *val, const size_t *grp, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j += 7)
			if ((val[i] == val[j]) != (grp[i] == grp[j]))
				return false;
	return true;
}

static void test_group(void)
{
	const size_t n = 2000;
	int *val = malloc(n * sizeof(*val));
	size_t *grp = malloc(n * sizeof(*grp)), ng = 0;
	struct fake f = { .val = val };
	int rc;

	/* 2000 tasks in 37 address spaces */
	for (size_t i = 0; i < n; i++)
		val[i] = (int)(rng() % 37);
	rc = sharing_group(n, fake_cmp, &f, grp, &ng);
	tap_is_rc(rc, 0, "group: 2000 items");
	tap_is_u64(ng, 37, "group: 37 groups");
	tap_ok(groups_match(val, grp, n), "group: same group exactly when equal");
	tap_ok(f.calls < 2 * n * 11 + n, "group: O(n log n) comparisons (%zu for %zu items)",
	       f.calls, n);

	f.calls = 0;
	f.unordered = true;
	rc = sharing_group(n, fake_cmp, &f, grp, &ng);
	tap_ok(rc == 0 && ng == 37 && groups_match(val, grp, n),
	       "group: without an order, compared with each group's first");

	f.calls = 0;
	f.unordered = false;
	f.fail_after = 100;
	rc = sharing_group(n, fake_cmp, &f, grp, &ng);
	tap_is_rc(rc, -ESRCH, "group: a comparison's error comes back");

	f.fail_after = 0;
	rc = sharing_group(0, fake_cmp, &f, grp, &ng);
	tap_ok(rc == 0 && ng == 0, "group: no items, no groups");
	val[0] = 5;
	rc = sharing_group(1, fake_cmp, &f, grp, &ng);
	tap_ok(rc == 0 && ng == 1 && grp[0] == 0, "group: one item, one group");
	free(val);
	free(grp);
}

static void test_cells(void)
{
	const size_t one[] = { 4 }, two[] = { 4, 9 }, other[] = { 7 }, none[] = { 3 };

	tap_ok(sharing_cell_of(one, 1, one, 1, true, SIZE_MAX) == SHARING_SHARED,
	       "cell: one group with itself: shared");
	tap_ok(sharing_cell_of(two, 2, two, 2, true, SIZE_MAX) == SHARING_PARTLY,
	       "cell: threads that differ: partly");
	tap_ok(sharing_cell_of(one, 1, one, 1, false, SIZE_MAX) == SHARING_SHARED,
	       "cell: the same single group: shared");
	tap_ok(sharing_cell_of(one, 1, other, 1, false, SIZE_MAX) == SHARING_SEPARATE,
	       "cell: different groups: separate");
	tap_ok(sharing_cell_of(one, 1, two, 2, false, SIZE_MAX) == SHARING_PARTLY,
	       "cell: overlapping sets: partly");
	tap_ok(sharing_cell_of(none, 1, none, 1, false, 3) == SHARING_NONE,
	       "cell: both in the 'has none' group: none");
	tap_ok(sharing_cell_of(none, 1, none, 1, true, 3) == SHARING_NONE,
	       "cell: a space without one: none");
	tap_ok(sharing_cell_of(none, 1, one, 1, false, 3) == SHARING_SEPARATE,
	       "cell: one has none, the other has one: separate");
	tap_ok(sharing_cell_of(one, 0, one, 1, false, SIZE_MAX) == SHARING_UNKNOWN,
	       "cell: no groups known: unknown");
}

static void test_labels(void)
{
	char b[8];

	sharing_label(0, b, sizeof(b));
	tap_is_str(b, "A", "label 0");
	sharing_label(25, b, sizeof(b));
	tap_is_str(b, "Z", "label 25");
	sharing_label(26, b, sizeof(b));
	tap_is_str(b, "AA", "label 26");
	sharing_label(27, b, sizeof(b));
	tap_is_str(b, "AB", "label 27");
	sharing_label(26 + 26 * 26, b, sizeof(b));
	tap_is_str(b, "AAA", "label 702");
}

/* ---- kcmp on our own tasks -------------------------------------------------------------------- */

static int idle_tid;	/* set by idle_thread (atomic) */

static void *idle_thread(void *p)
{
	int fd = *(int *)p;
	char c;

	__atomic_store_n(&idle_tid, (int)gettid(), __ATOMIC_RELEASE);
	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void test_kcmp(void)
{
	int pfd[2];
	pthread_t th;
	pid_t child;
	int rc;

	rc = kcmp_compare(getpid(), getpid(), KCMP_RES_VM);
	if (rc == -ENOSYS) {
		tap_skip("kcmp(2) is not in this kernel (CONFIG_KCMP)");
		return;
	}
	tap_is_rc(rc, 0, "kcmp: a task shares its VM with itself");
	if (pipe(pfd))
		return;
	if (pthread_create(&th, NULL, idle_thread, &pfd[0]) == 0) {
		struct kcmp_ref ref;
		pid_t tid = 0;

		for (int tries = 0; tries < 5000 && !tid; tries++) {
			tid = __atomic_load_n(&idle_tid, __ATOMIC_ACQUIRE);
			if (!tid)
				usleep(1000);
		}
		if (tid) {
			tap_is_rc(kcmp_compare(getpid(), tid, KCMP_RES_VM), 0, "kcmp: a thread shares VM");
			tap_is_rc(kcmp_compare(getpid(), tid, KCMP_RES_FILES), 0,
				  "kcmp: a thread shares FILES");
			tap_is_rc(kcmp_compare(getpid(), tid, KCMP_RES_SIGHAND), 0,
				  "kcmp: a thread shares SIGHAND");
		} else {
			tap_skip("the thread did not start within 5 s");
		}
		rc = kcmp_ref_start(&ref);
		tap_is_rc(rc, 0, "kcmp: reference tasks start");
		if (!rc) {
			tap_ok(ref.none_sysvsem, "kcmp: a forked reference has no undo list");
			rc = kcmp_compare(ref.tid[0], getpid(), KCMP_RES_SYSVSEM);
			tap_ok(rc == 1 || rc == 2, "kcmp: a multi-threaded process has an undo "
			       "list, the reference none (%d)", rc);
			rc = kcmp_compare(ref.tid[0], ref.tid[1], KCMP_RES_VM);
			tap_ok(rc == 1 || rc == 2, "kcmp: forked processes do not share VM");
			kcmp_ref_stop(&ref);
			tap_ok(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD,
			       "kcmp: the reference processes are reaped");
		}
		close(pfd[1]);
		pthread_join(th, NULL);
		close(pfd[0]);
	}
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	if (child > 0) {
		rc = kcmp_compare(getpid(), child, KCMP_RES_FILES);
		tap_ok(rc == 1 || rc == 2, "kcmp: a forked child has its own FILES");
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		tap_is_rc(kcmp_compare(getpid(), child, KCMP_RES_VM), -ESRCH, "kcmp: gone is -ESRCH");
	}
}

/* compare's sides: a wrapper first seen while its child is a fork that has not run its
 * program yet (the same command line, a second address space), then waiting for that
 * program: a launcher from then on, and left out of the earlier sample as well. */
static void test_compare_launcher(void)
{
	struct comparison_side s;
	struct comparison_run run = { .wall = 1 };
	struct task t[2];
	struct snapshot sn = { .tasks = t, .ntasks = 2, .threads = true, .cpu_busy = -1 };
	char wrap[] = "wrap", wcmd[] = "/bin/sh ./wrap", work[] = "work", wkcmd[] = "work --run";
	pid_t child;

	if (kcmp_compare(getpid(), getpid(), KCMP_RES_VM) == -ENOSYS) {
		tap_skip("kcmp(2) is not in this kernel (CONFIG_KCMP)");
		return;
	}
	child = fork();
	if (child < 0)
		return;
	if (child == 0) {
		pause();
		_exit(0);
	}
	memset(t, 0, sizeof(t));
	t[0] = (struct task){ .tid = getpid(), .tgid = getpid(), .ppid = getppid(), .state = 'S',
			      .start_ticks = 1, .rss = 1000, .comm = wrap, .cmd = wcmd,
			      .smaps_av = TS_OK, .mem_av = TS_OK };
	t[1] = (struct task){ .tid = child, .tgid = child, .ppid = getpid(), .state = 'S',
			      .start_ticks = 2, .rss = 5000, .comm = wrap, .cmd = wcmd,
			      .smaps_av = TS_OK, .mem_av = TS_OK };
	if (comparison_side_init(&s, "A", "test", NULL, 0)) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return;
	}
	tap_is_rc(comparison_side_sample(&s, &sn), 0, "compare: the fork before its exec is sampled");
	t[1].comm = work;
	t[1].cmd = wkcmd;
	tap_is_rc(comparison_side_sample(&s, &sn), 0, "compare: the wrapper waiting is sampled");
	comparison_side_finish(&s, &run);
	tap_ok(s.launchers == 1, "compare: the wrapper is a launcher (%zu)", s.launchers);
	tap_ok(s.m[CMP_PROCS].known && s.m[CMP_PROCS].v == 1, "compare: 1 process (%g)",
	       s.m[CMP_PROCS].v);
	tap_ok(s.m[CMP_SPACES].known && s.m[CMP_SPACES].v == 1,
	       "compare: 1 address space, the first sample's wrapper left out too (%g)",
	       s.m[CMP_SPACES].v);
	tap_ok(s.m[CMP_RSS_PEAK].known && s.m[CMP_RSS_PEAK].v == 5000,
	       "compare: the RSS peak is the work's alone (%g)", s.m[CMP_RSS_PEAK].v);
	comparison_side_free(&s);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

int main(void)
{
	test_decode();
	test_maps();
	test_sort();
	test_dedup();
	test_merge();
	test_group();
	test_cells();
	test_labels();
	test_kcmp();
	test_compare_launcher();
	return tap_done();
}
