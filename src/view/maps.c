/* SPDX-License-Identifier: GPL-2.0-or-later */
/* maps.c - output of `taskscope maps`: tables (libsmartcols) and one JSON document */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/outfile.h"
#include "lib/util.h"
#include "view/maps.h"
#include "view/scolsout.h"

/* Footnotes of the threads' table: why a thread's stack is not known. */
enum {
	FN_SP_DENIED = 1u << 0,
	FN_SP_RUNNING = 1u << 1,
	FN_SP_NOMAP = 1u << 2,
	FN_SP_OTHER = 1u << 3,
};

/* ---- table helpers --------------------------------------------------------------------- */

/* Aligned or raw (view/scolsout.c: libsmartcols' output, without its width pass when the
 * output is not a terminal) */
static struct scolsout *table_new(const struct maps_view *v)
{
	return scolsout_new(v->raw);
}

static int table_column(struct scolsout *tb, const char *name, double whint, unsigned flags)
{
	int fl = 0;

	if (flags & CF_RIGHT)
		fl |= SCOLS_FL_RIGHT;
	if (flags & CF_TRUNC)
		fl |= SCOLS_FL_TRUNC;
	return scolsout_column(tb, name, whint, fl);
}

static int stream_rc(FILE *out)
{
	return outfile_error(out);	/* the cause: EPIPE, ENOSPC, ... */
}

static const char *size_text(const struct maps_view *v, uint64_t bytes, char *buf, size_t len)
{
	return v->bytes ? util_u64_dec(bytes, buf, len) : mapcols_size_human(bytes, buf, len);
}

/* ---- the rows of one process --------------------------------------------------------- */

/* Rows shown for p: the mappings, or the groups. */
static const struct memmap_row *shown_rows(const struct maps_view *v, const struct maps_proc *p,
					   size_t *n)
{
	if (v->group == MEMMAP_GROUP_NONE) {
		*n = p->mm->nrows;
		return p->mm->rows;
	}
	*n = p->ngroups;
	return p->groups;
}

static int rows_table(const struct maps_view *v, const struct maps_proc *p, unsigned *missing)
{
	struct scolsout *tb = table_new(v);
	const struct memmap_row *rows;
	size_t n;
	int rc = 0;

	if (!tb)
		return -ENOMEM;
	for (size_t i = 0; !rc && i < v->ncols; i++)
		rc = table_column(tb, v->cols[i]->name, v->cols[i]->whint, v->cols[i]->flags);
	rows = shown_rows(v, p, &n);
	for (size_t r = 0; !rc && r < n; r++) {
		rc = scolsout_line(tb);
		for (size_t i = 0; !rc && i < v->ncols; i++) {
			struct mapcols_cell c;
			char buf[32];
			const char *txt;

			c.av = TS_OK;
			c.u = 0;
			c.s = NULL;
			v->cols[i]->get(p->mm, &rows[r], &c);
			txt = mapcols_format(v->cols[i], &c, false, v->bytes, buf, sizeof(buf));
			if (!txt) {
				*missing |= 1u << (c.av == TS_OK ? TS_NA : c.av);
				txt = "-";
			}
			rc = v->cols[i]->flags & MCF_ASCII ? scolsout_set_ascii(tb, i, txt)
							   : scolsout_set(tb, i, txt);
		}
	}
	if (!rc)
		rc = scolsout_write(tb, v->out);
	scolsout_free(tb);
	return rc;
}

/* The threads' table: where each thread's stack is. */
static const char *const thread_cols[] = {
	"TID", "COMM", "STACK", "ADDRESS", "SIZE", "RSS", "MINFLT", "MAJFLT",
};

static unsigned thread_footnote(const struct memmap_thread *t)
{
	if (t->sp_rc == -EACCES || t->sp_rc == -EPERM)
		return FN_SP_DENIED;
	if (t->sp_rc == -EAGAIN)
		return FN_SP_RUNNING;
	if (t->sp_rc)
		return FN_SP_OTHER;
	return t->row < 0 ? FN_SP_NOMAP : 0;
}

