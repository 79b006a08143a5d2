/* SPDX-License-Identifier: GPL-2.0-or-later */
/* options.c - the options the commands share, parsed in one place */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/options.h"
#include "lib/msg.h"
#include "lib/util.h"
#include "lib/exitcode.h"

void common_init(struct common_opts *o, const char *name, unsigned accept,
		 void (*usage)(FILE *out))
{
	memset(o, 0, sizeof(*o));
	o->name = name;
	o->accept = accept;
	o->usage = usage;
	target_init(&o->target);
	opterr = 0;
	optind = 0;	/* a full reset: main may have used getopt already */
}

void common_free(struct common_opts *o)
{
	target_free(&o->target);
}

int common_usage_error(const struct common_opts *o, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cli_usage_error(o->name, "%s", msg);
}

/* A long option this command does not take: as getopt says of an unknown one. */
static int not_here(const struct common_opts *o, char **argv)
{
	/* "--user x": getopt took x as the option's argument; "--user=x": the name alone */
	const char *arg = optarg && optind >= 2 && argv[optind - 1] == optarg ? argv[optind - 2]
									     : argv[optind - 1];
	char name[128], shown[128];
	size_t n = strcspn(arg, "=");

	snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : sizeof(name) - 1), arg);
	return common_usage_error(o, "unknown option '%s'", cli_shown(name, shown, sizeof(shown)));
}

static int target_option(struct common_opts *o, int c, const char *arg)
{
	char msg[256];
	int rc = target_parse_option(&o->target, c, arg, msg, sizeof(msg));

	if (rc == -EINVAL)
		return common_usage_error(o, "%s", msg);
	if (rc == -ENOENT)
		msg_error("%s", msg);
	return rc ? TS_EXIT_FAILURE : CO_CONTINUE;
}

static bool takes(const struct common_opts *o, int c)
{
	switch (c) {
	case 'p': case 'u': case 'C': case TARGET_OPT_CGROUP:
		return o->accept & CO_TARGETS;
	case 'o': case CO_OPT_LIST_COLUMNS:
		return o->accept & CO_COLUMNS;
	case 'J':
		return o->accept & CO_JSON;
	case 'r':
		return o->accept & CO_RAW;
	case CO_OPT_BYTES:
		return o->accept & CO_BYTES;
	case CO_OPT_OUTPUT_FILE:
		return o->accept & CO_OUTPUT_FILE;
	case CO_OPT_RUN_AS:
		return o->accept & CO_JOB;
	case 'V':
		return o->accept & CO_VERSION;
	case 'h':
		return true;
	default:
		return false;
	}
}

int common_option(struct common_opts *o, int c, int argc, char **argv)
{
	char msg[160];

	(void)argc;
	if (c == ':' || c == '?')
		return common_usage_error(o, "%s", util_getopt_error(c, argv, optind, optopt,
								      msg, sizeof(msg)));
	if (!takes(o, c))
		return not_here(o, argv);
	switch (c) {
	case 'p': case 'u': case 'C': case TARGET_OPT_CGROUP:
		return target_option(o, c, optarg);
	case 'o':
		o->output = optarg;
		break;
	case CO_OPT_LIST_COLUMNS:
		o->list_columns = true;
		break;
	case 'J':
		o->json = true;
		break;
	case 'r':
		o->raw = true;
		break;
	case CO_OPT_BYTES:
		o->bytes = true;
		break;
	case CO_OPT_OUTPUT_FILE:
		if (!*optarg)
			return common_usage_error(o, "--output-file needs a file name");
		o->output_file = optarg;
		break;
	case CO_OPT_RUN_AS:
		o->run_as = optarg;
		break;
	case 'h':
		o->usage(stdout);
		return TS_EXIT_OK;	/* main checks that it was written */
	case 'V':
		printf("taskscope %s\n", PACKAGE_VERSION);
		return TS_EXIT_OK;
	}
	return CO_CONTINUE;
}

static bool after_dashes(char **argv)
{
	return optind > 0 && !strcmp(argv[optind - 1], "--");
}

/* The combinations of common options that make no sense. */
static int check(const struct common_opts *o)
{
	if (o->json && o->raw)
		return common_usage_error(o, "--json and --raw cannot be used together");
	if (o->cmd && !target_is_all(&o->target))
		return common_usage_error(o, "-p, -u and -C cannot be used with a command to run ('--')");
	if (o->run_as && !o->cmd)
		return common_usage_error(o, "--run-as needs a command to run ('-- command')");
	return CO_CONTINUE;
}

/* One operand more; too many is a usage error. */
static int operand(struct common_opts *o, char *arg)
{
	char shown[128];

	if (o->noperands >= o->max_operands || o->noperands >= CO_MAX_OPERANDS)
		return common_usage_error(o, "unexpected argument '%s'%s",
					  cli_shown(arg, shown, sizeof(shown)),
					  o->operand_hint ? o->operand_hint : "");
	o->operand[o->noperands++] = arg;
	return CO_CONTINUE;
}

/* CO_OPERANDS: the one at optind, options may follow; after "--", all that are left. */
static int operands(struct common_opts *o, int argc, char **argv, bool *again)
{
	int rc;

	if (!after_dashes(argv)) {
		*again = true;
		return operand(o, argv[optind++]);
	}
	for (; optind < argc; optind++) {
		rc = operand(o, argv[optind]);
		if (rc != CO_CONTINUE)
			return rc;
	}
	return check(o);
}

int common_finish(struct common_opts *o, int argc, char **argv, bool *again)
{
	char shown[128];

	*again = false;
	if (optind < argc && (o->accept & CO_OPERANDS))
		return operands(o, argc, argv, again);
	if (optind < argc && !after_dashes(argv) && (o->accept & CO_BARE_PIDS)) {
		/* a bare PID list, the same as -p; options may follow */
		if (!isdigit((unsigned char)argv[optind][0]))
			return common_usage_error(o, "unexpected argument '%s' (PIDs%s)",
						  cli_shown(argv[optind], shown, sizeof(shown)),
						  o->accept & CO_JOB ? ", or a command to run after '--'"
								     : "");
		optind++;
		*again = true;
		return target_option(o, 'p', argv[optind - 1]);
	}
	if (optind < argc) {
		if (!after_dashes(argv) || !(o->accept & CO_JOB))
			return common_usage_error(o, "unexpected argument '%s'%s",
						  cli_shown(argv[optind], shown, sizeof(shown)),
						  o->accept & CO_JOB ? " (a command to run goes after '--')"
								     : "");
		o->cmd = &argv[optind];
	} else if (after_dashes(argv) && (o->accept & CO_JOB)) {
		return common_usage_error(o, "no command after '--'");
	}
	return check(o);
}

int common_parse(struct common_opts *o, int argc, char **argv, const char *optstring,
		 const struct option *longopts,
		 int (*own)(void *ctx, int c, int argc, char **argv), void *ctx)
{
	bool again;
	int c, rc;

	do {
		while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
			rc = own(ctx, c, argc, argv);
			if (rc != CO_CONTINUE)
				return rc;
		}
		rc = common_finish(o, argc, argv, &again);
		if (rc != CO_CONTINUE)
			return rc;
	} while (again);
	return CO_CONTINUE;
}
