/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sharelist.c - share's ranked reports: one process against every other, and the pairs and
 * groups of many address spaces */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/sharing.h"
#include "view/json.h"
#include "view/sharefmt.h"

/* A size cell, "-" when not known. */
static const char *cell(bool known, uint64_t v, bool bytes, char *buf, size_t len)
{
	return known ? sharefmt_size_text(v, bytes, buf, len) : "-";
}

/* ---- pairs and segments in JSON ---------------------------------------------------------- */

static void json_kinds(struct json *j, const struct sharing_report *rep, const uint64_t *kind,
		       bool known)
{
	bool exact = rep->method == SHARING_EXACT;

	sharefmt_json_size(j, "anon", known ? kind[SHARING_ANON] : UINT64_MAX);
	sharefmt_json_size(j, "file", known ? kind[SHARING_FILE] : UINT64_MAX);
	sharefmt_json_size(j, "shmem", known && exact ? kind[SHARING_SHMEM] : UINT64_MAX);
}

static const char *const json_res_keys[KCMP_RES_COUNT] = {
	"vm", "files", "fs", "sighand", "io", "sysvsem"
};

/* The ranked pairs and the segments (address spaces that map the same pages). */
int sharefmt_json_lists(struct json *j, const struct sharing_report *rep, size_t top)
{
	struct sharing_pair *pairs = NULL;
	size_t npairs = 0, shown;
	int rc = sharing_pairs(rep, &pairs, &npairs);

	if (rc)
		return rc;
	shown = top && top < npairs ? top : npairs;
	json_u64(j, "npairs", npairs);
	json_open_array(j, "pairs", false);
	for (size_t i = 0; i < shown; i++) {
		struct sharing_pair *p = &pairs[i];
		bool known = rep->method != SHARING_NO_MEMORY && p->bytes != UINT64_MAX &&
			     rep->spaces[p->a].kinds_known;

		sharing_pair_kinds(rep, p);
		json_open_object(j, NULL, true);
		json_string(j, "a", rep->spaces[p->a].label);
		json_string(j, "b", rep->spaces[p->b].label);
		json_u64(j, "pid_a", (uint64_t)rep->spaces[p->a].pids[0]);
		json_u64(j, "pid_b", (uint64_t)rep->spaces[p->b].pids[0]);
		sharefmt_json_size(j, "shared",
				   rep->method == SHARING_NO_MEMORY ? UINT64_MAX : p->bytes);
		json_kinds(j, rep, p->kind, known);
		json_open_array(j, "resources", true);
		for (int r = 0; r < KCMP_RES_COUNT; r++)
			if (p->res & (1u << r))
				json_string(j, NULL, json_res_keys[r]);
		json_close_array(j);
		json_close_object(j);
	}
	json_close_array(j);
	free(pairs);
	shown = top && top < rep->nsegments ? top : rep->nsegments;
	json_u64(j, "nsegments", rep->nsegments);
	json_open_array(j, "segments", false);
	for (size_t i = 0; i < shown; i++) {
		const struct sharing_segment *g = &rep->segments[i];

		json_open_object(j, NULL, true);
		json_open_array(j, "spaces", true);
		for (size_t k = 0; k < g->n; k++)
			json_string(j, NULL, rep->spaces[g->members[k]].label);
		json_close_array(j);
		json_open_array(j, "pids", true);
		for (size_t k = 0; k < g->n; k++)
			json_u64(j, NULL, (uint64_t)rep->spaces[g->members[k]].pids[0]);
		json_close_array(j);
		json_u64(j, "shared", g->bytes);
		json_kinds(j, rep, g->kind, rep->spaces[g->members[0]].kinds_known);
		sharefmt_json_nodes(j, rep, g->node_bytes);	/* NULL: none on a known node */
		json_close_object(j);
	}
	json_close_array(j);
	return 0;
}

/* ---- one process against every other ---------------------------------------------------- */

/* "VM,FILES" of the resource bits, "-" for none */
static const char *res_text(unsigned res, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int r = 0; r < KCMP_RES_COUNT && off < len; r++)
		if (res & (1u << r))
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "," : "",
						kcmp_res_name((enum kcmp_res)r));
	return off ? buf : "-";
}