static int threads_table(const struct maps_view *v, const struct memmap *mm, unsigned *notes)
{
	const struct maps_column *address = mapcols_find("ADDRESS");	/* once, not a thread */
	struct scolsout *tb = table_new(v);
	int rc = 0;

	if (!tb)
		return -ENOMEM;
	for (size_t i = 0; !rc && i < ARRAY_SIZE(thread_cols); i++)
		rc = table_column(tb, thread_cols[i], i == 1 ? 15 : i == 2 || i == 3 ? 14 : 6,
				  i == 1 ? CF_TRUNC : i == 2 || i == 3 ? 0 : CF_RIGHT);
	for (size_t t = 0; !rc && t < mm->nthreads; t++) {
		const struct memmap_thread *th = &mm->threads[t];
		const struct memmap_row *r = th->row >= 0 ? &mm->rows[th->row] : NULL;
		char tid[24], size[24], rss[24], minflt[24], majflt[24];
		struct mapcols_cell addr = { .av = TS_OK };
		const char *cells[ARRAY_SIZE(thread_cols)];

		rc = scolsout_line(tb);
		if (rc)
			break;
		*notes |= thread_footnote(th);
		if (r)
			address->get(mm, r, &addr);
		cells[0] = util_i64_dec(th->tid, tid, sizeof(tid));
		cells[1] = th->comm;
		cells[2] = r ? r->name : "-";
		cells[3] = r ? addr.s : "-";
		cells[4] = r ? size_text(v, r->mem.size, size, sizeof(size)) : "-";
		cells[5] = r ? size_text(v, r->mem.rss, rss, sizeof(rss)) : "-";
		cells[6] = util_u64_dec(th->minflt, minflt, sizeof(minflt));
		cells[7] = util_u64_dec(th->majflt, majflt, sizeof(majflt));
		/* COMM and STACK are names (sanitized); the rest is printable ASCII */
		for (size_t i = 0; !rc && i < ARRAY_SIZE(cells); i++)
			rc = i == 1 || i == 2 ? scolsout_set(tb, i, cells[i])
					      : scolsout_set_ascii(tb, i, cells[i]);
	}
	if (!rc)
		rc = scolsout_write(tb, v->out);
	scolsout_free(tb);
	return rc;
}

static void print_header(const struct maps_view *v, const struct maps_proc *p)
{
	const struct memmap *mm = p->mm;
	char rss[24], pss[24], uss[24], swap[24];

	fprintf(v->out, "PID %d (%s): %zu mapping%s%s, RSS %s, PSS %s, USS %s", (int)p->pid,
		p->comm, mm->nrows, mm->nrows == 1 ? "" : "s",
		mm->map.truncated ? " (incomplete)" : "",
		size_text(v, mm->total.rss, rss, sizeof(rss)),
		size_text(v, mm->total.pss, pss, sizeof(pss)),
		size_text(v, memmap_uss(&mm->total), uss, sizeof(uss)));
	if (mm->total.swap)
		fprintf(v->out, ", SWAP %s", size_text(v, mm->total.swap, swap, sizeof(swap)));
	if (p->nthreads == 1)
		fprintf(v->out, "; 1 thread uses this address space\n");
	else
		fprintf(v->out, "; %ld threads share this address space\n", p->nthreads);
	if (!mm->nrows)
		fprintf(v->out, "  - no mappings: a kernel thread or a process that is exiting"
			" has no address space of its own\n");
}

/* The process ended or became another program while it was read: no threads shown. */
static bool cut_by_process(const struct memmap *mm)
{
	return mm->map.cut == SMAPS_CUT_EXITED || mm->map.cut == SMAPS_CUT_EXECED;
}

static void print_cut(const struct maps_view *v, const struct memmap *mm)
{
	switch (mm->map.cut) {
	case SMAPS_CUT_EXITED:
		fprintf(v->out, "  - incomplete: the process exited while it was read: mappings "
			"may be missing, and its threads are not shown\n");
		break;
	case SMAPS_CUT_EXECED:
		fprintf(v->out, "  - incomplete: the process executed another program while it "
			"was read: this is the map of the program before, mappings may be missing, "
			"and its threads are not shown\n");
		break;
	case SMAPS_CUT_TOO_LONG:
		fprintf(v->out, "  - incomplete: the map is longer than %zu MiB of text: the "
			"mappings after that are left out\n", SMAPS_READ_CAP >> 20);
		break;
	default:
		fprintf(v->out, "  - incomplete: the map was cut short: its last, partial "
			"mapping is left out\n");
		break;
	}
}

