/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recording.c - a recording's writer, the record sink (recplay.c reads it, recschema.c has
 * its schema) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "lib/msg.h"
#include "lib/util.h"
#include "model/recint.h"
#include "sample/topo.h"


/* ---- creating ---- */

static int refuse(char *why, size_t len, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int refuse(char *why, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return rc;
}

/* The new, empty file, created by us: never an existing file, never through a symbolic
 * link; and no journal of SQLite's left beside it (which it would take as this file's). */
static int create_file(const char *path, char *why, size_t len)
{
	static const char *const sides[] = { "-wal", "-shm", "-journal" };
	char side[4096];
	struct stat st;
	int fd;

	for (size_t i = 0; i < ARRAY_SIZE(sides); i++) {
		if ((size_t)snprintf(side, sizeof(side), "%s%s", path, sides[i]) >= sizeof(side))
			return refuse(why, len, -ENAMETOOLONG, "the name is too long");
		if (!lstat(side, &st))
			return refuse(why, len, -EEXIST, "a file '%s' is beside it (left by another "
				      "database: remove it first)", sides[i] + 1);
	}
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			return refuse(why, len, -EEXIST, "it exists (a recording is always a new "
				      "file: remove it or name another)");
		return refuse(why, len, -errno, "%s", strerror(errno));
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return refuse(why, len, -EINVAL, "it is not a regular file");
	}
	/* closed before SQLite opens it: closing a second descriptor later would drop
	 * SQLite's POSIX locks on the file */
	close(fd);
	return 0;
}

static int put_meta(struct recording *r, const char *key, const char *text, double num,
		    bool is_num)
{
	sqlite3_stmt *st;
	int rc = rec_prepare(r, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (is_num)
		sqlite3_bind_double(st, 2, num);
	else if (text)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 2);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : rec_fail(r, rc);
}

static int put_cpus(struct recording *r, const struct topo *tp)
{
	sqlite3_stmt *st;
	int rc;

	if (!tp)
		return 0;
	rc = rec_prepare(r, "INSERT INTO cpus VALUES(?, ?, ?, ?)", &st);
	for (int cpu = 0; !rc && cpu < topo_ncpus(tp); cpu++) {
		int vals[3] = { topo_cpu_core(tp, cpu), topo_cpu_package(tp, cpu),
				topo_cpu_node(tp, cpu) };

		sqlite3_bind_int(st, 1, cpu);
		for (int k = 0; k < 3; k++) {
			if (vals[k] < 0)
				sqlite3_bind_null(st, k + 2);
			else
				sqlite3_bind_int(st, k + 2, vals[k]);
		}
		rc = sqlite3_step(st);
		rc = rc == SQLITE_DONE ? 0 : rec_fail(r, rc);
		sqlite3_reset(st);
	}
	if (!rc || st)
		sqlite3_finalize(st);
	return rc;
}

