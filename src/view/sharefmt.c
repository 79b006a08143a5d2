/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sharefmt.c - the report of taskscope share: text matrices and tables, or one JSON document */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsmartcols.h>

#include "lib/util.h"
#include "model/sharing.h"
#include "view/json.h"
#include "view/sharefmt.h"
#include "view/scolstab.h"

/* ---- notes (footnotes of the text report, "notes" of the JSON) --------------------------- */

void sharefmt_note_add(struct sharefmt_notes *nt, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (nt->n >= SHAREFMT_MAX_NOTES)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) >= 0)
		nt->v[nt->n++] = s;
	va_end(ap);
}

void sharefmt_notes_free(struct sharefmt_notes *nt)
{
	for (size_t i = 0; i < nt->n; i++)
		free(nt->v[i]);
	nt->n = 0;
}

const char *sharefmt_why(int err)
{
	switch (err) {
	case -EACCES:
	case -EPERM:
		return "permission denied";
	case -ESRCH:
	case -ENOENT:
		return "gone";
	case -ENOSYS:
		return "not supported by this kernel";
	case -EOPNOTSUPP:
		return "kernel threads: no user memory";
	case -EAGAIN:
		return "the tasks kept changing";
	default:
		return strerror(-err);
	}
}

/* "A, B (PIDs 1, 2)" of the spaces whose err(s) is e; at most a few named */
static void spaces_named(const struct sharing_report *rep, bool mem, int e, char *buf,
			 size_t len)
{
	size_t off = 0, n = 0;

	buf[0] = '\0';
	for (size_t s = 0; s < rep->nspaces && off < len; s++) {
		const struct sharing_space *sp = &rep->spaces[s];
		int err = mem ? sp->mem_rc : sp->access;

		if (err != e && !(e == -EACCES && err == -EPERM))
			continue;
		if (n++ == 6) {
			snprintf(buf + off, len - off, ", ...");
			return;
		}
		off += (size_t)snprintf(buf + off, len - off, "%s%s (PID %d%s)", n > 1 ? ", " : "",
					sp->label, (int)sp->pids[0], sp->npids > 1 ? ",..." : "");
	}
}

