/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memmap.c - a process's memory map as rows: kinds, thread stacks, groups, totals */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/memmap.h"
#include "sample/procmap.h"

static const char *const kind_names[MEMMAP_NKINDS] = {
	[MEMMAP_CODE] = "code",
	[MEMMAP_DATA] = "data",
	[MEMMAP_HEAP] = "heap",
	[MEMMAP_STACK] = "stack",
	[MEMMAP_THREAD_STACK] = "thread-stack",
	[MEMMAP_ANON] = "anon",
	[MEMMAP_SHM] = "shm",
	[MEMMAP_FILE] = "file",
	[MEMMAP_KERNEL] = "kernel",
};

/* Shown for anonymous mappings without a name, and the name group of thread stacks. */
static const char anon_name[] = "[anon]";
static const char stacks_group[] = "[stack:*]";

const char *memmap_kind_name(enum memmap_kind k)
{
	return k < MEMMAP_NKINDS ? kind_names[k] : "?";
}

int memmap_parse_group(const char *s, enum memmap_group *g)
{
	if (!strcmp(s, "none"))
		*g = MEMMAP_GROUP_NONE;
	else if (!strcmp(s, "kind"))
		*g = MEMMAP_GROUP_KIND;
	else if (!strcmp(s, "name"))
		*g = MEMMAP_GROUP_NAME;
	else
		return -EINVAL;
	return 0;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

enum memmap_kind memmap_classify(const struct smaps_vma *v)
{
	const char *n = v->name;
	bool shared = v->perms[3] == 's';

	if (!n)
		return shared ? MEMMAP_SHM : MEMMAP_ANON;
	if (n[0] == '[') {
		if (!strcmp(n, "[heap]"))
			return MEMMAP_HEAP;
		if (!strcmp(n, "[stack]"))
			return MEMMAP_STACK;
		if (starts(n, "[anon_shmem:"))
			return MEMMAP_SHM;
		if (starts(n, "[anon:"))
			return shared ? MEMMAP_SHM : MEMMAP_ANON;
		return MEMMAP_KERNEL;
	}
	/* shmem: shared anonymous memory shows as the deleted /dev/zero */
	if (!strcmp(n, "/dev/zero"))
		return shared ? MEMMAP_SHM : MEMMAP_ANON;
	if (starts(n, "/SYSV") || starts(n, "/memfd:") || starts(n, "/dev/shm/"))
		return MEMMAP_SHM;
	if (v->perms[2] == 'x')
		return MEMMAP_CODE;
	/* written private file pages: .data, and RELRO parts that the loader wrote before it
	 * made them read-only (their copies count as Anonymous) */
	if (!shared && (v->perms[1] == 'w' || v->mem.anonymous))
		return MEMMAP_DATA;
	return MEMMAP_FILE;
}

static void mem_add(struct smaps_mem *a, const struct smaps_mem *b)
{
	a->size += b->size;
	a->rss += b->rss;
	a->pss += b->pss;
	a->pss_anon += b->pss_anon;
	a->pss_file += b->pss_file;
	a->pss_shmem += b->pss_shmem;
	a->shared_clean += b->shared_clean;
	a->shared_dirty += b->shared_dirty;
	a->private_clean += b->private_clean;
	a->private_dirty += b->private_dirty;
	a->referenced += b->referenced;
	a->anonymous += b->anonymous;
	a->lazyfree += b->lazyfree;
	a->anon_huge += b->anon_huge;
	a->shmem_pmd += b->shmem_pmd;
	a->file_pmd += b->file_pmd;
	a->shared_hugetlb += b->shared_hugetlb;
	a->private_hugetlb += b->private_hugetlb;
	a->swap += b->swap;
	a->swap_pss += b->swap_pss;
	a->locked += b->locked;
}

/* Printable ASCII that util_sanitize leaves as it is (it doubles a backslash). */
static bool ascii_printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e || s[i] == '\\')
			return false;
	return true;
}

