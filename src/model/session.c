/* SPDX-License-Identifier: GPL-2.0-or-later */
/* session.c - one run of taskscope: targets, spawned job, sampler, output and sinks */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/msg.h"
#include "lib/outfile.h"
#include "lib/util.h"
#include "model/session.h"
#include "model/system.h"
#include "sample/source.h"

/* ---- what the job was seen to have: task identities and the peak RSS sum ---- */

struct idset {
	uint64_t *ids;
	size_t n, cap;
};

struct job_seen {
	struct idset procs, threads;
	uint64_t peak_rss;
	struct sampler *threads_smp;	/* a thread sampler when the rows are processes */
};

static void idset_add(struct idset *s, pid_t id, uint64_t start)
{
	uint64_t key = ((uint64_t)(uint32_t)id << 40) ^ start;

	if (s->n && bsearch(&key, s->ids, s->n, sizeof(key), util_cmp_u64))
		return;
	if (util_grow(&s->ids, &s->cap, s->n, 64, sizeof(*s->ids)))
		return;
	s->ids[s->n++] = key;
	qsort(s->ids, s->n, sizeof(key), util_cmp_u64);
}

static void seen_account(struct job_seen *js, const struct snapshot *sn, const pid_t *tgids,
			 size_t n)
{
	const struct snapshot *th = sn;

	if (sn->total_rss > js->peak_rss)
		js->peak_rss = sn->total_rss;
	for (size_t i = 0; i < sn->ntasks; i++)
		if (sn->tasks[i].tid == sn->tasks[i].tgid)
			idset_add(&js->procs, sn->tasks[i].tgid, sn->tasks[i].start_ticks);
	if (!sn->threads && (!js->threads_smp || sampler_take(js->threads_smp, tgids, n, &th)))
		return;
	for (size_t i = 0; i < th->ntasks; i++)
		idset_add(&js->threads, th->tasks[i].tid, th->tasks[i].start_ticks);
}

static void seen_free(struct job_seen *js)
{
	if (!js)
		return;
	sampler_free(js->threads_smp);
	free(js->procs.ids);
	free(js->threads.ids);
	free(js);
}

