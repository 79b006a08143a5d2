/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reccreate.c - a new recording: its file made safely, its schema, the run's metadata and
 * topology, and the writer's statements (recording.c writes the samples) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

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

/* one "?" parameter a field of an X-macro list of recint.h */
#define REC_PARAM(f, col) ", ?"

static const char *const writer_sql[] = {
	[ST_SAMPLE] = "INSERT INTO samples VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_TASK] = "INSERT INTO task(pid, tid, start, kthread, first_seq) VALUES(?, ?, ?, ?, ?)",
	[ST_END] = "UPDATE task SET last_seq = ? WHERE id = ?",
	[ST_NAME] = "INSERT INTO name VALUES(?, ?, ?, ?, ?)",
	[ST_VAL] = "INSERT INTO val VALUES(?, ?, ?"
		REC_SLOW_PLAIN(REC_PARAM)
		", ?, ?)",
	[ST_RUN] = "INSERT INTO run VALUES(?2, ?1, ?3"
		REC_RUN(REC_PARAM)
		")",
	[ST_WORK] = "INSERT INTO work VALUES(?2, ?1"
		REC_WORK(REC_PARAM)
		")",
	[ST_TEXT] = "INSERT INTO text(text) VALUES(?)",
	[ST_MEM] = "INSERT INTO mem VALUES(?, ?, ?"
		REC_MEMS(REC_PARAM)
		")",
	[ST_KCMP] = "INSERT INTO kcmp VALUES(?, ?, ?, ?)",
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
};

#undef REC_PARAM

int recording_create(struct recording **out, const char *path, const struct recording_info *info,
		     const struct topo *tp, char *why, size_t len)
{
	struct recording *r;
	int rc;

	*out = NULL;
	rc = rec_sqlite_load(why, len);	/* before the file: none is left when it fails */
	if (!rc)
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