/* "12, 34, 56 and 7 more" */
static void ids_text(const pid_t *v, size_t n, char *buf, size_t len)
{
	size_t off = 0, i;

	buf[0] = '\0';
	for (i = 0; i < n && off + 40 < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%d", i ? ", " : "", (int)v[i]);
	if (i < n)
		snprintf(buf + off, len - off, " and %zu more", n - i);
}

void sharefmt_resource_notes(const struct sharing_report *rep, struct sharefmt_notes *nt)
{
	char names[256];
	bool seen = false;

	if (rep->kcmp_rc == -ENOSYS) {
		sharefmt_note_add(nt, "kcmp(2) is not available: this kernel was built without "
				  "CONFIG_KCMP; resources are unknown and address spaces are "
				  "grouped by process");
	} else {
		spaces_named(rep, false, -EACCES, names, sizeof(names));
		if (names[0])
			sharefmt_note_add(nt, "%s: kcmp denied: it needs ptrace read access to "
					  "both tasks (your own tasks, or CAP_SYS_PTRACE); grouped "
					  "by process, whose threads share VM and SIGHAND", names);
		spaces_named(rep, false, -EAGAIN, names, sizeof(names));
		if (names[0])
			sharefmt_note_add(nt, "%s: the tasks kept changing while they were "
					  "compared: resources unknown", names);
	}
	for (size_t s = 0; s < rep->nspaces; s++)
		seen |= !rep->spaces[s].access;
	if (seen && !rep->none_known[KCMP_RES_SYSVSEM])
		sharefmt_note_add(nt, "IO, SYSVSEM: '=' can also mean that neither has one "
				  "(taskscope could not start the reference processes that tell)");
	else if (seen && !rep->none_known[KCMP_RES_IO])
		sharefmt_note_add(nt, "IO: '=' can also mean that neither has an I/O context "
				  "(taskscope has an I/O priority, so it cannot tell)");
	if (rep->zombies)
		sharefmt_note_add(nt, "%zu exited task%s (zombie) left out: %s no resources",
				  rep->zombies, rep->zombies == 1 ? "" : "s",
				  rep->zombies == 1 ? "it holds" : "they hold");
	if (rep->gone)
		sharefmt_note_add(nt, "%zu task%s ended while being compared: left out", rep->gone,
				  rep->gone == 1 ? "" : "s");
	if (rep->kthreads)
		sharefmt_note_add(nt, "%zu kernel thread%s left out: kernel threads have no "
				  "address space, so they share no memory", rep->kthreads,
				  rep->kthreads == 1 ? "" : "s");
	if (rep->nvanished) {
		ids_text(rep->vanished, rep->nvanished, names, sizeof(names));
		sharefmt_note_add(nt, "PID%s %s: no such process (it ended before it was read, or "
				  "never was): left out", rep->nvanished == 1 ? "" : "s", names);
	}
	if (rep->nunreadable) {
		ids_text(rep->unreadable, rep->nunreadable, names, sizeof(names));
		sharefmt_note_add(nt, "PID%s %s: permission denied: /proc lists %s but its files "
				  "cannot be read (hidepid=noaccess): left out",
				  rep->nunreadable == 1 ? "" : "s", names,
				  rep->nunreadable == 1 ? "it" : "them");
	}
}

void sharefmt_memory_notes(const struct sharing_report *rep, struct sharefmt_notes *nt)
{
	char names[256];

	if (rep->method == SHARING_NO_MEMORY) {
		size_t nuser = 0;

		for (size_t s = 0; s < rep->nspaces; s++)
			nuser += !rep->spaces[s].kernel;
		sharefmt_note_add(nt, "%s address space%s: nothing to compare%s",
				  nuser == 1 ? "1" : "no user", nuser == 1 ? "" : "s",
				  nuser < rep->nspaces ? " (kernel threads have none)" : "");
		return;
	}
	if (rep->method == SHARING_ESTIMATE) {
		sharefmt_note_add(nt, "estimate: without CAP_SYS_ADMIN pagemap hides page frame "
				  "numbers; pages count as shared by two address spaces when both "
				  "map the same file page, or both have a copy-on-write page at "
				  "the same address; SHARED is what another process maps too "
				  "(pagemap's exclusively-mapped bit)");
		sharefmt_note_add(nt, "run as root for exact numbers (pagemap PFNs)");
	}
	/* a global file that is not there was never "gone": this /proc mount has no such
	 * file (subset=pid) or the kernel lacks it (CONFIG_PROC_PAGE_MONITOR) */
	if (rep->method == SHARING_EXACT && rep->kpage_rc == -ENOENT)
		sharefmt_note_add(nt, "/proc/kpageflags, /proc/kpagecount: not on this /proc mount "
				  "(subset=pid?): the kinds of shared pages are unknown");
	else if (rep->method == SHARING_EXACT && rep->kpage_rc)
		sharefmt_note_add(nt, "/proc/kpageflags, /proc/kpagecount: %s: the kinds of shared "
				  "pages are unknown", sharefmt_why(rep->kpage_rc));
	spaces_named(rep, true, -EACCES, names, sizeof(names));
	if (names[0])
		sharefmt_note_add(nt, "%s: pagemap: permission denied (it needs ptrace read access)"
				  , names);
	spaces_named(rep, true, -ESRCH, names, sizeof(names));
	if (names[0])
		sharefmt_note_add(nt, "%s: ended before its pages were read", names);
	if (!rep->scanned)
		sharefmt_note_add(nt, "no PAGEMAP_SCAN (Linux 6.7+): whole mappings were read%s",
				  rep->method == SHARING_ESTIMATE ?
				  ", and zero-page mappings count as pages" : "");
	if (rep->zero_pages)
		sharefmt_note_add(nt, "%llu mapping%s of the shared zero page left out",
				  (unsigned long long)rep->zero_pages,
				  rep->zero_pages == 1 ? "" : "s");
}

/* ---- text -------------------------------------------------------------------------------- */

static const char cell_char[] = {
	[SHARING_SHARED] = '=', [SHARING_SEPARATE] = '.', [SHARING_PARTLY] = '~',
	[SHARING_NONE] = '-', [SHARING_UNKNOWN] = '?',
};

static const char *cell_word[] = {
	[SHARING_SHARED] = "shared", [SHARING_SEPARATE] = "separate",
	[SHARING_PARTLY] = "partly", [SHARING_NONE] = "none", [SHARING_UNKNOWN] = "unknown",
};

static const char *kind_names[SHARING_KINDS] = {
	[SHARING_ANON] = "ANON", [SHARING_FILE] = "FILE", [SHARING_SHMEM] = "SHMEM",
	[SHARING_KSM] = "KSM", [SHARING_THP] = "THP", [SHARING_SWAPBACKED] = "SWAPBACKED",
};

const char *sharefmt_size_text(uint64_t v, bool bytes, char *buf, size_t len)
{
	if (v == UINT64_MAX)
		return "?";
	return bytes ? util_u64_dec(v, buf, len) : util_size_human(v, buf, len);
}

static size_t label_width(const struct sharing_report *rep)
{
	size_t w = 1;

	for (size_t s = 0; s < rep->nspaces; s++)
		if (strlen(rep->spaces[s].label) > w)
			w = strlen(rep->spaces[s].label);
	return w;
}

static void pids_text(const struct sharing_space *sp, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sp->npids && off + 24 < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%d", i ? "," : "",
					(int)sp->pids[i]);
	if (off + 24 >= len)
		snprintf(buf + off, len - off, ",...");
}