static void print_notes(const struct maps_view *v, const struct memmap *mm, unsigned missing)
{
	for (int av = TS_GONE; av <= TS_NA; av++)
		if (missing & (1u << av))
			fprintf(v->out, "  - %s\n", mapcols_avail_text((enum ts_avail)av));
	if (mm->map.dropped_repeats)
		fprintf(v->out, "  - %zu mapping%s shown twice or overlapping by a racy read (the "
			"process mapped or unmapped meanwhile) left out\n",
			mm->map.dropped_repeats, mm->map.dropped_repeats == 1 ? "" : "s");
	if (mm->map.truncated)
		print_cut(v, mm);
}

static void print_thread_notes(const struct maps_view *v, const struct memmap *mm,
			       unsigned notes)
{
	if (mm->threads_rc && mm->threads_rc != -ENODATA && !cut_by_process(mm))
		fprintf(v->out, "  - the threads could not be listed (%s): stacks are not labelled\n",
			strerror(-mm->threads_rc));
	if (notes & FN_SP_DENIED)
		fprintf(v->out, "  - denied: no permission to read task/TID/syscall of %zu thread%s "
			"(it needs ptrace access: the process's own user, or root): "
			"their stacks are not labelled\n",
			mm->sp_denied, mm->sp_denied == 1 ? "" : "s");
	if (notes & FN_SP_RUNNING)
		fprintf(v->out, "  - running: %zu thread%s runnable (on a CPU or waiting for one) at "
			"every try: the kernel shows no stack pointer then\n", mm->sp_running,
			mm->sp_running == 1 ? " was" : "s were");
	if (notes & FN_SP_NOMAP)
		fprintf(v->out, "  - a stack pointer outside every mapping: the map changed "
			"between the reads\n");
	if (notes & FN_SP_OTHER)
		fprintf(v->out, "  - task/TID/syscall could not be read or understood\n");
}

static const char *error_text(int err)
{
	switch (err) {
	case -EACCES:
	case -EPERM:
		return "denied";
	case -ESRCH:
	case -ENOENT:
		return "no such process";
	default:
		return strerror(-err);
	}
}

/* ---- memory per NUMA node (with the NODES column) ------------------------------------- */

static bool nodes_shown(const struct maps_view *v)
{
	for (size_t i = 0; i < v->ncols; i++)
		if (v->cols[i]->flags & MCF_NODES)
			return true;
	return false;
}

static uint64_t page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (uint64_t)ps : 4096;
}

static int node_line(const struct maps_view *v, struct scolsout *tb, const char *name,
		     const uint64_t *bytes, int nnodes, uint64_t total)
{
	char buf[32];
	int rc = scolsout_line(tb);

	if (!rc)
		rc = scolsout_set(tb, 0, name);
	for (int n = 0; !rc && n < nnodes; n++)
		rc = scolsout_set(tb, (size_t)n + 1, size_text(v, bytes[n], buf, sizeof(buf)));
	if (!rc)
		rc = scolsout_set(tb, (size_t)nnodes + 1, size_text(v, total, buf, sizeof(buf)));
	return rc;
}

/* numastat -p's table: a row per kind with resident pages, a column per node, the totals */
static int nodes_table(const struct maps_view *v, const struct memmap *mm)
{
	struct memmap_nodes nt;
	struct scolsout *tb;
	int rc = memmap_node_totals(mm, page_size(), &nt);

	if (rc == -ENODATA)
		return 0;	/* not read: the NODES column's footnote says why */
	if (rc)
		return rc;
	fprintf(v->out, "\nResident memory per NUMA node (numa_maps):\n");
	if (!nt.nnodes) {
		fprintf(v->out, "  - no resident pages on any node\n");
		return stream_rc(v->out);
	}
	tb = table_new(v);
	rc = tb ? table_column(tb, "KIND", 6, 0) : -ENOMEM;
	for (int n = 0; !rc && n < nt.nnodes; n++) {
		char name[16];

		snprintf(name, sizeof(name), "N%d", n);
		rc = table_column(tb, name, 5, CF_RIGHT);
	}
	if (!rc)
		rc = table_column(tb, "TOTAL", 5, CF_RIGHT);
	for (int k = 0; !rc && k < MEMMAP_NKINDS; k++)
		if (nt.kind_total[k])
			rc = node_line(v, tb, memmap_kind_name((enum memmap_kind)k),
				       &nt.bytes[(size_t)k * (size_t)nt.nnodes], nt.nnodes,
				       nt.kind_total[k]);
	if (!rc)
		rc = node_line(v, tb, "total", nt.node_total, nt.nnodes, nt.total);
	if (!rc)
		rc = scolsout_write(tb, v->out);
	scolsout_free(tb);
	memmap_nodes_free(&nt);
	return rc ? rc : stream_rc(v->out);
}

