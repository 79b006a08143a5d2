/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tuipanels.c - what the full-screen view's worker puts in its panels: a process's memory
 * map, what tasks share, where threads run; made as text lines in the worker's thread */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"
#include "model/columns.h"
#include "model/mapcols.h"
#include "model/memmap.h"
#include "model/placewatch.h"
#include "model/sharing.h"
#include "model/system.h"
#include "model/tasklist.h"
#include "model/timeline.h"
#include "target/target.h"
#include "view/cpus.h"
#include "view/maps.h"
#include "view/sharefmt.h"
#include "view/tuiwork.h"
#include "view/tuiworkint.h"

/* ---- panel text ------------------------------------------------------------------------ */

/* Split text into sanitized lines (the views write sanitized text already; this also
 * keeps a stray byte off the screen). */
int tuiwork_split_lines(struct tuiwork_frame *f, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char **v = realloc(f->lines, (f->nlines + 1) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		f->lines = v;
		f->lines[f->nlines] = util_sanitize_dup(p, n);
		if (!f->lines[f->nlines])
			return -ENOMEM;
		f->nlines++;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int tuiwork_add_line(struct tuiwork_frame *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int tuiwork_add_line(struct tuiwork_frame *f, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return tuiwork_split_lines(f, buf, strlen(buf));
}

int tuiwork_panel_maps(struct tuiwork *w, struct tuiwork_frame *f, pid_t pid)
{
	const struct maps_column **cols = NULL;
	struct maps_view v;
	struct maps_proc mp;
	struct memmap_loaded ml;
	struct memmap_row *groups = NULL;
	size_t ncols = 0, ngroups = 0, len = 0;
	char *text = NULL;
	FILE *out;
	int rc;

	rc = memmap_load(w->rootfd, pid, MEMMAP_LOAD_STACKS | MEMMAP_LOAD_NAMES, &ml);
	if (rc)
		return rc;
	if (ml.err) {
		rc = ml.err;
		memmap_loaded_free(&ml);
		if (rc == -ESRCH || rc == -ENOENT)
			return tuiwork_add_line(f, "PID %d: no such process", (int)pid);
		return tuiwork_add_line(f, "PID %d: cannot read its map: %s", (int)pid,
				rc == -EACCES || rc == -EPERM ? "permission denied" :
				strerror(-rc));
	}
	memset(&mp, 0, sizeof(mp));
	mp.pid = ml.pid;
	mp.comm = ml.comm;
	mp.nthreads = ml.nthreads;
	rc = memmap_group(&ml.mm, MEMMAP_GROUP_NONE, &groups, &ngroups);
	if (!rc)
		rc = mapcols_defaults(MEMMAP_GROUP_NONE, &cols, &ncols);
	out = rc ? NULL : open_memstream(&text, &len);
	if (out) {
		memset(&v, 0, sizeof(v));
		v.cols = cols;
		v.ncols = ncols;
		v.group = MEMMAP_GROUP_NONE;
		v.out = out;
		mp.mm = &ml.mm;
		mp.groups = groups;
		mp.ngroups = ngroups;
		maps_view_begin(&v);
		rc = maps_view_proc(&v, &mp);
		if (!rc)
			rc = maps_view_end(&v);
		fclose(out);
		if (!rc)
			rc = tuiwork_split_lines(f, text, len);
	} else if (!rc) {
		rc = -ENOMEM;
	}
	free(text);
	free(cols);
	memmap_rows_free(groups, ngroups);
	memmap_loaded_free(&ml);
	return rc;
}

/* One process against every other (share PID): read again at most every
 * SHARE_ALL_EVERY seconds, since it reads the pagemap of every process. */
static int panel_share_all(struct tuiwork *w, struct tuiwork_frame *f, pid_t pid)
{
	struct sharing_against ag;
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int rc;

	if (w->share_text && w->share_pid == pid &&
	    util_monotonic() - w->share_mono < SHARE_ALL_EVERY)
		return tuiwork_split_lines(f, w->share_text, w->share_len);
	rc = sharing_against_all(w->rootfd, pid, &ag);
	if (rc == -ESRCH)
		return tuiwork_add_line(f, "PID %d: no such process", (int)pid);
	if (rc == -EOPNOTSUPP)
		return tuiwork_add_line(f, "PID %d is a kernel thread: it has no address space to share",
				(int)pid);
	if (rc)
		return tuiwork_add_line(f, "cannot compare PID %d with the other processes: %s", (int)pid,
				strerror(-rc));
	out = open_memstream(&text, &len);
	if (!out) {
		sharing_against_free(&ag);
		return -ENOMEM;
	}
	rc = sharefmt_against_text(out, &ag, false, 20);
	fclose(out);
	sharing_against_free(&ag);
	if (rc) {
		free(text);
		return rc;
	}
	free(w->share_text);
	w->share_text = text;
	w->share_len = len;
	w->share_pid = pid;
	w->share_mono = util_monotonic();
	return tuiwork_split_lines(f, text, len);
}

int tuiwork_panel_share(struct tuiwork *w, struct tuiwork_frame *f, const pid_t *ids,
		       size_t n)
{
	struct sharing_report rep;
	pid_t missing = 0;
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int rc;

	if (n == 1)
		return panel_share_all(w, f, ids[0]);
	memset(&rep, 0, sizeof(rep));
	rc = sharing_collect(w->rootfd, ids, n, true, &rep, &missing);
	if (rc == -ESRCH)
		return tuiwork_add_line(f, "no such task: %d", (int)missing);
	if (rc)
		return tuiwork_add_line(f, "cannot compare the tasks: %s", strerror(-rc));
	out = open_memstream(&text, &len);
	if (!out) {
		sharing_free(&rep);
		return -ENOMEM;
	}
	rc = sharefmt_text(out, &rep, false, "the marked and the selected processes");
	fclose(out);
	if (!rc)
		rc = tuiwork_split_lines(f, text, len);
	free(text);
	sharing_free(&rep);
	return rc;
}

void tuiwork_place_stop(struct tuiwork *w)
{
	if (w->pw) {
		placewatch_stop(w->pw);
		placewatch_free(w->pw);
		w->pw = NULL;
	}
	w->place_pid = 0;
}

/* Keep the placement engine on the threads of pid: started when the panel opens, new
 * threads added on each pass, drained into its timeline. */
static void place_follow(struct tuiwork *w, pid_t pid)
{
	struct placewatch_config pc = {
		.rootfd = w->rootfd, .rate = PLACEMENT_RATE, .max_threads = 256,
		.ring_records = 1u << 14, .max_runs = 200000,
	};
	size_t found;

	if (w->place_pid != pid)
		tuiwork_place_stop(w);
	if (!w->pw) {
		if (placewatch_new(&w->pw, &pc))
			return;
		w->place_pid = pid;
		if (placewatch_start(w->pw, 0)) {
			tuiwork_place_stop(w);
			return;
		}
	}
	placewatch_refresh(w->pw, &pid, 1, false, true, false, &found);
	placewatch_drain(w->pw);
	timeline_cover(placewatch_timeline(w->pw), (uint32_t)placewatch_slot(w->pw));
}

/* the placement table's cell format by column: AFFINITY left, RUN and RUNQ wider, COMM last */
static const char *cell_fmt(size_t c)
{
	return c == 4 ? "%-10s " : c == 6 || c == 7 ? "%8s " : c == 9 ? "%s" : "%6s ";
}

int tuiwork_panel_cpus(struct tuiwork *w, struct tuiwork_frame *f, pid_t pid)
{
	static const char *const names[] = { "TID", "CPU", "NODE", "CORE", "AFFINITY",
					     "MIGR", "RUN", "RUNQ", "PCPU", "COMM" };
	const struct column *cols[ARRAY_SIZE(names)];
	const struct snapshot *th = NULL;
	const struct timeline *tl;
	struct col_ctx ctx = { .threads = true };
	unsigned readers = 0;
	char line[512];
	int rc;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		cols[i] = columns_find(names[i]);
		readers |= cols[i]->readers;
	}
	if (!w->place) {
		rc = sampler_new(&w->place, readers, true);
		if (rc)
			return rc;
	}
	ctx.sampler = w->place;
	rc = sampler_take(w->place, &pid, 1, &th);
	if (rc)
		return tuiwork_add_line(f, "PID %d: %s", (int)pid, strerror(-rc));
	if (!th->ntasks)
		return tuiwork_add_line(f, "PID %d: no such process", (int)pid);
	place_follow(w, pid);
	rc = tuiwork_add_line(f, "Threads of PID %d: where they run (placement columns, over %.1fs)",
		      (int)pid, th->interval);
	{
		size_t o = 0;

		for (size_t c = 0; c < ARRAY_SIZE(names); c++)
			o += (size_t)snprintf(line + o, sizeof(line) - o, cell_fmt(c), names[c]);
		rc = rc ? rc : tuiwork_add_line(f, "%s", line);
	}
	for (size_t i = 0; !rc && i < th->ntasks; i++) {
		size_t o = 0;

		for (size_t c = 0; c < ARRAY_SIZE(names) && o < sizeof(line); c++) {
			struct cell cell;
			char vb[64];
			const char *v;

			memset(&cell, 0, sizeof(cell));
			cols[c]->get(&ctx, &th->tasks[i], &cell);
			v = cell.av == TS_OK ? columns_format(cols[c], &cell, false, false, vb,
							     sizeof(vb)) : NULL;
			o += (size_t)snprintf(line + o, sizeof(line) - o, cell_fmt(c), v ? v : "-");
		}
		rc = tuiwork_add_line(f, "%s", line);
	}
	if (rc || !w->pw)
		return rc;
	tl = placewatch_timeline(w->pw);
	rc = tuiwork_add_line(f, " ");
	rc = rc ? rc : tuiwork_add_line(f, "Timeline: the CPU of each thread, %d samples a second "
				"since the panel opened (0-9 CPU running, %c waiting, %c not seen);",
				PLACEMENT_RATE, CPUS_WAIT_CHAR, CPUS_NONE_CHAR);
	rc = rc ? rc : tuiwork_add_line(f, "after it: %% of samples running, shares of CPUs over "
				"running samples");
	for (size_t i = 0; !rc && i < tl->nthreads; i++) {
		char label[64], strip[STRIP_WIDTH + 1], tail[96];
		uint32_t step = cpus_strip_step(tl->nslots, STRIP_WIDTH);

		cpus_label(&tl->threads[i], 20, label, sizeof(label));
		cpus_strip_line(tl, i, step, STRIP_WIDTH, strip);
		rc = cpus_run_text(tl, i, tail, sizeof(tail));
		rc = rc ? rc : tuiwork_add_line(f, "%s |%s| %s", label, strip, tail);
	}
	if (!rc) {
		char *text = NULL;
		size_t len = 0;

		rc = cpus_cpu_text(tl, &text, &len);
		rc = rc ? rc : tuiwork_split_lines(f, text, len);
		free(text);
	}
	return rc;
}