/* The shown name of a mapping: sanitized, " (deleted)" put back, "[anon]" for none.
 * Nearly every name has nothing to escape: the row shows the mapping's own name then,
 * or anon_name (neither is freed with the row: see row_name_free). */
static char *shown_name(const struct smaps_vma *v)
{
	static const char del[] = " (deleted)";
	size_t n;
	char *s;

	if (!v->name)
		return (char *)anon_name;
	n = strlen(v->name);
	if (ascii_printable(v->name, n)) {
		if (!v->deleted)
			return v->name;
		s = malloc(n + sizeof(del));
		if (s) {
			memcpy(s, v->name, n);
			memcpy(s + n, del, sizeof(del));
		}
		return s;
	}
	if (n > (SIZE_MAX - sizeof(del)) / 6)
		return NULL;
	s = malloc(n * 6 + sizeof(del));	/* util_sanitize's worst case, plus the suffix */
	if (!s)
		return NULL;
	n = util_sanitize(v->name, n, s, n * 6 + 1);
	if (v->deleted)
		memcpy(s + n, del, sizeof(del));
	return s;
}

/* The row holding address a, or -1. */
static ssize_t find_row(const struct memmap *mm, uint64_t a)
{
	size_t lo = 0, hi = mm->nrows;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct smaps_vma *v = mm->rows[mid].vma;

		if (a < v->start)
			hi = mid;
		else if (a >= v->end)
			lo = mid + 1;
		else
			return (ssize_t)mid;
	}
	return -1;
}

/* Free a mapping row's name unless it is its mapping's or anon_name (shown_name). */
static void row_name_free(struct memmap_row *r)
{
	if (r->name != anon_name && (!r->vma || r->name != r->vma->name))
		free(r->name);
	r->name = NULL;
}

/* Name the thread-stack rows "[stack:TID,...]" (+ " [anon:NAME]" if it had a name). */
static int label_stacks(struct memmap *mm)
{
	for (size_t i = 0; i < mm->nrows; i++) {
		struct memmap_row *r = &mm->rows[i];
		size_t len, off, shown = 0;
		char *s;

		if (r->kind != MEMMAP_THREAD_STACK)
			continue;
		/* "[stack:" + up to 4 TIDs of 11 characters with a comma + ",...]" + " " + the
		 * old name */
		len = 8 + 4 * 12 + 5 + 1 + strlen(r->name) + 1;
		s = malloc(len);
		if (!s)
			return -ENOMEM;
		/* no snprintf: a label for each thread of a process */
		memcpy(s, "[stack:", 7);
		off = 7;
		for (size_t t = 0; t < mm->nthreads; t++) {
			char num[24];
			const char *d;

			if (mm->threads[t].row != (ssize_t)i)
				continue;
			if (shown == 4) {
				memcpy(s + off, ",...", 4);
				off += 4;
				break;
			}
			if (shown)
				s[off++] = ',';
			d = util_i64_dec((int)mm->threads[t].tid, num, sizeof(num));
			memcpy(s + off, d, strlen(d));
			off += strlen(d);
			shown++;
		}
		s[off++] = ']';
		s[off] = '\0';
		if (r->vma->name) {
			s[off++] = ' ';
			memcpy(s + off, r->name, strlen(r->name) + 1);
		}
		row_name_free(r);
		r->name = s;
		mm->stacks_labelled++;
	}
	return 0;
}

int memmap_build(struct memmap *mm, pid_t pid, struct smaps_map *map,
		 struct stackptr_thread *threads, size_t nthreads, int threads_rc)
{
	int rc = -ENOMEM;

