/* SPDX-License-Identifier: GPL-2.0-or-later */
/* share.c - taskscope share: what tasks share, kernel resources and physical pages */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/outfile.h"
#include "lib/util.h"
#include "model/sharing.h"
#include "model/snapshot.h"
#include "sample/taskfiles.h"
#include "target/spawn.h"
#include "target/target.h"
#include "cmd/cli.h"
#include "lib/exitcode.h"
#include "view/share.h"
#include "view/sharefmt.h"

#define MAX_AFTER (24.0 * 3600.0)

struct share_opts {
	struct target target;
	pid_t *ids;		/* positional PIDs/TIDs */
	size_t nids;
	bool json, bytes;
	double after;
	const char *output_file;
	const char *run_as;	/* --run-as USER */
	char **cmd;
};

static void share_usage(FILE *out)
{
	fputs("Usage:\n"
	      " taskscope share [options] PID|TID...\n"
	      " taskscope share [options] -p PID[,PID...] | -u USER | -C NAME\n"
	      " taskscope share [options] -- command [args...]\n"
	      "\n"
	      "Shows what tasks share: kernel resources pair by pair (kcmp: VM, FILES, FS,\n"
	      "SIGHAND, IO, SYSVSEM) and the physical pages their address spaces both map.\n"
	      "A process's PID means all its threads; another thread's TID that thread alone.\n"
	      "Threads are grouped by address space. Exact page sharing needs CAP_SYS_ADMIN\n"
	      "(pagemap PFNs); without it the memory part is an estimate, and says so.\n"
	      "\n"
	      "Targets:\n"
	      " -p, --pid PID[,PID...]    processes with these IDs (repeatable)\n"
	      " -u, --user USER           processes of this user\n"
	      " -C, --command NAME[,...]  processes with this name\n"
	      " -- command [args...]      run the command, look at its tasks after --after\n"
	      "                           seconds, and exit with its exit status\n"
	      "     --run-as USER         run the command as USER: its uid, gid and groups\n"
	      "                           (taskscope must be root)\n"
	      "\n"
	      "Options:\n"
	      "     --after SECONDS       with a command: when to look (default 1)\n"
	      " -J, --json                one JSON document\n"
	      "     --bytes               sizes in bytes instead of human-readable units\n"
	      "     --output-file FILE    write the report to FILE (with a command the report\n"
	      "                           goes to stderr by default)\n"
	      " -h, --help                show this help and exit\n"
	      "\n"
	      "Exit status: 0 ok (also when some tasks could not be read), 1 runtime failure,\n"
	      "2 usage error, or the command's status. See taskscope-share(1).\n", out);
}

static int add_id(struct share_opts *o, const char *arg)
{
	char buf[64];
	uint64_t v;
	pid_t *nv;

	if (util_parse_u64(arg, 4194304, &v) || v == 0)
		return cli_usage_error("share", "invalid PID '%s': PIDs are 1 to 4194304",
					 cli_shown(arg, buf, sizeof(buf)));
	nv = realloc(o->ids, (o->nids + 1) * sizeof(*nv));
	if (!nv) {
		fprintf(stderr, "taskscope: %s\n", strerror(ENOMEM));
		return TS_EXIT_FAILURE;
	}
	o->ids = nv;
	o->ids[o->nids++] = (pid_t)v;
	return -1;
}

