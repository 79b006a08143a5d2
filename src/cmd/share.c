/* SPDX-License-Identifier: GPL-2.0-or-later */
/* share.c - taskscope share: what tasks share, kernel resources and physical pages */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/options.h"
#include "cmd/share.h"
#include "cmd/sharerec.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/outfile.h"
#include "lib/util.h"
#include "model/session.h"
#include "model/sharing.h"
#include "model/system.h"
#include "view/sharefmt.h"

#define MAX_AFTER (24.0 * 3600.0)
#define SHARE_MATRIX_MAX 12	/* more address spaces: ranked lists instead of matrices */

struct share_opts {
	struct common_opts co;	/* targets, -J, --bytes, --output-file, --run-as, -- */
	pid_t *ids;		/* positional PIDs/TIDs, then the targets' processes */
	size_t nids;
	size_t top;		/* --top N: 0 all */
	bool top_set;
	double after;
};

static void share_usage(FILE *out)
{
	fputs("Usage:\n"
	      " taskscope share [options] PID\n"
	      " taskscope share [options] PID|TID PID|TID...\n"
	      " taskscope share [options] -p PID[,PID...] | -u USER | -C NAME\n"
	      " taskscope share [options] -- command [args...]\n"
	      " taskscope share [options] FILE[@TIME]    (a recording: who shared what then;\n"
	      "                                          share FILE --help for more)\n"
	      "\n"
	      "One PID alone: which other processes map the same physical pages as it, bytes\n"
	      "each (anonymous, file, shmem), ranked, and the kernel resources each shares.\n"
	      "\n"
	      "Several: what tasks share: kernel resources pair by pair (kcmp: VM, FILES, FS,\n"
	      "SIGHAND, IO, SYSVSEM) and the physical pages their address spaces both map.\n"
	      "A process's PID means all its threads; another thread's TID that thread alone.\n"
	      "Threads are grouped by address space. Exact page sharing needs CAP_SYS_ADMIN\n"
	      "(pagemap PFNs); without it the memory part is an estimate, and says so.\n"
	      "\n"
	      "Targets:\n"
	      " -p, --pid PID[,PID...]    processes with these IDs (repeatable)\n"
	      " -u, --user USER           processes of this user\n"
	      " -C, --command NAME[,...]  processes with this name\n"
	      "     --cgroup CGROUP       processes in this cgroup or below (taskscope(1))\n"
	      " -- command [args...]      run the command, look at its tasks after --after\n"
	      "                           seconds, and exit with its exit status\n"
	      "     --run-as USER         run the command as USER: its uid, gid and groups\n"
	      "                           (taskscope must be root)\n"
	      "\n"
	      "Options:\n"
	      "     --after SECONDS       with a command: when to look (default 1)\n"
	      " -J, --json                one JSON document\n"
	      "     --bytes               sizes in bytes instead of human-readable units\n"
	      "     --top N               list at most N processes or pairs (0: all; default\n"
	      "                           20 in text, all in JSON)\n"
	      "     --output-file FILE    write the report to FILE (with a command the report\n"
	      "                           goes to stderr by default)\n", out);
	cli_help_end(out, "share",
		     "Exit status: 0 ok (also when some tasks could not be read), 1 runtime failure,\n"
		     "2 usage error, or the command's status. ");
}

static int add_id(void *ctx, const char *arg)
{
	struct share_opts *o = ctx;
	char buf[64];
	uint64_t v;
	pid_t *nv;

	if (util_parse_u64(arg, 4194304, &v) || v == 0)
		return cli_usage_error("share", "invalid PID '%s': PIDs are 1 to 4194304",
				       cli_shown(arg, buf, sizeof(buf)));
	nv = realloc(o->ids, (o->nids + 1) * sizeof(*nv));
	if (!nv) {
		msg_error("%s", strerror(ENOMEM));
		return TS_EXIT_FAILURE;
	}
	o->ids = nv;
	o->ids[o->nids++] = (pid_t)v;
	return CO_CONTINUE;
}

static int proc_root_option(void *ctx, const char *arg)
{
	(void)ctx;
	(void)arg;
	return cli_usage_error("share", "--proc-root cannot be used with share: pagemap and "
			       "kpagecount describe live memory, they mean nothing in a copy");
}

