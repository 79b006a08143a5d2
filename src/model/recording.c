/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recording.c - a recording's writer, the record sink: each sample's rows (reccreate.c
 * makes the file, rectrim.c drops old samples, recplay.c reads it, recschema.c has its
 * schema) */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/msg.h"
#include "lib/util.h"
#include "model/recint.h"

unsigned long recording_samples(const struct recording *r)
{
	return r->samples;
}

/* ---- writing a sample ---- */

static int step(struct recording *r, enum rec_stmt k)
{
	sqlite3_stmt *st = r->st[k];
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : rec_fail(r, rc);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static bool same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool same_work(const struct task *a, const struct task *b)
{
#define X(f, col) if (a->f != b->f) return false;
	REC_WORK(X)
#undef X
	return true;
}

static bool same_run(const struct task *a, const struct task *b)
{
#define X(f, col) if (a->f != b->f) return false;
	REC_RUN(X)
#undef X
	return a->state == b->state && same_work(a, b);
}

static bool same_slow(const struct task *a, const struct task *b)
{
#define X(f, col) if (a->f != b->f) return false;
	REC_SLOW(X)
#undef X
	return same_text(a->affinity, b->affinity);
}

static bool same_mem(const struct task *a, const struct task *b)
{
#define X(f, col) if (a->f != b->f) return false;
	REC_MEMS(X)
#undef X
	return true;
}

/* ---- texts stored once (schema 3) ---- */

static size_t text_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)h;
}

/* The slot of s in the table: its own, or the free one where it would go. */
static struct rec_text *text_slot(struct recording *r, const char *s)
{
	size_t mask = r->ntext_slots - 1, i = text_hash(s) & mask;

	while (r->texts[i].id && strcmp(r->texts[i].s, s))
		i = (i + 1) & mask;
	return &r->texts[i];
}

/* Remember that s (owned from now on) is text id. */
static int text_keep(struct recording *r, char *s, sqlite3_int64 id)
{
	struct rec_text *slot;

	if ((r->ntexts + 1) * 2 > r->ntext_slots) {
		size_t n = r->ntext_slots ? r->ntext_slots * 2 : 256;
		struct rec_text *old = r->texts, *v = calloc(n, sizeof(*v));
		size_t nold = r->ntext_slots;

		if (!v) {
			free(s);
			return -ENOMEM;
		}
		r->texts = v;
		r->ntext_slots = n;
		for (size_t i = 0; i < nold; i++)
			if (old[i].id)
				*text_slot(r, old[i].s) = old[i];
		free(old);
	}
	slot = text_slot(r, s);
	slot->s = s;
	slot->id = id;
	r->ntexts++;
	return 0;
}

/* The id of text s, stored now when it is new; 0 for NULL. */
static int text_id(struct recording *r, const char *s, sqlite3_int64 *id)
{
	char *copy;
	int rc;

	*id = 0;
	if (!s)
		return 0;
	if (r->ntext_slots) {
		const struct rec_text *t = text_slot(r, s);

		if (t->id) {
			*id = t->id;
			return 0;
		}
	}
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	sqlite3_bind_text(r->st[ST_TEXT], 1, s, -1, SQLITE_STATIC);
	rc = step(r, ST_TEXT);
	if (rc) {
		free(copy);
		return rc;
	}
	*id = sqlite3_last_insert_rowid(r->db);
	return text_keep(r, copy, *id);
}

static void texts_forget(struct recording *r)
{
	for (size_t i = 0; i < r->ntext_slots; i++)
		free(r->texts[i].s);
	free(r->texts);
	r->texts = NULL;
	r->ntexts = r->ntext_slots = 0;
}

int rec_texts_reload(struct recording *r)
{
	sqlite3_stmt *st;
	int rc;

	texts_forget(r);
	rc = rec_prepare(r, "SELECT id, text FROM text", &st);
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 1);
		char *copy = s ? strdup(s) : NULL;

		rc = !s ? 0 : copy ? text_keep(r, copy, sqlite3_column_int64(st, 0)) : -ENOMEM;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = rec_fail(r, rc);
	sqlite3_finalize(st);
	return rc;
}

static int put_name(struct recording *r, sqlite3_int64 id, unsigned long seq,
		    const struct task *t)
{
	sqlite3_stmt *st = r->st[ST_NAME];
	sqlite3_int64 comm, cmd;
	int rc = text_id(r, t->comm, &comm);

	if (!rc)
		rc = text_id(r, t->cmd, &cmd);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	if (comm)
		sqlite3_bind_int64(st, 3, comm);
	if (cmd)
		sqlite3_bind_int64(st, 4, cmd);
	sqlite3_bind_int(st, 5, (int)t->cmd_av);
	return step(r, ST_NAME);
}