static int put_run(struct recording *r, const struct recording_info *info, const struct topo *tp)
{
	struct utsname u;
	char host[256] = "", kernel[256] = "";
	struct timespec now;
	int rc;

	if (!uname(&u)) {
		util_sanitize(u.nodename, strlen(u.nodename), host, sizeof(host));
		util_sanitize(u.release, strlen(u.release), kernel, sizeof(kernel));
	}
	clock_gettime(CLOCK_REALTIME, &now);
	rc = rec_exec(r, "BEGIN");
	if (!rc)
		rc = rec_exec(r, recording_schema_sql);
	if (!rc)
		rc = put_meta(r, "schema", NULL, RECORDING_SCHEMA, true);
	if (!rc)
		rc = put_meta(r, "version", PACKAGE_VERSION, 0, false);
	if (!rc)
		rc = put_meta(r, "host", host, 0, false);
	if (!rc)
		rc = put_meta(r, "kernel", kernel, 0, false);
	if (!rc)
		rc = put_meta(r, "targets", info->targets, 0, false);
	if (!rc)
		rc = put_meta(r, "command", info->command, 0, false);
	if (!rc)
		rc = put_meta(r, "interval", NULL, info->interval, true);
	if (!rc)
		rc = put_meta(r, "memory_every", NULL, info->memory_every, true);
	if (!rc)
		rc = put_meta(r, "hertz", NULL, (double)sampler_hertz(), true);
	if (!rc)
		rc = put_meta(r, "boot_time", NULL, sampler_boot_time(), true);
	if (!rc)
		rc = put_meta(r, "page_size", NULL, (double)sysconf(_SC_PAGESIZE), true);
	if (!rc)
		rc = put_meta(r, "started", NULL,
			      (double)now.tv_sec + (double)now.tv_nsec / 1e9, true);
	if (!rc)
		rc = put_meta(r, "threads", NULL, 1, true);
	if (!rc)
		rc = put_cpus(r, tp);
	if (!rc)
		rc = rec_exec(r, "COMMIT");
	return rc;
}

static const char *const writer_sql[] = {
	[ST_SAMPLE] = "INSERT INTO samples VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_TASK] = "INSERT INTO task(pid, tid, start, kthread, first_seq) VALUES(?, ?, ?, ?, ?)",
	[ST_END] = "UPDATE task SET last_seq = ? WHERE id = ?",
	[ST_NAME] = "INSERT INTO name VALUES(?, ?, ?, ?, ?)",
	[ST_VAL] = "INSERT INTO val VALUES(?, ?, ?"
#define X(f, col) ", ?"
		REC_SLOW(X)
#undef X
		", ?)",
	[ST_RUN] = "INSERT INTO run VALUES(?2, ?1, ?3"
#define X(f, col) ", ?"
		REC_RUN(X)
#undef X
		")",
	[ST_TEXT] = "INSERT INTO text(text) VALUES(?)",
	[ST_MEM] = "INSERT INTO mem VALUES(?, ?, ?"
#define X(f, col) ", ?"
		REC_MEMS(X)
#undef X
		")",
	[ST_KCMP] = "INSERT INTO kcmp VALUES(?, ?, ?, ?)",
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
};

int recording_create(struct recording **out, const char *path, const struct recording_info *info,
		     const struct topo *tp, char *why, size_t len)
{
	struct recording *r;
	int rc;

	*out = NULL;
	rc = create_file(path, why, len);
	if (rc)
		return rc;
	r = calloc(1, sizeof(*r));
	if (!r || !(r->path = util_sanitize_dup(path, strlen(path)))) {
		free(r);
		return refuse(why, len, -ENOMEM, "%s", strerror(ENOMEM));
	}
	r->writer = true;
	r->info = *info;
	rc = sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc == SQLITE_OK) {
		rec_harden(r->db);
		/* WAL: a reader (replay, sqlite3) reads while we write; a commit survives a
		 * kill -9 of ours (synchronous NORMAL: not a power cut's last moments) */
		rc = rec_exec(r, "PRAGMA application_id = " REC_APP_ID_TEXT ";"
			      " PRAGMA user_version = 1; PRAGMA journal_mode = WAL;"
			      " PRAGMA synchronous = NORMAL");
		if (!rc)
			rc = put_run(r, info, tp);
		for (size_t i = 0; !rc && i < ARRAY_SIZE(writer_sql); i++)
			if (writer_sql[i])
				rc = rec_prepare(r, writer_sql[i], &r->st[i]);
	} else {
		rc = rec_fail(r, rc);
	}
	if (rc) {
		refuse(why, len, rc, "%s", r->err);
		rec_free(r);
		unlink(path);	/* our own new file, empty or with a schema only */
		return rc;
	}
	*out = r;
	return 0;
}

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