/* "taskscope: job 'CMD' exited with status N[; wall ..., seen ...]" */
static void job_summary(const struct session *s)
{
	const struct spawn *sp = s->job;
	const struct job_seen *js = s->seen;
	const char *cmd = s->cfg->cmd[0];
	struct rusage ru;
	char name[128], rss[16];
	double wall = (sp->end_mono ? sp->end_mono : util_monotonic()) - sp->start_mono;

	util_sanitize(cmd, strlen(cmd), name, sizeof(name));
	fprintf(stderr, "taskscope: job '%s' ", name);
	if (WIFSIGNALED(sp->status))
		fprintf(stderr, "killed by signal %d (%s)", WTERMSIG(sp->status),
			strsignal(WTERMSIG(sp->status)));
	else
		fprintf(stderr, "exited with status %d", spawn_exit_code(sp));
	if (!js) {
		fputc('\n', stderr);
		return;
	}
	getrusage(RUSAGE_CHILDREN, &ru);
	fprintf(stderr, "; wall %.2fs, CPU user %.2fs system %.2fs; seen %zu process%s, "
		"%zu thread%s; peak RSS sum %s\n", wall,
		(double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
		(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
		js->procs.n, js->procs.n == 1 ? "" : "es", js->threads.n,
		js->threads.n == 1 ? "" : "s", util_size_human(js->peak_rss, rss, sizeof(rss)));
}

/* ---- opening ---- */

static int open_output(struct session *s)
{
	const struct session_config *c = s->cfg;
	char shown[256], why[160];

	s->out = stdout;
	if (!c->output_file) {
		if (c->cmd && !c->report_on_stdout)
			s->out = stderr;	/* the job's standard output is its own */
		return 0;
	}
	if (outfile_open(c->output_file, OUTFILE_MODE_REPORT, &s->out, why, sizeof(why))) {
		s->out = stdout;
		util_sanitize(c->output_file, strlen(c->output_file), shown, sizeof(shown));
		msg_error("cannot write to '%s': %s", shown, why);
		return -1;
	}
	return 0;
}

/* open_root: the live /proc, or the first --proc-root tree; 0 or 1 (the message printed). */
static int open_root(struct session *s)
{
	const struct session_config *c = s->cfg;
	struct source *src;
	char why[320];
	int rc;

	if (!c->nproc_root) {
		s->rootfd = system_open_root();
		if (s->rootfd >= 0)
			return 0;
		msg_error("cannot open /proc: %s", strerror(-s->rootfd));
		return 1;
	}
	rc = source_open_trees(&src, c->proc_root, 1, why, sizeof(why));
	if (rc) {
		msg_error("%s", why);
		return 1;
	}
	s->rootfd = fcntl(source_rootfd(src), F_DUPFD_CLOEXEC, 0);
	rc = s->rootfd < 0 ? -errno : 0;
	source_close(src);
	if (rc)
		msg_error("cannot open the --proc-root tree: %s", strerror(-rc));
	return rc ? 1 : 0;
}

/* The live /proc's sampler, or the --proc-root trees' (reading --cgroup-root's cgroups);
 * 0 or 1 (the message printed). */
static int open_sampler(const struct session_config *cfg, struct sampler **smp,
			unsigned readers, bool threads)
{
	char why[320];
	int rc;

	if (!cfg->nproc_root) {
		rc = sampler_new(smp, readers, threads);
		snprintf(why, sizeof(why), "cannot read /proc: %s", strerror(-rc));
	} else {
		rc = sampler_new_trees(smp, cfg->proc_root, cfg->nproc_root, readers, threads, why,
				       sizeof(why));
	}
	if (!rc && cfg->cgroup_root) {
		rc = sampler_cgroup_root(*smp, cfg->cgroup_root);
		if (rc) {
			char shown[160];

			util_sanitize(cfg->cgroup_root, strlen(cfg->cgroup_root), shown,
				      sizeof(shown));
			snprintf(why, sizeof(why), "--cgroup-root '%s': %s", shown,
				 rc == -ENODATA ? "not a cgroup tree (it has no cgroup.controllers, "
				 "unified or memory)" : strerror(-rc));
			sampler_free(*smp);
			*smp = NULL;
		}
	}
	if (rc)
		msg_error("%s", why);
	return rc ? 1 : 0;
}

int session_open(struct session *s, const struct session_config *cfg)
{
	char buf[256];
	int rc;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->target = cfg->target;
	s->out = stdout;
	s->rootfd = -1;
	if (cfg->run_as) {
		rc = spawn_cred_lookup(&s->cred, cfg->run_as);
		if (rc) {
			spawn_cred_error(rc, cfg->run_as, buf, sizeof(buf));
			msg_error("%s", buf);
			return 1;
		}
	}
	if (open_output(s))
		return 1;
	if (cfg->open_root && open_root(s))
		return 1;
	if (cfg->no_sampler || cfg->source)
		return 0;
	/* a job's peak RSS sum is read only when there is a job */
	if (open_sampler(cfg, &s->smp,
			 cfg->readers | (cfg->job_counts && cfg->cmd ? RD_STAT | RD_RSS : 0),
			 cfg->threads))
		return 1;
	if (cfg->memory_readers && open_sampler(cfg, &s->mem_smp, cfg->memory_readers, false))
		return 1;
	if (cfg->thread_readers && open_sampler(cfg, &s->thr_smp, cfg->thread_readers, true))
		return 1;
	rc = target_check(s->target, s->smp, buf, sizeof(buf));
	if (rc) {
		msg_error("%s", rc == -ESRCH || rc == -EACCES ? buf : strerror(-rc));
		return 1;
	}
	return 0;
}

int session_add_sink(struct session *s, const struct sink_ops *ops, void *arg)
{
	if (s->nsinks == SESSION_MAX_SINKS)
		return -ENOSPC;
	s->sinks[s->nsinks].ops = ops;
	s->sinks[s->nsinks].arg = arg;
	s->sinks[s->nsinks].off = false;
	s->nsinks++;
	return 0;
}

/* Start the job with spawn_start_fds, or detached when detached_fd >= 0. */
static int start_job(struct session *s, int out_fd, int err_fd, int detached_fd)
{
	const struct session_config *c = s->cfg;
	const struct spawn_cred *cred = c->run_as ? &s->cred : NULL;
	char buf[256];
	int rc;

	if (c->job_counts) {
		s->seen = calloc(1, sizeof(*s->seen));
		if (!s->seen)
			return 1;
		if (!c->threads)
			sampler_new(&s->seen->threads_smp, 0, true);
	}
	s->target->spawn_root = getpid();
	if (out_fd < 0 && c->report_on_stdout && !c->output_file)
		out_fd = STDERR_FILENO;
	if (detached_fd >= 0)
		rc = spawn_start_detached(&s->sp, c->cmd, detached_fd, cred);
	else
		rc = spawn_start_fds(&s->sp, c->cmd, out_fd, err_fd, cred);
	if (rc) {
		int status = spawn_failure(&s->sp, rc, c->cmd[0], cred, buf, sizeof(buf));

		msg_error("%s", buf);
		return status;
	}
	s->job = &s->sp;
	return 0;
}

int session_start_job_fds(struct session *s, int out_fd, int err_fd)
{
	return start_job(s, out_fd, err_fd, -1);
}

int session_start_job(struct session *s)
{
	return start_job(s, -1, -1, -1);
}

int session_start_job_detached(struct session *s, int out_fd)
{
	return start_job(s, -1, -1, out_fd);
}

/* ---- following the job ---- */

bool session_job_over(const struct session *s)
{
	return s->job && s->job->all_done;
}

void session_follow_fd(struct session *s, double deadline, int fd)
{
	double left;

	if (!s->job || fd < 0) {
		session_follow(s, deadline);
		return;
	}
	spawn_reap(s->job, false);
	if (s->smp)
		target_forward_pending(s->target, s->smp);
	left = deadline - util_monotonic();
	if (!s->job->all_done && left > 0)
		spawn_wait_fd(s->job, left, fd);
	spawn_reap(s->job, false);
}

void session_follow(struct session *s, double deadline)
{
	for (;;) {
		double left = deadline - util_monotonic();

		if (s->job) {
			spawn_reap(s->job, false);
			if (s->smp)
				target_forward_pending(s->target, s->smp);
			if (s->job->all_done)
				return;
		}
		if (left <= 0)
			return;
		if (!s->job) {
			struct timespec ts = { (time_t)left,
					       (long)((left - (double)(time_t)left) * 1e9) };

			nanosleep(&ts, NULL);	/* a signal ends it early */
			return;
		}
		spawn_wait(s->job, left);
	}
}

void session_follow_to_end(struct session *s)
{
	while (s->job && !s->job->all_done)
		session_follow(s, util_monotonic() + 3600);
}

/* ---- sampling ---- */

static void reused_to_stderr(const struct target_reuse *r, size_t n)
{
	char text[256];

	for (size_t i = 0; i < n; i++) {
		target_reuse_text(&r[i], text, sizeof(text));
		msg_error("%s", text);
	}
}

/* Follow the -p PIDs by the sample just taken: processes that have another's PID now are
 * left out of it and of tgids. */
static int confirm_targets(struct session *s, const struct snapshot *sn, pid_t *tgids,
			   size_t *n)
{
	pid_t *drop;
	size_t ndrop, w = 0;
	int rc = target_confirm(s->target, sn, &drop, &ndrop);

	if (rc || !ndrop)
		return rc;
	sampler_drop_processes(s->smp, drop, ndrop);
	for (size_t i = 0; i < *n; i++) {
		bool gone = false;

		for (size_t j = 0; j < ndrop && !gone; j++)
			gone = tgids[i] == drop[j];
		if (!gone)
			tgids[w++] = tgids[i];
	}
	*n = w;
	free(drop);
	return 0;
}

/* The thread and memory samples of a frame, of the same targets as its sample (each NULL
 * when it failed: unknown in that frame). */
static void take_more(struct session *s, const pid_t *tgids, size_t n, bool all,
		      struct session_frame *f, bool mem_due)
{
	double t0 = util_monotonic();

	if (f->thr_due && sampler_take(s->thr_smp, all ? NULL : tgids, n, &f->thr))
		f->thr = NULL;
	f->took_thr = util_monotonic() - t0;
	t0 = util_monotonic();
	if (mem_due && s->cfg->memory_rows && !f->sn->threads) {
		if (sampler_take_rows(s->mem_smp, f->sn, &f->mem))
			f->mem = NULL;
	} else if (mem_due && sampler_take(s->mem_smp, all ? NULL : tgids, n, &f->mem)) {
		f->mem = NULL;
	}
	f->took_mem = mem_due ? util_monotonic() - t0 : 0;
}

/* A sample of the targets into f->sn, with the thread sample and (when mem is not NULL)
 * the memory one (see take_more), reading only what `only` asks of the sampler's readers
 * (0: all of them); *reused (malloc'ed) the -p PIDs found reused. */
static int take(struct session *s, struct session_frame *f, unsigned only, bool mem_due,
		bool *all, struct target_reuse **reused, size_t *nreused)
{
	const struct snapshot **sn = &f->sn, **mem = mem_due ? &f->mem : NULL;
	pid_t *tgids = NULL;
	size_t n = 0;
	int rc;

	*reused = NULL;
	*nreused = 0;
	if (s->cfg->source) {
		const struct snapshot *m = NULL;

		*all = true;
		rc = s->cfg->source->take(s->cfg->source_arg, sn, &m);
		if (mem)
			*mem = m;
		if (rc && rc != -ENODATA)
			msg_error("%s: %s", s->cfg->source->name, strerror(-rc));
		return rc;
	}
	if (s->job) {
		spawn_reap(s->job, false);
		target_forward_pending(s->target, s->smp);
	}
	/* the sampler reads each process's stat: -p PIDs are followed by what it read */
	rc = target_resolve_later(s->target, s->smp, &tgids, &n, all);
	if (!rc)
		rc = sampler_take_only(s->smp, only, *all ? NULL : tgids, n, sn);
	if (!rc)
		rc = confirm_targets(s, *sn, tgids, &n);
	if (!rc && s->seen)
		seen_account(s->seen, *sn, tgids, n);
	if (!rc)
		take_more(s, tgids, n, *all, f, mem_due);
	free(tgids);
	if (rc) {
		msg_error("sampling failed: %s", strerror(-rc));
		return rc;
	}
	target_take_reused(s->target, reused, nreused);
	return 0;
}

/* Hand a frame to every sink still on; false when none is left. */
static bool to_sinks(struct session *s, const struct session_frame *f)
{
	bool any = false;

	for (size_t i = 0; i < s->nsinks; i++) {
		int rc;

		if (s->sinks[i].off)
			continue;
		rc = s->sinks[i].ops->sample(s->sinks[i].arg, f);
		if (rc) {
			s->sinks[i].off = true;
			if (rc != -EPIPE)
				s->failed = true;	/* the sink printed why */
		} else {
			any = true;
		}
	}
	return any;
}

/* When the next sample is due after one taken at `now`: a delay after the previous one was
 * due, or, when that time has passed (a slow sample, a loaded machine), a delay from now, as
 * top waits: catching up at once would take samples back to back, whose intervals are too
 * short for PCPU (under two clock ticks) and which load a busy machine more. */
static double next_due(const struct session_loop *l, bool priming, double prev, bool first)
{
	double now = util_monotonic(), next;

	if (priming)
		next = now + (l->delay < l->prime_max ? l->delay : l->prime_max);
	else
		next = (first ? now : prev) + l->delay;
	return next < now ? now + l->delay : next;
}

int session_run(struct session *s, const struct session_loop *loop)
{
	bool reporting = s->nsinks > 0;
	double next = util_monotonic();
	int rc = 0;

	for (bool first = true;; first = false) {
		struct target_reuse *reused;
		size_t nreused;
		struct session_frame f = { 0 };
		bool all, priming = first && loop->prime;
		unsigned every = loop->memory_every ? loop->memory_every : 1;
		unsigned thr_every = loop->thread_every ? loop->thread_every : 1;
		bool mem_due = s->cfg->source ||
			       (s->mem_smp && !priming && s->seq % every == 0);
		double t0 = util_monotonic();

		f.thr_due = s->thr_smp && (priming || s->seq % thr_every == 0);
		/* the last sample: nothing is kept open for one after it */
		if (!priming && reporting && loop->iterations && s->seq + 1 >= loop->iterations &&
		    !s->cfg->source)
			sampler_last(s->smp);
		/* a priming sample reads only what the interval columns need */
		rc = take(s, &f, priming ? loop->prime_readers : 0, mem_due, &all, &reused,
			  &nreused);
		if (rc == -ENODATA) {	/* the source's end */
			rc = 0;
			break;
		}
		if (rc) {
			s->failed = true;
			break;
		}
		/* the watched tasks are all gone: nothing more to show */
		if (!all && f.sn->ntasks == 0) {
			reused_to_stderr(reused, nreused);
			free(reused);
			break;
		}
		if (!priming && reporting) {
			f.seq = ++s->seq;
			f.reused = reused;
			f.nreused = nreused;
			f.took = util_monotonic() - t0;
			reporting = to_sinks(s, &f);
			if (loop->iterations && s->seq >= loop->iterations)
				reporting = false;
		} else {
			reused_to_stderr(reused, nreused);
		}
		free(reused);
		if (!reporting || session_job_over(s))
			break;
		next = next_due(loop, priming, next, first);
		session_follow(s, next);
	}
	session_follow_to_end(s);
	return rc;
}

/* ---- closing ---- */

int session_close(struct session *s, int status)
{
	if (!status && s->failed)
		status = 1;
	if (s->job) {
		session_follow_to_end(s);
		if (s->cfg->job_summary)
			job_summary(s);
		status = spawn_exit_code(s->job);
	}
	spawn_cred_free(&s->cred);
	seen_free(s->seen);
	s->seen = NULL;
	sampler_free(s->smp);
	s->smp = NULL;
	sampler_free(s->mem_smp);
	s->mem_smp = NULL;
	sampler_free(s->thr_smp);
	s->thr_smp = NULL;
	if (s->rootfd >= 0)
		close(s->rootfd);
	s->rootfd = -1;
	/* standard output is checked by main; standard error cannot report its own error */
	if (s->out && s->out != stdout && s->out != stderr)
		status = outfile_close(s->out, s->cfg->output_file, status);
	s->out = NULL;
	return status;
}