/* A state letter as schema 4 stores it (REC_STATES): -1 for none (NULL). */
static int state_code(char c)
{
	const char *p = c ? strchr(REC_STATES, c) : NULL;

	return !c ? -1 : p ? (int)(p - REC_STATES) : (unsigned char)c;
}

/* The values that change while a task runs (a run row whenever any of its values changed,
 * a work row beside it when one of those of work did): the counters as the change since
 * its row before (prev, all 0 for a new task). */
static int put_running(struct recording *r, sqlite3_int64 id, unsigned long seq,
		       const struct task *t, const struct task *prev)
{
	sqlite3_stmt *st = r->st[ST_RUN];
	int i = 4, rc, state = state_code(t->state);

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	if (state >= 0)
		sqlite3_bind_int(st, 3, state);
#define X(f, col) sqlite3_bind_int64(st, i++, (sqlite3_int64)t->f);
	REC_RUN_ABS(X)
#undef X
	/* unsigned differences: a value that went down is stored negative, and the reader's
	 * unsigned sum gives it back */
#define X(f, col) sqlite3_bind_int64(st, i++, (sqlite3_int64)(t->f - prev->f));
	REC_RUN_DELTA(X)
#undef X
	rc = step(r, ST_RUN);
	if (rc || same_work(t, prev))
		return rc;
	st = r->st[ST_WORK];
	i = 3;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
#define X(f, col) sqlite3_bind_int64(st, i++, (sqlite3_int64)(t->f - prev->f));
	REC_WORK(X)
#undef X
	return step(r, ST_WORK);
}

/* ... and the ones that seldom change, with the id of its cgroup's path. */
static int put_slow(struct recording *r, sqlite3_int64 id, unsigned long seq,
		    const struct task *t, sqlite3_int64 cgroup)
{
	sqlite3_stmt *st = r->st[ST_VAL];
	sqlite3_int64 flags = 0;
	int i = 4;

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	bind_text(st, 3, t->affinity);
#define X(f, col) sqlite3_bind_int64(st, i++, (sqlite3_int64)t->f);
	REC_SLOW_PLAIN(X)
#undef X
#define Y(X, f, col, sh, m) flags |= ((sqlite3_int64)t->f & (m)) << (sh);
	REC_FLAGS(_, Y)
#undef Y
	sqlite3_bind_int64(st, i++, flags);
	if (cgroup)
		sqlite3_bind_int64(st, i, cgroup);
	return step(r, ST_VAL);
}

/* Keep what was stored of t (the strings copied). */
static int keep(struct rec_wtask *w, const struct task *t, bool names, bool vals)
{
	if (names) {
		char *comm = t->comm ? strdup(t->comm) : NULL;
		char *cmd = t->cmd ? strdup(t->cmd) : NULL;

		if ((t->comm && !comm) || (t->cmd && !cmd)) {
			free(comm);
			free(cmd);
			return -ENOMEM;
		}
		free(w->v.comm);
		free(w->v.cmd);
		w->v.comm = comm;
		w->v.cmd = cmd;
		w->v.cmd_av = t->cmd_av;
	}
	if (vals) {
		char *aff = t->affinity ? strdup(t->affinity) : NULL;
		char *comm = w->v.comm, *cmd = w->v.cmd;
		enum ts_avail cmd_av = w->v.cmd_av;

		if (t->affinity && !aff)
			return -ENOMEM;
		free(w->v.affinity);
		w->v = *t;
		w->v.comm = comm;
		w->v.cmd = cmd;
		w->v.cmd_av = cmd_av;
		w->v.affinity = aff;
		w->v.cgroup = NULL;	/* w->cgroup is its text's id */
		w->v.node_mem = NULL;
	}
	return 0;
}

static int key_cmp(pid_t tgid_a, pid_t tid_a, pid_t tgid_b, pid_t tid_b)
{
	if (tgid_a != tgid_b)
		return tgid_a < tgid_b ? -1 : 1;
	return (tid_a > tid_b) - (tid_a < tid_b);
}

static void wtask_free(struct rec_wtask *w)
{
	free(w->v.comm);
	free(w->v.cmd);
	free(w->v.affinity);
}

/* The tasks of sn against the ones stored: new ones, changed names and values, and the end
 * of the ones that are gone. */
