/* SPDX-License-Identifier: GPL-2.0-or-later */
/* keptfd.c - tasks' stat files kept open between refreshes, re-read with pread */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/spare.h"
#include "sample/keptfd.h"
#include "sample/source.h"

struct slot {
	pid_t tid;		/* 0: free */
	pid_t tgid;
	int fd;
	unsigned gen;		/* the pass that last read it */
	uint64_t start;		/* start time when opened: the task it belongs to */
	uint64_t tag;		/* keptfd_keep's tag (0 for stat files) */
};

struct keptfd {
	struct slot *v;
	size_t cap;		/* a power of two, or 0 */
	unsigned shift;		/* 32 - log2(cap) */
	size_t n;		/* slots in use */
	size_t dead;		/* ... of which the last pass closed (fd -1) */
	unsigned gen;
	size_t fallback, opened;
	bool last;		/* keptfd_last: files closed as soon as they are read */
	int upto;		/* keptfd_upto: the last field parsed (0: all) */
	size_t last_kept;	/* files that pass read within the budget (closed at once) */
	struct keptfd_member *members;	/* the last pass's tasks by process */
	size_t nmembers;
};

/* ---- the shared budget ---- */

static pthread_once_t limit_once = PTHREAD_ONCE_INIT;
static struct rlimit start_limit;	/* as taskscope started */
static bool have_start_limit;
static size_t budget;			/* descriptors all tables may hold */
static atomic_size_t held;		/* descriptors all tables hold */

static void raise_limit(void)
{
	struct rlimit rl;
	rlim_t cur;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	start_limit = rl;
	have_start_limit = true;
	if (rl.rlim_cur != rl.rlim_max) {
		struct rlimit nl = rl;

		nl.rlim_cur = rl.rlim_max;
		if (!setrlimit(RLIMIT_NOFILE, &nl))
			rl = nl;
	}
	cur = rl.rlim_cur;
	if (cur == RLIM_INFINITY || cur > (rlim_t)(SIZE_MAX / 2))
		cur = (rlim_t)(SIZE_MAX / 2);
	/* a small limit still leaves three quarters of it to the rest */
	budget = cur > 2 * KEPTFD_MARGIN ? (size_t)cur - KEPTFD_MARGIN : (size_t)cur / 4;
}

void keptfd_child_limit(void)
{
	if (have_start_limit)
		setrlimit(RLIMIT_NOFILE, &start_limit);
}

/* ---- the table: open addressing on the TID, linear probing ---- */

/* Fibonacci hashing of the ID's blocks of eight: each block's IDs in eight consecutive
 * slots (four cache lines, one page), the blocks spread over the table. A pass reads tasks
 * in ID order and finds the next one's slot in the cache instead of missing it on every
 * lookup (those misses were 1.7% of a one-shot thread view's CPU samples at 10,000 tasks,
 * keptfd_prefetch and this about a fifth of that); spread, IDs that
 * differ by a multiple of the table's size do not all land in one probe run, and runs stay
 * short (a run of thousands of consecutive IDs in consecutive slots would make every miss,
 * insertion and removal walk it). The table has at least 1024 slots. */
static size_t hash(const struct keptfd *k, pid_t tid)
{
	uint32_t id = (uint32_t)tid;

	return (size_t)((((id >> 3) * 2654435761u) >> (k->shift + 3)) << 3 | (id & 7));
}

static struct slot *find(const struct keptfd *k, pid_t tid)
{
	if (!k->cap)
		return NULL;
	for (size_t i = hash(k, tid);; i = (i + 1) & (k->cap - 1)) {
		if (k->v[i].tid == tid)
			return &k->v[i];
		if (!k->v[i].tid)
			return NULL;
	}
}

static void put(struct keptfd *k, const struct slot *s)
{
	size_t i = hash(k, s->tid);

	while (k->v[i].tid)
		i = (i + 1) & (k->cap - 1);
	k->v[i] = *s;
	k->n++;
}