void *sharefmt_grid(size_t nrows, size_t ncols, size_t txt_row, const char ***cells)
{
	size_t n = nrows ? nrows : 1, ptrs;
	char *block;

	*cells = NULL;
	if (ncols && n > SIZE_MAX / ncols / sizeof(**cells))
		return NULL;
	ptrs = n * ncols * sizeof(**cells);
	if (txt_row && n > (SIZE_MAX - ptrs) / txt_row)
		return NULL;
	block = calloc(1, ptrs + n * txt_row);
	if (!block)
		return NULL;
	*cells = (const char **)(void *)block;
	return block + ptrs;
}

/* right: bit c set for a right-aligned column c */
int sharefmt_print_table(FILE *out, const char *const *heads, size_t ncols, unsigned long right,
		       const char *const *cells, size_t nrows)
{
	struct libscols_table *tb = scols_new_table();
	int rc = 0;

	if (!tb)
		return -ENOMEM;
	scols_table_enable_noencoding(tb, 1);	/* every string is sanitized at its source */
	for (size_t c = 0; c < ncols && !rc; c++) {
		int flags = right & (1ul << c) ? SCOLS_FL_RIGHT : 0;

		rc = scolstab_columns(tb, &heads[c], &flags, 1);
	}
	for (size_t r = 0; r < nrows && !rc; r++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		rc = ln ? scolstab_cells(ln, cells + r * ncols, ncols) : -ENOMEM;
	}
	return scolstab_print(tb, out, rc);
}

static int print_spaces(FILE *out, const struct sharing_report *rep)
{
	static const char *const heads[] = { "SPACE", "TASKS", "PIDS", "COMMAND" };
	size_t ns = rep->nspaces;
	const char **cells;
	char (*txt)[2][128] = sharefmt_grid(ns, 4, sizeof(*txt), &cells);
	int rc;

	if (!txt)
		return -ENOMEM;
	for (size_t s = 0; s < ns; s++) {
		const struct sharing_space *sp = &rep->spaces[s];

		util_u64_dec(sp->ntasks, txt[s][0], sizeof(txt[s][0]));
		pids_text(sp, txt[s][1], sizeof(txt[s][1]));
		cells[s * 4] = sp->label;
		cells[s * 4 + 1] = txt[s][0];
		cells[s * 4 + 2] = txt[s][1];
		cells[s * 4 + 3] = rep->tasks[sp->first].comm ? rep->tasks[sp->first].comm : "-";
	}
	rc = sharefmt_print_table(out, heads, 4, 1ul << 1, cells, ns);
	free(cells);	/* and txt */
	return rc;
}

/* The labels of all spaces as a matrix header, one cell each. */
static void put_cells_header(FILE *out, const struct sharing_report *rep, size_t cw, size_t width)
{
	size_t used = 0;

	for (size_t s = 0; s < rep->nspaces; s++) {
		used += (size_t)fprintf(out, "%s%*s", s && cw > 1 ? " " : "", (int)cw,
					rep->spaces[s].label);
	}
	fprintf(out, "%*s", (int)(width > used ? width - used : 0), "");
}