static int put_tasks(struct recording *r, const struct snapshot *sn, unsigned long seq)
{
	struct rec_wtask *nw = calloc(sn->ntasks ? sn->ntasks : 1, sizeof(*nw));
	size_t i = 0, j = 0, n = 0;
	int rc = 0;

	if (!nw)
		return -ENOMEM;
	while (!rc && (i < r->nwt || j < sn->ntasks)) {
		struct rec_wtask *o = i < r->nwt ? &r->wt[i] : NULL;
		const struct task *t = j < sn->ntasks ? &sn->tasks[j] : NULL;
		int c = !o ? 1 : !t ? -1 : key_cmp(o->tgid, o->tid, t->tgid, t->tid);

		if (c == 0 && o->start != t->start_ticks)
			c = -1;		/* a reused TID: the old task ended */
		if (c < 0) {	/* gone since the last sample */
			sqlite3_bind_int64(r->st[ST_END], 1, (sqlite3_int64)seq - 1);
			sqlite3_bind_int64(r->st[ST_END], 2, o->id);
			rc = step(r, ST_END);
			wtask_free(o);
			memset(o, 0, sizeof(*o));
			i++;
			continue;
		}
		if (c > 0) {	/* new */
			struct rec_wtask *w = &nw[n++];
			sqlite3_stmt *st = r->st[ST_TASK];

			w->tid = t->tid;
			w->tgid = t->tgid;
			w->start = t->start_ticks;
			sqlite3_bind_int64(st, 1, t->tgid);
			sqlite3_bind_int64(st, 2, t->tid);
			sqlite3_bind_int64(st, 3, (sqlite3_int64)t->start_ticks);
			sqlite3_bind_int(st, 4, t->kthread);
			sqlite3_bind_int64(st, 5, (sqlite3_int64)seq);
			rc = step(r, ST_TASK);
			w->id = sqlite3_last_insert_rowid(r->db);
			if (!rc)
				rc = text_id(r, t->cgroup_av == TS_OK ? t->cgroup : NULL, &w->cgroup);
			if (!rc)
				rc = put_name(r, w->id, seq, t);
			if (!rc)
				rc = put_running(r, w->id, seq, t, &w->v);
			if (!rc)
				rc = put_slow(r, w->id, seq, t, w->cgroup);
			if (!rc)
				rc = keep(w, t, true, true);
			j++;
			continue;
		}
		/* the same task: what changed */
		{
			struct rec_wtask *w = &nw[n++];
			bool names = !same_text(o->v.comm, t->comm) || !same_text(o->v.cmd, t->cmd) ||
				     o->v.cmd_av != t->cmd_av;
			sqlite3_int64 cgroup;
			bool slow, vals;

			*w = *o;
			memset(o, 0, sizeof(*o));
			rc = text_id(r, t->cgroup_av == TS_OK ? t->cgroup : NULL, &cgroup);
			slow = !same_slow(&w->v, t) || cgroup != w->cgroup;
			vals = slow || !same_run(&w->v, t);
			if (!rc && names)
				rc = put_name(r, w->id, seq, t);
			if (!rc && vals)
				rc = put_running(r, w->id, seq, t, &w->v);
			if (!rc && slow)
				rc = put_slow(r, w->id, seq, t, cgroup);
			w->cgroup = cgroup;
			if (!rc)
				rc = keep(w, t, names, vals);
			i++;
			j++;
		}
	}
	/* on an error the transaction is rolled back: the next sample starts from the
	 * state of the last one committed, which the old array may no longer hold; the
	 * caller stops writing then */
	for (size_t k = i; k < r->nwt; k++)
		wtask_free(&r->wt[k]);
	free(r->wt);
	r->wt = nw;
	r->nwt = n;
	return rc;
}

static int put_mem(struct recording *r, const struct snapshot *mem, unsigned long seq)
{
	struct rec_wmem *nm = calloc(mem->ntasks ? mem->ntasks : 1, sizeof(*nm));
	size_t i = 0, n = 0;
	int rc = 0;

	if (!nm)
		return -ENOMEM;
	for (size_t j = 0; !rc && j < mem->ntasks; j++) {
		const struct task *t = &mem->tasks[j];
		const struct rec_wmem *o = NULL;
		sqlite3_stmt *st = r->st[ST_MEM];
		int k = 4;

		while (i < r->nwm && r->wm[i].pid < t->tgid)
			i++;
		if (i < r->nwm && r->wm[i].pid == t->tgid && r->wm[i].start == t->start_ticks)
			o = &r->wm[i];
		nm[n].pid = t->tgid;
		nm[n].start = t->start_ticks;
		nm[n].v = *t;
		nm[n].v.comm = nm[n].v.cmd = nm[n].v.affinity = nm[n].v.cgroup = NULL;
		nm[n].v.node_mem = NULL;
		n++;
		if (o && same_mem(&o->v, t))
			continue;
		sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
		sqlite3_bind_int64(st, 2, t->tgid);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)t->start_ticks);