/* The table at cap slots (a power of two, at least 1024), its entries moved over. */
static int resize(struct keptfd *k, size_t cap)
{
	size_t old = k->cap;
	struct slot *v = calloc(cap, sizeof(*v)), *ov = k->v;

	if (!v)
		return -ENOMEM;
	/* each page written now: a fresh page first read (a lookup that misses) and then
	 * written (the insertion) is faulted in twice, once for the zero page (a third of a
	 * one-shot run's page faults went to this table) */
	for (size_t off = 0; off < cap * sizeof(*v); off += 4096)
		((volatile char *)v)[off] = 0;
	k->v = v;
	k->cap = cap;
	k->shift = 32;
	for (size_t c = cap; c > 1; c >>= 1)
		k->shift--;
	k->n = 0;
	for (size_t i = 0; i < old; i++)
		if (ov[i].tid)
			put(k, &ov[i]);
	free(ov);
	return 0;
}

static int grow(struct keptfd *k)
{
	return resize(k, k->cap ? k->cap * 2 : 1024);
}

/* Close the slot's file (unless the last pass closed it already: fd -1) and remove it,
 * moving back the entries of its probe run. */
static void drop(struct keptfd *k, struct slot *s)
{
	size_t i = (size_t)(s - k->v), j = i;

	if (s->fd >= 0) {
		close(s->fd);
		atomic_fetch_sub(&held, 1);
	} else {
		k->dead--;
	}
	k->v[i].tid = 0;
	k->n--;
	for (;;) {
		size_t h;

		j = (j + 1) & (k->cap - 1);
		if (!k->v[j].tid)
			return;
		h = hash(k, k->v[j].tid);
		/* j may move to the hole at i unless its home lies cyclically in (i, j] */
		if (i <= j ? (h > i && h <= j) : (h > i || h <= j))
			continue;
		k->v[i] = k->v[j];
		k->v[j].tid = 0;
		i = j;
	}
}

/* In the last pass: the file was read, close it now (hot, cheaper than at the end). The
 * slot stays, its file -1, so that no probe run is moved (as drop would, each time). */
static void last_read(struct keptfd *k, struct slot *s)
{
	close(s->fd);
	atomic_fetch_sub(&held, 1);
	s->fd = -1;
	k->dead++;
	k->last_kept++;
}

/* ---- the public part ---- */

int keptfd_new(struct keptfd **out)
{
	struct keptfd *k;

	pthread_once(&limit_once, raise_limit);
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	*out = k;
	return 0;
}

void keptfd_free(struct keptfd *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->cap; i++) {
		if (k->v[i].tid && k->v[i].fd >= 0) {
			close(k->v[i].fd);
			atomic_fetch_sub(&held, 1);
		}
	}
	free(k->v);
	free(k->members);
	free(k);
}

void keptfd_expect(struct keptfd *k, size_t n)
{
	size_t cap = 1024;

	pthread_once(&limit_once, raise_limit);
	if (k->last && !k->n)
		return;		/* a single pass (-n 1 without priming) keeps nothing: no table */
	if (n > budget)
		n = budget;	/* no more are kept */
	while (cap < SIZE_MAX / 4 && cap < 2 * (n + 1))
		cap *= 2;
	if (cap > k->cap)
		resize(k, cap);	/* without memory: grown as needed later, or not */
}

void keptfd_begin(struct keptfd *k)
{
	k->gen++;
	k->fallback = 0;
	k->opened = 0;
	k->last_kept = 0;
}

void keptfd_upto(struct keptfd *k, int field)
{
	k->upto = field;
}

void keptfd_last(struct keptfd *k)
{
	k->last = true;
}

bool keptfd_is_last(const struct keptfd *k)
{
	return k->last;
}

void keptfd_end(struct keptfd *k)
{
	/* a drop moves later entries back, maybe to where the scan has been: the slot is
	 * looked at again until it holds a task of this pass or nothing */
	for (size_t i = 0; i < k->cap; i++)
		while (k->v[i].tid && k->v[i].gen != k->gen)
			drop(k, &k->v[i]);
}

void keptfd_counts(const struct keptfd *k, struct keptfd_counts *c)
{
	c->open = k->n - k->dead + k->last_kept;
	c->fallback = k->fallback;
	c->opened = k->opened;
	c->budget = budget;
}

/* One read of a stat file from its start into buf, parsed up to field k->upto. */
static int read_parse(const struct keptfd *k, int fd, struct taskfiles_stat *st)
{
	char buf[1024];
	ssize_t len;

	do
		len = pread(fd, buf, sizeof(buf) - 1, 0);
	while (len < 0 && errno == EINTR);
	if (len <= 0)
		return len < 0 ? -errno : -ESRCH;
	buf[len] = '\0';
	return taskfiles_parse_stat_upto(buf, (size_t)len, k->upto ? k->upto : 41, st);
}