/* JSON "nodes": bytes per node, their total, the same per kind; null when not read */
static int json_nodes(struct maps_view *v, const struct memmap *mm)
{
	struct json *js = &v->js;
	struct memmap_nodes nt;
	int rc = memmap_node_totals(mm, page_size(), &nt);

	if (rc == -ENODATA) {
		json_null(js, "nodes");
		return 0;
	}
	if (rc)
		return rc;
	json_open_object(js, "nodes", false);
	json_open_array(js, "bytes", true);
	for (int n = 0; n < nt.nnodes; n++)
		json_u64(js, NULL, nt.node_total[n]);
	json_close_array(js);
	json_u64(js, "total", nt.total);
	json_open_array(js, "kinds", false);
	for (int k = 0; k < MEMMAP_NKINDS; k++) {
		if (!nt.kind_total[k])
			continue;
		json_open_object(js, NULL, true);
		json_string(js, "kind", memmap_kind_name((enum memmap_kind)k));
		json_open_array(js, "bytes", true);
		for (int n = 0; n < nt.nnodes; n++)
			json_u64(js, NULL, nt.bytes[(size_t)k * (size_t)nt.nnodes + (size_t)n]);
		json_close_array(js);
		json_u64(js, "total", nt.kind_total[k]);
		json_close_object(js);
	}
	json_close_array(js);
	json_close_object(js);
	memmap_nodes_free(&nt);
	return 0;
}

static int table_proc(struct maps_view *v, const struct maps_proc *p)
{
	unsigned missing = 0, notes = 0;
	int rc;

	if (v->nshown && !v->raw)
		fputc('\n', v->out);
	if (p->err) {
		if (v->raw)
			return 0;
		/* with hidepid=noaccess not even the name can be read */
		if ((p->err == -EACCES || p->err == -EPERM) && p->comm && *p->comm)
			fprintf(v->out, "PID %d (%s): denied: no permission to read its memory map "
				"(smaps needs ptrace read access: the process's own user, or root)\n",
				(int)p->pid, p->comm);
		else if (p->err == -EACCES || p->err == -EPERM)
			fprintf(v->out, "PID %d: denied: no permission to read its /proc files "
				"(/proc is mounted with hidepid=noaccess)\n", (int)p->pid);
		else
			fprintf(v->out, "PID %d: %s\n", (int)p->pid, error_text(p->err));
		return stream_rc(v->out);
	}
	if (!v->raw)
		print_header(v, p);
	rc = rows_table(v, p, &missing);
	if (rc)
		return rc;
	if (v->raw)
		return stream_rc(v->out);
	print_notes(v, p->mm, missing);
	if (nodes_shown(v) && p->mm->nrows) {
		rc = nodes_table(v, p->mm);
		if (rc)
			return rc;
	}
	if (p->mm->nthreads && p->mm->nrows) {	/* no map, no stacks to look for */
		fputc('\n', v->out);
		rc = threads_table(v, p->mm, &notes);
		if (rc)
			return rc;
	}
	if (p->mm->nrows)
		print_thread_notes(v, p->mm, notes);
	return stream_rc(v->out);
}

/* ---- JSON ------------------------------------------------------------------------------ */

/* The JSON key of a column, as mapcols_json_key writes it */
typedef char json_key[32];

static void json_cell(struct json *js, const struct maps_column *col, const char *key,
		      const struct memmap *mm, const struct memmap_row *r)
{
	struct mapcols_cell c = { .av = TS_OK };
	char buf[32];
	const char *txt;

	col->get(mm, r, &c);
	if (c.av != TS_OK) {
		json_null(js, key);
		return;
	}
	if (col->flags & MCF_NODES) {
		json_open_array(js, key, true);
		for (int n = 0; n < r->nnodes; n++)
			json_u64(js, NULL, r->node_pages[n]);
		json_close_array(js);
		return;
	}
	if (col->kind == CK_SIZE || col->kind == CK_COUNT) {
		json_u64(js, key, c.u);
		return;
	}
	txt = mapcols_format(col, &c, true, true, buf, sizeof(buf));
	json_string(js, key, txt);
}

static const char *sp_error(const struct memmap *mm, const struct memmap_thread *t)
{
	if (!mm->nrows)
		return "no address space";
	switch (thread_footnote(t)) {
	case FN_SP_DENIED:
		return "denied";
	case FN_SP_RUNNING:
		return "running";
	case FN_SP_NOMAP:
		return "outside the map";
	case FN_SP_OTHER:
		return "unreadable";
	default:
		return NULL;
	}
}