#define X(f, col) sqlite3_bind_int64(st, k++, (sqlite3_int64)t->f);
		REC_MEMS(X)
#undef X
		rc = step(r, ST_MEM);
	}
	free(r->wm);
	r->wm = nm;
	r->nwm = n;
	return rc;
}

static int put_sample(struct recording *r, const struct session_frame *f)
{
	const struct snapshot *sn = f->sn;
	sqlite3_stmt *st = r->st[ST_SAMPLE];
	unsigned long seq = r->samples + 1;
	int rc;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	sqlite3_bind_double(st, 2, sn->wall);
	sqlite3_bind_double(st, 3, sn->mono);
	sqlite3_bind_double(st, 4, sn->interval);
	if (sn->cpu_busy >= 0)
		sqlite3_bind_double(st, 5, sn->cpu_busy);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)sn->ndenied);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)sn->ntasks);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)sn->nprocs);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)sn->total_rss);
	sqlite3_bind_int(st, 10, f->mem != NULL);
	rc = step(r, ST_SAMPLE);
	if (!rc)
		rc = put_tasks(r, sn, seq);
	if (!rc && f->mem)
		rc = put_mem(r, f->mem, seq);
	/* the kernel resources shared, at the memory samples' cadence (a kcmp sort per
	 * resource) */
	if (!rc && f->mem)
		rc = rec_put_kcmp(r, sn, seq);
	return rc;
}

static void report(struct recording *r, int rc)
{
	if (rc == -ENOSPC)
		msg_error("cannot write to the recording '%s': the disk is full (%lu sample%s "
			  "kept)", r->path, r->samples, r->samples == 1 ? "" : "s");
	else
		msg_error("cannot write to the recording '%s': %s (%lu sample%s kept)", r->path,
			  *r->err ? r->err : strerror(-rc), r->samples,
			  r->samples == 1 ? "" : "s");
}

static int write_frame(void *arg, const struct session_frame *f)
{
	struct recording *r = arg;
	int rc;

	if (r->broken)
		return -EIO;
	rc = step(r, ST_BEGIN);
	if (!rc)
		rc = put_sample(r, f);
	if (!rc)
		rc = step(r, ST_COMMIT);
	if (!rc) {
		r->samples++;
		rc = rec_trim(r, f->sn->wall);
		if (!rc)
			return 0;
	}
	if (!sqlite3_get_autocommit(r->db))
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	r->broken = true;
	report(r, rc);
	return rc;
}

const struct sink_ops recording_sink_ops = {
	.name = "record",
	.sample = write_frame,
};

int recording_finish(struct recording *r)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (!r)
		return 0;
	if (!r->broken) {
		/* the tasks alive at the end were seen last in the last sample */
		rc = rec_prepare(r, "UPDATE task SET last_seq = ? WHERE last_seq IS NULL", &st);
		if (!rc) {
			sqlite3_bind_int64(st, 1, (sqlite3_int64)r->samples);
			rc = sqlite3_step(st);
			rc = rc == SQLITE_DONE ? 0 : rec_fail(r, rc);
		}
		sqlite3_finalize(st);
		/* the pages refilled: rows appended in key order leave an eighth of each page
		 * of run, work and val empty. In WAL mode, as a sample is written: a kill
		 * meanwhile leaves the file as it was. When it cannot be done (a reader holds
		 * the file: no wait; a full disk), the file stays as written, nothing lost. */
		if (!rc) {
			sqlite3_busy_timeout(r->db, 0);
			sqlite3_exec(r->db, "VACUUM", NULL, NULL, NULL);
			sqlite3_busy_timeout(r->db, 5000);
		}
		/* one self-contained file: the WAL checkpointed into it and removed (when
		 * this fails, on a full disk say, the WAL stays beside it with the samples) */
		if (!rc)
			rc = rec_exec(r, "PRAGMA journal_mode = DELETE");
		if (rc)
			report(r, rc);
	} else {
		rc = -EIO;	/* reported when it broke */
	}
	rec_free(r);
	return rc;
}
