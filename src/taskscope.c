/* SPDX-License-Identifier: GPL-2.0-or-later */
/* taskscope.c - main: options, subcommand dispatch, and the batch task view loop */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "lib/outfile.h"
#include "lib/util.h"
#include "model/columns.h"
#include "model/snapshot.h"
#include "target/spawn.h"
#include "target/target.h"
#include "cli.h"
#include "taskscope.h"
#include "view/batch.h"
#include "view/tui.h"

#define MAX_DELAY (24.0 * 3600.0)
#define MAX_ITERATIONS 1000000000ULL
#define PRIME_MAX 0.5	/* the first sample's interval is at most this long */

struct opts {
	bool batch;
	bool threads;
	bool json, raw, bytes;
	bool list_columns;
	uint64_t iterations;	/* 0: until the targets are gone */
	double delay;
	const char *output;
	const char *output_file;
	const char *run_as;	/* --run-as USER: the spawned command's user */
	const char *child_log;
	const char *sort;	/* --sort [-]COL[,...] */
	bool tree, totals, children;
	bool delay_set;
	struct target target;
	char **cmd;		/* after "--" */
};

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " taskscope [options] [-- command [args...]]\n", out);
	commands_print_synopsis(out);
	fputs("\n"
	      "Shows tasks (processes and threads) sampled from /proc: a full-screen view on a\n"
	      "terminal (press h in it for the keys), else a table per sample.\n"
	      "\n"
	      "Commands:\n", out);
	commands_print_list(out);
	fputs("\n"
	      "Targets (default: all tasks):\n"
	      " -p, --pid PID[,PID...]    processes with these IDs (repeatable)\n"
	      " -u, --user USER           processes of this user (name or number)\n"
	      " -C, --command NAME[,...]  processes with this name (as in /proc/PID/comm)\n"
	      "     --children            with -p: also every descendant of those processes,\n"
	      "                           found again at each sample (compare -p's groups)\n"
	      " -- command [args...]      run the command and follow it and all its descendants;\n"
	      "                           taskscope exits with its exit status\n"
	      "     --run-as USER         run the command as USER: its uid, gid and groups\n"
	      "                           (taskscope must be root; -u selects targets)\n"
	      "\n"
	      "Options:\n"
	      " -b, --batch               batch tables instead of the full-screen view (the default\n"
	      "                           when stdin or stdout is not a terminal, and with -n,\n"
	      "                           -J, -r or an output file)\n"
	      " -n, --iterations N        stop after N samples\n"
	      " -d, --delay SECONDS       time between samples (default 1; 0 allowed)\n"
	      " -H, --threads             a row per thread instead of per process\n"
	      " -o, --output LIST         columns to show (+LIST adds to the defaults)\n"
	      "     --list-columns        list every column with its help and exit\n"
	      " -J, --json                one JSON document per sample; a row's key\n"
	      "                           'unavailable' says why its null values are null\n"
	      " -r, --raw                 raw output: no alignment, no summary line\n"
	      "     --sort COL[,...]      batch: rows by these columns in their natural order\n"
	      "                           (sizes, counts, CPU largest first; names and IDs\n"
	      "                           smallest first); -COL reverses; unknown values last\n"
	      "     --totals              batch: a last line with the sums of additive columns\n"
	      "     --tree                batch: processes under their parents (threads under\n"
	      "                           their process with -H)\n"
	      "     --bytes               sizes in bytes instead of human-readable units\n"
	      "     --output-file FILE    write the report to FILE (with a spawned command the\n"
	      "                           tables go to stderr by default; -J JSON goes to\n"
	      "                           stdout and the command's stdout to stderr)\n"
	      "     --child-log FILE      full-screen view: also write the job's output to FILE\n"
	      " -h, --help                show this help and exit\n"
	      " -V, --version             show the version and exit\n"
	      "\n"
	      "Exit status: 0 ok, 1 runtime failure, 2 usage error, or the spawned command's status.\n"
	      "See taskscope(1).\n", out);
}