	memset(mm, 0, sizeof(*mm));
	mm->pid = pid;
	mm->map = *map;
	memset(map, 0, sizeof(*map));
	mm->numa = mm->map.numa_rc == 0;
	mm->threads_rc = threads_rc;
	if (mm->map.n) {
		mm->rows = calloc(mm->map.n, sizeof(*mm->rows));
		if (!mm->rows)
			goto fail;
	}
	for (size_t i = 0; i < mm->map.n; i++) {
		const struct smaps_vma *v = &mm->map.vma[i];
		struct memmap_row *r = &mm->rows[i];

		r->vma = v;
		r->kind = memmap_classify(v);
		r->kinds = 1u << r->kind;
		r->nmaps = 1;
		r->mem = v->mem;
		r->node_pages = v->node_pages;
		r->nnodes = v->nnodes;
		r->name = shown_name(v);
		mm->nrows++;
		if (!r->name)
			goto fail;
		mem_add(&mm->total, &v->mem);
	}
	if (nthreads) {
		mm->threads = calloc(nthreads, sizeof(*mm->threads));
		if (!mm->threads)
			goto fail;
	}
	for (size_t t = 0; t < nthreads; t++) {
		struct memmap_thread *th = &mm->threads[t];
		struct memmap_row *r;

		th->tid = threads[t].tid;
		th->comm = threads[t].comm;
		threads[t].comm = NULL;
		th->minflt = threads[t].minflt;
		th->majflt = threads[t].majflt;
		th->sp_rc = threads[t].sp_rc;
		th->sp = threads[t].sp;
		th->row = -1;
		mm->nthreads++;
		if (th->sp_rc == -EACCES || th->sp_rc == -EPERM)
			mm->sp_denied++;
		else if (th->sp_rc == -EAGAIN)
			mm->sp_running++;
		else if (th->sp_rc)
			mm->sp_failed++;
		if (th->sp_rc)
			continue;
		th->row = find_row(mm, th->sp);
		if (th->row < 0)
			continue;
		r = &mm->rows[th->row];
		r->nstack_tids++;
		/* only anonymous private memory becomes a thread stack: a stack pointer in the
		 * heap or in a file (a coroutine, a signal stack) does not relabel them */
		if (r->kind == MEMMAP_ANON && r->vma->perms[3] == 'p') {
			r->kind = MEMMAP_THREAD_STACK;
			r->kinds = 1u << r->kind;
		}
	}
	rc = label_stacks(mm);
	if (rc)
		goto fail;
	return 0;
fail:
	memmap_free(mm);
	return rc;
}

/* a + b, or UINT64_MAX when it does not fit */
static uint64_t add_sat(uint64_t a, uint64_t b)
{
	uint64_t s;

	return __builtin_add_overflow(a, b, &s) ? UINT64_MAX : s;
}

int memmap_node_totals(const struct memmap *mm, uint64_t pagesize, struct memmap_nodes *out)
{
	int nnodes = 0;

	memset(out, 0, sizeof(*out));
	if (!mm->numa)
		return -ENODATA;
	for (size_t i = 0; i < mm->nrows; i++) {
		const struct memmap_row *r = &mm->rows[i];

		for (int n = 0; r->node_pages && n < r->nnodes; n++)
			if (r->node_pages[n] && n + 1 > nnodes)
				nnodes = n + 1;
	}
	if (!nnodes)
		return 0;
	out->bytes = calloc((size_t)MEMMAP_NKINDS * (size_t)nnodes, sizeof(*out->bytes));
	out->node_total = calloc((size_t)nnodes, sizeof(*out->node_total));
	if (!out->bytes || !out->node_total) {
		memmap_nodes_free(out);
		return -ENOMEM;
	}
	out->nnodes = nnodes;
	for (size_t i = 0; i < mm->nrows; i++) {
		const struct memmap_row *r = &mm->rows[i];
		uint64_t psz = r->vma && r->vma->node_pagesize ? r->vma->node_pagesize : pagesize;

		for (int n = 0; r->node_pages && n < r->nnodes; n++) {
			uint64_t b;
			uint64_t *cell = &out->bytes[(size_t)r->kind * (size_t)nnodes + (size_t)n];

			if (__builtin_mul_overflow(r->node_pages[n], psz, &b))
				b = UINT64_MAX;
			*cell = add_sat(*cell, b);
			out->node_total[n] = add_sat(out->node_total[n], b);
			out->kind_total[r->kind] = add_sat(out->kind_total[r->kind], b);
			out->total = add_sat(out->total, b);
		}
	}
	return 0;
}