static bool same_run(const struct task *a, const struct task *b)
{
#define X(f, col) if (a->f != b->f) return false;
	REC_RUN(X)
#undef X
	return a->state == b->state;
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

/* After a trim: the texts still in the file. */
static int texts_reload(struct recording *r)
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
	sqlite3_int64 cmd;
	int rc = text_id(r, t->cmd, &cmd);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	bind_text(st, 3, t->comm);
	if (cmd)
		sqlite3_bind_int64(st, 4, cmd);
	sqlite3_bind_int(st, 5, (int)t->cmd_av);
	return step(r, ST_NAME);
}

/* The values that change while a task runs (a row whenever any of its values changed):
 * the counters as the change since its row before (prev, all 0 for a new task). */
static int put_running(struct recording *r, sqlite3_int64 id, unsigned long seq,
		       const struct task *t, const struct task *prev)
{
	sqlite3_stmt *st = r->st[ST_RUN];
	char state[2] = { t->state, '\0' };
	int i = 4;

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	if (t->state)
		sqlite3_bind_text(st, 3, state, -1, SQLITE_TRANSIENT);
#define X(f, col) sqlite3_bind_int64(st, i++, (sqlite3_int64)t->f);
	REC_RUN_ABS(X)
#undef X
	/* unsigned differences: a value that went down is stored negative, and the reader's
	 * unsigned sum gives it back */
#define X(f, col) sqlite3_bind_int64(st, i++, (sqlite3_int64)(t->f - prev->f));
	REC_RUN_DELTA(X)
#undef X
	return step(r, ST_RUN);
}

/* ... and the ones that seldom change, with the id of its cgroup's path. */
static int put_slow(struct recording *r, sqlite3_int64 id, unsigned long seq,
		    const struct task *t, sqlite3_int64 cgroup)
{
	sqlite3_stmt *st = r->st[ST_VAL];
	int i = 4;

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	bind_text(st, 3, t->affinity);
#define X(f, col) sqlite3_bind_int64(st, i++, (sqlite3_int64)t->f);
	REC_SLOW(X)
#undef X
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

/* The bytes the file's live pages take (free pages are reused before it grows). */
static int used_bytes(struct recording *r, uint64_t *bytes)
{
	static const char *const q[] = { "PRAGMA page_count", "PRAGMA freelist_count",
					 "PRAGMA page_size" };
	sqlite3_int64 v[3] = { 0, 0, 0 };

	for (int i = 0; i < 3; i++) {
		sqlite3_stmt *st;
		int rc = rec_prepare(r, q[i], &st);

		if (rc)
			return rc;
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			v[i] = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW)
			return rec_fail(r, rc);
	}
	*bytes = (uint64_t)(v[0] - v[1]) * (uint64_t)v[2];
	return 0;
}

/* The first sample to keep: the one after the oldest tenth (size), or the first one
 * within max_age. 0: nothing to drop. */
static int first_kept(struct recording *r, double now, bool by_size, sqlite3_int64 *keep)
{
	sqlite3_stmt *st;
	int rc;

	*keep = 0;
	if (by_size)
		rc = rec_prepare(r, "SELECT min(seq) + (max(seq) - min(seq) + 9) / 10 FROM samples",
				 &st);
	else
		rc = rec_prepare(r, "SELECT min(seq) FROM samples WHERE time >= ?", &st);
	if (rc)
		return rc;
	if (!by_size)
		sqlite3_bind_double(st, 1, now - r->info.max_age);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*keep = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rec_fail(r, rc);
}

/* Drop the samples before keep, and every row that no kept sample needs: the tasks over
 * before it, and of the others all values, names and footprints but the last ones before
 * it (the state the first kept sample starts from). */