static void print_resources(FILE *out, const struct sharing_report *rep)
{
	size_t ns = rep->nspaces, lw = label_width(rep), cw = lw;
	size_t cells = ns * cw + (cw > 1 && ns ? ns - 1 : 0), bw[KCMP_RES_COUNT];

	fputs("\nKernel resources (kcmp): = shared  . not shared  ~ some tasks do  "
	      "- neither has one  ? unknown\n", out);
	for (int r = 0; r < KCMP_RES_COUNT; r++) {
		bw[r] = strlen(kcmp_res_name((enum kcmp_res)r));
		if (cells > bw[r])
			bw[r] = cells;
	}
	fprintf(out, "%*s", (int)lw, "");
	for (int r = 0; r < KCMP_RES_COUNT; r++)
		fprintf(out, "  %-*s", r + 1 < KCMP_RES_COUNT ? (int)bw[r] : 0,
			kcmp_res_name((enum kcmp_res)r));
	fputc('\n', out);
	fprintf(out, "%*s", (int)lw, "");
	for (int r = 0; r < KCMP_RES_COUNT; r++) {
		fputs("  ", out);
		put_cells_header(out, rep, cw, r + 1 < KCMP_RES_COUNT ? bw[r] : 0);
	}
	fputc('\n', out);
	for (size_t a = 0; a < ns; a++) {
		fprintf(out, "%-*s", (int)lw, rep->spaces[a].label);
		for (int r = 0; r < KCMP_RES_COUNT; r++) {
			fputs("  ", out);
			for (size_t b = 0; b < ns; b++)
				fprintf(out, "%s%*c", b && cw > 1 ? " " : "", (int)cw,
					cell_char[rep->res[r][a * ns + b]]);
			if (r + 1 < KCMP_RES_COUNT)
				fprintf(out, "%*s", (int)(bw[r] - cells), "");
		}
		fputc('\n', out);
	}
}

/* Where the shared pages are: one line on one node, else a row per space, a column per
 * node (exact only, when the frames' nodes are known) */
static int print_nodes(FILE *out, const struct sharing_report *rep, bool bytes)
{
	size_t ns = rep->nspaces, nn = (size_t)rep->nnodes, ncols = nn + 1;
	char (*txt)[24], heads_buf[SHAREFMT_MAX_NODES][12], buf[24];
	const char **cells, *heads[SHAREFMT_MAX_NODES + 1];
	int rc;

	if (!rep->nnodes || !rep->node_shared)
		return 0;
	if (nn == 1) {
		fprintf(out, "Shared pages by NUMA node: all on node 0\n");
		return 0;
	}
	if (nn > SHAREFMT_MAX_NODES) {
		fprintf(out, "Shared pages by NUMA node: %zu nodes, see -J\n", nn);
		return 0;
	}
	txt = sharefmt_grid(ns, ncols, ncols * sizeof(*txt), &cells);
	if (!txt)
		return -ENOMEM;
	heads[0] = "SPACE";
	for (size_t n = 0; n < nn; n++) {
		snprintf(heads_buf[n], sizeof(heads_buf[n]), "N%zu", n);
		heads[n + 1] = heads_buf[n];
	}
	for (size_t s = 0; s < ns; s++) {
		const struct sharing_space *sp = &rep->spaces[s];

		cells[s * ncols] = sp->label;
		for (size_t n = 0; n < nn; n++)
			cells[s * ncols + n + 1] = sp->mem_rc ? "-" :
				sharefmt_size_text(rep->node_shared[s * nn + n], bytes,
						   txt[s * ncols + n + 1], sizeof(*txt));
	}
	fprintf(out, "Shared pages by NUMA node (where their frames are):\n");
	rc = sharefmt_print_table(out, heads, ncols, ((1ul << ncols) - 1) & ~1ul, cells, ns);
	if (!rc && rep->node_unknown)
		fprintf(out, "  - %s on no known node\n",
			sharefmt_size_text(rep->node_unknown, bytes, buf, sizeof(buf)));
	free(cells);	/* and txt */
	return rc;
}

