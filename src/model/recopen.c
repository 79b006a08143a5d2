/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recopen.c - a recording opened to read: its kind and schema checked, its metadata and
 * topology loaded, and the values of a file that anyone may have made kept in range */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lib/msg.h"
#include "lib/util.h"
#include "model/recint.h"
#include "sample/topo.h"

#define MAX_CPUS 8192

static const char *const reader_sql[ST_COUNT] = {
	[ST_R_SAMPLES] = "SELECT seq, time, mono, interval, cpu_busy, ndenied, memory FROM samples"
			 " ORDER BY seq",
	[ST_R_TASKS] = "SELECT id, pid, tid, start, kthread, first_seq, last_seq FROM task"
		       " ORDER BY first_seq, id",
	/* written in the order of the samples: the row order is the sample order */
	[ST_R_NAMES] = "SELECT n.seq, n.task, y.text, x.text, n.cmd_av FROM name n"
		       " LEFT JOIN text y ON y.id = n.comm LEFT JOIN text x ON x.id = n.cmd"
		       " ORDER BY n.rowid",
	/* schema 4: the flags unpacked, in schema 3's columns */
	[ST_R_VALS] = "SELECT v.seq, v.task, v.affinity"
#define X(f, col) ", v." col
		      REC_SLOW_PLAIN(X)
#undef X
#define Y(X, f, col, sh, m) ", (v.flags >> " #sh ") & " #m
		      REC_FLAGS(_, Y)
#undef Y
		      ", c.text FROM val v LEFT JOIN text c ON c.id = v.cgroup"
		      " ORDER BY v.seq, v.task",
	/* schema 4: run and work as schema 3's run (work's columns NULL, 0, without a row) */
	[ST_R_RUNS] = "SELECT u.seq, u.task, " REC_STATE_SQL("u.state")
#define X(f, col) ", " col
		      REC_RUN_ABS(X) REC_RUN3_DELTA(X)
#undef X
		      " FROM run u LEFT JOIN work k ON k.seq = u.seq AND k.task = u.task"
		      " ORDER BY u.seq, u.task",
	[ST_R_MEMS] = "SELECT seq, pid, start"
#define X(f, col) ", " col
		      REC_MEMS(X)
#undef X
		      " FROM mem ORDER BY rowid",
};

/* Schema 3: comm as text, the counters of run and work in one table run, a column per flag
 * in val. */
static const char *const reader_sql_v3[ST_COUNT] = {
	[ST_R_NAMES] = "SELECT n.seq, n.task, n.comm, x.text, n.cmd_av FROM name n"
		       " LEFT JOIN text x ON x.id = n.cmd ORDER BY n.rowid",
	[ST_R_VALS] = "SELECT v.seq, v.task, v.affinity"
#define X(f, col) ", v." col
		      REC_SLOW(X)
#undef X
		      ", c.text FROM val v LEFT JOIN text c ON c.id = v.cgroup"
		      " ORDER BY v.seq, v.task",
	[ST_R_RUNS] = "SELECT seq, task, state"
#define X(f, col) ", " col
		      REC_RUN_ABS(X) REC_RUN3_DELTA(X)
#undef X
		      " FROM run ORDER BY seq, task",
};

/* Schemas 1 and 2: a command line in name, every value in one table val (the reader
 * takes its rows as ST_R_VALS; ST_R_RUNS has none). */
static const char *const reader_sql_v2[ST_COUNT] = {
	[ST_R_NAMES] = "SELECT seq, task, comm, cmd, cmd_av FROM name ORDER BY rowid",
	[ST_R_VALS] = "SELECT seq, task, state, affinity"
#define X(f, col) ", " col
		      REC_VALS(X)
#undef X
		      " FROM val ORDER BY rowid",
	[ST_R_RUNS] = "SELECT 0, 0 WHERE 0",
};

/* ---- values from a file that may have been made by anyone ---- */

/* Text as the sampler would have given it: valid UTF-8 without anything util_sanitize
 * escapes; anything else is sanitized here (a file is not trusted). */