static void against_notes(const struct sharing_against *ag, size_t shown, struct sharefmt_notes *nt)
{
	if (ag->method == SHARING_ESTIMATE) {
		sharefmt_note_add(nt, "estimate: without CAP_SYS_ADMIN pagemap hides page frame "
				  "numbers; a page counts as shared with a process when both map "
				  "the same file page, or both have a copy-on-write page at the "
				  "same address");
		sharefmt_note_add(nt, "run as root for exact numbers (pagemap PFNs)");
	}
	if (ag->method == SHARING_EXACT && ag->kpage_rc)
		sharefmt_note_add(nt, "/proc/kpageflags, /proc/kpagecount: %s: the kinds of shared "
				  "pages are unknown, and every page of PID %d was looked for",
				  sharefmt_why(ag->kpage_rc), (int)ag->pid);
	if (ag->mem_rc)
		sharefmt_note_add(nt, "PID %d: pagemap: %s: only kernel resources compared",
				  (int)ag->pid, sharefmt_why(ag->mem_rc));
	if (shown < ag->npartners)
		sharefmt_note_add(nt, "%zu of %zu processes shown (--top)", shown, ag->npartners);
	if (ag->npartners)
		sharefmt_note_add(nt, "RESOURCES: the kcmp resources a process holds the same one "
				  "of as PID %d%s", (int)ag->pid,
				  ag->none ? " (IO, SYSVSEM: not when neither has one)" : "");
	if (ag->nthreads > 1)
		sharefmt_note_add(nt, "PID %d's own %ld threads are one thread group: they share "
				  "its address space and every resource above", (int)ag->pid,
				  ag->nthreads);
	if (ag->kcmp_rc == -ENOSYS)
		sharefmt_note_add(nt, "kcmp(2) is not available (CONFIG_KCMP): resources unknown");
	if (ag->denied)
		sharefmt_note_add(nt, "%zu process%s could not be read: permission denied (pagemap "
				  "and kcmp need ptrace read access)", ag->denied,
				  ag->denied == 1 ? "" : "es");
	if (ag->gone)
		sharefmt_note_add(nt, "%zu process%s ended while being read: left out", ag->gone,
				  ag->gone == 1 ? "" : "es");
	if (ag->kthreads)
		sharefmt_note_add(nt, "%zu kernel thread%s left out: kernel threads have no "
				  "address space", ag->kthreads, ag->kthreads == 1 ? "" : "s");
	if (ag->zombies)
		sharefmt_note_add(nt, "%zu exited process%s (zombie) left out", ag->zombies,
				  ag->zombies == 1 ? "" : "es");
	if (!ag->scanned)
		sharefmt_note_add(nt, "no PAGEMAP_SCAN (Linux 6.7+): whole mappings were read");
}