static void json_threads(struct maps_view *v, const struct memmap *mm)
{
	const struct maps_column *address = mapcols_find("ADDRESS");
	struct json *js = &v->js;

	json_u64(js, "stacks_labelled", mm->stacks_labelled);
	json_open_array(js, "thread_stacks", false);
	for (size_t t = 0; t < mm->nthreads; t++) {
		const struct memmap_thread *th = &mm->threads[t];
		const struct memmap_row *r = th->row >= 0 ? &mm->rows[th->row] : NULL;
		struct mapcols_cell addr = { .av = TS_OK };

		json_open_object(js, NULL, true);
		json_i64(js, "tid", th->tid);
		json_string(js, "comm", th->comm);
		if (r) {
			address->get(mm, r, &addr);
			json_string(js, "stack", r->name);
			json_string(js, "address", addr.s);
			json_u64(js, "size", r->mem.size);
			json_u64(js, "rss", r->mem.rss);
		} else {
			json_null(js, "stack");
			json_null(js, "address");
			json_null(js, "size");
			json_null(js, "rss");
		}
		json_u64(js, "minflt", th->minflt);
		json_u64(js, "majflt", th->majflt);
		json_string(js, "sp_error", sp_error(mm, th));
		json_close_object(js);
	}
	json_close_array(js);
}