char *rec_text_dup(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	size_t n = (size_t)sqlite3_column_bytes(st, col);
	char *out;

	if (!s)
		return NULL;
	for (size_t i = 0; i < n; ) {
		uint32_t cp;
		size_t l = util_utf8_seq(s + i, n - i, &cp);

		if (!l || util_codepoint_escaped(cp) || cp == 0 || (cp >= 0x80 && l == 1))
			return util_sanitize_dup(s, n);
		i += l;
	}
	out = malloc(n + 1);
	if (out) {
		memcpy(out, s, n);
		out[n] = '\0';
	}
	return out;
}

enum ts_avail rec_col_av(sqlite3_stmt *st, int col)
{
	sqlite3_int64 v = sqlite3_column_int64(st, col);

	return v >= TS_OK && v <= TS_NA ? (enum ts_avail)v : TS_UNSUPPORTED;
}

int rec_col_int(sqlite3_stmt *st, int col, int lo, int hi)
{
	sqlite3_int64 v = sqlite3_column_int64(st, col);

	return v < lo ? lo : v > hi ? hi : (int)v;
}

double rec_col_real(sqlite3_stmt *st, int col, double lo, double hi)
{
	double v = sqlite3_column_double(st, col);

	return isfinite(v) ? (v < lo ? lo : v > hi ? hi : v) : lo;
}

void rec_fix_task(struct task *t)
{
	/* every field stays in the range the sampler gives */
	t->rss_av = t->rss_av <= TS_NA ? t->rss_av : TS_UNSUPPORTED;
	t->ctxsw_av = t->ctxsw_av <= TS_NA ? t->ctxsw_av : TS_UNSUPPORTED;
	t->sched_av = t->sched_av <= TS_NA ? t->sched_av : TS_UNSUPPORTED;
	t->schedstat_av = t->schedstat_av <= TS_NA ? t->schedstat_av : TS_UNSUPPORTED;
	t->aff_av = t->aff_av <= TS_NA ? t->aff_av : TS_UNSUPPORTED;
	t->mem_av = t->mem_av <= TS_NA ? t->mem_av : TS_UNSUPPORTED;
	t->smaps_av = t->smaps_av <= TS_NA ? t->smaps_av : TS_UNSUPPORTED;
	t->cgroup_av = t->cgroup_av <= TS_NA ? t->cgroup_av : TS_UNSUPPORTED;
	if (t->cpu < -1 || t->cpu >= MAX_CPUS)
		t->cpu = -1;
	if (t->nlwp < 0)
		t->nlwp = 0;
	t->cpu_ticks = t->utime_ticks + t->stime_ticks;
}

/* ---- opening ---- */

static int load_meta(struct recording *r)
{
	sqlite3_stmt *st;
	int rc = rec_prepare(r, "SELECT key, value FROM meta", &st);

	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rec_meta *v = realloc(r->meta, (r->nmeta + 1) * sizeof(*v));

		if (!v) {
			rc = SQLITE_NOMEM;
			break;
		}
		r->meta = v;
		v[r->nmeta].key = rec_text_dup(st, 0);
		v[r->nmeta].value = rec_text_dup(st, 1);
		r->nmeta++;
		rc = 0;
	}
	rc = rc == SQLITE_DONE ? 0 : rc > 0 ? rec_fail(r, rc) : rc;
	sqlite3_finalize(st);
	return rc;
}

const char *recording_meta(struct recording *r, const char *key)
{
	for (size_t i = 0; i < r->nmeta; i++)
		if (r->meta[i].key && !strcmp(r->meta[i].key, key))
			return r->meta[i].value;
	return NULL;
}

static double meta_num(struct recording *r, const char *key)
{
	const char *v = recording_meta(r, key);
	double d = v ? strtod(v, NULL) : 0;

	return isfinite(d) ? d : 0;
}

static int load_cpus(struct recording *r)
{
	sqlite3_stmt *st;
	int rc = rec_prepare(r, "SELECT cpu, core, package, node FROM cpus WHERE cpu >= 0"
			     " AND cpu < 8192 ORDER BY cpu", &st);

	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int cpu = sqlite3_column_int(st, 0);

		if (cpu >= r->ncpus) {
			int *v = realloc(r->cpus, (size_t)(cpu + 1) * 3 * sizeof(*v));

			if (!v) {
				rc = SQLITE_NOMEM;
				break;
			}
			for (int k = r->ncpus * 3; k < (cpu + 1) * 3; k++)
				v[k] = -1;
			r->cpus = v;
			r->ncpus = cpu + 1;
		}
		for (int k = 0; k < 3; k++)
			r->cpus[cpu * 3 + k] = sqlite3_column_type(st, k + 1) == SQLITE_NULL ? -1 :
					       rec_col_int(st, k + 1, -1, 1 << 20);
		rc = 0;
	}
	rc = rc == SQLITE_DONE ? 0 : rc > 0 ? rec_fail(r, rc) : rc;
	sqlite3_finalize(st);
	return rc;
}