static int drop_before(struct recording *r, sqlite3_int64 keep)
{
	static const char *const sql[] = {
		"DELETE FROM samples WHERE seq < ?1",
		"DELETE FROM val WHERE task IN (SELECT id FROM task WHERE last_seq < ?1)",
		"DELETE FROM run WHERE task IN (SELECT id FROM task WHERE last_seq < ?1)",
		"DELETE FROM name WHERE task IN (SELECT id FROM task WHERE last_seq < ?1)",
		"DELETE FROM mem WHERE seq < ?1 AND NOT EXISTS (SELECT 1 FROM task t WHERE"
		" t.tid = mem.pid AND t.start = mem.start AND coalesce(t.last_seq, ?1) >= ?1)",
		"DELETE FROM kcmp WHERE task IN (SELECT id FROM task WHERE last_seq < ?1)",
		"DELETE FROM task WHERE last_seq < ?1",
		"DELETE FROM val WHERE seq < ?1 AND (task, seq) NOT IN (SELECT task, max(seq)"
		" FROM val WHERE seq < ?1 GROUP BY task)",
		/* the row a task keeps before the first kept sample: its counters the
		 * totals of the rows that go (bare columns: the values of max(seq)'s row) */
		"INSERT OR REPLACE INTO run SELECT max(seq), task, state"
#define X(f, col) ", " col
		REC_RUN_ABS(X)
#undef X
#define X(f, col) ", sum(" col ")"
		REC_RUN_DELTA(X)
#undef X
		" FROM run WHERE seq < ?1 GROUP BY task",
		"DELETE FROM run WHERE seq < ?1 AND (task, seq) NOT IN (SELECT task, max(seq)"
		" FROM run WHERE seq < ?1 GROUP BY task)",
		"DELETE FROM name WHERE seq < ?1 AND rowid NOT IN (SELECT max(rowid) FROM name"
		" WHERE seq < ?1 GROUP BY task)",
		"DELETE FROM mem WHERE seq < ?1 AND rowid NOT IN (SELECT max(rowid) FROM mem"
		" WHERE seq < ?1 GROUP BY pid, start)",
		"DELETE FROM kcmp WHERE seq < ?1 AND rowid NOT IN (SELECT max(rowid) FROM kcmp"
		" WHERE seq < ?1 GROUP BY task, res)",
		"DELETE FROM text WHERE id NOT IN (SELECT cmd FROM name WHERE cmd IS NOT NULL)"
		" AND id NOT IN (SELECT cgroup FROM val WHERE cgroup IS NOT NULL)",
	};
	int rc = rec_exec(r, "BEGIN IMMEDIATE");

	for (size_t i = 0; !rc && i < ARRAY_SIZE(sql); i++) {
		sqlite3_stmt *st;

		rc = rec_prepare(r, sql[i], &st);
		if (rc)
			break;
		sqlite3_bind_int64(st, 1, keep);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		rc = rc == SQLITE_DONE ? 0 : rec_fail(r, rc);
	}
	if (!rc)
		rc = rec_exec(r, "COMMIT");
	else if (!sqlite3_get_autocommit(r->db))
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	/* the writer's texts: the ones left (their ids do not change) */
	return rc ? rc : texts_reload(r);
}

/* --max-size, --max-age: checked every 8 samples (the deletes scan the tables). */
int rec_trim(struct recording *r, double now)
{
	sqlite3_int64 keep;
	uint64_t used = 0;
	int rc = 0;

	if ((!r->info.max_size && r->info.max_age <= 0) || ++r->trim_tick % 8)
		return 0;
	if (r->info.max_age > 0) {
		rc = first_kept(r, now, false, &keep);
		if (!rc && keep > 1)
			rc = drop_before(r, keep);
	}
	/* at 90% of the size: the oldest tenth of the samples goes, as often as needed */
	for (int round = 0; !rc && r->info.max_size && round < 9; round++) {
		rc = used_bytes(r, &used);
		if (rc || used <= r->info.max_size / 10 * 9)
			break;
		rc = first_kept(r, now, true, &keep);
		if (!rc && keep > 0)
			rc = drop_before(r, keep);
	}
	return rc;
}