static int json_proc(struct maps_view *v, const struct maps_proc *p)
{
	struct json *js = &v->js;
	const struct memmap_row *rows;
	struct memmap_row total;
	json_key *keys;
	size_t n;

	json_open_object(js, NULL, false);
	json_i64(js, "pid", p->pid);
	json_string(js, "comm", p->comm);
	json_i64(js, "threads", p->nthreads);
	json_string(js, "error", p->err ? error_text(p->err) : NULL);
	if (p->err) {
		json_close_object(js);
		return stream_rc(v->out);
	}
	json_u64(js, "mappings", p->mm->nrows);
	json_u64(js, "dropped_repeats", p->mm->map.dropped_repeats);
	json_bool(js, "truncated", p->mm->map.truncated);
	json_string(js, "truncated_reason", p->mm->map.truncated ? memmap_cut_word(p->mm->map.cut) : NULL);
	/* the totals: every size column over the whole map */
	memset(&total, 0, sizeof(total));
	total.mem = p->mm->total;
	total.nmaps = p->mm->nrows;
	json_open_object(js, "total", true);
	for (size_t i = 0; i < mapcols_count(); i++) {
		json_key key;

		if (mapcols_get(i)->kind == CK_SIZE)
			json_cell(js, mapcols_get(i),
				  mapcols_json_key(mapcols_get(i)->name, key, sizeof(key)), p->mm,
				  &total);
	}
	json_close_object(js);
	if (nodes_shown(v)) {
		int rc = json_nodes(v, p->mm);

		if (rc)
			return rc;
	}
	/* each column's key once, not in every row */
	keys = malloc((v->ncols ? v->ncols : 1) * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (size_t i = 0; i < v->ncols; i++)
		mapcols_json_key(v->cols[i]->name, keys[i], sizeof(keys[i]));
	rows = shown_rows(v, p, &n);
	json_open_array(js, "maps", false);
	for (size_t r = 0; r < n; r++) {
		json_open_object(js, NULL, true);
		for (size_t i = 0; i < v->ncols; i++)
			json_cell(js, v->cols[i], keys[i], p->mm, &rows[r]);
		json_close_object(js);
	}
	json_close_array(js);
	free(keys);
	json_threads(v, p->mm);
	json_close_object(js);
	return stream_rc(v->out);
}

/* ---- entry points ---------------------------------------------------------------------- */

/* The "processes" array of the document ends before what follows it. */
static void close_procs(struct maps_view *v)
{
	if (v->procs_open) {
		json_close_array(&v->js);
		v->procs_open = false;
	}
}

void maps_view_begin(struct maps_view *v)
{
	static const char *const groups[] = { "none", "kind", "name" };
	struct json_stamp st;

	v->nshown = 0;
	if (!v->json)
		return;

	json_stamp_init(&st, 0, false, 0);
	json_begin(&v->js, v->out);
	json_open_object(&v->js, NULL, false);
	json_stamp_write(&v->js, &st);
	json_string(&v->js, "group", groups[v->group]);
	json_open_array(&v->js, "processes", false);
	v->procs_open = true;
}

int maps_view_proc(struct maps_view *v, const struct maps_proc *p)
{
	int rc = v->json ? json_proc(v, p) : table_proc(v, p);

	v->nshown++;
	return rc;
}

static void kinds_text(unsigned kinds, struct mapcols_cell *c)
{
	struct memmap_row r;

	memset(&r, 0, sizeof(r));
	r.kinds = kinds;
	for (int k = 0; k < MEMMAP_NKINDS; k++)
		if (kinds & (1u << k)) {
			r.kind = (enum memmap_kind)k;
			break;
		}
	mapcols_find("KIND")->get(NULL, &r, c);
}

static int compare_json(struct maps_view *v, const struct maps_proc *procs, size_t nprocs,
			const struct memmap_cmp_row *rows, size_t nrows)
{
	struct json *js = &v->js;

	close_procs(v);
	json_open_array(js, "comparison", false);
	for (size_t r = 0; r < nrows; r++) {
		struct mapcols_cell c = { .av = TS_OK };

		kinds_text(rows[r].kinds, &c);
		json_open_object(js, NULL, true);
		json_string(js, "name", rows[r].name);
		json_string(js, "kind", c.s);
		for (size_t p = 0; p < nprocs; p++) {
			char key[40];

			if (procs[p].err)
				continue;
			snprintf(key, sizeof(key), "rss_%d", (int)procs[p].pid);
			if (rows[r].present[p])
				json_u64(js, key, rows[r].rss[p]);
			else
				json_null(js, key);
			snprintf(key, sizeof(key), "pss_%d", (int)procs[p].pid);
			if (rows[r].present[p])
				json_u64(js, key, rows[r].pss[p]);
			else
				json_null(js, key);
		}
		json_close_object(js);
	}
	json_close_array(js);
	return stream_rc(v->out);
}

int maps_view_compare(struct maps_view *v, const struct maps_proc *procs, size_t nprocs,
		      const struct memmap_cmp_row *rows, size_t nrows)
{
	struct scolsout *tb;
	bool absent = false;
	int rc = 0;

	if (v->json)
		return compare_json(v, procs, nprocs, rows, nrows);
	tb = table_new(v);
	if (!tb)
		return -ENOMEM;
	if (!v->raw)
		fprintf(v->out, "\nSide by side: RSS and PSS of each name in each process\n");
	rc = table_column(tb, "NAME", 30, 0);
	if (!rc)
		rc = table_column(tb, "KIND", 6, 0);
	for (size_t p = 0; !rc && p < nprocs; p++) {
		char name[40];

		if (procs[p].err)
			continue;
		snprintf(name, sizeof(name), "RSS_%d", (int)procs[p].pid);
		rc = table_column(tb, name, 6, CF_RIGHT);
		snprintf(name, sizeof(name), "PSS_%d", (int)procs[p].pid);
		if (!rc)
			rc = table_column(tb, name, 6, CF_RIGHT);
	}
	for (size_t r = 0; !rc && r < nrows; r++) {
		struct mapcols_cell c = { .av = TS_OK };
		size_t col = 2;

		rc = scolsout_line(tb);
		if (rc)
			break;
		kinds_text(rows[r].kinds, &c);
		rc = scolsout_set(tb, 0, rows[r].name);
		if (!rc)
			rc = scolsout_set(tb, 1, c.s);
		for (size_t p = 0; !rc && p < nprocs; p++) {
			char rss[24], pss[24];
			bool here = rows[r].present[p];

			if (procs[p].err)
				continue;
			absent |= !here;
			rc = scolsout_set(tb, col,
					  here ? size_text(v, rows[r].rss[p], rss, sizeof(rss)) : "-");
			if (!rc)
				rc = scolsout_set(tb, col + 1,
						  here ? size_text(v, rows[r].pss[p], pss, sizeof(pss))
						       : "-");
			col += 2;
		}
	}
	if (!rc)
		rc = scolsout_write(tb, v->out);
	scolsout_free(tb);
	if (!rc && absent && !v->raw)
		fprintf(v->out, "  - not mapped in that process\n");
	return rc ? rc : stream_rc(v->out);
}

int maps_view_end(struct maps_view *v)
{
	if (!v->json)
		return stream_rc(v->out);
	close_procs(v);
	json_close_object(&v->js);	/* the document */
	if (json_end(&v->js))
		return -EIO;
	return stream_rc(v->out);
}