int recording_cpu(struct recording *r, int cpu, int *core, int *package, int *node)
{
	if (cpu < 0 || cpu >= r->ncpus) {
		*core = *package = *node = -1;
		return -ENOENT;
	}
	*core = r->cpus[cpu * 3];
	*package = r->cpus[cpu * 3 + 1];
	*node = r->cpus[cpu * 3 + 2];
	return 0;
}

int recording_topology_differs(struct recording *r, const struct topo *tp)
{
	for (int cpu = 0; tp && cpu < topo_ncpus(tp); cpu++) {
		int core, package, node;

		if (recording_cpu(r, cpu, &core, &package, &node) ||
		    core != topo_cpu_core(tp, cpu) || package != topo_cpu_package(tp, cpu) ||
		    node != topo_cpu_node(tp, cpu))
			return cpu;
	}
	return -1;
}

static int check_kind(struct recording *r, char *why, size_t len)
{
	sqlite3_stmt *st;
	int rc = rec_prepare(r, "PRAGMA application_id", &st);
	sqlite3_int64 id = 0;
	double schema;

	if (rc) {
		util_clean_join(why, len, "", r->err);
		return rc;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		rc = rec_fail(r, rc);
		util_clean_join(why, len, "", r->err);
		return rc;
	}
	if (id != REC_APP_ID) {
		snprintf(why, len, "it is not a taskscope recording");
		return -EINVAL;
	}
	rc = load_meta(r);
	if (rc) {
		util_clean_join(why, len, "it is damaged: ", r->err);
		return rc;
	}
	schema = meta_num(r, "schema");
	if (schema > RECORDING_SCHEMA) {
		snprintf(why, len, "it was written by a newer taskscope (recording schema %.0f; "
			 "this taskscope reads schema %d and older)", schema, RECORDING_SCHEMA);
		return -EPROTONOSUPPORT;
	}
	if (schema < 1) {
		snprintf(why, len, "it is damaged: no schema version");
		return -EBADMSG;
	}
	r->schema = (int)schema;
	return 0;
}