int sharefmt_against_text(FILE *out, const struct sharing_against *ag, bool bytes, size_t top)
{
	static const char *const heads[] = { "RANK", "PID", "COMMAND", "THREADS", "SHARED",
					     "ANON", "FILE", "SHMEM", "RESOURCES" };
	enum { NC = ARRAY_SIZE(heads) };
	bool exact = ag->method == SHARING_EXACT;
	size_t shown = top && top < ag->npartners ? top : ag->npartners;
	struct sharefmt_notes nt = { .n = 0 };
	const char **cells;
	char (*txt)[NC][64] = sharefmt_grid(shown, NC, sizeof(*txt), &cells);
	char b[4][24];
	int rc = 0;

	if (!txt)
		return -ENOMEM;
	against_notes(ag, shown, &nt);
	fprintf(out, "taskscope share: PID %d (%s, %ld thread%s) against every other process: "
		"%zu looked at, the pages of %zu read\n", (int)ag->pid, ag->comm, ag->nthreads,
		ag->nthreads == 1 ? "" : "s", ag->processes, ag->compared);
	if (!ag->mem_rc) {
		fprintf(out, "Memory, %s: PID %d maps %s; %s of it other processes map too",
			exact ? "exact (pagemap PFNs)" : "ESTIMATE (no PFNs without CAP_SYS_ADMIN)",
			(int)ag->pid, sharefmt_size_text(ag->rss, bytes, b[0], sizeof(b[0])),
			sharefmt_size_text(ag->shared, bytes, b[1], sizeof(b[1])));
		if (ag->kinds_known)
			fprintf(out, " (ANON %s, FILE %s%s%s)",
				cell(true, ag->kind[SHARING_ANON], bytes, b[2], sizeof(b[2])),
				cell(true, ag->kind[SHARING_FILE], bytes, b[3], sizeof(b[3])),
				exact ? ", SHMEM " : "",
				exact ? cell(true, ag->kind[SHARING_SHMEM], bytes, b[0],
					     sizeof(b[0])) : "");
		fprintf(out, "; %s anonymous only its own (freed on exit)\n",
			sharefmt_size_text(ag->frees, bytes, b[1], sizeof(b[1])));
	}
	fputc('\n', out);
	for (size_t i = 0; i < shown; i++) {
		const struct sharing_partner *p = &ag->partners[i];
		const char **c = cells + i * NC;
		bool kinds = !p->same_vm && ag->kinds_known;

		util_u64_dec(i + 1, txt[i][0], sizeof(txt[i][0]));
		util_u64_dec((uint64_t)p->pid, txt[i][1], sizeof(txt[i][1]));
		util_u64_dec((uint64_t)(p->nthreads > 0 ? p->nthreads : 0), txt[i][3],
			     sizeof(txt[i][3]));
		c[0] = txt[i][0];
		c[1] = txt[i][1];
		c[2] = p->comm;
		c[3] = txt[i][3];
		c[4] = cell(!ag->mem_rc, p->shared, bytes, txt[i][4], sizeof(txt[i][4]));
		c[5] = cell(kinds, p->kind[SHARING_ANON], bytes, txt[i][5], sizeof(txt[i][5]));
		c[6] = cell(kinds, p->kind[SHARING_FILE], bytes, txt[i][6], sizeof(txt[i][6]));
		c[7] = cell(kinds && exact, p->kind[SHARING_SHMEM], bytes, txt[i][7],
			    sizeof(txt[i][7]));
		if (p->same_vm)
			snprintf(txt[i][8], sizeof(txt[i][8]), "%s (same address space)",
				 res_text(p->res, b[0], sizeof(b[0])));
		c[8] = p->kcmp_rc ? "?" : p->same_vm ? txt[i][8] : res_text(p->res, txt[i][8],
										 sizeof(txt[i][8]));
	}
	if (shown)
		rc = sharefmt_print_table(out, heads, NC, 0xfbul, cells, shown);
	else
		fprintf(out, "No other process shares memory or kernel resources with PID %d.\n",
			(int)ag->pid);
	sharefmt_print_notes(out, &nt);
	sharefmt_notes_free(&nt);
	free(cells);	/* and txt */
	return rc;
}