static int print_memory(FILE *out, const struct sharing_report *rep, bool bytes)
{
	static const char *const eheads[] = { "SPACE", "RSS", "SHARED", "FREES", "ANON", "FILE" };
	const char *heads[5 + SHARING_KINDS] = { "SPACE", "RSS", "SHARED", "ONLY", "FREES" };
	bool exact = rep->method == SHARING_EXACT;
	size_t ns = rep->nspaces, lw = label_width(rep), cw = lw, ncols;
	char (*txt)[5 + SHARING_KINDS][24];
	const char **cells;
	char buf[24];
	int rc;

	if (rep->method == SHARING_NO_MEMORY)
		return 0;
	for (size_t i = 0; i < ns * ns; i++)
		if (strlen(sharefmt_size_text(rep->both[i], bytes, buf, sizeof(buf))) > cw)
			cw = strlen(buf);
	fprintf(out, "\nMemory mapped by both, %s; the diagonal is all each maps:\n",
		exact ? "exact (pagemap PFNs)" : "ESTIMATE (no PFNs without CAP_SYS_ADMIN)");
	fprintf(out, "%*s", (int)lw, "");
	for (size_t b = 0; b < ns; b++)
		fprintf(out, "  %*s", (int)cw, rep->spaces[b].label);
	fputc('\n', out);
	for (size_t a = 0; a < ns; a++) {
		fprintf(out, "%-*s", (int)lw, rep->spaces[a].label);
		for (size_t b = 0; b < ns; b++)
			fprintf(out, "  %*s", (int)cw,
				sharefmt_size_text(rep->both[a * ns + b], bytes, buf,
								 sizeof(buf)));
		fputc('\n', out);
	}
	fputc('\n', out);

	for (int k = 0; k < SHARING_KINDS; k++)
		heads[5 + k] = kind_names[k];
	ncols = exact ? 5 + SHARING_KINDS : ARRAY_SIZE(eheads);
	txt = sharefmt_grid(ns, ncols, sizeof(*txt), &cells);
	if (!txt)
		return -ENOMEM;
	for (size_t s = 0; s < ns; s++) {
		const struct sharing_space *sp = &rep->spaces[s];
		uint64_t v[5 + SHARING_KINDS];
		size_t n = 0;

		v[n++] = 0;	/* the label */
		v[n++] = sp->rss;
		v[n++] = sp->shared;
		if (exact)
			v[n++] = sp->only;
		v[n++] = sp->frees;
		if (exact) {
			for (int k = 0; k < SHARING_KINDS; k++)
				v[n++] = sp->kinds_known ? sp->kind[k] : UINT64_MAX;
		} else {
			v[n++] = sp->kind[SHARING_ANON];
			v[n++] = sp->kind[SHARING_FILE];
		}
		cells[s * ncols] = sp->label;
		for (size_t c = 1; c < ncols; c++) {
			if (sp->mem_rc)
				cells[s * ncols + c] = "-";
			else if (v[c] == UINT64_MAX)
				cells[s * ncols + c] = "?";
			else
				cells[s * ncols + c] = sharefmt_size_text(v[c], bytes, txt[s][c],
								 sizeof(txt[s][c]));
		}
	}
	rc = sharefmt_print_table(out, exact ? heads : eheads, ncols, ((1ul << ncols) - 1) & ~1ul,
				  cells, ns);
	if (!rc && exact && rep->together != UINT64_MAX)
		fprintf(out, "Anonymous pages these address spaces share with nobody else "
			"(freed when all of them exit): %s\n",
			sharefmt_size_text(rep->together, bytes, buf, sizeof(buf)));
	if (!rc)
		rc = print_nodes(out, rep, bytes);
	free(cells);	/* and txt */
	return rc;
}

void sharefmt_print_notes(FILE *out, const struct sharefmt_notes *nt)
{
	for (size_t i = 0; i < nt->n; i++)
		fprintf(out, "  - %s\n", nt->v[i]);
}