static const struct cmd_option options[] = {
	{ "top", 0, CMD_COUNT, CMD_FIELD(struct share_opts, top),
	  CMD_GIVEN(struct share_opts, top_set), .hi = 1000000,
	  .words = "a count from %.0f (all) to %.0f" },
	{ "after", 0, CMD_SECONDS, CMD_FIELD(struct share_opts, after), .hi = MAX_AFTER,
	  .words = "seconds from %.0f to %.0f" },
	{ "proc-root", 0, CMD_CALL, .call = proc_root_option },
	{ 0 }
};

/* PIDs may stand between the options; the checks after them. */
static int share_check(void *ctx)
{
	struct share_opts *o = ctx;

	if (o->co.cmd && (o->nids || !target_is_all(&o->co.target)))
		return cli_usage_error("share", "PIDs, -p, -u and -C cannot be used with a command "
				       "to run ('--')");
	if (!o->co.cmd && !o->nids && target_is_all(&o->co.target))
		return cli_usage_error("share", "which tasks? Give PIDs, -p, -u, -C, or '-- command'");
	if (o->co.run_as && !o->co.cmd)
		return cli_usage_error("share", "--run-as needs a command to run ('-- command')");
	return CO_CONTINUE;
}

/* ---- running ----------------------------------------------------------------------------- */

/* The processes the targets (or the job) name now, after the PIDs given. */
static int add_targets(struct share_opts *o, struct session *s)
{
	pid_t *tg = NULL, *nv;
	size_t n = 0;
	bool all;
	int rc = target_resolve(&o->co.target, s->smp, &tg, &n, &all);

	if (rc)
		return rc;
	nv = realloc(o->ids, (o->nids + n + 1) * sizeof(*nv));
	if (!nv) {
		free(tg);
		return -ENOMEM;
	}
	o->ids = nv;
	memcpy(o->ids + o->nids, tg, n * sizeof(*tg));
	o->nids += n;
	free(tg);
	return 0;
}

/* Run the job and let it work for --after seconds: 0, or the exit status (said). */
static int start_job(struct share_opts *o, struct session *s)
{
	int status = session_start_job(s);

	if (status)
		return status;
	session_follow(s, util_monotonic() + o->after);
	if (session_job_over(s)) {
		msg_error("the job ended before it was looked at (--after %g)", o->after);
		return TS_EXIT_FAILURE;
	}
	if (add_targets(o, s)) {
		msg_error("%s", strerror(ENOMEM));
		return TS_EXIT_FAILURE;
	}
	return 0;
}

/* "PIDs 1,2", "1,2,3,4 and 2 more", "spawned job" */
static void describe(const struct share_opts *o, char *what, size_t len)
{
	size_t off = 0;

	if (o->co.cmd) {
		snprintf(what, len, "spawned job");
		return;
	}
	target_describe(&o->co.target, what, len);
	if (!o->nids || !target_is_all(&o->co.target))
		return;
	for (size_t i = 0; i < o->nids && i < 4 && off < len; i++)
		off += (size_t)snprintf(what + off, len - off, "%s%d", i ? "," : "", (int)o->ids[i]);
	if (o->nids > 4 && off < len)
		snprintf(what + off, len - off, " and %zu more", o->nids - 4);
}

/* share PID alone: that process against every other */
static int share_against(struct share_opts *o, int rootfd, FILE *out)
{
	struct sharing_against ag;
	size_t top = o->top_set ? o->top : o->co.json ? 0 : 20;
	int rc;

	rc = sharing_against_all(rootfd, o->ids[0], &ag);
	if (rc == -ESRCH) {
		msg_error("no such process: %d", (int)o->ids[0]);
		return TS_EXIT_FAILURE;
	}
	if (rc == -EOPNOTSUPP) {
		msg_error("PID %d is a kernel thread: it has no address space to share",
			  (int)o->ids[0]);
		return TS_EXIT_FAILURE;
	}
	if (rc == -EACCES || rc == -EPERM) {
		msg_error("PID %d: permission denied: /proc lists it but its files cannot be read "
			  "(hidepid=noaccess)", (int)o->ids[0]);
		return TS_EXIT_FAILURE;
	}
	if (rc) {
		msg_error("cannot compare PID %d with the other processes: %s", (int)o->ids[0],
			  strerror(-rc));
		return TS_EXIT_FAILURE;
	}
	if (o->co.json)
		rc = sharefmt_against_json(out, &ag, top);
	else
		rc = sharefmt_against_text(out, &ag, o->co.bytes, top);
	sharing_against_free(&ag);
	/* a write error is reported when the stream is closed */
	if (rc && rc != -EPIPE && !outfile_error(out)) {
		msg_error("cannot print the report: %s", strerror(-rc));
		return TS_EXIT_FAILURE;
	}
	return TS_EXIT_OK;
}