int sharefmt_against_json(FILE *out, const struct sharing_against *ag, size_t top)
{
	static const char *const res_keys[KCMP_RES_COUNT] = {
		"vm", "files", "fs", "sighand", "io", "sysvsem"
	};
	bool exact = ag->method == SHARING_EXACT, ok = !ag->mem_rc;
	size_t shown = top && top < ag->npartners ? top : ag->npartners;
	struct sharefmt_notes nt = { .n = 0 };
	struct json_stamp st;
	struct json j;
	int rc;

	against_notes(ag, shown, &nt);
	json_stamp_init(&st, 0, false, 0);
	json_begin(&j, out);
	json_open_object(&j, NULL, false);
	json_stamp_write(&j, &st);
	json_string(&j, "mode", "against-all");
	json_u64(&j, "pid", (uint64_t)ag->pid);
	json_string(&j, "command", ag->comm);
	json_u64(&j, "threads", ag->nthreads > 0 ? (uint64_t)ag->nthreads : 0);
	json_open_object(&j, "memory", false);
	json_string(&j, "method", exact ? "exact" : "estimate");
	json_string(&j, "error", ok ? NULL : sharefmt_why(ag->mem_rc));
	json_u64(&j, "page_size", ag->page_size);
	json_bool(&j, "pagemap_scan", ag->scanned);
	sharefmt_json_size(&j, "rss", ok ? ag->rss : UINT64_MAX);
	sharefmt_json_size(&j, "shared", ok ? ag->shared : UINT64_MAX);
	sharefmt_json_size(&j, "frees", ok ? ag->frees : UINT64_MAX);
	sharefmt_json_size(&j, "anon", ok && ag->kinds_known ? ag->kind[SHARING_ANON] : UINT64_MAX);
	sharefmt_json_size(&j, "file", ok && ag->kinds_known ? ag->kind[SHARING_FILE] : UINT64_MAX);
	sharefmt_json_size(&j, "shmem",
			   ok && ag->kinds_known && exact ? ag->kind[SHARING_SHMEM] : UINT64_MAX);
	json_close_object(&j);
	json_u64(&j, "processes", ag->processes);
	json_u64(&j, "compared", ag->compared);
	json_u64(&j, "denied", ag->denied);
	json_u64(&j, "gone", ag->gone);
	json_u64(&j, "kernel_threads", ag->kthreads);
	json_u64(&j, "zombies", ag->zombies);
	json_u64(&j, "npartners", ag->npartners);
	json_open_array(&j, "partners", false);
	for (size_t i = 0; i < shown; i++) {
		const struct sharing_partner *p = &ag->partners[i];
		bool kinds = ok && !p->same_vm && ag->kinds_known;

		json_open_object(&j, NULL, true);
		json_u64(&j, "pid", (uint64_t)p->pid);
		json_string(&j, "command", p->comm);
		json_u64(&j, "threads", p->nthreads > 0 ? (uint64_t)p->nthreads : 0);
		sharefmt_json_size(&j, "shared", ok ? p->shared : UINT64_MAX);
		sharefmt_json_size(&j, "anon", kinds ? p->kind[SHARING_ANON] : UINT64_MAX);
		sharefmt_json_size(&j, "file", kinds ? p->kind[SHARING_FILE] : UINT64_MAX);
		sharefmt_json_size(&j, "shmem",
				   kinds && exact ? p->kind[SHARING_SHMEM] : UINT64_MAX);
		json_bool(&j, "same_vm", p->same_vm);
		json_string(&j, "kcmp", p->kcmp_rc ? sharefmt_why(p->kcmp_rc) : "ok");
		json_open_array(&j, "resources", true);
		for (int r = 0; r < KCMP_RES_COUNT; r++)
			if (p->res & (1u << r))
				json_string(&j, NULL, res_keys[r]);
		json_close_array(&j);
		json_close_object(&j);
	}
	json_close_array(&j);
	sharefmt_json_notes(&j, &nt);
	json_close_object(&j);
	rc = json_end(&j);
	sharefmt_notes_free(&nt);
	return rc;
}

/* ---- many address spaces: ranked pairs and segments ------------------------------------- */

/* "PID" or "PID,..." of a space */
static const char *space_pid(const struct sharing_space *sp, char *buf, size_t len)
{
	snprintf(buf, len, "%d%s", (int)sp->pids[0], sp->npids > 1 ? ",..." : "");
	return buf;
}

static const char *space_comm(const struct sharing_report *rep, size_t s)
{
	const char *c = rep->tasks[rep->spaces[s].first].comm;

	return c ? c : "-";
}

/* "postgres, bash and 3 more" of a segment's distinct commands */
static void segment_comms(const struct sharing_report *rep, const struct sharing_segment *g,
			  char *buf, size_t len)
{
	const char *seen[3];
	size_t nseen = 0, more = 0, off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < g->n; i++) {
		const char *c = space_comm(rep, g->members[i]);
		bool dup = false;

		for (size_t k = 0; k < nseen && !dup; k++)
			dup = !strcmp(seen[k], c);
		for (size_t k = 0; k < i && !dup && nseen == ARRAY_SIZE(seen); k++)
			dup = !strcmp(space_comm(rep, g->members[k]), c);
		if (dup)
			continue;
		if (nseen < ARRAY_SIZE(seen))
			seen[nseen++] = c;
		else
			more++;
	}
	for (size_t k = 0; k < nseen && off < len; k++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", k ? ", " : "", seen[k]);
	if (more && off < len)
		snprintf(buf + off, len - off, " and %zu more", more);
}