/* Returns -1 to go on, or the exit status. */
static int share_parse(int argc, char **argv, struct share_opts *o)
{
	enum { OPT_BYTES = 256, OPT_AFTER, OPT_OUTPUT_FILE, OPT_RUN_AS };
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "command", required_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'J' },
		{ "bytes", no_argument, NULL, OPT_BYTES },
		{ "after", required_argument, NULL, OPT_AFTER },
		{ "output-file", required_argument, NULL, OPT_OUTPUT_FILE },
		{ "run-as", required_argument, NULL, OPT_RUN_AS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char sbuf[128];
	int c, rc;

	o->after = 1.0;
	opterr = 0;
	optind = 1;
	for (;;) {
		c = getopt_long(argc, argv, "+:p:u:C:Jh", longopts, NULL);
		if (c == -1) {
			if (optind >= argc)
				break;
			if (!strcmp(argv[optind - 1], "--") && optind > 1) {
				o->cmd = &argv[optind];
				break;
			}
			/* a PID between options: take it and read on */
			rc = add_id(o, argv[optind]);
			if (rc >= 0)
				return rc;
			optind++;
			continue;
		}
		switch (c) {
		case 'p':
		case 'u':
		case 'C':
			rc = target_parse_option(&o->target, c, optarg, sbuf, sizeof(sbuf));
			if (rc == -EINVAL)
				return cli_usage_error("share", "%s", sbuf);
			if (rc == -ENOENT)
				fprintf(stderr, "taskscope: %s\n", sbuf);
			if (rc)
				return TS_EXIT_FAILURE;
			break;
		case 'J':
			o->json = true;
			break;
		case OPT_BYTES:
			o->bytes = true;
			break;
		case OPT_AFTER:
			if (util_parse_seconds(optarg, MAX_AFTER, &o->after))
				return cli_usage_error("share", "invalid --after '%s': "
							 "seconds from 0 to %.0f",
							 cli_shown(optarg, sbuf, sizeof(sbuf)),
							 MAX_AFTER);
			break;
		case OPT_OUTPUT_FILE:
			o->output_file = optarg;
			break;
		case OPT_RUN_AS:
			o->run_as = optarg;
			break;
		case 'h':
			share_usage(stdout);
			return TS_EXIT_OK;	/* main checks that it was written */
		case ':':
		default:
			return cli_usage_error("share", "%s", util_getopt_error(c, argv, optind, optopt,
								     sbuf, sizeof(sbuf)));
		}
	}
	if (!o->cmd && optind > 1 && optind == argc && !strcmp(argv[optind - 1], "--"))
		return cli_usage_error("share", "no command after '--'");
	if (o->cmd && (o->nids || !target_is_all(&o->target)))
		return cli_usage_error("share", "PIDs, -p, -u and -C cannot be used with a command "
					 "to run ('--')");
	if (!o->cmd && !o->nids && target_is_all(&o->target))
		return cli_usage_error("share", "which tasks? Give PIDs, -p, -u, -C, or '-- command'");
	if (o->run_as && !o->cmd)
		return cli_usage_error("share", "--run-as needs a command to run ('-- command')");
	return -1;
}

/* ---- running ----------------------------------------------------------------------------- */

/* Follow the job until deadline (0: until it is over). */
static void share_follow(struct spawn *sp, struct target *tg, struct sampler *smp,
			 double deadline)
{
	for (;;) {
		double left = deadline ? deadline - util_monotonic() : 3600.0;

		spawn_reap(sp, false);
		target_forward_pending(tg, smp);
		if (sp->all_done || left <= 0)
			return;
		spawn_wait(sp, left);
	}
}