int recording_open(struct recording **out, const char *path, char *why, size_t len)
{
	struct recording *r;
	struct stat st;
	int rc;

	*out = NULL;
	rc = rec_sqlite_load(why, len);
	if (rc)
		return rc;
	r = calloc(1, sizeof(*r));
	if (!r || !(r->path = util_sanitize_dup(path, strlen(path)))) {
		free(r);
		snprintf(why, len, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	/* SQLite's words for these are vague ("unable to open", "disk I/O error") */
	rc = stat(path, &st) ? -errno : S_ISDIR(st.st_mode) ? -EISDIR :
	     !S_ISREG(st.st_mode) ? -EINVAL : 0;
	if (rc) {
		snprintf(why, len, "%s", rc == -EISDIR ? "it is a directory" :
			 rc == -EINVAL ? "it is not a regular file" : strerror(-rc));
		rec_free(r);
		return rc;
	}
	rc = sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		rc = rec_fail(r, rc);
		util_clean_join(why, len, "", r->err);
		rec_free(r);
		return rc;
	}
	rec_harden(r->db);
	rc = check_kind(r, why, len);
	if (!rc) {
		rc = load_cpus(r);
		if (rc)
			util_clean_join(why, len, "it is damaged: ", r->err);
	}
	for (int k = ST_R_SAMPLES; !rc && k <= ST_R_MEMS; k++) {
		const char *sql = reader_sql[k];

		if (r->schema < 3 && reader_sql_v2[k])
			sql = reader_sql_v2[k];
		else if (r->schema == 3 && reader_sql_v3[k])
			sql = reader_sql_v3[k];

		rc = rec_prepare(r, sql, &r->st[k]);
		if (rc)
			util_clean_join(why, len, "it is damaged: ", r->err);
	}
	if (rc) {
		rec_free(r);
		return rc;
	}
	{
		double hz = meta_num(r, "hertz");

		r->hertz = hz >= 1 && hz <= 100000 ? (long)hz : 100;
		r->boot = meta_num(r, "boot_time");
		if (r->boot < 0 || r->boot > 1e11)
			r->boot = 0;
	}
	*out = r;
	return 0;
}

void rec_reader_free(struct recording *r)
{
	for (size_t i = 0; i < r->nmeta; i++) {
		free(r->meta[i].key);
		free(r->meta[i].value);
	}
	free(r->meta);
	free(r->cpus);
	for (size_t i = 0; i < r->nrt; i++) {
		free(r->rt[i].v.comm);
		free(r->rt[i].v.cmd);
		free(r->rt[i].v.affinity);
		free(r->rt[i].v.cgroup);
	}
	free(r->rt);
	free(r->rm);
	snapshot_put(r->prev);
	snapshot_put(r->curmem);
}

void recording_clock(const struct recording *r, long *hertz, double *boot_time)
{
	*hertz = r->hertz;
	*boot_time = r->boot;
}

void recording_close(struct recording *r)
{
	rec_free(r);
}

void recording_set_range(struct recording *r, double from, double to, bool processes)
{
	r->from = from;
	r->to = to;
	r->processes = processes;
}

int recording_span(struct recording *r, unsigned long *n, double *first, double *last)
{
	sqlite3_stmt *st;
	int rc = rec_prepare(r, "SELECT count(*), min(time), max(time) FROM samples", &st);

	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*n = (unsigned long)sqlite3_column_int64(st, 0);
		*first = rec_col_real(st, 1, 0, 1e11);
		*last = rec_col_real(st, 2, 0, 1e11);
		rc = 0;
	} else {
		rc = rec_fail(r, rc);
	}
	sqlite3_finalize(st);
	return rc;
}

int recording_times(struct recording *r, double **out, size_t *n)
{
	sqlite3_stmt *st;
	double *v = NULL;
	size_t k = 0, cap = 0;
	int rc = rec_prepare(r, "SELECT time FROM samples ORDER BY seq", &st);

	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (util_grow(&v, &cap, k, 256, sizeof(*v))) {
			rc = SQLITE_NOMEM;
			break;
		}
		v[k++] = rec_col_real(st, 0, 0, 1e11);
	}
	return rec_rows_end(r, st, rc, &v, k, out, n);
}

/* ---- times of a recording (replay --from, diff FILE@T, the full-screen view's g) ---- */

static int parse_span(const char *s, double max, double *out)
{
	char *end;
	double v = strtod(s, &end), unit = 1;

	if (end == s || !(v >= 0 && v <= max))
		return -EINVAL;
	if (*end == 's')
		end++;
	else if (*end == 'm' && end++)
		unit = 60;
	else if (*end == 'h' && end++)
		unit = 3600;
	else if (*end == 'd' && end++)
		unit = 86400;
	if (*end)
		return -EINVAL;
	*out = v * unit;
	return 0;
}

int recording_parse_time(const char *s, double first, double last, double *out)
{
	struct tm tm, day;
	time_t base = (time_t)first;
	const char *end;
	double d;

	if (*s == '@')
		return parse_span(s + 1, 1e11, out);
	if (*s == '+' || *s == '-') {
		if (parse_span(s + 1, 1e9, &d))
			return -EINVAL;
		*out = *s == '+' ? first + d : last - d;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	if (!end || *end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	}
	if (!end || *end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%d %H:%M", &tm);
	}
	if (end && !*end) {
		tm.tm_isdst = -1;
		*out = (double)mktime(&tm);
		return 0;
	}
	/* a time of day: the first sample's day (the next day when before it) */
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%H:%M:%S", &tm);
	if (!end || *end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%H:%M", &tm);
	}
	if (!end || *end || !localtime_r(&base, &day))
		return -EINVAL;
	day.tm_hour = tm.tm_hour;
	day.tm_min = tm.tm_min;
	day.tm_sec = tm.tm_sec;
	day.tm_isdst = -1;
	*out = (double)mktime(&day);
	if (*out + 1 < first)
		*out += 86400;
	return 0;
}