int sharefmt_text(FILE *out, const struct sharing_report *rep, bool bytes, const char *what)
{
	struct sharefmt_notes rn = { .n = 0 }, mn = { .n = 0 };
	int rc;

	sharefmt_resource_notes(rep, &rn);
	sharefmt_memory_notes(rep, &mn);
	fprintf(out, "taskscope share: %s: %zu task%s in %zu address space%s\n", what,
		rep->ntasks, rep->ntasks == 1 ? "" : "s", rep->nspaces,
		rep->nspaces == 1 ? "" : "s");
	if (!rep->nspaces) {
		sharefmt_print_notes(out, &rn);	/* why there is nothing: exited, or gone */
		rc = 0;
	} else if (!(rc = print_spaces(out, rep))) {
		print_resources(out, rep);
		sharefmt_print_notes(out, &rn);
		rc = print_memory(out, rep, bytes);
		if (rep->method == SHARING_NO_MEMORY)
			fputc('\n', out);
		sharefmt_print_notes(out, &mn);
	}
	sharefmt_notes_free(&rn);
	sharefmt_notes_free(&mn);
	return rc;
}

/* ---- JSON -------------------------------------------------------------------------------- */

void sharefmt_json_nodes(struct json *j, const struct sharing_report *rep, const uint64_t *v)
{
	if (!rep->nnodes || !v) {
		json_null(j, "nodes");
		return;
	}
	json_open_array(j, "nodes", true);
	for (int n = 0; n < rep->nnodes; n++)
		json_u64(j, NULL, v[n]);
	json_close_array(j);
}

void sharefmt_json_size(struct json *j, const char *key, uint64_t v)
{
	if (v == UINT64_MAX)
		json_null(j, key);
	else
		json_u64(j, key, v);
}

static void json_ids(struct json *j, const char *key, const pid_t *v, size_t n)
{
	json_open_array(j, key, true);
	for (size_t i = 0; i < n; i++)
		json_u64(j, NULL, (uint64_t)v[i]);
	json_close_array(j);
}

void sharefmt_json_notes(struct json *j, const struct sharefmt_notes *nt)
{
	json_open_array(j, "notes", false);
	for (size_t i = 0; i < nt->n; i++)
		json_string(j, NULL, nt->v[i]);
	json_close_array(j);
}

static void json_spaces(struct json *j, const struct sharing_report *rep)
{
	json_open_array(j, "spaces", false);
	for (size_t s = 0; s < rep->nspaces; s++) {
		const struct sharing_space *sp = &rep->spaces[s];

		json_open_object(j, NULL, false);
		json_string(j, "space", sp->label);
		json_string(j, "command", rep->tasks[sp->first].comm);
		json_open_array(j, "pids", true);
		for (size_t i = 0; i < sp->npids; i++)
			json_u64(j, NULL, (uint64_t)sp->pids[i]);
		json_close_array(j);
		json_u64(j, "ntasks", sp->ntasks);
		json_open_array(j, "tasks", false);
		for (size_t i = 0; i < sp->ntasks; i++) {
			const struct sharing_task *t = &rep->tasks[sp->first + i];

			json_open_object(j, NULL, true);
			json_u64(j, "tid", (uint64_t)t->tid);
			json_u64(j, "pid", (uint64_t)t->tgid);
			json_string(j, "comm", t->comm);
			json_close_object(j);
		}
		json_close_array(j);
		json_string(j, "kcmp", sp->access ? sharefmt_why(sp->access) : "ok");
		json_bool(j, "kernel", sp->kernel);
		json_close_object(j);
	}
	json_close_array(j);
}

static void json_resources(struct json *j, const struct sharing_report *rep,
			   const struct sharefmt_notes *nt)
{
	size_t ns = rep->nspaces;

	json_open_object(j, "resources", false);
	json_bool(j, "kcmp", rep->kcmp_rc == 0);
	for (int r = 0; r < KCMP_RES_COUNT; r++) {
		const char *name = kcmp_res_name((enum kcmp_res)r);
		char key[16];
		size_t k;

		for (k = 0; name[k] && k + 1 < sizeof(key); k++)
			key[k] = (char)(name[k] | 0x20);	/* lower case */
		key[k] = '\0';
		json_open_array(j, key, false);
		for (size_t a = 0; a < ns; a++) {
			json_open_array(j, NULL, true);
			for (size_t b = 0; b < ns; b++)
				json_string(j, NULL, cell_word[rep->res[r][a * ns + b]]);
			json_close_array(j);
		}
		json_close_array(j);
	}
	sharefmt_json_notes(j, nt);
	json_close_object(j);
}