void memmap_nodes_free(struct memmap_nodes *n)
{
	free(n->bytes);
	free(n->node_total);
	memset(n, 0, sizeof(*n));
}

void memmap_free(struct memmap *mm)
{
	for (size_t i = 0; i < mm->nrows; i++)
		row_name_free(&mm->rows[i]);
	free(mm->rows);
	for (size_t t = 0; t < mm->nthreads; t++)
		free(mm->threads[t].comm);
	free(mm->threads);
	smaps_map_free(&mm->map);
	memset(mm, 0, sizeof(*mm));
}

/* ---- groups ------------------------------------------------------------------------ */

void memmap_rows_free(struct memmap_row *rows, size_t nrows)
{
	for (size_t i = 0; i < nrows; i++) {
		free(rows[i].name);
		free(rows[i].node_pages);
	}
	free(rows);
}

/* Add a mapping row into a group row. */
static int group_add(struct memmap_row *g, const struct memmap_row *r, bool numa)
{
	if (!g->nmaps)
		g->kind = r->kind;
	g->kinds |= r->kinds;
	g->nmaps += r->nmaps;
	g->nstack_tids += r->nstack_tids;
	mem_add(&g->mem, &r->mem);
	if (!numa)
		return 0;
	if (!g->node_pages) {
		g->node_pages = calloc(1, sizeof(uint64_t));
		if (!g->node_pages)
			return -ENOMEM;
	}
	if (r->nnodes > g->nnodes) {
		uint64_t *np = realloc(g->node_pages, (size_t)r->nnodes * sizeof(*np));

		if (!np)
			return -ENOMEM;
		memset(np + g->nnodes, 0, (size_t)(r->nnodes - g->nnodes) * sizeof(*np));
		g->node_pages = np;
		g->nnodes = r->nnodes;
	}
	for (int n = 0; n < r->nnodes; n++)
		g->node_pages[n] += r->node_pages[n];
	return 0;
}

static const char *name_key(const struct memmap_row *r)
{
	return r->kind == MEMMAP_THREAD_STACK ? stacks_group : r->name;
}

static int cmp_key(const void *a, const void *b)
{
	const struct memmap_row *x = *(const struct memmap_row *const *)a;
	const struct memmap_row *y = *(const struct memmap_row *const *)b;

	return strcmp(name_key(x), name_key(y));
}