/* "101,102,103 and 9 more" of a segment's spaces */
static void segment_pids(const struct sharing_report *rep, const struct sharing_segment *g,
			 char *buf, size_t len)
{
	size_t off = 0, i;

	buf[0] = '\0';
	for (i = 0; i < g->n && i < 6 && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%d", i ? "," : "",
					(int)rep->spaces[g->members[i]].pids[0]);
	if (i < g->n && off < len)
		snprintf(buf + off, len - off, " and %zu more", g->n - i);
}

static int print_pairs(FILE *out, const struct sharing_report *rep, struct sharing_pair *pairs,
		       size_t shown, bool bytes)
{
	static const char *const heads[] = { "RANK", "SHARED", "ANON", "FILE", "SHMEM",
					     "RESOURCES", "PID", "COMMAND", "PID", "COMMAND" };
	enum { NC = ARRAY_SIZE(heads) };
	bool exact = rep->method == SHARING_EXACT;
	const char **cells;
	char (*txt)[NC][64] = sharefmt_grid(shown, NC, sizeof(*txt), &cells);
	int rc;

	if (!txt)
		return -ENOMEM;
	for (size_t i = 0; i < shown; i++) {
		struct sharing_pair *p = &pairs[i];
		const char **c = cells + i * NC;
		bool kinds = rep->method != SHARING_NO_MEMORY && p->bytes != UINT64_MAX &&
			     rep->spaces[p->a].kinds_known;

		sharing_pair_kinds(rep, p);
		c[0] = util_u64_dec(i + 1, txt[i][0], sizeof(txt[i][0]));
		c[1] = rep->method == SHARING_NO_MEMORY ? "-" :
		       sharefmt_size_text(p->bytes, bytes, txt[i][1], sizeof(txt[i][1]));
		c[2] = cell(kinds, p->kind[SHARING_ANON], bytes, txt[i][2], sizeof(txt[i][2]));
		c[3] = cell(kinds, p->kind[SHARING_FILE], bytes, txt[i][3], sizeof(txt[i][3]));
		c[4] = cell(kinds && exact, p->kind[SHARING_SHMEM], bytes, txt[i][4],
			    sizeof(txt[i][4]));
		c[5] = res_text(p->res, txt[i][5], sizeof(txt[i][5]));
		c[6] = space_pid(&rep->spaces[p->a], txt[i][6], sizeof(txt[i][6]));
		c[7] = space_comm(rep, p->a);
		c[8] = space_pid(&rep->spaces[p->b], txt[i][8], sizeof(txt[i][8]));
		c[9] = space_comm(rep, p->b);
	}
	rc = sharefmt_print_table(out, heads, NC, 0x1dful & ~(1ul << 5), cells, shown);
	free(cells);	/* and txt */
	return rc;
}

/* "N0=2.0M,N1=1.0M": a segment's bytes on each node that has some; "?" when unknown */
static const char *segment_nodes(const struct sharing_report *rep, const struct sharing_segment *g,
				 bool bytes, char *buf, size_t len)
{
	size_t off = 0;

	if (!g->node_bytes)
		return "?";
	buf[0] = '\0';
	for (int k = 0; k < rep->nnodes && off < len; k++) {
		char sz[24];
		int w;

		if (!g->node_bytes[k])
			continue;
		w = snprintf(buf + off, len - off, "%sN%d=%s", off ? "," : "", k,
			     sharefmt_size_text(g->node_bytes[k], bytes, sz, sizeof(sz)));
		if (w < 0 || (size_t)w >= len - off) {
			buf[off] = '\0';	/* a whole item or none */
			break;
		}
		off += (size_t)w;
	}
	return buf;
}