static void list_columns(FILE *out)
{
	for (size_t i = 0; i < columns_count(); i++) {
		const struct column *c = columns_get(i);

		fprintf(out, "%10s  %s%s%s\n", c->name, c->help,
			(c->flags & CF_PROCESS) ? " [process]" : "",
			(c->flags & CF_INTERVAL) ? " [interval]" : "");
	}
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	enum { OPT_LIST_COLUMNS = 256, OPT_BYTES, OPT_OUTPUT_FILE, OPT_RUN_AS, OPT_CHILD_LOG,
	       OPT_SORT, OPT_TOTALS, OPT_TREE, OPT_CHILDREN };
	static const struct option longopts[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "delay", required_argument, NULL, 'd' },
		{ "threads", no_argument, NULL, 'H' },
		{ "output", required_argument, NULL, 'o' },
		{ "list-columns", no_argument, NULL, OPT_LIST_COLUMNS },
		{ "json", no_argument, NULL, 'J' },
		{ "raw", no_argument, NULL, 'r' },
		{ "bytes", no_argument, NULL, OPT_BYTES },
		{ "output-file", required_argument, NULL, OPT_OUTPUT_FILE },
		{ "run-as", required_argument, NULL, OPT_RUN_AS },
		{ "child-log", required_argument, NULL, OPT_CHILD_LOG },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "totals", no_argument, NULL, OPT_TOTALS },
		{ "tree", no_argument, NULL, OPT_TREE },
		{ "children", no_argument, NULL, OPT_CHILDREN },
		{ "pid", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "command", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char sbuf[128];
	int c, rc;

	o->delay = 1.0;
	opterr = 0;	/* our own messages: they must not echo raw bytes */
	while ((c = getopt_long(argc, argv, "+:bn:d:Ho:Jrp:u:C:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->batch = true;
			break;
		case 'n':
			if (util_parse_u64(optarg, MAX_ITERATIONS, &o->iterations) ||
			    o->iterations == 0)
				return cli_usage_error(NULL, "invalid --iterations '%s': a whole number from 1 to %llu",
						   cli_shown(optarg, sbuf, sizeof(sbuf)),
						   (unsigned long long)MAX_ITERATIONS);
			break;
		case 'd':
			if (util_parse_seconds(optarg, MAX_DELAY, &o->delay))
				return cli_usage_error(NULL, "invalid --delay '%s': seconds from 0 to %.0f",
						   cli_shown(optarg, sbuf, sizeof(sbuf)), MAX_DELAY);
			o->delay_set = true;
			break;
		case 'H':
			o->threads = true;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_LIST_COLUMNS:
			o->list_columns = true;
			break;
		case 'J':
			o->json = true;
			break;
		case 'r':
			o->raw = true;
			break;
		case OPT_BYTES:
			o->bytes = true;
			break;
		case OPT_OUTPUT_FILE:
			o->output_file = optarg;
			break;
		case OPT_RUN_AS:
			o->run_as = optarg;
			break;
		case OPT_CHILD_LOG:
			o->child_log = optarg;
			break;
		case OPT_SORT:
			o->sort = optarg;
			break;
		case OPT_TOTALS:
			o->totals = true;
			break;
		case OPT_TREE:
			o->tree = true;
			break;
		case OPT_CHILDREN:
			o->children = true;
			break;
		case 'p':
		case 'u':
		case 'C':
			rc = target_parse_option(&o->target, c, optarg, sbuf, sizeof(sbuf));
			if (rc == -EINVAL)
				return cli_usage_error(NULL, "%s", sbuf);
			if (rc == -ENOENT)
				fprintf(stderr, "taskscope: %s\n", sbuf);
			if (rc)
				return TS_EXIT_FAILURE;
			break;
		case 'h':
			usage(stdout);
			return TS_EXIT_OK;	/* main checks that it was written */
		case 'V':
			printf("taskscope %s\n", PACKAGE_VERSION);
			return TS_EXIT_OK;
		case ':':
		default:
			return cli_usage_error(NULL, "%s", util_getopt_error(c, argv, optind, optopt,
								     sbuf, sizeof(sbuf)));
		}
	}
	if (optind < argc) {
		/* getopt stops at "--" (and at the first non-option with "+") */
		if (strcmp(argv[optind - 1], "--") != 0)
			return cli_usage_error(NULL, "unexpected argument '%s' (a command to run goes after '--')",
					   cli_shown(argv[optind], sbuf, sizeof(sbuf)));
		o->cmd = &argv[optind];
	} else if (optind > 0 && optind <= argc && !strcmp(argv[optind - 1], "--")) {
		return cli_usage_error(NULL, "no command after '--'");
	}
	if (o->json && o->raw)
		return cli_usage_error(NULL, "--json and --raw cannot be used together");
	if (o->cmd && !target_is_all(&o->target))
		return cli_usage_error(NULL, "-p, -u and -C cannot be used with a command to run ('--')");
	if (o->run_as && !o->cmd)
		return cli_usage_error(NULL, "--run-as needs a command to run ('-- command')");
	if (o->children && !o->target.npids)
		return cli_usage_error(NULL, "--children needs -p PID: it adds the descendants of those processes");
	o->target.descendants = o->children;
	return -1;
}

/* Sleep until deadline (or, with a job, until it is over), following the spawned job. */
static void wait_until(struct spawn *sp, struct target *tg, struct sampler *smp,
		       double deadline)
{
	for (;;) {
		double left = deadline - util_monotonic();

		if (sp) {
			spawn_reap(sp, false);
			target_forward_pending(tg, smp);
			if (sp->all_done)
				return;
		}
		if (left <= 0)
			return;
		if (!sp) {
			struct timespec ts = { (time_t)left,
					       (long)((left - (double)(time_t)left) * 1e9) };

			nanosleep(&ts, NULL);
			continue;
		}
		spawn_wait(sp, left);
	}
}

/* Follow the job quietly to its end. */
static void wait_job_end(struct spawn *sp, struct target *tg, struct sampler *smp)
{
	while (!sp->all_done)
		wait_until(sp, tg, smp, util_monotonic() + 3600);
}

/* Set of task identities seen during a job, for the summary. */
struct seen {
	uint64_t *ids;
	size_t n, cap;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void seen_add(struct seen *s, pid_t id, uint64_t start)
{
	uint64_t key = ((uint64_t)(uint32_t)id << 40) ^ start;

	if (s->n && bsearch(&key, s->ids, s->n, sizeof(key), cmp_u64))
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		uint64_t *v = realloc(s->ids, cap * sizeof(*v));

		if (!v)
			return;
		s->ids = v;
		s->cap = cap;
	}
	s->ids[s->n++] = key;
	qsort(s->ids, s->n, sizeof(key), cmp_u64);
}

struct job_stats {
	struct seen procs, threads;
	uint64_t peak_rss;
	struct sampler *tsampler;	/* a threads sampler when the view is per process */
};

static void job_account(struct job_stats *js, const struct snapshot *sn,
			const pid_t *tgids, size_t n)
{
	const struct snapshot *th = sn;

	if (sn->total_rss > js->peak_rss)
		js->peak_rss = sn->total_rss;
	for (size_t i = 0; i < sn->ntasks; i++)
		if (sn->tasks[i].tid == sn->tasks[i].tgid)
			seen_add(&js->procs, sn->tasks[i].tgid, sn->tasks[i].start_ticks);
	if (!sn->threads) {
		if (!js->tsampler || sampler_take(js->tsampler, tgids, n, &th))
			return;
	}
	for (size_t i = 0; i < th->ntasks; i++)
		seen_add(&js->threads, th->tasks[i].tid, th->tasks[i].start_ticks);
}

/* -p PIDs found reused, on standard error (when no report carries them). */
static void reused_to_stderr(const struct target_reuse *r, size_t n)
{
	char text[256];

	for (size_t i = 0; i < n; i++) {
		target_reuse_text(&r[i], text, sizeof(text));
		fprintf(stderr, "taskscope: %s\n", text);
	}
}

/* Print a report with the reused PIDs as its notes (tables and JSON; raw output has no
 * room for them: standard error). */
static int print_with_notes(struct batch_opts *bo, const struct col_ctx *ctx,
			    const struct snapshot *sn, unsigned long seq,
			    const struct target_reuse *r, size_t n)
{
	struct batch_note *notes = NULL;
	char (*texts)[256] = NULL;
	int rc;

	if (n && !bo->raw) {
		notes = calloc(n, sizeof(*notes));
		texts = calloc(n, sizeof(*texts));
		if (!notes || !texts) {
			free(notes);
			free(texts);
			return -ENOMEM;
		}
		for (size_t i = 0; i < n; i++) {
			target_reuse_text(&r[i], texts[i], sizeof(texts[i]));
			notes[i] = (struct batch_note){ .pid = r[i].pid, .comm = r[i].comm,
							.text = texts[i] };
		}
		bo->notes = notes;
		bo->nnotes = n;
	} else {
		reused_to_stderr(r, n);
	}
	rc = batch_print(bo, ctx, sn, seq);
	bo->notes = NULL;
	bo->nnotes = 0;
	free(notes);
	free(texts);
	return rc;
}

static void job_summary(const struct spawn *sp, const struct job_stats *js, const char *cmd)
{
	struct rusage ru;
	char name[128], rss[16];
	double wall = (sp->end_mono ? sp->end_mono : util_monotonic()) - sp->start_mono;

	util_sanitize(cmd, strlen(cmd), name, sizeof(name));
	getrusage(RUSAGE_CHILDREN, &ru);
	fprintf(stderr, "taskscope: job '%s' ", name);
	if (WIFSIGNALED(sp->status))
		fprintf(stderr, "killed by signal %d (%s)", WTERMSIG(sp->status),
			strsignal(WTERMSIG(sp->status)));
	else
		fprintf(stderr, "exited with status %d", spawn_exit_code(sp));
	fprintf(stderr, "; wall %.2fs, CPU user %.2fs system %.2fs; seen %zu process%s, "
		"%zu thread%s; peak RSS sum %s\n", wall,
		(double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
		(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
		js->procs.n, js->procs.n == 1 ? "" : "es", js->threads.n,
		js->threads.n == 1 ? "" : "s", util_size_human(js->peak_rss, rss, sizeof(rss)));
}

/* --sort [-]COL[,...]: *keys malloc'ed. -EINVAL (a usage error printed), -ENOMEM. */
static int parse_sort(const char *list, struct tasklist_key **keys, size_t *nkeys)
{
	size_t n = 1, k = 0;
	const char *p = list;
	struct tasklist_key *v;
	char shown[64];

	for (const char *q = list; *q; q++)
		n += *q == ',';
	v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	while (k < n) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		bool rev = len && *p == '-';
		char name[32];

		if (rev) {
			p++;
			len--;
		}
		if (len && len < sizeof(name)) {
			memcpy(name, p, len);
			name[len] = '\0';
			v[k].col = columns_find(name);
		}
		if (!v[k].col) {
			char tok[160];
			size_t tl = len < sizeof(tok) - 1 ? len : sizeof(tok) - 1;

			memcpy(tok, p, tl);
			tok[tl] = '\0';
			if (len)
				cli_usage_error(NULL, "unknown column '%s' in --sort (see --list-columns)",
						cli_shown(tok, shown, sizeof(shown)));
			else
				cli_usage_error(NULL, "empty column name in --sort '%s'",
						cli_shown(list, shown, sizeof(shown)));
			free(v);
			return -EINVAL;
		}
		v[k].ascending = columns_natural_ascending(v[k].col) != rev;
		k++;
		p = end ? end + 1 : p + len;
	}
	*keys = v;
	*nkeys = n;
	return 0;
}

static int run_tasks(struct opts *o)
{
	const struct column **cols = NULL;
	size_t ncols = 0, nkeys = 0;
	struct tasklist_key *keys = NULL;
	struct sampler *smp = NULL;
	struct spawn sp, *spp = NULL;
	struct spawn_cred cred = { 0 };
	struct job_stats js;
	struct batch_opts bo;
	struct col_ctx ctx;
	char what[256], errbuf[256];
	FILE *out = stdout;
	unsigned long seq = 0;
	bool reporting = true, prime = false;
	unsigned readers;
	int rc, status = TS_EXIT_OK;
	double next;

	memset(&js, 0, sizeof(js));
	if (o->output) {
		char *bad = NULL;

		rc = columns_parse_list(o->output, o->threads, &cols, &ncols, &bad);
		if (rc == -EINVAL) {
			cli_usage_error(NULL, "unknown column '%s' in --output (see --list-columns)",
				    bad ? bad : "");
			free(bad);
			return TS_EXIT_USAGE;
		}
	} else {
		rc = columns_defaults(o->threads, &cols, &ncols);
	}
	if (rc) {
		fprintf(stderr, "taskscope: %s\n", strerror(-rc));
		return TS_EXIT_FAILURE;
	}
	if (o->sort) {
		rc = parse_sort(o->sort, &keys, &nkeys);
		if (rc) {
			if (rc != -EINVAL)
				fprintf(stderr, "taskscope: %s\n", strerror(-rc));
			free(cols);
			return rc == -EINVAL ? TS_EXIT_USAGE : TS_EXIT_FAILURE;
		}
	}
	if (o->run_as) {
		rc = spawn_cred_lookup(&cred, o->run_as);
		if (rc) {
			spawn_cred_error(rc, o->run_as, errbuf, sizeof(errbuf));
			fprintf(stderr, "taskscope: %s\n", errbuf);
			free(keys);
			free(cols);
			return TS_EXIT_FAILURE;
		}
	}
	if (o->output_file) {
		char why[160];

		rc = outfile_open(o->output_file, OUTFILE_MODE_REPORT, &out, why, sizeof(why));
		if (rc) {
			fprintf(stderr, "taskscope: cannot write to '%s': %s\n",
				cli_shown(o->output_file, errbuf, sizeof(errbuf)), why);
			spawn_cred_free(&cred);
			free(keys);
			free(cols);
			return TS_EXIT_FAILURE;
		}
	} else if (o->cmd && !o->json) {
		out = stderr;	/* the job's stdout is its own */
	}
	/* -J with a job and no --output-file: the JSON is taskscope's stdout (so that
	 * "taskscope -J -- CMD | jq" works) and the job's stdout goes to stderr */
	/* a first sample without output gives the interval columns their interval */
	for (size_t i = 0; i < ncols; i++)
		prime = prime || (cols[i]->flags & CF_INTERVAL);
	readers = columns_readers(cols, ncols);
	for (size_t k = 0; k < nkeys; k++)
		readers |= keys[k].col->readers;	/* a sort column need not be shown */
	if (o->tree)
		readers |= RD_STAT;			/* the parent of each process */
	if (o->cmd)
		readers |= RD_STAT | RD_RSS;	/* the job summary counts tasks by identity
						 * and gives the peak RSS */
	rc = sampler_new(&smp, readers, o->threads);
	if (rc) {
		fprintf(stderr, "taskscope: cannot read /proc: %s\n", strerror(-rc));
		status = TS_EXIT_FAILURE;
		goto out;
	}
	rc = target_check(&o->target, smp, errbuf, sizeof(errbuf));
	if (rc) {
		if (rc == -ESRCH || rc == -EACCES)
			fprintf(stderr, "taskscope: %s\n", errbuf);
		else
			fprintf(stderr, "taskscope: %s\n", strerror(-rc));
		status = TS_EXIT_FAILURE;
		goto out;
	}
	if (o->cmd) {
		if (!o->threads)
			sampler_new(&js.tsampler, 0, true);
		o->target.spawn_root = getpid();
		if (o->json && !o->output_file)
			rc = spawn_start_io(&sp, o->cmd, STDERR_FILENO, o->run_as ? &cred : NULL);
		else
			rc = spawn_start(&sp, o->cmd, o->run_as ? &cred : NULL);
		if (rc) {
			status = spawn_failure(&sp, rc, o->cmd[0], o->run_as ? &cred : NULL,
					       errbuf, sizeof(errbuf));
			fprintf(stderr, "taskscope: %s\n", errbuf);
			goto out;
		}
		spp = &sp;
	}
	target_describe(&o->target, what, sizeof(what));
	if (o->children && strlen(what) + 16 < sizeof(what))
		strcat(what, " and descendants");
	bo = (struct batch_opts){ .cols = cols, .ncols = ncols, .json = o->json, .raw = o->raw,
				  .bytes = o->bytes, .what = what, .out = out,
				  .threads = o->threads, .keys = keys, .nkeys = nkeys,
				  .tree = o->tree, .totals = o->totals };
	ctx = (struct col_ctx){ .sampler = smp, .threads = o->threads };

	next = util_monotonic();
	for (bool first = true; ; first = false) {
		struct target_reuse *reused = NULL;
		pid_t *tgids = NULL;
		size_t n = 0, nreused = 0;
		bool all;
		const struct snapshot *sn;

		if (spp) {
			spawn_reap(spp, false);
			target_forward_pending(&o->target, smp);
		}
		rc = target_resolve(&o->target, smp, &tgids, &n, &all);
		if (!rc)
			rc = sampler_take(smp, all ? NULL : tgids, n, &sn);
		if (rc) {
			free(tgids);
			fprintf(stderr, "taskscope: sampling failed: %s\n", strerror(-rc));
			status = TS_EXIT_FAILURE;
			break;
		}
		if (spp)
			job_account(&js, sn, tgids, n);
		free(tgids);
		target_take_reused(&o->target, &reused, &nreused);
		/* the watched tasks are all gone: nothing more to show */
		if (!all && sn->ntasks == 0) {
			reused_to_stderr(reused, nreused);
			free(reused);
			break;
		}
		if ((!first || !prime) && reporting) {
			seq++;
			rc = print_with_notes(&bo, &ctx, sn, seq, reused, nreused);
			if (rc == -EPIPE) {
				reporting = false;	/* the reader went away: stop quietly */
			} else if (rc) {
				/* a write error is reported when the stream is closed */
				if (!outfile_error(out))
					fprintf(stderr, "taskscope: cannot print the report: %s\n",
						strerror(-rc));
				status = TS_EXIT_FAILURE;
				reporting = false;
			}
			if (o->iterations && seq >= o->iterations)
				reporting = false;
		} else {
			reused_to_stderr(reused, nreused);
		}
		free(reused);
		/* the watched tasks are all gone: nothing more to show */
		if (!reporting && (!spp || spp->all_done))
			break;
		if (!reporting) {
			wait_job_end(spp, &o->target, smp);
			continue;
		}
		if (spp && spp->all_done)
			break;
		if (first && prime)
			next = util_monotonic() + (o->delay < PRIME_MAX ? o->delay : PRIME_MAX);
		else
			next = (first ? util_monotonic() : next) + o->delay;
		if (next < util_monotonic())
			next = util_monotonic();
		wait_until(spp, &o->target, smp, next);
	}
	if (spp) {
		wait_job_end(spp, &o->target, smp);
		job_summary(spp, &js, o->cmd[0]);
		status = spawn_exit_code(spp);
	}
out:
	spawn_cred_free(&cred);
	sampler_free(js.tsampler);
	free(js.procs.ids);
	free(js.threads.ids);
	sampler_free(smp);
	free(keys);
	free(cols);
	/* standard output is checked by main; standard error cannot report its own error */
	if (out != stdout)
		status = outfile_close(out, o->output_file, status);
	return status;
}

/* The task view: the full-screen view or batch output */
static int task_view(int argc, char **argv)
{
	struct opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	target_init(&o.target);
	rc = parse_opts(argc, argv, &o);
	if (rc >= 0) {
		target_free(&o.target);
		return rc;
	}
	if (o.list_columns) {
		list_columns(stdout);
		target_free(&o.target);
		return TS_EXIT_OK;
	}
	/* the full-screen view reads keys from stdin: both must be the terminal */
	if (o.iterations || o.json || o.raw || o.output_file || o.sort || o.totals || o.tree ||
	    !isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
		o.batch = true;
	if (o.batch && o.child_log) {
		target_free(&o.target);
		return cli_usage_error(NULL, "--child-log is for the full-screen view (in batch mode the "
				   "job's output is its own)");
	}
	if (!o.batch) {
		struct tui_opts to = {
			.target = &o.target, .cmd = o.cmd, .child_log = o.child_log,
			.output = o.output, .delay = o.delay, .delay_set = o.delay_set,
			.threads = o.threads,
		};

		if (o.output) {
			const struct column **cols = NULL;
			size_t ncols = 0;
			char *bad = NULL;

			rc = columns_parse_list(o.output, true, &cols, &ncols, &bad);
			free(cols);
			if (rc == -EINVAL) {
				cli_usage_error(NULL, "unknown column '%s' in --output (see --list-columns)",
					    bad ? bad : "");
				free(bad);
				target_free(&o.target);
				return TS_EXIT_USAGE;
			}
			free(bad);
		}
		struct spawn_cred cred = { 0 };

		if (o.run_as) {
			char msg[256];

			rc = spawn_cred_lookup(&cred, o.run_as);
			if (rc) {
				spawn_cred_error(rc, o.run_as, msg, sizeof(msg));
				fprintf(stderr, "taskscope: %s\n", msg);
				target_free(&o.target);
				return TS_EXIT_FAILURE;
			}
			to.cred = &cred;
		}
		rc = tui_main(&to);
		spawn_cred_free(&cred);
		target_free(&o.target);
		return rc;
	}
	rc = run_tasks(&o);
	target_free(&o.target);
	return rc;
}

/* A command of the table, a "did you mean" for a near miss, else the task view. */
static int dispatch(int argc, char **argv)
{
	if (argc > 1) {
		const struct ts_command *c = commands_find(argv[1]);

		if (c)
			return c->main(argc - 1, argv + 1);
		if (argv[1][0] != '-' && (c = commands_suggest(argv[1]))) {
			char shown[64];

			return cli_usage_error(NULL, "'%s' is not a command; did you mean '%s'?",
					       cli_shown(argv[1], shown, sizeof(shown)), c->name);
		}
	}
	return task_view(argc, argv);
}

int main(int argc, char **argv)
{
	int status;

	outfile_init_stdout();
	setlocale(LC_ALL, "");
	/* a locale that cannot show UTF-8 gets ASCII with escapes */
	util_sanitize_ascii_only(strcmp(nl_langinfo(CODESET), "UTF-8") != 0);
	signal(SIGPIPE, SIG_IGN);	/* a closed reader is an EPIPE we handle quietly */
	status = dispatch(argc, argv);
	/* every command's standard output, help and version included (a job's status wins) */
	return outfile_close(stdout, NULL, status);
}