static int cmp_rss_desc(const void *a, const void *b)
{
	const struct memmap_row *x = a, *y = b;

	if (x->mem.rss != y->mem.rss)
		return x->mem.rss < y->mem.rss ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int group_by_kind(const struct memmap *mm, struct memmap_row *g, size_t *n)
{
	struct memmap_row acc[MEMMAP_NKINDS];
	int rc = 0;

	memset(acc, 0, sizeof(acc));
	for (size_t i = 0; !rc && i < mm->nrows; i++)
		rc = group_add(&acc[mm->rows[i].kind], &mm->rows[i], mm->numa);
	/* in kind order, as the documentation lists them */
	for (size_t k = 0; k < MEMMAP_NKINDS; k++) {
		if (rc || !acc[k].nmaps) {
			free(acc[k].node_pages);
			continue;
		}
		acc[k].name = strdup(memmap_kind_name((enum memmap_kind)k));
		g[(*n)++] = acc[k];
		if (!acc[k].name)
			rc = -ENOMEM;
	}
	return rc;
}

static int group_by_name(const struct memmap *mm, struct memmap_row *g, size_t *n)
{
	const struct memmap_row **order;
	int rc = 0;

	order = malloc(mm->nrows * sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < mm->nrows; i++)
		order[i] = &mm->rows[i];
	qsort(order, mm->nrows, sizeof(*order), cmp_key);
	for (size_t i = 0; !rc && i < mm->nrows; i++) {
		if (!i || strcmp(name_key(order[i]), name_key(order[i - 1]))) {
			g[*n].name = strdup(name_key(order[i]));
			(*n)++;
			if (!g[*n - 1].name) {
				rc = -ENOMEM;
				break;
			}
		}
		rc = group_add(&g[*n - 1], order[i], mm->numa);
	}
	free(order);
	if (!rc)
		qsort(g, *n, sizeof(*g), cmp_rss_desc);
	return rc;
}

int memmap_group(const struct memmap *mm, enum memmap_group g, struct memmap_row **rows,
		 size_t *nrows)
{
	struct memmap_row *v;
	size_t n = 0;
	int rc;

	*rows = NULL;
	*nrows = 0;
	if (g == MEMMAP_GROUP_NONE || !mm->nrows)
		return 0;
	v = calloc(mm->nrows, sizeof(*v));	/* never more groups than mappings */
	if (!v)
		return -ENOMEM;
	rc = g == MEMMAP_GROUP_KIND ? group_by_kind(mm, v, &n) : group_by_name(mm, v, &n);
	if (rc) {
		memmap_rows_free(v, n);
		return rc;
	}
	*rows = v;
	*nrows = n;
	return 0;
}

/* ---- side by side ------------------------------------------------------------------ */

struct cmp_entry {
	const struct memmap_row *row;
	size_t proc;
};

static int cmp_entry_name(const void *a, const void *b)
{
	const struct cmp_entry *x = a, *y = b;
	int c = strcmp(x->row->name, y->row->name);

	if (c)
		return c;
	return (x->proc > y->proc) - (x->proc < y->proc);
}

static uint64_t cmp_max_rss(const struct memmap_cmp_row *r, size_t nprocs)
{
	uint64_t m = 0;

	for (size_t p = 0; p < nprocs; p++)
		if (r->rss[p] > m)
			m = r->rss[p];
	return m;
}

static int cmp_cmp_rows(const void *a, const void *b, void *arg)
{
	const struct memmap_cmp_row *x = a, *y = b;
	size_t nprocs = *(const size_t *)arg;
	uint64_t mx = cmp_max_rss(x, nprocs), my = cmp_max_rss(y, nprocs);

	if (mx != my)
		return mx < my ? 1 : -1;
	return strcmp(x->name, y->name);
}

void memmap_compare_free(struct memmap_cmp_row *rows, size_t nrows)
{
	for (size_t i = 0; i < nrows; i++) {
		free(rows[i].present);
		free(rows[i].rss);
		free(rows[i].pss);
	}
	free(rows);
}

int memmap_compare(struct memmap_row *const *groups, const size_t *ngroups, size_t nprocs,
		   struct memmap_cmp_row **rows, size_t *nrows)
{
	struct memmap_cmp_row *out = NULL;
	struct cmp_entry *e;
	size_t total = 0, k = 0, n = 0;

	*rows = NULL;
	*nrows = 0;
	for (size_t p = 0; p < nprocs; p++)
		if (groups[p])
			total += ngroups[p];
	if (!total)
		return 0;
	e = malloc(total * sizeof(*e));
	out = calloc(total, sizeof(*out));
	if (!e || !out)
		goto nomem;
	for (size_t p = 0; p < nprocs; p++)
		for (size_t i = 0; groups[p] && i < ngroups[p]; i++)
			e[k++] = (struct cmp_entry){ &groups[p][i], p };
	qsort(e, total, sizeof(*e), cmp_entry_name);
	for (size_t i = 0; i < total; i++) {
		struct memmap_cmp_row *r;

		if (!i || strcmp(e[i].row->name, e[i - 1].row->name)) {
			r = &out[n++];
			r->name = e[i].row->name;
			r->present = calloc(nprocs, sizeof(*r->present));
			r->rss = calloc(nprocs, sizeof(*r->rss));
			r->pss = calloc(nprocs, sizeof(*r->pss));
			if (!r->present || !r->rss || !r->pss)
				goto nomem;
		}
		r = &out[n - 1];
		r->kinds |= e[i].row->kinds;
		r->present[e[i].proc] = true;
		r->rss[e[i].proc] += e[i].row->mem.rss;
		r->pss[e[i].proc] += e[i].row->mem.pss;
	}
	free(e);
	qsort_r(out, n, sizeof(*out), cmp_cmp_rows, &nprocs);
	*rows = out;
	*nrows = n;
	return 0;
nomem:
	free(e);
	if (out)
		memmap_compare_free(out, total);
	return -ENOMEM;
}

int memmap_load_once(int rootfd, pid_t id, unsigned want, struct util_pidset *seen,
		     struct memmap_loaded *out)
{
	unsigned pw = ((want & MEMMAP_LOAD_NUMA) ? PROCMAP_NUMA : 0) |
		      ((want & MEMMAP_LOAD_STACKS) ? PROCMAP_STACKS : 0) |
		      ((want & MEMMAP_LOAD_NAMES) ? PROCMAP_NAMES : 0);
	struct procmap pm;
	int rc;

	memset(out, 0, sizeof(*out));
	out->pid = id;
	rc = procmap_read_once(rootfd, id, pw, seen, &pm);
	if (rc == -ENOMEM || rc == -EEXIST)
		return rc;
	if (rc) {
		out->err = rc;
		return 0;
	}
	out->pid = pm.pid;
	out->comm = util_sanitize_dup(pm.comm, strlen(pm.comm));
	out->nthreads = pm.nthreads ? (long)pm.nthreads : pm.nlwp;
	out->err = pm.map_rc;
	out->truncated = !pm.map_rc && pm.map.truncated;
	out->cut = pm.map.cut;
	rc = out->comm ? 0 : -ENOMEM;
	if (!rc && !out->err)
		rc = memmap_build(&out->mm, pm.pid, &pm.map, pm.threads, pm.nthreads,
				  pm.threads_rc);
	procmap_free(&pm);
	if (rc)
		memmap_loaded_free(out);
	return rc;
}

int memmap_load(int rootfd, pid_t id, unsigned want, struct memmap_loaded *out)
{
	return memmap_load_once(rootfd, id, want, NULL, out);
}

void memmap_loaded_free(struct memmap_loaded *l)
{
	memmap_free(&l->mm);
	free(l->comm);
	l->comm = NULL;
}

/* The word and the sentence for each way a map is cut, in one place. */
static const struct {
	const char *word, *text;
} cut_names[] = {
	[SMAPS_CUT_SHORT] = { "cut short", "cut short: its last, partial mapping is left out" },
	[SMAPS_CUT_TOO_LONG] = { "too long", "longer than 256 MiB of text: the rest is left out" },
	[SMAPS_CUT_EXITED] = { "exited", "the process exited while it was read" },
	[SMAPS_CUT_EXECED] = { "exec", "the process executed another program while it was read" },
};

const char *memmap_cut_word(enum smaps_cut c)
{
	return (size_t)c < ARRAY_SIZE(cut_names) && cut_names[c].word ? cut_names[c].word
								       : cut_names[SMAPS_CUT_SHORT].word;
}

const char *memmap_cut_text(enum smaps_cut c)
{
	return (size_t)c < ARRAY_SIZE(cut_names) && cut_names[c].text ? cut_names[c].text
								       : cut_names[SMAPS_CUT_SHORT].text;
}