void keptfd_prefetch(const struct keptfd *k, pid_t tid)
{
	if (k->cap)
		__builtin_prefetch(&k->v[hash(k, tid)]);
}

int keptfd_reread(struct keptfd *k, pid_t tgid, pid_t tid, struct taskfiles_stat *st)
{
	struct slot *s = find(k, tid);
	int rc;

	if (!s || s->fd < 0) {
		if (s)
			drop(k, s);	/* closed by the last pass: read again, it is opened */
		return -ENOENT;
	}
	rc = s->tgid == tgid ? read_parse(k, s->fd, st) : -ESRCH;
	if (!rc && (st->pid != tid || st->start != s->start))
		rc = -ESRCH;
	if (rc) {
		drop(k, s);
		return rc == -ENOENT ? -ESRCH : rc;
	}
	s->gen = k->gen;
	if (k->last)
		last_read(k, s);
	return 0;
}

int keptfd_stat(struct keptfd *k, int dirfd, const char *path, pid_t tgid, pid_t tid,
		struct taskfiles_stat *st)
{
	struct slot ns;
	int fd, rc;

	/* a kept file that fails (ended: ESRCH, or no longer what was opened) is closed by
	 * keptfd_reread: never read through it again, open the path */
	if (!keptfd_reread(k, tgid, tid, st))
		return 0;
	fd = source_openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;	/* exited since the directory was listed */
	k->opened++;
	rc = read_parse(k, fd, st);
	if (rc || st->pid != tid) {
		close(fd);
		return rc ? rc : -ESRCH;
	}
	if (k->last) {
		/* no later pass to keep it for: counted as the pass before would have */
		if (atomic_load(&held) + k->last_kept >= budget)
			k->fallback++;
		else
			k->last_kept++;
		close(fd);
		return 0;
	}
	if (atomic_fetch_add(&held, 1) >= budget ||
	    ((k->n + 1) * 2 > k->cap && grow(k))) {
		atomic_fetch_sub(&held, 1);
		close(fd);
		k->fallback++;
		return 0;
	}
	ns = (struct slot){ .tid = tid, .tgid = tgid, .fd = fd, .gen = k->gen,
			    .start = st->start };
	put(k, &ns);
	return 0;
}

void keptfd_members_set(struct keptfd *k, struct keptfd_member *v, size_t n)
{
	spare_put(k->members);
	k->members = v;
	k->nmembers = v ? n : 0;
}

const struct keptfd_member *keptfd_members(const struct keptfd *k, pid_t tgid, size_t *n)
{
	size_t lo = 0, hi = k->nmembers, end;

	while (lo < hi) {	/* the first entry of tgid, or where it would be */
		size_t mid = lo + (hi - lo) / 2;

		if (k->members[mid].tgid < tgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < k->nmembers && k->members[end].tgid == tgid; end++)
		;
	*n = end - lo;
	return *n ? &k->members[lo] : NULL;
}

int keptfd_find(struct keptfd *k, pid_t tid, uint64_t start, uint64_t tag)
{
	struct slot *s = find(k, tid);

	if (!s)
		return -ENOENT;
	if (s->fd < 0 || s->start != start || s->tag != tag) {
		drop(k, s);	/* an earlier task of this ID (it ended), or another tag */
		return -ENOENT;
	}
	s->gen = k->gen;
	return s->fd;
}

int keptfd_keep(struct keptfd *k, pid_t tgid, pid_t tid, uint64_t start, uint64_t tag, int fd)
{
	struct slot ns = { .tid = tid, .tgid = tgid, .fd = fd, .gen = k->gen, .start = start,
			   .tag = tag };
	struct slot *s = find(k, tid);

	if (s)
		drop(k, s);
	k->opened++;
	if (atomic_fetch_add(&held, 1) >= budget ||
	    ((k->n + 1) * 2 > k->cap && grow(k))) {
		atomic_fetch_sub(&held, 1);
		k->fallback++;
		return -EMFILE;
	}
	put(k, &ns);
	return 0;
}

void keptfd_forget(struct keptfd *k, pid_t tid)
{
	struct slot *s = find(k, tid);

	if (s)
		drop(k, s);
}