static int print_segments(FILE *out, const struct sharing_report *rep, size_t top, bool bytes,
			  size_t *shown)
{
	static const char *const heads[] = { "RANK", "SHARED", "ANON", "FILE", "SHMEM", "SPACES",
					     "PIDS", "COMMANDS", "NODES" };
	enum { NC = ARRAY_SIZE(heads) };
	bool exact = rep->method == SHARING_EXACT;
	/* NODES (where the pages are) only when there is more than one */
	size_t n = 0, cap = top ? top : rep->nsegments, ncols = rep->nnodes > 1 ? NC : NC - 1;
	const char **cells;
	char (*txt)[NC][128] = sharefmt_grid(cap, NC, sizeof(*txt), &cells);
	int rc = 0;

	*shown = 0;
	if (!txt)
		return -ENOMEM;
	for (size_t i = 0; i < rep->nsegments && n < cap; i++) {
		const struct sharing_segment *g = &rep->segments[i];
		const char **c = cells + n * ncols;
		bool kinds = rep->spaces[g->members[0]].kinds_known;

		if (g->n < 3)
			continue;
		c[0] = util_u64_dec(n + 1, txt[n][0], sizeof(txt[n][0]));
		c[1] = sharefmt_size_text(g->bytes, bytes, txt[n][1], sizeof(txt[n][1]));
		c[2] = cell(kinds, g->kind[SHARING_ANON], bytes, txt[n][2], sizeof(txt[n][2]));
		c[3] = cell(kinds, g->kind[SHARING_FILE], bytes, txt[n][3], sizeof(txt[n][3]));
		c[4] = cell(kinds && exact, g->kind[SHARING_SHMEM], bytes, txt[n][4],
			    sizeof(txt[n][4]));
		c[5] = util_u64_dec(g->n, txt[n][5], sizeof(txt[n][5]));
		segment_pids(rep, g, txt[n][6], sizeof(txt[n][6]));
		c[6] = txt[n][6];
		segment_comms(rep, g, txt[n][7], sizeof(txt[n][7]));
		c[7] = txt[n][7];
		if (ncols == NC)
			c[8] = segment_nodes(rep, g, bytes, txt[n][8], sizeof(txt[n][8]));
		n++;
	}
	if (n) {
		fputs("\nGroups of three or more address spaces that all map the same pages "
		      "(SHARED: what each of them maps):\n", out);
		rc = sharefmt_print_table(out, heads, ncols, 0x3ful, cells, n);
	}
	*shown = n;
	free(cells);	/* and txt */
	return rc;
}

int sharefmt_list_text(FILE *out, const struct sharing_report *rep, bool bytes, const char *what,
		       size_t top)
{
	struct sharefmt_notes rn = { .n = 0 }, mn = { .n = 0 };
	struct sharing_pair *pairs = NULL;
	size_t npairs = 0, shown, gshown = 0;
	int rc;

	rc = sharing_pairs(rep, &pairs, &npairs);
	if (rc)
		return rc;
	shown = top && top < npairs ? top : npairs;
	sharefmt_resource_notes(rep, &rn);
	sharefmt_memory_notes(rep, &mn);
	fprintf(out, "taskscope share: %s: %zu task%s in %zu address space%s: the pairs and groups "
		"that share the most, ranked\n", what, rep->ntasks, rep->ntasks == 1 ? "" : "s",
		rep->nspaces, rep->nspaces == 1 ? "" : "s");
	fprintf(out, "\nPairs of address spaces: memory both map, %s; kcmp resources both hold:\n",
		rep->method == SHARING_EXACT ? "exact (pagemap PFNs)" :
		rep->method == SHARING_ESTIMATE ? "ESTIMATE (no PFNs without CAP_SYS_ADMIN)" :
		"none to compare");
	if (shown)
		rc = print_pairs(out, rep, pairs, shown, bytes);
	else
		fputs("No two of them share memory or a kernel resource.\n", out);
	if (!rc)
		rc = print_segments(out, rep, top, bytes, &gshown);
	if (!rc) {
		if (shown < npairs)
			sharefmt_note_add(&rn, "%zu of %zu pairs shown (--top); -J lists them all",
					  shown, npairs);
		for (size_t s = 0; s < rep->nspaces; s++) {
			if (rep->spaces[s].npids > 1) {
				sharefmt_note_add(&rn, "PID,...: an address space of several "
						  "processes (CLONE_VM)");
				break;
			}
		}
		fputc('\n', out);
		sharefmt_print_notes(out, &rn);
		sharefmt_print_notes(out, &mn);
	}
	free(pairs);
	sharefmt_notes_free(&rn);
	sharefmt_notes_free(&mn);
	return rc;
}