static void json_memory(struct json *j, const struct sharing_report *rep,
			const struct sharefmt_notes *nt)
{
	static const char *const kinds[SHARING_KINDS] = {
		"anon", "file", "shmem", "ksm", "thp", "swapbacked"
	};
	bool exact = rep->method == SHARING_EXACT;
	size_t ns = rep->nspaces;

	json_open_object(j, "memory", false);
	json_string(j, "method", rep->method == SHARING_EXACT ? "exact" :
		    rep->method == SHARING_ESTIMATE ? "estimate" : NULL);
	json_u64(j, "page_size", rep->page_size);
	if (rep->method != SHARING_NO_MEMORY) {
		json_bool(j, "pagemap_scan", rep->scanned);
		json_u64(j, "pages", rep->pages);
		if (rep->nnodes) {
			json_i64(j, "numa_nodes", rep->nnodes);
			json_u64(j, "node_unknown", rep->node_unknown);
		} else {
			json_null(j, "numa_nodes");
			json_null(j, "node_unknown");
		}
		sharefmt_json_size(j, "together", rep->together);
		json_open_array(j, "both", false);
		for (size_t a = 0; a < ns; a++) {
			json_open_array(j, NULL, true);
			for (size_t b = 0; b < ns; b++)
				sharefmt_json_size(j, NULL, rep->both[a * ns + b]);
			json_close_array(j);
		}
		json_close_array(j);
		json_open_array(j, "spaces", false);
		for (size_t s = 0; s < ns; s++) {
			const struct sharing_space *sp = &rep->spaces[s];
			bool ok = !sp->mem_rc;
			bool kk = ok && sp->kinds_known;

			json_open_object(j, NULL, true);
			json_string(j, "space", sp->label);
			json_string(j, "error", ok ? NULL : sharefmt_why(sp->mem_rc));
			sharefmt_json_size(j, "rss", ok ? sp->rss : UINT64_MAX);
			sharefmt_json_size(j, "shared", ok ? sp->shared : UINT64_MAX);
			sharefmt_json_size(j, "only", ok && exact ? sp->only : UINT64_MAX);
			sharefmt_json_size(j, "frees", ok ? sp->frees : UINT64_MAX);
			for (int k = 0; k < SHARING_KINDS; k++)
				sharefmt_json_size(j, kinds[k], kk && (exact || k == SHARING_ANON ||
							      k == SHARING_FILE) ? sp->kind[k]
										 : UINT64_MAX);
			sharefmt_json_nodes(j, rep, ok && rep->node_shared ?
					    &rep->node_shared[s * (size_t)rep->nnodes] : NULL);
			json_close_object(j);
		}
		json_close_array(j);
	}
	sharefmt_json_notes(j, nt);
	json_close_object(j);
}
int sharefmt_json(FILE *out, const struct sharing_report *rep, size_t top)
{
	struct sharefmt_notes rn = { .n = 0 }, mn = { .n = 0 };
	struct json_stamp st;
	struct json j;
	int rc;

	sharefmt_resource_notes(rep, &rn);
	sharefmt_memory_notes(rep, &mn);
	json_stamp_init(&st, 0, false, 0);
	json_begin(&j, out);
	json_open_object(&j, NULL, false);
	json_stamp_write(&j, &st);
	json_u64(&j, "ntasks", rep->ntasks);
	json_u64(&j, "kernel_threads", rep->kthreads);
	json_ids(&j, "vanished", rep->vanished, rep->nvanished);
	json_ids(&j, "unreadable", rep->unreadable, rep->nunreadable);
	json_spaces(&j, rep);
	json_resources(&j, rep, &rn);
	json_memory(&j, rep, &mn);
	rc = sharefmt_json_lists(&j, rep, top);
	json_close_object(&j);
	if (!rc)
		rc = json_end(&j);
	else
		json_end(&j);
	sharefmt_notes_free(&rn);
	sharefmt_notes_free(&mn);
	return rc;
}