/* The tasks compared pair by pair: the matrices, or ranked lists for many. */
static int share_pairs(struct share_opts *o, int rootfd, FILE *out, const char *what)
{
	struct sharing_report rep;
	pid_t missing = 0;
	int rc, status = TS_EXIT_OK;

	memset(&rep, 0, sizeof(rep));
	/* a process that ends before or while it is read is left out and named in the
	 * report; only when not one target could be read is it an error */
	rc = sharing_collect(rootfd, o->ids, o->nids, true, &rep, &missing);
	if (rc == -ESRCH) {
		msg_error("no such process: %d", (int)missing);
		status = TS_EXIT_FAILURE;
	} else if (rc == -EACCES) {
		msg_error("PID %d: permission denied: /proc lists it but its files cannot be read "
			  "(hidepid=noaccess)", (int)missing);
		status = TS_EXIT_FAILURE;
	} else if (rc) {
		msg_error("cannot compare the tasks: %s", strerror(-rc));
		status = TS_EXIT_FAILURE;
	}
	if (status) {
		sharing_free(&rep);
		return status;
	}
	if (o->co.json)
		rc = sharefmt_json(out, &rep, o->top_set ? o->top : 0);
	else if (rep.nspaces > SHARE_MATRIX_MAX || o->co.target.have_user || o->co.target.nnames)
		rc = sharefmt_list_text(out, &rep, o->co.bytes, what, o->top_set ? o->top : 20);
	else
		rc = sharefmt_text(out, &rep, o->co.bytes, what);
	/* a write error is reported when the stream is closed */
	if (rc && rc != -EPIPE && !outfile_error(out)) {
		msg_error("cannot print the report: %s", strerror(-rc));
		status = TS_EXIT_FAILURE;
	} else if (!rep.ntasks && !rep.zombies && !rep.kthreads) {
		/* every target ended while it was being read */
		msg_error("every target ended before it could be compared");
		status = TS_EXIT_FAILURE;
	}
	sharing_free(&rep);
	return status;
}

static int share_run(void *ctx)
{
	struct share_opts *o = ctx;
	struct session_config cfg = {
		.target = &o->co.target, .cmd = o->co.cmd, .run_as = o->co.run_as,
		.output_file = o->co.output_file,
		/* the targets are resolved once: only -p, -u, -C and a job need the sampler */
		.no_sampler = target_is_all(&o->co.target) && !o->co.cmd,
	};
	/* one PID alone (or -p PID): against every other process */
	bool against = !o->co.cmd && !o->co.target.have_user && !o->co.target.nnames &&
		       o->nids + o->co.target.npids == 1;
	struct session s;
	char what[256];
	int rootfd = -1, status;

	status = session_open(&s, &cfg);
	if (!status && !target_is_all(&o->co.target) && add_targets(o, &s)) {
		msg_error("%s", strerror(ENOMEM));
		status = TS_EXIT_FAILURE;
	}
	if (!status && (rootfd = system_open_root()) < 0) {
		msg_error("cannot open /proc: %s", strerror(-rootfd));
		status = TS_EXIT_FAILURE;
	}
	if (!status && o->co.cmd)
		status = start_job(o, &s);
	if (!status) {
		describe(o, what, sizeof(what));
		status = against ? share_against(o, rootfd, s.out)
				 : share_pairs(o, rootfd, s.out, what);
	}
	if (rootfd >= 0)
		close(rootfd);
	return session_close(&s, status);
}

static void free_opts(void *ctx)
{
	struct share_opts *o = ctx;

	free(o->ids);
}

/* Its messages say "taskscope: ...", not "taskscope: share: ..." (as they always did). */
static const struct cmd_spec share_cmd = {
	.name = "share", .plain_messages = true,
	.accept = CO_TARGETS | CO_JSON | CO_BYTES | CO_OUTPUT_FILE | CO_JOB,
	.usage = share_usage, .options = options, .co = offsetof(struct share_opts, co),
	.operand = add_id, .check = share_check, .run = share_run, .done = free_opts,
};

int share_main(int argc, char **argv)
{
	struct share_opts o = { .after = 1.0 };

	if (sharerec_wanted(argc, argv))
		return sharerec_main(argc, argv);	/* share FILE[@TIME]: a recording */
	return command_main(&share_cmd, &o, argc, argv);
}