static int append_ids(struct share_opts *o, const pid_t *v, size_t n)
{
	pid_t *nv = realloc(o->ids, (o->nids + n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	o->ids = nv;
	memcpy(o->ids + o->nids, v, n * sizeof(*v));
	o->nids += n;
	return 0;
}

static int share_run(struct share_opts *o)
{
	struct sharing_report rep;
	struct sampler *smp = NULL;
	struct spawn sp;
	struct spawn_cred cred = { 0 };
	bool spawned = false;
	FILE *out = stdout;
	char what[256], ebuf[256];
	pid_t missing = 0;
	size_t nnamed = o->nids;	/* the PIDs given as arguments come first */
	int rootfd = -1, rc, status = TS_EXIT_OK;

	memset(&rep, 0, sizeof(rep));
	if (o->run_as) {
		rc = spawn_cred_lookup(&cred, o->run_as);
		if (rc) {
			spawn_cred_error(rc, o->run_as, ebuf, sizeof(ebuf));
			fprintf(stderr, "taskscope: share: %s\n", ebuf);
			return TS_EXIT_FAILURE;
		}
	}
	rootfd = taskfiles_open_root();
	if (rootfd < 0) {
		fprintf(stderr, "taskscope: cannot open /proc: %s\n", strerror(-rootfd));
		spawn_cred_free(&cred);
		return TS_EXIT_FAILURE;
	}
	if (!target_is_all(&o->target) || o->cmd) {
		rc = sampler_new(&smp, 0, false);
		if (rc) {
			fprintf(stderr, "taskscope: cannot read /proc: %s\n", strerror(-rc));
			status = TS_EXIT_FAILURE;
			goto out;
		}
	}
	if (!target_is_all(&o->target)) {
		pid_t *tg = NULL;
		size_t n = 0;
		bool all;

		rc = target_check(&o->target, smp, ebuf, sizeof(ebuf));
		if (!rc)
			rc = target_resolve(&o->target, smp, &tg, &n, &all);
		if (!rc)
			rc = append_ids(o, tg, n);
		free(tg);
		if (rc) {
			fprintf(stderr, "taskscope: %s\n",
				rc == -ESRCH || rc == -EACCES ? ebuf : strerror(-rc));
			status = TS_EXIT_FAILURE;
			goto out;
		}
	}
	if (o->output_file) {
		char why[160];

		rc = outfile_open(o->output_file, OUTFILE_MODE_REPORT, &out, why, sizeof(why));
		if (rc) {
			fprintf(stderr, "taskscope: cannot write to '%s': %s\n",
				cli_shown(o->output_file, ebuf, sizeof(ebuf)), why);
			out = stdout;
			status = TS_EXIT_FAILURE;
			goto out;
		}
	} else if (o->cmd) {
		out = stderr;	/* the job's stdout is its own */
	}
	if (o->cmd) {
		pid_t *tg = NULL;
		size_t n = 0;
		bool all;

		o->target.spawn_root = getpid();
		rc = spawn_start(&sp, o->cmd, o->run_as ? &cred : NULL);
		if (rc) {
			status = spawn_failure(&sp, rc, o->cmd[0], o->run_as ? &cred : NULL,
					       ebuf, sizeof(ebuf));
			fprintf(stderr, "taskscope: %s\n", ebuf);
			goto out;
		}
		spawned = true;
		share_follow(&sp, &o->target, smp, util_monotonic() + o->after);
		if (sp.all_done) {
			fprintf(stderr, "taskscope: the job ended before it was looked at "
				"(--after %g)\n", o->after);
			goto out;
		}
		rc = target_resolve(&o->target, smp, &tg, &n, &all);
		if (!rc)
			rc = append_ids(o, tg, n);
		free(tg);
		if (rc) {
			fprintf(stderr, "taskscope: %s\n", strerror(-rc));
			goto out;
		}
		snprintf(what, sizeof(what), "spawned job");
	} else {
		target_describe(&o->target, what, sizeof(what));
		if (o->nids && target_is_all(&o->target)) {
			size_t off = 0;

			for (size_t i = 0; i < o->nids && i < 4 && off < sizeof(what); i++)
				off += (size_t)snprintf(what + off, sizeof(what) - off, "%s%d",
							i ? "," : "", (int)o->ids[i]);
			if (o->nids > 4 && off < sizeof(what))
				snprintf(what + off, sizeof(what) - off, " and %zu more",
					 o->nids - 4);
		}
	}
	for (int tries = 0;; tries++) {
		size_t w = nnamed;

		rc = sharing_collect(rootfd, o->ids, o->nids, true, &rep, &missing);
		if (rc != -ESRCH || tries == 8)
			break;
		/* a process that -u, -C or the job named and that ended since is left out;
		 * a PID given as an argument must exist */
		for (size_t i = nnamed; i < o->nids; i++)
			if (o->ids[i] != missing)
				o->ids[w++] = o->ids[i];
		if (w == o->nids)
			break;
		o->nids = w;
	}
	if (rc == -ESRCH) {
		fprintf(stderr, "taskscope: no such process: %d\n", (int)missing);
		status = TS_EXIT_FAILURE;
		goto out;
	}
	if (rc == -EACCES) {
		fprintf(stderr, "taskscope: PID %d: permission denied: /proc lists it but its "
			"files cannot be read (hidepid=noaccess)\n", (int)missing);
		status = TS_EXIT_FAILURE;
		goto out;
	}
	if (rc) {
		fprintf(stderr, "taskscope: cannot compare the tasks: %s\n", strerror(-rc));
		status = TS_EXIT_FAILURE;
		goto out;
	}
	if (o->json)
		rc = sharefmt_json(out, &rep);
	else
		rc = sharefmt_text(out, &rep, o->bytes, what);
	/* a write error is reported when the stream is closed */
	if (rc && rc != -EPIPE && !outfile_error(out)) {
		fprintf(stderr, "taskscope: cannot print the report: %s\n", strerror(-rc));
		status = TS_EXIT_FAILURE;
	}
out:
	spawn_cred_free(&cred);
	sharing_free(&rep);
	if (spawned) {
		share_follow(&sp, &o->target, smp, 0);
		status = spawn_exit_code(&sp);
	}
	sampler_free(smp);
	/* standard output is checked by main */
	if (out != stdout)
		status = outfile_close(out, o->output_file, status);
	if (rootfd >= 0)
		close(rootfd);
	return status;
}

int share_main(int argc, char **argv)
{
	struct share_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	target_init(&o.target);
	rc = share_parse(argc, argv, &o);
	if (rc < 0)
		rc = share_run(&o);
	target_free(&o.target);
	free(o.ids);
	return rc;
}
