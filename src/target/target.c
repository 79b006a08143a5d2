/* SPDX-License-Identifier: GPL-2.0-or-later */
/* target.c - what is watched: all tasks, PIDs, a user, command names, or a spawned job */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/snapshot.h"
#include "sample/cgroup.h"
#include "sample/proc2.h"
#include "target/spawn.h"
#include "target/target.h"

void target_init(struct target *t)
{
	memset(t, 0, sizeof(*t));
}

void target_free(struct target *t)
{
	free(t->pids);
	free(t->sorted);
	free(t->start);
	free(t->ended);
	free(t->reused);
	free(t->user);
	for (size_t i = 0; i < t->nnames; i++)
		free(t->names[i]);
	free(t->names);
	for (size_t i = 0; i < t->ncgroups; i++)
		free(t->cgroups[i]);
	free(t->cgroups);
	target_init(t);
}

bool target_is_all(const struct target *t)
{
	return !t->npids && !t->have_user && !t->nnames && !t->ncgroups && !t->spawn_root;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* t->sorted again from t->pids (which holds no duplicate); start times not known yet. */
static int index_pids(struct target *t)
{
	size_t n = t->npids ? t->npids : 1;
	int *s = realloc(t->sorted, n * sizeof(*s));
	uint64_t *st;
	unsigned char *e;

	if (!s)
		return -ENOMEM;
	t->sorted = s;
	st = realloc(t->start, n * sizeof(*st));
	if (!st)
		return -ENOMEM;
	t->start = st;
	e = realloc(t->ended, n);
	if (!e)
		return -ENOMEM;
	t->ended = e;
	if (t->npids)
		memcpy(s, t->pids, t->npids * sizeof(*s));
	qsort(s, t->npids, sizeof(*s), cmp_int);
	memset(st, 0, n * sizeof(*st));
	memset(e, 0, n);
	return 0;
}

/* Index of pid in t->sorted, or -1. */
static ssize_t pid_index(const struct target *t, pid_t pid)
{
	int key = pid;
	const int *hit;

	if (!t->npids)
		return -1;
	hit = bsearch(&key, t->sorted, t->npids, sizeof(key), cmp_int);
	return hit ? hit - t->sorted : -1;
}

static void note_reuse(struct target *t, pid_t pid, const char *comm, bool sanitized)
{
	struct target_reuse *r = realloc(t->reused, (t->nreused + 1) * sizeof(*r));

	if (!r)
		return;	/* out of memory: the PID is dropped all the same, unannounced */
	t->reused = r;
	r[t->nreused].pid = pid;
	if (sanitized)
		snprintf(r[t->nreused].comm, sizeof(r->comm), "%s", comm);
	else
		util_sanitize(comm, strlen(comm), r[t->nreused].comm, sizeof(r->comm));
	t->nreused++;
}

/* Whether listed PID k still names the process it named at start, seen now as present (or
 * not) with start time start and name comm (raw, or sanitized already). The first sighting
 * records the start time. A process that ended is dropped for good; a new process with its
 * PID is noted. */
static bool follow_as(struct target *t, size_t k, bool present, uint64_t start,
		      const char *comm, bool sanitized)
{
	if (t->ended[k])
		return false;
	if (!present) {
		t->ended[k] = 1;
		return false;
	}
	if (!t->start[k])
		t->start[k] = start;
	if (start == t->start[k])
		return true;
	t->ended[k] = 1;
	note_reuse(t, t->sorted[k], comm, sanitized);
	return false;
}

static bool follow(struct target *t, size_t k, bool present, uint64_t start, const char *comm)
{
	return follow_as(t, k, present, start, comm, false);
}

/* follow() for PID k, reading its identity now. */
static bool follow_now(struct target *t, struct sampler *s, size_t k)
{
	char comm[64] = "";
	uint64_t start = 0;
	int rc;

	if (t->ended[k])
		return false;
	rc = sampler_start_of(s, t->sorted[k], &start, comm, sizeof(comm));
	if (rc && rc != -ENOENT && rc != -ESRCH)
		return true;	/* cannot tell (denied): followed as before */
	return follow(t, k, rc == 0, start, comm);
}

int target_take_reused(struct target *t, struct target_reuse **out, size_t *n)
{
	*out = t->reused;
	*n = t->nreused;
	t->reused = NULL;
	t->nreused = 0;
	return 0;
}

void target_reuse_text(const struct target_reuse *r, char *buf, size_t len)
{
	snprintf(buf, len, "PID %d is now another process (%s): the process watched ended, "
		 "the new one is not followed", (int)r->pid, r->comm);
}

/* Drop the PIDs that came before in t->pids (in linear time: a hash set), then index. */
static int dedupe_pids(struct target *t)
{
	struct util_pidset seen;
	size_t kept = 0;

	if (util_pidset_init(&seen, t->npids))
		return -ENOMEM;
	for (size_t i = 0; i < t->npids; i++)
		if (t->pids[i] > 0 && util_pidset_add(&seen, t->pids[i]))
			t->pids[kept++] = t->pids[i];
	util_pidset_free(&seen);
	t->npids = kept;
	return index_pids(t);
}

int target_add_pids(struct target *t, const char *list)
{
	int rc = util_parse_pidlist(list, &t->pids, &t->npids);
	int irc = index_pids(t);

	return rc ? rc : irc;
}

int target_set_user(struct target *t, const char *user)
{
	struct passwd *pw = getpwnam(user);
	uint64_t uid;

	if (pw) {
		t->uid = pw->pw_uid;
	} else if (util_parse_u64(user, 0xfffffffeU, &uid) == 0) {
		t->uid = (uid_t)uid;
	} else {
		return -ENOENT;
	}
	free(t->user);
	t->user = util_sanitize_dup(user, strlen(user));
	t->have_user = true;
	return t->user ? 0 : -ENOMEM;
}

int target_add_names(struct target *t, const char *list)
{
	const char *p = list, *item;
	char name[65];
	size_t len;

	if (!*list)
		return -EINVAL;
	while (util_list_next(&p, name, sizeof(name), &item, &len)) {
		char **v;

		if (len == 0 || len > 64)
			return -EINVAL;
		v = realloc(t->names, (t->nnames + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		t->names = v;
		v[t->nnames] = strndup(item, len);
		if (!v[t->nnames])
			return -ENOMEM;
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)item[i] < 0x20 || (unsigned char)item[i] >= 0x7f)
				t->odd_names = true;
		t->nnames++;
	}
	return 0;
}

/* The controller part of "CONTROLLER:/PATH" (its length, 0 when arg is a plain path). */
static size_t cgroup_ctrl_len(const char *arg)
{
	const char *c = arg[0] == '/' ? NULL : strstr(arg, ":/");

	return c ? (size_t)(c - arg) : 0;
}

int target_add_cgroup(struct target *t, const char *arg)
{
	size_t cl = cgroup_ctrl_len(arg);
	char **v;

	if (arg[0] != '/' && !cl)
		return -EINVAL;
	for (size_t i = 0; i < cl; i++)
		if ((unsigned char)arg[i] <= ' ' || arg[i] == ',' || (unsigned char)arg[i] >= 0x7f)
			return -EINVAL;
	if (cgroup_check_path(arg + (cl ? cl + 1 : 0)))
		return -EINVAL;
	v = realloc(t->cgroups, (t->ncgroups + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	t->cgroups = v;
	v[t->ncgroups] = strdup(arg);
	if (!v[t->ncgroups])
		return -ENOMEM;
	t->ncgroups++;
	return 0;
}

bool target_recorded_cgroup_in(const struct target *t, const char *path)
{
	for (size_t i = 0; path && i < t->ncgroups; i++) {
		char *arg;
		bool in;

		if (cgroup_ctrl_len(t->cgroups[i]))
			continue;
		arg = util_sanitize_dup(t->cgroups[i], strlen(t->cgroups[i]));
		in = arg && cgroup_path_within(path, strlen(path), arg, strlen(arg));
		free(arg);
		if (in)
			return true;
	}
	return false;
}

/* Is the process in one of the --cgroup PATHs? Its file is read raw (the names are
 * compared as bytes); a process that cannot be read is not in any. */
static bool cgroup_matches(const struct target *t, struct sampler *s,
			   const struct proc2_light *p, char *buf, struct cgroup_info *ci)
{
	size_t len;

	if (sampler_cgroup_of(s, p->pid, p->start_ticks, buf, &len, ci))
		return false;
	for (size_t i = 0; i < t->ncgroups; i++) {
		const char *arg = t->cgroups[i];
		size_t cl = cgroup_ctrl_len(arg);
		int k;

		if (cl) {
			char ctrl[128];

			if (cl >= sizeof(ctrl))
				continue;
			memcpy(ctrl, arg, cl);
			ctrl[cl] = '\0';
			k = cgroup_find(ci, buf, ctrl);
			arg += cl + 1;
		} else {
			k = cgroup_primary(ci, buf);
		}
		if (k >= 0 && cgroup_path_within(buf + ci->line[k].path, ci->line[k].path_len,
						 arg, strlen(arg)))
			return true;
	}
	return false;
}

/* The kernel keeps 15 bytes of a name (TASK_COMM_LEN - 1): a longer NAME matches a comm
 * that is its first 15 bytes. */
#define COMM_MAX 15

static bool name_matches_raw(const struct target *t, const char *comm)
{
	for (size_t i = 0; i < t->nnames; i++) {
		if (!strcmp(t->names[i], comm))
			return true;
		if (strlen(t->names[i]) > COMM_MAX && strlen(comm) == COMM_MAX &&
		    !strncmp(t->names[i], comm, COMM_MAX))
			return true;
	}
	return false;
}

/* libproc2 hands out names with unprintable bytes replaced ('?' in a UTF-8 locale, '.'
 * in the C locale). When a NAME has such bytes, compare the raw name of the processes
 * whose name has a replacement character, so -C matches the bytes the kernel has. */
static bool name_matches(const struct target *t, struct sampler *s,
			 const struct proc2_light *p)
{
	char raw[64];

	if (name_matches_raw(t, p->comm))
		return true;
	if (!t->odd_names || !strpbrk(p->comm, "?.") ||
	    sampler_raw_comm(s, p->pid, raw, sizeof(raw)))
		return false;
	return name_matches_raw(t, raw);
}

static int cmp_light(const void *a, const void *b)
{
	const struct proc2_light *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static bool in_roots(const int *roots, size_t nroots, pid_t pid)
{
	int key = pid;

	return bsearch(&key, roots, nroots, sizeof(key), cmp_int) != NULL;
}

/* 1 if v[i] descends from one of the roots (sorted), 0 if not; mark: 0 unknown, 1 yes,
 * 2 no. A root is not its own descendant. */
static int descends(const struct proc2_light *v, size_t n, unsigned char *mark, size_t i,
		    const int *roots, size_t nroots)
{
	size_t depth = 0;
	size_t chain[64];
	int verdict = 0;

	for (;;) {
		const struct proc2_light key = { .pid = v[i].ppid }, *par;

		if (mark[i]) {
			verdict = mark[i] == 1;
			break;
		}
		if (depth < ARRAY_SIZE(chain))
			chain[depth++] = i;
		if (in_roots(roots, nroots, v[i].ppid)) {
			verdict = 1;
			break;
		}
		if (v[i].ppid <= 1 || in_roots(roots, nroots, v[i].pid)) {
			verdict = 0;
			break;
		}
		par = bsearch(&key, v, n, sizeof(*v), cmp_light);
		if (!par) {
			verdict = 0;
			break;
		}
		i = (size_t)(par - v);
		if (depth >= ARRAY_SIZE(chain))
			break;	/* very deep: decide without memo for the rest */
	}
	for (size_t k = 0; k < depth; k++)
		mark[chain[k]] = verdict ? 1 : 2;
	return verdict;
}

/* PIDs only: no scan, each PID's identity read (its stat), or checked in the sample taken
 * with them (target_confirm) */
static int resolve_pids(struct target *t, struct sampler *s, pid_t **tgids, size_t *n,
			bool later)
{
	pid_t *out = malloc((t->npids + 1) * sizeof(*out));
	size_t cnt = 0;

	if (!out)
		return -ENOMEM;
	for (size_t k = 0; k < t->npids; k++)
		if (later ? !t->ended[k] : follow_now(t, s, k))
			out[cnt++] = t->sorted[k];
	t->unconfirmed = later;
	*tgids = out;
	*n = cnt;
	return 0;
}

static int resolve(struct target *t, struct sampler *s, pid_t **tgids, size_t *n, bool *all,
		   bool later)
{
	struct proc2_light *v = NULL;
	size_t nv = 0, cnt = 0;
	unsigned char *mark = NULL, *taken = NULL, *seen = NULL;
	struct cgroup_info *ci = NULL;
	char *cgbuf = NULL;
	int spawn_root = t->spawn_root, *roots = NULL;
	size_t nroots = 0;
	pid_t *out;
	int rc;

	*tgids = NULL;
	*n = 0;
	*all = false;
	if (target_is_all(t)) {
		*all = true;
		return 0;
	}
	if (!t->have_user && !t->nnames && !t->ncgroups && !t->spawn_root && !t->descendants)
		return resolve_pids(t, s, tgids, n, later);
	rc = sampler_list_processes(s, &v, &nv);
	if (rc)
		return rc;
	if (nv > 1)
		qsort(v, nv, sizeof(*v), cmp_light);
	out = malloc((nv + t->npids + 1) * sizeof(*out));
	mark = calloc(nv + 1, 1);
	taken = calloc(nv + 1, 1);
	seen = calloc(t->npids + 1, 1);
	roots = malloc((t->npids + 1) * sizeof(*roots));
	if (t->ncgroups) {
		ci = malloc(sizeof(*ci));
		cgbuf = malloc(CGROUP_FILE_MAX);
	}
	if (!out || !mark || !taken || !seen || !roots || (t->ncgroups && (!ci || !cgbuf))) {
		free(ci);
		free(cgbuf);
		free(out);
		free(mark);
		free(taken);
		free(seen);
		free(roots);
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nv; i++) {
		ssize_t k = pid_index(t, v[i].pid);
		bool hit = false;

		if (k >= 0) {
			seen[k] = 1;
			hit = follow(t, (size_t)k, true, v[i].start_ticks, v[i].comm);
		}

		if (!hit && t->have_user)
			hit = v[i].euid == t->uid;
		if (!hit && t->nnames)
			hit = name_matches(t, s, &v[i]);
		if (!hit && t->ncgroups)
			hit = cgroup_matches(t, s, &v[i], cgbuf, ci);
		if (!hit && t->spawn_root)
			hit = v[i].pid != t->spawn_root &&
			      descends(v, nv, mark, i, &spawn_root, 1);
		if (hit) {
			out[cnt++] = v[i].pid;
			taken[i] = 1;
		}
	}
	/* a listed PID that /proc does not show any more has ended */
	for (size_t k = 0; k < t->npids; k++) {
		if (!seen[k])
			follow(t, k, false, 0, "");
		if (!t->ended[k])
			roots[nroots++] = t->sorted[k];	/* sorted too */
	}
	/* the descendants of the listed PIDs still followed, in one pass (the memo holds for
	 * one set of roots) */
	if (t->descendants && nroots) {
		memset(mark, 0, nv + 1);
		for (size_t i = 0; i < nv; i++)
			if (!taken[i] && descends(v, nv, mark, i, roots, nroots)) {
				out[cnt++] = v[i].pid;
				taken[i] = 1;
			}
	}
	free(roots);
	free(seen);
	free(taken);
	free(mark);
	free(v);
	free(ci);
	free(cgbuf);
	*tgids = out;
	*n = cnt;
	return 0;
}

int target_resolve(struct target *t, struct sampler *s, pid_t **tgids, size_t *n, bool *all)
{
	return resolve(t, s, tgids, n, all, false);
}

int target_resolve_later(struct target *t, struct sampler *s, pid_t **tgids, size_t *n,
			 bool *all)
{
	return resolve(t, s, tgids, n, all, true);
}

/* The row of process tgid in sn (its main thread's with a row per thread), or NULL. */
static const struct task *process_row(const struct snapshot *sn, pid_t tgid)
{
	size_t lo = 0, hi = sn->ntasks;

	while (lo < hi) {	/* the first row of tgid: rows are sorted by (tgid, tid) */
		size_t mid = lo + (hi - lo) / 2;

		if (sn->tasks[mid].tgid < tgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < sn->ntasks && sn->tasks[lo].tgid == tgid; lo++)
		if (!sn->threads || sn->tasks[lo].tid == tgid)
			return &sn->tasks[lo];
	return NULL;
}

int target_confirm(struct target *t, const struct snapshot *sn, pid_t **drop, size_t *ndrop)
{
	pid_t *out;
	size_t cnt = 0;

	*drop = NULL;
	*ndrop = 0;
	if (!t->unconfirmed)
		return 0;
	t->unconfirmed = false;
	out = malloc((t->npids + 1) * sizeof(*out));
	if (!out)
		return -ENOMEM;
	for (size_t k = 0; k < t->npids; k++) {
		const struct task *row;

		if (t->ended[k])
			continue;
		row = process_row(sn, t->sorted[k]);
		if (!follow_as(t, k, row != NULL, row ? row->start_ticks : 0,
			       row && row->comm ? row->comm : "", true) && row)
			out[cnt++] = t->sorted[k];	/* another process has the PID now */
	}
	if (!cnt) {
		free(out);
		return 0;
	}
	*drop = out;
	*ndrop = cnt;
	return 0;
}

int target_parse_option(struct target *t, int opt, const char *arg, char *msg, size_t len)
{
	char shown[128];
	int rc;

	util_sanitize(arg, strlen(arg), shown, sizeof(shown));
	switch (opt) {
	case 'p':
		rc = target_add_pids(t, arg);
		if (rc == -EINVAL || rc == -ERANGE) {
			snprintf(msg, len, "invalid --pid '%s': %s", shown,
				 rc == -ERANGE ? "PIDs are 1 to 4194304" : "expected PID[,PID...]");
			return -EINVAL;
		}
		return rc;
	case 'u':
		rc = target_set_user(t, arg);
		if (rc == -ENOENT)
			snprintf(msg, len, "unknown user '%s'", shown);
		return rc;
	case 'C':
		rc = target_add_names(t, arg);
		if (rc == -EINVAL)
			snprintf(msg, len, "invalid --command '%s': expected NAME[,NAME...]", shown);
		return rc;
	case TARGET_OPT_CGROUP:
		rc = target_add_cgroup(t, arg);
		if (rc == -EINVAL)
			snprintf(msg, len, "invalid --cgroup '%s': expected an absolute cgroup path "
				 "such as /system.slice/cron.service, or CONTROLLER:PATH "
				 "(no empty, '.' or '..' part, no newline)", shown);
		return rc;
	default:
		return -ENOTSUP;
	}
}

int target_check(struct target *t, struct sampler *s, char *what, size_t len)
{
	pid_t *tg = NULL;
	size_t n = 0;
	bool all;
	int rc;

	for (size_t i = 0; i < t->npids; i++) {
		pid_t tgid;

		/* what /proc shows decides, not kill(): a process that a hidepid=invisible
		 * mount or another PID namespace hides does not exist for taskscope */
		rc = sampler_tgid_of(s, t->pids[i], &tgid);
		if (rc == -ENOENT || rc == -ESRCH) {
			snprintf(what, len, "no such process: %d", t->pids[i]);
			return -ESRCH;
		}
		if (rc == -EACCES || rc == -EPERM) {
			snprintf(what, len, "PID %d: permission denied: /proc lists it but its "
				 "files cannot be read (hidepid=noaccess)", t->pids[i]);
			return -EACCES;
		}
		/* a thread's ID selects the process it belongs to */
		if (rc == 0)
			t->pids[i] = tgid;
	}
	/* a thread's ID and its process's (or two threads') are one process: keep the first */
	if (t->npids) {
		rc = dedupe_pids(t);
		if (rc)
			return rc;
	}
	/* who each PID names now is what is followed (a start time of 0, the first kernel
	 * threads', reads as not known: learnt at the first sample) */
	for (size_t k = 0; k < t->npids; k++) {
		uint64_t start;

		if (!sampler_start_of(s, t->sorted[k], &start, NULL, 0))
			t->start[k] = start;
	}
	if (!t->nnames && !t->have_user && !t->ncgroups)
		return 0;
	rc = target_resolve(t, s, &tg, &n, &all);
	free(tg);
	if (rc)
		return rc;
	if (n == 0) {
		char names[256] = "";

		if (t->nnames) {
			size_t off = 0;

			for (size_t i = 0; i < t->nnames && off + 4 < sizeof(names); i++) {
				if (i)
					names[off++] = ',';
				off += util_sanitize(t->names[i], strlen(t->names[i]),
						     names + off, sizeof(names) - off);
			}
			snprintf(what, len, "no process named '%s'", names);
		} else if (t->ncgroups) {
			char cg[256];

			util_sanitize(t->cgroups[0], strlen(t->cgroups[0]), cg, sizeof(cg));
			snprintf(what, len, "no process in cgroup '%s'%s", cg,
				 t->ncgroups > 1 ? " or the others given" : "");
		} else {
			snprintf(what, len, "no process of user '%s'", t->user);
		}
		return -ESRCH;
	}
	return 0;
}

void target_describe(const struct target *t, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	if (target_is_all(t)) {
		snprintf(buf, len, "all tasks");
		return;
	}
	if (t->spawn_root) {
		snprintf(buf, len, "spawned job");
		return;
	}
	if (t->npids) {
		off += (size_t)snprintf(buf + off, len - off, "PID%s ", t->npids > 1 ? "s" : "");
		for (size_t i = 0; i < t->npids && i < 4 && off < len; i++)
			off += (size_t)snprintf(buf + off, len - off, "%s%d", i ? "," : "", t->pids[i]);
		if (t->npids > 4 && off < len)
			off += (size_t)snprintf(buf + off, len - off, " and %zu more", t->npids - 4);
	}
	if (t->have_user && off < len)
		off += (size_t)snprintf(buf + off, len - off, "%suser %s", off ? ", " : "", t->user);
	if (t->nnames && off < len) {
		char nm[80];

		util_sanitize(t->names[0], strlen(t->names[0]), nm, sizeof(nm));
		off += (size_t)snprintf(buf + off, len - off, "%scommand %s%s", off ? ", " : "",
					nm, t->nnames > 1 ? ",..." : "");
	}
	if (t->ncgroups && off < len) {
		char cg[120];

		util_sanitize(t->cgroups[0], strlen(t->cgroups[0]), cg, sizeof(cg));
		snprintf(buf + off, len - off, "%scgroup %s%s", off ? ", " : "", cg,
			 t->ncgroups > 1 ? ",..." : "");
	}
}

void target_forward_pending(struct target *t, struct sampler *s)
{
	int sig = spawn_take_pending();
	pid_t *tgids = NULL;
	size_t n = 0;
	bool all;

	if (!sig || target_resolve(t, s, &tgids, &n, &all) || all) {
		free(tgids);
		return;
	}
	for (size_t i = 0; i < n; i++)
		kill(tgids[i], sig);
	free(tgids);
}
